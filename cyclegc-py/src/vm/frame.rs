//! Frames: where a running piece of code keeps its names.
//!
//! Frames live on the Rust stack, not in a `Cc`: what they hold is
//! referenced from outside the heap for the collector, as a running
//! frame's locals are.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use cyclegc::Cc;

use super::code::Code;
use crate::object::Map;
use crate::object::{Name, PyCell, PyClass, PyDict, Value};

/// A frame's local variables, in the order they were first bound.
///
/// A vector searched from the front rather than a hash map: a frame has
/// a handful of names, and comparing a few short strings costs less than
/// hashing one, and a call allocates one buffer instead of a table and
/// its entries.
#[derive(Default)]
pub struct Locals(Vec<(Name, Value)>);

impl Locals {
    /// Room for `n` names.
    pub fn with_capacity(n: usize) -> Locals {
        Locals(Vec::with_capacity(n))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }

    /// The slot of `name`.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }

    /// Binds `name`; returns the old value for the caller to drop.
    #[must_use]
    pub fn insert(&mut self, name: Name, v: Value) -> Option<Value> {
        match self.get_mut(&name) {
            Some(slot) => Some(std::mem::replace(slot, v)),
            None => {
                self.0.push((name, v));
                None
            }
        }
    }

    /// Unbinds `name`, keeping the order of the others.
    #[must_use]
    pub fn shift_remove(&mut self, name: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| &**k == name)?;
        Some(self.0.remove(i).1)
    }

    /// The names and values as a map (a class body's namespace).
    pub fn into_map(self) -> Map<Name, Value> {
        self.0.into_iter().collect()
    }
}

/// What kind of code a frame runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A module's top level: its locals are its globals.
    Module,
    /// A function call.
    Function,
    /// A class body: its locals become the class namespace.
    Class,
    /// A comprehension: its own targets, everything else from its parent.
    Comprehension,
}

/// One activation of a piece of code.
pub struct Frame<'a> {
    /// The kind.
    pub kind: FrameKind,
    /// The function's code (for functions).
    pub code: Option<Rc<Code>>,
    /// Local variables (not for module frames).
    pub locals: RefCell<Locals>,
    /// The module's globals.
    pub globals: Cc<PyDict>,
    /// Cells of this frame's shared and free variables.
    pub cells: HashMap<Name, Cc<PyCell>>,
    /// The enclosing frame of a comprehension or class body.
    pub parent: Option<&'a Frame<'a>>,
    /// A number unique to this activation (for tracebacks).
    pub id: u64,
    /// The name tracebacks show (`<module>`, the function's name).
    pub name: Name,
    /// The qualified name of what runs here (`f`, `C`, `f.<locals>.<listcomp>`);
    /// empty at module level.
    pub qualname: Name,
    /// The line being run.
    pub line: Cell<u32>,
    /// The class whose method this frame runs, for `super()`.
    pub class: Option<Cc<PyClass>>,
}

impl<'a> Frame<'a> {
    /// The cell for `name`, here or (for comprehensions and class bodies)
    /// in an enclosing frame.
    pub fn find_cell(&self, name: &str) -> Option<Cc<PyCell>> {
        if let Some(c) = self.cells.get(name) {
            return Some(c.clone());
        }
        match (self.kind, self.parent) {
            (FrameKind::Comprehension | FrameKind::Class, Some(p)) => p.find_cell(name),
            _ => None,
        }
    }

    /// The prefix of the qualified names of functions and classes defined
    /// here: `f.<locals>.` in a function, `C.` in a class body or
    /// `<listcomp>.` in a comprehension, nothing at module level.
    pub fn qualprefix(&self) -> String {
        match self.kind {
            FrameKind::Module => String::new(),
            // CPython 3.11 names a lambda in a comprehension
            // `<listcomp>.<lambda>`, without `<locals>`.
            FrameKind::Class | FrameKind::Comprehension => format!("{}.", self.qualname),
            FrameKind::Function => format!("{}.<locals>.", self.qualname),
        }
    }

    /// The first argument of the running function (`self`), for `super()`.
    pub fn first_arg(&self) -> Option<Value> {
        let code = self.code.as_ref()?;
        let first = code.params.first()?;
        if let Some(cell) = self.cells.get(&first.name) {
            return cell.0.borrow().clone();
        }
        self.locals.borrow().get(&first.name).cloned()
    }
}
