//! SPEC §5.8: nothing in cyclegc recurses in proportion to the data.
//!
//! CPython's "trashcan" problem: freeing a long chain by reference counting
//! drops the head, whose drop drops the next, and so on; done naively that
//! recursion overflows the stack (`std::rc::Rc` does, long before 10^7).
//! Every test here runs on a thread with an ordinary 8 MiB stack and builds
//! structures far deeper than that stack could hold frames for: a
//! recursive free, trace or drop would crash the test with a stack
//! overflow (which aborts the whole test binary).
//!
//! Timings of each phase are printed to standard error (`-- --nocapture`).
//! The 10^7 structures need about 1.3 GB of memory at peak.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use cyclegc::{gc, AnyCc, Cc, Trace, Tracer, Weak};

mod common;
// `Link`, `RingLink` and `Tick` count their drops.
use common::{count_drop, drops};

/// 10^7, as SPEC §5.8 requires for chains and cycles.
const TEN_MILLION: usize = 10_000_000;
/// 10^6, for the nested containers and the live chain.
const ONE_MILLION: usize = 1_000_000;

/// Runs `f` on a thread with an 8 MiB stack (what SPEC §5.8 promises is
/// enough) and propagates its panic.
fn on_8mib_stack(name: &str, f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(8 << 20)
        .spawn(f)
        .expect("spawning the test thread");
    if let Err(payload) = handle.join() {
        std::panic::resume_unwind(payload);
    }
}

/// Runs `f`, printing how long it took.
fn timed<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let start = Instant::now();
    let r = f();
    eprintln!("deep: {what}: {:.2?}", start.elapsed());
    r
}

/// A minimal tracked node: one `Option<Cc>` (8 bytes thanks to the niche),
/// so 10^7 of them take about 32 bytes each plus the collector's 8-byte
/// generation entry.
struct Link {
    next: Option<Cc<Link>>,
}

// SAFETY: visits the one `Cc` it owns.
unsafe impl Trace for Link {
    fn trace(&self, t: &mut Tracer<'_>) {
        self.next.trace(t);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        count_drop();
    }
}

/// Builds `head -> ... -> tail` of `n` links and returns the head.
fn build_chain(n: usize) -> Cc<Link> {
    let mut head = Cc::new(Link { next: None });
    for _ in 1..n {
        head = Cc::new(Link { next: Some(head) });
    }
    head
}

/// (a) A chain of 10^7 objects freed by reference counting when its head
/// goes: every link is dropped, and without recursion.
#[test]
fn chain_of_ten_million_freed_by_refcount() {
    on_8mib_stack("chain_10m", || {
        // Automatic collection is off while the chain is built: this test
        // is about freeing it, and building 10^7 live objects with it on
        // costs one full collection per so many allocations unless the
        // long-lived heuristic works (see
        // `long_lived_heuristic_limits_full_collections`).
        gc::disable();
        let head = timed("(a) build 10^7 chain", || build_chain(TEN_MILLION));
        gc::enable();
        assert_eq!(drops(), 0, "a live chain lost links while being built");
        assert!(gc::is_tracked(&head));
        let tail_watch = {
            // Walk to the tail iteratively to watch it with a weak handle.
            let mut cur = head.clone();
            while let Some(next) = cur.next.clone() {
                cur = next;
            }
            Cc::downgrade(&cur)
        };
        assert!(tail_watch.upgrade().is_some());

        timed("(a) drop head of 10^7 chain", || drop(head));
        assert_eq!(drops(), TEN_MILLION, "not every link was dropped");
        assert!(tail_watch.upgrade().is_none(), "the tail outlived the chain");
        assert_eq!(gc::collect(), 0, "refcounting left garbage behind");
        assert_eq!(drops(), TEN_MILLION, "a link was dropped twice");
    });
}

/// A node of a ring: the tail must be able to point back to the head after
/// the fact, hence the `RefCell`.
struct RingLink {
    next: RefCell<Option<Cc<RingLink>>>,
}

// SAFETY: visits the one `Cc` it owns.
unsafe impl Trace for RingLink {
    fn trace(&self, t: &mut Tracer<'_>) {
        self.next.trace(t);
    }
}

impl Drop for RingLink {
    fn drop(&mut self) {
        count_drop();
    }
}

/// (b) A cycle of 10^7 objects is found and freed by one `gc::collect()`:
/// tracing, collecting and dropping it run without recursion.
#[test]
fn cycle_of_ten_million_collected() {
    on_8mib_stack("cycle_10m", || {
        // Automatic collection is off while the ring is built: each
        // automatic collection would only move live objects along, and the
        // point here is the one explicit collection below.
        gc::disable();
        let watch = timed("(b) build 10^7 ring", || {
            let tail = Cc::new(RingLink {
                next: RefCell::new(None),
            });
            let mut head = tail.clone();
            for _ in 1..TEN_MILLION {
                head = Cc::new(RingLink {
                    next: RefCell::new(Some(head)),
                });
            }
            let watch: Weak<RingLink> = Cc::downgrade(&tail);
            *tail.next.borrow_mut() = Some(head); // close the ring
            watch
        });
        gc::enable();
        assert_eq!(drops(), 0);
        assert!(watch.upgrade().is_some(), "the ring must outlive its handles");
        assert_eq!(gc::count().0, TEN_MILLION);

        let found = timed("(b) collect 10^7 ring", gc::collect);
        assert_eq!(found, TEN_MILLION, "gc::collect() did not find the whole ring");
        assert_eq!(drops(), TEN_MILLION, "not every ring member was dropped");
        assert!(watch.upgrade().is_none());
        assert_eq!(gc::collect(), 0, "a second collection found garbage again");
        assert_eq!(drops(), TEN_MILLION, "a ring member was dropped twice");
        let stats = gc::stats();
        assert_eq!(stats[2].collected, TEN_MILLION);
    });
}

/// A leaf object with a drop counter, one in every level of the nesting.
struct Tick;

// SAFETY: owns no `Cc`.
unsafe impl Trace for Tick {
    const IS_LEAF: bool = true;
    fn trace(&self, _: &mut Tracer<'_>) {}
}

impl Drop for Tick {
    fn drop(&mut self) {
        count_drop();
    }
}

/// One level of nesting around `inner`, built from the standard containers
/// and type-erased handles, cycling through four shapes so that the
/// trashcan has to go through every kind of owner.
fn wrap(level: usize, inner: AnyCc) -> AnyCc {
    let tick = AnyCc::from(Cc::new(Tick));
    match level % 4 {
        0 => AnyCc::from(Cc::new(RefCell::new(vec![inner, tick]))),
        1 => AnyCc::from(Cc::new((Some(Box::new(inner)), 7_u8, tick))),
        2 => {
            let mut map = HashMap::new();
            map.insert(0_u8, inner);
            map.insert(1_u8, tick);
            AnyCc::from(Cc::new(map))
        }
        _ => AnyCc::from(Cc::new(RefCell::new(Some(vec![tick, inner])))),
    }
}

/// (c) 10^6 levels of nested containers (`Cc<RefCell<Vec<AnyCc>>>` and
/// friends, Python's `[[[...]]]`) freed by reference counting.
#[test]
fn nested_containers_freed_by_refcount() {
    on_8mib_stack("nested_1m", || {
        let innermost = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
        let innermost_watch = Cc::downgrade(&innermost);
        let mut watches = Vec::new();
        let outer = timed("(c) build 10^6 nested containers", || {
            let mut cur = AnyCc::from(innermost);
            for level in 0..ONE_MILLION {
                cur = wrap(level, cur);
                if level % 100_000 == 0 {
                    let shape = cur.clone();
                    assert!(gc::is_tracked(&shape));
                    if let Ok(cc) = shape.downcast::<RefCell<Vec<AnyCc>>>() {
                        watches.push(Cc::downgrade(&cc));
                    }
                }
            }
            cur
        });
        assert_eq!(drops(), 0);
        assert_eq!(gc::collect(), 0, "live nesting was collected");
        assert_eq!(drops(), 0, "live nesting lost a level");
        assert!(!watches.is_empty());
        assert!(watches.iter().all(|w| w.upgrade().is_some()));

        timed("(c) drop 10^6 nested containers", || drop(outer));
        assert_eq!(drops(), ONE_MILLION, "not every level was freed");
        assert!(
            innermost_watch.upgrade().is_none(),
            "the innermost list outlived its owners"
        );
        assert!(watches.iter().all(|w| w.upgrade().is_none()));
        assert_eq!(gc::collect(), 0, "refcounting left garbage behind");
    });
}

/// (d) A chain of 10^6 objects that is live during collections: tracing it
/// must not recurse, and nothing in it may be freed. Then it is freed by
/// reference counting.
#[test]
fn live_chain_survives_collections() {
    on_8mib_stack("live_chain_1m", || {
        // Automatic collection off during the build, so that the whole
        // chain is still in generation 0 for the young collection below.
        gc::disable();
        let head = timed("(d) build 10^6 chain", || build_chain(ONE_MILLION));
        gc::enable();
        assert_eq!(gc::count().0, ONE_MILLION);

        // The chain is reached from the stack through its head only: every
        // link but the head is referenced from inside the collected set,
        // so the collector must follow all 10^6 edges.
        assert_eq!(
            timed("(d) collect_generation(0)", || gc::collect_generation(0)),
            0
        );
        assert_eq!(drops(), 0, "a young collection freed a live link");
        assert_eq!(
            timed("(d) collect_generation(1)", || gc::collect_generation(1)),
            0
        );
        assert_eq!(drops(), 0, "a collection of generation 1 freed a live link");
        assert_eq!(timed("(d) collect()", gc::collect), 0);
        assert_eq!(drops(), 0, "a full collection freed a live link");
        assert_eq!(timed("(d) collect() again", gc::collect), 0);
        assert_eq!(drops(), 0);

        // Still intact: walk it.
        let mut len = 1;
        let mut cur = head.clone();
        while let Some(next) = cur.next.clone() {
            cur = next;
            len += 1;
        }
        drop(cur);
        assert_eq!(len, ONE_MILLION);

        timed("(d) drop head of 10^6 chain", || drop(head));
        assert_eq!(drops(), ONE_MILLION);
        assert_eq!(gc::collect(), 0);
    });
}

/// SPEC §5.2's long-lived heuristic, which is what keeps building a large
/// live structure linear: once a full collection has left `N` survivors,
/// generation 2 is collected automatically only when the objects that
/// survived collections of generation 1 since then exceed `N / 4`
/// (CPython adds the *survivors of each generation-1 collection* to
/// `long_lived_pending`, not the size of generation 2).
#[test]
fn long_lived_heuristic_limits_full_collections() {
    on_8mib_stack("long_lived", || {
        gc::disable();
        let old = build_chain(ONE_MILLION);
        gc::enable();
        assert_eq!(gc::threshold(), (700, 10, 10));
        assert_eq!(gc::collect(), 0);
        // Now long_lived_total = 10^6 and long_lived_pending = 0.
        let full_before = gc::stats()[2].collections;

        // 200_000 live allocations: about 25 collections of generation 1
        // (each with ~7_700 survivors) make count.2 exceed 10 many times,
        // but the survivors, 200_000 at most, stay below 10^6 / 4.
        let mut young = Vec::new();
        timed("200_000 live allocations over 10^6 old objects", || {
            for _ in 0..200_000 {
                young.push(Cc::new(Link { next: None }));
            }
        });
        let stats = gc::stats();
        assert!(
            stats[1].collections >= 20,
            "generation 1 was not collected: {stats:?}"
        );
        assert_eq!(
            stats[2].collections - full_before,
            0,
            "full collections ran although only {} objects survived young collections since the last \
             full one, which left {} survivors (long-lived heuristic, SPEC §5.2): {stats:?}",
            young.len(),
            ONE_MILLION
        );

        // 200_000 more: the survivors now exceed 10^6 / 4, so a full
        // collection runs.
        for _ in 0..200_000 {
            young.push(Cc::new(Link { next: None }));
        }
        let stats = gc::stats();
        assert!(
            stats[2].collections - full_before >= 1,
            "no full collection although 400_000 objects survived young collections: {stats:?}"
        );
        assert_eq!(drops(), 0);
        drop(young);
        drop(old);
        assert_eq!(drops(), ONE_MILLION + 400_000);
    });
}

// (e) A chain of `Box`es inside one value (`Option<Box<Leaf>>`) is dropped
// by Rust's own drop glue, which recurses: that is the user's own problem,
// as it is with `Box` alone, and is not tested here.

/// Runs `f` on a thread with a 256 KiB stack: a recursion of a few
/// thousand frames overflows it.
fn on_256kib_stack(name: &str, f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(256 << 10)
        .spawn(f)
        .expect("spawning the test thread");
    if let Err(payload) = handle.join() {
        std::panic::resume_unwind(payload);
    }
}

/// A node whose *finalizer* lets go of its successor (issue 9, bug 1).
#[derive(Trace)]
#[trace(finalize)]
struct FinalLink {
    next: RefCell<Option<Cc<FinalLink>>>,
}

impl cyclegc::Finalize for FinalLink {
    fn finalize(&self) {
        drop(self.next.borrow_mut().take());
    }
}

impl Drop for FinalLink {
    fn drop(&mut self) {
        count_drop();
    }
}

// Regression: `release` ran the finalizer before checking whether a free
// was already running, so each finalizer's drop of its successor recursed
// (~85k nodes on 8 MiB in release; 10^4 on 256 KiB in debug).
#[test]
fn finalizers_that_drop_their_successor_do_not_recurse() {
    on_256kib_stack("finalizer chain", || {
        let mut head: Option<Cc<FinalLink>> = None;
        for _ in 0..ONE_MILLION {
            head = Some(Cc::new(FinalLink {
                next: RefCell::new(head.take()),
            }));
        }
        drop(head);
        assert_eq!(drops(), ONE_MILLION);
        assert!(gc::objects(None).is_empty());
    });
}

// Regression: a leaf object's weak callback, or `weakref::finalize`
// function, that owns the next leaf object freed it from inside the
// callback's drop, one frame per object (15-20k on 8 MiB).
#[test]
fn leaf_callbacks_that_own_the_next_object_do_not_recurse() {
    on_256kib_stack("leaf callback chain", || {
        let mut first: Option<Cc<u64>> = None;
        let mut keep = Vec::new();
        for i in 0..ONE_MILLION as u64 {
            let obj = Cc::new(i);
            let owned = first.take();
            // the callback owns the previous object: dropping it frees that
            if i % 2 == 0 {
                keep.push(Cc::downgrade_with_callback(&obj, move |_| drop(owned)));
            } else {
                cyclegc::weakref::finalize(&obj, move || drop(owned));
            }
            first = Some(obj);
        }
        drop(first);
        drop(keep);
    });
}
