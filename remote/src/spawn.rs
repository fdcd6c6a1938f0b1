//! Actor factories: spawning an actor on another node.

use std::sync::Arc;

use crate::node::export::Export;

/// A factory registered on a node, at the level of bytes.
pub(crate) trait Factory: Send + Sync + 'static {
    /// The type of the actors it makes.
    fn actor_type(&self) -> &str;
    /// Decodes the arguments and spawns; the new actor's id and export.
    fn spawn(&self, args: &[u8]) -> Result<(u64, Arc<dyn Export>), String>;
}
