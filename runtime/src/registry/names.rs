//! Registration by name: one actor per name, looked up by its type.

use std::any::{Any, TypeId};
use std::sync::{Arc, Weak};

use crate::actor::Actor;
use crate::actor_ref::ActorRef;
use crate::bonds::HookKey;
use crate::cell::ActorId;
use crate::protocol::{Erased, Protocol, RawProtoRef, Ref};
use crate::registry::error::{LookupError, RegisterError};
use crate::registry::{Inner, Registrable, Registry, RegistryKey, lock, typed};

/// The protocol a ref was registered under, erased.
pub(crate) struct Routes {
    protocol: TypeId,
    name: &'static str,
    routes: &'static (dyn Any + Send + Sync),
}

impl Routes {
    pub(crate) fn of<P: Protocol>(routes: &'static P::Routes) -> Self {
        Routes {
            protocol: TypeId::of::<P>(),
            name: P::NAME,
            routes,
        }
    }
}

/// One name's holder.
pub(crate) struct NameEntry {
    /// The actor's mailbox: keeps its allocation, not the actor.
    mailbox: Arc<dyn Erased>,
    protocol: Option<Routes>,
    /// The end hook on the holder's cell that takes this entry out.
    hook: HookKey,
}

impl NameEntry {
    fn id(&self) -> ActorId {
        self.mailbox.cell().id
    }
}

impl Drop for NameEntry {
    /// An entry that leaves in any other way than its actor's stop
    /// (replaced, unregistered, its registry dropped) takes its hook back,
    /// so a long-lived actor does not collect them.
    fn drop(&mut self) {
        self.mailbox.cell().bonds().remove_hook(self.hook);
    }
}

/// Takes the entry of `name` out if actor `id` still holds it: the end
/// hook of a registration.
fn leave(inner: &Weak<Inner>, name: &Arc<str>, id: ActorId) {
    let Some(inner) = inner.upgrade() else {
        return;
    };
    let mut names = lock(&inner.names);
    if names.get(name).is_some_and(|entry| entry.id() == id) {
        names.remove(name);
    }
}

impl Registry {
    /// Registers `actor` under `key`: a name (`&str`, `String`,
    /// `Arc<str>`) for an [`ActorRef`] or a [`Ref<P>`](crate::Ref), or a
    /// [`ServiceKey<P>`](crate::ServiceKey) for a `Ref<P>` or an
    /// `ActorRef<A>` whose actor speaks `P` (as
    /// [`register_key`](Self::register_key)).
    ///
    /// The entry holds the actor weakly and leaves as the actor stops. A
    /// name holds one actor; registering the same actor under the same
    /// name again changes nothing. A key lists any number.
    ///
    /// # Errors
    ///
    /// [`RegisterError::Taken`] if another live actor holds the name (see
    /// [`register_replacing`](Self::register_replacing));
    /// [`RegisterError::Stopped`] if the actor has already stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    /// use typact::Registry;
    ///
    /// #[derive(Default)] struct Billing;
    /// #[actor] impl Billing { #[handler] fn bill(&self) -> u32 { 1 } }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let registry = Registry::new();
    /// let billing = Billing.spawn();
    /// registry.register("billing", &billing)?;
    /// assert_eq!(registry.lookup::<Billing>("billing")?.bill().await?, 1);
    ///
    /// // The registry does not keep the actor alive: once its last
    /// // reference is gone, it stops, and its entry leaves with it.
    /// let weak = billing.downgrade();
    /// drop(billing);
    /// while weak.is_alive() {
    ///     tokio::task::yield_now().await;
    /// }
    /// assert!(registry.lookup::<Billing>("billing").is_err());
    /// # Ok(()) }
    /// ```
    pub fn register<R>(&self, key: impl RegistryKey<R>, actor: &R) -> Result<(), RegisterError> {
        key.__register(self, actor)
    }

    /// Registers `actor` under `name`, taking the name over from any
    /// actor that holds it.
    ///
    /// # Errors
    ///
    /// [`RegisterError::Stopped`] if the actor has already stopped.
    pub fn register_replacing(
        &self,
        name: impl Into<Arc<str>>,
        actor: &impl Registrable,
    ) -> Result<(), RegisterError> {
        self.put(name.into(), actor, true)
    }

    pub(crate) fn put(
        &self,
        name: Arc<str>,
        actor: &impl Registrable,
        replace: bool,
    ) -> Result<(), RegisterError> {
        let registrant = actor.__registrant();
        let cell = registrant.mailbox.cell().clone();
        let mut names = lock(&self.inner.names);
        if let Some(holder) = names.get(&name) {
            if holder.id() == cell.id {
                return Ok(());
            }
            if !replace {
                let holder_cell = holder.mailbox.cell();
                return Err(RegisterError::Taken {
                    name,
                    holder: holder_cell.id,
                    holder_name: holder_cell.to_string(),
                });
            }
        }
        let inner = Arc::downgrade(&self.inner);
        let key = name.clone();
        let hook = Box::new(move |id, _: &crate::StopReason| leave(&inner, &key, id));
        let hook = cell
            .bonds()
            .on_end(hook)
            .map_err(|_| RegisterError::Stopped {
                name: name.clone(),
                actor: cell.id,
            })?;
        let entry = NameEntry {
            mailbox: registrant.mailbox,
            protocol: registrant.protocol,
            hook,
        };
        // A replaced holder's entry takes its hook back as it drops.
        names.insert(name, entry);
        Ok(())
    }

    /// Takes `name` out of the registry; returns whether it was there.
    pub fn unregister(&self, name: &str) -> bool {
        lock(&self.inner.names).remove(name).is_some()
    }

    /// The actor registered under `name`, as an `ActorRef<A>`.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] if no live actor holds the name;
    /// [`LookupError::WrongType`], naming both types, if the actor
    /// holding it is not an `A`.
    pub fn lookup<A: Actor>(&self, name: &str) -> Result<ActorRef<A>, LookupError> {
        let mailbox = lock(&self.inner.names).get(name).map(|e| e.mailbox.clone());
        typed(name, mailbox)
    }

    /// The ref registered under `name` as a [`Ref<P>`](crate::Ref): it must
    /// have been registered as a `Ref<P>`.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] if no live actor holds the name;
    /// [`LookupError::WrongType`] if it was registered as an actor
    /// (`registered` is then its type) or under another protocol.
    pub fn lookup_ref<P: Protocol>(&self, name: &str) -> Result<Ref<P>, LookupError> {
        let names = lock(&self.inner.names);
        let not_found = || LookupError::NotFound { name: name.into() };
        let entry = names.get(name).ok_or_else(not_found)?;
        let wrong = |registered| LookupError::WrongType {
            name: name.into(),
            registered,
            requested: P::NAME,
        };
        let Some(protocol) = &entry.protocol else {
            return Err(wrong(entry.mailbox.cell().type_name));
        };
        let routes = (protocol.protocol == TypeId::of::<P>())
            .then(|| protocol.routes.downcast_ref::<P::Routes>())
            .flatten()
            .ok_or_else(|| wrong(protocol.name))?;
        RawProtoRef::try_new(&entry.mailbox, routes)
            .map(Ref::from_raw)
            .ok_or_else(not_found)
    }

    /// The names registered now, in no order.
    pub fn names(&self) -> Vec<Arc<str>> {
        lock(&self.inner.names).keys().cloned().collect()
    }
}
