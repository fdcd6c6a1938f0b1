//! A node's way to one actor on another node, at the level of bytes: what
//! a proxy's bridge sends through.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::NodeInner;
use crate::envelope::{Failure, Frame, Reply};
use crate::error::RemoteError;
use crate::transport::{BoxFuture, TransportError};

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

impl NodeInner {
    /// Sends request `frame` to `peer` and waits for the answer, failing
    /// with `Unreachable` as soon as the peer is seen leaving.
    pub(crate) async fn call(
        self: &Arc<Self>,
        peer: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> Result<Vec<u8>, CallError> {
        let pending = self.send_request(peer, frame, timeout).await?;
        pending.await
    }

    /// Sends request `frame` (in order with this node's other frames to
    /// `peer`) and gives the future of its answer.
    pub(crate) async fn send_request(
        self: &Arc<Self>,
        peer: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> Result<BoxFuture<'static, Result<Vec<u8>, CallError>>, CallError> {
        let alive = self.peer(peer);
        if self.seen_down(peer) {
            return Err(CallError::Unreachable);
        }
        let pending = self
            .transport
            .request(peer, frame, timeout)
            .await
            .map_err(|e| transport_failure(&e, &alive))?;
        let inner = self.clone();
        let mut down = alive.clone();
        Ok(Box::pin(async move {
            tokio::select! {
                reply = pending => match reply {
                    Ok(bytes) => answer(&inner, &bytes),
                    Err(e) => Err(transport_failure(&e, &alive)),
                },
                () = async { let _ = down.wait_for(|seen| *seen == Some(false)).await; } => {
                    Err(CallError::Unreachable)
                }
            }
        }))
    }

    /// Whether `peer` was seen and then seen leaving (as opposed to not yet
    /// seen at all, when a request is still worth a try).
    fn seen_down(&self, peer: &str) -> bool {
        self.lock()
            .peers
            .get(peer)
            .is_some_and(|p| *p.borrow() == Some(false))
    }
}

fn transport_failure(e: &TransportError, alive: &watch::Receiver<Option<bool>>) -> CallError {
    match e {
        TransportError::Unreachable | TransportError::Closed => CallError::Unreachable,
        // Silence from a node that is seen leaving meanwhile is its loss.
        TransportError::Timeout if *alive.borrow() == Some(false) => CallError::Unreachable,
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

    /// Sends an ask, and gives the future of its reply.
    pub(crate) async fn ask(
        &self,
        message: &str,
        payload: &[u8],
    ) -> Result<BoxFuture<'static, Result<Vec<u8>, CallError>>, CallError> {
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
        self.inner.send_request(&self.peer, frame, timeout).await
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
