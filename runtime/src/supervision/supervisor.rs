//! The [`Supervisor`] actor: starts its children, decides what each
//! failure means, restarts, gives up, and stops them all at its end.

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::admin::{end_for_good, hold_for_restart, park};
use super::backoff::Backoff;
use super::child::stop_instance;
use super::client::{Entry, SupervisorClient, SupervisorMailbox};
use super::error::{Ignore, SupervisorError};
use super::slot::{ChildSlot, Decision, Intent, Report};
use super::spec::Child;
use super::strategy::{Directive, OnFailure, Restart, Strategy};
use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::cell::{ActorId, Cell, KILL, STOP};
use crate::context::Context;
use crate::error::{BoxError, StopReason};
use crate::mailbox::ActorTx;
use crate::registry::paths;

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
/// [`SupervisorBuilder::into_factory`](crate::SupervisorBuilder::into_factory)
/// as a child of another.
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
    pub(crate) strategy: Strategy,
    pub(crate) max_restarts: u32,
    pub(crate) within: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) on_failure: OnFailure,
    pub(crate) children: Vec<Child>,
    restarts: VecDeque<Instant>,
    /// Keeps the supervisor alive while it runs.
    myself: Option<ActorRef<Supervisor>>,
    /// Distinguishes the backoff timers of successive failures.
    next_token: u64,
    /// Spawned on its own by `SupervisorBuilder::spawn`: a named root of
    /// the tree of paths. A nested supervisor takes its path from its
    /// parent instead.
    pub(super) root: bool,
}

impl Clone for Supervisor {
    fn clone(&self) -> Self {
        Supervisor {
            strategy: self.strategy,
            max_restarts: self.max_restarts,
            within: self.within,
            backoff: self.backoff,
            on_failure: self.on_failure.clone(),
            children: self.children.clone(),
            restarts: VecDeque::new(),
            myself: None,
            next_token: 0,
            root: self.root,
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

/// Resolves once `cell` is asked to stop or is killed. Polled from the
/// supervisor's own handler, whose task the cell wakes.
async fn stop_signal(cell: &Cell) {
    poll_fn(|cx| {
        // SAFETY: `cell` is the supervisor's own, and this runs in its
        // task, between polls of its mailbox (from one of its handlers).
        unsafe { cell.register(cx.waker()) };
        if cell.flags() & (STOP | KILL) != 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

/// Resolves when a start timeout runs out; never without one (so that a
/// runtime without a timer can run supervisors).
pub(super) async fn start_deadline(timeout: Option<Duration>) {
    match timeout {
        Some(timeout) => tokio::time::sleep(timeout).await,
        None => std::future::pending().await,
    }
}

impl Supervisor {
    /// A builder with the defaults: [`Strategy::OneForOne`], at most 3
    /// restarts within 5 seconds, and [`Backoff::default`].
    pub fn builder() -> crate::SupervisorBuilder {
        crate::SupervisorBuilder {
            sup: std::sync::Mutex::new(Supervisor {
                strategy: Strategy::OneForOne,
                max_restarts: 3,
                within: Duration::from_secs(5),
                backoff: Backoff::default(),
                on_failure: OnFailure::default(),
                children: Vec::new(),
                restarts: VecDeque::new(),
                myself: None,
                next_token: 0,
                root: false,
            }),
            name: None,
        }
    }

    pub(super) fn position(&self, id: ActorId) -> Option<usize> {
        self.children.iter().position(|c| c.id() == id)
    }

    pub(super) fn adopt(&self, slot: &Arc<dyn ChildSlot>, tx: &ActorTx<Supervisor>) {
        let tx = tx.clone();
        let report: Report = Box::new(move |child, generation, reason| {
            tx.try_send(SupervisorMailbox(Entry::Exited {
                child,
                generation,
                reason,
            }))
            .is_ok()
        });
        slot.adopt(Arc::new(report), self.on_failure.clone());
    }

    /// Starts a child's instance and waits until its start hooks are done,
    /// at most its start timeout. If this supervisor is asked to stop
    /// meanwhile, the start gets the child's shutdown time to finish.
    ///
    /// A restarted instance's `after_restart` hook gets the reason the
    /// previous one ended, which its task (or, for a parked child, its
    /// slot) keeps.
    pub(super) async fn start_child(child: &Child, me: &Cell) -> Result<(), StopReason> {
        let (ready_tx, mut ready_rx) = oneshot::channel();
        child.slot.clone().decide(Decision::Restart {
            ready: Some(ready_tx),
        });
        let outcome = tokio::select! {
            biased;
            ready = &mut ready_rx => Some(ready),
            () = start_deadline(child.options.start_timeout) => None,
            () = stop_signal(me) => {
                tokio::time::timeout(child.options.shutdown, &mut ready_rx).await.ok()
            }
        };
        match outcome {
            Some(Ok(result)) => result,
            // The child was stopped or killed while starting.
            Some(Err(_)) => Err(StopReason::Killed),
            None => {
                let cell = child.slot.cell();
                let reason = if me.flags() & (STOP | KILL) != 0 {
                    StopReason::NotStarted
                } else {
                    let error = SupervisorError::StartTimeout {
                        child: cell.id,
                        name: cell.name.clone(),
                        after: child.options.start_timeout.unwrap_or_default(),
                    };
                    tracing::error!(actor = %cell, %error, "child start timed out");
                    StopReason::StartFailed(Arc::new(error))
                };
                child.slot.abort_with(reason.clone());
                child.slot.running().released().await;
                Err(reason)
            }
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
            // A child that ended on its own keeps its reason: its crash, or
            // the normal stop the supervisor asked for.
            end_for_good(child).await;
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
        for i in (0..self.children.len()).rev() {
            if self.children[i].dynamic {
                let child = self.children.remove(i);
                end_for_good(&child).await;
            } else {
                park(&self.children[i]).await;
            }
        }
    }

    /// Takes a child out of service for good without a restart: its spec is
    /// kept (as stopped) if it asked for that, and removed otherwise.
    async fn retire(&mut self, pos: usize) {
        if self.children[pos].options.keep {
            let child = &mut self.children[pos];
            child.stopped = true;
            child.restart_due = None;
            child.slot.clone().decide(Decision::Park { done: None });
        } else {
            let child = self.children.remove(pos);
            child.slot.clone().decide(Decision::Stop(None));
        }
    }

    /// Gives up: the child whose failure it was runs its `on_stop` hook, and
    /// this supervisor stops with `error`; its end (stopping or parking the
    /// children) follows from its own supervisor's decision, if any.
    fn give_up(&mut self, pos: usize, error: SupervisorError, ctx: &mut Context<Self>) {
        tracing::error!(supervisor = %ctx.cell(), %error, "supervisor gives up");
        self.children[pos].slot.clone().decide(Decision::Hold {
            intent: Intent::Stop,
            done: None,
        });
        ctx.cell().fail(StopReason::Failed(Arc::new(error)));
    }

    pub(super) async fn child_exited(
        &mut self,
        id: ActorId,
        generation: u64,
        reason: StopReason,
        ctx: &mut Context<Self>,
    ) {
        let Some(pos) = self.position(id) else { return };
        let child = &self.children[pos];
        if child.slot.generation() != generation
            || generation <= child.handled
            || child.restart_due.is_some()
            || child.stopped
        {
            return;
        }
        if child.starting {
            self.children[pos].deferred = Some((generation, reason));
            return;
        }
        self.children[pos].handled = generation;
        let child = &self.children[pos];
        if ctx.cell().flags() & (STOP | KILL) != 0 {
            // Stopping: `on_stop` or `before_restart` ends every child.
            return;
        }
        let directive = if reason.is_failure() {
            child.slot.directive(&reason)
        } else {
            Directive::Restart
        };
        match directive {
            Directive::Escalate => {
                let error = SupervisorError::Escalated {
                    child: id,
                    reason: reason.clone(),
                };
                return self.give_up(pos, error, ctx);
            }
            Directive::Stop => return self.retire(pos).await,
            // A failure that reached the supervisor cannot be resumed (a
            // failed start, a kill): it restarts.
            Directive::Restart | Directive::Resume => {}
        }
        if !child.options.restart.restarts_after(&reason) {
            return self.retire(pos).await;
        }
        if Ignore::is(&reason) {
            // A restarted instance declined to start: kept, not restarted.
            let child = &mut self.children[pos];
            child.stopped = true;
            child.slot.clone().decide(Decision::Park { done: None });
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
            return self.give_up(pos, error, ctx);
        }

        let child = &mut self.children[pos];
        if now.duration_since(child.started_at) >= self.backoff.reset_period() {
            child.failures = 0;
        }
        child.failures += 1;
        let delay = self.backoff.jittered(child.failures);

        let set: Vec<usize> = match self.strategy {
            Strategy::OneForOne => vec![pos],
            Strategy::OneForAll => (0..self.children.len()).collect(),
            Strategy::RestForOne => (pos..self.children.len()).collect(),
        };
        // Siblings that are stopped with their spec kept stay stopped.
        let set: Vec<usize> = set
            .into_iter()
            .filter(|&i| i == pos || !self.children[i].stopped)
            .collect();
        let others: Vec<usize> = set.iter().copied().filter(|&i| i != pos).collect();
        // The failed instance ends first (its `before_restart` hook, its
        // children, its timers), within its shutdown time, as OTP's
        // `terminate` runs in the failed process before its siblings are
        // stopped; with a backoff, now rather than when the delay is over.
        hold_for_restart(&self.children[pos]).await;
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
                removed.push(child.id());
            } else {
                restart_ids.push(child.id());
            }
        }
        for id in removed {
            if let Some(i) = self.position(id) {
                self.retire(i).await;
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
            self.restart_due(token, ctx);
        } else {
            tracing::info!(supervisor = %ctx.cell(), child = %id, ?delay, "restarting after a backoff");
            let tx = ctx.tx.clone();
            let task = tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = tx
                    .send(SupervisorMailbox(Entry::RestartDue { token }))
                    .await;
            });
            ctx.track(task.abort_handle());
        }
    }

    /// Restarts, in declaration order, the children waiting on `token`,
    /// one after the other, without blocking the supervisor.
    fn restart_due(&mut self, token: u64, ctx: &mut Context<Self>) {
        let due: Vec<ActorId> = self
            .children
            .iter()
            .filter(|c| c.restart_due == Some(token))
            .map(Child::id)
            .collect();
        self.restart_next(due, ctx);
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
            Entry::RestartDue { token } => self.restart_due(token, ctx),
            Entry::Add { child, reply } => self.add(*child, reply, ctx),
            Entry::Admin { op, child, reply } => self.admin(op, child, reply, ctx).await,
            Entry::Started {
                child,
                result,
                then,
            } => self.started(child, result, then, ctx).await,
            Entry::Children { reply } => {
                let _ = reply.send(self.children.iter().map(Child::info).collect());
            }
        }
    }

    fn __reject(entry: SupervisorMailbox) -> bool {
        entry.0.reject();
        false
    }

    async fn __on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if self.root
            && let Err(error) = paths::assign_root(&crate::protocol::erase::<Self>(&ctx.tx))
        {
            for child in self.children.drain(..) {
                child.slot.finalize(Some(StopReason::NotStarted));
            }
            return Err(Box::new(error));
        }
        self.myself = Some(ctx.myself());
        for child in &self.children {
            self.adopt(&child.slot, &ctx.tx);
        }
        for i in 0..self.children.len() {
            self.children[i].started_at = Instant::now();
            let started = match paths::assign_child(ctx.cell(), &self.children[i].slot.mailbox()) {
                Ok(()) => Self::start_child(&self.children[i], ctx.cell()).await,
                Err(error) => Err(StopReason::StartFailed(Arc::new(error))),
            };
            match started {
                Ok(()) => {}
                Err(reason) if Ignore::is(&reason) => {
                    // OTP's `ignore`: kept as a spec, not a failure.
                    self.children[i].stopped = true;
                    park(&self.children[i]).await;
                }
                Err(reason) => {
                    let child = self.children[i].id();
                    let failed = self.children.remove(i);
                    failed
                        .slot
                        .clone()
                        .decide(Decision::Stop(Some(reason.clone())));
                    // The children declared after it never start.
                    for later in self.children.drain(i..) {
                        later.slot.finalize(Some(StopReason::NotStarted));
                    }
                    self.shut_down().await;
                    self.myself = None;
                    return Err(
                        Box::new(SupervisorError::ChildStartFailed { child, reason }) as BoxError,
                    );
                }
            }
        }
        Ok(())
    }

    async fn __on_stop(&mut self, _reason: &StopReason, _ctx: &mut Context<Self>) {
        self.shut_down().await;
        self.myself = None;
    }

    async fn __before_restart(&mut self, _reason: &StopReason, _ctx: &mut Context<Self>) {
        // The declared children are parked and the next instance, a clone
        // of the declaration, starts them again.
        self.park_children().await;
        self.children.clear();
        self.myself = None;
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        // Reached with children left only when the supervisor was killed or
        // its runtime shut down: abort each child and stop it for good. A
        // child's task that ends after this finds its slot finalized and
        // drains its mailbox, so nothing queued is left behind.
        for child in &self.children {
            child.slot.cell().kill();
            child.slot.finalize(Some(StopReason::Killed));
        }
    }
}
