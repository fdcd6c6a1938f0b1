//! [`serve`]: the one call that makes a process attachable by
//! `typact-shell` (and its web page).
//!
//! The server listens on a Unix domain socket by default (no open port;
//! the socket file is made `0600` and a connection from another user is
//! refused, so file permissions decide who may attach), or on a loopback
//! TCP address with a token. It answers a small line-delimited JSON
//! protocol on top of the snapshot functions of [`typact::inspect`](super).
//!
//! The protocol is documented on [`serve`].
//!
//! # Examples
//!
//! ```
//! use typact::inspect::{Endpoint, serve};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let socket = std::env::temp_dir().join(format!("typact-doc-{}.sock", std::process::id()));
//! let server = serve(Endpoint::unix(&socket))?;
//! assert_eq!(server.socket_path(), Some(socket.as_path()));
//! // `typact-shell --socket <path>` attaches now.
//! server.shutdown();
//! assert!(!socket.exists());
//! # Ok(()) }
//! ```

mod args;
mod conn;
mod json;
mod ops;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// The version of the protocol this server speaks.
pub const PROTOCOL: u64 = 1;

/// The environment variable that names the default socket's path.
pub const ENV_SOCKET: &str = "TYPACT_INSPECT";

/// Where [`serve`] listens.
///
/// # Examples
///
/// ```
/// use typact::inspect::Endpoint;
///
/// let unix = Endpoint::unix("/tmp/my-app.sock");
/// let tcp = Endpoint::tcp("127.0.0.1:7070".parse().unwrap(), "s3cret");
/// assert!(matches!(unix, Endpoint::Unix(_)));
/// assert!(matches!(tcp, Endpoint::Tcp { .. }));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Endpoint {
    /// A Unix domain socket at this path, made `0600`.
    Unix(PathBuf),
    /// A loopback TCP address; every client must present `token`.
    Tcp {
        /// The address (port 0 picks a free one; see
        /// [`Server::local_addr`]).
        addr: SocketAddr,
        /// The token clients send in their `hello`.
        token: String,
    },
}

impl Endpoint {
    /// A Unix domain socket at `path`.
    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Endpoint::Unix(path.into())
    }

    /// A loopback TCP address, with the token every client must present.
    pub fn tcp(addr: SocketAddr, token: impl Into<String>) -> Self {
        Endpoint::Tcp {
            addr,
            token: token.into(),
        }
    }

    /// The default: a Unix domain socket at `$TYPACT_INSPECT`, or at
    /// `typact-<pid>.sock` in the temporary directory (`/tmp`) when that
    /// is unset.
    pub fn from_env() -> Self {
        match std::env::var_os(ENV_SOCKET) {
            Some(path) if !path.is_empty() => Endpoint::Unix(path.into()),
            _ => Endpoint::Unix(
                std::env::temp_dir().join(format!("typact-{}.sock", std::process::id())),
            ),
        }
    }
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint::from_env()
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => f.debug_tuple("Unix").field(path).finish(),
            // The token stays out of logs.
            Endpoint::Tcp { addr, .. } => f
                .debug_struct("Tcp")
                .field("addr", addr)
                .field("token", &"<hidden>")
                .finish(),
        }
    }
}

/// A running inspector server; it stops serving when dropped or
/// [shut down](Server::shutdown), and removes its socket file.
#[must_use = "the server stops when this is dropped"]
pub struct Server {
    socket: Option<PathBuf>,
    addr: Option<SocketAddr>,
    token: Option<Arc<str>>,
    stop: watch::Sender<bool>,
    accept: AbortHandle,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("socket", &self.socket)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// The socket's path, for a Unix endpoint.
    pub fn socket_path(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    /// The bound address, for a TCP endpoint (with the port picked when
    /// the endpoint asked for port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// The token clients present, for a TCP endpoint.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Stops serving: no new connections, open ones close; the socket
    /// file is removed. The same as dropping the server.
    pub fn shutdown(self) {}
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.send_replace(true);
        self.accept.abort();
        if let Some(path) = &self.socket {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Makes this process attachable: switches the inspector on
/// ([`enable`](super::enable)) and serves the inspector protocol (below)
/// on `endpoint`, on the current tokio runtime.
///
/// With a Unix endpoint, a stale socket file left by a dead process is
/// replaced; the new one is made `0600`, and connections from other users
/// (other than root) are refused.
///
/// # The protocol, version 1
///
/// UTF-8, one JSON object per line (`\n`), at most 1 MiB a line. The
/// client sends requests; the server answers each with exactly one line,
/// in order, except `watch`, which answers with a stream of lines.
///
/// A request is `{"op": NAME, "id": ANY, ...arguments}`. `id` is optional
/// and echoed in the answer. An answer is either
/// `{"id": ANY, "ok": RESULT}` or
/// `{"id": ANY, "error": {"code": CODE, "message": TEXT, ...details}}`.
/// A request that fails changes nothing.
///
/// The first request on a connection must be
/// `{"op": "hello", "protocol": 1}` (with `"token": "..."` on TCP). Its
/// result is `{"protocol": 1, "pid": N, "program": "name", "actors": N}`.
/// A wrong protocol version or token is answered with an error, and the
/// connection closes.
///
/// An *actor* argument is an absolute path (`"/app/workers/w1"`) or an id
/// (`"#12"` or `12`). The operations:
///
/// | op | arguments | result |
/// | --- | --- | --- |
/// | `list` | `under` (an actor, optional), `depth` (1 = children only, optional), `summaries` (bool, default true) | `[ACTOR]`: the actors below `under` (all without it), by path |
/// | `get` | `actor` | `ACTOR`, with its summary and the messages it takes |
/// | `tree` | `under` (optional), `summaries` (default true) | `[NODE]`: `ACTOR` plus `"children": [NODE]` |
/// | `history` | `actor`, `capacity` (optional: N switches it on with room for N, 0 off) | `{"capacity": N or null, "entries": [ENTRY]}` |
/// | `send` | `actor`, `message`, `args` (an object, default `{}`) | `null` once queued |
/// | `ask` | `actor`, `message`, `args`, `timeout_ms` (default 5000) | the reply, as JSON |
/// | `stop`, `kill` | `actor` | `ACTOR` as it was |
/// | `watch` | `actor` (optional), `interval_ms` (default 500, at least 50) | a stream, below |
///
/// `ACTOR` is `{"id", "path", "name", "type", "parent", "state",
/// "mailbox": {"len", "capacity"}, "handled", "restarts", "dead_letters",
/// "started_at_ms", "age_ms", "history", "summary", "messages": [{"method",
/// "message", "stable", "fields": [{"name", "type"}], "reply"}]}`; `path`,
/// `name`, `parent`, `capacity`, `history` and `summary` may be null.
/// `ENTRY` is `{"at_ms", "message", "detail", "took_us", "ask"}` (`detail`,
/// the message as JSON, is null for an actor without `inspect`); the
/// inspector's own visits (summaries) are left out. `counted` is false
/// for an actor spawned before the inspector was on: it has no counters,
/// age or history.
///
/// `watch` sends `{"id": ANY, "event": ACTOR}` (or `[ACTOR]` without an
/// actor) at once and then whenever it changes, and
/// `{"id": ANY, "end": "stopped"}` when the watched actor is gone. Any line
/// from the client ends the watch (and is otherwise ignored); the
/// connection then takes requests again.
///
/// Error codes: `bad_request` (not JSON, a missing or mistyped argument,
/// an unknown op), `protocol`, `unauthorized`, `no_such_actor` (with
/// `"suggest": [PATH]`, the live paths nearest to the one asked for),
/// `not_inspectable` (the actor's type has no `#[actor(inspect)]`),
/// `unknown_message` (with `"known": [METHOD]`), `bad_args` (the arguments
/// do not fit the message; the message names the field), `full` (a
/// bounded mailbox with no room; nothing was sent), `ask_failed`,
/// `stopped`, `not_counted` (history for an actor spawned before the
/// inspector was on).
///
/// # Errors
///
/// Outside a tokio runtime; when the socket's path is taken by a live
/// server or by a file that is not a socket; for a TCP address that is not
/// loopback, or an empty token; and when binding fails.
///
/// # Examples
///
/// ```
/// use typact::inspect::{Endpoint, serve};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let server = serve(Endpoint::tcp("127.0.0.1:0".parse().unwrap(), "s3cret"))?;
/// let addr = server.local_addr().expect("a TCP endpoint");
/// assert!(addr.ip().is_loopback());
/// # Ok(()) }
/// ```
pub fn serve(endpoint: Endpoint) -> io::Result<Server> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        io::Error::other("typact::inspect::serve must be called inside a tokio runtime")
    })?;
    let _entered = runtime.enter();
    super::enable();
    let (stop, stopped) = watch::channel(false);
    match endpoint {
        Endpoint::Unix(path) => {
            let listener = bind_unix(&path)?;
            let owner = std::fs::metadata(&path)?.uid();
            let accept = runtime.spawn(accept_unix(listener, owner, stopped));
            Ok(Server {
                socket: Some(path),
                addr: None,
                token: None,
                stop,
                accept: accept.abort_handle(),
            })
        }
        Endpoint::Tcp { addr, token } => {
            if !addr.ip().is_loopback() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("the inspector serves on loopback only, not on {addr}"),
                ));
            }
            if token.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a TCP endpoint needs a token",
                ));
            }
            let listener = std::net::TcpListener::bind(addr)?;
            listener.set_nonblocking(true)?;
            let listener = TcpListener::from_std(listener)?;
            let local = listener.local_addr()?;
            let token: Arc<str> = token.into();
            let accept = runtime.spawn(accept_tcp(listener, token.clone(), stopped));
            Ok(Server {
                socket: None,
                addr: Some(local),
                token: Some(token),
                stop,
                accept: accept.abort_handle(),
            })
        }
    }
}

/// Binds the socket at `path`, replacing a stale one, and makes it `0600`.
fn bind_unix(path: &Path) -> io::Result<UnixListener> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("a live server listens on {}", path.display()),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let listener = std::os::unix::net::UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    listener.set_nonblocking(true)?;
    UnixListener::from_std(listener)
}

async fn accept_unix(listener: UnixListener, owner: u32, stopped: watch::Receiver<bool>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, most likely: let some close.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        // Between the bind and the chmod, anyone could have connected: the
        // peer's user decides, as the file's mode does from then on.
        match stream.peer_cred() {
            Ok(cred) if cred.uid() == owner || cred.uid() == 0 => {}
            _ => continue,
        }
        tokio::spawn(conn::run(stream, None, stopped.clone()));
    }
}

async fn accept_tcp(listener: TcpListener, token: Arc<str>, stopped: watch::Receiver<bool>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        if !peer.ip().is_loopback() {
            continue;
        }
        tokio::spawn(conn::run(stream, Some(token.clone()), stopped.clone()));
    }
}
