//! Building the `IS_LEAF` constant.
//!
//! `IS_LEAF` of a type is the conjunction of its traced fields' `IS_LEAF`s.
//! Written naively, a recursive type asks for its own constant while
//! computing it (`Expr::IS_LEAF` needs `Box<Expr>::IS_LEAF` needs
//! `Expr::IS_LEAF`), which rustc rejects as a const-evaluation cycle.
//!
//! The question being asked is "can a value own a `Cc`?", whose answer for a
//! recursive type is the greatest fixed point: assume the type is a leaf and
//! see whether anything else contradicts it. Replacing every mention of the
//! type inside its own field types with `()`, a leaf, computes exactly that
//! assumption. `Box<Expr>` becomes `Box<()>`, a leaf; `Option<Cc<Node<T>>>`
//! becomes `Option<Cc<()>>`, still not a leaf because a `Cc` never is.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Ident, QSelf, Type, TypePath};

use crate::model::field_span;

/// The `IS_LEAF` initialiser for a type named `name` whose traced fields have
/// the given types; `tracked` forces `false`.
pub(crate) fn is_leaf_expr<'a>(
    name: &Ident,
    tracked: bool,
    traced_field_types: impl IntoIterator<Item = &'a Type>,
) -> TokenStream {
    if tracked {
        return quote!(false);
    }
    let terms: Vec<TokenStream> = traced_field_types
        .into_iter()
        .map(|ty| field_is_leaf(name, ty))
        .collect();
    if terms.is_empty() {
        quote!(true)
    } else {
        quote!(#(#terms)&&*)
    }
}

fn field_is_leaf(name: &Ident, ty: &Type) -> TokenStream {
    let assumed = assume_self_is_leaf(name, ty);
    quote_spanned!(field_span(ty)=> <#assumed as ::cyclegc::Trace>::IS_LEAF)
}

/// Returns `ty` with every mention of the type being derived (`Self`, or a
/// path ending in `name` with any generic arguments) replaced by `()`.
pub(crate) fn assume_self_is_leaf(name: &Ident, ty: &Type) -> Type {
    let mut ty = ty.clone();
    SelfToUnit { name }.visit_type_mut(&mut ty);
    ty
}

struct SelfToUnit<'n> {
    name: &'n Ident,
}

impl SelfToUnit<'_> {
    fn is_self(&self, ty: &TypePath) -> bool {
        if ty.qself.is_some() {
            return false;
        }
        // Only `Self` and the bare name (with any generic arguments) are
        // taken for the type itself. A longer path such as `other::Node`
        // may name a different type that owns a `Cc`; assuming it a leaf
        // would untrack a type that can form cycles, while not replacing it
        // can at worst give a const-cycle error that `#[trace(tracked)]` fixes.
        let path = &ty.path;
        if path.leading_colon.is_some() || path.segments.len() != 1 {
            return false;
        }
        let ident = &path.segments[0].ident;
        ident == "Self" || ident == self.name
    }
}

impl VisitMut for SelfToUnit<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        match ty {
            Type::Path(path) if self.is_self(path) => *ty = parse_quote!(()),
            _ => visit_mut::visit_type_mut(self, ty),
        }
    }

    // `<Self as Tr>::Out` names some other type that merely depends on this
    // one; rewriting it to `<() as Tr>::Out` would change its meaning (or
    // fail to compile), so the qualified self type is left alone.
    fn visit_qself_mut(&mut self, _qself: &mut QSelf) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn assumed(name: &str, ty: Type) -> String {
        let name = Ident::new(name, proc_macro2::Span::call_site());
        compact(assume_self_is_leaf(&name, &ty))
    }

    fn compact(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn box_of_self_type_becomes_box_of_unit() {
        assert_eq!(assumed("Expr", parse_quote!(Box<Expr>)), "Box<()>");
    }

    #[test]
    fn self_keyword_becomes_unit() {
        assert_eq!(assumed("L", parse_quote!(Option<Box<Self>>)), "Option<Box<()>>");
    }

    #[test]
    fn generic_self_type_becomes_unit() {
        assert_eq!(
            assumed("Node", parse_quote!(Option<Cc<Node<T>>>)),
            "Option<Cc<()>>"
        );
    }

    #[test]
    fn qualified_path_is_left_alone() {
        assert_eq!(
            assumed("Node", parse_quote!(Vec<other::Node<T, 3>>)),
            "Vec<other::Node<T,3>>"
        );
    }

    #[test]
    fn every_occurrence_is_replaced() {
        assert_eq!(
            assumed("Tree", parse_quote!((Vec<Tree>, [Self; 2], &'static Tree))),
            "(Vec<()>,[();2],&'static())"
        );
    }

    #[test]
    fn bare_self_type_becomes_unit() {
        assert_eq!(assumed("Tree", parse_quote!(Tree)), "()");
    }

    #[test]
    fn other_types_are_untouched() {
        assert_eq!(
            assumed("Node", parse_quote!(HashMap<String, Vec<NodeId>>)),
            "HashMap<String,Vec<NodeId>>"
        );
    }

    #[test]
    fn type_params_are_untouched() {
        assert_eq!(assumed("Node", parse_quote!(Vec<T>)), "Vec<T>");
    }

    #[test]
    fn self_in_qualified_projection_is_untouched() {
        assert_eq!(
            assumed("Node", parse_quote!(Vec<<Node as Tr>::Out>)),
            "Vec<<NodeasTr>::Out>"
        );
    }

    #[test]
    fn self_rooted_path_is_not_self() {
        assert_eq!(assumed("Node", parse_quote!(Self::Out)), "Self::Out");
    }

    #[test]
    fn tracked_forces_false() {
        let name: Ident = parse_quote!(S);
        let ty: Type = parse_quote!(u8);
        assert_eq!(compact(is_leaf_expr(&name, true, [&ty])), "false");
    }

    #[test]
    fn no_fields_is_a_leaf() {
        let name: Ident = parse_quote!(S);
        assert_eq!(compact(is_leaf_expr(&name, false, [])), "true");
    }

    #[test]
    fn fields_are_conjoined_with_self_replaced() {
        let name: Ident = parse_quote!(Expr);
        let a: Type = parse_quote!(i64);
        let b: Type = parse_quote!(Box<Expr>);
        assert_eq!(
            compact(is_leaf_expr(&name, false, [&a, &b])),
            "<i64as::cyclegc::Trace>::IS_LEAF&&<Box<()>as::cyclegc::Trace>::IS_LEAF"
        );
    }
}
