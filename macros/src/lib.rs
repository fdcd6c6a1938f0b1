//! The macros of typact: `#[actor]` and the method markers it reads
//! (`#[handler]`, `#[on_start]`, `#[on_stop]`, `#[before_restart]`,
//! `#[after_restart]`), and the protocol macros `#[protocol]` and
//! `protocol_of!` (in `protocol/`, staged the same way).
//!
//! Use them through the `typact` crate, which re-exports them; the
//! generated code refers to `::typact` paths.
//!
//! The expansion runs in stages, each in a file of its own: `parse.rs`
//! reads the marker attributes, `model.rs` reads the impl block into a
//! typed model, `validate.rs` checks what looks across the whole block,
//! and `expand/` writes the code (`messages.rs` the module of messages and
//! client, `client.rs` the client methods, `mailbox.rs` the mailbox enum
//! and the trait impls). `names.rs` derives the generated names and
//! `generics.rs` finds which type parameters a type uses.

mod ctxt;
mod expand;
mod generics;
mod model;
mod names;
mod parse;
mod protocol;
mod validate;

use proc_macro::TokenStream;

/// Turns an inherent `impl` block into an actor.
///
/// Each method marked `#[handler]` becomes a message the actor accepts. From
/// the method's signature `#[actor]` generates:
///
/// - a message struct named after the method in `PascalCase`, with one `pub`
///   field per parameter and the method's doc comment (`fn add(&mut self, by:
///   u64)` gives `pub struct Add { pub by: u64 }`; no parameters give a unit
///   struct), implementing `Message` with the return type as its reply;
/// - a module named after the actor in `snake_case` (`counter` for
///   `Counter`) that holds those structs (`counter::Add`) and the actor's
///   `Client`; the structs are also imported beside the actor by a glob, so
///   a lone actor's `Add { by: 2 }` works bare, and two actors in one module
///   may both have `fn get` (`counter::Get`, `cache::Get`);
/// - a hidden mailbox enum with one variant per handler, which the actor loop
///   matches on (static dispatch, nothing boxed per message);
/// - `Actor`, and `Handler<M>` for every message;
/// - a client method per handler on `counter::Client`, which
///   `ActorRef<Counter>` dereferences to: `counter.add(2).await` asks
///   `Add { by: 2 }`. Like every ask it is sent as it is made when the
///   mailbox has room; its reply is lost unless it is awaited.
///
/// # Generic actors
///
/// The impl block may have type parameters, with bounds and a where
/// clause. Each generated message is generic over the parameters its fields
/// or its reply use, and plain otherwise; a parameter that only the reply
/// uses is carried by a marker field, and such a message has a `new`
/// constructor. Lifetime and const parameters are refused.
///
/// # Handler forms
///
/// - `#[handler] fn name(&self | &mut self, params..) -> Reply`, sync or
///   `async`. The return type (default `()`) is the reply, `Result` included.
/// - Any parameter of type `&mut Context<Self>` is the actor's context, not
///   part of the message.
/// - `#[handler(message)] fn name(&mut self, msg: Ping) -> Pong` handles a
///   message type declared elsewhere (`impl Message for Ping { type Reply =
///   Pong; }`), which several actors may handle.
/// - `#[handler(deferred)] fn name(&mut self, params.., reply: ReplyTo<R>)`
///   answers later through `reply`, from anywhere; the reply type is `R`.
///   Combines with `message`.
/// - `#[handler(name = Other)]` names the generated message struct.
///
/// # Lifecycle hooks
///
/// - `#[on_start] fn f(&mut self, ctx: &mut Context<Self>)`, returning `()`
///   or `Result<(), E>` with `E: Into<BoxError>`; an error stops the actor
///   with `StopReason::StartFailed`.
/// - `#[on_stop] fn f(&mut self, reason: &StopReason, ctx: &mut Context<Self>)`.
/// - `#[before_restart] fn f(&mut self, reason: &StopReason, ctx: &mut Context<Self>)`
///   runs on a supervised instance that stopped, before its supervisor
///   replaces it with a fresh one; without it, `#[on_stop]` runs there.
/// - `#[after_restart] fn f(&mut self, reason: &StopReason, ctx: &mut Context<Self>)`
///   runs on the fresh instance, after its `#[on_start]`, with the reason
///   the previous instance stopped.
///
/// All may be `async` and may leave out any parameter.
///
/// # Arguments
///
/// `#[actor(module = name)]` names the module of the messages and the
/// client, for an actor whose default module name is taken (a `mod
/// counter` beside `Counter`). There are no other arguments: the mailbox
/// and the name are set when spawning.
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
/// counter.tell(Add { by: 2 }).await?;     // the message, bare beside the actor
/// counter.tell(counter::Add { by: 3 }).await?; // or through its module
/// assert_eq!(counter.get().await?, 5);    // a client method: an ask
/// # Ok(()) }
/// ```
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::actor(args.into(), input.into()).into()
}

/// Declares a protocol from a trait: a named set of messages, one per
/// method, and a `Ref<Name>` that any actor handling all of them converts
/// into.
///
/// `#[protocol] pub trait Storage { fn get(&self, key: String) -> Option<Vec<u8>>; }`
/// generates, as `#[actor]` does for its handlers:
///
/// - `pub enum Storage {}`, the protocol type, which has no values: use it
///   as `Ref<Storage>`;
/// - a module named after it in `snake_case` (`storage`; `#[protocol(module
///   = name)]` names it) holding one message struct per method, named in
///   `PascalCase` with one `pub` field per parameter (`storage::Get { key
///   }`), implementing `Message` with the return type as its reply, and the
///   client `storage::Client`, which `Ref<Storage>` dereferences to: one
///   method per message (`storage.get(key).await` asks `Get`);
/// - the impls that let an `ActorRef<A>` convert into a `Ref<Storage>` when
///   `A` handles every message (`#[handler(message)] fn get(&self, msg:
///   storage::Get) -> Option<Vec<u8>>`).
///
/// Methods take `&self` or `&mut self`, have no body and no type
/// parameters, and their parameters and reply own their data.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[protocol]
/// pub trait Storage {
///     /// The value stored under `key`.
///     fn get(&self, key: String) -> Option<String>;
///     fn put(&mut self, key: String, value: String);
/// }
///
/// #[derive(Default)]
/// struct Memory(std::collections::HashMap<String, String>);
///
/// #[actor]
/// impl Memory {
///     #[handler(message)]
///     fn get(&self, msg: storage::Get) -> Option<String> {
///         self.0.get(&msg.key).cloned()
///     }
///     #[handler(message)]
///     fn put(&mut self, msg: storage::Put) {
///         self.0.insert(msg.key, msg.value);
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store: Ref<Storage> = Memory::default().spawn().into();
/// store.put("a".into(), "1".into()).await?;
/// assert_eq!(store.get("a".into()).await?, Some("1".into()));
/// store.tell(storage::Put { key: "b".into(), value: "2".into() }).await?;
/// # Ok(()) }
/// ```
#[proc_macro_attribute]
pub fn protocol(args: TokenStream, input: TokenStream) -> TokenStream {
    protocol::attribute(args.into(), input.into()).into()
}

/// Declares a protocol over message types that already exist:
/// `protocol_of!(pub Storage = Get + Put);`, for messages declared with `impl
/// Message` or generated by `#[actor]` (`counter::Add`).
///
/// It generates `pub enum Storage {}` and the impls that let an
/// `ActorRef<A>` convert into a `Ref<Storage>` when `A` handles every
/// listed message. `Ref<Storage>` then offers `tell` and `ask` of those
/// messages; it has no client methods (see [`#[protocol]`](macro@protocol)
/// for those). Doc comments may come first.
///
/// # Examples
///
/// ```
/// use typact::prelude::*;
///
/// #[derive(Default)]
/// struct Counter(u64);
///
/// #[actor]
/// impl Counter {
///     #[handler]
///     fn add(&mut self, by: u64) { self.0 += by; }
///     #[handler]
///     fn get(&self) -> u64 { self.0 }
/// }
///
/// typact::protocol_of! {
///     /// Anything that counts.
///     Counting = counter::Add + counter::Get
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let counting: Ref<Counting> = Counter::default().spawn().into();
/// counting.tell(Add { by: 2 }).await?;
/// assert_eq!(counting.ask(Get).await?, 2);
/// # Ok(()) }
/// ```
#[proc_macro]
pub fn protocol_of(input: TokenStream) -> TokenStream {
    protocol::function(input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as a message handler. See
/// [`#[actor]`](macro@actor) for the forms it takes.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("handler", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs before
/// the first message. See [`#[actor]`](macro@actor).
#[proc_macro_attribute]
pub fn on_start(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("on_start", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs when the
/// actor stops. See [`#[actor]`](macro@actor).
#[proc_macro_attribute]
pub fn on_stop(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("on_stop", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs on a
/// supervised instance before it is replaced by a fresh one. See
/// [`#[actor]`](macro@actor).
#[proc_macro_attribute]
pub fn before_restart(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("before_restart", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs on the
/// fresh instance a supervisor made after a restart. See
/// [`#[actor]`](macro@actor).
#[proc_macro_attribute]
pub fn after_restart(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("after_restart", args.into(), input.into()).into()
}
