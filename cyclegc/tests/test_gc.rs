//! Ports of CPython's `Lib/test/test_gc.py` (the parts about collecting
//! cycles, counts, generations, tracking and referents).
//!
//! How Python maps to Rust here:
//! - a list is a `Cc<List>` = `Cc<RefCell<Vec<AnyCc>>>` (it may hold any object);
//! - a dict is a `Cc<RefCell<HashMap<..>>>`; a tuple is a `Cc<(..,)>`;
//! - a class object is a [`Class`] (its namespace is a `RefCell<HashMap>`); a
//!   new-style class is cyclic through its own `mro`, as in CPython, a classic
//!   (Python 2 "old-style") class is not;
//! - an instance is a struct with `RefCell` fields; where the test has an
//!   "old-style" and a "new-style" twin, the old-style one implements `Trace`
//!   by hand and the new-style one derives it;
//! - `__del__` is `Drop`; `del x` is `drop(x)`; `weakref.ref` is `Weak`.
//!
//! Python counts an instance's `__dict__` as an object of its own; here it is
//! a field, so the exact numbers are sometimes smaller than CPython's (said
//! where it happens). Every test runs on its own thread, so on its own
//! collector; each starts with [`fresh`] anyway.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use cyclegc::{gc, AnyCc, Cc, Trace, Tracer, Weak};

/// A Python list.
type List = RefCell<Vec<AnyCc>>;

fn new_list() -> Cc<List> {
    Cc::new(RefCell::new(Vec::new()))
}

/// Automatic collection on, CPython 3.12's thresholds, no garbage left over,
/// counts `(0, 0, 0)`.
fn fresh() {
    gc::enable();
    gc::set_threshold(700, 10, 10);
    gc::collect();
    assert_eq!(gc::count(), (0, 0, 0));
}

// ---- the Python object model used by the class and instance tests --------

/// A class object: its bases, its method resolution order and its namespace.
#[derive(Trace)]
struct Class {
    name: &'static str,
    bases: Vec<Cc<Class>>,
    mro: RefCell<Vec<Cc<Class>>>,
    dict: RefCell<HashMap<&'static str, AnyCc>>,
}

/// A classic class (`class A:` in Python 2): no `__mro__`, so not cyclic.
fn classic_class(name: &'static str) -> Cc<Class> {
    Cc::new(Class {
        name,
        bases: Vec::new(),
        mro: RefCell::new(Vec::new()),
        dict: RefCell::new(HashMap::new()),
    })
}

/// A new-style class (`class A(object):`): its `__mro__` starts with the
/// class itself, a cycle, as in CPython.
fn new_style_class(name: &'static str, bases: Vec<Cc<Class>>) -> Cc<Class> {
    let mut mro_tail = Vec::new();
    for b in &bases {
        for c in b.mro.borrow().iter() {
            if !mro_tail.iter().any(|m| Cc::ptr_eq(m, c)) {
                mro_tail.push(c.clone());
            }
        }
    }
    let class = Cc::new(Class {
        name,
        bases,
        mro: RefCell::new(Vec::new()),
        dict: RefCell::new(HashMap::new()),
    });
    let mut mro = vec![class.clone()];
    mro.extend(mro_tail);
    *class.mro.borrow_mut() = mro;
    class
}

/// An instance of a new-style class (derived `Trace`); `items` is the list
/// part of an instance of a `list` subclass.
#[derive(Trace)]
struct Instance {
    class: Cc<Class>,
    dict: RefCell<HashMap<&'static str, AnyCc>>,
    items: RefCell<Vec<AnyCc>>,
}

fn instance(class: &Cc<Class>) -> Cc<Instance> {
    Cc::new(Instance {
        class: class.clone(),
        dict: RefCell::new(HashMap::new()),
        items: RefCell::new(Vec::new()),
    })
}

/// An instance of a classic class: `Trace` written by hand.
struct ClassicInstance {
    class: Cc<Class>,
    dict: RefCell<HashMap<&'static str, AnyCc>>,
}

// SAFETY: visits both fields, which own every handle of the value.
unsafe impl Trace for ClassicInstance {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.class.trace(tracer);
        self.dict.trace(tracer);
    }
}

fn classic_instance(class: &Cc<Class>) -> Cc<ClassicInstance> {
    Cc::new(ClassicInstance {
        class: class.clone(),
        dict: RefCell::new(HashMap::new()),
    })
}

// ---- cycles of builtin containers -----------------------------------------

// CPython: test_gc.py::test_list
// `l = []; l.append(l)` is a `Cc<RefCell<Vec<AnyCc>>>` that holds itself.
#[test]
fn test_list() {
    fresh();
    let l = new_list();
    l.borrow_mut().push(AnyCc::from(l.clone()));
    assert_eq!(gc::collect(), 0);
    drop(l);
    assert_eq!(gc::collect(), 1);
    assert_eq!(gc::collect(), 0);
}

// CPython: test_gc.py::test_dict
// `d = {}; d[1] = d` is a `Cc<RefCell<HashMap<i64, AnyCc>>>` that holds itself.
#[test]
fn test_dict() {
    fresh();
    let d: Cc<RefCell<HashMap<i64, AnyCc>>> = Cc::new(RefCell::new(HashMap::new()));
    d.borrow_mut().insert(1, AnyCc::from(d.clone()));
    assert_eq!(gc::collect(), 0);
    drop(d);
    assert_eq!(gc::collect(), 1);
}

// CPython: test_gc.py::test_tuple
// `l = []; t = (l,); l.append(t)`: the tuple is an immutable `Cc<(Cc<List>,)>`,
// the list closes the loop.
#[test]
fn test_tuple() {
    fresh();
    let l = new_list();
    let t: Cc<(Cc<List>,)> = Cc::new((l.clone(),));
    l.borrow_mut().push(AnyCc::from(t.clone()));
    assert_eq!(gc::collect(), 0);
    drop(t);
    drop(l);
    assert_eq!(gc::collect(), 2);
}

// ---- classes and instances ------------------------------------------------

// CPython: test_gc.py::test_class
// `class A: pass; A.a = A`: a classic class whose namespace holds the class.
#[test]
fn test_class() {
    fresh();
    let a = classic_class("A");
    a.dict.borrow_mut().insert("a", AnyCc::from(a.clone()));
    assert_eq!(gc::collect(), 0);
    drop(a);
    // CPython finds more (the class's dict, its tuples); here the class is one object.
    assert_eq!(gc::collect(), 1);
}

// CPython: test_gc.py::test_newstyleclass
// `class A(object): pass`: a new-style class is cyclic by itself (its mro holds it).
#[test]
fn test_newstyleclass() {
    fresh();
    let a = new_style_class("A", Vec::new());
    assert_eq!(a.name, "A");
    assert_eq!(gc::collect(), 0);
    drop(a);
    assert_eq!(gc::collect(), 1);
}

// CPython: test_gc.py::test_instance
// `a = A(); a.a = a` with a classic class: a hand-written-`Trace` instance
// whose `dict` field holds itself.
#[test]
fn test_instance() {
    fresh();
    let class = classic_class("A");
    let a = classic_instance(&class);
    a.dict.borrow_mut().insert("a", AnyCc::from(a.clone()));
    assert_eq!(gc::collect(), 0);
    drop(a);
    // The instance; its `__dict__` is a field here, not an object.
    assert_eq!(gc::collect(), 1);
    // The class, not part of the cycle, was only referenced by the instance.
    assert_eq!(Cc::strong_count(&class), 1);
    assert_eq!(class.name, "A");
}

// CPython: test_gc.py::test_newinstance
// The same with new-style classes (derived `Trace`), a `list` subclass with
// multiple inheritance (`class C(B, A)`), dead classes, and a class whose
// namespace holds an instance of itself.
#[test]
fn test_newinstance() {
    fresh();
    let class_a = new_style_class("A", Vec::new());
    let a = instance(&class_a);
    a.dict.borrow_mut().insert("a", AnyCc::from(a.clone()));
    assert_eq!(gc::collect(), 0);
    drop(a);
    assert_eq!(gc::collect(), 1);

    // class B(list); class C(B, A); a = C(); a.a = a
    let class_b = new_style_class("B", Vec::new());
    let class_c = new_style_class("C", vec![class_b.clone(), class_a.clone()]);
    let mro: Vec<&str> = class_c.mro.borrow().iter().map(|c| c.name).collect();
    assert_eq!(mro, ["C", "B", "A"]);
    let a = instance(&class_c);
    a.items.borrow_mut().push(AnyCc::from(Cc::new(1_i64)));
    a.dict.borrow_mut().insert("a", AnyCc::from(a.clone()));
    assert_eq!(gc::collect(), 0);
    drop(a);
    assert_eq!(gc::collect(), 1);

    // del B, C: both classes are cyclic garbage (A is still named).
    drop(class_b);
    drop(class_c);
    assert_eq!(gc::collect(), 2);
    assert_eq!(Cc::strong_count(&class_a), 2); // our handle and its own mro

    // A.a = A(); del A: the class and the instance in its namespace.
    let inst = instance(&class_a);
    class_a.dict.borrow_mut().insert("a", AnyCc::from(inst));
    drop(class_a);
    assert_eq!(gc::collect(), 2);
    assert_eq!(gc::collect(), 0);
}

/// A bound method: the receiver and the function's name.
#[derive(Trace)]
struct BoundMethod {
    receiver: AnyCc,
    name: &'static str,
}

// CPython: test_gc.py::test_method
// `self.init = self.__init__`: the instance's dict holds a bound method that
// holds the instance.
#[test]
fn test_method() {
    fresh();
    let class = classic_class("A");
    let a = classic_instance(&class);
    let method = Cc::new(BoundMethod {
        receiver: AnyCc::from(a.clone()),
        name: "__init__",
    });
    assert_eq!(method.name, "__init__");
    a.dict.borrow_mut().insert("init", AnyCc::from(method));
    assert_eq!(gc::collect(), 0);
    drop(a);
    // The instance and the bound method.
    assert_eq!(gc::collect(), 2);
}

// ---- the graph mutated by user code during a collection -------------------

/// An optional link to another object of the same type (`self.attr`,
/// `self.me`).
type Link<T> = RefCell<Option<Cc<T>>>;

/// `Boom` (old-style, hand-written `Trace`): its `Drop` (the only user code
/// a collection runs, Rust's stand-in for `__getattr__` being called by gc)
/// deletes the partner's `attr`, mutating the trash graph.
struct Boom {
    attr: RefCell<Option<Cc<Boom>>>,
    drops: Rc<Cell<usize>>,
}

// SAFETY: `attr` owns the only handle.
unsafe impl Trace for Boom {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.attr.trace(tracer);
    }
}

/// `Boom`'s and `BoomNew`'s `Drop`: counts itself, then deletes the
/// partner's `attr` if the partner's value is still there to read.
fn boom_drop<T: Trace>(drops: &Cell<usize>, attr: &mut Link<T>, partner_attr: fn(&T) -> &Link<T>) {
    drops.set(drops.get() + 1);
    if let Some(partner) = attr.get_mut().take() {
        if let Some(p) = Cc::try_deref(&partner) {
            partner_attr(p).borrow_mut().take(); // del partner.attr
        }
    }
}

impl Drop for Boom {
    fn drop(&mut self) {
        boom_drop(&self.drops, &mut self.attr, |p| &p.attr);
    }
}

/// `Boom_New`: the same with a derived `Trace`.
#[derive(Trace)]
struct BoomNew {
    attr: RefCell<Option<Cc<BoomNew>>>,
    drops: Rc<Cell<usize>>,
}

impl Drop for BoomNew {
    fn drop(&mut self) {
        boom_drop(&self.drops, &mut self.attr, |p| &p.attr);
    }
}

/// `Boom2` (hand-written `Trace`): the graph is mutated only the second time
/// user code runs (`x > 1`): the second `Drop` deletes the partner's `attr`,
/// though the partner's value is gone by then.
struct Boom2 {
    attr: RefCell<Option<Cc<Boom2>>>,
    x: Rc<Cell<usize>>,
}

// SAFETY: `attr` owns the only handle.
unsafe impl Trace for Boom2 {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.attr.trace(tracer);
    }
}

/// `Boom2`'s and `Boom2New`'s `Drop`: counts itself in `x`; the second one
/// takes the partner's handle from `attr`.
fn boom2_drop<T: Trace>(x: &Cell<usize>, attr: &mut Link<T>) {
    x.set(x.get() + 1);
    if x.get() > 1 {
        let partner = attr.get_mut().take().expect("attr is set");
        // The partner was dropped first: reading it is impossible, the
        // checked access says so instead of panicking.
        assert!(Cc::try_deref(&partner).is_none());
    }
}

impl Drop for Boom2 {
    fn drop(&mut self) {
        boom2_drop(&self.x, &mut self.attr);
    }
}

#[derive(Trace)]
struct Boom2New {
    attr: RefCell<Option<Cc<Boom2New>>>,
    x: Rc<Cell<usize>>,
}

impl Drop for Boom2New {
    fn drop(&mut self) {
        boom2_drop(&self.x, &mut self.attr);
    }
}

/// `a = T(); b = T(); a.attr = b; b.attr = a; del a, b` on a fresh
/// collector, for the four `Boom` types (`make` builds one from its `attr`
/// and the shared counter): checks that the cycle is not garbage while
/// named, and returns the counter the two `Drop`s share.
fn boom_cycle<T: Trace>(
    make: fn(Link<T>, Rc<Cell<usize>>) -> T,
    attr: fn(&T) -> &Link<T>,
) -> Rc<Cell<usize>> {
    fresh();
    let counter = Rc::new(Cell::new(0));
    let a = Cc::new(make(RefCell::new(None), counter.clone()));
    let b = Cc::new(make(RefCell::new(Some(a.clone())), counter.clone()));
    *attr(&a).borrow_mut() = Some(b.clone());
    assert_eq!(gc::collect(), 0);
    drop(a);
    drop(b);
    counter
}

// CPython: test_gc.py::test_boom
// a <-> b (hand-written `Trace`) whose `Drop` deletes the partner's link
// while the collector is freeing the cycle: 2 objects (CPython: 4, with the dicts).
#[test]
fn test_boom() {
    let drops = boom_cycle(|attr, drops| Boom { attr, drops }, |b| &b.attr);
    assert_eq!(drops.get(), 0);
    assert_eq!(gc::collect(), 2);
    assert_eq!(drops.get(), 2);
    assert_eq!(gc::collect(), 0);
}

// CPython: test_gc.py::test_boom2
// As test_boom, but only the second `Drop` touches the graph.
#[test]
fn test_boom2() {
    let x = boom_cycle(|attr, x| Boom2 { attr, x }, |b| &b.attr);
    assert_eq!(gc::collect(), 2);
    assert_eq!(x.get(), 2);
}

// CPython: test_gc.py::test_boom_new
// test_boom with a derived `Trace` (the "new-style class").
#[test]
fn test_boom_new() {
    let drops = boom_cycle(|attr, drops| BoomNew { attr, drops }, |b| &b.attr);
    assert_eq!(gc::collect(), 2);
    assert_eq!(drops.get(), 2);
}

// CPython: test_gc.py::test_boom2_new
// test_boom2 with a derived `Trace`.
#[test]
fn test_boom2_new() {
    let x = boom_cycle(|attr, x| Boom2New { attr, x }, |b| &b.attr);
    assert_eq!(gc::collect(), 2);
    assert_eq!(x.get(), 2);
}

// ---- counts and generations -----------------------------------------------

// CPython: test_gc.py::test_get_count
// `x = []` is one tracked allocation: `count.0` goes up by one, the other two
// stay 0 (exact here, where CPython allows `a < 5`).
#[test]
fn test_get_count() {
    fresh();
    let (a, b, c) = gc::count();
    let x = new_list();
    let (d, e, f) = gc::count();
    assert_eq!((b, c), (0, 0));
    assert_eq!((e, f), (0, 0));
    assert_eq!(a, 0);
    assert_eq!(d, a + 1);
    // Freeing it by refcount gives the allocation back.
    drop(x);
    assert_eq!(gc::count(), (0, 0, 0));
}

// CPython: test_gc.py::test_collect_generations
// A list trickles from generation 0 to 2; the counts after `collect(0)`,
// `collect(1)`, `collect(2)` are (_, 1, 0), (_, 0, 1), (_, 0, 0), and here the
// first element is exactly 0.
#[test]
fn test_collect_generations() {
    fresh();
    let x = new_list();
    assert_eq!(gc::count(), (1, 0, 0));
    assert_eq!(gc::collect_generation(0), 0);
    assert_eq!(gc::count(), (0, 1, 0));
    assert_eq!(gc::collect_generation(1), 0);
    assert_eq!(gc::count(), (0, 0, 1));
    assert_eq!(gc::collect_generation(2), 0);
    assert_eq!(gc::count(), (0, 0, 0));
    assert!(gc::is_tracked(&x));
    assert_eq!(Cc::strong_count(&x), 1);
}

// ---- deep nesting -----------------------------------------------------------

thread_local! {
    static OUCH_N: Cell<usize> = const { Cell::new(0) };
    static NESTED_COLLECTS: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// `Ouch`: every 17th drop calls `gc::collect()` and records what it returned.
/// Tracked, as every Python instance is.
#[derive(Trace)]
#[trace(tracked)]
struct Ouch;

impl Drop for Ouch {
    fn drop(&mut self) {
        let n = OUCH_N.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        if n % 17 == 0 {
            let found = gc::collect();
            NESTED_COLLECTS.with(|v| v.borrow_mut().push(found));
        }
    }
}

fn reset_ouch() {
    OUCH_N.with(|c| c.set(0));
    NESTED_COLLECTS.with(|v| v.borrow_mut().clear());
}

fn nested_collects() -> Vec<usize> {
    NESTED_COLLECTS.with(|v| v.borrow().clone())
}

thread_local! {
    static PLAIN_DROPS: Cell<usize> = const { Cell::new(0) };
}

/// A tracked object that only counts its drops.
#[derive(Trace)]
#[trace(tracked)]
struct Plain;

impl Drop for Plain {
    fn drop(&mut self) {
        PLAIN_DROPS.with(|c| c.set(c.get() + 1));
    }
}

fn ouch() -> AnyCc {
    AnyCc::from(Cc::new(Ouch))
}

fn plain() -> AnyCc {
    AnyCc::from(Cc::new(Plain))
}

/// `t = [t, item()]`, `depth` times, starting from `start`.
fn nest_lists(start: Cc<List>, depth: usize, item: fn() -> AnyCc) -> Cc<List> {
    let mut t = start;
    for _ in 0..depth {
        let next = new_list();
        next.borrow_mut().push(AnyCc::from(t));
        next.borrow_mut().push(item());
        t = next;
    }
    t
}

type IntDict = RefCell<HashMap<i64, AnyCc>>;

/// `v = {1: v, 2: Ouch()}`, `depth` times.
fn nest_dicts(depth: usize) -> Cc<IntDict> {
    let mut v: Cc<IntDict> = Cc::new(RefCell::new(HashMap::new()));
    for _ in 0..depth {
        let next: Cc<IntDict> = Cc::new(RefCell::new(HashMap::new()));
        next.borrow_mut().insert(1, AnyCc::from(v));
        next.borrow_mut().insert(2, AnyCc::from(Cc::new(Ouch)));
        v = next;
    }
    v
}

// CPython: test_gc.py::test_trashcan
// 150-deep nested lists and dicts (`t = [t, Ouch()]`, `v = {1: v, 2: Ouch()}`)
// whose `Ouch::drop` calls `gc::collect()` every 17th time: freed by refcount
// (the trashcan), then the same nesting closed into a cycle and freed by the
// collector, where each nested `gc::collect()` must return 0; then a
// 100_000-deep nesting freed both ways, on the test thread's small stack.
#[test]
fn test_trashcan() {
    const N: usize = 150;
    fresh();
    reset_ouch();
    for _ in 0..2 {
        let t = nest_lists(new_list(), N, ouch);
        let u = nest_lists(new_list(), N, ouch);
        let v = nest_dicts(N);
        drop((t, u, v)); // Python rebinds the names on the next round
    }
    assert_eq!(OUCH_N.with(Cell::get), 2 * 3 * N);
    // Collections from a refcount `Drop`: real ones, nothing is garbage.
    assert_eq!(nested_collects(), vec![0; 2 * 3 * N / 17]);

    // The same nesting as cyclic garbage: the innermost list holds the outermost.
    reset_ouch();
    let innermost = new_list();
    let t = nest_lists(innermost.clone(), N, ouch);
    innermost.borrow_mut().push(AnyCc::from(t.clone()));
    drop(innermost);
    drop(t);
    assert_eq!(OUCH_N.with(Cell::get), 0);
    // N + 1 lists and N Ouch objects.
    assert_eq!(gc::collect(), 2 * N + 1);
    assert_eq!(OUCH_N.with(Cell::get), N);
    // `gc::collect()` from a `Drop` run by a collection returns 0 at once.
    assert_eq!(nested_collects(), vec![0; N / 17]);
    assert_eq!(gc::collect(), 0);

    // Deep: neither refcount frees nor a collection of a deep cycle may
    // recurse (the test thread has a 2 MiB stack). The items only count
    // their drops: 6_000 nested full collections would make this slow.
    const DEEP: usize = 100_000;
    let t = nest_lists(new_list(), DEEP, plain);
    drop(t);
    assert_eq!(PLAIN_DROPS.with(Cell::get), DEEP);
    gc::disable(); // one collection, the explicit one
    let innermost = new_list();
    let t = nest_lists(innermost.clone(), DEEP, plain);
    innermost.borrow_mut().push(AnyCc::from(t.clone()));
    drop(innermost);
    drop(t);
    assert_eq!(PLAIN_DROPS.with(Cell::get), DEEP);
    assert_eq!(gc::collect(), 2 * DEEP + 1);
    assert_eq!(PLAIN_DROPS.with(Cell::get), 2 * DEEP);
    gc::enable();
}

// ---- introspection --------------------------------------------------------

fn ints(objs: impl IntoIterator<Item = AnyCc>) -> Vec<i64> {
    let mut v: Vec<i64> = objs
        .into_iter()
        .map(|o| *o.downcast::<i64>().expect("an int"))
        .collect();
    v.sort();
    v
}

// CPython: test_gc.py::test_get_referents
// The referents of a list, a tuple and a dict (`Cc<RefCell<Vec<..>>>`,
// `Cc<(..)>`, `Cc<RefCell<HashMap<..>>>` of `Cc<i64>`) are exactly their items;
// `get_referents(a, b, c)` is the concatenation; atomic objects have none.
#[test]
fn test_get_referents() {
    fresh();
    let alist: Vec<Cc<i64>> = [1, 3, 5].into_iter().map(Cc::new).collect();
    let list: Cc<RefCell<Vec<Cc<i64>>>> = Cc::new(RefCell::new(alist.clone()));
    let got = gc::referents(&list);
    assert_eq!(got.len(), 3);
    for (g, a) in got.iter().zip(&alist) {
        assert!(AnyCc::ptr_eq(g, &AnyCc::from(a.clone())));
    }
    assert_eq!(ints(got), [1, 3, 5]);

    let atuple = Cc::new((alist[0].clone(), alist[1].clone(), alist[2].clone()));
    assert_eq!(ints(gc::referents(&atuple)), [1, 3, 5]);

    let adict: Cc<RefCell<HashMap<Cc<i64>, Cc<i64>>>> = Cc::new(RefCell::new(HashMap::from([
        (Cc::new(1), Cc::new(3)),
        (Cc::new(5), Cc::new(7)),
    ])));
    assert_eq!(ints(gc::referents(&adict)), [1, 3, 5, 7]);

    // gc.get_referents([1, 2], {3: 4}, (0, 0, 0)); the tuple holds one 0 three times.
    let l12: Cc<RefCell<Vec<Cc<i64>>>> = Cc::new(RefCell::new(vec![Cc::new(1), Cc::new(2)]));
    let d34: Cc<RefCell<HashMap<Cc<i64>, Cc<i64>>>> =
        Cc::new(RefCell::new(HashMap::from([(Cc::new(3), Cc::new(4))])));
    let zero = Cc::new(0_i64);
    let t000 = Cc::new((zero.clone(), zero.clone(), zero.clone()));
    let mut got = gc::referents(&l12).into_vec();
    got.extend(gc::referents(&d34));
    let zeros = gc::referents(&t000);
    assert!(zeros.iter().all(|z| AnyCc::ptr_eq(z, &AnyCc::from(zero.clone()))));
    got.extend(zeros);
    assert_eq!(ints(got), [0, 0, 0, 1, 2, 3, 4]);

    // gc.get_referents(1, 'a', 4j) == []
    assert!(gc::referents(&Cc::new(1_i64)).is_empty());
    assert!(gc::referents(&Cc::new(String::from("a"))).is_empty());
    assert!(gc::referents(&Cc::new((0.0_f64, 4.0_f64))).is_empty());
    // ... and through a type-erased handle too.
    assert!(gc::referents(&AnyCc::from(Cc::new(1_i64))).is_empty());
    assert_eq!(ints(gc::referents(&AnyCc::from(list))), [1, 3, 5]);
}

/// `gc`, a module object: a namespace.
#[derive(Trace)]
struct Module {
    dict: RefCell<HashMap<&'static str, AnyCc>>,
}

/// `class UserInt(int)`: an int with a `__dict__`.
#[derive(Trace)]
struct UserInt {
    value: i64,
    dict: RefCell<HashMap<&'static str, AnyCc>>,
}

/// `class UserClassSlots: __slots__ = ()` and `object()`: no fields at all.
#[derive(Trace)]
struct UserClassSlots;

/// `class UserFloatSlots(float): __slots__ = ()`.
#[derive(Trace)]
struct UserFloatSlots(f64);

/// `class UserIntSlots(int): __slots__ = ()`.
#[derive(Trace)]
struct UserIntSlots(i64);

// CPython: test_gc.py::test_is_tracked
// Atomic objects (`Cc<()>` for None, ints, floats, complex, bools, bytes,
// str, bytearray, `object()`) are never tracked; containers and user objects
// that can hold handles are, and so is a module; a type that can hold no
// handle (`__slots__ = ()`) is not. (Python's static types `type`, `int`,
// `object` have no counterpart.)
#[test]
fn test_is_tracked() {
    fresh();
    assert!(!gc::is_tracked(&Cc::new(())));
    assert!(!gc::is_tracked(&Cc::new(1_i64)));
    assert!(!gc::is_tracked(&Cc::new(1.0_f64)));
    assert!(!gc::is_tracked(&Cc::new((1.0_f64, 5.0_f64))));
    assert!(!gc::is_tracked(&Cc::new(true)));
    assert!(!gc::is_tracked(&Cc::new(false)));
    assert!(!gc::is_tracked(&Cc::new(b"a".to_vec())));
    assert!(!gc::is_tracked(&Cc::new(String::from("a"))));
    assert!(!gc::is_tracked(&Cc::new("a")));
    assert!(!gc::is_tracked(&Cc::new(RefCell::new(b"a".to_vec()))));
    assert!(!gc::is_tracked(&Cc::new(UserClassSlots)));

    let module = Cc::new(Module {
        dict: RefCell::new(HashMap::new()),
    });
    assert!(gc::is_tracked(&module));
    let user_class = new_style_class("UserClass", Vec::new());
    assert!(gc::is_tracked(&user_class));
    assert!(gc::is_tracked(&instance(&user_class)));
    let user_int = Cc::new(UserInt {
        value: 0,
        dict: RefCell::new(HashMap::new()),
    });
    assert_eq!(user_int.value, 0);
    assert!(gc::is_tracked(&user_int));
    assert!(gc::is_tracked(&new_list()));
    assert!(gc::is_tracked(&Cc::new(RefCell::new(HashSet::<AnyCc>::new()))));
    assert!(!gc::is_tracked(&Cc::new(UserClassSlots)));
    assert!(!gc::is_tracked(&Cc::new(UserFloatSlots(0.0))));
    assert!(!gc::is_tracked(&Cc::new(UserIntSlots(0))));
    // The same answers through a type-erased handle.
    assert!(gc::is_tracked(&AnyCc::from(module.clone())));
    assert!(!gc::is_tracked(&AnyCc::from(Cc::new(1_i64))));
    // Only tracked objects were counted.
    assert_eq!(gc::count().0, 3); // module, class, user_int (temporaries gave theirs back)
    user_class.mro.borrow_mut().clear(); // break the class's cycle
}

// ---- automatic collection and re-entrancy ---------------------------------

/// `C1055820`: an object in a self-loop, with an optional `__del__` hook.
#[derive(Trace)]
struct C1055820 {
    i: i64,
    loop_: RefCell<Option<Cc<C1055820>>>,
    keep: RefCell<Option<Cc<C1055820>>>,
    #[trace(skip)]
    on_drop: RefCell<Option<Box<dyn FnOnce()>>>,
}

impl Drop for C1055820 {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.get_mut().take() {
            f();
        }
    }
}

fn c1055820(i: i64) -> Cc<C1055820> {
    let c = Cc::new(C1055820 {
        i,
        loop_: RefCell::new(None),
        keep: RefCell::new(None),
        on_drop: RefCell::new(None),
    });
    *c.loop_.borrow_mut() = Some(c.clone());
    c
}

/// `GC_Detector`: a weak reference to a piece of cyclic trash; once it no
/// longer upgrades, a collection has happened.
struct GcDetector {
    wr: Weak<C1055820>,
}

impl GcDetector {
    fn new() -> GcDetector {
        let trash = c1055820(666);
        GcDetector {
            wr: Cc::downgrade(&trash),
        }
    }

    fn gc_happened(&self) -> bool {
        self.wr.upgrade().is_none()
    }
}

/// `while not detector.gc_happened(): i += 1; ...; junk.append([])`, failing
/// after 10_000 rounds: allocates lists (kept in `junk`), calling `each`
/// before every one, until an automatic collection frees a new
/// [`GcDetector`]'s trash; returns how many rounds that took.
fn allocate_until_gc_happens(junk: &mut Vec<Cc<List>>, mut each: impl FnMut()) -> usize {
    let mut i = 0;
    let detector = GcDetector::new();
    while !detector.gc_happened() {
        i += 1;
        assert!(i <= 10_000, "gc didn't happen after 10000 iterations");
        each();
        junk.push(new_list());
    }
    i
}

// CPython: test_gc.py::test_indirect_calls_with_gc_disabled
// Allocating lists (`junk.push(new_list())`) triggers an automatic collection
// (here after exactly 700 of them, CPython 3.12's threshold: the detector's
// object is allocation 1, list 700 is allocation 701 > 700); after
// `gc::disable()`, 10_000 allocations trigger none, and `collect()` still works.
#[test]
fn test_indirect_calls_with_gc_disabled() {
    fresh();
    let mut junk = Vec::new();
    let i = allocate_until_gc_happens(&mut junk, || {});
    assert_eq!(i, 700);

    gc::disable();
    assert!(!gc::is_enabled());
    let before = gc::stats();
    let mut junk = Vec::new();
    let mut i = 0;
    let detector = GcDetector::new();
    while !detector.gc_happened() {
        i += 1;
        if i > 10_000 {
            break;
        }
        junk.push(new_list());
    }
    assert_eq!(i, 10_001);
    assert_eq!(gc::stats(), before);
    assert_eq!(gc::count().0, 10_001);
    // Explicit collection still works while automatic collection is off.
    assert_eq!(gc::collect(), 1);
    assert!(detector.gc_happened());
    gc::enable();
    assert!(gc::is_enabled());
}

/// `dir(self)`: a list of tracked objects, built one allocation at a time.
fn dir() -> Cc<List> {
    let names = new_list();
    for _ in 0..5 {
        let name = new_list();
        names.borrow_mut().push(AnyCc::from(name));
    }
    names
}

/// Old-style `A` with a `__del__` that calls `dir(self)` (hand-written `Trace`).
struct DelA {
    me: RefCell<Option<Cc<DelA>>>,
    dels: Rc<Cell<usize>>,
}

// SAFETY: `me` owns the only handle.
unsafe impl Trace for DelA {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.me.trace(tracer);
    }
}

impl Drop for DelA {
    fn drop(&mut self) {
        self.dels.set(self.dels.get() + 1);
        assert_eq!(dir().borrow().len(), 5);
    }
}

/// New-style `A` (derived `Trace`).
#[derive(Trace)]
struct DelNewA {
    me: RefCell<Option<Cc<DelNewA>>>,
    dels: Rc<Cell<usize>>,
}

impl Drop for DelNewA {
    fn drop(&mut self) {
        self.dels.set(self.dels.get() + 1);
        assert_eq!(dir().borrow().len(), 5);
    }
}

fn delta(after: [gc::GenerationStats; 3], before: [gc::GenerationStats; 3]) -> [(usize, usize); 3] {
    [0, 1, 2].map(|g| {
        (
            after[g].collections - before[g].collections,
            after[g].collected - before[g].collected,
        )
    })
}

/// test_del's two deaths of an `A` (`make` builds one from its `me` and
/// the shared counter) under `set_threshold(1)`: by refcount, its `Drop`
/// allocates and so runs 3 generation-0 collections (then `after_refcount`
/// runs); as a self-cycle freed by `collect()`, it runs none.
fn del_twice<T: Trace>(
    make: fn(Link<T>, Rc<Cell<usize>>) -> T,
    me: fn(&T) -> &Link<T>,
    after_refcount: impl FnOnce(),
) {
    let dels = Rc::new(Cell::new(0));

    let a = Cc::new(make(RefCell::new(None), dels.clone()));
    let before = gc::stats();
    drop(a);
    assert_eq!(dels.get(), 1);
    assert_eq!(delta(gc::stats(), before), [(3, 0), (0, 0), (0, 0)]);
    after_refcount();

    let a = Cc::new(make(RefCell::new(None), dels.clone()));
    *me(&a).borrow_mut() = Some(a.clone());
    drop(a);
    let before = gc::stats();
    assert_eq!(gc::collect(), 1);
    assert_eq!(dels.get(), 2);
    assert_eq!(delta(gc::stats(), before), [(0, 0), (0, 0), (1, 1)]);
}

// CPython: test_gc.py::test_del
// `set_threshold(1)` and a `Drop` that allocates (`dir(self)`: 6 tracked
// objects): freed by refcount, the allocations run 3 generation-0 collections
// from inside the `Drop` (allocations 2, 4 and 6 cross the threshold); freed
// as a self-cycle by `collect()`, they run none (a collection is running).
#[test]
fn test_del() {
    fresh();
    let thresholds = gc::threshold();
    gc::set_threshold(1, 10, 10);
    del_twice(
        |me, dels| DelA { me, dels },
        |a| &a.me,
        || assert_eq!(gc::count(), (0, 3, 0)),
    );
    gc::set_threshold(thresholds.0, thresholds.1, thresholds.2);
    assert_eq!(gc::threshold(), (700, 10, 10));
}

// CPython: test_gc.py::test_del_newclass
// test_del with a derived `Trace` (the "new-style class").
#[test]
fn test_del_newclass() {
    fresh();
    gc::set_threshold(1, 10, 10);
    del_twice(|me, dels| DelNewA { me, dels }, |a| &a.me, || {});
    gc::set_threshold(700, 10, 10);
}

// CPython: test_gc.py::test_bug1055820d (the `__del__` twin of test_bug1055820c)
// c0 lives in generation 2, kept alive only by c1 (a self-loop in generation
// 0); c2 is another self-loop with a callback-less weak reference. An
// automatic young collection frees c1 and c2; freeing c1 frees old c0 by
// refcount, and c0's `Drop` upgrades c2's weak reference: it must be `None`
// (c2 is garbage being torn down), never a handle to a dying object.
#[test]
fn test_bug1055820c() {
    fresh();
    let ouch: Rc<RefCell<Vec<Option<i64>>>> = Rc::new(RefCell::new(Vec::new()));

    let c0 = c1055820(0);
    // Move c0 into generation 2.
    assert_eq!(gc::collect(), 0);

    let c1 = c1055820(1);
    *c1.keep.borrow_mut() = Some(c0.clone());
    c0.loop_.borrow_mut().take(); // now only c1 keeps c0 alive

    let c2 = c1055820(2);
    let c2wr = Cc::downgrade(&c2); // no callback

    let c0_dropped = Rc::new(Cell::new(false));
    {
        let ouch = ouch.clone();
        let c0_dropped = c0_dropped.clone();
        *c0.on_drop.borrow_mut() = Some(Box::new(move || {
            c0_dropped.set(true);
            ouch.borrow_mut().push(c2wr.upgrade().map(|c| c.i));
        }));
    }
    assert_eq!(c0.i, 0);
    drop(c0);
    drop(c1);
    drop(c2);

    // Let gc happen "naturally", to keep the generations apart.
    let before = gc::stats();
    let mut junk = Vec::new();
    allocate_until_gc_happens(&mut junk, || {
        assert_eq!(ouch.borrow().len(), 0);
        assert!(!c0_dropped.get());
    });
    // One young collection found c1, c2 and the detector's object.
    assert_eq!(delta(gc::stats(), before), [(1, 3), (0, 0), (0, 0)]);
    assert!(c0_dropped.get());
    assert_eq!(*ouch.borrow(), vec![None]);
}
