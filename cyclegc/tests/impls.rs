//! The `Trace` impls shipped for std types and, behind their features, for
//! hashbrown, indexmap and smallvec: which types are leaves, what each
//! visits (through `gc::referents`), and that cycles through them are
//! collected.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::cmp::Reverse;
use std::collections::hash_map::{DefaultHasher, RandomState};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::hash::BuildHasherDefault;
use std::num::*;
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant, SystemTime};

use cyclegc::{gc, AnyCc, Cc, Trace};

/// `T::IS_LEAF`, read at run time so that a wrong value fails one test
/// instead of the build.
fn is_leaf<T: Trace + ?Sized>() -> bool {
    T::IS_LEAF
}

fn assert_same(found: &[AnyCc], expected: &[AnyCc]) {
    assert_eq!(found.len(), expected.len(), "{found:?} vs {expected:?}");
    for (f, e) in found.iter().zip(expected) {
        assert!(AnyCc::ptr_eq(f, e), "{found:?} vs {expected:?}");
    }
}

/// `n` fresh (untracked) objects, to be found by `gc::referents`.
fn ints(n: i64) -> Vec<Cc<i64>> {
    (0..n).map(Cc::new).collect()
}

fn any(ccs: &[Cc<i64>]) -> Vec<AnyCc> {
    ccs.iter().cloned().map(AnyCc::from).collect()
}

/// Makes two objects with `make`, links each to the other with `link`,
/// drops both and checks that the cycle survives until `gc::collect`, which
/// must free exactly the two.
fn assert_cycle_collected<C: Trace>(make: impl Fn() -> C, link: impl Fn(&C, AnyCc)) {
    gc::collect();
    let a = Cc::new(make());
    let b = Cc::new(make());
    link(&a, AnyCc::from(b.clone()));
    link(&b, AnyCc::from(a.clone()));
    let (weak_a, weak_b) = (Cc::downgrade(&a), Cc::downgrade(&b));
    drop((a, b));
    assert!(weak_a.upgrade().is_some(), "a cycle keeps itself alive");
    assert_eq!(gc::collect(), 2, "{}", std::any::type_name::<C>());
    assert!(weak_a.upgrade().is_none() && weak_b.upgrade().is_none());
}

/// A cell to close a cycle through a container that has no interior
/// mutability of its own.
type Slot<C> = RefCell<Option<C>>;

fn fill<C>(slot: &Slot<C>, value: C) {
    *slot.borrow_mut() = Some(value);
}

// ---- leaves ---------------------------------------------------------------

#[test]
fn std_value_types_are_leaves() {
    assert!(is_leaf::<std::cmp::Ordering>());
    assert!(is_leaf::<OsString>() && is_leaf::<OsStr>());
    assert!(is_leaf::<CString>() && is_leaf::<CStr>());
    assert!(is_leaf::<PathBuf>() && is_leaf::<Path>());
    assert!(is_leaf::<Duration>() && is_leaf::<Instant>() && is_leaf::<SystemTime>());
    assert!(is_leaf::<RangeFull>());
    assert!(is_leaf::<RandomState>() && is_leaf::<DefaultHasher>());
    assert!(is_leaf::<BuildHasherDefault<DefaultHasher>>());
    // The unsized ones behind the pointers that hold them.
    assert!(is_leaf::<Box<Path>>() && is_leaf::<Arc<OsStr>>() && is_leaf::<Rc<CStr>>());

    let path = Cc::new(PathBuf::from("/tmp"));
    assert!(!gc::is_tracked(&path));
}

#[test]
fn every_non_zero_integer_is_a_leaf() {
    assert!(is_leaf::<NonZeroU8>() && is_leaf::<NonZeroI8>());
    assert!(is_leaf::<NonZeroU16>() && is_leaf::<NonZeroI16>());
    assert!(is_leaf::<NonZeroU32>() && is_leaf::<NonZeroI32>());
    assert!(is_leaf::<NonZeroU64>() && is_leaf::<NonZeroI64>());
    assert!(is_leaf::<NonZeroU128>() && is_leaf::<NonZeroI128>());
    assert!(is_leaf::<NonZeroUsize>() && is_leaf::<NonZeroIsize>());
}

extern "C" fn c_double(x: i32) -> i32 {
    x * 2
}

#[allow(clippy::too_many_arguments)]
fn twelve(a: u8, _: u8, _: u8, _: u8, _: u8, _: u8, _: u8, _: u8, _: u8, _: u8, _: u8, l: u8) -> u8 {
    a + l
}

#[derive(Trace)]
struct Handler {
    name: String,
    run: fn(i32) -> i32,
}

#[test]
fn fn_pointers_are_leaves() {
    assert!(is_leaf::<fn()>());
    assert!(
        is_leaf::<fn(Cc<i64>) -> Cc<i64>>(),
        "code owns no data, whatever its signature"
    );
    assert!(is_leaf::<unsafe fn(u8, String) -> Vec<u8>>());
    assert!(is_leaf::<extern "C" fn(i32) -> i32>());
    assert!(is_leaf::<unsafe extern "C" fn(*const u8, usize)>());
    type Twelve = fn(u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8) -> u8;
    assert!(is_leaf::<Twelve>());

    let handler = Cc::new(Handler {
        name: "double".into(),
        run: |x| x * 2,
    });
    assert!(!gc::is_tracked(&handler));
    assert_eq!((handler.run)(21), 42);
    let c = Cc::new(c_double as extern "C" fn(i32) -> i32);
    assert_eq!(c(4), 8);
    let t = Cc::new(twelve as Twelve);
    assert_eq!(t(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), 3);
    assert_eq!(handler.name, "double");
}

// ---- Cow --------------------------------------------------------------------

#[test]
fn cow_is_a_leaf_iff_its_owned_form_is() {
    assert!(is_leaf::<Cow<'static, str>>());
    assert!(is_leaf::<Cow<'static, [u8]>>());
    assert!(!is_leaf::<Cow<'static, [Cc<i64>]>>());
    assert!(!is_leaf::<Cow<'static, [AnyCc]>>());
}

#[test]
fn owned_cow_visits_its_elements() {
    let leaves = ints(2);
    let cow: Cc<Cow<'static, [Cc<i64>]>> = Cc::new(Cow::Owned(leaves.clone()));
    assert_same(&gc::referents(&cow), &any(&leaves));
    assert_cycle_collected(Slot::<Cow<'static, [AnyCc]>>::default, |slot, other| {
        fill(slot, Cow::Owned(vec![other]))
    });
}

#[test]
fn borrowed_cow_does_not_own_what_it_points_to() {
    gc::collect();
    // `a` holds a borrowed view of a leaked slice that owns `a`: the slice,
    // not `a`, owns that handle, so `a` is referenced from outside.
    let a: Cc<Slot<Cow<'static, [AnyCc]>>> = Cc::new(RefCell::new(None));
    let raw: *mut [AnyCc] = Box::into_raw(Box::new([AnyCc::from(a.clone())]));
    // SAFETY: `raw` is a live allocation that nothing frees before the end
    // of the test, where the box is rebuilt from `raw` itself.
    let leaked: &'static [AnyCc] = unsafe { &*raw };
    fill(&a, Cow::Borrowed(leaked));
    assert!(gc::referents(&a).is_empty());
    let weak = Cc::downgrade(&a);
    drop(a);
    assert_eq!(gc::collect(), 0);
    let a = weak.upgrade().expect("the leaked slice keeps `a` alive");

    // Give the memory back so that a leak checker stays quiet.
    *a.borrow_mut() = None;
    // SAFETY: `raw` comes from `Box::into_raw`, and the last reference
    // derived from it, the one in `a`, was just dropped.
    drop(unsafe { Box::from_raw(raw) });
    assert_eq!(Cc::strong_count(&a), 1);
}

// ---- ranges and Reverse ---------------------------------------------------

#[test]
fn ranges_are_leaves_iff_their_bounds_are() {
    assert!(is_leaf::<Range<u32>>() && !is_leaf::<Range<Cc<i64>>>());
    assert!(is_leaf::<RangeInclusive<u32>>() && !is_leaf::<RangeInclusive<Cc<i64>>>());
    assert!(is_leaf::<RangeFrom<u32>>() && !is_leaf::<RangeFrom<Cc<i64>>>());
    assert!(is_leaf::<RangeTo<u32>>() && !is_leaf::<RangeTo<Cc<i64>>>());
    assert!(is_leaf::<RangeToInclusive<u32>>() && !is_leaf::<RangeToInclusive<Cc<i64>>>());
    assert!(is_leaf::<Reverse<u32>>() && !is_leaf::<Reverse<Cc<i64>>>());
}

#[test]
fn ranges_visit_each_bound_once() {
    let v = ints(2);
    let (lo, hi) = (v[0].clone(), v[1].clone());
    assert_same(&gc::referents(&Cc::new(lo.clone()..hi.clone())), &any(&v));
    assert_same(&gc::referents(&Cc::new(lo.clone()..=hi.clone())), &any(&v));
    assert_same(&gc::referents(&Cc::new(lo.clone()..)), &any(&v[..1]));
    assert_same(&gc::referents(&Cc::new(..hi.clone())), &any(&v[1..]));
    assert_same(&gc::referents(&Cc::new(..=hi.clone())), &any(&v[1..]));
    assert_same(&gc::referents(&Cc::new(Reverse(lo.clone()))), &any(&v[..1]));
}

#[test]
fn cycles_through_ranges_are_collected() {
    // Both bounds hold the other object: if either went unvisited, the
    // cycle would look referenced from outside and be kept.
    assert_cycle_collected(Slot::<Range<AnyCc>>::default, |s, o| fill(s, o.clone()..o));
    assert_cycle_collected(Slot::<RangeInclusive<AnyCc>>::default, |s, o| {
        fill(s, o.clone()..=o)
    });
    assert_cycle_collected(Slot::<RangeFrom<AnyCc>>::default, |s, o| fill(s, o..));
    assert_cycle_collected(Slot::<RangeTo<AnyCc>>::default, |s, o| fill(s, ..o));
    assert_cycle_collected(Slot::<RangeToInclusive<AnyCc>>::default, |s, o| fill(s, ..=o));
    assert_cycle_collected(Slot::<Reverse<AnyCc>>::default, |s, o| fill(s, Reverse(o)));
}

// ---- OnceCell and OnceLock ------------------------------------------------

#[test]
fn once_cells_are_leaves_iff_their_value_is() {
    assert!(is_leaf::<OnceCell<String>>() && !is_leaf::<OnceCell<Cc<i64>>>());
    assert!(is_leaf::<OnceLock<String>>() && !is_leaf::<OnceLock<Cc<i64>>>());
}

#[test]
fn once_cell_is_traced_once_set() {
    let v = ints(1);
    let cell: Cc<OnceCell<Cc<i64>>> = Cc::new(OnceCell::new());
    assert!(gc::referents(&cell).is_empty());
    cell.set(v[0].clone()).unwrap();
    assert_same(&gc::referents(&cell), &any(&v));
    assert_cycle_collected(OnceCell::<AnyCc>::new, |cell, other| cell.set(other).unwrap());
}

#[test]
fn once_lock_is_traced_once_set() {
    let v = ints(1);
    let lock: Cc<OnceLock<Cc<i64>>> = Cc::new(OnceLock::new());
    assert!(gc::referents(&lock).is_empty());
    lock.set(v[0].clone()).unwrap();
    assert_same(&gc::referents(&lock), &any(&v));
    assert_cycle_collected(OnceLock::<AnyCc>::new, |lock, other| lock.set(other).unwrap());
}

// ---- Mutex and RwLock -----------------------------------------------------

type Locked = Mutex<Option<AnyCc>>;

#[test]
fn locks_are_leaves_iff_their_value_is() {
    assert!(is_leaf::<Mutex<u64>>() && !is_leaf::<Mutex<Cc<i64>>>());
    assert!(is_leaf::<RwLock<u64>>() && !is_leaf::<RwLock<Cc<i64>>>());
    // A leaf lock can still be shared across threads behind an `Arc`.
    assert!(is_leaf::<Arc<Mutex<Vec<String>>>>());
}

#[test]
fn cycles_through_locks_are_collected() {
    assert_cycle_collected(Locked::default, |m, other| *m.lock().unwrap() = Some(other));
    assert_cycle_collected(RwLock::<Option<AnyCc>>::default, |l, other| {
        *l.write().unwrap() = Some(other)
    });
}

#[test]
fn a_locked_mutex_keeps_what_it_holds_alive_until_unlocked() {
    gc::collect();
    // a <-> b; we keep `a` and hold its lock, so the collector cannot see
    // that `a` owns `b`.
    let a = Cc::new(Locked::default());
    let b = Cc::new(Locked::default());
    *a.lock().unwrap() = Some(AnyCc::from(b.clone()));
    *b.lock().unwrap() = Some(AnyCc::from(a.clone()));
    let weak_b = Cc::downgrade(&b);
    drop(b);
    {
        let guard = a.lock().unwrap();
        // Unrelated garbage, to show that the collection still does its
        // job (and that tracing a held lock does not deadlock).
        assert_cycle_collected(Locked::default, |m, other| *m.lock().unwrap() = Some(other));
        assert_eq!(gc::collect(), 0);
        assert!(gc::referents(&a).is_empty(), "a held lock is not read");
        assert!(weak_b.upgrade().is_some());
        drop(guard);
    }
    assert_eq!(gc::referents(&a).len(), 1);
    drop(a);
    assert_eq!(gc::collect(), 2);
    assert!(weak_b.upgrade().is_none());
}

#[test]
fn a_read_lock_does_not_hide_the_value_a_write_lock_does() {
    let v = ints(1);
    let lock = Cc::new(RwLock::new(v[0].clone()));
    {
        let _read = lock.read().unwrap();
        assert_same(&gc::referents(&lock), &any(&v));
    }
    {
        let _write = lock.write().unwrap();
        assert!(gc::referents(&lock).is_empty());
    }
    assert_same(&gc::referents(&lock), &any(&v));
}

#[test]
fn a_poisoned_lock_is_still_traced() {
    fn poison<T>(f: impl FnOnce() -> T) {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _guard = f();
            panic!("poisoning the lock on purpose");
        }));
        assert!(result.is_err());
    }
    assert_cycle_collected(Locked::default, |m, other| {
        *m.lock().unwrap() = Some(other);
        poison(|| m.lock().unwrap());
        assert!(m.is_poisoned());
    });
    assert_cycle_collected(RwLock::<Option<AnyCc>>::default, |l, other| {
        *l.write().unwrap() = Some(other);
        poison(|| l.write().unwrap());
        assert!(l.is_poisoned());
    });
}

// ---- optional crates ------------------------------------------------------

#[cfg(feature = "hashbrown")]
mod hashbrown_impls {
    use super::*;
    use hashbrown::{HashMap, HashSet, HashTable};

    #[test]
    fn containers_are_leaves_iff_their_elements_are() {
        assert!(is_leaf::<HashMap<u32, String>>());
        assert!(!is_leaf::<HashMap<u32, Cc<i64>>>());
        assert!(!is_leaf::<HashMap<AnyCc, u32, RandomState>>());
        assert!(is_leaf::<HashSet<u32>>() && !is_leaf::<HashSet<AnyCc>>());
        assert!(is_leaf::<HashTable<u32>>() && !is_leaf::<HashTable<Cc<i64>>>());
        assert!(is_leaf::<hashbrown::DefaultHashBuilder>());
    }

    #[test]
    fn every_key_value_and_element_is_visited() {
        let v = ints(2);
        let mut map = HashMap::with_hasher(RandomState::new());
        map.insert(v[0].clone(), v[1].clone());
        assert_same(&gc::referents(&Cc::new(map)), &any(&v));

        let mut set = HashSet::with_hasher(RandomState::new());
        set.insert(AnyCc::from(v[0].clone()));
        assert_same(&gc::referents(&Cc::new(set)), &any(&v[..1]));

        let mut table = HashTable::new();
        table.insert_unique(0, v[1].clone(), |_| 0);
        assert_same(&gc::referents(&Cc::new(table)), &any(&v[1..]));
    }

    #[test]
    fn cycles_through_them_are_collected() {
        type Map = RefCell<HashMap<u32, AnyCc, RandomState>>;
        assert_cycle_collected(Map::default, |m, other| {
            m.borrow_mut().insert(0, other);
        });
        type Set = RefCell<HashSet<AnyCc, RandomState>>;
        assert_cycle_collected(Set::default, |s, other| {
            s.borrow_mut().insert(other);
        });
        assert_cycle_collected(
            || RefCell::new(HashTable::new()),
            |t, other| {
                t.borrow_mut().insert_unique(0, other, |_| 0);
            },
        );
    }
}

#[cfg(feature = "indexmap")]
mod indexmap_impls {
    use super::*;
    use indexmap::{IndexMap, IndexSet};

    #[test]
    fn containers_are_leaves_iff_their_elements_are() {
        assert!(is_leaf::<IndexMap<u32, String, RandomState>>());
        assert!(!is_leaf::<IndexMap<u32, Cc<i64>, RandomState>>());
        assert!(!is_leaf::<IndexMap<Cc<i64>, u32, RandomState>>());
        assert!(is_leaf::<IndexSet<u32, RandomState>>());
        assert!(!is_leaf::<IndexSet<AnyCc, RandomState>>());
    }

    #[test]
    fn entries_are_visited_in_order() {
        let v = ints(4);
        let mut map = IndexMap::with_hasher(RandomState::new());
        map.insert(v[0].clone(), v[1].clone());
        map.insert(v[2].clone(), v[3].clone());
        assert_same(&gc::referents(&Cc::new(map)), &any(&v));

        let mut set = IndexSet::with_hasher(RandomState::new());
        for cc in v.iter().rev() {
            set.insert(cc.clone());
        }
        let reversed: Vec<Cc<i64>> = v.iter().rev().cloned().collect();
        assert_same(&gc::referents(&Cc::new(set)), &any(&reversed));
    }

    #[test]
    fn cycles_through_them_are_collected() {
        type Map = RefCell<IndexMap<u32, AnyCc, RandomState>>;
        assert_cycle_collected(Map::default, |m, other| {
            m.borrow_mut().insert(0, other);
        });
        type Set = RefCell<IndexSet<AnyCc, RandomState>>;
        assert_cycle_collected(Set::default, |s, other| {
            s.borrow_mut().insert(other);
        });
    }
}

#[cfg(feature = "smallvec")]
mod smallvec_impls {
    use super::*;
    use smallvec::SmallVec;

    #[test]
    fn small_vec_is_a_leaf_iff_its_item_is() {
        assert!(is_leaf::<SmallVec<[u8; 16]>>());
        assert!(!is_leaf::<SmallVec<[Cc<i64>; 2]>>());
    }

    #[test]
    fn inline_and_spilled_items_are_visited() {
        let v = ints(3);
        let inline: SmallVec<[Cc<i64>; 4]> = v.iter().cloned().collect();
        assert!(!inline.spilled());
        assert_same(&gc::referents(&Cc::new(inline)), &any(&v));
        let spilled: SmallVec<[Cc<i64>; 2]> = v.iter().cloned().collect();
        assert!(spilled.spilled());
        assert_same(&gc::referents(&Cc::new(spilled)), &any(&v));
    }

    #[test]
    fn cycles_through_it_are_collected() {
        type Inline = RefCell<SmallVec<[AnyCc; 1]>>;
        assert_cycle_collected(Inline::default, |s, other| s.borrow_mut().push(other));
        assert_cycle_collected(Inline::default, |s, other| {
            // two handles to the same object: spilled, each visited once
            s.borrow_mut().push(other.clone());
            s.borrow_mut().push(other);
        });
    }
}

// Regression (issue 9, bug 4): `Trace for HashMap<K, V, S>` never traced
// `S`, so a hasher state owning a `Cc` hid it (and a map of leaves claimed
// to be a leaf). The hasher is now traced, and must be `Trace`.
#[test]
fn a_hash_maps_hasher_state_is_traced() {
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashMap;
    use std::hash::BuildHasher;

    #[derive(Trace)]
    struct Owner {
        map: RefCell<HashMap<u32, u32, Seeded>>,
    }
    /// A hasher state that (oddly) owns a handle.
    #[derive(Trace)]
    struct Seeded {
        owner: RefCell<Option<Cc<Owner>>>,
    }
    impl BuildHasher for Seeded {
        type Hasher = DefaultHasher;
        fn build_hasher(&self) -> DefaultHasher {
            DefaultHasher::new()
        }
    }
    assert!(!is_leaf::<HashMap<u32, u32, Seeded>>());
    assert!(is_leaf::<HashMap<u32, u32>>(), "std's hasher is a leaf");
    let owner = Cc::new(Owner {
        map: RefCell::new(HashMap::with_hasher(Seeded {
            owner: RefCell::new(None),
        })),
    });
    *owner.map.borrow().hasher().owner.borrow_mut() = Some(owner.clone());
    owner.map.borrow_mut().insert(1, 2);
    assert_eq!(gc::referents(&owner).len(), 1);
    let w = Cc::downgrade(&owner);
    drop(owner);
    assert_eq!(gc::collect(), 1);
    assert!(w.upgrade().is_none());
}
