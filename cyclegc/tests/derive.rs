//! Behaviour of `#[derive(Trace)]` against the real library: `IS_LEAF`
//! values, bounds, what `trace` visits, and cycle collection.

use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;

use cyclegc::{gc, AnyCc, Cc, Trace, Weak};

/// `T::IS_LEAF`, read at run time so that a wrong value fails one test
/// instead of the build.
fn is_leaf<T: Trace>() -> bool {
    T::IS_LEAF
}

/// Implements no library trait at all.
struct NotTrace;

// ---- leaf and non-leaf shapes -------------------------------------------

#[derive(Trace)]
struct Point {
    x: i64,
    y: i64,
    label: String,
}

#[derive(Trace)]
struct Unit;

#[derive(Trace)]
struct Pair(u8, String);

#[derive(Trace)]
enum Color {
    Red,
    Green,
}

#[derive(Trace)]
enum Never {}

#[derive(Trace)]
struct Holder {
    inner: Cc<i64>,
}

#[derive(Trace)]
struct WithWeak {
    back: Weak<Holder>,
    names: HashMap<String, Vec<u32>>,
}

#[test]
fn plain_data_is_a_leaf() {
    assert!(is_leaf::<Point>());
    assert!(is_leaf::<Pair>());
    assert!(is_leaf::<WithWeak>());
}

#[test]
fn types_without_fields_are_leaves() {
    assert!(is_leaf::<Unit>());
    assert!(is_leaf::<Color>());
    assert!(is_leaf::<Never>());
    for color in [Color::Red, Color::Green] {
        let color = Cc::new(color);
        assert!(!gc::is_tracked(&color));
        assert_same(&gc::referents(&color), &[]);
    }
    assert_same(&gc::referents(&Cc::new(Unit)), &[]);
}

#[test]
fn a_cc_field_makes_a_tracked_type() {
    assert!(!is_leaf::<Holder>());
    let point = Cc::new(Point {
        x: 1,
        y: 2,
        label: "p".into(),
    });
    assert_eq!((point.x, point.y, point.label.as_str()), (1, 2, "p"));
    assert!(!gc::is_tracked(&point));
    assert!(gc::is_tracked(&Cc::new(Holder { inner: Cc::new(1) })));
}

// ---- recursive types ----------------------------------------------------

#[derive(Trace)]
enum Expr {
    Lit(i64),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
}

#[derive(Trace)]
enum SharedExpr {
    Lit(i64),
    Var(Cc<String>),
    Add(Box<SharedExpr>, Box<SharedExpr>),
}

#[derive(Trace)]
struct Tree {
    value: u8,
    kids: Vec<Tree>,
}

#[derive(Trace)]
struct List {
    value: i32,
    next: Option<Box<Self>>,
}

// A longer path to the type itself is not recognised as the type (it
// might name another type); `tracked` breaks the const cycle it would cause.
#[derive(Trace)]
#[trace(tracked)]
struct Chain {
    next: Option<Box<crate::Chain>>,
}

#[derive(Trace)]
struct Node<T: Trace> {
    value: T,
    next: RefCell<Option<Cc<Node<T>>>>,
}

impl<T: Trace> Node<T> {
    fn new(value: T) -> Cc<Self> {
        Cc::new(Node {
            value,
            next: RefCell::new(None),
        })
    }

    fn link(&self, next: &Cc<Self>) {
        *self.next.borrow_mut() = Some(next.clone());
    }
}

#[test]
fn recursion_through_owning_boxes_stays_a_leaf() {
    assert!(is_leaf::<Expr>());
    assert!(is_leaf::<Tree>());
    assert!(is_leaf::<List>());
}

#[test]
fn tracked_attribute_breaks_a_recursion_the_derive_cannot_see() {
    assert!(!is_leaf::<Chain>());
}

#[test]
fn recursion_with_a_cc_elsewhere_is_not_a_leaf() {
    assert!(!is_leaf::<SharedExpr>());
}

#[test]
fn recursion_through_cc_is_never_a_leaf() {
    assert!(!is_leaf::<Node<i64>>());
    assert!(gc::is_tracked(&Node::new(1_i64)));
}

#[test]
fn recursive_values_are_traced_through() {
    let var = Cc::new(String::from("x"));
    let expr = Cc::new(SharedExpr::Add(
        Box::new(SharedExpr::Lit(1)),
        Box::new(SharedExpr::Add(
            Box::new(SharedExpr::Var(var.clone())),
            Box::new(SharedExpr::Lit(2)),
        )),
    ));
    assert_same(&gc::referents(&expr), &[AnyCc::from(var)]);

    let list = List {
        value: 1,
        next: Some(Box::new(List { value: 2, next: None })),
    };
    assert_eq!(list.next.as_ref().map(|n| n.value + list.value), Some(3));
    let tree = Tree {
        value: 0,
        kids: vec![],
    };
    assert_eq!(tree.value + tree.kids.len() as u8, 0);
    let expr = Expr::Neg(Box::new(Expr::Add(
        Box::new(Expr::Lit(1)),
        Box::new(Expr::Lit(2)),
    )));
    assert!(matches!(expr, Expr::Neg(_)));
    assert!(Chain { next: None }.next.is_none());
}

// ---- generics and bounds ------------------------------------------------

#[derive(Trace)]
struct Wrapper<T>(T);

#[derive(Trace)]
enum Either<L, R> {
    Left(L),
    Right(R),
}

#[derive(Trace)]
struct Tagged<T> {
    id: u32,
    _marker: PhantomData<T>,
}

#[derive(Trace)]
struct SkippedParam<T, U> {
    #[trace(skip)]
    opaque: T,
    traced: U,
}

#[derive(Trace)]
struct Buffer<T, const N: usize> {
    items: [T; N],
}

#[derive(Trace)]
struct Peeked<I: Iterator> {
    item: Option<I::Item>,
}

#[test]
fn generic_wrapper_is_a_leaf_iff_its_parameter_is() {
    assert!(is_leaf::<Wrapper<i64>>());
    assert!(is_leaf::<Wrapper<Vec<String>>>());
    assert!(!is_leaf::<Wrapper<Cc<i64>>>());
    assert!(!is_leaf::<Wrapper<Option<Cc<i64>>>>());
    assert!(is_leaf::<Either<u8, String>>());
    assert!(!is_leaf::<Either<u8, Cc<u8>>>());
    assert!(!gc::is_tracked(&Cc::new(Wrapper(5_i64))));
    let inner = Cc::new(5_i64);
    let wrapper = Cc::new(Wrapper(inner.clone()));
    assert!(gc::is_tracked(&wrapper));
    assert_same(&gc::referents(&wrapper), &[inner.clone().into()]);

    let left: Cc<Either<Cc<i64>, u8>> = Cc::new(Either::Left(inner.clone()));
    let right: Cc<Either<Cc<i64>, u8>> = Cc::new(Either::Right(1));
    assert_same(&gc::referents(&left), &[inner.into()]);
    assert_same(&gc::referents(&right), &[]);
}

#[test]
fn phantom_parameter_needs_no_trace_impl() {
    assert!(is_leaf::<Tagged<NotTrace>>());
    let tagged = Cc::new(Tagged::<NotTrace> {
        id: 7,
        _marker: PhantomData,
    });
    assert_eq!(tagged.id, 7);
    assert!(!gc::is_tracked(&tagged));
}

#[test]
fn skipped_parameter_needs_no_trace_impl() {
    assert!(is_leaf::<SkippedParam<NotTrace, u8>>());
    assert!(!is_leaf::<SkippedParam<NotTrace, Cc<u8>>>());
    let value = Cc::new(Cc::new(1_u8));
    let both = Cc::new(SkippedParam {
        opaque: NotTrace,
        traced: value.clone(),
    });
    assert!(matches!(both.opaque, NotTrace));
    assert_same(&gc::referents(&both), &[AnyCc::from(value)]);
}

#[test]
fn const_generic_parameter_passes_through() {
    assert!(is_leaf::<Buffer<u8, 4>>());
    assert!(!is_leaf::<Buffer<Cc<u8>, 2>>());
    let (a, b) = (Cc::new(1_u8), Cc::new(2_u8));
    let buffer = Cc::new(Buffer {
        items: [a.clone(), b.clone()],
    });
    assert_same(&gc::referents(&buffer), &[a.into(), b.into()]);
}

#[test]
fn associated_type_is_bounded_itself() {
    assert!(is_leaf::<Peeked<std::vec::IntoIter<u8>>>());
    assert!(!is_leaf::<Peeked<std::vec::IntoIter<Cc<u8>>>>());
    let peeked: Peeked<std::vec::IntoIter<u8>> = Peeked { item: Some(3) };
    assert_eq!(peeked.item, Some(3));
}

// ---- what trace visits --------------------------------------------------

#[derive(Trace)]
struct Skipping {
    first: Cc<i64>,
    #[trace(skip)]
    hidden: Cc<i64>,
    second: Vec<Cc<i64>>,
    #[trace(skip)]
    opaque: NotTrace,
}

#[derive(Trace)]
enum Shape {
    Named {
        tracer: Cc<i64>,
        #[trace(skip)]
        hidden: Cc<i64>,
        self_: Cc<i64>,
    },
    Tuple(Cc<i64>, #[trace(skip)] Cc<i64>, Cc<i64>),
    Skipped(#[trace(skip)] Cc<i64>),
    Empty,
}

#[derive(Trace)]
enum Single {
    Only { __field_0: Cc<i64>, tracer: Cc<i64> },
}

/// Asserts that `found` holds handles to exactly `expected`, in order.
fn assert_same(found: &[AnyCc], expected: &[AnyCc]) {
    assert_eq!(found.len(), expected.len(), "referents: {found:?}");
    for (f, e) in found.iter().zip(expected) {
        assert!(AnyCc::ptr_eq(f, e), "expected {e:?}, found {f:?}");
    }
}

fn ints(n: i64) -> Vec<Cc<i64>> {
    (0..n).map(Cc::new).collect()
}

#[test]
fn struct_traces_its_fields_in_order_except_skipped() {
    let c = ints(4);
    let skipping = Cc::new(Skipping {
        first: c[0].clone(),
        hidden: c[1].clone(),
        second: vec![c[2].clone(), c[3].clone()],
        opaque: NotTrace,
    });
    assert_eq!(*skipping.hidden, 1);
    assert!(matches!(skipping.opaque, NotTrace));
    let expected = [&c[0], &c[2], &c[3]].map(|cc| AnyCc::from(cc.clone()));
    assert_same(&gc::referents(&skipping), &expected);
}

#[test]
fn enum_variants_trace_their_fields() {
    let c = ints(3);
    let named = Cc::new(Shape::Named {
        tracer: c[0].clone(),
        hidden: c[1].clone(),
        self_: c[2].clone(),
    });
    let expected = [&c[0], &c[2]].map(|cc| AnyCc::from(cc.clone()));
    assert_same(&gc::referents(&named), &expected);

    let tuple = Cc::new(Shape::Tuple(c[0].clone(), c[1].clone(), c[2].clone()));
    assert_same(&gc::referents(&tuple), &expected);

    let skipped = Cc::new(Shape::Skipped(c[1].clone()));
    assert_same(&gc::referents(&skipped), &[]);
    assert!(matches!(&*skipped, Shape::Skipped(hidden) if **hidden == 1));
    let empty = Cc::new(Shape::Empty);
    assert!(gc::is_tracked(&empty));
    assert_same(&gc::referents(&empty), &[]);

    if let Shape::Named { hidden, .. } | Shape::Tuple(_, hidden, _) = &*named {
        assert_eq!(**hidden, 1);
    }
}

#[test]
fn fields_named_like_generated_bindings_are_traced() {
    let c = ints(2);
    let single = Cc::new(Single::Only {
        __field_0: c[0].clone(),
        tracer: c[1].clone(),
    });
    let expected = [&c[0], &c[1]].map(|cc| AnyCc::from(cc.clone()));
    assert_same(&gc::referents(&single), &expected);
}

// ---- collection ---------------------------------------------------------

#[derive(Trace)]
struct Parent {
    name: String,
    children: RefCell<Vec<Cc<Child>>>,
}

#[derive(Trace)]
enum Child {
    Orphan,
    Of(RefCell<Option<Cc<Parent>>>),
}

#[test]
fn cycle_of_derived_generic_nodes_is_collected() {
    gc::collect();
    let a = Node::new(String::from("a"));
    let b = Node::new(String::from("b"));
    a.link(&b);
    b.link(&a);
    assert_eq!(gc::collect(), 0, "both nodes are still referenced");
    assert_eq!(a.value, "a");
    drop((a, b));
    assert_eq!(gc::collect(), 2);
}

#[test]
fn cycle_across_derived_struct_and_enum_is_collected() {
    gc::collect();
    let parent = Cc::new(Parent {
        name: "p".into(),
        children: RefCell::new(Vec::new()),
    });
    for _ in 0..3 {
        let child = Cc::new(Child::Of(RefCell::new(Some(parent.clone()))));
        parent.children.borrow_mut().push(child);
    }
    parent.children.borrow_mut().push(Cc::new(Child::Orphan));
    assert_eq!(parent.name, "p");
    assert_eq!(gc::referents(&parent).len(), 4);
    drop(parent);
    assert_eq!(gc::collect(), 5);
}

#[test]
fn acyclic_derived_values_need_no_collection() {
    gc::collect();
    let shared = Cc::new(1_i64);
    drop(Cc::new(Holder {
        inner: shared.clone(),
    }));
    assert_eq!(Cc::strong_count(&shared), 1);
    assert_eq!(gc::collect(), 0);
}

// ---- #[trace(tracked)] --------------------------------------------------

#[derive(Trace)]
#[trace(tracked)]
struct Forced {
    x: i64,
}

// Mutually recursive through owning boxes: without `tracked` on one side,
// each type's IS_LEAF would need the other's.
#[derive(Trace)]
#[trace(tracked)]
struct Ping {
    pong: Option<Box<Pong>>,
}

#[derive(Trace)]
struct Pong {
    ping: Option<Box<Ping>>,
}

#[test]
fn tracked_forces_tracking() {
    assert!(!is_leaf::<Forced>());
    let forced = Cc::new(Forced { x: 1 });
    assert_eq!(forced.x, 1);
    assert!(gc::is_tracked(&forced));
    assert_same(&gc::referents(&forced), &[]);
}

#[test]
fn tracked_breaks_mutual_recursion() {
    assert!(!is_leaf::<Ping>());
    assert!(!is_leaf::<Pong>());
    let pong = Pong {
        ping: Some(Box::new(Ping { pong: None })),
    };
    assert!(pong.ping.is_some_and(|ping| ping.pong.is_none()));
}

// ---- fields of the std types added for issue 8 --------------------------

#[derive(Trace)]
struct Widget {
    name: std::borrow::Cow<'static, str>,
    on_event: fn(&Widget) -> usize,
    span: std::ops::Range<usize>,
    parent: std::cell::OnceCell<Cc<Widget>>,
    children: std::sync::Mutex<Vec<Cc<Widget>>>,
}

impl Widget {
    fn new(name: &'static str) -> Cc<Widget> {
        Cc::new(Widget {
            name: name.into(),
            on_event: |w| w.name.len(),
            span: 0..1,
            parent: std::cell::OnceCell::new(),
            children: std::sync::Mutex::new(Vec::new()),
        })
    }
}

#[test]
fn parent_and_child_through_once_cell_and_mutex_are_collected() {
    assert!(!is_leaf::<Widget>());
    gc::collect();
    let root = Widget::new("root");
    let child = Widget::new("child");
    child.parent.set(root.clone()).ok().expect("parent set once");
    root.children.lock().unwrap().push(child.clone());
    assert_eq!((child.on_event)(&child), 5);
    assert_eq!(root.span, 0..1);
    assert_same(&gc::referents(&child), &[AnyCc::from(root.clone())]);
    drop((root, child));
    assert_eq!(gc::collect(), 2);
}

// Regression (issue 9, bug 4): the derive replaced every mention of the
// type in its own fields by `()` whatever the generic arguments, so
// `Poly<u8>` was a leaf although it owns a `Cc` through `Poly<Cc<Cyc>>`
// (polymorphic recursion), and a cycle through it was never freed. Such a
// type now needs `#[trace(tracked)]` (without it the derive refuses it: see
// the `compile_fail` example in the crate docs).
#[derive(Trace)]
#[trace(tracked)]
struct Poly<T> {
    v: T,
    next: Option<Box<Poly<Cc<Cyc>>>>,
}

#[derive(Trace)]
struct Cyc {
    back: RefCell<Option<Cc<Poly<u8>>>>,
}

#[test]
fn polymorphic_recursion_is_tracked_and_its_cycles_collected() {
    assert!(!is_leaf::<Poly<u8>>());
    let cyc = Cc::new(Cyc {
        back: RefCell::new(None),
    });
    let p = Cc::new(Poly {
        v: 1_u8,
        next: Some(Box::new(Poly {
            v: cyc.clone(),
            next: None,
        })),
    });
    *cyc.back.borrow_mut() = Some(p.clone());
    assert!(gc::is_tracked(&p));
    let w = Cc::downgrade(&cyc);
    drop((p, cyc));
    assert_eq!(gc::collect(), 2);
    assert!(w.upgrade().is_none());
}
