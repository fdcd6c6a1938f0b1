//! Supervision: restarting failed actors with fresh state, behind typed
//! references that stay valid across restarts.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, Client, RawRef};
use crate::builder::ActorBuilder;
use crate::cell::ActorId;
use crate::child::{ChildSlot, Decision, Intent, Report, Slot, stop_instance};
use crate::context::Context;
use crate::error::{BoxError, SpawnError, StopReason};
use crate::mailbox::{MailboxKind, Tx};

/// Which children a supervisor restarts when one fails (OTP's strategies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Restart only the failed child. The default.
    #[default]
    OneForOne,
    /// Stop every other child (in reverse order), then restart all of them
    /// in declaration order.
    OneForAll,
    /// Stop the children declared after the failed one (in reverse order),
    /// then restart the failed one and those, in declaration order.
    RestForOne,
}

/// When a supervised child is restarted (OTP's restart types).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Restart {
    /// Always, whatever the reason it stopped. The default.
    #[default]
    Permanent,
    /// Only after a failure ([`StopReason::is_failure`]); a normal stop is
    /// final.
    Transient,
    /// Never; when it stops it is removed from the supervisor.
    Temporary,
}

/// How long a supervisor waits before restarting a child that keeps failing.
///
/// The delay before the `n`th consecutive restart is `min * 2^(n-1)`, at most
/// `max`, then moved by a random fraction of itself within `±jitter`. A child
/// that ran for `reset_after` without failing starts again from `min`.
///
/// The default is `exponential(10 ms, 5 s)` with `jitter(0.2)` and
/// `reset_after(10 s)`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::Backoff;
/// let b = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1));
/// assert_eq!(b.delay(1), Duration::from_millis(10));
/// assert_eq!(b.delay(3), Duration::from_millis(40));
/// assert_eq!(b.delay(30), Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::exponential(Duration::from_millis(10), Duration::from_secs(5)).jitter(0.2)
    }
}

impl Backoff {
    /// No delay: restart at once, as OTP does.
    pub fn none() -> Self {
        Backoff {
            min: Duration::ZERO,
            max: Duration::ZERO,
            jitter: 0.0,
            reset_after: Duration::from_secs(10),
        }
    }

    /// Doubling delays from `min` up to `max`, without jitter.
    ///
    /// # Panics
    ///
    /// Panics if `min > max`.
    pub fn exponential(min: Duration, max: Duration) -> Self {
        assert!(
            min <= max,
            "backoff: `min` ({min:?}) must not exceed `max` ({max:?})"
        );
        Backoff {
            min,
            max,
            jitter: 0.0,
            reset_after: Duration::from_secs(10),
        }
    }

    /// Moves each delay by a random fraction of itself within `±fraction`
    /// (clamped to `0.0..=1.0`), so that children failing together do not
    /// restart in lockstep.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// How long a child must run without failing for its delays to start
    /// again from `min`.
    pub fn reset_after(mut self, healthy: Duration) -> Self {
        self.reset_after = healthy;
        self
    }

    /// The delay before the `failures`th consecutive restart, without jitter.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures == 0 || self.min.is_zero() {
            return Duration::ZERO;
        }
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(31));
        self.min.saturating_mul(factor).min(self.max)
    }

    /// The jitter fraction.
    pub fn jitter_fraction(&self) -> f64 {
        self.jitter
    }

    fn jittered(&self, failures: u32) -> Duration {
        let base = self.delay(failures);
        if self.jitter == 0.0 || base.is_zero() {
            return base;
        }
        let unit = random_unit() * 2.0 - 1.0; // in [-1, 1)
        base.mul_f64(1.0 + self.jitter * unit)
    }
}

/// A random number in `[0, 1)`, from the standard library's per-process
/// random hasher keys; good enough to spread restarts.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Why a supervisor failed, or refused a child.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SupervisorError {
    /// More restarts than the intensity allows happened within its window:
    /// the supervisor stopped its children and failed, with this as the
    /// error of its [`StopReason::Failed`].
    IntensityExceeded {
        /// The child whose failure went over the limit.
        child: ActorId,
        /// Why that child stopped.
        reason: StopReason,
        /// The limit: at most this many restarts...
        restarts: u32,
        /// ...within this window.
        within: Duration,
    },
    /// A child failed to start when the supervisor started.
    ChildStartFailed {
        /// The child.
        child: ActorId,
        /// Why it did not start.
        reason: StopReason,
    },
    /// The supervisor has stopped, so it cannot take a new child.
    Stopped,
}

impl fmt::Display for SupervisorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupervisorError::IntensityExceeded {
                child,
                reason,
                restarts,
                within,
            } => write!(
                f,
                "restart intensity exceeded: more than {restarts} restarts within {within:?}; the last failure was child {child}, which {reason}"
            ),
            SupervisorError::ChildStartFailed { child, reason } => {
                write!(f, "child {child} did not start: {reason}")
            }
            SupervisorError::Stopped => f.write_str("the supervisor has stopped"),
        }
    }
}

impl Error for SupervisorError {}

/// The restart options of one child.
#[derive(Clone, Copy, Debug)]
struct ChildOptions {
    restart: Restart,
    shutdown: Duration,
}

impl Default for ChildOptions {
    fn default() -> Self {
        ChildOptions {
            restart: Restart::Permanent,
            shutdown: Duration::from_secs(5),
        }
    }
}

struct Child {
    slot: Arc<dyn ChildSlot>,
    options: ChildOptions,
    /// Consecutive failures, for the backoff.
    failures: u32,
    started_at: Instant,
    /// Set while the child waits out a backoff before its restart.
    restart_due: Option<u64>,
    /// Added at run time, so not part of the declaration a restarted
    /// supervisor starts from.
    dynamic: bool,
}

impl Clone for Child {
    fn clone(&self) -> Self {
        Child {
            slot: self.slot.clone(),
            options: self.options,
            failures: 0,
            started_at: Instant::now(),
            restart_due: None,
            dynamic: self.dynamic,
        }
    }
}

/// An actor that runs other actors and restarts them, with fresh state from
/// their factories, when they fail: "let it crash".
///
/// Build one with [`Supervisor::builder`]. Each child is declared with a
/// factory and gets a typed [`ActorRef`] at once, which stays valid across
/// restarts: same id, same mailbox. The message whose handler failed is not
/// retried (its asker gets the error); messages that arrive while the child
/// restarts wait in its mailbox for the new instance.
///
/// A supervisor runs until it is stopped or fails; dropping its reference
/// does not stop it. Stopping it stops its children in reverse declaration
/// order, each within its shutdown time, and reports every message they did
/// not handle as a dead letter. Supervisors nest: pass one built with
/// [`SupervisorBuilder::into_factory`] as a child of another.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use typact::prelude::*;
/// use typact::{Restart, Strategy, Supervisor};
///
/// #[derive(Default)]
/// struct Flaky {
///     handled: u32,
/// }
///
/// #[actor]
/// impl Flaky {
///     #[handler]
///     fn work(&mut self, fail: bool) -> u32 {
///         assert!(!fail, "asked to fail");
///         self.handled += 1;
///         self.handled
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sup = Supervisor::builder().strategy(Strategy::OneForOne).intensity(3, Duration::from_secs(5));
/// let flaky: ActorRef<Flaky> = sup.child(Flaky::default).restart(Restart::Permanent).add();
/// let sup = sup.spawn().await?;
///
/// assert_eq!(flaky.work(false).await?, 1);
/// assert_eq!(flaky.work(true).await, Err(AskError::Panicked));
/// // Same reference, fresh state.
/// assert_eq!(flaky.work(false).await?, 1);
///
/// sup.stop();
/// sup.wait_for_stop().await;
/// assert!(!flaky.is_alive());
/// # Ok(()) }
/// ```
pub struct Supervisor {
    strategy: Strategy,
    max_restarts: u32,
    within: Duration,
    backoff: Backoff,
    children: Vec<Child>,
    restarts: VecDeque<Instant>,
    /// Keeps the supervisor alive while it runs.
    myself: Option<ActorRef<Supervisor>>,
    /// Distinguishes the backoff timers of successive failures.
    next_token: u64,
}

impl Clone for Supervisor {
    fn clone(&self) -> Self {
        Supervisor {
            strategy: self.strategy,
            max_restarts: self.max_restarts,
            within: self.within,
            backoff: self.backoff,
            children: self.children.clone(),
            restarts: VecDeque::new(),
            myself: None,
            next_token: 0,
        }
    }
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor")
            .field("strategy", &self.strategy)
            .field("intensity", &(self.max_restarts, self.within))
            .field("backoff", &self.backoff)
            .field("children", &self.children.len())
            .finish()
    }
}

impl Supervisor {
    /// A builder with the defaults: [`Strategy::OneForOne`], at most 3
    /// restarts within 5 seconds, and [`Backoff::default`].
    pub fn builder() -> SupervisorBuilder {
        SupervisorBuilder {
            sup: Mutex::new(Supervisor {
                strategy: Strategy::OneForOne,
                max_restarts: 3,
                within: Duration::from_secs(5),
                backoff: Backoff::default(),
                children: Vec::new(),
                restarts: VecDeque::new(),
                myself: None,
                next_token: 0,
            }),
            name: None,
        }
    }

    fn position(&self, id: ActorId) -> Option<usize> {
        self.children.iter().position(|c| c.slot.cell().id == id)
    }

    fn adopt(&self, slot: &Arc<dyn ChildSlot>, tx: &Tx<SupervisorMailbox>) {
        let tx = tx.clone();
        let report: Report = Box::new(move |child, generation, reason| {
            tx.try_send(SupervisorMailbox(Entry::Exited {
                child,
                generation,
                reason,
            }))
            .is_ok()
        });
        slot.set_report(Arc::new(report));
    }

    /// Starts a child's instance and waits until its `on_start` is done.
    async fn start_child(child: &Child, restarted: Option<StopReason>) -> Result<(), StopReason> {
        let (ready_tx, ready_rx) = oneshot::channel();
        let restart = Decision::Restart {
            ready: Some(ready_tx),
        };
        if let Err(Decision::Restart { ready }) = child.slot.decide(restart) {
            child.slot.clone().start(restarted, ready);
        }
        match ready_rx.await {
            Ok(result) => result,
            // The child was stopped or killed while starting.
            Err(_) => Err(StopReason::Killed),
        }
    }

    /// Stops the instances of `positions` in reverse order, each within its
    /// shutdown time (its end hook included), leaving them waiting for a
    /// decision. `intent` says, per child, whether it will be replaced.
    async fn stop_instances(&self, positions: &[usize], intent: impl Fn(&Child) -> Intent) {
        for &i in positions.iter().rev() {
            let child = &self.children[i];
            stop_instance(&*child.slot, child.options.shutdown, intent(child)).await;
        }
    }

    /// Stops every child for good, in reverse declaration order, each
    /// within its shutdown time, and reports what they left unhandled.
    async fn shut_down(&mut self) {
        let mut dead_letters = 0;
        // Popped only once stopped, so that a supervisor killed meanwhile
        // still kills the rest (see `Drop`).
        while let Some(child) = self.children.last() {
            let shutdown = child.options.shutdown;
            let killed = stop_instance(&*child.slot, shutdown, Intent::Stop).await;
            let reason = if killed {
                StopReason::Killed
            } else {
                StopReason::Normal
            };
            stop_for_good(&child.slot, shutdown, reason).await;
            dead_letters += child
                .slot
                .cell()
                .dead_letters
                .load(std::sync::atomic::Ordering::Relaxed);
            self.children.pop();
        }
        if dead_letters > 0 {
            tracing::warn!(
                dead_letters,
                "supervisor stopped its children; they left messages unhandled"
            );
        }
    }

    /// Ends the instances of every declared child but keeps their mailboxes
    /// (and references) for a later instance of this supervisor; children
    /// added at run time are stopped for good, as in OTP.
    async fn park_children(&mut self) {
        let all: Vec<usize> = (0..self.children.len()).collect();
        self.stop_instances(&all, |child| {
            if child.dynamic {
                Intent::Stop
            } else {
                Intent::Restart
            }
        })
        .await;
        for i in (0..self.children.len()).rev() {
            let slot = self.children[i].slot.clone();
            let shutdown = self.children[i].options.shutdown;
            if self.children[i].dynamic {
                self.children.remove(i);
                stop_for_good(&slot, shutdown, StopReason::Normal).await;
            } else {
                // The instance is no longer running, but its task may still
                // have to run its end hook and hand the mailbox back; the
                // next start needs that mailbox, so wait until the task says
                // it is done (or abort it after the shutdown time).
                if slot.decide(Decision::Park).is_ok()
                    && tokio::time::timeout(shutdown, slot.running().ended())
                        .await
                        .is_err()
                {
                    tracing::warn!(actor = %slot.cell(), ?shutdown, "child overran its shutdown time while parked; killing it");
                    slot.cell().kill();
                    slot.running().ended().await;
                }
            }
        }
    }

    async fn child_exited(
        &mut self,
        id: ActorId,
        generation: u64,
        reason: StopReason,
        ctx: &mut Context<Self>,
    ) {
        let Some(pos) = self.position(id) else { return };
        if self.children[pos].slot.generation() != generation
            || self.children[pos].restart_due.is_some()
        {
            return;
        }
        let restart = match self.children[pos].options.restart {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure(),
            Restart::Temporary => false,
        };
        if !restart {
            let child = self.children.remove(pos);
            if let Err(Decision::Stop(reason)) = child.slot.decide(Decision::Stop(reason)) {
                child.slot.finalize(reason);
            }
            return;
        }

        let now = Instant::now();
        self.restarts.push_back(now);
        while self
            .restarts
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.within)
        {
            self.restarts.pop_front();
        }
        if self.restarts.len() > self.max_restarts as usize {
            let error = SupervisorError::IntensityExceeded {
                child: id,
                reason: reason.clone(),
                restarts: self.max_restarts,
                within: self.within,
            };
            tracing::error!(supervisor = %ctx.cell(), %error, "supervisor gives up");
            // The failed child's instance has ended; the others are stopped
            // in reverse order. All are parked: if this supervisor is
            // restarted by its own, the new instance starts them again; if
            // it stops for good, `on_stop` stops them.
            self.park_children().await;
            ctx.cell().fail(StopReason::Failed(Arc::new(error)));
            return;
        }

        let child = &mut self.children[pos];
        if now.duration_since(child.started_at) >= self.backoff.reset_after {
            child.failures = 0;
        }
        child.failures += 1;
        let delay = self.backoff.jittered(child.failures);

        let set: Vec<usize> = match self.strategy {
            Strategy::OneForOne => vec![pos],
            Strategy::OneForAll => (0..self.children.len()).collect(),
            Strategy::RestForOne => (pos..self.children.len()).collect(),
        };
        let others: Vec<usize> = set.iter().copied().filter(|&i| i != pos).collect();
        // Temporary siblings are stopped for good, the others for the restart.
        self.stop_instances(&others, |child| match child.options.restart {
            Restart::Temporary => Intent::Stop,
            Restart::Permanent | Restart::Transient => Intent::Restart,
        })
        .await;

        // Temporary siblings stopped for the restart are not restarted.
        let mut restart_ids = Vec::new();
        let mut removed = Vec::new();
        for &i in &set {
            let child = &self.children[i];
            if i != pos && child.options.restart == Restart::Temporary {
                removed.push(child.slot.cell().id);
            } else {
                restart_ids.push(child.slot.cell().id);
            }
        }
        for id in removed {
            if let Some(i) = self.position(id) {
                let child = self.children.remove(i);
                if let Err(Decision::Stop(reason)) =
                    child.slot.decide(Decision::Stop(StopReason::Normal))
                {
                    child.slot.finalize(reason);
                }
            }
        }

        self.next_token += 1;
        let token = self.next_token;
        for id in &restart_ids {
            if let Some(i) = self.position(*id) {
                self.children[i].restart_due = Some(token);
            }
        }
        if delay.is_zero() {
            self.restart_due(token, reason).await;
        } else {
            tracing::info!(supervisor = %ctx.cell(), child = %id, ?delay, "restarting after a backoff");
            let tx = ctx.tx.clone();
            let task = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = tx
                    .send(SupervisorMailbox(Entry::RestartDue { token, reason }))
                    .await;
            });
            ctx.track(task.abort_handle());
        }
    }

    /// Restarts, in declaration order, the children waiting on `token`.
    async fn restart_due(&mut self, token: u64, reason: StopReason) {
        let due: Vec<usize> = (0..self.children.len())
            .filter(|&i| self.children[i].restart_due == Some(token))
            .collect();
        for i in due {
            let child = &mut self.children[i];
            child.restart_due = None;
            child.started_at = Instant::now();
            if let Err(start) = Self::start_child(child, Some(reason.clone())).await {
                // Reported by the child itself, like any failure.
                tracing::warn!(child = %child.slot.cell(), %start, "restarted child failed to start");
            }
        }
    }
}

/// Stops for good a child whose instance is not running: decides its stop
/// with `reason`, and gives its `on_stop` hook (if it has not run yet) the
/// child's shutdown time, after which the child is aborted and stops as
/// [`StopReason::Killed`].
async fn stop_for_good(slot: &Arc<dyn ChildSlot>, shutdown: Duration, reason: StopReason) {
    if let Err(Decision::Stop(reason)) = slot.decide(Decision::Stop(reason)) {
        slot.finalize(reason);
    }
    let cell = slot.cell();
    if tokio::time::timeout(shutdown, cell.wait_for_stop())
        .await
        .is_err()
    {
        tracing::warn!(actor = %cell, ?shutdown, "child's `on_stop` overran its shutdown time; killing it");
        cell.kill();
        slot.finalize(StopReason::Killed);
    }
}

/// Configures a [`Supervisor`] and declares its children.
///
/// Children are declared with [`child`](Self::child), which returns a
/// [`ChildBuilder`]; its [`add`](ChildBuilder::add) hands back the child's
/// typed reference before anything runs. Messages sent to it wait in its
/// mailbox until the supervisor starts it.
pub struct SupervisorBuilder {
    sup: Mutex<Supervisor>,
    name: Option<Arc<str>>,
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
    /// supervisor stops its children and fails, with
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
        ChildBuilder {
            target: Target::Builder(self),
            factory: Box::new(factory),
            options: ChildOptions::default(),
            mailbox: MailboxKind::default(),
            name: None,
        }
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
    /// [`SpawnError`] if a child failed to start; the children started
    /// before it are stopped again.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime.
    pub async fn spawn(self) -> Result<ActorRef<Supervisor>, SpawnError> {
        let name = self.name.clone();
        let sup = self
            .sup
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut builder = ActorBuilder::new(sup).unbounded();
        if let Some(name) = name {
            builder = builder.name(name);
        }
        builder.spawn_ready().await
    }
}

enum Target<'a> {
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
    mailbox: MailboxKind,
    name: Option<Arc<str>>,
}

impl<A: Actor> fmt::Debug for ChildBuilder<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildBuilder")
            .field("actor", &A::TYPE_NAME)
            .field("restart", &self.options.restart)
            .field("shutdown", &self.options.shutdown)
            .field("mailbox", &self.mailbox)
            .finish()
    }
}

impl<A: Actor> ChildBuilder<'_, A> {
    /// When the child is restarted. Default [`Restart::Permanent`].
    pub fn restart(mut self, restart: Restart) -> Self {
        self.options.restart = restart;
        self
    }

    /// How long the child may take to stop when asked (its current message
    /// and its `on_stop` hook) before it is aborted. Default 5 seconds.
    pub fn shutdown(mut self, shutdown: Duration) -> Self {
        self.options.shutdown = shutdown;
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
        let slot = Slot::new(self.factory, self.mailbox, self.name, self.options.restart);
        let actor = slot.actor_ref();
        let child = Child {
            slot,
            options: self.options,
            failures: 0,
            started_at: Instant::now(),
            restart_due: None,
            dynamic: false,
        };
        (child, actor)
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

/// An entry of a [`Supervisor`]'s mailbox; sent by the runtime, not by
/// users.
#[doc(hidden)]
pub struct SupervisorMailbox(Entry);

impl fmt::Debug for SupervisorMailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Entry::Exited { .. } => "SupervisorMailbox(Exited)",
            Entry::RestartDue { .. } => "SupervisorMailbox(RestartDue)",
            Entry::Add { .. } => "SupervisorMailbox(Add)",
            Entry::Children { .. } => "SupervisorMailbox(Children)",
        })
    }
}

enum Entry {
    Exited {
        child: ActorId,
        generation: u64,
        reason: StopReason,
    },
    RestartDue {
        token: u64,
        reason: StopReason,
    },
    Add {
        child: Box<Child>,
        reply: oneshot::Sender<Result<(), SupervisorError>>,
    },
    Children {
        reply: oneshot::Sender<Vec<ActorId>>,
    },
}

/// What `ActorRef<Supervisor>` dereferences to: the supervisor's typed
/// operations.
pub struct SupervisorClient {
    raw: RawRef<Supervisor>,
}

impl fmt::Debug for SupervisorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorClient").finish_non_exhaustive()
    }
}

impl Client<Supervisor> for SupervisorClient {
    fn __from_raw(raw: RawRef<Supervisor>) -> Self {
        SupervisorClient { raw }
    }

    fn __raw(&self) -> &RawRef<Supervisor> {
        &self.raw
    }
}

impl SupervisorClient {
    /// Declares a child to add to this running supervisor; finish with
    /// [`ChildBuilder::start`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # use typact::Supervisor;
    /// #[derive(Default)] struct Conn { port: u16 }
    /// #[actor] impl Conn { #[handler] fn port(&self) -> u16 { self.port } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sup = Supervisor::builder().spawn().await?;
    /// let conn = sup.child(|| Conn { port: 8080 }).start().await?;
    /// assert_eq!(conn.port().await?, 8080);
    /// assert_eq!(sup.children().await?, vec![conn.id()]);
    /// # Ok(()) }
    /// ```
    pub fn child<A, F>(&self, factory: F) -> ChildBuilder<'_, A>
    where
        A: Actor,
        F: FnMut() -> A + Send + 'static,
    {
        ChildBuilder {
            target: Target::Running(self),
            factory: Box::new(factory),
            options: ChildOptions::default(),
            mailbox: MailboxKind::default(),
            name: None,
        }
    }

    /// The ids of the current children, in declaration order.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::Stopped`] if the supervisor has stopped.
    pub async fn children(&self) -> Result<Vec<ActorId>, SupervisorError> {
        let (reply, result) = oneshot::channel();
        self.raw
            .tx
            .send(SupervisorMailbox(Entry::Children { reply }))
            .await
            .map_err(|_| SupervisorError::Stopped)?;
        result.await.map_err(|_| SupervisorError::Stopped)
    }
}

impl Actor for Supervisor {
    type Mailbox = SupervisorMailbox;
    type Client = SupervisorClient;
    const TYPE_NAME: &'static str = "Supervisor";

    async fn __handle(&mut self, entry: SupervisorMailbox, ctx: &mut Context<Self>) {
        match entry.0 {
            Entry::Exited {
                child,
                generation,
                reason,
            } => {
                self.child_exited(child, generation, reason, ctx).await;
            }
            Entry::RestartDue { token, reason } => self.restart_due(token, reason).await,
            Entry::Add { child, reply } => {
                let mut child = *child;
                child.dynamic = true;
                self.adopt(&child.slot, &ctx.tx);
                let id = child.slot.cell().id;
                match Self::start_child(&child, None).await {
                    Ok(()) => {
                        self.children.push(child);
                        let _ = reply.send(Ok(()));
                    }
                    Err(reason) => {
                        if let Err(Decision::Stop(r)) =
                            child.slot.decide(Decision::Stop(reason.clone()))
                        {
                            child.slot.finalize(r);
                        }
                        let _ = reply
                            .send(Err(SupervisorError::ChildStartFailed { child: id, reason }));
                    }
                }
            }
            Entry::Children { reply } => {
                let _ = reply.send(self.children.iter().map(|c| c.slot.cell().id).collect());
            }
        }
    }

    fn __reject(entry: SupervisorMailbox) -> bool {
        match entry.0 {
            Entry::Add { child, reply } => {
                let _ = reply.send(Err(SupervisorError::Stopped));
                child.slot.finalize(StopReason::Normal);
            }
            // The children are stopped by `on_stop`, whatever they reported.
            Entry::Exited { .. } | Entry::RestartDue { .. } | Entry::Children { .. } => {}
        }
        false
    }

    async fn __on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.myself = Some(ctx.myself());
        for child in &self.children {
            self.adopt(&child.slot, &ctx.tx);
        }
        for i in 0..self.children.len() {
            self.children[i].started_at = Instant::now();
            if let Err(reason) = Self::start_child(&self.children[i], None).await {
                let child = self.children[i].slot.cell().id;
                let failed = self.children.remove(i);
                if let Err(Decision::Stop(r)) = failed.slot.decide(Decision::Stop(reason.clone())) {
                    failed.slot.finalize(r);
                }
                self.children.truncate(i);
                self.shut_down().await;
                self.myself = None;
                return Err(
                    Box::new(SupervisorError::ChildStartFailed { child, reason }) as BoxError,
                );
            }
        }
        Ok(())
    }

    async fn __on_stop(&mut self, _reason: &StopReason, _ctx: &mut Context<Self>) {
        self.shut_down().await;
        self.myself = None;
    }

    async fn __before_restart(&mut self, _reason: &StopReason, _ctx: &mut Context<Self>) {
        // The declared children are parked (see `child_exited`) and the
        // next instance, a clone of the declaration, starts them again.
        self.park_children().await;
        self.children.clear();
        self.myself = None;
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        // Reached with children left only when the supervisor was killed or
        // its runtime shut down.
        for child in &self.children {
            child.slot.cell().kill();
            if let Err(Decision::Stop(reason)) =
                child.slot.decide(Decision::Stop(StopReason::Killed))
            {
                child.slot.finalize(reason);
            }
        }
    }
}
