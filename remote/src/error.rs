//! The errors of `typact-remote`.

use crate::transport::TransportError;

/// Why a node operation (open, register, lookup, spawn) failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// A name is not usable in a key: empty, too long, or with one of
    /// `/ * $ ? #` or whitespace.
    #[error("`{0}` cannot be a node, actor or factory name: use no `/ * $ ? #` and no whitespace")]
    InvalidName(String),
    /// No actor is registered under this name in the cluster.
    #[error("no actor is registered as `{0}` in the cluster")]
    NotFound(String),
    /// The name is registered on more than one node.
    #[error("`{name}` is registered on several nodes ({nodes:?}): unregister all but one")]
    Conflict {
        /// The name.
        name: String,
        /// The nodes that registered it.
        nodes: Vec<String>,
    },
    /// This node registered the name already.
    #[error("`{0}` is registered on this node already")]
    Taken(String),
    /// The actor found is of another type than the one asked for.
    #[error("the actor is a `{found}`, not a `{expected}`")]
    WrongType {
        /// The type asked for.
        expected: String,
        /// The actor's type.
        found: String,
    },
    /// The actor does not exist (any more) on its node.
    #[error("no such actor on node `{0}` (it stopped)")]
    NoSuchActor(String),
    /// The node does not answer.
    #[error("node `{0}` is unreachable")]
    Unreachable(String),
    /// No factory of this name on the node.
    #[error("node `{node}` has no factory `{factory}`")]
    NoFactory {
        /// The node.
        node: String,
        /// The factory's name.
        factory: String,
    },
    /// The remote node refused or failed the request, for the reason given.
    #[error("node `{node}` failed the request: {reason}")]
    Refused {
        /// The node.
        node: String,
        /// What it said.
        reason: String,
    },
    /// Encoding the request's arguments failed.
    #[error("cannot encode: {0}")]
    Encode(String),
    /// The network failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
}
