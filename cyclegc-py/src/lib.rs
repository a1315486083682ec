//! # pyrun: a Python-subset interpreter on cyclegc
//!
//! `pyrun` runs Python programs whose memory model is
//! [cyclegc]: every Python object lives in a [`cyclegc::Cc`],
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
//! - Ints are 64-bit: overflow raises `OverflowError`, it never wraps.
//! - Generator functions (`yield`) are not supported; generator
//!   expressions, `map`, `filter`, `zip` and `enumerate` are evaluated
//!   eagerly into an iterator over their results.
//! - Sets iterate in insertion order (CPython's order follows hashes).
//! - Dict keys and set elements compare by value for numbers, strs,
//!   tuples and `None`, by identity for everything else: a class's own
//!   `__eq__`/`__hash__` are not used for keys.
//! - Classes may derive from classes of the program, `object` and the
//!   exception classes, not from other built-in types; no metaclasses,
//!   `__slots__` or three-argument `type()`.
//! - Absent: `async`, `match`, bytes, complex numbers, `Ellipsis`,
//!   relative imports, and modules other than `gc`, `weakref` and a small
//!   `sys`.
//!
//! Syntax outside the subset raises `NotImplementedError: <construct> is
//! not supported by pyrun` at the line that uses it.
//!
//! ## What cyclegc lacks (for the lead)
//!
//! pyrun uses only cyclegc's public API. Where that API falls short of
//! what CPython does, pyrun does not work around it; the differences that
//! remain, and what cyclegc would need:
//!
//! - **Python type names in the debug output** (added to cyclegc:
//!   `Trace::class_name`, set on `PyInstance` with
//!   `#[trace(class_name = ...)]`): `DEBUG_COLLECTABLE` prints
//!   `gc: collectable <C 0x…>` as CPython does.
//! - **A trace order of one's own, safely.** CPython's `get_referents`
//!   lists a list's items last to first and, for a dict whose keys are
//!   all strs, only the values. A derived `Trace` visits fields in order
//!   and a hand-written one needs `unsafe impl`, which the interpreter
//!   forbids itself. A derive attribute such as
//!   `#[trace(with = path::to::fn)]` taking a safe visitor over the
//!   field's handles (reversed, filtered) would do.
//! - **Tracking per object.** cyclegc decides tracking per type
//!   (`Trace::IS_LEAF`); CPython untracks a dict or tuple that holds only
//!   atomic values, so `gc.is_tracked({})` and `gc.is_tracked((1, 2))`
//!   are `False` there and `True` here, and such objects count in
//!   `gc.get_objects()`. cyclegc now has `gc::untrack(&obj)` /
//!   `gc::track(&obj)` (CPython's `PyObject_GC_UnTrack`/`Track`); pyrun
//!   does not use them yet (it would untrack a dict or tuple of atomic
//!   values and track it again when it gets a container).
//! - **Finalizers per object.** `#[trace(finalize)]` gives every
//!   instance a finalizer, so every instance of a class without
//!   `__del__` is "finalized" too: `gc.is_finalized(obj)` becomes `True`
//!   for such an object once a collection resurrected it, and every
//!   collection of garbage instances pays for the resurrection check.
//!   CPython has a finalizer only where the class has `__del__`. Solved
//!   with cyclegc's `Finalize::has_finalizer`, which `PyInstance` answers
//!   from its class.
//! - **The weak reference objects themselves.** `weakref::getweakrefs`
//!   returns `AnyWeak` handles to the referent, not the objects that hold
//!   them, so pyrun keeps its own table from referent to its Python
//!   `weakref` objects (also to hand out one shared callback-less `ref`
//!   per object, as CPython does). Needed: `getweakrefs` giving the
//!   owning objects, e.g. a `Weak` that can carry an owner `AnyWeak`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod builtins;
pub mod modules;
pub mod object;
pub mod vm;

pub use vm::run_main;
