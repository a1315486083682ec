//! One collection, phase by phase, as CPython 3.12's `gc_collect_main`.
//!
//! ```text
//! collect(g)                 start callbacks, then collect_main, then stop callbacks
//! collect_main(g)
//!   merge_young              generations 0..=g become one working list
//!   update_and_subtract_refs gc_refs = strong count - references from inside
//!   move_reachable           gc_refs > 0 and all they reach survive: they
//!   (or mark_in_place)       move to generation g + 1 as they are found
//!   gather_unreachable       what is left (still COLLECTING) is garbage
//!   handle_weak_callbacks    callbacks of weak references to the garbage
//!   finalize_garbage         finalizers, with all the garbage intact
//!   handle_resurrected_objects  what a finalizer made reachable survives
//!   delete_garbage           values dropped, blocks freed
//!   (or save_garbage)        under SAVEALL: kept in gc::garbage()
//! ```
//!
//! No user code runs during the analysis (only `Trace` impls), so it sees a
//! frozen graph. Afterwards user code runs (callbacks, debug writers,
//! finalizers, `Drop` impls) and may allocate, free, or panic. The garbage
//! keeps its `COLLECTING` bit until the collector drops it: a refcount
//! death leaves such an object alone (the collector owns it), and
//! `Weak::upgrade` gives `None` for it, which is how CPython's
//! `handle_weakrefs` clears the weak references to all the garbage before
//! any of it is dropped, without a pass of its own.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use std::time::Instant;

use super::death;
use super::hooks::FirstPanic;
use super::{State, NUM_GENERATIONS};
use crate::any::AnyCc;
use crate::gc::{CallbackInfo, DebugFlags, Phase};
use crate::raw::{flags, types, GcPtr};
use crate::trace::{start_gc_refs, Mode, Tracer};

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
            // Nobody asked for this collection: a panic of user code in it
            // (a `Trace` impl's included) is reported and swallowed, so
            // that the allocation that started it goes on.
            return match panic::catch_unwind(AssertUnwindSafe(|| {
                collect_with(s, g, FirstPanic::reporting(g))
            })) {
                Ok(found) => found,
                Err(payload) => {
                    super::hooks::report_automatic(g, &payload);
                    0
                }
            };
        }
    }
    0
}

/// Collects generations `0..=g` with the callbacks around it, as CPython's
/// `gc_collect_with_callback`; returns the number of unreachable objects
/// found. A collection already running (this one's callbacks and `Drop`s
/// included) makes this return 0 at once.
pub(crate) fn collect(s: &State, g: usize) -> usize {
    collect_with(s, g, FirstPanic::default())
}

/// [`collect`], handling the panics of user code with `panics`.
pub(crate) fn collect_with(s: &State, g: usize, mut panics: FirstPanic) -> usize {
    assert!(g < NUM_GENERATIONS);
    if s.collecting.get() {
        return 0;
    }
    s.collecting.set(true);
    let collecting = ResetCollecting(s);

    let mut info = CallbackInfo {
        generation: g,
        collected: 0,
        uncollectable: 0,
    };
    s.run_callbacks(Phase::Start, &info, &mut panics);
    info.collected = collect_main(s, g, &mut panics);
    s.run_callbacks(Phase::Stop, &info, &mut panics);

    drop(collecting);
    panics.resume();
    info.collected + info.uncollectable
}

/// One collection of generations `0..=g`, CPython's `gc_collect_main`.
/// Returns the number of unreachable objects found.
fn collect_main(s: &State, g: usize, panics: &mut FirstPanic) -> usize {
    let started = Instant::now();
    if s.debugging(DebugFlags::STATS) {
        let sizes: Vec<usize> = s.gens.iter().map(|gen| gen.borrow().len()).collect();
        s.debug_line(panics, format_args!("gc: collecting generation {g}..."));
        s.debug_line(
            panics,
            format_args!(
                "gc: objects in each generation: {} {} {}",
                sizes[0], sizes[1], sizes[2]
            ),
        );
        s.debug_line(
            panics,
            format_args!("gc: objects in permanent generation: {}", sizes[3]),
        );
    }

    if g + 1 < NUM_GENERATIONS {
        s.count[g + 1].set(s.count[g + 1].get() + 1);
    }
    for c in &s.count[..=g] {
        c.set(0);
    }

    let mut young = merge_young(s, g);
    let target = target_generation(g);
    let in_place = {
        let t = s.gens[target].borrow();
        t.is_empty() && t.capacity() < young.len()
    };
    let deduced = panic::catch_unwind(AssertUnwindSafe(|| deduce_unreachable(s, &young, g, in_place)));
    let moved = match deduced {
        Ok(moved) => moved,
        Err(payload) => {
            // A `Trace` impl panicked: put every object back in a list.
            restore_young(s, &young, g);
            panic::resume_unwind(payload);
        }
    };
    // From here on, what is still `COLLECTING` is garbage: the collector
    // owns it (a refcount death leaves it alone) and weak references to it
    // are dead (CPython's `handle_weakrefs`, without a pass of its own).
    let mut unreachable = if moved == 0 {
        // All garbage (a dropped ring or graph): the working list is the
        // unreachable list, and no other buffer is needed.
        std::mem::take(&mut young)
    } else if in_place {
        split_in_place(s, &mut young, target, moved)
    } else if moved == young.len() {
        Vec::new()
    } else {
        gather_unreachable(s, &young, young.len() - moved)
    };
    recycle(&s.spare, young);

    // Only this collection's survivors count, not what the target
    // generation held before: CPython's `gc_list_size(young)`.
    if g == 1 {
        let pending = s.long_lived_pending.get();
        s.long_lived_pending.set(pending + moved);
    } else if g == 2 {
        s.long_lived_pending.set(0);
        s.long_lived_total.set(moved);
    }

    // A debug writer is user code: it finds the garbage out of reach (no
    // list holds it, weak references to it are dead).
    if s.debugging(DebugFlags::COLLECTABLE) {
        for &p in &unreachable {
            // `Trace::class_name` is user code too: a panic there costs
            // only the name.
            let mut name = None;
            // SAFETY: unreachable values are alive until `delete_garbage`.
            panics.catch(|| name = Some(unsafe { (p.vtable().class_name)(p.as_counts()) }));
            let name = name.unwrap_or_else(|| (p.vtable().type_name)().to_owned());
            let addr = p.as_counts().as_ptr() as usize;
            s.debug_line(panics, format_args!("gc: collectable <{name} {addr:#x}>"));
        }
    }
    handle_weak_callbacks(s, &unreachable);
    if finalize_garbage(s, &unreachable, panics) {
        let before = unreachable.len();
        unreachable = handle_resurrected_objects(s, unreachable, target_generation(g));
        if unreachable.len() < before && s.trash_epoch.get() != 0 {
            // What was resurrected is no trash any more.
            mark_trash_weakrefs(s, &unreachable);
        }
        // Weak references with callbacks that finalizers made to what is
        // still garbage: cleared just now, so their callbacks are due.
        handle_weak_callbacks(s, &unreachable);
    }
    let found = unreachable.len();
    if s.debugging(DebugFlags::SAVEALL) {
        save_garbage(s, &unreachable, target_generation(g));
    } else {
        delete_garbage(s, &unreachable, panics);
    }
    recycle(&s.spare_garbage, unreachable);
    s.trash_epoch.set(0);

    if s.debugging(DebugFlags::STATS) {
        let elapsed = started.elapsed().as_secs_f64();
        s.debug_line(
            panics,
            format_args!("gc: done, {found} unreachable, 0 uncollectable, {elapsed:.4}s elapsed"),
        );
    }
    let mut st = s.stats[g].get();
    st.collections += 1;
    st.collected += found;
    s.stats[g].set(st);
    found
}

/// Where the survivors of a collection of `g` go.
fn target_generation(g: usize) -> usize {
    (g + 1).min(NUM_GENERATIONS - 1)
}

/// Takes generations `0..=g` out of their lists into one working list.
///
/// The largest of them lends its buffer, so that merging copies the fewest
/// pointers (after a build with collection off, everything is still in
/// generation 0); the order of the merged list does not matter.
fn merge_young(s: &State, g: usize) -> Vec<GcPtr> {
    let gens = &s.gens[..=g];
    let base = (0..=g).max_by_key(|&i| gens[i].borrow().len()).unwrap_or(g);
    let mut young = gens[base].borrow_mut().take(s.spare.take());
    for (i, gen) in gens.iter().enumerate() {
        if i != base {
            gen.borrow_mut().drain_into(&mut young);
        }
    }
    young
}

/// Keeps a working list's buffer for the next collection. Besides saving
/// the allocation, this keeps a large free out of the collection: glibc
/// answers one by consolidating every small chunk the collection just freed.
fn recycle(spare: &RefCell<Vec<GcPtr>>, mut list: Vec<GcPtr>) {
    list.clear();
    let mut spare = spare.borrow_mut();
    if list.capacity() > spare.capacity() {
        *spare = list;
    }
}

/// Steps 2 and 3 of SPEC §5.1: afterwards the survivors are in the target
/// generation, and what is still `COLLECTING` is unreachable. Returns the
/// number of survivors.
///
/// `in_place` marks the survivors where they are instead of moving them
/// into the target generation; `split_in_place` then finishes the work.
fn deduce_unreachable(s: &State, young: &[GcPtr], g: usize, in_place: bool) -> usize {
    if !update_and_subtract_refs(young, g) {
        0
    } else if in_place {
        mark_in_place(young, target_generation(g))
    } else {
        move_reachable(s, young, target_generation(g))
    }
}

/// CPython's `update_refs` and `subtract_refs` in one pass: every object's
/// `gc_refs` starts at its strong count (the first time it is seen, as
/// itself or as a referent) and loses one for each reference from inside
/// the generations being collected. What remains counts references from
/// outside: from the stack, from older generations, from untracked places.
fn update_and_subtract_refs(young: &[GcPtr], g: usize) -> bool {
    let mut tracer = Tracer::new(Mode::SubtractRefs {
        gen_limit: g as u32 + 1,
        roots: 0,
        overdrawn: None,
    });
    subtract_refs(young, &mut tracer, true)
}

/// A `Trace` impl visited a `Cc` it does not own, or one twice: `target`
/// had more visits than strong handles, the last of them from `referrer`.
/// Panics (the caller puts every object back in its list, so the collector
/// stays usable) with what to fix.
#[cold]
#[inline(never)]
fn trace_contract_broken(referrer: GcPtr, target: GcPtr) -> ! {
    let referrer = (referrer.vtable().type_name)();
    let target = (target.vtable().type_name)();
    panic!(
        "cyclegc: a Trace impl broke its contract: an object of type `{target}` was visited more \
         times than it has strong handles (the last visit came from the trace of a `{referrer}`). \
         A Trace impl must visit each Cc it owns exactly once and no other: look for a handle \
         visited twice, or one the value does not own, in the `unsafe impl Trace` of `{referrer}` \
         or of another type that refers to `{target}` (#[derive(Trace)] gets this right). \
         The collection was abandoned and nothing was freed."
    )
}

/// Traces every object of `set` in `SubtractRefs` mode, first setting its
/// `gc_refs` to its strong count unless that was done already. Returns
/// whether any object may be a root: one with `gc_refs > 0` or one that
/// could not be traced. When none is, everything is unreachable and
/// `move_reachable` has nothing to do.
///
/// With `check_contract`, a `gc_refs` below zero (see `Mode::SubtractRefs`)
/// panics, naming the types involved; the caller restores the lists.
fn subtract_refs(set: &[GcPtr], tracer: &mut Tracer<'_>, check_contract: bool) -> bool {
    let mut untraceable = false;
    for &p in set {
        if let Mode::SubtractRefs { roots, .. } = &mut tracer.mode {
            if p.flags() & flags::COLLECTING == 0 {
                start_gc_refs(p, p.header().counts.strong.get(), roots);
            }
        }
        tracer.untraceable = false;
        p.trace(tracer);
        if let Mode::SubtractRefs {
            overdrawn: Some(target),
            ..
        } = tracer.mode
        {
            if check_contract {
                trace_contract_broken(p, target);
            }
        }
        if tracer.untraceable {
            p.set_flags(p.flags() | flags::UNTRACEABLE);
            untraceable = true;
        }
    }
    untraceable || matches!(tracer.mode, Mode::SubtractRefs { roots, .. } if roots > 0)
}

/// CPython's `move_unreachable`, turned around: every object referenced
/// from outside (`gc_refs > 0`, or untraceable this time) is reachable, and
/// so is everything it reaches inside the working list. Each is appended to
/// the target generation the moment it is found (which clears
/// `COLLECTING`), and the target's new tail is the queue of objects still
/// to trace, so no recursion and no separate stack are needed. The scan
/// for roots stops as soon as everything has been found reachable, which
/// is the common case for young collections of live data. Returns how many
/// moved.
fn move_reachable(s: &State, young: &[GcPtr], target_gen: usize) -> usize {
    let mut target = s.gens[target_gen].borrow_mut();
    let before = target.len();
    // Room for everything up front: growing a big list while marking would
    // copy it, maybe more than once.
    target.reserve(young.len());
    let mut tracer = Tracer::new(Mode::MarkReachable {
        target: &mut target,
        target_gen: target_gen as u32,
    });
    let mut traced = before;
    for p in from_both_ends(young) {
        if tracer.marked() - before == young.len() {
            break;
        }
        let f = p.flags();
        if f & flags::COLLECTING != 0 && (p.header().slot.get() != 0 || f & flags::UNTRACEABLE != 0) {
            tracer.mark_reachable_from(p, &mut traced);
        }
    }
    tracer.marked() - before
}

/// `move_reachable` for when the target generation is empty and has no room
/// for the working list (the first full collection of a big heap): moving
/// the survivors would fault in a whole new list, page by page, which costs
/// more than the marking. Here each reachable object only changes its
/// flags (no longer `COLLECTING`, generation set), with an explicit stack
/// for what is still to trace, and `split_in_place` then turns the working
/// list itself into the target generation. Returns how many are reachable.
fn mark_in_place(young: &[GcPtr], target_gen: usize) -> usize {
    let mut tracer = Tracer::new(Mode::MarkInPlace {
        target_gen: target_gen as u32,
        stack: Vec::new(),
        marked: 0,
    });
    for p in from_both_ends(young) {
        if tracer.marked() == young.len() {
            break;
        }
        let f = p.flags();
        if f & flags::COLLECTING != 0 && (p.header().slot.get() != 0 || f & flags::UNTRACEABLE != 0) {
            tracer.mark_in_place_from(p);
        }
    }
    tracer.marked()
}

/// After `mark_in_place`: the survivors are packed at the front of `young`
/// (their slots set to their new indexes), `young` becomes the target
/// generation's list, and the unreachable are gathered as
/// `gather_unreachable` does.
fn split_in_place(s: &State, young: &mut Vec<GcPtr>, target_gen: usize, moved: usize) -> Vec<GcPtr> {
    let mut garbage = s.spare_garbage.take();
    garbage.reserve(young.len() - moved);
    let mut kept = 0;
    for i in 0..young.len() {
        let p = young[i];
        if p.flags() & flags::COLLECTING != 0 {
            garbage.push(p);
        } else {
            p.header().slot.set(kept as u32);
            young[kept] = p;
            kept += 1;
        }
    }
    young.truncate(kept);
    let survivors = std::mem::take(young);
    *young = s.gens[target_gen].borrow_mut().install(survivors);
    garbage
}

/// The objects of `list` from both ends inwards: first, last, second,
/// second to last... The scan for roots stops once everything is found
/// reachable, and the roots are usually at an end: the oldest objects (the
/// root of a structure built top-down) or the newest (what the program's
/// local variables hold while it builds, as a chain growing at its head).
fn from_both_ends<T: Copy>(list: &[T]) -> impl Iterator<Item = T> + '_ {
    let (front, back) = list.split_at(list.len().div_ceil(2));
    let mut back = back.iter().rev();
    front
        .iter()
        .flat_map(move |&p| std::iter::once(p).chain(back.next().copied()))
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

/// Gathers the `unreachable` objects still `COLLECTING` after
/// `move_reachable`, in list order.
fn gather_unreachable(s: &State, young: &[GcPtr], unreachable: usize) -> Vec<GcPtr> {
    let mut garbage = s.spare_garbage.take();
    garbage.reserve(unreachable);
    garbage.extend(young.iter().filter(|p| p.flags() & flags::COLLECTING != 0));
    garbage
}

/// Calls the callbacks of the weak references to the garbage (dead since
/// `gather_unreachable`), before any finalizer or drop runs. The
/// callbacks of weak references that the garbage itself owns are never
/// called, neither now nor when the garbage's drops kill their referents:
/// they are destroyed with it (CPython's "trash" weakrefs, bpo-38006).
fn handle_weak_callbacks(s: &State, unreachable: &[GcPtr]) {
    if !death::any_weak_callbacks(s) {
        return;
    }
    if s.trash_epoch.get() == 0 {
        mark_trash_weakrefs(s, unreachable);
    }
    let pending: Vec<_> = unreachable
        .iter()
        .filter(|p| p.header().counts.has_weak_callbacks())
        .map(|&p| (p, death::take_weak_callbacks(s, p.as_counts())))
        .collect();
    for (p, callbacks) in pending {
        death::fire_weak_callbacks(p.as_counts(), p.vtable(), callbacks);
    }
}

/// Marks the weak references owned by `garbage` as trash, for as long as
/// this collection runs (`State::trash_epoch`).
fn mark_trash_weakrefs(s: &State, garbage: &[GcPtr]) {
    let epoch = s.epoch.get() + 1;
    s.epoch.set(epoch);
    s.trash_epoch.set(epoch);
    let mut tracer = Tracer::new(Mode::MarkTrashWeakrefs {
        epoch,
        leaves: Default::default(),
    });
    for &p in garbage {
        p.trace(&mut tracer);
    }
    tracer.mark_trash_in_leaves();
}

/// CPython's `finalize_garbage`: calls the finalizer of every unreachable
/// object that has one and has not been finalized, with all the garbage
/// still intact. Returns whether any ran (and so may have resurrected
/// something).
///
/// First, if any finalizer is to run, the weak epoch of all the garbage
/// moves on, so that the weak references it had stay dead if a finalizer
/// resurrects it, while those the finalizers make work. Garbage none of
/// whose values has a finalizer to run (`Finalize::has_finalizer`) costs
/// nothing here.
fn finalize_garbage(s: &State, unreachable: &[GcPtr], panics: &mut FirstPanic) -> bool {
    if !types::any_finalizer() {
        return false;
    }
    // The objects with a finalizer still to run. `has_finalizer` is user
    // code: one that panics is taken to say yes.
    let pending: Vec<GcPtr> = unreachable
        .iter()
        .copied()
        .filter(|p| {
            let vtable = p.vtable();
            vtable.finalize.is_some() && p.flags() & flags::FINALIZED == 0 && {
                let mut has = true;
                // SAFETY: the garbage is intact until `delete_garbage`.
                panics.catch(|| has = unsafe { (vtable.has_finalizer)(p.as_counts()) });
                has
            }
        })
        .collect();
    if pending.is_empty() {
        // Nothing can resurrect anything: no weak epoch needs to move on.
        return false;
    }
    for &p in unreachable {
        super::clear_weak_refs_of_live(s, p);
    }
    let mut ran = false;
    for p in pending {
        let f = p.flags();
        let Some(finalize) = p.vtable().finalize else {
            continue;
        };
        // Read again: an earlier finalizer may have finalized it.
        if f & flags::FINALIZED == 0 {
            p.set_flags(f | flags::FINALIZED);
            // A finalizer that panicked has run.
            let mut this_ran = true;
            // SAFETY: the value is alive (no garbage is dropped before every
            // finalizer ran) and the block is kept: the collector owns
            // `COLLECTING` objects, a refcount death leaves them alone.
            panics.catch(|| this_ran = unsafe { finalize(p.as_counts()) });
            if !this_ran {
                // This value had no finalizer after all: not finalized.
                p.set_flags(p.flags() & !flags::FINALIZED);
            }
            ran |= this_ran;
        }
    }
    ran
}

/// CPython's `handle_resurrected_objects`: reachability is computed again
/// over the garbage, now counting every reference from outside it. What a
/// finalizer made reachable, and all it reaches, moves to the target
/// generation alive; the weak references it had before stay dead (CPython
/// 3.12), those made since work. Returns what is still unreachable (and
/// still `COLLECTING`, so weak references that the finalizers made to it
/// are dead before any drop, CPython's gh-91636).
fn handle_resurrected_objects(s: &State, unreachable: Vec<GcPtr>, target_gen: usize) -> Vec<GcPtr> {
    // All `gc_refs` are set before any is subtracted from (the set is out
    // of every generation, so `SubtractRefs` cannot set them lazily).
    let mut roots = 0;
    for &p in &unreachable {
        start_gc_refs(p, p.header().counts.strong.get(), &mut roots);
    }
    let mut tracer = Tracer::new(Mode::SubtractRefs {
        gen_limit: 0,
        roots,
        overdrawn: None,
    });
    if subtract_refs(&unreachable, &mut tracer, false) {
        move_reachable(s, &unreachable, target_gen);
    }
    let mut still = unreachable;
    still.retain(|p| p.flags() & flags::COLLECTING != 0);
    still
}

/// Drops every unreachable value, then frees its block unless a handle
/// still holds it. While its value drops, an object stays `COLLECTING`, so
/// that a drop reaching it (a self-reference) cannot free it under the
/// collector; a member still referenced by a sibling whose value is not
/// dropped yet keeps its block until that sibling's drop releases it, so a
/// `Drop` that reaches a sibling through a `Cc` always finds allocated
/// memory. A panicking `Drop` does not stop the others.
fn delete_garbage(s: &State, unreachable: &[GcPtr], panics: &mut FirstPanic) {
    for &p in unreachable {
        if !p.header().counts.value_dropped() {
            // SAFETY: the value is alive (just checked), the block is kept
            // (the object is `COLLECTING`), and only the collector drops
            // values of unreachable objects.
            panics.catch(|| unsafe { p.drop_value(p.vtable()) });
        }
        let f = p.flags() & !(flags::COLLECTING | flags::UNTRACEABLE);
        p.set_flags(flags::with_generation(f, flags::UNTRACKED));
        s.decrement_count0();
        if p.header().counts.strong.get() == 0 {
            // Weak callbacks registered while the garbage was torn down (by
            // a sibling's `Drop`) fire now that the object is gone; with a
            // handle still held, they fire when it goes (`release`).
            if p.header().counts.has_weak_callbacks() {
                death::call_back_on_death(p.as_counts(), p.vtable());
            }
            // SAFETY: the value is gone and no strong handle is left; the
            // joint weak count that strong handles hold is released.
            unsafe { p.drop_weak() };
        }
    }
}

/// `SAVEALL`: instead of being freed, the unreachable objects go to
/// `gc::garbage()` in the order found, alive and intact (the weak
/// references they had stay dead), and back into a generation, as CPython
/// moves them to the old generation: once `gc::clear_garbage()` lets go of
/// them, the next collection frees them.
fn save_garbage(s: &State, unreachable: &[GcPtr], target_gen: usize) {
    let mut gen = s.gens[target_gen].borrow_mut();
    let mut garbage = s.garbage.borrow_mut();
    garbage.reserve(unreachable.len());
    for &p in unreachable {
        super::clear_weak_refs_of_live(s, p);
        gen.push(p, target_gen as u32);
        garbage.push(AnyCc::from_tracked(p));
    }
}

/// Clears the re-entrancy guard when the collection ends, also by a panic.
struct ResetCollecting<'a>(&'a State);

impl Drop for ResetCollecting<'_> {
    fn drop(&mut self) {
        self.0.collecting.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::from_both_ends;

    #[test]
    fn from_both_ends_visits_each_element_once_alternating_ends() {
        let order = |n: usize| from_both_ends(&(0..n).collect::<Vec<_>>()).collect::<Vec<_>>();
        assert_eq!(order(0), []);
        assert_eq!(order(1), [0]);
        assert_eq!(order(4), [0, 3, 1, 2]);
        assert_eq!(order(5), [0, 4, 1, 3, 2]);
    }
}
