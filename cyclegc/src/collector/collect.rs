//! One collection, phase by phase, as CPython 3.12's `gc_collect_main`.
//!
//! ```text
//! collect(g)
//!   merge_young             generations 0..=g become one working list
//!   update_and_subtract_refs gc_refs = strong count - references from inside
//!   move_reachable          gc_refs > 0 and all they reach survive: they
//!                           move to generation g + 1 as they are found
//!   gather_unreachable      what is left is garbage
//!   handle_weakrefs         weak references to all garbage are cleared
//!   delete_garbage          values dropped, blocks freed
//! ```
//!
//! No user code runs before `delete_garbage` (only `Trace` impls), so the
//! analysis sees a frozen graph. From `delete_garbage` on, `Drop` impls run
//! and may allocate, free, or panic: the collector then holds a strong count
//! on every unreachable object, so nothing it works on is freed under it.

use std::panic::{self, AssertUnwindSafe};

use super::{Panic, State, NUM_GENERATIONS};
use crate::raw::{flags, GcPtr};
use crate::trace::{Mode, Tracer};

/// Picks the generation to collect once `count.0` crossed its threshold,
/// as CPython's `gc_collect_generations`: the oldest whose count exceeds its
/// threshold, but generation 2 only when the survivors of young collections
/// since the last full one exceed 25% of the survivors of that one.
pub(crate) fn collect_generations(s: &State) -> usize {
    for g in (0..NUM_GENERATIONS).rev() {
        if s.count[g].get() > s.threshold[g].get() {
            if g == NUM_GENERATIONS - 1 && s.long_lived_pending.get() < s.long_lived_total.get() / 4 {
                continue;
            }
            return collect(s, g);
        }
    }
    0
}

/// Collects generations `0..=g`; returns the number of unreachable
/// objects found. A collection already running makes this return 0.
pub(crate) fn collect(s: &State, g: usize) -> usize {
    assert!(g < NUM_GENERATIONS);
    if s.collecting.get() {
        return 0;
    }
    s.collecting.set(true);
    let collecting = ResetCollecting(s);

    if g + 1 < NUM_GENERATIONS {
        s.count[g + 1].set(s.count[g + 1].get() + 1);
    }
    for c in &s.count[..=g] {
        c.set(0);
    }

    let young = merge_young(s, g);
    let unreachable = match panic::catch_unwind(AssertUnwindSafe(|| deduce_unreachable(s, &young, g))) {
        Ok(unreachable) => unreachable,
        Err(payload) => {
            // A `Trace` impl panicked: put every object back in a list.
            restore_young(s, &young, g);
            panic::resume_unwind(payload);
        }
    };
    // Only this collection's survivors count, not what the target
    // generation held before: CPython's `gc_list_size(young)`.
    let survivors = young.len() - unreachable.len();
    recycle(s, young);

    if g == 1 {
        let pending = s.long_lived_pending.get();
        s.long_lived_pending.set(pending + survivors);
    } else if g == 2 {
        s.long_lived_pending.set(0);
        s.long_lived_total.set(survivors);
    }

    let found = unreachable.len();
    handle_weakrefs(&unreachable);
    let first_panic = delete_garbage(s, unreachable);

    let mut st = s.stats[g].get();
    st.collections += 1;
    st.collected += found;
    s.stats[g].set(st);

    drop(collecting);
    if let Some(payload) = first_panic {
        panic::resume_unwind(payload);
    }
    found
}

/// Where the survivors of a collection of `g` go.
fn target_generation(g: usize) -> usize {
    (g + 1).min(NUM_GENERATIONS - 1)
}

/// Takes generations `0..=g` out of their lists into one working list.
fn merge_young(s: &State, g: usize) -> Vec<GcPtr> {
    let spare = s.spare.take();
    let mut young = s.gens[g].borrow_mut().take(spare);
    for gen in &s.gens[..g] {
        gen.borrow_mut().drain_into(&mut young);
    }
    young
}

/// Keeps the working list's buffer for the next collection.
fn recycle(s: &State, mut young: Vec<GcPtr>) {
    young.clear();
    let mut spare = s.spare.borrow_mut();
    if young.capacity() > spare.capacity() {
        *spare = young;
    }
}

/// Steps 2 and 3 of SPEC §5.1: afterwards the survivors are in the target
/// generation and the returned objects are unreachable (still `COLLECTING`).
fn deduce_unreachable(s: &State, young: &[GcPtr], g: usize) -> Vec<GcPtr> {
    update_and_subtract_refs(young, g);
    let moved = move_reachable(s, young, target_generation(g));
    if moved == young.len() {
        Vec::new()
    } else {
        gather_unreachable(young)
    }
}

/// CPython's `update_refs` and `subtract_refs` in one pass: every object's
/// `gc_refs` starts at its strong count (the first time it is seen, as
/// itself or as a referent) and loses one for each reference from inside
/// the generations being collected. What remains counts references from
/// outside: from the stack, from older generations, from untracked places.
fn update_and_subtract_refs(young: &[GcPtr], g: usize) {
    let mut tracer = Tracer::new(Mode::SubtractRefs { max_gen: g as u32 });
    for &p in young {
        let h = p.header();
        let f = h.flags.get();
        if f & flags::COLLECTING == 0 {
            h.slot.set(h.counts.strong.get());
            h.flags.set(f | flags::COLLECTING);
        }
        tracer.untraceable = false;
        p.trace(&mut tracer);
        if tracer.untraceable {
            p.set_flags(p.flags() | flags::UNTRACEABLE);
        }
    }
}

/// CPython's `move_unreachable`, turned around: every object referenced
/// from outside (`gc_refs > 0`, or untraceable this time) is reachable, and
/// so is everything it reaches inside the working list. Each is moved into
/// the target generation the moment it is found (which clears
/// `COLLECTING`); an explicit stack replaces recursion. Returns how many
/// moved.
fn move_reachable(s: &State, young: &[GcPtr], target_gen: usize) -> usize {
    let mut target = s.gens[target_gen].borrow_mut();
    let before = target.len();
    let mut tracer = Tracer::new(Mode::MarkReachable {
        target: &mut target,
        target_gen: target_gen as u32,
        stack: Vec::new(),
    });
    for &p in young {
        let f = p.flags();
        if f & flags::COLLECTING != 0 && (p.header().slot.get() != 0 || f & flags::UNTRACEABLE != 0) {
            tracer.mark_reachable_from(p);
        }
    }
    drop(tracer);
    target.len() - before
}

/// The objects still `COLLECTING` after `move_reachable`, in list order.
fn gather_unreachable(young: &[GcPtr]) -> Vec<GcPtr> {
    young
        .iter()
        .copied()
        .filter(|p| p.flags() & flags::COLLECTING != 0)
        .collect()
}

/// After a panic in the analysis, files every object that is not in a list
/// back into generation `g`, so the collector stays consistent.
fn restore_young(s: &State, young: &[GcPtr], g: usize) {
    let target = target_generation(g);
    let placed: Vec<bool> = {
        let t = s.gens[target].borrow();
        young
            .iter()
            .map(|p| {
                p.flags() & flags::COLLECTING == 0
                    && t.as_slice().get(p.header().slot.get() as usize) == Some(p)
            })
            .collect()
    };
    let mut gen = s.gens[g].borrow_mut();
    for (&p, placed) in young.iter().zip(placed) {
        if !placed {
            gen.push(p, g as u32);
        }
    }
}

/// The collector takes a strong count on each unreachable object (so that
/// nothing it is about to drop is freed under it by a `Drop` elsewhere),
/// untracks it, and clears the weak references to it: from here on
/// `Weak::upgrade` gives `None` for all the garbage, before any value is
/// dropped.
fn handle_weakrefs(unreachable: &[GcPtr]) {
    for &p in unreachable {
        p.header().counts.inc_strong();
        let f = p.flags() & !(flags::COLLECTING | flags::UNTRACEABLE);
        p.set_flags(flags::with_generation(f, flags::UNTRACKED) | flags::WEAK_CLEARED);
    }
}

/// Drops every unreachable value and gives up the collector's count on it
/// right after, which frees the block unless another handle still holds
/// it. A member still referenced by a sibling whose value is not dropped
/// yet keeps its block until that sibling's drop releases it, so a `Drop`
/// that reaches a sibling through a `Cc` always finds allocated memory.
/// A panicking `Drop` does not stop the others; the first panic is
/// returned to be resumed once the collection is complete.
fn delete_garbage(s: &State, unreachable: Vec<GcPtr>) -> Option<Panic> {
    let mut first_panic = None;
    for p in unreachable {
        if p.flags() & flags::VALUE_DROPPED == 0 {
            // SAFETY: the value is alive (just checked), the collector's
            // strong count keeps the block, and only the collector drops
            // values of unreachable objects.
            let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe { p.drop_value() }));
            if let Err(payload) = dropped {
                first_panic.get_or_insert(payload);
            }
        }
        s.decrement_count0();
        if p.header().counts.dec_strong() == 0 {
            // SAFETY: the value is gone and that was the last strong count;
            // the joint weak count is released with it.
            unsafe { p.drop_weak() };
        }
    }
    first_panic
}

/// Clears the re-entrancy guard when the collection ends, also by a panic.
struct ResetCollecting<'a>(&'a State);

impl Drop for ResetCollecting<'_> {
    fn drop(&mut self) {
        self.0.collecting.set(false);
    }
}
