//! The inspector protocol as `typact::inspect::serve` speaks it, line by
//! line over the socket: the hello, bad requests, TCP with a token, the
//! socket's mode, shutdown, and `watch`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};

use common::*;
use serde_json::{Value, json};
use typact::inspect::{Endpoint, serve};

struct Raw {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Raw {
    fn connect() -> Raw {
        let stream = UnixStream::connect(socket()).expect("the demo serves");
        stream.set_read_timeout(Some(GUARD)).unwrap();
        Raw {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn line(&mut self, text: &str) -> Option<Value> {
        writeln!(self.writer, "{text}").ok()?;
        self.read()
    }

    fn read(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(serde_json::from_str(&line).expect("answers are JSON")),
        }
    }

    fn hello() -> Raw {
        let mut raw = Raw::connect();
        let answer = raw.line(r#"{"op":"hello","protocol":1,"id":"h"}"#).unwrap();
        assert_eq!(answer["id"], "h");
        assert_eq!(answer["ok"]["protocol"], 1);
        raw
    }
}

#[test]
fn the_first_request_must_be_hello() {
    let mut raw = Raw::connect();
    let answer = raw.line(r#"{"op":"list"}"#).unwrap();
    assert_eq!(answer["error"]["code"], "protocol");
    assert!(raw.read().is_none(), "the connection closes");

    let mut raw = Raw::connect();
    let answer = raw.line(r#"{"op":"hello","protocol":99}"#).unwrap();
    assert_eq!(answer["error"]["code"], "protocol");
    assert_eq!(answer["error"]["protocol"], 1);
    assert!(raw.read().is_none());
}

#[test]
fn bad_requests_are_answered_and_the_connection_goes_on() {
    let _tree = tree("t-proto");
    let mut raw = Raw::hello();
    let answer = raw.line("this is not json").unwrap();
    assert_eq!(answer["error"]["code"], "bad_request");
    let answer = raw.line(r#"{"op":"explode","id":3}"#).unwrap();
    assert_eq!(answer["id"], 3);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown op \"explode\"")
    );
    let answer = raw.line(r#"{"op":"get"}"#).unwrap();
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"actor\" is missing")
    );
    let answer = raw.line(r#"{"op":"get","actor":["no"]}"#).unwrap();
    assert_eq!(answer["error"]["code"], "bad_request");
    let answer = raw.line(r#"{"op":"list","depth":"deep"}"#).unwrap();
    assert_eq!(answer["error"]["code"], "bad_request");
    let answer = raw.line(r##"{"op":"get","actor":"#999999999"}"##).unwrap();
    assert_eq!(answer["error"]["code"], "no_such_actor");
    // Still serving.
    let answer = raw
        .line(r#"{"op":"get","actor":"/t-proto/counter","id":9}"#)
        .unwrap();
    assert_eq!(answer["id"], 9);
    assert_eq!(answer["ok"]["type"], "Counter");
    let answer = raw
        .line(&json!({"op": "list", "under": "/t-proto", "depth": 1}).to_string())
        .unwrap();
    assert_eq!(answer["ok"].as_array().unwrap().len(), 3);
}

#[test]
fn the_socket_is_private_to_its_user() {
    let mode = std::fs::metadata(socket()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_server_stops_on_shutdown_and_removes_its_socket() {
    let path = std::env::temp_dir().join(format!("tshell-shutdown-{}.sock", std::process::id()));
    let server = block_on(async { serve(Endpoint::unix(&path)) }).unwrap();
    assert!(UnixStream::connect(&path).is_ok());
    // A second server on a live socket is refused.
    let again = block_on(async { serve(Endpoint::unix(&path)) });
    assert_eq!(again.unwrap_err().kind(), std::io::ErrorKind::AddrInUse);
    server.shutdown();
    assert!(!path.exists());
    assert!(UnixStream::connect(&path).is_err());
}

#[test]
fn tcp_needs_loopback_and_the_token() {
    let _tree = tree("t-tcp");
    let refused = block_on(async { serve(Endpoint::tcp("0.0.0.0:0".parse().unwrap(), "t")) });
    assert_eq!(
        refused.unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );

    let server =
        block_on(async { serve(Endpoint::tcp("127.0.0.1:0".parse().unwrap(), "s3cret")) }).unwrap();
    let addr = server.local_addr().unwrap().to_string();
    let shell = |token: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_typact-shell"));
        command.args(["--tcp", &addr, "--token", token, "-c", "ls /t-tcp"]);
        wait(command)
    };
    let out = ok(&shell("s3cret"));
    assert!(out.contains("counter"), "{out}");
    let err = failed(&shell("guess"));
    assert!(err.contains("wrong or missing token"), "{err}");
}

#[test]
fn watch_prints_updates_and_ends_when_the_actor_stops() {
    let tree = tree("t-watch");
    let out = ok(&sh("watch /t-watch/temp -n 1"));
    assert!(out.starts_with("/t-watch/temp  running"), "{out}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_typact-shell"))
        .arg("--socket")
        .arg(socket())
        .args(["--json", "-c", "watch /t-watch/temp"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["event"]["path"], "/t-watch/temp");
    tree.temp.stop();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let last: Value = serde_json::from_str(rest.last().expect("an end")).unwrap();
    assert_eq!(last["end"], "stopped");
    assert!(child.wait().unwrap().success());
}
