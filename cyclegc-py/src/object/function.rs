//! Functions: defined in Python ([`PyFunction`]), in Rust ([`PyBuiltin`]),
//! bound to an instance ([`PyBoundMethod`]), and closure cells.

use std::cell::RefCell;
use std::rc::Rc;

use cyclegc::{Cc, Trace};

use super::{Args, Name, PyClass, PyDict, Value};
use crate::vm::code::Code;
use crate::vm::{PyResult, Vm};

/// A function defined with `def` or `lambda`.
#[derive(Trace)]
pub struct PyFunction {
    /// The compiled body and its scope (no Python objects inside).
    #[trace(skip)]
    pub code: Rc<Code>,
    /// `__qualname__`: `C.method`, `f.<locals>.g`.
    pub qualname: Name,
    /// The module's globals.
    pub globals: Cc<PyDict>,
    /// Default values of the trailing positional parameters.
    pub defaults: Vec<Value>,
    /// Default values of keyword-only parameters.
    pub kwdefaults: Vec<(Name, Value)>,
    /// The cells of the free variables, by name.
    pub closure: Vec<(Name, Cc<PyCell>)>,
    /// Attributes set on the function.
    pub attrs: RefCell<Vec<(Name, Value)>>,
    /// The class whose body defined it, for `super()` (CPython's
    /// `__class__` cell).
    pub class: RefCell<Option<Cc<PyClass>>>,
}

impl PyFunction {
    /// `__name__`.
    pub fn name(&self) -> &Name {
        &self.code.name
    }
}

/// A closure cell: a variable shared by a function and the functions
/// nested in it.
#[derive(Trace)]
pub struct PyCell(pub RefCell<Option<Value>>);

/// The Rust function behind a built-in: gets the built-in object itself
/// (its name and bound `self`) and the arguments.
pub type BuiltinFn = fn(&Vm, &PyBuiltin, Args) -> PyResult<Value>;

/// A function or method implemented in Rust (`print`, `[].append`).
#[derive(Trace)]
pub struct PyBuiltin {
    /// The name.
    pub name: Name,
    /// The object a method is bound to.
    pub bound: Option<Value>,
    /// The implementation.
    #[trace(skip)]
    pub func: BuiltinFn,
}

/// A Python function bound to an object: `obj.method`.
#[derive(Trace)]
pub struct PyBoundMethod {
    /// The function.
    pub func: Value,
    /// The object, passed as the first argument.
    pub obj: Value,
}
