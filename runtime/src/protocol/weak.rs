//! [`WeakRef<P>`]: a protocol ref that does not keep its actor alive.

use std::fmt;
use std::sync::Arc;

use crate::cell::ActorId;
use crate::protocol::erased::Erased;
use crate::protocol::{Protocol, RawProtoRef, Ref};

/// A [`Ref<P>`] that does not keep its actor alive, as
/// [`WeakActorRef`](crate::WeakActorRef) is to an `ActorRef`. What the
/// registry holds.
///
/// Made by [`Ref::downgrade`]; [`upgrade`](Self::upgrade) it to send.
/// Compares and hashes by the actor's id.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[protocol]
/// pub trait Ping {
///     fn ping(&self);
/// }
///
/// struct Pinger;
/// #[actor]
/// impl Pinger {
///     #[handler(message)]
///     fn ping(&self, _: ping::Ping) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let pinger: Ref<Ping> = Pinger.spawn().into();
/// let weak = pinger.downgrade();
/// assert_eq!(weak.upgrade(), Some(pinger.clone()));
/// drop(pinger); // the last strong reference: the idle actor stops
/// assert!(weak.upgrade().is_none());
/// # }
/// ```
pub struct WeakRef<P: Protocol> {
    mailbox: Arc<dyn Erased>,
    routes: &'static P::Routes,
}

impl<P: Protocol> WeakRef<P> {
    pub(crate) fn new(mailbox: Arc<dyn Erased>, routes: &'static P::Routes) -> Self {
        WeakRef { mailbox, routes }
    }

    /// A strong ref, or `None` if the actor has stopped or has no strong
    /// reference left.
    pub fn upgrade(&self) -> Option<Ref<P>> {
        RawProtoRef::try_new(&self.mailbox, self.routes).map(Ref::from_raw)
    }

    /// The actor's unique id, even after it has stopped.
    pub fn id(&self) -> ActorId {
        self.mailbox.cell().id
    }

    /// Whether the actor is still running.
    pub fn is_alive(&self) -> bool {
        !self.mailbox.cell().is_stopped()
    }

    pub(crate) fn cell(&self) -> &Arc<crate::cell::Cell> {
        self.mailbox.cell()
    }
}

impl<P: Protocol> Clone for WeakRef<P> {
    fn clone(&self) -> Self {
        WeakRef {
            mailbox: self.mailbox.clone(),
            routes: self.routes,
        }
    }
}

impl<P: Protocol> PartialEq for WeakRef<P> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<P: Protocol> Eq for WeakRef<P> {}

impl<P: Protocol> std::hash::Hash for WeakRef<P> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<P: Protocol> fmt::Debug for WeakRef<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakRef<{}>({})", P::NAME, self.mailbox.cell())
    }
}
