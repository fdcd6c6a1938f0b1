//! Reply handles: how an answer travels back to the asker.

use std::cell::Cell;
use std::fmt;

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
}

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
/// Dropping it unanswered fails the ask with [`AskError::NoReply`]. If its
/// handler panics, the ask fails with [`AskError::Panicked`]; if the actor
/// stops or is killed while a handle is still in its state or in an
/// unfinished handler, with [`AskError::Stopped`].
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
    tx: Option<oneshot::Sender<ReplyResult<R>>>,
}

impl<R> ReplyTo<R> {
    /// The empty handle of a `tell`.
    #[inline]
    pub fn none() -> Self {
        ReplyTo { tx: None }
    }

    #[inline]
    pub(crate) fn channel() -> (Self, oneshot::Receiver<ReplyResult<R>>) {
        let (tx, rx) = oneshot::channel();
        (ReplyTo { tx: Some(tx) }, rx)
    }

    /// Whether someone waits for this reply (an ask, not a tell).
    #[inline]
    pub fn is_ask(&self) -> bool {
        self.tx.is_some()
    }

    /// Whether the asker has given up (dropped its future, or timed out). A
    /// handler doing expensive work for an ask can check this first.
    pub fn is_abandoned(&self) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.is_closed())
    }

    /// Answers the ask. Does nothing for a tell, or if the asker has gone.
    #[inline]
    pub fn send(mut self, value: R) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Ok(value));
        }
    }

    /// Fails the ask with `err`, for a request the actor will never handle.
    pub(crate) fn fail(mut self, err: AskError) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Err(err));
        }
    }
}

impl<R> Drop for ReplyTo<R> {
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        // Dropped by the runtime (a panicked or cut-short handler's future, a
        // stopped actor's state), or while unwinding from a sync handler's
        // panic: tell the asker why. Otherwise the asker sees `NoReply`.
        let err = match ABANDONING.try_with(Cell::get).ok().flatten() {
            Some(Abandon::Panicked) => Some(AskError::Panicked),
            Some(Abandon::Stopped) => Some(AskError::Stopped),
            None if std::thread::panicking() => Some(AskError::Panicked),
            None => None,
        };
        if let Some(err) = err {
            let _ = tx.send(Err(err));
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
