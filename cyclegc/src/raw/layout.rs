//! The layout of one object and the type-erased operations on it.
//!
//! Every `Cc` points at the start of a heap block that begins with
//! [`Counts`]. A leaf type (one that can never own a `Cc`, see
//! `Trace::IS_LEAF`) is laid out as `LeafBox<T>` = counts + value: 8 bytes
//! of bookkeeping, half of `Rc`'s. Every other type is laid out as
//! `TrackedBox<T>` = [`GcHeader`] (counts, generation slot, flags with the
//! type's id) + value: 16 bytes, plus the 8-byte entry in its generation
//! list; 24 in all.
//!
//! # Invariants
//! - `strong` is the number of strong handles (`Cc`, `AnyCc`). The value is
//!   alive while `strong > 0`, except after the collector dropped it, which
//!   it records with `VALUE_DROPPED` before dropping. An object the
//!   collector found unreachable keeps `COLLECTING` until it has dropped its
//!   value: its strong count may reach zero meanwhile, and it is the
//!   collector, not the last handle, that frees it then.
//! - `weak` is the number of `Weak` handles plus one held jointly by the
//!   strong handles (as in `Rc`). The block is freed exactly when `weak`
//!   reaches zero, which happens only after `strong` reached zero and the
//!   value was dropped. So a stray handle always finds allocated memory.
//! - For a tracked object, `flags` holds its generation and the id of its
//!   type's vtable (`CcBox::<T>::VTABLE`, see `types`), from when it is
//!   first tracked on; `slot` is its index in that generation's list (or
//!   `gc_refs` while `COLLECTING`).

use std::any::TypeId;
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::{self, NonNull};

use super::flags;
use crate::trace::{Trace, Tracer};

/// The two reference counts every object starts with.
///
/// The top bit of `weak` is not part of the count: it says that weak
/// references with callbacks may be registered for the object (see
/// `collector::death`), so that a death needs to look them up only then.
#[repr(C)]
pub(crate) struct Counts {
    pub(crate) strong: Cell<u32>,
    pub(crate) weak: Cell<u32>,
}

/// The flag bit of [`Counts::weak`].
const WEAK_CALLBACKS: u32 = 1 << 31;

impl Counts {
    fn new() -> Counts {
        Counts {
            strong: Cell::new(1),
            weak: Cell::new(1),
        }
    }

    /// Adds a strong handle. Aborts on overflow, as `Rc` does: a program
    /// holding 2^32 handles to one object has lost count already.
    #[inline]
    pub(crate) fn inc_strong(&self) {
        let s = self.strong.get();
        if s == u32::MAX {
            std::process::abort();
        }
        self.strong.set(s + 1);
    }

    /// Removes a strong handle and returns how many remain.
    #[inline]
    pub(crate) fn dec_strong(&self) -> u32 {
        let s = self.strong.get() - 1;
        self.strong.set(s);
        s
    }

    /// Adds a weak handle; aborts on overflow like [`Counts::inc_strong`].
    #[inline]
    pub(crate) fn inc_weak(&self) {
        let w = self.weak.get();
        if w & !WEAK_CALLBACKS == !WEAK_CALLBACKS {
            std::process::abort();
        }
        self.weak.set(w + 1);
    }

    /// The number of `Weak` handles, plus one while strong handles exist.
    #[inline]
    pub(crate) fn weak_count(&self) -> u32 {
        self.weak.get() & !WEAK_CALLBACKS
    }

    /// Whether weak references with callbacks are registered.
    #[inline]
    pub(crate) fn has_weak_callbacks(&self) -> bool {
        self.weak.get() & WEAK_CALLBACKS != 0
    }

    pub(crate) fn set_weak_callbacks(&self, on: bool) {
        let w = self.weak.get() & !WEAK_CALLBACKS;
        self.weak.set(if on { w | WEAK_CALLBACKS } else { w });
    }
}

/// The header of a tracked object.
#[repr(C)]
pub(crate) struct GcHeader {
    pub(crate) counts: Counts,
    /// Index in the generation list, or `gc_refs` during a collection.
    pub(crate) slot: Cell<u32>,
    /// Generation, state bits, type id and weak epoch, see [`super::flags`].
    pub(crate) flags: Cell<u32>,
}

/// The type-erased operations of one type `T`, shared by all its objects.
pub(crate) struct VTable {
    pub(crate) type_name: fn() -> &'static str,
    pub(crate) type_id: fn() -> TypeId,
    pub(crate) is_leaf: bool,
    /// Calls `T::trace` on the value; the value must be alive.
    pub(crate) trace: unsafe fn(NonNull<Counts>, &mut Tracer<'_>),
    /// Drops the value in place; called once, with the value alive.
    pub(crate) drop_value: unsafe fn(NonNull<Counts>),
    /// Frees the block; called once, after the value was dropped.
    pub(crate) dealloc: unsafe fn(NonNull<Counts>),
    /// What happens when `strong` reaches zero.
    pub(crate) release: unsafe fn(NonNull<Counts>),
    /// Calls `Finalize::finalize` on the value, if the type has a finalizer.
    pub(crate) finalize: Option<unsafe fn(NonNull<Counts>)>,
}

#[repr(C)]
struct TrackedBox<T> {
    header: GcHeader,
    value: ManuallyDrop<T>,
}

#[repr(C)]
struct LeafBox<T> {
    counts: Counts,
    value: ManuallyDrop<T>,
}

/// The typed view of an object block: allocation and the operations that
/// need to know `T`. Every function taking a pointer requires that it came
/// from [`CcBox::<T>::alloc`] for the same `T` and that the block is still
/// allocated (see the module's invariants).
pub(crate) struct CcBox<T>(PhantomData<T>);

impl<T: Trace> CcBox<T> {
    pub(crate) const VTABLE: &'static VTable = &VTable {
        type_name: std::any::type_name::<T>,
        type_id: TypeId::of::<T>,
        is_leaf: T::IS_LEAF,
        trace: Self::trace_erased,
        drop_value: Self::drop_value,
        dealloc: Self::dealloc,
        release: Self::release,
        finalize: if T::__FINALIZE {
            Some(Self::finalize_erased)
        } else {
            None
        },
    };

    /// Moves `value` into a new block with `strong == weak == 1`. A tracked
    /// block starts `UNTRACKED`; the caller links it into generation 0.
    #[inline]
    pub(crate) fn alloc(value: T) -> NonNull<Counts> {
        let value = ManuallyDrop::new(value);
        if T::IS_LEAF {
            let b = Box::new(LeafBox {
                counts: Counts::new(),
                value,
            });
            NonNull::from(Box::leak(b)).cast()
        } else {
            let b = Box::new(TrackedBox {
                header: GcHeader {
                    counts: Counts::new(),
                    slot: Cell::new(0),
                    flags: Cell::new(flags::UNTRACKED),
                },
                value,
            });
            NonNull::from(Box::leak(b)).cast()
        }
    }

    /// # Safety
    /// `p` is a live block of this `T` whose value has not been dropped;
    /// the reference must not outlive the value.
    #[inline]
    pub(crate) unsafe fn value<'a>(p: NonNull<Counts>) -> &'a T {
        // SAFETY: by the caller's contract the block is a `LeafBox<T>` or
        // `TrackedBox<T>` (chosen by `T::IS_LEAF` exactly as in `alloc`)
        // with a live value.
        unsafe {
            if T::IS_LEAF {
                &(*p.cast::<LeafBox<T>>().as_ptr()).value
            } else {
                &(*p.cast::<TrackedBox<T>>().as_ptr()).value
            }
        }
    }

    /// A raw pointer to the value, valid to compare and print even after
    /// the value was dropped.
    #[inline]
    pub(crate) fn value_ptr(p: NonNull<Counts>) -> *const T {
        if T::IS_LEAF {
            let b = p.cast::<LeafBox<T>>().as_ptr();
            // SAFETY: only computes an address inside the block; nothing is read.
            unsafe { ptr::addr_of!((*b).value).cast() }
        } else {
            let b = p.cast::<TrackedBox<T>>().as_ptr();
            // SAFETY: as above.
            unsafe { ptr::addr_of!((*b).value).cast() }
        }
    }

    unsafe fn finalize_erased(p: NonNull<Counts>) {
        // SAFETY: the vtable contract: the block is a live `T` with its value.
        unsafe { Self::value(p) }.__finalize();
    }

    unsafe fn trace_erased(p: NonNull<Counts>, tracer: &mut Tracer<'_>) {
        // SAFETY: the vtable contract: the block is a live `T` with its value.
        unsafe { Self::value(p) }.trace(tracer);
    }

    /// # Safety
    /// `p` is a live block of this `T`, its value alive and dropped by no
    /// one else, and no reference to the value outlives this call.
    pub(crate) unsafe fn drop_value(p: NonNull<Counts>) {
        let v = Self::value_ptr(p) as *mut T;
        // SAFETY: by the caller's contract the value is alive and this is
        // the only drop; `p` came from `Box::leak`, so it may write the block.
        unsafe { ptr::drop_in_place(v) }
    }

    /// # Safety
    /// `p` is a block of this `T` whose value was dropped, and nothing
    /// refers to it any more (`weak` reached zero).
    unsafe fn dealloc(p: NonNull<Counts>) {
        // SAFETY: the block was made by `Box::leak` of exactly this box
        // type in `alloc`; `ManuallyDrop` keeps the dropped value from
        // being dropped again.
        unsafe {
            if T::IS_LEAF {
                drop(Box::from_raw(p.cast::<LeafBox<T>>().as_ptr()));
            } else {
                drop(Box::from_raw(p.cast::<TrackedBox<T>>().as_ptr()));
            }
        }
    }

    /// The last strong handle of `p` went away.
    ///
    /// # Safety
    /// `p` is a live block of this `T` whose `strong` just reached zero.
    pub(crate) unsafe fn release(p: NonNull<Counts>) {
        if T::IS_LEAF {
            // A leaf owns no `Cc`, so dropping it cannot start a chain of
            // frees: no trashcan is needed and the collector is only
            // involved for a finalizer or weak callbacks.
            // SAFETY: the block is live (its strong count just reached zero).
            if T::__FINALIZE || unsafe { p.as_ref() }.has_weak_callbacks() {
                crate::collector::release_leaf(p, Self::VTABLE);
            } else {
                let guard = DropImplicitWeak(p, Self::VTABLE);
                // SAFETY: strong is zero, so nothing else can reach the value.
                unsafe { Self::drop_value(p) };
                drop(guard);
            }
        } else {
            // SAFETY: `p` is a live tracked block.
            crate::collector::release(unsafe { GcPtr::new(p) });
        }
    }
}

/// Gives up the weak count that the strong handles held jointly, also when
/// dropping the value unwinds, so a panicking `Drop` does not leak the block.
pub(crate) struct DropImplicitWeak(pub(crate) NonNull<Counts>, pub(crate) &'static VTable);

impl Drop for DropImplicitWeak {
    fn drop(&mut self) {
        // SAFETY: constructed only for a live block whose value is being or
        // has been dropped, holding the implicit weak count.
        unsafe { drop_weak(self.0, self.1) }
    }
}

/// Removes one weak count and frees the block when none remain.
///
/// # Safety
/// `p` is a live block of the vtable's type, the caller owns one weak count,
/// and if it is the last one the value has been dropped.
#[inline]
pub(crate) unsafe fn drop_weak(p: NonNull<Counts>, vtable: &'static VTable) {
    // SAFETY: the block is live by the caller's contract.
    let counts = unsafe { p.as_ref() };
    let w = counts.weak.get() - 1;
    counts.weak.set(w);
    // The flag bit does not count: an object whose callback registrations
    // were pruned may still carry it when its last weak count goes.
    if w & !WEAK_CALLBACKS == 0 {
        // SAFETY: no strong or weak handle remains and the value is gone.
        unsafe { (vtable.dealloc)(p) }
    }
}

/// A pointer to a tracked object, as the generation lists and the
/// collector hold it.
///
/// Invariant: whoever holds a `GcPtr` keeps its block allocated while using
/// it: generation lists hold objects with `strong > 0` and a live value;
/// the collector's working lists hold `COLLECTING` objects, which nothing
/// but the collector frees; the trashcan queue holds objects whose implicit
/// weak count it owns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct GcPtr(NonNull<GcHeader>);

impl GcPtr {
    /// # Safety
    /// `p` is a live tracked block (its `T` is not a leaf), and the
    /// returned pointer is used only as the type's invariant allows.
    #[inline]
    pub(crate) unsafe fn new(p: NonNull<Counts>) -> GcPtr {
        GcPtr(p.cast())
    }

    /// The object's header.
    #[inline]
    pub(crate) fn header(&self) -> &GcHeader {
        // SAFETY: the block is allocated by the type's invariant; the
        // header is only accessed through `Cell`s.
        unsafe { self.0.as_ref() }
    }

    /// The block's address, as the handles store it.
    #[inline]
    pub(crate) fn as_counts(self) -> NonNull<Counts> {
        self.0.cast()
    }

    /// The type-erased operations of the object's type.
    #[inline]
    pub(crate) fn vtable(&self) -> &'static VTable {
        super::types::vtable(flags::type_id(self.flags()))
    }

    #[inline]
    pub(crate) fn flags(&self) -> u32 {
        self.header().flags.get()
    }

    #[inline]
    pub(crate) fn set_flags(&self, f: u32) {
        self.header().flags.set(f)
    }

    /// Calls the object's `trace`.
    ///
    /// The value must be alive: objects in a generation list, and the
    /// unreachable ones before the collector drops them, always are.
    #[inline]
    pub(crate) fn trace(&self, tracer: &mut Tracer<'_>) {
        debug_assert!(self.flags() & flags::VALUE_DROPPED == 0);
        // SAFETY: the value is alive (documented precondition, upheld by
        // every caller: they trace only generation members and unreachable
        // objects whose values the collector has not dropped yet).
        unsafe { (self.vtable().trace)(self.as_counts(), tracer) }
    }

    /// Drops the value in place, marking it `VALUE_DROPPED` first so that a
    /// stray handle finds it gone.
    ///
    /// # Safety
    /// The value is alive and no one else will drop it, and no reference to
    /// it is held across this call.
    pub(crate) unsafe fn drop_value(&self) {
        self.set_flags(self.flags() | flags::VALUE_DROPPED);
        // SAFETY: forwarded from the caller.
        unsafe { (self.vtable().drop_value)(self.as_counts()) }
    }

    /// Gives up one weak count, freeing the block if it was the last.
    ///
    /// # Safety
    /// As [`drop_weak`].
    pub(crate) unsafe fn drop_weak(self) {
        // SAFETY: forwarded from the caller.
        unsafe { drop_weak(self.as_counts(), self.vtable()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn bookkeeping_is_8_bytes_for_a_leaf_and_16_for_a_tracked_object() {
        assert_eq!(size_of::<Counts>(), 8);
        assert_eq!(size_of::<GcHeader>(), 16);
        assert_eq!(size_of::<LeafBox<u64>>(), 8 + 8);
        assert_eq!(size_of::<TrackedBox<u64>>(), 16 + 8);
    }
}
