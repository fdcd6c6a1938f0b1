//! The mailbox enum, one variant per handler, and the impls that use it:
//! `Message` for each generated message, `Handler<M>` for each message,
//! and `Actor` with the `match` the actor loop runs. All of it goes in an
//! anonymous `const _` block beside the actor.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::expand::{hook_call, messages, reason_hook, wire, with_bound};
use crate::model::{ActorModel, HandlerModel, MessageKind, Role};

/// The pieces of the mailbox, gathered handler by handler.
pub(crate) struct Mailbox<'a> {
    model: &'a ActorModel,
    /// `__CounterMailbox`.
    ident: Ident,
    /// `__CounterMailbox<K, V>`, with the actor's type parameters.
    ty: TokenStream,
    message_impls: Vec<TokenStream>,
    variants: Vec<TokenStream>,
    handler_impls: Vec<TokenStream>,
    /// The arms of `__handle`, of `__handle_now` and of `__reject`.
    arms: Vec<TokenStream>,
    now_arms: Vec<TokenStream>,
    reject_arms: Vec<TokenStream>,
    /// The arms of `__span` and of `__describe`.
    span_arms: Vec<TokenStream>,
    describe_arms: Vec<TokenStream>,
    /// What `#[actor(remote)]` needs of each handler.
    wire: Vec<wire::WireMessage>,
}

/// The `const _` block of an actor's mailbox and trait impls.
pub(crate) fn expand(model: &ActorModel) -> TokenStream {
    let ident = format_ident!("__{}Mailbox", model.name);
    let params: Vec<&Ident> = model.type_params().collect();
    let ty = if params.is_empty() {
        quote!(#ident)
    } else {
        quote!(#ident<#(#params),*>)
    };
    let mut mailbox = Mailbox {
        model,
        ident,
        ty,
        message_impls: Vec::new(),
        variants: Vec::new(),
        handler_impls: Vec::new(),
        arms: Vec::new(),
        now_arms: Vec::new(),
        reject_arms: Vec::new(),
        span_arms: Vec::new(),
        describe_arms: Vec::new(),
        wire: Vec::new(),
    };
    for h in &model.handlers {
        mailbox.handler(h);
    }
    mailbox.fixed_variants();
    mailbox.tokens()
}

impl Mailbox<'_> {
    /// The variant, the arms and the impls of one handler.
    fn handler(&mut self, h: &HandlerModel) {
        let model = self.model;
        let actor = &model.self_ty;
        let mailbox = &self.ident;
        let mailbox_ty = &self.ty;
        let private = quote!(::typact::__private);
        let (impl_generics, _, where_clause) = model.generics.split_for_impl();
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
                self.message_impls.push(quote! {
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
        self.variants
            .push(quote!(#variant(#private::Entry<#msg_ty, #entry_reply>)));
        self.handler_impls.push(quote! {
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
                #[allow(unreachable_patterns)]
                fn __peek(entry: &#mailbox_ty) -> ::core::option::Option<(&#msg_ty, bool)> {
                    match entry {
                        #mailbox::#variant(entry) => ::core::option::Option::Some(entry.peek()),
                        _ => ::core::option::Option::None,
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
        self.reject_arms
            .push(quote!(#mailbox::#variant(__entry) => #private::reject(__entry.into_reply())));

        // The span of the message, and what the history records of it.
        let stable = format!("{}::{}", model.name, method);
        self.span_arms.push(quote! {
            #mailbox::#variant(__entry) => __site.span(__entry, |__parent, __actor, __id, __ask| {
                #private::tracing::debug_span!(
                    target: "typact",
                    parent: __parent,
                    #stable,
                    actor = %__actor,
                    actor.id = __id,
                    ask = __ask,
                )
            }),
        });
        // The message as JSON for the history, for an actor that takes
        // JSON: through `Format::encode` at the message's span, so that a
        // message without serde is reported there once, with the `Wire`
        // impl's own use. A generic actor's `Actor` impl does not require
        // its parameters to be serde, so it records no JSON.
        let msg_span = match &h.kind {
            MessageKind::Generated(_) => h.ident.span(),
            MessageKind::External(ty) => ty.span(),
        };
        let msg_checked = match &h.kind {
            MessageKind::Generated(_) => false,
            MessageKind::External(ty) => wire::checked(model, ty),
        };
        let detail = if model.wire.is_some() && model.type_params().next().is_none() {
            let encode = if msg_checked {
                let fallback = wire::probe_fallback();
                quote_spanned!(msg_span=> { #fallback ::typact::wire::__Probe::<#msg_ty>::encode::<::typact::wire::Json>(__msg) })
            } else {
                quote_spanned!(msg_span=> <::typact::wire::Json as ::typact::wire::Format>::encode(__msg))
            };
            quote!(#encode.ok().map(|__json| ::std::string::String::from_utf8_lossy(&__json).into_owned()))
        } else {
            quote!({
                let _ = __msg;
                ::core::option::Option::None
            })
        };
        self.describe_arms.push(quote! {
            #mailbox::#variant(__entry) => {
                let (__msg, __ask) = __entry.peek();
                (#stable, #detail, __ask)
            }
        });
        let fieldless = match &h.kind {
            MessageKind::Generated(g) => {
                let (build, _) = messages::build_and_unpack(model, h, g);
                (h.fields().next().is_none() && g.reply_only.is_empty()).then_some(build)
            }
            MessageKind::External(_) => None,
        };
        self.wire.push(wire::WireMessage {
            variant: variant.clone(),
            msg_ty: msg_ty.clone(),
            msg_span,
            reply: entry_reply.clone(),
            reply_span: h.reply_span,
            msg_checked,
            reply_checked: wire::checked(model, &h.reply),
            stable,
            fieldless,
        });

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
        self.arms.push(quote! {
            #mailbox::#variant(__entry) => {
                #arm_body
            }
        });
        self.now_arms.push(if h.is_async {
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

    /// The variants every actor has: a watch's message, and for a generic
    /// actor one that uses each type parameter.
    fn fixed_variants(&mut self) {
        let model = self.model;
        let mailbox = &self.ident;
        let mailbox_ty = &self.ty;
        let private = quote!(::typact::__private);
        let params: Vec<&Ident> = model.type_params().collect();
        // A watch's message comes wrapped with its watch (see
        // `Context::watch`): admitted only if the watch is still on, and then
        // handled as the entry it holds. The runtime gives every entry to
        // `__handle_now` first, which admits it and hands back only an entry
        // of an async handler, so `__handle` never meets the wrapper.
        let watched = quote!(__Watched);
        self.variants
            .push(quote!(#watched(::std::boxed::Box<#private::Watched<#mailbox_ty>>)));
        // A closure the inspector runs on the actor between two messages.
        let actor = &model.self_ty;
        self.variants
            .push(quote!(__Visit(::std::boxed::Box<#private::VisitBox<#actor>>)));
        self.now_arms.push(quote! {
            #mailbox::__Visit(__visit) => {
                (__visit.0)(self, ctx);
                ::core::option::Option::None
            }
        });
        self.reject_arms.push(quote!(#mailbox::__Visit(_) => false));
        self.arms
            .push(quote!(#mailbox::__Visit(_) => ::core::unreachable!(
            "typact: a visit is handled by `__handle_now`"
        ),));
        self.span_arms
            .push(quote!(#mailbox::__Visit(_) => __site.internal(),));
        self.span_arms.push(quote! {
            #mailbox::#watched(__watched) => <Self as ::typact::Actor>::__span(__watched.entry_mut(), __site),
        });
        self.describe_arms.push(quote! {
            #mailbox::__Visit(_) => ("typact::visit", ::core::option::Option::None, false)
        });
        self.describe_arms.push(quote! {
            #mailbox::#watched(__watched) => <Self as ::typact::Actor>::__describe(__watched.entry())
        });
        self.now_arms.push(quote! {
            #mailbox::#watched(__watched) => match #private::Watched::admit(*__watched) {
                ::core::option::Option::Some(__entry) => {
                    <Self as ::typact::Actor>::__handle_now(self, __entry, ctx)
                }
                ::core::option::Option::None => ::core::option::Option::None,
            },
        });
        self.reject_arms.push(quote! {
            #mailbox::#watched(__watched) => #private::Watched::admit(*__watched)
                .is_some_and(<Self as ::typact::Actor>::__reject)
        });
        // Not unwrapped again in `__handle`: a second binding of the entry
        // there would grow every async handler's future, and with it the task
        // of every idle actor that has one.
        self.arms.push(quote! {
            #mailbox::#watched(_) => ::core::unreachable!(
                "typact: a watch's message reaches `__handle` only through `__handle_now`"
            ),
        });
        // A generic actor's mailbox uses each of its type parameters, whether
        // or not a message does, through a variant no one can build.
        if !params.is_empty() {
            let never = quote!(__Params);
            self.variants.push(quote!(
                #never(::core::marker::PhantomData<fn() -> (#(#params,)*)>, ::core::convert::Infallible)
            ));
            self.arms
                .push(quote!(#mailbox::#never(_, __never) => match __never {},));
            self.now_arms
                .push(quote!(#mailbox::#never(_, __never) => match __never {},));
            self.reject_arms
                .push(quote!(#mailbox::#never(_, __never) => match __never {}));
            self.span_arms
                .push(quote!(#mailbox::#never(_, __never) => match *__never {},));
            self.describe_arms
                .push(quote!(#mailbox::#never(_, __never) => match *__never {}));
        }
    }

    /// The whole `const _` block.
    fn tokens(&self) -> TokenStream {
        let model = self.model;
        let mailbox = &self.ident;
        let (impl_generics, _, where_clause) = model.generics.split_for_impl();
        let message_impls = &self.message_impls;
        let variants = &self.variants;
        let handler_impls = &self.handler_impls;
        let actor_impl = self.actor_impl();
        let unhandled = self.unhandled_impl();
        let wire = wire::expand(model, mailbox, &self.ty, &self.wire);
        quote! {
            const _: () = {
                #(#message_impls)*

                #[doc(hidden)]
                #[allow(private_interfaces, non_camel_case_types)]
                pub enum #mailbox #impl_generics #where_clause {
                    #(#variants,)*
                }

                #actor_impl

                #(#handler_impls)*

                #unhandled

                #wire
            };
        }
    }

    /// `impl Actor`: the dispatch and the hooks.
    fn actor_impl(&self) -> TokenStream {
        let model = self.model;
        let actor = &model.self_ty;
        let actor_name = model.name.to_string();
        let real = messages::real(model);
        let mailbox = &self.ident;
        let mailbox_ty = &self.ty;
        let private = quote!(::typact::__private);
        let (impl_generics, _, where_clause) = model.generics.split_for_impl();
        let arms = &self.arms;
        let now_arms = &self.now_arms;
        let reject_arms = &self.reject_arms;
        let watched = quote!(__Watched);
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
        // With no `async` handler, every entry is handled at once and the
        // future is a ready one: the actor's task then keeps no room for a
        // handler's state.
        let any_async = model.handlers.iter().any(|h| h.is_async);
        let has_on_start = model.on_start.is_some();
        let has_on_stop = model.on_stop.is_some();
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
        let span_arms = &self.span_arms;
        let describe_arms = &self.describe_arms;
        let summary = model.summary.as_ref().map(|method| {
            let call = quote_spanned!(method.span()=> ::std::string::ToString::to_string(&Self::#method(self)));
            quote! {
                const __SUMMARY: bool = true;

                fn __summary(&self) -> ::core::option::Option<::std::string::String> {
                    ::core::option::Option::Some(#call)
                }
            }
        });
        let json = wire::json_items(model);
        quote! {
        #[automatically_derived]
        #[allow(private_interfaces)]
        impl #impl_generics ::typact::Actor for #actor #where_clause {
            type Mailbox = #mailbox_ty;
            type Client = #real::Client<Self>;
            const TYPE_NAME: &'static str = #actor_name;
            const __ASYNC_HANDLERS: bool = #any_async;
            const __ON_START: bool = #has_on_start;
            const __ON_STOP: bool = #has_on_stop;

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

            fn __visit(visit: #private::Visit<Self>) -> ::core::option::Option<#mailbox_ty> {
                ::core::option::Option::Some(#mailbox::__Visit(::std::boxed::Box::new(#private::VisitBox(visit))))
            }

            #[allow(unreachable_code)]
            fn __span(entry: &mut #mailbox_ty, __site: &#private::SpanSite<'_>) -> #private::tracing::Span {
                match entry {
                    #(#span_arms)*
                }
            }

            #[allow(unreachable_code)]
            fn __describe(entry: &#mailbox_ty) -> (&'static str, ::core::option::Option<::std::string::String>, bool) {
                match entry {
                    #(#describe_arms,)*
                }
            }

            #summary
            #json

            #on_start
            #on_stop
            #before_restart
            #after_restart
        }
        }
    }

    /// The hidden `Handler` impl for a message no one can build (see
    /// `__private::Unhandled`).
    fn unhandled_impl(&self) -> TokenStream {
        let model = self.model;
        let actor = &model.self_ty;
        let mailbox_ty = &self.ty;
        let private = quote!(::typact::__private);
        let (impl_generics, _, where_clause) = model.generics.split_for_impl();
        quote! {
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
        }
    }
}
