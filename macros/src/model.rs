//! The model of an `#[actor]` block: its generics, handlers and hooks, read
//! from the method signatures. A mistake inside one signature is recorded in
//! the `Ctxt` at the token that causes it, and that handler or hook is left
//! out of the model, so the rest still expands. Checks that look across the
//! whole block (names that clash, generics the actor cannot have) live in
//! `validate.rs`.

use std::collections::HashSet;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Attribute, FnArg, GenericArgument, Generics, Ident, ImplItem, ImplItemFn, ItemImpl, Pat,
    PathArguments, ReturnType, Type,
};

use crate::ctxt::Ctxt;
use crate::generics::params_in;
use crate::names::{pascal_case, snake_case, type_name};
use crate::parse::{ActorArgs, HandlerArgs, Marker, no_args};
use crate::validate;

pub(crate) struct ActorModel {
    /// The user's impl block, with our marker attributes removed.
    pub(crate) item: ItemImpl,
    pub(crate) self_ty: Type,
    /// The actor's type name, for the hidden items' names and `TYPE_NAME`.
    pub(crate) name: Ident,
    /// The module that holds the generated messages and the client:
    /// `counter` for `Counter` (spanned at the actor's name), or the
    /// `module = name` of `#[actor(...)]`.
    pub(crate) module: Ident,
    /// The impl block's type parameters and where clause (lifetimes and
    /// const parameters are refused by `validate::generics`).
    pub(crate) generics: Generics,
    pub(crate) handlers: Vec<HandlerModel>,
    pub(crate) on_start: Option<Hook>,
    pub(crate) on_stop: Option<Hook>,
    pub(crate) before_restart: Option<Hook>,
    pub(crate) after_restart: Option<Hook>,
    /// The `#[inspect]` method that gives the actor's summary.
    pub(crate) summary: Option<Ident>,
    /// `#[actor(remote)]` or `#[actor(inspect)]`: where it was written.
    pub(crate) wire: Option<Span>,
}

/// What one parameter of a handler or hook becomes.
pub(crate) enum Role {
    /// A field of the generated message.
    Field(Ident, Type),
    /// The whole message, for `#[handler(message)]`.
    Message(Type),
    /// The reply handle of a deferred handler.
    Reply,
    /// `&mut Context<Self>`.
    Ctx,
    /// `&StopReason`, for `#[on_stop]`.
    Reason,
}

pub(crate) enum MessageKind {
    /// A struct generated from the parameters, in the actor's module.
    Generated(Generated),
    /// A type declared elsewhere (`#[handler(message)]`).
    External(Type),
}

/// A message struct `#[actor]` generates from a handler's parameters.
pub(crate) struct Generated {
    pub(crate) name: Ident,
    pub(crate) docs: Vec<Attribute>,
    /// The actor's type parameters the message is generic over, in the
    /// impl's order: those its fields or its reply use.
    pub(crate) params: Vec<Ident>,
    /// Those of `params` that only the reply uses: the struct carries them
    /// in a marker field, since a struct must use each of its parameters.
    pub(crate) reply_only: Vec<Ident>,
    /// Traits from `#[handler(derive(...))]`.
    pub(crate) derive: Vec<syn::Path>,
}

pub(crate) struct HandlerModel {
    pub(crate) method: Ident,
    /// The method's visibility, which the message struct and the client
    /// method take: whoever may call the method may send its message.
    pub(crate) vis: syn::Visibility,
    pub(crate) docs: Vec<Attribute>,
    pub(crate) is_async: bool,
    pub(crate) variant: Ident,
    pub(crate) kind: MessageKind,
    pub(crate) args: Vec<Role>,
    pub(crate) reply: Type,
    pub(crate) reply_span: Span,
    pub(crate) deferred: bool,
    /// The method name's token, where cross-handler errors point.
    pub(crate) ident: Ident,
}

impl HandlerModel {
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&Ident, &Type)> {
        self.args.iter().filter_map(|role| match role {
            Role::Field(ident, ty) => Some((ident, ty)),
            _ => None,
        })
    }
}

pub(crate) struct Hook {
    pub(crate) method: Ident,
    pub(crate) is_async: bool,
    pub(crate) args: Vec<Role>,
    pub(crate) output_span: Span,
}

/// Replaces `Self` in a type with the actor's type, for use outside its impl.
struct ReplaceSelf<'a>(&'a Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(path) = ty
            && path.qself.is_none()
            && path.path.is_ident("Self")
        {
            *ty = self.0.clone();
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == name),
        _ => false,
    }
}

/// The `R` of a `ReplyTo<R>` type.
fn reply_to_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "ReplyTo" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(ty)) if args.args.len() == 1 => Some(ty),
        _ => None,
    }
}

fn docs_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

impl ActorModel {
    /// Reads an `#[actor]` impl block. `Err` if it is not one at all (the
    /// error is recorded and the caller emits the item unchanged).
    pub(crate) fn from_impl(
        cx: &Ctxt,
        mut item: ItemImpl,
        args: ActorArgs,
    ) -> Result<ActorModel, Box<ItemImpl>> {
        let mut bad_shape = false;
        if let Some((_, path, _)) = &item.trait_ {
            cx.error_spanned_by(
                path,
                format_args!(
                    "`#[actor]` goes on an inherent impl block, not on an impl of trait `{}`; write the handlers in `impl {} {{ ... }}`",
                    quote::quote!(#path).to_string().replace(' ', ""),
                    type_name(&item.self_ty),
                ),
            );
            bad_shape = true;
        }
        if !validate::generics(cx, &item.generics) {
            bad_shape = true;
        }
        let name = match &*item.self_ty {
            Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.clone()),
            _ => None,
        };
        let name = match name {
            Some(name) => name,
            None => {
                cx.error_spanned_by(
                    &item.self_ty,
                    "`#[actor]` needs a named struct or enum type: `#[actor] impl MyActor { ... }`",
                );
                bad_shape = true;
                Ident::new("Actor", Span::call_site())
            }
        };
        // rustc itself rejects an `unsafe` inherent impl (E0197), before
        // expansion; a second error here would only repeat it.

        let self_ty = (*item.self_ty).clone();
        let mut model = ActorModel {
            item: item.clone(),
            self_ty,
            module: args.module.unwrap_or_else(|| snake_case(&name)),
            summary: None,
            wire: args.wire,
            name,
            generics: item.generics.clone(),
            handlers: Vec::new(),
            on_start: None,
            on_stop: None,
            before_restart: None,
            after_restart: None,
        };
        let mut seen_methods: HashSet<String> = HashSet::new();

        for impl_item in &mut item.items {
            match impl_item {
                ImplItem::Fn(method) => {
                    let markers: Vec<(Marker, Attribute)> = method
                        .attrs
                        .iter()
                        .filter_map(|a| Marker::of(a).map(|m| (m, a.clone())))
                        .collect();
                    method.attrs.retain(|a| Marker::of(a).is_none());
                    let Some((marker, attr)) = markers.first() else {
                        continue;
                    };
                    for (_, extra) in &markers[1..] {
                        cx.error_spanned_by(
                            extra,
                            format_args!(
                                "a method can carry only one of `#[handler]`, `#[on_start]`, `#[on_stop]`, `#[before_restart]` and `#[after_restart]`; this one already has `#[{}]`",
                                marker.name()
                            ),
                        );
                    }
                    if bad_shape {
                        continue;
                    }
                    if !seen_methods.insert(method.sig.ident.to_string()) {
                        // rustc reports the duplicate definition itself.
                        continue;
                    }
                    match marker {
                        Marker::Inspect => {
                            no_args(cx, attr, Marker::Inspect);
                            if model.summary.is_some() {
                                cx.error_spanned_by(
                                    attr,
                                    "an actor has at most one `#[inspect]` summary; merge the two methods",
                                );
                                continue;
                            }
                            if summary_shape(cx, method) {
                                model.summary = Some(method.sig.ident.clone());
                            }
                        }
                        Marker::Handler => {
                            let args = HandlerArgs::parse(cx, attr);
                            if let Some(handler) = model.handler(cx, method, &args) {
                                model.handlers.push(handler);
                            }
                        }
                        &hook_marker => {
                            no_args(cx, attr, hook_marker);
                            if model.hook_slot(hook_marker).is_some() {
                                cx.error_spanned_by(
                                    attr,
                                    format_args!(
                                        "an actor has at most one `#[{}]` hook; merge the two methods",
                                        hook_marker.name()
                                    ),
                                );
                                continue;
                            }
                            if let Some(hook) = model.hook(cx, method, hook_marker) {
                                *model.hook_slot(hook_marker) = Some(hook);
                            }
                        }
                    }
                }
                ImplItem::Const(c) => strip_misplaced(cx, &mut c.attrs),
                ImplItem::Type(t) => strip_misplaced(cx, &mut t.attrs),
                _ => {}
            }
        }
        model.item = item;
        if bad_shape {
            Err(Box::new(model.item))
        } else {
            validate::handlers(cx, &mut model);
            Ok(model)
        }
    }

    fn handler(&self, cx: &Ctxt, method: &ImplItemFn, args: &HandlerArgs) -> Option<HandlerModel> {
        let sig = &method.sig;
        let mut ok = check_fn_shape(cx, method, "a handler");
        let mut roles = Vec::new();
        let mut ctx_seen = false;
        let mut reply_seen: Option<Type> = None;
        for input in sig.inputs.iter().skip(1) {
            let FnArg::Typed(pat_ty) = input else {
                continue;
            };
            let mut ty = (*pat_ty.ty).clone();
            ReplaceSelf(&self.self_ty).visit_type_mut(&mut ty);
            match &*pat_ty.ty {
                Type::Reference(r)
                    if r.mutability.is_some() && last_segment_is(&r.elem, "Context") =>
                {
                    if ctx_seen {
                        cx.error_spanned_by(
                            pat_ty,
                            "a handler takes `&mut Context<Self>` at most once",
                        );
                        ok = false;
                    }
                    ctx_seen = true;
                    roles.push(Role::Ctx);
                    continue;
                }
                Type::Reference(r) => {
                    cx.error_spanned_by(
                        r,
                        "a handler parameter cannot be borrowed: it becomes a field of a message that outlives this call; take an owned type (e.g. `String` for `&str`, `Vec<T>` for `&[T]`, or `Arc<T>` to share)",
                    );
                    ok = false;
                    continue;
                }
                Type::ImplTrait(t) => {
                    cx.error_spanned_by(
                        t,
                        "`impl Trait` cannot be a handler parameter: the generated message needs one concrete type; name the type, or use `Box<dyn Trait + Send>`",
                    );
                    ok = false;
                    continue;
                }
                _ => {}
            }
            if args.deferred.is_some() && reply_to_inner(&pat_ty.ty).is_some() {
                if reply_seen.is_some() {
                    cx.error_spanned_by(pat_ty, "a deferred handler takes one `ReplyTo<R>`");
                    ok = false;
                }
                let mut inner = reply_to_inner(&pat_ty.ty).cloned().expect("checked above");
                ReplaceSelf(&self.self_ty).visit_type_mut(&mut inner);
                reply_seen = Some(inner);
                roles.push(Role::Reply);
                continue;
            }
            if args.message.is_some() {
                roles.push(Role::Message(ty));
                continue;
            }
            match &*pat_ty.pat {
                Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => {
                    roles.push(Role::Field(p.ident.clone(), ty));
                }
                other => {
                    cx.error_spanned_by(
                        other,
                        "give this parameter a plain name: it becomes a `pub` field of the generated message (`fn add(&mut self, by: u64)` gives `Add { by }`)",
                    );
                    ok = false;
                }
            }
        }

        let messages = roles
            .iter()
            .filter(|r| matches!(r, Role::Message(_)))
            .count();
        if args.message.is_some() && messages != 1 {
            cx.error_spanned_by(
                &sig.ident,
                "`#[handler(message)]` takes exactly one message parameter besides `self` (and the optional context): `fn on_ping(&mut self, msg: Ping) -> Pong`",
            );
            ok = false;
        }

        let (reply, reply_span) = match (&sig.output, args.deferred) {
            (ReturnType::Type(_, ty), _) if matches!(**ty, Type::ImplTrait(_)) => {
                cx.error_spanned_by(
                    ty,
                    "a handler's reply needs a concrete type the asker can name; return the type itself, or `Box<dyn Trait + Send>`",
                );
                return None;
            }
            (ReturnType::Type(_, ty), Some(_)) if !is_unit(ty) => {
                if reply_seen.is_some() {
                    cx.error_spanned_by(
                        ty,
                        "a deferred handler replies through its `ReplyTo`, so it returns nothing; remove the return type",
                    );
                } else {
                    cx.error_spanned_by(
                        ty,
                        format_args!(
                            "a deferred handler replies through a reply handle, not its return value: remove `-> {0}` and add a parameter `reply: ReplyTo<{0}>`",
                            type_name(ty),
                        ),
                    );
                }
                return None;
            }
            (_, Some(span)) => match reply_seen {
                Some(ty) => {
                    let span = ty.span();
                    (ty, span)
                }
                None => {
                    cx.syn_error(syn::Error::new(
                        span,
                        "`#[handler(deferred)]` answers later through a reply handle: add a parameter `reply: ReplyTo<YourReply>`",
                    ));
                    return None;
                }
            },
            (ReturnType::Type(_, ty), None) => {
                let mut ty = (**ty).clone();
                ReplaceSelf(&self.self_ty).visit_type_mut(&mut ty);
                let span = sig.output.span();
                (ty, span)
            }
            (ReturnType::Default, None) => (syn::parse_quote!(()), sig.ident.span()),
        };

        if !ok {
            return None;
        }
        let kind = match args.message {
            Some(_) => {
                let ty = roles
                    .iter()
                    .find_map(|r| match r {
                        Role::Message(ty) => Some(ty.clone()),
                        _ => None,
                    })
                    .expect("exactly one message parameter, checked above");
                MessageKind::External(ty)
            }
            None => {
                let (params, reply_only) = self.params_of(&roles, &reply);
                MessageKind::Generated(Generated {
                    name: args.name.clone().unwrap_or_else(|| pascal_case(&sig.ident)),
                    docs: docs_of(&method.attrs),
                    params,
                    reply_only,
                    derive: args
                        .derive
                        .clone()
                        .map(|(_, traits)| traits)
                        .unwrap_or_default(),
                })
            }
        };
        Some(HandlerModel {
            method: sig.ident.clone(),
            vis: method.vis.clone(),
            docs: docs_of(&method.attrs),
            is_async: sig.asyncness.is_some(),
            variant: pascal_case(&sig.ident),
            kind,
            args: roles,
            reply,
            reply_span,
            deferred: args.deferred.is_some(),
            ident: sig.ident.clone(),
        })
    }

    /// The actor's type parameters a generated message needs: those its
    /// fields use, then those only its reply uses.
    fn params_of(&self, roles: &[Role], reply: &Type) -> (Vec<Ident>, Vec<Ident>) {
        let all: Vec<&Ident> = self.type_params().collect();
        if all.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let mut in_fields = HashSet::new();
        for role in roles {
            if let Role::Field(_, ty) = role {
                in_fields.extend(params_in(ty, &all));
            }
        }
        let in_reply = params_in(reply, &all);
        let params = all
            .iter()
            .filter(|p| in_fields.contains(**p) || in_reply.contains(**p))
            .map(|p| (*p).clone())
            .collect();
        let reply_only = all
            .iter()
            .filter(|p| !in_fields.contains(**p) && in_reply.contains(**p))
            .map(|p| (*p).clone())
            .collect();
        (params, reply_only)
    }

    /// The impl block's type parameters.
    pub(crate) fn type_params(&self) -> impl Iterator<Item = &Ident> {
        self.generics.type_params().map(|p| &p.ident)
    }

    /// Where the hook a marker declares is kept. Not for `Marker::Handler`
    /// or `Marker::Inspect`.
    fn hook_slot(&mut self, marker: Marker) -> &mut Option<Hook> {
        match marker {
            Marker::OnStart => &mut self.on_start,
            Marker::OnStop => &mut self.on_stop,
            Marker::BeforeRestart => &mut self.before_restart,
            Marker::AfterRestart | Marker::Handler | Marker::Inspect => &mut self.after_restart,
        }
    }

    fn hook(&self, cx: &Ctxt, method: &ImplItemFn, marker: Marker) -> Option<Hook> {
        let sig = &method.sig;
        let what = match marker {
            Marker::OnStart => "an `#[on_start]` hook",
            Marker::BeforeRestart => "a `#[before_restart]` hook",
            Marker::AfterRestart => "an `#[after_restart]` hook",
            _ => "an `#[on_stop]` hook",
        };
        let mut ok = check_fn_shape(cx, method, what);
        let mut roles = Vec::new();
        for input in sig.inputs.iter().skip(1) {
            let FnArg::Typed(pat_ty) = input else {
                continue;
            };
            match &*pat_ty.ty {
                Type::Reference(r)
                    if r.mutability.is_some() && last_segment_is(&r.elem, "Context") =>
                {
                    roles.push(Role::Ctx)
                }
                Type::Reference(r)
                    if marker.takes_reason()
                        && r.mutability.is_none()
                        && last_segment_is(&r.elem, "StopReason") =>
                {
                    roles.push(Role::Reason)
                }
                _ => {
                    let allowed = match marker {
                        Marker::OnStart => "`ctx: &mut Context<Self>`",
                        _ => "`reason: &StopReason` and `ctx: &mut Context<Self>`",
                    };
                    cx.error_spanned_by(
                        pat_ty,
                        format_args!("{what} takes only {allowed} besides `self`"),
                    );
                    ok = false;
                }
            }
        }
        if marker.takes_reason()
            && let ReturnType::Type(_, ty) = &sig.output
            && !is_unit(ty)
        {
            cx.error_spanned_by(
                ty,
                format_args!("{what} returns nothing; remove the return type"),
            );
            ok = false;
        }
        ok.then(|| Hook {
            method: sig.ident.clone(),
            is_async: sig.asyncness.is_some(),
            args: roles,
            output_span: match &sig.output {
                ReturnType::Type(_, ty) => ty.span(),
                ReturnType::Default => sig.ident.span(),
            },
        })
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// Checks the parts of a signature every marked method shares.
fn check_fn_shape(cx: &Ctxt, method: &ImplItemFn, what: &str) -> bool {
    let sig = &method.sig;
    let mut ok = true;
    match sig.receiver() {
        None => {
            cx.error_spanned_by(
                &sig.ident,
                format_args!(
                    "{what} needs `&self` or `&mut self` as its first parameter: it runs on the actor's state"
                ),
            );
            ok = false;
        }
        Some(receiver) if !matches!(*receiver.ty, Type::Reference(_)) => {
            cx.error_spanned_by(
                receiver,
                format_args!(
                    "{what} borrows its actor, which lives on after it: take `&mut self` or `&self`, not `self`"
                ),
            );
            ok = false;
        }
        Some(_) => {}
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &sig.generics,
            format_args!(
                "{what} cannot be generic: its message is a struct with one concrete type; use concrete types, or `Box<dyn Trait + Send>`"
            ),
        );
        ok = false;
    }
    if let Some(c) = &sig.constness {
        cx.error_spanned_by(c, format_args!("{what} cannot be `const`"));
        ok = false;
    }
    if let Some(u) = &sig.unsafety {
        cx.error_spanned_by(
            u,
            format_args!("{what} cannot be `unsafe`: the actor loop calls it with no way to uphold its contract"),
        );
        ok = false;
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(abi, format_args!("{what} cannot have an `extern` ABI"));
        ok = false;
    }
    if let Some(v) = &sig.variadic {
        cx.error_spanned_by(v, format_args!("{what} cannot be variadic"));
        ok = false;
    }
    ok
}

/// Removes (and reports) markers on items that are not methods.
fn strip_misplaced(cx: &Ctxt, attrs: &mut Vec<Attribute>) {
    attrs.retain(|attr| match Marker::of(attr) {
        Some(marker) => {
            cx.error_spanned_by(
                attr,
                format_args!(
                    "`#[{}]` goes on a method of the `#[actor]` block",
                    marker.name()
                ),
            );
            false
        }
        None => true,
    });
}

/// Checks the shape of an `#[inspect]` summary: `fn summary(&self) ->
/// impl Display`, not `async`, no other parameters.
fn summary_shape(cx: &Ctxt, method: &ImplItemFn) -> bool {
    let sig = &method.sig;
    let fix = "an `#[inspect]` summary is `fn summary(&self) -> impl std::fmt::Display`: it reads the state between two messages";
    if let Some(asyncness) = &sig.asyncness {
        cx.error_spanned_by(asyncness, format_args!("remove `async`: {fix}"));
        return false;
    }
    let by_ref = matches!(
        sig.inputs.first(),
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none()
    );
    if !by_ref || sig.inputs.len() != 1 {
        cx.error_spanned_by(&sig.inputs, fix);
        return false;
    }
    if matches!(sig.output, ReturnType::Default) {
        cx.error_spanned_by(&sig.ident, format_args!("add a return type: {fix}"));
        return false;
    }
    true
}
