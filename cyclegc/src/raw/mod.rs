//! The raw layer: object layout and generation lists.
//!
//! Everything that touches raw pointers lives here, behind a small API
//! ([`GcPtr`], [`CcBox`], [`GenList`]); the handles, the collector's phases
//! and the `gc` module build on it without `unsafe` of their own, except
//! where they hand a pointer back to this layer.

mod genlist;
mod layout;
pub(crate) mod types;

pub(crate) use genlist::GenList;
pub(crate) use layout::{
    drop_weak, release_erased, vtable_of, CcBlock, CcBox, Counts, DropImplicitWeak, GcPtr, SliceBox, VTable,
};

/// Bits of [`GcHeader::flags`].
///
/// The low three bits hold the generation, the next five independent
/// flags, then the type id (16 bits).
pub(crate) mod flags {
    /// Mask of the generation number: 0, 1, 2, [`PERMANENT`] or [`UNTRACKED`].
    pub(crate) const GEN_MASK: u32 = 0b111;
    /// The generation `gc::freeze` moves objects into; no collection examines it.
    pub(crate) const PERMANENT: u32 = 3;
    /// In no generation list: not yet tracked, freed by refcount, or found
    /// unreachable by a collection.
    pub(crate) const UNTRACKED: u32 = 4;
    /// Part of the generations being collected; `slot` holds `gc_refs`.
    pub(crate) const COLLECTING: u32 = 1 << 3;
    /// Its `trace` could not run (a `RefCell` was mutably borrowed): treat
    /// it as referenced from outside for this collection.
    pub(crate) const UNTRACEABLE: u32 = 1 << 4;
    /// A `Cc::get_mut`/`make_mut` guard lends the value out mutably: the
    /// collector must not read it, and treats it as referenced from outside.
    pub(crate) const BORROWED_MUT: u32 = 1 << 6;
    /// Its finalizer has run (`gc::is_finalized`).
    pub(crate) const FINALIZED: u32 = 1 << 7;
    /// Its weak references were cleared while it stayed alive (under
    /// `SAVEALL`, or before a finalizer resurrected it): its weak epoch,
    /// otherwise 0, is in the collector's side table (see
    /// `collector::weak_epoch`).
    pub(crate) const HAS_EPOCH: u32 = 1 << 5;
    /// Bits 8 to 23: the id of the object's type (see `types`). Bits 24
    /// to 31 are free.
    const TYPE_SHIFT: u32 = 8;
    const TYPE_MASK: u32 = (1 << 16) - 1;

    /// The type id stored in `flags`.
    #[inline]
    pub(crate) fn type_id(flags: u32) -> u32 {
        (flags >> TYPE_SHIFT) & TYPE_MASK
    }

    /// `flags` with its type id set to `id` (below 2^16).
    #[inline]
    pub(crate) fn with_type_id(flags: u32, id: u32) -> u32 {
        debug_assert!(id <= TYPE_MASK);
        (flags & !(TYPE_MASK << TYPE_SHIFT)) | (id << TYPE_SHIFT)
    }

    /// The generation stored in `flags`.
    #[inline]
    pub(crate) fn generation(flags: u32) -> u32 {
        flags & GEN_MASK
    }

    /// `flags` with its generation replaced by `gen`.
    #[inline]
    pub(crate) fn with_generation(flags: u32, gen: u32) -> u32 {
        (flags & !GEN_MASK) | gen
    }
}
