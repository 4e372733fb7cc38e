//! Shared SVG pieces: coordinates, linear scales, axis ticks.
//!
//! Every number written into SVG goes through [`px`], which never emits NaN or inf: a
//! single bad attribute makes Chromium log an error and drop the element.

use std::fmt::Write as _;

use crate::html::{esc, num};

/// A coordinate with one decimal (0.1 px is below what a screen shows).
pub(crate) fn px(x: f64) -> String {
    num(if x.is_finite() { x } else { 0.0 }, 1)
}

/// Maps the data interval [d0, d1] onto the pixel interval [r0, r1].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    /// Pixel position of `v`, clamped into the range so stray data stays on the plot.
    pub fn map(&self, v: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(self.d0, self.d1)
        } else {
            self.d0
        };
        self.raw(v)
    }

    /// Pixel position of `v` without clamping, for shapes cut by a clip path instead
    /// (clamping an end point would change a line's slope).
    pub fn raw(&self, v: f64) -> f64 {
        // Callers guarantee d1 > d0; the guard keeps a degenerate domain from dividing by 0.
        let span = if self.d1 > self.d0 {
            self.d1 - self.d0
        } else {
            1.0
        };
        let v = if v.is_finite() { v } else { self.d0 };
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// A data interval covering `values` (non-finite ones ignored), clamped to `limits`,
/// widened by `pad` and rounded outward to multiples of 0.05; `(limits.0, limits.1)`
/// when no finite value is given. Always at least 0.1 wide.
pub(crate) fn domain(
    values: impl Iterator<Item = f64>,
    limits: (f64, f64),
    pad: f64,
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        let v = v.clamp(limits.0, limits.1);
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return limits;
    }
    // Work in integer steps of 0.05 so the rounding is exact and platform independent.
    let mut lo_k = ((lo - pad) / 0.05 + 1e-9).floor() as i64;
    let mut hi_k = ((hi + pad) / 0.05 - 1e-9).ceil() as i64;
    if hi_k - lo_k < 2 {
        lo_k = hi_k - 2;
    }
    lo_k = lo_k.max((limits.0 / 0.05).floor() as i64);
    hi_k = hi_k.min((limits.1 / 0.05).ceil() as i64).max(lo_k + 2);
    (lo_k as f64 * 0.05, hi_k as f64 * 0.05)
}

/// Tick values between lo and hi: a "nice" step giving at most 8 intervals.
pub(crate) fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let steps = [0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0];
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s <= 8.0)
        .unwrap_or(span / 5.0);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// `<svg>` start tag scaled to its container by CSS, with an accessible `<title>`.
pub(crate) fn open(out: &mut String, w: f64, h: f64, title: &str) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\">\
         <title>{}</title>",
        px(w),
        px(h),
        esc(title)
    );
}

/// A `<text>` element; `anchor` is start, middle or end.
pub(crate) fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, body: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\">{}</text>",
        px(x),
        px(y),
        esc(body)
    );
}

/// A straight line.
pub(crate) fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\"/>",
        px(x1),
        px(y1),
        px(x2),
        px(y2)
    );
}

/// A rectangle; negative sizes are clamped to 0 (invalid in SVG).
pub(crate) fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64, class: &str) {
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
        px(x),
        px(y),
        px(w.max(0.0)),
        px(h.max(0.0))
    );
}

/// Truncates a label to `max` characters with an ellipsis, so long names keep the layout.
pub(crate) fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
