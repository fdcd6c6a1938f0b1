//! `#[actor(remote)]` and `#[actor(inspect)]`: the impl of
//! `typact::wire::Wire`, which turns mailbox entries into bytes and back,
//! and the hooks the inspector uses to take messages as JSON.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use crate::model::{ActorModel, MessageKind};
use crate::names::type_name;

/// What the `Wire` impl needs of one handler.
pub(crate) struct WireMessage {
    pub(crate) variant: Ident,
    /// The message's type, as the code beside the actor names it.
    pub(crate) msg_ty: TokenStream,
    /// Where an error about the message's serde goes: the handler's name
    /// for a generated message, the type for an external one.
    pub(crate) msg_span: Span,
    /// The reply type of the entry.
    pub(crate) reply: TokenStream,
    pub(crate) reply_span: Span,
    /// `Counter::add`.
    pub(crate) stable: String,
    /// The message's value, for a generated message without fields: it
    /// is built without reading the bytes.
    pub(crate) fieldless: Option<TokenStream>,
}

/// The serde derive of a generated message of a `remote` actor.
pub(crate) fn derive(model: &ActorModel) -> Option<TokenStream> {
    model.wire?;
    Some(quote! {
        #[derive(::typact::__private::serde::Serialize, ::typact::__private::serde::Deserialize)]
        #[serde(crate = "::typact::__private::serde")]
    })
}

/// The `Actor` items that let the inspector take JSON, for a `remote`
/// actor.
pub(crate) fn json_items(model: &ActorModel) -> Option<TokenStream> {
    model.wire?;
    // A generic actor takes bytes only for parameters that do, which its
    // `Actor` impl does not require: the inspector leaves it out.
    if model.type_params().next().is_some() {
        return None;
    }
    Some(quote! {
        const __MESSAGES: &'static [::typact::wire::MessageInfo] =
            <Self as ::typact::wire::Wire>::MESSAGES;

        fn __decode_json(
            message: &str,
            json: &[u8],
            reply: ::core::option::Option<::typact::wire::BytesReply>,
        ) -> ::core::result::Result<Self::Mailbox, ::typact::wire::WireError> {
            <Self as ::typact::wire::Wire>::decode_entry::<::typact::wire::Json>(message, json, reply)
        }
    })
}

/// The `Wire` impl, for a `remote` actor.
pub(crate) fn expand(
    model: &ActorModel,
    mailbox: &Ident,
    mailbox_ty: &TokenStream,
    messages: &[WireMessage],
) -> Option<TokenStream> {
    model.wire?;
    let actor = &model.self_ty;
    let private = quote!(::typact::__private);
    let wire = quote!(::typact::wire);
    let (impl_generics, _, where_clause) = model.generics.split_for_impl();
    // A generic actor is `Wire` when its parameters travel as bytes too.
    let params: Vec<&Ident> = model.type_params().collect();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    for p in &params {
        predicates
            .push(quote!(#p: #private::serde::Serialize + #private::serde::de::DeserializeOwned));
    }
    let where_clause = (!predicates.is_empty()).then(|| quote!(where #(#predicates),*));

    let infos = model.handlers.iter().zip(messages).map(|(h, m)| {
        let method = h.method.to_string();
        let message = match &h.kind {
            MessageKind::Generated(g) => g.name.to_string(),
            MessageKind::External(ty) => type_name(ty),
        };
        let stable = &m.stable;
        let fields = h.fields().map(|(f, ty)| {
            let (f, ty) = (f.to_string(), type_name(ty));
            quote!((#f, #ty))
        });
        let reply = type_name(&h.reply);
        quote!(#wire::MessageInfo::__new(#method, #message, #stable, &[#(#fields),*], #reply))
    });
    let decode = messages.iter().enumerate().map(|(i, m)| {
        let (variant, msg_ty, reply, stable) = (&m.variant, &m.msg_ty, &m.reply, &m.stable);
        let value = match &m.fieldless {
            Some(build) => quote!(#build),
            None => quote_spanned! {m.msg_span=>
                <F as #wire::Format>::decode::<#msg_ty>(bytes).map_err(|e| e.__in(#stable))?
            },
        };
        let reply_to =
            quote_spanned!(m.reply_span=> #private::__reply_as_bytes::<F, #reply>(reply));
        quote! {
            if <Self as #wire::Wire>::MESSAGES[#i].is_named(message) {
                let __msg: #msg_ty = #value;
                return ::core::result::Result::Ok(#mailbox::#variant(
                    #private::Entry::new(__msg, #reply_to),
                ));
            }
        }
    });
    let encode = messages.iter().enumerate().map(|(i, m)| {
        let (variant, reply, stable) = (&m.variant, &m.reply, &m.stable);
        let bytes = quote_spanned!(m.msg_span=> <F as #wire::Format>::encode(&__msg));
        let back = quote_spanned!(m.reply_span=> #private::__bytes_to_reply::<F, #reply>(__reply, #stable));
        quote! {
            #mailbox::#variant(__entry) => {
                let (__msg, __reply) = __entry.into_parts();
                match #bytes {
                    ::core::result::Result::Ok(__bytes) => ::core::result::Result::Ok(
                        #wire::Encoded::__new(&<Self as #wire::Wire>::MESSAGES[#i], __bytes, #back),
                    ),
                    ::core::result::Result::Err(__err) => {
                        let __err = __err.__in(#stable);
                        #private::__fail_encode(__reply, &__err);
                        ::core::result::Result::Err(__err)
                    }
                }
            }
        }
    });
    Some(quote! {
        #[automatically_derived]
        impl #impl_generics #wire::Wire for #actor #where_clause {
            const MESSAGES: &'static [#wire::MessageInfo] = &[#(#infos),*];

            fn decode_entry<F: #wire::Format>(
                message: &str,
                bytes: &[u8],
                reply: ::core::option::Option<#wire::BytesReply>,
            ) -> ::core::result::Result<#mailbox_ty, #wire::WireError> {
                let _ = &bytes;
                #(#decode)*
                ::core::result::Result::Err(#wire::WireError::__unknown(
                    <Self as ::typact::Actor>::TYPE_NAME,
                    message,
                    <Self as #wire::Wire>::MESSAGES,
                ))
            }

            #[allow(unreachable_code, unreachable_patterns)]
            fn encode_entry<F: #wire::Format>(
                entry: #mailbox_ty,
            ) -> ::core::result::Result<#wire::Encoded, #wire::WireError> {
                match entry {
                    #(#encode)*
                    _ => ::core::result::Result::Err(#wire::WireError::Local),
                }
            }
        }
    })
}
