//! [`Ref<P>`]: the address of any actor that handles protocol `P`.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::actor::{Actor, Message};
use crate::actor_ref::ActorRef;
use crate::ask::{Ask, Strong};
use crate::cell::{ActorId, Cell};
use crate::error::{StopReason, TellError, TryTellError};
use crate::mailbox::TrySend;
use crate::protocol::erased::{Erased, erase};
use crate::protocol::{Implements, Protocol, RefTell, Route, Speaks, WeakRef};
use crate::recipient::Recipient;
use crate::reply::ReplyTo;

/// The untyped core of a [`Ref<P>`]: an actor's mailbox without its type,
/// and the routes of `P`'s messages into it. It counts as one reference
/// to the actor, as an `ActorRef` does.
#[doc(hidden)]
pub struct RawProtoRef<P: Protocol> {
    pub(crate) mailbox: Arc<dyn Erased>,
    pub(crate) routes: &'static P::Routes,
}

impl<P: Protocol> RawProtoRef<P> {
    /// A counted reference: the caller holds a strong one already (an
    /// `ActorRef`), so the count is above zero.
    pub(crate) fn new(mailbox: Arc<dyn Erased>, routes: &'static P::Routes) -> Self {
        mailbox.cell().retain();
        RawProtoRef { mailbox, routes }
    }

    /// A counted reference if the actor still has one: the upgrade of a
    /// weak reference.
    pub(crate) fn try_new(mailbox: &Arc<dyn Erased>, routes: &'static P::Routes) -> Option<Self> {
        mailbox.cell().try_retain().then(|| RawProtoRef {
            mailbox: mailbox.clone(),
            routes,
        })
    }

    #[inline]
    pub(crate) fn cell(&self) -> &Arc<Cell> {
        self.mailbox.cell()
    }

    #[inline]
    fn route<M: Message>(&self) -> &'static Route<M>
    where
        P: Speaks<M>,
    {
        P::__route(self.routes)
    }

    /// Sends a request; the generated client methods call this.
    #[inline]
    pub fn ask<M: Message>(&self, msg: M) -> Ask<M, M::Reply>
    where
        P: Speaks<M>,
    {
        let route = self.route::<M>();
        let sink = route.sink(&*self.mailbox);
        Ask::new(
            self.cell(),
            msg,
            |msg, reply| sink.try_push(msg, reply),
            || Strong::new(route.owned(&self.mailbox)),
        )
    }
}

impl<P: Protocol> Drop for RawProtoRef<P> {
    fn drop(&mut self) {
        self.mailbox.cell().release();
    }
}

impl<P: Protocol> Clone for RawProtoRef<P> {
    fn clone(&self) -> Self {
        RawProtoRef::new(self.mailbox.clone(), self.routes)
    }
}

impl<P: Protocol> fmt::Debug for RawProtoRef<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawProtoRef<{}>({})", P::NAME, self.cell())
    }
}

/// What [`Ref<P>`] dereferences to: the client struct the protocol macros
/// generate. Implemented only by generated code and [`BareClient`].
#[doc(hidden)]
pub trait ProtocolClient<P: Protocol>: Send + Sync + 'static {
    fn __from_raw(raw: RawProtoRef<P>) -> Self;
    fn __raw(&self) -> &RawProtoRef<P>;
}

/// The client of a protocol declared with `protocol_of!`, which has no
/// client methods of its own (its messages were declared elsewhere).
#[doc(hidden)]
pub struct BareClient<P: Protocol> {
    raw: RawProtoRef<P>,
}

impl<P: Protocol> ProtocolClient<P> for BareClient<P> {
    fn __from_raw(raw: RawProtoRef<P>) -> Self {
        BareClient { raw }
    }

    fn __raw(&self) -> &RawProtoRef<P> {
        &self.raw
    }
}

impl<P: Protocol> fmt::Debug for BareClient<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

/// The address of some actor that handles every message of protocol `P`,
/// whatever its type.
///
/// Made from an [`ActorRef<A>`] whose actor handles all of `P`'s messages
/// (`Ref::from(actor)`, `actor.into()`, [`ActorRef::to_ref`]), without
/// allocating. It accepts exactly `P`'s messages through
/// [`tell`](Self::tell) and [`ask`](Self::ask), and dereferences to the
/// protocol's client, so a protocol declared with `#[protocol]` offers its
/// methods (`storage.get(key).await`). Like an `ActorRef` it counts as a
/// reference to the actor, is cheap to clone, compares and hashes by the
/// actor's id, and has a weak form ([`downgrade`](Self::downgrade)).
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[protocol]
/// pub trait Greeter {
///     fn greet(&self, name: String) -> String;
/// }
///
/// struct English;
/// #[actor]
/// impl English {
///     #[handler(message)]
///     fn greet(&self, msg: greeter::Greet) -> String {
///         format!("hello, {}", msg.name)
///     }
/// }
///
/// struct French;
/// #[actor]
/// impl French {
///     #[handler(message)]
///     fn greet(&self, msg: greeter::Greet) -> String {
///         format!("bonjour, {}", msg.name)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// let greeters: Vec<Ref<Greeter>> = vec![English.spawn().into(), French.spawn().into()];
/// let mut answers = Vec::new();
/// for greeter in &greeters {
///     answers.push(greeter.greet("Ada".into()).await?);
/// }
/// assert_eq!(answers, ["hello, Ada", "bonjour, Ada"]);
/// # Ok(()) }
/// ```
pub struct Ref<P: Protocol> {
    client: P::Client,
}

impl<P: Protocol> Ref<P> {
    pub(crate) fn from_raw(raw: RawProtoRef<P>) -> Self {
        Ref {
            client: P::Client::__from_raw(raw),
        }
    }

    #[inline]
    pub(crate) fn raw(&self) -> &RawProtoRef<P> {
        self.client.__raw()
    }

    #[inline]
    pub(crate) fn cell(&self) -> &Arc<Cell> {
        self.raw().cell()
    }

    /// The actor's unique id.
    pub fn id(&self) -> ActorId {
        self.cell().id
    }

    /// The actor's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.cell().name.as_deref()
    }

    /// The actor's path in the supervision tree, if it has one; see
    /// [`ActorRef::path`].
    pub fn path(&self) -> Option<&crate::ActorPath> {
        self.cell().path()
    }

    /// The actor's type name (`Disk`, `Memory`), for logs and tests.
    pub fn actor_type(&self) -> &'static str {
        self.cell().type_name
    }

    /// Sends a message of the protocol without waiting for it to be
    /// handled.
    ///
    /// As with [`ActorRef::tell`], the message goes into the mailbox at
    /// this call whenever there is room, and the returned future only
    /// reports the outcome; only when the mailbox is full does awaiting it
    /// wait for a place. Allocates nothing unless the mailbox is full.
    ///
    /// # Errors
    ///
    /// The future resolves to a [`TellError`] holding the message if the
    /// actor has stopped.
    ///
    /// # Cancel safety
    ///
    /// Once the call returns, the message is in the mailbox unless the
    /// mailbox was full; dropped while it waits for room, the future drops
    /// the message.
    pub fn tell<M: Message>(&self, msg: M) -> RefTell<'_, M>
    where
        P: Speaks<M>,
    {
        let route = self.raw().route::<M>();
        RefTell::new(route.sink(&*self.raw().mailbox), msg)
    }

    /// Sends a message of the protocol if the mailbox has room, without
    /// ever waiting.
    ///
    /// # Errors
    ///
    /// [`TryTellError::Full`] or [`TryTellError::Closed`], holding the
    /// message.
    pub fn try_tell<M: Message>(&self, msg: M) -> Result<(), TryTellError<M>>
    where
        P: Speaks<M>,
    {
        let route = self.raw().route::<M>();
        route
            .sink(&*self.raw().mailbox)
            .try_push(msg, ReplyTo::none())
            .map_err(|e| match e {
                TrySend::Full((msg, _)) => TryTellError::Full(msg),
                TrySend::Closed((msg, _)) => TryTellError::Closed(msg),
            })
    }

    /// Sends a request of the protocol and returns the future of its typed
    /// reply, as [`ActorRef::ask`] does.
    ///
    /// # Errors
    ///
    /// The future resolves to an [`AskError`](crate::AskError) as for [`ActorRef::ask`].
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`ActorRef::ask`].
    #[inline]
    pub fn ask<M: Message>(&self, msg: M) -> Ask<M, M::Reply>
    where
        P: Speaks<M>,
    {
        self.raw().ask(msg)
    }

    /// Passes a pending reply on, as [`ActorRef::forward`] does.
    ///
    /// # Errors
    ///
    /// If the actor has stopped, returns [`TellError`] holding the message
    /// and the reply handle.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe, as [`tell`](Self::tell).
    pub async fn forward<M: Message>(
        &self,
        msg: M,
        reply: ReplyTo<M::Reply>,
    ) -> Result<(), TellError<(M, ReplyTo<M::Reply>)>>
    where
        P: Speaks<M>,
    {
        self.recipient::<M>().forward(msg, reply).await
    }

    /// The address of one message of the protocol, as a [`Recipient`].
    pub fn recipient<M: Message>(&self) -> Recipient<M>
    where
        P: Speaks<M>,
    {
        Recipient::new(self.raw().route::<M>().owned(&self.raw().mailbox))
    }

    /// A reference that does not keep the actor alive; see [`WeakRef`].
    pub fn downgrade(&self) -> WeakRef<P> {
        WeakRef::new(self.raw().mailbox.clone(), self.raw().routes)
    }

    /// Whether the actor is still running (not yet fully stopped).
    pub fn is_alive(&self) -> bool {
        !self.cell().is_stopped()
    }

    /// Waits until the actor has stopped, and returns why.
    pub async fn wait_for_stop(&self) -> StopReason {
        self.cell().wait_for_stop().await
    }

    /// The actor behind this ref as an [`ActorRef<A>`], if its type is
    /// `A`; `None` if it is another actor type.
    pub fn downcast<A: Actor>(&self) -> Option<ActorRef<A>> {
        let tx = crate::protocol::unerase::<A>(&self.raw().mailbox)?;
        Some(ActorRef::from_raw(crate::actor_ref::RawRef::new(tx)))
    }
}

impl<P: Protocol> Clone for Ref<P> {
    #[inline]
    fn clone(&self) -> Self {
        Ref::from_raw(self.raw().clone())
    }
}

impl<P: Protocol> Deref for Ref<P> {
    type Target = P::Client;

    #[inline]
    fn deref(&self) -> &P::Client {
        &self.client
    }
}

impl<P: Protocol> PartialEq for Ref<P> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl<P: Protocol> Eq for Ref<P> {}

impl<P: Protocol> std::hash::Hash for Ref<P> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<P: Protocol> fmt::Debug for Ref<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref<{}>({})", P::NAME, self.cell())
    }
}

/// The actor as logs and errors show it, as for an `ActorRef`.
impl<P: Protocol> fmt::Display for Ref<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self.cell(), f)
    }
}

impl<A: Actor, P: Implements<A>> From<ActorRef<A>> for Ref<P> {
    #[inline]
    fn from(actor: ActorRef<A>) -> Self {
        actor.to_ref()
    }
}

impl<A: Actor, P: Implements<A>> From<&ActorRef<A>> for Ref<P> {
    #[inline]
    fn from(actor: &ActorRef<A>) -> Self {
        actor.to_ref()
    }
}

impl<A: Actor> ActorRef<A> {
    /// This actor as a [`Ref<P>`]: the address of any actor that handles
    /// protocol `P`. Allocates nothing (the mailbox's `Arc` and a
    /// `&'static` table of routes).
    ///
    /// Does not compile unless `A` handles every message of `P`; the error
    /// names the actor and the missing message.
    ///
    /// # Examples
    ///
    /// ```
    /// use typact::prelude::*;
    ///
    /// #[protocol]
    /// pub trait Ping {
    ///     fn ping(&self) -> u32;
    /// }
    ///
    /// struct Pinger;
    /// #[actor]
    /// impl Pinger {
    ///     #[handler(message)]
    ///     fn ping(&self, _: ping::Ping) -> u32 { 1 }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), AskError> {
    /// let pinger = Pinger.spawn();
    /// let any: Ref<Ping> = pinger.to_ref();
    /// assert_eq!(any.id(), pinger.id());
    /// assert_eq!(any.ping().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn to_ref<P: Implements<A>>(&self) -> Ref<P> {
        Ref::from_raw(RawProtoRef::new(erase::<A>(&self.raw().tx), P::ROUTES))
    }

    /// As [`to_ref`](Self::to_ref), consuming this reference.
    pub fn into_ref<P: Implements<A>>(self) -> Ref<P> {
        self.to_ref()
    }
}
