//! Protocols: a named set of messages, and [`Ref<P>`], the address of any
//! actor that handles all of them.
//!
//! A protocol is declared once, with `#[protocol]` on a trait (which
//! generates the messages and client methods) or with `protocol_of!` over
//! message types that already exist. Any [`ActorRef<A>`](crate::ActorRef)
//! whose actor handles every message of `P` converts into a `Ref<P>`,
//! without allocating: the ref holds the actor's mailbox `Arc` and a
//! `&'static` table of routes, one per message, built at compile time
//! for the actor type (see [`Implements`]). Actors of different types then
//! sit behind the same `Ref<P>`, in one `Vec` or one registry entry.
//!
//! - [`Protocol`], [`Implements`], [`Speaks`]: the traits the macros
//!   implement;
//! - `erased`: the mailbox without its actor type, and the routes;
//! - `reference`: [`Ref`]; `tell`: [`RefTell`]; `weak`: [`WeakRef`].

mod erased;
mod reference;
mod tell;
mod weak;

pub use erased::Route;
pub(crate) use erased::{Erased, erase, unerase};
pub use reference::{BareClient, ProtocolClient, RawProtoRef, Ref};
pub use tell::RefTell;
pub use weak::WeakRef;

use crate::actor::{Actor, Message};

/// A named set of messages: what a [`Ref<P>`] accepts.
///
/// Implemented by `#[protocol]` and `protocol_of!`; do not implement it by
/// hand.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// pub struct Get;
/// impl Message for Get {
///     type Reply = u64;
/// }
///
/// typact::protocol_of!(pub Reader = Get);
///
/// assert_eq!(<Reader as typact::Protocol>::NAME, "Reader");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a protocol",
    label = "not a protocol",
    note = "a `Ref<P>` is typed by a protocol: declare one with `#[protocol] trait {Self} {{ .. }}`, or with `typact::protocol_of!({Self} = MessageA + MessageB)`; to address one actor type, use `ActorRef<{Self}>`"
)]
pub trait Protocol: Sized + Send + Sync + 'static {
    /// The protocol's name, for `Debug` output and errors.
    const NAME: &'static str;

    /// The table of routes, one per message.
    #[doc(hidden)]
    type Routes: Send + Sync + 'static;

    /// What [`Ref<Self>`] dereferences to: the generated client methods.
    #[doc(hidden)]
    type Client: ProtocolClient<Self>;
}

/// "Actor `A` handles every message of this protocol": what lets an
/// [`ActorRef<A>`](crate::ActorRef) convert into a [`Ref<Self>`].
///
/// The protocol macros implement it for every actor that handles all the
/// protocol's messages (a blanket impl, bounded by one
/// [`Handler`](crate::Handler) per message), so an actor that lacks one
/// message is reported through `Handler`'s error, naming the actor and
/// the message.
#[diagnostic::on_unimplemented(
    message = "actor `{A}` does not handle every message of protocol `{Self}`",
    label = "`{A}` lacks a message of `{Self}`",
    note = "give `{A}` a `#[handler]` for each message of `{Self}`"
)]
pub trait Implements<A: Actor>: Protocol {
    /// The routes of the protocol's messages into `A`'s mailbox.
    #[doc(hidden)]
    const ROUTES: &'static Self::Routes;
}

/// "`M` is a message of this protocol": what [`Ref::tell`] and
/// [`Ref::ask`] require.
#[diagnostic::on_unimplemented(
    message = "protocol `{Self}` has no message `{M}`",
    label = "`{M}` is not in `{Self}`",
    note = "a `Ref<{Self}>` accepts exactly the messages its protocol declares; add `{M}` to the protocol, or send it through the actor's own `ActorRef`"
)]
pub trait Speaks<M: Message>: Protocol {
    /// The route of `M` in the table.
    #[doc(hidden)]
    fn __route(routes: &Self::Routes) -> &Route<M>;
}

/// Every protocol also "speaks" the message no one can build, so that each
/// has two `Speaks` impls: rustc then reports a message outside the
/// protocol through `Speaks`'s own error instead of inferring the one
/// declared message and reporting a type mismatch.
#[diagnostic::do_not_recommend]
impl<P: Protocol> Speaks<crate::__private::Unhandled<P>> for P {
    fn __route(_: &Self::Routes) -> &Route<crate::__private::Unhandled<P>> {
        &const { Route::<crate::__private::Unhandled<P>>::NEVER }
    }
}
