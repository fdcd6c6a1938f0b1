//! Checks that look across a whole `#[actor]` block rather than at one
//! signature: which generics an actor may have, and which names the
//! generated items would make clash. A handler that fails a check is
//! reported at its own token and taken out of the model, so that the rest
//! of the block still expands and code that uses it fails only once.

use std::collections::HashMap;

use syn::{GenericParam, Generics, Ident, PathArguments, Type};

use crate::ctxt::Ctxt;
use crate::model::{ActorModel, HandlerModel, MessageKind};
use crate::names::type_name;

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
    "reserve",
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

/// Checks the impl block's generics: type parameters (with bounds and a
/// where clause) are an actor's own; lifetimes and const parameters are
/// refused. Returns whether the actor can be expanded.
pub(crate) fn generics(cx: &Ctxt, generics: &Generics) -> bool {
    let mut ok = true;
    for param in &generics.params {
        match param {
            GenericParam::Type(_) => {}
            GenericParam::Lifetime(l) => {
                cx.error_spanned_by(
                    l,
                    format_args!(
                        "an actor cannot have a lifetime parameter (`{}`): it moves into a task of its own and outlives every borrow; own the data instead (`String` for `&str`, `Arc<T>` to share)",
                        l.lifetime
                    ),
                );
                ok = false;
            }
            GenericParam::Const(c) => {
                cx.error_spanned_by(
                    c,
                    format_args!(
                        "`#[actor]` does not support const parameters (`const {}`) yet; make it a type parameter, or make the actor concrete",
                        c.ident
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// The cross-handler checks. Removes the handlers that fail one.
pub(crate) fn handlers(cx: &Ctxt, model: &mut ActorModel) {
    for h in &model.handlers {
        let method = h.method.to_string();
        let method = method.trim_start_matches("r#");
        if ACTOR_REF_METHODS.contains(&method) {
            cx.error_spanned_by(
                &h.ident,
                format_args!(
                    "a handler named `{method}` would be hidden by `ActorRef::{method}` on the generated client; rename the method (the message name can stay, with `#[handler(name = ...)]`)"
                ),
            );
            // The handler itself is sound: it stays, so that code sending
            // its message does not fail a second time.
        }
    }

    let generated: Vec<Ident> = model
        .handlers
        .iter()
        .filter_map(|h| match &h.kind {
            MessageKind::Generated(g) => Some(g.name.clone()),
            MessageKind::External(_) => None,
        })
        .collect();

    let mut first_of: HashMap<String, Ident> = HashMap::new();
    let actor = &model.name;
    let module = &model.module;
    let handlers = std::mem::take(&mut model.handlers);
    for h in handlers {
        if check_handler(cx, &h, actor, module, &generated, &mut first_of) {
            model.handlers.push(h);
        }
    }
}

/// One handler against the others; `first_of` records the message each
/// accepted handler claims.
fn check_handler(
    cx: &Ctxt,
    h: &HandlerModel,
    actor: &Ident,
    module: &Ident,
    generated: &[Ident],
    first_of: &mut HashMap<String, Ident>,
) -> bool {
    let key = match &h.kind {
        MessageKind::Generated(g) => {
            let name = &g.name;
            if name == actor {
                cx.error_spanned_by(
                    &h.ident,
                    format_args!(
                        "handler `{}` would generate a message struct named `{name}`, the name of the actor itself; rename the method, or name its message with `#[handler(name = {name}Msg)]`",
                        h.method
                    ),
                );
                return false;
            }
            // The fields are declared in the actor's message module, where
            // the actor's own message names take the place of any type of
            // the same name outside it.
            for (_, ty) in h.fields() {
                if let Some(other) = generated.iter().find(|n| mentions(ty, n)) {
                    let advice = if other == name {
                        format!(
                            "name the message with `#[handler(name = Set{other})]`, or rename the method"
                        )
                    } else {
                        "rename one of the two handlers, or name a message with `#[handler(name = ...)]`"
                            .to_string()
                    };
                    cx.error_spanned_by(
                        ty,
                        format_args!(
                            "handler `{}` takes a `{}`, but `{other}` is also the name of a message this actor generates (`{module}::{other}`), which would take its place in the message's fields; {advice}",
                            h.method,
                            type_name(ty),
                        ),
                    );
                    return false;
                }
            }
            format!("generated {name}")
        }
        MessageKind::External(ty) => format!("external {}", type_name(ty)),
    };
    if let Some(first) = first_of.get(&key) {
        let what = match &h.kind {
            MessageKind::Generated(g) => format!("generate the message `{module}::{}`", g.name),
            MessageKind::External(ty) => format!(
                "handle the message `{}`, and an actor handles each message type once",
                type_name(ty)
            ),
        };
        cx.error_spanned_by(
            &h.ident,
            format_args!(
                "handlers `{first}` and `{}` both {what}; rename one method, or name its message with `#[handler(name = OtherName)]`",
                h.method,
            ),
        );
        return false;
    }
    first_of.insert(key, h.method.clone());
    true
}

/// Whether `ty` names the type `name` by its bare name, anywhere inside
/// (`Stats`, `Vec<Stats>`, `&[Stats]`, ...).
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
