//! Remote refs: a plain `ActorRef<A>` made with [`typact::wire::proxy`],
//! whose mailbox a bridge task on the node's runtime drains into frames.

use std::sync::Arc;

use tokio::sync::mpsc;
use typact::wire::{Wire, WireError, proxy};
use typact::{ActorRef, AskError, MailboxKind, StopReason};

use crate::codec::Postcard;
use crate::node::link::{CallError, Link};

/// The capacity of a remote ref's own mailbox: entries wait there while
/// the bridge sends the ones before them.
pub const PROXY_CAPACITY: usize = typact::DEFAULT_MAILBOX_CAPACITY;

pub(crate) fn ask_error(e: CallError) -> AskError {
    match e {
        CallError::Stopped => AskError::Stopped,
        CallError::Panicked => AskError::Panicked,
        CallError::NoReply => AskError::NoReply,
        CallError::Timeout => AskError::Timeout,
        CallError::Unreachable => AskError::Unreachable,
        CallError::Remote(text) => AskError::Remote(Arc::from(text)),
    }
}

/// A typed ref to the actor behind `link`, bridged by a task on the node's
/// runtime.
pub(crate) fn remote_ref<A: Wire>(link: Link, name: Option<Arc<str>>) -> ActorRef<A> {
    let (actor, inbox) = proxy::<A>(name, MailboxKind::Bounded(PROXY_CAPACITY));
    let (tx, rx) = mpsc::unbounded_channel();
    link.inner.add_proxy(&link.peer, link.id, tx.clone());
    let handle = link.inner.handle.clone();
    handle.spawn(bridge(link, inbox, rx, tx));
    actor
}

async fn bridge<A: Wire>(
    link: Link,
    mut inbox: typact::wire::ProxyInbox<A>,
    mut ends: mpsc::UnboundedReceiver<StopReason>,
    me: mpsc::UnboundedSender<StopReason>,
) {
    let reason = loop {
        tokio::select! {
            biased;
            reason = ends.recv() => break reason.unwrap_or(StopReason::Killed),
            entry = inbox.recv() => match entry {
                Some(entry) => forward::<A>(&link, entry).await,
                None => match inbox.stop_requested() {
                    // `stop()`/`kill()` on the ref stop the remote actor;
                    // the proxy ends with the reason it reports.
                    Some(kill) => {
                        link.stop(kill).await;
                        break ends.recv().await.unwrap_or(StopReason::Killed);
                    }
                    // Every ref was dropped: let go of the remote actor.
                    None => {
                        link.detach().await;
                        break StopReason::Normal;
                    }
                },
            },
        }
    };
    link.inner.remove_proxy(&link.peer, link.id, &me);
    inbox.finish(reason);
}

pub(crate) async fn forward<A: Wire>(link: &Link, entry: A::Mailbox) {
    let encoded = match A::encode_entry::<Postcard>(entry) {
        Ok(encoded) => encoded,
        // A watch's notice stays in its process.
        Err(WireError::Local) => return,
        // The entry's ask was failed by `encode_entry`; a tell is lost.
        Err(e) => {
            tracing::warn!(node = %link.inner.name, "typact-remote: cannot send to {}/{}: {e}", link.peer, link.id);
            link.inner.count_dead_letter();
            return;
        }
    };
    let stable = encoded.message.stable;
    match encoded.reply {
        None => link.tell(stable, &encoded.bytes).await,
        Some(reply) => match link.ask(stable, &encoded.bytes).await {
            Err(e) => reply(Err(ask_error(e))),
            Ok(pending) => {
                tokio::spawn(async move { reply(pending.await.map_err(ask_error)) });
            }
        },
    }
}
