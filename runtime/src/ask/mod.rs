//! [`Ask`]: the future of a typed request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use tokio::time::Sleep;

use crate::actor::{Handler, Message};
use crate::cell::{ActorId, Cell};
use crate::error::AskError;
use crate::mailbox::{Shared, TrySend};
use crate::reply::{ReplyResult, ReplyTo};

mod waits;

use waits::Wait;
pub(crate) use waits::{Current, current, polling_as};

/// The timeout of an ask made from inside a handler or hook, unless the ask
/// sets its own with [`Ask::timeout`] or the actor another with
/// [`ActorBuilder::ask_timeout`](crate::ActorBuilder::ask_timeout) or
/// [`Context::set_ask_timeout`](crate::Context::set_ask_timeout): 30
/// seconds, as Orleans' default response timeout.
///
/// An actor waiting in a handler handles nothing else, so an ask that is
/// never answered (a lost reply, or a cycle of waits that passes through a
/// `tell` and so cannot be detected) would stop it for good; the timeout
/// turns that into an [`AskError::Timeout`] it can handle. Asks made outside
/// any actor have no timeout unless they set one.
pub const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_secs(30);

/// A message a mailbox did not take, with its reply handle.
pub(crate) type Refused<M, R> = TrySend<(M, ReplyTo<R>)>;

/// Something that accepts `M` into a mailbox: an actor's mailbox, seen
/// without its actor type. Object safe, so that [`Recipient`](crate::Recipient)
/// and [`Ask`] can hold it as an `Arc<dyn Sink<M>>`: the mailbox's own
/// `Arc`, coerced, so that holding one costs no allocation.
pub(crate) trait Sink<M>: Send + Sync {
    type Reply;

    fn cell(&self) -> &Arc<Cell>;

    /// Enqueues without waiting; allocation-free in steady state. A refused
    /// message comes back with its reply handle, for a retry that waits.
    fn try_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), Refused<M, Self::Reply>>;

    /// Enqueues, waiting for mailbox space. Boxed, so only the slow path
    /// (a full mailbox) allocates; owns its handle on the mailbox.
    fn push(
        self: Arc<Self>,
        msg: M,
        reply: ReplyTo<Self::Reply>,
    ) -> BoxFuture<'static, Result<(), M>>;

    /// The mailbox's bound: one permit per free place; `None` if unbounded.
    fn space(&self) -> Option<&crate::mailbox::Space>;

    /// Whether the mailbox refuses new entries.
    fn is_closed(&self) -> bool;

    /// Enqueues into a place already taken from [`space`](Self::space).
    fn push_reserved(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M>;

    /// Enqueues, blocking the thread while the mailbox is full.
    fn blocking_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M>;
}

/// The message of an entry that was not accepted; its reply handle, for a
/// tell an empty one, is dropped.
fn message<A: Handler<M>, M>(entry: A::Mailbox) -> M {
    A::__message(entry)
}

impl<A, M> Sink<M> for Shared<A::Mailbox, A>
where
    A: Handler<M>,
    M: Message,
{
    type Reply = M::Reply;

    #[inline]
    fn cell(&self) -> &Arc<Cell> {
        Shared::cell(self)
    }

    #[inline]
    fn try_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), Refused<M, Self::Reply>> {
        self.try_send(A::__wrap(msg, reply)).map_err(|e| match e {
            TrySend::Full(entry) => TrySend::Full(A::__unwrap(entry)),
            TrySend::Closed(entry) => TrySend::Closed(A::__unwrap(entry)),
        })
    }

    fn push(
        self: Arc<Self>,
        msg: M,
        reply: ReplyTo<Self::Reply>,
    ) -> BoxFuture<'static, Result<(), M>> {
        let entry = A::__wrap(msg, reply);
        Box::pin(async move { self.send(entry).await.map_err(message::<A, M>) })
    }

    #[inline]
    fn space(&self) -> Option<&crate::mailbox::Space> {
        Shared::space(self)
    }

    fn is_closed(&self) -> bool {
        Shared::is_closed(self)
    }

    #[inline]
    fn push_reserved(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M> {
        Shared::push(self, A::__wrap(msg, reply)).map_err(message::<A, M>)
    }

    fn blocking_push(&self, msg: M, reply: ReplyTo<Self::Reply>) -> Result<(), M> {
        self.blocking_send(A::__wrap(msg, reply))
            .map_err(message::<A, M>)
    }
}

/// An owned handle on a mailbox that counts as a reference to its actor
/// (see [`Cell::retain`]): what a [`Recipient`](crate::Recipient) and an
/// unsent [`Ask`] hold, so that the actor does not stop by itself under
/// them.
pub(crate) struct Strong<M, R> {
    pub(crate) sink: Arc<dyn Sink<M, Reply = R>>,
}

impl<M, R> Strong<M, R> {
    #[inline]
    pub(crate) fn new(sink: Arc<dyn Sink<M, Reply = R>>) -> Self {
        sink.cell().retain();
        Strong { sink }
    }

    /// A counted handle, if the actor still has a counted reference (see
    /// [`Cell::try_retain`]).
    pub(crate) fn upgrade(sink: &Arc<dyn Sink<M, Reply = R>>) -> Option<Self> {
        sink.cell()
            .try_retain()
            .then(|| Strong { sink: sink.clone() })
    }
}

impl<M, R> Clone for Strong<M, R> {
    #[inline]
    fn clone(&self) -> Self {
        Strong::new(self.sink.clone())
    }
}

impl<M, R> Drop for Strong<M, R> {
    #[inline]
    fn drop(&mut self) {
        self.sink.cell().release();
    }
}

/// Whether the current task is the loop of the actor behind `cell`.
fn is_self_ask(cell: &Cell) -> bool {
    waits::current().is_some_and(|current| current.id == cell.id)
}

/// A request to an actor, and the future of its typed reply.
///
/// Returned by [`ActorRef::ask`](crate::ActorRef::ask),
/// [`Recipient::ask`](crate::Recipient::ask) and the client methods `#[actor]`
/// generates. It is an ordinary owned future, `Send` and `'static` when the
/// message and the reply are: await it, hand it to `tokio::spawn`, keep many
/// in a `Vec` and join them, or return it from a function. It borrows
/// nothing from the reference it was made from.
///
/// The request is sent as the ask is made, if the mailbox has room, so
/// that asks made one after another arrive in that order and run
/// concurrently once joined; awaiting it waits for the reply. An ask to a
/// full mailbox waits for room from its first poll, and until then counts
/// as a reference to the actor, so that the actor does not stop by itself
/// under it. Sending allocates the reply slot and nothing else, unless the
/// mailbox is full.
///
/// An ask made inside one of the target actor's own handlers is held back
/// instead: awaited there, it fails with [`AskError::SelfAsk`] without
/// sending anything (the actor handles one message at a time, so the reply
/// could never come); moved elsewhere, for example into `tokio::spawn`, it
/// is sent at its first poll.
///
/// # Errors
///
/// It resolves to an [`AskError`] when no reply can come; see its variants.
///
/// # Cancel safety
///
/// Dropping it does not take the request back: a request already in the
/// mailbox is still handled, and its reply discarded. Only an ask still
/// waiting for room in a full mailbox (or held back, see above) is dropped
/// unsent.
///
/// # Panics
///
/// Polling it again after it has completed panics, as most futures do.
///
/// # Examples
///
/// ```
/// # use typact::prelude::*;
/// # use std::time::Duration;
/// use typact::Ask;
/// # #[derive(Default)] struct Clock;
/// # #[actor] impl Clock { #[handler] fn now(&self) -> u64 { 42 } }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let clock = Clock.spawn();
/// let t: u64 = clock.ask(Now).timeout(Duration::from_secs(1)).await?;
/// assert_eq!(t, 42);
///
/// // An ask owns what it needs: spawn it, or keep several and join them.
/// let spawned = tokio::spawn(clock.ask(Now));
/// let asks: Vec<Ask<Now, u64>> = (0..3).map(|_| clock.ask(Now)).collect();
/// for ask in asks {
///     assert_eq!(ask.await?, 42);
/// }
/// assert_eq!(spawned.await??, 42);
/// # Ok(()) }
/// ```
#[must_use = "an ask's reply is lost unless it is awaited"]
pub struct Ask<M, R> {
    state: State<M, R>,
    timer: Timer,
    /// For an ask made inside a handler: its edge in the wait-for graph.
    wait: Option<Wait>,
    /// The target, for `Debug`: copied, so that an ask sent at once holds
    /// no reference.
    actor: ActorId,
    type_name: &'static &'static str,
}

enum State<M, R> {
    /// Held back: made inside the target's own handler.
    Unsent(Strong<M, R>, M),
    /// Waiting for room in a full mailbox; the handle is held for its
    /// count, so that the actor does not stop by itself meanwhile.
    Sending(
        #[allow(dead_code)] Strong<M, R>,
        BoxFuture<'static, Result<(), M>>,
        oneshot::Receiver<ReplyResult<R>>,
    ),
    Waiting(oneshot::Receiver<ReplyResult<R>>),
    /// Failed as it was made.
    Failed(AskError),
    Done,
}

/// An ask's timeout: none, set but not started, or running since the
/// first poll.
enum Timer {
    None,
    After(Duration),
    Running(Pin<Box<Sleep>>),
}

impl<M, R> Ask<M, R> {
    /// Makes an ask to the actor behind `cell` and sends it with
    /// `try_push` if it can; `strong` gives the counted handle an ask that
    /// cannot be sent at once keeps.
    #[inline]
    pub(crate) fn new(
        cell: &Cell,
        msg: M,
        try_push: impl FnOnce(M, ReplyTo<R>) -> Result<(), Refused<M, R>>,
        strong: impl FnOnce() -> Strong<M, R>,
    ) -> Self {
        let mut ask = Ask {
            state: State::Done,
            timer: Timer::None,
            wait: None,
            actor: cell.id,
            type_name: cell.type_name,
        };
        if let Some(current) = waits::current() {
            // Made inside a handler or hook: it gets the actor's ask
            // timeout, and it must not close a cycle of waits.
            if let Some(timeout) = current.ask_timeout {
                ask.timer = Timer::After(timeout);
            }
            if current.id == cell.id {
                ask.state = State::Unsent(strong(), msg);
                return ask;
            }
            match waits::wait_for(current.id, cell) {
                Ok(wait) => ask.wait = Some(wait),
                Err(deadlock) => {
                    tracing::error!(%deadlock, "ask refused: it would deadlock");
                    ask.state = State::Failed(AskError::Deadlock(deadlock));
                    return ask;
                }
            }
        }
        let (reply, rx) = ReplyTo::channel();
        ask.state = match try_push(msg, reply) {
            Ok(()) => State::Waiting(rx),
            Err(TrySend::Closed(_)) => State::Failed(AskError::Stopped),
            // The same reply handle waits for room with it.
            Err(TrySend::Full((msg, reply))) => Self::sending(strong(), msg, reply, rx),
        };
        ask
    }

    #[cold]
    fn sending(
        target: Strong<M, R>,
        msg: M,
        reply: ReplyTo<R>,
        rx: oneshot::Receiver<ReplyResult<R>>,
    ) -> State<M, R> {
        let push = target.sink.clone().push(msg, reply);
        State::Sending(target, push, rx)
    }

    /// Fails the ask with [`AskError::Timeout`] if no reply arrives within
    /// `timeout`, counted from the first poll (and including any wait for
    /// room in a full mailbox).
    ///
    /// The request may still be handled after the timeout; its reply is then
    /// discarded.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timer = Timer::After(timeout);
        self
    }
}

// The message is moved, never pinned in place, and every other field is
// `Unpin`; so the future is `Unpin` whatever `M` is.
impl<M, R> Unpin for Ask<M, R> {}

impl<M, R> fmt::Debug for Ask<M, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Unsent(..) => "held back",
            State::Sending(..) => "waiting for mailbox space",
            State::Waiting(_) => "waiting for the reply",
            State::Failed(_) | State::Done => "done",
        };
        let timeout = match &self.timer {
            Timer::None => None,
            Timer::After(d) => Some(*d),
            Timer::Running(sleep) => Some(
                sleep
                    .deadline()
                    .saturating_duration_since(tokio::time::Instant::now()),
            ),
        };
        f.debug_struct("Ask")
            .field("message", &std::any::type_name::<M>())
            .field("actor", &format_args!("{}{}", self.type_name, self.actor))
            .field("state", &state)
            .field("timeout", &timeout)
            .finish()
    }
}

impl<M, R> Ask<M, R> {
    fn poll_reply(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<R, AskError>> {
        loop {
            match &mut self.state {
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
                State::Sending(_, push, _) => {
                    let sent = ready!(push.as_mut().poll(cx));
                    let State::Sending(_, _, rx) = std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched Sending above")
                    };
                    match sent {
                        Ok(()) => self.state = State::Waiting(rx),
                        Err(_) => return Poll::Ready(Err(AskError::Stopped)),
                    }
                }
                State::Unsent(..) => {
                    let State::Unsent(target, msg) =
                        std::mem::replace(&mut self.state, State::Done)
                    else {
                        unreachable!("matched Unsent above")
                    };
                    let cell = target.sink.cell();
                    if is_self_ask(cell) {
                        tracing::error!(actor = %cell, "an actor asked itself; use `tell` or call the method directly");
                        return Poll::Ready(Err(AskError::SelfAsk));
                    }
                    let (reply, rx) = ReplyTo::channel();
                    self.state = match target.sink.try_push(msg, reply) {
                        Ok(()) => State::Waiting(rx),
                        Err(TrySend::Closed(_)) => return Poll::Ready(Err(AskError::Stopped)),
                        Err(TrySend::Full((msg, reply))) => Self::sending(target, msg, reply, rx),
                    };
                }
                State::Failed(_) => {
                    let State::Failed(err) = std::mem::replace(&mut self.state, State::Done) else {
                        unreachable!("matched Failed above")
                    };
                    return Poll::Ready(Err(err));
                }
                State::Done => panic!("`Ask` polled after completion"),
            }
        }
    }
}

impl<M, R> Future for Ask<M, R> {
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(wait) = &this.wait {
            // Moved out of the handler that made it (into `tokio::spawn`,
            // say): that actor no longer waits on it.
            if waits::current().is_none_or(|current| current.id != wait.waiter()) {
                this.wait = None;
            }
        }
        if let Timer::After(timeout) = this.timer {
            this.timer = Timer::Running(Box::pin(tokio::time::sleep(timeout)));
        }
        if let Poll::Ready(out) = this.poll_reply(cx) {
            this.timer = Timer::None;
            this.wait = None;
            return Poll::Ready(out);
        }
        if let Timer::Running(sleep) = &mut this.timer
            && sleep.as_mut().poll(cx).is_ready()
        {
            this.timer = Timer::None;
            this.wait = None;
            this.state = State::Done;
            return Poll::Ready(Err(AskError::Timeout));
        }
        Poll::Pending
    }
}

impl<M, T, E> Ask<M, Result<T, E>> {
    /// For a handler that returns a `Result`: one `Result` instead of two,
    /// with a failed ask turned into the handler's error type. A handler
    /// that asks another actor and propagates with `?` can then return
    /// `Result<T, AskError>` (or its own error, or a boxed one) and its
    /// callers get a `Result<T, AskError>`, not a
    /// `Result<Result<T, AskError>, AskError>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Store;
    ///
    /// #[actor]
    /// impl Store {
    ///     #[handler]
    ///     fn load(&self, key: u32) -> Result<String, AskError> {
    ///         Ok(format!("value {key}"))
    ///     }
    /// }
    ///
    /// struct Front {
    ///     store: ActorRef<Store>,
    /// }
    ///
    /// #[actor]
    /// impl Front {
    ///     /// Asks the store, and passes its error or the ask's on with `?`.
    ///     #[handler]
    ///     async fn get(&mut self, key: u32) -> Result<String, AskError> {
    ///         let value = self.store.load(key).flatten().await?;
    ///         Ok(value.to_uppercase())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let front = Front { store: Store.spawn() }.spawn();
    /// let value: Result<String, AskError> = front.get(7).flatten().await;
    /// assert_eq!(value.as_deref(), Ok("VALUE 7"));
    /// # }
    /// ```
    pub fn flatten(self) -> FlatAsk<M, T, E>
    where
        E: From<AskError>,
    {
        FlatAsk { ask: self }
    }
}

/// An [`Ask`] for a `Result` reply, resolving to one `Result`; made by
/// [`Ask::flatten`].
///
/// # Errors
///
/// The handler's error, or the [`AskError`] of the ask converted with
/// `From`.
///
/// # Cancel safety
///
/// As for [`Ask`].
#[must_use = "an ask's reply is lost unless it is awaited"]
pub struct FlatAsk<M, T, E> {
    ask: Ask<M, Result<T, E>>,
}

impl<M, T, E> FlatAsk<M, T, E> {
    /// As [`Ask::timeout`]: a timeout becomes `E::from(AskError::Timeout)`.
    pub fn timeout(self, timeout: Duration) -> Self {
        FlatAsk {
            ask: self.ask.timeout(timeout),
        }
    }
}

impl<M, T, E> fmt::Debug for FlatAsk<M, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FlatAsk").field(&self.ask).finish()
    }
}

impl<M, T, E: From<AskError>> Future for FlatAsk<M, T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let reply = ready!(Pin::new(&mut self.get_mut().ask).poll(cx));
        Poll::Ready(reply.unwrap_or_else(|err| Err(E::from(err))))
    }
}

/// Asks from outside async code, blocking the thread.
pub(crate) fn blocking_ask<M, R>(
    target: &(dyn Sink<M, Reply = R> + '_),
    msg: M,
) -> Result<R, AskError> {
    let (reply, rx) = ReplyTo::channel();
    if target.blocking_push(msg, reply).is_err() {
        return Err(AskError::Stopped);
    }
    match rx.blocking_recv() {
        Ok(reply) => reply,
        Err(_) => Err(AskError::NoReply),
    }
}
