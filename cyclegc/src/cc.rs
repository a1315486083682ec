//! `Cc<T>`: the strong handle.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

use crate::raw::{flags, CcBox, Counts, GcPtr};
use crate::trace::Trace;
use crate::weak::Weak;

/// A strong, reference-counted, cycle-collected handle: `Rc` that also
/// frees cycles.
///
/// Cloning adds a reference and dropping one removes it; when the last
/// strong handle goes, the value is dropped at once, as with `Rc` and as
/// in CPython. Values that form cycles are found and freed by the
/// collector (see [`gc`](crate::gc)), automatically as objects are
/// allocated or on [`gc::collect`](crate::gc::collect).
///
/// Like `Rc`, a `Cc` is neither `Send` nor `Sync`: each thread has its own
/// collector. Interior mutability is yours to add, with `RefCell` or `Cell`.
/// The methods are associated functions (`Cc::strong_count(&cc)`) so that
/// they never shadow the methods of `T`.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{gc, Cc, Trace};
///
/// #[derive(Trace)]
/// struct Node {
///     other: RefCell<Option<Cc<Node>>>,
/// }
///
/// let a = Cc::new(Node { other: RefCell::new(None) });
/// let b = Cc::new(Node { other: RefCell::new(Some(a.clone())) });
/// *a.other.borrow_mut() = Some(b.clone());
/// assert_eq!(Cc::strong_count(&a), 2);
///
/// drop(a);
/// drop(b); // a cycle: reference counting alone cannot free it
/// assert_eq!(gc::collect(), 2);
/// ```
///
/// # Values dropped by the collector
///
/// When the collector frees a cycle it drops the values one by one. A
/// `Drop` impl that reads another member of the same cycle may find it
/// already dropped; the dereference then panics (it never reads freed
/// memory). Use [`Cc::try_deref`] in such a `Drop`, or read siblings from a
/// finalizer, which runs while the whole cycle is still intact.
pub struct Cc<T: Trace> {
    pub(crate) ptr: NonNull<Counts>,
    _owns: PhantomData<T>,
}

impl<T: Trace> Cc<T> {
    /// Moves `value` into a new object and returns the first handle to it.
    ///
    /// A tracked object (one whose type is not a leaf) enters generation 0
    /// and counts towards the automatic collection threshold; allocating
    /// it may run a collection first, as in CPython.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let five = Cc::new(5);
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub fn new(value: T) -> Cc<T> {
        let ptr = CcBox::<T>::alloc(value);
        if !T::IS_LEAF {
            // SAFETY: freshly allocated tracked block, owned by this handle.
            crate::collector::track_new(unsafe { GcPtr::new(ptr) }, CcBox::<T>::VTABLE);
        }
        Cc {
            ptr,
            _owns: PhantomData,
        }
    }

    /// Wraps a pointer whose strong count the caller transfers to the handle.
    ///
    /// # Safety
    /// `ptr` is a live block of this `T` and the caller gives up one strong count.
    #[inline]
    pub(crate) unsafe fn from_counted(ptr: NonNull<Counts>) -> Cc<T> {
        Cc {
            ptr,
            _owns: PhantomData,
        }
    }

    #[inline]
    fn counts(&self) -> &Counts {
        // SAFETY: a handle keeps its block allocated.
        unsafe { self.ptr.as_ref() }
    }

    /// Whether the collector has dropped the value (only possible for a
    /// handle that escaped from a garbage cycle's `Drop`).
    #[inline]
    fn value_dropped(&self) -> bool {
        // SAFETY: the block is tracked since `T` is not a leaf.
        !T::IS_LEAF && unsafe { GcPtr::new(self.ptr) }.flags() & flags::VALUE_DROPPED != 0
    }

    /// The value, or `None` if the collector already dropped it.
    ///
    /// Only a handle that a `Drop` impl of a collected cycle kept (or that
    /// the `Drop` of another member of the cycle is reading) can see a
    /// dropped value; everywhere else this is `Some`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let c = Cc::new(String::from("x"));
    /// assert_eq!(Cc::try_deref(&c).map(String::as_str), Some("x"));
    /// ```
    #[inline]
    pub fn try_deref(this: &Cc<T>) -> Option<&T> {
        if this.value_dropped() {
            None
        } else {
            // SAFETY: the value is alive (checked above) while this handle lives.
            Some(unsafe { CcBox::<T>::value(this.ptr) })
        }
    }

    /// Whether two handles point to the same object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// assert!(Cc::ptr_eq(&a, &a.clone()));
    /// assert!(!Cc::ptr_eq(&a, &Cc::new(1)));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Cc<T>, other: &Cc<T>) -> bool {
        this.ptr == other.ptr
    }

    /// The number of strong handles to this object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(());
    /// let b = a.clone();
    /// assert_eq!(Cc::strong_count(&b), 2);
    /// ```
    #[inline]
    pub fn strong_count(this: &Cc<T>) -> usize {
        this.counts().strong.get() as usize
    }

    /// The number of [`Weak`] handles to this object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(());
    /// let w = Cc::downgrade(&a);
    /// assert_eq!(Cc::weak_count(&a), 1);
    /// ```
    #[inline]
    pub fn weak_count(this: &Cc<T>) -> usize {
        this.counts().weak_count() as usize - 1
    }

    /// Makes a [`Weak`] handle: Python's `weakref.ref(obj)`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(7);
    /// let w = Cc::downgrade(&a);
    /// assert_eq!(w.upgrade().as_deref(), Some(&7));
    /// drop(a);
    /// assert!(w.upgrade().is_none());
    /// ```
    #[inline]
    pub fn downgrade(this: &Cc<T>) -> Weak<T> {
        this.counts().inc_weak();
        // SAFETY: we just added the weak count the new handle owns.
        unsafe { Weak::from_counted(this.ptr) }
    }

    /// Makes a weak reference with a callback: Python's
    /// `weakref.ref(obj, callback)`.
    ///
    /// When the object dies (its last strong handle goes, or a collection
    /// finds it unreachable), `callback` is called once with this weak
    /// reference, which by then gives `None`, as does every other weak
    /// reference to the object. Callbacks of one object run newest first.
    /// A callback is dropped uncalled if every clone of its weak reference
    /// is dropped first, or if, in a collection, the weak reference is
    /// itself owned by the garbage. A panicking callback is reported on
    /// standard error (`Exception ignored in: ...`) and the others still run.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use cyclegc::Cc;
    ///
    /// let called = Rc::new(Cell::new(false));
    /// let flag = called.clone();
    /// let obj = Cc::new(String::from("referent"));
    /// let weak = Cc::downgrade_with_callback(&obj, move |w| {
    ///     assert!(w.upgrade().is_none()); // already cleared
    ///     flag.set(true);
    /// });
    /// drop(obj);
    /// assert!(called.get());
    /// # drop(weak);
    /// ```
    pub fn downgrade_with_callback(this: &Cc<T>, callback: impl FnOnce(&Weak<T>) + 'static) -> Weak<T> {
        this.counts().inc_weak();
        // SAFETY: the weak count just added is the new handle's.
        let (weak, pending) = unsafe { Weak::with_callback(this.ptr, callback) };
        // A handle whose value the collector dropped is a stray: that object
        // has died already, there is no death left to call back for. An
        // object a finalizer is looking at (found unreachable, still
        // intact) may yet be resurrected, so its callback is registered.
        if !this.value_dropped() {
            crate::collector::register_weak_callback(this.ptr, std::rc::Rc::downgrade(&pending));
        }
        weak
    }

    /// A raw pointer to the value, for printing and comparing; it stays
    /// valid while a handle lives. Do not read through it after the
    /// collector dropped the value.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(3);
    /// assert_eq!(unsafe { *Cc::as_ptr(&a) }, 3);
    /// ```
    #[inline]
    pub fn as_ptr(this: &Cc<T>) -> *const T {
        CcBox::<T>::value_ptr(this.ptr)
    }

    /// A number unique among live objects: Python's `id(obj)`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// let b = Cc::new(1);
    /// assert_eq!(Cc::id(&a), Cc::id(&a.clone()));
    /// assert_ne!(Cc::id(&a), Cc::id(&b));
    /// ```
    #[doc(alias = "builtins.id")]
    #[inline]
    pub fn id(this: &Cc<T>) -> usize {
        this.ptr.as_ptr() as usize
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn value_dropped_panic(type_name: &str) -> ! {
    panic!(
        "cyclegc: dereferenced a Cc<{type_name}> whose value the cycle collector has already dropped. \
         A Drop impl of an object in a garbage cycle read another member of the cycle after that \
         member was torn down. Read siblings in a `Finalize` impl instead (#[trace(finalize)]): \
         finalizers run while the whole cycle is still intact. Cc::try_deref checks without panicking."
    )
}

impl<T: Trace> Deref for Cc<T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        if self.value_dropped() {
            value_dropped_panic(std::any::type_name::<T>());
        }
        // SAFETY: the value is alive (checked above) while this handle lives.
        unsafe { CcBox::<T>::value(self.ptr) }
    }
}

impl<T: Trace> Clone for Cc<T> {
    /// Adds a strong handle to the same object.
    #[inline]
    fn clone(&self) -> Cc<T> {
        self.counts().inc_strong();
        // SAFETY: the count we just added belongs to the new handle.
        unsafe { Cc::from_counted(self.ptr) }
    }
}

impl<T: Trace> Drop for Cc<T> {
    #[inline]
    fn drop(&mut self) {
        if self.counts().dec_strong() == 0 {
            // SAFETY: that was the last strong handle of a live `T` block.
            unsafe { CcBox::<T>::release(self.ptr) }
        }
    }
}

impl<T: Trace + Default> Default for Cc<T> {
    /// `Cc::new(T::default())`.
    fn default() -> Cc<T> {
        Cc::new(T::default())
    }
}

impl<T: Trace> From<T> for Cc<T> {
    /// `Cc::new(value)`.
    fn from(value: T) -> Cc<T> {
        Cc::new(value)
    }
}

impl<T: Trace> AsRef<T> for Cc<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: Trace> Borrow<T> for Cc<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: Trace + fmt::Debug> fmt::Debug for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Cc::try_deref(self) {
            Some(v) => fmt::Debug::fmt(v, f),
            None => write!(
                f,
                "<dropped {} object at {:p}>",
                std::any::type_name::<T>(),
                self.ptr
            ),
        }
    }
}

impl<T: Trace + fmt::Display> fmt::Display for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: Trace> fmt::Pointer for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Cc::as_ptr(self), f)
    }
}

impl<T: Trace + PartialEq> PartialEq for Cc<T> {
    #[inline]
    fn eq(&self, other: &Cc<T>) -> bool {
        **self == **other
    }
}

impl<T: Trace + Eq> Eq for Cc<T> {}

impl<T: Trace + PartialOrd> PartialOrd for Cc<T> {
    #[inline]
    fn partial_cmp(&self, other: &Cc<T>) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Trace + Ord> Ord for Cc<T> {
    #[inline]
    fn cmp(&self, other: &Cc<T>) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: Trace + Hash> Hash for Cc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}
