//! Python objects: one Rust type per built-in Python type, each living in
//! its own [`Cc`], and [`Value`], the handle the evaluator passes around.
//!
//! Every Python value is a `Cc`, as every CPython value is a `PyObject*`:
//! ints, floats, strings, `None` and bools are *leaf* types (they own no
//! `Cc`, so cyclegc never tracks them, as CPython untracks atomic objects),
//! everything else is tracked. [`Value`] is an enum of typed handles
//! rather than a `Cc<dyn PyObject>`: the evaluator matches on it
//! (`(Int, Int)` fast paths, per-type methods), and turning one of
//! cyclegc's type-erased [`AnyCc`] handles (what `gc.get_referents` and
//! `gc.garbage` give back) into a `Value` is one `downcast` per variant.

pub mod class;
pub mod dict;
pub mod function;
pub mod instance;
pub mod iter;
pub mod list;
pub mod module;
pub mod native;
pub mod number;
pub mod range;
pub mod set;
pub mod string;
pub mod tuple;

use std::cell::RefCell;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use cyclegc::{AnyCc, Cc, Trace};

pub use class::PyClass;
pub use dict::{Key, PyDict};
pub use function::{PyBoundMethod, PyBuiltin, PyCell, PyFunction};
pub use instance::PyInstance;
pub use iter::PyIter;
pub use list::PyList;
pub use module::PyModule;
pub use native::{PyFinalize, PySuper, PyWeakKeyDict, PyWeakRef, PyWeakSet, PyWeakValueDict};
pub use number::{PyBool, PyFloat, PyInt};
pub use range::PyRange;
pub use set::PySet;
pub use string::PyStr;
pub use tuple::PyTuple;

/// The type of `None`: a leaf singleton.
#[derive(Trace)]
pub struct NoneType;

/// An interned name (attribute, variable, keyword): never a Python object.
pub type Name = Rc<str>;

/// The insertion-ordered map of dicts, class namespaces and frames, with
/// a fast non-cryptographic hash (the keys' hashes are computed anyway;
/// there is no untrusted input to defend against).
pub type Map<K, V> = indexmap::IndexMap<K, V, BuildHasherDefault<FxHasher>>;

/// The insertion-ordered set of `set` objects.
pub type Set<K> = indexmap::IndexSet<K, BuildHasherDefault<FxHasher>>;

/// The Fx hash (rustc's): a multiply and a rotate per word.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A Python value: a strong handle to an object of one of the built-in
/// types. Cloning it is `Py_INCREF`, dropping it `Py_DECREF`.
#[derive(Clone, Trace)]
pub enum Value {
    /// `None`.
    None(Cc<NoneType>),
    /// `True` or `False`.
    Bool(Cc<PyBool>),
    /// A 64-bit int.
    Int(Cc<PyInt>),
    /// A float.
    Float(Cc<PyFloat>),
    /// A str.
    Str(Cc<PyStr>),
    /// A tuple.
    Tuple(Cc<PyTuple>),
    /// A list.
    List(Cc<PyList>),
    /// A dict.
    Dict(Cc<PyDict>),
    /// A set.
    Set(Cc<PySet>),
    /// A range.
    Range(Cc<PyRange>),
    /// A function defined in Python.
    Function(Cc<PyFunction>),
    /// A function or method implemented in Rust.
    Builtin(Cc<PyBuiltin>),
    /// A Python function bound to its `self`.
    BoundMethod(Cc<PyBoundMethod>),
    /// A class, built-in or defined in Python.
    Class(Cc<PyClass>),
    /// An instance of a class defined in Python (exceptions included).
    Instance(Cc<PyInstance>),
    /// A module.
    Module(Cc<PyModule>),
    /// A closure cell.
    Cell(Cc<PyCell>),
    /// An iterator (list, tuple, str, dict, range iterators, generators).
    Iter(Cc<PyIter>),
    /// `weakref.ref`.
    WeakRef(Cc<PyWeakRef>),
    /// `weakref.WeakValueDictionary`.
    WeakValueDict(Cc<PyWeakValueDict>),
    /// `weakref.WeakKeyDictionary`.
    WeakKeyDict(Cc<PyWeakKeyDict>),
    /// `weakref.WeakSet`.
    WeakSet(Cc<PyWeakSet>),
    /// `weakref.finalize`.
    Finalize(Cc<PyFinalize>),
    /// `super()`.
    Super(Cc<PySuper>),
}

/// Applies `$body` to the typed handle inside a [`Value`], whatever its
/// variant.
macro_rules! with_cc {
    ($v:expr, $cc:ident => $body:expr) => {
        match $v {
            Value::None($cc) => $body,
            Value::Bool($cc) => $body,
            Value::Int($cc) => $body,
            Value::Float($cc) => $body,
            Value::Str($cc) => $body,
            Value::Tuple($cc) => $body,
            Value::List($cc) => $body,
            Value::Dict($cc) => $body,
            Value::Set($cc) => $body,
            Value::Range($cc) => $body,
            Value::Function($cc) => $body,
            Value::Builtin($cc) => $body,
            Value::BoundMethod($cc) => $body,
            Value::Class($cc) => $body,
            Value::Instance($cc) => $body,
            Value::Module($cc) => $body,
            Value::Cell($cc) => $body,
            Value::Iter($cc) => $body,
            Value::WeakRef($cc) => $body,
            Value::WeakValueDict($cc) => $body,
            Value::WeakKeyDict($cc) => $body,
            Value::WeakSet($cc) => $body,
            Value::Finalize($cc) => $body,
            Value::Super($cc) => $body,
        }
    };
}

thread_local! {
    static NONE: Cc<NoneType> = Cc::new(NoneType);
    static TRUE: Cc<PyBool> = Cc::new(PyBool(true));
    static FALSE: Cc<PyBool> = Cc::new(PyBool(false));
    static SMALL_INTS: Vec<Cc<PyInt>> = (-5..=256).map(|i| Cc::new(PyInt(i))).collect();
    static EMPTY_STR: Cc<PyStr> = Cc::new(PyStr::new(""));
}

impl Value {
    /// `None`.
    pub fn none() -> Value {
        Value::None(NONE.with(Cc::clone))
    }

    /// `True` or `False`.
    pub fn bool(b: bool) -> Value {
        Value::Bool(if b {
            TRUE.with(Cc::clone)
        } else {
            FALSE.with(Cc::clone)
        })
    }

    /// An int; -5..=256 are shared, as in CPython.
    pub fn int(i: i64) -> Value {
        if (-5..=256).contains(&i) {
            Value::Int(SMALL_INTS.with(|s| s[(i + 5) as usize].clone()))
        } else {
            Value::Int(Cc::new(PyInt(i)))
        }
    }

    /// A float.
    pub fn float(f: f64) -> Value {
        Value::Float(Cc::new(PyFloat(f)))
    }

    /// A str.
    pub fn str(s: &str) -> Value {
        if s.is_empty() {
            return Value::Str(EMPTY_STR.with(Cc::clone));
        }
        Value::Str(Cc::new(PyStr::new(s)))
    }

    /// A new list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Cc::new(PyList::new(items)))
    }

    /// A new tuple.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Cc::new(PyTuple(items.into_boxed_slice())))
    }

    /// Whether this is `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None(_))
    }

    /// Python's `id()`: the object's address.
    pub fn id(&self) -> usize {
        with_cc!(self, c => Cc::id(c))
    }

    /// Python's `is`.
    pub fn is(&self, other: &Value) -> bool {
        self.id() == other.id()
    }

    /// The number of strong references to the object.
    pub fn strong_count(&self) -> usize {
        with_cc!(self, c => Cc::strong_count(c))
    }

    /// The type-erased handle cyclegc's introspection works with.
    pub fn to_any(&self) -> AnyCc {
        with_cc!(self, c => AnyCc::from(c.clone()))
    }

    /// The `Value` of an object cyclegc handed back, or `None` for an
    /// object that is not a Python object of this interpreter.
    pub fn from_any(any: AnyCc) -> Option<Value> {
        macro_rules! try_variants {
            ($any:ident; $($variant:ident($ty:ty)),*) => {{
                $(let $any = match $any.downcast::<$ty>() {
                    Ok(cc) => return Some(Value::$variant(cc)),
                    Err(a) => a,
                };)*
                drop($any);
                None
            }};
        }
        try_variants!(any; Instance(PyInstance), Class(PyClass), Int(PyInt), Str(PyStr), None(NoneType),
            List(PyList), Dict(PyDict), Tuple(PyTuple), Function(PyFunction), Float(PyFloat),
            Bool(PyBool), Set(PySet), Range(PyRange), Builtin(PyBuiltin), BoundMethod(PyBoundMethod),
            Module(PyModule), Cell(PyCell), Iter(PyIter), WeakRef(PyWeakRef),
            WeakValueDict(PyWeakValueDict), WeakKeyDict(PyWeakKeyDict), WeakSet(PyWeakSet),
            Finalize(PyFinalize), Super(PySuper))
    }

    /// The name of a built-in type (`type(x).__name__`); for instances,
    /// use [`Value::type_name`].
    pub fn builtin_type_name(&self) -> &'static str {
        match self {
            Value::None(_) => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Function(_) => "function",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::BoundMethod(_) => "method",
            Value::Class(_) => "type",
            Value::Instance(_) => "object",
            Value::Module(_) => "module",
            Value::Cell(_) => "cell",
            Value::Iter(it) => it.type_name(),
            Value::WeakRef(_) => "ReferenceType",
            Value::WeakValueDict(_) => "WeakValueDictionary",
            Value::WeakKeyDict(_) => "WeakKeyDictionary",
            Value::WeakSet(_) => "WeakSet",
            Value::Finalize(_) => "finalize",
            Value::Super(_) => "super",
        }
    }

    /// `type(x).__name__`.
    pub fn type_name(&self) -> Rc<str> {
        match self {
            Value::Instance(i) => i.class.name.clone(),
            Value::WeakRef(_) => "ReferenceType".into(),
            other => other.builtin_type_name().into(),
        }
    }

    /// The str inside, if this is a str.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The int inside (bools count), if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i.0),
            Value::Bool(b) => Some(i64::from(b.0)),
            _ => None,
        }
    }

    /// Whether Python code may take a weak reference to it.
    pub fn is_weakrefable(&self) -> bool {
        matches!(
            self,
            Value::Instance(_)
                | Value::Class(_)
                | Value::Function(_)
                | Value::BoundMethod(_)
                | Value::Set(_)
                | Value::Module(_)
                | Value::Iter(_)
                | Value::WeakValueDict(_)
                | Value::WeakKeyDict(_)
                | Value::WeakSet(_)
                | Value::Finalize(_)
        )
    }
}

/// Arguments of a call: positional, then keyword.
#[derive(Default)]
pub struct Args {
    /// The positional arguments.
    pub pos: Vec<Value>,
    /// The keyword arguments, in call order.
    pub kw: Vec<(Name, Value)>,
}

impl Args {
    /// Positional arguments only.
    pub fn new(pos: Vec<Value>) -> Args {
        Args { pos, kw: Vec::new() }
    }

    /// Takes the keyword argument `name` out, if given.
    pub fn take_kw(&mut self, name: &str) -> Option<Value> {
        let i = self.kw.iter().position(|(k, _)| &**k == name)?;
        Some(self.kw.remove(i).1)
    }
}

/// A `RefCell` replacement step: swaps `new` into `cell` and returns the old
/// value, so that the caller drops it after the borrow ends (a drop may run
/// a `__del__` that reads the same cell).
pub fn replace<T>(cell: &RefCell<T>, new: T) -> T {
    std::mem::replace(&mut *cell.borrow_mut(), new)
}
