//! A node's way to one actor on another node, at the level of bytes: what
//! a proxy's bridge sends through.

use std::sync::Arc;
use std::time::Duration;

use std::sync::{Mutex, PoisonError};

use super::NodeInner;
use crate::envelope::{Failure, Frame, Reply};
use crate::error::RemoteError;
#[cfg(test)]
use crate::transport::BoxFuture;
use crate::transport::{ReplyFn, TransportError};

/// Why a call through a [`Link`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CallError {
    Stopped,
    Panicked,
    NoReply,
    Timeout,
    Unreachable,
    Remote(String),
}

impl CallError {
    fn from_failure(failure: &Failure<'_>) -> Self {
        match failure {
            Failure::NoSuchActor | Failure::Stopped => CallError::Stopped,
            Failure::Panicked => CallError::Panicked,
            Failure::NoReply => CallError::NoReply,
            Failure::Timeout => CallError::Timeout,
            Failure::Other(text) => CallError::Remote((*text).to_owned()),
        }
    }
}

/// The answer to a request, decoded: the reply's payload or the failure.
fn answer(inner: &NodeInner, bytes: &[u8]) -> Result<Vec<u8>, CallError> {
    match Frame::decode(bytes, inner.max_frame) {
        Ok(Frame::Reply(Reply::Ok(payload))) => Ok(payload.to_vec()),
        Ok(Frame::Reply(Reply::Err(failure))) => Err(CallError::from_failure(&failure)),
        Ok(_) => Err(CallError::Remote("a reply of the wrong kind".to_owned())),
        Err(e) => Err(CallError::Remote(e.to_string())),
    }
}

/// Where the answer to a call goes: called once, from any thread.
pub(crate) type CallFn = Box<dyn FnOnce(Result<Vec<u8>, CallError>) + Send>;

/// A call in flight: answered by the transport, or failed with
/// `Unreachable` when its peer is seen leaving, whichever comes first.
pub(crate) struct Pending(Mutex<Option<CallFn>>);

impl Pending {
    pub(crate) fn give(&self, answer: Result<Vec<u8>, CallError>) {
        let then = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(then) = then {
            then(answer);
        }
    }
}

impl NodeInner {
    /// Sends request `frame` to `peer` and waits for the answer, failing
    /// with `Unreachable` as soon as the peer is seen leaving.
    pub(crate) async fn call(
        self: &Arc<Self>,
        peer: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> Result<Vec<u8>, CallError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.call_then(
            peer,
            frame,
            timeout,
            Box::new(move |answer| {
                let _ = tx.send(answer);
            }),
        )
        .await;
        rx.await.unwrap_or(Err(CallError::NoReply))
    }

    /// Sends request `frame` (in order with this node's other frames to
    /// `peer`) and hands its answer to `then`, from the thread where it
    /// arrives; `then` gets `Unreachable` as soon as the peer is seen
    /// leaving. Resolves once the request is sent.
    pub(crate) async fn call_then(
        self: &Arc<Self>,
        peer: &str,
        frame: Vec<u8>,
        timeout: Duration,
        then: CallFn,
    ) {
        if self.seen_down(peer) {
            return then(Err(CallError::Unreachable));
        }
        let pending = Arc::new(Pending(Mutex::new(Some(then))));
        let id = self.add_call(peer, pending.clone());
        let inner = self.clone();
        let to = peer.to_owned();
        let answer: ReplyFn = Box::new(move |reply| {
            inner.remove_call(&to, id);
            pending.give(match reply {
                Ok(bytes) => answer(&inner, &bytes),
                Err(e) => Err(transport_failure(&e, inner.seen_down(&to))),
            });
        });
        self.transport
            .request_then(peer, frame, timeout, answer)
            .await;
    }

    /// Whether `peer` was seen and then seen leaving (as opposed to not yet
    /// seen at all, when a request is still worth a try).
    pub(crate) fn seen_down(&self, peer: &str) -> bool {
        self.lock()
            .peers
            .get(peer)
            .is_some_and(|p| *p.borrow() == Some(false))
    }
}

fn transport_failure(e: &TransportError, seen_down: bool) -> CallError {
    match e {
        TransportError::Unreachable | TransportError::Closed => CallError::Unreachable,
        // Silence from a node that is seen leaving meanwhile is its loss.
        TransportError::Timeout if seen_down => CallError::Unreachable,
        TransportError::Timeout => CallError::Timeout,
        TransportError::Other(text) => CallError::Remote(text.clone()),
    }
}

/// One actor on another node, as this node reaches it.
#[derive(Clone)]
pub(crate) struct Link {
    pub(crate) inner: Arc<NodeInner>,
    pub(crate) peer: String,
    pub(crate) id: u64,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Link({}/{})", self.peer, self.id)
    }
}

impl Link {
    /// Attaches to actor `id` of `peer`, checking that it is an `actor`.
    pub(crate) async fn attach(
        inner: &Arc<NodeInner>,
        peer: &str,
        id: u64,
        actor: &str,
    ) -> Result<Link, RemoteError> {
        let frame = Frame::Attach {
            from: &inner.name,
            to: id,
            actor,
        }
        .encode();
        match inner.call(peer, frame, inner.ask_timeout).await {
            Ok(_) => {
                inner.set_peer_seen(peer);
                Ok(Link {
                    inner: inner.clone(),
                    peer: peer.to_owned(),
                    id,
                })
            }
            Err(e) => Err(call_to_remote(e, peer, actor)),
        }
    }

    /// Sends a tell; a tell to a node seen as down is a dead letter.
    pub(crate) async fn tell(&self, message: &str, payload: &[u8]) {
        if self.inner.seen_down(&self.peer) {
            self.inner.count_dead_letter();
            return;
        }
        let frame = Frame::Tell {
            from: &self.inner.name,
            to: self.id,
            message,
            payload,
        }
        .encode();
        if self.inner.transport.send(&self.peer, frame).await.is_err() {
            self.inner.count_dead_letter();
        }
    }

    /// Sends the tells packed in `batch` as one frame.
    pub(crate) async fn tell_batch(&self, batch: &crate::envelope::BatchWriter) {
        if self.inner.seen_down(&self.peer) {
            for _ in 0..batch.len() {
                self.inner.count_dead_letter();
            }
            return;
        }
        let frame = Frame::Batch {
            from: &self.inner.name,
            to: self.id,
            tells: batch.bytes(),
        }
        .encode();
        if self.inner.transport.send(&self.peer, frame).await.is_err() {
            for _ in 0..batch.len() {
                self.inner.count_dead_letter();
            }
        }
    }

    /// Sends an ask; its answer goes to `then` (see
    /// [`NodeInner::call_then`]).
    pub(crate) async fn ask_then(&self, message: &str, payload: &[u8], then: CallFn) {
        let timeout = self.inner.ask_timeout;
        // The serving node gives up a little earlier than the query, so that
        // a slow handler reads as a timeout and not as a lost node.
        let serve = timeout.mul_f64(0.9);
        let frame = Frame::Ask {
            from: &self.inner.name,
            to: self.id,
            message,
            timeout_ms: u64::try_from(serve.as_millis()).unwrap_or(u64::MAX),
            payload,
        }
        .encode();
        self.inner.call_then(&self.peer, frame, timeout, then).await;
    }

    /// Sends an ask, and gives the future of its reply.
    #[cfg(test)]
    pub(crate) async fn ask(
        &self,
        message: &str,
        payload: &[u8],
    ) -> Result<BoxFuture<'static, Result<Vec<u8>, CallError>>, CallError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.ask_then(
            message,
            payload,
            Box::new(move |answer| {
                let _ = tx.send(answer);
            }),
        )
        .await;
        // Failed before it was sent: the error now, as before the reply.
        let mut rx = rx;
        match rx.try_recv() {
            Ok(Err(e)) if e == CallError::Unreachable => Err(e),
            Ok(answer) => Ok(Box::pin(async move { answer })),
            Err(_) => Ok(Box::pin(async move {
                rx.await.unwrap_or(Err(CallError::NoReply))
            })),
        }
    }

    /// Stops or kills the remote actor.
    pub(crate) async fn stop(&self, kill: bool) {
        let frame = Frame::Stop {
            from: &self.inner.name,
            to: self.id,
            kill,
        }
        .encode();
        let _ = self.inner.transport.send(&self.peer, frame).await;
    }

    /// Tells the remote node this proxy is gone.
    pub(crate) async fn detach(&self) {
        let frame = Frame::Detach {
            from: &self.inner.name,
            to: self.id,
        }
        .encode();
        let _ = self.inner.transport.send(&self.peer, frame).await;
    }
}

pub(crate) fn call_to_remote(e: CallError, peer: &str, actor: &str) -> RemoteError {
    match e {
        CallError::Stopped => RemoteError::NoSuchActor(peer.to_owned()),
        CallError::Unreachable | CallError::Timeout => RemoteError::Unreachable(peer.to_owned()),
        CallError::Remote(text) => {
            if let Some(found) = text.strip_prefix("wrong type:") {
                RemoteError::WrongType {
                    expected: actor.to_owned(),
                    found: found.to_owned(),
                }
            } else if let Some(factory) = text.strip_prefix("no factory:") {
                RemoteError::NoFactory {
                    node: peer.to_owned(),
                    factory: factory.to_owned(),
                }
            } else {
                RemoteError::Refused {
                    node: peer.to_owned(),
                    reason: text,
                }
            }
        }
        other => RemoteError::Refused {
            node: peer.to_owned(),
            reason: format!("{other:?}"),
        },
    }
}
