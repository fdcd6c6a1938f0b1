//! Code generation: from an [`ActorModel`] to the actor's module of
//! messages and client (`messages.rs`), the client methods (`client.rs`),
//! and the mailbox enum with the `Actor`, `Handler` and `Message` impls
//! (`mailbox.rs`). Here: the entry points, and the pieces they share.

mod client;
mod mailbox;
mod messages;
mod wire;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Item, ItemImpl};

use crate::ctxt::Ctxt;
use crate::model::{ActorModel, Hook, Role};
use crate::parse::ActorArgs;

pub(crate) fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = ActorArgs::parse(&cx, args);
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            cx.syn_error(err);
            let errors = cx.check();
            return quote!(#errors #input);
        }
    };
    let body = match item {
        Item::Impl(item) => match ActorModel::from_impl(&cx, item, args) {
            Ok(model) => expand_model(&model),
            Err(item) => quote!(#item),
        },
        other => {
            let at = item_name_span(&other);
            cx.syn_error(syn::Error::new(
                at,
                "`#[actor]` goes on the inherent impl block that holds the handlers, e.g. `#[actor] impl Counter { #[handler] fn add(&mut self, by: u64) { .. } }`; declare the struct itself without it",
            ));
            quote!(#other)
        }
    };
    let errors = cx.check();
    quote!(#errors #body)
}

/// `#[handler]`, `#[on_start]` or `#[on_stop]` met outside an `#[actor]`
/// block: one error at the attribute, and the item unchanged.
pub(crate) fn stray(marker: &str, args: TokenStream, input: TokenStream) -> TokenStream {
    let _ = args;
    let err = syn::Error::new(
        Span::call_site(),
        format_args!(
            "`#[{marker}]` only has a meaning on a method inside an `#[actor]` impl block; add `#[actor]` to the `impl` block that holds this method"
        ),
    )
    .to_compile_error();
    quote!(#err #input)
}

fn item_name_span(item: &Item) -> Span {
    match item {
        Item::Struct(s) => s.ident.span(),
        Item::Enum(e) => e.ident.span(),
        Item::Fn(f) => f.sig.ident.span(),
        Item::Trait(t) => t.ident.span(),
        Item::Mod(m) => m.ident.span(),
        Item::Union(u) => u.ident.span(),
        other => other.span(),
    }
}

fn expand_model(model: &ActorModel) -> TokenStream {
    let item: &ItemImpl = &model.item;
    let module = messages::module(model);
    let client = client::methods(model);
    let mailbox = mailbox::expand(model);
    quote! {
        #item

        #module

        #client

        #mailbox
    }
}

/// A where clause with one more predicate.
pub(crate) fn with_bound(
    where_clause: Option<&syn::WhereClause>,
    bound: TokenStream,
) -> TokenStream {
    match where_clause {
        Some(wc) => {
            let preds = wc.predicates.iter();
            quote!(where #(#preds,)* #bound)
        }
        None => quote!(where #bound),
    }
}

/// The `Actor` method a hook taking `(reason, ctx)` overrides.
pub(crate) fn reason_hook(hook: Option<&Hook>, trait_method: TokenStream) -> Option<TokenStream> {
    let call = hook_call(hook?);
    Some(quote! {
        fn #trait_method(
            &mut self,
            reason: &::typact::StopReason,
            ctx: &mut ::typact::Context<Self>,
        ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
            async move {
                let _ = (&reason, &ctx);
                #call;
            }
        }
    })
}

pub(crate) fn hook_call(hook: &Hook) -> TokenStream {
    let method = &hook.method;
    let args = hook.args.iter().map(|role| match role {
        Role::Ctx => quote!(&mut *ctx),
        Role::Reason => quote!(reason),
        _ => quote!(),
    });
    let await_ = hook.is_async.then(|| quote!(.await));
    quote_spanned!(method.span()=> Self::#method(self, #(#args),*) #await_)
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};
    use syn::{Item, ItemImpl};

    fn expand(input: proc_macro2::TokenStream) -> syn::File {
        syn::parse2(super::actor(proc_macro2::TokenStream::new(), input))
            .expect("the expansion is a list of items")
    }

    fn is_hidden(attrs: &[syn::Attribute]) -> bool {
        attrs
            .iter()
            .any(|a| a.path().is_ident("doc") && a.to_token_stream().to_string().contains("hidden"))
    }

    fn has_docs(attrs: &[syn::Attribute]) -> bool {
        attrs.iter().any(|a| {
            a.path().is_ident("doc") && !a.to_token_stream().to_string().contains("hidden")
        })
    }

    /// The impls inside the `const _: () = { .. };` block.
    fn const_block_impls(file: &syn::File) -> Vec<ItemImpl> {
        let mut out = Vec::new();
        for item in &file.items {
            if let Item::Const(c) = item
                && let syn::Expr::Block(b) = &*c.expr
            {
                for stmt in &b.block.stmts {
                    if let syn::Stmt::Item(Item::Impl(i)) = stmt {
                        out.push(i.clone());
                    }
                }
            }
        }
        out
    }

    fn counter() -> syn::File {
        expand(quote! {
            impl Counter {
                /// Adds `by` to the count.
                #[handler]
                pub fn add(&mut self, by: u64) { self.count += by; }
                #[handler]
                pub fn get(&self) -> u64 { self.count }
            }
        })
    }

    #[test]
    fn the_unhandled_impl_is_hidden_from_the_docs() {
        let impls = const_block_impls(&counter());
        let unhandled: Vec<_> = impls
            .iter()
            .filter(|i| {
                i.trait_
                    .as_ref()
                    .is_some_and(|(_, p, _)| p.to_token_stream().to_string().contains("Unhandled"))
            })
            .collect();
        assert_eq!(unhandled.len(), 1);
        assert!(is_hidden(&unhandled[0].attrs));
        // The impls of the real messages stay visible.
        let handlers = impls.iter().filter(|i| {
            i.trait_.as_ref().is_some_and(|(_, p, _)| {
                let p = p.to_token_stream().to_string();
                p.contains("Handler") && !p.contains("Unhandled")
            })
        });
        assert_eq!(handlers.clone().count(), 2);
        assert!(handlers.into_iter().all(|i| !is_hidden(&i.attrs)));
    }

    #[test]
    fn the_client_methods_are_documented_items() {
        let file = counter();
        // The inherent impl of the client sits among the items rustdoc
        // documents, not inside the anonymous `const _` block.
        let client_impls: Vec<&ItemImpl> = file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Impl(i) if i.trait_.is_none() => Some(i),
                _ => None,
            })
            .filter(|i| i.self_ty.to_token_stream().to_string().contains("Client"))
            .collect();
        let methods: Vec<_> = client_impls
            .iter()
            .flat_map(|i| &i.items)
            .filter_map(|item| match item {
                syn::ImplItem::Fn(f) => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(methods.len(), 2);
        for m in methods {
            assert!(has_docs(&m.attrs), "`{}` has no docs", m.sig.ident);
            assert!(!is_hidden(&m.attrs));
            assert!(m.attrs.iter().any(|a| a.path().is_ident("must_use")));
        }
        // The module that holds the client is hidden only under its own
        // name; the face import `counter` is documented inline.
        let module = file
            .items
            .iter()
            .find_map(|item| match item {
                Item::Mod(m) => Some(m),
                _ => None,
            })
            .expect("a module");
        let client = module
            .content
            .as_ref()
            .unwrap()
            .1
            .iter()
            .find_map(|item| match item {
                Item::Struct(s) if s.ident == "Client" => Some(s),
                _ => None,
            })
            .expect("a client struct");
        assert!(has_docs(&client.attrs) && !is_hidden(&client.attrs));
        assert!(file.items.iter().any(|item| matches!(
            item,
            Item::Use(u) if u.to_token_stream().to_string().contains("as counter")
                && !is_hidden(&u.attrs)
        )));
    }
}
