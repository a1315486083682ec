//! What the weak containers learn from the callbacks of their weak
//! references: CPython's `_pending_removals`, without the removals.
//!
//! A weak container is a plain Rust value, so a callback cannot reach into
//! it. Each entry's weak reference gets a callback that only reports the
//! death here; the container accounts for it in `len` at once and drops the
//! dead entries at its next `&mut` call. Since callbacks never remove
//! entries, a late callback can never delete an entry re-inserted under the
//! same key (CPython issue 28427).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::cc::Cc;
use crate::weak::Weak;

/// The deaths of a container's objects, as the callbacks of its entries'
/// weak references report them.
///
/// Invariant: [`PendingRemovals::dead`] is the number of entries the
/// container stores whose weak reference's callback has run. A callback
/// adds one; the container calls [`PendingRemovals::forget`] for every
/// entry it drops, which takes it back if that entry's callback ran. An
/// entry dropped after its object died but before its callback ran (a
/// collection clears every weak reference first, then calls back) takes
/// its callback with it, so nothing is counted for it.
pub(super) struct PendingRemovals {
    shared: Rc<Shared>,
}

/// The part the callbacks share.
struct Shared {
    dead: Cell<usize>,
    /// The addresses of the dead objects, oldest first, for a container
    /// keyed by address; `None` for the others.
    addresses: Option<RefCell<Vec<usize>>>,
}

impl Shared {
    fn log(&self, address: usize) {
        if let Some(addresses) = &self.addresses {
            addresses.borrow_mut().push(address);
        }
    }
}

impl PendingRemovals {
    /// Counts the deaths only (the container cannot find an entry from its
    /// object's address).
    pub(super) fn counting() -> PendingRemovals {
        PendingRemovals::with(None)
    }

    /// Counts the deaths and logs the dead objects' addresses, for a
    /// container keyed by address.
    pub(super) fn by_address() -> PendingRemovals {
        PendingRemovals::with(Some(RefCell::new(Vec::new())))
    }

    fn with(addresses: Option<RefCell<Vec<usize>>>) -> PendingRemovals {
        PendingRemovals {
            shared: Rc::new(Shared {
                dead: Cell::new(0),
                addresses,
            }),
        }
    }

    /// A weak reference to `obj` whose callback reports its death.
    ///
    /// It is dead already if `obj` is: a handle to an object that a
    /// collection found unreachable, held by a finalizer or `Drop` of the
    /// garbage. No callback will come for it then, so its address is
    /// logged now for the next purge; the caller may also just not store it.
    pub(super) fn watch<T: ?Sized + 'static>(&self, obj: &Cc<T>) -> Weak<T> {
        let address = Cc::id(obj);
        let shared = Rc::clone(&self.shared);
        let weak = Cc::downgrade_with_callback(obj, move |_| {
            shared.dead.set(shared.dead.get() + 1);
            shared.log(address);
        });
        if !is_live(&weak) {
            self.shared.log(address);
        }
        weak
    }

    /// Accounts for an entry leaving the container. The caller drops `weak`
    /// right after (before running any code of the user's), so that its
    /// callback can no longer run.
    pub(super) fn forget<T: ?Sized + 'static>(&self, weak: &Weak<T>) {
        if weak.callback_fired() {
            let dead = &self.shared.dead;
            debug_assert!(dead.get() > 0, "a fired callback was not counted");
            dead.set(dead.get().saturating_sub(1));
        }
    }

    /// How many stored entries are dead and counted.
    pub(super) fn dead(&self) -> usize {
        self.shared.dead.get()
    }

    /// The live entries among `stored` ones.
    pub(super) fn live(&self, stored: usize) -> usize {
        stored.saturating_sub(self.dead())
    }

    /// Whether the dead entries are more than half of the `stored` ones:
    /// then sweeping them all costs O(1) per entry that was ever inserted.
    pub(super) fn worth_sweeping(&self, stored: usize) -> bool {
        self.dead() > stored / 2
    }

    /// An address logged and not yet taken (it may be stale: its entry
    /// went already, or was replaced by an entry for a new object).
    pub(super) fn pop_address(&self) -> Option<usize> {
        self.shared.addresses.as_ref()?.borrow_mut().pop()
    }
}

/// Whether a weak reference's object is alive.
pub(super) fn is_live<T: ?Sized + 'static>(weak: &Weak<T>) -> bool {
    weak.strong_count() > 0
}
