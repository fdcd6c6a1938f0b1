//! The actors a node serves to the others, at the level of bytes.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use typact::StopReason;

use crate::envelope::Failure;
use crate::transport::BoxFuture;

/// Why an ask served by this node failed, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AskFailure {
    Stopped,
    Panicked,
    NoReply,
    Timeout,
    Other(String),
}

impl AskFailure {
    pub(crate) fn to_wire(&self) -> Failure<'_> {
        match self {
            AskFailure::Stopped => Failure::Stopped,
            AskFailure::Panicked => Failure::Panicked,
            AskFailure::NoReply => Failure::NoReply,
            AskFailure::Timeout => Failure::Timeout,
            AskFailure::Other(text) => Failure::Other(text),
        }
    }
}

/// Where the answer to an ask goes.
pub(crate) type Done = Box<dyn FnOnce(Result<Vec<u8>, AskFailure>) + Send>;

/// An actor this node serves: what the dispatcher needs of it.
pub(crate) trait Export: Send + Sync + 'static {
    /// The actor's type, as [`crate::actor_type`] gives it.
    fn actor_type(&self) -> &str;
    /// Enqueues a tell.
    fn tell(&self, message: &str, payload: &[u8]) -> Result<(), String>;
    /// Enqueues an ask before it returns (so that frames keep their
    /// order); `done` gets its encoded reply, or the failure, once. An ask
    /// that cannot be enqueued `within` (its asker's deadline) fails with
    /// `Timeout` instead of being handled late.
    fn ask(&self, message: &str, payload: &[u8], within: Duration, done: Done);
    /// Stops (or kills) the actor.
    fn stop(&self, kill: bool);
    /// Resolves when the actor has stopped.
    fn stopped(&self) -> BoxFuture<'static, StopReason>;
    /// The typed reference, for a lookup from this very node.
    fn as_any(&self) -> &dyn Any;
}

/// One served actor and who holds it.
pub(crate) struct Slot {
    pub(crate) export: Arc<dyn Export>,
    /// Nodes with proxies of it, and how many each.
    pub(crate) holders: HashMap<String, usize>,
    /// Names it is registered under on this node (it is kept while any).
    pub(crate) names: Vec<String>,
    /// Dropped with the slot: ends the task that waits for the actor to
    /// stop (and lets go of its reference).
    pub(crate) _served: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Slot {
    pub(crate) fn new(export: Arc<dyn Export>, served: tokio::sync::oneshot::Sender<()>) -> Self {
        Slot {
            export,
            holders: HashMap::new(),
            names: Vec::new(),
            _served: Some(served),
        }
    }

    /// Whether nothing keeps the actor served any more.
    pub(crate) fn unused(&self) -> bool {
        self.holders.is_empty() && self.names.is_empty()
    }
}
