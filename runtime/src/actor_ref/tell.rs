//! [`Tell`]: the future of [`ActorRef::tell`](super::ActorRef::tell).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::future::BoxFuture;

use crate::actor::Actor;
use crate::error::TellError;
use crate::mailbox::{ActorTx, TrySend};

/// A tell made by [`ActorRef::tell`](super::ActorRef::tell): the message is already in the
/// mailbox unless the mailbox was full. Await it for the outcome; while the
/// mailbox is full, awaiting it waits for a place.
///
/// Dropped before the message found a place, it counts the message as a
/// dead letter of the actor and logs it, so that no tell vanishes without
/// a trace.
#[must_use = "the message is already in the mailbox if there was room; await the tell to wait for room in a full mailbox (a tell dropped while the mailbox is full is a dead letter) and to learn whether the actor had stopped"]
pub struct Tell<'a, A: Actor, M> {
    /// `None` once sent (the common case: nothing to build, poll or drop
    /// but a null pointer); otherwise the rest of the tell: a wait for a
    /// place in a full mailbox, or a refusal by a stopped actor.
    rest: Option<BoxFuture<'a, Result<(), Refusal<'a, A>>>>,
    done: bool,
    /// The message of a refused entry: `Handler::__message`, kept as a
    /// function so that awaiting needs no `Handler` bound (an unhandled
    /// message is then reported once, at `tell`).
    message: fn(A::Mailbox) -> M,
}

impl<'a, A: Actor, M> Tell<'a, A, M> {
    /// Tries to enqueue `entry` at once.
    #[inline]
    pub(super) fn new(tx: &'a ActorTx<A>, entry: A::Mailbox, message: fn(A::Mailbox) -> M) -> Self {
        let rest = match tx.try_send(entry) {
            Ok(()) => None,
            Err(TrySend::Closed(entry)) => Some(refused(tx, entry)),
            Err(TrySend::Full(entry)) => Some(full(tx, entry)),
        };
        Tell {
            rest,
            done: false,
            message,
        }
    }
}

#[cold]
fn refused<'a, A: Actor>(
    tx: &'a ActorTx<A>,
    entry: A::Mailbox,
) -> BoxFuture<'a, Result<(), Refusal<'a, A>>> {
    Box::pin(std::future::ready(Err((entry, tx.cell()))))
}

/// Waits for a place, then enqueues. Owns the entry meanwhile; dropped
/// unfinished, it counts a dead letter.
#[cold]
fn full<'a, A: Actor>(
    tx: &'a ActorTx<A>,
    entry: A::Mailbox,
) -> BoxFuture<'a, Result<(), Refusal<'a, A>>> {
    let space = tx.space().expect("only a bounded mailbox is ever full");
    let mut waiting = Waiting {
        tx,
        entry: Some(entry),
    };
    Box::pin(async move {
        let found = space.acquire().await.is_ok();
        let entry = waiting.entry.take().expect("taken once");
        let sent = if found {
            tx.push_reserved(entry)
        } else {
            Err(entry)
        };
        sent.map_err(|entry| (entry, tx.cell()))
    })
}

/// A refused entry, and the actor that refused it.
type Refusal<'a, A> = (<A as Actor>::Mailbox, &'a std::sync::Arc<crate::cell::Cell>);

/// The entry of a tell waiting for a place; a dead letter if it never got
/// one.
struct Waiting<'a, A: Actor> {
    tx: &'a ActorTx<A>,
    entry: Option<A::Mailbox>,
}

impl<A: Actor> Drop for Waiting<'_, A> {
    fn drop(&mut self) {
        if self.entry.is_some() {
            self.tx.cell().add_dead_letters(1);
            tracing::debug!(actor = %self.tx.cell(), "a tell waiting for mailbox space was dropped; its message is a dead letter");
        }
    }
}

// Every field is `Unpin` (the waiting state is boxed); so the future is
// `Unpin` whatever `M` is.
impl<A: Actor, M> Unpin for Tell<'_, A, M> {}

impl<A: Actor, M> Future for Tell<'_, A, M> {
    type Output = Result<(), TellError<M>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.done, "`Tell` polled after completion");
        let out = match &mut this.rest {
            None => Ok(()),
            Some(rest) => {
                let out = ready!(rest.as_mut().poll(cx));
                this.rest = None;
                out.map_err(|(entry, cell)| TellError::new(cell, (this.message)(entry)))
            }
        };
        this.done = true;
        Poll::Ready(out)
    }
}

impl<A: Actor, M> fmt::Debug for Tell<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match (&self.rest, self.done) {
            (_, true) => "done",
            (None, false) => "sent",
            (Some(_), false) => "waiting for mailbox space, or refused by a stopped actor",
        };
        f.debug_struct("Tell").field("state", &state).finish()
    }
}
