//! [`ActorBuilder`]: spawning with a chosen mailbox and name.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, RawRef};
use crate::cell::Cell;
use crate::context::Context;
use crate::error::SpawnError;
use crate::mailbox::{self, MailboxKind};

/// Configures an actor before it is spawned: its mailbox and its name.
///
/// Made by [`Actor::builder`]. The defaults are a bounded mailbox of
/// [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY) messages and
/// no name.
///
/// # Examples
///
/// ```
/// # use typact::prelude::*;
/// # #[derive(Default)] struct Logger;
/// # #[actor] impl Logger { #[handler] fn log(&self, line: String) { let _ = line; } }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), SpawnError> {
/// let logger = Logger.builder().name("audit").unbounded().spawn_ready().await?;
/// assert_eq!(logger.name(), Some("audit"));
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `spawn` is called"]
pub struct ActorBuilder<A: Actor> {
    actor: A,
    name: Option<Arc<str>>,
    mailbox: MailboxKind,
    /// `None`: the default; `Some(None)`: no timeout.
    ask_timeout: Option<Option<Duration>>,
    /// The actor spawning this one with `Context::spawn_with`, whose path
    /// this one's extends.
    parent: Option<Arc<Cell>>,
}

impl<A: Actor> ActorBuilder<A> {
    pub(crate) fn new(actor: A) -> Self {
        ActorBuilder {
            actor,
            name: None,
            mailbox: MailboxKind::default(),
            ask_timeout: None,
            parent: None,
        }
    }

    /// Spawns the actor as a child of `parent`: a named one then takes a
    /// path below the parent's (see [`ActorPath`](crate::ActorPath)).
    pub(crate) fn under(mut self, parent: &Arc<Cell>) -> Self {
        self.parent = Some(parent.clone());
        self
    }

    /// Names the actor. The name shows in logs, in `Debug` output and in
    /// [`ActorRef::name`]; it need not be unique.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A bounded mailbox holding at most `capacity` messages.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is zero.
    pub fn capacity(mut self, capacity: usize) -> Self {
        assert!(capacity > 0, "a mailbox needs a capacity of at least 1");
        self.mailbox = MailboxKind::Bounded(capacity);
        self
    }

    /// A mailbox without a limit: `tell` never waits and `try_tell` never
    /// reports `Full`. Prefer a bounded mailbox unless the senders are
    /// themselves bounded, since a slow actor then grows without limit.
    pub fn unbounded(mut self) -> Self {
        self.mailbox = MailboxKind::Unbounded;
        self
    }

    /// Sets the mailbox kind directly.
    ///
    /// # Panics
    ///
    /// Panics on `MailboxKind::Bounded(0)`.
    pub fn mailbox(mut self, kind: MailboxKind) -> Self {
        assert!(
            kind != MailboxKind::Bounded(0),
            "a mailbox needs a capacity of at least 1"
        );
        self.mailbox = kind;
        self
    }

    /// Sets the timeout of the asks this actor makes from its handlers and
    /// hooks (the default is [`DEFAULT_ASK_TIMEOUT`](crate::DEFAULT_ASK_TIMEOUT));
    /// `None` for none. An ask's own [`Ask::timeout`](crate::Ask::timeout)
    /// still wins. The actor can change it later with
    /// [`Context::set_ask_timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # use std::time::Duration;
    /// # #[derive(Default)] struct Front;
    /// # #[actor] impl Front { #[handler] fn get(&self) -> u32 { 1 } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let front = Front.builder().ask_timeout(Duration::from_secs(2)).spawn();
    /// let patient = Front.builder().ask_timeout(None).spawn();
    /// # let _ = (front, patient);
    /// # }
    /// ```
    pub fn ask_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.ask_timeout = Some(timeout.into());
        self
    }

    /// Spawns the actor and returns its reference at once. Messages sent
    /// before its `#[on_start]` hook finishes wait in the mailbox; if the hook
    /// fails, they fail as for a stopped actor and
    /// [`ActorRef::wait_for_stop`] returns
    /// [`StopReason::StartFailed`](crate::StopReason::StartFailed).
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub fn spawn(self) -> ActorRef<A> {
        self.start(None)
    }

    /// Spawns the actor and waits until its `#[on_start]` hook has finished.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if the hook returned an error or panicked.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    pub async fn spawn_ready(self) -> Result<ActorRef<A>, SpawnError> {
        let (ready_tx, ready_rx) = oneshot::channel();
        let actor = self.start(Some(ready_tx));
        match ready_rx.await {
            Ok(Ok(())) => Ok(actor),
            Ok(Err(reason)) => Err(SpawnError { reason }),
            // The task was dropped before reporting: killed or runtime gone.
            Err(_) => Err(SpawnError {
                reason: actor.wait_for_stop().await,
            }),
        }
    }

    fn start(self, ready: Option<crate::run::Ready>) -> ActorRef<A> {
        let cell = Cell::new(const { &A::TYPE_NAME }, self.name);
        if let Some(timeout) = self.ask_timeout {
            cell.set_ask_timeout(timeout);
        }
        let (tx, rx) = mailbox::channel(self.mailbox, cell.clone());
        crate::inspect::table::register::<A>(&tx, self.mailbox);
        if let Some(parent) = &self.parent {
            // Before the task exists, so that the actor sees its path from
            // its first hook on. A path a live actor holds already is not
            // taken: the child runs without one (see `Context::spawn_with`).
            let mailbox = crate::protocol::erase::<A>(&tx);
            if let Err(error) = crate::registry::paths::assign_child(parent, &mailbox) {
                tracing::warn!(actor = %cell, %error, "spawned without a path");
            }
        }
        let raw = RawRef::new(tx.clone());
        let ctx = Context::new(tx);
        // Two task futures: a handler's future needs room in the task; an
        // actor without `async` handlers keeps none.
        let task = if A::__ASYNC_HANDLERS {
            tokio::spawn(crate::run::run_async(self.actor, ctx, rx, ready))
        } else {
            tokio::spawn(crate::run::run(self.actor, ctx, rx, ready))
        };
        cell.set_task(task.abort_handle());
        ActorRef::from_raw(raw)
    }
}

impl<A: Actor> fmt::Debug for ActorBuilder<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorBuilder")
            .field("actor", &A::TYPE_NAME)
            .field("name", &self.name)
            .field("mailbox", &self.mailbox)
            .field("ask_timeout", &self.ask_timeout)
            .finish()
    }
}
