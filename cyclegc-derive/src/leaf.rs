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
//!
//! Only the type itself is replaced: `Self`, or its name with exactly the
//! generic parameters it is declared with. A mention with other arguments
//! (`struct Poly<T> { v: T, next: Option<Box<Poly<Cc<Cyc>>>> }`, polymorphic
//! recursion) is another type, which may own a `Cc` when this one's `T`
//! does not; its `IS_LEAF` would need an infinite chain of constants, so the
//! derive refuses it and asks for `#[trace(tracked)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{
    parse_quote, GenericArgument, GenericParam, Generics, Ident, PathArguments, QSelf, Type, TypePath,
};

use crate::model::field_span;

/// The `IS_LEAF` initialiser for a type named `name`, declared with
/// `generics`, whose traced fields have the given types; `tracked` forces
/// `false`. An error if a field mentions the type with other generic
/// arguments than its own (see the module docs).
pub(crate) fn is_leaf_expr<'a>(
    name: &Ident,
    generics: &Generics,
    tracked: bool,
    traced_field_types: impl IntoIterator<Item = &'a Type>,
) -> syn::Result<TokenStream> {
    if tracked {
        return Ok(quote!(false));
    }
    let terms: Vec<TokenStream> = traced_field_types
        .into_iter()
        .map(|ty| field_is_leaf(name, generics, ty))
        .collect::<syn::Result<_>>()?;
    Ok(if terms.is_empty() {
        quote!(true)
    } else {
        quote!(#(#terms)&&*)
    })
}

fn field_is_leaf(name: &Ident, generics: &Generics, ty: &Type) -> syn::Result<TokenStream> {
    let assumed = assume_self_is_leaf(name, generics, ty)?;
    Ok(quote_spanned!(field_span(ty)=> <#assumed as ::cyclegc::Trace>::IS_LEAF))
}

/// Returns `ty` with every mention of the type being derived (`Self`, or
/// `name` with its own generic parameters) replaced by `()`; an error for
/// a mention of `name` with other arguments.
pub(crate) fn assume_self_is_leaf(name: &Ident, generics: &Generics, ty: &Type) -> syn::Result<Type> {
    let mut ty = ty.clone();
    let own: Vec<&Ident> = generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            GenericParam::Const(c) => Some(&c.ident),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let mut visitor = SelfToUnit {
        name,
        own,
        error: None,
    };
    visitor.visit_type_mut(&mut ty);
    match visitor.error {
        Some(e) => Err(e),
        None => Ok(ty),
    }
}

struct SelfToUnit<'n> {
    name: &'n Ident,
    /// The type's own type and const parameters, in order.
    own: Vec<&'n Ident>,
    error: Option<syn::Error>,
}

impl SelfToUnit<'_> {
    /// Whether the arguments of a mention of the type's name are exactly
    /// its own parameters (`Node<T, N>` in `struct Node<T, const N: usize>`).
    fn own_arguments(&self, args: &PathArguments) -> bool {
        let given: Vec<Option<&Ident>> = match args {
            PathArguments::None => Vec::new(),
            PathArguments::AngleBracketed(a) => a
                .args
                .iter()
                .filter(|g| !matches!(g, GenericArgument::Lifetime(_)))
                .map(|g| match g {
                    GenericArgument::Type(Type::Path(p)) if p.qself.is_none() => p.path.get_ident(),
                    GenericArgument::Const(syn::Expr::Path(p)) => p.path.get_ident(),
                    _ => None,
                })
                .collect(),
            PathArguments::Parenthesized(_) => return false,
        };
        given.len() == self.own.len() && given.iter().zip(&self.own).all(|(g, o)| *g == Some(*o))
    }

    fn is_self(&mut self, ty: &TypePath) -> bool {
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
        let segment = &path.segments[0];
        if segment.ident == "Self" {
            return true;
        }
        if segment.ident != *self.name {
            return false;
        }
        if !self.own_arguments(&segment.arguments) && self.error.is_none() {
            self.error = Some(syn::Error::new_spanned(
                ty,
                format!(
                    "`{name}` mentions itself with other generic arguments (`{mention}`): whether it can own \
                     a `Cc` then depends on an endless chain of types, which the derive cannot decide. \
                     Add `#[trace(tracked)]` to `{name}` (it is then always tracked)",
                    name = self.name,
                    mention = quote::ToTokens::to_token_stream(ty).to_string().replace(' ', ""),
                ),
            ));
        }
        true
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
        assumed_with(name, parse_quote!(<T>), ty)
    }

    fn assumed_with(name: &str, generics: Generics, ty: Type) -> String {
        let name = Ident::new(name, proc_macro2::Span::call_site());
        match assume_self_is_leaf(&name, &generics, &ty) {
            Ok(ty) => compact(ty),
            Err(e) => format!("error: {e}"),
        }
    }

    fn compact(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string().replace(' ', "")
    }

    #[test]
    fn box_of_self_type_becomes_box_of_unit() {
        assert_eq!(
            assumed_with("Expr", Generics::default(), parse_quote!(Box<Expr>)),
            "Box<()>"
        );
    }

    #[test]
    fn a_mention_with_other_arguments_is_refused() {
        let got = assumed("Poly", parse_quote!(Option<Box<Poly<Cc<Cyc>>>>));
        assert!(
            got.starts_with("error: `Poly` mentions itself with other generic arguments (`Poly<Cc<Cyc>>`)"),
            "{got}"
        );
        assert!(got.contains("#[trace(tracked)]"), "{got}");
        let got = assumed_with("Pair", parse_quote!(<A, B>), parse_quote!(Box<Pair<B, A>>));
        assert!(
            got.starts_with("error:"),
            "swapped parameters are another type: {got}"
        );
    }

    #[test]
    fn own_parameters_with_lifetimes_and_consts_are_self() {
        assert_eq!(
            assumed_with(
                "Arr",
                parse_quote!(<T, const N: usize>),
                parse_quote!(Vec<Arr<T, N>>)
            ),
            "Vec<()>"
        );
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
            assumed_with(
                "Tree",
                Generics::default(),
                parse_quote!((Vec<Tree>, [Self; 2], &'static Tree))
            ),
            "(Vec<()>,[();2],&'static())"
        );
    }

    #[test]
    fn bare_self_type_becomes_unit() {
        assert_eq!(
            assumed_with("Tree", Generics::default(), parse_quote!(Tree)),
            "()"
        );
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
            assumed("Node", parse_quote!(Vec<<Node<T> as Tr>::Out>)),
            "Vec<<Node<T>asTr>::Out>"
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
        assert_eq!(
            compact(is_leaf_expr(&name, &Generics::default(), true, [&ty]).unwrap()),
            "false"
        );
    }

    #[test]
    fn tracked_accepts_polymorphic_recursion() {
        let name: Ident = parse_quote!(Poly);
        let ty: Type = parse_quote!(Option<Box<Poly<Cc<Cyc>>>>);
        let generics: Generics = parse_quote!(<T>);
        assert_eq!(
            compact(is_leaf_expr(&name, &generics, true, [&ty]).unwrap()),
            "false"
        );
    }

    #[test]
    fn no_fields_is_a_leaf() {
        let name: Ident = parse_quote!(S);
        assert_eq!(
            compact(is_leaf_expr(&name, &Generics::default(), false, []).unwrap()),
            "true"
        );
    }

    #[test]
    fn fields_are_conjoined_with_self_replaced() {
        let name: Ident = parse_quote!(Expr);
        let a: Type = parse_quote!(i64);
        let b: Type = parse_quote!(Box<Expr>);
        assert_eq!(
            compact(is_leaf_expr(&name, &Generics::default(), false, [&a, &b]).unwrap()),
            "<i64as::cyclegc::Trace>::IS_LEAF&&<Box<()>as::cyclegc::Trace>::IS_LEAF"
        );
    }
}
