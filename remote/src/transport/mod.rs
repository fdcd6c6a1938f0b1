//! The seam between a [`Node`](crate::Node) and the network.
//!
//! A node needs five things from a network, and [`Transport`] is exactly
//! those: a directed, ordered, at-most-once send of a frame to a node; a
//! request to a node whose reply comes back or times out; liveliness tokens
//! (declared by one node, seen by all while the node is reachable, gone
//! when it is dropped or the node is lost); a query of the tokens alive now;
//! and a subscription to tokens coming and going.
//!
//! Two implementations sit behind it: [`ZenohTransport`](crate::ZenohTransport),
//! the real one, and [`MemoryTransport`](crate::MemoryTransport), a
//! deterministic in-memory network with injected drops, delays and
//! partitions for tests under tokio's paused clock. The same node code runs
//! on both, and the crate's tests run the same cases on both.
//!
//! Keys are relative (`node/n1`, `reg/counter/n1/42`); a transport puts its
//! cluster's prefix in front (`typact/<cluster>/`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

pub(crate) mod memory;
pub(crate) mod zenoh;

/// A boxed, sendable future, as the [`Transport`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a transport hands the frames it receives. Called in the order the
/// frames arrived, from the transport's own threads (which are not the
/// node's runtime): it must not block.
pub trait Inbound: Send + Sync + 'static {
    /// A frame arrived; `reply` is `Some` for a request.
    fn frame(&self, frame: Vec<u8>, reply: Option<Responder>);
}

/// Sends the reply to one request, from whichever thread has it (the
/// served actor's, typically): it must not need a runtime. Dropping it
/// unanswered lets the request time out on the asker's side.
pub struct Responder(Box<dyn FnOnce(Vec<u8>) + Send>);

impl Responder {
    /// A responder that calls `f` with the reply's bytes.
    pub fn new(f: impl FnOnce(Vec<u8>) + Send + 'static) -> Self {
        Responder(Box::new(f))
    }

    /// Sends the reply.
    pub fn send(self, frame: Vec<u8>) {
        (self.0)(frame)
    }
}

impl fmt::Debug for Responder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Responder")
    }
}

/// A token coming or going, as a subscription reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenEvent {
    /// A token with this key is alive (declared, or reachable again).
    Join(String),
    /// The token with this key is gone (undeclared, or its node was lost).
    Leave(String),
}

/// A declared liveliness token or a subscription; dropping it undeclares it.
pub type Guard = Box<dyn std::any::Any + Send + Sync>;

/// The reply to a request, once it was sent.
pub type PendingReply = BoxFuture<'static, Result<Vec<u8>, TransportError>>;

/// Where the answer to a request goes ([`Transport::request_then`]): called
/// once, with the reply or the error that ended the request, from whatever
/// thread the transport delivers on.
pub type ReplyFn = Box<dyn FnOnce(Result<Vec<u8>, TransportError>) + Send>;

/// Why a transport operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportError {
    /// No node of that name answers: no route to it.
    Unreachable,
    /// The request was sent but no reply came within the timeout.
    Timeout,
    /// The transport was closed.
    Closed,
    /// Anything else the network reported, as text.
    Other(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Unreachable => f.write_str("no route to the node"),
            TransportError::Timeout => f.write_str("no reply within the timeout"),
            TransportError::Closed => f.write_str("the transport is closed"),
            TransportError::Other(e) => write!(f, "transport error: {e}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// A network a [`Node`](crate::Node) runs on. See the [module docs](self).
///
/// Every method is called from tasks on the node's runtime.
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// This node's name, unique in the cluster.
    fn node(&self) -> &str;

    /// Starts handing received frames to `inbound`. Called once, before
    /// anything else is sent.
    fn start(&self, inbound: Arc<dyn Inbound>) -> BoxFuture<'_, Result<(), TransportError>>;

    /// Sends `frame` to node `to`: at most once, and in order with every
    /// other `send` and `request` from this node to `to`. Resolves when the
    /// frame is handed to the network, not when it arrives.
    fn send(&self, to: &str, frame: Vec<u8>) -> BoxFuture<'_, Result<(), TransportError>>;

    /// Sends a request to node `to` (ordered as `send`); resolves once it is
    /// sent, to the future of its reply, which fails with
    /// [`TransportError::Timeout`] after `timeout` and with
    /// [`TransportError::Unreachable`] when no node of that name answers.
    fn request(
        &self,
        to: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<PendingReply, TransportError>>;

    /// As [`request`](Self::request), with the answer handed to `then`
    /// instead of a future: `then` is called exactly once, with the reply,
    /// or with the error that ended the request (before or after it was
    /// sent). Resolves once the request is sent (or has failed).
    ///
    /// The default awaits [`request`](Self::request)'s future in a task of
    /// its own; a transport whose network calls back on delivery (zenoh)
    /// hands the reply over where it arrives, saving that task and its
    /// wake-up.
    fn request_then(
        &self,
        to: &str,
        frame: Vec<u8>,
        timeout: Duration,
        then: ReplyFn,
    ) -> BoxFuture<'_, ()> {
        let sent = self.request(to, frame, timeout);
        Box::pin(async move {
            match sent.await {
                Ok(pending) => {
                    tokio::spawn(async move { then(pending.await) });
                }
                Err(e) => then(Err(e)),
            }
        })
    }

    /// Declares a liveliness token on `key`, alive until the guard is dropped.
    fn declare_token(&self, key: &str) -> BoxFuture<'_, Result<Guard, TransportError>>;

    /// The keys of the tokens alive now under `prefix` (`reg/counter/`),
    /// this node's own included.
    fn tokens(&self, prefix: &str) -> BoxFuture<'_, Result<Vec<String>, TransportError>>;

    /// Reports tokens under `prefix` joining and leaving to `events`, first a
    /// `Join` for each token alive now, until the guard is dropped.
    fn watch_tokens(
        &self,
        prefix: &str,
        events: mpsc::UnboundedSender<TokenEvent>,
    ) -> BoxFuture<'_, Result<Guard, TransportError>>;

    /// Leaves the network: this node's tokens vanish for the others.
    fn close(&self) -> BoxFuture<'_, ()>;
}

/// Checks that `name` can be one chunk of a key: non-empty, at most
/// [`MAX_NAME`](crate::envelope::MAX_NAME) bytes, none of `/ * $ ? #` and
/// no whitespace.
pub(crate) fn valid_chunk(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= crate::envelope::MAX_NAME
        && !name
            .chars()
            .any(|c| matches!(c, '/' | '*' | '$' | '?' | '#') || c.is_whitespace())
}
