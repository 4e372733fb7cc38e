//! Per-category bar chart: scraped failure pairs (left panel) and success rate of generated
//! pairs (right panel), one row per category, horizontal so long names stay readable.

use std::fmt::Write as _;

use crate::html::{count, esc, pct};
use crate::svg;
use crate::TargetReport;

const W: f64 = 520.0;
const LABEL_END: f64 = 150.0;
const PAIRS_X: f64 = 158.0;
/// Bar widths leave room for the value written after the bar.
const PAIRS_W: f64 = 110.0;
const RATE_X: f64 = 336.0;
const RATE_W: f64 = 120.0;
const HEAD: f64 = 34.0;
const ROW: f64 = 24.0;
const BAR_H: f64 = 12.0;

pub(crate) fn render(out: &mut String, t: &TargetReport, slug: &str) {
    let _ = writeln!(
        out,
        "<figure class=\"block\" id=\"bars-{slug}\">\n<h3>Pairs and success rate per category</h3>"
    );
    if t.categories.is_empty() {
        out.push_str("<p class=\"empty\">No failure categories to chart.</p>\n</figure>\n");
        return;
    }
    // max(1) keeps an all-zero column from dividing by zero; its bars are simply empty.
    let max_pairs = t
        .categories
        .iter()
        .map(|c| c.pairs)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = HEAD + ROW * t.categories.len() as f64 + 8.0;
    svg::open(
        out,
        W,
        height,
        &format!("Pairs and success rate per category for {}", t.model),
    );
    svg::text(
        out,
        PAIRS_X,
        16.0,
        "start",
        "label",
        "scraped failure pairs",
    );
    svg::text(
        out,
        RATE_X,
        16.0,
        "start",
        "label",
        "success rate of generated",
    );
    svg::line(out, (PAIRS_X, HEAD - 8.0), (PAIRS_X, height - 4.0), "axis");
    svg::line(out, (RATE_X, HEAD - 8.0), (RATE_X, height - 4.0), "axis");
    for (i, c) in t.categories.iter().enumerate() {
        let y = HEAD + ROW * i as f64;
        let mid = y + BAR_H / 2.0 + 4.0;
        // <title> gives the full name and numbers on hover; the visible label is shortened.
        let _ = writeln!(
            out,
            "<g><title>{}: {} scraped pairs, {} of {} generated pairs reproduced ({})</title>",
            esc(&c.category),
            count(c.pairs),
            count(c.reproduced),
            count(c.generated),
            pct(c.success_rate)
        );
        svg::text(
            out,
            LABEL_END,
            mid,
            "end",
            "tick",
            &svg::short(&c.category, 22),
        );
        let w = c.pairs as f64 / max_pairs * PAIRS_W;
        svg::rect(out, PAIRS_X, y, w, BAR_H, "bar-pairs");
        svg::text(
            out,
            PAIRS_X + w + 4.0,
            mid,
            "start",
            "tick",
            &count(c.pairs),
        );
        match c.success_rate.filter(|r| r.is_finite()) {
            Some(r) => {
                svg::rect(out, RATE_X, y, RATE_W, BAR_H, "bar-track");
                let w = r.clamp(0.0, 1.0) * RATE_W;
                svg::rect(out, RATE_X, y, w, BAR_H, "bar-rate");
                svg::text(
                    out,
                    RATE_X + RATE_W + 4.0,
                    mid,
                    "start",
                    "tick",
                    &pct(Some(r)),
                );
            }
            None => svg::text(
                out,
                RATE_X + 4.0,
                mid,
                "start",
                "tick muted",
                "none generated",
            ),
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n<figcaption>Left: scraped failure pairs per category (bars scaled to the largest). Right: share of generated pairs the target encoder embeds above the threshold.</figcaption>\n</figure>\n");
}
