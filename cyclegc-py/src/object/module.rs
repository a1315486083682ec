//! Modules: a name and a dict of globals.

use cyclegc::{Cc, Trace};

use super::{Name, PyDict};

/// A Python module (`__main__`, `gc`, `weakref`).
#[derive(Trace)]
pub struct PyModule {
    /// The module's name.
    pub name: Name,
    /// Its globals.
    pub dict: Cc<PyDict>,
}
