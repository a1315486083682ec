//! `tuple`: an immutable sequence, tracked (it may hold containers).

use cyclegc::Trace;

use super::{Args, Value};
use crate::vm::methods::arg;
use crate::vm::{PyResult, Vm};

/// A Python tuple.
#[derive(Trace)]
pub struct PyTuple(pub Box<[Value]>);

/// `index` and `count` of a tuple (or list: `tyname` says which).
pub fn call_method(vm: &Vm, items: &[Value], tyname: &str, name: &str, args: Args) -> PyResult<Value> {
    let x = arg(vm, &args, 0, name)?;
    match name {
        "count" => {
            let mut n = 0;
            for item in items {
                if item.is(&x) || vm.eq(item, &x)? {
                    n += 1;
                }
            }
            Ok(Value::int(n))
        }
        _ => {
            for (i, item) in items.iter().enumerate() {
                if item.is(&x) || vm.eq(item, &x)? {
                    return Ok(Value::int(i as i64));
                }
            }
            Err(vm.value_error(if tyname == "list" {
                format!("{} is not in list", vm.repr(&x)?)
            } else {
                "tuple.index(x): x not in tuple".to_string()
            }))
        }
    }
}
