//! The typed model of a protocol, read from either form, with the checks
//! each form needs.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{
    Attribute, FnArg, Ident, ItemTrait, Pat, ReturnType, Token, TraitItem, Type, Visibility,
};

use crate::ctxt::Ctxt;
use crate::names::{pascal_case, snake_case, type_name};

mod kw {
    syn::custom_keyword!(module);
}

pub(crate) struct ProtocolModel {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) name: Ident,
    pub(crate) messages: Vec<ProtocolMessage>,
    /// For the trait form: the module of the generated messages and
    /// client (`storage` for `Storage`).
    pub(crate) module: Option<Ident>,
}

pub(crate) enum ProtocolMessage {
    /// A message generated from a trait method.
    Generated(Generated),
    /// A message type declared elsewhere (`protocol_of!` form).
    External(Type),
}

pub(crate) struct Generated {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) method: Ident,
    pub(crate) name: Ident,
    pub(crate) fields: Vec<(Ident, Type)>,
    pub(crate) reply: Type,
}

/// `module = name`, the only argument of `#[protocol]`.
struct Args {
    module: Option<Ident>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Ok(Args { module: None });
        }
        input.parse::<kw::module>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "the only argument of `#[protocol]` is `module = name`, the module of the generated messages",
            )
        })?;
        input.parse::<Token![=]>()?;
        let module = input.parse()?;
        if !input.is_empty() {
            return Err(input.error("expected nothing after `module = name`"));
        }
        Ok(Args {
            module: Some(module),
        })
    }
}

/// `pub Storage = Get + Put`, with doc comments first.
struct List {
    docs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    messages: Punctuated<Type, Token![+]>,
    eq: Token![=],
}

impl Parse for List {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let docs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a protocol's name: `protocol_of!(pub Storage = Get + Put)`",
            )
        })?;
        let eq = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `=` and the protocol's messages: `protocol_of!(pub Storage = Get + Put)`",
            )
        })?;
        let messages = Punctuated::parse_terminated_with(input, Type::without_plus)?;
        Ok(List {
            docs,
            vis,
            name,
            messages,
            eq,
        })
    }
}

impl ProtocolModel {
    pub(crate) fn from_list(cx: &Ctxt, input: TokenStream) -> Option<Self> {
        let list: List = match syn::parse2(input) {
            Ok(list) => list,
            Err(err) => {
                cx.syn_error(err);
                return None;
            }
        };
        if list.messages.is_empty() {
            cx.error_spanned_by(
                list.eq,
                "a protocol needs at least one message: `protocol_of!(pub Storage = Get + Put)`",
            );
            return None;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut messages = Vec::new();
        for ty in list.messages {
            let shown = type_name(&ty);
            if seen.contains(&shown) {
                cx.error_spanned_by(
                    &ty,
                    format!("`{shown}` is already a message of this protocol"),
                );
                continue;
            }
            seen.push(shown);
            messages.push(ProtocolMessage::External(ty));
        }
        Some(ProtocolModel {
            docs: list.docs,
            vis: list.vis,
            name: list.name,
            messages,
            module: None,
        })
    }

    pub(crate) fn from_trait(cx: &Ctxt, args: TokenStream, input: TokenStream) -> Option<Self> {
        let args: Args = match syn::parse2(args) {
            Ok(args) => args,
            Err(err) => {
                cx.syn_error(err);
                Args { module: None }
            }
        };
        let item: ItemTrait = match syn::parse2(input) {
            Ok(item) => item,
            Err(err) => {
                cx.syn_error(syn::Error::new(
                    err.span(),
                    "`#[protocol]` goes on a trait whose methods are the protocol's messages, e.g. `#[protocol] trait Storage { fn get(&self, key: String) -> Option<Vec<u8>>; }`",
                ));
                return None;
            }
        };
        let ok = check_trait(cx, &item);
        let mut messages = Vec::new();
        for entry in &item.items {
            match entry {
                TraitItem::Fn(method) => {
                    if let Some(message) = read_method(cx, method) {
                        messages.push(message);
                    }
                }
                other => cx.error_spanned_by(
                    other,
                    "a protocol holds only methods, one per message; move this item out of the trait",
                ),
            }
        }
        if item.items.is_empty() {
            cx.error_spanned_by(
                &item.ident,
                "a protocol needs at least one message: add a method such as `fn get(&self, key: String) -> Option<Vec<u8>>;`",
            );
        }
        let mut names: Vec<String> = Vec::new();
        let mut unique = true;
        for message in &messages {
            if let ProtocolMessage::Generated(g) = message {
                let name = g.name.to_string();
                if names.contains(&name) {
                    cx.error_spanned_by(
                        &g.method,
                        format!("a second method makes the message `{name}`; rename one of them"),
                    );
                    unique = false;
                }
                names.push(name);
            }
        }
        if !ok || !unique || messages.len() != item.items.len() {
            return None;
        }
        let module = args.module.unwrap_or_else(|| snake_case(&item.ident));
        Some(ProtocolModel {
            docs: item
                .attrs
                .into_iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect(),
            vis: item.vis,
            name: item.ident,
            messages,
            module: Some(module),
        })
    }
}

/// What a protocol trait may not have: type parameters, supertraits,
/// `unsafe` or `auto`.
fn check_trait(cx: &Ctxt, item: &ItemTrait) -> bool {
    let mut ok = true;
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &item.generics,
            "a protocol cannot have type parameters or a where clause",
        );
        ok = false;
    }
    if !item.supertraits.is_empty() {
        cx.error_spanned_by(
            &item.supertraits,
            "a protocol cannot have supertraits; list every message in the one trait",
        );
        ok = false;
    }
    if let Some(unsafety) = &item.unsafety {
        cx.error_spanned_by(unsafety, "a protocol cannot be `unsafe`");
        ok = false;
    }
    if let Some(auto) = &item.auto_token {
        cx.error_spanned_by(auto, "a protocol cannot be an `auto` trait");
        ok = false;
    }
    ok
}

/// One method: a message named after it, with its parameters as fields
/// and its return type as the reply.
fn read_method(cx: &Ctxt, method: &syn::TraitItemFn) -> Option<ProtocolMessage> {
    let sig = &method.sig;
    let mut ok = true;
    if let Some(body) = &method.default {
        cx.error_spanned_by(
            body,
            "a protocol's method declares a message and has no body; the actors that handle it give the behaviour",
        );
        ok = false;
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &sig.generics,
            "a protocol's method cannot be generic: its message is one concrete type",
        );
        ok = false;
    }
    let mut fields = Vec::new();
    let mut receiver = false;
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) if r.reference.is_some() => receiver = true,
            FnArg::Receiver(r) => {
                cx.error_spanned_by(r, "a protocol's method takes `&self` or `&mut self`");
                ok = false;
                receiver = true;
            }
            FnArg::Typed(typed) => {
                let Pat::Ident(pat) = &*typed.pat else {
                    cx.error_spanned_by(
                        &typed.pat,
                        "a parameter of a protocol's method needs a plain name: it becomes a field of the message",
                    );
                    ok = false;
                    continue;
                };
                if let Type::Reference(reference) = &*typed.ty {
                    cx.error_spanned_by(
                        reference,
                        "a message cannot borrow: give the parameter an owned type (`String` for `&str`, `Vec<T>` for `&[T]`)",
                    );
                    ok = false;
                }
                fields.push((pat.ident.clone(), (*typed.ty).clone()));
            }
        }
    }
    if !receiver {
        cx.error_spanned_by(
            &sig.ident,
            "a protocol's method takes `&self` or `&mut self` first, as a handler does",
        );
        ok = false;
    }
    let reply = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => {
            if let Type::Reference(reference) = &**ty {
                cx.error_spanned_by(reference, "a reply cannot borrow: return an owned type");
                ok = false;
            }
            (**ty).clone()
        }
    };
    ok.then(|| {
        ProtocolMessage::Generated(Generated {
            docs: method
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect(),
            method: sig.ident.clone(),
            name: pascal_case(&sig.ident),
            fields,
            reply,
        })
    })
}
