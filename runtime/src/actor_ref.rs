//! [`ActorRef`]: the typed address of an actor.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::actor::{Actor, Handler, Message};
use crate::ask::{Ask, Sink, Strong};
use crate::cell::{ActorId, Cell};
use crate::error::{AskError, ReserveError, StopReason, TellError, TryTellError};
use crate::mailbox::{ActorTx, TrySend};
use crate::recipient::Recipient;
use crate::reply::ReplyTo;
use crate::weak::WeakActorRef;

mod permit;
mod tell;

pub use permit::Permit;
pub use tell::Tell;

/// What `ActorRef<A>` dereferences to: the struct of typed client methods that
/// `#[actor]` generates. Implemented only by generated code.
#[doc(hidden)]
pub trait Client<A: Actor>: Send + Sync + 'static {
    fn __from_raw(raw: RawRef<A>) -> Self;
    fn __raw(&self) -> &RawRef<A>;
}

/// The untyped-client core of an [`ActorRef`]; generated client methods call
/// through it.
///
/// It is the mailbox's sending side, counted: every `RawRef` value counts
/// as one reference to the actor (in `Cell::refs`), so that an actor whose
/// references are all gone can stop by itself. The actor's own context holds
/// an uncounted `Tx` instead.
#[doc(hidden)]
pub struct RawRef<A: Actor> {
    pub(crate) tx: ActorTx<A>,
}

impl<A: Actor> Drop for RawRef<A> {
    fn drop(&mut self) {
        self.tx.cell().release();
    }
}

impl<A: Actor> RawRef<A> {
    pub(crate) fn new(tx: ActorTx<A>) -> Self {
        tx.cell().retain();
        RawRef { tx }
    }

    /// A counted reference, if the actor still has one (see
    /// [`Cell::try_retain`]): the upgrade of a weak reference.
    pub(crate) fn try_new(tx: ActorTx<A>) -> Option<Self> {
        tx.cell().try_retain().then_some(RawRef { tx })
    }

    /// The actor's cell.
    #[inline]
    pub(crate) fn cell(&self) -> &Arc<Cell> {
        self.tx.cell()
    }

    #[inline]
    pub fn ask<M: Message>(&self, msg: M) -> Ask<M, M::Reply>
    where
        A: Handler<M>,
    {
        Ask::new(
            self.cell(),
            msg,
            |msg, reply| {
                self.tx
                    .try_send(A::__wrap(msg, reply))
                    .map_err(|e| match e {
                        TrySend::Full(entry) => TrySend::Full(A::__unwrap(entry)),
                        TrySend::Closed(entry) => TrySend::Closed(A::__unwrap(entry)),
                    })
            },
            || Strong::new(self.sink()),
        )
    }

    /// The mailbox as a handle that accepts `M`: the mailbox's own `Arc`,
    /// so no allocation.
    #[inline]
    pub(crate) fn sink<M: Message>(&self) -> Arc<dyn Sink<M, Reply = M::Reply>>
    where
        A: Handler<M>,
    {
        self.tx.shared().clone()
    }
}

impl<A: Actor> fmt::Debug for RawRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawRef({})", self.cell())
    }
}

impl<A: Actor> Clone for RawRef<A> {
    fn clone(&self) -> Self {
        RawRef::new(self.tx.clone())
    }
}

/// The message of an entry that was not accepted; its reply handle, for a
/// tell an empty one, is dropped.
pub(super) fn message<A: Handler<M>, M>(entry: A::Mailbox) -> M {
    A::__message(entry)
}

/// The typed address of an actor of type `A`.
///
/// It accepts exactly the messages `A` declares with `#[handler]`: sending
/// anything else does not compile. Cloning is cheap (one atomic increment) and
/// it is `Send + Sync`. It also dereferences to the generated client struct, so
/// each handler is callable as a method: `counter.add(2).await` asks `Add`.
///
/// When the last `ActorRef` (and [`Recipient`]) of an actor is dropped, the
/// actor handles what is left in its mailbox and stops with
/// [`StopReason::Normal`].
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     count: u64,
/// }
///
/// #[actor]
/// impl Counter {
///     #[handler]
///     fn add(&mut self, by: u64) {
///         self.count += by;
///     }
///     #[handler]
///     fn get(&self) -> u64 {
///         self.count
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let counter: ActorRef<Counter> = Counter::default().spawn();
/// counter.tell(Add { by: 2 }).await?; // waits only for mailbox space
/// counter.add(3).await?;              // a generated client method: an ask
/// assert_eq!(counter.ask(Get).await?, 5);
/// assert_eq!(counter.get().await?, 5);
/// # Ok(()) }
/// ```
pub struct ActorRef<A: Actor> {
    client: A::Client,
}

impl<A: Actor> ActorRef<A> {
    pub(crate) fn from_raw(raw: RawRef<A>) -> Self {
        ActorRef {
            client: A::Client::__from_raw(raw),
        }
    }

    #[inline]
    pub(crate) fn raw(&self) -> &RawRef<A> {
        self.client.__raw()
    }

    #[inline]
    pub(crate) fn cell(&self) -> &Arc<Cell> {
        self.raw().cell()
    }

    /// The sending side of the actor's mailbox.
    #[inline]
    pub(crate) fn tx(&self) -> &ActorTx<A> {
        &self.raw().tx
    }

    /// The actor's unique id.
    pub fn id(&self) -> ActorId {
        self.cell().id
    }

    /// The name given by [`ActorBuilder::name`](crate::ActorBuilder::name), if any.
    pub fn name(&self) -> Option<&str> {
        self.cell().name.as_deref()
    }

    /// Sends a message without waiting for it to be handled.
    ///
    /// The message goes into the mailbox at this call, before anything is
    /// awaited, whenever there is room; the returned [`Tell`] then only
    /// reports the outcome. Only when the mailbox is full does the `Tell`
    /// hold the message, and awaiting it waits for a place. So a tell is
    /// never lost to a forgotten `.await`: `let _ = actor.tell(msg);`
    /// sends `msg` if there is room, and otherwise counts it as a dead
    /// letter ([`dead_letters`](Self::dead_letters)) and logs it at `debug`
    /// level.
    ///
    /// Allocates nothing in steady state; only a tell that finds the
    /// mailbox full allocates its wait.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, the `Tell` resolves to a [`TellError`]
    /// holding the message.
    ///
    /// # Cancel safety
    ///
    /// Dropping the `Tell` loses nothing once the message is in the
    /// mailbox, which is at once unless the mailbox is full. Dropped while
    /// it waits for room (in a `select!` branch that loses, under a
    /// timeout), it drops the message, counted as a dead letter as above.
    /// To wait for room without risking the message,
    /// [`reserve`](Self::reserve) a place first, which is cancel safe, and
    /// send through the permit.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Counter(u64);
    ///
    /// #[actor]
    /// impl Counter {
    ///     #[handler]
    ///     fn add(&mut self, by: u64) {
    ///         self.0 += by;
    ///     }
    ///     #[handler]
    ///     fn get(&self) -> u64 {
    ///         self.0
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let counter = Counter::default().spawn();
    /// counter.tell(Add { by: 2 }).await?; // sent; `?` reports a stopped actor
    /// let _ = counter.tell(Add { by: 3 }); // sent as well: there was room
    /// assert_eq!(counter.get().await?, 5);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn tell<M>(&self, msg: M) -> Tell<'_, A, M>
    where
        A: Handler<M>,
    {
        Tell::new(&self.raw().tx, A::__tell(msg), message::<A, M>)
    }

    /// Passes a pending reply on: sends `msg` with a reply handle taken
    /// from another ask, so that this actor's handler answers that ask
    /// directly. A router or a front actor can hand each request to a
    /// worker this way, with no task waiting in between and no allocation;
    /// [`ReplyTo::map`] converts the worker's reply if the types differ.
    /// Waits only while the mailbox is full, like [`tell`](Self::tell).
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message
    /// and the reply handle, so that the caller can pass them to another
    /// actor; dropping them fails the original ask with
    /// [`AskError::NoReply`].
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`tell`](Self::tell): dropped while it waits for
    /// room, the message is dropped, and with it the reply handle (the
    /// original ask fails with [`AskError::NoReply`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Worker;
    ///
    /// #[actor]
    /// impl Worker {
    ///     #[handler]
    ///     fn double(&self, n: u64) -> u64 {
    ///         2 * n
    ///     }
    /// }
    ///
    /// /// Hands every job to the next worker, round robin.
    /// struct Router {
    ///     workers: Vec<ActorRef<Worker>>,
    ///     next: usize,
    /// }
    ///
    /// #[actor]
    /// impl Router {
    ///     #[handler(deferred)]
    ///     async fn job(&mut self, n: u64, reply: ReplyTo<u64>) {
    ///         let worker = &self.workers[self.next % self.workers.len()];
    ///         self.next += 1;
    ///         let _ = worker.forward(Double { n }, reply).await;
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let workers = (0..3).map(|_| Worker.spawn()).collect();
    /// let router = Router { workers, next: 0 }.spawn();
    /// assert_eq!(router.job(21).await?, 42);
    /// # Ok(()) }
    /// ```
    pub async fn forward<M>(
        &self,
        msg: M,
        reply: ReplyTo<M::Reply>,
    ) -> Result<(), TellError<(M, ReplyTo<M::Reply>)>>
    where
        A: Handler<M>,
        M: Message,
    {
        Tell::new(&self.raw().tx, A::__wrap(msg, reply), A::__unwrap).await
    }

    /// Waits for a place in the mailbox and reserves it; the returned
    /// [`Permit`] then sends one message into it without waiting. An
    /// unbounded mailbox always has a place, so this waits only for a
    /// bounded one that is full.
    ///
    /// Dropping the permit unused gives the place back.
    ///
    /// # Errors
    ///
    /// [`ReserveError`] if the actor has stopped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no message is involved until the permit exists, so
    /// dropping the future loses nothing (it only gives up its turn in the
    /// queue of waiting senders). This makes it the way to send from a
    /// `select!` loop or under a timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Sink;
    ///
    /// #[actor]
    /// impl Sink {
    ///     #[handler]
    ///     fn put(&mut self, line: String) {
    ///         let _ = line;
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = Sink.builder().capacity(8).spawn();
    /// let line = String::from("hello");
    /// // Wait at most 100 ms for room; the line is still ours if there is none.
    /// match tokio::time::timeout(Duration::from_millis(100), sink.reserve()).await {
    ///     Ok(permit) => permit?.tell(Put { line })?,
    ///     Err(_elapsed) => println!("mailbox full; keeping {line:?} for later"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, A>, ReserveError> {
        let tx = &self.raw().tx;
        match tx.space() {
            Some(space) => match space.acquire().await {
                Ok(()) => {}
                Err(_closed) => return Err(ReserveError),
            },
            None if tx.is_closed() => return Err(ReserveError),
            None => {}
        }
        Ok(Permit { tx })
    }

    /// Sends a message if the mailbox has room, without ever waiting.
    ///
    /// # Errors
    ///
    /// [`TryTellError::Full`] if the mailbox is at capacity, or
    /// [`TryTellError::Closed`] if the actor has stopped; both hold the
    /// message.
    #[inline]
    pub fn try_tell<M>(&self, msg: M) -> Result<(), TryTellError<M>>
    where
        A: Handler<M>,
    {
        self.raw().tx.try_send(A::__tell(msg)).map_err(|e| match e {
            TrySend::Full(entry) => TryTellError::Full(message::<A, M>(entry)),
            TrySend::Closed(entry) => TryTellError::Closed(message::<A, M>(entry)),
        })
    }

    /// Sends a message from code outside async, blocking the thread while
    /// the mailbox is full.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message.
    ///
    /// # Panics
    ///
    /// Panics on a thread that drives a tokio runtime (a worker, or the
    /// future given to `Runtime::block_on`), as tokio's own blocking calls
    /// do. Threads of `spawn_blocking` and threads outside tokio may call it.
    pub fn blocking_tell<M>(&self, msg: M) -> Result<(), TellError<M>>
    where
        A: Handler<M>,
    {
        self.raw()
            .tx
            .blocking_send(A::__tell(msg))
            .map_err(|entry| TellError::new(self.cell(), message::<A, M>(entry)))
    }

    /// Sends a request and returns a future of its typed reply.
    ///
    /// Await it directly, or bound it with [`Ask::timeout`]. The request is
    /// sent at once if the mailbox has room, and otherwise waits for room
    /// from the first poll; see [`Ask`].
    ///
    /// # Errors
    ///
    /// The future resolves to an [`AskError`] if the actor stops before
    /// replying, its handler panics on this request, the handler drops its
    /// reply handle, the timeout expires, or an actor asks itself.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe. Dropped while it waits for room in a full mailbox,
    /// the request is never sent and is dropped with the future; dropped
    /// after that, the request stays queued and is handled, and its reply
    /// is discarded. Either way the caller, who dropped the future, knows;
    /// such an ask is not counted as a dead letter.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # use std::time::Duration;
    /// # #[derive(Default)] struct Counter;
    /// # #[actor] impl Counter { #[handler] fn get(&self) -> u64 { 7 } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let counter = Counter.spawn();
    /// let n: u64 = counter.ask(Get).await?;
    /// let m = counter.ask(Get).timeout(Duration::from_millis(50)).await?;
    /// assert_eq!(n, m);
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn ask<M: Message>(&self, msg: M) -> Ask<M, M::Reply>
    where
        A: Handler<M>,
    {
        self.raw().ask(msg)
    }

    /// Sends a request and blocks the thread until the reply arrives.
    ///
    /// # Errors
    ///
    /// As for [`ask`](Self::ask), except [`AskError::Timeout`].
    ///
    /// # Panics
    ///
    /// Panics on a thread that drives a tokio runtime (a worker, or the
    /// future given to `Runtime::block_on`), as tokio's own blocking calls
    /// do. Threads of `spawn_blocking` and threads outside tokio may call it.
    pub fn blocking_ask<M: Message>(&self, msg: M) -> Result<M::Reply, AskError>
    where
        A: Handler<M>,
    {
        crate::ask::blocking_ask(&**self.raw().tx.shared(), msg)
    }

    /// A type-erased address that accepts `M`, for code that should not know
    /// which actor handles it.
    ///
    /// Code generic over the actor needs only `A: Handler<M>`: the reply is
    /// `M`'s own (see [`Handler`]).
    pub fn recipient<M: Message>(&self) -> Recipient<M>
    where
        A: Handler<M>,
    {
        Recipient::new(self.raw().sink())
    }

    /// A reference that does not keep the actor alive; see
    /// [`WeakActorRef`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # #[derive(Default)] struct Worker;
    /// # #[actor] impl Worker { #[handler] fn ping(&self) {} }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let worker = Worker.spawn();
    /// let weak = worker.downgrade();
    /// assert_eq!(weak.upgrade(), Some(worker));
    /// # }
    /// ```
    pub fn downgrade(&self) -> WeakActorRef<A> {
        WeakActorRef::new(self.raw().tx.clone())
    }

    /// Asks the actor to stop once its current message is handled. Messages
    /// still queued are not handled: their asks fail with
    /// [`AskError::Stopped`] and their tells are counted as dead letters.
    /// Returns at once; see [`wait_for_stop`](Self::wait_for_stop).
    pub fn stop(&self) {
        self.cell().stop();
    }

    /// Aborts the actor at its next `.await` point (or at once, if idle),
    /// without running `on_stop`. Pending asks fail with
    /// [`AskError::Stopped`].
    pub fn kill(&self) {
        self.cell().kill();
    }

    /// Waits until the actor has stopped, and returns why. Returns at once
    /// if it already has.
    pub async fn wait_for_stop(&self) -> StopReason {
        self.cell().wait_for_stop().await
    }

    /// Whether the actor is still running (not yet fully stopped).
    pub fn is_alive(&self) -> bool {
        !self.cell().is_stopped()
    }

    /// How many tells this actor accepted but never handled, because it
    /// stopped first, plus the tells to it that were cancelled while they
    /// waited for room in its full mailbox (see [`tell`](Self::tell)).
    pub fn dead_letters(&self) -> u64 {
        self.cell()
            .dead_letters
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl<A: Actor> Clone for ActorRef<A> {
    #[inline]
    fn clone(&self) -> Self {
        ActorRef::from_raw(self.raw().clone())
    }
}

impl<A: Actor> Deref for ActorRef<A> {
    type Target = A::Client;

    #[inline]
    fn deref(&self) -> &A::Client {
        &self.client
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> std::hash::Hash for ActorRef<A> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActorRef({})", self.cell())
    }
}

/// The actor as logs and errors show it: `Counter#3`, `Counter(hits)#3`,
/// or with its path, `Counter(/app/ui/hits)#3`.
impl<A: Actor> fmt::Display for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self.cell(), f)
    }
}
