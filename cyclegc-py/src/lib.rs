//! # pyrun: a Python-subset interpreter on cyclegc
//!
//! `pyrun` runs Python programs whose memory model is
//! [cyclegc](cyclegc): every Python object lives in a [`cyclegc::Cc`],
//! reference counting frees it the moment its last reference goes
//! (`del x` runs `__del__` at once), garbage cycles are found by cyclegc's
//! collector, `__del__` is a cyclegc finalizer (PEP 442, resurrection
//! included), and the Python modules `gc` and `weakref` are thin layers
//! over cyclegc's. It is cyclegc's first real client: read it as the model
//! of how an interpreter uses cyclegc.
//!
//! ```text
//! pyrun FILE.py      pyrun -c CODE      pyrun -   (stdin)
//! ```
//!
//! ## The flow
//!
//! source → [`rustpython_parser`] AST → [`vm`] (a tree-walking evaluator:
//! frames, name lookup, calls, exceptions as values) → [`object`] (one
//! module per built-in type) → [`modules`] (`gc`, `weakref`).
//!
//! ## Why `rustpython-parser`
//!
//! Both parsers the issue names were tried. `rustpython-parser` 0.4 builds
//! here with the workspace's Rust 1.84, has a documented, versioned API on
//! docs.rs and a complete Python 3.11 grammar; its syntax errors carry a
//! byte offset we turn into CPython's `File "x.py", line N` report. Ruff's
//! `ruff_python_parser` is published only as internal 0.0.x crates that
//! need Rust 1.95 and change their API between releases. RustPython's
//! parser is no longer developed (RustPython moved to Ruff's), but the
//! language it parses is the one pyrun implements, and a frozen parser is
//! a stable one. Integers come out as `num-bigint` values (not the default
//! `malachite`, a far heavier build); pyrun's ints are 64-bit, and a
//! literal past that raises `OverflowError`.
//!
//! ## The object design
//!
//! [`object::Value`] is an enum of typed `Cc` handles, one variant per
//! built-in type, not a `Cc<dyn PyObject>`: the evaluator matches on it
//! for its fast paths and per-type methods, and cyclegc's type-erased
//! [`cyclegc::AnyCc`] (what `gc.get_referents`, `gc.get_objects`,
//! `gc.garbage` give back) turns into a `Value` with one `downcast` per
//! variant. What the `gc` module sees is what CPython's sees:
//!
//! - ints, floats, strs, `None` and bools are leaf types (they own no
//!   `Cc`), so cyclegc never tracks them: `gc.is_tracked(5)` is `False`;
//! - an instance is one `Cc` with its attributes inline and then its
//!   class, so `gc.get_referents(obj)` lists the attribute values and then
//!   the class, as CPython 3.11 does, and a two-instance cycle is two
//!   objects for `gc.collect()`;
//! - lists, dicts, tuples, sets, functions, classes, bound methods,
//!   modules, cells and weak references are objects of their own.
//!
//! Frames are not objects: they live on the Rust stack, so what a frame
//! holds counts as referenced from outside the heap, which is what it is.
//! Evaluation temporaries are Rust values dropped when the expression that
//! made them is done, so `items.pop()` frees its result before the next
//! statement.
//!
//! ## What is not Python here
//!
//! Ints are 64-bit (overflow raises `OverflowError`); generator functions
//! (`yield`) are not supported and generator expressions are evaluated
//! eagerly; sets iterate in insertion order; dicts and tuples are always
//! tracked (cyclegc decides tracking per type, CPython per object); `async`,
//! `match`, `with` of user context managers only, and the standard library
//! beyond `gc` and `weakref` are absent. Syntax outside the subset raises
//! `NotImplementedError: <construct> is not supported by pyrun`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod builtins;
pub mod modules;
pub mod object;
pub mod vm;

pub use vm::run_main;
