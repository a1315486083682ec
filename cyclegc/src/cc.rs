//! `Cc<T>`: the strong handle.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::ptr::{self, NonNull};

use crate::raw::{flags, release_erased, CcBlock, CcBox, Counts, DropImplicitWeak, GcPtr, SliceBox};
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
/// # Unsized values
///
/// `T` may be a trait object, a slice or `str`. A `Cc<dyn Trait>` is made
/// from a `Cc` of a concrete type with [`coerce_cc!`](crate::coerce_cc);
/// the collector still traces the concrete value. `Cc<[T]>` and `Cc<str>`
/// come from `Vec`s, slices, strings and iterators through `From` and
/// `FromIterator`.
///
/// ```
/// use cyclegc::{coerce_cc, Cc};
///
/// trait Shape {
///     fn area(&self) -> f64;
/// }
/// struct Square(f64);
/// impl Shape for Square {
///     fn area(&self) -> f64 { self.0 * self.0 }
/// }
/// # unsafe impl cyclegc::Trace for Square {
/// #     const IS_LEAF: bool = true;
/// #     fn trace(&self, _: &mut cyclegc::Tracer<'_>) {}
/// # }
///
/// let shapes: Vec<Cc<dyn Shape>> = vec![coerce_cc!(Cc::new(Square(2.0)))];
/// assert_eq!(shapes[0].area(), 4.0);
/// let name: Cc<str> = Cc::from("ada");
/// let list: Cc<[i32]> = (1..=3).collect();
/// assert_eq!((&*name, &*list), ("ada", &[1, 2, 3][..]));
/// ```
///
/// # Values dropped by the collector
///
/// When the collector frees a cycle it drops the values one by one. A
/// `Drop` impl that reads another member of the same cycle may find it
/// already dropped; the dereference then panics (it never reads freed
/// memory). Use [`Cc::try_deref`] in such a `Drop`, or read siblings from a
/// finalizer, which runs while the whole cycle is still intact.
pub struct Cc<T: ?Sized> {
    pub(crate) ptr: NonNull<CcBlock<T>>,
    _owns: PhantomData<CcBlock<T>>,
}

impl<T: Trace> Cc<T> {
    /// Moves `value` into a new object and returns the first handle to it.
    ///
    /// A tracked object (one whose type is not a leaf) enters generation 0
    /// and counts towards the automatic collection threshold. So, as in
    /// CPython, allocating it may first run a collection, and with it the
    /// `Drop` impls, finalizers and weak callbacks of *other* objects that
    /// the collection finds unreachable. A panic in any of those is
    /// reported on standard error (`Exception ignored in: ...`) and
    /// swallowed, as SPEC §5.3 says: `Cc::new` itself never panics with
    /// another object's panic, and never loses `value`.
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
            crate::collector::track_new(unsafe { GcPtr::new(ptr.cast()) }, CcBox::<T>::VTABLE);
        }
        Cc {
            ptr,
            _owns: PhantomData,
        }
    }

    /// Makes an object that refers to itself: `data_fn` gets a [`Weak`] to
    /// the object being built (its `upgrade` gives `None` until `new_cyclic`
    /// returns) and returns the value. As `Rc::new_cyclic`.
    ///
    /// ```
    /// use cyclegc::{Cc, Trace, Weak};
    ///
    /// #[derive(Trace)]
    /// struct Gadget {
    ///     me: Weak<Gadget>,
    /// }
    ///
    /// let g = Cc::new_cyclic(|me| {
    ///     assert!(me.upgrade().is_none()); // not built yet
    ///     Gadget { me: me.clone() }
    /// });
    /// assert!(Cc::ptr_eq(&g.me.upgrade().unwrap(), &g));
    /// ```
    pub fn new_cyclic(data_fn: impl FnOnce(&Weak<T>) -> T) -> Cc<T> {
        let uninit = CcBox::<T>::alloc_uninit();
        let block = uninit.cast::<Counts>();
        // SAFETY: the block is fresh: strong 1, weak 1. While the value is
        // being built, strong is 0 (weak references do not upgrade) and the
        // weak count includes the one handed to `data_fn`; if `data_fn`
        // panics, the guard gives the implicit weak count back, and the
        // block is freed by the last weak handle without dropping a value.
        let weak = unsafe {
            let counts = block.as_ref();
            counts.strong.set(0);
            counts.inc_weak();
            Weak::from_counted(uninit.cast::<CcBlock<T>>())
        };
        let guard = DropImplicitWeak(block, None);
        let value = data_fn(&weak);
        std::mem::forget(guard);
        // SAFETY: the block is allocated (we hold its implicit weak count)
        // and its value slot is uninitialised and unaliased; writing it and
        // setting strong to 1 makes it a live object owned by the handle.
        let cc = unsafe {
            let slot = CcBlock::value_ptr(uninit) as *mut MaybeUninit<T>;
            (*slot).write(value);
            block.as_ref().strong.set(1);
            Cc::from_counted(uninit.cast::<CcBlock<T>>())
        };
        drop(weak);
        if !T::IS_LEAF {
            // SAFETY: the block is a live tracked block whose type id was
            // given at allocation; it is in no list yet.
            crate::collector::track_new(unsafe { GcPtr::new(block) }, CcBox::<T>::VTABLE);
        }
        cc
    }

    /// `Pin<Cc<T>>`: the value never moves while a handle lives (the
    /// collector never moves values), so pinning is free.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let p = Cc::pin(5);
    /// assert_eq!(*p, 5);
    /// ```
    pub fn pin(value: T) -> Pin<Cc<T>> {
        // SAFETY: a `Cc` gives out no `&mut T` except through `get_mut`'s
        // guard, which `Pin` does not let through for `!Unpin` values, and
        // the value stays at its address until it is dropped in place.
        unsafe { Pin::new_unchecked(Cc::new(value)) }
    }

    /// The value, if this is its only strong handle; otherwise `this` back.
    /// Weak references to it then stop upgrading and their callbacks run
    /// (the object is gone; its value lives on outside). As `Rc::try_unwrap`.
    ///
    /// A value that the collector has found unreachable is never handed
    /// out: for a handle to a member of a garbage cycle (met in a `Drop` or
    /// a finalizer during a collection) this returns `Err`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let x = Cc::new(String::from("only"));
    /// assert_eq!(Cc::try_unwrap(x).unwrap(), "only");
    ///
    /// let y = Cc::new(4);
    /// let y2 = y.clone();
    /// assert_eq!(*Cc::try_unwrap(y).unwrap_err(), 4);
    /// # drop(y2);
    /// ```
    pub fn try_unwrap(this: Cc<T>) -> Result<T, Cc<T>> {
        if Cc::strong_count(&this) != 1 || this.owned_by_collector() {
            return Err(this);
        }
        let this = ManuallyDrop::new(this);
        let block = this.block();
        if !T::IS_LEAF {
            // SAFETY: a tracked block with a live value.
            crate::collector::untrack(unsafe { GcPtr::new(block) });
        }
        // SAFETY: this is the only strong handle and the value is alive;
        // after the read nothing reads it again: strong goes to 0 and the
        // value is marked moved out, so weak handles see a dead object and
        // the block is freed without dropping a value.
        let value = unsafe {
            let value = ptr::read(CcBlock::value_ptr(this.ptr));
            block.as_ref().strong.set(0);
            block.as_ref().set_value_dropped();
            value
        };
        crate::collector::moved_out(block);
        Ok(value)
    }

    /// The value if this is its only strong handle, else `None` (the handle
    /// is dropped). As `Rc::into_inner`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(1);
    /// let b = a.clone();
    /// assert_eq!(Cc::into_inner(a), None);
    /// assert_eq!(Cc::into_inner(b), Some(1));
    /// ```
    pub fn into_inner(this: Cc<T>) -> Option<T> {
        Cc::try_unwrap(this).ok()
    }

    /// The value if this is its only strong handle, else a clone of it. As
    /// `Rc::unwrap_or_clone`.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let a = Cc::new(vec![1]);
    /// let b = a.clone();
    /// assert_eq!(Cc::unwrap_or_clone(a), vec![1]); // cloned: b still holds it
    /// assert_eq!(Cc::unwrap_or_clone(b), vec![1]); // moved out
    /// ```
    pub fn unwrap_or_clone(this: Cc<T>) -> T
    where
        T: Clone,
    {
        Cc::try_unwrap(this).unwrap_or_else(|cc| (*cc).clone())
    }

    /// Changes the handle's type by an unsizing coercion of the value
    /// pointer; [`coerce_cc!`](crate::coerce_cc) is the way to call it.
    ///
    /// # Safety
    /// `coerce` returns its argument, converted by an unsizing coercion (or
    /// an `as` cast, which from a thin to a fat pointer is one).
    #[doc(hidden)]
    pub unsafe fn __coerce<U: ?Sized>(this: Cc<T>, coerce: impl FnOnce(*const T) -> *const U) -> Cc<U> {
        // A thin pointer becomes a fat one only by an unsizing coercion, so
        // the macro's `as` cast cannot reinterpret the value.
        const {
            assert!(
                std::mem::size_of::<*const U>() > std::mem::size_of::<*const T>(),
                "coerce_cc! makes a Cc of an unsized type (Cc<dyn Trait>, Cc<[T]>) from a Cc of a sized one"
            )
        };
        let raw = Cc::into_raw(this);
        let coerced = coerce(raw);
        assert!(
            ptr::addr_eq(raw, coerced),
            "cyclegc: Cc::__coerce must only coerce the pointer"
        );
        // SAFETY: by the caller's contract `coerced` is the same pointer
        // with the metadata of an unsizing coercion, so it describes the
        // same live value; the strong count moves from `this`.
        unsafe { Cc::from_counted(CcBlock::from_value_ptr(coerced)) }
    }

    /// A mutable view of the value if this is the only handle (strong or
    /// weak) to it. As `Rc::get_mut`, except that it returns a guard that
    /// dereferences to `&mut T` rather than the reference itself: while the
    /// guard lives, the collector does not read the value (a collection
    /// started by an allocation meanwhile treats it as referenced from
    /// outside, as it does a mutably borrowed `RefCell`).
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let mut x = Cc::new(3);
    /// *Cc::get_mut(&mut x).unwrap() = 4;
    /// assert_eq!(*x, 4);
    ///
    /// let _y = x.clone();
    /// assert!(Cc::get_mut(&mut x).is_none());
    /// ```
    pub fn get_mut(this: &mut Cc<T>) -> Option<CcMut<'_, T>> {
        let counts = this.counts();
        if counts.strong.get() != 1 || counts.weak_count() != 1 || this.owned_by_collector() {
            return None;
        }
        Some(CcMut::new(this))
    }

    /// A mutable view of the value, cloning it into a new object first if
    /// other strong handles share it, and moving it to a new object if
    /// only weak handles do (they then stop upgrading). As `Rc::make_mut`;
    /// the guard is [`Cc::get_mut`]'s.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let mut a = Cc::new(5);
    /// let b = a.clone();
    /// *Cc::make_mut(&mut a) += 1; // a is cloned first
    /// assert_eq!((*a, *b), (6, 5));
    /// ```
    pub fn make_mut(this: &mut Cc<T>) -> CcMut<'_, T>
    where
        T: Clone,
    {
        let counts = this.counts();
        if counts.strong.get() != 1 || counts.weak_count() != 1 || this.owned_by_collector() {
            // Shared (or only weakly shared): the handle moves to a new
            // object with an equal value. With only weak handles left, the
            // old object dies here and they stop upgrading, as with `Rc`
            // (which moves the value where this clones it).
            *this = Cc::new((**this).clone());
        }
        CcMut::new(this)
    }
}

impl<T: ?Sized> Cc<T> {
    /// Wraps a pointer whose strong count the caller transfers to the handle.
    ///
    /// # Safety
    /// `ptr` is a live block of this `T` and the caller gives up one strong count.
    #[inline]
    pub(crate) unsafe fn from_counted(ptr: NonNull<CcBlock<T>>) -> Cc<T> {
        Cc {
            ptr,
            _owns: PhantomData,
        }
    }

    /// The block as the type-erased layer sees it.
    #[inline]
    pub(crate) fn block(&self) -> NonNull<Counts> {
        self.ptr.cast()
    }

    #[inline]
    fn counts(&self) -> &Counts {
        // SAFETY: a handle keeps its block allocated.
        unsafe { self.ptr.cast::<Counts>().as_ref() }
    }

    /// Whether the collector has found the object unreachable (it is being
    /// finalized or freed as garbage) or has dropped its value already.
    fn owned_by_collector(&self) -> bool {
        let counts = self.counts();
        // SAFETY: a tracked block has a `GcHeader`.
        counts.value_dropped()
            || counts.is_tracked() && unsafe { GcPtr::new(self.block()) }.flags() & flags::COLLECTING != 0
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
        if this.counts().value_dropped() {
            None
        } else {
            // SAFETY: the value is alive (checked above) while this handle lives.
            Some(unsafe { &*CcBlock::value_ptr(this.ptr) })
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
        this.block() == other.block()
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
        crate::object::live_weak_handles(this.block())
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
    pub fn downgrade_with_callback(this: &Cc<T>, callback: impl FnOnce(&Weak<T>) + 'static) -> Weak<T>
    where
        T: 'static,
    {
        Weak::new_with_callback(this.ptr, callback)
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
        CcBlock::value_ptr(this.ptr)
    }

    /// Gives up the handle without dropping it, returning the pointer to
    /// the value; [`Cc::from_raw`] makes a handle of it again. As
    /// `Rc::into_raw`: the strong count it held stays counted (an object
    /// whose handle is only a raw pointer is referenced from outside for
    /// the collector, so it stays alive).
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let raw = Cc::into_raw(Cc::new(String::from("raw")));
    /// let back = unsafe { Cc::from_raw(raw) };
    /// assert_eq!(*back, "raw");
    /// ```
    pub fn into_raw(this: Cc<T>) -> *const T {
        let this = ManuallyDrop::new(this);
        Cc::as_ptr(&this)
    }

    /// Makes a handle of a pointer that [`Cc::into_raw`] gave, taking over
    /// the strong count it kept.
    ///
    /// # Safety
    /// `ptr` came from `Cc::<U>::into_raw` where `U` is `T` (or `T` is
    /// unsized and `U` is the same type as `T`, with the same metadata),
    /// and each such pointer is given to `from_raw` at most once.
    ///
    /// ```
    /// use std::fmt::Debug;
    /// use cyclegc::{coerce_cc, Cc};
    ///
    /// let obj = Cc::new(vec![1, 2, 3]);
    /// let raw = Cc::into_raw(obj.clone());
    /// assert_eq!(Cc::strong_count(&obj), 2); // the raw pointer still counts
    /// // SAFETY: `raw` came from `Cc::<Vec<i32>>::into_raw`, taken back once.
    /// let back = unsafe { Cc::from_raw(raw) };
    /// assert!(Cc::ptr_eq(&back, &obj));
    /// drop(back);
    /// assert_eq!(Cc::strong_count(&obj), 1);
    ///
    /// // Unsized handles too: the pointer carries the vtable.
    /// let dbg: Cc<dyn Debug> = coerce_cc!(Cc::new(5_u8));
    /// // SAFETY: as above, with the same `dyn Debug` type.
    /// let dbg = unsafe { Cc::from_raw(Cc::into_raw(dbg)) };
    /// assert_eq!(format!("{dbg:?}"), "5");
    /// ```
    pub unsafe fn from_raw(ptr: *const T) -> Cc<T> {
        // SAFETY: by the caller's contract `ptr` points at the value of a
        // live block whose strong count it owns.
        unsafe { Cc::from_counted(CcBlock::from_value_ptr(ptr)) }
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
        this.block().as_ptr() as usize
    }

    /// A typed handle to the object if its concrete type is `U`, or `this`
    /// back: downcasting for any `Cc<dyn Trait>`, whatever the trait.
    ///
    /// ```
    /// use std::fmt::Debug;
    /// use cyclegc::{coerce_cc, Cc};
    /// let any: Cc<dyn Debug> = coerce_cc!(Cc::new(42_u8));
    /// let back: Cc<u8> = Cc::downcast(any).unwrap();
    /// assert_eq!(*back, 42);
    /// ```
    pub fn downcast<U: Trace>(this: Cc<T>) -> Result<Cc<U>, Cc<T>> {
        // SAFETY: a handle keeps its block allocated.
        let vtable = unsafe { crate::raw::vtable_of(this.block()) };
        if (vtable.type_id)() == std::any::TypeId::of::<U>() {
            let this = ManuallyDrop::new(this);
            // SAFETY: the concrete type is `U`, so the block is a
            // `CcBlock<U>`; the strong count moves to the new handle.
            Ok(unsafe { Cc::from_counted(this.ptr.cast::<CcBlock<U>>()) })
        } else {
            Err(this)
        }
    }

    /// The name of the concrete type of the value, as
    /// `std::any::type_name` gives it (for a `Cc<dyn Trait>`, the type it
    /// was made from).
    ///
    /// ```
    /// use std::fmt::Display;
    /// use cyclegc::{coerce_cc, Cc};
    /// let d: Cc<dyn Display> = coerce_cc!(Cc::new(1.5_f64));
    /// assert_eq!(Cc::type_name(&d), "f64");
    /// ```
    pub fn type_name(this: &Cc<T>) -> &'static str {
        // SAFETY: a handle keeps its block allocated.
        (unsafe { crate::raw::vtable_of(this.block()) }.type_name)()
    }
}

/// Turns a `Cc` of a concrete type into a `Cc` of an unsized type it
/// coerces to: `Cc<dyn Trait>` from `Cc<T>` where `T: Trait`, or
/// `Cc<[T]>` from `Cc<[T; N]>`. The target type comes from the context.
///
/// The object is the same (same id, same counts, same weak references); the
/// collector goes on tracing the concrete value. On nightly Rust `Rc` does
/// this implicitly through `CoerceUnsized`, which stable Rust does not
/// let a library implement.
///
/// ```
/// use std::cell::RefCell;
/// use cyclegc::{coerce_cc, gc, Cc, Trace};
///
/// trait Widget {
///     fn children(&self) -> Vec<Cc<dyn Widget>>;
/// }
///
/// #[derive(Trace)]
/// struct Panel {
///     kids: RefCell<Vec<Cc<dyn Widget>>>,
/// }
/// impl Widget for Panel {
///     fn children(&self) -> Vec<Cc<dyn Widget>> { self.kids.borrow().clone() }
/// }
///
/// let a = Cc::new(Panel { kids: RefCell::new(vec![]) });
/// let b = Cc::new(Panel { kids: RefCell::new(vec![coerce_cc!(a.clone())]) });
/// a.kids.borrow_mut().push(coerce_cc!(b.clone()));
/// assert_eq!(a.children().len(), 1);
/// drop((a, b));
/// assert_eq!(gc::collect(), 2); // the cycle through `dyn Widget` is found
/// ```
#[macro_export]
macro_rules! coerce_cc {
    ($cc:expr) => {{
        // SAFETY: the closure converts its argument from a thin pointer to
        // a fat one (`__coerce` checks that at compile time), which only an
        // unsizing coercion does. The cast's target is inferred from where
        // the macro's value goes.
        unsafe { $crate::Cc::__coerce($cc, |p| p as *const _) }
    }};
}

/// The guard of [`Cc::get_mut`] and [`Cc::make_mut`]: the value, mutably,
/// kept out of the collector's sight until the guard is dropped.
///
/// ```
/// use cyclegc::Cc;
/// let mut v = Cc::new(vec![1, 2]);
/// Cc::get_mut(&mut v).unwrap().push(3);
/// assert_eq!(*v, [1, 2, 3]);
/// ```
pub struct CcMut<'a, T: Trace> {
    cc: &'a mut Cc<T>,
}

impl<'a, T: Trace> CcMut<'a, T> {
    fn new(cc: &'a mut Cc<T>) -> CcMut<'a, T> {
        if !T::IS_LEAF {
            // SAFETY: a tracked block.
            let p = unsafe { GcPtr::new(cc.block()) };
            p.set_flags(p.flags() | flags::BORROWED_MUT);
        }
        CcMut { cc }
    }
}

impl<T: Trace> Deref for CcMut<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.cc
    }
}

impl<T: Trace> DerefMut for CcMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard was made for the only handle, strong or weak
        // (or a fresh one), and borrows it mutably, so no other reference to
        // the value can be made meanwhile; the collector does not read a
        // value flagged `BORROWED_MUT`.
        unsafe { &mut *(CcBlock::value_ptr(self.cc.ptr) as *mut T) }
    }
}

impl<T: Trace> Drop for CcMut<'_, T> {
    fn drop(&mut self) {
        if !T::IS_LEAF {
            // SAFETY: a tracked block, kept alive by the borrowed handle.
            let p = unsafe { GcPtr::new(self.cc.block()) };
            p.set_flags(p.flags() & !flags::BORROWED_MUT);
        }
    }
}

impl<T: Trace + fmt::Debug> fmt::Debug for CcMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
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

impl<T: ?Sized> Deref for Cc<T> {
    type Target = T;

    #[inline]
    #[track_caller]
    fn deref(&self) -> &T {
        if self.counts().value_dropped() {
            value_dropped_panic(std::any::type_name::<T>());
        }
        // SAFETY: the value is alive (checked above) while this handle lives.
        unsafe { &*CcBlock::value_ptr(self.ptr) }
    }
}

impl<T: ?Sized> Clone for Cc<T> {
    /// Adds a strong handle to the same object.
    #[inline]
    fn clone(&self) -> Cc<T> {
        self.counts().inc_strong();
        // SAFETY: the count we just added belongs to the new handle.
        unsafe { Cc::from_counted(self.ptr) }
    }
}

impl<T: ?Sized> Drop for Cc<T> {
    #[inline]
    fn drop(&mut self) {
        if self.counts().dec_strong() == 0 {
            // SAFETY: that was the last strong handle of a live block.
            unsafe { release_erased(self.block()) }
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

impl<T: Trace> From<Vec<T>> for Cc<[T]> {
    /// Moves the elements into a new object (tracked if `T` is not a leaf).
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let s: Cc<[String]> = Cc::from(vec!["a".to_string(), "b".to_string()]);
    /// assert_eq!(s.len(), 2);
    /// ```
    fn from(items: Vec<T>) -> Cc<[T]> {
        let ptr = SliceBox::<T>::alloc(items);
        if !T::IS_LEAF {
            // SAFETY: freshly allocated tracked block, owned by this handle.
            crate::collector::track_new(unsafe { GcPtr::new(ptr.cast()) }, SliceBox::<T>::VTABLE);
        }
        // SAFETY: the new block's strong count is the handle's.
        unsafe { Cc::from_counted(ptr) }
    }
}

impl<T: Trace + Clone> From<&[T]> for Cc<[T]> {
    /// Clones the elements into a new object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let s: Cc<[u8]> = Cc::from(&b"abc"[..]);
    /// assert_eq!(&*s, b"abc");
    /// ```
    fn from(items: &[T]) -> Cc<[T]> {
        Cc::from(items.to_vec())
    }
}

impl<T: Trace> FromIterator<T> for Cc<[T]> {
    /// Collects into a new slice object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let squares: Cc<[u32]> = (1..4).map(|i| i * i).collect();
    /// assert_eq!(&*squares, [1, 4, 9]);
    /// ```
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Cc<[T]> {
        Cc::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl From<&str> for Cc<str> {
    /// Copies the string into a new (leaf) object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let s: Cc<str> = Cc::from("hello");
    /// assert_eq!(&*s, "hello");
    /// ```
    fn from(s: &str) -> Cc<str> {
        Cc::from(s.to_owned())
    }
}

impl From<String> for Cc<str> {
    /// Moves the string's bytes into a new (leaf) object.
    ///
    /// ```
    /// use cyclegc::Cc;
    /// let s: Cc<str> = Cc::from(String::from("owned"));
    /// assert_eq!(s.len(), 5);
    /// ```
    fn from(s: String) -> Cc<str> {
        // SAFETY: a leaf block whose strong count the handle takes.
        unsafe { Cc::<[u8]>::from_counted(SliceBox::<u8>::alloc_str(s)) }.into_str()
    }
}

impl Cc<[u8]> {
    /// The same object seen as a `str`.
    fn into_str(self) -> Cc<str> {
        let this = ManuallyDrop::new(self);
        // The block's bytes are valid UTF-8 (our two callers made them from
        // a `str`); a `CcBlock<str>` has the layout of a `CcBlock<[u8]>`.
        let ptr = this.ptr.as_ptr() as *mut CcBlock<str>;
        // SAFETY: derived from a non-null pointer; the count moves.
        unsafe { Cc::from_counted(NonNull::new_unchecked(ptr)) }
    }
}

impl<T: ?Sized> AsRef<T> for Cc<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: ?Sized> Borrow<T> for Cc<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Cc::try_deref(self) {
            Some(v) => fmt::Debug::fmt(v, f),
            None => write!(
                f,
                "<dropped {} object at {:#x}>",
                Cc::type_name(self),
                Cc::id(self)
            ),
        }
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized> fmt::Pointer for Cc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Cc::as_ptr(self), f)
    }
}

impl<T: ?Sized + PartialEq> PartialEq for Cc<T> {
    #[inline]
    fn eq(&self, other: &Cc<T>) -> bool {
        **self == **other
    }
}

impl<T: ?Sized + Eq> Eq for Cc<T> {}

impl<T: ?Sized + PartialOrd> PartialOrd for Cc<T> {
    #[inline]
    fn partial_cmp(&self, other: &Cc<T>) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: ?Sized + Ord> Ord for Cc<T> {
    #[inline]
    fn cmp(&self, other: &Cc<T>) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: ?Sized + Hash> Hash for Cc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: ?Sized> Unpin for Cc<T> {}
