//! What happens to an object as it dies, besides dropping its value: its
//! finalizer (SPEC §7) and the callbacks of its weak references (SPEC §6).
//!
//! Weak references with callbacks are registered per object in the
//! thread's state; the top bit of the object's weak count says whether it
//! has any, so that a death looks them up only then.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::rc;

use super::{with_state, Panic, State};
use crate::raw::{Counts, VTable};
use crate::weak::PendingCallback;

/// The registered weak references with callbacks, by object address.
pub(crate) type WeakCallbacks = HashMap<usize, Vec<rc::Weak<dyn PendingCallback>>>;

/// Registers a weak reference with a callback for the object at `block`.
pub(crate) fn register_weak_callback(block: NonNull<Counts>, pending: rc::Weak<dyn PendingCallback>) {
    super::register_thread_exit_hook();
    with_state(|s| {
        let mut registry = s.weak_callbacks.borrow_mut();
        let list = registry
            .get_or_insert_with(HashMap::new)
            .entry(block.as_ptr() as usize)
            .or_default();
        // Weak references dropped before their referent leave dead entries;
        // sweeping them as the list doubles keeps it proportional to the
        // live ones at O(1) amortised cost.
        if list.len() >= 8 && list.len().is_power_of_two() {
            list.retain(|w| w.strong_count() > 0);
        }
        list.push(pending);
    });
    // SAFETY: the caller holds a strong handle to the block.
    unsafe { block.as_ref() }.set_weak_callbacks(true);
}

/// For each working weak reference with a callback to the object at
/// `block` (in weak epoch `epoch`), the number of its handles (clones).
pub(crate) fn callback_refs(block: NonNull<Counts>, epoch: u64) -> Vec<usize> {
    with_state(|s| {
        let registry = s.weak_callbacks.borrow();
        let Some(list) = registry.as_ref().and_then(|r| r.get(&(block.as_ptr() as usize))) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|w| {
                let handles = w.strong_count();
                let pending = w.upgrade()?;
                pending.works_in(epoch).then_some(handles)
            })
            .collect()
    })
}

/// Drops the registrations whose weak references are all gone, and the
/// registry itself once it is empty (at thread exit). Objects keep their
/// flag bit; a death that finds nothing registered calls nothing.
pub(crate) fn prune_weak_callbacks(registry: &mut Option<WeakCallbacks>) {
    if let Some(r) = registry {
        r.retain(|_, list| {
            list.retain(|w| w.strong_count() > 0);
            !list.is_empty()
        });
        if r.is_empty() {
            *registry = None;
        }
    }
}

/// Whether any weak reference with a callback is registered on this thread.
pub(crate) fn any_weak_callbacks(s: &State) -> bool {
    s.weak_callbacks.borrow().as_ref().is_some_and(|r| !r.is_empty())
}

/// Takes the weak references with callbacks registered for `block` (which
/// is dying), newest last.
pub(crate) fn take_weak_callbacks(s: &State, block: NonNull<Counts>) -> Vec<rc::Weak<dyn PendingCallback>> {
    // SAFETY: the caller keeps the dying block allocated.
    let counts = unsafe { block.as_ref() };
    if !counts.has_weak_callbacks() {
        return Vec::new();
    }
    counts.set_weak_callbacks(false);
    let mut registry = s.weak_callbacks.borrow_mut();
    registry
        .as_mut()
        .and_then(|r| r.remove(&(block.as_ptr() as usize)))
        .unwrap_or_default()
}

/// The object at `block` dies now (by refcount): its weak callbacks run.
pub(crate) fn call_back_on_death(block: NonNull<Counts>, vtable: &'static VTable) {
    let callbacks = with_state(|s| take_weak_callbacks(s, block));
    fire_weak_callbacks(block, vtable, callbacks);
}

/// Calls the callbacks of a dying object's weak references, newest first,
/// skipping those whose weak reference is gone or is trash of the running
/// collection. A panicking callback is reported on standard error, as
/// CPython reports an exception in a callback, and the others still run.
pub(crate) fn fire_weak_callbacks(
    block: NonNull<Counts>,
    vtable: &'static VTable,
    callbacks: Vec<rc::Weak<dyn PendingCallback>>,
) {
    if callbacks.is_empty() {
        return;
    }
    let trash_epoch = with_state(|s| s.trash_epoch.get());
    for pending in callbacks.into_iter().rev() {
        let Some(pending) = pending.upgrade() else {
            continue;
        };
        if trash_epoch != 0 && pending.is_trash(trash_epoch) {
            continue;
        }
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| pending.fire(block))) {
            let name = (vtable.type_name)();
            let addr = block.as_ptr() as usize;
            report_unraisable(
                format_args!("<weak reference callback for <{name} object at {addr:#x}>>"),
                &payload,
            );
        }
    }
}

/// Reports a panic that nobody can receive (in a weak callback or an exit
/// finalizer) on standard error, as CPython's `sys.unraisablehook` reports
/// an exception there, and goes on.
pub(crate) fn report_unraisable(what: std::fmt::Arguments<'_>, payload: &Panic) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "Box<dyn Any>".to_string());
    eprintln!("Exception ignored in: {what}\npanic: {message}");
}

/// Runs the finalizer of an object whose strong count just reached zero,
/// with a temporary strong count so that its weak references still
/// upgrade.
pub(crate) fn finalize_on_last_release(
    block: NonNull<Counts>,
    finalize: unsafe fn(NonNull<Counts>) -> bool,
) -> LastRelease {
    // SAFETY: the caller keeps the block allocated; its value is alive.
    let counts = unsafe { block.as_ref() };
    counts.strong.set(1);
    // SAFETY: the value is alive and the temporary count keeps it so.
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| unsafe { finalize(block) }));
    let resurrected = counts.dec_strong() > 0;
    LastRelease {
        resurrected,
        // a finalizer that panicked has run
        ran: outcome.as_ref().map_or(true, |ran| *ran),
        panic: outcome.err(),
    }
}

/// What [`finalize_on_last_release`] saw.
pub(crate) struct LastRelease {
    /// A handle to the object survived the finalizer.
    pub(crate) resurrected: bool,
    /// The value had a finalizer to run (`Finalize::has_finalizer`).
    pub(crate) ran: bool,
    /// The finalizer's panic.
    pub(crate) panic: Option<Panic>,
}
