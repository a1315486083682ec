//! The collector's per-thread state, and the two places where objects
//! enter and leave it: [`track_new`] and [`release`].

mod collect;
mod death;
mod hooks;

pub(crate) use collect::{collect, collect_generations};
pub(crate) use death::{callback_refs, register_weak_callback, report_unraisable};
pub(crate) use hooks::Callback;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::panic::AssertUnwindSafe;

use std::io::Write;

use crate::any::AnyCc;
use crate::gc::{CallbackId, GenerationStats};
use std::ptr::NonNull;

use crate::raw::{flags, types, Counts, DropImplicitWeak, GcPtr, GenList, VTable};

/// A panic caught in user code, to be resumed when the collector's work is done.
pub(crate) type Panic = Box<dyn std::any::Any + Send + 'static>;

/// The generations a collection can examine (the permanent one is apart).
pub(crate) const NUM_GENERATIONS: usize = 3;

/// One thread's collector.
///
/// The state lives in a thread-local that is never destroyed (its type needs
/// no drop), so a handle dropped by another thread-local's destructor at
/// thread exit always finds it intact (SPEC §8). [`Teardown`] runs a last
/// collection at thread exit and gives back the buffers of empty lists.
///
/// `RefCell`s are borrowed only for short stretches that run no user code
/// (no `Drop`, no callback); user code may re-enter the collector freely.
pub(crate) struct State {
    /// Generations 0, 1, 2 and the permanent generation.
    pub(crate) gens: [RefCell<GenList>; 4],
    /// `count.0`: tracked allocations minus frees since the last collection
    /// of generation 0; `count.1`, `count.2`: collections of the generation
    /// below since the last collection of this one.
    pub(crate) count: [Cell<usize>; NUM_GENERATIONS],
    pub(crate) threshold: [Cell<usize>; NUM_GENERATIONS],
    pub(crate) enabled: Cell<bool>,
    /// The re-entrancy guard: a collection is running.
    pub(crate) collecting: Cell<bool>,
    /// Survivors of the last full collection (CPython's long-lived heuristic).
    pub(crate) long_lived_total: Cell<usize>,
    /// Survivors of generation-1 collections since the last full one.
    pub(crate) long_lived_pending: Cell<usize>,
    pub(crate) stats: [Cell<GenerationStats>; NUM_GENERATIONS],
    /// A refcount free is running: further frees queue in `pending_frees`
    /// instead of recursing (CPython's trashcan).
    freeing: Cell<bool>,
    /// Objects whose strong count reached zero, untracked, not yet
    /// finalized nor dropped; this queue owns their implicit weak count.
    pending_frees: RefCell<Vec<NonNull<Counts>>>,
    /// An empty buffer kept for the next collection's working list.
    pub(crate) spare: RefCell<Vec<GcPtr>>,
    /// An empty buffer kept for the next collection's unreachable list.
    pub(crate) spare_garbage: RefCell<Vec<GcPtr>>,
    teardown_registered: Cell<bool>,
    /// [`Teardown`] has run: objects still alive are held by other
    /// thread-locals, and each disposal gives back the buffers it empties.
    torn_down: Cell<bool>,
    /// `gc::set_debug` flags, as `DebugFlags` bits.
    pub(crate) debug: Cell<u32>,
    /// Where debug lines go; `None` is standard error.
    pub(crate) debug_output: RefCell<Option<Box<dyn Write>>>,
    /// `gc::garbage()`: unreachable objects kept under `SAVEALL`.
    pub(crate) garbage: RefCell<Vec<AnyCc>>,
    /// `gc::add_callback` callbacks, in the order added.
    pub(crate) callbacks: RefCell<Vec<(CallbackId, Callback)>>,
    /// Weak references with callbacks, by object (see `death`).
    pub(crate) weak_callbacks: RefCell<Option<death::WeakCallbacks>>,
    /// Counts trash markings, to tell one collection's trash weakrefs.
    pub(crate) epoch: Cell<u64>,
    /// The vtable `track_new` last saw, and its registry id.
    last_vtable: Cell<*const VTable>,
    last_type_id: Cell<u32>,
    /// While a collection destroys its garbage: the epoch its trash weak
    /// references were marked with (their callbacks must not run); else 0.
    pub(crate) trash_epoch: Cell<u64>,
    /// For live objects whose weak references a collection cleared (under
    /// `SAVEALL`, or before finalizers that resurrected them): how many
    /// `Weak` handles of theirs are cleared ones, by object address. The
    /// counts that users see leave them out, as CPython's do.
    stale_weaks: RefCell<Option<HashMap<usize, usize>>>,
    /// The weak epochs of the objects flagged `HAS_EPOCH`, by address: how
    /// many times their weak references were cleared while they stayed
    /// alive. A `Weak` made in an older epoch is dead. 64 bits: it cannot
    /// wrap in practice (a 12-bit epoch in the header used to, after 4096
    /// clearings, and then a cleared `Weak` upgraded again).
    weak_epochs: RefCell<Option<HashMap<usize, u64>>>,
}

impl State {
    const fn new() -> State {
        State {
            gens: [
                RefCell::new(GenList::new()),
                RefCell::new(GenList::new()),
                RefCell::new(GenList::new()),
                RefCell::new(GenList::new()),
            ],
            count: [Cell::new(0), Cell::new(0), Cell::new(0)],
            threshold: [Cell::new(700), Cell::new(10), Cell::new(10)],
            enabled: Cell::new(true),
            collecting: Cell::new(false),
            long_lived_total: Cell::new(0),
            long_lived_pending: Cell::new(0),
            stats: [
                Cell::new(GenerationStats::ZERO),
                Cell::new(GenerationStats::ZERO),
                Cell::new(GenerationStats::ZERO),
            ],
            freeing: Cell::new(false),
            pending_frees: RefCell::new(Vec::new()),
            spare: RefCell::new(Vec::new()),
            spare_garbage: RefCell::new(Vec::new()),
            teardown_registered: Cell::new(false),
            torn_down: Cell::new(false),
            debug: Cell::new(0),
            debug_output: RefCell::new(None),
            garbage: RefCell::new(Vec::new()),
            callbacks: RefCell::new(Vec::new()),
            weak_callbacks: RefCell::new(None),
            epoch: Cell::new(0),
            trash_epoch: Cell::new(0),
            stale_weaks: RefCell::new(None),
            weak_epochs: RefCell::new(None),
            last_vtable: Cell::new(std::ptr::null()),
            last_type_id: Cell::new(0),
        }
    }

    /// The registry id of `vtable`, remembering the last one asked for, so
    /// that a run of allocations of one type takes the registry's lock once.
    #[inline]
    fn type_id(&self, vtable: &'static VTable) -> u32 {
        let wanted: *const VTable = vtable;
        if self.last_vtable.get() != wanted {
            self.last_type_id.set(types::id_of(vtable));
            self.last_vtable.set(wanted);
        }
        self.last_type_id.get()
    }

    /// `count.0 -= 1`, not below zero, as CPython's `PyObject_GC_Del`.
    pub(crate) fn decrement_count0(&self) {
        let c = self.count[0].get();
        self.count[0].set(c.saturating_sub(1));
    }

    /// An object's last strong handle went away: queues it if a disposal
    /// is already running (which will get to it), or else says that the
    /// caller is to run one, marking it running.
    fn enter_trashcan(&self, p: NonNull<Counts>) -> bool {
        if self.freeing.get() {
            self.pending_frees.borrow_mut().push(p);
            false
        } else {
            self.freeing.set(true);
            true
        }
    }

    /// Registers [`Teardown`] the first time this thread's generation 0
    /// grows, so that the buffers of a thread that used the collector are
    /// given back when it exits.
    #[cold]
    fn register_teardown(&self) {
        self.teardown_registered.set(true);
        // A thread already tearing down cannot register; it then keeps its
        // buffers, which is harmless.
        let _ = TEARDOWN.try_with(|_| ());
    }

    fn release_empty_buffers(&self) {
        if self.collecting.get() {
            return;
        }
        for g in &self.gens {
            if let Ok(mut g) = g.try_borrow_mut() {
                g.release_buffer_if_empty();
            }
        }
        if let Ok(mut registry) = self.weak_callbacks.try_borrow_mut() {
            death::prune_weak_callbacks(&mut registry);
        }
        for spare in [&self.spare, &self.spare_garbage] {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                *spare = Vec::new();
            }
        }
        if let Ok(mut pending) = self.pending_frees.try_borrow_mut() {
            if pending.is_empty() {
                *pending = Vec::new();
            }
        }
    }
}

thread_local! {
    static STATE: ManuallyDrop<State> = const { ManuallyDrop::new(State::new()) };
    static TEARDOWN: Teardown = const { Teardown };
}

/// Runs when a thread that used the collector exits: a last full
/// collection frees the cycles the thread left behind (as CPython collects
/// at interpreter shutdown), then the empty lists give their buffers back.
/// What survives (objects held by other thread-locals not yet destroyed)
/// stays tracked, and a handle dropped later still finds the lists intact.
struct Teardown;

impl Drop for Teardown {
    fn drop(&mut self) {
        with_state(|s| {
            // A panic here would abort the process (it is a thread-local
            // destructor), so user code that fails at thread exit (a `Drop`,
            // a callback, a debug writer, a `Trace` impl) is dropped on the
            // floor instead, each step on its own so that one failure does
            // not skip the others.
            let step = |f: &dyn Fn()| {
                let _ = std::panic::catch_unwind(AssertUnwindSafe(f));
            };
            #[cfg(feature = "atexit")]
            step(&crate::weakref::run_exit_finalizers);
            collect_until_clean(s);
            // What SAVEALL kept is nobody's to inspect any more.
            s.debug.set(0);
            step(&|| drop(s.garbage.take()));
            collect_until_clean(s);
            step(&crate::weakref::drop_remaining_finalizers);
            step(&|| drop(s.callbacks.take()));
            step(&|| drop(s.debug_output.take()));
            // From here on, the handles other thread-locals still hold give
            // back the buffers as they empty them (see `run_trashcan`).
            s.torn_down.set(true);
            s.release_empty_buffers();
        })
    }
}

/// The thread's last collections: full ones, until one finds nothing (the
/// `Drop`s of garbage may make new garbage), at most 16. The panics of user
/// code are dropped; one that abandons a collection (a `Trace` impl's)
/// makes the next one try again.
fn collect_until_clean(s: &State) {
    for _ in 0..16 {
        let collected = std::panic::catch_unwind(AssertUnwindSafe(|| {
            collect::collect_with(s, NUM_GENERATIONS - 1, hooks::FirstPanic::swallowing())
        }));
        if let Ok(0) = collected {
            return;
        }
    }
}

/// Makes sure [`Teardown`] runs when this thread exits: called wherever the
/// state takes on something to give back (a tracked object, a callback, a
/// debug writer, a weak callback registration, a finalizer).
pub(crate) fn register_thread_exit_hook() {
    with_state(|s| {
        if !s.teardown_registered.get() {
            s.register_teardown();
        }
    })
}

/// Runs `f` with this thread's collector.
#[inline]
pub(crate) fn with_state<R>(f: impl FnOnce(&State) -> R) -> R {
    STATE.with(|s| f(s))
}

/// Links a new tracked object into generation 0, and runs an automatic
/// collection if the allocation crosses the threshold (SPEC §5.2).
#[inline]
pub(crate) fn track_new(p: GcPtr, vtable: &'static VTable) {
    with_state(|s| {
        p.set_flags(flags::with_type_id(p.flags(), s.type_id(vtable)));
        track(s, p);
    })
}

/// Gives a tracked block its type id before it is tracked (`new_cyclic`).
pub(crate) fn assign_type_id(p: GcPtr, vtable: &'static VTable) {
    with_state(|s| p.set_flags(flags::with_type_id(p.flags(), s.type_id(vtable))));
}

/// Links `p` into generation 0, running an automatic collection if due.
#[inline]
fn track(s: &State, p: GcPtr) {
    {
        let mut young = s.gens[0].borrow_mut();
        if young.is_full() && !s.teardown_registered.get() {
            s.register_teardown();
        }
        young.push(p, 0);
    }
    let count = s.count[0].get() + 1;
    s.count[0].set(count);
    let threshold = s.threshold[0].get();
    if count > threshold && threshold != 0 && s.enabled.get() && !s.collecting.get() {
        collect_generations(s);
    }
}

/// Puts an untracked object whose finalizer is about to run back into
/// generation 0, without starting a collection (it is not an allocation,
/// but `untrack_in` will count it out again).
fn retrack(s: &State, p: GcPtr) {
    s.gens[0].borrow_mut().push(p, 0);
    s.count[0].set(s.count[0].get() + 1);
}

/// Takes a tracked object out of its generation, if it is in one.
fn untrack_in(s: &State, p: GcPtr) {
    let gen = flags::generation(p.flags());
    if gen <= flags::PERMANENT {
        s.gens[gen as usize].borrow_mut().remove(p);
        s.decrement_count0();
    }
}

/// Takes a tracked object whose value is being moved out (`Cc::try_unwrap`)
/// out of its generation.
pub(crate) fn untrack(p: GcPtr) {
    with_state(|s| untrack_in(s, p));
}

/// The value of the object at `block` was moved out by its only strong
/// handle: it is dead. Its weak callbacks run, then the strong handles'
/// joint weak count goes.
pub(crate) fn moved_out(block: NonNull<Counts>) {
    let _weak = DropImplicitWeak(block, None);
    // SAFETY: the block is allocated: we hold its implicit weak count.
    if unsafe { block.as_ref() }.has_weak_callbacks() {
        // SAFETY: as above.
        death::call_back_on_death(block, unsafe { crate::raw::vtable_of(block) });
    }
}

/// The last strong handle of a tracked object went away.
///
/// As in CPython's `subtype_dealloc`: the finalizer runs first, while weak
/// references still upgrade, and may resurrect the object; otherwise the
/// object leaves its generation and is freed (weak callbacks, then the
/// value's drop), through the trashcan queue if a free is already running.
pub(crate) fn release(p: GcPtr) {
    let f = p.flags();
    if f & flags::COLLECTING != 0 {
        // Found unreachable by the running collection, which owns it and
        // frees it when it gets to it (this is a sibling's drop, or a
        // finalizer letting go of it). During the analysis only a `Trace`
        // impl that drops handles could get here: the object then stays
        // with a stale count, leaked, which is the safe way out.
        return;
    }
    if p.header().counts.value_dropped() {
        // The collector dropped the value already; this was a stray handle,
        // or a sibling's drop letting go of a member it freed before. Weak
        // callbacks registered meanwhile (through the stray) fire now.
        if p.header().counts.has_weak_callbacks() {
            death::call_back_on_death(p.as_counts(), p.vtable());
        }
        // SAFETY: the strong handles' joint weak count is ours to give up.
        unsafe { p.drop_weak() };
        return;
    }
    let panic = with_state(|s| {
        untrack_in(s, p);
        s.enter_trashcan(p.as_counts())
            .then(|| s.run_trashcan(p.as_counts()))
    });
    resume(panic.flatten());
}

/// The last strong handle of a leaf object with a finalizer or weak
/// callbacks went away (other leaf objects are freed without the collector:
/// owning no `Cc`, their drop cannot lead to further frees).
pub(crate) fn release_leaf(block: NonNull<Counts>) {
    let panic = with_state(|s| s.enter_trashcan(block).then(|| s.run_trashcan(block)));
    resume(panic.flatten());
}

impl State {
    /// Disposes of `first`, then of every object whose last handle went
    /// away meanwhile (queued by [`State::enter_trashcan`]), until none is
    /// left: CPython's trashcan. Finalizers, weak callbacks and `Drop`s
    /// that let go of further objects only queue them, so the stack stays
    /// flat however long the chain. A panic does not stop the others; the
    /// first one is returned, to be resumed once everything is disposed of.
    fn run_trashcan(&self, first: NonNull<Counts>) -> Option<Panic> {
        let mut first_panic = None;
        let mut next = Some(first);
        while let Some(p) = next {
            if let Some(payload) = self.dispose(p) {
                first_panic.get_or_insert(payload);
            }
            next = self.pending_frees.borrow_mut().pop();
        }
        self.freeing.set(false);
        if self.torn_down.get() {
            self.release_empty_buffers();
        }
        first_panic
    }

    /// Runs the finalizer of an object whose last strong handle went away
    /// (it may resurrect it), then frees it: weak callbacks, then the
    /// value's drop. Returns the first panic of that user code.
    fn dispose(&self, p: NonNull<Counts>) -> Option<Panic> {
        // SAFETY: a queued object's block is kept by the implicit weak
        // count, which the queue owns until `free` gives it up.
        if !unsafe { p.as_ref() }.is_tracked() {
            // SAFETY: as above.
            return dispose_leaf(p, unsafe { crate::raw::vtable_of(p) });
        }
        // SAFETY: a tracked block.
        let g = unsafe { GcPtr::new(p) };
        let vtable = g.vtable();
        let mut first_panic = None;
        if let Some(finalize) = vtable.finalize {
            let f = g.flags();
            if f & flags::FINALIZED == 0 {
                g.set_flags(f | flags::FINALIZED);
                // Tracked again while its finalizer runs, as in CPython's
                // `subtype_dealloc`: a collection started meanwhile sees it
                // held (its count is 1 then) and what it reaches.
                retrack(self, g);
                let outcome = death::finalize_on_last_release(p, finalize);
                first_panic = outcome.panic;
                if !outcome.ran {
                    // This value had no finalizer after all: not finalized.
                    g.set_flags(g.flags() & !flags::FINALIZED);
                }
                if outcome.resurrected {
                    return first_panic;
                }
                // Read again: the finalizer may have run a collection
                // that moved it.
                untrack_in(self, g);
            }
        }
        let freed = catch_free(g, vtable);
        first_panic.or(freed)
    }
}

/// [`dispose`] for a leaf: its finalizer (at every death: a leaf has no
/// flags to remember it ran, like an untracked object in CPython), then
/// its weak callbacks and its drop.
fn dispose_leaf(block: NonNull<Counts>, vtable: &'static VTable) -> Option<Panic> {
    let mut first_panic = None;
    if let Some(finalize) = vtable.finalize {
        let outcome = death::finalize_on_last_release(block, finalize);
        first_panic = outcome.panic;
        if outcome.resurrected {
            return first_panic;
        }
    }
    let _weak = DropImplicitWeak(block, Some(vtable));
    death::call_back_on_death(block, vtable);
    // SAFETY: strong is zero: nothing else can reach the value, and this is
    // its only drop.
    let dropped = std::panic::catch_unwind(AssertUnwindSafe(|| unsafe { (vtable.drop_value)(block) }));
    first_panic.or(dropped.err())
}

/// Clears the weak references of `p`, which stays alive (under `SAVEALL`,
/// or for a finalizer that may resurrect it): its weak epoch moves on, so
/// every `Weak` made before is dead, and all its `Weak` handles now are
/// stale ones.
pub(crate) fn clear_weak_refs_of_live(s: &State, p: GcPtr) {
    let key = p.as_counts().as_ptr() as usize;
    *s.weak_epochs
        .borrow_mut()
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_default() += 1;
    p.set_flags(p.flags() | flags::HAS_EPOCH);
    let handles = p.header().counts.weak_count() as usize - 1;
    if handles > 0 {
        let mut stale = s.stale_weaks.borrow_mut();
        stale
            .get_or_insert_with(HashMap::new)
            .insert(p.as_counts().as_ptr() as usize, handles);
    }
}

/// The weak epoch of `p`: 0 until its weak references are first cleared
/// while it stays alive.
#[inline]
pub(crate) fn weak_epoch(p: GcPtr) -> u64 {
    if p.flags() & flags::HAS_EPOCH == 0 {
        return 0;
    }
    let key = p.as_counts().as_ptr() as usize;
    with_state(|s| {
        let epochs = s.weak_epochs.borrow();
        epochs.as_ref().and_then(|m| m.get(&key).copied()).unwrap_or(0)
    })
}

/// The block of `p`, which has a weak epoch, is being freed: its address
/// may be reused, so its epoch goes.
pub(crate) fn forget_weak_epoch(p: GcPtr) {
    let key = p.as_counts().as_ptr() as usize;
    with_state(|s| {
        let mut epochs = s.weak_epochs.borrow_mut();
        if let Some(map) = epochs.as_mut() {
            map.remove(&key);
            if map.is_empty() {
                *epochs = None;
            }
        }
    })
}

/// A stale `Weak` handle of the object at `block` was cloned (`+1`) or
/// dropped (`-1`).
pub(crate) fn stale_weak_changed(block: NonNull<Counts>, cloned: bool) {
    with_state(|s| {
        let mut stale = s.stale_weaks.borrow_mut();
        let Some(map) = stale.as_mut() else { return };
        let key = block.as_ptr() as usize;
        if cloned {
            *map.entry(key).or_default() += 1;
        } else if let Some(n) = map.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&key);
                if map.is_empty() {
                    *stale = None;
                }
            }
        }
    })
}

/// How many of the `Weak` handles of the object at `block` are stale.
pub(crate) fn stale_weaks(block: NonNull<Counts>) -> usize {
    with_state(|s| {
        let stale = s.stale_weaks.borrow();
        stale
            .as_ref()
            .and_then(|m| m.get(&(block.as_ptr() as usize)).copied())
            .unwrap_or(0)
    })
}

/// Resumes a panic caught in user code, now that the collector's work is done.
fn resume(panic: Option<Panic>) {
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
}

/// [`free`], catching a panic of the value's `Drop`.
fn catch_free(p: GcPtr, vtable: &'static VTable) -> Option<Panic> {
    std::panic::catch_unwind(AssertUnwindSafe(|| free(p, vtable))).err()
}

/// Drops the value of an object whose strong count is zero, then gives up
/// the strong handles' joint weak count (also if the drop panics).
fn free(p: GcPtr, vtable: &'static VTable) {
    let _weak = DropImplicitWeak(p.as_counts(), Some(vtable));
    if p.header().counts.has_weak_callbacks() {
        death::call_back_on_death(p.as_counts(), vtable);
    }
    // SAFETY: strong is zero and the object is in no list: nothing else can
    // reach the value, and this is its only drop.
    unsafe { p.drop_value(vtable) };
}
