//! `Weak<T>`: the handle that does not keep its object alive.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::rc::Rc;

use crate::cc::Cc;
use crate::raw::{drop_weak, flags, CcBox, Counts, GcPtr};
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
pub struct Weak<T: Trace> {
    ptr: Option<NonNull<Counts>>,
    callback: Option<Rc<CallbackRef<T>>>,
    /// The object's weak epoch when this reference was made (see
    /// `raw::flags::weak_epoch`); always 0 for a leaf object.
    epoch: u32,
    _marker: PhantomData<T>,
}

/// A weak reference's callback.
type WeakCallback<T> = Box<dyn FnOnce(&Weak<T>)>;

/// The shared part of a weak reference made with a callback.
pub(crate) struct CallbackRef<T: Trace> {
    callback: Cell<Option<WeakCallback<T>>>,
    /// The callback has run: the reference stays dead even if a finalizer
    /// resurrects the object (CPython 3.15's rule for callback weakrefs).
    fired: Cell<bool>,
    /// The collection in which a garbage object was found to own this
    /// reference; its callback then must not run (0: never).
    trash_epoch: Cell<u64>,
}

/// A registered weak reference with a callback, as the collector sees it
/// (type-erased), until its referent dies.
pub(crate) trait PendingCallback {
    /// Calls the callback, once, with a handle to the (now dead) reference.
    fn fire(self: Rc<Self>, block: NonNull<Counts>);
    /// Whether garbage of collection `epoch` owns this reference.
    fn is_trash(&self, epoch: u64) -> bool;
}

impl<T: Trace> PendingCallback for CallbackRef<T> {
    fn fire(self: Rc<Self>, block: NonNull<Counts>) {
        let Some(callback) = self.callback.take() else {
            return;
        };
        self.fired.set(true);
        // SAFETY: the caller keeps the dying object's block allocated; the
        // handle made here owns the weak count added for it.
        unsafe { block.as_ref() }.inc_weak();
        let weak = Weak {
            ptr: Some(block),
            callback: Some(self),
            // Dead whatever the epoch: its callback has fired.
            epoch: 0,
            _marker: PhantomData,
        };
        callback(&weak);
    }

    fn is_trash(&self, epoch: u64) -> bool {
        self.trash_epoch.get() == epoch
    }
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
            ptr: None,
            callback: None,
            epoch: 0,
            _marker: PhantomData,
        }
    }

    /// The current weak epoch of a live block of this `T`.
    fn current_epoch(p: NonNull<Counts>) -> u32 {
        if T::IS_LEAF {
            0
        } else {
            // SAFETY: `T` is not a leaf, so the block is tracked; the
            // caller's handle keeps it allocated.
            flags::weak_epoch(unsafe { GcPtr::new(p) }.flags())
        }
    }

    /// Wraps a pointer whose weak count the caller transfers to the handle.
    ///
    /// # Safety
    /// `ptr` is a live block of this `T` and the caller gives up one weak count.
    pub(crate) unsafe fn from_counted(ptr: NonNull<Counts>) -> Weak<T> {
        Weak {
            ptr: Some(ptr),
            callback: None,
            epoch: Self::current_epoch(ptr),
            _marker: PhantomData,
        }
    }

    /// A weak reference with a callback; see [`Cc::downgrade_with_callback`].
    ///
    /// # Safety
    /// As [`Weak::from_counted`].
    pub(crate) unsafe fn with_callback(
        ptr: NonNull<Counts>,
        callback: impl FnOnce(&Weak<T>) + 'static,
    ) -> (Weak<T>, Rc<dyn PendingCallback>) {
        let shared = Rc::new(CallbackRef {
            callback: Cell::new(Some(Box::new(callback))),
            fired: Cell::new(false),
            trash_epoch: Cell::new(0),
        });
        let weak = Weak {
            ptr: Some(ptr),
            callback: Some(shared.clone()),
            epoch: Self::current_epoch(ptr),
            _marker: PhantomData,
        };
        (weak, shared)
    }

    /// Marks this reference as owned by garbage of collection `epoch`.
    pub(crate) fn mark_trash(&self, epoch: u64) {
        if let Some(cb) = &self.callback {
            cb.trash_epoch.set(epoch);
        }
    }

    /// Whether this is a weak reference with a callback that has run.
    pub(crate) fn callback_fired(&self) -> bool {
        self.callback.as_ref().is_some_and(|cb| cb.fired.get())
    }

    /// The block, if the object is alive (not dead by refcount, not found
    /// unreachable by a collection).
    #[inline]
    fn live_block(&self) -> Option<NonNull<Counts>> {
        let p = self.ptr?;
        // SAFETY: the weak count this handle owns keeps the block allocated.
        let counts = unsafe { p.as_ref() };
        if counts.strong.get() == 0 || self.callback_fired() {
            return None;
        }
        if !T::IS_LEAF {
            // SAFETY: `T` is not a leaf, so the block is tracked.
            let f = unsafe { GcPtr::new(p) }.flags();
            // `COLLECTING` outside a collection's analysis (which runs no
            // user code) means found unreachable: dead.
            let dead = flags::VALUE_DROPPED | flags::COLLECTING;
            if f & dead != 0 || flags::weak_epoch(f) != self.epoch {
                return None;
            }
        }
        Some(p)
    }

    /// A strong handle to the object, or `None` if it is dead.
    #[inline]
    pub fn upgrade(&self) -> Option<Cc<T>> {
        let p = self.live_block()?;
        // SAFETY: the object is alive; the strong count added here is
        // the new handle's.
        unsafe {
            p.as_ref().inc_strong();
            Some(Cc::from_counted(p))
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
            // SAFETY: the block is live; the strong handles hold one extra weak count.
            Some(p) => unsafe { p.as_ref() }.weak_count() as usize - 1,
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
        self.ptr == other.ptr
    }
}

impl<T: Trace> Clone for Weak<T> {
    /// Another handle to the same weak reference (sharing its callback).
    fn clone(&self) -> Weak<T> {
        if let Some(p) = self.ptr {
            // SAFETY: this handle's weak count keeps the block allocated.
            unsafe { p.as_ref() }.inc_weak();
        }
        Weak {
            ptr: self.ptr,
            callback: self.callback.clone(),
            epoch: self.epoch,
            _marker: PhantomData,
        }
    }
}

impl<T: Trace> Drop for Weak<T> {
    fn drop(&mut self) {
        if let Some(p) = self.ptr {
            // SAFETY: this handle owns one weak count of a block of this `T`;
            // if it is the last one, the strong handles are all gone and the
            // value was dropped before their joint weak count was released.
            unsafe { drop_weak(p, CcBox::<T>::VTABLE) }
        }
    }
}

impl<T: Trace> Default for Weak<T> {
    /// [`Weak::new`].
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T: Trace> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}
