//! cyclegc's side: the objects the operations build, the handles that hold
//! them, and the thread-local log of what their drops, finalizers and weak
//! callbacks did.

use std::cell::RefCell;
use std::fmt;

use cyclegc::{coerce_cc, gc, Cc, Closure, Finalize, Trace, Weak};

use super::{Form, Revive};

/// What the objects, finalizers and callbacks of this thread did.
#[derive(Default)]
pub(super) struct Log {
    /// Drops, by object id.
    pub(super) drops: Vec<u32>,
    /// Finalizer calls, by object id.
    pub(super) finalized: Vec<u32>,
    /// Weak callbacks that ran: the weak reference's id, and whether it
    /// upgraded to `None` inside its callback.
    pub(super) fired: Vec<(usize, bool)>,
    /// Collections, as the `gc` callback saw them end: generation, found.
    pub(super) collections: Vec<(usize, usize)>,
}

thread_local! {
    pub(super) static LOG: RefCell<Log> = RefCell::new(Log::default());
    /// What finalizers resurrected, until the runner makes them roots.
    pub(super) static REVIVED: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
}

pub(super) fn bump(counts: &mut Vec<u32>, id: usize) {
    if counts.len() <= id {
        counts.resize(id + 1, 0);
    }
    counts[id] += 1;
}

pub(super) fn note_drop(id: usize) {
    let _ = LOG.try_with(|l| bump(&mut l.borrow_mut().drops, id));
}

pub(super) fn note_finalize(id: usize) {
    let _ = LOG.try_with(|l| bump(&mut l.borrow_mut().finalized, id));
}

pub(super) fn note_fired(wid: usize, cleared: bool) {
    let _ = LOG.try_with(|l| l.borrow_mut().fired.push((wid, cleared)));
}

// ---- the objects --------------------------------------------------------------

/// What `Cc<dyn Obj>` handles see of an object.
pub trait Obj {
    /// The object's model id.
    fn id(&self) -> usize;
    /// The list of edges, for the kinds that have one.
    fn edges(&self) -> Option<&RefCell<Vec<Handle>>>;
}

/// A tracked object without a finalizer.
#[derive(Trace)]
pub struct Node {
    pub(super) id: usize,
    pub(super) edges: RefCell<Vec<Handle>>,
}

impl Obj for Node {
    fn id(&self) -> usize {
        self.id
    }
    fn edges(&self) -> Option<&RefCell<Vec<Handle>>> {
        Some(&self.edges)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        note_drop(self.id);
        // A `Drop` may look at its referents (some may be gone): never a
        // read of freed memory, which the fuzzer's sanitizer would see.
        for e in self.edges.get_mut() {
            let _ = e.try_id();
        }
    }
}

/// A tracked object whose finalizer reads every referent (SPEC §7: all of
/// the garbage is intact while finalizers run) and may resurrect.
#[derive(Trace)]
#[trace(finalize)]
pub struct Phoenix {
    pub(super) id: usize,
    #[trace(skip)]
    pub(super) revive: Revive,
    pub(super) edges: RefCell<Vec<Handle>>,
}

impl Obj for Phoenix {
    fn id(&self) -> usize {
        self.id
    }
    fn edges(&self) -> Option<&RefCell<Vec<Handle>>> {
        Some(&self.edges)
    }
}

impl Finalize for Phoenix {
    fn finalize_cc(this: &Cc<Phoenix>) {
        note_finalize(this.id);
        let edges = this.edges.borrow();
        for e in edges.iter() {
            e.id(); // panics if a referent's value is gone
        }
        let revived = match this.revive {
            Revive::Nothing => None,
            Revive::Itself => Some(Handle::Phoenix(this.clone())),
            Revive::FirstEdge => edges.first().map(Handle::clone_handle),
        };
        drop(edges);
        if let Some(h) = revived {
            REVIVED.with(|r| r.borrow_mut().push(h));
        }
    }
}

impl Drop for Phoenix {
    fn drop(&mut self) {
        note_drop(self.id);
        for e in self.edges.get_mut() {
            let _ = e.try_id();
        }
    }
}

/// An untracked object: it can hold no handle.
#[derive(Trace)]
pub struct Leaf {
    pub(super) id: usize,
}

impl Obj for Leaf {
    fn id(&self) -> usize {
        self.id
    }
    fn edges(&self) -> Option<&RefCell<Vec<Handle>>> {
        None
    }
}

impl Drop for Leaf {
    fn drop(&mut self) {
        note_drop(self.id);
    }
}

/// An element of a slice object `Cc<[Slot]>`; the first one reports the
/// object's drop.
#[derive(Trace)]
pub struct Slot {
    pub(super) owner: usize,
    pub(super) first: bool,
    pub(super) edge: RefCell<Option<Handle>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.first {
            note_drop(self.owner);
        }
        if let Some(e) = self.edge.get_mut() {
            let _ = e.try_id();
        }
    }
}

/// A strong handle to an object, in one of the shapes users hold them.
#[derive(Trace)]
pub enum Handle {
    Node(Cc<Node>),
    Phoenix(Cc<Phoenix>),
    Leaf(Cc<Leaf>),
    Slice(Cc<[Slot]>),
    Dyn(Cc<dyn Obj>),
    /// A traced closure that captured a `Handle` and returns its id.
    Closure(Closure<fn() -> usize>),
}

/// The edges of an object, as its kind keeps them.
pub enum Edges<'a> {
    List(&'a RefCell<Vec<Handle>>),
    Slots(&'a [Slot]),
    None,
}

pub(super) fn closure_of(h: Handle) -> Handle {
    Handle::Closure(Closure::new(h, |h, ()| h.id()))
}

impl Handle {
    /// The handle a closure captured (recursively), or this one.
    pub(super) fn inner(&self) -> &Handle {
        match self {
            Handle::Closure(c) => c.captures::<Handle>().expect("a Handle closure").inner(),
            h => h,
        }
    }

    /// The model id of the object; panics if its value was dropped.
    pub fn id(&self) -> usize {
        match self {
            Handle::Node(c) => c.id,
            Handle::Phoenix(c) => c.id,
            Handle::Leaf(c) => c.id,
            Handle::Slice(c) => c[0].owner,
            Handle::Dyn(c) => c.id(),
            Handle::Closure(c) => c.call(()),
        }
    }

    /// The model id, if the object's value is still there.
    pub(super) fn try_id(&self) -> Option<usize> {
        match self {
            Handle::Node(c) => Cc::try_deref(c).map(|o| o.id),
            Handle::Phoenix(c) => Cc::try_deref(c).map(|o| o.id),
            Handle::Leaf(c) => Cc::try_deref(c).map(|o| o.id),
            Handle::Slice(c) => Cc::try_deref(c).map(|s| s[0].owner),
            Handle::Dyn(c) => Cc::try_deref(c).map(|o| o.id()),
            Handle::Closure(c) => c.captures::<Handle>()?.try_id(),
        }
    }

    /// `Cc::id`: the object's address, unique among live objects.
    pub(super) fn address(&self) -> usize {
        match self.inner() {
            Handle::Node(c) => Cc::id(c),
            Handle::Phoenix(c) => Cc::id(c),
            Handle::Leaf(c) => Cc::id(c),
            Handle::Slice(c) => Cc::id(c),
            Handle::Dyn(c) => Cc::id(c),
            Handle::Closure(_) => unreachable!(),
        }
    }

    pub(super) fn strong_count(&self) -> usize {
        match self.inner() {
            Handle::Node(c) => Cc::strong_count(c),
            Handle::Phoenix(c) => Cc::strong_count(c),
            Handle::Leaf(c) => Cc::strong_count(c),
            Handle::Slice(c) => Cc::strong_count(c),
            Handle::Dyn(c) => Cc::strong_count(c),
            Handle::Closure(_) => unreachable!(),
        }
    }

    pub(super) fn is_finalized(&self) -> bool {
        match self.inner() {
            Handle::Phoenix(c) => gc::is_finalized(c),
            Handle::Dyn(c) => gc::is_finalized(c),
            _ => false,
        }
    }

    pub fn clone_handle(&self) -> Handle {
        match self {
            Handle::Node(c) => Handle::Node(c.clone()),
            Handle::Phoenix(c) => Handle::Phoenix(c.clone()),
            Handle::Leaf(c) => Handle::Leaf(c.clone()),
            Handle::Slice(c) => Handle::Slice(c.clone()),
            Handle::Dyn(c) => Handle::Dyn(c.clone()),
            Handle::Closure(c) => {
                closure_of(c.captures::<Handle>().expect("a Handle closure").clone_handle())
            }
        }
    }

    /// The object as a `Cc<dyn Obj>`; `None` for a slice.
    pub(super) fn as_dyn(&self) -> Option<Cc<dyn Obj>> {
        Some(match self.inner() {
            Handle::Node(c) => coerce_cc!(c.clone()),
            Handle::Phoenix(c) => coerce_cc!(c.clone()),
            Handle::Leaf(c) => coerce_cc!(c.clone()),
            Handle::Dyn(c) => c.clone(),
            Handle::Slice(_) | Handle::Closure(_) => return None,
        })
    }

    pub(super) fn reform(&self, form: Form) -> Handle {
        match form {
            Form::Same => self.clone_handle(),
            Form::Dyn => self.as_dyn().map_or_else(|| self.clone_handle(), Handle::Dyn),
            Form::Closure => closure_of(self.clone_handle()),
        }
    }

    pub(super) fn edges(&self) -> Edges<'_> {
        match self.inner() {
            Handle::Node(c) => Edges::List(&c.edges),
            Handle::Phoenix(c) => Edges::List(&c.edges),
            Handle::Slice(c) => Edges::Slots(c),
            Handle::Dyn(c) => c.edges().map_or(Edges::None, Edges::List),
            Handle::Leaf(_) | Handle::Closure(_) => Edges::None,
        }
    }

    pub(super) fn downgrade(&self, callback: Option<usize>) -> WeakHandle {
        match self.inner() {
            Handle::Node(c) => WeakHandle::Node(weak_of(c, callback)),
            Handle::Phoenix(c) => WeakHandle::Phoenix(weak_of(c, callback)),
            Handle::Leaf(c) => WeakHandle::Leaf(weak_of(c, callback)),
            Handle::Slice(c) => WeakHandle::Slice(weak_of(c, callback)),
            Handle::Dyn(c) => WeakHandle::Dyn(weak_of(c, callback)),
            Handle::Closure(_) => unreachable!(),
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({:?})", self.try_id())
    }
}

pub(super) fn weak_of<T: ?Sized + 'static>(cc: &Cc<T>, callback: Option<usize>) -> Weak<T> {
    match callback {
        None => Cc::downgrade(cc),
        Some(wid) => {
            Cc::downgrade_with_callback(cc, move |w: &Weak<T>| note_fired(wid, w.upgrade().is_none()))
        }
    }
}

/// A weak reference, of the type of the handle it was made from.
pub enum WeakHandle {
    Node(Weak<Node>),
    Phoenix(Weak<Phoenix>),
    Leaf(Weak<Leaf>),
    Slice(Weak<[Slot]>),
    Dyn(Weak<dyn Obj>),
}

impl WeakHandle {
    pub(super) fn upgrade(&self) -> Option<Handle> {
        match self {
            WeakHandle::Node(w) => w.upgrade().map(Handle::Node),
            WeakHandle::Phoenix(w) => w.upgrade().map(Handle::Phoenix),
            WeakHandle::Leaf(w) => w.upgrade().map(Handle::Leaf),
            WeakHandle::Slice(w) => w.upgrade().map(Handle::Slice),
            WeakHandle::Dyn(w) => w.upgrade().map(Handle::Dyn),
        }
    }
}
