//! Differential test of the collector against a model of the object graph.
//!
//! A seeded random sequence of operations builds and mutates a graph of
//! `Node`s (create, add/remove/replace edges, drop and clone root handles,
//! partial and full collections) while a plain adjacency list mirrors it.
//! The model decides which nodes are alive: exactly those reachable from
//! the held root handles. Checked throughout:
//!
//! - after every operation, no node reachable in the model has been
//!   dropped (the worst bug a collector can have), and no node was ever
//!   dropped twice;
//! - after every full `gc::collect()`, exactly the reachable nodes are
//!   alive, every other node created so far was dropped exactly once,
//!   `collect` returned the number of dead-but-undropped nodes (the
//!   garbage cycles and what hung from them), the counts are reset, the
//!   real graph still has the model's edges and strong counts, and a second
//!   `gc::collect()` finds nothing;
//! - at the end, once every root is dropped, every node was dropped once.
//!
//! Failures print the configuration, the seed and the step; rerun one seed
//! with `CYCLEGC_DIFF_SEED=<seed>` (and `CYCLEGC_DIFF_STEPS=<n>`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cyclegc::{gc, Cc, Trace, Tracer, Weak};

/// Operations per seed.
const STEPS: usize = 20_000;
/// Seeds per configuration.
const SEEDS: u64 = 3;
/// Steps per stretch with explicit collections, then without.
const QUIET_EVERY: usize = 2_500;
/// Most root slots held at once.
const MAX_SLOTS: usize = 24;

// ---- the PRNG -------------------------------------------------------------

/// SplitMix64: tiny, good enough, and no external crate.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`; `n > 0`.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent / 100`.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

// ---- the nodes ------------------------------------------------------------

/// How many times each node id was dropped.
struct DropLog {
    counts: RefCell<Vec<u32>>,
    /// The first id dropped a second time, if any.
    twice: Cell<Option<usize>>,
}

struct Node {
    id: usize,
    edges: RefCell<Vec<Cc<Node>>>,
    log: Rc<DropLog>,
}

// SAFETY: `edges` holds every `Cc` the node owns; `log` holds none.
unsafe impl Trace for Node {
    fn trace(&self, t: &mut Tracer<'_>) {
        self.edges.trace(t);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let mut counts = self.log.counts.borrow_mut();
        counts[self.id] += 1;
        if counts[self.id] > 1 && self.log.twice.get().is_none() {
            self.log.twice.set(Some(self.id));
        }
    }
}

// ---- configurations -------------------------------------------------------

/// How automatic collection is set up for a run.
#[derive(Clone, Copy, Debug)]
enum Auto {
    /// `gc::set_threshold(t0, t1, t2)` with collection enabled.
    Threshold(usize, usize, usize),
    /// Default thresholds, `gc::disable()`.
    Disabled,
}

impl Auto {
    fn apply(self) {
        match self {
            Auto::Threshold(t0, t1, t2) => {
                gc::enable();
                gc::set_threshold(t0, t1, t2);
            }
            Auto::Disabled => {
                gc::set_threshold(700, 10, 10);
                gc::disable();
            }
        }
    }

    /// Whether no automatic collection can run.
    fn is_off(self) -> bool {
        matches!(self, Auto::Disabled | Auto::Threshold(0, _, _))
    }

    fn restore() {
        gc::set_threshold(700, 10, 10);
        gc::enable();
    }
}

// ---- one run --------------------------------------------------------------

struct Run {
    auto: Auto,
    seed: u64,
    step: Rc<Cell<usize>>,
    rng: Rng,
    log: Rc<DropLog>,
    /// The held handles: the roots of the graph.
    slots: Vec<Option<Cc<Node>>>,
    /// The model of `slots`: which id each one holds.
    slot_ids: Vec<Option<usize>>,
    /// The model of the graph: `model[id]` lists the targets of `id`'s
    /// edges, in the order of its `edges` vector.
    model: Vec<Vec<usize>>,
    /// A weak handle to every node, in half of the runs.
    weaks: Option<Vec<Weak<Node>>>,
    /// Scratch marks for `reachable_ids`: `mark[id] == stamp` means seen.
    mark: RefCell<Vec<u32>>,
    stamp: Cell<u32>,
    /// Explicit collections per generation, to tell them from automatic ones.
    explicit: [usize; 3],
    full_collections: usize,
}

/// Prints where a run panicked (a failed assertion already says so, but a
/// panic inside the library, like a dereference of a dropped value, does
/// not).
struct ReportOnPanic {
    auto: Auto,
    seed: u64,
    step: Rc<Cell<usize>>,
}

impl Drop for ReportOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "differential: panicked in config {:?}, seed {:#x}, step {} \
                 (rerun with CYCLEGC_DIFF_SEED={:#x})",
                self.auto,
                self.seed,
                self.step.get(),
                self.seed
            );
        }
    }
}

impl Run {
    fn new(auto: Auto, seed: u64, with_weaks: bool) -> Run {
        Run {
            auto,
            seed,
            step: Rc::new(Cell::new(0)),
            rng: Rng(seed),
            log: Rc::new(DropLog {
                counts: RefCell::new(Vec::new()),
                twice: Cell::new(None),
            }),
            slots: Vec::new(),
            slot_ids: Vec::new(),
            model: Vec::new(),
            weaks: with_weaks.then(Vec::new),
            mark: RefCell::new(Vec::new()),
            stamp: Cell::new(0),
            explicit: [0; 3],
            full_collections: 0,
        }
    }

    /// Where we are, for assertion messages.
    fn at(&self) -> String {
        format!(
            "[config {:?}, seed {:#x}, step {}, weaks {}]",
            self.auto,
            self.seed,
            self.step.get(),
            self.weaks.is_some()
        )
    }

    /// The ids reachable in the model from the held roots, in time
    /// proportional to their number (not to all nodes ever created).
    fn reachable_ids(&self) -> Vec<usize> {
        let stamp = self.stamp.get() + 1;
        self.stamp.set(stamp);
        let mut mark = self.mark.borrow_mut();
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.slot_ids.iter().flatten().copied().collect();
        while let Some(id) = stack.pop() {
            if mark[id] != stamp {
                mark[id] = stamp;
                out.push(id);
                stack.extend(self.model[id].iter().copied().filter(|&t| mark[t] != stamp));
            }
        }
        out
    }

    /// `reachable[id]`: whether `id` is reachable in the model.
    fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.model.len()];
        for id in self.reachable_ids() {
            seen[id] = true;
        }
        seen
    }

    /// Allocates the next node (the collector may run an automatic
    /// collection inside `Cc::new`).
    fn new_node(&mut self) -> (usize, Node) {
        let id = self.model.len();
        self.model.push(Vec::new());
        self.mark.get_mut().push(0);
        self.log.counts.borrow_mut().push(0);
        let node = Node {
            id,
            edges: RefCell::new(Vec::new()),
            log: self.log.clone(),
        };
        (id, node)
    }

    fn watch(&mut self, cc: &Cc<Node>) {
        if let Some(weaks) = &mut self.weaks {
            assert_eq!(weaks.len(), cc.id);
            weaks.push(Cc::downgrade(cc));
        }
    }

    /// Stores a handle in a random slot: an empty one, a new one, or over
    /// an occupied one (dropping what it held).
    fn store(&mut self, id: usize, cc: Cc<Node>) {
        let empty: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_none())
            .collect();
        let i = if !empty.is_empty() && self.rng.percent(70) {
            empty[self.rng.below(empty.len())]
        } else if self.slots.len() < MAX_SLOTS {
            self.slots.push(None);
            self.slot_ids.push(None);
            self.slots.len() - 1
        } else {
            self.rng.below(self.slots.len())
        };
        self.slot_ids[i] = Some(id);
        // The old handle is dropped here, after the model was updated.
        let old = self.slots[i].replace(cc);
        drop(old);
    }

    fn occupied_slot(&mut self) -> Option<usize> {
        let full: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_some())
            .collect();
        (!full.is_empty()).then(|| full[self.rng.below(full.len())])
    }

    /// A handle to a random live node: a root, then a short random walk
    /// along its edges, checked against the model at every step.
    fn pick_live(&mut self) -> Option<(usize, Cc<Node>)> {
        let slot = self.occupied_slot()?;
        let mut id = self.slot_ids[slot].unwrap();
        let mut cur = self.slots[slot].clone().unwrap();
        assert_eq!(cur.id, id, "{} root slot {slot} holds the wrong node", self.at());
        for _ in 0..self.rng.below(8) {
            let n = self.model[id].len();
            if n == 0 {
                break;
            }
            let k = self.rng.below(n);
            let next = cur.edges.borrow()[k].clone();
            let expected = self.model[id][k];
            assert_eq!(
                next.id,
                expected,
                "{} edge {k} of node {id} leads to the wrong node",
                self.at()
            );
            id = expected;
            cur = next;
        }
        Some((id, cur))
    }

    /// A live node with at least one edge, if one turns up quickly.
    fn pick_live_with_edges(&mut self) -> Option<(usize, Cc<Node>)> {
        for _ in 0..8 {
            let (id, cc) = self.pick_live()?;
            if !self.model[id].is_empty() {
                return Some((id, cc));
            }
        }
        None
    }

    // ---- operations ----

    fn op_create_root(&mut self) {
        let (id, node) = self.new_node();
        let cc = Cc::new(node);
        self.watch(&cc);
        self.store(id, cc);
    }

    /// Allocates a node while the parent's `RefCell` is mutably borrowed,
    /// so that an automatic collection inside `Cc::new` finds the parent
    /// untraceable.
    fn op_create_child(&mut self) {
        let Some((parent_id, parent)) = self.pick_live() else {
            return self.op_create_root();
        };
        let (id, node) = self.new_node();
        self.model[parent_id].push(id);
        {
            let mut edges = parent.edges.borrow_mut();
            edges.push(Cc::new(node));
        }
        let child = parent.edges.borrow().last().unwrap().clone();
        self.watch(&child);
    }

    /// Creates a run of `1..=300` new nodes hanging off a live node, each
    /// pointing to the previous one and sometimes back into the run or to
    /// another live node: bulk allocation that crosses the automatic
    /// thresholds while a fresh structure is half built.
    fn op_burst(&mut self) {
        let Some((anchor_id, anchor)) = self.pick_live() else {
            return self.op_create_root();
        };
        let other = self.pick_live();
        let k = 1 + self.rng.below(300);
        let mut ids = Vec::with_capacity(k);
        let mut prev = anchor;
        let mut prev_id = anchor_id;
        for _ in 0..k {
            let (id, node) = self.new_node();
            let cc = Cc::new(node);
            self.watch(&cc);
            self.model[prev_id].push(id);
            prev.edges.borrow_mut().push(cc.clone());
            ids.push((id, cc.clone()));
            if self.rng.percent(10) {
                let (back_id, back) = ids[self.rng.below(ids.len())].clone();
                self.model[id].push(back_id);
                cc.edges.borrow_mut().push(back);
            }
            if let Some((o_id, o)) = &other {
                if self.rng.percent(3) {
                    self.model[id].push(*o_id);
                    cc.edges.borrow_mut().push(o.clone());
                }
            }
            prev = cc;
            prev_id = id;
        }
    }

    fn op_add_edge(&mut self) {
        let (Some((a_id, a)), Some((b_id, b))) = (self.pick_live(), self.pick_live()) else {
            return;
        };
        self.model[a_id].push(b_id);
        a.edges.borrow_mut().push(b);
    }

    fn op_remove_edge(&mut self) {
        let Some((id, node)) = self.pick_live_with_edges() else {
            return;
        };
        let k = self.rng.below(self.model[id].len());
        let removed = if self.rng.percent(50) {
            self.model[id].remove(k);
            node.edges.borrow_mut().remove(k)
        } else {
            self.model[id].swap_remove(k);
            node.edges.borrow_mut().swap_remove(k)
        };
        // Dropped after the borrow ended; may free a whole subgraph.
        drop(removed);
    }

    /// Overwrites an edge in place: the old target is dropped while the
    /// node's `RefCell` is still mutably borrowed.
    fn op_replace_edge(&mut self) {
        let Some((a_id, a)) = self.pick_live_with_edges() else {
            return;
        };
        let Some((b_id, b)) = self.pick_live() else {
            return;
        };
        let k = self.rng.below(self.model[a_id].len());
        self.model[a_id][k] = b_id;
        a.edges.borrow_mut()[k] = b;
    }

    fn op_clear_edges(&mut self) {
        let Some((id, node)) = self.pick_live() else {
            return;
        };
        self.model[id].clear();
        let old = std::mem::take(&mut *node.edges.borrow_mut());
        drop(old);
    }

    fn op_drop_root(&mut self) {
        let Some(i) = self.occupied_slot() else {
            return;
        };
        self.slot_ids[i] = None;
        let old = self.slots[i].take();
        drop(old);
    }

    fn op_clone_root(&mut self) {
        let Some(i) = self.occupied_slot() else {
            return;
        };
        let id = self.slot_ids[i].unwrap();
        let cc = self.slots[i].clone().unwrap();
        self.store(id, cc);
    }

    /// The number of nodes that are dead in the model but not dropped yet.
    fn undropped_garbage(&self, reachable: &[bool]) -> usize {
        let counts = self.log.counts.borrow();
        (0..self.model.len())
            .filter(|&id| !reachable[id] && counts[id] == 0)
            .count()
    }

    fn total_drops(&self) -> u64 {
        self.log.counts.borrow().iter().map(|&c| u64::from(c)).sum()
    }

    fn op_collect_generation(&mut self) {
        let g = self.rng.below(3);
        if g == 2 {
            return self.op_full_collect();
        }
        let reachable = self.reachable();
        let garbage = self.undropped_garbage(&reachable);
        let (c0, c1, c2) = gc::count();
        let drops_before = self.total_drops();
        let found = gc::collect_generation(g);
        self.explicit[g] += 1;
        let dropped = (self.total_drops() - drops_before) as usize;
        let at = self.at();
        assert!(
            found <= garbage,
            "{at} collect_generation({g}) found {found} unreachable objects, but only {garbage} nodes are garbage"
        );
        // Each object found is dropped; objects of older generations that
        // only the garbage held are then freed by reference counting.
        assert!(
            dropped >= found,
            "{at} collect_generation({g}) found {found} but dropped only {dropped}"
        );
        let expected = if g == 0 { (0, c1 + 1, c2) } else { (0, 0, c2 + 1) };
        assert_eq!(
            gc::count(),
            expected,
            "{at} gc::count() after collect_generation({g}), before ({c0}, {c1}, {c2})"
        );
    }

    fn op_full_collect(&mut self) {
        let reachable = self.reachable();
        let garbage = self.undropped_garbage(&reachable);
        let stats_before = gc::stats();
        let found = gc::collect();
        self.explicit[2] += 1;
        self.full_collections += 1;
        let at = self.at();
        assert_eq!(
            found, garbage,
            "{at} gc::collect() returned {found}, but {garbage} nodes were unreachable and not yet dropped"
        );
        assert_eq!(
            gc::count(),
            (0, 0, 0),
            "{at} gc::count() right after gc::collect()"
        );
        let stats = gc::stats();
        assert_eq!(
            stats[2].collections,
            stats_before[2].collections + 1,
            "{at} stats[2].collections"
        );
        assert_eq!(
            stats[2].collected,
            stats_before[2].collected + found,
            "{at} stats[2].collected"
        );
        self.check_exact(&reachable);
        assert_eq!(
            gc::collect(),
            0,
            "{at} a second gc::collect() right after the first found garbage"
        );
        self.explicit[2] += 1;
    }

    // ---- checks ----

    /// After every operation: nothing reachable was dropped, nothing was
    /// dropped twice, and weak handles to reachable nodes upgrade. Returns
    /// the number of reachable nodes.
    fn check_reachable_alive(&self) -> usize {
        if let Some(id) = self.log.twice.get() {
            panic!("{} node {id} was dropped twice", self.at());
        }
        let reachable = self.reachable_ids();
        let counts = self.log.counts.borrow();
        for &id in &reachable {
            assert_eq!(
                counts[id],
                0,
                "{} node {id} is reachable from the roots but was DROPPED",
                self.at()
            );
        }
        drop(counts);
        if let Some(weaks) = &self.weaks {
            for &id in &reachable {
                assert!(
                    weaks[id].upgrade().is_some(),
                    "{} weak handle to reachable node {id} does not upgrade",
                    self.at()
                );
            }
        }
        reachable.len()
    }

    /// After a full collection: exactly the reachable nodes are alive, the
    /// real graph matches the model, and strong counts are exact.
    fn check_exact(&self, reachable: &[bool]) {
        let at = self.at();
        {
            let counts = self.log.counts.borrow();
            for (id, &r) in reachable.iter().enumerate() {
                let expected = if r { 0 } else { 1 };
                assert_eq!(
                    counts[id], expected,
                    "{at} after gc::collect(), node {id} (reachable: {r}) was dropped {} times",
                    counts[id]
                );
            }
        }
        if let Some(weaks) = &self.weaks {
            for (id, w) in weaks.iter().enumerate() {
                assert_eq!(
                    w.upgrade().is_some(),
                    reachable[id],
                    "{at} after gc::collect(), weak handle to node {id} (reachable: {})",
                    reachable[id]
                );
            }
        }

        // Walk the real graph from the real roots, holding exactly one
        // extra handle to each node found.
        let mut found: Vec<Option<Cc<Node>>> = (0..self.model.len()).map(|_| None).collect();
        let mut stack = Vec::new();
        for (slot, cc) in self.slots.iter().enumerate() {
            if let Some(cc) = cc {
                assert_eq!(Some(cc.id), self.slot_ids[slot], "{at} slot {slot}");
                stack.push(cc.clone());
            }
        }
        while let Some(cc) = stack.pop() {
            let id = cc.id;
            if found[id].is_some() {
                continue;
            }
            let edges: Vec<usize> = cc.edges.borrow().iter().map(|e| e.id).collect();
            assert_eq!(
                edges, self.model[id],
                "{at} edges of node {id} differ from the model"
            );
            stack.extend(
                cc.edges
                    .borrow()
                    .iter()
                    .filter(|e| found[e.id].is_none())
                    .cloned(),
            );
            found[id] = Some(cc);
        }
        let mut indegree = vec![0_usize; self.model.len()];
        for (id, targets) in self.model.iter().enumerate() {
            if reachable[id] {
                for &t in targets {
                    indegree[t] += 1;
                }
            }
        }
        for &id in self.slot_ids.iter().flatten() {
            indegree[id] += 1;
        }
        for (id, cc) in found.iter().enumerate() {
            assert_eq!(
                cc.is_some(),
                reachable[id],
                "{at} node {id}: found by walking the real graph?"
            );
            if let Some(cc) = cc {
                assert_eq!(
                    Cc::strong_count(cc),
                    indegree[id] + 1,
                    "{at} strong count of node {id}"
                );
                assert!(gc::is_tracked(cc), "{at} live node {id} is not tracked");
            }
        }
    }

    fn run(&mut self, steps: usize) {
        let _report = ReportOnPanic {
            auto: self.auto,
            seed: self.seed,
            step: self.step.clone(),
        };
        gc::collect();
        self.auto.apply();
        let stats_before = gc::stats();
        let mut max_reachable = 0;

        for step in 0..steps {
            self.step.set(step);
            let roots = self.slots.iter().flatten().count();
            // Drop roots more often when many are held, so the graph keeps
            // turning over instead of growing without bound.
            let drop_bias = if roots > MAX_SLOTS / 2 { 100 } else { 0 };
            let mut r = self.rng.below(1000 + drop_bias);
            // Every other stretch of steps makes no explicit collection, so
            // that the default threshold is crossed and automatic
            // collections run on a graph that is changing under them.
            let quiet = (step / QUIET_EVERY) % 2 == 1;
            if quiet && (980..=999).contains(&r) {
                r = 260; // add an edge instead
            }
            match r {
                0..=149 => self.op_create_root(),
                150..=249 => self.op_create_child(),
                250..=259 => self.op_burst(),
                260..=479 => self.op_add_edge(),
                480..=599 => self.op_remove_edge(),
                600..=659 => self.op_replace_edge(),
                660..=689 => self.op_clear_edges(),
                690..=829 => self.op_drop_root(),
                830..=979 => self.op_clone_root(),
                980..=994 => self.op_collect_generation(),
                995..=999 => self.op_full_collect(),
                _ => self.op_drop_root(),
            }
            max_reachable = max_reachable.max(self.check_reachable_alive());
        }
        self.step.set(steps);
        self.op_full_collect();

        // Automatic collections happened exactly when they should.
        let stats = gc::stats();
        let runs: Vec<usize> = (0..3)
            .map(|g| stats[g].collections - stats_before[g].collections)
            .collect();
        let at = self.at();
        if self.auto.is_off() {
            for (g, (&ran, &explicit)) in runs.iter().zip(&self.explicit).enumerate() {
                assert_eq!(
                    ran, explicit,
                    "{at} automatic collection of generation {g} while off"
                );
            }
        } else if matches!(self.auto, Auto::Threshold(1, _, _)) {
            assert!(
                runs.iter().sum::<usize>() > self.explicit.iter().sum::<usize>(),
                "{at} threshold 1 but no automatic collection ran"
            );
        }

        // The end: drop every root; everything goes.
        self.slots.clear();
        self.slot_ids.clear();
        let reachable = self.reachable();
        assert!(reachable.iter().all(|&r| !r));
        let garbage = self.undropped_garbage(&reachable);
        let found = gc::collect();
        assert_eq!(
            found, garbage,
            "{at} final gc::collect() after dropping every root"
        );
        let counts = self.log.counts.borrow();
        for (id, &c) in counts.iter().enumerate() {
            assert_eq!(c, 1, "{at} at the end, node {id} was dropped {c} times");
        }
        drop(counts);
        assert_eq!(gc::collect(), 0, "{at} garbage found after the final collection");
        if let Some(weaks) = &self.weaks {
            assert!(
                weaks.iter().all(|w| w.upgrade().is_none()),
                "{at} a weak handle outlived its node"
            );
        }
        eprintln!(
            "differential: config {:?} seed {:#x}: {} nodes (at most {max_reachable} alive), {} full collections, collections per generation {:?} ({:?} explicit)",
            self.auto,
            self.seed,
            self.model.len(),
            self.full_collections,
            runs,
            self.explicit
        );
        Auto::restore();
    }
}

/// Runs every seed (or the one in `CYCLEGC_DIFF_SEED`) under `auto`.
fn differential(auto: Auto, salt: u64) {
    let steps = std::env::var("CYCLEGC_DIFF_STEPS")
        .ok()
        .map(|s| s.parse().expect("CYCLEGC_DIFF_STEPS must be a number"))
        .unwrap_or(STEPS);
    let seeds: Vec<u64> = match std::env::var("CYCLEGC_DIFF_SEED") {
        Ok(s) => {
            let s = s.trim();
            let seed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            vec![seed.expect("CYCLEGC_DIFF_SEED must be a number (decimal or 0x hex)")]
        }
        // Odd and even seeds alternate (see `with_weaks`).
        Err(_) => (0..SEEDS)
            .map(|i| Rng(salt.wrapping_mul(0x1000_0000_01B3) ^ i).next_u64() & !1 | i & 1)
            .collect(),
    };
    for seed in seeds {
        // Odd seeds keep a weak handle to every node: then the blocks of
        // dropped nodes stay allocated, and weak clearing is checked too.
        let with_weaks = seed & 1 == 1;
        Run::new(auto, seed, with_weaks).run(steps);
    }
}

#[test]
fn threshold_1_1_1() {
    differential(Auto::Threshold(1, 1, 1), 1);
}

#[test]
fn threshold_5_2_2() {
    differential(Auto::Threshold(5, 2, 2), 2);
}

#[test]
fn threshold_default() {
    differential(Auto::Threshold(700, 10, 10), 3);
}

#[test]
fn threshold_zero_is_off() {
    differential(Auto::Threshold(0, 10, 10), 4);
}

#[test]
fn disabled() {
    differential(Auto::Disabled, 5);
}
