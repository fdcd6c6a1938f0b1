//! The actor loop: start, handle one message at a time, stop, and account
//! for every message left behind.

use std::any::Any;
use std::fmt;
use std::future::{Future, poll_fn};
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;

use crate::actor::Actor;
use crate::ask::{Current, polling_as};
use crate::cell::{Cell, KILL, STOP};
use crate::context::Context;
use crate::error::StopReason;
use crate::mailbox::{ActorRx, TryRecv};
use crate::observe;
use crate::reply::{Abandon, abandon_while};
use crate::supervision::slot::Slot;

mod observed;
mod task;

pub(crate) use self::task::{run, run_async};

/// Where `spawn_ready` learns whether `on_start` succeeded.
pub(crate) type Ready = oneshot::Sender<Result<(), StopReason>>;

/// The mailbox's receiving end, which also guarantees that an actor's end is
/// recorded however its task ends. Dropped unfinished (killed, or the runtime
/// shut down), it fails what is queued and finishes with `Killed`; for a
/// supervised actor it hands the mailbox back to the supervisor instead.
/// Finished means the mailbox is gone: taken, or dropped by [`finish`].
///
/// [`finish`]: Inbox::finish
pub(crate) struct Inbox<A: Actor> {
    rx: Option<ActorRx<A>>,
    slot: Option<Arc<Slot<A>>>,
}

impl<A: Actor> Inbox<A> {
    pub(crate) fn new(rx: ActorRx<A>, slot: Option<Arc<Slot<A>>>) -> Self {
        Inbox { rx: Some(rx), slot }
    }

    fn rx(&mut self) -> &mut ActorRx<A> {
        self.rx
            .as_mut()
            .expect("the inbox holds its mailbox until finished")
    }

    #[inline]
    fn poll_next(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<A::Mailbox>> {
        poll_serving(self.rx(), cx)
    }

    /// Closes the mailbox and rejects what is left: asks fail with
    /// `Stopped`, tells are counted and logged as dead letters.
    pub(crate) fn drain(&mut self) {
        if let Some(rx) = &mut self.rx {
            let cell = rx.cell().clone();
            drain_rx::<A>(rx, &cell);
        }
    }

    /// Whether the supervisor's decider resumes this (supervised) actor
    /// after `reason`.
    fn resumes(&self, reason: &StopReason) -> bool {
        self.slot.as_ref().is_some_and(|slot| slot.resumes(reason))
    }

    /// Hands the mailbox back (to a supervisor's slot); the inbox is then
    /// finished.
    pub(crate) fn take_rx(&mut self) -> Option<ActorRx<A>> {
        self.rx.take()
    }

    /// Marks the end as recorded by the caller: dropping the inbox then
    /// does nothing more.
    pub(crate) fn finish(&mut self) {
        self.rx = None;
    }
}

/// The next entry for an actor (or a proxy) to handle: `None` once it was
/// told to stop or killed, or once no reference is left and nothing is
/// queued.
#[inline]
pub(crate) fn poll_serving<A: Actor>(
    rx: &mut ActorRx<A>,
    cx: &mut TaskContext<'_>,
) -> Poll<Option<A::Mailbox>> {
    if rx.cell().flags() & (STOP | KILL) != 0 {
        return Poll::Ready(None);
    }
    // On `Pending`, the mailbox has registered the waker with the cell,
    // which its signals wake too; so the checks below cannot miss one.
    if let Poll::Ready(entry) = rx.poll_recv(cx) {
        return Poll::Ready(entry);
    }
    let cell = rx.cell();
    if cell.flags() & (STOP | KILL) != 0 {
        return Poll::Ready(None);
    }
    if cell.refs.load(Ordering::Acquire) == 0 {
        // No reference is left, so nothing new can arrive, except from
        // the actor's own timers, which end with it.
        return Poll::Ready(match rx.try_recv() {
            TryRecv::Value(entry) => Some(entry),
            TryRecv::Empty | TryRecv::Closed => None,
        });
    }
    Poll::Pending
}

/// Closes `rx` and rejects what is left in it; see [`Inbox::drain`].
///
/// A message whose `Drop` panics is still rejected (its ask fails first)
/// and counted; the panic is logged and the drain goes on, so one bad
/// message neither hides the others nor aborts the process.
pub(crate) fn drain_rx<A: Actor>(rx: &mut ActorRx<A>, cell: &Cell) {
    rx.close();
    let mut tells = 0;
    let mut asks = 0u64;
    let mut panics = 0u64;
    while let TryRecv::Value(entry) = rx.try_recv() {
        match catch_unwind(AssertUnwindSafe(|| A::__reject(entry))) {
            Ok(true) => tells += 1,
            Ok(false) => asks += 1,
            Err(payload) => {
                // Counted as a dead letter: a message was lost either way.
                tells += 1;
                panics += 1;
                forget_payload(payload);
            }
        }
    }
    if tells > 0 {
        cell.add_dead_letters(tells);
        tracing::warn!(actor = %cell, dead_letters = tells, "actor stopped with unhandled tells in its mailbox");
    }
    if panics > 0 {
        tracing::error!(actor = %cell, panics, "dropping queued messages panicked");
    }
    if asks > 0 {
        tracing::debug!(actor = %cell, asks, "failed the queued asks of a stopped actor");
    }
}

/// Drops an actor's state once it has stopped: its reply handles fail
/// with `Stopped`, and a panic in its `Drop` is logged instead of changing
/// how the actor ended.
pub(crate) fn drop_state<T>(state: T, cell: &Cell) {
    let dropped = catch_unwind(AssertUnwindSafe(|| {
        abandon_while(Abandon::Stopped, || drop(state));
    }));
    if let Err(payload) = dropped {
        let panic = panic_message(payload);
        tracing::error!(actor = %cell, panic = %panic, "actor panicked while its state was dropped");
    }
}

/// Drops a caught panic's payload, whose own `Drop` may panic again; a
/// payload that does is leaked rather than allowed to unwind further.
pub(crate) fn forget_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        mem::forget(again);
    }
}

impl<A: Actor> Drop for Inbox<A> {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else {
            return;
        };
        let cell = rx.cell().clone();
        cell.flags.fetch_or(KILL, Ordering::AcqRel);
        match self.slot.take() {
            Some(slot) => slot.instance_aborted(rx),
            None => {
                drain_rx::<A>(&mut rx, &cell);
                cell.finish(StopReason::Killed);
            }
        }
    }
}

/// A panic, caught, as text. The payload is dropped safely (see
/// [`forget_payload`]).
pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    };
    forget_payload(payload);
    text
}

/// Drops a future left unfinished (its task was aborted, or the runtime shut
/// down) so that its reply handles fail with `Stopped`.
struct Unfinished<'a, F>(Pin<&'a mut Option<F>>);

impl<F> Drop for Unfinished<'_, F> {
    fn drop(&mut self) {
        if self.0.is_some() {
            abandon_while(Abandon::Stopped, || self.0.set(None));
        }
    }
}

/// Polls `fut` to completion as the actor of `cell` (see [`polling_as`]), catching a
/// panic. The future is dropped in place before this returns; if it
/// panicked, its reply handles fail with `Panicked`.
pub(crate) async fn catch<F: Future>(cell: &Cell, fut: F) -> Result<F::Output, String> {
    catch_pinned(cell, pin!(Some(fut))).await
}

/// [`catch`] for a future the caller has pinned in place, so that the
/// caller's state holds it once (a future passed by value to an `async fn`
/// is stored twice: as the argument and as the pinned local).
pub(crate) fn catch_pinned<'a, F: Future>(
    cell: &'a Cell,
    slot: Pin<&'a mut Option<F>>,
) -> Catch<'a, F> {
    Catch {
        cell,
        slot: Unfinished(slot),
    }
}

/// The future of [`catch_pinned`]: three words, where an `async fn` doing the
/// same keeps several more in every handler's wait.
pub(crate) struct Catch<'a, F> {
    cell: &'a Cell,
    slot: Unfinished<'a, F>,
}

impl<F: Future> Future for Catch<'_, F> {
    type Output = Result<F::Output, String>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // `Catch` is `Unpin`: it holds the future through a `Pin<&mut _>`.
        let this = self.get_mut();
        let fut = this
            .slot
            .0
            .as_mut()
            .as_pin_mut()
            .expect("polled after completion");
        // `catch_unwind` returns in every case, so `polling_as` always
        // restores the previous actor.
        match polling_as(Current::of(this.cell), || {
            catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
        }) {
            Ok(Poll::Ready(out)) => {
                this.slot.0.set(None);
                Poll::Ready(Ok(out))
            }
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => {
                abandon_while(Abandon::Panicked, || this.slot.0.set(None));
                Poll::Ready(Err(panic_message(payload)))
            }
        }
    }
}

/// The error of an `on_start` hook (or a factory) that panicked.
pub(crate) struct StartPanic(pub(crate) String);

impl fmt::Debug for StartPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StartPanic({:?})", self.0)
    }
}

impl fmt::Display for StartPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panicked while starting: {}", self.0)
    }
}

impl std::error::Error for StartPanic {}

/// Runs one instance: its start hooks, then its messages until it stops.
/// Leaves the mailbox open, and children and timers running.
///
/// `Err` means the instance never started; `Ok` carries why it stopped.
///
/// The hooks run in a future of their own on the heap, and only if there
/// are any (`on_start`, or `after_restart` for a restarted instance): the
/// returned future then keeps room for the serving alone.
#[allow(
    clippy::manual_async_fn,
    reason = "an `async fn` stores its arguments twice"
)]
pub(crate) fn run_instance<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    inbox: &'a mut Inbox<A>,
    ready: Option<Ready>,
    restarted: Option<&'a StopReason>,
) -> impl Future<Output = Result<StopReason, StopReason>> + Send + 'a {
    async move {
        if A::__ON_START || restarted.is_some() {
            Box::pin(start_instance(actor, ctx, ready, restarted)).await?;
        } else if let Some(ready) = ready {
            let _ = ready.send(Ok(()));
        }
        serve(actor, ctx, inbox).await
    }
}

/// The `on_start` and `after_restart` hooks; reports the outcome to `ready`.
async fn start_instance<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    ready: Option<Ready>,
    restarted: Option<&StopReason>,
) -> Result<(), StopReason> {
    let cell = ctx.cell().clone();
    let mut start = match catch(&cell, actor.__on_start(ctx)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(StopReason::StartFailed(Arc::from(err))),
        Err(panic) => Err(StopReason::StartFailed(Arc::new(StartPanic(panic)))),
    };
    if let (Ok(()), Some(previous)) = (&start, restarted)
        && let Err(panic) = catch(&cell, actor.__after_restart(previous, ctx)).await
    {
        start = Err(StopReason::StartFailed(Arc::new(StartPanic(panic))));
    }
    if let Err(reason) = &start {
        tracing::error!(actor = %cell, %reason, "actor failed to start");
    }
    if let Some(ready) = ready {
        let _ = ready.send(start.clone());
    }
    start
}

/// Handles messages, one at a time, until the actor stops; returns why.
///
/// A plain function returning an `async move` block, which holds its
/// captures once; an `async fn` would also keep a copy of each argument.
#[allow(
    clippy::manual_async_fn,
    reason = "an `async fn` stores its arguments twice"
)]
fn serve<'a, A: Actor>(
    actor: &'a mut A,
    ctx: &'a mut Context<A>,
    inbox: &'a mut Inbox<A>,
) -> impl Future<Output = Result<StopReason, StopReason>> + Send + 'a {
    async move {
        let cell = ctx.cell().clone();
        observe::started(&cell);
        let mut budget = SERVE_BUDGET;
        loop {
            budget -= 1;
            if budget == 0 {
                budget = SERVE_BUDGET;
                tokio::task::yield_now().await;
            }
            let Some(entry) = poll_fn(|cx| inbox.poll_next(cx)).await else {
                let reason = cell.take_exit_reason();
                if inbox.resumes(&reason) {
                    // `ctx.fail` or a link, and the decider resumes: the
                    // stop signal is withdrawn and serving goes on.
                    tracing::warn!(actor = %cell, %reason, "actor resumed after a failure");
                    cell.clear_signals();
                    continue;
                }
                return Ok(reason);
            };
            if observe::active(cell.stats()) {
                let handled = match observed::serve_observed(actor, ctx, inbox, entry) {
                    Ok(()) => Ok(()),
                    Err(rest) => rest.await,
                };
                match handled {
                    Ok(()) => continue,
                    Err(panic) => {
                        let reason = StopReason::Panicked(panic.into());
                        if inbox.resumes(&reason) {
                            tracing::warn!(actor = %cell, %reason, "actor resumed after a panic in a handler");
                            continue;
                        }
                        tracing::error!(actor = %cell, %reason, "actor panicked in a handler");
                        return Ok(reason);
                    }
                }
            }
            // Synchronous handlers run here, with no future to build or poll; a
            // panic unwinds through the entry's reply handle, which then fails
            // the ask with `Panicked`.
            let panic = match polling_as(Current::of(&cell), || {
                catch_unwind(AssertUnwindSafe(|| actor.__handle_now(entry, ctx)))
            }) {
                Ok(None) => continue,
                Ok(Some(entry)) => {
                    // Awaited outside the `match`, so that its scrutinee is
                    // not kept across the await in the task's state.
                    Pending::Handle(entry)
                }
                Err(payload) => Pending::Panicked(panic_message(payload)),
            };
            let panic = match panic {
                Pending::Handle(entry) => {
                    let handling = pin!(Some(actor.__handle(entry, ctx)));
                    match catch_pinned(&cell, handling).await {
                        Ok(()) => continue,
                        Err(panic) => panic,
                    }
                }
                Pending::Panicked(panic) => panic,
            };
            let reason = StopReason::Panicked(panic.into());
            if inbox.resumes(&reason) {
                // Akka's resume: the state stays, the failed message is gone
                // (its asker got `Panicked`).
                tracing::warn!(actor = %cell, %reason, "actor resumed after a panic in a handler");
                continue;
            }
            tracing::error!(actor = %cell, %reason, "actor panicked in a handler");
            return Ok(reason);
        }
    }
}

/// Messages an actor handles in one poll of its task before it lets the
/// other tasks of its worker run.
const SERVE_BUDGET: u32 = 128;

/// What a synchronous attempt at an entry left to do.
enum Pending<M> {
    /// The entry needs its handler's future.
    Handle(M),
    /// The handler panicked, with this message.
    Panicked(String),
}

/// The end of an unsupervised actor: fails what is queued, stops its
/// children and timers, and runs `on_stop` unless it was killed or never
/// started. Returns the reason it stopped.
async fn end_instance<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    inbox: &mut Inbox<A>,
    result: Result<StopReason, StopReason>,
) -> StopReason {
    let cell = ctx.cell().clone();
    observe::stopping(&cell);
    // Fail what is queued at once, before waiting for children.
    inbox.drain();
    ctx.stop_children().await;
    ctx.cancel_tasks();
    match result {
        Ok(reason) => {
            if !matches!(reason, StopReason::Killed)
                && let Err(panic) = catch(&cell, actor.__on_stop(&reason, ctx)).await
            {
                tracing::error!(actor = %cell, panic = %panic, "actor panicked in `on_stop`");
            }
            reason
        }
        Err(reason) => reason,
    }
}
