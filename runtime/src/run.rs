//! The actor loop: start, handle one message at a time, stop, and account
//! for every message left behind.

use std::any::Any;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context as TaskContext, Poll};

use tokio::sync::oneshot;

use crate::actor::Actor;
use crate::ask::CURRENT;
use crate::cell::{Cell, KILL, PANICKED, STOP};
use crate::context::Context;
use crate::error::StopReason;
use crate::mailbox::{Rx, TryRecv};

/// Where `spawn_ready` learns whether `on_start` succeeded.
pub(crate) type Ready = oneshot::Sender<Result<(), StopReason>>;

/// The mailbox's receiving end, which also guarantees that the actor's end is
/// recorded however its task ends: dropped unfinished (killed, or the runtime
/// shut down), it fails what is queued and finishes with `Killed`.
struct Inbox<A: Actor> {
    rx: Rx<A::Mailbox>,
    cell: Arc<Cell>,
    finished: bool,
}

impl<A: Actor> Inbox<A> {
    fn poll_next(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<A::Mailbox>> {
        if self.cell.flags() & (STOP | KILL) != 0 {
            return Poll::Ready(None);
        }
        if let Poll::Ready(entry) = self.rx.poll_recv(cx) {
            return Poll::Ready(entry);
        }
        self.cell.waker.register(cx.waker());
        if self.cell.flags() & (STOP | KILL) != 0 {
            return Poll::Ready(None);
        }
        if self.cell.refs.load(Ordering::Acquire) == 0 {
            // No reference is left, so nothing new can arrive, except from
            // this actor's own timers, which end with it.
            return Poll::Ready(match self.rx.try_recv() {
                TryRecv::Value(entry) => Some(entry),
                TryRecv::Empty | TryRecv::Closed => None,
            });
        }
        Poll::Pending
    }

    /// Closes the mailbox and rejects what is left: asks fail with
    /// `Stopped`, tells are counted and logged as dead letters. Returns
    /// whether the mailbox is fully drained (no sender is mid-push).
    fn drain(&mut self) -> bool {
        self.rx.close();
        let mut tells = 0;
        let mut asks = 0u64;
        let complete = loop {
            match self.rx.try_recv() {
                TryRecv::Value(entry) => {
                    if A::__reject(entry) {
                        tells += 1;
                    } else {
                        asks += 1;
                    }
                }
                TryRecv::Empty => break false,
                TryRecv::Closed => break true,
            }
        };
        if tells > 0 {
            self.cell.add_dead_letters(tells);
            tracing::warn!(actor = %self.cell, dead_letters = tells, "actor stopped with unhandled tells in its mailbox");
        }
        if asks > 0 {
            tracing::debug!(actor = %self.cell, asks, "failed queued asks of a stopped actor");
        }
        complete
    }

    async fn drain_all(&mut self) {
        while !self.drain() {
            tokio::task::yield_now().await;
        }
    }
}

impl<A: Actor> Drop for Inbox<A> {
    fn drop(&mut self) {
        if !self.finished {
            self.cell.flags.fetch_or(KILL, Ordering::AcqRel);
            self.drain();
            self.cell.finish(StopReason::Killed);
        }
    }
}

/// A panic, caught, as text.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<&'static str>() {
        Ok(s) => (*s).to_owned(),
        Err(payload) => match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(_) => "a panic with a non-string payload".to_owned(),
        },
    }
}

/// Polls `fut` to completion, catching a panic. On a panic, `mark` sets the
/// actor's `PANICKED` flag *before* the future (and any reply handle it holds)
/// is dropped, so that an asker whose reply channel closes sees the cause.
async fn catch<F: Future>(cell: &Cell, mark: bool, fut: F) -> Result<F::Output, String> {
    let mut fut = pin!(fut);
    poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => {
                if mark {
                    cell.signal(PANICKED);
                }
                Poll::Ready(Err(panic_message(payload)))
            }
        },
    )
    .await
}

/// The error of an `on_start` hook that panicked.
struct StartPanic(String);

impl fmt::Debug for StartPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StartPanic({:?})", self.0)
    }
}

impl fmt::Display for StartPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`on_start` panicked: {}", self.0)
    }
}

impl std::error::Error for StartPanic {}

pub(crate) async fn run<A: Actor>(
    actor: A,
    ctx: Context<A>,
    rx: Rx<A::Mailbox>,
    ready: Option<Ready>,
) {
    let cell = ctx.cell.clone();
    CURRENT
        .scope(cell.id, run_scoped(actor, ctx, rx, ready))
        .await;
}

async fn run_scoped<A: Actor>(actor: A, ctx: Context<A>, rx: Rx<A::Mailbox>, ready: Option<Ready>) {
    let cell = ctx.cell.clone();
    // Declared before the actor and its context, so dropped after them: the
    // stop is announced only once the actor's state is gone.
    let mut inbox = Inbox::<A> {
        rx,
        cell: cell.clone(),
        finished: false,
    };
    let mut actor = actor;
    let mut ctx = ctx;

    let start = match catch(&cell, true, actor.__on_start(&mut ctx)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(StopReason::StartFailed(Arc::from(err))),
        Err(panic) => Err(StopReason::StartFailed(Arc::new(StartPanic(panic)))),
    };
    if let Err(reason) = start {
        tracing::error!(actor = %cell, %reason, "actor failed to start");
        inbox.drain_all().await;
        ctx.stop_children().await;
        ctx.cancel_timers();
        drop(actor);
        inbox.finished = true;
        cell.finish(reason.clone());
        if let Some(ready) = ready {
            let _ = ready.send(Err(reason));
        }
        return;
    }
    if let Some(ready) = ready {
        let _ = ready.send(Ok(()));
    }

    let reason = loop {
        let Some(entry) = poll_fn(|cx| inbox.poll_next(cx)).await else {
            break if cell.flags() & KILL != 0 {
                StopReason::Killed
            } else {
                StopReason::Normal
            };
        };
        if let Err(panic) = catch(&cell, true, actor.__handle(entry, &mut ctx)).await {
            tracing::error!(actor = %cell, panic = %panic, "actor panicked in a handler");
            break StopReason::Panicked(panic.into());
        }
    };

    inbox.drain_all().await;
    ctx.stop_children().await;
    ctx.cancel_timers();
    if !matches!(reason, StopReason::Killed) {
        if let Err(panic) = catch(&cell, false, actor.__on_stop(&reason, &mut ctx)).await {
            tracing::error!(actor = %cell, panic = %panic, "actor panicked in `on_stop`");
        }
    }
    drop(actor);
    drop(ctx);
    inbox.finished = true;
    tracing::debug!(actor = %cell, %reason, "actor stopped");
    cell.finish(reason);
}
