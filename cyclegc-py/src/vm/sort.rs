//! `sorted()` and `list.sort()`: a stable merge sort by Python's `<`.

use super::Vm;
use crate::object::{Args, Value};

impl Vm {
    /// A stable merge sort by Python's `<` (or by `key(x)`), that reports
    /// the first error instead of panicking on an inconsistent order; on
    /// error the items come back unsorted with the error.
    #[allow(clippy::type_complexity)]
    pub fn sort_values(
        &self,
        items: Vec<Value>,
        key: Option<&Value>,
        reverse: bool,
    ) -> Result<Vec<Value>, (Vec<Value>, Box<super::PyErr>)> {
        let keys: Vec<Value> = match key {
            Some(k) if !k.is_none() => {
                let mut keys = Vec::with_capacity(items.len());
                for x in &items {
                    match self.call(k, Args::new(vec![x.clone()])) {
                        Ok(v) => keys.push(v),
                        Err(e) => return Err((items, e)),
                    }
                }
                keys
            }
            _ => items.clone(),
        };
        let mut idx: Vec<usize> = (0..items.len()).collect();
        let mut err = None;
        let mut less = |a: usize, b: usize| -> bool {
            if err.is_some() {
                return false;
            }
            let (x, y) = if reverse {
                (&keys[b], &keys[a])
            } else {
                (&keys[a], &keys[b])
            };
            match self.compare(rustpython_parser::ast::CmpOp::Lt, x, y) {
                Ok(v) => v,
                Err(e) => {
                    err = Some(e);
                    false
                }
            }
        };
        merge_sort(&mut idx, &mut less);
        if let Some(e) = err {
            return Err((items, e));
        }
        let mut slots: Vec<Option<Value>> = items.into_iter().map(Some).collect();
        Ok(idx
            .into_iter()
            .map(|i| slots[i].take().unwrap_or_else(Value::none))
            .collect())
    }
}

/// A stable merge sort that never panics, whatever `less` says.
fn merge_sort(v: &mut [usize], less: &mut dyn FnMut(usize, usize) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut buf = v.to_vec();
    let mut width = 1;
    while width < n {
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let end = (i + 2 * width).min(n);
            let (mut a, mut b, mut k) = (i, mid, i);
            while a < mid && b < end {
                if less(v[b], v[a]) {
                    buf[k] = v[b];
                    b += 1;
                } else {
                    buf[k] = v[a];
                    a += 1;
                }
                k += 1;
            }
            buf[k..k + mid - a].copy_from_slice(&v[a..mid]);
            k += mid - a;
            buf[k..k + end - b].copy_from_slice(&v[b..end]);
            i += 2 * width;
        }
        v.copy_from_slice(&buf);
        width *= 2;
    }
}
