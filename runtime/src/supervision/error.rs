//! [`SupervisorError`], and [`Ignore`], the start hook's way to decline.

use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::cell::ActorId;
use crate::error::StopReason;

/// Why a supervisor failed, or refused an operation on a child.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SupervisorError {
    /// More restarts than the intensity allows happened within its window:
    /// the supervisor stopped its children and shut down, with this as the
    /// error of its [`StopReason::Failed`]. Like OTP's `shutdown` exit, it is
    /// not a failure to a `Transient` parent spec
    /// ([`StopReason::is_shutdown`]); a `Permanent` spec restarts it.
    IntensityExceeded {
        /// The child whose failure went over the limit.
        child: ActorId,
        /// Why that child stopped.
        reason: StopReason,
        /// The limit: at most this many restarts...
        restarts: u32,
        /// ...within this window.
        within: Duration,
    },
    /// A child's decider answered [`Directive::Escalate`](crate::Directive::Escalate):
    /// the supervisor stopped its children and failed with this error.
    Escalated {
        /// The child whose failure was passed up.
        child: ActorId,
        /// Why that child stopped.
        reason: StopReason,
    },
    /// A child failed to start.
    ChildStartFailed {
        /// The child.
        child: ActorId,
        /// Why it did not start.
        reason: StopReason,
    },
    /// A child's `#[on_start]` hook (or factory) did not finish within its
    /// start timeout ([`ChildBuilder::start_timeout`](crate::ChildBuilder::start_timeout));
    /// the child was aborted. The error of the child's
    /// [`StopReason::StartFailed`].
    StartTimeout {
        /// The child.
        child: ActorId,
        /// Its name, if it has one.
        name: Option<Arc<str>>,
        /// The timeout it overran.
        after: Duration,
    },
    /// No child with this id (or name) is listed by the supervisor.
    NoSuchChild(crate::ChildKey),
    /// The child is running (or restarting), so it cannot be restarted or
    /// deleted; terminate it first (OTP's `{error, running}`).
    ChildRunning(ActorId),
    /// The supervisor has stopped, so it cannot take a new child or answer.
    Stopped,
}

impl fmt::Display for SupervisorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SupervisorError::IntensityExceeded {
                child,
                reason,
                restarts,
                within,
            } => write!(
                f,
                "restart intensity exceeded: more than {restarts} restarts within {within:?}; the last failure was child {child}, which {reason}"
            ),
            SupervisorError::Escalated { child, reason } => {
                write!(
                    f,
                    "child {child} failed and its decider escalated: it {reason}"
                )
            }
            SupervisorError::ChildStartFailed { child, reason } => {
                write!(f, "child {child} did not start: {reason}")
            }
            SupervisorError::StartTimeout { child, name, after } => match name {
                Some(name) => write!(
                    f,
                    "child {name} ({child}) did not finish starting within {after:?}; it was aborted (raise it with `ChildBuilder::start_timeout`)"
                ),
                None => write!(
                    f,
                    "child {child} did not finish starting within {after:?}; it was aborted (raise it with `ChildBuilder::start_timeout`)"
                ),
            },
            SupervisorError::NoSuchChild(child) => write!(
                f,
                "the supervisor has no child {child}; `children()` lists the ones it has"
            ),
            SupervisorError::ChildRunning(child) => write!(
                f,
                "child {child} is running; terminate it with `terminate_child` first"
            ),
            SupervisorError::Stopped => f.write_str("the supervisor has stopped"),
        }
    }
}

impl Error for SupervisorError {}

/// The error an `#[on_start]` hook returns to decline a supervised start,
/// as OTP's `init` returning `ignore`.
///
/// The supervisor keeps the child's spec, reports it as
/// [`ChildState::Stopped`](crate::ChildState::Stopped), and goes on with
/// its other children instead of failing; start it later with
/// [`SupervisorClient::restart_child`](crate::SupervisorClient::restart_child).
/// Its reference stays valid meanwhile and messages wait in its mailbox.
/// An actor spawned without a supervisor that declines stops with
/// [`StopReason::StartFailed`].
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::{ChildState, Ignore, Supervisor};
///
/// struct Replica {
///     enabled: bool,
/// }
///
/// #[actor]
/// impl Replica {
///     #[on_start]
///     fn start(&mut self) -> Result<(), Ignore> {
///         if self.enabled { Ok(()) } else { Err(Ignore) }
///     }
///
///     #[handler]
///     fn ping(&self) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sup = Supervisor::builder();
/// let replica = sup.child(|| Replica { enabled: false }).add();
/// let sup = sup.spawn().await?; // not an error
/// let info = sup.children().await?;
/// assert_eq!(info[0].id, replica.id());
/// assert_eq!(info[0].state, ChildState::Stopped);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ignore;

impl fmt::Display for Ignore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the actor declined to start (`Ignore`)")
    }
}

impl Error for Ignore {}

impl Ignore {
    /// Whether `reason` is a start declined with [`Ignore`].
    pub(crate) fn is(reason: &StopReason) -> bool {
        matches!(reason, StopReason::StartFailed(err) if err.is::<Ignore>())
    }
}
