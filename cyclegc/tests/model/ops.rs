//! The operation language: what a test case or a fuzz input is made of.

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
    /// `gc::collect_generation(generation % 3)` while the root's edges (a
    /// slice's first slot) are mutably borrowed: SPEC §4 says the object
    /// then counts as referenced from outside, which a root is anyway, so
    /// the model's answer is the same; the collector's path is not.
    CollectBorrowed { root: u8, generation: u8 },
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
        let op = match b.byte() % 33 {
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
            31 => Op::SetRemove(b.byte()),
            _ => Op::CollectBorrowed {
                root: b.byte(),
                generation: b.byte() % 3,
            },
        };
        ops.push(op);
    }
    ops
}
