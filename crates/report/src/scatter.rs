//! Scatter of target similarity (x) against reference similarity (y), one dot per candidate,
//! colored by the judge that flagged it, with the decision boundary drawn.

use std::fmt::Write as _;

use crate::html::{count, esc, num};
use crate::style;
use crate::svg::{self, px, Scale};
use crate::{Audit, Flag, FlagCounts, TargetReport};

/// More dots than this are subsampled: beyond it the plot is a solid blob anyway, and each
/// dot costs bytes in a page that may hold several models.
pub(crate) const MAX_POINTS: usize = 20_000;

const W: f64 = 520.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = W - 16.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 330.0;
/// Drawing limit for |gap|: beyond 2 the line y = x − gap cannot cross the cosine square,
/// and an unbounded value would write absurd coordinates.
const GAP_LIMIT: f64 = 3.0;

pub(crate) fn render(out: &mut String, audit: &Audit, t: &TargetReport, slug: &str) {
    let _ = writeln!(
        out,
        "<figure class=\"block\" id=\"scatter-{slug}\">\n<h3>Target vs reference similarity</h3>"
    );
    // Only candidates with both similarities finite can be placed on the plot.
    let points: Vec<(f64, f64, Flag)> = t
        .candidates
        .iter()
        .filter_map(|c| {
            let (x, y) = (c.target_sim as f64, c.reference_sim? as f64);
            (x.is_finite() && y.is_finite()).then(|| (x, y, Flag::of(c.flagged_by.as_deref())))
        })
        .collect();
    if t.candidates.is_empty() {
        out.push_str("<p class=\"empty\">No candidate pairs above the threshold.</p>\n</figure>\n");
        return;
    }
    if points.is_empty() {
        out.push_str(
            "<p class=\"empty\">No reference similarities: the candidates were judged by the \
             structural judge only, so there is no scatter.</p>\n</figure>\n",
        );
        return;
    }
    let shown = subsample(&points);
    let threshold = Some(audit.threshold as f64).filter(|v| v.is_finite());
    // The reference boundary only makes sense when a reference encoder and a gap are set.
    let gap = match (&audit.reference, audit.gap) {
        (Some(_), Some(g)) if g.is_finite() => Some((g as f64).clamp(-GAP_LIMIT, GAP_LIMIT)),
        _ => None,
    };

    let (x0, x1) = svg::domain(
        points.iter().map(|p| p.0).chain(threshold),
        (-1.0, 1.0),
        0.02,
    );
    let boundary_ys = gap.into_iter().flat_map(|g| [x0 - g, x1 - g]);
    let (y0, y1) = svg::domain(
        points.iter().map(|p| p.1).chain(boundary_ys),
        (-1.0, 1.0),
        0.02,
    );
    let xs = Scale {
        d0: x0,
        d1: x1,
        r0: LEFT,
        r1: RIGHT,
    };
    let ys = Scale {
        d0: y0,
        d1: y1,
        r0: BOTTOM,
        r1: TOP,
    };

    let flags = FlagCounts::of(&t.candidates);
    let legend = legend_entries(&flags, threshold.is_some(), gap.is_some());
    let height = BOTTOM + 58.0 + 18.0 * legend.len().div_ceil(2) as f64;
    svg::open(
        out,
        W,
        height,
        &format!("Target vs reference similarity for {}", t.model),
    );
    let _ = writeln!(
        out,
        "<defs><clipPath id=\"clip-{slug}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
        px(LEFT),
        px(TOP),
        px(RIGHT - LEFT),
        px(BOTTOM - TOP)
    );
    axes(
        out,
        &xs,
        &ys,
        &t.model,
        audit.reference.as_deref().unwrap_or("reference"),
    );

    if let (Some(g), Some(th)) = (gap, threshold) {
        // Shade where the reference judge flags: right of the threshold, below y = x − gap.
        let th = th.max(x0);
        let _ = writeln!(
            out,
            "<polygon class=\"flag-zone\" clip-path=\"url(#clip-{slug})\" points=\"{},{} {},{} {},{} {},{}\"/>",
            px(xs.raw(th)),
            px(ys.raw(y0)),
            px(xs.raw(x1)),
            px(ys.raw(y0)),
            px(xs.raw(x1)),
            px(ys.raw(x1 - g)),
            px(xs.raw(th)),
            px(ys.raw(th - g)),
        );
    }
    dots(out, &shown, &xs, &ys);
    if let Some(th) = threshold {
        let x = xs.map(th);
        svg::line(out, (x, BOTTOM), (x, TOP), "boundary-threshold");
        svg::text(
            out,
            x,
            TOP - 6.0,
            "middle",
            "note",
            &format!("threshold {}", num(th, 3)),
        );
    }
    if let Some(g) = gap {
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"boundary-gap\" clip-path=\"url(#clip-{slug})\"/>",
            px(xs.raw(x0)),
            px(ys.raw(x0 - g)),
            px(xs.raw(x1)),
            px(ys.raw(x1 - g)),
        );
    }
    draw_legend(out, &legend, BOTTOM + 56.0);
    out.push_str("</svg>\n");
    caption(out, &points, &shown, t.candidates.len(), threshold, gap);
    out.push_str("</figure>\n");
}

/// Every `n / MAX_POINTS`-th point, by index arithmetic, so the choice is evenly spread
/// over the input order and identical between runs.
fn subsample(points: &[(f64, f64, Flag)]) -> Vec<(f64, f64, Flag)> {
    let n = points.len();
    if n <= MAX_POINTS {
        return points.to_vec();
    }
    (0..MAX_POINTS)
        .map(|i| points[(i as u128 * n as u128 / MAX_POINTS as u128) as usize])
        .collect()
}

fn axes(out: &mut String, xs: &Scale, ys: &Scale, model: &str, reference: &str) {
    for v in svg::ticks(xs.d0, xs.d1) {
        let x = xs.map(v);
        svg::line(out, (x, BOTTOM), (x, TOP), "grid");
        svg::line(out, (x, BOTTOM), (x, BOTTOM + 5.0), "axis");
        svg::text(out, x, BOTTOM + 18.0, "middle", "tick", &num(v, 2));
    }
    for v in svg::ticks(ys.d0, ys.d1) {
        let y = ys.map(v);
        svg::line(out, (LEFT, y), (RIGHT, y), "grid");
        svg::line(out, (LEFT - 5.0, y), (LEFT, y), "axis");
        svg::text(out, LEFT - 8.0, y + 4.0, "end", "tick", &num(v, 2));
    }
    svg::line(out, (LEFT, BOTTOM), (RIGHT, BOTTOM), "axis");
    svg::line(out, (LEFT, BOTTOM), (LEFT, TOP), "axis");
    let x_label = format!("target cosine similarity ({})", svg::short(model, 40));
    svg::text(
        out,
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 38.0,
        "middle",
        "label",
        &x_label,
    );
    let (lx, ly) = (16.0, (TOP + BOTTOM) / 2.0);
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"label\" transform=\"rotate(-90 {} {})\">{}</text>",
        px(lx),
        px(ly),
        px(lx),
        px(ly),
        esc(&format!("reference cosine similarity ({})", svg::short(reference, 36)))
    );
}

/// One `<path>` of zero-length round-capped segments per flag: a dot costs ~15 bytes
/// instead of ~50 for a `<circle>`, which matters at 20,000 dots per model.
fn dots(out: &mut String, points: &[(f64, f64, Flag)], xs: &Scale, ys: &Scale) {
    for flag in Flag::ALL {
        let mut d = String::new();
        for &(x, y, _) in points.iter().filter(|p| p.2 == flag) {
            let _ = write!(d, "M{} {}h0", px(xs.map(x)), px(ys.map(y)));
        }
        if !d.is_empty() {
            let _ = writeln!(out, "<path class=\"dots {}\" d=\"{d}\"/>", flag.class());
        }
    }
}

enum Entry {
    Dot(Flag, usize),
    Line(&'static str, &'static str),
    Zone,
}

fn legend_entries(flags: &FlagCounts, threshold: bool, gap: bool) -> Vec<Entry> {
    let mut v: Vec<Entry> = Flag::ALL
        .into_iter()
        // "other" only appears when the caller used an undocumented flag string.
        .filter(|f| *f != Flag::Other || flags.other > 0)
        .map(|f| Entry::Dot(f, f.count(flags)))
        .collect();
    if threshold {
        v.push(Entry::Line("boundary-threshold", "x = threshold"));
    }
    if gap {
        v.push(Entry::Line("boundary-gap", "y = x − gap"));
        v.push(Entry::Zone);
    }
    v
}

fn draw_legend(out: &mut String, entries: &[Entry], top: f64) {
    for (i, e) in entries.iter().enumerate() {
        let x = LEFT + (i % 2) as f64 * 230.0;
        let y = top + (i / 2) as f64 * 18.0;
        let label = match e {
            Entry::Dot(flag, n) => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"4\" class=\"{}\"/>",
                    px(x + 6.0),
                    px(y - 4.0),
                    flag.class()
                );
                format!("{} ({})", flag.label(), count(*n as u64))
            }
            Entry::Line(class, label) => {
                svg::line(out, (x, y - 4.0), (x + 12.0, y - 4.0), class);
                label.to_string()
            }
            Entry::Zone => {
                svg::rect(out, x, y - 10.0, 12.0, 12.0, "flag-zone swatch");
                "reference disagrees by > gap".to_string()
            }
        };
        svg::text(out, x + 18.0, y, "start", "tick", &label);
    }
}

fn caption(
    out: &mut String,
    points: &[(f64, f64, Flag)],
    shown: &[(f64, f64, Flag)],
    total: usize,
    threshold: Option<f64>,
    gap: Option<f64>,
) {
    let _ = write!(
        out,
        "<figcaption>{} candidate pairs",
        count(points.len() as u64)
    );
    if shown.len() < points.len() {
        let _ = write!(
            out,
            "; {} of them drawn, an evenly spaced deterministic subsample (about 1 in {})",
            count(shown.len() as u64),
            num(points.len() as f64 / shown.len().max(1) as f64, 1)
        );
    }
    out.push('.');
    if points.len() < total {
        let _ = write!(
            out,
            " {} candidates without a finite reference similarity are not drawn.",
            count((total - points.len()) as u64)
        );
    }
    if threshold.is_some() {
        out.push_str(" Dashed: the target threshold.");
    }
    match gap {
        Some(_) => {
            let _ = write!(
                out,
                " Below the solid {} line y = x − gap, in the {} shaded zone, the reference \
                 encoder disagrees by more than the gap.",
                style::colour_name(style::GAP_STROKE),
                style::colour_name(style::ZONE_FILL),
            );
        }
        None => out.push_str(" No gap is set, so no reference boundary is drawn."),
    }
    out.push_str(" Legend counts are over all candidates.</figcaption>\n");
}
