//! The attribute macros of [typact](https://docs.rs/typact): `#[actor]` and
//! the method markers it reads (`#[handler]`, `#[on_start]`, `#[on_stop]`,
//! `#[before_restart]`, `#[after_restart]`).
//!
//! Use them through the `typact` crate; the generated code refers to
//! `::typact` paths.

mod ctxt;
mod expand;
mod model;
mod parse;
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
/// - a hidden mailbox enum with one variant per handler, which the actor loop
///   matches on (static dispatch, nothing boxed per message);
/// - `Actor`, and `Handler<M>` for every message;
/// - a client method per handler on `ActorRef<Self>`: `counter.add(2).await`
///   asks `Add { by: 2 }`.
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
#[proc_macro_attribute]
pub fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::actor(args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as a message handler. See
/// [`actor`] for the forms it takes.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("handler", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs before
/// the first message. See [`actor`].
#[proc_macro_attribute]
pub fn on_start(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("on_start", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs when the
/// actor stops. See [`actor`].
#[proc_macro_attribute]
pub fn on_stop(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("on_stop", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs on a
/// supervised instance before it is replaced by a fresh one. See [`actor`].
#[proc_macro_attribute]
pub fn before_restart(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("before_restart", args.into(), input.into()).into()
}

/// Marks a method of an `#[actor]` impl block as the hook that runs on the
/// fresh instance a supervisor made after a restart. See [`actor`].
#[proc_macro_attribute]
pub fn after_restart(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::stray("after_restart", args.into(), input.into()).into()
}
