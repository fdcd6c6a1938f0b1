//! The names `#[actor]` derives: a message's from its method, the module's
//! from its actor, and a type as the user wrote it, for error messages.

use syn::{Ident, Type};

/// `snake_case` to `PascalCase`: `get_count` gives `GetCount`.
pub(crate) fn pascal_case(ident: &Ident) -> Ident {
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

/// `PascalCase` to `snake_case`, for the module of an actor's messages:
/// `Counter` gives `counter`, `BankAccount` gives `bank_account`,
/// `HTTPServer` gives `http_server`.
pub(crate) fn snake_case(ident: &Ident) -> Ident {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of a run starts a word: `HTTPServer`.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    let keyword = syn::parse_str::<Ident>(&out).is_err();
    if keyword {
        out.push_str("_messages");
    }
    Ident::new(&out, ident.span())
}

/// A type as the user would write it: `Box<dyn Error + Send>`, not the
/// token stream's `Box < dyn Error + Send >`.
pub(crate) fn type_name(ty: &Type) -> String {
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
