//! Registration by protocol key (Akka's receptionist): any number of
//! actors behind one [`ServiceKey<P>`], found as `Ref<P>`s, with
//! subscribers told of every change.

use std::any::TypeId;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::{Arc, Weak};

use tokio::sync::mpsc;

use crate::bonds::HookKey;
use crate::cell::{ActorId, Cell};
use crate::protocol::{Protocol, Ref, WeakRef};
use crate::recipient::Recipient;
use crate::registry::error::RegisterError;
use crate::registry::listing::{Listing, ListingStream};
use crate::registry::{Inner, Keys, Registry, lock};

/// The key of a listing: an id and the protocol its members speak, as
/// Akka's `ServiceKey[T]`. Two keys are the same when both their id and
/// their protocol are.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::{Registry, ServiceKey};
///
/// pub struct Get;
/// impl Message for Get { type Reply = u64; }
/// typact::protocol_of!(pub Reader = Get);
///
/// #[derive(Default)] struct Memory;
/// #[actor] impl Memory { #[handler(message)] fn get(&self, _: Get) -> u64 { 1 } }
/// #[derive(Default)] struct Disk;
/// #[actor] impl Disk { #[handler(message)] fn get(&self, _: Get) -> u64 { 2 } }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let readers = ServiceKey::<Reader>::new("readers");
/// let registry = Registry::new();
/// let (memory, disk) = (Memory.spawn(), Disk.spawn());
/// registry.register_key(&readers, &memory.to_ref())?;
/// registry.register_key(&readers, &disk.to_ref())?;
///
/// let mut sum = 0;
/// for reader in registry.find(&readers) {
///     sum += reader.ask(Get).await?;
/// }
/// assert_eq!(sum, 3);
/// # Ok(()) }
/// ```
pub struct ServiceKey<P: Protocol> {
    id: Arc<str>,
    protocol: PhantomData<fn() -> P>,
}

impl<P: Protocol> ServiceKey<P> {
    /// The key `id` for protocol `P`.
    pub fn new(id: impl Into<Arc<str>>) -> Self {
        ServiceKey {
            id: id.into(),
            protocol: PhantomData,
        }
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn map_key(&self) -> (TypeId, Arc<str>) {
        (TypeId::of::<P>(), self.id.clone())
    }
}

impl<P: Protocol> Clone for ServiceKey<P> {
    fn clone(&self) -> Self {
        ServiceKey::new(self.id.clone())
    }
}

impl<P: Protocol> PartialEq for ServiceKey<P> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<P: Protocol> Eq for ServiceKey<P> {}

impl<P: Protocol> Hash for ServiceKey<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<P: Protocol> fmt::Debug for ServiceKey<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceKey<{}>({:?})", P::NAME, self.id)
    }
}

impl<P: Protocol> fmt::Display for ServiceKey<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", P::NAME, self.id)
    }
}

/// One key's members and subscribers.
struct KeyState<P: Protocol> {
    key: ServiceKey<P>,
    members: Vec<Member<P>>,
    subscribers: Vec<Subscriber<P>>,
    next_subscriber: u64,
}

struct Member<P: Protocol> {
    weak: WeakRef<P>,
    /// The end hook on its cell that takes it out.
    hook: HookKey,
}

struct Subscriber<P: Protocol> {
    id: u64,
    tx: mpsc::UnboundedSender<Listing<P>>,
    /// For an actor subscriber: its cell and the end hook there that
    /// takes it out.
    actor: Option<(Arc<Cell>, HookKey)>,
}

impl<P: Protocol> KeyState<P> {
    fn new(key: ServiceKey<P>) -> Self {
        KeyState {
            key,
            members: Vec::new(),
            subscribers: Vec::new(),
            next_subscriber: 0,
        }
    }

    fn listing(&self) -> Listing<P> {
        let members = self.members.iter().map(|m| m.weak.clone()).collect();
        Listing::new(self.key.clone(), members)
    }

    /// Tells every subscriber the listing; forgets those gone.
    fn publish(&mut self) {
        let listing = self.listing();
        self.subscribers
            .retain(|sub| sub.tx.send(listing.clone()).is_ok());
    }
}

/// The state of `key` in `keys`, made if absent.
fn state<'a, P: Protocol>(keys: &'a mut Keys, key: &ServiceKey<P>) -> &'a mut KeyState<P> {
    keys.entry(key.map_key())
        .or_insert_with(|| Box::new(KeyState::new(key.clone())))
        .downcast_mut::<KeyState<P>>()
        .expect("a key's state is stored under its protocol's type id")
}

/// Takes actor `id` out of `key`'s listing: the end hook of a member.
fn leave<P: Protocol>(inner: &Weak<Inner>, key: &ServiceKey<P>, id: ActorId) {
    let Some(inner) = inner.upgrade() else {
        return;
    };
    let mut keys = lock(&inner.keys);
    let state = state(&mut keys, key);
    let before = state.members.len();
    state.members.retain(|m| m.weak.id() != id);
    if state.members.len() != before {
        state.publish();
    }
}

/// Forgets subscriber `sub` of `key`: the end hook of an actor subscriber.
fn unsubscribe<P: Protocol>(inner: &Weak<Inner>, key: &ServiceKey<P>, sub: u64) {
    if let Some(inner) = inner.upgrade() {
        state(&mut lock(&inner.keys), key)
            .subscribers
            .retain(|s| s.id != sub);
    }
}

impl Registry {
    /// Lists `actor` under `key`. A key lists any number of actors, of any
    /// types that speak `P`; listing the same actor again changes
    /// nothing. The entry holds the actor weakly and leaves as it stops;
    /// subscribers are told of the change.
    ///
    /// # Errors
    ///
    /// [`RegisterError::Stopped`] if the actor has already stopped.
    pub fn register_key<P: Protocol>(
        &self,
        key: &ServiceKey<P>,
        actor: &Ref<P>,
    ) -> Result<(), RegisterError> {
        let cell = actor.cell().clone();
        let mut keys = lock(&self.inner.keys);
        let state = state(&mut keys, key);
        if state.members.iter().any(|m| m.weak.id() == cell.id) {
            return Ok(());
        }
        let inner = Arc::downgrade(&self.inner);
        let leaving = key.clone();
        let hook = Box::new(move |id, _: &crate::StopReason| leave(&inner, &leaving, id));
        let hook = cell
            .bonds()
            .on_end(hook)
            .map_err(|_| RegisterError::Stopped {
                name: key.id.clone(),
                actor: cell.id,
            })?;
        state.members.push(Member {
            weak: actor.downgrade(),
            hook,
        });
        state.publish();
        Ok(())
    }

    /// Takes actor `id` out of `key`'s listing; returns whether it was
    /// listed. Subscribers are told.
    pub fn deregister_key<P: Protocol>(&self, key: &ServiceKey<P>, id: ActorId) -> bool {
        let mut keys = lock(&self.inner.keys);
        let state = state(&mut keys, key);
        let Some(pos) = state.members.iter().position(|m| m.weak.id() == id) else {
            return false;
        };
        // The member takes its hook back as it drops.
        state.members.remove(pos);
        state.publish();
        true
    }

    /// The actors listed under `key` now, in registration order.
    pub fn find<P: Protocol>(&self, key: &ServiceKey<P>) -> Vec<Ref<P>> {
        let keys = lock(&self.inner.keys);
        let Some(state) = keys.get(&key.map_key()) else {
            return Vec::new();
        };
        let state = state
            .downcast_ref::<KeyState<P>>()
            .expect("a key's state is stored under its protocol's type id");
        state
            .members
            .iter()
            .filter_map(|m| m.weak.upgrade())
            .collect()
    }

    /// The listing of `key` now.
    pub fn listing<P: Protocol>(&self, key: &ServiceKey<P>) -> Listing<P> {
        state(&mut lock(&self.inner.keys), key).listing()
    }

    /// Tells `subscriber` the listing of `key` now, and again after every
    /// change, as [`Listing`] messages in order. The subscription ends
    /// when the subscriber stops, and does not keep it alive.
    ///
    /// The listings reach the subscriber's mailbox through a small task,
    /// which waits for room when the mailbox is full, so a slow subscriber
    /// never delays the actors that join or leave.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    /// use typact::{Listing, Registry, ServiceKey};
    ///
    /// pub struct Ping;
    /// impl Message for Ping { type Reply = (); }
    /// typact::protocol_of!(pub Pinged = Ping);
    ///
    /// #[derive(Default)] struct Worker;
    /// #[actor] impl Worker { #[handler(message)] fn ping(&self, _: Ping) {} }
    ///
    /// #[derive(Default)] struct Watcher { sizes: Vec<usize> }
    /// #[actor] impl Watcher {
    ///     #[handler(message)]
    ///     fn listing(&mut self, listing: Listing<Pinged>) { self.sizes.push(listing.len()); }
    ///     #[handler]
    ///     fn sizes(&self) -> Vec<usize> { self.sizes.clone() }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let key = ServiceKey::<Pinged>::new("workers");
    /// let registry = Registry::new();
    /// let watcher = Watcher::default().spawn();
    /// registry.subscribe(&key, watcher.recipient());
    ///
    /// let worker = Worker.spawn();
    /// registry.register_key(&key, &worker.to_ref())?;
    /// worker.stop();
    /// worker.wait_for_stop().await;
    /// // The listings reach the watcher through its mailbox, in order.
    /// let mut sizes = watcher.sizes().await?;
    /// while sizes.len() < 3 {
    ///     tokio::task::yield_now().await;
    ///     sizes = watcher.sizes().await?;
    /// }
    /// assert_eq!(sizes, [0, 1, 0]);
    /// # Ok(()) }
    /// ```
    pub fn subscribe<P: Protocol>(&self, key: &ServiceKey<P>, subscriber: Recipient<Listing<P>>) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let cell = subscriber.cell().clone();
        let weak = subscriber.downgrade();
        drop(subscriber);
        tokio::spawn(async move {
            while let Some(listing) = rx.recv().await {
                let Some(subscriber) = weak.upgrade() else {
                    break;
                };
                if subscriber.tell(listing).await.is_err() {
                    break;
                }
            }
        });
        let mut keys = lock(&self.inner.keys);
        let state = state(&mut keys, key);
        let id = state.next_subscriber;
        state.next_subscriber += 1;
        let inner = Arc::downgrade(&self.inner);
        let leaving = key.clone();
        let hook = Box::new(move |_, _: &crate::StopReason| unsubscribe(&inner, &leaving, id));
        // A subscriber that has stopped already gets nothing.
        if let Ok(hook) = cell.bonds().on_end(hook) {
            let _ = tx.send(state.listing());
            state.subscribers.push(Subscriber {
                id,
                tx,
                actor: Some((cell, hook)),
            });
        }
    }

    /// The listing of `key` now, and again after every change, as a
    /// [`Stream`](futures_util::Stream) of [`Listing`]s.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use typact::prelude::*;
    /// use typact::{Registry, ServiceKey};
    ///
    /// pub struct Ping;
    /// impl Message for Ping { type Reply = (); }
    /// typact::protocol_of!(pub Pinged = Ping);
    ///
    /// #[derive(Default)] struct Worker;
    /// #[actor] impl Worker { #[handler(message)] fn ping(&self, _: Ping) {} }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let key = ServiceKey::<Pinged>::new("workers");
    /// let registry = Registry::new();
    /// let mut listings = registry.subscribe_stream(&key);
    /// assert!(listings.next().await.unwrap().is_empty());
    ///
    /// let worker = Worker.spawn();
    /// registry.register_key(&key, &worker.to_ref())?;
    /// assert!(listings.next().await.unwrap().contains(worker.id()));
    ///
    /// worker.stop();
    /// worker.wait_for_stop().await;
    /// assert!(listings.next().await.unwrap().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn subscribe_stream<P: Protocol>(&self, key: &ServiceKey<P>) -> ListingStream<P> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut keys = lock(&self.inner.keys);
        let state = state(&mut keys, key);
        let id = state.next_subscriber;
        state.next_subscriber += 1;
        let _ = tx.send(state.listing());
        state.subscribers.push(Subscriber {
            id,
            tx,
            actor: None,
        });
        ListingStream::new(rx)
    }

    /// How many subscribers `key` has now (a stream dropped is noticed at
    /// the next change).
    pub fn subscriber_count<P: Protocol>(&self, key: &ServiceKey<P>) -> usize {
        state(&mut lock(&self.inner.keys), key).subscribers.len()
    }
}

impl<P: Protocol> Drop for Member<P> {
    /// A member that leaves in any other way than its actor's stop
    /// (deregistered, its registry dropped) takes its hook back.
    fn drop(&mut self) {
        self.weak.cell().bonds().remove_hook(self.hook);
    }
}

impl<P: Protocol> Drop for Subscriber<P> {
    fn drop(&mut self) {
        if let Some((cell, hook)) = &self.actor {
            cell.bonds().remove_hook(*hook);
        }
    }
}
