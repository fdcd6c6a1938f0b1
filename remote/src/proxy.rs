//! Remote refs: a plain `ActorRef<A>` made with [`typact::wire::proxy`],
//! whose mailbox a bridge task on the node's runtime drains into frames.

use std::sync::Arc;

use tokio::sync::mpsc;
use typact::wire::{ProxyInbox, Wire, WireError, proxy};
use typact::{ActorRef, AskError, MailboxKind, StopReason};

use crate::codec::Postcard;
use crate::envelope::BatchWriter;
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
    mut inbox: ProxyInbox<A>,
    mut ends: mpsc::UnboundedReceiver<StopReason>,
    me: mpsc::UnboundedSender<StopReason>,
) {
    let mut batch = BatchWriter::default();
    let reason = loop {
        tokio::select! {
            biased;
            reason = ends.recv() => break reason.unwrap_or(StopReason::Killed),
            entry = inbox.recv() => match entry {
                Some(entry) => forward_queued::<A>(&link, &mut inbox, entry, &mut batch).await,
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

/// The most tells a bridge packs into one frame.
const BATCH: usize = 128;

/// Sends `entry` and the entries queued behind it: consecutive tells go as
/// one batch frame (in order), anything else on its own, in between.
async fn forward_queued<A: Wire>(
    link: &Link,
    inbox: &mut ProxyInbox<A>,
    entry: A::Mailbox,
    batch: &mut BatchWriter,
) {
    let mut next = Some(entry);
    // Bounded, so that the bridge looks at its other events now and then.
    for _ in 0..4 * BATCH {
        let Some(entry) = next.take() else { break };
        match A::encode_entry::<Postcard>(entry) {
            Err(e) => failed(link, &e),
            Ok(encoded) if encoded.reply.is_none() => {
                if batch.len() >= BATCH {
                    flush(link, batch).await;
                }
                if !batch.push(encoded.message.stable, &encoded.bytes) {
                    flush(link, batch).await;
                    send(link, encoded).await;
                }
            }
            Ok(encoded) => {
                flush(link, batch).await;
                send(link, encoded).await;
            }
        }
        next = inbox.try_recv();
    }
    flush(link, batch).await;
    if let Some(entry) = next {
        // The bound was reached: this one goes on its own, in order.
        forward::<A>(link, entry).await;
    }
}

async fn flush(link: &Link, batch: &mut BatchWriter) {
    if !batch.is_empty() {
        link.tell_batch(batch).await;
        batch.clear();
    }
}

fn failed(link: &Link, e: &WireError) {
    // A watch's notice stays in its process; an ask whose message cannot
    // be encoded was failed by `encode_entry`; a tell is lost.
    if !matches!(e, WireError::Local) {
        tracing::warn!(node = %link.inner.name, "typact-remote: cannot send to {}/{}: {e}", link.peer, link.id);
        link.inner.count_dead_letter();
    }
}

async fn send(link: &Link, encoded: typact::wire::Encoded) {
    let stable = encoded.message.stable;
    match encoded.reply {
        None => link.tell(stable, &encoded.bytes).await,
        // The reply completes the asker's ask where it arrives (zenoh's
        // receiving thread), with no task in between.
        Some(reply) => {
            link.ask_then(
                stable,
                &encoded.bytes,
                Box::new(move |answer| reply(answer.map_err(ask_error))),
            )
            .await;
        }
    }
}

pub(crate) async fn forward<A: Wire>(link: &Link, entry: A::Mailbox) {
    match A::encode_entry::<Postcard>(entry) {
        Ok(encoded) => send(link, encoded).await,
        Err(e) => failed(link, &e),
    }
}
