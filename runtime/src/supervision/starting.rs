//! Starts that do not block their supervisor: a child added at run time,
//! a restart, `restart_child`. The supervisor starts the child's task and
//! goes on with its mailbox (its other children's failures, its own stop,
//! child administration); a task of its own waits for the start, at most
//! the child's start timeout, and reports the outcome as a mailbox entry.
//! The initial starts, in `on_start`, stay in line: `spawn` returns once
//! every declared child has started.

use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::admin::park;
use super::client::{Answer, Entry, SupervisorMailbox};
use super::error::{Ignore, SupervisorError};
use super::slot::Decision;
use super::supervisor::{Supervisor, start_deadline};
use crate::cell::ActorId;
use crate::context::Context;
use crate::error::StopReason;

/// What comes after a start that does not block.
pub(crate) enum Then {
    /// A child added at run time: answer the adder, keep the child or not.
    Add(Answer<()>),
    /// A restart: start the next child of the restart set.
    Restart { rest: Vec<ActorId> },
    /// `restart_child`: answer the caller.
    Admin(Answer<()>),
}

impl Then {
    /// Answers a waiting caller that the supervisor stopped first.
    pub(crate) fn reject(self) {
        match self {
            Then::Add(reply) | Then::Admin(reply) => {
                let _ = reply.send(Err(SupervisorError::Stopped));
            }
            Then::Restart { .. } => {}
        }
    }
}

impl Supervisor {
    /// Starts the child at `pos` and returns at once; the outcome comes
    /// back as [`Entry::Started`].
    pub(super) fn begin_start(&mut self, pos: usize, then: Then, ctx: &mut Context<Self>) {
        let child = &mut self.children[pos];
        child.starting = true;
        child.started_at = Instant::now();
        let (ready_tx, ready_rx) = oneshot::channel();
        child.slot.clone().decide(Decision::Restart {
            ready: Some(ready_tx),
        });
        let slot = child.slot.clone();
        let timeout = child.options.start_timeout;
        let id = child.id();
        let tx = ctx.tx.clone();
        // Not tracked by the context: the waiter ends by itself once the
        // start does, and a supervisor that stops ends every start (its
        // shutdown stops or aborts the starting child), so it never
        // outlives the supervisor for long; an abort handle kept per start
        // would keep each finished waiter's memory.
        tokio::spawn(async move {
            let result = tokio::select! {
                ready = ready_rx => ready.unwrap_or(Err(StopReason::Killed)),
                () = start_deadline(timeout) => {
                    let cell = slot.cell();
                    let error = SupervisorError::StartTimeout {
                        child: id,
                        name: cell.name.clone(),
                        after: timeout.unwrap_or_default(),
                    };
                    tracing::error!(actor = %cell, %error, "child start timed out");
                    let reason = StopReason::StartFailed(Arc::new(error));
                    slot.abort_with(reason.clone());
                    slot.running().released().await;
                    Err(reason)
                }
            };
            let started = Entry::Started {
                child: id,
                result,
                then,
            };
            if let Err(refused) = tx.send(SupervisorMailbox(started)).await {
                refused.0.reject();
            }
        });
    }

    /// A start that did not block has finished.
    pub(super) async fn started(
        &mut self,
        id: ActorId,
        result: Result<(), StopReason>,
        then: Then,
        ctx: &mut Context<Self>,
    ) {
        let Some(pos) = self.position(id) else {
            return then.reject();
        };
        self.children[pos].starting = false;
        // An end reported meanwhile: the started instance's own failure if
        // the start succeeded; the failed start itself otherwise.
        let deferred = self.children[pos].deferred.take();
        let succeeded = result.is_ok();
        self.finish_start(pos, id, result, then, ctx).await;
        if let (true, Some((generation, reason))) = (succeeded, deferred) {
            self.child_exited(id, generation, reason, ctx).await;
        }
    }

    async fn finish_start(
        &mut self,
        pos: usize,
        id: ActorId,
        result: Result<(), StopReason>,
        then: Then,
        ctx: &mut Context<Self>,
    ) {
        match then {
            Then::Add(reply) => {
                let outcome = match result {
                    Ok(()) => Ok(()),
                    Err(reason) if Ignore::is(&reason) => {
                        self.children[pos].stopped = true;
                        park(&self.children[pos]).await;
                        Ok(())
                    }
                    Err(reason) => {
                        let child = self.children.remove(pos);
                        child
                            .slot
                            .clone()
                            .decide(Decision::Stop(Some(reason.clone())));
                        Err(SupervisorError::ChildStartFailed { child: id, reason })
                    }
                };
                let _ = reply.send(outcome);
            }
            Then::Admin(reply) => {
                let outcome = match result {
                    Ok(()) => Ok(()),
                    Err(reason) => {
                        // Kept as stopped: its task's end, and its report,
                        // are ignored.
                        self.children[pos].stopped = true;
                        park(&self.children[pos]).await;
                        Err(SupervisorError::ChildStartFailed { child: id, reason })
                    }
                };
                let _ = reply.send(outcome);
            }
            Then::Restart { rest } => {
                match result {
                    Ok(()) => {}
                    Err(reason) if Ignore::is(&reason) => {
                        // Declined: kept as stopped.
                        let child = &mut self.children[pos];
                        child.stopped = true;
                        child.slot.clone().decide(Decision::Park { done: None });
                    }
                    Err(reason) => {
                        // A failure of the restarted instance, like any: the
                        // child's own report of it is ignored.
                        tracing::warn!(child = %self.children[pos].slot.cell(), %reason, "restarted child failed to start");
                        let generation = self.children[pos].slot.generation();
                        self.child_exited(id, generation, reason, ctx).await;
                    }
                }
                self.restart_next(rest, ctx);
            }
        }
    }

    /// Starts the first child of `due` still waiting for its restart; the
    /// rest follow, one after the other, as each start finishes.
    pub(super) fn restart_next(&mut self, mut due: Vec<ActorId>, ctx: &mut Context<Self>) {
        while !due.is_empty() {
            let id = due.remove(0);
            let Some(pos) = self.position(id) else {
                continue;
            };
            let child = &mut self.children[pos];
            if child.restart_due.is_none() || child.stopped {
                continue;
            }
            child.restart_due = None;
            child.restarts += 1;
            return self.begin_start(pos, Then::Restart { rest: due }, ctx);
        }
    }
}
