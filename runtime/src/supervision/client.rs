//! [`SupervisorClient`]: what `ActorRef<Supervisor>` offers, and the
//! supervisor's mailbox entries behind it.

use std::fmt;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::builder::{ChildBuilder, Target};
use super::error::SupervisorError;
use super::spec::{Child, ChildCounts, ChildInfo};
use super::supervisor::Supervisor;
use crate::actor::Actor;
use crate::actor_ref::{Client, RawRef};
use crate::cell::ActorId;
use crate::error::StopReason;

/// An entry of a [`Supervisor`]'s mailbox; sent by the runtime, not by
/// users.
#[doc(hidden)]
pub struct SupervisorMailbox(pub(crate) Entry);

impl fmt::Debug for SupervisorMailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Entry::Exited { .. } => "SupervisorMailbox(Exited)",
            Entry::RestartDue { .. } => "SupervisorMailbox(RestartDue)",
            Entry::Add { .. } => "SupervisorMailbox(Add)",
            Entry::Admin { .. } => "SupervisorMailbox(Admin)",
            Entry::Children { .. } => "SupervisorMailbox(Children)",
            Entry::Started { .. } => "SupervisorMailbox(Started)",
        })
    }
}

pub(crate) type Answer<T> = oneshot::Sender<Result<T, SupervisorError>>;

pub(crate) enum Entry {
    Exited {
        child: ActorId,
        generation: u64,
        reason: StopReason,
    },
    RestartDue {
        token: u64,
    },
    Add {
        child: Box<Child>,
        reply: Answer<()>,
    },
    Admin {
        op: Admin,
        child: ChildKey,
        reply: Answer<()>,
    },
    Children {
        reply: oneshot::Sender<Vec<ChildInfo>>,
    },
    /// A start that did not block the supervisor has finished.
    Started {
        child: ActorId,
        result: Result<(), StopReason>,
        then: super::starting::Then,
    },
}

/// How child administration names a child: by the id of its `ActorRef`,
/// or by the name it was given (`.name(..)` on its builder; the first child
/// with that name).
///
/// # Examples
///
/// ```
/// use typact::ChildKey;
/// let by_name: ChildKey = "db".into();
/// assert_eq!(by_name, ChildKey::Name("db".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChildKey {
    /// The child's id.
    Id(ActorId),
    /// The child's name.
    Name(Arc<str>),
}

impl From<ActorId> for ChildKey {
    fn from(id: ActorId) -> Self {
        ChildKey::Id(id)
    }
}

impl From<&str> for ChildKey {
    fn from(name: &str) -> Self {
        ChildKey::Name(name.into())
    }
}

impl From<String> for ChildKey {
    fn from(name: String) -> Self {
        ChildKey::Name(name.into())
    }
}

impl From<Arc<str>> for ChildKey {
    fn from(name: Arc<str>) -> Self {
        ChildKey::Name(name)
    }
}

impl fmt::Display for ChildKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildKey::Id(id) => write!(f, "{id}"),
            ChildKey::Name(name) => write!(f, "{name:?}"),
        }
    }
}

/// OTP's child administration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admin {
    Terminate,
    Restart,
    Delete,
}

impl Entry {
    /// Refuses an entry the supervisor will never handle.
    pub(crate) fn reject(self) {
        match self {
            Entry::Add { child, reply } => {
                let _ = reply.send(Err(SupervisorError::Stopped));
                child.slot.finalize(Some(StopReason::NotStarted));
            }
            Entry::Admin { reply, .. } => {
                let _ = reply.send(Err(SupervisorError::Stopped));
            }
            Entry::Started { then, .. } => then.reject(),
            // The children are stopped by `on_stop`, whatever they reported;
            // a dropped `Children` reply tells the asker it stopped.
            Entry::Exited { .. } | Entry::RestartDue { .. } | Entry::Children { .. } => {}
        }
    }
}

/// What `ActorRef<Supervisor>` dereferences to: the supervisor's typed
/// operations.
pub struct SupervisorClient {
    pub(crate) raw: RawRef<Supervisor>,
}

impl fmt::Debug for SupervisorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorClient").finish_non_exhaustive()
    }
}

impl Client<Supervisor> for SupervisorClient {
    fn __from_raw(raw: RawRef<Supervisor>) -> Self {
        SupervisorClient { raw }
    }

    fn __raw(&self) -> &RawRef<Supervisor> {
        &self.raw
    }
}

impl SupervisorClient {
    /// Declares a child to add to this running supervisor; finish with
    /// [`ChildBuilder::start`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # use typact::Supervisor;
    /// #[derive(Default)] struct Conn { port: u16 }
    /// #[actor] impl Conn { #[handler] fn port(&self) -> u16 { self.port } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sup = Supervisor::builder().spawn().await?;
    /// let conn = sup.child(|| Conn { port: 8080 }).start().await?;
    /// assert_eq!(conn.port().await?, 8080);
    /// assert_eq!(sup.children().await?[0].id, conn.id());
    /// # Ok(()) }
    /// ```
    pub fn child<A, F>(&self, factory: F) -> ChildBuilder<'_, A>
    where
        A: Actor,
        F: FnMut() -> A + Send + 'static,
    {
        ChildBuilder::new(Target::Running(self), Box::new(factory))
    }

    async fn send<T>(
        &self,
        entry: impl FnOnce(oneshot::Sender<T>) -> Entry,
    ) -> Result<T, SupervisorError> {
        let (reply, result) = oneshot::channel();
        self.raw
            .tx
            .send(SupervisorMailbox(entry(reply)))
            .await
            .map_err(|_| SupervisorError::Stopped)?;
        result.await.map_err(|_| SupervisorError::Stopped)
    }

    /// Every child, in declaration order, with its state (OTP's
    /// `which_children`).
    ///
    /// # Errors
    ///
    /// [`SupervisorError::Stopped`] if the supervisor has stopped.
    pub async fn children(&self) -> Result<Vec<ChildInfo>, SupervisorError> {
        self.send(|reply| Entry::Children { reply }).await
    }

    /// How many children there are, by kind (OTP's `count_children`).
    ///
    /// # Errors
    ///
    /// [`SupervisorError::Stopped`] if the supervisor has stopped.
    pub async fn count_children(&self) -> Result<ChildCounts, SupervisorError> {
        let children = self.children().await?;
        let supervisors = children.iter().filter(|c| c.actor == "Supervisor").count();
        Ok(ChildCounts {
            specs: children.len(),
            active: children
                .iter()
                .filter(|c| c.state == super::spec::ChildState::Running)
                .count(),
            supervisors,
            workers: children.len() - supervisors,
        })
    }

    async fn admin(&self, op: Admin, child: ChildKey) -> Result<(), SupervisorError> {
        self.send(|reply| Entry::Admin { op, child, reply }).await?
    }

    /// Stops a child, named by its id or its name ([`ChildKey`]), within its
    /// shutdown time (its `on_stop` runs), and
    /// keeps its spec as [`ChildState::Stopped`](crate::ChildState::Stopped),
    /// for [`restart_child`](Self::restart_child) or
    /// [`delete_child`](Self::delete_child); a temporary child's spec is
    /// deleted at once (OTP's `terminate_child`). Its reference stays valid
    /// and messages sent meanwhile wait in its mailbox. Terminating a
    /// stopped child does nothing.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::NoSuchChild`] if the supervisor has no such child,
    /// [`SupervisorError::Stopped`] if it has stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # use typact::{ChildState, Supervisor};
    /// #[derive(Default)] struct Worker { n: u32 }
    /// #[actor] impl Worker { #[handler] fn bump(&mut self) -> u32 { self.n += 1; self.n } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sup = Supervisor::builder();
    /// let worker = sup.child(Worker::default).add();
    /// let sup = sup.spawn().await?;
    /// assert_eq!(worker.bump().await?, 1);
    ///
    /// sup.terminate_child(worker.id()).await?;
    /// assert_eq!(sup.children().await?[0].state, ChildState::Stopped);
    ///
    /// sup.restart_child(worker.id()).await?;
    /// assert_eq!(worker.bump().await?, 1); // a fresh instance, same reference
    ///
    /// sup.terminate_child(worker.id()).await?;
    /// sup.delete_child(worker.id()).await?;
    /// assert!(sup.children().await?.is_empty());
    /// assert!(!worker.is_alive());
    /// # Ok(()) }
    /// ```
    pub async fn terminate_child(&self, child: impl Into<ChildKey>) -> Result<(), SupervisorError> {
        self.admin(Admin::Terminate, child.into()).await
    }

    /// Starts a stopped child again from its factory (OTP's
    /// `restart_child`), behind the same reference; its `after_restart` hook
    /// runs with the reason the last instance ended. Does not count toward
    /// the restart intensity.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::NoSuchChild`], [`SupervisorError::ChildRunning`]
    /// if it is running or restarting, [`SupervisorError::ChildStartFailed`]
    /// if it failed to start again (it stays stopped), or
    /// [`SupervisorError::Stopped`].
    pub async fn restart_child(&self, child: impl Into<ChildKey>) -> Result<(), SupervisorError> {
        self.admin(Admin::Restart, child.into()).await
    }

    /// Deletes a stopped child's spec (OTP's `delete_child`): the child
    /// stops for good, with the reason its last instance ended; asks
    /// waiting in its mailbox fail with `Stopped` and tells become dead
    /// letters.
    ///
    /// # Errors
    ///
    /// [`SupervisorError::NoSuchChild`], [`SupervisorError::ChildRunning`]
    /// if it is running or restarting (terminate it first), or
    /// [`SupervisorError::Stopped`].
    pub async fn delete_child(&self, child: impl Into<ChildKey>) -> Result<(), SupervisorError> {
        self.admin(Admin::Delete, child.into()).await
    }
}
