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

mod graph;
mod objects;
mod ops;

use std::cell::RefCell;
use std::collections::HashMap;

use cyclegc::gc::{self, DebugFlags, Phase};
use cyclegc::weakref::{WeakKeyDictionary, WeakSet, WeakValueDictionary};
use cyclegc::Cc;

use graph::{MWeakRef, Model};
use objects::{Edges, Handle, Leaf, Log, Node, Obj, Phoenix, Slot, WeakHandle, LOG, REVIVED};
pub use ops::{decode, Form, Kind, Op, Revive, VALUE_KEYS};

// ---- the runner -------------------------------------------------------------

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
    /// Whether [`Runner::step`] compares everything after the operation
    /// (the teardown skips it between its many small drops).
    checking: bool,
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
            checking: true,
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
            Op::CollectBorrowed { root, generation } => {
                let (mut list, mut slot) = (None, None);
                if let Some(i) = pick(w.roots.len(), root) {
                    match w.roots[i].edges() {
                        Edges::List(l) => list = Some(l.borrow_mut()),
                        Edges::Slots(s) => slot = Some(s[0].edge.borrow_mut()),
                        Edges::None => {}
                    }
                }
                gc::collect_generation(generation as usize % 3);
                drop((list, slot));
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
        if let Op::Collect(g) | Op::CollectBorrowed { generation: g, .. } = op {
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
        if self.checking {
            self.check();
        }
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
        self.checking = false;
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
            self.checking = true;
            self.step(Op::Collect(2));
            self.checking = false;
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
