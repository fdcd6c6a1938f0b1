//! One client's connection: lines in, lines out, the `hello` first, and
//! the `watch` stream.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::io::{AsyncWriteExt, BufReader, WriteHalf};
use tokio::sync::watch;

use super::ops::{self, Failure};

/// The longest request line taken.
const MAX_LINE: u64 = 1 << 20;

/// What a read gave.
enum Read {
    Line,
    Eof,
    TooLong,
}

async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, line: &mut String) -> io::Result<Read> {
    let n = reader.take(MAX_LINE).read_line(line).await?;
    Ok(if n == 0 {
        Read::Eof
    } else if n as u64 >= MAX_LINE && !line.ends_with('\n') {
        Read::TooLong
    } else {
        Read::Line
    })
}

async fn send<W: AsyncWrite>(write: &mut WriteHalf<W>, value: &Value) -> io::Result<()> {
    let mut text = value.to_string();
    text.push('\n');
    write.write_all(text.as_bytes()).await?;
    write.flush().await
}

/// Serves one connection until the client closes it, breaks the protocol
/// beyond repair, or the server stops.
pub(super) async fn run<S>(stream: S, token: Option<Arc<str>>, mut stopped: watch::Receiver<bool>)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut reader = BufReader::new(read);
    let mut greeted = false;
    let mut line = String::new();
    loop {
        line.clear();
        let read = tokio::select! {
            () = stopping(&mut stopped) => return,
            read = read_line(&mut reader, &mut line) => read,
        };
        match read {
            Ok(Read::Line) => {}
            Ok(Read::Eof) => return,
            Ok(Read::TooLong) => {
                let failure = Failure::bad_request("a request line is at most 1 MiB");
                let _ = send(&mut write, &failure.answer(Value::Null)).await;
                return;
            }
            Err(err) => {
                let failure = Failure::bad_request(format!("unreadable request: {err}"));
                let _ = send(&mut write, &failure.answer(Value::Null)).await;
                return;
            }
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let (id, request) = match ops::parse(text) {
            Ok(parsed) => parsed,
            Err((id, failure)) => {
                if send(&mut write, &failure.answer(id)).await.is_err() {
                    return;
                }
                continue;
            }
        };
        let op = ops::op(&request);
        if !greeted {
            let answer = ops::hello(op, &request, token.as_deref());
            let ok = answer.is_ok();
            if send(&mut write, &ops::answer(id, answer)).await.is_err() || !ok {
                return;
            }
            greeted = true;
            continue;
        }
        if op == "watch" {
            let ended = watch(&mut reader, &mut write, id, &request, &mut stopped).await;
            if ended.is_err() {
                return;
            }
            continue;
        }
        let answer = ops::handle(op, &request).await;
        if send(&mut write, &ops::answer(id, answer)).await.is_err() {
            return;
        }
    }
}

/// The `watch` stream: an event at once and on every change, an end when
/// the actor is gone. `Ok` when the client ended it with a line; `Err`
/// when the connection is over.
async fn watch<R, W>(
    reader: &mut R,
    write: &mut WriteHalf<W>,
    id: Value,
    request: &Map<String, Value>,
    stopped: &mut watch::Receiver<bool>,
) -> io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite,
{
    let target = match ops::watch_target(request) {
        Ok(target) => target,
        Err(failure) => return send(write, &failure.answer(id)).await,
    };
    let mut ticks = tokio::time::interval(target.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last: Option<Value> = None;
    let mut line = String::new();
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                match ops::watch_frame(&target).await {
                    Some(frame) => {
                        let unchanged = last.as_ref().is_some_and(|last| same_but_age(last, &frame));
                        if !unchanged {
                            send(write, &json!({ "id": id, "event": frame })).await?;
                            last = Some(frame);
                        }
                    }
                    None => return send(write, &json!({ "id": id, "end": "stopped" })).await,
                }
            }
            read = read_line(reader, &mut line) => {
                return match read? {
                    Read::Line => Ok(()),
                    Read::Eof | Read::TooLong => Err(io::ErrorKind::UnexpectedEof.into()),
                };
            }
            () = stopping(stopped) => return Err(io::ErrorKind::ConnectionAborted.into()),
        }
    }
}

/// Whether two frames differ only in the actors' ages (which change on
/// every frame).
fn same_but_age(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| k.as_str() != "age_ms")
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    strip(a) == strip(b)
}

/// Resolves once the server stops (or is gone).
async fn stopping(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await.map(|_| ());
}

/// The shortest interval a watch takes.
pub(super) const MIN_INTERVAL: Duration = Duration::from_millis(50);
