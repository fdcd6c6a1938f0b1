//! The task of a supervised child: instance after instance, as its
//! supervisor decides, with the end hook each instance's end calls for.

use std::sync::Arc;
use std::time::Duration;

use super::slot::{ChildSlot, Decision, Intent, Slot, TaskState};
use crate::actor::Actor;
use crate::context::Context;
use crate::error::StopReason;
use crate::mailbox::ActorRx;
use crate::reply::Abandoned;
use crate::run::{Inbox, Ready, catch, drop_state, run_instance};

/// Stops a child's serving instance within `shutdown`, then aborts it.
/// Returns whether it had to abort it.
pub(crate) async fn stop_instance(
    slot: &dyn ChildSlot,
    shutdown: Duration,
    intent: Intent,
) -> bool {
    if slot.running().get() != TaskState::Serving {
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
pub(crate) fn run_child<A: Actor>(
    slot: Arc<Slot<A>>,
    rx: ActorRx<A>,
    mut restarted: Option<StopReason>,
    mut ready: Option<Ready>,
) -> impl Future<Output = ()> + Send {
    let mut inbox = Inbox::new(rx, Some(slot.clone()));
    let mut ctx = Context::new(slot.raw.tx.clone());
    async move {
        loop {
            slot.begin_instance();
            if let Some(reason) = &restarted {
                crate::observe::restarted(&slot.cell, reason);
            }
            // Its reply handles fail with `Stopped` however it is dropped,
            // the task's abort included.
            let (mut actor, result) = match slot.make() {
                Ok(actor) => {
                    let mut actor = Abandoned::new(Some(actor));
                    let result = run_instance(
                        actor.value.as_mut().expect("just made"),
                        &mut ctx,
                        &mut inbox,
                        ready.take(),
                        restarted.as_ref(),
                    )
                    .await;
                    (actor, result)
                }
                Err(reason) => {
                    tracing::error!(actor = %slot.cell, %reason, "the child's factory panicked");
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(Err(reason.clone()));
                    }
                    (Abandoned::new(None), Err(reason))
                }
            };
            let (reason, decision) =
                Box::pin(end_instance(&slot, &mut ctx, actor.value.as_mut(), result)).await;
            drop_state(actor, &slot.cell);

            match decision {
                Decision::Restart { ready: next } => {
                    tracing::info!(actor = %slot.cell, %reason, "restarting actor");
                    restarted = Some(reason);
                    ready = next;
                }
                Decision::Park { done } => {
                    // Parked, to be started again later (by a restarted
                    // supervisor, or `restart_child`), which then counts as
                    // a restart. Children and timers ended with the hook.
                    drop(ctx);
                    slot.hand_back(inbox.take_rx(), reason);
                    slot.task_exited();
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                    return;
                }
                Decision::Stop(final_reason) => {
                    inbox.drain();
                    drop(ctx);
                    inbox.finish();
                    slot.finalize(Some(final_reason.unwrap_or(reason)));
                    slot.task_exited();
                    return;
                }
                Decision::Hold { .. } => unreachable!("`end_instance` waits past a hold"),
            }
        }
    }
}

/// The end of one instance: its end hook runs, for a stop the supervisor
/// asked for at once (within the child's shutdown time), otherwise once the
/// supervisor has decided what the failure means; children and timers end
/// with it. Returns why the instance stopped, and the decision.
async fn end_instance<A: Actor>(
    slot: &Arc<Slot<A>>,
    ctx: &mut Context<A>,
    mut actor: Option<&mut A>,
    result: Result<StopReason, StopReason>,
) -> (StopReason, Decision) {
    // The hooks run only on an instance that started and was not killed.
    let started = result.is_ok();
    let (Ok(reason) | Err(reason)) = result;
    let runs_hooks = started && !matches!(reason, StopReason::Killed);
    let mut hooked = false;
    if let Some(intent) = slot.asked() {
        end_hook(slot, actor.as_deref_mut(), &reason, ctx, intent, runs_hooks).await;
        hooked = true;
    }
    let mut decision = slot.instance_ended(&reason).await;
    loop {
        let intent = match &decision {
            Decision::Hold { intent, .. } => *intent,
            Decision::Restart { .. } => Intent::Restart,
            Decision::Park { .. } | Decision::Stop(_) => Intent::Stop,
        };
        if !hooked {
            end_hook(slot, actor.as_deref_mut(), &reason, ctx, intent, runs_hooks).await;
            hooked = true;
        }
        let Decision::Hold { done, .. } = decision else {
            return (reason, decision);
        };
        if let Some(done) = done {
            let _ = done.send(());
        }
        decision = slot.next_decision().await;
    }
}

/// Ends an instance as `intent` says. For a restart: `before_restart`, then
/// the instance's children stop (unless the spec keeps them), as Akka
/// signals PreRestart first. For a stop: the children stop, then `on_stop`
/// runs, as Akka's PostStop. Timers end either way. A panic in a hook is
/// logged; the instance is over either way.
async fn end_hook<A: Actor>(
    slot: &Slot<A>,
    actor: Option<&mut A>,
    reason: &StopReason,
    ctx: &mut Context<A>,
    intent: Intent,
    runs_hooks: bool,
) {
    let cell = ctx.cell().clone();
    let actor = actor.filter(|_| runs_hooks);
    match intent {
        Intent::Restart => {
            if let Some(actor) = actor
                && let Err(panic) = catch(&cell, actor.__before_restart(reason, ctx)).await
            {
                tracing::error!(actor = %ctx.cell(), panic = %panic, "actor panicked in `before_restart`");
            }
            if slot.options.stop_children {
                ctx.stop_children().await;
            }
            ctx.cancel_tasks();
        }
        Intent::Stop => {
            ctx.stop_children().await;
            ctx.cancel_tasks();
            if let Some(actor) = actor
                && let Err(panic) = catch(&cell, actor.__on_stop(reason, ctx)).await
            {
                tracing::error!(actor = %ctx.cell(), panic = %panic, "actor panicked in `on_stop`");
            }
        }
    }
}
