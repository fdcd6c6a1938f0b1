//! Code generation: from an [`ActorModel`] to the message structs, the
//! mailbox enum, the trait impls and the client.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Item, ItemImpl};

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
    let mailbox = format_ident!("__{}Mailbox", model.name);
    let client = format_ident!("__{}Client", model.name);
    let private = quote!(::typact::__private);

    let mut messages = Vec::new();
    let mut variants = Vec::new();
    let mut handler_impls = Vec::new();
    let mut arms = Vec::new();
    let mut now_arms = Vec::new();
    let mut reject_arms = Vec::new();
    let mut client_methods = Vec::new();
    let mut checks = Vec::new();

    for h in &model.handlers {
        let variant = &h.variant;
        let reply = &h.reply;
        let method = &h.method;
        let docs = &h.docs;
        let vis = &h.vis;
        let fields: Vec<_> = h.fields().collect();
        let field_names: Vec<_> = fields.iter().map(|(f, _)| *f).collect();
        let field_tys: Vec<_> = fields.iter().map(|(_, t)| *t).collect();

        let msg_ty = match &h.kind {
            MessageKind::Generated { name, docs } => {
                let default_doc = format!(
                    "The message of [`{actor_name}::{method}`]; the reply to an ask is its return value."
                );
                let docs = if docs.is_empty() {
                    quote!(#[doc = #default_doc])
                } else {
                    quote!(#(#docs)*)
                };
                let field_docs: Vec<_> = field_names
                    .iter()
                    .map(|f| format!("The `{f}` argument of `{actor_name}::{method}`."))
                    .collect();
                let def = if fields.is_empty() {
                    quote!(#vis struct #name;)
                } else {
                    quote!(#vis struct #name { #( #[doc = #field_docs] pub #field_names: #field_tys, )* })
                };
                let reply_decl = quote_spanned!(h.reply_span=> type Reply = #reply;);
                messages.push(quote! {
                    #docs
                    #def

                    #[automatically_derived]
                    impl ::typact::Message for #name {
                        #reply_decl
                    }
                });
                quote!(#name)
            }
            MessageKind::External(ty) => {
                let check = quote_spanned!(h.reply_span=> #private::assert_reply::<#ty, #reply>(););
                checks.push(check);
                quote!(#ty)
            }
        };

        variants.push(quote!(#variant(#msg_ty, #private::ReplyTo<#reply>)));
        handler_impls.push(quote! {
            #[automatically_derived]
            impl ::typact::Handler<#msg_ty> for #actor {
                type Reply = #reply;

                #[inline]
                fn __wrap(msg: #msg_ty, reply: #private::ReplyTo<#reply>) -> #mailbox {
                    #mailbox::#variant(msg, reply)
                }

                #[inline]
                #[allow(unreachable_patterns)]
                fn __unwrap(entry: #mailbox) -> (#msg_ty, #private::ReplyTo<#reply>) {
                    match entry {
                        #mailbox::#variant(msg, reply) => (msg, reply),
                        _ => ::core::panic!("typact: mailbox entry of another message"),
                    }
                }
            }
        });
        reject_arms.push(quote!(#mailbox::#variant(_, reply) => #private::reject(reply)));

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
        let unpack = match &h.kind {
            MessageKind::Generated { name, .. } if !fields.is_empty() => {
                quote!(let #name { #(#field_names),* } = __msg;)
            }
            MessageKind::Generated { .. } => quote!(let _ = __msg;),
            MessageKind::External(_) => quote!(),
        };
        let body = if h.deferred {
            quote!(#call;)
        } else {
            quote!(__reply.send(#call);)
        };
        arms.push(quote! {
            #mailbox::#variant(__msg, __reply) => {
                #unpack
                #body
            }
        });
        now_arms.push(if h.is_async {
            quote!(__entry @ #mailbox::#variant(..) => ::core::option::Option::Some(__entry),)
        } else {
            quote! {
                #mailbox::#variant(__msg, __reply) => {
                    #unpack
                    #body
                    ::core::option::Option::None
                }
            }
        });

        // The client method: same parameters, minus context and reply.
        let (params, build) = match &h.kind {
            MessageKind::Generated { name, .. } if fields.is_empty() => (quote!(), quote!(#name)),
            MessageKind::Generated { name, .. } => (
                quote!(#(#field_names: #field_tys),*),
                quote!(#name { #(#field_names),* }),
            ),
            MessageKind::External(ty) => (quote!(msg: #ty), quote!(msg)),
        };
        client_methods.push(quote! {
            #(#docs)*
            #[inline]
            #vis fn #method(&self, #params) -> ::typact::Ask<#msg_ty, #reply> {
                self.raw.ask(#build)
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
    variants.push(quote!(#watched(::std::boxed::Box<#private::Watched<#mailbox>>)));
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

    let check_fn = (!checks.is_empty()).then(|| {
        quote! {
            #[allow(dead_code)]
            fn __typact_checks() {
                #(#checks)*
            }
        }
    });

    quote! {
        #item

        #(#messages)*

        const _: () = {
            #[doc(hidden)]
            #[allow(private_interfaces, non_camel_case_types)]
            pub enum #mailbox {
                #(#variants,)*
            }

            #[doc(hidden)]
            #[allow(private_interfaces, non_camel_case_types)]
            pub struct #client {
                raw: #private::RawRef<#actor>,
            }

            #[automatically_derived]
            impl #private::Client<#actor> for #client {
                #[inline]
                fn __from_raw(raw: #private::RawRef<#actor>) -> Self {
                    #client { raw }
                }

                #[inline]
                fn __raw(&self) -> &#private::RawRef<#actor> {
                    &self.raw
                }
            }

            impl #client {
                #(#client_methods)*
            }

            #[automatically_derived]
            impl ::typact::Actor for #actor {
                type Mailbox = #mailbox;
                type Client = #client;
                const TYPE_NAME: &'static str = #actor_name;
                const __ASYNC_HANDLERS: bool = #any_async;
                const __ON_START: bool = #has_on_start;

                // An actor without handlers has a mailbox enum with only
                // the variant for watch messages, which it cannot watch for.
                #[allow(unreachable_code)]
                fn __handle(
                    &mut self,
                    entry: #mailbox,
                    ctx: &mut ::typact::Context<Self>,
                ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                    #handle_body
                }

                #[inline]
                fn __handle_now(
                    &mut self,
                    entry: #mailbox,
                    ctx: &mut ::typact::Context<Self>,
                ) -> ::core::option::Option<#mailbox> {
                    let _ = &ctx;
                    match entry {
                        #(#now_arms)*
                    }
                }

                fn __reject(entry: #mailbox) -> bool {
                    match entry {
                        #(#reject_arms,)*
                    }
                }

                #[inline]
                fn __watched(watched: #private::Watched<#mailbox>) -> #mailbox {
                    #mailbox::#watched(::std::boxed::Box::new(watched))
                }

                #on_start
                #on_stop
                #before_restart
                #after_restart
            }

            #(#handler_impls)*

            #[automatically_derived]
            #[diagnostic::do_not_recommend]
            impl ::typact::Handler<#private::Unhandled<#actor>> for #actor {
                type Reply = ();

                fn __wrap(msg: #private::Unhandled<#actor>, _: #private::ReplyTo<()>) -> #mailbox {
                    msg.absurd()
                }

                fn __unwrap(_: #mailbox) -> (#private::Unhandled<#actor>, #private::ReplyTo<()>) {
                    ::core::panic!("typact: no mailbox entry holds an `Unhandled` message")
                }
            }

            #check_fn
        };
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
