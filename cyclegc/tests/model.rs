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
    fn cyclegc_agrees_with_the_model(ops in prop::collection::vec(op(), 1..160)) {
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
