//! # typact: statically typed actors for Rust
//!
//! An actor is a value with private state, an address and a mailbox; other
//! code talks to it only by sending messages, which it handles one at a time.
//! typact makes that typed: annotate an `impl` block with [`actor`] and its
//! methods with [`handler`], and the macro generates a message struct per
//! method, a typed mailbox, and a typed client. An [`ActorRef<A>`] then
//! accepts exactly the messages `A` declares, `ask` resolves to exactly the
//! handler's return type, and sending anything else is a compile error that
//! names the actor and the message.
//!
//! ```
//! use typact::prelude::*;
//!
//! #[derive(Default)]
//! struct Counter {
//!     count: u64,
//! }
//!
//! #[actor]
//! impl Counter {
//!     /// Adds `by` to the count.
//!     #[handler]
//!     fn add(&mut self, by: u64) {
//!         self.count += by;
//!     }
//!
//!     /// The current count.
//!     #[handler]
//!     fn get(&self) -> u64 {
//!         self.count
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let counter = Counter::default().spawn();
//! counter.tell(Add { by: 2 }).await?;       // fire and forget
//! let n: u64 = counter.ask(Get).await?;     // request and typed reply
//! counter.add(3).await?;                    // generated client method
//! assert_eq!(n + 3, counter.get().await?);
//! # Ok(()) }
//! ```
//!
//! ## Guarantees
//!
//! - Messages from one sender to one actor are handled in the order sent.
//! - A handler runs alone: the actor handles one message at a time, so its
//!   state needs no lock.
//! - A panicking handler stops only its own actor, with
//!   [`StopReason::Panicked`]; its asker gets [`AskError::Panicked`].
//! - Nothing is lost silently: when an actor stops, every queued ask fails at
//!   once with [`AskError::Stopped`], and every queued tell is counted (see
//!   [`ActorRef::dead_letters`]) and logged through `tracing` as a dead letter.
//! - An actor asking itself from its own handler gets [`AskError::SelfAsk`]
//!   at once instead of deadlocking, and an ask from a handler that would
//!   close a longer cycle of waiting actors gets [`AskError::Deadlock`],
//!   naming the cycle. Asks from handlers time out after
//!   [`DEFAULT_ASK_TIMEOUT`] unless the actor or the ask sets another.
//! - An actor with no references left and an empty mailbox stops by itself.
#![doc(test(attr(deny(warnings))))]

pub use typact_macros::{
    actor, after_restart, before_restart, handler, on_start, on_stop, protocol, protocol_of,
};
pub use typact_runtime::*;

/// The names almost every user of typact needs: `use typact::prelude::*;`.
pub mod prelude {
    pub use typact_macros::{
        actor, after_restart, before_restart, handler, on_start, on_stop, protocol, protocol_of,
    };
    pub use typact_runtime::{
        Actor, ActorBuilder, ActorId, ActorPath, ActorRef, AskError, Context, Handler, Listing,
        LookupError, Message, Pool, Recipient, Ref, RegisterError, Registry, ReplyTo, ServiceKey,
        SpawnError, StopReason, Supervisor, TellError, Terminated, Topic, TryTellError,
        WeakActorRef, WeakRecipient, WeakRef,
    };
}

/// The README's examples, compiled and run as doctests so that they stay
/// true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// The chapters of the guide (`book/src/`) that contain Rust examples, each
// included as a doctest so that `cargo test` compiles and runs every example
// in the book. Filter with the module name, e.g.
// `cargo test -p typact --doc book_supervision`.

#[cfg(doctest)]
#[doc = include_str!("../book/src/actor-model.md")]
mod book_actor_model {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/quickstart.md")]
mod book_quickstart {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/actors-and-handlers.md")]
mod book_actors_and_handlers {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/messages.md")]
mod book_messages {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/replies.md")]
mod book_replies {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/compile-errors.md")]
mod book_compile_errors {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/lifecycle.md")]
mod book_lifecycle {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/recipients.md")]
mod book_recipients {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/mailboxes.md")]
mod book_mailboxes {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/supervision.md")]
mod book_supervision {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/links-and-monitors.md")]
mod book_links_and_monitors {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/addressing/pools.md")]
mod book_addressing_pools {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/addressing/topics.md")]
mod book_addressing_topics {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/addressing.md")]
mod book_addressing {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/testing.md")]
mod book_testing {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/observability.md")]
mod book_observability {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/observability/shell.md")]
mod book_observability_shell {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/reference/attributes.md")]
mod book_reference_attributes {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/reference/errors.md")]
mod book_reference_errors {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/reference/guarantees.md")]
mod book_reference_guarantees {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/reference/from-actix.md")]
mod book_reference_from_actix {}

#[cfg(doctest)]
#[doc = include_str!("../book/src/reference/from-kameo.md")]
mod book_reference_from_kameo {}
