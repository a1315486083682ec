//! `Weak<T>`: the handle that does not keep its object alive.

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

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
pub struct Weak<T: Trace> {
    ptr: Option<NonNull<Counts>>,
    _marker: PhantomData<T>,
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
            _marker: PhantomData,
        }
    }

    /// Wraps a pointer whose weak count the caller transfers to the handle.
    ///
    /// # Safety
    /// `ptr` is a live block of this `T` and the caller gives up one weak count.
    pub(crate) unsafe fn from_counted(ptr: NonNull<Counts>) -> Weak<T> {
        Weak {
            ptr: Some(ptr),
            _marker: PhantomData,
        }
    }

    /// The block, if the object is alive (not dead by refcount, not found
    /// unreachable by a collection).
    #[inline]
    fn live_block(&self) -> Option<NonNull<Counts>> {
        let p = self.ptr?;
        // SAFETY: the weak count this handle owns keeps the block allocated.
        let counts = unsafe { p.as_ref() };
        if counts.strong.get() == 0 {
            return None;
        }
        if !T::IS_LEAF {
            // SAFETY: `T` is not a leaf, so the block is tracked.
            let f = unsafe { GcPtr::new(p) }.flags();
            if f & (flags::WEAK_CLEARED | flags::VALUE_DROPPED) != 0 {
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
            Some(p) => unsafe { p.as_ref() }.weak.get() as usize - 1,
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
    fn clone(&self) -> Weak<T> {
        if let Some(p) = self.ptr {
            // SAFETY: this handle's weak count keeps the block allocated.
            unsafe { p.as_ref() }.inc_weak();
        }
        Weak {
            ptr: self.ptr,
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
