//! The registry of tracked types: a small number for each type's vtable,
//! so that an object's header stores 16 bits in its flags instead of an
//! 8-byte vtable pointer.
//!
//! The registry is process-wide and append-only: an id, once given, names
//! the same vtable forever, so reading it needs no lock. Giving ids takes a
//! lock, but each thread's collector remembers the last type it allocated,
//! so a loop allocating one type asks only once.

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::Mutex;

use super::VTable;

/// How many tracked types a process can have (the 16 bits of the id). The
/// table is 512 KiB of zeroed static memory, of which only the pages of
/// ids given are ever touched.
pub(crate) const MAX_TYPES: usize = 1 << 16;

/// Vtables by id; null past the last id given.
static VTABLES: [AtomicPtr<VTable>; MAX_TYPES] = [const { AtomicPtr::new(std::ptr::null_mut()) }; MAX_TYPES];

/// Whether any registered type has a finalizer: until one does, a
/// collection skips looking for finalizers among its garbage.
static ANY_FINALIZER: AtomicBool = AtomicBool::new(false);

/// How many ids have been given; held while giving one.
static GIVEN: Mutex<usize> = Mutex::new(0);

/// The id of `vtable`, given now if it has none yet.
///
/// # Panics
/// When a process allocates tracked objects of more than 65536 types.
#[cold]
pub(crate) fn id_of(vtable: &'static VTable) -> u32 {
    let mut given = GIVEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let wanted = vtable as *const VTable as *mut VTable;
    if let Some(id) = (0..*given).find(|&id| VTABLES[id].load(Ordering::Relaxed) == wanted) {
        return id as u32;
    }
    assert!(
        *given < MAX_TYPES,
        "cyclegc: more than {MAX_TYPES} types of tracked objects in one process: \
         the object header has 16 bits for the type"
    );
    let id = *given;
    if vtable.finalize.is_some() {
        ANY_FINALIZER.store(true, Ordering::Relaxed);
    }
    // Release: a thread that learns the id through the lock or an object's
    // header then sees the vtable.
    VTABLES[id].store(wanted, Ordering::Release);
    *given += 1;
    id as u32
}

/// Whether a type with a finalizer has been registered (by this thread,
/// or by another before anything this thread saw).
#[inline]
pub(crate) fn any_finalizer() -> bool {
    ANY_FINALIZER.load(Ordering::Relaxed)
}

/// The vtable with id `id`, which [`id_of`] gave.
#[inline]
pub(crate) fn vtable(id: u32) -> &'static VTable {
    let p = VTABLES[id as usize].load(Ordering::Acquire);
    // SAFETY: ids are only read from headers, which hold ids that `id_of`
    // gave, and it stored a `&'static VTable` there before giving the id;
    // entries never change afterwards.
    unsafe { &*p }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::CcBox;

    #[test]
    fn each_vtable_keeps_one_id_and_an_id_gives_back_its_vtable() {
        let a = id_of(CcBox::<Vec<crate::AnyCc>>::VTABLE);
        let b = id_of(CcBox::<Option<crate::AnyCc>>::VTABLE);
        assert_ne!(a, b);
        assert_eq!(id_of(CcBox::<Vec<crate::AnyCc>>::VTABLE), a);
        assert!(std::ptr::eq(vtable(a), CcBox::<Vec<crate::AnyCc>>::VTABLE));
        assert!(std::ptr::eq(vtable(b), CcBox::<Option<crate::AnyCc>>::VTABLE));
    }
}
