//! Support shared by the integration tests of `cyclegc`. Each test file that
//! needs it says `mod common;` and uses the part it needs, so any one test
//! crate leaves some of it unused.
#![allow(dead_code)]

use std::any::Any;
use std::cell::Cell;

thread_local! {
    /// Values that called [`count_drop`] on this thread. Every test runs on
    /// its own thread, so the counts of two tests never mix.
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

/// How many values called [`count_drop`] on this thread.
pub fn drops() -> usize {
    DROPS.with(Cell::get)
}

/// Counts one drop; for `Drop` impls. A value dropped while the thread's
/// locals are being destroyed is not counted (nobody can read it then).
pub fn count_drop() {
    let _ = DROPS.try_with(|d| d.set(d.get() + 1));
}

/// Sets the drop count of this thread back to 0.
pub fn reset_drops() {
    DROPS.with(|d| d.set(0));
}

/// The message of a panic caught by `catch_unwind` (`"<not a string>"` if
/// its payload is neither a `String` nor a `&str`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "<not a string>".to_string()
    }
}
