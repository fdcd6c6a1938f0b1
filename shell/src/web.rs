//! `typact-shell --web ADDR`: one page on loopback that draws the live
//! supervision tree, and the JSON it reads (`GET /api/tree`).
//!
//! A tiny HTTP/1.1 responder on a std `TcpListener`, a thread per
//! connection, one request per connection. The page polls every 500 ms.
//! Requests whose `Host` is not the loopback address it serves on are
//! refused, so that a web site cannot read the tree through DNS
//! rebinding.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use crate::client::{Client, Target};

/// The page.
pub const PAGE: &str = include_str!("page.html");

/// The largest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// Binds `addr` (a loopback address; port 0 picks one).
///
/// # Errors
///
/// When `addr` is not a loopback address, or binding fails.
pub fn bind(addr: &str) -> io::Result<TcpListener> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the page is served on loopback only (127.0.0.1 or ::1), not on {local}"),
        ));
    }
    Ok(listener)
}

/// Serves the page and its JSON on `listener`, attached to `target`,
/// until the process ends.
///
/// # Errors
///
/// When accepting connections fails for good.
pub fn serve(listener: TcpListener, target: Target) -> io::Result<()> {
    let local = listener.local_addr()?;
    let client: Arc<Mutex<Option<Client>>> = Arc::new(Mutex::new(None));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let (client, target) = (client.clone(), target.clone());
        std::thread::spawn(move || {
            let _ = answer(stream, local, &client, &target);
        });
    }
    Ok(())
}

/// The tree, with the process's hello, as the page reads it.
fn tree(client: &Mutex<Option<Client>>, target: &Target) -> Result<Value, String> {
    let mut slot = client.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.is_none() {
        *slot = Some(Client::connect(target).map_err(|e| e.to_string())?);
    }
    let attached = slot.as_mut().expect("connected above");
    match attached.request("tree", json!({})) {
        Ok(tree) => {
            let hello = attached.hello();
            Ok(json!({
                "program": hello["program"],
                "pid": hello["pid"],
                "tree": tree,
            }))
        }
        Err(err) => {
            // Attach again on the next request.
            *slot = None;
            Err(err.to_string())
        }
    }
}

fn host_is_ours(host: &str, local: SocketAddr) -> bool {
    let port = local.port();
    [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        local.to_string(),
    ]
    .iter()
    .any(|ok| ok.eq_ignore_ascii_case(host))
}

fn answer(
    stream: TcpStream,
    local: SocketAddr,
    client: &Mutex<Option<Client>>,
    target: &Target,
) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut host = String::new();
    let mut read = request_line.len();
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header)?;
        read += n;
        if n == 0 || header == "\r\n" || header == "\n" || read > MAX_HEAD {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("host")
        {
            host = value.trim().to_owned();
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = path.split('?').next().unwrap_or("");
    let mut out = stream;
    if !host_is_ours(&host, local) {
        return respond(&mut out, "403 Forbidden", "text/plain", b"wrong Host\n");
    }
    if method != "GET" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n",
        );
    }
    match path {
        "/" | "/index.html" => respond(
            &mut out,
            "200 OK",
            "text/html; charset=utf-8",
            PAGE.as_bytes(),
        ),
        "/api/tree" => match tree(client, target) {
            Ok(value) => respond(
                &mut out,
                "200 OK",
                "application/json",
                value.to_string().as_bytes(),
            ),
            Err(err) => respond(
                &mut out,
                "502 Bad Gateway",
                "application/json",
                json!({ "error": err }).to_string().as_bytes(),
            ),
        },
        _ => respond(&mut out, "404 Not Found", "text/plain", b"not found\n"),
    }
}

fn respond(out: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_of_this_port() {
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(host_is_ours("127.0.0.1:8080", local));
        assert!(host_is_ours("localhost:8080", local));
        assert!(!host_is_ours("evil.example:8080", local));
        assert!(!host_is_ours("127.0.0.1:9090", local));
        assert!(!host_is_ours("", local));
    }

    #[test]
    fn the_page_is_self_contained() {
        assert!(PAGE.contains("/api/tree"));
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://"));
        assert!(!PAGE.contains("src="));
    }
}
