//! Reply handles: how an answer travels back to the asker.

use std::cell::Cell;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use tokio::sync::oneshot;

use crate::error::AskError;

pub(crate) type ReplyResult<R> = Result<R, AskError>;

/// Why the runtime is dropping values that may hold reply handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Abandon {
    /// A handler's future, after it panicked.
    Panicked,
    /// A handler's future cut short, or a stopped actor's state.
    Stopped,
}

thread_local! {
    static ABANDONING: Cell<Option<Abandon>> = const { Cell::new(None) };
    /// How many [`Abandoned`] values are being dropped on this thread: their
    /// reply handles fail with `Stopped`.
    static DROPPING_STATE: Cell<u32> = const { Cell::new(0) };
}

/// An actor's state, whose drop, wherever it happens (an aborted task, a
/// runtime shutting down, the end of a stop), fails the asks of the reply
/// handles it holds with `Stopped` rather than `NoReply`.
///
/// Two zero-sized guards around the value do it: struct fields drop in
/// declaration order, so `on` marks the thread before `value` drops and
/// `off` unmarks it after, even if `value`'s drop panics (unwinding still
/// drops the remaining fields). It costs no byte and no branch at run time.
pub(crate) struct Abandoned<T> {
    _on: MarkOn,
    pub(crate) value: T,
    _off: MarkOff,
}

impl<T> Abandoned<T> {
    #[inline]
    pub(crate) fn new(value: T) -> Self {
        Abandoned {
            _on: MarkOn,
            value,
            _off: MarkOff,
        }
    }
}

impl<T> std::ops::Deref for Abandoned<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::DerefMut for Abandoned<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

struct MarkOn;

impl Drop for MarkOn {
    fn drop(&mut self) {
        let _ = DROPPING_STATE.try_with(|d| d.set(d.get() + 1));
    }
}

struct MarkOff;

impl Drop for MarkOff {
    fn drop(&mut self) {
        let _ = DROPPING_STATE.try_with(|d| d.set(d.get().saturating_sub(1)));
    }
}

// A handle is two words, whatever its route: every mailbox entry holds one.
const _: () = assert!(size_of::<ReplyTo<u64>>() == 2 * size_of::<usize>());

// The guards carry nothing; only their drops matter.
const _: () = assert!(size_of::<Abandoned<u64>>() == size_of::<u64>());

/// Runs `f`, during which every unanswered [`ReplyTo`] dropped on this
/// thread fails its ask with the error matching `why`.
pub(crate) fn abandon_while<T>(why: Abandon, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Abandon>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = ABANDONING.try_with(|a| a.set(self.0));
        }
    }
    let _restore = Restore(ABANDONING.with(|a| a.replace(Some(why))));
    f()
}

/// The handle through which a handler answers an ask.
///
/// Every mailbox entry carries one. For a `tell` it is empty and
/// [`send`](ReplyTo::send) does nothing; for an `ask` it holds the asker's
/// side of a one-shot channel.
///
/// Normal handlers never see it: the macro sends their return value. A
/// `#[handler(deferred)]` method takes it as its last message parameter (before
/// the context) and may move it anywhere, for example into a spawned task or a
/// message to another actor, and answer later. The actor goes on handling
/// messages meanwhile ("tell, don't ask").
///
/// Dropping it unanswered fails the ask with [`AskError::NoReply`](crate::AskError::NoReply). If its
/// handler panics, the ask fails with [`AskError::Panicked`](crate::AskError::Panicked); if the actor
/// stops or is killed while a handle is still in its state or in an
/// unfinished handler, with [`AskError::Stopped`](crate::AskError::Stopped).
///
/// # Examples
///
/// ```
/// use typact_runtime::ReplyTo;
/// let reply: ReplyTo<u32> = ReplyTo::none();
/// assert!(!reply.is_ask());
/// reply.send(7); // a tell: nobody waits, nothing happens
/// ```
pub struct ReplyTo<R> {
    route: Route<R>,
}

/// Where a reply goes. Two words, like the `Option` of a sender it
/// replaced: a mapped handle keeps its closure and the handle it maps to
/// behind one more pointer, so that every other handle (and every mailbox
/// entry, which holds one) stays this size.
enum Route<R> {
    /// A tell: nobody waits.
    None,
    /// The asker's side of the ask's one-shot channel.
    Direct(oneshot::Sender<ReplyResult<R>>),
    /// A handle made by [`ReplyTo::map`]: converts, then answers the
    /// handle it was made from. Behind a lock only so that a handle stays
    /// `Sync` whatever the closure captures; nothing contends for it.
    Mapped(Box<Mutex<Box<dyn Deliver<R>>>>),
    /// Any of the above, with the trace of where its message was sent
    /// (see `observe`): only while someone listens, so that the handle
    /// stays two words.
    Traced(Box<Traced<R>>),
}

/// A route, and where its message was sent.
struct Traced<R> {
    route: Route<R>,
    trace: crate::observe::Trace,
}

/// The route without its trace.
#[inline]
fn untraced<R>(route: Route<R>) -> Route<R> {
    match route {
        Route::Traced(traced) => traced.route,
        other => other,
    }
}

fn route_is_ask<R>(route: &Route<R>) -> bool {
    match route {
        Route::None => false,
        Route::Traced(traced) => route_is_ask(&traced.route),
        Route::Direct(_) | Route::Mapped(_) => true,
    }
}

fn route_is_closed<R>(route: &Route<R>) -> bool {
    match route {
        Route::None => false,
        Route::Direct(tx) => tx.is_closed(),
        Route::Mapped(to) => to
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_closed(),
        Route::Traced(traced) => route_is_closed(&traced.route),
    }
}

/// A mapped handle's far end: converts a reply and passes it on.
trait Deliver<S>: Send {
    fn deliver(self: Box<Self>, reply: ReplyResult<S>);
    fn is_closed(&self) -> bool;
}

fn deliver<S>(to: Mutex<Box<dyn Deliver<S>>>, reply: ReplyResult<S>) {
    to.into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .deliver(reply);
}

/// `ReplyTo<R>` answered with an `S`, converted by `F`.
struct MapInto<R, F> {
    to: ReplyTo<R>,
    f: F,
}

impl<S, R, F> Deliver<S> for MapInto<R, F>
where
    F: FnOnce(S) -> R + Send,
    R: Send,
{
    fn deliver(self: Box<Self>, reply: ReplyResult<S>) {
        let MapInto { to, f } = *self;
        match reply {
            Ok(value) => to.send(f(value)),
            Err(err) => to.fail(err),
        }
    }

    fn is_closed(&self) -> bool {
        self.to.is_abandoned()
    }
}

/// A handle made by [`ReplyTo::to_fn`]: its reply goes to a closure.
struct ToFn<F>(F);

impl<S, F> Deliver<S> for ToFn<F>
where
    F: FnOnce(ReplyResult<S>) + Send,
{
    fn deliver(self: Box<Self>, reply: ReplyResult<S>) {
        (self.0)(reply);
    }

    fn is_closed(&self) -> bool {
        false
    }
}

impl<R> ReplyTo<R> {
    /// An ask's handle whose reply, or the error that ends the ask, goes
    /// to `f`, called at most once (not at all if the handle is dropped
    /// unanswered outside the runtime's reach).
    pub(crate) fn to_fn<F>(f: F) -> Self
    where
        F: FnOnce(ReplyResult<R>) + Send + 'static,
        R: 'static,
    {
        let to: Box<dyn Deliver<R>> = Box::new(ToFn(f));
        ReplyTo {
            route: Route::Mapped(Box::new(Mutex::new(to))),
        }
    }

    /// The empty handle of a `tell`.
    #[inline]
    pub fn none() -> Self {
        ReplyTo { route: Route::None }
    }

    #[inline]
    pub(crate) fn channel() -> (Self, oneshot::Receiver<ReplyResult<R>>) {
        let (tx, rx) = oneshot::channel();
        (
            ReplyTo {
                route: Route::Direct(tx),
            },
            rx,
        )
    }

    /// Whether someone waits for this reply (an ask, not a tell).
    #[inline]
    pub fn is_ask(&self) -> bool {
        match &self.route {
            Route::None => false,
            Route::Direct(_) | Route::Mapped(_) => true,
            Route::Traced(traced) => route_is_ask(&traced.route),
        }
    }

    /// The same handle, carrying `trace` (see `observe`).
    #[inline]
    pub(crate) fn traced(self, trace: Option<crate::observe::Trace>) -> Self {
        match trace {
            None => self,
            Some(trace) => self.with_trace(trace),
        }
    }

    #[cold]
    fn with_trace(mut self, trace: crate::observe::Trace) -> Self {
        let route = untraced(std::mem::replace(&mut self.route, Route::None));
        ReplyTo {
            route: Route::Traced(Box::new(Traced { route, trace })),
        }
    }

    /// The trace the handle carries, taken out.
    #[inline]
    pub(crate) fn take_trace(&mut self) -> Option<crate::observe::Trace> {
        if !matches!(self.route, Route::Traced(_)) {
            return None;
        }
        match std::mem::replace(&mut self.route, Route::None) {
            Route::Traced(traced) => {
                let Traced { route, trace } = *traced;
                self.route = route;
                Some(trace)
            }
            _ => unreachable!("checked above"),
        }
    }

    /// Whether the asker has given up (dropped its future, or timed out). A
    /// handler doing expensive work for an ask can check this first.
    pub fn is_abandoned(&self) -> bool {
        route_is_closed(&self.route)
    }

    /// Answers the ask. Does nothing for a tell, or if the asker has gone.
    ///
    /// A reply nobody waits for any more (the asker timed out or dropped
    /// its future) is dropped here; a panic in its `Drop` is caught and
    /// logged, so an asker's timeout never brings down the actor it asked.
    #[inline]
    pub fn send(mut self, value: R) {
        match untraced(std::mem::replace(&mut self.route, Route::None)) {
            Route::None | Route::Traced(_) => {}
            Route::Direct(tx) => {
                if let Err(unsent) = tx.send(Ok(value)) {
                    drop_late_reply(unsent);
                }
            }
            Route::Mapped(to) => deliver(*to, Ok(value)),
        }
    }

    /// A handle that answers this one with a reply of another type,
    /// converted by `f`: pass it on to an actor whose reply is an `S`
    /// (see [`ActorRef::forward`](crate::ActorRef::forward)), and its reply
    /// reaches this handle's asker as `f(reply)`, with no task in between.
    ///
    /// If the new handle fails (its handler panics, its actor stops) or is
    /// dropped unanswered, this one fails the same way. The map of a
    /// tell's empty handle is an empty handle.
    ///
    /// Mapping allocates twice: the closure and this handle together, and
    /// a small box that keeps every handle two words wide. A plain forward
    /// without a map allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Squarer;
    ///
    /// #[actor]
    /// impl Squarer {
    ///     #[handler]
    ///     fn square(&self, n: u64) -> u64 {
    ///         n * n
    ///     }
    /// }
    ///
    /// /// Answers `Describe` asks by handing them, mapped, to a squarer.
    /// struct Front {
    ///     squarer: ActorRef<Squarer>,
    /// }
    ///
    /// #[actor]
    /// impl Front {
    ///     #[handler(deferred)]
    ///     async fn describe(&mut self, n: u64, reply: ReplyTo<String>) {
    ///         let reply = reply.map(move |sq: u64| format!("{n}² = {sq}"));
    ///         let _ = self.squarer.forward(Square { n }, reply).await;
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let front = Front { squarer: Squarer.spawn() }.spawn();
    /// assert_eq!(front.describe(7).await?, "7² = 49");
    /// # Ok(()) }
    /// ```
    pub fn map<S, F>(self, f: F) -> ReplyTo<S>
    where
        F: FnOnce(S) -> R + Send + 'static,
        R: Send + 'static,
    {
        if !self.is_ask() {
            return ReplyTo::none();
        }
        let to: Box<dyn Deliver<S>> = Box::new(MapInto { to: self, f });
        ReplyTo {
            route: Route::Mapped(Box::new(Mutex::new(to))),
        }
    }

    /// Fails the ask with `err`, for a request the actor will never handle.
    pub(crate) fn fail(mut self, err: AskError) {
        match untraced(std::mem::replace(&mut self.route, Route::None)) {
            Route::None | Route::Traced(_) => {}
            Route::Direct(tx) => {
                let _ = tx.send(Err(err));
            }
            Route::Mapped(to) => deliver(*to, Err(err)),
        }
    }
}

/// Drops a reply whose asker has gone, catching a panic in its `Drop`.
#[cold]
fn drop_late_reply<R>(reply: ReplyResult<R>) {
    if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(reply))) {
        let panic = crate::run::panic_message(payload);
        tracing::error!(panic = %panic, "dropping a reply nobody waited for panicked");
    }
}

impl<R> Drop for ReplyTo<R> {
    #[inline]
    fn drop(&mut self) {
        // A tell's handle, the common case, has nothing to do.
        if !matches!(self.route, Route::None) {
            self.abandon();
        }
    }
}

impl<R> ReplyTo<R> {
    /// The drop of an ask's handle that was not answered.
    #[cold]
    fn abandon(&mut self) {
        let route = untraced(std::mem::replace(&mut self.route, Route::None));
        // Dropped by the runtime (a panicked or cut-short handler's future, a
        // stopped actor's state), or while unwinding from a sync handler's
        // panic: tell the asker why. Otherwise the asker sees `NoReply`.
        let err = match ABANDONING.try_with(Cell::get).ok().flatten() {
            Some(Abandon::Panicked) => Some(AskError::Panicked),
            Some(Abandon::Stopped) => Some(AskError::Stopped),
            None if DROPPING_STATE.try_with(Cell::get).is_ok_and(|d| d > 0) => {
                Some(AskError::Stopped)
            }
            None if std::thread::panicking() => Some(AskError::Panicked),
            None => None,
        };
        match route {
            Route::None | Route::Traced(_) => {}
            Route::Direct(tx) => {
                if let Some(err) = err {
                    let _ = tx.send(Err(err));
                }
            }
            // A mapped handle passes the error on: to the handle it maps to,
            // or to its closure.
            Route::Mapped(to) => deliver(*to, Err(err.unwrap_or(AskError::NoReply))),
        }
    }
}

impl<R> fmt::Debug for ReplyTo<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplyTo")
            .field("is_ask", &self.is_ask())
            .finish()
    }
}
