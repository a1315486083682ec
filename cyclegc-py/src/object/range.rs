//! `range`: a leaf object.

use cyclegc::Trace;

/// A Python range.
#[derive(Trace)]
pub struct PyRange {
    /// First value.
    pub start: i64,
    /// End (exclusive).
    pub stop: i64,
    /// Step, never 0.
    pub step: i64,
}

impl PyRange {
    /// The number of values.
    pub fn len(&self) -> usize {
        let (start, stop, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 {
            (stop - start + step - 1) / step
        } else {
            (start - stop - step - 1) / -step
        };
        n.max(0) as usize
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at index `i < len`.
    pub fn at(&self, i: usize) -> i64 {
        self.start + self.step * i as i64
    }
}
