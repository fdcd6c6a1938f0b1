//! The connection to a process that called `typact::inspect::serve`: the
//! `hello`, then one JSON line per request and one per answer (protocol 1,
//! documented in `typact::inspect::serve`).

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value, json};

/// The protocol version this shell speaks.
pub const PROTOCOL: u64 = 1;

/// Where the process listens.
#[derive(Clone, Debug)]
pub enum Target {
    /// A Unix domain socket.
    Unix(PathBuf),
    /// A loopback TCP address and its token.
    Tcp {
        /// `127.0.0.1:7070`.
        addr: String,
        /// The token the server printed or was given.
        token: String,
    },
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Unix(path) => write!(f, "{}", path.display()),
            Target::Tcp { addr, .. } => write!(f, "tcp {addr}"),
        }
    }
}

/// Why a request failed.
#[derive(Debug)]
pub enum Error {
    /// The connection failed.
    Io(io::Error),
    /// The server answered with an error: its code, message and details.
    Remote {
        /// `no_such_actor`, `unknown_message`, `bad_args`, ...
        code: String,
        /// What went wrong, in words.
        message: String,
        /// The whole error object.
        details: Value,
    },
    /// The server's answer did not follow the protocol.
    Protocol(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(err) => write!(f, "connection: {err}"),
            Error::Remote { message, .. } => f.write_str(message),
            Error::Protocol(what) => write!(f, "the process's answer breaks the protocol: {what}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        Error::Io(err)
    }
}

enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Unix(s) => Stream::Unix(s.try_clone()?),
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
        })
    }

    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.set_read_timeout(timeout),
            Stream::Tcp(s) => s.set_read_timeout(timeout),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Unix(s) => s.flush(),
            Stream::Tcp(s) => s.flush(),
        }
    }
}

/// One attached connection.
pub struct Client {
    reader: BufReader<Stream>,
    writer: Stream,
    next_id: u64,
    hello: Value,
    target: Target,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// One line of a `watch`.
#[derive(Debug)]
pub enum Event {
    /// The actor (or the whole list) as it is now.
    Update(Value),
    /// The watched actor is gone.
    End(String),
}

impl Client {
    /// Connects and says hello.
    ///
    /// # Errors
    ///
    /// When nothing listens at `target`, or the server refuses the hello
    /// (another protocol version, a wrong token).
    pub fn connect(target: &Target) -> Result<Client, Error> {
        let (stream, token) = match target {
            Target::Unix(path) => {
                let stream = UnixStream::connect(path).map_err(|err| {
                    io::Error::new(
                        err.kind(),
                        format!("cannot attach to {}: {err}", path.display()),
                    )
                })?;
                (Stream::Unix(stream), None)
            }
            Target::Tcp { addr, token } => {
                let stream = TcpStream::connect(addr.as_str()).map_err(|err| {
                    io::Error::new(err.kind(), format!("cannot attach to {addr}: {err}"))
                })?;
                (Stream::Tcp(stream), Some(token.clone()))
            }
        };
        let writer = stream.try_clone()?;
        let mut client = Client {
            reader: BufReader::new(stream),
            writer,
            next_id: 0,
            hello: Value::Null,
            target: target.clone(),
        };
        let mut hello = json!({ "protocol": PROTOCOL });
        if let Some(token) = token {
            hello["token"] = token.into();
        }
        client.hello = client.request("hello", hello)?;
        Ok(client)
    }

    /// What the process said in its hello: `protocol`, `pid`, `program`,
    /// `actors`.
    pub fn hello(&self) -> &Value {
        &self.hello
    }

    /// Where this client is attached.
    pub fn target(&self) -> &Target {
        &self.target
    }

    fn write_request(&mut self, op: &str, args: Value) -> Result<u64, Error> {
        self.next_id += 1;
        let mut request = match args {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(Error::Protocol(format!(
                    "arguments must be an object: {other}"
                )));
            }
        };
        request.insert("op".into(), op.into());
        request.insert("id".into(), self.next_id.into());
        let mut line = Value::Object(request).to_string();
        line.push('\n');
        self.writer.write_all(line.as_bytes())?;
        self.writer.flush()?;
        Ok(self.next_id)
    }

    fn read_answer(&mut self) -> Result<Value, Error> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the process closed the connection",
            )));
        }
        serde_json::from_str(&line).map_err(|err| Error::Protocol(format!("{err}: {line}")))
    }

    fn result(answer: Value) -> Result<Value, Error> {
        if let Some(error) = answer.get("error") {
            return Err(Error::Remote {
                code: error["code"].as_str().unwrap_or("error").to_owned(),
                message: error["message"].as_str().unwrap_or("failed").to_owned(),
                details: error.clone(),
            });
        }
        match answer {
            Value::Object(mut map) => map
                .remove("ok")
                .ok_or_else(|| Error::Protocol("an answer without \"ok\" or \"error\"".into())),
            other => Err(Error::Protocol(format!("not an object: {other}"))),
        }
    }

    /// Sends one request and waits for its answer.
    ///
    /// # Errors
    ///
    /// [`Error::Remote`] with the server's error; [`Error::Io`] when the
    /// connection broke.
    pub fn request(&mut self, op: &str, args: Value) -> Result<Value, Error> {
        self.write_request(op, args)?;
        Self::result(self.read_answer()?)
    }

    /// Starts a watch (`args` as for the `watch` op) and calls `each` with
    /// every event until it returns `false`, the watched actor is gone, or
    /// `stop` returns true (checked at least every 200 ms).
    ///
    /// The client should not be used again afterwards: open a new one.
    ///
    /// # Errors
    ///
    /// As [`Client::request`].
    pub fn watch(
        mut self,
        args: Value,
        stop: impl Fn() -> bool,
        mut each: impl FnMut(Event) -> bool,
    ) -> Result<(), Error> {
        self.write_request("watch", args)?;
        self.reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut line = String::new();
        loop {
            if stop() {
                return Ok(());
            }
            match self.reader.read_line(&mut line) {
                Ok(0) => {
                    return Err(Error::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the process closed the connection",
                    )));
                }
                Ok(_) => {}
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(err) => return Err(err.into()),
            }
            let answer: Value = serde_json::from_str(&line)
                .map_err(|err| Error::Protocol(format!("{err}: {line}")))?;
            line.clear();
            let event = if let Some(update) = answer.get("event") {
                Event::Update(update.clone())
            } else if let Some(end) = answer.get("end") {
                Event::End(end.as_str().unwrap_or("ended").to_owned())
            } else {
                Self::result(answer)?;
                return Err(Error::Protocol("a watch answered without an event".into()));
            };
            let ended = matches!(event, Event::End(_));
            if !each(event) || ended {
                return Ok(());
            }
        }
    }
}
