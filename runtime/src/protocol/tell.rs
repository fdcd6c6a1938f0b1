//! [`RefTell`]: the future of a tell through a [`Ref<P>`](crate::Ref).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_util::future::BoxFuture;

use crate::actor::Message;
use crate::ask::Sink;
use crate::error::TellError;
use crate::mailbox::TrySend;
use crate::reply::ReplyTo;

/// A tell through a [`Ref<P>`](crate::Ref): the message went into the
/// mailbox when the tell was made, unless the mailbox was full; awaiting
/// this reports the outcome, or waits for a place first.
///
/// Only a tell that finds the mailbox full allocates, for its wait.
#[must_use = "a tell to a full mailbox is sent only when awaited"]
pub struct RefTell<'a, M: Message> {
    state: State<'a, M>,
}

enum State<'a, M: Message> {
    Done(Option<Result<(), TellError<M>>>),
    Waiting(BoxFuture<'a, Result<(), TellError<M>>>),
}

impl<'a, M: Message> RefTell<'a, M> {
    /// Pushes `msg` into `sink` now if there is room.
    pub(crate) fn new(sink: &'a dyn Sink<M, Reply = M::Reply>, msg: M) -> Self {
        let state = match sink.try_push(msg, ReplyTo::none()) {
            Ok(()) => State::Done(Some(Ok(()))),
            Err(TrySend::Closed((msg, _))) => {
                State::Done(Some(Err(TellError::new(sink.cell(), msg))))
            }
            Err(TrySend::Full((msg, _))) => State::Waiting(Box::pin(async move {
                if let Some(space) = sink.space()
                    && crate::mailbox::wait_for_place(space, sink.cell())
                        .await
                        .is_err()
                {
                    return Err(TellError::new(sink.cell(), msg));
                }
                sink.push_reserved(msg, ReplyTo::none())
                    .map_err(|msg| TellError::new(sink.cell(), msg))
            })),
        };
        RefTell { state }
    }
}

impl<M: Message> Future for RefTell<'_, M> {
    type Output = Result<(), TellError<M>>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Done(outcome) => Poll::Ready(
                outcome
                    .take()
                    .expect("a `RefTell` is not polled after it finished"),
            ),
            State::Waiting(wait) => wait.as_mut().poll(cx),
        }
    }
}

impl<M: Message> Unpin for RefTell<'_, M> {}

impl<M: Message> fmt::Debug for RefTell<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Done(_) => "sent or refused",
            State::Waiting(_) => "waiting for room",
        };
        f.debug_struct("RefTell")
            .field("message", &std::any::type_name::<M>())
            .field("state", &state)
            .finish()
    }
}
