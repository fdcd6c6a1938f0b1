//! [`Ask`]: the future of a typed request.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use tokio::time::Sleep;

use crate::cell::Cell;
use crate::error::AskError;
use crate::mailbox::TrySend;
use crate::reply::{ReplyResult, ReplyTo};

thread_local! {
    /// The actor whose handler (or hook) this thread is polling right now.
    /// Set around each poll by the actor loop, so that an ask an actor makes
    /// to itself is caught; a plain thread-local costs less per message than
    /// a task-local scope around the whole loop.
    static CURRENT: std::cell::Cell<Option<crate::cell::ActorId>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` (one poll of an actor's handler or hook) as actor `id`.
#[inline]
pub(crate) fn polling_as<R>(id: crate::cell::ActorId, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.replace(Some(id));
    let out = f();
    CURRENT.set(previous);
    out
}

/// Something that accepts `M` into a mailbox: an actor's raw reference, seen
/// without its actor type. Object safe, so [`Recipient`](crate::Recipient) and
/// [`Ask`] can hold it as `dyn`.
/// A message a mailbox did not take, with its reply handle.
pub(crate) type Refused<M, R> = TrySend<(M, ReplyTo<R>)>;

pub(crate) trait Sink<M>: Send + Sync {
    type Reply;

    fn cell(&self) -> &Cell;

    /// Enqueues without waiting; allocation-free in steady state. A refused
    /// message comes back with its reply handle, for a retry that waits.
    fn try_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), Refused<M, Self::Reply>>;

    /// Enqueues, waiting for mailbox space. Boxed, so only the slow path
    /// (a full mailbox) allocates.
    fn push<'a>(&'a self, msg: M, reply: ReplyTo<Self::Reply>) -> BoxFuture<'a, Result<(), M>>
    where
        M: 'a;

    /// The mailbox's bound: one permit per free place; `None` if unbounded.
    fn space(&self) -> Option<&tokio::sync::Semaphore>;

    /// Whether the mailbox refuses new entries.
    fn is_closed(&self) -> bool;

    /// Enqueues into a place already taken from [`space`](Self::space).
    fn push_reserved(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M>;

    /// Enqueues, blocking the thread while the mailbox is full.
    fn blocking_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M>;
}

/// Whether the current task is the loop of the actor behind `cell`.
fn is_self_ask(cell: &Cell) -> bool {
    CURRENT
        .try_with(|current| current.get() == Some(cell.id))
        .unwrap_or(false)
}

/// A request on its way to an actor: await it for the typed reply.
///
/// Returned by [`ActorRef::ask`](crate::ActorRef::ask),
/// [`Recipient::ask`](crate::Recipient::ask) and the client methods `#[actor]`
/// generates. Nothing is sent until it is awaited. Sending allocates the reply
/// slot and nothing else, unless the mailbox is full.
///
/// # Errors
///
/// Awaiting it yields an [`AskError`] when no reply can come; see its
/// variants.
///
/// # Cancel safety
///
/// Not cancel safe: dropped while it waits for room in a full mailbox, the
/// request is dropped unsent; dropped later, the request is still handled
/// and its reply discarded.
///
/// # Examples
///
/// ```
/// # use typact::prelude::*;
/// # use std::time::Duration;
/// # #[derive(Default)] struct Clock;
/// # #[actor] impl Clock { #[handler] fn now(&self) -> u64 { 42 } }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// let clock = Clock.spawn();
/// let t: u64 = clock.ask(Now).timeout(Duration::from_secs(1)).await?;
/// assert_eq!(t, 42);
/// # Ok(()) }
/// ```
#[must_use = "an ask does nothing until it is awaited"]
pub struct Ask<'a, M, R> {
    target: &'a dyn Sink<M, Reply = R>,
    msg: M,
    timeout: Option<Duration>,
}

impl<'a, M, R> Ask<'a, M, R> {
    #[inline]
    pub(crate) fn new(target: &'a dyn Sink<M, Reply = R>, msg: M) -> Self {
        Ask {
            target,
            msg,
            timeout: None,
        }
    }

    /// Fails the ask with [`AskError::Timeout`] if no reply arrives within
    /// `timeout`, counted from the first poll (which sends the request and
    /// includes waiting for mailbox space).
    ///
    /// The request may still be handled after the timeout; its reply is then
    /// discarded.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl<M, R> fmt::Debug for Ask<'_, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ask")
            .field("message", &std::any::type_name::<M>())
            .field("actor", &format_args!("{}", self.target.cell()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl<'a, M: 'a, R: 'a> IntoFuture for Ask<'a, M, R> {
    type Output = Result<R, AskError>;
    type IntoFuture = AskFuture<'a, M, R>;

    fn into_future(self) -> Self::IntoFuture {
        AskFuture {
            target: self.target,
            state: State::Unsent(self.msg),
            timeout: self.timeout,
            sleep: None,
        }
    }
}

enum State<'a, M, R> {
    Unsent(M),
    Sending(
        BoxFuture<'a, Result<(), M>>,
        oneshot::Receiver<ReplyResult<R>>,
    ),
    Waiting(oneshot::Receiver<ReplyResult<R>>),
    Done,
}

/// The future an [`Ask`] turns into when awaited.
#[must_use = "futures do nothing unless polled"]
pub struct AskFuture<'a, M, R> {
    target: &'a dyn Sink<M, Reply = R>,
    state: State<'a, M, R>,
    timeout: Option<Duration>,
    sleep: Option<Pin<Box<Sleep>>>,
}

// The message is moved, never pinned in place, and every other field is
// `Unpin`; so the future is `Unpin` whatever `M` is.
impl<M, R> Unpin for AskFuture<'_, M, R> {}

impl<M, R> fmt::Debug for AskFuture<'_, M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Unsent(_) => "unsent",
            State::Sending(..) => "waiting for mailbox space",
            State::Waiting(_) => "waiting for the reply",
            State::Done => "done",
        };
        f.debug_struct("AskFuture")
            .field("actor", &format_args!("{}", self.target.cell()))
            .field("state", &state)
            .finish()
    }
}

impl<'a, M: 'a, R: 'a> AskFuture<'a, M, R> {
    fn poll_reply(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<R, AskError>> {
        loop {
            match &mut self.state {
                State::Unsent(_) => {
                    let State::Unsent(msg) = std::mem::replace(&mut self.state, State::Done) else {
                        unreachable!("matched Unsent above")
                    };
                    let cell = self.target.cell();
                    if is_self_ask(cell) {
                        tracing::error!(actor = %cell, "an actor asked itself; use `tell` or call the method directly");
                        return Poll::Ready(Err(AskError::SelfAsk));
                    }
                    let (reply, rx) = ReplyTo::channel();
                    self.state = match self.target.try_push(msg, reply) {
                        Ok(()) => State::Waiting(rx),
                        Err(TrySend::Closed(_)) => return Poll::Ready(Err(AskError::Stopped)),
                        // The same reply handle waits for space with it.
                        Err(TrySend::Full((msg, reply))) => {
                            State::Sending(self.target.push(msg, reply), rx)
                        }
                    };
                }
                State::Sending(push, _) => {
                    let sent = ready!(push.as_mut().poll(cx));
                    let State::Sending(_, rx) = std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched Sending above")
                    };
                    match sent {
                        Ok(()) => self.state = State::Waiting(rx),
                        Err(_) => return Poll::Ready(Err(AskError::Stopped)),
                    }
                }
                State::Waiting(rx) => {
                    let result = ready!(Pin::new(rx).poll(cx));
                    self.state = State::Done;
                    return Poll::Ready(match result {
                        Ok(reply) => reply,
                        // The runtime fails every handle it drops with the reason;
                        // a handle dropped by user code means no reply.
                        Err(_) => Err(AskError::NoReply),
                    });
                }
                State::Done => panic!("`AskFuture` polled after completion"),
            }
        }
    }
}

impl<'a, M: 'a, R: 'a> Future for AskFuture<'a, M, R> {
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(timeout) = this.timeout.take() {
            this.sleep = Some(Box::pin(tokio::time::sleep(timeout)));
        }
        if let Poll::Ready(out) = this.poll_reply(cx) {
            this.sleep = None;
            return Poll::Ready(out);
        }
        if let Some(sleep) = &mut this.sleep {
            if sleep.as_mut().poll(cx).is_ready() {
                this.sleep = None;
                this.state = State::Done;
                return Poll::Ready(Err(AskError::Timeout));
            }
        }
        Poll::Pending
    }
}

/// Asks from outside async code, blocking the thread.
pub(crate) fn blocking_ask<M, R>(target: &dyn Sink<M, Reply = R>, msg: M) -> Result<R, AskError> {
    let (reply, rx) = ReplyTo::channel();
    if target.blocking_push(msg, reply).is_err() {
        return Err(AskError::Stopped);
    }
    match rx.blocking_recv() {
        Ok(reply) => reply,
        Err(_) => Err(AskError::NoReply),
    }
}
