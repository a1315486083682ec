//! Drives the operation language of cyclegc's model-based tests from
//! bytes: each input decodes to a sequence of operations, which run on
//! cyclegc and on the model side by side. Any difference, panic or
//! sanitizer report is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../cyclegc/tests/model/mod.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    model::run(&model::decode(data));
});
