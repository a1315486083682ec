//! Python exceptions as values: [`PyErr`] carries the exception object and
//! its traceback, and [`Flow`] is how a statement ends other than normally.

use cyclegc::Cc;

use crate::object::{Name, PyInstance, Value};

/// One line of a traceback.
#[derive(Clone)]
pub struct TbEntry {
    /// The line number.
    pub line: u32,
    /// The frame's name (`<module>`, the function's name).
    pub name: Name,
}

/// A raised exception on its way up the Rust stack.
#[derive(Clone)]
pub struct PyErr {
    /// The exception object.
    pub exc: Cc<PyInstance>,
    /// The frames it went through, innermost first.
    pub tb: Vec<TbEntry>,
    /// The id of the last frame that added itself to `tb`.
    pub last_frame: u64,
    /// The exception being handled when this one was raised.
    pub context: Option<Box<PyErr>>,
    /// `raise ... from cause`.
    pub cause: Option<Box<PyErr>>,
}

impl PyErr {
    /// A new exception without traceback.
    pub fn new(exc: Cc<PyInstance>) -> Box<PyErr> {
        Box::new(PyErr {
            exc,
            tb: Vec::new(),
            last_frame: 0,
            context: None,
            cause: None,
        })
    }

    /// The exception as a value.
    pub fn value(&self) -> Value {
        Value::Instance(self.exc.clone())
    }
}

/// The result of an expression.
pub type PyResult<T> = Result<T, Box<PyErr>>;

/// How a statement ends when it does not just go on to the next one.
pub enum Flow {
    /// An exception.
    Raise(Box<PyErr>),
    /// `return`.
    Return(Value),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
}

impl From<Box<PyErr>> for Flow {
    fn from(e: Box<PyErr>) -> Flow {
        Flow::Raise(e)
    }
}

/// The result of a statement.
pub type ExecResult = Result<(), Flow>;
