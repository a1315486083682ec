//! [`WeakSet`]: a set that holds its objects weakly, and its iterator,
//! which a signature names as `weak_set::Iter`.
//!
//! ```
//! use cyclegc::weakref::{weak_set, WeakSet};
//! use cyclegc::Cc;
//!
//! /// The observers still listening.
//! fn observers(set: &WeakSet<String>) -> weak_set::Iter<'_, String> {
//!     set.iter()
//! }
//!
//! let log = Cc::new(String::from("log"));
//! let set: WeakSet<String> = [log.clone(), Cc::new(String::from("ui"))].into_iter().collect();
//! let names: Vec<String> = observers(&set).map(|o| o.to_string()).collect();
//! assert_eq!(names, ["log"]); // "ui" died as soon as the array was consumed
//! ```

use std::fmt;
use std::iter::FusedIterator;

use super::key_dict::{self, WeakKeyDictionary};
use crate::cc::Cc;
use crate::gc::AsObject;
use crate::trace::{Trace, Tracer};

/// A set of objects, held weakly and compared by identity: Python's
/// `weakref.WeakSet`. An object leaves the set when it dies, by reference
/// counting or in a collected cycle.
///
/// ```
/// use cyclegc::{weakref::WeakSet, Cc};
///
/// let mut listeners = WeakSet::new();
/// let a = Cc::new(String::from("a"));
/// let b = Cc::new(String::from("b"));
/// listeners.insert(&a);
/// listeners.insert(&b);
/// drop(b);
/// let names: Vec<String> = listeners.iter().map(|s| (*s).clone()).collect();
/// assert_eq!(names, ["a"]);
/// ```
///
/// It is a [`WeakKeyDictionary`] without values, and behaves as one: dead
/// objects are not counted by [`len`](Self::len) nor yielded by
/// [`iter`](Self::iter) from the moment they die, and their entries are
/// dropped by the next `&mut self` call.
#[doc(alias = "weakref.WeakSet")]
pub struct WeakSet<T: ?Sized + 'static> {
    map: WeakKeyDictionary<T, ()>,
}

impl<T: ?Sized + 'static> WeakSet<T> {
    /// An empty set.
    ///
    /// ```
    /// use cyclegc::weakref::WeakSet;
    /// let set: WeakSet<String> = WeakSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> WeakSet<T> {
        WeakSet {
            map: WeakKeyDictionary::new(),
        }
    }

    /// Adds `value`; returns whether it was not in the set yet: Python's
    /// `s.add(value)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let mut set = WeakSet::new();
    /// assert!(set.insert(&a));
    /// assert!(!set.insert(&a));
    /// assert!(set.insert(&Cc::new(1))); // another object
    /// ```
    #[doc(alias = "add")]
    pub fn insert(&mut self, value: &Cc<T>) -> bool {
        self.map.insert(value, ()).is_none()
    }

    /// Whether `value` is in the set: Python's `value in s`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let mut set = WeakSet::new();
    /// set.insert(&a);
    /// assert!(set.contains(&a));
    /// assert!(!set.contains(&Cc::new(1)));
    /// ```
    #[doc(alias = "__contains__")]
    pub fn contains(&self, value: &impl AsObject) -> bool {
        self.map.contains_key(value)
    }

    /// Removes `value`; returns whether it was in the set: Python's
    /// `s.discard(value)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let mut set = WeakSet::new();
    /// set.insert(&a);
    /// assert!(set.remove(&a));
    /// assert!(!set.remove(&a));
    /// ```
    #[doc(alias = "discard")]
    pub fn remove(&mut self, value: &impl AsObject) -> bool {
        self.map.remove(value).is_some()
    }

    /// The number of live objects in the set: Python's `len(s)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let mut set = WeakSet::new();
    /// set.insert(&a);
    /// set.insert(&Cc::new(2)); // dies at once
    /// assert_eq!(set.len(), 1);
    /// ```
    #[doc(alias = "__len__")]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no object of the set is alive.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let mut set = WeakSet::new();
    /// let a = Cc::new(1);
    /// set.insert(&a);
    /// assert!(!set.is_empty());
    /// drop(a);
    /// assert!(set.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The number of entries stored, dead ones included (for tests of the
    /// purging policy).
    #[doc(hidden)]
    pub fn stored_len(&self) -> usize {
        self.map.stored_len()
    }

    /// The live objects, in arbitrary order: Python's `iter(s)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let set: WeakSet<i32> = [a.clone()].into_iter().collect();
    /// assert!(set.iter().all(|x| Cc::ptr_eq(&x, &a)));
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.map.keys(),
        }
    }

    /// Removes every object.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakSet, Cc};
    /// let a = Cc::new(1);
    /// let mut set = WeakSet::new();
    /// set.insert(&a);
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

impl<T: ?Sized + 'static> Default for WeakSet<T> {
    /// [`WeakSet::new`].
    fn default() -> WeakSet<T> {
        WeakSet::new()
    }
}

impl<T: ?Sized + 'static> Clone for WeakSet<T> {
    /// A new set with the live objects: Python's `s.copy()`.
    fn clone(&self) -> WeakSet<T> {
        WeakSet {
            map: self.map.clone(),
        }
    }
}

impl<T: ?Sized + 'static + fmt::Debug> fmt::Debug for WeakSet<T> {
    /// The live objects, as a set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: ?Sized + 'static> Extend<Cc<T>> for WeakSet<T> {
    /// Adds every object: Python's `s.update(objects)`. The set holds them
    /// weakly: those that only the iterator held die as they are dropped.
    fn extend<I: IntoIterator<Item = Cc<T>>>(&mut self, objects: I) {
        self.map.extend(objects.into_iter().map(|obj| (obj, ())));
    }
}

impl<'a, T: ?Sized + 'static> Extend<&'a Cc<T>> for WeakSet<T> {
    /// Adds every object: Python's `s.update(objects)`.
    fn extend<I: IntoIterator<Item = &'a Cc<T>>>(&mut self, objects: I) {
        self.map.extend(objects.into_iter().map(|obj| (obj, ())));
    }
}

/// Collects objects into a set: Python's `WeakSet(objects)`.
///
/// The set holds them weakly, so collecting objects that only the iterator
/// owns gives an empty set: keep them elsewhere.
///
/// ```
/// use cyclegc::{weakref::WeakSet, Cc};
/// let objs = vec![Cc::new(1), Cc::new(2)];
/// let set: WeakSet<i32> = objs.iter().cloned().collect();
/// assert_eq!(set.len(), 2);
///
/// let set: WeakSet<i32> = (0..2).map(Cc::new).collect();
/// assert_eq!(set.len(), 0);
/// ```
impl<T: ?Sized + 'static> FromIterator<Cc<T>> for WeakSet<T> {
    fn from_iter<I: IntoIterator<Item = Cc<T>>>(objects: I) -> WeakSet<T> {
        let mut set = WeakSet::new();
        set.extend(objects);
        set
    }
}

impl<'a, T: ?Sized + 'static> IntoIterator for &'a WeakSet<T> {
    type Item = Cc<T>;
    type IntoIter = Iter<'a, T>;

    /// [`WeakSet::iter`].
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

// SAFETY: the set owns no `Cc`, only weak references, which the map
// reports when the tracer asks for leaves.
unsafe impl<T: ?Sized + 'static> Trace for WeakSet<T> {
    const IS_LEAF: bool = true;

    fn trace(&self, tracer: &mut Tracer<'_>) {
        self.map.trace(tracer);
    }
}

/// The live objects of a [`WeakSet`], as new strong handles; made by
/// [`WeakSet::iter`] and by a `for` loop over `&set`. Objects that die
/// while it runs are skipped.
///
/// ```
/// use cyclegc::weakref::{weak_set, WeakSet};
/// use cyclegc::Cc;
///
/// let objs: Vec<Cc<u32>> = (0..3).map(Cc::new).collect();
/// let set: WeakSet<u32> = objs.iter().cloned().collect();
/// let mut it: weak_set::Iter<'_, u32> = set.iter();
/// let first = it.next().unwrap();
/// drop(objs); // the two others die mid-iteration...
/// assert!(it.next().is_none()); // ...and are not yielded
/// for obj in &set {
///     assert!(Cc::ptr_eq(&obj, &first));
/// }
/// ```
pub struct Iter<'a, T: ?Sized + 'static> {
    inner: key_dict::Keys<'a, T, ()>,
}

impl<T: ?Sized + 'static> Iterator for Iter<'_, T> {
    type Item = Cc<T>;

    fn next(&mut self) -> Option<Cc<T>> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T: ?Sized + 'static> FusedIterator for Iter<'_, T> {}
