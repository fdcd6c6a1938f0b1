//! Child administration on a running supervisor (OTP's `start_child`,
//! `terminate_child`, `restart_child`, `delete_child`), and the ways a
//! supervisor ends one child's instance: for a restart, parked, or for
//! good.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::child::stop_instance;
use super::client::{Admin, Answer, ChildKey};
use super::error::SupervisorError;
use super::slot::{ChildSlot, Decision, Intent, TaskState};
use super::spec::Child;
use super::starting::Then;
use super::strategy::Restart;
use super::supervisor::Supervisor;
use crate::context::Context;
use crate::error::StopReason;

impl Supervisor {
    /// Adds a child at run time and starts it, without waiting: `reply`
    /// learns the outcome (see [`starting`](super::starting)).
    pub(super) fn add(&mut self, mut child: Child, reply: Answer<()>, ctx: &mut Context<Self>) {
        child.dynamic = true;
        if let Err(error) = crate::registry::paths::assign_child(ctx.cell(), &child.slot.mailbox())
        {
            let reason = StopReason::StartFailed(std::sync::Arc::new(error));
            child.slot.finalize(Some(reason.clone()));
            let _ = reply.send(Err(SupervisorError::ChildStartFailed {
                child: child.id(),
                reason,
            }));
            return;
        }
        self.adopt(&child.slot, &ctx.tx);
        self.children.push(child);
        let pos = self.children.len() - 1;
        self.begin_start(pos, Then::Add(reply), ctx);
    }

    /// `terminate_child`, `restart_child` and `delete_child`; `reply`
    /// learns the outcome (for `restart_child`, once the start finished).
    pub(super) async fn admin(
        &mut self,
        op: Admin,
        key: ChildKey,
        reply: Answer<()>,
        ctx: &mut Context<Self>,
    ) {
        let found = match &key {
            ChildKey::Id(id) => self.position(*id),
            ChildKey::Name(name) => self
                .children
                .iter()
                .position(|c| c.slot.cell().name.as_deref() == Some(&**name)),
        };
        let Some(pos) = found else {
            let _ = reply.send(Err(SupervisorError::NoSuchChild(key)));
            return;
        };
        let id = self.children[pos].id();
        let outcome = match op {
            Admin::Terminate => {
                let child = &mut self.children[pos];
                if child.stopped {
                    Ok(())
                } else if child.options.restart == Restart::Temporary {
                    let child = self.children.remove(pos);
                    end_for_good(&child).await;
                    Ok(())
                } else {
                    child.restart_due = None;
                    child.stopped = true;
                    park(child).await;
                    Ok(())
                }
            }
            Admin::Restart => {
                let child = &mut self.children[pos];
                if !child.stopped {
                    Err(SupervisorError::ChildRunning(id))
                } else {
                    child.stopped = false;
                    return self.begin_start(pos, Then::Admin(reply), ctx);
                }
            }
            Admin::Delete => {
                if self.children[pos].stopped {
                    let child = self.children.remove(pos);
                    child.slot.clone().decide(Decision::Stop(None));
                    Ok(())
                } else {
                    Err(SupervisorError::ChildRunning(id))
                }
            }
        };
        let _ = reply.send(outcome);
    }
}

/// Runs the end hook of a failed child's instance for its restart, and
/// waits for it, at most the child's shutdown time (then the child is
/// aborted; its restart goes on).
pub(super) async fn hold_for_restart(child: &Child) {
    let (done, held) = oneshot::channel();
    child.slot.clone().decide(Decision::Hold {
        intent: Intent::Restart,
        done: Some(done),
    });
    let shutdown = child.options.shutdown;
    if tokio::time::timeout(shutdown, held).await.is_err() {
        let slot = &child.slot;
        tracing::warn!(actor = %slot.cell(), ?shutdown, "child's `before_restart` overran its shutdown time; killing it");
        slot.cell().kill();
        slot.running().released().await;
    }
}

/// Ends a child for good: stops its instance within its shutdown time (its
/// `on_stop` runs) and then the child, which ends with the instance's
/// reason, or `Killed` if it had to be aborted.
pub(super) async fn end_for_good(child: &Child) {
    let shutdown = child.options.shutdown;
    let killed = stop_instance(&*child.slot, shutdown, Intent::Stop).await;
    stop_for_good(&child.slot, shutdown, killed.then_some(StopReason::Killed)).await;
}

/// Parks one child: ends its instance (its `on_stop` runs) within its
/// shutdown time and takes its mailbox back, for a later start.
pub(super) async fn park(child: &Child) {
    let slot = &child.slot;
    let shutdown = child.options.shutdown;
    stop_instance(&**slot, shutdown, Intent::Stop).await;
    if slot.running().get() == TaskState::Idle {
        return;
    }
    let (done, parked) = oneshot::channel();
    slot.clone().decide(Decision::Park { done: Some(done) });
    if tokio::time::timeout(shutdown, parked).await.is_err() {
        tracing::warn!(actor = %slot.cell(), ?shutdown, "child overran its shutdown time while parking; killing it");
        slot.cell().kill();
    }
    // The task has handed the mailbox back (or, aborted, its inbox did).
    slot.running().released().await;
}

/// Stops a child for good: decides its stop with `reason` (or the reason
/// its instance ended), and gives its `on_stop` hook (if it has not run
/// yet) the child's shutdown time, after which the child is aborted and
/// stops as [`StopReason::Killed`].
pub(super) async fn stop_for_good(
    slot: &Arc<dyn ChildSlot>,
    shutdown: Duration,
    reason: Option<StopReason>,
) {
    slot.clone().decide(Decision::Stop(reason));
    let cell = slot.cell();
    if tokio::time::timeout(shutdown, cell.wait_for_stop())
        .await
        .is_err()
    {
        tracing::warn!(actor = %cell, ?shutdown, "child's `on_stop` overran its shutdown time; killing it");
        cell.kill();
        slot.running().released().await;
        slot.finalize(Some(StopReason::Killed));
    }
}
