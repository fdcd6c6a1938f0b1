//! `#[actor(remote)]` and `#[actor(inspect)]`: the impl of
//! `typact::wire::Wire`, which turns mailbox entries into bytes and back,
//! and the hooks the inspector uses to take messages as JSON.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Ident, LitStr, Type};

use crate::generics::params_in;
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
    /// Whether the message is an external one whose serde the macro
    /// checks (see [`checked`]): it is then reached through `__Probe`.
    pub(crate) msg_checked: bool,
    /// The same for the reply.
    pub(crate) reply_checked: bool,
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

/// Whether the macro checks `ty`'s serde itself, once, with
/// `__assert_portable` (a type that names no parameter of the actor and
/// not `Self`), and reaches its serde through `__Probe` elsewhere, so
/// that a type without serde is one error at its span. Other types keep
/// their serde errors, and the `Wire` impl's bounds on the parameters.
pub(crate) fn checked(model: &ActorModel, ty: &Type) -> bool {
    struct FindSelf(bool);
    impl<'ast> Visit<'ast> for FindSelf {
        fn visit_ident(&mut self, i: &'ast Ident) {
            self.0 |= i == "Self";
        }
    }
    if model.wire.is_none() {
        return false;
    }
    let params: Vec<&Ident> = model.type_params().collect();
    let mut find = FindSelf(false);
    find.visit_type(ty);
    !find.0 && params_in(ty, &params).is_empty()
}

/// The serde attributes of a generated message's field of a `remote`
/// actor: its serde goes through `__Probe`, so that a field type without
/// serde is reported once, by [`checks`], instead of four times by the
/// derive. `ty` is the field's type as the message's module names it;
/// `original` as the actor's code does.
pub(crate) fn field_attrs(model: &ActorModel, original: &Type, ty: &Type) -> Option<TokenStream> {
    if !checked(model, original) {
        return None;
    }
    let probe = format!("::typact::wire::__Probe::<{}>", ty.to_token_stream());
    let ser = LitStr::new(&format!("{probe}::ser"), original.span());
    let de = LitStr::new(&format!("{probe}::de"), original.span());
    // Without `deserialize_with`, serde takes a missing `Option` field as
    // `None`; keep that for messages typed as JSON.
    let is_option = matches!(original, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"));
    let default = is_option.then(|| quote!(default,));
    Some(quote!(#[serde(#default serialize_with = #ser, deserialize_with = #de)]))
}

/// The import that lets `__Probe` fall back for a type without serde, in
/// a module or a function body that uses it.
pub(crate) fn probe_fallback() -> TokenStream {
    quote!(
        #[allow(unused_imports)]
        use ::typact::wire::__ProbeFallback as _;
    )
}

/// The serde checks of a `remote` actor: one `__assert_portable` per
/// distinct type it checks (fields of generated messages, external
/// messages, replies), each at the type's first span.
fn checks(model: &ActorModel) -> TokenStream {
    let mut seen = std::collections::HashSet::new();
    let mut out = TokenStream::new();
    let mut check = |ty: &Type, span: Span| {
        if checked(model, ty) && seen.insert(type_name(ty)) {
            out.extend(quote_spanned! {span=>
                const _: () = ::typact::wire::__assert_portable::<#ty>();
            });
        }
    };
    for h in &model.handlers {
        match &h.kind {
            MessageKind::Generated(_) => {
                for (_, ty) in h.fields() {
                    check(ty, ty.span());
                }
            }
            MessageKind::External(ty) => check(ty, ty.span()),
        }
        check(&h.reply, h.reply_span);
    }
    out
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
        let value = match (&m.fieldless, m.msg_checked) {
            (Some(build), _) => quote!(#build),
            (None, true) => quote_spanned! {m.msg_span=>
                #wire::__Probe::<#msg_ty>::decode::<F>(bytes).map_err(|e| e.__in(#stable))?
            },
            (None, false) => quote_spanned! {m.msg_span=>
                <F as #wire::Format>::decode::<#msg_ty>(bytes).map_err(|e| e.__in(#stable))?
            },
        };
        let reply_to = if m.reply_checked {
            quote_spanned!(m.reply_span=> #wire::__Probe::<#reply>::reply_as_bytes::<F>(reply))
        } else {
            quote_spanned!(m.reply_span=> #private::__reply_as_bytes::<F, #reply>(reply))
        };
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
        let msg_ty = &m.msg_ty;
        let bytes = if m.msg_checked {
            quote_spanned!(m.msg_span=> #wire::__Probe::<#msg_ty>::encode::<F>(&__msg))
        } else {
            quote_spanned!(m.msg_span=> <F as #wire::Format>::encode(&__msg))
        };
        let back = if m.reply_checked {
            quote_spanned!(m.reply_span=> #wire::__Probe::<#reply>::bytes_to_reply::<F>(__reply, #stable))
        } else {
            quote_spanned!(m.reply_span=> #private::__bytes_to_reply::<F, #reply>(__reply, #stable))
        };
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
    let checks = checks(model);
    let fallback = probe_fallback();
    Some(quote! {
        #checks

        #[automatically_derived]
        impl #impl_generics #wire::Wire for #actor #where_clause {
            const MESSAGES: &'static [#wire::MessageInfo] = &[#(#infos),*];

            fn decode_entry<F: #wire::Format>(
                message: &str,
                bytes: &[u8],
                reply: ::core::option::Option<#wire::BytesReply>,
            ) -> ::core::result::Result<#mailbox_ty, #wire::WireError> {
                #fallback
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
                #fallback
                match entry {
                    #(#encode)*
                    _ => ::core::result::Result::Err(#wire::WireError::Local),
                }
            }
        }
    })
}
