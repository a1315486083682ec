//! [`WeakValueDictionary`]: a map that holds its values weakly, and its
//! iterators, which a signature names as `value_dict::Iter` and so on.
//!
//! ```
//! use cyclegc::weakref::{value_dict, WeakValueDictionary};
//! use cyclegc::Cc;
//!
//! /// The sessions still open, by user name.
//! fn open_sessions(by_user: &WeakValueDictionary<String, u64>) -> value_dict::Keys<'_, String, u64> {
//!     by_user.keys()
//! }
//!
//! let session = Cc::new(7_u64);
//! let mut by_user = WeakValueDictionary::new();
//! by_user.insert("ada".to_string(), &session);
//! by_user.insert("bob".to_string(), &Cc::new(8)); // closed at once
//! assert_eq!(open_sessions(&by_user).collect::<Vec<_>>(), ["ada"]);
//! # drop(session);
//! ```

use std::borrow::Borrow;
use std::collections::hash_map::{self, HashMap};
use std::fmt;
use std::hash::Hash;
use std::iter::FusedIterator;

use super::pending::{is_live, PendingRemovals};
use crate::cc::Cc;
use crate::trace::{Trace, Tracer};
use crate::weak::Weak;

/// A map from keys to objects that does not keep the objects alive:
/// Python's `weakref.WeakValueDictionary`. An entry vanishes when its value
/// dies, by reference counting or in a collected cycle.
///
/// ```
/// use cyclegc::{gc, weakref::WeakValueDictionary, Cc};
///
/// let mut cache = WeakValueDictionary::new();
/// let page = Cc::new(String::from("<html>..."));
/// cache.insert("/index", &page);
/// assert_eq!(cache.get("/index").as_deref().map(String::as_str), Some("<html>..."));
///
/// drop(page); // the last strong handle: the entry goes with it
/// assert_eq!(cache.get("/index"), None);
/// assert_eq!(cache.len(), 0);
/// ```
///
/// The methods are those of `HashMap` where they make sense, except that
/// values go in as `&Cc<V>` and come out as new strong handles (`Cc<V>`),
/// since the map owns no value.
///
/// # When entries vanish
///
/// An entry is dead from the moment its value is: [`get`](Self::get),
/// [`contains_key`](Self::contains_key), [`len`](Self::len) and the
/// iterators ignore it at once. Its storage (the key, and the value's
/// memory block, which the weak reference keeps allocated) is released by
/// a later `&mut self` call, as soon as dead entries make up more than half
/// of the stored ones, so a map used as a cache stays proportional to its
/// live entries whatever the number of insertions.
///
/// `len` learns of a death from the callback of the entry's weak
/// reference. A collection clears the weak references to all its garbage
/// before it calls their callbacks back, so code running in between (other
/// callbacks) may see an entry counted by `len` that no longer yields its
/// value, as in CPython.
///
/// # Iterating
///
/// The iterators borrow the map and yield the entries whose value is alive
/// when they are reached: values that die during the iteration, by
/// reference counting or in a collection (whose callbacks run meanwhile),
/// are skipped, never yielded dead. The borrow rules forbid changing the
/// map during the iteration, where Python needs `_IterationGuard`:
///
/// ```compile_fail,E0502
/// use cyclegc::{weakref::WeakValueDictionary, Cc};
/// let one = Cc::new(1);
/// let mut map = WeakValueDictionary::new();
/// map.insert(1, &one);
/// for (key, _) in &map {
///     map.remove(key); // error: `map` is borrowed by the loop
/// }
/// ```
#[doc(alias = "weakref.WeakValueDictionary")]
pub struct WeakValueDictionary<K, V: ?Sized + 'static> {
    map: HashMap<K, Weak<V>>,
    pending: PendingRemovals,
}

impl<K, V: ?Sized + 'static> WeakValueDictionary<K, V> {
    /// An empty map.
    ///
    /// ```
    /// use cyclegc::weakref::WeakValueDictionary;
    /// let map: WeakValueDictionary<u32, String> = WeakValueDictionary::new();
    /// assert!(map.is_empty());
    /// ```
    pub fn new() -> WeakValueDictionary<K, V> {
        WeakValueDictionary {
            map: HashMap::new(),
            pending: PendingRemovals::counting(),
        }
    }

    /// The number of live entries: Python's `len(d)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let (a, b) = (Cc::new('a'), Cc::new('b'));
    /// let mut map = WeakValueDictionary::new();
    /// map.insert(1, &a);
    /// map.insert(2, &b);
    /// drop(a);
    /// assert_eq!(map.len(), 1);
    /// ```
    #[doc(alias = "__len__")]
    pub fn len(&self) -> usize {
        self.pending.live(self.map.len())
    }

    /// Whether no entry is alive.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let mut map = WeakValueDictionary::new();
    /// let v = Cc::new(1);
    /// map.insert("k", &v);
    /// assert!(!map.is_empty());
    /// drop(v);
    /// assert!(map.is_empty()); // its only entry died
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of entries stored, dead ones included (for tests of the
    /// purging policy).
    #[doc(hidden)]
    pub fn stored_len(&self) -> usize {
        self.map.len()
    }

    /// The live entries, as `(&K, Cc<V>)`, in arbitrary order: Python's
    /// `d.items()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let one = Cc::new(1);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert("one", &one);
    /// map.insert("two", &Cc::new(2)); // dies at once
    /// let items: Vec<(&str, i32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
    /// assert_eq!(items, [("one", 1)]);
    /// ```
    #[doc(alias = "items")]
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.map.iter(),
        }
    }

    /// The keys of the live entries: Python's `d.keys()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let one = Cc::new(1);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert("one", &one);
    /// assert_eq!(map.keys().collect::<Vec<_>>(), [&"one"]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys { inner: self.iter() }
    }

    /// The live values: Python's `d.values()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let one = Cc::new(1);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert("one", &one);
    /// assert!(map.values().all(|v| Cc::ptr_eq(&v, &one)));
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values { inner: self.iter() }
    }

    /// Removes every entry.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let one = Cc::new(1);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert("one", &one);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        // A fresh count: the callbacks of the dropped entries can only
        // report to the old one, whatever the keys' drops do meanwhile.
        drop(std::mem::take(self));
    }
}

impl<K: Eq + Hash, V: ?Sized + 'static> WeakValueDictionary<K, V> {
    /// Drops the dead entries if they are more than half of those stored.
    fn purge(&mut self) {
        if !self.pending.worth_sweeping(self.map.len()) {
            return;
        }
        let pending = &self.pending;
        self.map.retain(|_, weak| {
            let live = is_live(weak);
            if !live {
                pending.forget(weak);
            }
            live
        });
    }

    /// Maps `key` to `value`, held weakly, and returns the value it
    /// replaces if that was alive: Python's `d[key] = value`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let (a, b) = (Cc::new("a"), Cc::new("b"));
    /// let mut map = WeakValueDictionary::new();
    /// assert_eq!(map.insert(1, &a), None);
    /// assert!(Cc::ptr_eq(&map.insert(1, &b).unwrap(), &a));
    /// ```
    #[doc(alias = "__setitem__")]
    pub fn insert(&mut self, key: K, value: &Cc<V>) -> Option<Cc<V>> {
        self.purge();
        let weak = self.pending.watch(value);
        let old = if is_live(&weak) {
            self.map.insert(key, weak)
        } else {
            // Only a handle kept by a finalizer or `Drop` of collected
            // garbage can be dead: the entry vanishes at once.
            self.map.remove(&key)
        }?;
        self.pending.forget(&old);
        old.upgrade()
    }

    /// The value for `key`, if it is alive: Python's `d.get(key)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let a = Cc::new(String::from("a"));
    /// let mut map = WeakValueDictionary::new();
    /// map.insert(String::from("key"), &a);
    /// assert!(map.get("key").is_some()); // `String` keys, `&str` lookups
    /// assert!(map.get("other").is_none());
    /// ```
    #[doc(alias = "__getitem__")]
    pub fn get<Q>(&self, key: &Q) -> Option<Cc<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)?.upgrade()
    }

    /// Whether `key` has a live value: Python's `key in d`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let a = Cc::new(0);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert('a', &a);
    /// assert!(map.contains_key(&'a'));
    /// drop(a);
    /// assert!(!map.contains_key(&'a'));
    /// ```
    #[doc(alias = "__contains__")]
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key).is_some_and(is_live)
    }

    /// Removes the entry for `key`; returns its value if it was alive:
    /// Python's `d.pop(key, None)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let a = Cc::new(0);
    /// let mut map = WeakValueDictionary::new();
    /// map.insert('a', &a);
    /// assert!(map.remove(&'a').is_some());
    /// assert!(map.remove(&'a').is_none());
    /// ```
    #[doc(alias = "pop")]
    #[doc(alias = "__delitem__")]
    pub fn remove<Q>(&mut self, key: &Q) -> Option<Cc<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.purge();
        let old = self.map.remove(key)?;
        self.pending.forget(&old);
        old.upgrade()
    }

    /// The live value for `key`, or else the one `default` makes, inserted:
    /// Python's `d.setdefault(key, default)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakValueDictionary, Cc};
    /// let mut map = WeakValueDictionary::new();
    /// let first = map.get_or_insert_with("k", || Cc::new(1));
    /// let again = map.get_or_insert_with("k", || Cc::new(2));
    /// assert!(Cc::ptr_eq(&first, &again)); // kept alive by `first`
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(&mut self, key: K, default: impl FnOnce() -> Cc<V>) -> Cc<V> {
        self.purge();
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = default();
        self.insert(key, &value);
        value
    }
}

impl<K, V: ?Sized + 'static> Default for WeakValueDictionary<K, V> {
    /// [`WeakValueDictionary::new`].
    fn default() -> WeakValueDictionary<K, V> {
        WeakValueDictionary::new()
    }
}

impl<K: Clone + Eq + Hash, V: ?Sized + 'static> Clone for WeakValueDictionary<K, V> {
    /// A new map with the live entries: Python's `d.copy()`.
    fn clone(&self) -> WeakValueDictionary<K, V> {
        self.iter().map(|(key, value)| (key.clone(), value)).collect()
    }
}

impl<K: fmt::Debug, V: ?Sized + 'static + fmt::Debug> fmt::Debug for WeakValueDictionary<K, V> {
    /// The live entries, as a map.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Eq + Hash, V: ?Sized + 'static> Extend<(K, Cc<V>)> for WeakValueDictionary<K, V> {
    /// Inserts every pair. The map holds the values weakly: those that
    /// only the pairs held die as they are dropped, entries and all.
    fn extend<I: IntoIterator<Item = (K, Cc<V>)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, &value);
        }
    }
}

impl<'a, K: Eq + Hash, V: ?Sized + 'static> Extend<(K, &'a Cc<V>)> for WeakValueDictionary<K, V> {
    /// Inserts every pair.
    fn extend<I: IntoIterator<Item = (K, &'a Cc<V>)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

/// Collects pairs into a map: Python's `WeakValueDictionary(pairs)`.
///
/// The map holds the values weakly, so collecting pairs that own the only
/// handles to their values gives an empty map: keep the values elsewhere.
///
/// ```
/// use cyclegc::{weakref::WeakValueDictionary, Cc};
/// let values = [Cc::new(1), Cc::new(2)];
/// let map: WeakValueDictionary<usize, i32> = values.iter().cloned().enumerate().collect();
/// assert_eq!(map.len(), 2); // `values` keeps them alive
///
/// let map: WeakValueDictionary<usize, i32> = (0..2).map(|i| (i, Cc::new(0))).collect();
/// assert_eq!(map.len(), 0); // nothing did
/// ```
impl<K: Eq + Hash, V: ?Sized + 'static> FromIterator<(K, Cc<V>)> for WeakValueDictionary<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, Cc<V>)>>(pairs: I) -> WeakValueDictionary<K, V> {
        let mut map = WeakValueDictionary::new();
        map.extend(pairs);
        map
    }
}

impl<'a, K, V: ?Sized + 'static> IntoIterator for &'a WeakValueDictionary<K, V> {
    type Item = (&'a K, Cc<V>);
    type IntoIter = Iter<'a, K, V>;

    /// [`WeakValueDictionary::iter`].
    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

// SAFETY: the map owns its keys, visited once each through their own impl;
// the values are weak references, which own no `Cc` and are reported only
// when the tracer asks for leaves (so that garbage owning the map makes
// their callbacks trash, as CPython's `handle_weakrefs` does).
unsafe impl<K: Trace, V: ?Sized + 'static> Trace for WeakValueDictionary<K, V> {
    const IS_LEAF: bool = K::IS_LEAF;

    fn trace(&self, tracer: &mut Tracer<'_>) {
        let leaves = tracer.wants_leaves();
        if !K::IS_LEAF || leaves {
            for (key, weak) in &self.map {
                key.trace(tracer);
                if leaves {
                    weak.trace(tracer);
                }
            }
        }
    }
}

/// The live entries of a [`WeakValueDictionary`], as `(&K, Cc<V>)`; made by
/// [`WeakValueDictionary::iter`] and by a `for` loop over `&map`.
///
/// ```
/// use cyclegc::weakref::{value_dict, WeakValueDictionary};
/// use cyclegc::Cc;
///
/// let (a, b) = (Cc::new(1), Cc::new(2));
/// let map: WeakValueDictionary<&str, i32> = [("a", a.clone()), ("b", b)].into_iter().collect();
/// let mut live: value_dict::Iter<'_, &str, i32> = map.iter(); // `b` died already
/// let (key, value) = live.next().unwrap();
/// assert_eq!((*key, *value), ("a", 1));
/// assert!(live.next().is_none());
/// for (key, value) in &map {
///     assert!(Cc::ptr_eq(&value, &a) && *key == "a");
/// }
/// ```
pub struct Iter<'a, K, V: ?Sized + 'static> {
    inner: hash_map::Iter<'a, K, Weak<V>>,
}

impl<'a, K, V: ?Sized + 'static> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, Cc<V>);

    fn next(&mut self) -> Option<(&'a K, Cc<V>)> {
        self.inner.find_map(|(key, weak)| Some((key, weak.upgrade()?)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K, V: ?Sized + 'static> FusedIterator for Iter<'_, K, V> {}

/// The keys of the live entries of a [`WeakValueDictionary`]; made by
/// [`WeakValueDictionary::keys`].
///
/// ```
/// use cyclegc::weakref::{value_dict, WeakValueDictionary};
/// use cyclegc::Cc;
///
/// let one = Cc::new(1);
/// let mut map = WeakValueDictionary::new();
/// map.insert(1, &one);
/// map.insert(2, &Cc::new(2)); // dies at once
/// let keys: value_dict::Keys<'_, i32, i32> = map.keys();
/// assert_eq!(keys.copied().collect::<Vec<i32>>(), [1]);
/// ```
pub struct Keys<'a, K, V: ?Sized + 'static> {
    inner: Iter<'a, K, V>,
}

impl<'a, K, V: ?Sized + 'static> Iterator for Keys<'a, K, V> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        self.inner.next().map(|(key, _)| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V: ?Sized + 'static> FusedIterator for Keys<'_, K, V> {}

/// The live values of a [`WeakValueDictionary`], as new strong handles;
/// made by [`WeakValueDictionary::values`].
///
/// ```
/// use cyclegc::weakref::{value_dict, WeakValueDictionary};
/// use cyclegc::Cc;
///
/// let one = Cc::new(1);
/// let mut map = WeakValueDictionary::new();
/// map.insert("one", &one);
/// let values: value_dict::Values<'_, &str, i32> = map.values();
/// let held: Vec<Cc<i32>> = values.collect();
/// assert_eq!(Cc::strong_count(&one), 2); // `one`, and the handle in `held`
/// drop(one);
/// assert_eq!(map.len(), 1); // `held` keeps it alive
/// drop(held);
/// assert_eq!(map.len(), 0);
/// ```
pub struct Values<'a, K, V: ?Sized + 'static> {
    inner: Iter<'a, K, V>,
}

impl<K, V: ?Sized + 'static> Iterator for Values<'_, K, V> {
    type Item = Cc<V>;

    fn next(&mut self) -> Option<Cc<V>> {
        self.inner.next().map(|(_, value)| value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K, V: ?Sized + 'static> FusedIterator for Values<'_, K, V> {}
