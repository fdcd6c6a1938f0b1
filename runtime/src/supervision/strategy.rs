//! What a supervisor does when a child fails: which children restart
//! ([`Strategy`]), which children restart at all ([`Restart`]), and the
//! per-failure decision ([`Directive`]).

use std::fmt;
use std::sync::Arc;

use crate::error::StopReason;

/// Which children a supervisor restarts when one fails (OTP's strategies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Restart only the failed child. The default.
    #[default]
    OneForOne,
    /// Stop every other child (in reverse order), then restart all of them
    /// in declaration order.
    OneForAll,
    /// Stop the children declared after the failed one (in reverse order),
    /// then restart the failed one and those, in declaration order.
    RestForOne,
}

/// When a supervised child is restarted (OTP's restart types).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always, whatever the reason it stopped. The default.
    #[default]
    Permanent,
    /// Only after a failure ([`StopReason::is_failure`]); a normal stop, or a
    /// supervisor's shutdown after giving up ([`StopReason::is_shutdown`]),
    /// is final.
    Transient,
    /// Never. When it stops it is removed from the supervisor, unless it was
    /// declared with [`keep`](crate::ChildBuilder::keep).
    Temporary,
}

impl Restart {
    /// Whether a child of this restart type that stopped with `reason` is
    /// restarted.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::{Restart, StopReason};
    /// assert!(Restart::Permanent.restarts_after(&StopReason::Normal));
    /// assert!(!Restart::Transient.restarts_after(&StopReason::Normal));
    /// assert!(Restart::Transient.restarts_after(&StopReason::Killed));
    /// assert!(!Restart::Temporary.restarts_after(&StopReason::Killed));
    /// ```
    pub fn restarts_after(self, reason: &StopReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure() && !reason.is_shutdown(),
            Restart::Temporary => false,
        }
    }
}

/// What a supervisor does with one failure of a child, as chosen by the
/// child's decider ([`ChildBuilder::on_failure`](crate::ChildBuilder::on_failure)
/// or [`SupervisorBuilder::on_failure`](crate::SupervisorBuilder::on_failure)).
///
/// Akka's supervisor directives, on top of OTP's strategies: a decider sees
/// each failure (a handler's panic, a [`Context::fail`](crate::Context::fail)
/// error, a linked actor's failure, a failed start) and answers one of these.
/// Without a decider every failure is a [`Restart`](Directive::Restart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Directive {
    /// Restart the child with fresh state, by the supervisor's strategy,
    /// restart type, intensity and backoff. The default.
    #[default]
    Restart,
    /// Keep the child's instance and its state, drop the message that
    /// failed (its asker gets the error), and go on with the next one. It
    /// counts toward no intensity. A failed start cannot be resumed and is
    /// restarted instead.
    Resume,
    /// Stop the child for good with the failure as its reason, whatever its
    /// restart type; the other children are left alone.
    Stop,
    /// Pass the failure up: the supervisor stops its children and fails
    /// at once with [`SupervisorError::Escalated`](crate::SupervisorError::Escalated),
    /// for its own supervisor to handle.
    Escalate,
}

/// A decider: from a failure to a [`Directive`]. Called once per failure, on
/// the child's task or the supervisor's, so it must be quick and must not
/// block.
pub(crate) type Decider = Arc<dyn Fn(&StopReason) -> Directive + Send + Sync>;

/// A decider as an option, printable.
#[derive(Clone, Default)]
pub(crate) struct OnFailure(pub(crate) Option<Decider>);

impl OnFailure {
    /// The directive for `reason`: `Restart` without a decider.
    pub(crate) fn decide(&self, reason: &StopReason) -> Directive {
        self.0.as_ref().map_or(Directive::Restart, |f| f(reason))
    }
}

impl fmt::Debug for OnFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "Some(..)" } else { "None" })
    }
}
