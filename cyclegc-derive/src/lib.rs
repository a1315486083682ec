//! `#[derive(Trace)]` for [`cyclegc`](https://docs.rs/cyclegc).
//!
//! Use it through the `cyclegc` crate, which re-exports it as
//! `cyclegc::Trace` next to the trait of the same name; the generated code
//! names `::cyclegc` directly, so that crate must be a dependency.
//!
//! # What is generated
//!
//! For a struct or enum (named, tuple or unit fields, type and const
//! generics), in outline (the runnable examples are in `cyclegc`'s docs):
//!
//! ```text
//! unsafe impl<T> ::cyclegc::Trace for Name<T> where /* original */, T: ::cyclegc::Trace {
//!     const IS_LEAF: bool = <Field1 as ::cyclegc::Trace>::IS_LEAF && /* ... */;
//!     fn trace(&self, tracer: &mut ::cyclegc::Tracer<'_>) {
//!         // `<FieldType as ::cyclegc::Trace>::trace(field, tracer)` for every
//!         // traced field, in declaration order; enums match on `self` first.
//!     }
//! }
//! ```
//!
//! A field whose type is a function pointer (`fn(&Node) -> bool`) is skipped
//! as if marked `#[trace(skip)]`: code owns no data, and a pointer whose
//! arguments borrow is a higher-ranked type that no `Trace` impl can cover.
//! Inside another type (`Vec<fn(&Node)>`) it still needs `#[trace(skip)]`.
//!
//! A type without traced fields (a unit struct, a fieldless enum, or one whose
//! fields are all skipped) is a leaf and its `trace` does nothing. Unions are
//! rejected, since the collector could not know which field is live.
//!
//! # Attributes
//!
//! * `#[trace(skip)]` on a field: the field is not traced, does not take part
//!   in `IS_LEAF`, and its type need not implement `Trace`. Only skip fields
//!   that can never own a `Cc`; a skipped `Cc` is invisible to the collector,
//!   so a cycle through it is never freed.
//! * `#[trace(tracked)]` on the type: `IS_LEAF` is `false` whatever the fields
//!   are. Needed for mutually recursive types (see below).
//! * `#[trace(finalize)]` on the type: the collector calls the type's
//!   `cyclegc::Finalize` impl before breaking a cycle that contains it.
//!
//! The type-level keys combine: `#[trace(tracked, finalize)]`.
//!
//! ```
//! use std::cell::RefCell;
//! use std::sync::mpsc::{channel, Sender};
//! use cyclegc::{gc, Cc, Finalize, Trace};
//!
//! #[derive(Trace)]
//! #[trace(finalize)]
//! struct Session {
//!     name: &'static str,
//!     peer: RefCell<Option<Cc<Session>>>,
//!     #[trace(skip)] // a channel owns no `Cc`, and has no `Trace` impl
//!     wire: Sender<String>,
//! }
//!
//! impl Finalize for Session {
//!     fn finalize(&self) {
//!         // the peer is still intact, even when both die in one cycle
//!         let peer = self.peer.borrow().as_ref().map_or("nobody", |p| p.name);
//!         let _ = self.wire.send(format!("{} says goodbye to {peer}", self.name));
//!     }
//! }
//!
//! let (wire, received) = channel();
//! let a = Cc::new(Session { name: "a", peer: RefCell::new(None), wire: wire.clone() });
//! let b = Cc::new(Session { name: "b", peer: RefCell::new(Some(a.clone())), wire });
//! *a.peer.borrow_mut() = Some(b.clone());
//! drop((a, b));
//! assert_eq!(gc::collect(), 2);
//! let mut said: Vec<String> = received.try_iter().collect();
//! said.sort();
//! assert_eq!(said, ["a says goodbye to b", "b says goodbye to a"]);
//! ```
//!
//! # Bounds
//!
//! Each type parameter `T` that occurs in a traced field's type gets
//! `T: ::cyclegc::Trace`, unless it occurs only inside `PhantomData<...>`;
//! parameters that need no `Trace` get `T: 'static`, which the trait demands
//! anyway. An associated type such as `T::Item` is bounded itself
//! (`T::Item: ::cyclegc::Trace`) instead of `T`. Whole field types are never
//! bounded: a predicate like `Option<Cc<Node<T>>>: Trace` on the impl for
//! `Node<T>` makes rustc's trait solver overflow. Const parameters are
//! passed through unchanged.
//!
//! ```
//! use std::marker::PhantomData;
//! use cyclegc::{Cc, Trace};
//!
//! /// Not `Trace`: usable only as a marker or in a skipped field.
//! struct Meters;
//!
//! #[derive(Trace)]
//! struct Tagged<T, Unit, const N: usize> {
//!     values: [T; N],         // `T: Trace`
//!     unit: PhantomData<Unit>, // `Unit: 'static` only
//! }
//!
//! let t = Tagged::<Cc<f64>, Meters, 2> { values: [Cc::new(1.0), Cc::new(2.5)], unit: PhantomData };
//! assert!(!<Tagged<Cc<f64>, Meters, 2> as Trace>::IS_LEAF);
//! assert!(<Tagged<f64, Meters, 2> as Trace>::IS_LEAF);
//! assert_eq!(*t.values[1], 2.5);
//! ```
//!
//! # Recursive types
//!
//! `IS_LEAF` of a recursive type would depend on itself, which rustc reports
//! as a const-evaluation cycle. So inside each field type, every mention of
//! the type being derived (`Self`, or the type's bare name with any generic
//! arguments) is replaced by `()` when computing
//! `IS_LEAF`. This answers "can a value own a `Cc`?" correctly:
//! `enum Expr { Lit(i64), Add(Box<Expr>, Box<Expr>) }` is a leaf, while
//! `struct Node<T> { v: T, next: Option<Cc<Node<T>>> }` is not, because a
//! `Cc` never is. `trace` itself always visits the real fields.
//!
//! ```
//! use cyclegc::{gc, Cc, Trace};
//!
//! #[derive(Trace)]
//! enum Expr {
//!     Lit(i64),
//!     Add(Box<Expr>, Box<Expr>),
//! }
//!
//! #[derive(Trace)]
//! struct Node<T> {
//!     v: T,
//!     next: Option<Cc<Node<T>>>,
//! }
//!
//! assert!(<Expr as Trace>::IS_LEAF);
//! assert!(!<Node<i32> as Trace>::IS_LEAF);
//! let sum = Cc::new(Expr::Add(Box::new(Expr::Lit(1)), Box::new(Expr::Lit(2))));
//! assert!(!gc::is_tracked(&sum)); // a leaf: never tracked
//! let list = Cc::new(Node { v: 1, next: Some(Cc::new(Node { v: 2, next: None })) });
//! assert!(gc::is_tracked(&list));
//! assert_eq!(list.next.as_ref().unwrap().v, 2);
//! ```
//!
//! Mutually recursive types (`A` holds a `Box<B>`, `B` holds a `Box<A>`)
//! still form a cycle; put `#[trace(tracked)]` on one of them. So does a
//! field that spells the type itself with a longer path (`crate::Node`):
//! such paths are left alone, since `other::Node` may be a different type.
//!
//! ```
//! use cyclegc::{gc, Cc, Trace};
//!
//! #[derive(Trace)]
//! #[trace(tracked)] // breaks the cycle: `IS_LEAF` is `false`, asked of no field
//! struct Folder {
//!     files: Vec<File>,
//! }
//!
//! #[derive(Trace)]
//! struct File {
//!     attachment: Option<Box<Folder>>,
//! }
//!
//! assert!(!<Folder as Trace>::IS_LEAF && !<File as Trace>::IS_LEAF);
//! assert!(gc::is_tracked(&Cc::new(Folder { files: vec![File { attachment: None }] })));
//! ```
//!
//! Without the attribute, rustc reports the cycle when `IS_LEAF` is first
//! needed:
//!
//! ```compile_fail,E0391
//! use cyclegc::{Cc, Trace};
//!
//! #[derive(Trace)]
//! struct Folder {
//!     files: Vec<File>,
//! }
//!
//! #[derive(Trace)]
//! struct File {
//!     attachment: Option<Box<Folder>>,
//! }
//!
//! let _ = Cc::new(File { attachment: None }); // error: cycle detected when evaluating `IS_LEAF`
//! ```
//!
//! # Errors
//!
//! A traced field whose type has no `Trace` impl is reported once, on the
//! field's type, with the ways out. The usual case is a closure:
//!
//! ```compile_fail,E0277
//! use cyclegc::Trace;
//!
//! #[derive(Trace)]
//! struct Button {
//!     label: String,
//!     on_click: Box<dyn Fn()>, // `dyn Fn()` does not implement `Trace`
//! }
//! ```
//!
//! Give the closure its captures as a `Trace` value (`cyclegc::Closure`),
//! or let it capture only `Weak` handles and skip it. A skipped field must
//! not own a `Cc`: the collector cannot see it, so a cycle through it would
//! never be freed.
//!
//! ```
//! use std::cell::Cell;
//! use cyclegc::{Cc, Trace};
//!
//! #[derive(Trace)]
//! struct Counter {
//!     clicks: Cell<u32>,
//! }
//!
//! #[derive(Trace)]
//! struct Button {
//!     label: String,
//!     #[trace(skip)]
//!     on_click: Box<dyn Fn()>,
//! }
//!
//! let counter = Cc::new(Counter { clicks: Cell::new(0) });
//! let weak = Cc::downgrade(&counter);
//! let button = Button {
//!     label: "+1".into(),
//!     on_click: Box::new(move || {
//!         if let Some(counter) = weak.upgrade() {
//!             counter.clicks.set(counter.clicks.get() + 1);
//!         }
//!     }),
//! };
//! (button.on_click)();
//! assert_eq!(counter.clicks.get(), 1);
//! ```
//!
//! Lifetime parameters are rejected: Trace types must be `'static`, because
//! the collector may keep a value alive arbitrarily long (in a cycle, until
//! a collection finds it), past the end of any borrow.
//!
//! ```compile_fail
//! use cyclegc::Trace;
//!
//! #[derive(Trace)]
//! struct View<'a> { // Trace types must be 'static, but `View` borrows for `'a`
//!     name: &'a str,
//! }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attrs;
mod bounds;
mod expand;
mod leaf;
mod model;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `cyclegc::Trace`; see the [crate documentation](crate) for the
/// generated impl, the `#[trace(...)]` attributes, and the bound and
/// recursion rules.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Trace};
///
/// #[derive(Trace)]
/// enum Shape {
///     Circle { r: f64 },
///     Group(RefCell<Vec<Cc<Shape>>>),
/// }
///
/// let group = Cc::new(Shape::Group(RefCell::new(vec![Cc::new(Shape::Circle { r: 1.0 })])));
/// if let Shape::Group(members) = &*group {
///     members.borrow_mut().push(group.clone()); // a group inside itself
/// }
/// assert_eq!(gc::referents(&group).len(), 2); // the circle, and itself
/// drop(group);
/// assert_eq!(gc::collect(), 2); // the group, and the circle only it held
/// ```
#[proc_macro_derive(Trace, attributes(trace))]
pub fn derive_trace(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_or_report(&input).into()
}

/// The expansion, or `compile_error!`s carrying every error found.
fn expand_or_report(input: &DeriveInput) -> proc_macro2::TokenStream {
    expand::derive(input).unwrap_or_else(syn::Error::into_compile_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use syn::{parse_quote, ImplItem, ImplItemConst, ImplItemFn, ItemImpl};

    /// The items of the expansion: the `Trace` impl, then the
    /// `FinalizeHook` impl under `#[trace(finalize)]`.
    fn expand_items(input: DeriveInput) -> Vec<ItemImpl> {
        let tokens = expand::derive(&input).expect("expansion failed");
        let file: syn::File = syn::parse2(tokens).expect("expansion is not valid items");
        file.items
            .into_iter()
            .map(|item| match item {
                syn::Item::Impl(i) => i,
                other => panic!("expansion has a non-impl item: {}", other.to_token_stream()),
            })
            .collect()
    }

    fn expand_impl(input: DeriveInput) -> ItemImpl {
        expand_items(input).remove(0)
    }

    fn compact(tokens: impl ToTokens) -> String {
        tokens.to_token_stream().to_string().replace(' ', "")
    }

    fn constant<'a>(item: &'a ItemImpl, name: &str) -> Option<&'a ImplItemConst> {
        item.items.iter().find_map(|i| match i {
            ImplItem::Const(c) if c.ident == name => Some(c),
            _ => None,
        })
    }

    fn method<'a>(item: &'a ItemImpl, name: &str) -> Option<&'a ImplItemFn> {
        item.items.iter().find_map(|i| match i {
            ImplItem::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
    }

    fn is_leaf(item: &ItemImpl) -> String {
        compact(&constant(item, "IS_LEAF").expect("IS_LEAF missing").expr)
    }

    fn trace_body(item: &ItemImpl) -> String {
        compact(&method(item, "trace").expect("trace missing").block)
    }

    fn trace_attrs(item: &ItemImpl) -> String {
        let attrs = &method(item, "trace").expect("trace missing").attrs;
        attrs.iter().map(compact).collect()
    }

    fn where_clause(item: &ItemImpl) -> String {
        compact(&item.generics.where_clause)
    }

    #[test]
    fn named_struct_traces_fields_in_order_except_skipped() {
        let item = expand_impl(parse_quote!(
            struct S {
                a: Cc<u8>,
                #[trace(skip)]
                b: std::fs::File,
                c: Vec<Cc<u8>>,
            }
        ));
        assert_eq!(
            trace_body(&item),
            "{<Cc<u8>as::cyclegc::Trace>::trace(&self.a,tracer);\
             <Vec<Cc<u8>>as::cyclegc::Trace>::trace(&self.c,tracer);}"
        );
        assert_eq!(
            is_leaf(&item),
            "<Cc<u8>as::cyclegc::Trace>::IS_LEAF&&<Vec<Cc<u8>>as::cyclegc::Trace>::IS_LEAF"
        );
        assert_eq!(compact(&item.self_ty), "S");
        assert!(item.unsafety.is_some());
        assert_eq!(compact(&item.trait_.as_ref().unwrap().1), "::cyclegc::Trace");
    }

    #[test]
    fn tuple_struct_traces_by_index() {
        let item = expand_impl(parse_quote!(
            struct P(#[trace(skip)] u8, Cc<u8>);
        ));
        assert_eq!(
            trace_body(&item),
            "{<Cc<u8>as::cyclegc::Trace>::trace(&self.1,tracer);}"
        );
    }

    #[test]
    fn unit_struct_is_an_empty_leaf() {
        let item = expand_impl(parse_quote!(
            struct U;
        ));
        assert_eq!(is_leaf(&item), "true");
        assert_eq!(trace_body(&item), "{}");
        assert!(trace_attrs(&item).contains("unused_variables"));
        assert_eq!(where_clause(&item), "");
    }

    #[test]
    fn fieldless_enum_is_an_empty_leaf() {
        let item = expand_impl(parse_quote!(
            enum E {
                A,
                B,
            }
        ));
        assert_eq!(is_leaf(&item), "true");
        assert_eq!(trace_body(&item), "{}");
    }

    #[test]
    fn all_skipped_fields_make_a_leaf() {
        let item = expand_impl(parse_quote!(
            struct S {
                #[trace(skip)]
                a: NotTrace,
            }
        ));
        assert_eq!(is_leaf(&item), "true");
        assert_eq!(trace_body(&item), "{}");
    }

    #[test]
    fn enum_binds_fields_to_fresh_names() {
        let item = expand_impl(parse_quote!(
            enum E {
                Named {
                    tracer: Cc<u8>,
                    #[trace(skip)]
                    other: u8,
                    self_: Cc<u8>,
                },
                Tuple(Cc<u8>, #[trace(skip)] u8),
                Unit,
                Skipped(#[trace(skip)] u8),
            }
        ));
        assert_eq!(
            trace_body(&item),
            "{matchself{\
             Self::Named{tracer:__field_0,self_:__field_2,..}=>{\
             <Cc<u8>as::cyclegc::Trace>::trace(__field_0,tracer);\
             <Cc<u8>as::cyclegc::Trace>::trace(__field_2,tracer);}\
             Self::Tuple(__field_0,_)=>{<Cc<u8>as::cyclegc::Trace>::trace(__field_0,tracer);}\
             Self::Unit{..}=>{}\
             Self::Skipped{..}=>{}\
             }}"
        );
        assert_eq!(trace_attrs(&item), "#[inline]");
    }

    #[test]
    fn fully_bound_named_variant_has_no_rest_pattern() {
        let item = expand_impl(parse_quote!(
            enum E {
                A { x: Cc<u8> },
                B,
            }
        ));
        assert!(trace_body(&item).contains("Self::A{x:__field_0,}=>"));
    }

    #[test]
    fn single_variant_enum_allows_single_arm_match() {
        let item = expand_impl(parse_quote!(
            enum E {
                Only(Cc<u8>),
            }
        ));
        assert!(trace_attrs(&item).contains("clippy::match_single_binding"));
    }

    #[test]
    fn recursive_enum_replaces_itself_in_is_leaf_only() {
        let item = expand_impl(parse_quote!(
            enum Expr {
                Lit(i64),
                Add(Box<Expr>, Box<Expr>),
            }
        ));
        assert_eq!(
            is_leaf(&item),
            "<i64as::cyclegc::Trace>::IS_LEAF\
             &&<Box<()>as::cyclegc::Trace>::IS_LEAF\
             &&<Box<()>as::cyclegc::Trace>::IS_LEAF"
        );
        assert!(trace_body(&item).contains("Self::Add(__field_0,__field_1)"));
    }

    #[test]
    fn generic_recursive_struct_bounds_only_its_param() {
        let item = expand_impl(parse_quote!(
            struct Node<T>
            where
                T: Clone,
            {
                v: T,
                next: Option<Cc<Node<T>>>,
            }
        ));
        assert_eq!(where_clause(&item), "whereT:Clone,T:::cyclegc::Trace");
        assert_eq!(
            is_leaf(&item),
            "<Tas::cyclegc::Trace>::IS_LEAF&&<Option<Cc<()>>as::cyclegc::Trace>::IS_LEAF"
        );
        assert_eq!(compact(&item.self_ty), "Node<T>");
    }

    #[test]
    fn phantom_param_is_not_bounded_by_trace() {
        let item = expand_impl(parse_quote!(
            struct Id<T> {
                raw: u32,
                _marker: PhantomData<T>,
            }
        ));
        assert_eq!(where_clause(&item), "whereT:'static");
    }

    #[test]
    fn skipped_field_adds_no_bound() {
        let item = expand_impl(parse_quote!(
            struct S<T, U> {
                #[trace(skip)]
                t: T,
                u: U,
            }
        ));
        assert_eq!(where_clause(&item), "whereT:'static,U:::cyclegc::Trace");
        assert_eq!(is_leaf(&item), "<Uas::cyclegc::Trace>::IS_LEAF");
    }

    #[test]
    fn const_generics_pass_through() {
        let item = expand_impl(parse_quote!(
            struct S<T, const N: usize> {
                items: [T; N],
            }
        ));
        assert_eq!(compact(&item.generics.params), "T,constN:usize");
        assert_eq!(compact(&item.self_ty), "S<T,N>");
        assert_eq!(where_clause(&item), "whereT:::cyclegc::Trace");
    }

    #[test]
    fn lifetime_parameters_are_rejected_one_error_each() {
        let tokens = expand_or_report(&parse_quote!(
            struct S<'a, 'b, T> {
                a: &'a T,
                b: &'b T,
            }
        ));
        let text = tokens.to_string();
        assert_eq!(text.matches("Trace types must be 'static").count(), 2, "{text}");
        assert!(text.contains("borrows for `'a`"), "{text}");
        assert!(text.contains("borrows for `'b`"), "{text}");
        assert!(!text.contains("unsafe impl"), "{text}");
    }

    #[test]
    fn tracked_forces_not_leaf() {
        let item = expand_impl(parse_quote!(
            #[trace(tracked)]
            struct S {
                a: u8,
            }
        ));
        assert_eq!(is_leaf(&item), "false");
        assert!(constant(&item, "__FINALIZE").is_none());
        assert!(method(&item, "__finalize").is_none());
    }

    #[test]
    fn finalize_routes_to_finalize_trait() {
        let item = expand_impl(parse_quote!(
            #[trace(tracked, finalize)]
            struct S;
        ));
        assert_eq!(is_leaf(&item), "false");
        let flag = constant(&item, "__FINALIZE").expect("__FINALIZE missing");
        assert_eq!(compact(&flag.expr), "true");
        let finalize = method(&item, "__finalize").expect("__finalize missing");
        assert_eq!(
            compact(&finalize.block),
            "{<Selfas::cyclegc::Finalize>::finalize(self)}"
        );
        let with_handle = method(&item, "__finalize_cc").expect("__finalize_cc missing");
        assert_eq!(
            compact(&with_handle.block),
            "{<Selfas::cyclegc::Finalize>::finalize_cc(this)}"
        );
    }

    #[test]
    fn finalize_implements_the_hook_and_only_then() {
        let items = expand_items(parse_quote!(
            #[trace(finalize)]
            struct S<T> {
                t: T,
            }
        ));
        assert_eq!(items.len(), 2);
        assert_eq!(
            compact(&items[1].trait_.as_ref().unwrap().1),
            "::cyclegc::FinalizeHook"
        );
        assert_eq!(compact(&items[1].self_ty), "S<T>");
        let plain = expand_items(parse_quote!(
            struct S;
        ));
        assert_eq!(plain.len(), 1);
    }

    #[test]
    fn errors_become_compile_errors() {
        let tokens = expand_or_report(&parse_quote!(
            #[trace(skip)]
            struct S {
                #[trace(tracked)]
                a: u8,
            }
        ));
        let text = tokens.to_string();
        assert_eq!(text.matches("compile_error").count(), 2, "{text}");
        assert!(!text.contains("unsafe impl"), "{text}");
    }

    #[test]
    fn union_becomes_a_compile_error() {
        let tokens = expand_or_report(&parse_quote!(
            union U {
                a: u8,
            }
        ));
        assert!(tokens.to_string().contains("does not support unions"));
    }
}
