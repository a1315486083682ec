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

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::any::AnyCc;
use crate::collector::{self, with_state, State, NUM_GENERATIONS};
use crate::raw::{flags, GcPtr};
use crate::trace::{Mode, Tracer};

/// Per-generation statistics, as in Python's `gc.get_stats()`: one per
/// generation, from [`stats`]. A collection counts in the entry of the
/// oldest generation it collected.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Trace};
///
/// #[derive(Trace)]
/// struct Node {
///     next: RefCell<Option<Cc<Node>>>,
/// }
///
/// let before = gc::stats()[2];
/// let a = Cc::new(Node { next: RefCell::new(None) });
/// *a.next.borrow_mut() = Some(a.clone());
/// drop(a);
/// gc::collect();
/// let after = gc::stats()[2];
/// assert_eq!(after.collections, before.collections + 1);
/// assert_eq!(after.collected, before.collected + 1);
/// assert_eq!(after.uncollectable, 0);
/// ```
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

use crate::object::tracked;
pub use crate::object::AsObject;

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
///
/// ```
/// use cyclegc::gc;
/// gc::disable();
/// // ... code that must not be interrupted by a collection ...
/// gc::enable();
/// assert!(gc::is_enabled());
/// ```
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
///
/// ```
/// use cyclegc::gc;
/// assert!(gc::is_enabled()); // on by default
/// gc::disable();
/// assert!(!gc::is_enabled());
/// gc::enable();
/// ```
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
///
/// ```
/// use cyclegc::gc;
/// let (t0, t1, t2) = gc::threshold();
/// assert!(t0 > 0); // automatic collection is on by default
/// assert_eq!((t1, t2), (10, 10));
/// gc::set_threshold(100, t1, t2);
/// assert_eq!(gc::threshold().0, 100);
/// ```
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
/// `gc.get_stats()`. See [`GenerationStats`].
///
/// ```
/// use cyclegc::gc;
/// let before = gc::stats();
/// gc::collect_generation(0);
/// gc::collect_generation(0);
/// gc::collect();
/// let after = gc::stats();
/// assert_eq!(after[0].collections, before[0].collections + 2);
/// assert_eq!(after[1].collections, before[1].collections);
/// assert_eq!(after[2].collections, before[2].collections + 1);
/// ```
#[doc(alias = "get_stats", alias = "gc.get_stats")]
pub fn stats() -> [GenerationStats; 3] {
    with_state(|s| [s.stats[0].get(), s.stats[1].get(), s.stats[2].get()])
}

/// Stops tracking `obj`: no collection examines it, and
/// [`is_tracked`] says `false`, until [`track`] tracks it again (or it is
/// freed). CPython's `PyObject_GC_UnTrack`, which it applies to tuples and
/// dicts that hold only atomic values: an interpreter does the same to
/// spare the collector objects that cannot be in a cycle right now.
///
/// The object's references still keep what they point to alive, but the
/// collector cannot see them: a cycle through an untracked object is never
/// collected. Track the object again as soon as it may own a reference
/// into a cycle. Returns whether it was tracked; does nothing for a leaf
/// object (never tracked), a frozen one, or one a collection found
/// unreachable.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc};
/// let atoms = Cc::new(RefCell::new(vec![Cc::new(1), Cc::new(2)]));
/// gc::untrack(&atoms);
/// assert!(!gc::is_tracked(&atoms));
/// gc::track(&atoms);
/// assert!(gc::is_tracked(&atoms));
/// ```
#[doc(alias = "PyObject_GC_UnTrack")]
pub fn untrack(obj: &impl AsObject) -> bool {
    let Some(p) = tracked(obj) else { return false };
    let f = p.flags();
    let gen = flags::generation(f);
    if gen > 2 || f & flags::COLLECTING != 0 || p.header().counts.value_dropped() {
        return false;
    }
    with_state(|s| {
        s.gens[gen as usize].borrow_mut().remove(p);
        s.decrement_count0();
    });
    p.set_flags(flags::with_generation(p.flags(), flags::UNTRACKED));
    true
}

/// Tracks again an object that [`untrack`] untracked: it enters generation
/// 0, as a new object does (without starting a collection). Returns
/// whether it was untracked. CPython's `PyObject_GC_Track`.
///
/// ```
/// use cyclegc::{gc, Cc};
/// let list = Cc::new(vec![Cc::new(1)]);
/// assert!(!gc::track(&list)); // already tracked
/// gc::untrack(&list);
/// assert!(gc::track(&list));
/// assert_eq!(gc::objects(Some(0)).iter().filter(|o| o.id() == Cc::id(&list)).count(), 1);
/// ```
#[doc(alias = "PyObject_GC_Track")]
pub fn track(obj: &impl AsObject) -> bool {
    let Some(p) = tracked(obj) else { return false };
    let f = p.flags();
    if flags::generation(f) != flags::UNTRACKED
        || f & flags::COLLECTING != 0
        || p.header().counts.value_dropped()
    {
        return false;
    }
    with_state(|s| {
        s.gens[0].borrow_mut().push(p, 0);
        s.count[0].set(s.count[0].get() + 1);
    });
    true
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
    // `COLLECTING` seen from user code means found unreachable, and so
    // untracked (the collector is tearing it down).
    tracked(obj).is_some_and(|p| {
        let f = p.flags();
        flags::generation(f) <= flags::PERMANENT && f & flags::COLLECTING == 0
    })
}

/// The objects `obj` refers to: one strong handle for every `Cc` its
/// `trace` visits, in that order: Python's `gc.get_referents(obj)`. Empty
/// for a leaf object, and for one whose value the collector has dropped.
///
/// If the value cannot be read right now (a `RefCell` in it is mutably
/// borrowed), its references cannot be listed: the result is then empty
/// or partial and says so ([`Objects::is_complete`]).
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
pub fn referents(obj: &impl AsObject) -> Objects {
    let mut out = Vec::new();
    let mut complete = true;
    if let Some(p) = tracked(obj) {
        if !p.header().counts.value_dropped() {
            let mut tracer = Tracer::new(Mode::Referents(&mut out));
            p.trace(&mut tracer);
            complete = !tracer.untraceable;
        }
    }
    Objects { list: out, complete }
}

/// Python's `gc.get_referents`' sibling: every tracked object whose `trace`
/// visits `obj`, in generation order: Python's `gc.get_referrers(obj)`.
///
/// It walks every tracked object, so it costs time proportional to the
/// heap. It skips the permanent generation (see [`freeze`]) and the objects
/// a running collection is freeing, as CPython does. The handles it returns
/// are strong: holding them keeps the referrers alive (and a referrer that
/// is garbage will not be collected while you hold it).
///
/// An object whose value cannot be read right now (a `RefCell` in it
/// mutably borrowed) may refer to `obj` unseen: the result then says it is
/// not complete ([`Objects::is_complete`]) rather than silently missing it.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, AnyCc, Cc};
/// let child = Cc::new(7);
/// let parent = Cc::new(RefCell::new(vec![child.clone()]));
/// let found = gc::referrers(&child);
/// assert_eq!(found.len(), 1);
/// assert!(AnyCc::ptr_eq(&found[0], &AnyCc::from(parent)));
/// ```
#[doc(alias = "get_referrers", alias = "gc.get_referrers")]
pub fn referrers(obj: &impl AsObject) -> Objects {
    let target = obj.obj_ref().ptr;
    let candidates = with_state(|s| snapshot(s, 0..NUM_GENERATIONS));
    let mut complete = true;
    let list = candidates
        .into_iter()
        .filter(|p| {
            let mut tracer = Tracer::new(Mode::FindReferent { target, found: false });
            p.trace(&mut tracer);
            complete &= !tracer.untraceable;
            matches!(tracer.mode, Mode::FindReferent { found: true, .. })
        })
        .map(AnyCc::from_tracked)
        .collect();
    Objects { list, complete }
}

/// The objects [`referents`] or [`referrers`] found, and whether the
/// answer is complete: an object whose value could not be read when asked
/// (a `RefCell` in it mutably borrowed, a [`Cc::get_mut`](crate::Cc::get_mut)
/// guard alive) hides its references, and the list may miss them then.
/// It dereferences to a slice of [`AnyCc`] and iterates like a `Vec`.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Trace};
///
/// #[derive(Trace)]
/// struct Node {
///     next: RefCell<Option<Cc<Node>>>,
/// }
///
/// let b = Cc::new(Node { next: RefCell::new(None) });
/// let a = Cc::new(Node { next: RefCell::new(Some(b.clone())) });
/// let found = gc::referents(&a);
/// assert!(found.is_complete());
/// assert_eq!(found.len(), 1);
///
/// let busy = a.next.borrow_mut(); // mutably borrowed: cannot be read
/// let found = gc::referents(&a);
/// assert!(!found.is_complete());
/// assert!(found.is_empty());
/// assert!(!gc::referrers(&b).is_complete());
/// drop(busy);
/// ```
#[derive(Clone)]
pub struct Objects {
    list: Vec<AnyCc>,
    complete: bool,
}

impl Objects {
    /// Whether every object asked about could be read: if not, some
    /// references may be missing from the list.
    ///
    /// ```
    /// use cyclegc::{gc, Cc};
    /// assert!(gc::referents(&Cc::new(vec![Cc::new(1)])).is_complete());
    /// ```
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// The objects, as a vector.
    ///
    /// ```
    /// use cyclegc::{gc, AnyCc, Cc};
    /// let v: Vec<AnyCc> = gc::referents(&Cc::new(vec![Cc::new(1)])).into_vec();
    /// assert_eq!(v.len(), 1);
    /// ```
    pub fn into_vec(self) -> Vec<AnyCc> {
        self.list
    }
}

impl std::ops::Deref for Objects {
    type Target = [AnyCc];

    fn deref(&self) -> &[AnyCc] {
        &self.list
    }
}

impl IntoIterator for Objects {
    type Item = AnyCc;
    type IntoIter = std::vec::IntoIter<AnyCc>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Objects {
    type Item = &'a AnyCc;
    type IntoIter = std::slice::Iter<'a, AnyCc>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl PartialEq for Objects {
    /// The same objects in the same order, and equally complete.
    fn eq(&self, other: &Objects) -> bool {
        self.list == other.list && self.complete == other.complete
    }
}

impl PartialEq<[AnyCc]> for Objects {
    /// The same objects (by identity) in the same order.
    fn eq(&self, other: &[AnyCc]) -> bool {
        self.list == other
    }
}

impl<const N: usize> PartialEq<[AnyCc; N]> for Objects {
    /// The same objects (by identity) in the same order.
    fn eq(&self, other: &[AnyCc; N]) -> bool {
        self.list == other
    }
}

impl PartialEq<Vec<AnyCc>> for Objects {
    /// The same objects (by identity) in the same order.
    fn eq(&self, other: &Vec<AnyCc>) -> bool {
        &self.list == other
    }
}

impl From<Objects> for Vec<AnyCc> {
    fn from(objects: Objects) -> Vec<AnyCc> {
        objects.list
    }
}

impl std::fmt::Debug for Objects {
    /// As the list; ` (incomplete)` follows when it may miss references.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.list, f)?;
        if !self.complete {
            f.write_str(" (incomplete)")?;
        }
        Ok(())
    }
}

/// The tracked objects of generations `gens`, in list order.
fn snapshot(s: &State, gens: std::ops::Range<usize>) -> Vec<GcPtr> {
    let mut out = Vec::new();
    for gen in &s.gens[gens] {
        out.extend_from_slice(gen.borrow().as_slice());
    }
    out
}

/// Every tracked object, or those of one generation: Python's
/// `gc.get_objects(generation)`. The permanent generation is not included;
/// neither are untracked (leaf) objects nor the objects a running
/// collection is freeing. The handles are strong: they keep the objects
/// alive while you hold them.
///
/// # Panics
/// If `generation` is `Some(g)` with `g > 2`, with a message containing
/// `invalid generation`.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, AnyCc, Cc};
/// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
/// assert!(gc::objects(Some(0)).iter().any(|o| o.id() == Cc::id(&list)));
/// gc::collect_generation(0); // survivors move to generation 1
/// assert!(gc::objects(Some(1)).iter().any(|o| o.id() == Cc::id(&list)));
/// assert!(gc::objects(None).iter().any(|o| o.id() == Cc::id(&list)));
/// ```
#[doc(alias = "get_objects", alias = "gc.get_objects")]
#[track_caller]
pub fn objects(generation: Option<usize>) -> Vec<AnyCc> {
    let gens = match generation {
        None => 0..NUM_GENERATIONS,
        Some(g) => {
            assert!(
                g < NUM_GENERATIONS,
                "invalid generation {g}: generation must be less than the number of generations (3)"
            );
            g..g + 1
        }
    };
    with_state(|s| snapshot(s, gens))
        .into_iter()
        .map(AnyCc::from_tracked)
        .collect()
}

/// Whether the object's finalizer has run: Python's `gc.is_finalized`.
/// Always `false` for a type without a finalizer.
///
/// ```
/// use cyclegc::{gc, Cc};
/// assert!(!gc::is_finalized(&Cc::new(vec![Cc::new(1)])));
/// ```
#[doc(alias = "gc.is_finalized")]
pub fn is_finalized(obj: &impl AsObject) -> bool {
    tracked(obj).is_some_and(|p| p.flags() & flags::FINALIZED != 0)
}

/// Moves every tracked object into the permanent generation, which no
/// collection examines: Python's `gc.freeze()`, for objects that live as
/// long as the program (after start-up, say), so that collections stop
/// scanning them. Resets `count.0`.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, AnyCc, Cc};
/// let config = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
/// gc::freeze();
/// assert!(gc::freeze_count() >= 1);
/// assert!(gc::objects(None).iter().all(|o| o.id() != Cc::id(&config)));
/// gc::unfreeze();
/// assert_eq!(gc::freeze_count(), 0);
/// ```
#[doc(alias = "gc.freeze")]
pub fn freeze() {
    with_state(|s| {
        let mut permanent = s.gens[flags::PERMANENT as usize].borrow_mut();
        for gen in &s.gens[..NUM_GENERATIONS] {
            permanent.append(&mut gen.borrow_mut(), flags::PERMANENT);
        }
        s.count[0].set(0);
    })
}

/// Moves the permanent generation back into generation 2: Python's
/// `gc.unfreeze()`. From there, full collections examine the objects
/// again.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, AnyCc, Cc};
///
/// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
/// list.borrow_mut().push(AnyCc::from(list.clone())); // a self-cycle
/// gc::freeze();
/// drop(list);
/// assert_eq!(gc::collect(), 0); // frozen: no collection looks at it
/// gc::unfreeze();
/// assert_eq!(gc::freeze_count(), 0);
/// assert_eq!(gc::collect(), 1); // in generation 2 now, and found
/// ```
#[doc(alias = "gc.unfreeze")]
pub fn unfreeze() {
    with_state(|s| {
        let mut oldest = s.gens[NUM_GENERATIONS - 1].borrow_mut();
        oldest.append(
            &mut s.gens[flags::PERMANENT as usize].borrow_mut(),
            (NUM_GENERATIONS - 1) as u32,
        );
    })
}

/// The number of objects in the permanent generation: Python's
/// `gc.get_freeze_count()`.
///
/// ```
/// use cyclegc::{gc, Cc};
/// let keep = [Cc::new(vec![Cc::new(1)]), Cc::new(vec![Cc::new(2)])];
/// let leaf = Cc::new(3); // untracked: never frozen
/// gc::freeze();
/// assert_eq!(gc::freeze_count(), 2);
/// gc::unfreeze();
/// assert_eq!(gc::freeze_count(), 0);
/// # drop((keep, leaf));
/// ```
#[doc(alias = "get_freeze_count", alias = "gc.get_freeze_count")]
pub fn freeze_count() -> usize {
    with_state(|s| s.gens[flags::PERMANENT as usize].borrow().len())
}

bitflags::bitflags! {
    /// What [`set_debug`] makes the collector do: Python's `gc.DEBUG_*`
    /// flags. Combine them with `|`.
    ///
    /// ```
    /// use cyclegc::gc::DebugFlags;
    /// let leak = DebugFlags::COLLECTABLE | DebugFlags::UNCOLLECTABLE | DebugFlags::SAVEALL;
    /// assert_eq!(leak, DebugFlags::LEAK);
    /// assert!(DebugFlags::LEAK.contains(DebugFlags::SAVEALL));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct DebugFlags: u32 {
        /// Print statistics when a collection starts and ends (`DEBUG_STATS`).
        ///
        /// ```
        /// use cyclegc::gc::{self, DebugFlags};
        /// # #[derive(Clone, Default)]
        /// # struct Lines(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        /// # impl std::io::Write for Lines {
        /// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.borrow_mut().extend_from_slice(b); Ok(b.len()) }
        /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
        /// # }
        /// # impl Lines { fn text(&self) -> String { String::from_utf8(self.0.borrow().clone()).unwrap() } }
        /// let out = Lines::default(); // a `Write` that keeps what it gets
        /// gc::set_debug_output(out.clone());
        /// gc::set_debug(DebugFlags::STATS);
        /// gc::collect_generation(1);
        /// let text = out.text();
        /// let lines: Vec<&str> = text.lines().collect();
        /// assert_eq!(lines[0], "gc: collecting generation 1...");
        /// assert!(lines[1].starts_with("gc: objects in each generation: "));
        /// assert_eq!(lines[2], "gc: objects in permanent generation: 0");
        /// assert!(lines[3].starts_with("gc: done, 0 unreachable, 0 uncollectable, "));
        /// assert!(lines[3].ends_with("s elapsed"));
        /// ```
        const STATS = 1;
        /// Print `gc: collectable <Type 0x…>` for every unreachable object
        /// found (`DEBUG_COLLECTABLE`).
        ///
        /// ```
        /// use std::cell::RefCell;
        /// use cyclegc::gc::{self, DebugFlags};
        /// use cyclegc::{Cc, Trace};
        /// # #[derive(Clone, Default)]
        /// # struct Lines(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        /// # impl std::io::Write for Lines {
        /// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.borrow_mut().extend_from_slice(b); Ok(b.len()) }
        /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
        /// # }
        /// # impl Lines { fn text(&self) -> String { String::from_utf8(self.0.borrow().clone()).unwrap() } }
        ///
        /// #[derive(Trace)]
        /// struct Node {
        ///     next: RefCell<Option<Cc<Node>>>,
        /// }
        ///
        /// let out = Lines::default(); // a `Write` that keeps what it gets
        /// gc::set_debug_output(out.clone());
        /// gc::set_debug(DebugFlags::COLLECTABLE);
        /// let a = Cc::new(Node { next: RefCell::new(None) });
        /// *a.next.borrow_mut() = Some(a.clone());
        /// let line = format!("gc: collectable <{} {:#x}>\n", std::any::type_name::<Node>(), Cc::id(&a));
        /// drop(a);
        /// assert_eq!(gc::collect(), 1);
        /// assert_eq!(out.text(), line);
        /// ```
        const COLLECTABLE = 2;
        /// Print the objects that could not be freed (`DEBUG_UNCOLLECTABLE`).
        /// cyclegc frees every unreachable object, so this prints nothing;
        /// it exists for Python's shape and for `LEAK`.
        ///
        /// ```
        /// use std::cell::RefCell;
        /// use cyclegc::gc::{self, DebugFlags};
        /// use cyclegc::{AnyCc, Cc};
        /// # #[derive(Clone, Default)]
        /// # struct Lines(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        /// # impl std::io::Write for Lines {
        /// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.borrow_mut().extend_from_slice(b); Ok(b.len()) }
        /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
        /// # }
        /// # impl Lines { fn text(&self) -> String { String::from_utf8(self.0.borrow().clone()).unwrap() } }
        ///
        /// let out = Lines::default(); // a `Write` that keeps what it gets
        /// gc::set_debug_output(out.clone());
        /// gc::set_debug(DebugFlags::UNCOLLECTABLE);
        /// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
        /// list.borrow_mut().push(AnyCc::from(list.clone()));
        /// drop(list);
        /// assert_eq!(gc::collect(), 1);
        /// assert_eq!(out.text(), ""); // nothing is ever uncollectable
        /// assert_eq!(gc::stats()[2].uncollectable, 0);
        /// ```
        const UNCOLLECTABLE = 4;
        /// Keep unreachable objects, alive and intact, in [`garbage`]
        /// instead of freeing them (`DEBUG_SAVEALL`). Their weak references
        /// are cleared all the same, as in CPython.
        ///
        /// ```
        /// use std::cell::RefCell;
        /// use cyclegc::gc::{self, DebugFlags};
        /// use cyclegc::{AnyCc, Cc};
        ///
        /// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
        /// list.borrow_mut().push(AnyCc::from(list.clone()));
        /// let (weak, id) = (Cc::downgrade(&list), Cc::id(&list));
        /// drop(list);
        ///
        /// gc::set_debug(DebugFlags::SAVEALL);
        /// assert_eq!(gc::collect(), 1);
        /// assert!(weak.upgrade().is_none()); // dead to weak references...
        /// let saved = gc::garbage(); // ...but kept, intact
        /// assert_eq!(saved.len(), 1);
        /// assert_eq!(saved[0].id(), id);
        /// assert_eq!(saved[0].downcast_ref::<RefCell<Vec<AnyCc>>>().unwrap().borrow().len(), 1);
        /// # drop(saved);
        /// # gc::set_debug(DebugFlags::empty());
        /// # gc::clear_garbage();
        /// ```
        const SAVEALL = 32;
        /// `COLLECTABLE | UNCOLLECTABLE | SAVEALL` (`DEBUG_LEAK`): report
        /// and keep everything a collection finds, to hunt a leak.
        ///
        /// ```
        /// use std::cell::RefCell;
        /// use cyclegc::gc::{self, DebugFlags};
        /// use cyclegc::{AnyCc, Cc};
        /// # #[derive(Clone, Default)]
        /// # struct Lines(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        /// # impl std::io::Write for Lines {
        /// #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.borrow_mut().extend_from_slice(b); Ok(b.len()) }
        /// #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
        /// # }
        /// # impl Lines { fn text(&self) -> String { String::from_utf8(self.0.borrow().clone()).unwrap() } }
        ///
        /// let out = Lines::default(); // a `Write` that keeps what it gets
        /// gc::set_debug_output(out.clone());
        /// gc::set_debug(DebugFlags::LEAK);
        /// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
        /// list.borrow_mut().push(AnyCc::from(list.clone()));
        /// drop(list);
        /// assert_eq!(gc::collect(), 1);
        /// assert!(out.text().starts_with("gc: collectable <core::cell::RefCell<"));
        /// let leaked = gc::garbage();
        /// assert_eq!(leaked.len(), 1);
        /// assert_eq!(gc::referents(&leaked[0]), [leaked[0].clone()]); // it holds itself
        /// # gc::set_debug(DebugFlags::empty());
        /// # drop(leaked);
        /// # gc::clear_garbage();
        /// ```
        const LEAK = Self::COLLECTABLE.bits() | Self::UNCOLLECTABLE.bits() | Self::SAVEALL.bits();
    }
}

/// Sets the debugging flags: Python's `gc.set_debug(flags)`. The lines go
/// to standard error unless [`set_debug_output`] says otherwise.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use cyclegc::gc::{self, DebugFlags};
///
/// #[derive(Clone, Default)]
/// struct Lines(Rc<RefCell<Vec<u8>>>);
/// impl std::io::Write for Lines {
///     fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
///         self.0.borrow_mut().extend_from_slice(buf);
///         Ok(buf.len())
///     }
///     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// }
///
/// let out = Lines::default();
/// gc::set_debug_output(out.clone());
/// gc::set_debug(DebugFlags::STATS);
/// gc::collect();
/// gc::set_debug(DebugFlags::empty());
/// let text = String::from_utf8(out.0.borrow().clone()).unwrap();
/// assert!(text.starts_with("gc: collecting generation 2...\n"));
/// assert!(text.contains("gc: done, 0 unreachable, 0 uncollectable"));
/// ```
#[doc(alias = "gc.set_debug")]
pub fn set_debug(flags: DebugFlags) {
    with_state(|s| s.debug.set(flags.bits()))
}

/// The debugging flags: Python's `gc.get_debug()`.
///
/// ```
/// use cyclegc::gc::{self, DebugFlags};
/// assert_eq!(gc::debug(), DebugFlags::empty()); // the default
/// gc::set_debug(DebugFlags::SAVEALL | DebugFlags::STATS);
/// assert!(gc::debug().contains(DebugFlags::SAVEALL));
/// gc::set_debug(DebugFlags::empty());
/// ```
#[doc(alias = "get_debug", alias = "gc.get_debug")]
pub fn debug() -> DebugFlags {
    with_state(|s| DebugFlags::from_bits_retain(s.debug.get()))
}

/// Sends the debug lines of [`set_debug`] to `out` instead of standard
/// error. Write errors are ignored, so a failing writer never breaks a
/// collection. Pass `std::io::stderr()` to go back to the default.
///
/// ```
/// use std::cell::RefCell;
/// use std::io::Write;
/// use std::rc::Rc;
/// use cyclegc::gc::{self, DebugFlags};
///
/// /// Keeps the lines in memory, for a log window or a test.
/// #[derive(Clone, Default)]
/// struct Log(Rc<RefCell<Vec<u8>>>);
/// impl Write for Log {
///     fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
///         self.0.borrow_mut().extend_from_slice(buf);
///         Ok(buf.len())
///     }
///     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
/// }
///
/// let log = Log::default();
/// gc::set_debug_output(log.clone());
/// gc::set_debug(DebugFlags::STATS);
/// gc::collect();
/// let lines = log.0.borrow().split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
/// assert_eq!(lines, 4); // collecting, each generation, permanent, done
///
/// gc::set_debug_output(std::io::stderr()); // back to the default
/// gc::collect();
/// assert_eq!(log.0.borrow().split(|&b| b == b'\n').filter(|l| !l.is_empty()).count(), 4);
/// gc::set_debug(DebugFlags::empty());
/// ```
#[doc(alias = "gc.set_debug_output")]
pub fn set_debug_output(out: impl Write + 'static) {
    collector::register_thread_exit_hook();
    let old = with_state(|s| s.debug_output.borrow_mut().replace(Box::new(out)));
    drop(old);
}

/// The unreachable objects that collections kept under
/// [`DebugFlags::SAVEALL`], in the order found: Python's `gc.garbage`. They
/// are alive and intact, can be inspected and downcast back to their types;
/// their weak references were cleared all the same. Returns new handles;
/// the list itself keeps them until [`clear_garbage`].
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::gc::{self, DebugFlags};
/// use cyclegc::{AnyCc, Cc};
///
/// type List = RefCell<Vec<AnyCc>>;
/// let list: Cc<List> = Cc::new(RefCell::new(Vec::new()));
/// list.borrow_mut().push(AnyCc::from(list.clone())); // a list that contains itself
/// let id = Cc::id(&list);
/// drop(list);
///
/// gc::set_debug(DebugFlags::SAVEALL);
/// assert_eq!(gc::collect(), 1);
/// gc::set_debug(DebugFlags::empty());
/// let saved = gc::garbage();
/// assert_eq!(saved.len(), 1);
/// let back: Cc<List> = saved[0].clone().downcast().unwrap();
/// assert_eq!(Cc::id(&back), id);
/// drop((saved, back));
/// gc::clear_garbage();
/// assert_eq!(gc::collect(), 1); // now it is freed
/// ```
#[doc(alias = "gc.garbage")]
pub fn garbage() -> Vec<AnyCc> {
    with_state(|s| s.garbage.borrow().clone())
}

/// Empties [`garbage`]. Objects nothing else holds are freed at once where
/// reference counting can, and the cycles among them by the next collection.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::gc::{self, DebugFlags};
/// use cyclegc::{AnyCc, Cc};
///
/// gc::set_debug(DebugFlags::SAVEALL);
/// let leaf = Cc::new(String::from("saved"));
/// let list = Cc::new(RefCell::new(vec![AnyCc::from(leaf.clone())]));
/// list.borrow_mut().push(AnyCc::from(list.clone()));
/// let (weak_list, weak_leaf) = (Cc::downgrade(&list), Cc::downgrade(&leaf));
/// drop((list, leaf));
/// assert_eq!(gc::collect(), 1);
/// gc::set_debug(DebugFlags::empty());
///
/// gc::clear_garbage();
/// assert!(gc::garbage().is_empty());
/// assert_eq!(gc::collect(), 1); // the cycle: found again, freed this time
/// assert_eq!(weak_list.strong_count() + weak_leaf.strong_count(), 0);
/// ```
#[doc(alias = "gc.garbage")]
pub fn clear_garbage() {
    let saved = with_state(|s| s.garbage.take());
    drop(saved);
}

/// When a collection callback is called: the first argument of an
/// [`add_callback`] callback.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use cyclegc::gc::{self, Phase};
///
/// let phases = Rc::new(RefCell::new(Vec::new()));
/// let log = phases.clone();
/// gc::add_callback(move |phase, _| log.borrow_mut().push(phase));
/// gc::collect();
/// assert_eq!(*phases.borrow(), [Phase::Start, Phase::Stop]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the collection (Python's `"start"`).
    Start,
    /// After the collection (Python's `"stop"`).
    Stop,
}

/// What a collection callback is told: Python's `info` dict.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use cyclegc::gc::{self, CallbackInfo, Phase};
/// use cyclegc::{AnyCc, Cc};
///
/// let infos = Rc::new(RefCell::new(Vec::new()));
/// let log = infos.clone();
/// gc::add_callback(move |phase, info: &CallbackInfo| log.borrow_mut().push((phase, *info)));
///
/// let list = Cc::new(RefCell::new(Vec::<AnyCc>::new()));
/// list.borrow_mut().push(AnyCc::from(list.clone()));
/// drop(list);
/// gc::collect_generation(2);
///
/// let stop = CallbackInfo { generation: 2, collected: 1, uncollectable: 0 };
/// let start = CallbackInfo { collected: 0, ..stop };
/// assert_eq!(*infos.borrow(), [(Phase::Start, start), (Phase::Stop, stop)]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallbackInfo {
    /// The oldest generation collected.
    pub generation: usize,
    /// Unreachable objects found (0 at [`Phase::Start`]).
    pub collected: usize,
    /// Unreachable objects that could not be freed (always 0).
    pub uncollectable: usize,
}

/// Identifies a callback for [`remove_callback`]. Ids are unique across
/// threads, so an id from another thread's collector is unknown here.
///
/// ```
/// use cyclegc::gc;
/// let a = gc::add_callback(|_, _| {});
/// let b = gc::add_callback(|_, _| {});
/// assert_ne!(a, b);
/// let on_other_thread = std::thread::spawn(|| gc::add_callback(|_, _| {})).join().unwrap();
/// assert!(!gc::remove_callback(on_other_thread)); // not this thread's
/// assert!(gc::remove_callback(a) && gc::remove_callback(b));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

impl CallbackId {
    fn fresh() -> CallbackId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        CallbackId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Registers `callback` to be called before ([`Phase::Start`]) and after
/// ([`Phase::Stop`]) every collection, automatic or explicit: Python's
/// `gc.callbacks.append(callback)`. Callbacks run in the order added. A
/// panicking callback does not stop the collection or the other callbacks;
/// when the collection is complete, the first panic is resumed to the
/// caller of an explicit [`collect`] or [`collect_generation`], and, for an
/// automatic collection, which has no such caller, reported on standard
/// error and swallowed (as CPython does for exceptions in `__del__`). A
/// [`collect`] from inside a callback returns 0 at once.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use cyclegc::gc::{self, Phase};
///
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let log = seen.clone();
/// let id = gc::add_callback(move |phase, info| log.borrow_mut().push((phase, info.generation)));
/// gc::collect_generation(1);
/// assert_eq!(*seen.borrow(), [(Phase::Start, 1), (Phase::Stop, 1)]);
/// assert!(gc::remove_callback(id));
/// assert!(!gc::remove_callback(id));
/// ```
///
/// A panic reaches the caller of `collect` after the other callbacks ran:
///
/// ```
/// use std::cell::Cell;
/// use std::panic::{catch_unwind, AssertUnwindSafe};
/// use std::rc::Rc;
/// use cyclegc::gc::{self, Phase};
///
/// let stops = Rc::new(Cell::new(0));
/// let counter = stops.clone();
/// let bad = gc::add_callback(|phase, _| if phase == Phase::Start { panic!("callback failed") });
/// gc::add_callback(move |phase, _| if phase == Phase::Stop { counter.set(counter.get() + 1) });
/// # std::panic::set_hook(Box::new(|_| {})); // keep the doctest's output quiet
///
/// let result = catch_unwind(AssertUnwindSafe(gc::collect));
/// assert_eq!(*result.unwrap_err().downcast::<&str>().unwrap(), "callback failed");
/// assert_eq!(stops.get(), 1); // the collection and the other callback went on
/// gc::remove_callback(bad);
/// assert_eq!(gc::collect(), 0);
/// ```
#[doc(alias = "callbacks", alias = "gc.callbacks")]
pub fn add_callback(callback: impl FnMut(Phase, &CallbackInfo) + 'static) -> CallbackId {
    let callback = RefCell::new(callback);
    let shared: collector::Callback = Rc::new(move |phase: Phase, info: &CallbackInfo| {
        // A callback is never re-entered (a collection does not start
        // inside another), so the borrow always succeeds.
        if let Ok(mut f) = callback.try_borrow_mut() {
            f(phase, info)
        }
    });
    let id = CallbackId::fresh();
    collector::register_thread_exit_hook();
    with_state(|s| s.callbacks.borrow_mut().push((id, shared)));
    id
}

/// Unregisters a callback; returns whether it was registered (removing an
/// unknown or already removed id does nothing and returns `false`).
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use cyclegc::gc;
///
/// let calls = Rc::new(Cell::new(0));
/// let counter = calls.clone();
/// let id = gc::add_callback(move |_, _| counter.set(counter.get() + 1));
/// gc::collect();
/// assert_eq!(calls.get(), 2); // start and stop
/// assert!(gc::remove_callback(id));
/// gc::collect();
/// assert_eq!(calls.get(), 2); // not called any more
/// assert!(!gc::remove_callback(id));
/// ```
#[doc(alias = "callbacks", alias = "gc.callbacks")]
pub fn remove_callback(id: CallbackId) -> bool {
    let removed = with_state(|s| {
        let mut callbacks = s.callbacks.borrow_mut();
        let index = callbacks.iter().position(|(cid, _)| *cid == id)?;
        Some(callbacks.remove(index))
    });
    removed.is_some()
}
