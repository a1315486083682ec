//! Model-based property tests (issue 9): random sequences over the whole
//! operation language of [`model`] run on cyclegc and on a plain model of
//! the object graph, compared after every operation. `model/mod.rs` says
//! what the language is and what is checked; the fuzzer in `fuzz/` drives
//! the same language from bytes.
//!
//! `PROPTEST_CASES=<n>` runs more (or fewer) cases than the default 256.
//! Shrunk failures become the named regression tests at the end.

#[path = "model/mod.rs"]
mod model;

use model::{Form, Kind, Op, Revive};
use proptest::prelude::*;

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![Just(Form::Same), Just(Form::Dyn), Just(Form::Closure)]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::Node),
        2 => prop_oneof![Just(Revive::Nothing), Just(Revive::Itself), Just(Revive::FirstEdge)].prop_map(Kind::Phoenix),
        1 => Just(Kind::Leaf),
        1 => (1u8..=3).prop_map(Kind::Slice),
    ]
}

/// Roots, weak references and keys are picked modulo how many there are;
/// small numbers keep shrunk cases readable.
fn index() -> impl Strategy<Value = u8> {
    0u8..16
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => kind().prop_map(Op::New),
        10 => (index(), index(), form(), 0u8..3).prop_map(|(from, to, form, slot)| Op::Link { from, to, form, slot }),
        3 => (index(), 0u8..3).prop_map(|(from, slot)| Op::Unlink { from, slot }),
        2 => (index(), form()).prop_map(|(root, form)| Op::CloneRoot { root, form }),
        6 => index().prop_map(Op::DropRoot),
        3 => (index(), any::<bool>()).prop_map(|(root, callback)| Op::Downgrade { root, callback }),
        2 => index().prop_map(Op::Upgrade),
        1 => index().prop_map(Op::DropWeak),
        4 => (0u8..3).prop_map(Op::Collect),
        1 => (index(), 0u8..3).prop_map(|(root, generation)| Op::CollectBorrowed { root, generation }),
        3 => (0u8..10, 0u8..4, 0u8..4).prop_map(|(a, b, c)| Op::SetThreshold(a, b, c)),
        1 => Just(Op::Freeze),
        1 => Just(Op::Unfreeze),
        1 => any::<bool>().prop_map(Op::SaveAll),
        1 => Just(Op::ClearGarbage),
        1 => (0..model::VALUE_KEYS, index()).prop_map(|(key, root)| Op::ValueInsert { key, root }),
        1 => (0..model::VALUE_KEYS).prop_map(Op::ValueRemove),
        1 => (index(), any::<u8>()).prop_map(|(root, value)| Op::KeyInsert { root, value }),
        1 => index().prop_map(Op::KeyRemove),
        1 => index().prop_map(Op::SetInsert),
        1 => index().prop_map(Op::SetRemove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Shrinking runs each candidate in full; a few thousand are plenty.
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    })]

    #[test]
    fn cyclegc_agrees_with_the_model(ops in prop::collection::vec(op(), 1..320)) {
        model::run(&ops);
    }
}

#[test]
fn the_decoder_of_the_fuzzer_runs_on_the_model() {
    // Every selector byte, with arguments that make cycles and collect them.
    let bytes: Vec<u8> = (0u8..=255).flat_map(|b| [b, b / 3, b % 7, b / 5]).collect();
    model::run(&model::decode(&bytes));
}

/// Replays a fuzzer input: `CYCLEGC_MODEL_INPUT=fuzz/artifacts/model/crash-...
/// cargo test -p cyclegc --test model replay -- --nocapture` prints its
/// operations (to paste into a named regression test below) and runs them.
/// Without the variable it does nothing.
#[test]
fn replay_a_fuzz_input() {
    let Some(path) = std::env::var_os("CYCLEGC_MODEL_INPUT") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("CYCLEGC_MODEL_INPUT names a readable file");
    let ops = model::decode(&bytes);
    println!("{ops:?}");
    model::run(&ops);
}

// ---- scenarios --------------------------------------------------------------
//
// Named sequences of the language for the behaviours the model encodes
// most carefully; each is checked after every step like a random case.
// Regression tests for shrunk failures go here too.

use Op::*;

#[test]
fn a_finalizer_that_revives_a_cycle_member_keeps_all_it_reaches() {
    // P -> A -> P; P's finalizer stores A: the collection finds two
    // unreachable objects and frees neither (collect returns 0), and both
    // weak references are cleared all the same (CPython's handle_weakrefs
    // comes before finalize_garbage).
    model::run(&[
        New(Kind::Phoenix(Revive::FirstEdge)),
        New(Kind::Node),
        Link {
            from: 0,
            to: 1,
            form: Form::Same,
            slot: 0,
        },
        Link {
            from: 1,
            to: 0,
            form: Form::Dyn,
            slot: 0,
        },
        Downgrade {
            root: 0,
            callback: true,
        },
        Downgrade {
            root: 1,
            callback: false,
        },
        DropRoot(0),
        DropRoot(0),
        Collect(2),
        Upgrade(0),
        Upgrade(1),
    ]);
}

#[test]
fn a_revived_object_is_freed_by_the_next_collection_without_its_finalizer() {
    model::run(&[
        New(Kind::Phoenix(Revive::Itself)),
        Link {
            from: 0,
            to: 0,
            form: Form::Closure,
            slot: 0,
        },
        DropRoot(0),
        Collect(2),
        DropRoot(0),
        Collect(2),
    ]);
}

#[test]
fn saveall_keeps_the_garbage_alive_and_clears_its_weak_references() {
    model::run(&[
        New(Kind::Node),
        New(Kind::Leaf),
        Link {
            from: 0,
            to: 0,
            form: Form::Same,
            slot: 0,
        },
        Link {
            from: 0,
            to: 1,
            form: Form::Dyn,
            slot: 0,
        },
        Downgrade {
            root: 0,
            callback: true,
        },
        ValueInsert { key: 0, root: 0 },
        SaveAll(true),
        DropRoot(0),
        DropRoot(0),
        Collect(2),
        Upgrade(0),
        ClearGarbage,
        SaveAll(false),
        Collect(2),
    ]);
}

#[test]
fn a_frozen_cycle_waits_for_unfreeze() {
    model::run(&[
        New(Kind::Slice(2)),
        Link {
            from: 0,
            to: 0,
            form: Form::Closure,
            slot: 1,
        },
        Freeze,
        DropRoot(0),
        Collect(2),
        Unfreeze,
        Collect(1),
        Collect(2),
    ]);
}

#[test]
fn a_young_collection_leaves_cycles_that_older_objects_hold() {
    // A survives a young collection into generation 1; the new cycle B <-> C
    // hangs from A, so collecting generation 0 keeps it, and dropping A
    // leaves a three-object cycle that only a collection of generation 1
    // or 2 finds.
    model::run(&[
        New(Kind::Node),
        Collect(0),
        New(Kind::Node),
        New(Kind::Phoenix(Revive::Nothing)),
        Link {
            from: 1,
            to: 2,
            form: Form::Same,
            slot: 0,
        },
        Link {
            from: 2,
            to: 1,
            form: Form::Same,
            slot: 0,
        },
        Link {
            from: 0,
            to: 1,
            form: Form::Dyn,
            slot: 0,
        },
        Link {
            from: 1,
            to: 0,
            form: Form::Same,
            slot: 0,
        },
        DropRoot(1),
        DropRoot(1),
        Collect(0),
        DropRoot(0),
        Collect(0),
        Collect(1),
    ]);
}

#[test]
fn automatic_collections_free_what_the_model_expects() {
    let mut ops = vec![SetThreshold(1, 0, 1)];
    for i in 0..40u8 {
        ops.push(New(if i % 5 == 0 {
            Kind::Phoenix(Revive::FirstEdge)
        } else {
            Kind::Node
        }));
        ops.push(Link {
            from: i,
            to: i / 2,
            form: Form::Same,
            slot: 0,
        });
        ops.push(Link {
            from: i / 2,
            to: i,
            form: Form::Closure,
            slot: 0,
        });
        if i % 3 == 0 {
            ops.push(DropRoot(i / 2));
        }
    }
    model::run(&ops);
}
