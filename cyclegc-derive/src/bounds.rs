//! Choosing the where-clause of the generated impl.
//!
//! The impl bounds type *parameters*, never whole field types: a predicate
//! such as `Option<Cc<Node<T>>>: Trace` on `impl Trace for Node<T>` sends
//! rustc's trait solver around the type's own recursion until it overflows.
//! A parameter is bounded by `Trace` only when a traced field really needs it:
//! parameters that appear only inside `PhantomData<...>` or only in skipped
//! fields get a bare `'static` instead (which `Trace: 'static` demands anyway),
//! so marker parameters need not implement `Trace` (rust-gc#67, dumpster#18).

use std::collections::HashSet;

use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{parse_quote, Generics, Ident, Path, Type, TypePath, WherePredicate};

/// What the traced field types require of the generic parameters.
#[derive(Default)]
pub(crate) struct Requirements {
    /// Type parameters used directly (outside `PhantomData`) by a traced field.
    traced_params: HashSet<Ident>,
    /// Associated-type projections such as `T::Item` or `<T as Tr>::Out`,
    /// which must themselves be `Trace`; bounding `T` instead would be both
    /// insufficient and needlessly strict.
    projections: Vec<TypePath>,
}

/// Collects what the given traced field types need of `generics`.
pub(crate) fn requirements<'a>(
    generics: &Generics,
    traced_field_types: impl IntoIterator<Item = &'a Type>,
) -> Requirements {
    let params: HashSet<Ident> = generics.type_params().map(|p| p.ident.clone()).collect();
    let mut collector = Collector {
        params: &params,
        found: Requirements::default(),
    };
    for ty in traced_field_types {
        collector.visit_type(ty);
    }
    collector.found
}

/// Builds the predicates to append to the impl's where-clause, in the order
/// the parameters are declared so the output is deterministic.
pub(crate) fn predicates(generics: &Generics, needs: &Requirements) -> Vec<WherePredicate> {
    let params = generics.type_params().map(|param| {
        let ident = &param.ident;
        if needs.traced_params.contains(ident) {
            parse_quote!(#ident: ::cyclegc::Trace)
        } else {
            parse_quote!(#ident: 'static)
        }
    });
    let projections = needs
        .projections
        .iter()
        .map(|projection| parse_quote!(#projection: ::cyclegc::Trace));
    params.chain(projections).collect()
}

struct Collector<'p> {
    params: &'p HashSet<Ident>,
    found: Requirements,
}

impl Collector<'_> {
    fn is_param(&self, ident: &Ident) -> bool {
        self.params.contains(ident)
    }

    /// `T` on its own, as opposed to `T::Item`.
    fn bare_param<'t>(&self, ty: &'t TypePath) -> Option<&'t Ident> {
        let ident = ty.path.get_ident()?;
        (ty.qself.is_none() && self.is_param(ident)).then_some(ident)
    }

    /// `T::Item`, or `<X as Tr>::Out` where `X` mentions a parameter.
    fn is_projection(&self, ty: &TypePath) -> bool {
        match &ty.qself {
            Some(qself) => mentions_param(&qself.ty, self.params),
            None => {
                ty.path.leading_colon.is_none()
                    && ty.path.segments.len() > 1
                    && self.is_param(&ty.path.segments[0].ident)
            }
        }
    }

    fn add_projection(&mut self, ty: &TypePath) {
        // syn's `PartialEq` needs its `extra-traits` feature; comparing the
        // printed tokens is enough to avoid repeating a predicate.
        let text = ty.to_token_stream().to_string();
        let seen = |known: &TypePath| known.to_token_stream().to_string() == text;
        if !self.found.projections.iter().any(seen) {
            self.found.projections.push(ty.clone());
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_type_path(&mut self, ty: &'ast TypePath) {
        if ty.qself.is_none() && is_phantom_data(&ty.path) {
            return;
        }
        if let Some(ident) = self.bare_param(ty) {
            self.found.traced_params.insert(ident.clone());
        } else if self.is_projection(ty) {
            self.add_projection(ty);
        } else if ty.qself.is_none() {
            // A concrete projection like `<u8 as Tr>::Out` needs no bound,
            // so only plain paths are searched for parameters in their
            // generic arguments.
            visit::visit_type_path(self, ty);
        }
    }
}

/// `PhantomData<T>` is `Trace` for every `T`, so it never needs `T: Trace`.
fn is_phantom_data(path: &Path) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == "PhantomData")
}

fn mentions_param(ty: &Type, params: &HashSet<Ident>) -> bool {
    struct Mentions<'p> {
        params: &'p HashSet<Ident>,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Mentions<'_> {
        fn visit_path(&mut self, path: &'ast Path) {
            let first = path.segments.first().map(|segment| &segment.ident);
            if path.leading_colon.is_none() && first.is_some_and(|i| self.params.contains(i)) {
                self.found = true;
            }
            visit::visit_path(self, path);
        }
    }
    let mut mentions = Mentions { params, found: false };
    mentions.visit_type(ty);
    mentions.found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs bound selection on every field of `item` and renders the
    /// predicates as compact strings.
    fn predicates_for(item: syn::ItemStruct) -> Vec<String> {
        let types: Vec<&Type> = item.fields.iter().map(|field| &field.ty).collect();
        let needs = requirements(&item.generics, types);
        predicates(&item.generics, &needs)
            .iter()
            .map(|p| p.to_token_stream().to_string().replace(' ', ""))
            .collect()
    }

    #[test]
    fn directly_used_param_is_bounded_by_trace() {
        let found = predicates_for(parse_quote!(
            struct S<T> {
                v: T,
            }
        ));
        assert_eq!(found, ["T:::cyclegc::Trace"]);
    }

    #[test]
    fn param_nested_in_containers_is_bounded_by_trace() {
        let found = predicates_for(parse_quote!(
            struct S<K, V> {
                map: HashMap<K, Vec<Option<V>>>,
            }
        ));
        assert_eq!(found, ["K:::cyclegc::Trace", "V:::cyclegc::Trace"]);
    }

    #[test]
    fn phantom_only_param_gets_static_not_trace() {
        let found = predicates_for(parse_quote!(
            struct S<T> {
                id: u32,
                _marker: core::marker::PhantomData<fn() -> T>,
            }
        ));
        assert_eq!(found, ["T:'static"]);
    }

    #[test]
    fn param_in_phantom_and_elsewhere_is_bounded_by_trace() {
        let found = predicates_for(parse_quote!(
            struct S<T> {
                _marker: PhantomData<T>,
                v: Box<T>,
            }
        ));
        assert_eq!(found, ["T:::cyclegc::Trace"]);
    }

    #[test]
    fn unused_param_gets_static() {
        let found = predicates_for(parse_quote!(
            struct S<T, U> {
                v: U,
            }
        ));
        assert_eq!(found, ["T:'static", "U:::cyclegc::Trace"]);
    }

    #[test]
    fn recursive_type_does_not_bound_its_own_type() {
        let found = predicates_for(parse_quote!(
            struct Node<T> {
                v: T,
                next: Option<Cc<Node<T>>>,
            }
        ));
        assert_eq!(found, ["T:::cyclegc::Trace"]);
    }

    #[test]
    fn associated_type_is_bounded_instead_of_its_param() {
        let found = predicates_for(parse_quote!(
            struct S<I: Iterator> {
                item: Option<I::Item>,
            }
        ));
        assert_eq!(found, ["I:'static", "I::Item:::cyclegc::Trace"]);
    }

    #[test]
    fn qualified_projection_on_a_param_is_bounded_once() {
        let found = predicates_for(parse_quote!(
            struct S<T: Tr> {
                a: <T as Tr>::Out,
                b: Vec<<T as Tr>::Out>,
            }
        ));
        assert_eq!(found, ["T:'static", "<TasTr>::Out:::cyclegc::Trace"]);
    }

    #[test]
    fn concrete_projection_needs_no_bound() {
        let found = predicates_for(parse_quote!(
            struct S<T> {
                a: <u8 as Tr<T>>::Out,
            }
        ));
        assert_eq!(found, ["T:'static"]);
    }

    #[test]
    fn lifetimes_and_consts_get_no_predicates() {
        let found = predicates_for(parse_quote!(
            struct S<'a, T, const N: usize> {
                a: [T; N],
                r: &'a u8,
            }
        ));
        assert_eq!(found, ["T:::cyclegc::Trace"]);
    }

    #[test]
    fn absolute_path_with_param_name_is_not_the_param() {
        let found = predicates_for(parse_quote!(
            struct S<T> {
                a: ::T,
            }
        ));
        assert_eq!(found, ["T:'static"]);
    }

    #[test]
    fn non_generic_type_gets_no_predicates() {
        let found = predicates_for(parse_quote!(
            struct S {
                a: Vec<String>,
            }
        ));
        assert!(found.is_empty());
    }
}
