//! The layout of one object and the type-erased operations on it.
//!
//! Every handle points at a [`CcBlock<T>`]: a 16-byte header, then the
//! value. The header starts with [`Counts`] (strong and weak counts); its
//! second half depends on the kind of object:
//!
//! - a *tracked* object (one whose type may own a `Cc`, see
//!   `Trace::IS_LEAF`) has its generation slot and flags there
//!   ([`GcHeader`]), the flags naming its type's vtable by a 16-bit id;
//!   with its 8-byte entry in its generation list that is 24 bytes of
//!   bookkeeping;
//! - a *leaf* object (one that can never own a `Cc`, so never tracked) has
//!   a pointer to its type's vtable there (`LeafHeader`): 16 bytes, as `Rc`.
//!
//! So every object knows its own type: a handle to an unsized value
//! (`Cc<dyn Trait>`, `Cc<[T]>`, `Cc<str>`) and the type-erased `AnyCc` find
//! the concrete type's operations from the block alone ([`vtable_of`]).
//! A slice's block is preceded by its length (`slice_len`), since the
//! type-erased operations get a thin pointer.
//!
//! # Invariants
//! - `strong` is the number of strong handles (`Cc`, `AnyCc`). The value is
//!   alive while `strong > 0`, except after the collector dropped it, which
//!   it records with the `VALUE_DROPPED` bit of the counts before dropping.
//!   An object the collector found unreachable keeps `COLLECTING` until it
//!   has dropped its value: its strong count may reach zero meanwhile, and
//!   it is the collector, not the last handle, that frees it then.
//! - `weak` (its low 29 bits) is the number of `Weak` handles plus one held
//!   jointly by the strong handles (as in `Rc`). The block is freed exactly
//!   when it reaches zero, which happens only after `strong` reached zero
//!   and the value was dropped. So a stray handle always finds allocated
//!   memory, and the header stays readable until the block is freed.
//! - The `TRACKED` bit of the counts is fixed at allocation and says which
//!   header the block has. For a tracked object, `flags` holds its
//!   generation and the id of its type's vtable (`CcBox::<T>::VTABLE`, see
//!   `types`) from when it is first tracked on; `slot` is its index in that
//!   generation's list (or `gc_refs` while `COLLECTING`). For a leaf, the
//!   vtable pointer is written once at allocation.

use std::alloc::{self, Layout};
use std::any::{Any, TypeId};
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::ptr::{self, NonNull};

use super::flags;
use crate::trace::{Trace, Tracer};

/// The two reference counts every object starts with.
///
/// The top three bits of `weak` are not part of the count: `WEAK_CALLBACKS`
/// says that weak references with callbacks may be registered for the
/// object (see `collector::death`), so that a death needs to look them up
/// only then; `TRACKED` says which header the block has; `VALUE_DROPPED`
/// that the collector has dropped the value.
#[repr(C)]
pub(crate) struct Counts {
    pub(crate) strong: Cell<u32>,
    pub(crate) weak: Cell<u32>,
}

/// Flag bits of [`Counts::weak`].
const WEAK_CALLBACKS: u32 = 1 << 31;
const TRACKED: u32 = 1 << 30;
const VALUE_DROPPED: u32 = 1 << 29;
/// The bits of [`Counts::weak`] that count.
const WEAK_COUNT: u32 = VALUE_DROPPED - 1;

impl Counts {
    fn new(tracked: bool) -> Counts {
        Counts {
            strong: Cell::new(1),
            weak: Cell::new(if tracked { 1 | TRACKED } else { 1 }),
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
        if w & WEAK_COUNT == WEAK_COUNT {
            std::process::abort();
        }
        self.weak.set(w + 1);
    }

    /// The number of `Weak` handles, plus one while strong handles exist.
    #[inline]
    pub(crate) fn weak_count(&self) -> u32 {
        self.weak.get() & WEAK_COUNT
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

    /// Whether the block has a [`GcHeader`] (its type is not a leaf).
    #[inline]
    pub(crate) fn is_tracked(&self) -> bool {
        self.weak.get() & TRACKED != 0
    }

    /// Whether the collector has dropped (or is dropping) the value.
    #[inline]
    pub(crate) fn value_dropped(&self) -> bool {
        self.weak.get() & VALUE_DROPPED != 0
    }

    pub(crate) fn set_value_dropped(&self) {
        self.weak.set(self.weak.get() | VALUE_DROPPED);
    }
}

/// The header of a tracked object.
#[repr(C, align(8))]
pub(crate) struct GcHeader {
    pub(crate) counts: Counts,
    /// Index in the generation list, or `gc_refs` during a collection.
    pub(crate) slot: Cell<u32>,
    /// Generation, state bits, type id and weak epoch, see [`super::flags`].
    pub(crate) flags: Cell<u32>,
}

/// The header of a leaf object: the same 16 bytes as [`GcHeader`], the
/// second half naming the type directly.
#[repr(C)]
struct LeafHeader {
    counts: Counts,
    vtable: &'static VTable,
}

/// An object's heap block: header, then value.
///
/// `T` may be unsized (`dyn Trait`, `[U]`, `str`): the handles hold a
/// (possibly fat) pointer to the block, and the header alone tells the
/// concrete type. The block is never dropped as a whole: the value is
/// dropped in place and the memory freed by the vtable's `dealloc`.
#[repr(C)]
pub(crate) struct CcBlock<T: ?Sized> {
    header: GcHeader,
    value: T,
}

impl<T: ?Sized> CcBlock<T> {
    /// A pointer to the value, computed without reading it.
    #[inline]
    pub(crate) fn value_ptr(block: NonNull<CcBlock<T>>) -> *const T {
        // SAFETY: only computes an address inside the block; nothing is read.
        unsafe { ptr::addr_of!((*block.as_ptr()).value) }
    }

    /// The block pointer for a pointer to a block's value, keeping the
    /// value pointer's metadata (length or vtable).
    ///
    /// # Safety
    /// `value` points at the value of a live block.
    #[inline]
    pub(crate) unsafe fn from_value_ptr(value: *const T) -> NonNull<CcBlock<T>> {
        // SAFETY: the value is live, so its size and alignment can be read;
        // its offset in a `repr(C)` block is the header's size rounded up to
        // its alignment, and stepping back by it stays inside the block.
        unsafe {
            let align = std::mem::align_of_val(&*value);
            let offset = std::mem::size_of::<GcHeader>().next_multiple_of(align);
            NonNull::new_unchecked(value.byte_sub(offset) as *mut CcBlock<T>)
        }
    }
}

impl<T> CcBlock<T> {
    /// [`CcBlock::from_value_ptr`] for a sized value, which need not be
    /// alive (its offset is known statically).
    ///
    /// # Safety
    /// `value` points at the value slot of an allocated block.
    #[inline]
    pub(crate) unsafe fn from_sized_value_ptr(value: *const T) -> NonNull<CcBlock<T>> {
        let offset = std::mem::offset_of!(CcBlock<T>, value);
        // SAFETY: stepping back by the value's offset stays in the block.
        unsafe { NonNull::new_unchecked(value.byte_sub(offset) as *mut CcBlock<T>) }
    }
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
    /// Calls `Finalize::finalize` on the value, if the type has a finalizer
    /// and the value says it has one (`Finalize::has_finalizer`); returns
    /// whether it ran.
    pub(crate) finalize: Option<unsafe fn(NonNull<Counts>) -> bool>,
    /// `Finalize::has_finalizer` of the value (which must be alive): whether
    /// `finalize` would run it.
    pub(crate) has_finalizer: unsafe fn(NonNull<Counts>) -> bool,
    /// `Trace::class_name` of the value, which must be alive.
    pub(crate) class_name: unsafe fn(NonNull<Counts>) -> String,
    /// The block seen as a `CcBlock<dyn Any>`, for a sized type (a slice
    /// cannot be a `dyn Any`).
    pub(crate) as_dyn_any: Option<AsDynAny>,
}

/// Sees a block as a `CcBlock<dyn Any>` (see [`VTable::as_dyn_any`]).
pub(crate) type AsDynAny = fn(NonNull<Counts>) -> NonNull<CcBlock<dyn Any>>;

/// The vtable of the object at `p`, from its header.
///
/// # Safety
/// `p` is an allocated block (a handle, strong or weak, keeps it so).
#[inline]
pub(crate) unsafe fn vtable_of(p: NonNull<Counts>) -> &'static VTable {
    // SAFETY: the block is allocated; the `TRACKED` bit says which header
    // it has, and either header is fully initialised from allocation on.
    unsafe {
        if p.as_ref().is_tracked() {
            GcPtr::new(p).vtable()
        } else {
            (*p.cast::<LeafHeader>().as_ptr()).vtable
        }
    }
}

/// Releases an object whose strong count just reached zero, through its
/// type's vtable (for handles that do not know the concrete type).
///
/// # Safety
/// `p` is a live block whose `strong` just reached zero.
#[inline]
pub(crate) unsafe fn release_erased(p: NonNull<Counts>) {
    // SAFETY: the caller's block is live. A tracked object's release is
    // always the collector's, which needs no vtable; a leaf's drops its
    // value, through the vtable.
    unsafe {
        if p.as_ref().is_tracked() {
            crate::collector::release(GcPtr::new(p));
        } else {
            (vtable_of(p).release)(p)
        }
    }
}

/// Marks the value dropped and drops it in place through the vtable.
///
/// # Safety
/// The value is alive and no one else will drop it, and no reference to
/// it is held across this call.
pub(crate) unsafe fn drop_value_erased(p: NonNull<Counts>, vtable: &'static VTable) {
    // SAFETY: the block is allocated (caller's contract).
    unsafe { p.as_ref() }.set_value_dropped();
    // SAFETY: forwarded from the caller.
    unsafe { (vtable.drop_value)(p) }
}

/// Writes a fresh header for a block of `T` at `block`.
///
/// # Safety
/// `block` points at writable, suitably aligned memory for a header.
unsafe fn init_header(block: *mut GcHeader, vtable: &'static VTable) {
    let tracked = !vtable.is_leaf;
    // SAFETY: the caller gives writable memory for a header; a leaf's
    // header is then overwritten as a `LeafHeader`, which has the same
    // size and alignment.
    unsafe {
        block.write(GcHeader {
            counts: Counts::new(tracked),
            slot: Cell::new(0),
            flags: Cell::new(flags::UNTRACKED),
        });
        if !tracked {
            ptr::addr_of_mut!((*block.cast::<LeafHeader>()).vtable).write(vtable);
        }
    }
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
        has_finalizer: Self::has_finalizer,
        class_name: Self::class_name,
        as_dyn_any: Some(|p| p.cast::<CcBlock<T>>() as NonNull<CcBlock<dyn Any>>),
    };

    /// Moves `value` into a new block with `strong == weak == 1`. A tracked
    /// block starts `UNTRACKED`; the caller links it into generation 0.
    #[inline]
    pub(crate) fn alloc(value: T) -> NonNull<CcBlock<T>> {
        let b = Box::new(CcBlock {
            header: GcHeader {
                counts: Counts::new(!T::IS_LEAF),
                slot: Cell::new(0),
                flags: Cell::new(flags::UNTRACKED),
            },
            value,
        });
        let p = NonNull::from(Box::leak(b));
        if T::IS_LEAF {
            // SAFETY: the block was just allocated and is exclusively ours;
            // a `LeafHeader` has the layout of the `GcHeader` it replaces.
            unsafe { ptr::addr_of_mut!((*p.as_ptr().cast::<LeafHeader>()).vtable).write(Self::VTABLE) };
        }
        p
    }

    /// A block for a `T` whose value is not written yet, for
    /// `Cc::new_cyclic`: `strong == weak == 1`, the header complete (a
    /// tracked block gets its type id, so that its vtable can be found
    /// before it is tracked).
    pub(crate) fn alloc_uninit() -> NonNull<CcBlock<MaybeUninit<T>>> {
        let p = NonNull::from(Box::leak(Box::new(CcBlock {
            header: GcHeader {
                counts: Counts::new(!T::IS_LEAF),
                slot: Cell::new(0),
                flags: Cell::new(flags::UNTRACKED),
            },
            value: MaybeUninit::<T>::uninit(),
        })));
        if T::IS_LEAF {
            // SAFETY: as in `alloc`.
            unsafe { ptr::addr_of_mut!((*p.as_ptr().cast::<LeafHeader>()).vtable).write(Self::VTABLE) };
        } else {
            // SAFETY: a fresh tracked block.
            crate::collector::assign_type_id(unsafe { GcPtr::new(p.cast()) }, Self::VTABLE);
        }
        p
    }

    /// # Safety
    /// `p` is a live block of this `T` whose value has not been dropped;
    /// the reference must not outlive the value.
    #[inline]
    pub(crate) unsafe fn value<'a>(p: NonNull<Counts>) -> &'a T {
        // SAFETY: by the caller's contract the block is a `CcBlock<T>` with
        // a live value.
        unsafe { &(*p.cast::<CcBlock<T>>().as_ptr()).value }
    }

    unsafe fn class_name(p: NonNull<Counts>) -> String {
        // SAFETY: the vtable contract: the block is a live `T` with its value.
        unsafe { Self::value(p) }.class_name().into_owned()
    }

    unsafe fn has_finalizer(p: NonNull<Counts>) -> bool {
        // SAFETY: the vtable contract: the block is a live `T` with its value.
        T::__FINALIZE && T::__has_finalizer(unsafe { Self::value(p) })
    }

    unsafe fn finalize_erased(p: NonNull<Counts>) -> bool {
        // SAFETY: the vtable contract: the block is a live `T` with its
        // value. The handle lent to the finalizer owns no count, so it is
        // never dropped; the finalizer's clones of it count as usual (that
        // is resurrection, which both callers detect).
        let this = ManuallyDrop::new(unsafe { crate::cc::Cc::<T>::from_counted(p.cast()) });
        if !T::__has_finalizer(&this) {
            return false;
        }
        T::__finalize_cc(&this);
        true
    }

    unsafe fn trace_erased(p: NonNull<Counts>, tracer: &mut Tracer<'_>) {
        // SAFETY: the vtable contract: the block is a live `T` with its value.
        unsafe { Self::value(p) }.trace(tracer);
    }

    /// # Safety
    /// `p` is a live block of this `T`, its value alive and dropped by no
    /// one else, and no reference to the value outlives this call.
    pub(crate) unsafe fn drop_value(p: NonNull<Counts>) {
        let v = CcBlock::value_ptr(p.cast::<CcBlock<T>>()) as *mut T;
        // SAFETY: by the caller's contract the value is alive and this is
        // the only drop; `p` came from `Box::leak`, so it may write the block.
        unsafe { ptr::drop_in_place(v) }
    }

    /// # Safety
    /// `p` is a block of this `T` whose value was dropped, and nothing
    /// refers to it any more (`weak` reached zero).
    unsafe fn dealloc(p: NonNull<Counts>) {
        // SAFETY: the block was made by `Box::leak` of a `CcBlock<T>`;
        // `ManuallyDrop` (same layout) keeps the dropped value from being
        // dropped again, and the header has no drop.
        unsafe { drop(Box::from_raw(p.cast::<CcBlock<ManuallyDrop<T>>>().as_ptr())) }
    }

    /// The last strong handle of `p` went away.
    ///
    /// # Safety
    /// `p` is a live block of this `T` whose `strong` just reached zero.
    pub(crate) unsafe fn release(p: NonNull<Counts>) {
        // SAFETY: forwarded from the caller.
        unsafe { release_typed(p, Self::VTABLE) }
    }
}

/// What [`CcBox::release`] does, given the type's vtable.
///
/// # Safety
/// As [`CcBox::release`].
#[inline]
unsafe fn release_typed(p: NonNull<Counts>, vtable: &'static VTable) {
    if vtable.is_leaf {
        // A leaf owns no `Cc`, so dropping it cannot start a chain of
        // frees: no trashcan is needed and the collector is only
        // involved for a finalizer or weak callbacks.
        // SAFETY: the block is live (its strong count just reached zero).
        if vtable.finalize.is_some() || unsafe { p.as_ref() }.has_weak_callbacks() {
            crate::collector::release_leaf(p);
        } else {
            let guard = DropImplicitWeak(p, Some(vtable));
            // SAFETY: strong is zero, so nothing else can reach the value.
            unsafe { (vtable.drop_value)(p) };
            drop(guard);
        }
    } else {
        // SAFETY: `p` is a live tracked block.
        crate::collector::release(unsafe { GcPtr::new(p) });
    }
}

impl SliceBox<u8> {
    /// A `str`'s block is a `[u8]` block that names its type `str`.
    const STR_VTABLE: &'static VTable = &VTable {
        type_name: std::any::type_name::<str>,
        type_id: TypeId::of::<str>,
        class_name: |_| "str".to_owned(),
        ..*Self::VTABLE
    };

    /// Moves the bytes of a string into a new (leaf) block.
    pub(crate) fn alloc_str(s: String) -> NonNull<CcBlock<[u8]>> {
        Self::alloc_as(s.into_bytes(), Self::STR_VTABLE)
    }
}

/// The block of a `Cc<[T]>` (and of a `Cc<str>`, as `[u8]`): the length
/// is stored in the word just before the block, so that the type-erased
/// operations, which get a thin pointer, can find it.
pub(crate) struct SliceBox<T>(PhantomData<T>);

impl<T: Trace> SliceBox<T> {
    pub(crate) const VTABLE: &'static VTable = &VTable {
        type_name: std::any::type_name::<[T]>,
        type_id: TypeId::of::<[T]>,
        is_leaf: T::IS_LEAF,
        trace: Self::trace_erased,
        drop_value: Self::drop_value,
        dealloc: Self::dealloc,
        release: Self::release,
        finalize: None,
        has_finalizer: |_| false,
        class_name: Self::class_name,
        as_dyn_any: None,
    };

    /// The allocation of a slice of `len` and the offset of the block in it.
    fn layout(len: usize) -> (Layout, usize) {
        let block = Layout::new::<GcHeader>()
            .extend(Layout::array::<T>(len).expect("cyclegc: slice too large"))
            .expect("cyclegc: slice too large")
            .0
            .pad_to_align();
        let (full, offset) = Layout::new::<usize>()
            .extend(block)
            .expect("cyclegc: slice too large");
        (full.pad_to_align(), offset)
    }

    /// The length stored before the block.
    ///
    /// # Safety
    /// `p` is an allocated block made by [`SliceBox::alloc`].
    unsafe fn len(p: NonNull<Counts>) -> usize {
        // SAFETY: `alloc` wrote the length in the word before the block,
        // which is aligned for a `usize` (the block's offset is a multiple
        // of its alignment, at least 8).
        unsafe { p.cast::<usize>().as_ptr().sub(1).read() }
    }

    /// The fat pointer to the block at `p`.
    ///
    /// # Safety
    /// `p` is an allocated block made by [`SliceBox::alloc`].
    pub(crate) unsafe fn block(p: NonNull<Counts>) -> NonNull<CcBlock<[T]>> {
        // SAFETY: forwarded; the length is the block's.
        let len = unsafe { Self::len(p) };
        let fat = ptr::slice_from_raw_parts_mut(p.as_ptr().cast::<T>(), len) as *mut CcBlock<[T]>;
        // SAFETY: derived from a non-null pointer.
        unsafe { NonNull::new_unchecked(fat) }
    }

    /// Moves the elements of `items` into a new block with `strong == weak
    /// == 1`, untracked (the caller tracks it if `T` is not a leaf).
    pub(crate) fn alloc(items: Vec<T>) -> NonNull<CcBlock<[T]>> {
        Self::alloc_as(items, Self::VTABLE)
    }

    /// [`SliceBox::alloc`] with a vtable of the same layout (a `str`'s).
    fn alloc_as(mut items: Vec<T>, vtable: &'static VTable) -> NonNull<CcBlock<[T]>> {
        let len = items.len();
        let (layout, offset) = Self::layout(len);
        // SAFETY: the layout has a nonzero size (it holds at least the
        // length and the header).
        let base = unsafe { alloc::alloc(layout) };
        if base.is_null() {
            alloc::handle_alloc_error(layout);
        }
        // SAFETY: `base` is a fresh allocation of `layout`; the length goes
        // in the word before the block and the header at its start, both in
        // bounds and aligned; the elements are moved out of the vector (its
        // length set to zero first, so they are not dropped twice).
        unsafe {
            let block = base.add(offset);
            block.cast::<usize>().sub(1).write(len);
            init_header(block.cast::<GcHeader>(), vtable);
            let fat = Self::block(NonNull::new_unchecked(block.cast::<Counts>()));
            let dst = CcBlock::value_ptr(fat) as *mut T;
            items.set_len(0);
            ptr::copy_nonoverlapping(items.as_ptr(), dst, len);
            fat
        }
    }

    unsafe fn class_name(p: NonNull<Counts>) -> String {
        // SAFETY: the vtable contract: a live slice block with its value.
        unsafe { &*CcBlock::value_ptr(Self::block(p)) }
            .class_name()
            .into_owned()
    }

    unsafe fn trace_erased(p: NonNull<Counts>, tracer: &mut Tracer<'_>) {
        // SAFETY: the vtable contract: a live slice block with its value.
        unsafe { &*CcBlock::value_ptr(Self::block(p)) }.trace(tracer);
    }

    unsafe fn drop_value(p: NonNull<Counts>) {
        // SAFETY: the vtable contract: the elements are alive and dropped
        // only here.
        unsafe { ptr::drop_in_place(CcBlock::value_ptr(Self::block(p)) as *mut [T]) }
    }

    unsafe fn dealloc(p: NonNull<Counts>) {
        // SAFETY: the vtable contract: the block was made by `alloc` with
        // the layout that its stored length gives back.
        unsafe {
            let (layout, offset) = Self::layout(Self::len(p));
            alloc::dealloc(p.as_ptr().cast::<u8>().sub(offset), layout);
        }
    }

    unsafe fn release(p: NonNull<Counts>) {
        // SAFETY: forwarded from the caller.
        unsafe { release_typed(p, Self::VTABLE) }
    }
}

/// Gives up the weak count that the strong handles held jointly, also when
/// dropping the value unwinds, so a panicking `Drop` does not leak the block.
/// The vtable is the block's, when the caller has it at hand.
pub(crate) struct DropImplicitWeak(pub(crate) NonNull<Counts>, pub(crate) Option<&'static VTable>);

impl Drop for DropImplicitWeak {
    fn drop(&mut self) {
        // SAFETY: constructed only for a live block whose value is being or
        // has been dropped, holding the implicit weak count; the vtable, if
        // given, is the block's.
        unsafe { drop_weak_with(self.0, self.1) }
    }
}

/// Removes one weak count and frees the block when none remain.
///
/// # Safety
/// `p` is an allocated block, the caller owns one weak count, and if it is
/// the last one the value has been dropped.
#[inline]
pub(crate) unsafe fn drop_weak(p: NonNull<Counts>) {
    // SAFETY: forwarded.
    unsafe { drop_weak_with(p, None) }
}

/// [`drop_weak`], with the block's vtable if the caller has it.
///
/// # Safety
/// As [`drop_weak`]; `vtable`, if given, is the block's.
#[inline]
pub(crate) unsafe fn drop_weak_with(p: NonNull<Counts>, vtable: Option<&'static VTable>) {
    // SAFETY: the block is live by the caller's contract.
    let counts = unsafe { p.as_ref() };
    let w = counts.weak.get() - 1;
    counts.weak.set(w);
    // The flag bits do not count: an object whose callback registrations
    // were pruned may still carry `WEAK_CALLBACKS` when its last weak
    // count goes.
    if w & WEAK_COUNT == 0 {
        if counts.is_tracked() {
            // SAFETY: a tracked block, still allocated.
            let g = unsafe { GcPtr::new(p) };
            if g.flags() & flags::HAS_EPOCH != 0 {
                crate::collector::forget_weak_epoch(g);
            }
        }
        // SAFETY: no strong or weak handle remains and the value is gone;
        // the header is intact until this very call frees the block.
        unsafe { (vtable.unwrap_or_else(|| vtable_of(p)).dealloc)(p) }
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
        debug_assert!(!self.header().counts.value_dropped());
        if self.flags() & flags::BORROWED_MUT != 0 {
            // Lent out by `Cc::get_mut`: reading it now would alias the
            // `&mut`. Like a mutably borrowed `RefCell`, it keeps all it
            // owns alive for this collection.
            tracer.untraceable();
            return;
        }
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
    pub(crate) unsafe fn drop_value(&self, vtable: &'static VTable) {
        // SAFETY: forwarded from the caller.
        unsafe { drop_value_erased(self.as_counts(), vtable) }
    }

    /// Gives up one weak count, freeing the block if it was the last.
    ///
    /// # Safety
    /// As [`drop_weak`].
    pub(crate) unsafe fn drop_weak(self) {
        // SAFETY: forwarded from the caller.
        unsafe { drop_weak(self.as_counts()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn bookkeeping_is_16_bytes_for_every_object() {
        assert_eq!(size_of::<Counts>(), 8);
        assert_eq!(size_of::<GcHeader>(), 16);
        assert_eq!(size_of::<LeafHeader>(), 16);
        assert_eq!(size_of::<CcBlock<u64>>(), 16 + 8);
        assert_eq!(size_of::<CcBlock<u8>>(), 16 + 8);
    }

    #[test]
    fn a_block_is_found_again_from_its_value_pointer() {
        #[repr(align(32))]
        struct Wide(#[allow(dead_code)] u8);
        // SAFETY: a leaf-free test type: `()` visits nothing.
        unsafe impl Trace for Wide {
            const IS_LEAF: bool = true;
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
        let p = CcBox::<Wide>::alloc(Wide(1));
        let value = CcBlock::value_ptr(p);
        // SAFETY: `p` is live; the block is freed below, once.
        unsafe {
            assert_eq!(CcBlock::from_value_ptr(value), p);
            assert_eq!((vtable_of(p.cast()).type_id)(), TypeId::of::<Wide>());
            (CcBox::<Wide>::VTABLE.release)(p.cast());
        }
    }

    #[test]
    fn a_slice_block_keeps_its_length_and_drops_every_element() {
        let items: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        let p = SliceBox::<String>::alloc(items);
        // SAFETY: `p` is live until the release below, which frees it.
        unsafe {
            let block = p.cast::<Counts>();
            assert_eq!(SliceBox::<String>::len(block), 5);
            let value = &*CcBlock::value_ptr(p);
            assert_eq!(value[4], "4");
            assert_eq!((vtable_of(block).type_name)(), "[alloc::string::String]");
            (SliceBox::<String>::VTABLE.release)(block);
        }
    }
}
