//! Weak references with callbacks and `weakref::finalize` (SPEC §6): ports
//! of CPython's `Lib/test/test_weakref.py` (`ReferencesTestCase` and
//! `FinalizeTestCase`), and tests of the order of events when an object
//! dies, by refcount or in a collection.
//!
//! How Python maps to Rust here:
//! - `weakref.ref(o)` is `Cc::downgrade(&o)`, `weakref.ref(o, cb)` is
//!   `Cc::downgrade_with_callback(&o, cb)`, `r()` is `r.upgrade()`, and
//!   `r() is o` is `Cc::ptr_eq`;
//! - `del o` is `drop(o)`. CPython frees an acyclic object at once, as
//!   cyclegc does, so the `gc_collect()  # For PyPy` lines stay
//!   `gc::collect()` calls that find nothing;
//! - an instance is a struct with `RefCell` fields, tracked like every
//!   Python instance; a new-style class is a [`Class`], in a cycle with
//!   itself through its `__mro__`;
//! - a bound method used as a callback (`c.cb`) is a closure. A closure is
//!   not traced, so one that owned its receiver would keep it alive from
//!   outside the collector's view: it holds the receiver weakly, and where
//!   the Python test needs the method as an object of its own, it is a
//!   [`Method`] owned by the receiver (standing in for the weakref that
//!   owns its callback);
//! - proxies do not exist: where a test counts them, they are more `Weak`s;
//! - `weakref.finalize(a, f, *args)` is `weakref::finalize(&a, closure)`;
//!   `f()` is `f.call()`, which says whether the function ran instead of
//!   returning its result; `f.detach()` returns the function, `f.peek()`
//!   the object.
//!
//! Every test runs on its own thread, so on its own collector, and starts
//! with [`fresh`] anyway.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::process::Command;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::thread;

use cyclegc::gc;
use cyclegc::weakref::{self, Finalizer};
use cyclegc::{AnyCc, Cc, Finalize, Trace, Weak};

mod common;
use common::panic_message;

// ---- support ----------------------------------------------------------------

thread_local! {
    /// What callbacks, finalizers and `Drop`s did, in order.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(entry: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(entry.into()));
}

/// The log so far, emptying it.
fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Automatic collection off (the tests decide when to collect), no
/// leftovers from earlier in the thread, an empty log.
fn fresh() {
    gc::disable();
    gc::collect();
    assert!(
        gc::objects(None).is_empty(),
        "a test thread starts with no object"
    );
    take_log();
}

/// Python's `self.callback`: counts its calls.
#[derive(Clone, Default)]
struct Counter(Rc<Cell<usize>>);

impl Counter {
    fn callback<T: Trace>(&self) -> impl FnOnce(&Weak<T>) + 'static {
        let calls = self.0.clone();
        move |_| calls.set(calls.get() + 1)
    }

    fn calls(&self) -> usize {
        self.0.get()
    }
}

/// Python's `class C: pass`: an instance, tracked.
#[derive(Trace, Default)]
#[trace(tracked)]
struct C {
    bar: Cell<i32>,
}

/// A new-style class: its `__mro__` holds the class itself.
#[derive(Trace)]
struct Class {
    name: &'static str,
    mro: RefCell<Vec<Cc<Class>>>,
}

fn class(name: &'static str) -> Cc<Class> {
    let c = Cc::new(Class {
        name,
        mro: RefCell::new(Vec::new()),
    });
    c.mro.borrow_mut().push(c.clone());
    c
}

/// A bound method (`obj.method`) as an object of its own.
#[derive(Trace)]
struct Method {
    name: &'static str,
    receiver: Cc<Obj>,
}

/// An instance with the attributes the callback tests give theirs.
#[derive(Trace, Default)]
struct Obj {
    name: &'static str,
    attribute: i32,
    class: RefCell<Option<Cc<Class>>>,
    other: RefCell<Option<Cc<Obj>>>,
    /// The bound method that one of its weakrefs calls back.
    cb: RefCell<Option<Cc<Method>>>,
    wr: RefCell<Option<Weak<Obj>>>,
    wr_method: RefCell<Option<Weak<Method>>>,
}

fn obj(name: &'static str) -> Cc<Obj> {
    Cc::new(Obj {
        name,
        ..Obj::default()
    })
}

/// Finds `report`, the start of a line of an "Exception ignored" report,
/// in `stderr`, and returns the rest of that line and what follows it.
fn after_report<'a>(stderr: &'a str, report: &str) -> (&'a str, &'a str) {
    let at = stderr
        .find(report)
        .unwrap_or_else(|| panic!("no report in\n{stderr}"));
    let rest = &stderr[at + report.len()..];
    let line_end = rest.find('\n').expect("a whole line");
    (&rest[..line_end], &rest[line_end + 1..])
}

/// Runs this test binary again for the single test `name`, with
/// `CYCLEGC_CHILD=name`, and returns its standard output and error:
/// what goes to the process's real standard error (the reports of
/// panicking callbacks) can only be read from outside.
fn run_child(name: &str) -> (String, String) {
    let out = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("CYCLEGC_CHILD", name)
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "child failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("1 passed"), "the child ran no test\n{stdout}");
    (stdout, stderr)
}

/// Whether this process is the child that [`run_child`] started for `name`.
fn in_child(name: &str) -> bool {
    std::env::var("CYCLEGC_CHILD").as_deref() == Ok(name)
}

// ---- ReferencesTestCase: basic refs and callbacks --------------------------

/// `create_bound_method()`: `C().method`, a method object holding a fresh
/// instance.
fn bound_method() -> Cc<Method> {
    Cc::new(Method {
        name: "method",
        receiver: obj("C()"),
    })
}

fn check_basic_ref<T: Trace>(factory: impl Fn() -> Cc<T>) {
    let o = factory();
    let r = Cc::downgrade(&o);
    let o2 = r.upgrade().expect("weak reference to live object should be live");
    assert!(
        Cc::ptr_eq(&o, &o2),
        "<ref>() should return original object if live"
    );
    drop(o2);
    drop(o);
    assert!(r.upgrade().is_none());
}

// CPython: test_weakref.py::ReferencesTestCase::test_basic_ref
// The factories `C`, `create_function`, `create_bound_method` are an
// instance (tracked), a leaf value (untracked), and a method object.
#[test]
fn test_basic_ref() {
    fresh();
    check_basic_ref(|| Cc::new(C::default()));
    check_basic_ref(|| Cc::new(String::from("def f(): pass")));
    check_basic_ref(bound_method);
}

fn check_basic_callback<T: Trace>(factory: impl Fn() -> Cc<T>) {
    let counter = Counter::default();
    let o = factory();
    let r = Cc::downgrade_with_callback(&o, counter.callback());
    drop(o);
    assert_eq!(gc::collect(), 0);
    assert_eq!(counter.calls(), 1, "callback did not properly set 'cbcalled'");
    assert!(
        r.upgrade().is_none(),
        "ref2 should be dead after deleting object reference"
    );
}

// CPython: test_weakref.py::ReferencesTestCase::test_basic_callback
// Same factories as test_basic_ref; each object dies by refcount.
#[test]
fn test_basic_callback() {
    fresh();
    check_basic_callback(|| Cc::new(C::default()));
    check_basic_callback(|| Cc::new(String::from("def f(): pass")));
    check_basic_callback(bound_method);
}

// CPython: test_weakref.py::ReferencesTestCase::test_basic_callback (PyPy path)
// The `gc_collect()` the test makes for other collectors, needed here: the
// object is a cycle, so only a collection finds it dead.
#[test]
fn test_basic_callback_for_a_collected_cycle() {
    fresh();
    let counter = Counter::default();
    let o = class("C");
    let r = Cc::downgrade_with_callback(&o, counter.callback());
    drop(o);
    assert_eq!(counter.calls(), 0, "the cycle keeps the object alive");
    assert!(r.upgrade().is_some());
    assert_eq!(gc::collect(), 1);
    assert_eq!(counter.calls(), 1);
    assert!(r.upgrade().is_none());
    assert_eq!(gc::collect(), 0);
    assert_eq!(counter.calls(), 1);
}

// CPython: test_weakref.py::ReferencesTestCase::test_multiple_callbacks
#[test]
fn test_multiple_callbacks() {
    fresh();
    let counter = Counter::default();
    let o = Cc::new(C::default());
    let ref1 = Cc::downgrade_with_callback(&o, counter.callback());
    let ref2 = Cc::downgrade_with_callback(&o, counter.callback());
    drop(o);
    gc::collect();
    assert!(ref1.upgrade().is_none(), "expected reference to be invalidated");
    assert!(ref2.upgrade().is_none(), "expected reference to be invalidated");
    assert_eq!(
        counter.calls(),
        2,
        "callback not called the right number of times"
    );
}

// CPython: test_weakref.py::ReferencesTestCase::test_multiple_selfref_callbacks
// Both callbacks call `self.ref()`, the first reference, which must already
// be dead in the callback of the second (newest, so called first): every
// reference is cleared before any callback runs.
#[test]
fn test_multiple_selfref_callbacks() {
    fresh();
    let self_ref: Rc<RefCell<Option<Weak<C>>>> = Rc::default();
    let callback = |tag: &'static str, self_ref: &Rc<RefCell<Option<Weak<C>>>>| {
        let self_ref = self_ref.clone();
        move |own: &Weak<C>| {
            let first = self_ref.borrow().as_ref().expect("self.ref is set").upgrade();
            log(format!(
                "{tag}: self.ref() alive {}, own alive {}",
                first.is_some(),
                own.upgrade().is_some()
            ));
        }
    };
    let c = Cc::new(C::default());
    *self_ref.borrow_mut() = Some(Cc::downgrade_with_callback(&c, callback("self.ref", &self_ref)));
    let ref1 = Cc::downgrade_with_callback(&c, callback("ref1", &self_ref));
    drop(c);
    assert_eq!(
        take_log(),
        [
            "ref1: self.ref() alive false, own alive false",
            "self.ref: self.ref() alive false, own alive false",
        ]
    );
    drop(ref1);
}

// CPython: test_weakref.py::ReferencesTestCase::test_getweakrefcount
// The two proxies are two more weak references; an int (not weakrefable
// in Python) is an object without weak references here.
#[test]
fn test_getweakrefcount() {
    fresh();
    let counter = Counter::default();
    let o = Cc::new(C::default());
    let ref1 = Cc::downgrade(&o);
    let ref2 = Cc::downgrade_with_callback(&o, counter.callback());
    assert_eq!(
        weakref::getweakrefcount(&o),
        2,
        "got wrong number of weak reference objects"
    );

    let proxy1 = Cc::downgrade(&o);
    let proxy2 = Cc::downgrade_with_callback(&o, counter.callback());
    assert_eq!(
        weakref::getweakrefcount(&o),
        4,
        "got wrong number of weak reference objects"
    );
    assert_eq!(weakref::getweakrefcount(&AnyCc::from(o.clone())), 4);

    drop((ref1, ref2, proxy1, proxy2));
    gc::collect();
    assert_eq!(
        weakref::getweakrefcount(&o),
        0,
        "weak reference objects not unlinked from referent when discarded."
    );
    assert_eq!(counter.calls(), 0, "discarded weak references never call back");

    assert_eq!(
        weakref::getweakrefcount(&Cc::new(1)),
        0,
        "got wrong number of weak reference objects for int"
    );
}

#[test]
fn getweakrefcount_counts_every_clone_and_drops_with_them() {
    fresh();
    let o = Cc::new(String::from("leaf"));
    let w = Cc::downgrade_with_callback(&o, |_| {});
    let clones = vec![w.clone(), w.clone()];
    assert_eq!(weakref::getweakrefcount(&o), 3);
    assert_eq!(Cc::weak_count(&o), 3);
    drop(clones);
    assert_eq!(weakref::getweakrefcount(&o), 1);
    drop(w);
    assert_eq!(weakref::getweakrefcount(&o), 0);
}

// ---- callbacks and cyclic trash ------------------------------------------------

// CPython: test_weakref.py::ReferencesTestCase::test_callbacks_on_callback
// `callback = c.cb` is a Method owned by `c` (standing in for `c.wr`, the
// weakref whose callback it is). `c.wr` and `d.wr` belong to the cyclic
// trash, so their callbacks never run; `external_wr` is not trash, so
// `safe_callback` runs when the method object is collected with the rest.
#[test]
fn test_callbacks_on_callback() {
    fresh();
    let cb = |_: &Weak<Obj>| log("cb called");
    let c = obj("c");
    let d = obj("d");
    *c.other.borrow_mut() = Some(d.clone());
    *d.other.borrow_mut() = Some(c.clone());
    let callback = Cc::new(Method {
        name: "cb",
        receiver: c.clone(),
    });
    *c.cb.borrow_mut() = Some(callback.clone());
    // this won't trigger
    *c.wr.borrow_mut() = Some(Cc::downgrade_with_callback(&d, cb));
    // ditto
    *d.wr_method.borrow_mut() = Some(Cc::downgrade_with_callback(&callback, |_| log("cb called")));
    // but this will
    let external_wr = Cc::downgrade_with_callback(&callback, |_| log("safe_callback called"));
    assert!(Cc::ptr_eq(&external_wr.upgrade().unwrap(), &callback));

    drop((callback, c, d));
    assert_eq!(
        take_log(),
        Vec::<String>::new(),
        "del isn't enough to clean up cycles"
    );
    assert_eq!(gc::collect(), 3);
    assert_eq!(take_log(), ["safe_callback called"]);
    assert!(external_wr.upgrade().is_none());

    assert_eq!(gc::collect(), 0);
    assert_eq!(take_log(), Vec::<String>::new());
}

/// `I = II()` of test_callback_in_cycle, with its attributes `J` and `wr`.
#[derive(Trace)]
struct InstanceOfII {
    class: Cc<Class>,
    j: RefCell<Option<Cc<Class>>>,
    wr: RefCell<Option<Weak<Class>>>,
    me: RefCell<Option<Cc<InstanceOfII>>>,
}

// CPython: test_weakref.py::ReferencesTestCase::test_callback_in_cycle
// I holds class J strongly (I.J) and weakly (I.wr, whose callback reads
// I.J); I, J and II are all cyclic trash (I's cycle goes through its
// callback's bound method in Python: a `me` field closes it here). I.wr
// belongs to the trash, so its callback must not run, nor anything crash.
#[test]
fn test_callback_in_cycle() {
    fresh();
    let j = class("J");
    let ii = class("II");
    let i = Cc::new(InstanceOfII {
        class: ii.clone(),
        j: RefCell::new(Some(j.clone())),
        wr: RefCell::new(None),
        me: RefCell::new(None),
    });
    *i.me.borrow_mut() = Some(i.clone());
    let receiver = Cc::downgrade(&i);
    let token = Rc::new(());
    let callback_alive = Rc::downgrade(&token);
    *i.wr.borrow_mut() = Some(Cc::downgrade_with_callback(&j, move |_| {
        let _owned = &token;
        log("acallback called");
        if let Some(me) = receiver.upgrade() {
            let _ = (me.class.name, me.j.borrow().as_ref().map(|j| j.name));
        }
    }));

    drop((i, j, ii));
    assert_eq!(gc::collect(), 3);
    assert_eq!(take_log(), Vec::<String>::new());
    assert!(
        callback_alive.upgrade().is_none(),
        "the trash weakref's callback was freed uncalled"
    );
}

// CPython: test_weakref.py::ReferencesTestCase::test_callback_in_cycle_resurrection
// c1 and c2 hold weakrefs to each other whose callbacks would resurrect
// (`alist.append(self.c)`); those weakrefs are trash, so the callbacks do
// not run and nothing is resurrected. The weakref to the class C is held
// by the test, not by the trash: its callback runs.
#[test]
fn test_callback_in_cycle_resurrection() {
    fresh();
    let alist: Rc<RefCell<Vec<String>>> = Rc::default();
    let class_c = class("C");
    let c1 = Cc::new(Obj {
        name: "c1",
        attribute: 1,
        ..Obj::default()
    });
    let c2 = Cc::new(Obj {
        name: "c2",
        attribute: 2,
        ..Obj::default()
    });
    for c in [&c1, &c2] {
        *c.class.borrow_mut() = Some(class_c.clone());
    }
    *c1.other.borrow_mut() = Some(c2.clone());
    *c2.other.borrow_mut() = Some(c1.clone());
    let acallback = |receiver: &Cc<Obj>, alist: &Rc<RefCell<Vec<String>>>| {
        let (receiver, alist) = (Cc::downgrade(receiver), alist.clone());
        move |_: &Weak<Obj>| {
            alist.borrow_mut().push("acallback called".into());
            if let Some(me) = receiver.upgrade() {
                let c = me.other.borrow().as_ref().map(|c| c.name).unwrap_or("?");
                alist.borrow_mut().push(c.to_string());
            }
        }
    };
    *c1.wr.borrow_mut() = Some(Cc::downgrade_with_callback(&c2, acallback(&c1, &alist)));
    *c2.wr.borrow_mut() = Some(Cc::downgrade_with_callback(&c1, acallback(&c2, &alist)));

    let went_away = alist.clone();
    let wr = Cc::downgrade_with_callback(&class_c, move |_| {
        went_away.borrow_mut().push("C went away".into())
    });

    drop((c1, c2, class_c));
    assert!(alist.borrow().is_empty(), "del isn't enough to reclaim anything");

    assert_eq!(gc::collect(), 3);
    assert_eq!(*alist.borrow(), ["C went away"]);
    assert!(wr.upgrade().is_none());

    alist.borrow_mut().clear();
    assert_eq!(gc::collect(), 0);
    assert!(alist.borrow().is_empty());
}

/// `class C` of test_callback_reachable_one_way: `c2.me = c2; c2.c1 = c1;
/// c2.wr = weakref.ref(c1, c2.cb)`, in Python's attribute order.
#[derive(Trace)]
struct OneWay<D: Trace> {
    me: RefCell<Option<Cc<OneWay<D>>>>,
    c1: RefCell<Option<Cc<D>>>,
    wr: RefCell<Option<Weak<D>>>,
}

/// Builds c1 and c2 as test_callback_reachable_one_way does; `c2.cb` logs
/// and reads `self.me`, `self.c1` and `self.wr` if it can reach `self`.
fn one_way<D: Trace>(c1: Cc<D>) -> Cc<OneWay<D>> {
    let c2 = Cc::new(OneWay {
        me: RefCell::new(None),
        c1: RefCell::new(None),
        wr: RefCell::new(None),
    });
    *c2.me.borrow_mut() = Some(c2.clone());
    *c2.c1.borrow_mut() = Some(c1.clone());
    let receiver = Cc::downgrade(&c2);
    *c2.wr.borrow_mut() = Some(Cc::downgrade_with_callback(&c1, move |_| {
        log("c2.cb called");
        if let Some(me) = receiver.upgrade() {
            let _ = (
                me.me.borrow().is_some(),
                me.c1.borrow().is_some(),
                me.wr.borrow().is_some(),
            );
        }
    }));
    c2
}

// CPython: test_weakref.py::ReferencesTestCase::test_callback_reachable_one_way
// c1 is reachable from c2, not the other way; both are trash, and so is
// c2.wr: its callback must not run.
#[test]
fn test_callback_reachable_one_way() {
    fresh();
    let c2 = one_way(obj("c1"));
    drop(c2);
    assert_eq!(gc::collect(), 2);
    assert_eq!(take_log(), Vec::<String>::new());
}

/// Python's `class D: pass` of test_callback_different_classes: an
/// instance, tracked.
#[derive(Trace)]
#[trace(tracked)]
struct D;

// CPython: test_weakref.py::ReferencesTestCase::test_callback_different_classes
// As test_callback_reachable_one_way with c1 of another class (D).
#[test]
fn test_callback_different_classes() {
    fresh();
    let c2 = one_way(Cc::new(D));
    drop(c2);
    assert_eq!(gc::collect(), 2);
    assert_eq!(take_log(), Vec::<String>::new());
}

/// A value that can hold no `Cc`, so is never tracked.
#[derive(Trace)]
struct Untracked;

// CPython: test_gc.py::test_trash_weakref_clear
// The same graph with c1 untracked (CPython's `ContainerNoGC`: an object
// the collector cannot see). c1 is not part of the garbage the collector
// found; it dies by refcount when c2's value is dropped. c2.wr is owned by
// the garbage all the same, so its callback must never run (bpo-38006:
// trash weakrefs are cleared before anything in the trash is torn down).
#[test]
fn test_trash_weakref_to_an_untracked_object_never_calls_back() {
    fresh();
    let c1 = Cc::new(Untracked);
    assert!(!gc::is_tracked(&c1));
    let c1_wr = Cc::downgrade(&c1);
    let c2 = one_way(c1);
    drop(c2);
    assert_eq!(gc::collect(), 1);
    assert!(c1_wr.upgrade().is_none(), "c1 died with c2");
    assert_eq!(take_log(), Vec::<String>::new(), "a trash weakref's callback ran");
}

// CPython: test_gc.py::test_trash_weakref_clear (variant)
// As above, but the garbage also has a weak reference with a callback of
// its own (held by the test), so the collection does look for trash
// weakrefs: c2.wr is one, and must stay silent when c1 dies.
#[test]
fn test_trash_weakref_to_an_untracked_object_never_calls_back_beside_other_callbacks() {
    fresh();
    let c1 = Cc::new(Untracked);
    let c2 = one_way(c1);
    let external = Cc::downgrade_with_callback(&c2, |_| log("external called"));
    drop(c2);
    assert_eq!(gc::collect(), 1);
    assert!(external.upgrade().is_none());
    assert_eq!(take_log(), ["external called"], "a trash weakref's callback ran");
}

// ---- the order of events at a death ---------------------------------------

/// A tracked object with a finalizer that logs, and can reach itself
/// through `this` (a weak reference) to resurrect.
#[derive(Trace)]
#[trace(finalize)]
struct Mortal {
    name: &'static str,
    this: RefCell<Weak<Mortal>>,
    peer: RefCell<Option<Cc<Mortal>>>,
}

thread_local! {
    /// Where finalizers put what they resurrect.
    static SURVIVORS: RefCell<Vec<AnyCc>> = const { RefCell::new(Vec::new()) };
    static RESURRECT: Cell<bool> = const { Cell::new(false) };
}

/// `Mortal`'s and `LeafMortal`'s finalizer: logs `finalize {name}
/// (upgrades: ..{details})`, saying whether `this` still upgrades, and
/// resurrects the object through it if `RESURRECT` is set.
fn finalize_mortal<T: Trace>(name: &str, this: &RefCell<Weak<T>>, details: &str) {
    let me = this.borrow().upgrade();
    log(format!("finalize {name} (upgrades: {}{details})", me.is_some()));
    if let Some(me) = me {
        if RESURRECT.with(Cell::get) {
            SURVIVORS.with(|s| s.borrow_mut().push(AnyCc::from(me)));
        }
    }
}

/// `Cc::new(value)` with `this` (found by `this`) set to a weak reference
/// to itself.
fn with_this<T: Trace>(value: T, this: fn(&T) -> &RefCell<Weak<T>>) -> Cc<T> {
    let m = Cc::new(value);
    *this(&m).borrow_mut() = Cc::downgrade(&m);
    m
}

impl Finalize for Mortal {
    fn finalize(&self) {
        let peer = self.peer.borrow().as_ref().map(|p| p.name).unwrap_or("-");
        finalize_mortal(self.name, &self.this, &format!(", peer: {peer}"));
    }
}

impl Drop for Mortal {
    fn drop(&mut self) {
        log(format!("drop {}", self.name));
    }
}

fn mortal(name: &'static str) -> Cc<Mortal> {
    with_this(
        Mortal {
            name,
            this: RefCell::new(Weak::new()),
            peer: RefCell::new(None),
        },
        |m| &m.this,
    )
}

/// `mortal` without the `peer` field: a leaf, never tracked.
#[derive(Trace)]
#[trace(finalize)]
struct LeafMortal {
    name: &'static str,
    this: RefCell<Weak<LeafMortal>>,
}

impl Finalize for LeafMortal {
    fn finalize(&self) {
        finalize_mortal(self.name, &self.this, "");
    }
}

impl Drop for LeafMortal {
    fn drop(&mut self) {
        log(format!("drop {}", self.name));
    }
}

fn leaf_mortal(name: &'static str) -> Cc<LeafMortal> {
    with_this(
        LeafMortal {
            name,
            this: RefCell::new(Weak::new()),
        },
        |m| &m.this,
    )
}

/// A callback that logs whether its own reference, and `plain`, upgrade.
fn logging_callback<T: Trace>(tag: &'static str, plain: &Weak<T>) -> impl FnOnce(&Weak<T>) + 'static {
    let plain = plain.clone();
    move |own: &Weak<T>| {
        log(format!(
            "{tag} (own: {}, plain: {}, same object: {})",
            own.upgrade().is_some(),
            plain.upgrade().is_some(),
            own.ptr_eq(&plain)
        ))
    }
}

/// SPEC §6 by refcount: the finalizer first, while weak references still
/// upgrade; then every reference is dead and the callbacks run, newest
/// first, each once; then the value is dropped.
fn check_refcount_death_order<T: Trace>(obj: Cc<T>, finalize_line: &str, drop_line: &str) {
    let plain = Cc::downgrade(&obj);
    let w1 = Cc::downgrade_with_callback(&obj, logging_callback("cb1", &plain));
    let w2 = Cc::downgrade_with_callback(&obj, logging_callback("cb2", &plain));
    let w2_clone = w2.clone();
    drop(obj);
    assert_eq!(
        take_log(),
        [
            finalize_line,
            "cb2 (own: false, plain: false, same object: true)",
            "cb1 (own: false, plain: false, same object: true)",
            drop_line,
        ]
    );
    assert!(plain.upgrade().is_none() && w1.upgrade().is_none() && w2_clone.upgrade().is_none());
    drop((w1, w2, w2_clone));
    assert!(take_log().is_empty(), "each callback is called once");
}

#[test]
fn refcount_death_runs_finalizer_then_clears_weak_refs_then_callbacks_newest_first_then_drop() {
    fresh();
    check_refcount_death_order(mortal("m"), "finalize m (upgrades: true, peer: -)", "drop m");
    check_refcount_death_order(leaf_mortal("leaf"), "finalize leaf (upgrades: true)", "drop leaf");
}

#[test]
fn callback_of_a_weak_reference_dropped_before_the_referent_is_never_called() {
    fresh();
    let token = Rc::new(());
    let callback_alive = Rc::downgrade(&token);
    let obj = Cc::new(C::default());
    let w = Cc::downgrade_with_callback(&obj, move |_| {
        let _owned = &token;
        log("called");
    });
    let clone = w.clone();
    drop(w);
    assert!(
        callback_alive.upgrade().is_some(),
        "a clone still holds the reference"
    );
    drop(clone);
    assert!(
        callback_alive.upgrade().is_none(),
        "the callback is freed with the last clone"
    );
    drop(obj);
    assert!(take_log().is_empty());
}

#[test]
fn callback_runs_once_while_any_clone_of_its_weak_reference_lives() {
    fresh();
    let obj = mortal("m");
    let w = Cc::downgrade_with_callback(&obj, |w| log(format!("called, alive {}", w.upgrade().is_some())));
    let clones = [w.clone(), w.clone()];
    drop(w);
    drop(obj);
    assert_eq!(
        take_log(),
        [
            "finalize m (upgrades: true, peer: -)",
            "called, alive false",
            "drop m"
        ]
    );
    assert!(clones.iter().all(|w| w.upgrade().is_none()));
}

#[test]
fn callback_and_its_captures_are_freed_after_it_runs() {
    fresh();
    let token = Rc::new(());
    let captured = Rc::downgrade(&token);
    let obj = Cc::new(String::from("x"));
    let w = Cc::downgrade_with_callback(&obj, move |_| {
        let _owned = &token;
    });
    drop(obj);
    assert!(
        captured.upgrade().is_none(),
        "the callback was consumed by its call"
    );
    assert!(w.upgrade().is_none());
}

#[test]
fn finalizer_resurrecting_by_refcount_keeps_callbacks_for_the_real_death() {
    fresh();
    RESURRECT.with(|r| r.set(true));
    let obj = mortal("m");
    let plain = Cc::downgrade(&obj);
    let w = Cc::downgrade_with_callback(&obj, logging_callback("cb", &plain));
    drop(obj);
    assert_eq!(take_log(), ["finalize m (upgrades: true, peer: -)"]);
    let back = plain.upgrade().expect("resurrected");
    assert!(gc::is_finalized(&back));
    assert!(
        w.upgrade().is_some(),
        "the object never died: its weak references live"
    );
    drop(back);

    // The tracked object's finalizer never runs again.
    SURVIVORS.with(|s| s.borrow_mut().clear());
    assert_eq!(
        take_log(),
        ["cb (own: false, plain: false, same object: true)", "drop m"]
    );
    RESURRECT.with(|r| r.set(false));
}

// ---- the order of events in a collection ----------------------------------

#[test]
fn collection_clears_weak_refs_and_runs_callbacks_before_any_finalizer_or_drop() {
    fresh();
    let a = mortal("a");
    let b = mortal("b");
    *a.peer.borrow_mut() = Some(b.clone());
    *b.peer.borrow_mut() = Some(a.clone());
    let (pa, pb) = (Cc::downgrade(&a), Cc::downgrade(&b));
    // Each callback also checks that the other object's reference is dead.
    let wa = Cc::downgrade_with_callback(&a, {
        let pb = pb.clone();
        move |own| {
            log(format!(
                "cb a (own: {}, b: {})",
                own.upgrade().is_some(),
                pb.upgrade().is_some()
            ))
        }
    });
    let wb = Cc::downgrade_with_callback(&b, {
        let pa = pa.clone();
        move |own| {
            log(format!(
                "cb b (own: {}, a: {})",
                own.upgrade().is_some(),
                pa.upgrade().is_some()
            ))
        }
    });
    drop((a, b));
    assert!(take_log().is_empty());
    assert_eq!(gc::collect(), 2);
    let mut log = take_log();
    assert_eq!(log.len(), 6, "{log:?}");
    log[0..2].sort();
    log[2..4].sort();
    log[4..6].sort();
    assert_eq!(
        log,
        [
            "cb a (own: false, b: false)",
            "cb b (own: false, a: false)",
            // Inside the finalizers weak references are dead, but every
            // sibling is intact.
            "finalize a (upgrades: false, peer: b)",
            "finalize b (upgrades: false, peer: a)",
            "drop a",
            "drop b",
        ]
    );
    assert!(pa.upgrade().is_none() && pb.upgrade().is_none());
    drop((wa, wb));
    assert!(take_log().is_empty());
}

// SPEC §5.4: under SAVEALL the weak references to the garbage are cleared
// although the objects stay alive in gc::garbage(); a cleared reference
// never comes back, however often its object is saved again.
#[test]
fn a_weak_reference_cleared_under_saveall_stays_dead_through_many_collections() {
    fresh();
    gc::set_debug(gc::DebugFlags::SAVEALL);
    let obj = class("C");
    let w = Cc::downgrade(&obj);
    drop(obj);
    for round in 0..300 {
        assert_eq!(gc::collect(), 1);
        assert!(
            w.upgrade().is_none(),
            "the weak reference came back in round {round}"
        );
        // Let go of the saved object: the next collection finds it again.
        gc::clear_garbage();
    }
    gc::set_debug(gc::DebugFlags::empty());
    assert_eq!(gc::collect(), 1);
}

// ---- panics in callbacks --------------------------------------------------

/// The object whose callbacks panic in the report test.
#[derive(Trace)]
#[trace(tracked)]
struct Item;

/// Three callbacks on one `Item`, the middle one panicking; the object dies
/// by refcount. Returns what the callbacks logged.
fn die_with_a_panicking_callback() -> Vec<String> {
    let obj = Cc::new(Item);
    let ws = [
        Cc::downgrade_with_callback(&obj, |_| log("callback 1")),
        Cc::downgrade_with_callback(&obj, |_| panic!("callback 2 failed")),
        Cc::downgrade_with_callback(&obj, |_| log("callback 3")),
    ];
    drop(obj); // must not panic
    drop(ws);
    take_log()
}

#[test]
fn panicking_callback_does_not_stop_the_others_nor_propagate() {
    fresh();
    assert_eq!(die_with_a_panicking_callback(), ["callback 3", "callback 1"]);

    // In a collection, too: the collection neither stops nor panics.
    let a = class("A");
    let plain = Cc::downgrade(&a);
    let ws = [
        Cc::downgrade_with_callback(&a, |_| log("callback 1")),
        Cc::downgrade_with_callback(&a, |_| panic!("callback 2 failed")),
        Cc::downgrade_with_callback(&a, |_| log("callback 3")),
    ];
    drop(a);
    let before = gc::stats()[2].collected;
    assert_eq!(gc::collect(), 1);
    assert_eq!(gc::stats()[2].collected - before, 1);
    assert_eq!(take_log(), ["callback 3", "callback 1"]);
    assert!(plain.upgrade().is_none());
    assert!(gc::objects(None).is_empty());
    drop(ws);
}

#[test]
fn panicking_callback_is_reported_on_stderr_as_cpython_does() {
    const NAME: &str = "panicking_callback_is_reported_on_stderr_as_cpython_does";
    if in_child(NAME) {
        println!("log: {:?}", die_with_a_panicking_callback());
        return;
    }
    let (stdout, stderr) = run_child(NAME);
    assert!(
        stdout.contains(r#"log: ["callback 3", "callback 1"]"#),
        "{stdout}"
    );
    let report = "Exception ignored in: <weak reference callback for <weakref::Item object at 0x";
    let (line, rest) = after_report(&stderr, report);
    assert!(
        line.ends_with(">>") && line[..line.len() - 2].chars().all(|c| c.is_ascii_hexdigit()),
        "{stderr}"
    );
    assert!(rest.starts_with("panic: callback 2 failed\n"), "{stderr}");
    assert_eq!(stderr.matches("Exception ignored in:").count(), 1, "{stderr}");
}

// ---- FinalizeTestCase -------------------------------------------------------

/// FinalizeTestCase's `class A: pass`.
#[derive(Trace, Default)]
#[trace(tracked)]
struct A;

/// `def add(x, y, z): res.append(x + y + z); return x + y + z`.
fn add(res: &Rc<RefCell<Vec<i32>>>, x: i32, y: i32, z: i32) -> impl FnOnce() + 'static {
    let res = res.clone();
    move || {
        res.borrow_mut().push(x + y + z);
    }
}

/// What test_finalize checks of a finalizer that was called, detached or
/// whose object died: `f()` does nothing (twice), `peek()` and `detach()`
/// give nothing, and it is not alive.
fn assert_finalizer_is_dead(f: &Finalizer) {
    assert!(!f.call());
    assert!(!f.call());
    assert!(f.peek().is_none());
    assert!(f.detach().is_none());
    assert!(!f.alive());
}

// CPython: test_weakref.py::FinalizeTestCase::test_finalize
// `f()` returns whether the function ran (not its result, 199);
// `peek()` and `detach()` return the object and the function.
#[test]
fn test_finalize() {
    fresh();
    let a = Cc::new(A);

    let res = Rc::new(RefCell::new(Vec::new()));
    let f = weakref::finalize(&a, add(&res, 67, 43, 89));
    assert!(f.alive());
    let peeked = f.peek().expect("peek while alive").downcast::<A>().expect("an A");
    assert!(Cc::ptr_eq(&peeked, &a));
    drop(peeked);
    assert!(f.call());
    assert_finalizer_is_dead(&f);
    assert_eq!(*res.borrow(), [199]);

    let res = Rc::new(RefCell::new(Vec::new()));
    let f = weakref::finalize(&a, add(&res, 67, 43, 89));
    assert!(AnyCc::ptr_eq(&f.peek().unwrap(), &AnyCc::from(a.clone())));
    let func = f.detach().expect("detach returns the function once");
    assert_finalizer_is_dead(&f);
    assert_eq!(*res.borrow(), Vec::<i32>::new());
    func(); // the very function, uncalled until now
    assert_eq!(*res.borrow(), [199]);

    let res = Rc::new(RefCell::new(Vec::new()));
    let f = weakref::finalize(&a, add(&res, 67, 43, 89));
    drop(a);
    gc::collect();
    assert_finalizer_is_dead(&f);
    assert_eq!(*res.borrow(), [199]);
}

/// test_order's body; `kill` makes `a` die (by refcount, or by collection
/// for a cycle).
fn check_order<T: Trace>(a: Cc<T>, kill: impl FnOnce(Cc<T>)) {
    let res: Rc<RefCell<Vec<String>>> = Rc::default();
    let append = |s: &'static str| {
        let res = res.clone();
        move || res.borrow_mut().push(s.to_string())
    };
    let f1 = weakref::finalize(&a, append("f1"));
    let f2 = weakref::finalize(&a, append("f2"));
    let f3 = weakref::finalize(&a, append("f3"));
    let f4 = weakref::finalize(&a, append("f4"));
    let f5 = weakref::finalize(&a, append("f5"));

    // make sure finalizers can keep themselves alive
    drop((f1, f4));

    assert!(f2.alive());
    assert!(f3.alive());
    assert!(f5.alive());

    assert!(f5.detach().is_some());
    assert!(!f5.alive());

    assert!(!f5.call()); // nothing because previously unregistered
    res.borrow_mut().push("A".into());
    assert!(f3.call()); // => res.append('f3')
    assert!(!f3.alive());
    res.borrow_mut().push("B".into());
    assert!(!f3.call()); // nothing because previously called
    res.borrow_mut().push("C".into());
    kill(a);
    // => res.append('f4')
    // => res.append('f2')
    // => res.append('f1')
    assert!(!f2.alive());
    res.borrow_mut().push("D".into());
    assert!(!f2.call()); // nothing because previously called by gc

    assert_eq!(*res.borrow(), ["A", "f3", "B", "C", "f4", "f2", "f1", "D"]);
}

// CPython: test_weakref.py::FinalizeTestCase::test_order
// `del f1, f4` drops the handles; the registry keeps the finalizers.
#[test]
fn test_order() {
    fresh();
    check_order(Cc::new(A), drop);
}

// CPython: test_weakref.py::FinalizeTestCase::test_order (the object dies in
// a collection instead, as on PyPy)
#[test]
fn test_order_in_a_collection() {
    fresh();
    check_order(class("A"), |a| {
        drop(a);
        assert_eq!(gc::collect(), 1);
    });
}

// CPython: test_weakref.py::FinalizeTestCase::test_all_freed
// Python takes weak references to the finalizer and its function; here
// the function owns a token whose weak count tells when it is freed, and
// `getweakrefcount` tells when the registry let go of its reference to
// the object.
#[test]
fn test_all_freed() {
    fresh();
    let a = Cc::new(A);
    let res = Rc::new(RefCell::new(Vec::new()));
    let token = Rc::new(());
    let wr_callback = Rc::downgrade(&token);
    let f = {
        let res = res.clone();
        weakref::finalize(&a, move || {
            let _owned = &token;
            res.borrow_mut().push(123);
        })
    };
    drop(f);
    assert!(
        wr_callback.upgrade().is_some(),
        "the registry keeps the finalizer"
    );
    assert_eq!(weakref::getweakrefcount(&a), 1);

    drop(a);
    assert!(wr_callback.upgrade().is_none());
    assert_eq!(*res.borrow(), [123]);
}

#[test]
fn finalizer_call_and_detach_free_the_registry_entry() {
    fresh();
    let a = Cc::new(A);
    let token = Rc::new(());
    let alive = Rc::downgrade(&token);
    let f = weakref::finalize(&a, move || drop(token));
    assert_eq!(weakref::getweakrefcount(&a), 1);
    assert!(f.call());
    assert!(alive.upgrade().is_none(), "the function is freed after running");
    assert_eq!(
        weakref::getweakrefcount(&a),
        0,
        "the registry's reference is gone"
    );

    let token = Rc::new(());
    let alive = Rc::downgrade(&token);
    let f = weakref::finalize(&a, move || drop(token));
    let func = f.detach().expect("alive");
    assert_eq!(weakref::getweakrefcount(&a), 0);
    assert!(alive.upgrade().is_some(), "the detached function is the caller's");
    drop(func);
    assert!(alive.upgrade().is_none());
    drop(a);
    assert!(!f.alive());
}

#[test]
fn finalizer_debug_and_atexit_flag() {
    fresh();
    let a = Cc::new(A);
    let f: Finalizer = weakref::finalize(&a, || {});
    assert!(f.atexit());
    f.set_atexit(false);
    assert!(!f.atexit());
    assert_eq!(format!("{f:?}"), "Finalizer { alive: true, atexit: false }");
    let g = f.clone();
    assert!(g.call());
    assert_eq!(format!("{f:?}"), "Finalizer { alive: false, atexit: false }");
}

/// run_in_child's finalizers on `cls`: f1, f2 (`atexit` false), f3 (which
/// registers g1, then fails), f4; each pushes what Python prints.
fn register_exit_finalizers<T: Trace>(cls: &Cc<T>, out: &Arc<Mutex<Vec<String>>>) -> [Finalizer; 4] {
    let print = |s: &'static str| {
        let out = out.clone();
        move || out.lock().unwrap().push(s.to_string())
    };
    let error = {
        let (cls, out) = (Cc::downgrade(cls), out.clone());
        move || {
            // Create an atexit finalizer from inside a finalizer called at
            // exit. This should be the next to be run.
            let cls = cls
                .upgrade()
                .expect("cls should stay alive till atexit callbacks run");
            let g1_out = out.clone();
            weakref::finalize(&cls, move || g1_out.lock().unwrap().push("g1".into()));
            out.lock().unwrap().push("f3 error".into());
            panic!("division by zero");
        }
    };
    let f1 = weakref::finalize(cls, print("f1 foobar"));
    let f2 = weakref::finalize(cls, print("f2 foobar"));
    let f3 = weakref::finalize(cls, error);
    let f4 = weakref::finalize(cls, print("f4 foobar"));
    assert!(f1.atexit());
    f2.set_atexit(false);
    assert!(f3.atexit());
    assert!(f4.atexit());
    [f1, f2, f3, f4]
}

// CPython: test_weakref.py::FinalizeTestCase::test_atexit
// Python's exit hook is `weakref::run_exit_finalizers()`, called here:
// newest first, g1 (registered by f3 during the run) next, f2 skipped, the
// panic of f3 reported (not propagated). The object stays alive; f2 runs
// when it dies.
#[test]
fn test_atexit() {
    fresh();
    let cls = Cc::new(A);
    let out = Arc::new(Mutex::new(Vec::new()));
    let [f1, f2, f3, f4] = register_exit_finalizers(&cls, &out);
    weakref::run_exit_finalizers();
    assert_eq!(*out.lock().unwrap(), ["f4 foobar", "f3 error", "g1", "f1 foobar"]);
    assert!(!f1.alive() && !f3.alive() && !f4.alive());
    assert!(f2.alive());
    weakref::run_exit_finalizers();
    assert_eq!(out.lock().unwrap().len(), 4, "exit finalizers run once");
    drop(cls);
    assert_eq!(out.lock().unwrap()[4..], ["f2 foobar"]);
    assert!(!f2.alive());
}

// CPython: test_weakref.py::FinalizeTestCase::test_atexit (the stderr half:
// `ZeroDivisionError` reported)
#[test]
fn test_atexit_reports_the_panic_on_stderr() {
    const NAME: &str = "test_atexit_reports_the_panic_on_stderr";
    if in_child(NAME) {
        let cls = Cc::new(A);
        let out = Arc::new(Mutex::new(Vec::new()));
        let _fs = register_exit_finalizers(&cls, &out);
        weakref::run_exit_finalizers();
        println!("out: {:?}", out.lock().unwrap());
        return;
    }
    let (stdout, stderr) = run_child(NAME);
    assert!(
        stdout.contains(r#"out: ["f4 foobar", "f3 error", "g1", "f1 foobar"]"#),
        "{stdout}"
    );
    let report = "Exception ignored in: <finalize object at 0x";
    let (line, rest) = after_report(&stderr, report);
    assert!(line.ends_with('>'), "{stderr}");
    assert!(rest.starts_with("panic: division by zero\n"), "{stderr}");
    assert_eq!(stderr.matches("Exception ignored in:").count(), 1, "{stderr}");
}

/// The object of the thread-exit test: a self-cycle whose finalizer says
/// when the thread's last collection reached it.
#[derive(Trace)]
#[trace(finalize)]
struct ExitCls {
    me: RefCell<Option<Cc<ExitCls>>>,
    #[trace(skip)]
    out: Arc<Mutex<Vec<String>>>,
}

impl Finalize for ExitCls {
    fn finalize(&self) {
        self.out.lock().unwrap().push("cls finalized".into());
    }
}

// CPython: test_weakref.py::FinalizeTestCase::test_atexit (at a thread's exit)
// Behind the default feature `atexit`, a thread's exit runs its exit
// finalizers, then its last collection. cls is cyclic garbage by then: the
// exit finalizers run first (cls is still alive for them, g1 included), then
// the collection frees cls, which calls f2 (the object died) and then cls's
// own finalizer.
#[test]
fn test_atexit_at_thread_exit() {
    let out = Arc::new(Mutex::new(Vec::new()));
    let thread_out = out.clone();
    thread::spawn(move || {
        gc::disable();
        let cls = Cc::new(ExitCls {
            me: RefCell::new(None),
            out: thread_out.clone(),
        });
        *cls.me.borrow_mut() = Some(cls.clone());
        let _fs = register_exit_finalizers(&cls, &thread_out);
        drop(cls);
        thread_out.lock().unwrap().push("thread returns".into());
    })
    .join()
    .expect("the thread's exit does not panic");
    assert_eq!(
        *out.lock().unwrap(),
        [
            "thread returns",
            "f4 foobar",
            "f3 error",
            "g1",
            "f1 foobar",
            "f2 foobar",
            "cls finalized"
        ]
    );
}

/// A leaf that outlives the collector's teardown in the thread-exit test.
#[derive(Trace)]
struct Immortal;

thread_local! {
    /// Holds the `Immortal` until after the collector's teardown: this
    /// thread-local is registered first, and thread-local destructors run
    /// in reverse order of registration on this platform (SPEC §8: a handle
    /// dropped after the collector's state is torn down).
    static KEEP: RefCell<Option<Cc<Immortal>>> = const { RefCell::new(None) };
}

// Behind `atexit`: a finalizer whose `atexit` is false and whose object
// outlives the thread's exit hook does not run there, but its function is
// dropped there (not leaked); the others run. The object dies afterwards,
// when another thread-local lets go of it, and calls nothing.
#[test]
fn finalizers_not_run_at_thread_exit_are_freed_there() {
    let token = Arc::new(());
    let (in_skipped, in_run) = (token.clone(), token.clone());
    let ran = Arc::new(Mutex::new(Vec::new()));
    let ran_in_thread = ran.clone();
    thread::spawn(move || {
        let obj = Cc::new(Immortal);
        KEEP.with(|k| *k.borrow_mut() = Some(obj.clone()));
        let skipped = {
            let ran = ran_in_thread.clone();
            weakref::finalize(&obj, move || {
                let _owned = &in_skipped;
                ran.lock().unwrap().push("skipped");
            })
        };
        skipped.set_atexit(false);
        let ran = ran_in_thread.clone();
        weakref::finalize(&obj, move || {
            let _owned = &in_run;
            ran.lock().unwrap().push("exit");
        });
        drop(obj);
    })
    .join()
    .expect("the thread's exit does not panic");
    assert_eq!(*ran.lock().unwrap(), ["exit"]);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "both functions were dropped at the thread's exit"
    );
}

#[test]
fn exit_finalizers_registered_by_an_exit_finalizer_run_in_the_same_pass() {
    fresh();
    let obj = Cc::new(A);
    let order: Rc<RefCell<Vec<String>>> = Rc::default();
    let (o, weak_obj) = (order.clone(), Cc::downgrade(&obj));
    let _outer = weakref::finalize(&obj, move || {
        o.borrow_mut().push("outer".into());
        let obj = weak_obj.upgrade().expect("alive");
        let inner_order = o.clone();
        weakref::finalize(&obj, move || inner_order.borrow_mut().push("inner".into()));
        // An atexit=false one registered now is skipped.
        let skipped_order = o.clone();
        weakref::finalize(&obj, move || skipped_order.borrow_mut().push("skipped".into())).set_atexit(false);
    });
    weakref::run_exit_finalizers();
    assert_eq!(*order.borrow(), ["outer", "inner"]);
    drop(obj);
    assert_eq!(*order.borrow(), ["outer", "inner", "skipped"]);
}

#[test]
fn finalize_runs_before_drop_and_sees_weak_references_dead() {
    fresh();
    let obj = mortal("m");
    let plain = Cc::downgrade(&obj);
    let p = plain.clone();
    let _f = weakref::finalize(&obj, move || {
        log(format!("finalize fn (alive: {})", p.upgrade().is_some()))
    });
    drop(obj);
    assert_eq!(
        take_log(),
        [
            "finalize m (upgrades: true, peer: -)",
            "finalize fn (alive: false)",
            "drop m"
        ]
    );
}

#[test]
fn a_panicking_weak_callback_does_not_unwind_through_drop() {
    fresh();
    let obj = leaf_mortal("leaf");
    let w = Cc::downgrade_with_callback(&obj, |_| panic!("in callback"));
    let result = panic::catch_unwind(AssertUnwindSafe(move || drop(obj)));
    assert!(result.is_ok(), "{:?}", result.err().map(|p| panic_message(&*p)));
    assert_eq!(take_log(), ["finalize leaf (upgrades: true)", "drop leaf"]);
    assert!(w.upgrade().is_none());
}

#[derive(Trace)]
struct Looped {
    me: RefCell<Option<Cc<Looped>>>,
}

// Regression (issue 9, bug 3): the weak epoch was 12 bits in the object's
// header, so after 4096 clearings of one live object (each SAVEALL round
// clears its weak references and keeps it) a cleared `Weak` upgraded again.
#[test]
fn a_cleared_weak_never_upgrades_again_however_often_its_object_is_saved() {
    let obj = Cc::new(Looped {
        me: RefCell::new(None),
    });
    *obj.me.borrow_mut() = Some(obj.clone());
    let first = Cc::downgrade(&obj);
    drop(obj);
    gc::set_debug(gc::DebugFlags::SAVEALL);
    for round in 0..5000 {
        assert_eq!(gc::collect(), 1, "round {round}");
        assert!(
            first.upgrade().is_none(),
            "a weak reference cleared in round 0 upgraded in round {round}"
        );
        gc::clear_garbage();
    }
    // A reference made now works until the next clearing.
    assert_eq!(gc::collect(), 1);
    let saved = gc::garbage().pop().unwrap().downcast::<Looped>().ok().unwrap();
    let fresh = Cc::downgrade(&saved);
    assert!(fresh.upgrade().is_some());
    gc::clear_garbage();
    gc::set_debug(gc::DebugFlags::empty());
    *saved.me.borrow_mut() = None;
    drop(saved);
    assert!(fresh.upgrade().is_none() && first.upgrade().is_none());
}

/// A self-cycle that keeps weak references to itself, with callbacks, in
/// places only it owns: a leaf `Cc`, a `Cell`, and an `Rc`.
#[derive(Trace)]
struct Hoarder {
    me: RefCell<Option<Cc<Hoarder>>>,
    in_leaf: Cc<RefCell<Vec<Weak<Hoarder>>>>,
    in_cell: Cell<Option<Weak<Hoarder>>>,
    in_rc: Rc<RefCell<Option<Weak<Hoarder>>>>,
}

// Regression (issue 9, bug 7): a weak reference owned by garbage is trash
// and its callback must not run (CPython's handle_weakrefs) — also when it
// sits behind a leaf `Cc`, a `Cell` or an `Rc` that only the garbage holds.
// The same reference in a tracked field was already skipped.
#[test]
fn callbacks_of_weak_references_owned_by_garbage_do_not_run_wherever_they_sit() {
    let fired = Rc::new(Cell::new(Vec::<&'static str>::new()));
    let h = Cc::new(Hoarder {
        me: RefCell::new(None),
        in_leaf: Cc::new(RefCell::new(Vec::new())),
        in_cell: Cell::new(None),
        in_rc: Rc::new(RefCell::new(None)),
    });
    *h.me.borrow_mut() = Some(h.clone());
    let note = |what: &'static str| {
        let fired = fired.clone();
        move |_: &Weak<Hoarder>| {
            let mut v = fired.take();
            v.push(what);
            fired.set(v);
        }
    };
    h.in_leaf
        .borrow_mut()
        .push(Cc::downgrade_with_callback(&h, note("leaf")));
    h.in_cell.set(Some(Cc::downgrade_with_callback(&h, note("cell"))));
    *h.in_rc.borrow_mut() = Some(Cc::downgrade_with_callback(&h, note("rc")));
    // Held from outside: not trash, so its callback runs.
    let outside = Cc::downgrade_with_callback(&h, note("outside"));
    // A leaf `Cc` that is shared with the outside is not garbage either.
    let shared = Cc::new(RefCell::new(vec![Cc::downgrade_with_callback(
        &h,
        note("shared leaf"),
    )]));
    drop(h);
    let _ = &shared;
    assert_eq!(gc::collect(), 1);
    let mut got = fired.take();
    got.sort();
    assert_eq!(got, ["outside", "shared leaf"]);
    drop(outside);
}

/// What a `Mourner` does with its peer as it is dropped.
type OnDrop = Box<dyn FnOnce(&Cc<Mourner>)>;

#[derive(Trace)]
struct Mourner {
    peer: RefCell<Option<Cc<Mourner>>>,
    #[trace(skip)]
    on_drop: Cell<Option<OnDrop>>,
}

impl Drop for Mourner {
    fn drop(&mut self) {
        let peer = self.peer.borrow_mut().take();
        if let (Some(peer), Some(f)) = (peer, self.on_drop.take()) {
            f(&peer);
        }
    }
}

// Regression (issue 9, bug 6): callbacks registered on a garbage sibling
// from a garbage object's `Drop` never fired; a `weakref::finalize` stayed
// `alive()` after its object was gone, and weak containers counted it.
#[test]
fn callbacks_registered_on_garbage_from_a_drop_fire_once_it_is_gone() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let finalizers: Rc<RefCell<Vec<Finalizer>>> = Rc::default();
    let kept_weaks: Rc<RefCell<Vec<Weak<Mourner>>>> = Rc::default();
    let set: Rc<RefCell<weakref::WeakSet<Mourner>>> = Rc::default();
    let make = |name: &'static str| {
        let (log, finalizers, kept_weaks, set) =
            (log.clone(), finalizers.clone(), kept_weaks.clone(), set.clone());
        Cc::new(Mourner {
            peer: RefCell::new(None),
            on_drop: Cell::new(Some(Box::new(move |peer: &Cc<Mourner>| {
                let l = log.clone();
                finalizers.borrow_mut().push(weakref::finalize(peer, move || {
                    l.borrow_mut().push(format!("finalize from {name}"))
                }));
                let l = log.clone();
                kept_weaks
                    .borrow_mut()
                    .push(Cc::downgrade_with_callback(peer, move |_| {
                        l.borrow_mut().push(format!("callback from {name}"))
                    }));
                set.borrow_mut().insert(peer);
            }))),
        })
    };
    let a = make("a");
    let b = make("b");
    *a.peer.borrow_mut() = Some(b.clone());
    *b.peer.borrow_mut() = Some(a.clone());
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    let mut got = log.borrow().clone();
    got.sort();
    assert_eq!(
        got,
        [
            "callback from a",
            "callback from b",
            "finalize from a",
            "finalize from b"
        ]
    );
    assert!(finalizers.borrow().iter().all(|f| !f.alive()));
    assert_eq!(set.borrow().len(), 0);
    assert_eq!(set.borrow().iter().count(), 0);
}
