//! `Trace` for the containers of other crates, each behind the cargo
//! feature of the same name: `hashbrown`, `indexmap`, `smallvec`.
//!
//! They follow the impls of their std counterparts: every element, key and
//! value is visited once, and a container is a leaf exactly when its
//! elements are. As for std's maps, the hasher `S` is not traced: a hasher
//! that owned a `Cc` would only keep what it reaches alive.

#![cfg(any(feature = "hashbrown", feature = "indexmap", feature = "smallvec"))]

use super::{Trace, Tracer};

// SAFETY: visits every key and every value once.
#[cfg(feature = "hashbrown")]
unsafe impl<K: Trace, V: Trace, S: 'static> Trace for hashbrown::HashMap<K, V, S> {
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

// SAFETY: visits each element once.
#[cfg(feature = "hashbrown")]
unsafe impl<T: Trace, S: 'static> Trace for hashbrown::HashSet<T, S> {
    const IS_LEAF: bool = T::IS_LEAF;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !T::IS_LEAF || tracer.wants_leaves() {
            for item in self {
                item.trace(tracer);
            }
        }
    }
}

// SAFETY: visits each element once.
#[cfg(feature = "hashbrown")]
unsafe impl<T: Trace> Trace for hashbrown::HashTable<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !T::IS_LEAF || tracer.wants_leaves() {
            for item in self {
                item.trace(tracer);
            }
        }
    }
}

// SAFETY: hashbrown's default hasher holds nothing but its random seeds.
#[cfg(feature = "hashbrown")]
unsafe impl Trace for hashbrown::DefaultHashBuilder {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&self, _: &mut Tracer<'_>) {}
}

// SAFETY: visits every key and every value once.
#[cfg(feature = "indexmap")]
unsafe impl<K: Trace, V: Trace, S: 'static> Trace for indexmap::IndexMap<K, V, S> {
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

// SAFETY: visits each element once.
#[cfg(feature = "indexmap")]
unsafe impl<T: Trace, S: 'static> Trace for indexmap::IndexSet<T, S> {
    const IS_LEAF: bool = T::IS_LEAF;
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !T::IS_LEAF || tracer.wants_leaves() {
            for item in self {
                item.trace(tracer);
            }
        }
    }
}

// SAFETY: visits each element once, inline or spilled.
#[cfg(feature = "smallvec")]
unsafe impl<A> Trace for smallvec::SmallVec<A>
where
    A: smallvec::Array + 'static,
    A::Item: Trace,
{
    const IS_LEAF: bool = <A::Item as Trace>::IS_LEAF;
    #[inline]
    fn trace(&self, tracer: &mut Tracer<'_>) {
        if !Self::IS_LEAF || tracer.wants_leaves() {
            for item in self {
                item.trace(tracer);
            }
        }
    }
}
