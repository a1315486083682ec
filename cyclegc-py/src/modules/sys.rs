//! A small `sys`: `stdout`, `stderr`, `argv`, `getrefcount`, `exit`,
//! `getrecursionlimit`.

use cyclegc::Cc;

use crate::builtins::{function, write_stream};
use crate::object::class::Builtin;
use crate::object::{Args, PyBuiltin, PyClass, PyInstance, Value};
use crate::vm::{PyResult, Vm};

/// Builds the module.
pub fn make_module(vm: &Vm) -> Value {
    let class = Cc::new(PyClass {
        name: "TextIOWrapper".into(),
        qualname: "TextIOWrapper".into(),
        module: "builtins".into(),
        dict: Default::default(),
        bases: vec![vm.types.object.clone()],
        mro: vec![vm.types.object.clone()],
        builtin: Builtin::Other,
        attr_hint: Default::default(),
    });
    let stream = |fd: i64| {
        let inst = Cc::new(PyInstance::new(class.clone()));
        let v = Value::Instance(inst.clone());
        let _ = inst.set_attr("_fd", Value::int(fd));
        for (name, f) in [
            ("write", write as crate::object::function::BuiltinFn),
            ("flush", flush),
        ] {
            let m = Value::Builtin(Cc::new(PyBuiltin {
                name: name.into(),
                bound: Some(Value::int(fd)),
                func: f,
            }));
            let _ = inst.set_attr(name, m);
        }
        v
    };
    vm.new_module(
        "sys",
        vec![
            ("stdout", stream(1)),
            ("stderr", stream(2)),
            ("argv", Value::list(vec![Value::str(&vm.filename)])),
            ("getrefcount", function("getrefcount", getrefcount)),
            ("exit", function("exit", exit)),
            (
                "getrecursionlimit",
                function("getrecursionlimit", getrecursionlimit),
            ),
            ("maxsize", Value::int(i64::MAX)),
        ],
    )
}

fn write(vm: &Vm, b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let text = args
        .pos
        .first()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let fd = b.bound.as_ref().and_then(Value::as_int).unwrap_or(1);
    if fd == 2 {
        vm.flush_stdout();
        eprint!("{text}");
    } else {
        write_stream(vm, None, &text)?;
    }
    Ok(Value::int(text.chars().count() as i64))
}

fn flush(vm: &Vm, _b: &PyBuiltin, _args: Args) -> PyResult<Value> {
    vm.flush_stdout();
    Ok(Value::none())
}

fn getrefcount(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    let v = args
        .pos
        .first()
        .ok_or_else(|| vm.type_error("getrefcount() takes exactly one argument (0 given)"))?;
    Ok(Value::int(v.strong_count() as i64))
}

fn exit(vm: &Vm, _b: &PyBuiltin, args: Args) -> PyResult<Value> {
    Err(vm.err_args("SystemExit", args.pos))
}

fn getrecursionlimit(_vm: &Vm, _b: &PyBuiltin, _args: Args) -> PyResult<Value> {
    Ok(Value::int(crate::vm::RECURSION_LIMIT as i64))
}
