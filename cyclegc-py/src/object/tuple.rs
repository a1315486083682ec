//! `tuple`: an immutable sequence, tracked (it may hold containers).

use cyclegc::Trace;

use super::Value;

/// A Python tuple.
#[derive(Trace)]
pub struct PyTuple(pub Box<[Value]>);
