//! The registry: actors found by name, by protocol key and by path, never
//! stale.
//!
//! - names ([`Registry::register`], [`Registry::lookup`]): one actor per
//!   name, typed lookups;
//! - keys ([`ServiceKey`], [`Registry::register_key`],
//!   [`Registry::find`], [`Registry::subscribe`]): Akka's receptionist, a
//!   listing of any number of actors behind one [`Ref<P>`](crate::Ref);
//! - paths ([`Registry::lookup_path`]): the actors of the supervision tree,
//!   at their [`ActorPath`](crate::ActorPath).
//!
//! Every entry holds the actor weakly (its mailbox, not a counted
//! reference), so registering never keeps an actor alive, and every entry
//! leaves through an end hook on the actor's cell: synchronously, as part
//! of the actor's stop, before its `wait_for_stop` returns. Subscribers to
//! a key are told of each change.
//!
//! # Global or instance
//!
//! [`Registry::new`] makes a registry of its own (a test, a subsystem);
//! [`registry()`] is the process-wide one. Both are the same type, and a
//! `Registry` is a cheap handle (clone it freely). Paths are process-wide,
//! as the supervision tree is, and every registry looks them up.
//!
//! # The seam for other nodes
//!
//! Entries are keyed by text (names, key ids, paths), and a
//! [`Ref<P>`](crate::Ref) reaches its actor through an erased mailbox and a
//! table of routes, never through the actor's type. A remote crate can
//! therefore add refs whose "mailbox" is a connection to another node,
//! register them under the same names and keys, and replicate local
//! changes by subscribing to them; `find`, `lookup` and `subscribe` keep
//! their signatures.

mod error;
mod keys;
mod listing;
mod names;
pub(crate) mod paths;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

pub use error::{LookupError, PathError, RegisterError};
pub use keys::ServiceKey;
pub use listing::{Listing, ListingStream};

use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::protocol::{Erased, Implements, Protocol, Ref, erase};

/// A registry of actors by name and by protocol key.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
/// use typact::Registry;
///
/// #[derive(Default)]
/// struct Billing;
/// #[actor]
/// impl Billing {
///     #[handler]
///     fn invoice(&self, cents: u64) -> String { format!("{cents} cents") }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new();
/// let billing = Billing.spawn();
/// registry.register("billing", &billing)?;
///
/// let found = registry.lookup::<Billing>("billing")?;
/// assert_eq!(found.invoice(250).await?, "250 cents");
///
/// billing.stop();
/// billing.wait_for_stop().await;
/// assert!(registry.lookup::<Billing>("billing").is_err()); // gone at once
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    names: Mutex<HashMap<Arc<str>, names::NameEntry>>,
    /// Per key (its protocol and id), a `keys::KeyState<P>`.
    keys: Mutex<Keys>,
}

/// Per key (its protocol's type and its id), its state, erased.
pub(crate) type Keys = HashMap<(TypeId, Arc<str>), Box<dyn Any + Send>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held; a poisoned map is still
    // consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Registry {
    /// An empty registry of its own.
    pub fn new() -> Self {
        Registry::default()
    }

    /// The actor at `path` in the supervision tree (see
    /// [`ActorPath`](crate::ActorPath)), typed. Paths are process-wide:
    /// every registry sees the same ones.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] if no live actor sits at `path`;
    /// [`LookupError::WrongType`] if the actor there is not an `A`.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[derive(Default)]
    /// struct Counter;
    /// #[actor]
    /// impl Counter {
    ///     #[handler]
    ///     fn get(&self) -> u64 { 7 }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sup = Supervisor::builder().name("lookup-path-doc");
    /// sup.child(Counter::default).name("counter-1").add();
    /// let _sup = sup.spawn().await?;
    ///
    /// let counter = typact::registry().lookup_path::<Counter>("/lookup-path-doc/counter-1")?;
    /// assert_eq!(counter.get().await?, 7);
    /// # Ok(()) }
    /// ```
    pub fn lookup_path<A: Actor>(&self, path: &str) -> Result<ActorRef<A>, LookupError> {
        paths::lookup(path)
    }

    /// How many paths live actors hold now, process-wide. For tests and
    /// diagnostics.
    pub fn path_count(&self) -> usize {
        paths::count()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("names", &lock(&self.inner.names).len())
            .field("keys", &lock(&self.inner.keys).len())
            .finish()
    }
}

/// The process-wide registry.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)] struct Clock;
/// #[actor] impl Clock { #[handler] fn now(&self) -> u64 { 42 } }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let clock = Clock.spawn();
/// typact::registry().register("clock-doc", &clock)?;
/// assert_eq!(typact::registry().lookup::<Clock>("clock-doc")?.now().await?, 42);
/// # Ok(()) }
/// ```
pub fn registry() -> &'static Registry {
    static GLOBAL: OnceLock<Registry> = OnceLock::new();
    GLOBAL.get_or_init(Registry::new)
}

/// What can be registered under a name: an [`ActorRef`] or a
/// [`Ref<P>`](crate::Ref). Sealed.
pub trait Registrable: sealed::Sealed {
    #[doc(hidden)]
    fn __registrant(&self) -> Registrant;
}

/// A registration, erased.
#[doc(hidden)]
pub struct Registrant {
    mailbox: Arc<dyn Erased>,
    /// For a protocol ref: its protocol, its routes and its name.
    protocol: Option<names::Routes>,
}

impl fmt::Debug for Registrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Registrant({})", self.mailbox.cell())
    }
}

/// The actor behind an entry found under `key` (a name or a path), as an
/// `ActorRef<A>`: `NotFound` if there is none or it has stopped,
/// `WrongType` naming both types if it is not an `A`.
pub(crate) fn typed<A: Actor>(
    key: &str,
    mailbox: Option<Arc<dyn Erased>>,
) -> Result<ActorRef<A>, LookupError> {
    let not_found = || LookupError::NotFound { name: key.into() };
    let mailbox = mailbox.ok_or_else(not_found)?;
    let tx = crate::protocol::unerase::<A>(&mailbox).ok_or_else(|| LookupError::WrongType {
        name: key.into(),
        registered: mailbox.cell().type_name,
        requested: A::TYPE_NAME,
    })?;
    crate::actor_ref::RawRef::try_new(tx)
        .map(ActorRef::from_raw)
        .ok_or_else(not_found)
}

mod sealed {
    pub trait Sealed {}
    impl<A: crate::Actor> Sealed for crate::ActorRef<A> {}
    impl<P: crate::Protocol> Sealed for crate::Ref<P> {}

    pub trait SealedKey {}
    impl<P: crate::Protocol> SealedKey for super::ServiceKey<P> {}
    impl<P: crate::Protocol> SealedKey for &super::ServiceKey<P> {}
}

impl<A: Actor> Registrable for ActorRef<A> {
    fn __registrant(&self) -> Registrant {
        Registrant {
            mailbox: erase::<A>(&self.raw().tx),
            protocol: None,
        }
    }
}

impl<P: Protocol> Registrable for Ref<P> {
    fn __registrant(&self) -> Registrant {
        Registrant {
            mailbox: self.raw().mailbox.clone(),
            protocol: Some(names::Routes::of::<P>(self.raw().routes)),
        }
    }
}

/// What [`Registry::register`] files an actor under: a name (`&str`,
/// `String`, `Arc<str>`) for any [`Registrable`], or a [`ServiceKey<P>`]
/// (by reference or by value) for a [`Ref<P>`](crate::Ref) or an
/// [`ActorRef<A>`] whose actor speaks `P`. Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a name or a service key that `{R}` can be registered under",
    label = "not a name or a matching `ServiceKey`",
    note = "register under a name (`&str`, `String`, `Arc<str>`), or under a `ServiceKey<P>` whose protocol `P` the actor handles"
)]
pub trait RegistryKey<R>: sealed::SealedKey {
    #[doc(hidden)]
    fn __register(self, registry: &Registry, actor: &R) -> Result<(), RegisterError>;
}

macro_rules! name_keys {
    ($($name:ty => $into:expr),* $(,)?) => {$(
        impl sealed::SealedKey for $name {}
        impl<R: Registrable> RegistryKey<R> for $name {
            fn __register(self, registry: &Registry, actor: &R) -> Result<(), RegisterError> {
                let into: fn($name) -> Arc<str> = $into;
                registry.put(into(self), actor, false)
            }
        }
    )*};
}

name_keys! {
    &str => |name| Arc::from(name),
    String => |name| Arc::from(name),
    &String => |name| Arc::from(name.as_str()),
    Arc<str> => |name| name,
}

impl<P: Protocol> RegistryKey<Ref<P>> for &ServiceKey<P> {
    fn __register(self, registry: &Registry, actor: &Ref<P>) -> Result<(), RegisterError> {
        registry.register_key(self, actor)
    }
}

impl<P: Protocol> RegistryKey<Ref<P>> for ServiceKey<P> {
    fn __register(self, registry: &Registry, actor: &Ref<P>) -> Result<(), RegisterError> {
        registry.register_key(&self, actor)
    }
}

impl<A: Actor, P: Implements<A>> RegistryKey<ActorRef<A>> for &ServiceKey<P> {
    fn __register(self, registry: &Registry, actor: &ActorRef<A>) -> Result<(), RegisterError> {
        registry.register_key(self, &actor.to_ref())
    }
}

impl<A: Actor, P: Implements<A>> RegistryKey<ActorRef<A>> for ServiceKey<P> {
    fn __register(self, registry: &Registry, actor: &ActorRef<A>) -> Result<(), RegisterError> {
        registry.register_key(&self, &actor.to_ref())
    }
}
