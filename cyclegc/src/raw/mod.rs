//! The raw layer: object layout and generation lists.
//!
//! Everything that touches raw pointers lives here, behind a small API
//! ([`GcPtr`], [`CcBox`], [`GenList`]); the handles, the collector's phases
//! and the `gc` module build on it without `unsafe` of their own, except
//! where they hand a pointer back to this layer.

mod genlist;
mod layout;

pub(crate) use genlist::GenList;
pub(crate) use layout::{drop_weak, CcBox, Counts, DropImplicitWeak, GcPtr, VTable};

/// Bits of [`GcHeader::flags`].
///
/// The low three bits hold the generation; the rest are independent flags.
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
    /// The value has been dropped (or is being dropped); the allocation
    /// stays until the last strong and weak handle goes.
    pub(crate) const VALUE_DROPPED: u32 = 1 << 5;
    /// Weak references no longer upgrade: the object was found unreachable.
    pub(crate) const WEAK_CLEARED: u32 = 1 << 6;
    /// Its finalizer has run (`gc::is_finalized`).
    pub(crate) const FINALIZED: u32 = 1 << 7;

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
