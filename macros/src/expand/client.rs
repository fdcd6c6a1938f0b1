//! The client methods: one per handler, on the actor's `Client`
//! (`counter::Client<Counter>`), which `ActorRef<Counter>` dereferences
//! to. They are an inherent impl written beside the actor, so that the
//! types of their parameters resolve as the user wrote them.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::expand::messages;
use crate::model::{ActorModel, MessageKind};

pub(crate) fn methods(model: &ActorModel) -> TokenStream {
    let actor = &model.self_ty;
    let actor_name = model.name.to_string();
    let module = &model.module;
    let real = messages::real(model);
    let (impl_generics, _, where_clause) = model.generics.split_for_impl();

    let methods = model.handlers.iter().map(|h| {
        let method = &h.method;
        let vis = &h.vis;
        let fields: Vec<_> = h.fields().collect();
        let names: Vec<_> = fields.iter().map(|(f, _)| *f).collect();
        let tys: Vec<_> = fields.iter().map(|(_, t)| *t).collect();
        let reply = &h.reply;
        let (params, build, msg_ty, reply, msg_name) = match &h.kind {
            MessageKind::Generated(g) => {
                let (build, _) = messages::build_and_unpack(model, h, g);
                (
                    quote!(#(#names: #tys),*),
                    build,
                    messages::path(model, g),
                    quote!(#reply),
                    format!("{module}::{}", g.name),
                )
            }
            MessageKind::External(ty) => (
                quote!(msg: #ty),
                quote!(msg),
                quote!(#ty),
                quote!(#reply),
                crate::names::type_name(ty),
            ),
        };
        let docs = if h.docs.is_empty() {
            let doc = format!(
                "Asks the actor with a [`{msg_name}`] message: the reply is the return value of \
                 `{actor_name}::{method}`."
            );
            quote!(#[doc = #doc])
        } else {
            let docs = &h.docs;
            quote!(#(#docs)*)
        };
        let how = format!(
            "\n\nAn ask: the request is sent at once if the mailbox has room, and the reply is \
             lost unless the ask is awaited. To send without waiting for the handler, `tell` \
             the message instead: `actor_ref.tell({msg_name} {{ .. }})`."
        );
        let must_use = format!(
            "`{method}` asks the actor, whose reply is lost unless it is awaited: `.await` it \
             for the reply, or send the message with `tell({msg_name} {{ .. }})` to fire and \
             forget"
        );
        let method = quote! {
            #docs
            #[doc = #how]
            #[must_use = #must_use]
            #[inline]
            #vis fn #method(&self, #params) -> ::typact::Ask<#msg_ty, #reply> {
                ::typact::__private::Client::__raw(self).ask(#build)
            }
        };
        // A message declared elsewhere gets an impl block of its own,
        // which holds only where its `Handler` impl does (see there).
        let where_clause = match &h.kind {
            MessageKind::Generated(_) => quote!(#where_clause),
            MessageKind::External(ty) => {
                let bound = quote_spanned!(ty.span()=> #ty: ::typact::Message<Reply = #reply>);
                crate::expand::with_bound(where_clause, bound)
            }
        };
        quote! {
            #[allow(private_interfaces)]
            impl #impl_generics #real::Client<#actor> #where_clause {
                #method
            }
        }
    });

    quote!(#(#methods)*)
}
