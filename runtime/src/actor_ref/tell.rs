//! [`Tell`]: the future of [`ActorRef::tell`](super::ActorRef::tell).

use std::fmt;

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
    state: TellState<'a, A, M>,
    /// The message of a refused entry: `Handler::__message`, kept as a
    /// function so that awaiting needs no `Handler` bound (an unhandled
    /// message is then reported once, at `tell`).
    message: fn(A::Mailbox) -> M,
}

enum TellState<'a, A: Actor, M> {
    /// Sent, or refused by a stopped actor; `None` once taken.
    Done(Option<Result<(), TellError<M>>>),
    /// The mailbox was full: the entry waits for a place.
    Full {
        tx: &'a ActorTx<A>,
        entry: Option<A::Mailbox>,
        place: futures_util::future::BoxFuture<'a, bool>,
    },
}

impl<'a, A: Actor, M> Tell<'a, A, M> {
    #[inline]
    pub(super) fn new(tx: &'a ActorTx<A>, entry: A::Mailbox, message: fn(A::Mailbox) -> M) -> Self {
        let state = match tx.try_send(entry) {
            Ok(()) => TellState::Done(Some(Ok(()))),
            Err(TrySend::Closed(entry)) => {
                TellState::Done(Some(Err(TellError::new(tx.cell(), message(entry)))))
            }
            Err(TrySend::Full(entry)) => {
                let space = tx.space().expect("only a bounded mailbox is ever full");
                TellState::Full {
                    tx,
                    entry: Some(entry),
                    place: Box::pin(async move {
                        match space.acquire().await {
                            Ok(place) => {
                                place.forget();
                                true
                            }
                            Err(_closed) => false,
                        }
                    }),
                }
            }
        };
        Tell { state, message }
    }
}

// The message is moved, never pinned in place, and every other field is
// `Unpin`; so the future is `Unpin` whatever `M` is.
impl<A: Actor, M> Unpin for Tell<'_, A, M> {}

impl<A: Actor, M> std::future::Future for Tell<'_, A, M> {
    type Output = Result<(), TellError<M>>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        let out = match &mut this.state {
            TellState::Done(out) => out.take().expect("`Tell` polled after completion"),
            TellState::Full { tx, entry, place } => {
                let found = std::task::ready!(place.as_mut().poll(cx));
                let entry = entry.take().expect("`Tell` polled after completion");
                let sent = if found {
                    tx.push_reserved(entry)
                } else {
                    Err(entry)
                };
                let out = sent.map_err(|entry| TellError::new(tx.cell(), (this.message)(entry)));
                this.state = TellState::Done(None);
                out
            }
        };
        std::task::Poll::Ready(out)
    }
}

impl<A: Actor, M> Drop for Tell<'_, A, M> {
    fn drop(&mut self) {
        if let TellState::Full {
            tx, entry: Some(_), ..
        } = &self.state
        {
            tx.cell().add_dead_letters(1);
            tracing::debug!(actor = %tx.cell(), "a tell waiting for mailbox space was dropped; its message is a dead letter");
        }
    }
}

impl<A: Actor, M> fmt::Debug for Tell<'_, A, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            TellState::Done(Some(Ok(()))) => "sent",
            TellState::Done(Some(Err(_))) => "refused: the actor has stopped",
            TellState::Done(None) => "done",
            TellState::Full { .. } => "waiting for mailbox space",
        };
        f.debug_struct("Tell").field("state", &state).finish()
    }
}
