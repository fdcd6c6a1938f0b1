//! Child administration on a running supervisor (OTP's `start_child`,
//! `terminate_child`, `restart_child`, `delete_child`), and the ways a
//! supervisor ends one child's instance: for a restart, parked, or for
//! good.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::child::stop_instance;
use super::client::{Admin, ChildKey};
use super::error::{Ignore, SupervisorError};
use super::slot::{ChildSlot, Decision, Intent, TaskState};
use super::spec::Child;
use super::strategy::Restart;
use super::supervisor::Supervisor;
use crate::context::Context;
use crate::error::StopReason;

impl Supervisor {
    /// Adds a child at run time and starts it.
    pub(super) async fn add(
        &mut self,
        mut child: Child,
        ctx: &mut Context<Self>,
    ) -> Result<(), SupervisorError> {
        child.dynamic = true;
        self.adopt(&child.slot, &ctx.tx);
        let id = child.id();
        match Self::start_child(&child, ctx.cell()).await {
            Ok(()) => {
                self.children.push(child);
                Ok(())
            }
            Err(reason) if Ignore::is(&reason) => {
                child.stopped = true;
                park(&child).await;
                self.children.push(child);
                Ok(())
            }
            Err(reason) => {
                child
                    .slot
                    .clone()
                    .decide(Decision::Stop(Some(reason.clone())));
                Err(SupervisorError::ChildStartFailed { child: id, reason })
            }
        }
    }

    /// `terminate_child`, `restart_child` and `delete_child`.
    pub(super) async fn admin(
        &mut self,
        op: Admin,
        key: ChildKey,
        ctx: &mut Context<Self>,
    ) -> Result<(), SupervisorError> {
        let found = match &key {
            ChildKey::Id(id) => self.position(*id),
            ChildKey::Name(name) => self
                .children
                .iter()
                .position(|c| c.slot.cell().name.as_deref() == Some(&**name)),
        };
        let pos = found.ok_or(SupervisorError::NoSuchChild(key))?;
        let id = self.children[pos].id();
        match op {
            Admin::Terminate => {
                let child = &mut self.children[pos];
                if child.stopped {
                    return Ok(());
                }
                if child.options.restart == Restart::Temporary {
                    let child = self.children.remove(pos);
                    let killed =
                        stop_instance(&*child.slot, child.options.shutdown, Intent::Stop).await;
                    stop_for_good(
                        &child.slot,
                        child.options.shutdown,
                        killed.then_some(StopReason::Killed),
                    )
                    .await;
                    return Ok(());
                }
                child.restart_due = None;
                child.stopped = true;
                park(child).await;
                Ok(())
            }
            Admin::Restart => {
                let child = &mut self.children[pos];
                if !child.stopped {
                    return Err(SupervisorError::ChildRunning(id));
                }
                child.stopped = false;
                child.started_at = Instant::now();
                match Self::start_child(child, ctx.cell()).await {
                    Ok(()) => Ok(()),
                    Err(reason) => {
                        child.stopped = true;
                        // Its task's end, and its report, are ignored now.
                        park(child).await;
                        Err(SupervisorError::ChildStartFailed { child: id, reason })
                    }
                }
            }
            Admin::Delete => {
                if !self.children[pos].stopped {
                    return Err(SupervisorError::ChildRunning(id));
                }
                let child = self.children.remove(pos);
                child.slot.clone().decide(Decision::Stop(None));
                Ok(())
            }
        }
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
