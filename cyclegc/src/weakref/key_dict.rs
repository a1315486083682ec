//! [`WeakKeyDictionary`]: a map that holds its keys weakly, and its
//! iterators, which a signature names as `key_dict::Iter` and so on.
//!
//! ```
//! use cyclegc::weakref::{key_dict, WeakKeyDictionary};
//! use cyclegc::Cc;
//!
//! struct Widget;
//! # unsafe impl cyclegc::Trace for Widget {
//! #     const IS_LEAF: bool = true;
//! #     fn trace(&self, _: &mut cyclegc::Tracer<'_>) {}
//! # }
//!
//! /// The tooltips of the widgets still alive.
//! fn tooltips(map: &WeakKeyDictionary<Widget, String>) -> key_dict::Values<'_, Widget, String> {
//!     map.values()
//! }
//!
//! let ok = Cc::new(Widget);
//! let mut map = WeakKeyDictionary::new();
//! map.insert(&ok, "Apply the changes".to_string());
//! map.insert(&Cc::new(Widget), "gone at once".to_string());
//! assert_eq!(tooltips(&map).collect::<Vec<_>>(), ["Apply the changes"]);
//! # drop(ok);
//! ```

use std::collections::hash_map::{self, HashMap};
use std::fmt;
use std::iter::FusedIterator;
use std::mem;

use super::pending::{is_live, PendingRemovals};
use crate::cc::Cc;
use crate::gc::AsObject;
use crate::trace::{Trace, Tracer};
use crate::weak::Weak;

/// A map from objects, held weakly and compared by identity, to values:
/// Python's `weakref.WeakKeyDictionary`. An entry dies with its key, by
/// reference counting or in a collected cycle. Use it to attach data to
/// objects without keeping them alive or changing their type.
///
/// ```
/// use cyclegc::{weakref::WeakKeyDictionary, Cc};
///
/// let mut notes = WeakKeyDictionary::new();
/// let window = Cc::new(String::from("main window"));
/// notes.insert(&window, "opened at 9:00");
/// assert_eq!(notes.get(&window), Some(&"opened at 9:00"));
/// // identity, not equality:
/// assert_eq!(notes.get(&Cc::new(String::from("main window"))), None);
///
/// drop(window);
/// assert_eq!(notes.len(), 0);
/// ```
///
/// # When entries vanish
///
/// An entry is dead from the moment its key is: [`get`](Self::get),
/// [`len`](Self::len) and the iterators ignore it at once. Its value is
/// dropped by the next `&mut self` call at the latest (a value that owns a
/// resource keeps it until then), and so is the dead key's memory block,
/// which the weak reference keeps allocated: dead entries never pile up.
/// If dropping a value kills more keys, their values go in the same call.
///
/// `len` learns of a death from the callback of the entry's weak
/// reference; code running between a collection's clearing of the weak
/// references and its callbacks may see `len` count an entry that `get`
/// no longer finds, as in CPython.
///
/// A value that owns a strong handle to its own key keeps the key alive,
/// and so the entry, for as long as the map lives (in Python too).
///
/// # Iterating
///
/// The iterators borrow the map and yield the entries whose key is alive
/// when they are reached: keys that die during the iteration, by reference
/// counting or in a collection (whose callbacks run meanwhile), are
/// skipped, never yielded dead.
#[doc(alias = "weakref.WeakKeyDictionary")]
pub struct WeakKeyDictionary<K: ?Sized + 'static, V> {
    /// The entries by their key's address, which a live `Weak` keeps
    /// allocated, so no other object has it while the entry is stored.
    map: HashMap<usize, Entry<K, V>>,
    pending: PendingRemovals,
}

/// One entry of a [`WeakKeyDictionary`].
struct Entry<K: ?Sized + 'static, V> {
    key: Weak<K>,
    value: V,
}

impl<K: ?Sized + 'static, V> Entry<K, V> {
    /// Takes the entry out of the map: its weak reference goes first, so
    /// that no callback can run for it once the value's drop (user code)
    /// starts. Returns the value, if the key was alive.
    fn release(self, pending: &PendingRemovals) -> Option<V> {
        let Entry { key, value } = self;
        let live = is_live(&key);
        pending.forget(&key);
        drop(key);
        live.then_some(value)
    }
}

impl<K: ?Sized + 'static, V> WeakKeyDictionary<K, V> {
    /// An empty map.
    ///
    /// ```
    /// use cyclegc::weakref::WeakKeyDictionary;
    /// let map: WeakKeyDictionary<String, u32> = WeakKeyDictionary::new();
    /// assert!(map.is_empty());
    /// ```
    pub fn new() -> WeakKeyDictionary<K, V> {
        WeakKeyDictionary {
            map: HashMap::new(),
            pending: PendingRemovals::by_address(),
        }
    }

    /// The number of live entries: Python's `len(d)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let (a, b) = (Cc::new('a'), Cc::new('b'));
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&a, 1);
    /// map.insert(&b, 2);
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
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let mut map = WeakKeyDictionary::new();
    /// let k = Cc::new(1);
    /// map.insert(&k, "one");
    /// assert!(!map.is_empty());
    /// drop(k);
    /// assert!(map.is_empty()); // its only key died
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.len() == self.pending.dead()
    }

    /// Drops the entries whose key died since the last call, and those
    /// whose keys die as these values are dropped. One address at a time,
    /// so that a panicking `Drop` leaves the others logged.
    fn purge(&mut self) {
        while let Some(address) = self.pending.pop_address() {
            // A stale address is skipped: its entry went already, and the
            // address may now be another, live, object's.
            if self.map.get(&address).is_some_and(|e| !is_live(&e.key)) {
                let dead = self.map.remove(&address).expect("just found");
                drop(dead.release(&self.pending));
            }
        }
    }

    /// The live entry for `key`, if any.
    fn live_entry(&self, key: &impl AsObject) -> Option<&Entry<K, V>> {
        self.map.get(&object_id(key)).filter(|e| is_live(&e.key))
    }

    /// Stores a new entry for `key`, which has no live one. A dead entry of
    /// the same object is replaced (a handle kept by a finalizer of
    /// collected garbage, whose weak references are cleared).
    fn store(&mut self, key: &Cc<K>, value: V) -> &mut V {
        let entry = Entry {
            key: self.pending.watch(key),
            value,
        };
        let slot = match self.map.entry(Cc::id(key)) {
            hash_map::Entry::Occupied(mut slot) => {
                let old = mem::replace(slot.get_mut(), entry);
                drop(old.release(&self.pending));
                slot.into_mut()
            }
            hash_map::Entry::Vacant(slot) => slot.insert(entry),
        };
        &mut slot.value
    }

    /// Maps `key` to `value` and returns the value it replaces: Python's
    /// `d[key] = value`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// assert_eq!(map.insert(&k, "first"), None);
    /// assert_eq!(map.insert(&k, "second"), Some("first"));
    /// ```
    #[doc(alias = "__setitem__")]
    pub fn insert(&mut self, key: &Cc<K>, value: V) -> Option<V> {
        self.purge();
        match self.map.get_mut(&Cc::id(key)) {
            Some(entry) if is_live(&entry.key) => Some(mem::replace(&mut entry.value, value)),
            _ => {
                self.store(key, value);
                None
            }
        }
    }

    /// The value for `key`: Python's `d.get(key)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(1);
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, "one");
    /// assert_eq!(map.get(&k), Some(&"one"));
    /// assert_eq!(map.get(&Cc::new(1)), None);
    /// ```
    #[doc(alias = "__getitem__")]
    pub fn get(&self, key: &impl AsObject) -> Option<&V> {
        self.live_entry(key).map(|e| &e.value)
    }

    /// The value for `key`, to change it in place.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut visits = WeakKeyDictionary::new();
    /// visits.insert(&k, 0);
    /// *visits.get_mut(&k).unwrap() += 1;
    /// assert_eq!(visits.get(&k), Some(&1));
    /// ```
    pub fn get_mut(&mut self, key: &impl AsObject) -> Option<&mut V> {
        self.purge();
        self.map
            .get_mut(&object_id(key))
            .filter(|e| is_live(&e.key))
            .map(|e| &mut e.value)
    }

    /// Whether `key` has an entry: Python's `key in d`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, ());
    /// assert!(map.contains_key(&k));
    /// assert!(!map.contains_key(&Cc::new(())));
    /// ```
    #[doc(alias = "__contains__")]
    pub fn contains_key(&self, key: &impl AsObject) -> bool {
        self.live_entry(key).is_some()
    }

    /// Removes the entry for `key` and returns its value: Python's
    /// `d.pop(key, None)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, 7);
    /// assert_eq!(map.remove(&k), Some(7));
    /// assert_eq!(map.remove(&k), None);
    /// ```
    #[doc(alias = "pop")]
    #[doc(alias = "__delitem__")]
    pub fn remove(&mut self, key: &impl AsObject) -> Option<V> {
        self.purge();
        self.map.remove(&object_id(key))?.release(&self.pending)
    }

    /// The value for `key`, or else the one `default` makes, inserted:
    /// Python's `d.setdefault(key, default)`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.get_or_insert_with(&k, Vec::new).push(1);
    /// map.get_or_insert_with(&k, Vec::new).push(2);
    /// assert_eq!(map.get(&k), Some(&vec![1, 2]));
    /// ```
    #[doc(alias = "setdefault")]
    pub fn get_or_insert_with(&mut self, key: &Cc<K>, default: impl FnOnce() -> V) -> &mut V {
        self.purge();
        if self.live_entry(key).is_none() {
            return self.store(key, default());
        }
        let entry = self.map.get_mut(&Cc::id(key)).expect("a live entry");
        &mut entry.value
    }

    /// The live entries, as `(Cc<K>, &V)`, in arbitrary order: Python's
    /// `d.items()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new("k");
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, 1);
    /// map.insert(&Cc::new("gone"), 2);
    /// let items: Vec<(&str, i32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
    /// assert_eq!(items, [("k", 1)]);
    /// ```
    #[doc(alias = "items")]
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            inner: self.map.values(),
        }
    }

    /// The live keys: Python's `d.keys()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, 1);
    /// assert!(map.keys().all(|key| Cc::ptr_eq(&key, &k)));
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys { inner: self.iter() }
    }

    /// The values of the live entries: Python's `d.values()`.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, 1);
    /// assert_eq!(map.values().collect::<Vec<_>>(), [&1]);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values { inner: self.iter() }
    }

    /// Removes every entry.
    ///
    /// ```
    /// use cyclegc::{weakref::WeakKeyDictionary, Cc};
    /// let k = Cc::new(());
    /// let mut map = WeakKeyDictionary::new();
    /// map.insert(&k, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        // A fresh count: the callbacks of the dropped entries can only
        // report to the old one, whatever the values' drops do meanwhile.
        drop(mem::take(self));
    }

    /// The number of entries stored, dead ones included (for tests of the
    /// purging policy).
    #[doc(hidden)]
    pub fn stored_len(&self) -> usize {
        self.map.len()
    }
}

impl<K: ?Sized + 'static, V> Default for WeakKeyDictionary<K, V> {
    /// [`WeakKeyDictionary::new`].
    fn default() -> WeakKeyDictionary<K, V> {
        WeakKeyDictionary::new()
    }
}

impl<K: ?Sized + 'static, V: Clone> Clone for WeakKeyDictionary<K, V> {
    /// A new map with the live entries: Python's `d.copy()`.
    fn clone(&self) -> WeakKeyDictionary<K, V> {
        self.iter().map(|(key, value)| (key, value.clone())).collect()
    }
}

impl<K: ?Sized + 'static + fmt::Debug, V: fmt::Debug> fmt::Debug for WeakKeyDictionary<K, V> {
    /// The live entries, as a map.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: ?Sized + 'static, V> Extend<(Cc<K>, V)> for WeakKeyDictionary<K, V> {
    /// Inserts every pair. The map holds the keys weakly: those that only
    /// the pairs held die as they are dropped, entries and all.
    fn extend<I: IntoIterator<Item = (Cc<K>, V)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(&key, value);
        }
    }
}

impl<'a, K: ?Sized + 'static, V> Extend<(&'a Cc<K>, V)> for WeakKeyDictionary<K, V> {
    /// Inserts every pair.
    fn extend<I: IntoIterator<Item = (&'a Cc<K>, V)>>(&mut self, pairs: I) {
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

/// Collects pairs into a map: Python's `WeakKeyDictionary(pairs)`.
///
/// The map holds the keys weakly, so collecting pairs that own the only
/// handles to their keys gives an empty map: keep the keys elsewhere.
///
/// ```
/// use cyclegc::{weakref::WeakKeyDictionary, Cc};
/// let keys = [Cc::new('a'), Cc::new('b')];
/// let map: WeakKeyDictionary<char, usize> = keys.iter().cloned().zip(0..).collect();
/// assert_eq!(map.len(), 2); // `keys` keeps them alive
///
/// let map: WeakKeyDictionary<char, usize> = (0..2).map(|i| (Cc::new('x'), i)).collect();
/// assert_eq!(map.len(), 0); // nothing did
/// ```
impl<K: ?Sized + 'static, V> FromIterator<(Cc<K>, V)> for WeakKeyDictionary<K, V> {
    fn from_iter<I: IntoIterator<Item = (Cc<K>, V)>>(pairs: I) -> WeakKeyDictionary<K, V> {
        let mut map = WeakKeyDictionary::new();
        map.extend(pairs);
        map
    }
}

impl<'a, K: ?Sized + 'static, V> IntoIterator for &'a WeakKeyDictionary<K, V> {
    type Item = (Cc<K>, &'a V);
    type IntoIter = Iter<'a, K, V>;

    /// [`WeakKeyDictionary::iter`].
    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

// SAFETY: the map owns its values, visited once each through their own
// impl; the keys are weak references, which own no `Cc` and are reported
// only when the tracer asks for leaves (so that garbage owning the map
// makes their callbacks trash, as CPython's `handle_weakrefs` does).
unsafe impl<K: ?Sized + 'static, V: Trace> Trace for WeakKeyDictionary<K, V> {
    const IS_LEAF: bool = V::IS_LEAF;

    fn trace(&self, tracer: &mut Tracer<'_>) {
        let leaves = tracer.wants_leaves();
        if !V::IS_LEAF || leaves {
            for entry in self.map.values() {
                if leaves {
                    entry.key.trace(tracer);
                }
                entry.value.trace(tracer);
            }
        }
    }
}

/// The live entries of a [`WeakKeyDictionary`], as `(Cc<K>, &V)`; made by
/// [`WeakKeyDictionary::iter`] and by a `for` loop over `&map`.
///
/// ```
/// use cyclegc::weakref::{key_dict, WeakKeyDictionary};
/// use cyclegc::Cc;
///
/// let (a, b) = (Cc::new('a'), Cc::new('b'));
/// let map: WeakKeyDictionary<char, u32> = [(a.clone(), 1), (b, 2)].into_iter().collect();
/// let mut live: key_dict::Iter<'_, char, u32> = map.iter(); // `b` died already
/// let (key, value) = live.next().unwrap();
/// assert!(Cc::ptr_eq(&key, &a) && *value == 1);
/// assert!(live.next().is_none());
/// for (key, value) in &map {
///     assert_eq!((*key, *value), ('a', 1));
/// }
/// ```
pub struct Iter<'a, K: ?Sized + 'static, V> {
    inner: hash_map::Values<'a, usize, Entry<K, V>>,
}

impl<'a, K: ?Sized + 'static, V> Iterator for Iter<'a, K, V> {
    type Item = (Cc<K>, &'a V);

    fn next(&mut self) -> Option<(Cc<K>, &'a V)> {
        self.inner.find_map(|e| Some((e.key.upgrade()?, &e.value)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.inner.size_hint().1)
    }
}

impl<K: ?Sized + 'static, V> FusedIterator for Iter<'_, K, V> {}

/// The live keys of a [`WeakKeyDictionary`], as new strong handles; made
/// by [`WeakKeyDictionary::keys`].
///
/// ```
/// use cyclegc::weakref::{key_dict, WeakKeyDictionary};
/// use cyclegc::Cc;
///
/// let k = Cc::new(String::from("k"));
/// let mut map = WeakKeyDictionary::new();
/// map.insert(&k, 0);
/// let keys: key_dict::Keys<'_, String, i32> = map.keys();
/// let held: Vec<Cc<String>> = keys.collect();
/// drop(k);
/// assert_eq!(map.len(), 1); // `held` keeps the key alive
/// drop(held);
/// assert_eq!(map.len(), 0);
/// ```
pub struct Keys<'a, K: ?Sized + 'static, V> {
    inner: Iter<'a, K, V>,
}

impl<K: ?Sized + 'static, V> Iterator for Keys<'_, K, V> {
    type Item = Cc<K>;

    fn next(&mut self) -> Option<Cc<K>> {
        self.inner.next().map(|(key, _)| key)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: ?Sized + 'static, V> FusedIterator for Keys<'_, K, V> {}

/// The values of the live entries of a [`WeakKeyDictionary`]; made by
/// [`WeakKeyDictionary::values`].
///
/// ```
/// use cyclegc::weakref::{key_dict, WeakKeyDictionary};
/// use cyclegc::Cc;
///
/// let k = Cc::new(());
/// let mut map = WeakKeyDictionary::new();
/// map.insert(&k, 10);
/// map.insert(&Cc::new(()), 20); // its key dies at once
/// let values: key_dict::Values<'_, (), i32> = map.values();
/// assert_eq!(values.sum::<i32>(), 10);
/// ```
pub struct Values<'a, K: ?Sized + 'static, V> {
    inner: Iter<'a, K, V>,
}

impl<'a, K: ?Sized + 'static, V> Iterator for Values<'a, K, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        self.inner.next().map(|(_, value)| value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<K: ?Sized + 'static, V> FusedIterator for Values<'_, K, V> {}

/// The id of the object behind a handle: entries are keyed by it.
fn object_id(obj: &impl AsObject) -> usize {
    crate::object::block_of(obj).as_ptr() as usize
}
