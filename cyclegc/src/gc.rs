//! Python's `gc` module: control and inspect the cycle collector.
//!
//! Each function carries its Python name as a doc alias, so searching the
//! docs for `get_count` finds [`count`]. All of them act on the current
//! thread's collector.
//!
//! ```
//! use std::cell::RefCell;
//! use cyclegc::{gc, Cc, Trace};
//!
//! #[derive(Trace)]
//! struct Node {
//!     next: RefCell<Option<Cc<Node>>>,
//! }
//!
//! let a = Cc::new(Node { next: RefCell::new(None) });
//! *a.next.borrow_mut() = Some(a.clone()); // a self-cycle
//! assert!(gc::is_tracked(&a));
//! drop(a);
//! assert_eq!(gc::collect(), 1);
//! ```

use crate::any::AnyCc;
use crate::cc::Cc;
use crate::collector::{self, with_state, NUM_GENERATIONS};
use crate::raw::{flags, CcBox, GcPtr};
use crate::trace::{Mode, Trace, Tracer};

/// Per-generation statistics, as in Python's `gc.get_stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenerationStats {
    /// How many times this generation was collected.
    pub collections: usize,
    /// Unreachable objects found by those collections.
    pub collected: usize,
    /// Unreachable objects that could not be freed (always 0: cyclegc has
    /// no legacy finalizers; kept for Python's shape).
    pub uncollectable: usize,
}

impl GenerationStats {
    pub(crate) const ZERO: GenerationStats = GenerationStats {
        collections: 0,
        collected: 0,
        uncollectable: 0,
    };
}

mod sealed {
    use std::ptr::NonNull;

    use crate::raw::{Counts, VTable};

    /// A borrowed, type-erased view of one object.
    pub struct ObjRef {
        pub(crate) ptr: NonNull<Counts>,
        pub(crate) vtable: &'static VTable,
    }

    pub trait Sealed {
        fn obj_ref(&self) -> ObjRef;
    }
}

/// A handle the `gc` functions accept as an object: [`Cc<T>`] or [`AnyCc`].
pub trait AsObject: sealed::Sealed {}

impl<T: Trace> sealed::Sealed for Cc<T> {
    fn obj_ref(&self) -> sealed::ObjRef {
        sealed::ObjRef {
            ptr: self.ptr,
            vtable: CcBox::<T>::VTABLE,
        }
    }
}

impl<T: Trace> AsObject for Cc<T> {}

impl sealed::Sealed for AnyCc {
    fn obj_ref(&self) -> sealed::ObjRef {
        sealed::ObjRef {
            ptr: self.ptr,
            vtable: self.vtable,
        }
    }
}

impl AsObject for AnyCc {}

/// The tracked object behind a handle, if its type is tracked at all.
fn tracked(obj: &impl AsObject) -> Option<GcPtr> {
    let o = obj.obj_ref();
    // SAFETY: the handle keeps its block allocated, and a non-leaf block is
    // a tracked one.
    (!o.vtable.is_leaf).then(|| unsafe { GcPtr::new(o.ptr) })
}

/// Runs a full collection and returns the number of unreachable objects
/// it found (and freed). Called while a collection is running (from a
/// `Drop`, say), it returns 0 at once, as in CPython.
///
/// ```
/// use cyclegc::gc;
/// gc::collect(); // nothing to find: 0, or what earlier code left behind
/// assert_eq!(gc::collect(), 0);
/// ```
#[doc(alias = "gc.collect")]
pub fn collect() -> usize {
    collect_generation(NUM_GENERATIONS - 1)
}

/// Collects generations `0..=generation`: Python's `gc.collect(generation)`.
///
/// # Panics
/// If `generation > 2`, with a message containing `invalid generation`.
///
/// ```
/// use cyclegc::gc;
/// gc::collect(); // count becomes (0, 0, 0)
/// gc::collect_generation(0);
/// assert_eq!(gc::count(), (0, 1, 0));
/// ```
#[doc(alias = "gc.collect")]
#[track_caller]
pub fn collect_generation(generation: usize) -> usize {
    assert!(
        generation < NUM_GENERATIONS,
        "invalid generation {generation}: cyclegc has generations 0, 1 and 2"
    );
    with_state(|s| collector::collect(s, generation))
}

/// Turns automatic collection on (the default).
#[doc(alias = "gc.enable")]
pub fn enable() {
    with_state(|s| s.enabled.set(true))
}

/// Turns automatic collection off; [`collect`] still works.
///
/// ```
/// use cyclegc::gc;
/// gc::disable();
/// assert!(!gc::is_enabled());
/// gc::enable();
/// ```
#[doc(alias = "gc.disable")]
pub fn disable() {
    with_state(|s| s.enabled.set(false))
}

/// Whether automatic collection is on: Python's `gc.isenabled()`.
#[doc(alias = "isenabled", alias = "gc.isenabled")]
pub fn is_enabled() -> bool {
    with_state(|s| s.enabled.get())
}

/// Python's `gc.get_count()`: tracked allocations minus frees since the
/// last collection of generation 0, and the collections of generations 0
/// and 1 since the last collection of the next one.
///
/// ```
/// use cyclegc::{gc, Cc};
/// gc::collect();
/// let before = gc::count().0;
/// let keep = Cc::new(vec![Cc::new(1)]); // a Vec of Cc is tracked
/// assert_eq!(gc::count().0, before + 1);
/// # drop(keep);
/// ```
#[doc(alias = "get_count", alias = "gc.get_count")]
pub fn count() -> (usize, usize, usize) {
    with_state(|s| (s.count[0].get(), s.count[1].get(), s.count[2].get()))
}

/// The automatic collection thresholds: Python's `gc.get_threshold()`,
/// `(700, 10, 10)` by default.
#[doc(alias = "get_threshold", alias = "gc.get_threshold")]
pub fn threshold() -> (usize, usize, usize) {
    with_state(|s| (s.threshold[0].get(), s.threshold[1].get(), s.threshold[2].get()))
}

/// Sets the automatic collection thresholds. A collection of generation 0
/// runs when `count.0` exceeds `t0`; `t0 == 0` turns automatic collection
/// off. `t1` and `t2` bound the collections of the younger generation
/// before an older one is collected.
///
/// ```
/// use cyclegc::gc;
/// let old = gc::threshold();
/// gc::set_threshold(5, 10, 10);
/// assert_eq!(gc::threshold(), (5, 10, 10));
/// gc::set_threshold(old.0, old.1, old.2);
/// ```
#[doc(alias = "gc.set_threshold")]
pub fn set_threshold(t0: usize, t1: usize, t2: usize) {
    with_state(|s| {
        s.threshold[0].set(t0);
        s.threshold[1].set(t1);
        s.threshold[2].set(t2);
    })
}

/// Per-generation statistics since the thread started: Python's
/// `gc.get_stats()`.
#[doc(alias = "get_stats", alias = "gc.get_stats")]
pub fn stats() -> [GenerationStats; 3] {
    with_state(|s| [s.stats[0].get(), s.stats[1].get(), s.stats[2].get()])
}

/// Whether the collector tracks the object: `false` for leaf types (which
/// can never own a `Cc`, like `Cc<i64>` or `Cc<String>`) and for objects it
/// has already found unreachable; `true` for every other live object.
///
/// ```
/// use cyclegc::{gc, Cc};
/// assert!(!gc::is_tracked(&Cc::new(3)));
/// assert!(gc::is_tracked(&Cc::new(vec![Cc::new(3)])));
/// ```
#[doc(alias = "gc.is_tracked")]
pub fn is_tracked(obj: &impl AsObject) -> bool {
    tracked(obj).is_some_and(|p| flags::generation(p.flags()) <= flags::PERMANENT)
}

/// The objects `obj` refers to: one strong handle for every `Cc` its
/// `trace` visits, in that order: Python's `gc.get_referents(obj)`. Empty
/// for a leaf object, and for one whose value the collector has dropped.
///
/// ```
/// use cyclegc::{gc, AnyCc, Cc};
/// let leaf = Cc::new(1);
/// let list = Cc::new(vec![leaf.clone()]);
/// let found = gc::referents(&list);
/// assert_eq!(found.len(), 1);
/// assert!(AnyCc::ptr_eq(&found[0], &AnyCc::from(leaf)));
/// ```
#[doc(alias = "get_referents", alias = "gc.get_referents")]
pub fn referents(obj: &impl AsObject) -> Vec<AnyCc> {
    let mut out = Vec::new();
    if let Some(p) = tracked(obj) {
        if p.flags() & flags::VALUE_DROPPED == 0 {
            let mut tracer = Tracer::new(Mode::Referents(&mut out));
            p.trace(&mut tracer);
        }
    }
    out
}
