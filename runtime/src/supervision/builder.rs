//! [`SupervisorBuilder`] and [`ChildBuilder`]: declaring a supervisor and
//! its children.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

use super::backoff::Backoff;
use super::client::{Entry, SupervisorClient, SupervisorMailbox};
use super::error::SupervisorError;
use super::slot::{Slot, SlotOptions};
use super::spec::{Child, ChildOptions};
use super::strategy::{Directive, OnFailure, Restart, Strategy};
use super::supervisor::Supervisor;
use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::builder::ActorBuilder;
use crate::error::{SpawnError, StopReason};
use crate::mailbox::MailboxKind;

/// Configures a [`Supervisor`] and declares its children.
///
/// Children are declared with [`child`](Self::child), which returns a
/// [`ChildBuilder`]; its [`add`](ChildBuilder::add) hands back the child's
/// typed reference before anything runs. Messages sent to it wait in its
/// mailbox until the supervisor starts it.
pub struct SupervisorBuilder {
    pub(crate) sup: Mutex<Supervisor>,
    pub(crate) name: Option<Arc<str>>,
}

impl fmt::Debug for SupervisorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorBuilder")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl SupervisorBuilder {
    fn with(self, f: impl FnOnce(&mut Supervisor)) -> Self {
        f(&mut self.sup.lock().unwrap_or_else(PoisonError::into_inner));
        self
    }

    /// Which children restart when one fails. Default
    /// [`Strategy::OneForOne`].
    pub fn strategy(self, strategy: Strategy) -> Self {
        self.with(|s| s.strategy = strategy)
    }

    /// At most `max_restarts` restarts within `within`; one more and the
    /// supervisor stops its children and shuts down, with
    /// [`SupervisorError::IntensityExceeded`]. Default: 3 within 5 seconds.
    pub fn intensity(self, max_restarts: u32, within: Duration) -> Self {
        self.with(|s| {
            s.max_restarts = max_restarts;
            s.within = within;
        })
    }

    /// The delays between restarts of a child that keeps failing. Default
    /// [`Backoff::default`].
    pub fn backoff(self, backoff: Backoff) -> Self {
        self.with(|s| s.backoff = backoff)
    }

    /// The decider for every child declared without one of its own
    /// ([`ChildBuilder::on_failure`]): from a failure to a [`Directive`].
    /// Without one, every failure restarts.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    /// use typact::{Directive, Supervisor};
    ///
    /// #[derive(Default)]
    /// struct Parser { parsed: u32 }
    ///
    /// #[actor]
    /// impl Parser {
    ///     #[handler]
    ///     fn parse(&mut self, input: String) -> u32 {
    ///         let n: u32 = input.parse().expect("not a number");
    ///         self.parsed += 1;
    ///         n
    ///     }
    ///     #[handler]
    ///     fn parsed(&self) -> u32 { self.parsed }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Bad input is the sender's problem: keep the state, drop the message.
    /// let sup = Supervisor::builder().on_failure(|_reason| Directive::Resume);
    /// let parser = sup.child(Parser::default).add();
    /// let sup = sup.spawn().await?;
    /// assert_eq!(parser.parse("7".into()).await?, 7);
    /// assert_eq!(parser.parse("seven".into()).await, Err(AskError::Panicked));
    /// assert_eq!(parser.parsed().await?, 1); // the state survived
    /// # sup.stop(); sup.wait_for_stop().await;
    /// # Ok(()) }
    /// ```
    pub fn on_failure<F>(self, decider: F) -> Self
    where
        F: Fn(&StopReason) -> Directive + Send + Sync + 'static,
    {
        self.with(|s| s.on_failure = OnFailure(Some(Arc::new(decider))))
    }

    /// Names the supervisor.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Declares a child made by `factory`, which runs again for every
    /// restart, so each instance starts from fresh state.
    pub fn child<A, F>(&self, factory: F) -> ChildBuilder<'_, A>
    where
        A: Actor,
        F: FnMut() -> A + Send + 'static,
    {
        ChildBuilder::new(Target::Builder(self), Box::new(factory))
    }

    /// The supervisor itself, to run as a child of another supervisor:
    /// `parent.child(inner.into_factory())`. Every instance shares the same
    /// children, so their references stay valid when the inner supervisor is
    /// restarted.
    pub fn into_factory(self) -> impl FnMut() -> Supervisor + Send + 'static {
        let sup = self
            .sup
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        move || sup.clone()
    }

    /// Spawns the supervisor, which starts its children in declaration
    /// order, each after the previous one's `on_start` finished.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] if a child failed to start (its reason is
    /// [`StopReason::StartFailed`] with a
    /// [`SupervisorError::ChildStartFailed`]). The children started before
    /// it are stopped again; those declared after it never start and end
    /// with [`StopReason::NotStarted`]. A child that declines with
    /// [`Ignore`](crate::Ignore) is not a failure.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime.
    pub async fn spawn(self) -> Result<ActorRef<Supervisor>, SpawnError> {
        let name = self.name.clone();
        let mut sup = self
            .sup
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        sup.root = true;
        let mut builder = ActorBuilder::new(sup).unbounded();
        if let Some(name) = name {
            builder = builder.name(name);
        }
        builder.spawn_ready().await
    }
}

pub(crate) enum Target<'a> {
    Builder(&'a SupervisorBuilder),
    Running(&'a SupervisorClient),
}

/// Options of one supervised child; made by [`SupervisorBuilder::child`] or
/// [`SupervisorClient::child`].
#[must_use = "a child is added only by `add` (or `start`, on a running supervisor)"]
pub struct ChildBuilder<'a, A: Actor> {
    target: Target<'a>,
    factory: Box<dyn FnMut() -> A + Send>,
    options: ChildOptions,
    slot: SlotOptions,
    mailbox: MailboxKind,
    name: Option<Arc<str>>,
}

impl<A: Actor> fmt::Debug for ChildBuilder<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildBuilder")
            .field("actor", &A::TYPE_NAME)
            .field("restart", &self.options.restart)
            .field("shutdown", &self.options.shutdown)
            .field("start_timeout", &self.options.start_timeout)
            .field("keep", &self.options.keep)
            .field("on_failure", &self.slot.on_failure)
            .field("stop_children_on_restart", &self.slot.stop_children)
            .field("mailbox", &self.mailbox)
            .finish()
    }
}

impl<'a, A: Actor> ChildBuilder<'a, A> {
    pub(crate) fn new(target: Target<'a>, factory: Box<dyn FnMut() -> A + Send>) -> Self {
        ChildBuilder {
            target,
            factory,
            options: ChildOptions::default(),
            slot: SlotOptions {
                stop_children: true,
                ..SlotOptions::default()
            },
            mailbox: MailboxKind::default(),
            name: None,
        }
    }

    /// When the child is restarted. Default [`Restart::Permanent`].
    pub fn restart(mut self, restart: Restart) -> Self {
        self.options.restart = restart;
        self.slot.restart = restart;
        self
    }

    /// How long the child may take to stop when asked (its current message
    /// and its `on_stop` hook) before it is aborted. Default 5 seconds.
    pub fn shutdown(mut self, shutdown: Duration) -> Self {
        self.options.shutdown = shutdown;
        self
    }

    /// How long the child's factory and `#[on_start]` hook (and, on a
    /// restart, `#[after_restart]`) may take. A start that overruns it is
    /// aborted and counts as a failed start, with a
    /// [`SupervisorError::StartTimeout`] naming the child. Default: no
    /// timeout, as in OTP and Akka; set one for a child whose start may hang
    /// (a connection, a lock), so that it cannot wedge its supervisor.
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.options.start_timeout = Some(timeout);
        self
    }

    /// Keeps the child's spec when it stops for good without a restart (a
    /// transient child that stopped normally, a temporary one, one its
    /// decider stopped), as [`ChildState::Stopped`](crate::ChildState::Stopped),
    /// so that [`SupervisorClient::restart_child`] can start it again. Its
    /// reference then stays valid and messages wait in its mailbox until
    /// it is restarted or deleted. OTP keeps stopped transient children
    /// this way. Default `false`: the child stops for good and leaves the
    /// supervisor.
    pub fn keep(mut self, keep: bool) -> Self {
        self.options.keep = keep;
        self
    }

    /// The child's decider: from each failure to a [`Directive`] (restart,
    /// resume, stop or escalate). Overrides the supervisor's
    /// ([`SupervisorBuilder::on_failure`]).
    pub fn on_failure<F>(mut self, decider: F) -> Self
    where
        F: Fn(&StopReason) -> Directive + Send + Sync + 'static,
    {
        self.slot.on_failure = OnFailure(Some(Arc::new(decider)));
        self
    }

    /// Whether a restart stops the actors the failed instance spawned with
    /// [`Context::spawn`](crate::Context::spawn). Default `true`; with
    /// `false` they live on into the next instance, as Akka's
    /// `withStopChildren(false)`. Stopping the child for good stops them
    /// either way.
    pub fn stop_children_on_restart(mut self, stop: bool) -> Self {
        self.slot.stop_children = stop;
        self
    }

    /// A bounded mailbox of `capacity` (default
    /// [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY)).
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is zero.
    pub fn capacity(mut self, capacity: usize) -> Self {
        assert!(capacity > 0, "a mailbox needs a capacity of at least 1");
        self.mailbox = MailboxKind::Bounded(capacity);
        self
    }

    /// An unbounded mailbox.
    pub fn unbounded(mut self) -> Self {
        self.mailbox = MailboxKind::Unbounded;
        self
    }

    /// Names the child.
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn into_child(self) -> (Child, ActorRef<A>) {
        let slot = Slot::new(self.factory, self.mailbox, self.name, self.slot);
        let actor = slot.actor_ref();
        (Child::new(slot, self.options), actor)
    }

    /// Adds the child to a supervisor being built, and returns its
    /// reference. It starts when the supervisor does.
    ///
    /// # Panics
    ///
    /// Panics if this builder came from a running supervisor's
    /// [`SupervisorClient::child`]; use [`start`](Self::start) there.
    pub fn add(self) -> ActorRef<A> {
        let Target::Builder(builder) = self.target else {
            panic!(
                "`add` declares a child of a supervisor being built; on a running supervisor, use `start().await`"
            )
        };
        let (child, actor) = self.into_child();
        builder
            .sup
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .children
            .push(child);
        actor
    }

    /// Adds the child to a running supervisor, which starts it, and returns
    /// its reference once its `on_start` finished (OTP's
    /// `simple_one_for_one`: e.g. one child per connection).
    ///
    /// # Errors
    ///
    /// [`SupervisorError::ChildStartFailed`] if the child did not start, or
    /// [`SupervisorError::Stopped`] if the supervisor has stopped.
    ///
    /// # Panics
    ///
    /// Panics if this builder came from [`SupervisorBuilder::child`]; use
    /// [`add`](Self::add) there.
    pub async fn start(self) -> Result<ActorRef<A>, SupervisorError> {
        let Target::Running(client) = self.target else {
            panic!(
                "`start` adds a child to a running supervisor; on a supervisor being built, use `add()`"
            )
        };
        let (child, actor) = self.into_child();
        let (reply, result) = oneshot::channel();
        client
            .raw
            .tx
            .send(SupervisorMailbox(Entry::Add {
                child: Box::new(child),
                reply,
            }))
            .await
            .map_err(|_| SupervisorError::Stopped)?;
        result.await.map_err(|_| SupervisorError::Stopped)??;
        Ok(actor)
    }
}
