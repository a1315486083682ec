//! Behaviour of the cycle collector and of weak references, each test named
//! for what it proves. Every test runs on its own thread, so on its own
//! collector; each starts with [`fresh`] to pin the state it relies on.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;

use cyclegc::{gc, AnyCc, Cc, Trace, Weak};

mod common;
use common::panic_message;

/// The ids of the nodes dropped so far, in drop order.
type Log = Rc<RefCell<Vec<usize>>>;

/// A hook run from `Drop`, with the node being dropped.
type DropHook = Box<dyn FnOnce(&Node)>;

/// A graph node that records its drop, and can run a hook or panic there.
#[derive(Trace)]
struct Node {
    id: usize,
    name: String,
    edges: RefCell<Vec<Cc<Node>>>,
    log: Log,
    panic_on_drop: Cell<bool>,
    #[trace(skip)]
    on_drop: RefCell<Option<DropHook>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.id);
        if let Some(hook) = self.on_drop.get_mut().take() {
            hook(self);
        }
        if self.panic_on_drop.get() {
            panic!("boom from node {}", self.id);
        }
    }
}

fn new_log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

fn node(log: &Log, id: usize) -> Cc<Node> {
    Cc::new(Node {
        id,
        name: format!("n{id}"),
        edges: RefCell::new(Vec::new()),
        log: log.clone(),
        panic_on_drop: Cell::new(false),
        on_drop: RefCell::new(None),
    })
}

fn link(from: &Cc<Node>, to: &Cc<Node>) {
    from.edges.borrow_mut().push(to.clone());
}

fn set_hook(n: &Cc<Node>, hook: impl FnOnce(&Node) + 'static) {
    *n.on_drop.borrow_mut() = Some(Box::new(hook));
}

/// Nodes `first..first + n` linked into a ring; returns the handles.
fn ring(log: &Log, first: usize, n: usize) -> Vec<Cc<Node>> {
    let nodes: Vec<Cc<Node>> = (first..first + n).map(|i| node(log, i)).collect();
    for i in 0..n {
        link(&nodes[i], &nodes[(i + 1) % n]);
    }
    nodes
}

/// How many times each of the ids `0..n` was dropped.
fn drop_counts(log: &Log, n: usize) -> Vec<usize> {
    let mut counts = vec![0; n];
    for &id in log.borrow().iter() {
        counts[id] += 1;
    }
    counts
}

fn sorted_log(log: &Log) -> Vec<usize> {
    let mut v = log.borrow().clone();
    v.sort_unstable();
    v
}

/// Automatic collection on, CPython 3.12's thresholds, nothing left over.
fn fresh() {
    gc::enable();
    gc::set_threshold(700, 10, 10);
    gc::collect();
    assert_eq!(gc::count(), (0, 0, 0));
}

/// `(collections, collected)` per generation gained between two snapshots.
fn delta(after: [gc::GenerationStats; 3], before: [gc::GenerationStats; 3]) -> [(usize, usize); 3] {
    [0, 1, 2].map(|g| {
        assert_eq!(after[g].uncollectable, 0);
        (
            after[g].collections - before[g].collections,
            after[g].collected - before[g].collected,
        )
    })
}

/// A new three-node cycle is found and freed by `collect()`, each node once.
fn assert_collector_works() {
    let log = new_log();
    drop(ring(&log, 0, 3));
    assert_eq!(gc::collect(), 3);
    assert_eq!(drop_counts(&log, 3), [1, 1, 1]);
    assert_eq!(gc::collect(), 0);
}

// ---- what a collection frees and what it keeps ------------------------------

#[test]
fn every_member_of_a_collected_cycle_is_dropped_exactly_once() {
    fresh();
    let log = new_log();
    // A 100-node ring.
    drop(ring(&log, 0, 100));
    // 200 nodes with a ring through them (so each is cyclic garbage) plus
    // 600 pseudo-random edges, self-loops and duplicate edges included.
    let dense = ring(&log, 100, 200);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..600 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let from = (x % 200) as usize;
        let to = ((x >> 32) % 200) as usize;
        link(&dense[from], &dense[to]);
    }
    drop(dense);
    assert!(log.borrow().is_empty());
    assert_eq!(gc::collect(), 300);
    assert_eq!(drop_counts(&log, 300), vec![1; 300]);
    assert_eq!(gc::collect(), 0);
    assert_eq!(log.borrow().len(), 300);
}

#[test]
fn an_externally_referenced_cycle_and_all_it_reaches_survive_intact_until_released() {
    fresh();
    let log = new_log();
    // a <-> b, b -> c -> d, d holds an untracked string; we keep only `a`.
    let a = node(&log, 0);
    let b = node(&log, 1);
    let c = node(&log, 2);
    let d = node(&log, 3);
    link(&a, &b);
    link(&b, &a);
    link(&b, &c);
    link(&c, &d);
    drop((b, c, d));
    for _ in 0..3 {
        assert_eq!(gc::collect_generation(0), 0);
        assert_eq!(gc::collect_generation(1), 0);
        assert_eq!(gc::collect(), 0);
    }
    assert!(log.borrow().is_empty());
    // Every value is intact and reachable.
    let b = a.edges.borrow()[0].clone();
    assert_eq!(b.name, "n1");
    assert!(Cc::ptr_eq(&b.edges.borrow()[0], &a));
    let c = b.edges.borrow()[1].clone();
    assert_eq!(c.name, "n2");
    assert_eq!(c.edges.borrow()[0].name, "n3");
    assert!(gc::is_tracked(&c.edges.borrow()[0]));
    drop((b, c));

    drop(a);
    assert_eq!(gc::collect(), 4);
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
    assert_eq!(gc::collect(), 0);
}

#[test]
fn objects_reachable_only_from_an_older_survivor_survive_a_young_collection() {
    fresh();
    let log = new_log();
    let old = node(&log, 0);
    assert_eq!(gc::collect(), 0); // `old` is in generation 2 now
                                  // A young cycle y <-> z referenced only by `old`.
    let y = node(&log, 1);
    let z = node(&log, 2);
    link(&y, &z);
    link(&z, &y);
    link(&old, &y);
    drop((y, z));
    assert_eq!(gc::collect_generation(0), 0);
    assert_eq!(gc::collect_generation(0), 0);
    assert_eq!(gc::collect_generation(1), 0);
    assert!(log.borrow().is_empty());
    let y = old.edges.borrow()[0].clone();
    assert_eq!(y.name, "n1");
    assert_eq!(y.edges.borrow()[0].name, "n2");
    drop(y);
    // Released, the old object frees its young ones by refcount, except
    // the cycle, which the next collection finds.
    drop(old);
    assert_eq!(sorted_log(&log), [0]);
    assert_eq!(gc::collect(), 2);
    assert_eq!(drop_counts(&log, 3), [1, 1, 1]);
}

#[test]
fn a_young_collection_does_not_free_what_unreachable_old_garbage_holds() {
    fresh();
    let log = new_log();
    // `old` is a self-loop moved to generation 2, then dropped: old garbage.
    let old = node(&log, 0);
    link(&old, &old);
    assert_eq!(gc::collect(), 0);
    // Young objects held only by the old garbage.
    let young = node(&log, 1);
    link(&young, &young);
    link(&old, &young);
    drop((old, young));
    assert_eq!(gc::collect_generation(0), 0);
    assert_eq!(gc::collect_generation(1), 0);
    assert!(log.borrow().is_empty());
    assert_eq!(gc::collect(), 2);
    assert_eq!(drop_counts(&log, 2), [1, 1]);
}

#[test]
fn a_mutably_borrowed_refcell_keeps_what_it_holds_alive_until_the_borrow_ends() {
    fresh();
    let log = new_log();
    // a <-> b; we keep `a` and hold `a.edges` mutably borrowed, so the
    // collector cannot see that `a` owns `b`.
    let a = node(&log, 0);
    let b = node(&log, 1);
    link(&a, &b);
    link(&b, &a);
    drop(b);
    // Unrelated cyclic garbage, to show the collection still does its job.
    drop(ring(&log, 2, 2));
    {
        let edges = a.edges.borrow_mut();
        assert_eq!(gc::collect(), 2);
        assert_eq!(sorted_log(&log), [2, 3]);
        assert_eq!(gc::collect_generation(0), 0);
        assert_eq!(gc::collect(), 0);
        // `b`, reachable only through the borrowed cell, is intact.
        assert_eq!(edges[0].name, "n1");
        assert!(Cc::ptr_eq(&edges[0].edges.borrow()[0], &a));
        assert_eq!(sorted_log(&log), [2, 3]);
    }
    // An immutable borrow does not stop tracing.
    {
        let edges = a.edges.borrow();
        assert_eq!(gc::collect(), 0);
        assert_eq!(edges[0].name, "n1");
    }
    drop(a);
    assert_eq!(gc::collect(), 2);
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
}

// ---- user code running during a collection --------------------------------

#[test]
fn a_drop_that_reads_a_dropped_sibling_panics_naming_finalize_and_collect_resumes_it() {
    fresh();
    let log = new_log();
    let nodes = ring(&log, 0, 2);
    for n in &nodes {
        // Dereferences the sibling: fine for the first drop, not for the second.
        set_hook(n, |me| {
            let edges = me.edges.borrow();
            assert!(edges[0].name.starts_with('n'));
        });
    }
    drop(nodes);
    let before = gc::stats();
    let payload = panic::catch_unwind(gc::collect).expect_err("the second Drop must panic");
    let msg = panic_message(&*payload);
    assert!(msg.contains("Finalize"), "{msg}");
    // Both members were dropped, once.
    assert_eq!(drop_counts(&log, 2), [1, 1]);
    assert_eq!(delta(gc::stats(), before), [(0, 0), (0, 0), (1, 2)]);
    // The collector is usable afterwards.
    assert!(gc::is_enabled());
    assert_eq!(gc::count(), (0, 0, 0));
    assert_eq!(gc::collect(), 0);
    assert_collector_works();
}

#[test]
fn try_deref_gives_none_for_a_sibling_the_collector_already_dropped() {
    fresh();
    let log = new_log();
    let seen: Rc<RefCell<Vec<Option<String>>>> = Rc::new(RefCell::new(Vec::new()));
    let nodes = ring(&log, 0, 2);
    for n in &nodes {
        let seen = seen.clone();
        set_hook(n, move |me| {
            let edges = me.edges.borrow();
            seen.borrow_mut()
                .push(Cc::try_deref(&edges[0]).map(|s| s.name.clone()));
        });
    }
    drop(nodes);
    assert_eq!(gc::collect(), 2);
    let mut seen = seen.borrow().clone();
    seen.sort();
    // The first to be dropped saw its sibling intact, the second saw it gone.
    assert!(
        seen == [None, Some("n0".to_string())] || seen == [None, Some("n1".to_string())],
        "{seen:?}"
    );
    assert_eq!(drop_counts(&log, 2), [1, 1]);
}

#[test]
fn a_panic_in_drop_during_a_collection_drops_every_member_then_resumes_and_the_collector_stays_usable() {
    fresh();
    let log = new_log();
    let nodes = ring(&log, 0, 5);
    nodes[2].panic_on_drop.set(true);
    drop(nodes);
    let before = gc::stats();
    let payload = panic::catch_unwind(gc::collect).expect_err("node 2's Drop panics");
    assert_eq!(panic_message(&*payload), "boom from node 2");
    assert_eq!(drop_counts(&log, 5), [1, 1, 1, 1, 1]);
    assert_eq!(delta(gc::stats(), before), [(0, 0), (0, 0), (1, 5)]);

    // Usable: enabled, counts sane, explicit and automatic collections work.
    assert!(gc::is_enabled());
    assert_eq!(gc::count(), (0, 0, 0));
    assert_eq!(gc::threshold(), (700, 10, 10));
    assert_eq!(gc::collect(), 0);
    assert_collector_works();
    gc::set_threshold(10, 10, 10);
    let log = new_log();
    let before = gc::stats();
    for i in 0..11 {
        drop(ring(&log, i, 1));
    }
    // The 11th allocation crossed the threshold: one young collection found
    // the ten earlier self-loops (the 11th was still being built).
    assert_eq!(delta(gc::stats(), before), [(1, 10), (0, 0), (0, 0)]);
    assert_eq!(log.borrow().len(), 10);
}

#[test]
fn two_panicking_drops_in_one_collection_resume_the_first_and_drop_everything() {
    fresh();
    let log = new_log();
    let nodes = ring(&log, 0, 4);
    nodes[1].panic_on_drop.set(true);
    nodes[3].panic_on_drop.set(true);
    drop(nodes);
    let payload = panic::catch_unwind(gc::collect).expect_err("two Drops panic");
    let msg = panic_message(&*payload);
    // The first panic (in drop order) is the one resumed.
    let first_panicker = *log.borrow().iter().find(|&&id| id == 1 || id == 3).unwrap();
    assert_eq!(msg, format!("boom from node {first_panicker}"));
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
    assert_collector_works();
}

#[test]
fn a_drop_during_a_collection_can_allocate_and_keep_handles() {
    fresh();
    gc::set_threshold(1, 10, 10);
    let log = new_log();
    let registry: Rc<RefCell<Vec<Cc<Node>>>> = Rc::new(RefCell::new(Vec::new()));
    let escaped: Rc<RefCell<Vec<Cc<Node>>>> = Rc::new(RefCell::new(Vec::new()));
    let nodes = ring(&log, 0, 2);
    {
        let log = log.clone();
        let registry = registry.clone();
        let escaped = escaped.clone();
        set_hook(&nodes[0], move |me| {
            // A new self-loop, dropped at once: new cyclic garbage.
            let x = node(&log, 2);
            link(&x, &x);
            drop(x);
            // A new object that keeps a clone of the sibling's handle.
            let sibling = me.edges.borrow()[0].clone();
            let y = node(&log, 3);
            link(&y, &sibling);
            registry.borrow_mut().push(y);
            // And a clone kept outside any object.
            escaped.borrow_mut().push(sibling);
        });
    }
    drop(nodes);
    let before = gc::stats();
    // Two allocations with threshold 1, but no collection starts inside one.
    assert_eq!(gc::collect(), 2);
    assert_eq!(delta(gc::stats(), before), [(0, 0), (0, 0), (1, 2)]);
    assert_eq!(sorted_log(&log), [0, 1]);
    assert_eq!(gc::count(), (0, 0, 0));

    // The new objects are tracked...
    let y = registry.borrow()[0].clone();
    assert!(gc::is_tracked(&y));
    assert_eq!(y.name, "n3");
    // ...and the kept handle is a stray one: its value is gone.
    let stray = escaped.borrow()[0].clone();
    assert!(Cc::try_deref(&stray).is_none());
    assert!(!gc::is_tracked(&stray));
    assert!(gc::referents(&stray).is_empty());
    assert!(Cc::ptr_eq(&stray, &y.edges.borrow()[0]));
    assert_eq!(Cc::strong_count(&stray), 3); // y's edge, `escaped`, `stray`
    assert!(Cc::downgrade(&stray).upgrade().is_none());
    drop(y);

    // The self-loop made during the collection is in generation 0: the
    // second allocation from now (count 2 > threshold 1) runs a young
    // collection, which finds it.
    let before = gc::stats();
    let keep1 = node(&log, 4);
    let keep2 = node(&log, 5);
    assert_eq!(delta(gc::stats(), before), [(1, 1), (0, 0), (0, 0)]);
    assert_eq!(sorted_log(&log), [0, 1, 2]);

    // Releasing the holders frees `y` by refcount and the stray block;
    // nothing is dropped twice.
    registry.borrow_mut().clear();
    escaped.borrow_mut().clear();
    drop(stray);
    assert_eq!(sorted_log(&log), [0, 1, 2, 3]);
    drop((keep1, keep2));
    assert_eq!(drop_counts(&log, 6), [1, 1, 1, 1, 1, 1]);
    assert_collector_works();
}

/// What one `Drop` saw of the weak references to every member of its cycle.
struct WeakView {
    id: usize,
    upgraded: Vec<bool>,
    strong: Vec<usize>,
}

#[test]
fn weak_references_to_all_garbage_are_cleared_before_any_value_is_dropped() {
    fresh();
    let log = new_log();
    let nodes = ring(&log, 0, 4);
    let weaks: Rc<Vec<Weak<Node>>> = Rc::new(nodes.iter().map(Cc::downgrade).collect());
    let seen: Rc<RefCell<Vec<WeakView>>> = Rc::new(RefCell::new(Vec::new()));
    for n in &nodes {
        let weaks = weaks.clone();
        let seen = seen.clone();
        set_hook(n, move |me| {
            let upgraded = weaks.iter().map(|w| w.upgrade().is_some()).collect();
            let strong = weaks.iter().map(Weak::strong_count).collect();
            seen.borrow_mut().push(WeakView {
                id: me.id,
                upgraded,
                strong,
            });
        });
    }
    drop(nodes);
    // Before the collection, the garbage is still reachable through weaks.
    assert!(weaks.iter().all(|w| w.upgrade().is_some()));
    assert_eq!(gc::collect(), 4);
    let seen = seen.borrow();
    assert_eq!(seen.len(), 4);
    for view in seen.iter() {
        assert_eq!(view.upgraded, [false; 4], "in node {}'s Drop", view.id);
        assert_eq!(view.strong, [0; 4], "in node {}'s Drop", view.id);
    }
    assert!(weaks.iter().all(|w| w.upgrade().is_none()));
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
}

// ---- statistics, counts, thresholds ---------------------------------------

#[test]
fn stats_count_collections_and_collected_objects_exactly() {
    fresh();
    let log = new_log();
    let s0 = gc::stats();
    // Three two-node cycles and a self-loop in generation 0.
    for i in 0..3 {
        drop(ring(&log, 2 * i, 2));
    }
    drop(ring(&log, 6, 1));
    assert_eq!(gc::collect_generation(0), 7);
    let s1 = gc::stats();
    assert_eq!(delta(s1, s0), [(1, 7), (0, 0), (0, 0)]);

    drop(ring(&log, 7, 2));
    drop(ring(&log, 9, 2));
    assert_eq!(gc::collect_generation(1), 4);
    let s2 = gc::stats();
    assert_eq!(delta(s2, s1), [(0, 0), (1, 4), (0, 0)]);

    assert_eq!(gc::collect(), 0);
    let s3 = gc::stats();
    assert_eq!(delta(s3, s2), [(0, 0), (0, 0), (1, 0)]);

    drop(ring(&log, 11, 3));
    assert_eq!(gc::collect(), 3);
    assert_eq!(delta(gc::stats(), s3), [(0, 0), (0, 0), (1, 3)]);
    assert_eq!(drop_counts(&log, 14), vec![1; 14]);
}

#[test]
fn automatic_collection_keeps_cyclic_garbage_bounded() {
    fresh();
    gc::set_threshold(10, 10, 10);
    assert_eq!(gc::collect(), 0);
    let log = new_log();
    let before = gc::stats();
    const PAIRS: usize = 1000;
    for i in 0..PAIRS {
        drop(ring(&log, 2 * i, 2));
        let created = 2 * (i + 1);
        let undropped = created - log.borrow().len();
        // At most 11 in generation 0, 2 survivors per young collection in
        // generation 1 (11 of them) and in generation 2 (12 of them).
        assert!(undropped <= 57, "{undropped} undropped after {created}");
        assert!(gc::count().0 <= 10);
    }
    // 2000 allocations make floor(2000 / 11) = 181 automatic collections;
    // every 12th is of generation 1, the 133rd of generation 2 (count.2 > 10,
    // and nothing survived the last full collection: long_lived_total = 0).
    let d = delta(gc::stats(), before);
    assert_eq!([d[0].0, d[1].0, d[2].0], [165, 15, 1]);
    assert_eq!(gc::count(), (9, 0, 4));
    let found_automatically = d[0].1 + d[1].1 + d[2].1;
    assert_eq!(found_automatically, log.borrow().len());
    assert_eq!(gc::collect(), 2 * PAIRS - found_automatically);
    assert_eq!(drop_counts(&log, 2 * PAIRS), vec![1; 2 * PAIRS]);
}

#[test]
fn threshold_zero_disables_automatic_collection() {
    fresh();
    gc::set_threshold(0, 10, 10);
    let log = new_log();
    let before = gc::stats();
    for i in 0..5000 {
        drop(ring(&log, 2 * i, 2));
    }
    assert_eq!(gc::stats(), before);
    assert_eq!(gc::count(), (10_000, 0, 0));
    assert!(log.borrow().is_empty());
    assert!(gc::is_enabled());
    assert_eq!(gc::collect(), 10_000);
    assert_eq!(drop_counts(&log, 10_000), vec![1; 10_000]);
}

#[test]
fn disable_stops_automatic_collection_but_collect_still_works() {
    fresh();
    let log = new_log();
    gc::disable();
    assert!(!gc::is_enabled());
    let before = gc::stats();
    for i in 0..500 {
        drop(ring(&log, 2 * i, 2));
    }
    assert_eq!(gc::stats(), before);
    assert_eq!(gc::count(), (1000, 0, 0));
    assert_eq!(gc::collect(), 1000);
    assert_eq!(log.borrow().len(), 1000);

    for i in 500..1000 {
        drop(ring(&log, 2 * i, 2));
    }
    assert_eq!(gc::count(), (1000, 0, 0));
    assert_eq!(log.borrow().len(), 1000);
    // Enabled again, the next tracked allocation (count 1001 > 700) runs a
    // young collection that finds the 1000 objects.
    gc::enable();
    let before = gc::stats();
    let keep = node(&log, 2000);
    assert_eq!(delta(gc::stats(), before), [(1, 1000), (0, 0), (0, 0)]);
    assert_eq!(drop_counts(&log, 2000), vec![1; 2000]);
    drop(keep);
}

#[test]
fn collect_generation_3_panics_with_invalid_generation() {
    fresh();
    let log = new_log();
    let keep = node(&log, 0);
    let payload = panic::catch_unwind(|| gc::collect_generation(3)).expect_err("generation 3 is invalid");
    let msg = panic_message(&*payload);
    assert!(msg.contains("invalid generation"), "{msg}");
    let payload = panic::catch_unwind(|| gc::collect_generation(usize::MAX)).expect_err("invalid");
    assert!(panic_message(&*payload).contains("invalid generation"));
    // Nothing happened.
    assert_eq!(gc::count(), (1, 0, 0));
    assert_collector_works();
    drop(keep);
}

#[test]
fn counts_after_collecting_each_generation_follow_cpython() {
    fresh();
    let log = new_log();
    let keep = node(&log, 0);
    assert_eq!(gc::count(), (1, 0, 0));
    gc::collect_generation(0);
    assert_eq!(gc::count(), (0, 1, 0));
    gc::collect_generation(0);
    assert_eq!(gc::count(), (0, 2, 0));
    gc::collect_generation(1);
    assert_eq!(gc::count(), (0, 0, 1));
    gc::collect_generation(0);
    assert_eq!(gc::count(), (0, 1, 1));
    gc::collect_generation(2);
    assert_eq!(gc::count(), (0, 0, 0));
    // Freeing a tracked object gives its allocation back, never below 0.
    let extra = node(&log, 1);
    assert_eq!(gc::count(), (1, 0, 0));
    drop(extra);
    assert_eq!(gc::count(), (0, 0, 0));
    drop(keep);
    assert_eq!(gc::count(), (0, 0, 0));
}

/// A derived type that can never hold a handle.
#[derive(Trace)]
struct Point {
    x: i64,
    label: String,
}

#[test]
fn leaf_objects_are_untracked_and_not_counted() {
    fresh();
    let i = Cc::new(5_i64);
    let s = Cc::new(String::from("leaf"));
    let bytes = Cc::new(vec![1_u8, 2, 3]);
    let p = Cc::new(Point {
        x: 1,
        label: "p".into(),
    });
    let weak_holder = Cc::new(Weak::<Node>::new()); // a Weak owns no strong handle
    assert!(!gc::is_tracked(&i));
    assert!(!gc::is_tracked(&s));
    assert!(!gc::is_tracked(&bytes));
    assert!(!gc::is_tracked(&p));
    assert!(!gc::is_tracked(&weak_holder));
    assert!(!gc::is_tracked(&AnyCc::from(i.clone())));
    assert_eq!(gc::count(), (0, 0, 0));
    assert_eq!(
        (*i, s.as_str(), bytes.len(), p.x, p.label.as_str()),
        (5, "leaf", 3, 1, "p")
    );
    drop((i, s, bytes, p, weak_holder));
    assert_eq!(gc::count(), (0, 0, 0));
    // A container that can hold handles is tracked and counted.
    let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
    assert!(gc::is_tracked(&list));
    assert_eq!(gc::count(), (1, 0, 0));
}

/// CPython 3.12's long-lived heuristic (SPEC §5.2): generation 2 is collected
/// only when `count.2 > t2` and the objects that survived generation-1
/// collections since the last full one (`long_lived_pending`) are at least a
/// quarter of those that survived it (`long_lived_total`).
///
/// 10_000 live objects survive a full collection: total = 10_000, so a full
/// collection needs pending >= 2500. With thresholds (10, 10, 10) and every new
/// object kept alive, a collection runs every 11 allocations; every 12th is of
/// generation 1 and moves the 132 objects allocated since the previous one to
/// generation 2 (pending += 132, not the size of generation 2). After the 11th
/// generation-1 collection count.2 > 10 but pending = 1452: full collections
/// are skipped until the 19th (pending = 2508), at collection 229, which is
/// allocation 229 * 11 = 2519.
#[test]
fn long_lived_heuristic_delays_full_collections_until_enough_objects_survive() {
    fresh();
    gc::disable();
    let log = new_log();
    let old: Vec<Cc<Node>> = (0..10_000).map(|i| node(&log, i)).collect();
    gc::set_threshold(10, 10, 10);
    gc::enable();
    assert_eq!(gc::collect(), 0);
    let before = gc::stats();

    let mut young = Vec::new();
    let mut allocate_until = |n: usize| {
        while young.len() < n {
            young.push(node(&log, 10_000 + young.len()));
        }
    };
    // Collection 133, where count.2 first exceeds 10: still generation 0.
    allocate_until(133 * 11);
    let d = delta(gc::stats(), before);
    assert_eq!([d[0].0, d[1].0, d[2].0], [122, 11, 0]);
    // Up to collection 228 (the 19th of generation 1): no full collection.
    allocate_until(2518);
    let d = delta(gc::stats(), before);
    assert_eq!([d[0].0, d[1].0, d[2].0], [209, 19, 0]);
    assert_eq!(gc::count(), (10, 0, 19));
    // Collection 229 is the full one.
    allocate_until(2519);
    let d = delta(gc::stats(), before);
    assert_eq!([d[0].0, d[1].0, d[2].0], [209, 19, 1]);
    assert_eq!(gc::count(), (0, 0, 0));
    assert!(log.borrow().is_empty());
    drop(old);
}

// ---- weak references --------------------------------------------------------

#[test]
fn weak_upgrade_gives_none_once_the_last_strong_handle_is_gone() {
    fresh();
    let log = new_log();
    let a = node(&log, 0);
    let w = Cc::downgrade(&a);
    let up = w.upgrade().expect("alive");
    assert!(Cc::ptr_eq(&up, &a));
    assert_eq!(up.name, "n0");
    drop(up);
    // Inside its own Drop (by refcount), the object is already dead to weaks.
    let w2 = w.clone();
    let seen = Rc::new(Cell::new(None));
    let seen2 = seen.clone();
    set_hook(&a, move |_| seen2.set(Some(w2.upgrade().is_some())));
    drop(a);
    assert_eq!(sorted_log(&log), [0]);
    assert_eq!(seen.get(), Some(false));
    assert!(w.upgrade().is_none());
    assert_eq!(w.strong_count(), 0);
    assert_eq!(w.weak_count(), 0);

    // A leaf object too.
    let s = Cc::new(String::from("x"));
    let ws = Cc::downgrade(&s);
    assert_eq!(ws.upgrade().as_deref().map(String::as_str), Some("x"));
    drop(s);
    assert!(ws.upgrade().is_none());
    assert_eq!(ws.strong_count(), 0);
}

#[test]
fn weak_new_never_upgrades_and_equals_only_other_empty_weaks() {
    let w: Weak<Node> = Weak::new();
    assert!(w.upgrade().is_none());
    assert_eq!(w.strong_count(), 0);
    assert_eq!(w.weak_count(), 0);
    assert!(w.ptr_eq(&Weak::new()));
    assert!(w.ptr_eq(&w.clone()));
    assert!(Weak::<Node>::default().upgrade().is_none());
    let log = new_log();
    let a = node(&log, 0);
    let wa = Cc::downgrade(&a);
    assert!(!w.ptr_eq(&wa));
    assert!(!wa.ptr_eq(&w));
    assert_eq!(Cc::weak_count(&a), 1);
}

#[test]
fn weak_and_strong_counts_follow_clones_and_drops() {
    fresh();
    let log = new_log();
    let a = node(&log, 0);
    let other = node(&log, 1);
    assert_eq!((Cc::strong_count(&a), Cc::weak_count(&a)), (1, 0));
    let w1 = Cc::downgrade(&a);
    assert_eq!((Cc::strong_count(&a), Cc::weak_count(&a)), (1, 1));
    let w2 = w1.clone();
    assert_eq!(Cc::weak_count(&a), 2);
    assert_eq!((w1.strong_count(), w1.weak_count()), (1, 2));
    let b = a.clone();
    assert_eq!((w2.strong_count(), w2.weak_count()), (2, 2));
    assert_eq!(Cc::strong_count(&a), 2);
    let up = w2.upgrade().unwrap();
    assert_eq!(Cc::strong_count(&a), 3);
    drop(up);
    drop(w1);
    assert_eq!(Cc::weak_count(&a), 1);
    assert!(w2.ptr_eq(&Cc::downgrade(&a)));
    assert!(!w2.ptr_eq(&Cc::downgrade(&other)));
    assert_eq!(Cc::weak_count(&a), 1);
    drop(b);
    assert_eq!(w2.strong_count(), 1);
    drop(a);
    assert_eq!((w2.strong_count(), w2.weak_count()), (0, 0));
    assert_eq!(sorted_log(&log), [0]);
}

#[test]
fn a_weak_outliving_its_object_does_not_keep_or_redrop_the_value() {
    fresh();
    let log = new_log();
    // By refcount.
    let a = node(&log, 0);
    let wa = Cc::downgrade(&a);
    let wa2 = wa.clone();
    drop(a);
    assert_eq!(sorted_log(&log), [0]); // dropped at death, not at the weak's drop
    drop(wa);
    drop(wa2);
    assert_eq!(sorted_log(&log), [0]);

    // By the collector: the weaks of a cycle outlive it.
    let nodes = ring(&log, 1, 3);
    let weaks: Vec<Weak<Node>> = nodes.iter().map(Cc::downgrade).collect();
    drop(nodes);
    assert_eq!(gc::collect(), 3);
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
    for w in &weaks {
        assert!(w.upgrade().is_none());
        assert_eq!((w.strong_count(), w.weak_count()), (0, 0));
    }
    drop(weaks);
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
    assert_eq!(gc::collect(), 0);
}

// ---- panics while freeing by refcount ---------------------------------------

/// With `std::rc::Rc`, a panic in one `Drop` of a chain still drops the rest
/// of the chain while unwinding (Rust drops a value's fields even when its
/// `Drop::drop` panics). cyclegc's trashcan must not lose that: every value
/// the chain owned is dropped by the time the panic reaches the caller.
#[test]
fn a_panic_while_freeing_a_chain_by_refcount_still_drops_the_rest_of_the_chain() {
    fresh();
    let log = new_log();
    let chain: Vec<Cc<Node>> = (0..4).map(|i| node(&log, i)).collect();
    for i in 0..3 {
        link(&chain[i], &chain[i + 1]);
    }
    chain[1].panic_on_drop.set(true);
    let head = chain[0].clone();
    drop(chain);
    let payload = panic::catch_unwind(AssertUnwindSafe(|| drop(head))).expect_err("node 1 panics");
    assert_eq!(panic_message(&*payload), "boom from node 1");
    assert_eq!(drop_counts(&log, 4), [1, 1, 1, 1]);
}

/// The same inside a collection: a young collection frees an old chain (the
/// garbage held its last handle) whose first `Drop` panics; the rest of the
/// chain must be dropped before `collect_generation` resumes the panic.
#[test]
fn a_panic_while_a_collection_frees_an_old_chain_by_refcount_still_drops_the_rest_of_it() {
    fresh();
    let log = new_log();
    let old1 = node(&log, 1);
    let old2 = node(&log, 2);
    link(&old1, &old2);
    old1.panic_on_drop.set(true);
    assert_eq!(gc::collect(), 0); // the chain is in generation 2
    let young = node(&log, 0);
    link(&young, &young);
    link(&young, &old1);
    drop((old1, old2, young));
    let payload = panic::catch_unwind(|| gc::collect_generation(0)).expect_err("old1 panics");
    assert_eq!(panic_message(&*payload), "boom from node 1");
    assert_eq!(drop_counts(&log, 3), [1, 1, 1]);
}

/// A node that counts its drops in a counter shared across threads.
#[derive(Trace)]
struct SendableCount {
    #[trace(skip)]
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    other: RefCell<Option<Cc<SendableCount>>>,
}

impl Drop for SendableCount {
    fn drop(&mut self) {
        self.drops.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn cycles_a_thread_leaves_behind_are_collected_when_it_exits() {
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let in_thread = drops.clone();
    std::thread::spawn(move || {
        gc::disable();
        let make = || {
            Cc::new(SendableCount {
                drops: in_thread.clone(),
                other: RefCell::new(None),
            })
        };
        let (a, b) = (make(), make());
        *a.other.borrow_mut() = Some(b.clone());
        *b.other.borrow_mut() = Some(a.clone());
    })
    .join()
    .unwrap();
    assert_eq!(drops.load(std::sync::atomic::Ordering::SeqCst), 2);
}

// The first full collection of a heap too big for generation 2's list marks
// the survivors where they are and turns the working list into generation
// 2; survivors and garbage interleaved in it must both come out right.
#[test]
fn a_first_full_collection_of_a_big_mixed_heap_keeps_every_survivor_and_frees_the_rest() {
    gc::disable();
    let log = new_log();
    let n = 2_000;
    let mut kept = Vec::new();
    for i in 0..n {
        let pair = ring(&log, 2 * i, 2);
        if i % 2 == 0 {
            kept.push(pair[0].clone());
        }
    }
    assert_eq!(gc::count().0, 2 * n, "everything still in generation 0");
    assert_eq!(gc::collect(), n, "the pairs nobody holds");
    let mut dropped = sorted_log(&log);
    dropped.dedup();
    let expected: Vec<usize> = (0..n)
        .filter(|i| i % 2 == 1)
        .flat_map(|i| [2 * i, 2 * i + 1])
        .collect();
    assert_eq!(dropped, expected);
    assert_eq!(log.borrow().len(), n, "each dropped once");
    let in_gen2: std::collections::HashSet<usize> = gc::objects(Some(2)).iter().map(AnyCc::id).collect();
    assert_eq!(in_gen2.len(), n, "both members of every kept pair");
    for node in &kept {
        assert!(in_gen2.contains(&Cc::id(node)));
        let peer = node.edges.borrow()[0].clone();
        assert!(in_gen2.contains(&Cc::id(&peer)));
        assert_eq!(peer.name, format!("n{}", peer.id), "intact");
    }
    assert_eq!(gc::collect(), 0, "the survivors are reachable");
    drop(kept);
    assert_eq!(gc::collect(), n);
    assert_eq!(log.borrow().len(), 2 * n);
    gc::enable();
}
