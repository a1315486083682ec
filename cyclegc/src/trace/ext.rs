//! `Trace` for the containers of other crates, each behind the cargo
//! feature of the same name: `hashbrown`, `indexmap`, `smallvec`.
//!
//! They follow the impls of their std counterparts: every element, key and
//! value is visited once, and a container is a leaf exactly when its
//! elements are. As for std's maps, the hasher `S` is not traced: a hasher
//! that owned a `Cc` would only keep what it reaches alive.

#![cfg(any(feature = "hashbrown", feature = "indexmap", feature = "smallvec"))]

#[cfg(any(feature = "hashbrown", feature = "indexmap"))]
use super::impls::hashed;
use super::{Trace, Tracer};

#[cfg(feature = "hashbrown")]
hashed!(map hashbrown::HashMap);
#[cfg(feature = "hashbrown")]
hashed!(set hashbrown::HashSet);

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

#[cfg(feature = "indexmap")]
hashed!(map indexmap::IndexMap);
#[cfg(feature = "indexmap")]
hashed!(set indexmap::IndexSet);

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
