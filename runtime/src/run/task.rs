//! The task of an unsupervised actor: [`Run`], the hand-written future of
//! an actor whose handlers are all synchronous, and [`run_async`] for the
//! others.

use std::future::Future;
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use super::observed::note_mailbox;
use super::{
    Inbox, Ready, SERVE_BUDGET, drop_state, end_instance, panic_message, serve, start_instance,
};
use crate::actor::Actor;
use crate::ask::{Current, polling_as};
use crate::context::Context;
use crate::error::StopReason;
use crate::mailbox::ActorRx;
use crate::observe;
use crate::reply::Abandoned;

/// What an unsupervised actor's task owns. The fields drop in this order
/// when the task is aborted: the actor's state first (its reply handles
/// fail with `Stopped`), the inbox (which then announces the stop) last.
struct Parts<A: Actor> {
    actor: Abandoned<A>,
    ctx: Context<A>,
    inbox: Inbox<A>,
}

/// The parts back from the `on_start` phase, and whether it succeeded.
type Started<A> = (Parts<A>, Result<(), StopReason>);

/// Where an unsupervised actor's task is.
enum Phase<A: Actor> {
    /// Not polled yet.
    Start(Parts<A>, Option<Ready>),
    /// The `on_start` hook, in a future of its own on the heap that owns
    /// the parts until it ends.
    Starting(Pin<Box<dyn Future<Output = Started<A>> + Send>>),
    /// Serving an actor whose handlers are all synchronous, from the task's
    /// own poll.
    Serve(Parts<A>),
    /// Stopping: a future of its own, on the heap.
    End(Pin<Box<dyn Future<Output = ()> + Send>>),
    Done,
}

/// The future of the task of an unsupervised actor whose handlers are all
/// synchronous, start to finish ([`run_async`] runs the others).
///
/// Written out by hand rather than as an `async` block because it is most
/// of what an idle actor costs: an `async` block keeps room for the largest
/// state of every phase it awaits, for the actor's whole life. Here an idle
/// actor holds its parts and a tag; the phases that need futures of their
/// own (`on_start`, the stop) put them on the heap, once per phase and never
/// per message.
pub(crate) struct Run<A: Actor> {
    phase: Phase<A>,
}

// Nothing is pinned inside `Run`: the phases' futures are pinned on the
// heap, and the parts are only ever used through `&mut`.
impl<A: Actor> Unpin for Run<A> {}

/// Runs an unsupervised actor whose handlers are all synchronous from start
/// to finish.
pub(crate) fn run<A: Actor>(
    actor: A,
    ctx: Context<A>,
    rx: ActorRx<A>,
    ready: Option<Ready>,
) -> Run<A> {
    let inbox = Inbox::new(rx, None);
    let actor = Abandoned::new(actor);
    Run {
        phase: Phase::Start(Parts { actor, ctx, inbox }, ready),
    }
}

impl<A: Actor> Future for Run<A> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let phase = &mut self.get_mut().phase;
        loop {
            let next = match phase {
                Phase::Start(..) => match mem::replace(phase, Phase::Done) {
                    Phase::Start(parts, ready) => begin(parts, ready),
                    _ => unreachable!(),
                },
                Phase::Starting(fut) => match ready!(fut.as_mut().poll(cx)) {
                    (parts, Ok(())) => {
                        observe::started(parts.ctx.cell());
                        Phase::Serve(parts)
                    }
                    (parts, Err(reason)) => Phase::End(Box::pin(end(parts, Err(reason)))),
                },
                Phase::Serve(parts) => {
                    let result = ready!(serve_now(parts, cx));
                    match mem::replace(phase, Phase::Done) {
                        Phase::Serve(parts) if ends_at_once(&parts) => {
                            end_now(parts, result);
                            return Poll::Ready(());
                        }
                        Phase::Serve(parts) => Phase::End(Box::pin(end(parts, result))),
                        _ => unreachable!(),
                    }
                }
                Phase::End(fut) => {
                    ready!(fut.as_mut().poll(cx));
                    *phase = Phase::Done;
                    return Poll::Ready(());
                }
                Phase::Done => panic!("an actor's task was polled after it finished"),
            };
            *phase = next;
        }
    }
}

/// The first phase: the `on_start` hook if there is one, then serving.
fn begin<A: Actor>(mut parts: Parts<A>, ready: Option<Ready>) -> Phase<A> {
    if A::__ON_START {
        Phase::Starting(Box::pin(async move {
            let started = start_instance(&mut parts.actor.value, &mut parts.ctx, ready, None).await;
            (parts, started)
        }))
    } else {
        // No hook to run: started.
        if let Some(ready) = ready {
            let _ = ready.send(Ok(()));
        }
        observe::started(parts.ctx.cell());
        Phase::Serve(parts)
    }
}

/// Runs an unsupervised actor with `async` handlers from start to finish.
///
/// An `async` block, since a handler's future needs a place that stays put
/// while it is polled; the start and the stop, which run once, are futures
/// of their own on the heap rather than room kept in this one for the
/// actor's whole life.
pub(crate) fn run_async<A: Actor>(
    actor: A,
    ctx: Context<A>,
    rx: ActorRx<A>,
    ready: Option<Ready>,
) -> impl Future<Output = ()> + Send {
    let inbox = Inbox::new(rx, None);
    let actor = Abandoned::new(actor);
    let mut parts = Parts { actor, ctx, inbox };
    async move {
        // The start, like the stop, is a future of its own on the heap, and
        // only for an actor with an `on_start` hook.
        if A::__ON_START {
            let started = start_instance(&mut parts.actor.value, &mut parts.ctx, ready, None);
            if let Err(reason) = Box::pin(started).await {
                Box::pin(end(parts, Err(reason))).await;
                return;
            }
        } else if let Some(ready) = ready {
            let _ = ready.send(Ok(()));
        }
        let result = serve(&mut parts.actor.value, &mut parts.ctx, &mut parts.inbox).await;
        Box::pin(end(parts, result)).await;
    }
}

/// Handles messages of an actor whose handlers are all synchronous, until
/// it stops or has used its budget for this poll.
fn serve_now<A: Actor>(
    parts: &mut Parts<A>,
    cx: &mut TaskContext<'_>,
) -> Poll<Result<StopReason, StopReason>> {
    let Parts { actor, ctx, inbox } = parts;
    // One actor mark and one unwind guard per poll rather than per message:
    // a panic in any handler ends the actor, unwinding through the reply
    // handle of the entry being handled, which then fails its ask with
    // `Panicked`.
    let served = polling_as(Current::of(ctx.cell()), || {
        catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..SERVE_BUDGET {
                let Some(entry) = ready!(inbox.poll_next(cx)) else {
                    return Poll::Ready(());
                };
                if observe::active(ctx.cell().stats()) {
                    handle_now_observed(&mut actor.value, ctx, inbox, entry);
                    continue;
                }
                if actor.__handle_now(entry, ctx).is_some() {
                    unreachable!(
                        "`{}` declares no async handler, yet one of its entries needs a future",
                        A::TYPE_NAME
                    );
                }
            }
            // Woken from inside its own poll, the task goes to the back of
            // its worker's queue, behind the tasks waiting there.
            cx.waker().wake_by_ref();
            Poll::Pending
        }))
    });
    match served {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(())) => Poll::Ready(Ok(ctx.cell().take_exit_reason())),
        Err(payload) => {
            let panic = panic_message(payload);
            tracing::error!(actor = %ctx.cell(), panic = %panic, "actor panicked in a handler");
            Poll::Ready(Ok(StopReason::Panicked(panic.into())))
        }
    }
}

/// One entry of an actor whose handlers are all synchronous, observed.
/// Out of line, so that the unobserved loop stays small enough for its
/// hot calls to be inlined into it.
#[inline(never)]
fn handle_now_observed<A: Actor>(
    actor: &mut A,
    ctx: &mut Context<A>,
    inbox: &mut Inbox<A>,
    mut entry: A::Mailbox,
) {
    let cell = ctx.cell().clone();
    let stats = cell.stats();
    let seen = observe::begin::<A>(&mut entry, &cell, stats);
    let unhandled = seen.enter(|| actor.__handle_now(entry, ctx));
    note_mailbox(inbox, stats);
    seen.end(stats);
    assert!(
        unhandled.is_none(),
        "`{}` declares no async handler, yet one of its entries needs a future",
        A::TYPE_NAME
    );
}

/// The last phase: the stop, then the record of it.
async fn end<A: Actor>(mut parts: Parts<A>, result: Result<StopReason, StopReason>) {
    let reason = end_instance(
        &mut parts.actor.value,
        &mut parts.ctx,
        &mut parts.inbox,
        result,
    )
    .await;
    record_end(parts, reason);
}

/// Whether an actor's end has nothing to wait for: no children, timers or
/// tasks (it never made any), and no `on_stop` hook. Then it ends in the
/// poll that saw it stop, with no future of its own.
fn ends_at_once<A: Actor>(parts: &Parts<A>) -> bool {
    !A::__ON_STOP && parts.ctx.has_no_books()
}

/// The end of an actor for which [`ends_at_once`] holds: the same steps as
/// [`end`], none of which waits.
fn end_now<A: Actor>(mut parts: Parts<A>, result: Result<StopReason, StopReason>) {
    let reason = match result {
        Ok(reason) | Err(reason) => reason,
    };
    observe::stopping(parts.ctx.cell());
    parts.inbox.drain();
    record_end(parts, reason);
}

/// Drops what is left of an ended actor and announces its end.
fn record_end<A: Actor>(parts: Parts<A>, reason: StopReason) {
    let Parts {
        actor,
        ctx,
        mut inbox,
    } = parts;
    let cell = ctx.cell().clone();
    drop_state(actor, &cell);
    drop(ctx);
    inbox.finish();
    tracing::debug!(actor = %cell, %reason, "actor stopped");
    cell.finish(reason);
}
