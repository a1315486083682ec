//! A generation: a dense vector of its objects.
//!
//! CPython links objects into a doubly linked list through two words of
//! their header. A vector costs one word per object instead of two and is
//! walked sequentially; removal in O(1) uses the index each header keeps in
//! its `slot` (swap-remove, then fix the moved object's slot).

use super::flags;
use super::GcPtr;

/// The objects of one generation.
///
/// Invariant: for every `i`, `items[i].header().slot == i` and the
/// generation bits of `items[i]` name this list, except while a collection
/// has taken the objects out (they are then `COLLECTING` and in no list).
#[derive(Default)]
pub(crate) struct GenList {
    items: Vec<GcPtr>,
}

impl GenList {
    pub(crate) const fn new() -> GenList {
        GenList { items: Vec::new() }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The objects, oldest first (until a removal swaps one forward).
    #[inline]
    pub(crate) fn as_slice(&self) -> &[GcPtr] {
        &self.items
    }

    /// Whether the next push must grow the buffer.
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.items.len() == self.items.capacity()
    }

    /// Appends `p`, recording its index and generation in its header.
    #[inline]
    pub(crate) fn push(&mut self, p: GcPtr, gen: u32) {
        let index = self.items.len();
        let slot = u32::try_from(index).expect("cyclegc: more than 2^32 objects in one generation");
        let h = p.header();
        h.slot.set(slot);
        h.flags
            .set(flags::with_generation(h.flags.get(), gen) & !(flags::COLLECTING | flags::UNTRACEABLE));
        self.items.push(p);
    }

    /// Removes `p`, which must be in this list.
    #[inline]
    pub(crate) fn remove(&mut self, p: GcPtr) {
        let index = p.header().slot.get() as usize;
        if self.items.get(index) != Some(&p) {
            // Only a `Trace` impl that breaks its contract gets here; leaving
            // the list intact (and the object leaked) is the safe way out.
            debug_assert!(false, "cyclegc: object not in its generation list");
            return;
        }
        self.items.swap_remove(index);
        if let Some(moved) = self.items.get(index) {
            moved.header().slot.set(index as u32);
        }
        let h = p.header();
        h.flags
            .set(flags::with_generation(h.flags.get(), flags::UNTRACKED));
    }

    /// Takes all objects out, leaving the list empty (with `spare` as its
    /// buffer, so that a list emptied by every collection does not
    /// reallocate from scratch). Their headers are not touched.
    pub(crate) fn take(&mut self, spare: Vec<GcPtr>) -> Vec<GcPtr> {
        debug_assert!(spare.is_empty());
        std::mem::replace(&mut self.items, spare)
    }

    /// Moves every object to the end of `out`, keeping this list's buffer.
    /// Their headers are not touched.
    pub(crate) fn drain_into(&mut self, out: &mut Vec<GcPtr>) {
        out.extend_from_slice(&self.items);
        self.items.clear();
    }

    /// Moves every object of `other` to the end of this list, which is
    /// generation `gen`.
    pub(crate) fn append(&mut self, other: &mut GenList, gen: u32) {
        self.items.reserve(other.items.len());
        for p in other.items.drain(..) {
            self.push(p, gen);
        }
    }

    /// The number of objects the list can hold without growing.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }

    /// Whether the list holds no object.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Makes the empty list hold `items`, whose slots and generation bits
    /// the caller has set to match; returns the old (empty) buffer.
    pub(crate) fn install(&mut self, items: Vec<GcPtr>) -> Vec<GcPtr> {
        debug_assert!(self.items.is_empty());
        debug_assert!(items
            .iter()
            .enumerate()
            .all(|(i, p)| p.header().slot.get() as usize == i));
        std::mem::replace(&mut self.items, items)
    }

    /// Makes room for `additional` more objects.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional);
    }

    /// Drops the buffer if the list is empty (thread exit).
    pub(crate) fn release_buffer_if_empty(&mut self) {
        if self.items.is_empty() {
            self.items = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::CcBox;
    use crate::{Cc, Trace, Tracer};
    use std::cell::RefCell;

    struct Obj(RefCell<Option<Cc<Obj>>>);

    // SAFETY: visits its one handle.
    unsafe impl Trace for Obj {
        fn trace(&self, t: &mut Tracer<'_>) {
            self.0.trace(t);
        }
    }

    fn fresh() -> GcPtr {
        // SAFETY: a fresh tracked block; the test frees it through its handle.
        let p = unsafe { GcPtr::new(CcBox::<Obj>::alloc(Obj(RefCell::new(None))).cast()) };
        let id = crate::raw::types::id_of(CcBox::<Obj>::VTABLE);
        p.set_flags(flags::with_type_id(p.flags(), id));
        p
    }

    fn check_slots(list: &GenList) {
        for (i, p) in list.as_slice().iter().enumerate() {
            assert_eq!(p.header().slot.get() as usize, i);
            assert_eq!(flags::generation(p.flags()), 1);
        }
    }

    #[test]
    fn removal_keeps_every_slot_equal_to_its_index() {
        let objs: Vec<GcPtr> = (0..5).map(|_| fresh()).collect();
        let mut list = GenList::new();
        for &p in &objs {
            list.push(p, 1);
        }
        check_slots(&list);
        list.remove(objs[1]);
        check_slots(&list);
        list.remove(objs[4]);
        check_slots(&list);
        assert_eq!(list.len(), 3);
        assert_eq!(flags::generation(objs[1].flags()), flags::UNTRACKED);
        assert_eq!(list.as_slice(), [objs[0], objs[3], objs[2]]);
        let mut out = Vec::new();
        list.drain_into(&mut out);
        assert_eq!(out, [objs[0], objs[3], objs[2]]);
        assert_eq!(list.len(), 0);
        for p in objs {
            let h = p.header();
            h.flags
                .set(flags::with_generation(h.flags.get(), flags::UNTRACKED));
            // SAFETY: each block came from `fresh` and is owned by no list now.
            drop(unsafe { Cc::<Obj>::from_counted(p.as_counts().cast()) });
        }
    }
}
