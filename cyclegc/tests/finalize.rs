//! PEP 442 finalizers (SPEC §7): ports of CPython's
//! `Lib/test/test_finalization.py` and of the resurrection tests of
//! `Lib/test/test_gc.py`, and tests of what Rust adds: finalizers that
//! panic, `SAVEALL`, finalizers that allocate and collect, and siblings
//! read from a finalizer.
//!
//! How Python maps to Rust here:
//! - `__del__` is `Finalize::finalize` (`#[trace(finalize)]`); the teardown
//!   CPython does afterwards (`tp_clear`, dealloc) is the value's `Drop`,
//!   which counts itself in [`drops`];
//! - `id(self)` is the value's address: objects record it in `id_` when
//!   made, and `check_sanity` checks that a finalizer sees the object where
//!   it was made;
//! - `with SimpleBase.test():` is [`run_test`]: automatic collection off,
//!   the lists emptied; at the end the errors a finalizer recorded fail the
//!   test, then, with `_cleaning` set, the survivors are let go of and
//!   collected;
//! - a finalizer resurrects through a handle it can reach. By refcount its
//!   weak reference to itself (`this`) still upgrades; in a collection weak
//!   references to the garbage are already dead, so it clones a `Cc` the
//!   cycle gives it (`ref`, a neighbour's link);
//! - plain weak references to a resurrected object upgrade again, as in
//!   CPython 3.15 (gh-135552); CPython 3.12–3.14 had cleared them, which the
//!   Python tests assert with an "XXX is this desirable?". Weak references
//!   whose callbacks ran stay dead in both.
//!
//! Every test runs on its own thread, so on its own collector.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;
use std::rc::Rc;

use cyclegc::gc::{self, DebugFlags};
use cyclegc::{AnyCc, Cc, Finalize, Trace, Weak};

mod common;
use common::{count_drop, drops, panic_message, reset_drops};

// ---- support ----------------------------------------------------------------

thread_local! {
    /// `NonGCSimpleBase.del_calls`: the ids of the finalized objects.
    static DEL_CALLS: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// `NonGCSimpleBase.survivors`: what finalizers resurrected.
    static SURVIVORS: RefCell<Vec<(usize, AnyCc)>> = const { RefCell::new(Vec::new()) };
    /// `NonGCSimpleBase.errors`: failed sanity checks.
    static ERRORS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// `NonGCSimpleBase._cleaning`: finalizers do nothing.
    static CLEANING: Cell<bool> = const { Cell::new(false) };
    /// Free-form log of the tests that are not ports.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn del_calls() -> Vec<usize> {
    let mut calls = DEL_CALLS.with(|d| d.borrow().clone());
    calls.sort();
    calls
}

fn survivor_ids() -> Vec<usize> {
    let mut ids: Vec<usize> = SURVIVORS.with(|s| s.borrow().iter().map(|(id, _)| *id).collect());
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<usize>) -> Vec<usize> {
    ids.sort();
    ids
}

fn clear_survivors() {
    let survivors = SURVIVORS.with(|s| std::mem::take(&mut *s.borrow_mut()));
    drop(survivors);
}

fn log(entry: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(entry.into()));
}

fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// `NonGCSimpleBase.__del__`: unless cleaning, records the call, checks
/// the object (its address, then `check_sanity`) and runs the side effect.
/// Thread-locals may be gone when the thread's last handles are dropped:
/// that counts as cleaning.
fn on_del(
    id_: usize,
    this: usize,
    check_sanity: impl FnOnce() -> Result<(), String>,
    side_effect: impl FnOnce(),
) {
    if CLEANING.try_with(Cell::get).unwrap_or(true) {
        return;
    }
    DEL_CALLS.with(|d| d.borrow_mut().push(id_));
    let sane = if this == id_ {
        check_sanity()
    } else {
        Err(format!("object {id_:#x} finalized at {this:#x}"))
    };
    match sane {
        Ok(()) => side_effect(),
        Err(e) => ERRORS.with(|errors| errors.borrow_mut().push(e)),
    }
}

/// Keeps `obj` alive in the survivors list.
fn survive<T: Trace>(id_: usize, obj: Cc<T>) {
    SURVIVORS.with(|s| s.borrow_mut().push((id_, AnyCc::from(obj))));
}

/// `with SimpleBase.test():`.
fn run_test(body: impl FnOnce()) {
    gc::disable();
    gc::set_debug(DebugFlags::empty());
    gc::collect();
    DEL_CALLS.with(|d| d.borrow_mut().clear());
    ERRORS.with(|e| e.borrow_mut().clear());
    CLEANING.with(|c| c.set(false));
    reset_drops();
    body();
    let errors = ERRORS.with(|e| std::mem::take(&mut *e.borrow_mut()));
    assert!(errors.is_empty(), "finalizers saw broken objects: {errors:?}");
    CLEANING.with(|c| c.set(true));
    clear_survivors();
    gc::collect();
    DEL_CALLS.with(|d| d.borrow_mut().clear());
    // TestBase.tearDown: none of the tests puts anything in gc.garbage.
    assert!(gc::garbage().is_empty());
    CLEANING.with(|c| c.set(false));
}

/// What the side effect of an object's finalizer does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// `Simple`, `SimpleSelfCycle`, `SimpleChained`: nothing.
    Simple,
    /// `SimpleResurrector` and co.: stores itself in the survivors list.
    Resurrector,
    /// `SuicidalSelfCycle`, `SuicidalChained`: breaks its own links.
    Suicidal,
}

fn address<T>(value: &T) -> usize {
    value as *const T as usize
}

/// Sets an object's `id_` to its value's address, once it has one.
fn with_id<T: Trace>(cc: Cc<T>, id_: impl FnOnce(&T) -> &Cell<usize>) -> Cc<T> {
    id_(&cc).set(Cc::as_ptr(&cc) as usize);
    cc
}

fn id_of<T: Trace>(cc: &Cc<T>) -> usize {
    Cc::as_ptr(cc) as usize
}

/// A resurrected object, found among the tracked objects by its id: in
/// CPython 3.12 the weak references it had when the collection found it
/// are cleared for good, so they cannot lead back to it.
fn tracked_by_id<T: Trace>(id: usize) -> Option<Cc<T>> {
    gc::objects(None)
        .into_iter()
        .filter_map(|o| o.downcast::<T>().ok())
        .find(|cc| id_of(cc) == id)
}

fn stats2() -> (usize, usize) {
    let s = gc::stats()[2];
    (s.collected, s.uncollectable)
}

// ---- SimpleFinalizationTest: no cycle ----------------------------------------

/// Defines `$name`, an object in no cycle that resurrects through a weak
/// reference to itself if its `kind` says so (`Simple` / `NonGC` and their
/// `Resurrector`s), with `$ctor(kind)` to make one; `$attrs` are its
/// `#[trace(..)]` attributes.
macro_rules! acyclic_finalizable {
    ($(#[$attrs:meta])* struct $name:ident, fn $ctor:ident) => {
        #[derive(Trace)]
        $(#[$attrs])*
        struct $name {
            #[trace(skip)]
            kind: Kind,
            id_: Cell<usize>,
            this: RefCell<Weak<$name>>,
        }

        impl Finalize for $name {
            fn finalize(&self) {
                on_del(
                    self.id_.get(),
                    address(self),
                    || Ok(()),
                    || {
                        if self.kind == Kind::Resurrector {
                            let me = self
                                .this
                                .borrow()
                                .upgrade()
                                .expect("a weak self-reference upgrades");
                            survive(self.id_.get(), me);
                        }
                    },
                );
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                count_drop();
            }
        }

        fn $ctor(kind: Kind) -> Cc<$name> {
            let s = with_id(
                Cc::new($name {
                    kind,
                    id_: Cell::new(0),
                    this: RefCell::new(Weak::new()),
                }),
                |s| &s.id_,
            );
            *s.this.borrow_mut() = Cc::downgrade(&s);
            s
        }
    };
}

/// The common part of the tests whose object is finalized once and freed
/// (`test_simple`, `test_non_gc`, `test_simple_suicide`): drops `s`, its
/// only handle, and collects twice. The first collection finalizes it,
/// resurrects nothing and frees it (`wr`, where the test has one, is dead),
/// the second changes nothing; `found` is what the two `gc::collect()`s
/// return, where the test checks it.
fn check_finalized_once_and_freed<T: Trace>(s: Cc<T>, wr: Option<&Weak<T>>, found: Option<[usize; 2]>) {
    let ids = vec![id_of(&s)];
    drop(s);
    let first = gc::collect();
    if let Some([found, _]) = found {
        assert_eq!(first, found);
    }
    assert_eq!(del_calls(), ids);
    assert_eq!(survivor_ids(), []);
    if let Some(wr) = wr {
        assert!(wr.upgrade().is_none());
    }
    assert_eq!(drops(), 1);
    let second = gc::collect();
    if let Some([_, found]) = found {
        assert_eq!(second, found);
    }
    assert_eq!(del_calls(), ids);
    assert_eq!(survivor_ids(), []);
}

acyclic_finalizable! {
    /// `Simple` / `SimpleResurrector`: a tracked object in no cycle.
    #[trace(tracked, finalize)]
    struct Simple,
    fn simple
}

// CPython: test_finalization.py::SimpleFinalizationTest::test_simple
#[test]
fn simple_test_simple() {
    run_test(|| {
        let s = simple(Kind::Simple);
        assert!(gc::is_tracked(&s));
        let wr = Cc::downgrade(&s);
        check_finalized_once_and_freed(s, Some(&wr), None);
    });
}

// CPython: test_finalization.py::SimpleFinalizationTest::test_simple_resurrect
#[test]
fn simple_test_simple_resurrect() {
    let mut wr = Weak::new();
    run_test(|| {
        let s = simple(Kind::Resurrector);
        let ids = vec![id_of(&s)];
        wr = Cc::downgrade(&s);
        drop(s);
        gc::collect();
        assert_eq!(del_calls(), ids);
        assert_eq!(survivor_ids(), ids);
        assert!(wr.upgrade().is_some());
        assert_eq!(drops(), 0);
        clear_survivors();
        gc::collect();
        assert_eq!(del_calls(), ids, "finalized once in its lifetime");
        assert_eq!(survivor_ids(), []);
        assert_eq!(drops(), 1);
    });
    assert!(wr.upgrade().is_none());
}

acyclic_finalizable! {
    /// `NonGC` / `NonGCResurrector`: an object the collector never tracks (a
    /// leaf: it can hold no `Cc`).
    #[trace(finalize)]
    struct NonGc,
    fn non_gc
}

// CPython: test_finalization.py::SimpleFinalizationTest::test_non_gc
#[test]
fn simple_test_non_gc() {
    run_test(|| {
        let s = non_gc(Kind::Simple);
        assert!(!gc::is_tracked(&s));
        check_finalized_once_and_freed(s, None, None);
    });
}

// CPython: test_finalization.py::SimpleFinalizationTest::test_non_gc_resurrect
// An untracked object has nowhere to remember that it was finalized: its
// finalizer runs at every death, and it resurrects every time.
#[test]
fn simple_test_non_gc_resurrect() {
    run_test(|| {
        let s = non_gc(Kind::Resurrector);
        assert!(!gc::is_tracked(&s));
        let ids = vec![id_of(&s)];
        drop(s);
        gc::collect();
        assert_eq!(del_calls(), ids);
        assert_eq!(survivor_ids(), ids);
        assert!(!gc::is_finalized(&SURVIVORS.with(|s| s.borrow()[0].1.clone())));
        clear_survivors();
        gc::collect();
        assert_eq!(del_calls(), [ids.clone(), ids.clone()].concat());
        assert_eq!(survivor_ids(), ids);
        assert_eq!(drops(), 0);
    });
    assert_eq!(drops(), 1, "freed at the end, with cleaning on");
}

// ---- SelfCycleFinalizationTest -----------------------------------------------

/// `SimpleSelfCycle` / `SelfCycleResurrector` / `SuicidalSelfCycle`:
/// `self.ref = self`.
#[derive(Trace)]
#[trace(finalize)]
struct SelfCycle {
    #[trace(skip)]
    kind: Kind,
    id_: Cell<usize>,
    r#ref: RefCell<Option<Cc<SelfCycle>>>,
}

impl Finalize for SelfCycle {
    fn finalize(&self) {
        on_del(
            self.id_.get(),
            address(self),
            || match &*self.r#ref.borrow() {
                Some(r) if ptr::eq(&**r, self) => Ok(()),
                _ => Err(format!("{:#x}: self.ref is not self", self.id_.get())),
            },
            || match self.kind {
                Kind::Simple => {}
                Kind::Resurrector => {
                    let me = self.r#ref.borrow().clone().expect("self.ref");
                    survive(self.id_.get(), me);
                }
                Kind::Suicidal => {
                    let old = self.r#ref.borrow_mut().take();
                    drop(old);
                }
            },
        );
    }
}

impl Drop for SelfCycle {
    fn drop(&mut self) {
        count_drop();
    }
}

fn self_cycle(kind: Kind) -> Cc<SelfCycle> {
    let s = with_id(
        Cc::new(SelfCycle {
            kind,
            id_: Cell::new(0),
            r#ref: RefCell::new(None),
        }),
        |s| &s.id_,
    );
    *s.r#ref.borrow_mut() = Some(s.clone());
    s
}

// CPython: test_finalization.py::SelfCycleFinalizationTest::test_simple
#[test]
fn self_cycle_test_simple() {
    run_test(|| {
        let s = self_cycle(Kind::Simple);
        let wr = Cc::downgrade(&s);
        check_finalized_once_and_freed(s, Some(&wr), Some([1, 0]));
    });
}

// CPython: test_finalization.py::SelfCycleFinalizationTest::test_simple_resurrect
// Test that the finalizer can resurrect the object being finalized. As in
// CPython 3.12–3.14, the weak references it had are cleared for good (3.15
// keeps the plain ones); a weakref with a callback also had its callback run.
#[test]
fn self_cycle_test_simple_resurrect() {
    run_test(|| {
        let s = self_cycle(Kind::Resurrector);
        let ids = vec![id_of(&s)];
        let wr = Cc::downgrade(&s);
        let callbacks = Rc::new(Cell::new(0));
        let calls = callbacks.clone();
        let wr_cb = Cc::downgrade_with_callback(&s, move |_| calls.set(calls.get() + 1));
        drop(s);
        assert_eq!(gc::collect(), 0, "a resurrected object is not counted");
        assert_eq!(del_calls(), ids);
        assert_eq!(survivor_ids(), ids);
        assert!(wr.upgrade().is_none(), "CPython 3.12: cleared for good");
        let back = tracked_by_id::<SelfCycle>(ids[0]).expect("the survivor is tracked again");
        assert!(Cc::downgrade(&back).upgrade().is_some(), "a new weakref works");
        assert!(gc::is_finalized(&back));
        drop(back);
        assert!(wr_cb.upgrade().is_none());
        assert_eq!(callbacks.get(), 1);
        assert_eq!(drops(), 0);
        // When trying to destroy the object a second time, the finalizer
        // isn't called anymore (and the object isn't resurrected).
        clear_survivors();
        assert_eq!(gc::collect(), 1);
        assert_eq!(del_calls(), ids);
        assert_eq!(survivor_ids(), []);
        assert!(wr.upgrade().is_none());
        assert_eq!(callbacks.get(), 1);
        assert_eq!(drops(), 1);
    });
}

// CPython: test_finalization.py::SelfCycleFinalizationTest::test_simple_suicide
// The collector copes with an object that kills its last reference in its
// finalizer.
#[test]
fn self_cycle_test_simple_suicide() {
    run_test(|| {
        let s = self_cycle(Kind::Suicidal);
        let wr = Cc::downgrade(&s);
        check_finalized_once_and_freed(s, Some(&wr), Some([1, 0]));
        assert!(wr.upgrade().is_none());
    });
}

// ---- CycleChainFinalizationTest ----------------------------------------------

/// `SimpleChained` / `ChainedResurrector` / `SuicidalChained`: a ring,
/// `node.left.right is node`.
#[derive(Trace)]
#[trace(finalize)]
struct Chained {
    #[trace(skip)]
    kind: Kind,
    id_: Cell<usize>,
    suicided: Cell<bool>,
    left: RefCell<Option<Cc<Chained>>>,
    right: RefCell<Option<Cc<Chained>>>,
}

fn is_self(link: &Option<Cc<Chained>>, node: &Chained) -> bool {
    link.as_ref().is_some_and(|l| ptr::eq(&**l, node))
}

impl Chained {
    /// `ChainedBase.check_sanity`.
    fn check_sanity(&self) -> Result<(), String> {
        let id_ = self.id_.get();
        if self.suicided.get() {
            if self.left.borrow().is_some() || self.right.borrow().is_some() {
                return Err(format!("{id_:#x}: suicided with links"));
            }
            return Ok(());
        }
        let left = self.left.borrow().clone().ok_or(format!("{id_:#x}: no left"))?;
        if left.suicided.get() {
            if left.right.borrow().is_some() {
                return Err(format!("{id_:#x}: suicided left has a right"));
            }
        } else if !is_self(&left.right.borrow(), self) {
            return Err(format!("{id_:#x}: left.right is not self"));
        }
        let right = self.right.borrow().clone().ok_or(format!("{id_:#x}: no right"))?;
        if right.suicided.get() {
            if right.left.borrow().is_some() {
                return Err(format!("{id_:#x}: suicided right has a left"));
            }
        } else if !is_self(&right.left.borrow(), self) {
            return Err(format!("{id_:#x}: right.left is not self"));
        }
        Ok(())
    }

    /// A handle to itself, through a neighbour that still links back.
    fn me(&self) -> Option<Cc<Chained>> {
        let via_left = self.left.borrow().as_ref().and_then(|l| l.right.borrow().clone());
        let via_right = self.right.borrow().as_ref().and_then(|r| r.left.borrow().clone());
        [via_left, via_right]
            .into_iter()
            .flatten()
            .find(|me| ptr::eq(&**me, self))
    }
}

impl Finalize for Chained {
    fn finalize(&self) {
        on_del(
            self.id_.get(),
            address(self),
            || self.check_sanity(),
            || match self.kind {
                Kind::Simple => {}
                Kind::Resurrector => match self.me() {
                    Some(me) => survive(self.id_.get(), me),
                    None => ERRORS.with(|e| e.borrow_mut().push("a resurrector cannot reach itself".into())),
                },
                Kind::Suicidal => {
                    self.suicided.set(true);
                    let links = (self.left.borrow_mut().take(), self.right.borrow_mut().take());
                    drop(links);
                }
            },
        );
    }
}

impl Drop for Chained {
    fn drop(&mut self) {
        count_drop();
    }
}

/// `build_chain`: `nodes[i].chain(nodes[i-1])` for every i.
fn build_chain(kinds: &[Kind]) -> Vec<Cc<Chained>> {
    let nodes: Vec<Cc<Chained>> = kinds
        .iter()
        .map(|&kind| {
            with_id(
                Cc::new(Chained {
                    kind,
                    id_: Cell::new(0),
                    suicided: Cell::new(false),
                    left: RefCell::new(None),
                    right: RefCell::new(None),
                }),
                |c| &c.id_,
            )
        })
        .collect();
    for i in 0..nodes.len() {
        let left = nodes[(i + nodes.len() - 1) % nodes.len()].clone();
        *left.right.borrow_mut() = Some(nodes[i].clone());
        *nodes[i].left.borrow_mut() = Some(left);
    }
    nodes
}

fn check_non_resurrecting_chain(kinds: &[Kind]) {
    let n = kinds.len();
    run_test(|| {
        let nodes = build_chain(kinds);
        let ids: Vec<usize> = nodes.iter().map(id_of).collect();
        let wrs: Vec<Weak<Chained>> = nodes.iter().map(Cc::downgrade).collect();
        drop(nodes);
        assert_eq!(gc::collect(), n);
        assert_eq!(del_calls(), sorted(ids.clone()));
        assert_eq!(survivor_ids(), []);
        assert!(wrs.iter().all(|wr| wr.upgrade().is_none()));
        assert_eq!(drops(), n);
        assert_eq!(gc::collect(), 0);
        assert_eq!(del_calls(), sorted(ids));
    });
}

/// In every chain of the Python tests each node is reachable from a
/// resurrector once the finalizers ran (suicidal nodes through their
/// neighbours' links), so the whole chain survives its first collection.
fn check_resurrecting_chain(kinds: &[Kind]) {
    let n = kinds.len();
    run_test(|| {
        let nodes = build_chain(kinds);
        let ids: Vec<usize> = nodes.iter().map(id_of).collect();
        let survivors: Vec<usize> = nodes
            .iter()
            .filter(|s| s.kind == Kind::Resurrector)
            .map(id_of)
            .collect();
        let wrs: Vec<Weak<Chained>> = nodes.iter().map(Cc::downgrade).collect();
        drop(nodes);
        assert_eq!(gc::collect(), 0, "all resurrected, directly or transitively");
        assert_eq!(del_calls(), sorted(ids.clone()));
        assert_eq!(survivor_ids(), sorted(survivors));
        // CPython 3.12–3.14: all None ("XXX desirable?"); 3.15: all alive.
        assert!(wrs.iter().all(|wr| wr.upgrade().is_none()));
        for id in &ids {
            assert!(tracked_by_id::<Chained>(*id).is_some(), "{id:#x} survives");
        }
        assert_eq!(drops(), 0);
        clear_survivors();
        assert_eq!(gc::collect(), n);
        assert_eq!(del_calls(), sorted(ids));
        assert_eq!(survivor_ids(), []);
        assert!(wrs.iter().all(|wr| wr.upgrade().is_none()));
        assert_eq!(drops(), n);
    });
}

use Kind::{Resurrector as R, Simple as S, Suicidal as X};

// CPython: test_finalization.py::CycleChainFinalizationTest::test_homogenous
#[test]
fn chain_test_homogenous() {
    check_non_resurrecting_chain(&[S; 3]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_homogenous_resurrect
#[test]
fn chain_test_homogenous_resurrect() {
    check_resurrecting_chain(&[R; 3]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_homogenous_suicidal
#[test]
fn chain_test_homogenous_suicidal() {
    check_non_resurrecting_chain(&[X; 3]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_heterogenous_suicidal_one
#[test]
fn chain_test_heterogenous_suicidal_one() {
    check_non_resurrecting_chain(&[X, S, X, S]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_heterogenous_suicidal_two
#[test]
fn chain_test_heterogenous_suicidal_two() {
    check_non_resurrecting_chain(&[X, X, S, S]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_heterogenous_resurrect_one
#[test]
fn chain_test_heterogenous_resurrect_one() {
    check_resurrecting_chain(&[R, S, R, S]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_heterogenous_resurrect_two
#[test]
fn chain_test_heterogenous_resurrect_two() {
    check_resurrecting_chain(&[R, S, X, R, S, X]);
}

// CPython: test_finalization.py::CycleChainFinalizationTest::test_heterogenous_resurrect_three
#[test]
fn chain_test_heterogenous_resurrect_three() {
    check_resurrecting_chain(&[R, R, S, S, X, X]);
}

// ---- test_gc.py: resurrection ------------------------------------------------

/// test_gc's `class A` (a simple self-loop, no finalizer).
#[derive(Trace)]
struct Loop {
    me: RefCell<Option<Cc<Loop>>>,
}

fn self_loop() -> Cc<Loop> {
    let a = Cc::new(Loop {
        me: RefCell::new(None),
    });
    *a.me.borrow_mut() = Some(a.clone());
    a
}

/// test_gc's `Lazarus(A)` / `Z(A)`: a self-loop whose finalizer counts
/// itself and resurrects.
#[derive(Trace)]
#[trace(finalize)]
struct Lazarus {
    me: RefCell<Option<Cc<Lazarus>>>,
    /// test_resurrection_is_transitive's `laz.cargo`.
    cargo: RefCell<Option<Cc<Cargo>>>,
}

thread_local! {
    static RESURRECTED: Cell<usize> = const { Cell::new(0) };
    static RESURRECTED_INSTANCES: RefCell<Vec<Cc<Lazarus>>> = const { RefCell::new(Vec::new()) };
}

impl Finalize for Lazarus {
    fn finalize(&self) {
        let me = self
            .me
            .borrow()
            .clone()
            .or_else(|| self.cargo.borrow().as_ref().and_then(|c| c.laz.borrow().clone()));
        let _ = RESURRECTED.try_with(|r| r.set(r.get() + 1));
        let _ = RESURRECTED_INSTANCES.try_with(|r| r.borrow_mut().extend(me));
    }
}

impl Drop for Lazarus {
    fn drop(&mut self) {
        count_drop();
    }
}

fn lazarus(self_loop: bool) -> Cc<Lazarus> {
    let l = Cc::new(Lazarus {
        me: RefCell::new(None),
        cargo: RefCell::new(None),
    });
    if self_loop {
        *l.me.borrow_mut() = Some(l.clone());
    }
    l
}

// CPython: test_gc.py::GCTests::test_resurrection_only_happens_once_per_object
#[test]
fn test_resurrection_only_happens_once_per_object() {
    gc::collect();
    gc::disable();

    // We start with 0 resurrections
    let laz = lazarus(true);
    assert_eq!(RESURRECTED.with(Cell::get), 0);

    // Deleting the instance and triggering a collection resurrects the object
    drop(laz);
    assert_eq!(gc::collect(), 0);
    assert_eq!(RESURRECTED.with(Cell::get), 1);
    assert_eq!(RESURRECTED_INSTANCES.with(|r| r.borrow().len()), 1);

    // Clearing the references and forcing a collection should not
    // resurrect the object again.
    RESURRECTED_INSTANCES.with(|r| r.borrow_mut().clear());
    assert_eq!(RESURRECTED.with(Cell::get), 1);
    assert_eq!(gc::collect(), 1);
    assert_eq!(RESURRECTED.with(Cell::get), 1);
    assert_eq!(drops(), 1);
}

/// test_resurrection_is_transitive's `class Cargo`: a self-loop, also
/// pointing back at its Lazarus.
#[derive(Trace)]
struct Cargo {
    me: RefCell<Option<Cc<Cargo>>>,
    laz: RefCell<Option<Cc<Lazarus>>>,
}

// CPython: test_gc.py::GCTests::test_resurrection_is_transitive
// Lazarus's finalizer resurrects it (through its cargo, which points back);
// the cargo comes back with it, the same object, intact.
#[test]
fn test_resurrection_is_transitive() {
    gc::collect();
    gc::disable();

    let laz = lazarus(false);
    let cargo = Cc::new(Cargo {
        me: RefCell::new(None),
        laz: RefCell::new(None),
    });
    *cargo.me.borrow_mut() = Some(cargo.clone());
    let cargo_id = Cc::id(&cargo);

    // Create a cycle between cargo and laz
    *laz.cargo.borrow_mut() = Some(cargo.clone());
    *cargo.laz.borrow_mut() = Some(laz.clone());

    // Drop the references, force a collection and check that everything
    // was resurrected.
    drop((laz, cargo));
    assert_eq!(gc::collect(), 0);
    assert_eq!(RESURRECTED_INSTANCES.with(|r| r.borrow().len()), 1);
    let instance = RESURRECTED_INSTANCES.with(|r| r.borrow_mut().pop()).unwrap();
    let cargo = instance
        .cargo
        .borrow()
        .clone()
        .expect("hasattr(instance, 'cargo')");
    assert_eq!(Cc::id(&cargo), cargo_id);
    assert!(
        Cc::ptr_eq(cargo.me.borrow().as_ref().unwrap(), &cargo),
        "the cargo is intact"
    );
    assert!(Cc::ptr_eq(cargo.laz.borrow().as_ref().unwrap(), &instance));
    assert!(gc::is_finalized(&instance));
    assert!(!gc::is_finalized(&cargo), "Cargo has no finalizer");
    assert_eq!(drops(), 0);

    drop((instance, cargo));
    assert_eq!(gc::collect(), 2);
    assert_eq!(RESURRECTED.with(Cell::get), 1);
    assert_eq!(drops(), 1);
}

/// `t = gc.collect(); c, nc = getstats(); assertEqual(t, n);
/// assertEqual(c - oldc, n); assertEqual(nc - oldnc, 0)`: collects, checks
/// that it found `n` objects (and the generation-2 stats grew as much since
/// `(oldc, oldnc)`, none uncollectable), and returns the new stats.
fn collect_and_check_stats((oldc, oldnc): (usize, usize), n: usize) -> (usize, usize) {
    let t = gc::collect();
    let (c, nc) = stats2();
    assert_eq!(t, n);
    assert_eq!(c - oldc, n);
    assert_eq!(nc - oldnc, 0);
    (c, nc)
}

// CPython: test_gc.py::GCTests::test_resurrection_does_not_block_cleanup_of_other_objects
// CPython 3.12 counts each instance's `__dict__` too (2*N); 3.14 and
// cyclegc count the instances (N).
#[test]
fn test_resurrection_does_not_block_cleanup_of_other_objects() {
    const N: usize = 100;
    gc::collect();
    gc::disable();

    // No problems if just collecting A() instances.
    let old = stats2();
    for _ in 0..N {
        drop(self_loop());
    }
    let old = collect_and_check_stats(old, N);

    // But Z() is not actually collected.
    drop(lazarus(true));
    // Nothing is collected - Z() is merely resurrected.
    let old = collect_and_check_stats(old, 0);

    // Z() should not prevent anything else from being collected.
    for _ in 0..N {
        drop(self_loop());
    }
    drop(lazarus(true));
    let old = collect_and_check_stats(old, N);

    // The A() trash should have been reclaimed already but the 2 copies
    // of Z are still in zs.
    assert_eq!(RESURRECTED_INSTANCES.with(|r| r.borrow().len()), 2);
    RESURRECTED_INSTANCES.with(|r| r.borrow_mut().clear());
    collect_and_check_stats(old, 2);
    assert_eq!(RESURRECTED.with(Cell::get), 2);
}

// CPython: test_gc.py::GCTests::test_is_finalized
// `lazarus` is not cyclic: `del lazarus` finalizes it by refcount, and its
// finalizer resurrects it through a weak reference to itself.
#[test]
fn test_is_finalized() {
    // Objects not tracked by the collector say false
    assert!(!gc::is_finalized(&Cc::new(3)));

    let lazarus = simple(Kind::Resurrector);
    assert!(!gc::is_finalized(&lazarus));

    drop(lazarus);
    gc::collect();

    let (_, lazarus) = SURVIVORS.with(|s| s.borrow_mut().pop()).expect("resurrected");
    assert!(gc::is_finalized(&lazarus));
}

// CPython: test_gc.py::GCTests::test_is_finalized (in a collection)
#[test]
fn test_is_finalized_after_resurrection_by_a_collection() {
    let lazarus = lazarus(true);
    assert!(!gc::is_finalized(&lazarus));
    drop(lazarus);
    assert_eq!(gc::collect(), 0);
    let lazarus = RESURRECTED_INSTANCES
        .with(|r| r.borrow_mut().pop())
        .expect("resurrected");
    assert!(gc::is_finalized(&lazarus));
    assert!(gc::is_finalized(&AnyCc::from(lazarus.clone())));
}

/// test_gc's `C1055820`: `self.i = i; self.loop = self`.
#[derive(Trace)]
struct C1055820 {
    i: usize,
    r#loop: RefCell<Option<Cc<C1055820>>>,
}

// CPython: test_gc.py::GCTests::test_bug1055820b
// The callbacks of weak references to cyclic trash run with every such
// reference already dead: a callback cannot materialize a strong reference
// to an object the collector is about to tear down.
#[test]
fn test_bug1055820b() {
    gc::collect();
    let ouch: Rc<RefCell<Vec<Option<usize>>>> = Rc::default();
    let wrs: Rc<RefCell<Vec<Weak<C1055820>>>> = Rc::default();
    let mut cs: Vec<Cc<C1055820>> = (0..2)
        .map(|i| {
            let c = Cc::new(C1055820 {
                i,
                r#loop: RefCell::new(None),
            });
            *c.r#loop.borrow_mut() = Some(c.clone());
            c
        })
        .collect();
    for c in &cs {
        let (ouch, wrs_seen) = (ouch.clone(), Rc::downgrade(&wrs));
        let wr = Cc::downgrade_with_callback(c, move |_| {
            let wrs = wrs_seen.upgrade().expect("WRs lives");
            *ouch.borrow_mut() = wrs.borrow().iter().map(|wr| wr.upgrade().map(|c| c.i)).collect();
        });
        wrs.borrow_mut().push(wr);
    }

    assert_eq!(gc::collect(), 0);
    assert_eq!(ouch.borrow().len(), 0);
    // Make the two instances trash, and collect again.
    cs.clear();
    assert_eq!(gc::collect(), 2);
    assert_eq!(ouch.borrow().len(), 2, "else the callbacks didn't run");
    // The weakref should be cleared before executing the callback.
    assert_eq!(*ouch.borrow(), [None, None]);
}

// ---- resurrection, beyond the ports --------------------------------------------

/// A self-loop whose finalizer logs and, when told, resurrects.
#[derive(Trace)]
#[trace(finalize)]
struct Phoenix {
    name: &'static str,
    me: RefCell<Option<Cc<Phoenix>>>,
    child: RefCell<Option<Cc<Phoenix>>>,
    this: RefCell<Weak<Phoenix>>,
    #[trace(skip)]
    resurrect: Cell<bool>,
}

impl Finalize for Phoenix {
    fn finalize(&self) {
        log(format!("finalize {}", self.name));
        if self.resurrect.get() {
            let me = self
                .me
                .borrow()
                .clone()
                .or_else(|| self.this.borrow().upgrade())
                .expect("a handle to itself");
            let id_ = address(self);
            survive(id_, me);
        }
    }
}

impl Drop for Phoenix {
    fn drop(&mut self) {
        let _ = LOG.try_with(|l| l.borrow_mut().push(format!("drop {}", self.name)));
    }
}

fn phoenix(name: &'static str, resurrect: bool) -> Cc<Phoenix> {
    let p = Cc::new(Phoenix {
        name,
        me: RefCell::new(None),
        child: RefCell::new(None),
        this: RefCell::new(Weak::new()),
        resurrect: Cell::new(resurrect),
    });
    *p.me.borrow_mut() = Some(p.clone());
    *p.this.borrow_mut() = Cc::downgrade(&p);
    p
}

#[test]
fn a_resurrected_object_is_finalized_never_again_even_at_its_refcount_death() {
    let p = phoenix("p", true);
    let id = id_of(&p);
    let plain = Cc::downgrade(&p);
    let cb = Cc::downgrade_with_callback(&p, |_| log("cb before"));
    drop(p);
    let before = gc::stats()[2];
    assert_eq!(gc::collect(), 0);
    let after = gc::stats()[2];
    assert_eq!(
        (after.collections, after.collected),
        (before.collections + 1, before.collected)
    );
    assert_eq!(take_log(), ["cb before", "finalize p"]);
    assert!(
        cb.upgrade().is_none(),
        "a reference whose callback ran stays dead"
    );
    assert!(plain.upgrade().is_none(), "cleared for good, as in CPython 3.12");
    let p = tracked_by_id::<Phoenix>(id).expect("resurrected and tracked again");
    assert!(gc::is_finalized(&p));
    assert!(
        gc::objects(None).iter().any(|o| o.id() == Cc::id(&p)),
        "tracked again"
    );

    // New weak references work as usual; at the refcount death the
    // callback and the drop run, the finalizer does not.
    let fresh_cb = Cc::downgrade_with_callback(&p, |w| log(format!("cb after ({})", w.upgrade().is_some())));
    clear_survivors();
    p.me.borrow_mut().take();
    drop(p);
    assert_eq!(take_log(), ["cb after (false)", "drop p"]);
    assert!(plain.upgrade().is_none() && fresh_cb.upgrade().is_none());
}

#[test]
fn what_a_resurrected_object_reaches_survives_and_the_rest_is_freed() {
    // p resurrects itself and owns q; r and s are a cycle of their own.
    let p = phoenix("p", true);
    let q = phoenix("q", false);
    let r = phoenix("r", false);
    let s = phoenix("s", false);
    for x in [&q, &r, &s] {
        x.me.borrow_mut().take();
    }
    *p.child.borrow_mut() = Some(q.clone());
    *r.child.borrow_mut() = Some(s.clone());
    *s.child.borrow_mut() = Some(r.clone());
    let (idp, idq) = (id_of(&p), id_of(&q));
    let (wp, wq, wr, ws) = (
        Cc::downgrade(&p),
        Cc::downgrade(&q),
        Cc::downgrade(&r),
        Cc::downgrade(&s),
    );
    drop((p, q, r, s));
    let before = gc::stats()[2].collected;
    assert_eq!(gc::collect(), 2, "r and s are freed, p and q survive");
    assert_eq!(gc::stats()[2].collected, before + 2);
    let mut log = take_log();
    assert_eq!(log.len(), 6, "{log:?}");
    log[..4].sort();
    log[4..].sort();
    assert_eq!(
        log,
        [
            "finalize p",
            "finalize q",
            "finalize r",
            "finalize s",
            "drop r",
            "drop s"
        ]
    );
    assert!(
        wp.upgrade().is_none() && wq.upgrade().is_none(),
        "cleared for good"
    );
    let (p, q) = (
        tracked_by_id::<Phoenix>(idp).expect("p survives"),
        tracked_by_id::<Phoenix>(idq).expect("q survives"),
    );
    assert!(Cc::ptr_eq(p.child.borrow().as_ref().unwrap(), &q), "intact");
    assert!(gc::is_finalized(&p) && gc::is_finalized(&q));
    assert!(wr.upgrade().is_none() && ws.upgrade().is_none());
    assert_eq!(survivor_ids(), [Cc::as_ptr(&p) as usize]);
    drop((p, q));

    clear_survivors();
    assert_eq!(gc::collect(), 2);
    let mut log = take_log();
    log.sort();
    assert_eq!(log, ["drop p", "drop q"], "no finalizer runs twice");
}

/// A self-loop whose finalizer makes weak references to itself (one plain,
/// one with a callback), then resurrects itself.
#[derive(Trace)]
#[trace(finalize)]
struct Watcher {
    me: RefCell<Option<Cc<Watcher>>>,
}

thread_local! {
    /// The weak references `Watcher::finalize` made: plain, with callback.
    static WATCHES: RefCell<Vec<Weak<Watcher>>> = const { RefCell::new(Vec::new()) };
}

impl Finalize for Watcher {
    fn finalize(&self) {
        let me = self.me.borrow().clone().expect("self-loop");
        let plain = Cc::downgrade(&me);
        let with_callback = Cc::downgrade_with_callback(&me, |_| log("watcher's callback"));
        WATCHES.with(|w| w.borrow_mut().extend([plain, with_callback]));
        survive(address(self), me);
    }
}

/// A `Watcher` resurrected by a collection, and the weak references its
/// finalizer made to it.
fn resurrected_watcher() -> (Cc<Watcher>, Weak<Watcher>, Weak<Watcher>) {
    let w = Cc::new(Watcher {
        me: RefCell::new(None),
    });
    *w.me.borrow_mut() = Some(w.clone());
    drop(w);
    assert_eq!(gc::collect(), 0);
    let back: Cc<Watcher> = SURVIVORS
        .with(|s| s.borrow_mut().pop())
        .map(|(_, o)| o.downcast().expect("a Watcher"))
        .expect("resurrected");
    let [plain, with_callback]: [Weak<Watcher>; 2] = WATCHES
        .with(|w| std::mem::take(&mut *w.borrow_mut()))
        .try_into()
        .expect("two weak references");
    (back, plain, with_callback)
}

// As in CPython, a weakref that `__del__` creates to the object it
// resurrects is an ordinary weakref afterwards: `wr() is obj` (3.12
// through 3.15; 3.15's gh-91636 clears only those to objects that stay
// unreachable).
#[test]
fn weak_references_a_finalizer_makes_to_the_object_it_resurrects_upgrade_afterwards() {
    let (back, plain, with_callback) = resurrected_watcher();
    assert!(
        plain.upgrade().is_some_and(|o| Cc::ptr_eq(&o, &back)),
        "a plain weak reference made by the finalizer to its resurrected object"
    );
    assert!(
        with_callback.upgrade().is_some_and(|o| Cc::ptr_eq(&o, &back)),
        "a weak reference with a callback made by the finalizer to its resurrected object"
    );
}

// As in CPython, the callback of a weakref that `__del__` created to the
// object it resurrects runs when that object dies for good.
#[test]
fn a_callback_registered_by_a_finalizer_on_the_object_it_resurrects_runs_at_its_death() {
    let (back, plain, with_callback) = resurrected_watcher();
    // Break the self-loop and let the object die by refcount.
    back.me.borrow_mut().take();
    drop(back);
    assert!(plain.upgrade().is_none() && with_callback.upgrade().is_none());
    assert_eq!(take_log(), ["watcher's callback"]);
}

/// A node of a cycle whose finalizer makes a weak reference to its peer,
/// and whose `Drop` tries to upgrade the references the finalizers made.
#[derive(Trace)]
#[trace(finalize)]
struct Stasher {
    name: &'static str,
    peer: RefCell<Option<Cc<Stasher>>>,
}

thread_local! {
    static STASH: RefCell<Vec<Weak<Stasher>>> = const { RefCell::new(Vec::new()) };
}

impl Finalize for Stasher {
    fn finalize(&self) {
        let peer = Cc::downgrade(self.peer.borrow().as_ref().expect("peer"));
        STASH.with(|s| s.borrow_mut().push(peer));
    }
}

impl Drop for Stasher {
    fn drop(&mut self) {
        let stash = STASH.try_with(|s| s.borrow().clone()).unwrap_or_default();
        for w in stash {
            if let Some(other) = w.upgrade() {
                let _ = LOG.try_with(|l| {
                    l.borrow_mut().push(format!(
                        "{}'s drop upgraded a reference to {}",
                        self.name, other.name
                    ))
                });
            }
        }
    }
}

// As in CPython 3.15 (gh-91636), weakrefs that finalizers created to objects
// that stay unreachable are cleared before the garbage is torn down. SPEC
// §6 and `Weak`'s docs: in a collected cycle, no `Drop` can upgrade into
// the garbage; the strong handle it would get is to a value about to be
// dropped (the stray handle of SPEC §5.1).
#[test]
fn weak_references_finalizers_made_to_garbage_are_dead_before_any_drop() {
    gc::disable();
    let a = Cc::new(Stasher {
        name: "a",
        peer: RefCell::new(None),
    });
    let b = Cc::new(Stasher {
        name: "b",
        peer: RefCell::new(Some(a.clone())),
    });
    *a.peer.borrow_mut() = Some(b.clone());
    drop((a, b));
    assert_eq!(gc::collect(), 2);
    assert_eq!(STASH.with(|s| s.borrow().len()), 2, "both finalizers ran");
    assert_eq!(take_log(), Vec::<String>::new());
    assert!(STASH.with(|s| s.borrow().iter().all(|w| w.upgrade().is_none())));
}

// ---- finalizers that read siblings, allocate, collect -----------------------

/// A node of a 3-cycle whose finalizer reads its siblings.
#[derive(Trace)]
#[trace(finalize)]
struct Tri {
    name: String,
    data: Vec<u32>,
    next: RefCell<Option<Cc<Tri>>>,
}

impl Finalize for Tri {
    fn finalize(&self) {
        let next = self.next.borrow().clone().expect("next");
        let after = next.next.borrow().clone().expect("next.next");
        let back = after.next.borrow().clone().expect("next.next.next");
        log(format!(
            "{} sees {} {:?}, {} {:?}, back to self: {}",
            self.name,
            next.name,
            next.data,
            after.name,
            after.data,
            ptr::eq(&*back, self)
        ));
    }
}

impl Drop for Tri {
    fn drop(&mut self) {
        log(format!("drop {}", self.name));
    }
}

#[test]
fn finalizers_of_a_cycle_see_every_sibling_intact() {
    let names = ["a", "b", "c"];
    let nodes: Vec<Cc<Tri>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            Cc::new(Tri {
                name: n.to_string(),
                data: vec![i as u32; i + 1],
                next: RefCell::new(None),
            })
        })
        .collect();
    for i in 0..3 {
        *nodes[i].next.borrow_mut() = Some(nodes[(i + 1) % 3].clone());
    }
    drop(nodes);
    assert_eq!(gc::collect(), 3);
    let mut log = take_log();
    assert_eq!(log.len(), 6, "{log:?}");
    log[..3].sort();
    log[3..].sort();
    assert_eq!(
        log,
        [
            "a sees b [1, 1], c [2, 2, 2], back to self: true",
            "b sees c [2, 2, 2], a [0], back to self: true",
            "c sees a [0], b [1, 1], back to self: true",
            "drop a",
            "drop b",
            "drop c",
        ]
    );
}

/// A self-loop whose finalizer allocates (50 new cycles, left as garbage)
/// and asks for a collection.
#[derive(Trace)]
#[trace(finalize)]
struct Busy {
    me: RefCell<Option<Cc<Busy>>>,
}

impl Finalize for Busy {
    fn finalize(&self) {
        for _ in 0..50 {
            drop(self_loop());
        }
        let nested = gc::collect();
        log(format!("nested collect returned {nested}"));
    }
}

// CPython: test_gc.py::GCTests::test_del (a `__del__` that allocates under
// `set_threshold(1)`, plus an explicit collect inside it)
// A collection never starts inside another: allocations in a finalizer do
// not trigger one, and gc::collect() returns 0 at once.
#[test]
fn a_finalizer_that_allocates_and_collects_during_a_collection() {
    gc::enable();
    gc::set_threshold(1, 10, 10);
    gc::collect();
    let busy = Cc::new(Busy {
        me: RefCell::new(None),
    });
    *busy.me.borrow_mut() = Some(busy.clone());
    drop(busy);
    let collections = || gc::stats().iter().map(|g| g.collections).sum::<usize>();
    let before = collections();
    assert_eq!(gc::collect(), 1);
    assert_eq!(collections(), before + 1, "no collection ran inside");
    assert_eq!(take_log(), ["nested collect returned 0"]);
    gc::disable();
    // What the finalizer left behind is ordinary garbage for the next one.
    assert_eq!(gc::collect(), 50);
    assert!(gc::objects(None).is_empty());
}

/// An object whose finalizer collects; it owns a self-loop.
#[derive(Trace)]
#[trace(finalize)]
struct CollectsWhenFinalized {
    child: RefCell<Option<Cc<Loop>>>,
}

impl Finalize for CollectsWhenFinalized {
    fn finalize(&self) {
        let n = gc::collect();
        log(format!(
            "collect in finalizer: {n}, child alive: {}",
            self.child.borrow().is_some()
        ));
    }
}

impl Drop for CollectsWhenFinalized {
    fn drop(&mut self) {
        log("drop");
    }
}

// A finalizer run by refcount is outside any collection: its collect()
// runs and frees the other garbage, but neither the dying object (held
// for its finalizer) nor what it owns.
#[test]
fn a_finalizer_run_by_refcount_may_collect_other_garbage() {
    gc::disable();
    gc::collect();
    drop(self_loop());
    let c = Cc::new(CollectsWhenFinalized {
        child: RefCell::new(Some(self_loop())),
    });
    let child = Cc::downgrade(c.child.borrow().as_ref().unwrap());
    drop(c);
    assert_eq!(take_log(), ["collect in finalizer: 1, child alive: true", "drop"]);
    assert!(child.upgrade().is_some(), "a self-loop: garbage now");
    assert_eq!(gc::collect(), 1);
    assert!(child.upgrade().is_none());
}

// ---- panics ------------------------------------------------------------------

/// A node of a cycle whose finalizer may panic.
#[derive(Trace)]
#[trace(finalize)]
struct Bomb {
    name: &'static str,
    #[trace(skip)]
    explode: bool,
    next: RefCell<Option<Cc<Bomb>>>,
}

impl Finalize for Bomb {
    fn finalize(&self) {
        log(format!("finalize {}", self.name));
        if self.explode {
            panic!("{} exploded", self.name);
        }
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        let _ = LOG.try_with(|l| l.borrow_mut().push(format!("drop {}", self.name)));
    }
}

fn bomb(name: &'static str, explode: bool) -> Cc<Bomb> {
    Cc::new(Bomb {
        name,
        explode,
        next: RefCell::new(None),
    })
}

// SPEC §5.3: a panic in a finalizer during a collection: the collection
// finishes (every finalizer runs, everything it found is freed), then the
// first panic is resumed to gc::collect()'s caller.
#[test]
fn a_panicking_finalizer_in_a_collection_is_resumed_after_the_collection_completes() {
    gc::disable();
    gc::collect();
    let nodes = [bomb("a", false), bomb("b", true), bomb("c", true)];
    for i in 0..3 {
        *nodes[i].next.borrow_mut() = Some(nodes[(i + 1) % 3].clone());
    }
    let weaks: Vec<Weak<Bomb>> = nodes.iter().map(Cc::downgrade).collect();
    drop(nodes);
    let before = gc::stats()[2];
    let payload = panic::catch_unwind(gc::collect).expect_err("the finalizer's panic reaches the caller");
    assert!(
        ["b exploded", "c exploded"].contains(&panic_message(&*payload).as_str()),
        "{}",
        panic_message(&*payload)
    );
    let after = gc::stats()[2];
    assert_eq!(after.collections, before.collections + 1);
    assert_eq!(after.collected, before.collected + 3);
    let mut log = take_log();
    log[..3].sort();
    log[3..].sort();
    assert_eq!(
        log,
        [
            "finalize a",
            "finalize b",
            "finalize c",
            "drop a",
            "drop b",
            "drop c"
        ]
    );
    assert!(weaks.iter().all(|w| w.upgrade().is_none()));
    // The collector is consistent and usable.
    assert!(gc::objects(None).is_empty());
    assert_eq!(gc::collect(), 0);
    drop(self_loop());
    assert_eq!(gc::collect(), 1);
}

#[test]
fn a_panicking_finalizer_at_a_refcount_death_propagates_after_the_object_is_freed() {
    gc::disable();
    let b = bomb("b", true);
    let plain = Cc::downgrade(&b);
    let cb = Cc::downgrade_with_callback(&b, |w| log(format!("cb ({})", w.upgrade().is_some())));
    let count_before = gc::count().0;
    let payload = panic::catch_unwind(AssertUnwindSafe(|| drop(b))).expect_err("the panic propagates");
    assert_eq!(panic_message(&*payload), "b exploded");
    assert_eq!(take_log(), ["finalize b", "cb (false)", "drop b"]);
    assert!(plain.upgrade().is_none() && cb.upgrade().is_none());
    assert!(gc::objects(None).is_empty(), "untracked and freed");
    assert_eq!(gc::count().0, count_before - 1);
    assert_eq!(gc::collect(), 0);
}

/// A leaf whose finalizer panics.
#[derive(Trace)]
#[trace(finalize)]
struct LeafBomb;

impl Finalize for LeafBomb {
    fn finalize(&self) {
        log("finalize leaf");
        panic!("leaf exploded");
    }
}

impl Drop for LeafBomb {
    fn drop(&mut self) {
        log("drop leaf");
    }
}

#[test]
fn a_panicking_leaf_finalizer_propagates_after_the_object_is_freed() {
    let b = Cc::new(LeafBomb);
    assert!(!gc::is_tracked(&b));
    let cb = Cc::downgrade_with_callback(&b, |_| log("cb"));
    let payload = panic::catch_unwind(AssertUnwindSafe(|| drop(b))).expect_err("the panic propagates");
    assert_eq!(panic_message(&*payload), "leaf exploded");
    assert_eq!(take_log(), ["finalize leaf", "cb", "drop leaf"]);
    assert!(cb.upgrade().is_none());
}

// ---- SAVEALL ------------------------------------------------------------------

// As CPython's DEBUG_SAVEALL: callbacks and `__del__` still run first, the
// objects are then kept in gc.garbage, alive, with their weakrefs dead.
#[test]
fn saveall_runs_callbacks_and_finalizers_then_keeps_the_objects() {
    gc::disable();
    gc::collect();
    let a = phoenix("a", false);
    let b = phoenix("b", false);
    *a.me.borrow_mut() = Some(b.clone());
    *b.me.borrow_mut() = Some(a.clone());
    let (wa, wb) = (Cc::downgrade(&a), Cc::downgrade(&b));
    let cb = Cc::downgrade_with_callback(&a, |_| log("cb a"));
    let (ida, idb) = (Cc::id(&a), Cc::id(&b));
    drop((a, b));

    gc::set_debug(DebugFlags::SAVEALL);
    assert_eq!(gc::collect(), 2);
    let mut log = take_log();
    log[1..].sort();
    assert_eq!(log, ["cb a", "finalize a", "finalize b"], "no drop");
    let garbage = gc::garbage();
    assert_eq!(garbage.iter().map(AnyCc::id).collect::<Vec<_>>(), [ida, idb]);
    assert!(garbage.iter().all(gc::is_finalized));
    assert!(wa.upgrade().is_none() && wb.upgrade().is_none() && cb.upgrade().is_none());
    let a: Cc<Phoenix> = garbage[0].clone().downcast().expect("a Phoenix");
    assert_eq!(a.name, "a");
    assert_eq!(a.me.borrow().as_ref().unwrap().name, "b", "kept intact");
    drop((a, garbage));

    // Collected again: still garbage, no finalizer runs twice.
    gc::set_debug(DebugFlags::empty());
    assert_eq!(gc::collect(), 0, "gc::garbage() holds them");
    gc::clear_garbage();
    assert_eq!(gc::collect(), 2);
    let mut log = take_log();
    log.sort();
    assert_eq!(log, ["drop a", "drop b"]);
}

// --- Finalizers that receive their own handle (`Finalize::finalize_cc`) ---

thread_local! {
    static KEPT_SELVES: RefCell<Vec<Cc<SelfAware>>> = const { RefCell::new(Vec::new()) };
    static SELF_SEEN: Cell<usize> = const { Cell::new(0) };
}

/// Python's `__del__(self)` that stores `self` when told to.
#[derive(Trace)]
#[trace(finalize)]
struct SelfAware {
    me: Weak<SelfAware>,
    peer: RefCell<Option<Cc<SelfAware>>>,
    resurrect: bool,
}

impl Finalize for SelfAware {
    fn finalize_cc(this: &Cc<SelfAware>) {
        SELF_SEEN.with(|n| n.set(n.get() + 1));
        // The handle is the object itself, even where a weak reference to
        // it no longer upgrades (inside a garbage cycle).
        assert!(std::ptr::eq(Cc::as_ptr(this), this.me.as_ptr()));
        if this.resurrect {
            KEPT_SELVES.with(|k| k.borrow_mut().push(this.clone()));
        }
    }
}

fn self_aware(resurrect: bool) -> Cc<SelfAware> {
    Cc::new_cyclic(|me| SelfAware {
        me: me.clone(),
        peer: RefCell::new(None),
        resurrect,
    })
}

#[test]
fn finalize_cc_gets_the_object_on_a_refcount_death_and_may_keep_it() {
    SELF_SEEN.with(|n| n.set(0));
    drop(self_aware(false));
    assert_eq!(SELF_SEEN.with(Cell::get), 1);
    let obj = self_aware(true);
    let weak = obj.me.clone();
    drop(obj);
    assert_eq!(SELF_SEEN.with(Cell::get), 2);
    let back = KEPT_SELVES.with(|k| k.borrow_mut().pop()).expect("resurrected");
    assert!(
        Cc::ptr_eq(&back, &weak.upgrade().unwrap()),
        "the same object, alive"
    );
    drop(back); // finalized once already: freed now without a second call
    assert_eq!(SELF_SEEN.with(Cell::get), 2);
    assert!(weak.upgrade().is_none());
}

#[test]
fn finalize_cc_gets_the_object_inside_a_garbage_cycle() {
    SELF_SEEN.with(|n| n.set(0));
    let a = self_aware(true);
    let b = self_aware(false);
    *a.peer.borrow_mut() = Some(b.clone());
    *b.peer.borrow_mut() = Some(a.clone());
    drop((a, b));
    assert_eq!(gc::collect(), 0, "a resurrected itself, and b through it");
    assert_eq!(SELF_SEEN.with(Cell::get), 2);
    let a = KEPT_SELVES.with(|k| k.borrow_mut().pop()).expect("resurrected");
    assert!(
        a.me.upgrade().is_none(),
        "its old weak references stay cleared, as in CPython"
    );
    assert!(gc::is_finalized(&a));
    *a.peer.borrow_mut() = None;
    drop(a);
    assert_eq!(gc::collect(), 0, "both freed by reference counting");
    assert_eq!(SELF_SEEN.with(Cell::get), 2, "never finalized twice");
}

// `Finalize::has_finalizer`: a value that says it has no finalizer is
// neither finalized nor marked so, at a refcount death or in a collection
// (CPython: an object whose type has no tp_finalize).
#[test]
fn a_value_without_a_finalizer_is_not_finalized() {
    #[derive(Trace)]
    #[trace(finalize)]
    struct Maybe {
        has: bool,
        me: RefCell<Option<Cc<Maybe>>>,
        #[trace(skip)]
        saved: Rc<RefCell<Vec<Cc<Maybe>>>>,
    }
    impl Finalize for Maybe {
        fn has_finalizer(&self) -> bool {
            self.has
        }
        fn finalize_cc(this: &Cc<Maybe>) {
            assert!(this.has, "finalizer called on a value without one");
            this.saved.borrow_mut().push(this.clone()); // resurrect
        }
    }
    let saved = Rc::new(RefCell::new(Vec::new()));
    for has in [false, true] {
        let obj = Cc::new(Maybe {
            has,
            me: RefCell::new(None),
            saved: saved.clone(),
        });
        *obj.me.borrow_mut() = Some(obj.clone());
        drop(obj);
        assert_eq!(gc::collect(), if has { 0 } else { 1 });
    }
    let kept = saved.borrow_mut().pop().unwrap();
    assert!(kept.has && gc::is_finalized(&kept));
    *kept.me.borrow_mut() = None;
    drop(kept);
    // at a refcount death, too
    let plain = Cc::new(Maybe {
        has: false,
        me: RefCell::new(None),
        saved: saved.clone(),
    });
    let w = Cc::downgrade(&plain);
    drop(plain);
    assert!(w.upgrade().is_none() && saved.borrow().is_empty());
}
