//! The plain model: a graph of object ids, with reference counts, roots
//! and the collector's rules (SPEC §5.1, §6, §7) applied by reachability.

use std::collections::BTreeMap;

use super::{Kind, Revive};

#[derive(Clone, Debug)]
pub(super) struct MObj {
    pub(super) kind: Kind,
    /// Targets; a node's list has no `None`, a slice's slots may.
    pub(super) edges: Vec<Option<usize>>,
    /// Strong references: roots, edges of objects whose value is not
    /// dropped, resurrections, saved garbage.
    pub(super) rc: usize,
    pub(super) dead: bool,
    pub(super) finalized: bool,
    pub(super) generation: usize,
    pub(super) frozen: bool,
    /// How many times the object's weak references were cleared; a weak
    /// reference made when this was `n` upgrades while it is still `n`.
    pub(super) weak_gen: u32,
}

impl MObj {
    pub(super) fn tracked(&self) -> bool {
        self.kind != Kind::Leaf
    }
    pub(super) fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.edges.iter().flatten().copied()
    }
}

/// A weak reference (or a weak container's entry) in the model.
#[derive(Clone, Copy, Debug)]
pub(super) struct MWeak {
    pub(super) target: usize,
    pub(super) weak_gen: u32,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct MWeakRef {
    pub(super) wid: usize,
    pub(super) weak: MWeak,
    pub(super) callback: bool,
}

/// The plain model: a graph of object ids.
#[derive(Default)]
pub struct Model {
    pub(super) objs: Vec<MObj>,
    pub(super) roots: Vec<usize>,
    /// Resurrected by finalizers during the current operation.
    pub(super) revived: Vec<usize>,
    pub(super) garbage: Vec<usize>,
    pub(super) weaks: Vec<MWeakRef>,
    /// Weak references whose callback ran.
    pub(super) fired: Vec<usize>,
    pub(super) values: BTreeMap<u8, MWeak>,
    pub(super) keys: BTreeMap<usize, (MWeak, u8)>,
    pub(super) set: BTreeMap<usize, MWeak>,
    pub(super) saveall: bool,
}

impl Model {
    pub(super) fn is_live(&self, w: MWeak) -> bool {
        let o = &self.objs[w.target];
        !o.dead && o.weak_gen == w.weak_gen
    }

    pub(super) fn weak(&self, target: usize) -> MWeak {
        MWeak {
            target,
            weak_gen: self.objs[target].weak_gen,
        }
    }

    pub(super) fn new_object(&mut self, kind: Kind) -> usize {
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
    pub(super) fn clear_weaks(&mut self, id: usize) {
        let old = self.objs[id].weak_gen;
        self.objs[id].weak_gen += 1;
        for w in &self.weaks {
            if w.callback && w.weak.target == id && w.weak.weak_gen == old {
                self.fired.push(w.wid);
            }
        }
    }

    /// Runs `id`'s finalizer if it has one that has not run; true if it ran.
    pub(super) fn run_finalizer(&mut self, id: usize) -> bool {
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
    pub(super) fn release(&mut self, id: usize) {
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
            // if it resurrected, nothing else happens, except that, as in
            // CPython's `subtype_dealloc`, the object was tracked anew for
            // its finalizer: it is young again (and no longer frozen).
            if self.run_finalizer(id) && self.objs[id].rc > 0 {
                let o = &mut self.objs[id];
                if o.tracked() {
                    o.generation = 0;
                    o.frozen = false;
                }
                continue;
            }
            self.clear_weaks(id);
            self.objs[id].dead = true;
            work.extend(self.objs[id].targets());
        }
    }

    /// The objects reachable from `sources`, following edges only out of
    /// objects `within` allows.
    pub(super) fn reach(
        &self,
        sources: impl IntoIterator<Item = usize>,
        within: impl Fn(usize) -> bool,
    ) -> Vec<bool> {
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
    pub(super) fn collect(&mut self, g: usize) -> usize {
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
    pub(super) fn unreachable_live(&self) -> Vec<usize> {
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
