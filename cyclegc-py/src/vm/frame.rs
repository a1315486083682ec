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
    pub locals: RefCell<Map<Name, Value>>,
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
