//! Which of an actor's type parameters a piece of syntax uses: a generated
//! message is generic over those its fields or reply use, and its `Message`
//! impl keeps those bounds that mention no other parameter.

use std::collections::HashSet;

use syn::visit::{self, Visit};
use syn::{Ident, Type};

/// Which of `params` a type mentions: `K` in `Option<K>`, `<K as Tr>::X`
/// or `K::X`, at any depth. `visit_path` sees the paths of types, of trait
/// bounds and of expressions (an array's length) alike.
pub(crate) fn params_in<T: Visited>(node: &T, params: &[&Ident]) -> HashSet<Ident> {
    struct Find<'a> {
        params: &'a [&'a Ident],
        found: HashSet<Ident>,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if path.leading_colon.is_none()
                && let Some(first) = path.segments.first()
                && let Some(p) = self.params.iter().find(|p| ***p == first.ident)
            {
                self.found.insert((*p).clone());
            }
            visit::visit_path(self, path);
        }
    }
    let mut find = Find {
        params,
        found: HashSet::new(),
    };
    node.visit_with(&mut find);
    find.found
}

/// The syntax nodes [`params_in`] looks into.
pub(crate) trait Visited {
    fn visit_with<'ast>(&'ast self, v: &mut impl Visit<'ast>);
}

impl Visited for Type {
    fn visit_with<'ast>(&'ast self, v: &mut impl Visit<'ast>) {
        v.visit_type(self);
    }
}

impl Visited for syn::TypeParamBound {
    fn visit_with<'ast>(&'ast self, v: &mut impl Visit<'ast>) {
        v.visit_type_param_bound(self);
    }
}

impl Visited for syn::WherePredicate {
    fn visit_with<'ast>(&'ast self, v: &mut impl Visit<'ast>) {
        v.visit_where_predicate(self);
    }
}
