//! The operation language of the model-based tests, the plain model it is
//! checked against, and the runner that drives both. Shared by the proptest
//! driver (`tests/model.rs`) and the fuzzer (`fuzz/fuzz_targets/model.rs`,
//! which includes this file by path), so that a failure of either replays
//! in the other.
//!
//! # The two sides
//!
//! The *world* is cyclegc: objects of four kinds (a plain tracked [`Node`],
//! a [`Phoenix`] whose finalizer may resurrect, an untracked [`Leaf`], a
//! tracked slice `Cc<[Slot]>`), held through [`Handle`]s that may be the
//! concrete `Cc`, a `Cc<dyn Obj>` made by `coerce_cc!`, or a traced
//! [`Closure`] that captured a handle. External roots are a `Vec<Handle>`;
//! weak references, the three weak containers and `gc::garbage()` are the
//! rest of the world.
//!
//! The *model* is a graph of object ids: edges, reference counts, the roots,
//! and for each object whether it is dead, finalized, frozen, its
//! generation and how many times its weak references were cleared. It
//! simulates reference counting exactly (a count reaching zero runs the
//! finalizer, which may resurrect, or frees the object and releases its
//! edges) and each collection by reachability (BFS), as SPEC §5.1 and §7
//! describe it: trial deletion over the collected generations, weak
//! references of the unreachable cleared and their callbacks run, then the
//! finalizers, then what they resurrected (and all it reaches among the
//! unreachable) survives, the rest is freed or, under `SAVEALL`, saved.
//! Automatic collections are not predicted: a `gc` callback tells the runner
//! which generation each one collected, and the model replays it at the
//! same point.
//!
//! # What is checked
//!
//! After every operation: each object was dropped exactly when the model
//! says it is dead (never twice), each finalizer ran exactly when the model
//! says (never twice), every root is the model's object with the model's
//! strong count, every weak reference upgrades exactly when the model says
//! its object is live, exactly the expected weak callbacks ran (each once,
//! and each saw its reference cleared), every generation and the saved
//! garbage hold exactly the model's objects, and the weak containers hold
//! exactly the model's live entries; every collection, explicit or
//! automatic, returned the number of objects the model found unreachable
//! and not resurrected. After every full collection the model itself
//! checks that every live object is reachable from the roots, the saved
//! garbage or the frozen objects. At the end every root, weak reference and
//! container is dropped, garbage cleared, and every object must have been
//! dropped exactly once.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use cyclegc::gc::{self, DebugFlags, Phase};
use cyclegc::weakref::{WeakKeyDictionary, WeakSet, WeakValueDictionary};
use cyclegc::{coerce_cc, Cc, Closure, Finalize, Trace, Weak};

// ---- the operation language -------------------------------------------------

/// What a [`Phoenix`]'s finalizer resurrects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revive {
    /// Nothing: the finalizer only reads its referents.
    Nothing,
    /// Itself, by storing a clone of its own handle.
    Itself,
    /// Its first referent, if it has one.
    FirstEdge,
}

/// The kind of a new object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A tracked object with a list of edges and no finalizer.
    Node,
    /// A tracked object with a list of edges and a finalizer.
    Phoenix(Revive),
    /// An untracked object with no edges.
    Leaf,
    /// A tracked `Cc<[Slot]>` of this many slots (1 to 3), each holding at
    /// most one edge.
    Slice(u8),
}

/// How a new handle to an existing object is made from another one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A clone of the handle as it is.
    Same,
    /// A `Cc<dyn Obj>` (`coerce_cc!`); a slice handle stays as it is.
    Dyn,
    /// A traced `Closure` that captured a clone of the handle.
    Closure,
}

/// One step. Root, weak and key indices are taken modulo the number of
/// roots (weak references, keys) there are; with none, the step does
/// nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A new object, held by a new root.
    New(Kind),
    /// `from` gets an edge to `to`'s object: pushed onto a node's list, or
    /// stored in slot `slot` of a slice (replacing what was there).
    Link { from: u8, to: u8, form: Form, slot: u8 },
    /// Removes edge `slot` of `from`'s object.
    Unlink { from: u8, slot: u8 },
    /// A new root: another handle to a root's object.
    CloneRoot { root: u8, form: Form },
    /// Drops a root.
    DropRoot(u8),
    /// A weak reference to a root's object, with a callback or without.
    Downgrade { root: u8, callback: bool },
    /// Upgrades a weak reference; what it gives becomes a new root.
    Upgrade(u8),
    /// Drops a weak reference.
    DropWeak(u8),
    /// `gc::collect_generation(g % 3)`; 2 is `gc::collect()`.
    Collect(u8),
    /// `gc::set_threshold(t0, t1, t2)`; `t0 == 0` turns automatic
    /// collection off.
    SetThreshold(u8, u8, u8),
    /// `gc::freeze()`.
    Freeze,
    /// `gc::unfreeze()`.
    Unfreeze,
    /// `gc::set_debug(SAVEALL)` or `gc::set_debug(empty)`.
    SaveAll(bool),
    /// `gc::clear_garbage()`.
    ClearGarbage,
    /// `WeakValueDictionary::insert(key % 4, root's object)`.
    ValueInsert { key: u8, root: u8 },
    /// `WeakValueDictionary::remove(key % 4)`.
    ValueRemove(u8),
    /// `WeakKeyDictionary::insert(root's object, value)`.
    KeyInsert { root: u8, value: u8 },
    /// `WeakKeyDictionary::remove(root's object)`.
    KeyRemove(u8),
    /// `WeakSet::insert(root's object)`.
    SetInsert(u8),
    /// `WeakSet::remove(root's object)`.
    SetRemove(u8),
}

/// Keys of the `WeakValueDictionary` are `0..VALUE_KEYS`.
pub const VALUE_KEYS: u8 = 4;

/// The most operations [`decode`] makes of one input.
pub const MAX_OPS: usize = 256;

/// Reads bytes, giving 0 once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn form(&mut self) -> Form {
        [Form::Same, Form::Dyn, Form::Closure][self.byte() as usize % 3]
    }
}

/// The operations the fuzzer's bytes stand for: one selector byte per
/// operation (weighted towards building and cutting the graph), then its
/// arguments.
pub fn decode(data: &[u8]) -> Vec<Op> {
    let mut b = Bytes(data);
    let mut ops = Vec::new();
    while !b.0.is_empty() && ops.len() < MAX_OPS {
        let op = match b.byte() % 32 {
            0..=1 => Op::New(Kind::Node),
            2 => Op::New(Kind::Phoenix(
                [Revive::Nothing, Revive::Itself, Revive::FirstEdge][b.byte() as usize % 3],
            )),
            3 => Op::New(Kind::Leaf),
            4 => Op::New(Kind::Slice(1 + b.byte() % 3)),
            5..=9 => Op::Link {
                from: b.byte(),
                to: b.byte(),
                form: b.form(),
                slot: b.byte(),
            },
            10..=11 => Op::Unlink {
                from: b.byte(),
                slot: b.byte(),
            },
            12 => Op::CloneRoot {
                root: b.byte(),
                form: b.form(),
            },
            13..=15 => Op::DropRoot(b.byte()),
            16 => Op::Downgrade {
                root: b.byte(),
                callback: b.byte() & 1 == 1,
            },
            17 => Op::Upgrade(b.byte()),
            18 => Op::DropWeak(b.byte()),
            19..=20 => Op::Collect(b.byte() % 3),
            21 => Op::SetThreshold(b.byte() % 16, b.byte() % 4, b.byte() % 4),
            22 => Op::Freeze,
            23 => Op::Unfreeze,
            24 => Op::SaveAll(b.byte() & 1 == 1),
            25 => Op::ClearGarbage,
            26 => Op::ValueInsert {
                key: b.byte() % VALUE_KEYS,
                root: b.byte(),
            },
            27 => Op::ValueRemove(b.byte() % VALUE_KEYS),
            28 => Op::KeyInsert {
                root: b.byte(),
                value: b.byte(),
            },
            29 => Op::KeyRemove(b.byte()),
            30 => Op::SetInsert(b.byte()),
            _ => Op::SetRemove(b.byte()),
        };
        ops.push(op);
    }
    ops
}

// ---- what the objects report --------------------------------------------------

/// What the objects, finalizers and callbacks of this thread did.
#[derive(Default)]
struct Log {
    /// Drops, by object id.
    drops: Vec<u32>,
    /// Finalizer calls, by object id.
    finalized: Vec<u32>,
    /// Weak callbacks that ran: the weak reference's id, and whether it
    /// upgraded to `None` inside its callback.
    fired: Vec<(usize, bool)>,
    /// Collections, as the `gc` callback saw them end: generation, found.
    collections: Vec<(usize, usize)>,
}

thread_local! {
    static LOG: RefCell<Log> = RefCell::new(Log::default());
    /// What finalizers resurrected, until the runner makes them roots.
    static REVIVED: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
}

fn bump(counts: &mut Vec<u32>, id: usize) {
    if counts.len() <= id {
        counts.resize(id + 1, 0);
    }
    counts[id] += 1;
}

fn note_drop(id: usize) {
    let _ = LOG.try_with(|l| bump(&mut l.borrow_mut().drops, id));
}

fn note_finalize(id: usize) {
    let _ = LOG.try_with(|l| bump(&mut l.borrow_mut().finalized, id));
}

fn note_fired(wid: usize, cleared: bool) {
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
    id: usize,
    edges: RefCell<Vec<Handle>>,
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
    id: usize,
    #[trace(skip)]
    revive: Revive,
    edges: RefCell<Vec<Handle>>,
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
    id: usize,
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
    owner: usize,
    first: bool,
    edge: RefCell<Option<Handle>>,
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

fn closure_of(h: Handle) -> Handle {
    Handle::Closure(Closure::new(h, |h, ()| h.id()))
}

impl Handle {
    /// The handle a closure captured (recursively), or this one.
    fn inner(&self) -> &Handle {
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
    fn try_id(&self) -> Option<usize> {
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
    fn address(&self) -> usize {
        match self.inner() {
            Handle::Node(c) => Cc::id(c),
            Handle::Phoenix(c) => Cc::id(c),
            Handle::Leaf(c) => Cc::id(c),
            Handle::Slice(c) => Cc::id(c),
            Handle::Dyn(c) => Cc::id(c),
            Handle::Closure(_) => unreachable!(),
        }
    }

    fn strong_count(&self) -> usize {
        match self.inner() {
            Handle::Node(c) => Cc::strong_count(c),
            Handle::Phoenix(c) => Cc::strong_count(c),
            Handle::Leaf(c) => Cc::strong_count(c),
            Handle::Slice(c) => Cc::strong_count(c),
            Handle::Dyn(c) => Cc::strong_count(c),
            Handle::Closure(_) => unreachable!(),
        }
    }

    fn is_finalized(&self) -> bool {
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
    fn as_dyn(&self) -> Option<Cc<dyn Obj>> {
        Some(match self.inner() {
            Handle::Node(c) => coerce_cc!(c.clone()),
            Handle::Phoenix(c) => coerce_cc!(c.clone()),
            Handle::Leaf(c) => coerce_cc!(c.clone()),
            Handle::Dyn(c) => c.clone(),
            Handle::Slice(_) | Handle::Closure(_) => return None,
        })
    }

    fn reform(&self, form: Form) -> Handle {
        match form {
            Form::Same => self.clone_handle(),
            Form::Dyn => self.as_dyn().map_or_else(|| self.clone_handle(), Handle::Dyn),
            Form::Closure => closure_of(self.clone_handle()),
        }
    }

    fn edges(&self) -> Edges<'_> {
        match self.inner() {
            Handle::Node(c) => Edges::List(&c.edges),
            Handle::Phoenix(c) => Edges::List(&c.edges),
            Handle::Slice(c) => Edges::Slots(c),
            Handle::Dyn(c) => c.edges().map_or(Edges::None, Edges::List),
            Handle::Leaf(_) | Handle::Closure(_) => Edges::None,
        }
    }

    fn downgrade(&self, callback: Option<usize>) -> WeakHandle {
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

fn weak_of<T: ?Sized + 'static>(cc: &Cc<T>, callback: Option<usize>) -> Weak<T> {
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
    fn upgrade(&self) -> Option<Handle> {
        match self {
            WeakHandle::Node(w) => w.upgrade().map(Handle::Node),
            WeakHandle::Phoenix(w) => w.upgrade().map(Handle::Phoenix),
            WeakHandle::Leaf(w) => w.upgrade().map(Handle::Leaf),
            WeakHandle::Slice(w) => w.upgrade().map(Handle::Slice),
            WeakHandle::Dyn(w) => w.upgrade().map(Handle::Dyn),
        }
    }
}

// ---- the model --------------------------------------------------------------

#[derive(Clone, Debug)]
struct MObj {
    kind: Kind,
    /// Targets; a node's list has no `None`, a slice's slots may.
    edges: Vec<Option<usize>>,
    /// Strong references: roots, edges of objects whose value is not
    /// dropped, resurrections, saved garbage.
    rc: usize,
    dead: bool,
    finalized: bool,
    generation: usize,
    frozen: bool,
    /// How many times the object's weak references were cleared; a weak
    /// reference made when this was `n` upgrades while it is still `n`.
    weak_gen: u32,
}

impl MObj {
    fn tracked(&self) -> bool {
        self.kind != Kind::Leaf
    }
    fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().flatten().copied()
    }
}

/// A weak reference (or a weak container's entry) in the model.
#[derive(Clone, Copy, Debug)]
struct MWeak {
    target: usize,
    weak_gen: u32,
}

#[derive(Clone, Copy, Debug)]
struct MWeakRef {
    wid: usize,
    weak: MWeak,
    callback: bool,
}

/// The plain model: a graph of object ids.
#[derive(Default)]
pub struct Model {
    objs: Vec<MObj>,
    roots: Vec<usize>,
    /// Resurrected by finalizers during the current operation.
    revived: Vec<usize>,
    garbage: Vec<usize>,
    weaks: Vec<MWeakRef>,
    /// Weak references whose callback ran.
    fired: Vec<usize>,
    values: BTreeMap<u8, MWeak>,
    keys: BTreeMap<usize, (MWeak, u8)>,
    set: BTreeMap<usize, MWeak>,
    saveall: bool,
}

impl Model {
    fn is_live(&self, w: MWeak) -> bool {
        let o = &self.objs[w.target];
        !o.dead && o.weak_gen == w.weak_gen
    }

    fn weak(&self, target: usize) -> MWeak {
        MWeak {
            target,
            weak_gen: self.objs[target].weak_gen,
        }
    }

    fn new_object(&mut self, kind: Kind) -> usize {
        let edges = match kind {
            Kind::Slice(n) => vec![None; n as usize],
            _ => Vec::new(),
        };
        self.objs.push(MObj {
            kind,
            edges,
            rc: 1,
            dead: false,
            finalized: false,
            generation: 0,
            frozen: false,
            weak_gen: 0,
        });
        let id = self.objs.len() - 1;
        self.roots.push(id);
        id
    }

    /// Clears the weak references to `id`; those alive with a callback fire.
    fn clear_weaks(&mut self, id: usize) {
        let old = self.objs[id].weak_gen;
        self.objs[id].weak_gen += 1;
        for w in &self.weaks {
            if w.callback && w.weak.target == id && w.weak.weak_gen == old {
                self.fired.push(w.wid);
            }
        }
    }

    /// Runs `id`'s finalizer if it has one that has not run; true if it ran.
    fn run_finalizer(&mut self, id: usize) -> bool {
        let o = &mut self.objs[id];
        let Kind::Phoenix(revive) = o.kind else {
            return false;
        };
        if o.finalized {
            return false;
        }
        o.finalized = true;
        let target = match revive {
            Revive::Nothing => None,
            Revive::Itself => Some(id),
            Revive::FirstEdge => o.edges.first().copied().flatten(),
        };
        if let Some(t) = target {
            self.objs[t].rc += 1;
            self.revived.push(t);
        }
        true
    }

    /// Drops one strong reference to `id`, freeing by reference counting
    /// what that frees.
    fn release(&mut self, id: usize) {
        let mut work = vec![id];
        while let Some(id) = work.pop() {
            let o = &mut self.objs[id];
            assert!(
                o.rc > 0 && !o.dead,
                "model: releasing {id}, which has no reference: {o:?}"
            );
            o.rc -= 1;
            if o.rc > 0 {
                continue;
            }
            // SPEC §6: the finalizer first, weak references still alive;
            // if it resurrected, nothing else happens.
            if self.run_finalizer(id) && self.objs[id].rc > 0 {
                continue;
            }
            self.clear_weaks(id);
            self.objs[id].dead = true;
            work.extend(self.objs[id].targets());
        }
    }

    /// The objects reachable from `sources`, following edges only out of
    /// objects `within` allows.
    fn reach(&self, sources: impl IntoIterator<Item = usize>, within: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut seen = vec![false; self.objs.len()];
        let mut stack: Vec<usize> = Vec::new();
        for s in sources {
            if within(s) && !seen[s] {
                seen[s] = true;
                stack.push(s);
            }
        }
        while let Some(x) = stack.pop() {
            for t in self.objs[x].targets() {
                if within(t) && !seen[t] {
                    seen[t] = true;
                    stack.push(t);
                }
            }
        }
        seen
    }

    /// A collection of generations `0..=g`; returns what `gc::collect`
    /// should: the unreachable objects found, less those resurrected.
    fn collect(&mut self, g: usize) -> usize {
        let n = self.objs.len();
        let in_c: Vec<bool> = self
            .objs
            .iter()
            .map(|o| !o.dead && o.tracked() && !o.frozen && o.generation <= g)
            .collect();
        // Trial deletion: what is referenced from outside the collected
        // generations (roots, saved garbage, live objects elsewhere) is
        // reachable, and all it reaches within them.
        let mut sources: Vec<usize> = self
            .roots
            .iter()
            .chain(&self.revived)
            .chain(&self.garbage)
            .copied()
            .collect();
        for (i, o) in self.objs.iter().enumerate() {
            if !o.dead && !in_c[i] {
                sources.extend(o.targets());
            }
        }
        let reachable = self.reach(sources, |i| in_c[i]);
        let unreachable: Vec<usize> = (0..n).filter(|&i| in_c[i] && !reachable[i]).collect();

        // handle_weakrefs, then finalize_garbage.
        for &u in &unreachable {
            self.clear_weaks(u);
        }
        let before = self.revived.len();
        let mut ran = false;
        for &u in &unreachable {
            ran |= self.run_finalizer(u);
        }
        let mut in_u = vec![false; n];
        for &u in &unreachable {
            in_u[u] = true;
        }
        if ran {
            // handle_resurrected_objects: what the finalizers resurrected,
            // and all it reaches among the unreachable, survives.
            let revived: Vec<usize> = self.revived[before..].to_vec();
            let saved = self.reach(revived, |i| in_u[i]);
            for (i, s) in saved.into_iter().enumerate() {
                if s {
                    in_u[i] = false;
                }
            }
        }
        let garbage: Vec<usize> = unreachable.iter().copied().filter(|&u| in_u[u]).collect();
        let older = (g + 1).min(2);
        for (i, o) in self.objs.iter_mut().enumerate() {
            if in_c[i] && !in_u[i] {
                o.generation = older;
            }
        }
        if self.saveall {
            for &u in &garbage {
                self.objs[u].rc += 1;
                self.objs[u].generation = older;
                self.garbage.push(u);
            }
        } else {
            for &u in &garbage {
                self.objs[u].dead = true;
            }
            for &u in &garbage {
                let targets: Vec<usize> = self.objs[u].targets().filter(|&t| !in_u[t]).collect();
                for t in targets {
                    self.release(t);
                }
            }
        }
        garbage.len()
    }

    /// The live objects not reachable from the roots, the saved garbage or
    /// the frozen objects (what a full collection must leave none of).
    fn unreachable_live(&self) -> Vec<usize> {
        let frozen = (0..self.objs.len()).filter(|&i| !self.objs[i].dead && self.objs[i].frozen);
        let sources = self
            .roots
            .iter()
            .chain(&self.revived)
            .chain(&self.garbage)
            .copied()
            .chain(frozen);
        let seen = self.reach(sources, |_| true);
        (0..self.objs.len())
            .filter(|&i| !self.objs[i].dead && !seen[i])
            .collect()
    }
}

// ---- the world ----------------------------------------------------------------

/// cyclegc's side: the handles, weak references and containers the
/// operations act on.
struct World {
    roots: Vec<Handle>,
    weaks: Vec<(usize, WeakHandle)>,
    values: WeakValueDictionary<u8, dyn Obj>,
    keys: WeakKeyDictionary<dyn Obj, u8>,
    set: WeakSet<dyn Obj>,
    /// Model ids by object address (`Cc::id`), for what `gc` returns.
    ids: HashMap<usize, usize>,
    next_wid: usize,
    callback: gc::CallbackId,
}

impl Drop for World {
    fn drop(&mut self) {
        gc::remove_callback(self.callback);
        gc::set_debug(DebugFlags::empty());
    }
}

/// The default thresholds, which every run starts from.
const THRESHOLD: (usize, usize, usize) = (700, 10, 10);

/// The world and the model, side by side.
pub struct Runner {
    world: World,
    model: Model,
    /// The operations so far, for failure messages.
    done: Vec<Op>,
}

fn pick(len: usize, i: u8) -> Option<usize> {
    (len > 0).then(|| i as usize % len)
}

impl Runner {
    /// A clean collector (whatever an earlier, failed, run left is
    /// collected) and an empty world.
    pub fn new() -> Runner {
        gc::set_debug(DebugFlags::empty());
        gc::unfreeze();
        gc::clear_garbage();
        gc::enable();
        gc::set_threshold(THRESHOLD.0, THRESHOLD.1, THRESHOLD.2);
        for _ in 0..4 {
            drop(REVIVED.take());
            gc::collect();
        }
        LOG.with(|l| *l.borrow_mut() = Log::default());
        let callback = gc::add_callback(|phase, info| {
            if phase == Phase::Stop {
                LOG.with(|l| l.borrow_mut().collections.push((info.generation, info.collected)));
            }
        });
        Runner {
            world: World {
                roots: Vec::new(),
                weaks: Vec::new(),
                values: WeakValueDictionary::new(),
                keys: WeakKeyDictionary::new(),
                set: WeakSet::new(),
                ids: HashMap::new(),
                next_wid: 0,
                callback,
            },
            model: Model::default(),
            done: Vec::new(),
        }
    }

    fn context(&self) -> String {
        format!("after ops {:?}", self.done)
    }

    /// Runs one operation on both sides and compares them.
    pub fn step(&mut self, op: Op) {
        self.done.push(op);
        LOG.with(|l| l.borrow_mut().collections.clear());
        let mut expect_collections = false;
        let w = &mut self.world;
        let m = &mut self.model;
        match op {
            Op::New(kind) => {
                let id = m.objs.len();
                let h = match kind {
                    Kind::Node => Handle::Node(Cc::new(Node {
                        id,
                        edges: RefCell::default(),
                    })),
                    Kind::Phoenix(revive) => Handle::Phoenix(Cc::new(Phoenix {
                        id,
                        revive,
                        edges: RefCell::default(),
                    })),
                    Kind::Leaf => Handle::Leaf(Cc::new(Leaf { id })),
                    Kind::Slice(n) => Handle::Slice(Cc::from(
                        (0..n.max(1))
                            .map(|i| Slot {
                                owner: id,
                                first: i == 0,
                                edge: RefCell::new(None),
                            })
                            .collect::<Vec<_>>(),
                    )),
                };
                w.ids.insert(h.address(), id);
                w.roots.push(h);
                m.new_object(match kind {
                    Kind::Slice(n) => Kind::Slice(n.max(1)),
                    k => k,
                });
                // An allocation may collect: the new object is in
                // generation 0 by then, held by its handle.
                expect_collections = true;
            }
            Op::Link { from, to, form, slot } => {
                if let (Some(f), Some(t)) = (pick(w.roots.len(), from), pick(w.roots.len(), to)) {
                    let edge = w.roots[t].reform(form);
                    let (source, target) = (m.roots[f], m.roots[t]);
                    let old = match w.roots[f].edges() {
                        Edges::List(list) => {
                            list.borrow_mut().push(edge);
                            m.objs[source].edges.push(Some(target));
                            m.objs[target].rc += 1;
                            None
                        }
                        Edges::Slots(slots) => {
                            let i = slot as usize % slots.len();
                            let old = slots[i].edge.replace(Some(edge));
                            let old_target = m.objs[source].edges[i].replace(target);
                            m.objs[target].rc += 1;
                            if let Some(o) = old_target {
                                m.release(o);
                            }
                            old
                        }
                        Edges::None => None,
                    };
                    // Dropped outside the borrow: a finalizer may read it.
                    drop(old);
                }
            }
            Op::Unlink { from, slot } => {
                if let Some(f) = pick(w.roots.len(), from) {
                    let source = m.roots[f];
                    let old = match w.roots[f].edges() {
                        Edges::List(list) => {
                            let mut list = list.borrow_mut();
                            pick(list.len(), slot).map(|i| {
                                let t = m.objs[source].edges.remove(i).expect("a list edge");
                                (list.remove(i), t)
                            })
                        }
                        Edges::Slots(slots) => {
                            let i = slot as usize % slots.len();
                            let h = slots[i].edge.take();
                            h.map(|h| (h, m.objs[source].edges[i].take().expect("a slot edge")))
                        }
                        Edges::None => None,
                    };
                    if let Some((h, t)) = old {
                        drop(h);
                        m.release(t);
                    }
                }
            }
            Op::CloneRoot { root, form } => {
                if let Some(i) = pick(w.roots.len(), root) {
                    let h = w.roots[i].reform(form);
                    w.roots.push(h);
                    let id = m.roots[i];
                    m.objs[id].rc += 1;
                    m.roots.push(id);
                }
            }
            Op::DropRoot(root) => {
                if let Some(i) = pick(w.roots.len(), root) {
                    drop(w.roots.remove(i));
                    let id = m.roots.remove(i);
                    m.release(id);
                }
            }
            Op::Downgrade { root, callback } => {
                if let Some(i) = pick(w.roots.len(), root) {
                    let wid = w.next_wid;
                    w.next_wid += 1;
                    w.weaks.push((wid, w.roots[i].downgrade(callback.then_some(wid))));
                    let weak = m.weak(m.roots[i]);
                    m.weaks.push(MWeakRef { wid, weak, callback });
                }
            }
            Op::Upgrade(weak) => {
                if let Some(i) = pick(w.weaks.len(), weak) {
                    let (wid, got) = (w.weaks[i].0, w.weaks[i].1.upgrade());
                    let mw = m.weaks[i].weak;
                    let live = m.is_live(mw);
                    assert_eq!(
                        got.is_some(),
                        live,
                        "upgrade of weak {wid} to {} {}",
                        mw.target,
                        self.context()
                    );
                    if let Some(h) = got {
                        self.world.roots.push(h);
                        self.model.objs[mw.target].rc += 1;
                        self.model.roots.push(mw.target);
                    }
                }
            }
            Op::DropWeak(weak) => {
                if let Some(i) = pick(w.weaks.len(), weak) {
                    drop(w.weaks.remove(i));
                    m.weaks.remove(i);
                }
            }
            Op::Collect(g) => {
                gc::collect_generation(g as usize % 3);
                expect_collections = true;
            }
            Op::SetThreshold(t0, t1, t2) => gc::set_threshold(t0 as usize, t1 as usize, t2 as usize),
            Op::Freeze => {
                gc::freeze();
                for o in &mut m.objs {
                    if !o.dead && o.tracked() {
                        o.frozen = true;
                    }
                }
            }
            Op::Unfreeze => {
                gc::unfreeze();
                for o in &mut m.objs {
                    if o.frozen {
                        o.frozen = false;
                        o.generation = 2;
                    }
                }
            }
            Op::SaveAll(on) => {
                gc::set_debug(if on {
                    DebugFlags::SAVEALL
                } else {
                    DebugFlags::empty()
                });
                m.saveall = on;
            }
            Op::ClearGarbage => {
                gc::clear_garbage();
                for id in std::mem::take(&mut m.garbage) {
                    m.release(id);
                }
            }
            Op::ValueInsert { key, root } => {
                if let Some(i) = pick(w.roots.len(), root) {
                    if let Some(cc) = w.roots[i].as_dyn() {
                        let key = key % VALUE_KEYS;
                        let old = w.values.insert(key, &cc).map(|o| o.id());
                        drop(cc);
                        let new = m.weak(m.roots[i]);
                        let expected = m
                            .values
                            .insert(key, new)
                            .filter(|&o| m.is_live(o))
                            .map(|o| o.target);
                        assert_eq!(
                            old,
                            expected,
                            "WeakValueDictionary::insert({key}) {}",
                            self.context()
                        );
                    }
                }
            }
            Op::ValueRemove(key) => {
                let key = key % VALUE_KEYS;
                let old = w.values.remove(&key).map(|o| o.id());
                let expected = m.values.remove(&key).filter(|&o| m.is_live(o)).map(|o| o.target);
                assert_eq!(
                    old,
                    expected,
                    "WeakValueDictionary::remove({key}) {}",
                    self.context()
                );
            }
            Op::KeyInsert { root, value } => {
                if let Some(i) = pick(w.roots.len(), root) {
                    if let Some(cc) = w.roots[i].as_dyn() {
                        let old = w.keys.insert(&cc, value);
                        drop(cc);
                        let id = m.roots[i];
                        let new = m.weak(id);
                        let expected = m
                            .keys
                            .insert(id, (new, value))
                            .filter(|&(o, _)| m.is_live(o))
                            .map(|(_, v)| v);
                        assert_eq!(
                            old,
                            expected,
                            "WeakKeyDictionary::insert({id}) {}",
                            self.context()
                        );
                    }
                }
            }
            Op::KeyRemove(root) => {
                if let Some(i) = pick(w.roots.len(), root) {
                    if let Some(cc) = w.roots[i].as_dyn() {
                        let old = w.keys.remove(&cc);
                        drop(cc);
                        let id = m.roots[i];
                        let expected = match m.keys.get(&id) {
                            Some(&(o, v)) if m.is_live(o) => {
                                m.keys.remove(&id);
                                Some(v)
                            }
                            _ => None,
                        };
                        assert_eq!(
                            old,
                            expected,
                            "WeakKeyDictionary::remove({id}) {}",
                            self.context()
                        );
                    }
                }
            }
            Op::SetInsert(root) => {
                if let Some(i) = pick(w.roots.len(), root) {
                    if let Some(cc) = w.roots[i].as_dyn() {
                        let added = w.set.insert(&cc);
                        drop(cc);
                        let id = m.roots[i];
                        let was = m.set.get(&id).is_some_and(|&o| m.is_live(o));
                        if !was {
                            let new = m.weak(id);
                            m.set.insert(id, new);
                        }
                        assert_eq!(added, !was, "WeakSet::insert({id}) {}", self.context());
                    }
                }
            }
            Op::SetRemove(root) => {
                if let Some(i) = pick(w.roots.len(), root) {
                    if let Some(cc) = w.roots[i].as_dyn() {
                        let removed = w.set.remove(&cc);
                        drop(cc);
                        let id = m.roots[i];
                        let was = m.set.get(&id).is_some_and(|&o| m.is_live(o));
                        if was {
                            m.set.remove(&id);
                        }
                        assert_eq!(removed, was, "WeakSet::remove({id}) {}", self.context());
                    }
                }
            }
        }

        // Replay the collections that ran, explicit or automatic.
        let collections = LOG.with(|l| std::mem::take(&mut l.borrow_mut().collections));
        if !expect_collections {
            assert!(
                collections.is_empty(),
                "{op:?} ran collections {collections:?} {}",
                self.context()
            );
        }
        if let Op::Collect(g) = op {
            let g = g as usize % 3;
            assert!(
                collections.len() == 1 && collections[0].0 == g,
                "collect_generation({g}) ran {collections:?} {}",
                self.context()
            );
        }
        for &(g, found) in &collections {
            let expected = self.model.collect(g);
            assert_eq!(
                found,
                expected,
                "collection of generation {g}: found {} ",
                self.context()
            );
        }

        // What the finalizers resurrected becomes roots, in id order on
        // both sides (the order finalizers run in is the collector's).
        let mut revived = REVIVED.take();
        revived.sort_by_key(Handle::id);
        self.model.revived.sort_unstable();
        let ids: Vec<usize> = revived.iter().map(Handle::id).collect();
        assert_eq!(ids, self.model.revived, "resurrected objects {}", self.context());
        self.world.roots.extend(revived);
        let revived = std::mem::take(&mut self.model.revived);
        self.model.roots.extend(revived);

        if collections.iter().any(|&(g, _)| g == 2) {
            let stray = self.model.unreachable_live();
            assert!(
                stray.is_empty(),
                "model: live after a full collection yet unreachable: {stray:?} {}",
                self.context()
            );
        }
        self.check();
    }

    /// Compares everything the world shows with the model.
    fn check(&self) {
        let (w, m) = (&self.world, &self.model);
        let ctx = || self.context();
        LOG.with(|l| {
            let l = l.borrow();
            for (id, o) in m.objs.iter().enumerate() {
                let drops = l.drops.get(id).copied().unwrap_or(0);
                assert_eq!(drops, o.dead as u32, "drops of object {id} ({o:?}) {}", ctx());
                let finalized = l.finalized.get(id).copied().unwrap_or(0);
                assert_eq!(
                    finalized,
                    o.finalized as u32,
                    "finalizer runs of object {id} ({o:?}) {}",
                    ctx()
                );
            }
            assert!(
                l.drops.len() <= m.objs.len(),
                "drops of unknown objects {:?} {}",
                l.drops,
                ctx()
            );
            let mut fired: Vec<usize> = l.fired.iter().map(|&(wid, _)| wid).collect();
            fired.sort_unstable();
            let mut expected = m.fired.clone();
            expected.sort_unstable();
            assert_eq!(fired, expected, "weak callbacks that ran {}", ctx());
            assert!(
                l.fired.iter().all(|&(_, cleared)| cleared),
                "a callback's weak reference upgraded {}",
                ctx()
            );
        });

        let roots: Vec<usize> = w.roots.iter().map(Handle::id).collect();
        assert_eq!(roots, m.roots, "roots {}", ctx());
        for h in &w.roots {
            let id = h.id();
            let o = &m.objs[id];
            assert_eq!(
                h.strong_count(),
                o.rc,
                "strong count of object {id} ({o:?}) {}",
                ctx()
            );
            assert_eq!(
                h.is_finalized(),
                o.finalized,
                "gc::is_finalized of object {id} {}",
                ctx()
            );
        }
        for (i, (wid, weak)) in w.weaks.iter().enumerate() {
            let mw = m.weaks[i];
            assert_eq!(*wid, mw.wid);
            assert_eq!(
                weak.upgrade().is_some(),
                m.is_live(mw.weak),
                "upgrade of weak {wid} to {} {}",
                mw.weak.target,
                ctx()
            );
        }

        let ids = |objects: Vec<cyclegc::AnyCc>| -> Vec<usize> {
            let mut ids: Vec<usize> = objects
                .iter()
                .map(|o| {
                    *w.ids
                        .get(&o.id())
                        .unwrap_or_else(|| panic!("gc shows an unknown object {o:?} {}", ctx()))
                })
                .collect();
            ids.sort_unstable();
            ids
        };
        for g in 0..3 {
            let expected: Vec<usize> = (0..m.objs.len())
                .filter(|&i| {
                    let o = &m.objs[i];
                    !o.dead && o.tracked() && !o.frozen && o.generation == g
                })
                .collect();
            assert_eq!(
                ids(gc::objects(Some(g))),
                expected,
                "gc::objects(Some({g})) {}",
                ctx()
            );
        }
        let frozen = m.objs.iter().filter(|o| !o.dead && o.frozen).count();
        assert_eq!(gc::freeze_count(), frozen, "gc::freeze_count {}", ctx());
        let mut garbage = m.garbage.clone();
        garbage.sort_unstable();
        assert_eq!(ids(gc::garbage()), garbage, "gc::garbage() {}", ctx());

        // The weak containers hold exactly the live entries.
        let mut values: Vec<(u8, usize)> = w.values.iter().map(|(&k, v)| (k, v.id())).collect();
        values.sort_unstable();
        let expected: Vec<(u8, usize)> = m
            .values
            .iter()
            .filter(|(_, &o)| m.is_live(o))
            .map(|(&k, o)| (k, o.target))
            .collect();
        assert_eq!(values, expected, "WeakValueDictionary entries {}", ctx());
        assert_eq!(
            w.values.len(),
            expected.len(),
            "WeakValueDictionary::len {}",
            ctx()
        );
        for k in 0..VALUE_KEYS {
            let got = w.values.get(&k).map(|o| o.id());
            let want = expected.iter().find(|&&(key, _)| key == k).map(|&(_, t)| t);
            assert_eq!(got, want, "WeakValueDictionary::get({k}) {}", ctx());
        }
        let mut keys: Vec<(usize, u8)> = w.keys.iter().map(|(k, &v)| (k.id(), v)).collect();
        keys.sort_unstable();
        let expected: Vec<(usize, u8)> = m
            .keys
            .iter()
            .filter(|(_, &(o, _))| m.is_live(o))
            .map(|(&id, &(_, v))| (id, v))
            .collect();
        assert_eq!(keys, expected, "WeakKeyDictionary entries {}", ctx());
        assert_eq!(w.keys.len(), expected.len(), "WeakKeyDictionary::len {}", ctx());
        let mut members: Vec<usize> = w.set.iter().map(|o| o.id()).collect();
        members.sort_unstable();
        let expected: Vec<usize> = m
            .set
            .iter()
            .filter(|(_, &o)| m.is_live(o))
            .map(|(&id, _)| id)
            .collect();
        assert_eq!(members, expected, "WeakSet members {}", ctx());
        assert_eq!(w.set.len(), expected.len(), "WeakSet::len {}", ctx());
        for h in &w.roots {
            if let Some(cc) = h.as_dyn() {
                let id = h.id();
                assert_eq!(
                    w.set.contains(&cc),
                    expected.contains(&id),
                    "WeakSet::contains({id}) {}",
                    ctx()
                );
                let want = m.keys.get(&id).filter(|(o, _)| m.is_live(*o)).map(|&(_, v)| v);
                assert_eq!(
                    w.keys.get(&cc).copied(),
                    want,
                    "WeakKeyDictionary::get({id}) {}",
                    ctx()
                );
            }
        }
    }

    /// Lets go of everything and collects until nothing is left: then
    /// every object must have been dropped exactly once.
    pub fn finish(mut self) {
        self.world.values.clear();
        self.world.keys.clear();
        self.world.set.clear();
        self.model.values.clear();
        self.model.keys.clear();
        self.model.set.clear();
        while !self.world.weaks.is_empty() {
            self.step(Op::DropWeak(0));
        }
        self.step(Op::SaveAll(false));
        self.step(Op::Unfreeze);
        // Resurrection gives back roots; each object resurrects at most
        // once, so this ends.
        for _ in 0..=self.model.objs.len() {
            self.step(Op::ClearGarbage);
            while !self.world.roots.is_empty() {
                self.step(Op::DropRoot(0));
            }
            self.step(Op::Collect(2));
            if self.world.roots.is_empty() {
                break;
            }
        }
        let alive: Vec<usize> = (0..self.model.objs.len())
            .filter(|&i| !self.model.objs[i].dead)
            .collect();
        assert!(
            alive.is_empty(),
            "model: objects left at the end: {alive:?} {}",
            self.context()
        );
        assert_eq!(
            gc::objects(None).len(),
            0,
            "objects left at the end {}",
            self.context()
        );
        gc::set_threshold(THRESHOLD.0, THRESHOLD.1, THRESHOLD.2);
    }
}

impl Default for Runner {
    fn default() -> Runner {
        Runner::new()
    }
}

/// Runs `ops` on cyclegc and on the model, comparing them after every
/// operation and at the end; panics at the first difference.
pub fn run(ops: &[Op]) {
    let mut runner = Runner::new();
    for &op in ops {
        runner.step(op);
    }
    runner.finish();
}
