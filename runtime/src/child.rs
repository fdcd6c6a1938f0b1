//! A supervised child's lasting part: the [`Slot`] that keeps its cell and
//! mailbox across instances, and the task loop that runs instance after
//! instance as its supervisor decides.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};

use crate::actor::Actor;
use crate::actor_ref::{ActorRef, RawRef};
use crate::cell::{ActorId, Cell};
use crate::context::Context;
use crate::error::StopReason;
use crate::mailbox::{self, MailboxKind, Rx};
use crate::reply::{Abandon, abandon_while};
use crate::run::{Inbox, Ready, StartPanic, catch, drain_rx, panic_message, run_instance};
use crate::supervisor::Restart;

/// What a supervisor decides for a child whose instance ended.
pub(crate) enum Decision {
    /// Run a fresh instance on the same mailbox.
    Restart { ready: Option<Ready> },
    /// End the task but keep the mailbox open: the supervisor itself stops
    /// and may be restarted, and then starts the child again.
    Park,
    /// Stop for good with this reason: fail what is queued, announce the stop.
    Stop(StopReason),
}

/// How a child tells its supervisor that an instance ended unasked. Returns
/// `false` if the supervisor is gone.
pub(crate) type Report = Box<dyn Fn(ActorId, u64, StopReason) -> bool + Send + Sync>;

/// Why a supervisor stops a child's instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Intent {
    /// To replace it (a strategy's restart set, or a parked supervisor):
    /// its `before_restart` hook runs.
    Restart,
    /// For good: its `on_stop` hook runs.
    Stop,
}

#[derive(Default)]
struct Ctrl {
    /// The supervisor asked this instance to stop, and why: its end is not
    /// reported, and its end hook runs before the task waits for the
    /// decision, so within the shutdown time.
    expected: Option<Intent>,
    /// The end of the current instance has been reported.
    reported: bool,
    /// Where the task waits for the decision.
    waiter: Option<oneshot::Sender<Decision>>,
    report: Option<Arc<Report>>,
}

/// The type-erased view of a slot that a supervisor manages.
pub(crate) trait ChildSlot: Send + Sync {
    fn cell(&self) -> &Arc<Cell>;
    fn generation(&self) -> u64;
    fn set_report(&self, report: Arc<Report>);
    /// Starts a task for the child (first start, or after a kill or park).
    fn start(self: Arc<Self>, restarted: Option<StopReason>, ready: Option<Ready>);
    /// Delivers a decision to the waiting task. Hands it back if no task
    /// waits (the task was killed, or parked).
    fn decide(&self, decision: Decision) -> Result<(), Decision>;
    /// Asks the running instance to stop, without a report of its end.
    fn request_stop(&self, intent: Intent);
    fn is_running(&self) -> bool;
    fn running(&self) -> &Running;
    /// Fails what is queued and announces the stop, for a child with no task.
    fn finalize(&self, reason: StopReason);
}

pub(crate) struct Slot<A: Actor> {
    cell: Arc<Cell>,
    /// The supervisor's own reference: supervised children never stop just
    /// because their users dropped every reference.
    raw: RawRef<A>,
    rx: Mutex<Option<Rx<A::Mailbox>>>,
    factory: Mutex<Box<dyn FnMut() -> A + Send>>,
    ctrl: Mutex<Ctrl>,
    running: Running,
    generation: AtomicU64,
    /// The child's restart type, which says which end hook an instance
    /// that stops on its own runs.
    restart: Restart,
    /// Why the last instance ended, while the child is parked: its next
    /// instance runs `after_restart` with it.
    parked: Mutex<Option<StopReason>>,
}

/// Whether a child's task is running, with a way to wait for it to end: a
/// flag and a `Notify` inline in the slot, where a watch channel would be an
/// allocation of its own of over 300 bytes per child.
#[derive(Default)]
pub(crate) struct Running {
    flag: AtomicBool,
    ended: Notify,
}

impl Running {
    pub(crate) fn get(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    fn set(&self, running: bool) {
        self.flag.store(running, Ordering::Release);
        if !running {
            self.ended.notify_waiters();
        }
    }

    /// Waits until the task is no longer running (at once if it is not).
    pub(crate) async fn ended(&self) {
        loop {
            let mut notified = pin!(self.ended.notified());
            // Registered before the check, so a `set(false)` between the
            // check and the await still wakes this waiter.
            notified.as_mut().enable();
            if !self.get() {
                return;
            }
            notified.await;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<A: Actor> Slot<A> {
    pub(crate) fn new(
        factory: Box<dyn FnMut() -> A + Send>,
        mailbox: MailboxKind,
        name: Option<Arc<str>>,
        restart: Restart,
    ) -> Arc<Self> {
        let cell = Cell::new(const { &A::TYPE_NAME }, name);
        let (tx, rx) = mailbox::channel(mailbox, cell.clone());
        let raw = RawRef::new(tx);
        Arc::new(Slot {
            cell,
            raw,
            rx: Mutex::new(Some(rx)),
            factory: Mutex::new(factory),
            ctrl: Mutex::new(Ctrl::default()),
            running: Running::default(),
            generation: AtomicU64::new(0),
            restart,
            parked: Mutex::new(None),
        })
    }

    pub(crate) fn actor_ref(&self) -> ActorRef<A> {
        ActorRef::from_raw(self.raw.clone())
    }

    /// Whether an instance that ended on its own with `reason` is to be
    /// replaced, by the child's restart type. (A supervisor that gives up
    /// may still park or stop it; the hook has run by then.)
    fn intent_after(&self, reason: &StopReason) -> Intent {
        match self.restart {
            Restart::Permanent => Intent::Restart,
            Restart::Transient if reason.is_failure() => Intent::Restart,
            Restart::Transient | Restart::Temporary => Intent::Stop,
        }
    }

    fn make(&self) -> Result<A, StopReason> {
        let mut factory = lock(&self.factory);
        catch_unwind(AssertUnwindSafe(&mut *factory)).map_err(|payload| {
            StopReason::StartFailed(Arc::new(StartPanic(panic_message(payload))))
        })
    }

    /// Called by the task when an instance ended: reports it (unless the
    /// supervisor asked for it) and waits for the decision.
    async fn instance_ended(&self, reason: &StopReason) -> Decision {
        let (tx, rx) = oneshot::channel();
        let (expected, report) = {
            let mut ctrl = lock(&self.ctrl);
            ctrl.waiter = Some(tx);
            let expected = ctrl.expected.take().is_some();
            ctrl.reported = !expected;
            (expected, ctrl.report.clone())
        };
        self.running.set(false);
        if !expected {
            let delivered = report
                .is_some_and(|report| report(self.cell.id, self.generation(), reason.clone()));
            if !delivered {
                return Decision::Stop(reason.clone());
            }
        }
        rx.await.unwrap_or_else(|_| Decision::Stop(reason.clone()))
    }

    /// Called when the task was aborted: keeps the mailbox for a later
    /// instance and reports the kill.
    pub(crate) fn instance_aborted(&self, rx: Rx<A::Mailbox>) {
        *lock(&self.rx) = Some(rx);
        let (report, reported) = {
            let mut ctrl = lock(&self.ctrl);
            ctrl.waiter = None;
            let quiet = ctrl.expected.take().is_some() || ctrl.reported;
            ctrl.reported = true;
            (ctrl.report.clone(), quiet)
        };
        self.running.set(false);
        if reported {
            return;
        }
        let delivered = report
            .is_some_and(|report| report(self.cell.id, self.generation(), StopReason::Killed));
        if !delivered {
            self.finalize(StopReason::Killed);
        }
    }
}

impl<A: Actor> ChildSlot for Slot<A> {
    fn cell(&self) -> &Arc<Cell> {
        &self.cell
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn set_report(&self, report: Arc<Report>) {
        lock(&self.ctrl).report = Some(report);
    }

    fn start(self: Arc<Self>, restarted: Option<StopReason>, ready: Option<Ready>) {
        let restarted = restarted.or_else(|| lock(&self.parked).take());
        let Some(rx) = lock(&self.rx).take() else {
            // Already running, or stopped for good.
            if let Some(ready) = ready {
                let _ = ready.send(Ok(()));
            }
            return;
        };
        if self.cell.is_stopped() {
            return;
        }
        self.running.set(true);
        let cell = self.cell.clone();
        // A kill aimed at the previous task (aborted by now) must not abort
        // this one before it runs: that would drop the mailbox with it.
        cell.clear_signals();
        let task = tokio::spawn(run_child(self, rx, restarted, ready));
        cell.set_task(task.abort_handle());
    }

    fn decide(&self, decision: Decision) -> Result<(), Decision> {
        let waiter = lock(&self.ctrl).waiter.take();
        match waiter {
            Some(waiter) => waiter.send(decision),
            None => Err(decision),
        }
    }

    fn request_stop(&self, intent: Intent) {
        lock(&self.ctrl).expected = Some(intent);
        self.cell.stop();
    }

    fn is_running(&self) -> bool {
        self.running.get()
    }

    fn running(&self) -> &Running {
        &self.running
    }

    fn finalize(&self, reason: StopReason) {
        if let Some(mut rx) = lock(&self.rx).take() {
            drain_rx::<A>(&mut rx, &self.cell);
        }
        self.cell.finish(reason);
    }
}

/// Stops a child's running instance within `shutdown`, then aborts it.
/// Returns whether it had to abort it.
pub(crate) async fn stop_instance(
    slot: &dyn ChildSlot,
    shutdown: Duration,
    intent: Intent,
) -> bool {
    if !slot.is_running() {
        return false;
    }
    slot.request_stop(intent);
    let stopped = tokio::time::timeout(shutdown, slot.running().ended()).await;
    if stopped.is_err() {
        tracing::warn!(actor = %slot.cell(), ?shutdown, "child ignored its shutdown time; killing it");
        slot.cell().kill();
        slot.running().ended().await;
        return true;
    }
    false
}

/// The task of a supervised child: instance after instance, until stopped
/// for good or parked.
///
/// A plain function returning an `async move` block, which holds its
/// captures once; the end of each instance runs in a future of its own on
/// the heap. So the task keeps room for the serving alone, not for every
/// phase it goes through.
fn run_child<A: Actor>(
    slot: Arc<Slot<A>>,
    rx: Rx<A::Mailbox>,
    mut restarted: Option<StopReason>,
    mut ready: Option<Ready>,
) -> impl Future<Output = ()> + Send {
    let mut inbox = Inbox::new(rx, Some(slot.clone()));
    let mut ctx = Context::new(slot.raw.tx.clone());
    async move {
        loop {
            slot.cell.clear_signals();
            slot.generation.fetch_add(1, Ordering::AcqRel);
            {
                let mut ctrl = lock(&slot.ctrl);
                ctrl.reported = false;
                // A stop requested of an instance that had already ended on
                // its own does not carry over to this one.
                ctrl.expected = None;
            }
            slot.running.set(true);

            let (mut actor, result) = match slot.make() {
                Ok(mut actor) => {
                    let result = run_instance(
                        &mut actor,
                        &mut ctx,
                        &mut inbox,
                        ready.take(),
                        restarted.as_ref(),
                    )
                    .await;
                    (Some(actor), result)
                }
                Err(reason) => {
                    tracing::error!(actor = %slot.cell, %reason, "the child's factory panicked");
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(Err(reason.clone()));
                    }
                    (None, Err(reason))
                }
            };
            let (reason, decision) =
                Box::pin(finish_instance(&slot, &mut ctx, actor.as_mut(), result)).await;

            match decision {
                Decision::Restart { ready: next } => {
                    abandon_while(Abandon::Stopped, || drop(actor));
                    tracing::info!(actor = %slot.cell, %reason, "restarting actor");
                    restarted = Some(reason);
                    ready = next;
                }
                Decision::Park => {
                    // Parked to be started again later (by a restarted
                    // supervisor), which then counts as a restart.
                    abandon_while(Abandon::Stopped, || drop(actor));
                    *lock(&slot.parked) = Some(reason);
                    *lock(&slot.rx) = inbox.take_rx();
                    slot.running.set(false);
                    return;
                }
                Decision::Stop(final_reason) => {
                    inbox.drain();
                    abandon_while(Abandon::Stopped, || drop(actor));
                    drop(ctx);
                    inbox.finish();
                    slot.running.set(false);
                    slot.cell.finish(final_reason);
                    return;
                }
            }
        }
    }
}

/// The end of one instance: its children stop and its timers are
/// cancelled, its end hook runs, and the supervisor decides what comes
/// next. Returns why the instance stopped, and the decision.
async fn finish_instance<A: Actor>(
    slot: &Arc<Slot<A>>,
    ctx: &mut Context<A>,
    actor: Option<&mut A>,
    result: Result<StopReason, StopReason>,
) -> (StopReason, Decision) {
    ctx.stop_children().await;
    ctx.cancel_tasks();
    let ran = result.is_ok();
    let (Ok(reason) | Err(reason)) = result;
    let ran = ran && !matches!(reason, StopReason::Killed);

    // The end hook runs now, as the instance ends, as OTP's `terminate`
    // does: for a stop the supervisor asked for, inside the child's
    // shutdown time (an instance that overruns it is aborted); for an end
    // of its own, before the supervisor hears of it. Which hook follows
    // from why it stops: asked for, or what the child's restart type makes
    // of the reason.
    if let (true, Some(actor)) = (ran, actor) {
        let asked = lock(&slot.ctrl).expected;
        let intent = asked.unwrap_or_else(|| slot.intent_after(&reason));
        end_hook(actor, &reason, ctx, intent).await;
    }
    let decision = slot.instance_ended(&reason).await;
    (reason, decision)
}

/// Runs the hook that ends an instance: `before_restart` if it is to be
/// replaced, `on_stop` if it stops for good. A panic there is logged; the
/// instance is over either way.
async fn end_hook<A: Actor>(
    actor: &mut A,
    reason: &StopReason,
    ctx: &mut Context<A>,
    intent: Intent,
) {
    let id = ctx.cell().id;
    let (hook, result) = match intent {
        Intent::Restart => (
            "before_restart",
            catch(id, actor.__before_restart(reason, ctx)).await,
        ),
        Intent::Stop => ("on_stop", catch(id, actor.__on_stop(reason, ctx)).await),
    };
    if let Err(panic) = result {
        tracing::error!(actor = %ctx.cell(), panic = %panic, "actor panicked in `{hook}`");
    }
}
