//! `Trace` for the standard library's types.

use std::borrow::{Cow, ToOwned};
use std::cell::{Cell, OnceCell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::marker::PhantomData;
use std::ops::{Range, RangeFrom, RangeInclusive, RangeTo, RangeToInclusive};
use std::sync::{Mutex, OnceLock, RwLock, TryLockError};

use super::{Trace, Tracer};
use crate::any::AnyCc;
use crate::cc::Cc;
use crate::weak::Weak;

/// Types that never own a `Cc`: nothing to visit, never tracked.
macro_rules! leaf {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: the type owns no `Cc`, so visiting nothing is exact.
        unsafe impl Trace for $t {
            const IS_LEAF: bool = true;
            #[inline]
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
    )*};
}

leaf!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    String,
    &'static str,
    str,
    std::ffi::OsString,
    std::ffi::OsStr,
    std::ffi::CString,
    std::ffi::CStr,
    std::path::PathBuf,
    std::path::Path,
    std::time::Duration,
    std::time::Instant,
    std::time::SystemTime,
    std::cmp::Ordering,
    std::ops::RangeFull,
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroU128,
    std::num::NonZeroUsize,
    std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64,
    std::num::NonZeroI128,
    std::num::NonZeroIsize,
    std::collections::hash_map::RandomState,
    std::collections::hash_map::DefaultHasher,
);

// SAFETY: a `BuildHasherDefault` is a marker; it holds no `H`.
unsafe impl<H: 'static> Trace for std::hash::BuildHasherDefault<H> {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// Function pointers, safe and `unsafe`, Rust and C ABI, up to 12
/// arguments: code owns no data. A pointer whose arguments borrow
/// (`fn(&str)`, which is `for<'a> fn(&'a str)`) is a different type that
/// these impls do not cover, and cannot: an impl for it overlaps this one
/// (rustc's `coherence_leak_check`). `#[derive(Trace)]` skips fields of
/// function pointer type for that reason.
macro_rules! fn_ptr {
    ($($arg:ident)*) => {
        fn_ptr!(@impl [$($arg)*] fn($($arg),*) -> R);
        fn_ptr!(@impl [$($arg)*] unsafe fn($($arg),*) -> R);
        fn_ptr!(@impl [$($arg)*] extern "C" fn($($arg),*) -> R);
        fn_ptr!(@impl [$($arg)*] unsafe extern "C" fn($($arg),*) -> R);
    };
    (@impl [$($arg:ident)*] $ptr:ty) => {
        // SAFETY: a function pointer owns nothing.
        unsafe impl<R: 'static, $($arg: 'static),*> Trace for $ptr {
            const IS_LEAF: bool = true;
            #[inline]
            fn trace(&self, _: &mut Tracer<'_>) {}
        }
    };
}

fn_ptr!();
fn_ptr!(A);
fn_ptr!(A B);
fn_ptr!(A B C);
fn_ptr!(A B C D);
fn_ptr!(A B C D E);
fn_ptr!(A B C D E F);
fn_ptr!(A B C D E F G);
fn_ptr!(A B C D E F G H);
fn_ptr!(A B C D E F G H I);
fn_ptr!(A B C D E F G H I J);
fn_ptr!(A B C D E F G H I J K);
fn_ptr!(A B C D E F G H I J K L);

/// Containers whose every element is traced: leaf exactly when the element is.
macro_rules! sequence {
    ($($c:ident),* $(,)?) => {$(
        // SAFETY: visits each owned element once, through its own impl.
        unsafe impl<T: Trace> Trace for $c<T> {
            const IS_LEAF: bool = T::IS_LEAF;
            #[inline]
            fn trace(&self, tracer: &mut Tracer<'_>) {
                if !T::IS_LEAF || tracer.wants_leaves() {
                    for item in self.iter() {
                        item.trace(tracer);
                    }
                }
            }
        }
    )*};
}

sequence!(Vec, VecDeque, LinkedList, BTreeSet, BinaryHeap, Option);

// SAFETY: visits each element once.
unsafe impl<T: Trace> Trace for [T] {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !T::IS_LEAF || tracer.wants_leaves() {
            for item in self {
                item.trace(tracer);
            }
        }
    }
}

// SAFETY: visits each element once.
unsafe impl<T: Trace, const N: usize> Trace for [T; N] {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.as_slice().trace(tracer);
    }
}

// SAFETY: the box owns its content; visits it once.
unsafe impl<T: Trace + ?Sized> Trace for Box<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        (**self).trace(tracer);
    }
}

// SAFETY: visits the one value that is present.
unsafe impl<T: Trace, E: Trace> Trace for Result<T, E> {
    const IS_LEAF: bool = T::IS_LEAF && E::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        match self {
            Ok(v) => v.trace(tracer),
            Err(e) => e.trace(tracer),
        }
    }
}

// SAFETY: visits every key and every value once.
unsafe impl<K: Trace, V: Trace> Trace for BTreeMap<K, V> {
    const IS_LEAF: bool = K::IS_LEAF && V::IS_LEAF;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !Self::IS_LEAF || tracer.wants_leaves() {
            for (k, v) in self {
                k.trace(tracer);
                v.trace(tracer);
            }
        }
    }
}

/// Hash maps and sets of any crate, given by path: the keys, values (or
/// elements) and the hasher state `S` are owned, and each is visited once.
/// `S` is traced too: a hasher state that owned a `Cc` would otherwise hide
/// it, and the map would claim to be a leaf while owning one. The std and
/// hashbrown hashers are leaves; a hasher of another crate can be wrapped
/// in a type of your own that derives `Trace`.
macro_rules! hashed {
    (map $($seg:ident)::+) => {
        // SAFETY: visits every key, every value and the hasher state once.
        unsafe impl<K: Trace, V: Trace, S: Trace> Trace for $($seg)::+<K, V, S> {
            const IS_LEAF: bool = K::IS_LEAF && V::IS_LEAF && S::IS_LEAF;
            fn trace(&self, tracer: &mut Tracer<'_>) {
                if !Self::IS_LEAF || tracer.wants_leaves() {
                    for (k, v) in self {
                        k.trace(tracer);
                        v.trace(tracer);
                    }
                    self.hasher().trace(tracer);
                }
            }
        }
    };
    (set $($seg:ident)::+) => {
        // SAFETY: visits each element and the hasher state once.
        unsafe impl<T: Trace, S: Trace> Trace for $($seg)::+<T, S> {
            const IS_LEAF: bool = T::IS_LEAF && S::IS_LEAF;
            fn trace(&self, tracer: &mut Tracer<'_>) {
                if !Self::IS_LEAF || tracer.wants_leaves() {
                    for item in self {
                        item.trace(tracer);
                    }
                    self.hasher().trace(tracer);
                }
            }
        }
    };
}
#[cfg(any(feature = "hashbrown", feature = "indexmap"))]
pub(super) use hashed;

hashed!(map HashMap);
hashed!(set HashSet);

// SAFETY: only the owned form owns its value. A borrowed one owns nothing:
// the `Cc`s behind a `&'static B` belong to whatever owns the referent (a
// leaked box, a `static`), which keeps them alive, so visiting them would
// report handles that `self` does not own.
unsafe impl<B> Trace for Cow<'static, B>
where
    B: ToOwned + ?Sized + 'static,
    B::Owned: Trace,
{
    const IS_LEAF: bool = <B::Owned as Trace>::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Cow::Owned(owned) = self {
            owned.trace(tracer);
        }
    }
}

// SAFETY: visits the one value the wrapper owns.
unsafe impl<T: Trace> Trace for Reverse<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.0.trace(tracer);
    }
}

/// Ranges own their bounds: each bound present is visited once.
macro_rules! range {
    ($($range:ident { $($bound:ident),+ }),* $(,)?) => {$(
        // SAFETY: visits each bound once.
        unsafe impl<T: Trace> Trace for $range<T> {
            const IS_LEAF: bool = T::IS_LEAF;
            #[inline]
            fn trace(&self, tracer: &mut Tracer<'_>) {
                $(self.$bound.trace(tracer);)+
            }
        }
    )*};
}

range!(
    Range { start, end },
    RangeFrom { start },
    RangeTo { end },
    RangeToInclusive { end }
);

// SAFETY: visits both bounds once.
unsafe impl<T: Trace> Trace for RangeInclusive<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.start().trace(tracer);
        self.end().trace(tracer);
    }
}

macro_rules! tuple {
    ($($name:ident)+) => {
        // SAFETY: visits each field once.
        unsafe impl<$($name: Trace),+> Trace for ($($name,)+) {
            const IS_LEAF: bool = $($name::IS_LEAF)&&+;
            #[inline]
            #[allow(non_snake_case)]
            fn trace(&self, tracer: &mut Tracer<'_>) {
                let ($($name,)+) = self;
                $($name.trace(tracer);)+
            }
        }
    };
}

tuple!(A);
tuple!(A B);
tuple!(A B C);
tuple!(A B C D);
tuple!(A B C D E);
tuple!(A B C D E F);
tuple!(A B C D E F G);
tuple!(A B C D E F G H);
tuple!(A B C D E F G H I);
tuple!(A B C D E F G H I J);
tuple!(A B C D E F G H I J K);
tuple!(A B C D E F G H I J K L);

// SAFETY: a `PhantomData` owns nothing.
unsafe impl<T: ?Sized + 'static> Trace for PhantomData<T> {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {}
}

/// Evaluated where a `Cell`, `Rc` or `Arc` of a non-leaf type is used, to
/// turn the mistake into a compile error.
struct AssertLeaf<T: ?Sized>(PhantomData<T>);

impl<T: Trace + ?Sized> AssertLeaf<T> {
    const CELL: bool = {
        assert!(
            T::IS_LEAF,
            "cyclegc: Cell<T> is Trace only for leaf T (a Cc inside a Cell cannot be read while tracing); use RefCell<T>"
        );
        true
    };
    const SHARED: bool = {
        assert!(
            T::IS_LEAF,
            "cyclegc: Rc<T> and Arc<T> are Trace only for leaf T (a Cc shared through them would be counted once per owner); use Cc<T>"
        );
        true
    };
}

// SAFETY: a leaf owns no `Cc` (checked at compile time). Its content is
// read only to find weak references owned by garbage.
unsafe impl<T: Trace> Trace for Cell<T> {
    const IS_LEAF: bool = AssertLeaf::<T>::CELL;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        let _ = Self::IS_LEAF;
        if tracer.wants_leaves() {
            // SAFETY: a `Cell` never lends out references to its content,
            // so none exists; the one made here lives for this call, which
            // runs no code that could set the cell (`Trace` impls must not
            // mutate, and in this mode the tracer only marks weak
            // references).
            unsafe { &*self.as_ptr() }.trace(tracer);
        }
    }
}

// SAFETY: a leaf owns no `Cc` (checked at compile time). An `Rc` that is
// the only one is read to find weak references owned by garbage.
unsafe impl<T: Trace + ?Sized> Trace for std::rc::Rc<T> {
    const IS_LEAF: bool = AssertLeaf::<T>::SHARED;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        let _ = Self::IS_LEAF;
        if tracer.wants_leaves() && std::rc::Rc::strong_count(self) == 1 {
            (**self).trace(tracer);
        }
    }
}

// SAFETY: a leaf owns no `Cc` (checked at compile time).
unsafe impl<T: Trace + ?Sized> Trace for std::sync::Arc<T> {
    const IS_LEAF: bool = AssertLeaf::<T>::SHARED;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {
        let _ = Self::IS_LEAF;
    }
}

// SAFETY: visits the content once; while the cell is mutably borrowed the
// content may be changing under the borrow, so it is not read at all and
// the collector is told to keep the object (and so all it owns) alive.
unsafe impl<T: Trace + ?Sized> Trace for RefCell<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if T::IS_LEAF && !tracer.wants_leaves() {
            return;
        }
        match self.try_borrow() {
            Ok(value) => value.trace(tracer),
            Err(_) => tracer.untraceable(),
        }
    }
}

// SAFETY: visits the value once it is set. While `get_or_init` runs, the
// value being built is not in the cell yet; it is owned by the initialiser,
// so the `Cc`s in it count as referenced from outside and stay alive.
unsafe impl<T: Trace> Trace for OnceCell<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self.get() {
            value.trace(tracer);
        }
    }
}

// SAFETY: as for `OnceCell`.
unsafe impl<T: Trace> Trace for OnceLock<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self.get() {
            value.trace(tracer);
        }
    }
}

// SAFETY: as for `RefCell`: a mutex held while a collection runs (by this
// thread, since a `Cc` never crosses threads) guards a value that may be
// changing, so it is not read and the object is kept alive. A poisoned
// mutex still owns its value, which is traced as usual.
unsafe impl<T: Trace + ?Sized> Trace for Mutex<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if T::IS_LEAF && !tracer.wants_leaves() {
            return;
        }
        match self.try_lock() {
            Ok(value) => value.trace(tracer),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().trace(tracer),
            Err(TryLockError::WouldBlock) => tracer.untraceable(),
        }
    }
}

// SAFETY: as for `Mutex`; read locks do not stop the trace, a write lock does.
unsafe impl<T: Trace + ?Sized> Trace for RwLock<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if T::IS_LEAF && !tracer.wants_leaves() {
            return;
        }
        match self.try_read() {
            Ok(value) => value.trace(tracer),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().trace(tracer),
            Err(TryLockError::WouldBlock) => tracer.untraceable(),
        }
    }
}

// SAFETY: a `Cc` field is exactly one owned handle.
unsafe impl<T: ?Sized + 'static> Trace for Cc<T> {
    const IS_LEAF: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit(self);
    }
}

// SAFETY: an `AnyCc` field is exactly one owned handle.
unsafe impl Trace for AnyCc {
    const IS_LEAF: bool = false;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit_any(self);
    }
}

// SAFETY: a weak handle keeps nothing alive, so there is no `Cc` to
// visit; it is reported separately, for its callback.
unsafe impl<T: ?Sized + 'static> Trace for Weak<T> {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        tracer.visit_weak(self);
    }
}
