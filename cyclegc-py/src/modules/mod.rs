//! The built-in modules: `gc` and `weakref` (thin layers over cyclegc's
//! modules of the same names), and a small `sys`.

pub mod gc;
pub mod sys;
pub mod weakref;
