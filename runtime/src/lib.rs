//! The runtime of typact: mailboxes, actor references, contexts and the
//! actor loop, on tokio.
//!
//! Use it through the `typact` crate, which adds the `#[actor]` macro and a
//! prelude; everything here is re-exported there.
#![doc(test(attr(deny(warnings))))]

mod actor;
mod actor_ref;
mod ask;
mod bonds;
mod builder;
mod cell;
mod context;
mod error;
pub mod inspect;
mod mailbox;
mod observe;
mod path;
mod pool;
mod protocol;
mod recipient;
mod registry;
mod reply;
mod run;
mod supervision;
pub mod testkit;
mod topic;
mod wake_slot;
mod weak;
pub mod wire;

pub use crate::actor::{Actor, Handler, Message};
pub use crate::actor_ref::{ActorRef, Permit, Tell};
pub use crate::ask::{Ask, DEFAULT_ASK_TIMEOUT, FlatAsk};
pub use crate::builder::ActorBuilder;
pub use crate::cell::{ActorId, dead_letters};
pub use crate::context::{Context, Terminated, TimerHandle};
pub use crate::error::{
    AskError, BoxError, Deadlock, ReserveError, SpawnError, StopReason, TellError, TryTellError,
};
pub use crate::mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind};
pub use crate::path::ActorPath;
pub use crate::pool::{Autoscale, DEFAULT_WORKER_CAPACITY, Pool, PoolBuilder, PoolStats, Routing};
pub use crate::protocol::{Implements, Protocol, Ref, RefTell, Speaks, WeakRef};
pub use crate::recipient::{Recipient, RecipientPermit};
pub use crate::registry::{
    Listing, ListingStream, LookupError, PathError, RegisterError, Registrable, Registry,
    RegistryKey, ServiceKey, registry,
};
pub use crate::reply::ReplyTo;
pub use crate::supervision::{
    Backoff, ChildBuilder, ChildCounts, ChildInfo, ChildKey, ChildState, Directive, Ignore,
    Restart, Strategy, Supervisor, SupervisorBuilder, SupervisorClient, SupervisorError,
};
pub use crate::topic::{Published, Topic};
pub use crate::weak::{WeakActorRef, WeakRecipient};

/// Items used by the code `#[actor]` generates. Not public API: no semver
/// guarantees.
#[doc(hidden)]
pub mod __private {
    use std::marker::PhantomData;

    use crate::actor::Message;
    pub use crate::actor_ref::{Client, RawRef};
    pub use crate::context::Watched;
    use crate::error::{AskError, BoxError};
    pub use crate::observe::SpanSite;
    pub use crate::protocol::{BareClient, ProtocolClient, RawProtoRef, Route};
    pub use crate::registry::Registrant;
    pub use crate::reply::ReplyTo;
    pub use crate::wire::{__bytes_to_reply, __fail_encode, __reply_as_bytes};
    pub use {serde, serde_json, tracing};

    /// A closure run on the actor between two messages: what the
    /// inspector asks a summary with.
    pub type Visit<A> = Box<dyn FnOnce(&mut A, &mut crate::Context<A>) + Send>;

    /// A [`Visit`] behind one more pointer, so that its mailbox variant
    /// is one word.
    pub struct VisitBox<A: crate::Actor>(pub Visit<A>);

    impl<A: crate::Actor> std::fmt::Debug for VisitBox<A> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("VisitBox")
        }
    }

    /// Fails the ask of a mailbox entry that will never be handled; returns
    /// whether the entry was a tell.
    #[inline]
    pub fn reject<R>(reply: ReplyTo<R>) -> bool {
        let tell = !reply.is_ask();
        reply.fail(AskError::Stopped);
        tell
    }

    /// A message no one can build. `#[actor]` implements `Handler` for it on
    /// every actor, so that an actor with a single handler still has two
    /// `Handler` impls: rustc then reports an undeclared message through the
    /// handler trait's `on_unimplemented` text instead of inferring the one
    /// declared message and reporting a bare type mismatch.
    pub struct Unhandled<A>(PhantomData<fn() -> A>, std::convert::Infallible);

    impl<A> std::fmt::Debug for Unhandled<A> {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.1 {}
        }
    }

    impl<A> Unhandled<A> {
        /// Consumes the unconstructible value.
        pub fn absurd<T>(self) -> T {
            match self.1 {}
        }
    }

    // Kept out of the "types that implement `Message`" lists in errors
    // about user messages.
    #[diagnostic::do_not_recommend]
    impl<A: 'static> Message for Unhandled<A> {
        type Reply = ();
    }

    /// One mailbox entry of the generated mailbox enum: a message and its
    /// reply handle (an empty one for a tell).
    ///
    /// It is `Send` whatever `M` and `R` are, so that a message that is not
    /// `Send` is reported once, where its `Message` impl fails, and not again
    /// through the mailbox, the actor reference and the client that hold
    /// entries.
    pub struct Entry<M, R> {
        msg: M,
        reply: ReplyTo<R>,
    }

    // SAFETY: an `Entry<M, R>` is only made by `Entry::new`, which requires
    // `M: Message<Reply = R>`; `Message` requires `M: Send` and
    // `M::Reply: Send`, and `ReplyTo<R>` is `Send` when `R` is (checked
    // below). So every `Entry` that exists holds `Send` parts only. An
    // erroneous `Message` impl of a type that is not `Send` is itself a
    // compile error, so no program with such an entry builds.
    unsafe impl<M, R> Send for Entry<M, R> {}

    const _: () = {
        fn reply_to_is_send<R: Send>() {
            fn send<T: Send>() {}
            send::<ReplyTo<R>>();
        }
        let _ = reply_to_is_send::<()>;
    };

    impl<M, R> std::fmt::Debug for Entry<M, R> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Entry")
                .field("message", &std::any::type_name::<M>())
                .finish_non_exhaustive()
        }
    }

    impl<M: Message<Reply = R>, R> Entry<M, R> {
        /// An entry of `msg` with its reply handle.
        #[inline]
        pub fn new(msg: M, reply: ReplyTo<R>) -> Self {
            Entry {
                msg,
                reply: if crate::observe::may_capture() {
                    reply.traced()
                } else {
                    reply
                },
            }
        }
    }

    impl<M, R> Entry<M, R> {
        /// The message and its reply handle.
        #[inline]
        pub fn into_parts(self) -> (M, ReplyTo<R>) {
            (self.msg, self.reply)
        }

        /// The message, and whether the entry is an ask.
        #[inline]
        pub fn peek(&self) -> (&M, bool) {
            (&self.msg, self.reply.is_ask())
        }

        /// The message, dropping the reply handle.
        #[inline]
        pub fn into_message(self) -> M {
            self.msg
        }

        /// The reply handle, dropping the message.
        #[inline]
        pub fn into_reply(self) -> ReplyTo<R> {
            self.reply
        }

        /// Where the entry was sent, taken out (see `observe`).
        #[inline]
        pub(crate) fn take_trace(&mut self) -> Option<crate::observe::Trace> {
            self.reply.take_trace()
        }
    }

    /// What an `#[on_start]` hook may return: `()` or `Result<(), E>`.
    #[diagnostic::on_unimplemented(
        message = "an `#[on_start]` hook cannot return `{Self}`",
        label = "returns `{Self}`",
        note = "return `()`, or `Result<(), E>` where `E` converts into `typact::BoxError` (any `std::error::Error + Send + Sync + 'static`, or a `String`)"
    )]
    pub trait IntoStartResult {
        /// Converts to the runtime's form.
        fn into_start_result(self) -> Result<(), BoxError>;
    }

    impl IntoStartResult for () {
        fn into_start_result(self) -> Result<(), BoxError> {
            Ok(())
        }
    }

    impl<E: Into<BoxError>> IntoStartResult for Result<(), E> {
        fn into_start_result(self) -> Result<(), BoxError> {
            self.map_err(Into::into)
        }
    }

    /// Checks that a generated message's fields and reply are `Send`.
    #[inline(always)]
    pub fn assert_send<T: Send>() {}
}
