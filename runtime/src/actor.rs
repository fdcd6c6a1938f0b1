//! The traits behind `#[actor]`: [`Actor`], [`Message`] and [`Handler`].

use std::future::Future;

use crate::actor_ref::{ActorRef, Client};
use crate::builder::ActorBuilder;
use crate::context::Context;
use crate::error::{BoxError, StopReason};
use crate::reply::ReplyTo;

/// A message: a value sent to an actor, with the type of its reply.
///
/// `#[handler]` implements it for every message struct it generates. Implement
/// it yourself for a message type declared outside an actor, which several
/// actors can then handle with `#[handler(message)]` and which a
/// [`Recipient`](crate::Recipient) can carry.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// struct Ping(u32);
/// struct Pong(u32);
///
/// impl Message for Ping {
///     type Reply = Pong;
/// }
///
/// fn reply_to(ping: Ping) -> <Ping as Message>::Reply {
///     Pong(ping.0 + 1)
/// }
/// assert_eq!(reply_to(Ping(1)).0, 2);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typact message",
    label = "not a message",
    note = "declare it with `impl typact::Message for {Self} {{ type Reply = ...; }}`, or let `#[handler]` generate the message from a method's parameters"
)]
pub trait Message: Send + 'static {
    /// What a handler of this message answers to an ask; `()` if nothing.
    type Reply: Send + 'static;
}

/// An actor: private state plus the messages it handles.
///
/// Do not implement it by hand: annotate an inherent `impl` block with
/// `#[actor]` and its methods with `#[handler]`, and the macro implements this
/// trait, [`Handler`] for every message, and the typed mailbox. Lifecycle hooks
/// are methods marked `#[on_start]` and `#[on_stop]` in the same block.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     count: u64,
/// }
///
/// #[actor]
/// impl Counter {
///     /// Adds `by` to the count.
///     #[handler]
///     fn add(&mut self, by: u64) {
///         self.count += by;
///     }
///
///     #[handler]
///     fn get(&self) -> u64 {
///         self.count
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let counter = Counter::default().spawn();
/// counter.tell(Add { by: 2 }).await?;
/// assert_eq!(counter.ask(Get).await?, 2);
/// # Ok(()) }
/// ```
pub trait Actor: Sized + Send + 'static {
    /// The generated mailbox entry: one enum variant per handler.
    #[doc(hidden)]
    type Mailbox: Send + 'static;

    /// The generated struct holding the typed client methods that
    /// [`ActorRef`] dereferences to.
    #[doc(hidden)]
    type Client: Client<Self>;

    /// The actor's type name, for logs and errors.
    #[doc(hidden)]
    const TYPE_NAME: &'static str;

    /// Whether any handler is `async`. Without one, every entry goes
    /// through [`__handle_now`](Actor::__handle_now) and the actor's task
    /// keeps no room for a handler's future.
    #[doc(hidden)]
    const __ASYNC_HANDLERS: bool = true;

    /// Whether [`__on_start`](Actor::__on_start) does anything; without an
    /// `#[on_start]` hook the task skips it.
    #[doc(hidden)]
    const __ON_START: bool = true;

    /// Handles one mailbox entry: the generated `match` over all handlers.
    /// The runtime calls it only with an entry that
    /// [`__handle_now`](Actor::__handle_now) handed back.
    #[doc(hidden)]
    fn __handle(
        &mut self,
        entry: Self::Mailbox,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send;

    /// Handles an entry at once if its handler is synchronous, without
    /// making a future; hands it back otherwise, for [`__handle`]. The
    /// generated code answers every `#[handler]` that is not `async` here.
    ///
    /// [`__handle`]: Actor::__handle
    #[doc(hidden)]
    #[inline]
    fn __handle_now(
        &mut self,
        entry: Self::Mailbox,
        ctx: &mut Context<Self>,
    ) -> Option<Self::Mailbox> {
        let _ = ctx;
        Some(entry)
    }

    /// Fails the ask of an entry that will never be handled; returns whether
    /// the entry was a tell (a dead letter).
    #[doc(hidden)]
    fn __reject(entry: Self::Mailbox) -> bool;

    /// Wraps the message of a watch so that cancelling the watch can still
    /// take it back once it is queued (see
    /// [`Context::watch`](crate::Context::watch)). `#[actor]` gives the
    /// mailbox a variant for it and admits it before dispatching; by
    /// default (an actor written by hand) the message goes in plain, and
    /// is handled even if its watch is cancelled after it was sent.
    #[doc(hidden)]
    fn __watched(watched: crate::context::Watched<Self::Mailbox>) -> Self::Mailbox {
        watched.into_entry()
    }

    /// Runs before the first message. `#[on_start]` overrides it.
    /// The messages the actor takes as bytes (`#[actor(inspect)]`).
    #[doc(hidden)]
    const __MESSAGES: &'static [crate::wire::MessageInfo] = &[];

    /// Whether the actor gives a summary (`#[inspect] fn summary`).
    #[doc(hidden)]
    const __SUMMARY: bool = false;

    /// A mailbox entry from a message given as JSON.
    #[doc(hidden)]
    fn __decode_json(
        message: &str,
        json: &[u8],
        reply: Option<crate::wire::BytesReply>,
    ) -> Result<Self::Mailbox, crate::wire::WireError> {
        let _ = (message, json, reply);
        Err(crate::wire::WireError::NotWire {
            actor: Self::TYPE_NAME,
        })
    }

    /// The entry that runs `visit` on the actor between two messages;
    /// `None` for a mailbox without room for one (an actor written by
    /// hand).
    #[doc(hidden)]
    fn __visit(visit: crate::__private::Visit<Self>) -> Option<Self::Mailbox> {
        let _ = visit;
        None
    }

    /// The actor's one-line summary, if it gives one.
    #[doc(hidden)]
    fn __summary(&self) -> Option<String> {
        None
    }

    /// What the history records of an entry: the message's stable name,
    /// the message as JSON (for an actor that takes JSON), whether it is
    /// an ask.
    #[doc(hidden)]
    fn __describe(entry: &Self::Mailbox) -> (&'static str, Option<String>, bool) {
        let _ = entry;
        (Self::TYPE_NAME, None, false)
    }

    /// The span of an entry about to be handled (see `observe`).
    #[doc(hidden)]
    fn __span(entry: &mut Self::Mailbox, site: &crate::observe::SpanSite<'_>) -> tracing::Span {
        let _ = (entry, site);
        tracing::Span::none()
    }

    #[doc(hidden)]
    fn __on_start(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), BoxError>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Runs once the actor has stopped handling messages. `#[on_stop]`
    /// overrides it.
    #[doc(hidden)]
    fn __on_stop(
        &mut self,
        reason: &StopReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        let _ = (reason, ctx);
        async {}
    }

    /// Runs on a supervised instance that failed, just before a supervisor
    /// replaces it with a fresh one. `#[before_restart]` overrides it; by
    /// default it runs the `#[on_stop]` hook.
    #[doc(hidden)]
    fn __before_restart(
        &mut self,
        reason: &StopReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        self.__on_stop(reason, ctx)
    }

    /// Runs on the fresh instance a supervisor made, after its `#[on_start]`
    /// hook, with the reason the previous instance stopped.
    /// `#[after_restart]` overrides it.
    #[doc(hidden)]
    fn __after_restart(
        &mut self,
        reason: &StopReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send {
        let _ = (reason, ctx);
        async {}
    }

    /// Spawns the actor on the current tokio runtime with a bounded mailbox of
    /// [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY) and returns
    /// its reference. Messages sent before `#[on_start]` finishes wait in the
    /// mailbox.
    ///
    /// # Panics
    ///
    /// Panics when called outside a tokio runtime.
    fn spawn(self) -> ActorRef<Self> {
        ActorBuilder::new(self).spawn()
    }

    /// A builder to set the mailbox and the name before spawning.
    ///
    /// # Examples
    ///
    /// ```
    /// # use typact::prelude::*;
    /// # #[derive(Default)] struct Counter;
    /// # #[actor] impl Counter { #[handler] fn get(&self) -> u64 { 0 } }
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let counter = Counter::default().builder().name("hits").capacity(64).spawn();
    /// assert_eq!(counter.name(), Some("hits"));
    /// # }
    /// ```
    fn builder(self) -> ActorBuilder<Self> {
        ActorBuilder::new(self)
    }
}

/// Implemented by `#[actor]` for every message an actor handles.
///
/// [`ActorRef::tell`], [`ActorRef::ask`] and the other senders require it,
/// so sending a message an actor does not declare is a compile error that
/// names the actor and the message.
///
/// The reply to an ask of `M` is `M`'s own [`Message::Reply`], so code
/// generic over actors names only the message: with `A: Handler<Get>`,
/// `actor.ask(Get)` resolves to `Get`'s reply type and
/// `actor.recipient::<Get>()` needs no further bound.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// /// A request any counter-like actor may answer.
/// struct Get;
///
/// impl Message for Get {
///     type Reply = u64;
/// }
///
/// struct Counter(u64);
///
/// #[actor]
/// impl Counter {
///     #[handler(message)]
///     fn get(&self, _: Get) -> u64 {
///         self.0
///     }
/// }
///
/// /// Works for every actor that handles `Get`, with no `Reply = u64`.
/// async fn twice<A: Handler<Get>>(actor: &ActorRef<A>) -> Result<u64, AskError> {
///     let reader: Recipient<Get> = actor.recipient();
///     let n: u64 = actor.ask(Get).await?;
///     Ok(n + reader.ask(Get).await?)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), AskError> {
/// assert_eq!(twice(&Counter(21).spawn()).await?, 42);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "actor `{Self}` does not handle message `{M}`",
    label = "`{Self}` has no handler for `{M}`",
    note = "the messages of `{Self}` are the `#[handler]` methods of its `#[actor] impl {Self}` block; to accept `{M}`, add one there, e.g. `#[handler(message)] fn on_msg(&mut self, msg: {M}) -> ...`"
)]
pub trait Handler<M>: Actor {
    /// Wraps a message sent by a tell into a mailbox entry. Needs no
    /// `M: Message`, so that a tell of a message the actor does not handle
    /// fails with this trait's error alone.
    #[doc(hidden)]
    fn __tell(msg: M) -> Self::Mailbox;

    /// The message of an entry made by `__tell` or `__wrap`, for an entry
    /// the mailbox refused.
    #[doc(hidden)]
    fn __message(entry: Self::Mailbox) -> M;

    /// The message of an entry if it is one of `M`, and whether it is an
    /// ask: how a pool reads a routing key from an entry or copies a tell
    /// to every worker. `None` for an entry of another message; by default
    /// (an actor written by hand) `None` for every entry.
    #[doc(hidden)]
    #[inline]
    fn __peek(entry: &Self::Mailbox) -> Option<(&M, bool)> {
        let _ = entry;
        None
    }

    /// Wraps a message and its reply handle into a mailbox entry.
    #[doc(hidden)]
    fn __wrap(msg: M, reply: ReplyTo<M::Reply>) -> Self::Mailbox
    where
        M: Message;

    /// Takes the message and its reply handle back out of an entry made by
    /// `__wrap`.
    #[doc(hidden)]
    fn __unwrap(entry: Self::Mailbox) -> (M, ReplyTo<M::Reply>)
    where
        M: Message;
}
