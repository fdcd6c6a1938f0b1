//! The model of an `#[actor]` block: its handlers and hooks, read from the
//! method signatures and validated. Every mistake is recorded in the `Ctxt`
//! at the token that causes it; a handler with a mistake is left out of the
//! model, so the rest still expands.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Attribute, FnArg, GenericArgument, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, PathArguments,
    ReturnType, Type,
};

use crate::ctxt::Ctxt;
use crate::parse::{HandlerArgs, Marker, no_args};

/// Methods of `ActorRef` that a generated client method of the same name
/// would be shadowed by.
const ACTOR_REF_METHODS: &[&str] = &[
    "id",
    "name",
    "tell",
    "try_tell",
    "blocking_tell",
    "ask",
    "blocking_ask",
    "recipient",
    "stop",
    "kill",
    "wait_for_stop",
    "is_alive",
    "dead_letters",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "hash",
    "fmt",
    "deref",
];

pub(crate) struct ActorModel {
    /// The user's impl block, with our marker attributes removed.
    pub(crate) item: ItemImpl,
    pub(crate) self_ty: Type,
    /// The actor's type name, for the hidden items' names and `TYPE_NAME`.
    pub(crate) name: Ident,
    pub(crate) handlers: Vec<HandlerModel>,
    pub(crate) on_start: Option<Hook>,
    pub(crate) on_stop: Option<Hook>,
    pub(crate) before_restart: Option<Hook>,
    pub(crate) after_restart: Option<Hook>,
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
    /// A struct generated from the parameters.
    Generated { name: Ident, docs: Vec<Attribute> },
    /// A type declared elsewhere (`#[handler(message)]`).
    External(Type),
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
        if let Type::Path(path) = ty {
            if path.qself.is_none() && path.path.is_ident("Self") {
                *ty = self.0.clone();
                return;
            }
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

/// Whether `ty` names the type `name` by its bare name, anywhere inside
/// (`Stats`, `Result<Stats, E>`, `&[Stats]`, ...): a generated message
/// struct of that name would take its place.
fn mentions(ty: &Type, name: &Ident) -> bool {
    match ty {
        Type::Path(p) => {
            (p.qself.is_none() && p.path.segments.len() == 1 && p.path.segments[0].ident == *name)
                || p.path.segments.iter().any(|seg| match &seg.arguments {
                    PathArguments::AngleBracketed(args) => args.args.iter().any(
                        |arg| matches!(arg, syn::GenericArgument::Type(t) if mentions(t, name)),
                    ),
                    _ => false,
                })
        }
        Type::Reference(r) => mentions(&r.elem, name),
        Type::Slice(s) => mentions(&s.elem, name),
        Type::Array(a) => mentions(&a.elem, name),
        Type::Paren(p) => mentions(&p.elem, name),
        Type::Group(g) => mentions(&g.elem, name),
        Type::Tuple(t) => t.elems.iter().any(|e| mentions(e, name)),
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

/// `snake_case` to `PascalCase`: `get_count` gives `GetCount`.
fn pascal_case(ident: &Ident) -> Ident {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Message");
    }
    Ident::new(&out, ident.span())
}

fn docs_of(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .cloned()
        .collect()
}

impl ActorModel {
    /// Reads an `#[actor]` impl block. `None` if it is not one at all (the
    /// error is recorded and the caller emits the item unchanged).
    pub(crate) fn from_impl(cx: &Ctxt, mut item: ItemImpl) -> Result<ActorModel, Box<ItemImpl>> {
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
        if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &item.generics,
                "`#[actor]` does not support generic actors: each actor needs one concrete mailbox type; make the actor concrete, or keep the generic part in a field of a concrete type",
            );
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
            name,
            handlers: Vec::new(),
            on_start: None,
            on_stop: None,
            before_restart: None,
            after_restart: None,
        };
        let mut message_names: HashMap<String, Ident> = HashMap::new();
        let mut seen_methods: HashMap<String, ()> = HashMap::new();

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
                    for (extra, attr) in &markers[1..] {
                        cx.error_spanned_by(
                            attr,
                            format_args!(
                                "a method can carry only one of `#[handler]`, `#[on_start]`, `#[on_stop]`, `#[before_restart]` and `#[after_restart]`; this one already has `#[{}]`",
                                marker.name()
                            ),
                        );
                        let _ = extra;
                    }
                    if bad_shape {
                        continue;
                    }
                    let method_name = method.sig.ident.to_string();
                    if seen_methods.insert(method_name, ()).is_some() {
                        // rustc reports the duplicate definition itself.
                        continue;
                    }
                    match marker {
                        Marker::Handler => {
                            let args = HandlerArgs::parse(cx, attr);
                            if let Some(handler) = model.handler(cx, method, &args) {
                                if let MessageKind::Generated { name, .. } = &handler.kind {
                                    if *name == model.name {
                                        cx.error_spanned_by(
                                            &method.sig.ident,
                                            format_args!(
                                                "handler `{}` would generate a message struct named `{name}`, the name of the actor itself; rename the method, or name its message with `#[handler(name = {name}Msg)]`",
                                                handler.method
                                            ),
                                        );
                                        continue;
                                    }
                                    let clash = std::iter::once(&handler.reply)
                                        .chain(handler.fields().map(|(_, ty)| ty))
                                        .find(|ty| mentions(ty, name));
                                    if let Some(ty) = clash {
                                        cx.error_spanned_by(
                                            ty,
                                            format_args!(
                                                "handler `{}` would generate a message struct named `{name}`, which would clash with the type `{name}` that its signature uses; name the message with `#[handler(name = Get{name})]`, or rename the method",
                                                handler.method
                                            ),
                                        );
                                        continue;
                                    }
                                }
                                if let Some(key) = handler.message_key() {
                                    if let Some(first) = message_names.get(&key) {
                                        cx.error_spanned_by(
                                            handler.message_span_token(method),
                                            format_args!(
                                                "handlers `{first}` and `{}` both {}; rename one method, or name its message with `#[handler(name = OtherName)]`",
                                                handler.method,
                                                match handler.kind {
                                                    MessageKind::Generated { .. } => format!("generate the message `{key}`"),
                                                    MessageKind::External(_) => format!("handle the message `{key}`, and an actor handles each message type once"),
                                                },
                                            ),
                                        );
                                        continue;
                                    }
                                    message_names.insert(key, handler.method.clone());
                                }
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
            Ok(model)
        }
    }

    fn handler(&self, cx: &Ctxt, method: &ImplItemFn, args: &HandlerArgs) -> Option<HandlerModel> {
        let sig = &method.sig;
        let mut ok = check_fn_shape(cx, method, "a handler");
        let method_name = sig.ident.to_string();
        if ACTOR_REF_METHODS.contains(&method_name.trim_start_matches("r#")) {
            cx.error_spanned_by(
                &sig.ident,
                format_args!(
                    "a handler named `{method_name}` would be hidden by `ActorRef::{method_name}` on the generated client; rename the method (the message name can stay, with `#[handler(name = ...)]`)"
                ),
            );
            // The handler itself is sound: keep it, so that code sending its
            // message does not fail a second time.
        }

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
            None => MessageKind::Generated {
                name: args.name.clone().unwrap_or_else(|| pascal_case(&sig.ident)),
                docs: docs_of(&method.attrs),
            },
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
        })
    }

    /// Where the hook a marker declares is kept. Not for `Marker::Handler`.
    fn hook_slot(&mut self, marker: Marker) -> &mut Option<Hook> {
        match marker {
            Marker::OnStart => &mut self.on_start,
            Marker::OnStop => &mut self.on_stop,
            Marker::BeforeRestart => &mut self.before_restart,
            Marker::AfterRestart | Marker::Handler => &mut self.after_restart,
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
        if marker.takes_reason() {
            if let ReturnType::Type(_, ty) = &sig.output {
                if !is_unit(ty) {
                    cx.error_spanned_by(
                        ty,
                        format_args!("{what} returns nothing; remove the return type"),
                    );
                    ok = false;
                }
            }
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

impl HandlerModel {
    /// The key under which two handlers would clash.
    fn message_key(&self) -> Option<String> {
        Some(match &self.kind {
            MessageKind::Generated { name, .. } => name.to_string(),
            MessageKind::External(ty) => match ty {
                Type::Path(p) => p.path.segments.last()?.ident.to_string(),
                other => quote::quote!(#other).to_string(),
            },
        })
    }

    fn message_span_token<'a>(&self, method: &'a ImplItemFn) -> &'a Ident {
        &method.sig.ident
    }
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}

/// A type as the user would write it: `Box<dyn Error + Send>`, not the
/// token stream's `Box < dyn Error + Send >`.
fn type_name(ty: &Type) -> String {
    let tokens = quote::quote!(#ty).to_string();
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '\'';
    let chars: Vec<char> = tokens.chars().collect();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let keep = match (before, after) {
                (Some(b), Some(a)) => {
                    (is_word(b) && is_word(a)) || b == ',' || a == '+' || b == '+'
                }
                _ => false,
            };
            if !keep {
                continue;
            }
        }
        out.push(c);
    }
    out
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
