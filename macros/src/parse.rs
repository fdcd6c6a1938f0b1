//! Parsing of the marker attributes inside an `#[actor]` block.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Meta};

use crate::ctxt::Ctxt;

/// The marker attributes `#[actor]` reads, and the `#[handler]` arguments.
pub(crate) mod sym {
    pub(crate) const HANDLER: &str = "handler";
    pub(crate) const ON_START: &str = "on_start";
    pub(crate) const ON_STOP: &str = "on_stop";
    pub(crate) const BEFORE_RESTART: &str = "before_restart";
    pub(crate) const AFTER_RESTART: &str = "after_restart";
    pub(crate) const MESSAGE: &str = "message";
    pub(crate) const DEFERRED: &str = "deferred";
    pub(crate) const NAME: &str = "name";
    pub(crate) const DERIVE: &str = "derive";
    pub(crate) const MODULE: &str = "module";
    pub(crate) const REMOTE: &str = "remote";
    pub(crate) const INSPECT: &str = "inspect";
}

/// Which marker an attribute is, if it is one of ours.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Marker {
    Handler,
    OnStart,
    OnStop,
    BeforeRestart,
    AfterRestart,
    /// `#[inspect] fn summary(&self) -> impl Display`.
    Inspect,
}

impl Marker {
    pub(crate) fn of(attr: &Attribute) -> Option<Marker> {
        let path = attr.path();
        let last = path.segments.last()?;
        let ours = path.segments.len() == 1
            || (path.segments.len() == 2 && path.segments[0].ident == "typact");
        if !ours {
            return None;
        }
        if last.ident == sym::HANDLER {
            Some(Marker::Handler)
        } else if last.ident == sym::ON_START {
            Some(Marker::OnStart)
        } else if last.ident == sym::ON_STOP {
            Some(Marker::OnStop)
        } else if last.ident == sym::BEFORE_RESTART {
            Some(Marker::BeforeRestart)
        } else if last.ident == sym::AFTER_RESTART {
            Some(Marker::AfterRestart)
        } else if last.ident == sym::INSPECT {
            Some(Marker::Inspect)
        } else {
            None
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Marker::Handler => sym::HANDLER,
            Marker::OnStart => sym::ON_START,
            Marker::OnStop => sym::ON_STOP,
            Marker::BeforeRestart => sym::BEFORE_RESTART,
            Marker::AfterRestart => sym::AFTER_RESTART,
            Marker::Inspect => sym::INSPECT,
        }
    }

    /// Whether the hook may take the stop reason (and so returns nothing).
    pub(crate) fn takes_reason(self) -> bool {
        matches!(
            self,
            Marker::OnStop | Marker::BeforeRestart | Marker::AfterRestart
        )
    }
}

/// The arguments of `#[handler(...)]`.
#[derive(Default)]
pub(crate) struct HandlerArgs {
    pub(crate) message: Option<Span>,
    pub(crate) deferred: Option<Span>,
    pub(crate) name: Option<Ident>,
    /// `derive(Clone, Debug, ...)`: traits the generated message derives.
    pub(crate) derive: Option<(Span, Vec<syn::Path>)>,
}

impl HandlerArgs {
    pub(crate) fn parse(cx: &Ctxt, attr: &Attribute) -> HandlerArgs {
        let mut args = HandlerArgs::default();
        match &attr.meta {
            Meta::Path(_) => {}
            Meta::NameValue(nv) => cx.error_spanned_by(
                &nv.value,
                "`#[handler]` takes a list of arguments, e.g. `#[handler(name = Reset)]`, not `= value`",
            ),
            Meta::List(list) => {
                let result = list.parse_nested_meta(|meta| {
                    let path = &meta.path;
                    if path.is_ident(sym::MESSAGE) {
                        set_flag(cx, &mut args.message, path.span(), sym::MESSAGE);
                    } else if path.is_ident(sym::DEFERRED) {
                        set_flag(cx, &mut args.deferred, path.span(), sym::DEFERRED);
                    } else if path.is_ident(sym::DERIVE) {
                        let mut traits = Vec::new();
                        meta.parse_nested_meta(|inner| {
                            traits.push(inner.path.clone());
                            Ok(())
                        })
                        .map_err(|e| {
                            syn::Error::new(
                                e.span(),
                                "expected traits to derive, e.g. `#[handler(derive(Clone, Debug))]`",
                            )
                        })?;
                        if args.derive.is_some() {
                            cx.error_spanned_by(path, "duplicate `derive` argument in `#[handler]`");
                        }
                        args.derive = Some((path.span(), traits));
                    } else if path.is_ident(sym::NAME) {
                        let value = meta.value().map_err(|_| {
                            meta.error("expected `name = MessageName`, e.g. `#[handler(name = Reset)]`")
                        })?;
                        let ident: Ident = value.parse().map_err(|e| {
                            syn::Error::new(
                                e.span(),
                                "expected a type name after `name =`, e.g. `#[handler(name = Reset)]` (no quotes)",
                            )
                        })?;
                        if args.name.is_some() {
                            cx.error_spanned_by(path, "duplicate `name` argument in `#[handler]`");
                        }
                        args.name = Some(ident);
                    } else {
                        let shown = quote::quote!(#path).to_string().replace(' ', "");
                        return Err(meta.error(format_args!(
                            "unknown `#[handler]` argument `{shown}`; expected `message`, `deferred`, `name = MessageName` or `derive(Trait, ...)`"
                        )));
                    }
                    Ok(())
                });
                if let Err(err) = result {
                    cx.syn_error(err);
                }
            }
        }
        if let (Some(_), Some((span, _))) = (args.message, &args.derive) {
            cx.syn_error(syn::Error::new(
                *span,
                "`derive(...)` applies to a generated message, but `#[handler(message)]` handles an existing type: derive on that type's declaration instead",
            ));
        }
        if let (Some(_), Some(name)) = (args.message, &args.name) {
            cx.error_spanned_by(
                name,
                "`name = ...` names a generated message, but `#[handler(message)]` handles an existing type; remove one of the two",
            );
        }
        args
    }
}

fn set_flag(cx: &Ctxt, slot: &mut Option<Span>, span: Span, name: &str) {
    if slot.is_some() {
        cx.syn_error(syn::Error::new(
            span,
            format_args!("duplicate `{name}` argument in `#[handler]`"),
        ));
    }
    *slot = Some(span);
}

/// The arguments of `#[actor(...)]`.
#[derive(Default)]
pub(crate) struct ActorArgs {
    /// `module = name`: the module of the generated messages and client,
    /// instead of the actor's name in `snake_case`.
    pub(crate) module: Option<Ident>,
    /// `remote` or `inspect`: the messages travel as bytes (serde, and
    /// `typact::wire::Wire`). Where the first one was written.
    pub(crate) wire: Option<Span>,
}

impl ActorArgs {
    pub(crate) fn parse(cx: &Ctxt, args: proc_macro2::TokenStream) -> ActorArgs {
        let mut out = ActorArgs::default();
        if args.is_empty() {
            return out;
        }
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident(sym::MODULE) {
                let value = meta.value().map_err(|_| {
                    meta.error(
                        "expected `module = name`, e.g. `#[actor(module = counter_messages)]`",
                    )
                })?;
                let ident: Ident = value.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected a module name after `module =`, e.g. `#[actor(module = counter_messages)]` (no quotes)",
                    )
                })?;
                if out.module.is_some() {
                    cx.error_spanned_by(&meta.path, "duplicate `module` argument in `#[actor]`");
                }
                out.module = Some(ident);
                Ok(())
            } else if meta.path.is_ident(sym::REMOTE) || meta.path.is_ident(sym::INSPECT) {
                if out.wire.is_some() {
                    cx.error_spanned_by(
                        &meta.path,
                        "`remote` and `inspect` mean the same (the messages travel as bytes); give one of them once",
                    );
                }
                out.wire = Some(meta.path.span());
                Ok(())
            } else {
                Err(meta.error(
                    "`#[actor]` takes `module = name` (the module of its messages) and `remote` or `inspect` (its messages travel as bytes); mailbox size and name are set when spawning: `MyActor::default().builder().capacity(64).name(\"x\").spawn()`",
                ))
            }
        });
        if let Err(err) = syn::parse::Parser::parse2(parser, args) {
            cx.syn_error(err);
        }
        out
    }
}

/// Checks that a hook marker has no arguments.
pub(crate) fn no_args(cx: &Ctxt, attr: &Attribute, marker: Marker) {
    if !matches!(attr.meta, Meta::Path(_)) {
        cx.error_spanned_by(
            &attr.meta,
            format_args!("`#[{}]` takes no arguments", marker.name()),
        );
    }
}
