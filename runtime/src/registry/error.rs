//! The errors of registering and looking up.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use crate::cell::ActorId;

/// Why a lookup found no actor of the requested type.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::{LookupError, Registry};
///
/// #[derive(Default)] struct Billing;
/// #[actor] impl Billing { #[handler] fn bill(&self) {} }
/// #[derive(Default)] struct Shipping;
/// #[actor] impl Shipping { #[handler] fn ship(&self) {} }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new();
/// let billing = Billing.spawn();
/// registry.register("billing", &billing)?;
///
/// let err = registry.lookup::<Shipping>("billing").unwrap_err();
/// assert!(matches!(err, LookupError::WrongType { .. }));
/// assert!(err.to_string().contains("Billing") && err.to_string().contains("Shipping"));
/// assert!(matches!(registry.lookup::<Billing>("nobody"), Err(LookupError::NotFound { .. })));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// Nothing is registered under this name or at this path (an actor
    /// that stopped has left already; one that is stopping, with no strong
    /// reference left, counts as gone).
    NotFound {
        /// The name or path looked up.
        name: Arc<str>,
    },
    /// An actor of another type is registered under this name or sits at
    /// this path.
    WrongType {
        /// The name or path looked up.
        name: Arc<str>,
        /// What is registered there: the actor's type, or `Ref<Protocol>`
        /// for a ref registered by protocol.
        registered: &'static str,
        /// The type the lookup asked for.
        requested: &'static str,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotFound { name } => write!(f, "no actor is registered as {name:?}"),
            LookupError::WrongType {
                name,
                registered,
                requested,
            } => write!(
                f,
                "{name:?} is registered for actor type `{registered}`, not `{requested}`"
            ),
        }
    }
}

impl Error for LookupError {}

/// Why a registration was refused.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::{RegisterError, Registry};
///
/// #[derive(Default)] struct Billing;
/// #[actor] impl Billing { #[handler] fn bill(&self) {} }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new();
/// let (first, second) = (Billing.spawn(), Billing.spawn());
/// registry.register("billing", &first)?;
/// registry.register("billing", &first)?; // the same actor again: no change
/// let err = registry.register("billing", &second).unwrap_err();
/// assert!(matches!(err, RegisterError::Taken { holder, .. } if holder == first.id()));
/// registry.register_replacing("billing", &second)?;
/// assert_eq!(registry.lookup::<Billing>("billing")?, second);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// Another live actor holds the name; use
    /// [`Registry::register_replacing`](crate::Registry::register_replacing)
    /// to take it over.
    Taken {
        /// The name.
        name: Arc<str>,
        /// The actor holding it.
        holder: ActorId,
        /// The holder as it shows in logs (`Billing(billing)#4`).
        holder_name: String,
    },
    /// The actor has stopped (or is stopping with no reference left), so it
    /// was not registered: entries never outlive their actor.
    Stopped {
        /// The name or key it was to be registered under.
        name: Arc<str>,
        /// The actor.
        actor: ActorId,
    },
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Taken {
                name, holder_name, ..
            } => write!(
                f,
                "the name {name:?} is taken by {holder_name}; use `register_replacing` to take it over"
            ),
            RegisterError::Stopped { name, actor } => {
                write!(
                    f,
                    "actor {actor} has stopped, so it was not registered as {name:?}"
                )
            }
        }
    }
}

impl Error for RegisterError {}

/// Why an actor could not take its path in the supervision tree: the
/// error of its [`StopReason::StartFailed`](crate::StopReason::StartFailed).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathError {
    /// A live actor already sits at this path.
    Taken {
        /// The path.
        path: Arc<str>,
        /// The actor at it.
        holder: ActorId,
        /// The holder as it shows in logs.
        holder_name: String,
    },
    /// The actor's name cannot be a segment of a path (it is empty or
    /// contains `/`).
    InvalidName {
        /// The name.
        name: Arc<str>,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Taken {
                path, holder_name, ..
            } => write!(
                f,
                "the path {path} is taken by the live actor {holder_name}"
            ),
            PathError::InvalidName { name } => write!(
                f,
                "the name {name:?} cannot be part of an actor path (it is empty or contains `/`)"
            ),
        }
    }
}

impl Error for PathError {}
