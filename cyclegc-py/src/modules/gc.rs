//! Python's `gc` module over [`cyclegc::gc`]: every function is one call
//! of cyclegc's, with Python's argument checks and return types.

use std::cell::Cell;
use std::io::Write;

use cyclegc::gc::{self, DebugFlags, Phase};
use cyclegc::{AnyCc, Cc};

use crate::builtins::function;
use crate::object::{Args, PyBuiltin, PyDict, Value};
use crate::vm::{current, PyResult, Vm};

/// Python's flag values (`gc.DEBUG_STATS`...).
const DEBUG_STATS: i64 = 1;
const DEBUG_COLLECTABLE: i64 = 2;
const DEBUG_UNCOLLECTABLE: i64 = 4;
const DEBUG_SAVEALL: i64 = 32;
const DEBUG_LEAK: i64 = DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL;

thread_local! {
    /// The flags as Python set them (cyclegc keeps only the known bits).
    static PY_DEBUG: Cell<i64> = const { Cell::new(0) };
}

/// Builds the module.
pub fn make_module(vm: &Vm) -> Value {
    let fns: &[(&str, crate::object::function::BuiltinFn)] = &[
        ("enable", enable),
        ("disable", disable),
        ("isenabled", isenabled),
        ("collect", collect),
        ("get_count", get_count),
        ("get_threshold", get_threshold),
        ("set_threshold", set_threshold),
        ("get_debug", get_debug),
        ("set_debug", set_debug),
        ("get_stats", get_stats),
        ("get_objects", get_objects),
        ("get_referrers", get_referrers),
        ("get_referents", get_referents),
        ("is_tracked", is_tracked),
        ("is_finalized", is_finalized),
        ("freeze", freeze),
        ("unfreeze", unfreeze),
        ("get_freeze_count", get_freeze_count),
    ];
    let mut entries: Vec<(&str, Value)> = fns.iter().map(|(n, f)| (*n, function(n, *f))).collect();
    entries.push(("DEBUG_STATS", Value::int(DEBUG_STATS)));
    entries.push(("DEBUG_COLLECTABLE", Value::int(DEBUG_COLLECTABLE)));
    entries.push(("DEBUG_UNCOLLECTABLE", Value::int(DEBUG_UNCOLLECTABLE)));
    entries.push(("DEBUG_SAVEALL", Value::int(DEBUG_SAVEALL)));
    entries.push(("DEBUG_LEAK", Value::int(DEBUG_LEAK)));
    entries.push(("garbage", Value::List(vm.gc_garbage.clone())));
    entries.push(("callbacks", Value::List(vm.gc_callbacks.clone())));
    vm.new_module("gc", entries)
}

/// Connects cyclegc to the interpreter: the debug output flushes the
/// program's buffered stdout first, and one cyclegc callback moves what
/// `DEBUG_SAVEALL` saved into `gc.garbage` and calls `gc.callbacks`.
pub fn install_hooks() {
    gc::set_debug_output(DebugOutput);
    gc::add_callback(|phase, info| {
        let Some(vm) = current() else { return };
        if vm.finalizing.get() {
            return;
        }
        if phase == Phase::Stop {
            move_garbage(&vm);
        }
        let callbacks = vm.gc_callbacks.snapshot();
        if callbacks.is_empty() {
            return;
        }
        let d = PyDict::new();
        let _ = d.set_str("generation", Value::int(info.generation as i64));
        let _ = d.set_str("collected", Value::int(info.collected as i64));
        let _ = d.set_str("uncollectable", Value::int(info.uncollectable as i64));
        let info = Value::Dict(Cc::new(d));
        let phase = Value::str(if phase == Phase::Start { "start" } else { "stop" });
        for cb in callbacks {
            if let Err(e) = vm.call(&cb, Args::new(vec![phase.clone(), info.clone()])) {
                vm.report_unraisable(&cb, &e);
            }
        }
    });
}

/// Moves the objects cyclegc saved under `SAVEALL` into `gc.garbage`, the
/// list Python code reads and clears.
fn move_garbage(vm: &Vm) {
    let saved = gc::garbage();
    if saved.is_empty() {
        return;
    }
    let Ok(mut list) = vm.gc_garbage.items.try_borrow_mut() else {
        return;
    };
    list.extend(saved.into_iter().filter_map(Value::from_any));
    drop(list);
    gc::clear_garbage();
}

/// cyclegc's debug lines, after the program's own buffered output.
struct DebugOutput;

impl Write for DebugOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(vm) = current() {
            vm.flush_stdout();
        }
        std::io::stderr().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn no_args(vm: &Vm, b: &PyBuiltin, args: &Args) -> PyResult<()> {
    if !args.pos.is_empty() || !args.kw.is_empty() {
        return Err(vm.type_error(format!(
            "{}() takes no arguments ({} given)",
            b.name,
            args.pos.len() + args.kw.len()
        )));
    }
    Ok(())
}

fn one_arg(vm: &Vm, b: &PyBuiltin, args: &Args) -> PyResult<Value> {
    if args.pos.len() != 1 {
        return Err(vm.type_error(format!(
            "{}() takes exactly one argument ({} given)",
            b.name,
            args.pos.len()
        )));
    }
    Ok(args.pos[0].clone())
}

fn usize_tuple(t: (usize, usize, usize)) -> Value {
    Value::tuple(vec![
        Value::int(t.0 as i64),
        Value::int(t.1 as i64),
        Value::int(t.2 as i64),
    ])
}

fn enable(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    gc::enable();
    Ok(Value::none())
}

fn disable(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    gc::disable();
    Ok(Value::none())
}

fn isenabled(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    Ok(Value::bool(gc::is_enabled()))
}

fn collect(vm: &Vm, _b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
    let generation = args.take_kw("generation").or_else(|| args.pos.first().cloned());
    let g = match generation {
        None => 2,
        Some(v) => {
            let g = v.as_int().ok_or_else(|| {
                vm.type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                ))
            })?;
            if !(0..=2).contains(&g) {
                return Err(vm.value_error("invalid generation"));
            }
            g as usize
        }
    };
    let found = gc::collect_generation(g);
    move_garbage(vm);
    Ok(Value::int(found as i64))
}

fn get_count(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    Ok(usize_tuple(gc::count()))
}

fn get_threshold(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    Ok(usize_tuple(gc::threshold()))
}

fn set_threshold(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    if args.pos.is_empty() || args.pos.len() > 3 {
        return Err(vm.type_error(format!(
            "set_threshold() takes from 1 to 3 positional arguments but {} were given",
            args.pos.len()
        )));
    }
    let (_, mut t1, mut t2) = gc::threshold();
    let mut vals = [0usize; 3];
    for (i, v) in args.pos.iter().enumerate() {
        let n = v.as_int().ok_or_else(|| {
            vm.type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))
        })?;
        vals[i] = n.max(0) as usize;
    }
    let t0 = vals[0];
    if args.pos.len() > 1 {
        t1 = vals[1];
    }
    if args.pos.len() > 2 {
        t2 = vals[2];
    }
    gc::set_threshold(t0, t1, t2);
    Ok(Value::none())
}

fn get_debug(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    Ok(Value::int(PY_DEBUG.with(Cell::get)))
}

fn set_debug(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let v = one_arg(vm, b, &args)?;
    let bits = v.as_int().ok_or_else(|| {
        vm.type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })?;
    let mut flags = DebugFlags::empty();
    for (bit, flag) in [
        (DEBUG_STATS, DebugFlags::STATS),
        (DEBUG_COLLECTABLE, DebugFlags::COLLECTABLE),
        (DEBUG_UNCOLLECTABLE, DebugFlags::UNCOLLECTABLE),
        (DEBUG_SAVEALL, DebugFlags::SAVEALL),
    ] {
        if bits & bit != 0 {
            flags |= flag;
        }
    }
    gc::set_debug(flags);
    PY_DEBUG.with(|d| d.set(bits));
    Ok(Value::none())
}

fn get_stats(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    let stats = gc::stats();
    let list = stats
        .iter()
        .map(|s| {
            let d = PyDict::new();
            let _ = d.set_str("collections", Value::int(s.collections as i64));
            let _ = d.set_str("collected", Value::int(s.collected as i64));
            let _ = d.set_str("uncollectable", Value::int(s.uncollectable as i64));
            Value::Dict(Cc::new(d))
        })
        .collect();
    Ok(Value::list(list))
}

fn values(objs: Vec<AnyCc>) -> Value {
    Value::list(objs.into_iter().filter_map(Value::from_any).collect())
}

fn get_objects(vm: &Vm, _b: &PyBuiltin, mut args: Args) -> PyResult<Value> {
    let generation = args.take_kw("generation").or_else(|| args.pos.first().cloned());
    let g = match generation {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => {
            let g = v.as_int().unwrap_or(-1);
            if g < 0 {
                return Err(vm.value_error("generation parameter cannot be negative"));
            }
            if g > 2 {
                return Err(vm.value_error(
                    "generation parameter must be less than the number of available generations (3)",
                ));
            }
            Some(g as usize)
        }
    };
    Ok(values(gc::objects(g)))
}

fn get_referrers(_vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let mut out = Vec::new();
    for obj in &args.pos {
        out.extend(gc::referrers(&obj.to_any()));
    }
    // The argument tuple is not an object here; nothing to filter.
    Ok(values(out))
}

fn get_referents(_vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let mut out = Vec::new();
    for obj in &args.pos {
        out.extend(gc::referents(&obj.to_any()));
    }
    Ok(values(out))
}

fn is_tracked(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let v = one_arg(vm, b, &args)?;
    Ok(Value::bool(gc::is_tracked(&v.to_any())))
}

fn is_finalized(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let v = one_arg(vm, b, &args)?;
    Ok(Value::bool(gc::is_finalized(&v.to_any())))
}

fn freeze(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    gc::freeze();
    Ok(Value::none())
}

fn unfreeze(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    gc::unfreeze();
    Ok(Value::none())
}

fn get_freeze_count(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    no_args(vm, b, &args)?;
    Ok(Value::int(gc::freeze_count() as i64))
}
