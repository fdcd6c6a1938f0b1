//! Code generation: from an [`ActorModel`] to the actor's module of
//! messages and client (`messages.rs`), the client methods (`client.rs`),
//! and here the mailbox enum and the `Actor`, `Handler` and `Message`
//! impls.

mod client;
mod messages;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Item, ItemImpl};

use crate::ctxt::Ctxt;
use crate::model::{ActorModel, Hook, MessageKind, Role};

pub(crate) fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    if !args.is_empty() {
        cx.error_spanned_by(
            &args,
            "`#[actor]` takes no arguments; mailbox size and name are set when spawning: `MyActor::default().builder().capacity(64).name(\"x\").spawn()`",
        );
    }
    let item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(err) => {
            cx.syn_error(err);
            let errors = cx.check();
            return quote!(#errors #input);
        }
    };
    let body = match item {
        Item::Impl(item) => match ActorModel::from_impl(&cx, item) {
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
    let actor = &model.self_ty;
    let actor_name = model.name.to_string();
    let real = messages::real(model);
    let mailbox = format_ident!("__{}Mailbox", model.name);
    let private = quote!(::typact::__private);
    let (impl_generics, _, where_clause) = model.generics.split_for_impl();
    let params: Vec<&Ident> = model.type_params().collect();
    let mailbox_ty = if params.is_empty() {
        quote!(#mailbox)
    } else {
        quote!(#mailbox<#(#params),*>)
    };

    let mut message_impls = Vec::new();
    let mut variants = Vec::new();
    let mut handler_impls = Vec::new();
    let mut arms = Vec::new();
    let mut now_arms = Vec::new();
    let mut reject_arms = Vec::new();

    for h in &model.handlers {
        let variant = &h.variant;
        let reply = &h.reply;
        let method = &h.method;

        // The message's type, and the pattern that takes a generated one
        // apart into the handler's arguments.
        let (msg_ty, unpack) = match &h.kind {
            MessageKind::Generated(g) => {
                let path = messages::path(model, g);
                let msg_generics = messages::impl_generics(model, g);
                let (msg_impl_generics, _, msg_where) = msg_generics.split_for_impl();
                let reply_decl = quote_spanned!(h.reply_span=> type Reply = #reply;);
                message_impls.push(quote! {
                    #[automatically_derived]
                    impl #msg_impl_generics ::typact::Message for #path #msg_where {
                        #reply_decl
                    }
                });
                let (_, pattern) = messages::build_and_unpack(model, h, g);
                let unpack = quote!(let #pattern = __msg;);
                (path, unpack)
            }
            MessageKind::External(ty) => (quote!(#ty), quote!()),
        };
        // The entries' reply type is the handler's. A generated message's
        // own reply is the same type, named through `Message` because
        // inside `Handler`'s methods, whose `where M: Message` is in scope,
        // a generic message's reply does not normalize. For a message
        // declared elsewhere, the `Handler` impl holds only if the type is
        // a message with the handler's reply: one bound, spanned at the
        // user's type, where a type that is not a message or a handler
        // that returns another type is reported, once.
        let (entry_reply, handler_where) = match &h.kind {
            MessageKind::Generated(_) => (
                quote!(<#msg_ty as ::typact::Message>::Reply),
                quote!(#where_clause),
            ),
            MessageKind::External(ty) => {
                let bound = quote_spanned!(ty.span()=> #ty: ::typact::Message<Reply = #reply>);
                (quote!(#reply), with_bound(where_clause, bound))
            }
        };
        let (tell, wrap, unwrap) = (
            quote!(#private::Entry::new(msg, #private::ReplyTo::none())),
            quote!(#private::Entry::new(msg, reply)),
            quote!(entry.into_parts()),
        );
        let ask_reply = quote!(<#msg_ty as ::typact::Message>::Reply);
        let bound = quote!();
        variants.push(quote!(#variant(#private::Entry<#msg_ty, #entry_reply>)));
        handler_impls.push(quote! {
            #[automatically_derived]
            impl #impl_generics ::typact::Handler<#msg_ty> for #actor #handler_where {
                #[inline]
                fn __tell(msg: #msg_ty) -> #mailbox_ty {
                    #mailbox::#variant(#tell)
                }

                #[inline]
                #[allow(unreachable_patterns)]
                fn __message(entry: #mailbox_ty) -> #msg_ty {
                    match entry {
                        #mailbox::#variant(entry) => entry.into_message(),
                        _ => ::core::panic!("typact: mailbox entry of another message"),
                    }
                }

                #[inline]
                fn __wrap(msg: #msg_ty, reply: #private::ReplyTo<#ask_reply>) -> #mailbox_ty #bound {
                    #mailbox::#variant(#wrap)
                }

                #[inline]
                #[allow(unreachable_patterns)]
                fn __unwrap(entry: #mailbox_ty) -> (#msg_ty, #private::ReplyTo<#ask_reply>) #bound {
                    match entry {
                        #mailbox::#variant(entry) => #unwrap,
                        _ => ::core::panic!("typact: mailbox entry of another message"),
                    }
                }
            }
        });
        reject_arms
            .push(quote!(#mailbox::#variant(__entry) => #private::reject(__entry.into_reply())));

        // The handler call, with its arguments in declaration order.
        let call_args = h.args.iter().map(|role| match role {
            Role::Field(f, _) => quote!(#f),
            Role::Message(_) => quote!(__msg),
            Role::Reply => quote!(__reply),
            Role::Ctx => quote!(&mut *ctx),
            Role::Reason => quote!(reason),
        });
        let await_ = h.is_async.then(|| quote!(.await));
        let call = quote_spanned!(method.span()=> Self::#method(self, #(#call_args),*) #await_);
        let body = if h.deferred {
            quote!(#call;)
        } else {
            quote!(__reply.send(#call);)
        };
        let arm_body = quote! {
            let (__msg, __reply) = __entry.into_parts();
            #unpack
            #body
        };
        arms.push(quote! {
            #mailbox::#variant(__entry) => {
                #arm_body
            }
        });
        now_arms.push(if h.is_async {
            quote!(__entry @ #mailbox::#variant(..) => ::core::option::Option::Some(__entry),)
        } else {
            quote! {
                #mailbox::#variant(__entry) => {
                    #arm_body
                    ::core::option::Option::None
                }
            }
        });
    }

    let on_start = model.on_start.as_ref().map(|hook| {
        let call = hook_call(hook);
        // Spanned at the hook's return type, so that a wrong one is reported
        // there rather than at the method name.
        let result = quote_spanned!(hook.output_span=> __typact_start);
        let convert = quote_spanned! {hook.output_span=>
            #[allow(clippy::let_unit_value)]
            let #result = #call;
            ::typact::__private::IntoStartResult::into_start_result(#result)
        };
        quote! {
            fn __on_start(
                &mut self,
                ctx: &mut ::typact::Context<Self>,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<(), ::typact::BoxError>> + ::core::marker::Send {
                async move {
                    let _ = &ctx;
                    #convert
                }
            }
        }
    });
    // A watch's message comes wrapped with its watch (see
    // `Context::watch`): admitted only if the watch is still on, and then
    // handled as the entry it holds. The runtime gives every entry to
    // `__handle_now` first, which admits it and hands back only an entry
    // of an async handler, so `__handle` never meets the wrapper.
    let watched = quote!(__Watched);
    variants.push(quote!(#watched(::std::boxed::Box<#private::Watched<#mailbox_ty>>)));
    now_arms.push(quote! {
        #mailbox::#watched(__watched) => match #private::Watched::admit(*__watched) {
            ::core::option::Option::Some(__entry) => {
                <Self as ::typact::Actor>::__handle_now(self, __entry, ctx)
            }
            ::core::option::Option::None => ::core::option::Option::None,
        },
    });
    reject_arms.push(quote! {
        #mailbox::#watched(__watched) => #private::Watched::admit(*__watched)
            .is_some_and(<Self as ::typact::Actor>::__reject)
    });
    // Not unwrapped again in `__handle`: a second binding of the entry
    // there would grow every async handler's future, and with it the task
    // of every idle actor that has one.
    arms.push(quote! {
        #mailbox::#watched(_) => ::core::unreachable!(
            "typact: a watch's message reaches `__handle` only through `__handle_now`"
        ),
    });
    // A generic actor's mailbox uses each of its type parameters, whether
    // or not a message does, through a variant no one can build.
    if !params.is_empty() {
        let never = quote!(__Params);
        variants.push(quote!(
            #never(::core::marker::PhantomData<fn() -> (#(#params,)*)>, ::core::convert::Infallible)
        ));
        arms.push(quote!(#mailbox::#never(_, __never) => match __never {},));
        now_arms.push(quote!(#mailbox::#never(_, __never) => match __never {},));
        reject_arms.push(quote!(#mailbox::#never(_, __never) => match __never {}));
    }

    // With no `async` handler, every entry is handled at once and the
    // future is a ready one: the actor's task then keeps no room for a
    // handler's state.
    let any_async = model.handlers.iter().any(|h| h.is_async);
    let has_on_start = model.on_start.is_some();
    let handle_body = if any_async {
        quote! {
            async move {
                let _ = &ctx;
                match entry {
                    #(#arms)*
                }
            }
        }
    } else {
        quote! {
            let _ = &ctx;
            match entry {
                #(#arms)*
            }
            ::core::future::ready(())
        }
    };

    let on_stop = reason_hook(model.on_stop.as_ref(), quote!(__on_stop));
    let before_restart = reason_hook(model.before_restart.as_ref(), quote!(__before_restart));
    let after_restart = reason_hook(model.after_restart.as_ref(), quote!(__after_restart));

    let module_tokens = messages::module(model);
    let client_methods = client::methods(model);

    quote! {
        #item

        #module_tokens

        #client_methods

        const _: () = {
            #(#message_impls)*

            #[doc(hidden)]
            #[allow(private_interfaces, non_camel_case_types)]
            pub enum #mailbox #impl_generics #where_clause {
                #(#variants,)*
            }

            #[automatically_derived]
            #[allow(private_interfaces)]
            impl #impl_generics ::typact::Actor for #actor #where_clause {
                type Mailbox = #mailbox_ty;
                type Client = #real::Client<Self>;
                const TYPE_NAME: &'static str = #actor_name;
                const __ASYNC_HANDLERS: bool = #any_async;
                const __ON_START: bool = #has_on_start;

                // An actor without handlers has a mailbox enum with only
                // the variant for watch messages, which it cannot watch for.
                #[allow(unreachable_code)]
                fn __handle(
                    &mut self,
                    entry: #mailbox_ty,
                    ctx: &mut ::typact::Context<Self>,
                ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                    #handle_body
                }

                #[inline]
                fn __handle_now(
                    &mut self,
                    entry: #mailbox_ty,
                    ctx: &mut ::typact::Context<Self>,
                ) -> ::core::option::Option<#mailbox_ty> {
                    let _ = &ctx;
                    match entry {
                        #(#now_arms)*
                    }
                }

                fn __reject(entry: #mailbox_ty) -> bool {
                    match entry {
                        #(#reject_arms,)*
                    }
                }

                #[inline]
                fn __watched(watched: #private::Watched<#mailbox_ty>) -> #mailbox_ty {
                    #mailbox::#watched(::std::boxed::Box::new(watched))
                }

                #on_start
                #on_stop
                #before_restart
                #after_restart
            }

            #(#handler_impls)*

            #[doc(hidden)]
            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl #impl_generics ::typact::Handler<#private::Unhandled<#actor>> for #actor #where_clause {
                fn __tell(msg: #private::Unhandled<#actor>) -> #mailbox_ty {
                    msg.absurd()
                }

                fn __message(_: #mailbox_ty) -> #private::Unhandled<#actor> {
                    ::core::panic!("typact: no mailbox entry holds an `Unhandled` message")
                }

                fn __wrap(
                    msg: #private::Unhandled<#actor>,
                    _: #private::ReplyTo<<#private::Unhandled<#actor> as ::typact::Message>::Reply>,
                ) -> #mailbox_ty {
                    msg.absurd()
                }

                fn __unwrap(
                    _: #mailbox_ty,
                ) -> (
                    #private::Unhandled<#actor>,
                    #private::ReplyTo<<#private::Unhandled<#actor> as ::typact::Message>::Reply>,
                ) {
                    ::core::panic!("typact: no mailbox entry holds an `Unhandled` message")
                }
            }
        };
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
fn reason_hook(hook: Option<&Hook>, trait_method: TokenStream) -> Option<TokenStream> {
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

fn hook_call(hook: &Hook) -> TokenStream {
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
            if let Item::Const(c) = item {
                if let syn::Expr::Block(b) = &*c.expr {
                    for stmt in &b.block.stmts {
                        if let syn::Stmt::Item(Item::Impl(i)) = stmt {
                            out.push(i.clone());
                        }
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
