//! A supervised child's lasting part: the [`Slot`] that keeps its cell and
//! mailbox across instances, and the hand-over of that mailbox between the
//! child's tasks and its supervisor.
//!
//! At any moment the mailbox's receiver is owned either by the child's task
//! (`Ctrl::task`) or by the slot (see [`handover`](super::handover)), never
//! both and never neither until the child is finalized. Every path that
//! ends a task hands it back through [`Slot::hand_back`], which drains it
//! instead once the child has been stopped for good; so whatever order a
//! task's end and its supervisor's decision come in, every queued ask fails
//! with `Stopped` and every queued tell is counted as a dead letter.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, oneshot};

use super::handover::{Handover, Taken};
use super::strategy::{Directive, OnFailure, Restart};
use crate::actor::Actor;
use crate::actor_ref::{ActorRef, RawRef};
use crate::cell::{ActorId, Cell};
use crate::error::StopReason;
use crate::mailbox::{self, ActorRx, MailboxKind};
use crate::run::{Ready, StartPanic, drain_rx, panic_message};

/// What a supervisor decides for a child whose instance ended.
pub(crate) enum Decision {
    /// Run a fresh instance on the same mailbox; `ready` learns how its
    /// start went.
    Restart { ready: Option<Ready> },
    /// Run the end hook for `intent` now, if it has not run, tell `done`,
    /// and wait for the next decision: the restart (after the siblings of
    /// the restart set have stopped, or after a backoff), or the end of a
    /// supervisor that gave up.
    Hold {
        intent: Intent,
        done: Option<oneshot::Sender<()>>,
    },
    /// End the task but keep the mailbox open for a later start: a parked
    /// supervisor's children, a terminated or kept child, a declined start.
    /// `done` is told once the mailbox is back in the slot.
    Park { done: Option<oneshot::Sender<()>> },
    /// Stop for good: fail what is queued and announce the stop, with this
    /// reason or, if `None`, the reason the instance ended with.
    Stop(Option<StopReason>),
}

/// How a child tells its supervisor that an instance ended unasked. Returns
/// `false` if the supervisor is gone.
pub(crate) type Report = Box<dyn Fn(ActorId, u64, StopReason) -> bool + Send + Sync>;

/// Why an instance is ending, which says which end hook it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    /// To be replaced by a fresh instance: `before_restart` runs, then the
    /// instance's children stop (unless the spec keeps them).
    Restart,
    /// For good, or parked: its children stop, then `on_stop` runs.
    Stop,
}

/// Where a child's task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskState {
    /// No task: the slot holds the mailbox (parked, never started, or
    /// stopped for good).
    Idle = 0,
    /// An instance is starting or handling messages.
    Serving = 1,
    /// The instance has ended; the task waits for its supervisor's decision.
    Waiting = 2,
}

/// The task's state, with a way to wait for it to change: an atomic and a
/// `Notify` inline in the slot, where a watch channel would be an
/// allocation of its own of over 300 bytes per child. The same `Notify`
/// wakes the task when a decision arrives (every waiter re-checks what it
/// waits for).
#[derive(Default)]
pub(crate) struct Running {
    state: AtomicU8,
    changed: Notify,
}

impl Running {
    pub(crate) fn get(&self) -> TaskState {
        match self.state.load(Ordering::Acquire) {
            0 => TaskState::Idle,
            1 => TaskState::Serving,
            _ => TaskState::Waiting,
        }
    }

    fn set(&self, state: TaskState) {
        self.state.store(state as u8, Ordering::Release);
        self.changed.notify_waiters();
    }

    fn wake_all(&self) {
        self.changed.notify_waiters();
    }

    async fn until(&self, done: impl Fn(TaskState) -> bool) {
        loop {
            let mut changed = pin!(self.changed.notified());
            // Registered before the check, so a change between the check
            // and the await still wakes this waiter.
            changed.as_mut().enable();
            if done(self.get()) {
                return;
            }
            changed.await;
        }
    }

    /// Waits until no instance is serving: it ended (and, for a stop the
    /// supervisor asked for, ran its end hook), or there is no task.
    pub(crate) async fn ended(&self) {
        self.until(|s| s != TaskState::Serving).await;
    }

    /// Waits until no task owns the mailbox any more: it is back in the
    /// slot, or drained.
    pub(crate) async fn released(&self) {
        self.until(|s| s == TaskState::Idle).await;
    }
}

#[derive(Default)]
struct Ctrl {
    /// A task owns the mailbox: set by `start`, cleared when the task ends
    /// or is aborted. Decisions go to the task while it is set, and are
    /// applied by the slot itself otherwise.
    task: bool,
    /// The supervisor asked this instance to stop, and why: its end is not
    /// reported, and its end hook runs before the task waits for the
    /// decision, so within the shutdown time.
    expected: Option<Intent>,
    /// The end of the current instance has been reported.
    reported: bool,
    /// The decision the task has not taken yet.
    pending: Option<Decision>,
    report: Option<Arc<Report>>,
    /// The decider's answer to the failure being reported, so that the
    /// supervisor does not ask it twice.
    directive: Option<Directive>,
    /// The supervisor's decider, for a child declared without one.
    fallback: OnFailure,
}

/// The options of a slot that its task needs.
#[derive(Clone, Debug, Default)]
pub(crate) struct SlotOptions {
    pub(crate) restart: Restart,
    pub(crate) on_failure: OnFailure,
    /// Whether a restart stops the instance's own children (Akka's
    /// `withStopChildren`).
    pub(crate) stop_children: bool,
}

pub(crate) struct Slot<A: Actor> {
    pub(crate) cell: Arc<Cell>,
    /// The supervisor's own reference: supervised children never stop just
    /// because their users dropped every reference.
    pub(crate) raw: RawRef<A>,
    held: Handover<ActorRx<A>>,
    factory: Mutex<Box<dyn FnMut() -> A + Send>>,
    ctrl: Mutex<Ctrl>,
    pub(crate) running: Running,
    generation: AtomicU64,
    pub(crate) options: SlotOptions,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The type-erased view of a slot that a supervisor manages.
pub(crate) trait ChildSlot: Send + Sync {
    fn cell(&self) -> &Arc<Cell>;
    /// The child's mailbox, erased: what its path entry holds.
    fn mailbox(&self) -> Arc<dyn crate::protocol::Erased>;
    fn generation(&self) -> u64;
    /// Connects the child to its supervisor: how it reports, and the
    /// supervisor's decider for a child declared without one.
    fn adopt(&self, report: Arc<Report>, fallback: OnFailure);
    /// Starts a task for the child (first start, or after a kill or park);
    /// `restarted` is the reason the previous instance ended, if it is a
    /// restart. Reports to `ready` how the start went.
    fn start(self: Arc<Self>, restarted: Option<StopReason>, ready: Option<Ready>);
    /// Delivers a decision to the task, or, without a task, applies it.
    fn decide(self: Arc<Self>, decision: Decision);
    /// Asks the serving instance to stop, without a report of its end.
    fn request_stop(&self, intent: Intent);
    /// Aborts the task on purpose; its end is reported with `reason`.
    fn abort_with(&self, reason: StopReason);
    fn running(&self) -> &Running;
    /// Stops the child for good while no task owns its mailbox: fails what
    /// is queued and announces the stop with `reason`, or the reason the
    /// last instance ended with. Idempotent; a task that hands the mailbox
    /// back later finds it finalized and drains it.
    fn finalize(&self, reason: Option<StopReason>);
    /// The decider's directive for a failure the child reported: the one
    /// its task already asked for, or a fresh answer.
    fn directive(&self, reason: &StopReason) -> Directive;
}

impl<A: Actor> Slot<A> {
    pub(crate) fn new(
        factory: Box<dyn FnMut() -> A + Send>,
        mailbox: MailboxKind,
        name: Option<Arc<str>>,
        options: SlotOptions,
    ) -> Arc<Self> {
        let cell = Cell::new(const { &A::TYPE_NAME }, name);
        let (tx, rx) = mailbox::channel(mailbox, cell.clone());
        crate::inspect::table::register::<A>(&tx, mailbox);
        let raw = RawRef::new(tx);
        Arc::new(Slot {
            cell,
            raw,
            held: Handover::new(rx),
            factory: Mutex::new(factory),
            ctrl: Mutex::new(Ctrl::default()),
            running: Running::default(),
            generation: AtomicU64::new(0),
            options,
        })
    }

    pub(crate) fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::from_raw(self.raw.clone())
    }

    pub(crate) fn make(&self) -> Result<A, StopReason> {
        let mut factory = lock(&self.factory);
        catch_unwind(AssertUnwindSafe(&mut *factory)).map_err(|payload| {
            StopReason::StartFailed(Arc::new(StartPanic(panic_message(payload))))
        })
    }

    fn decider<'a>(&'a self, ctrl: &'a Ctrl) -> &'a OnFailure {
        if self.options.on_failure.0.is_some() {
            &self.options.on_failure
        } else {
            &ctrl.fallback
        }
    }

    /// A fresh instance begins on the task.
    pub(crate) fn begin_instance(&self) {
        self.cell.clear_signals();
        self.generation.fetch_add(1, Ordering::AcqRel);
        {
            let mut ctrl = lock(&self.ctrl);
            ctrl.reported = false;
            // A stop requested of an instance that had already ended on
            // its own does not carry over to this one.
            ctrl.expected = None;
            ctrl.directive = None;
        }
        self.running.set(TaskState::Serving);
    }

    /// The intent of a stop the supervisor asked of the current instance.
    pub(crate) fn asked(&self) -> Option<Intent> {
        lock(&self.ctrl).expected
    }

    /// Asks the child's decider about a failure of the serving instance;
    /// returns whether to resume it. The answer is kept for the supervisor.
    pub(crate) fn resumes(&self, reason: &StopReason) -> bool {
        if !reason.is_failure() || matches!(reason, StopReason::Killed) {
            return false;
        }
        let mut ctrl = lock(&self.ctrl);
        if ctrl.expected.is_some() {
            return false;
        }
        let directive = self.decider(&ctrl).decide(reason);
        if directive == Directive::Resume {
            return true;
        }
        ctrl.directive = Some(directive);
        false
    }

    /// Called by the task when an instance ended: reports it (unless the
    /// supervisor asked for it) and waits for the first decision.
    pub(crate) async fn instance_ended(&self, reason: &StopReason) -> Decision {
        let (expected, report) = {
            let mut ctrl = lock(&self.ctrl);
            let expected = ctrl.expected.take().is_some();
            ctrl.reported = !expected;
            (expected, ctrl.report.clone())
        };
        self.running.set(TaskState::Waiting);
        if !expected {
            let delivered = report
                .is_some_and(|report| report(self.cell.id, self.generation(), reason.clone()));
            if !delivered {
                // The supervisor is gone: nobody will decide.
                return Decision::Stop(None);
            }
        }
        self.next_decision().await
    }

    /// Waits for the supervisor's next decision.
    pub(crate) async fn next_decision(&self) -> Decision {
        loop {
            let mut decided = pin!(self.running.changed.notified());
            decided.as_mut().enable();
            if let Some(decision) = lock(&self.ctrl).pending.take() {
                return decision;
            }
            decided.await;
        }
    }

    /// Gives the mailbox back to the slot, or drains it if the child has
    /// been stopped for good meanwhile.
    pub(crate) fn hand_back(&self, rx: Option<ActorRx<A>>, last: StopReason) {
        if let Some(mut rx) = self.held.give_back(rx, last) {
            drain_rx::<A>(&mut rx, &self.cell);
        }
    }

    /// The task is done with the mailbox (handed back or drained). Applies
    /// a decision that came too late for it.
    pub(crate) fn task_exited(self: &Arc<Self>) {
        let late = {
            let mut ctrl = lock(&self.ctrl);
            ctrl.task = false;
            ctrl.pending.take()
        };
        self.running.set(TaskState::Idle);
        if let Some(decision) = late {
            self.clone().apply(decision);
        }
    }

    /// Applies a decision while no task runs.
    fn apply(self: Arc<Self>, decision: Decision) {
        match decision {
            Decision::Restart { ready } => self.start(None, ready),
            Decision::Hold { done, .. } => {
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            Decision::Park { done } => {
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            Decision::Stop(reason) => self.finalize(reason),
        }
    }

    /// Called when the task was aborted (from its inbox's drop): keeps the
    /// mailbox for a later instance and reports the end.
    pub(crate) fn instance_aborted(&self, rx: ActorRx<A>) {
        let (report, quiet, late) = {
            let mut ctrl = lock(&self.ctrl);
            ctrl.task = false;
            let quiet = ctrl.expected.take().is_some() || ctrl.reported;
            ctrl.reported = true;
            (ctrl.report.clone(), quiet, ctrl.pending.take())
        };
        let reason = self.held.take_last().unwrap_or(StopReason::Killed);
        self.hand_back(Some(rx), reason.clone());
        self.running.set(TaskState::Idle);
        // A decision the aborted task never took: a stop or a park still
        // applies; a restart is dropped (its `ready` tells the supervisor),
        // and the report below asks for it again.
        match late {
            Some(Decision::Stop(r)) => return self.finalize(r),
            Some(Decision::Park { done: Some(done) }) => {
                let _ = done.send(());
            }
            _ => {}
        }
        if quiet {
            return;
        }
        let delivered =
            report.is_some_and(|report| report(self.cell.id, self.generation(), reason.clone()));
        if !delivered {
            self.finalize(Some(reason));
        }
    }
}

impl<A: Actor> ChildSlot for Slot<A> {
    fn mailbox(&self) -> Arc<dyn crate::protocol::Erased> {
        crate::protocol::erase::<A>(&self.raw.tx)
    }

    fn cell(&self) -> &Arc<Cell> {
        &self.cell
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn adopt(&self, report: Arc<Report>, fallback: OnFailure) {
        let mut ctrl = lock(&self.ctrl);
        ctrl.report = Some(report);
        ctrl.fallback = fallback;
    }

    fn start(self: Arc<Self>, restarted: Option<StopReason>, ready: Option<Ready>) {
        let (rx, restarted) = match self.held.take() {
            Taken::Value(rx, last) => (rx, restarted.or(last)),
            Taken::Finalized => {
                if let Some(ready) = ready {
                    let _ = ready.send(Err(StopReason::NotStarted));
                }
                return;
            }
            Taken::Busy => {
                // A task owns the mailbox: already running.
                if let Some(ready) = ready {
                    let _ = ready.send(Ok(()));
                }
                return;
            }
        };
        {
            let mut ctrl = lock(&self.ctrl);
            ctrl.task = true;
            ctrl.pending = None;
            ctrl.expected = None;
        }
        self.running.set(TaskState::Serving);
        let cell = self.cell.clone();
        // A kill aimed at the previous task (aborted by now) must not abort
        // this one before it runs: that would drop the mailbox with it.
        cell.clear_signals();
        let task = tokio::spawn(super::child::run_child(self, rx, restarted, ready));
        cell.set_task(task.abort_handle());
    }

    fn decide(self: Arc<Self>, decision: Decision) {
        let mut ctrl = lock(&self.ctrl);
        if ctrl.task {
            ctrl.pending = Some(decision);
            drop(ctrl);
            self.running.wake_all();
        } else {
            drop(ctrl);
            self.apply(decision);
        }
    }

    fn request_stop(&self, intent: Intent) {
        lock(&self.ctrl).expected = Some(intent);
        self.cell.stop();
    }

    fn abort_with(&self, reason: StopReason) {
        self.held.set_last(reason);
        self.cell.kill();
    }

    fn running(&self) -> &Running {
        &self.running
    }

    fn finalize(&self, reason: Option<StopReason>) {
        let (rx, last) = self.held.finalize();
        if let Some(mut rx) = rx {
            drain_rx::<A>(&mut rx, &self.cell);
        }
        self.cell
            .finish(reason.or(last).unwrap_or(StopReason::Normal));
    }

    fn directive(&self, reason: &StopReason) -> Directive {
        let mut ctrl = lock(&self.ctrl);
        match ctrl.directive.take() {
            Some(directive) => directive,
            None => self.decider(&ctrl).decide(reason),
        }
    }
}
