//! The code of a protocol:
//!
//! ```text
//! pub enum Storage {}                        // the protocol: `Ref<Storage>`
//! pub mod storage {                          // trait form only
//!     pub struct Get { pub key: String }     // one message per method
//!     pub struct Client { .. }               // what `Ref<Storage>` derefs to
//! }
//! impl Protocol for Storage { .. }           // its routes: a tuple
//! impl<A: Handler<Get> + Handler<Put>> Implements<A> for Storage { .. }
//! impl Speaks<storage::Get> for Storage { .. }
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::protocol::model::{Generated, ProtocolMessage, ProtocolModel};

pub(crate) fn protocol(model: &ProtocolModel) -> TokenStream {
    let docs = &model.docs;
    let vis = &model.vis;
    let name = &model.name;
    let name_str = name.to_string();
    let types: Vec<TokenStream> = model
        .messages
        .iter()
        .map(|m| match (m, &model.module) {
            (ProtocolMessage::Generated(g), Some(module)) => {
                let msg = &g.name;
                quote!(#module::#msg)
            }
            (ProtocolMessage::External(ty), _) => quote!(#ty),
            (ProtocolMessage::Generated(_), None) => {
                unreachable!("generated messages have a module")
            }
        })
        .collect();
    let spans: Vec<_> = model
        .messages
        .iter()
        .map(|m| match m {
            ProtocolMessage::Generated(g) => g.method.span(),
            ProtocolMessage::External(ty) => ty.span(),
        })
        .collect();

    let module = model.module.as_ref().map(|module| messages(model, module));
    let client = match &model.module {
        Some(module) => quote!(#module::Client),
        None => quote!(::typact::__private::BareClient<#name>),
    };
    let bounds = types
        .iter()
        .zip(&spans)
        .map(|(ty, span)| quote_spanned!(*span=> ::typact::Handler<#ty>));
    let routes = types
        .iter()
        .map(|ty| quote!(::typact::__private::Route::<#ty>::of::<__A>()));
    let speaks = types.iter().enumerate().map(|(i, ty)| {
        let index = syn::Index::from(i);
        quote! {
            #[automatically_derived]
            impl ::typact::Speaks<#ty> for #name {
                #[inline]
                fn __route(routes: &Self::Routes) -> &::typact::__private::Route<#ty> {
                    &routes.#index
                }
            }
        }
    });
    let route_types = types
        .iter()
        .map(|ty| quote!(::typact::__private::Route<#ty>));
    let doc = if docs.is_empty() {
        let text = format!(
            "The protocol `{name_str}`: address any actor that handles its messages as a `typact::Ref<{name_str}>`."
        );
        quote!(#[doc = #text])
    } else {
        quote!(#(#docs)*)
    };

    quote! {
        #doc
        #[derive(Debug)]
        #vis enum #name {}

        #module

        #[automatically_derived]
        impl ::typact::Protocol for #name {
            const NAME: &'static str = #name_str;
            type Routes = (#(#route_types,)*);
            type Client = #client;
        }

        #[automatically_derived]
        impl<__A> ::typact::Implements<__A> for #name
        where
            __A: ::typact::Actor #(+ #bounds)*,
        {
            const ROUTES: &'static Self::Routes = &(#(#routes,)*);
        }

        #(#speaks)*
    }
}

/// The module of the trait form: the message structs and the client.
fn messages(model: &ProtocolModel, module: &syn::Ident) -> TokenStream {
    let vis = &model.vis;
    let name = &model.name;
    let name_str = name.to_string();
    let generated: Vec<&Generated> = model
        .messages
        .iter()
        .filter_map(|m| match m {
            ProtocolMessage::Generated(g) => Some(g),
            ProtocolMessage::External(_) => None,
        })
        .collect();
    let structs = generated.iter().map(|g| {
        let msg = &g.name;
        let reply = &g.reply;
        let method = &g.method;
        let docs = if g.docs.is_empty() {
            let text = format!("The message of `{name_str}::{method}`.");
            quote!(#[doc = #text])
        } else {
            let docs = &g.docs;
            quote!(#(#docs)*)
        };
        let body = if g.fields.is_empty() {
            quote!(;)
        } else {
            let fields = g.fields.iter().map(|(f, ty)| {
                let doc = format!("The `{f}` argument of `{method}`.");
                quote!(#[doc = #doc] pub #f: #ty)
            });
            quote!({ #(#fields),* })
        };
        quote! {
            #docs
            #[derive(Debug)]
            pub struct #msg #body

            #[automatically_derived]
            impl ::typact::Message for #msg {
                type Reply = #reply;
            }
        }
    });
    let methods = generated.iter().map(|g| {
        let msg = &g.name;
        let reply = &g.reply;
        let method = &g.method;
        let names: Vec<_> = g.fields.iter().map(|(f, _)| f).collect();
        let tys: Vec<_> = g.fields.iter().map(|(_, t)| t).collect();
        let build = if g.fields.is_empty() {
            quote!(#msg)
        } else {
            quote!(#msg { #(#names),* })
        };
        let docs = &g.docs;
        let how = format!(
            "Asks the actor with a [`{msg}`] message. An ask: sent at once if the mailbox has room; \
             the reply is lost unless it is awaited. To fire and forget, `tell` the message instead."
        );
        let must_use = format!("`{method}` asks the actor, whose reply is lost unless it is awaited");
        quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = #how]
            #[must_use = #must_use]
            #[inline]
            pub fn #method(&self, #(#names: #tys),*) -> ::typact::Ask<#msg, #reply> {
                self.raw.ask(#build)
            }
        }
    });
    let module_doc = format!("The messages and the client of the protocol [`{name_str}`].");
    let client_doc = format!(
        "What a `typact::Ref<{name_str}>` dereferences to: one method per message of the protocol."
    );
    quote! {
        #[doc = #module_doc]
        #vis mod #module {
            #[allow(unused_imports)]
            use super::*;

            #(#structs)*

            #[doc = #client_doc]
            pub struct Client {
                raw: ::typact::__private::RawProtoRef<super::#name>,
            }

            #[automatically_derived]
            impl ::typact::__private::ProtocolClient<super::#name> for Client {
                fn __from_raw(raw: ::typact::__private::RawProtoRef<super::#name>) -> Self {
                    Client { raw }
                }
                fn __raw(&self) -> &::typact::__private::RawProtoRef<super::#name> {
                    &self.raw
                }
            }

            impl ::core::fmt::Debug for Client {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::fmt::Debug::fmt(&self.raw, f)
                }
            }

            impl Client {
                #(#methods)*
            }
        }
    }
}

/// The protocol type of a trait the model refused, with no impls.
pub(crate) fn fallback(input: TokenStream) -> TokenStream {
    match syn::parse2::<syn::ItemTrait>(input.clone()) {
        Ok(item) => {
            let vis = &item.vis;
            let name = &item.ident;
            quote! {
                #[allow(dead_code)]
                #vis enum #name {}
            }
        }
        // Not a trait: the item as written, beside the error.
        Err(_) => input,
    }
}
