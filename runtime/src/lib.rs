//! The runtime of [typact](https://docs.rs/typact): mailboxes, actor
//! references, contexts and the actor loop, on tokio.
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
mod mailbox;
mod recipient;
mod reply;
mod run;
mod supervision;

pub use crate::actor::{Actor, Handler, Message};
pub use crate::actor_ref::{ActorRef, Permit};
pub use crate::ask::{Ask, AskFuture};
pub use crate::builder::ActorBuilder;
pub use crate::cell::{ActorId, dead_letters};
pub use crate::context::{Context, Terminated, TimerHandle};
pub use crate::error::{
    AskError, BoxError, ReserveError, SpawnError, StopReason, TellError, TryTellError,
};
pub use crate::mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind};
pub use crate::recipient::{Recipient, RecipientPermit};
pub use crate::reply::ReplyTo;
pub use crate::supervision::{
    Backoff, ChildBuilder, ChildCounts, ChildInfo, ChildKey, ChildState, Directive, Ignore,
    Restart, Strategy, Supervisor, SupervisorBuilder, SupervisorClient, SupervisorError,
};

/// Items used by the code `#[actor]` generates. Not public API: no semver
/// guarantees.
#[doc(hidden)]
pub mod __private {
    use std::marker::PhantomData;

    pub use crate::actor_ref::{Client, RawRef};
    pub use crate::context::Watched;
    use crate::error::{AskError, BoxError};
    pub use crate::reply::ReplyTo;

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
    pub struct Unhandled<A>(PhantomData<A>, std::convert::Infallible);

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

    /// Checks, at compile time, that a `#[handler(message)]` method returns
    /// the reply its message type declares.
    #[inline(always)]
    pub fn assert_reply<M: crate::Message<Reply = R>, R>() {}

    /// Checks that a generated message's fields and reply are `Send`.
    #[inline(always)]
    pub fn assert_send<T: Send>() {}
}
