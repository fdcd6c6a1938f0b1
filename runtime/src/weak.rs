//! Weak references: [`WeakActorRef`] and [`WeakRecipient`], addresses that
//! do not keep an actor alive.
//!
//! An actor stops by itself once its last [`ActorRef`] and [`Recipient`]
//! are gone and its mailbox is empty. A registry of actors, a cache of
//! references or a child's reference back to its parent should not hold
//! it up: they keep a weak reference and [`upgrade`](WeakActorRef::upgrade)
//! it when they need to send. Upgrading fails once the actor has stopped,
//! or once no strong reference is left (from then on the actor is on its
//! way out, and a weak reference never brings it back).

use std::fmt;
use std::sync::Arc;

use crate::actor::{Actor, Message};
use crate::actor_ref::{ActorRef, RawRef};
use crate::ask::{Sink, Strong};
use crate::cell::ActorId;
use crate::mailbox::ActorTx;
use crate::recipient::Recipient;

/// A reference to an actor that does not keep it alive.
///
/// Made by [`ActorRef::downgrade`]. It costs one pointer, like an
/// [`ActorRef`], and keeps only the actor's mailbox allocation (not the
/// actor, its state or its task) from being freed.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Cache;
///
/// #[actor]
/// impl Cache {
///     #[handler]
///     fn hit(&self) -> u32 {
///         1
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// let cache = Cache.spawn();
/// let weak: WeakActorRef<Cache> = cache.downgrade();
/// assert_eq!(weak.upgrade().unwrap().hit().await?, 1);
///
/// let id = cache.id();
/// drop(cache); // the last strong reference: the idle actor stops
/// assert!(weak.upgrade().is_none());
/// assert_eq!(weak.id(), id);
/// # Ok(()) }
/// ```
pub struct WeakActorRef<A: Actor> {
    tx: ActorTx<A>,
}

impl<A: Actor> WeakActorRef<A> {
    pub(crate) fn new(tx: ActorTx<A>) -> Self {
        WeakActorRef { tx }
    }

    /// A strong reference to the actor, or `None` if it has stopped or has
    /// no strong reference left.
    ///
    /// A `Some` is no promise that the actor will still be running when
    /// the next message arrives (it may stop at any time, as with any
    /// reference); sends then fail as usual.
    pub fn upgrade(&self) -> Option<ActorRef<A>> {
        RawRef::try_new(self.tx.clone()).map(ActorRef::from_raw)
    }

    /// The actor's unique id, even after it has stopped.
    pub fn id(&self) -> ActorId {
        self.tx.cell().id
    }

    /// The actor's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.tx.cell().name.as_deref()
    }

    /// Whether the actor is still running (not yet fully stopped).
    pub fn is_alive(&self) -> bool {
        !self.tx.cell().is_stopped()
    }

    /// The number of strong references ([`ActorRef`]s, [`Recipient`]s and
    /// pending asks) the actor has now. A snapshot, for tests and
    /// diagnostics.
    pub fn strong_count(&self) -> usize {
        self.tx
            .cell()
            .refs
            .load(std::sync::atomic::Ordering::Relaxed) as usize
    }
}

impl<A: Actor> Clone for WeakActorRef<A> {
    fn clone(&self) -> Self {
        WeakActorRef {
            tx: self.tx.clone(),
        }
    }
}

impl<A: Actor> PartialEq for WeakActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<A: Actor> Eq for WeakActorRef<A> {}

impl<A: Actor> std::hash::Hash for WeakActorRef<A> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> fmt::Debug for WeakActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakActorRef({})", self.tx.cell())
    }
}

/// A [`Recipient`] that does not keep its actor alive.
///
/// Made by [`Recipient::downgrade`]; [`upgrade`](Self::upgrade) it to send.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// struct Event;
/// impl Message for Event {
///     type Reply = ();
/// }
///
/// #[derive(Default)]
/// struct Listener;
///
/// #[actor]
/// impl Listener {
///     #[handler(message)]
///     fn event(&mut self, _: Event) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let listener = Listener.spawn();
/// let subscribers: Vec<WeakRecipient<Event>> = vec![listener.recipient().downgrade()];
/// let live = |subs: &[WeakRecipient<Event>]| subs.iter().filter_map(WeakRecipient::upgrade).count();
/// assert_eq!(live(&subscribers), 1);
/// drop(listener);
/// assert_eq!(live(&subscribers), 0);
/// # }
/// ```
pub struct WeakRecipient<M: Message> {
    sink: Arc<dyn Sink<M, Reply = M::Reply>>,
}

impl<M: Message> WeakRecipient<M> {
    pub(crate) fn new(sink: Arc<dyn Sink<M, Reply = M::Reply>>) -> Self {
        WeakRecipient { sink }
    }

    /// A strong recipient, or `None` if the actor has stopped or has no
    /// strong reference left.
    pub fn upgrade(&self) -> Option<Recipient<M>> {
        Strong::upgrade(&self.sink).map(Recipient::from_strong)
    }

    /// The id of the actor behind it.
    pub fn id(&self) -> ActorId {
        self.sink.cell().id
    }

    /// The cell of the actor behind it.
    pub(crate) fn cell(&self) -> &std::sync::Arc<crate::cell::Cell> {
        self.sink.cell()
    }

    /// Whether the actor is still running.
    pub fn is_alive(&self) -> bool {
        !self.sink.cell().is_stopped()
    }
}

impl<M: Message> Clone for WeakRecipient<M> {
    fn clone(&self) -> Self {
        WeakRecipient {
            sink: self.sink.clone(),
        }
    }
}

impl<M: Message> fmt::Debug for WeakRecipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WeakRecipient<{}>({})",
            std::any::type_name::<M>(),
            self.sink.cell()
        )
    }
}
