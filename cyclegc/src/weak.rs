//! `Weak<T>`: the handle that does not keep its object alive.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::{self, NonNull};
use std::rc::Rc;

use crate::cc::Cc;
use crate::raw::{drop_weak, flags, CcBlock, Counts, GcPtr};
use crate::trace::Trace;

/// A weak handle: Python's `weakref.ref`. It does not keep the object
/// alive, and [`Weak::upgrade`] gives `None` once the object is dead.
///
/// An object is dead when its last strong handle went away, or as soon as
/// the collector found it unreachable: in a collected cycle, the weak
/// references to every member are cleared before any value is dropped, so
/// no `Drop` impl can upgrade into garbage.
///
/// ```
/// use cyclegc::{Cc, Weak};
/// let strong = Cc::new(String::from("hello"));
/// let weak: Weak<String> = Cc::downgrade(&strong);
/// assert_eq!(weak.upgrade().as_deref().map(String::as_str), Some("hello"));
/// drop(strong);
/// assert!(weak.upgrade().is_none());
/// ```
///
/// A weak reference made by [`Cc::downgrade_with_callback`] is one object
/// with an identity, like Python's: its clones share it, and its callback
/// is called once, when the referent dies, if some clone is still alive.
///
/// A `Weak<T>` is two words (16 bytes): the object, and either the weak
/// epoch it was made in or its shared callback part.
pub struct Weak<T: ?Sized> {
    /// The block; for [`Weak::new`], a sentinel address no block has.
    ptr: NonNull<CcBlock<T>>,
    /// Tagged: an odd value is `epoch << 1 | 1`, the object's weak epoch
    /// when this reference was made (see `collector::weak_epoch`); an
    /// even one is an `Rc<CallbackRef<T>>` made by `Rc::into_raw`, whose
    /// strong count this handle owns.
    extra: *const (),
    _marker: PhantomData<Rc<CallbackRef<T>>>,
}

/// The sentinel address of a [`Weak::new`] handle (as `std`'s).
const DANGLING: usize = usize::MAX;

/// A weak reference's callback.
type WeakCallback<T> = Box<dyn FnOnce(&Weak<T>)>;

/// The shared part of a weak reference made with a callback.
pub(crate) struct CallbackRef<T: ?Sized> {
    callback: Cell<Option<WeakCallback<T>>>,
    /// The object's weak epoch when the reference was made.
    epoch: u64,
    /// The callback has run: the reference stays dead even if a finalizer
    /// resurrects the object (CPython 3.15's rule for callback weakrefs).
    fired: Cell<bool>,
    /// The collection in which a garbage object was found to own this
    /// reference; its callback then must not run (0: never).
    trash_epoch: Cell<u64>,
    /// The object, with `T`'s metadata, for the handle the callback gets.
    ptr: NonNull<CcBlock<T>>,
}

/// A registered weak reference with a callback, as the collector sees it
/// (type-erased), until its referent dies.
pub(crate) trait PendingCallback {
    /// Calls the callback, once, with a handle to the (now dead) reference.
    fn fire(self: Rc<Self>, block: NonNull<Counts>);
    /// Whether garbage of collection `epoch` owns this reference.
    fn is_trash(&self, epoch: u64) -> bool;
    /// Whether the reference still works on an object in weak epoch
    /// `epoch` (its callback has not run and it was not cleared).
    fn works_in(&self, epoch: u64) -> bool;
}

impl<T: ?Sized + 'static> PendingCallback for CallbackRef<T> {
    fn fire(self: Rc<Self>, block: NonNull<Counts>) {
        let Some(callback) = self.callback.take() else {
            return;
        };
        self.fired.set(true);
        debug_assert_eq!(block, self.ptr.cast());
        let weak = Weak::<T>::from_callback(self);
        callback(&weak);
    }

    fn is_trash(&self, epoch: u64) -> bool {
        self.trash_epoch.get() == epoch
    }

    fn works_in(&self, epoch: u64) -> bool {
        !self.fired.get() && self.epoch == epoch
    }
}

/// The `extra` word of a reference made in weak epoch `epoch`.
fn tagged_epoch(epoch: u64) -> *const () {
    ptr::without_provenance((epoch as usize) << 1 | 1)
}

impl<T: Trace> Weak<T> {
    /// A weak handle to nothing: `upgrade` always gives `None`.
    ///
    /// ```
    /// use cyclegc::Weak;
    /// assert!(Weak::<i32>::new().upgrade().is_none());
    /// ```
    pub const fn new() -> Weak<T> {
        Weak {
            // SAFETY: `usize::MAX` is not null.
            ptr: unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(DANGLING)) },
            extra: ptr::without_provenance(1),
            _marker: PhantomData,
        }
    }

    /// Gives up the handle, returning the pointer to the value that
    /// [`Weak::from_raw`] takes back; as `std::rc::Weak::into_raw`. The
    /// pointer may dangle (for [`Weak::new`], or once the object is dead).
    ///
    /// A raw pointer carries the object only: a reference made with a
    /// callback gives up its share of the callback (dropping the last clone
    /// cancels it), and the reference that `from_raw` rebuilds upgrades
    /// while the object lives, even if the object's weak references were
    /// cleared in between (under `SAVEALL` or by resurrection).
    ///
    /// ```
    /// use cyclegc::{Cc, Weak};
    /// let a = Cc::new(9);
    /// let raw = Weak::into_raw(Cc::downgrade(&a));
    /// let w = unsafe { Weak::from_raw(raw) };
    /// assert_eq!(w.upgrade().as_deref(), Some(&9));
    /// ```
    pub fn into_raw(this: Weak<T>) -> *const T {
        let raw = this.as_ptr();
        let this = ManuallyDrop::new(this);
        if let Some(cb) = this.callback_ptr() {
            // SAFETY: the handle owns one strong count of its callback part.
            drop(unsafe { Rc::from_raw(cb) });
        }
        raw
    }

    /// Makes a weak handle of a pointer that [`Weak::into_raw`] gave,
    /// taking over the weak count it kept.
    ///
    /// # Safety
    /// `ptr` came from `Weak::<T>::into_raw` and is given to `from_raw`
    /// once.
    ///
    /// ```
    /// use cyclegc::{Cc, Weak};
    ///
    /// let obj = Cc::new(String::from("kept elsewhere"));
    /// // e.g. stored as a `*const ()` in a C library's user data
    /// let raw: *const String = Weak::into_raw(Cc::downgrade(&obj));
    /// assert_eq!(Cc::weak_count(&obj), 1); // the raw pointer still counts
    ///
    /// // SAFETY: `raw` came from `Weak::<String>::into_raw`, taken back once.
    /// let weak = unsafe { Weak::from_raw(raw) };
    /// assert_eq!(*weak.upgrade().unwrap(), "kept elsewhere");
    /// drop(obj);
    /// assert!(weak.upgrade().is_none());
    ///
    /// // A `Weak::new()` round-trips too.
    /// let none = unsafe { Weak::from_raw(Weak::<i32>::into_raw(Weak::new())) };
    /// assert!(none.upgrade().is_none());
    /// ```
    pub unsafe fn from_raw(ptr: *const T) -> Weak<T> {
        if ptr.addr() == DANGLING {
            return Weak::new();
        }
        // SAFETY: by the caller's contract the pointer is the value pointer
        // of an allocated block (its weak count keeps it); the weak count
        // moves to the new handle.
        unsafe { Weak::from_counted(CcBlock::from_sized_value_ptr(ptr)) }
    }
}

impl<T: ?Sized> Weak<T> {
    /// The block, unless this is a [`Weak::new`] handle.
    #[inline]
    fn block(&self) -> Option<NonNull<Counts>> {
        (self.ptr.cast::<u8>().as_ptr().addr() != DANGLING).then(|| self.ptr.cast())
    }

    /// The callback part, if this reference was made with a callback.
    #[inline]
    fn callback_ptr(&self) -> Option<*const CallbackRef<T>> {
        (self.extra.addr() & 1 == 0).then(|| self.extra.cast::<CallbackRef<T>>())
    }

    #[inline]
    fn callback(&self) -> Option<&CallbackRef<T>> {
        // SAFETY: the handle owns a strong count of its callback part.
        self.callback_ptr().map(|p| unsafe { &*p })
    }

    /// The weak epoch this reference was made in.
    #[inline]
    fn epoch(&self) -> u64 {
        match self.callback() {
            Some(cb) => cb.epoch,
            None => (self.extra.addr() >> 1) as u64,
        }
    }

    /// Whether this handle's object had its weak references cleared since
    /// the handle was made (it stays alive: `SAVEALL`, or resurrection).
    fn is_stale(&self, p: NonNull<Counts>) -> bool {
        // SAFETY: this handle keeps the block allocated.
        unsafe { p.as_ref() }.is_tracked() && Self::current_epoch(p) != self.epoch()
    }

    /// The current weak epoch of a live block (0 for a leaf).
    pub(crate) fn current_epoch(p: NonNull<Counts>) -> u64 {
        // SAFETY: the caller's handle keeps the block allocated; a tracked
        // block has a `GcHeader`.
        unsafe {
            if p.as_ref().is_tracked() {
                crate::collector::weak_epoch(GcPtr::new(p))
            } else {
                0
            }
        }
    }

    /// Wraps a pointer whose weak count the caller transfers to the handle.
    ///
    /// # Safety
    /// `ptr` is an allocated block of this `T` and the caller gives up one
    /// weak count.
    pub(crate) unsafe fn from_counted(ptr: NonNull<CcBlock<T>>) -> Weak<T> {
        Weak {
            ptr,
            extra: tagged_epoch(Self::current_epoch(ptr.cast())),
            _marker: PhantomData,
        }
    }

    /// A handle to a fired reference, for its callback to receive: it
    /// takes a new weak count and shares `shared`.
    fn from_callback(shared: Rc<CallbackRef<T>>) -> Weak<T> {
        // SAFETY: the collector keeps the dying object's block allocated
        // while its callbacks run; the handle made here owns the weak count
        // added for it.
        unsafe { shared.ptr.cast::<Counts>().as_ref() }.inc_weak();
        Weak {
            ptr: shared.ptr,
            extra: Rc::into_raw(shared).cast(),
            _marker: PhantomData,
        }
    }

    /// A new weak reference with a callback to the live object at `ptr`,
    /// registered with the collector: [`Cc::downgrade_with_callback`].
    pub(crate) fn new_with_callback(
        ptr: NonNull<CcBlock<T>>,
        callback: impl FnOnce(&Weak<T>) + 'static,
    ) -> Weak<T>
    where
        T: 'static,
    {
        let block = ptr.cast::<Counts>();
        // SAFETY: the caller's strong handle keeps the block allocated.
        unsafe { block.as_ref() }.inc_weak();
        // SAFETY: the weak count just added is the new handle's.
        let (weak, pending) = unsafe { Weak::with_callback(ptr, callback) };
        // Also for an object a collection is tearing down (a sibling's
        // `Drop` holds a handle to it): its callbacks fire when the
        // collector is done with it, or when the last such handle goes.
        crate::collector::register_weak_callback(block, Rc::downgrade(&pending));
        weak
    }

    /// A weak reference with a callback; see [`Cc::downgrade_with_callback`].
    ///
    /// # Safety
    /// As [`Weak::from_counted`].
    unsafe fn with_callback(
        ptr: NonNull<CcBlock<T>>,
        callback: impl FnOnce(&Weak<T>) + 'static,
    ) -> (Weak<T>, Rc<dyn PendingCallback>)
    where
        T: 'static,
    {
        let shared = Rc::new(CallbackRef {
            callback: Cell::new(Some(Box::new(callback))),
            epoch: Self::current_epoch(ptr.cast()),
            fired: Cell::new(false),
            trash_epoch: Cell::new(0),
            ptr,
        });
        let weak = Weak {
            ptr,
            extra: Rc::into_raw(shared.clone()).cast(),
            _marker: PhantomData,
        };
        (weak, shared)
    }

    /// Marks this reference as owned by garbage of collection `epoch`.
    pub(crate) fn mark_trash(&self, epoch: u64) {
        if let Some(cb) = self.callback() {
            cb.trash_epoch.set(epoch);
        }
    }

    /// Whether this is a weak reference with a callback that has run.
    pub(crate) fn callback_fired(&self) -> bool {
        self.callback().is_some_and(|cb| cb.fired.get())
    }

    /// The block, if the object is alive (not dead by refcount, not found
    /// unreachable by a collection).
    #[inline]
    fn live_block(&self) -> Option<NonNull<Counts>> {
        let p = self.block()?;
        // SAFETY: the weak count this handle owns keeps the block allocated.
        let counts = unsafe { p.as_ref() };
        if counts.strong.get() == 0 || counts.value_dropped() || self.callback_fired() {
            return None;
        }
        if counts.is_tracked() {
            // SAFETY: a tracked block has a `GcHeader`.
            let f = unsafe { GcPtr::new(p) }.flags();
            // `COLLECTING` outside a collection's analysis (which runs no
            // user code) means found unreachable: dead.
            if f & flags::COLLECTING != 0 {
                return None;
            }
            let current = if f & flags::HAS_EPOCH == 0 {
                0
            } else {
                // SAFETY: as above.
                crate::collector::weak_epoch(unsafe { GcPtr::new(p) })
            };
            if current != self.epoch() {
                return None;
            }
        }
        Some(p)
    }

    /// A strong handle to the object, or `None` if it is dead: its last
    /// strong handle went away, or a collection found it unreachable (then
    /// `None` comes even before its value is dropped, so no `Drop` impl or
    /// callback can reach garbage through a weak reference).
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
    /// let a = Cc::new(Node { next: RefCell::new(None) });
    /// *a.next.borrow_mut() = Some(a.clone()); // a cycle of one
    /// let w = Cc::downgrade(&a);
    /// assert!(Cc::ptr_eq(&w.upgrade().unwrap(), &a));
    ///
    /// drop(a);
    /// assert!(w.upgrade().is_some()); // the cycle keeps it alive
    /// gc::collect();
    /// assert!(w.upgrade().is_none());
    /// ```
    #[inline]
    pub fn upgrade(&self) -> Option<Cc<T>> {
        let p = self.live_block()?;
        // SAFETY: the object is alive; the strong count added here is
        // the new handle's.
        unsafe {
            p.as_ref().inc_strong();
            Some(Cc::from_counted(self.ptr))
        }
    }

    /// The number of strong handles, 0 once the object is dead.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// let w = Cc::downgrade(&a);
    /// assert_eq!(w.strong_count(), 1);
    /// drop(a);
    /// assert_eq!(w.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        match self.live_block() {
            // SAFETY: the block is live.
            Some(p) => unsafe { p.as_ref() }.strong.get() as usize,
            None => 0,
        }
    }

    /// The number of weak handles to the object, 0 once it is dead.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// let w = Cc::downgrade(&a);
    /// let w2 = w.clone();
    /// assert_eq!(w2.weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        match self.live_block() {
            Some(p) => crate::object::live_weak_handles(p),
            None => 0,
        }
    }

    /// Whether two weak handles point to the same object (two handles made
    /// by [`Weak::new`] are equal too).
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// assert!(Cc::downgrade(&a).ptr_eq(&Cc::downgrade(&a)));
    /// ```
    pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
        ptr::addr_eq(self.ptr.as_ptr(), other.ptr.as_ptr())
    }

    /// A pointer to the value, as `std::rc::Weak::as_ptr`: valid to read
    /// only while the object is alive; dangling for [`Weak::new`].
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(5);
    /// let w = Cc::downgrade(&a);
    /// assert!(std::ptr::eq(w.as_ptr(), Cc::as_ptr(&a)));
    /// ```
    pub fn as_ptr(&self) -> *const T {
        match self.block() {
            Some(_) => CcBlock::value_ptr(self.ptr),
            None => self.ptr.as_ptr() as *const T,
        }
    }
}

impl<T: ?Sized> Clone for Weak<T> {
    /// Another handle to the same weak reference (sharing its callback).
    fn clone(&self) -> Weak<T> {
        if let Some(p) = self.block() {
            // SAFETY: this handle's weak count keeps the block allocated.
            unsafe { p.as_ref() }.inc_weak();
            if self.is_stale(p) {
                crate::collector::stale_weak_changed(p, true);
            }
        }
        if let Some(cb) = self.callback_ptr() {
            // SAFETY: this handle owns a strong count of the callback part,
            // so it is alive; the count added is the new handle's.
            unsafe { Rc::increment_strong_count(cb) };
        }
        Weak {
            ptr: self.ptr,
            extra: self.extra,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized> Drop for Weak<T> {
    fn drop(&mut self) {
        let block = self.block();
        if let Some(p) = block {
            if self.is_stale(p) {
                crate::collector::stale_weak_changed(p, false);
            }
        }
        if let Some(cb) = self.callback_ptr() {
            // SAFETY: this handle owns one strong count of its callback part.
            drop(unsafe { Rc::from_raw(cb) });
        }
        if let Some(p) = block {
            // SAFETY: this handle owns one weak count of the block; if it is
            // the last one, the strong handles are all gone and the value
            // was dropped (or moved out) before their joint weak count went.
            unsafe { drop_weak(p) }
        }
    }
}

impl<T: Trace> Default for Weak<T> {
    /// [`Weak::new`].
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T: ?Sized> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}
