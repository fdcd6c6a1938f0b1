//! A supervisor's record of one child: its spec (options), its state, and
//! what [`SupervisorClient::children`](crate::SupervisorClient::children)
//! reports of it.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::slot::ChildSlot;
use super::strategy::Restart;
use crate::cell::ActorId;

/// The options of one child that its supervisor needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChildOptions {
    pub(crate) restart: Restart,
    pub(crate) shutdown: Duration,
    pub(crate) start_timeout: Option<Duration>,
    /// Keep the spec of a transient or temporary child that stopped for
    /// good, for `restart_child` (OTP keeps transient ones).
    pub(crate) keep: bool,
}

impl Default for ChildOptions {
    fn default() -> Self {
        ChildOptions {
            restart: Restart::Permanent,
            shutdown: Duration::from_secs(5),
            start_timeout: None,
            keep: false,
        }
    }
}

pub(crate) struct Child {
    pub(crate) slot: Arc<dyn ChildSlot>,
    pub(crate) options: ChildOptions,
    /// Consecutive failures, for the backoff.
    pub(crate) failures: u32,
    /// Restarts so far, for `children()`.
    pub(crate) restarts: u32,
    pub(crate) started_at: Instant,
    /// Set while the child waits out a backoff before its restart.
    pub(crate) restart_due: Option<u64>,
    /// Not running, its spec kept: declined to start, terminated, or a kept
    /// child that stopped.
    pub(crate) stopped: bool,
    /// Added at run time, so not part of the declaration a restarted
    /// supervisor starts from.
    pub(crate) dynamic: bool,
    /// A start that does not block the supervisor is under way: the
    /// child's reports wait for its outcome.
    pub(crate) starting: bool,
    /// The end of an instance reported while its start's outcome was not
    /// in yet (the instance started and failed at once): handled once the
    /// outcome is.
    pub(crate) deferred: Option<(u64, crate::error::StopReason)>,
    /// The last generation whose end the supervisor handled: a second
    /// report of the same end (a failed start is seen both by the start's
    /// outcome and by the child's own report) is ignored.
    pub(crate) handled: u64,
}

impl Child {
    pub(crate) fn new(slot: Arc<dyn ChildSlot>, options: ChildOptions) -> Self {
        Child {
            slot,
            options,
            failures: 0,
            restarts: 0,
            started_at: Instant::now(),
            restart_due: None,
            stopped: false,
            dynamic: false,
            starting: false,
            deferred: None,
            handled: 0,
        }
    }

    pub(crate) fn id(&self) -> ActorId {
        self.slot.cell().id
    }

    pub(crate) fn state(&self) -> ChildState {
        if self.stopped {
            ChildState::Stopped
        } else if self.restart_due.is_some() {
            ChildState::Restarting
        } else {
            ChildState::Running
        }
    }

    pub(crate) fn info(&self) -> ChildInfo {
        let cell = self.slot.cell();
        ChildInfo {
            id: cell.id,
            name: cell.name.clone(),
            actor: cell.type_name,
            restart: self.options.restart,
            state: self.state(),
            restarts: self.restarts,
        }
    }
}

impl Clone for Child {
    /// The declaration only: a restarted supervisor starts from it.
    fn clone(&self) -> Self {
        Child {
            dynamic: self.dynamic,
            ..Child::new(self.slot.clone(), self.options)
        }
    }
}

/// What a supervisor reports of one child (OTP's `which_children`).
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::{ChildState, Restart, Supervisor};
/// #[derive(Default)] struct Worker;
/// #[actor] impl Worker { #[handler] fn ping(&self) {} }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sup = Supervisor::builder();
/// let worker = sup.child(Worker::default).name("w").restart(Restart::Transient).add();
/// let sup = sup.spawn().await?;
/// let info = &sup.children().await?[0];
/// assert_eq!(info.id, worker.id());
/// assert_eq!(info.name.as_deref(), Some("w"));
/// assert_eq!(info.actor, "Worker");
/// assert_eq!(info.restart, Restart::Transient);
/// assert_eq!(info.state, ChildState::Running);
/// assert_eq!(info.restarts, 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildInfo {
    /// The child's id, the same as its `ActorRef`'s.
    pub id: ActorId,
    /// Its name, if it was given one.
    pub name: Option<Arc<str>>,
    /// The actor's type name.
    pub actor: &'static str,
    /// Its restart type.
    pub restart: Restart,
    /// Running, waiting out a backoff, or stopped with its spec kept.
    pub state: ChildState,
    /// How many times the supervisor has restarted it.
    pub restarts: u32,
}

/// A child's info compares equal to its id, so that a list of children can
/// be checked against the references that were handed out:
/// `assert_eq!(sup.children().await?, [a.id(), b.id()])`.
impl PartialEq<ActorId> for ChildInfo {
    fn eq(&self, id: &ActorId) -> bool {
        self.id == *id
    }
}

/// The state of a supervised child, as its supervisor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChildState {
    /// Running (or being started).
    Running,
    /// Failed, and waiting out its backoff before the restart.
    Restarting,
    /// Not running, its spec kept: it declined to start
    /// ([`Ignore`](crate::Ignore)), was terminated with
    /// [`terminate_child`](crate::SupervisorClient::terminate_child), or is
    /// a kept child that stopped. Its reference stays valid; messages wait
    /// in its mailbox until
    /// [`restart_child`](crate::SupervisorClient::restart_child), and
    /// [`delete_child`](crate::SupervisorClient::delete_child) fails them.
    Stopped,
}

/// How many children a supervisor has, by kind (OTP's `count_children`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildCounts {
    /// Every child listed, running or not.
    pub specs: usize,
    /// The children running now.
    pub active: usize,
    /// The children that are supervisors.
    pub supervisors: usize,
    /// The children that are not.
    pub workers: usize,
}
