//! `#[protocol]` and `protocol_of!`: a named set of messages that any actor
//! handling all of them can be addressed by (`Ref<Storage>`).
//!
//! The same stages as `#[actor]`, smaller: `model.rs` reads either form
//! into a [`model::ProtocolModel`], reporting every mistake at its span,
//! and `expand.rs` writes the protocol type, its messages and client (for
//! the trait form) and the runtime's trait impls.

mod expand;
mod model;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;

/// `#[protocol] trait Storage { .. }`.
pub(crate) fn attribute(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let body = match model::ProtocolModel::from_trait(&cx, args, input.clone()) {
        Some(model) => expand::protocol(&model),
        // The fallback: the protocol type alone, so that a mistake in the
        // trait is reported once, not again at every `Ref<Storage>`.
        None => expand::fallback(input),
    };
    let errors = cx.check();
    quote!(#errors #body)
}

/// `protocol_of!(pub Storage = Get + Put)`.
pub(crate) fn function(input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let body = match model::ProtocolModel::from_list(&cx, input) {
        Some(model) => expand::protocol(&model),
        None => TokenStream::new(),
    };
    let errors = cx.check();
    quote!(#errors #body)
}
