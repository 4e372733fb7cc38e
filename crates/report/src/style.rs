//! The page's inline stylesheet.
//!
//! System fonts only (no web fonts: the report must open offline). Chart colors follow the
//! Okabe–Ito palette, which stays distinguishable with the common color blindnesses.
//!
//! Layout: nothing may scroll the page sideways. Long words wrap anywhere, charts scale to
//! their box, wide tables scroll inside their own box, and a table of class `reflow` turns
//! into one card per row (each cell labelled by its `data-label`) when its panel (a CSS
//! container: the summary, or one target) is narrower than 46rem.

use std::fmt::Write as _;

/// Stroke of the reference judge's boundary y = x − gap (Okabe–Ito vermillion).
pub(crate) const GAP_STROKE: &str = "#D55E00";
/// Fill of the zone where the reference judge flags (Okabe–Ito blue, mostly transparent).
pub(crate) const ZONE_FILL: &str = "#0072B2";

/// The page's stylesheet: [`CSS`] and the rules whose colours captions name.
pub(crate) fn css() -> String {
    let mut s = String::from(CSS);
    let _ = writeln!(
        s,
        ".boundary-gap {{ stroke: {GAP_STROKE}; stroke-width: 2; }}\n\
         .flag-zone {{ fill: {ZONE_FILL}; fill-opacity: .08; stroke: none; }}\n\
         .flag-zone.swatch {{ fill-opacity: .25; }}"
    );
    s
}

/// A plain colour word for `#RRGGBB`, by hue, so a caption says what the reader sees.
pub(crate) fn colour_name(hex: &str) -> &'static str {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    let (r, g, b) = (
        ((v >> 16) & 255) as f64 / 255.0,
        ((v >> 8) & 255) as f64 / 255.0,
        (v & 255) as f64 / 255.0,
    );
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 0.12 {
        return if max < 0.35 { "black" } else { "grey" };
    }
    let d = max - min;
    let hue = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    match hue {
        h if !(12.0..345.0).contains(&h) => "red",
        h if h < 48.0 => "orange",
        h if h < 68.0 => "yellow",
        h if h < 165.0 => "green",
        h if h < 255.0 => "blue",
        h if h < 290.0 => "purple",
        _ => "pink",
    }
}

/// Inlined into `<style>`; SVG elements are styled by class so the markup stays small.
const CSS: &str = r#":root { color-scheme: light; --fg: #1d1d1f; --muted: #6b6b70; --line: #d8d8dc; --bg: #fff; --panel: #f7f7f9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1800px; padding: 1.5rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
.settings { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .25rem 1.5rem; margin: 0; }
.settings div { display: flex; gap: .5rem; }
.settings dt { color: var(--muted); white-space: nowrap; }
.settings dd { margin: 0; overflow-wrap: anywhere; }
.rule { background: var(--panel); border-left: 3px solid #0072B2; padding: .5rem .75rem; }
.targets { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 34rem), 1fr)); gap: 1.5rem; align-items: start; }
.target { min-width: 0; border: 1px solid var(--line); border-radius: 6px; padding: 0 1rem 1rem; }
.block { margin: 0 0 1.25rem; min-width: 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: var(--panel); font-weight: 600; }
/* Numbers never break mid-digit; headers of number columns may still wrap at spaces. */
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.n { text-align: right; }
.examples { margin: 0; padding-left: 1rem; }
.examples li { margin-bottom: .2rem; }
.muted, .empty, .note, figcaption, footer { color: var(--muted); }
figure { margin: 0 0 1.25rem; }
figcaption { font-size: .85rem; }
svg { display: block; width: 100%; height: auto; max-width: 720px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
svg text.label { font-size: 12px; font-weight: 600; }
svg text.note { fill: var(--muted); }
svg text.muted { fill: var(--muted); font-style: italic; }
.axis { stroke: #444; stroke-width: 1; }
.grid { stroke: #ececef; stroke-width: 1; }
.dots { fill: none; stroke-width: 4; stroke-linecap: round; }
.dots.f-none { stroke-opacity: .45; }
.f-none { stroke: #999; fill: #999; }
.f-ref { stroke: #0072B2; fill: #0072B2; }
.f-struct { stroke: #E69F00; fill: #E69F00; }
.f-both { stroke: #CC79A7; fill: #CC79A7; }
.f-other { stroke: #009E73; fill: #009E73; }
.boundary-threshold { stroke: #333; stroke-width: 1.5; stroke-dasharray: 5 4; }
.bar-pairs { fill: #0072B2; }
.bar-track { fill: #ececef; }
.bar-rate { fill: #E69F00; }
footer { margin-top: 2rem; font-size: .8rem; }
code { overflow-wrap: anywhere; }
.target, #summary { container-type: inline-size; }
.sims { color: var(--muted); font-size: .85em; white-space: nowrap; font-variant-numeric: tabular-nums; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem .9rem; margin: 0 0 .6rem; }
.controls label { display: inline-flex; flex-wrap: wrap; align-items: center; gap: .3rem; max-width: 100%; }
.controls select, .controls input { max-width: 100%; font: inherit; }
.controls input[type=search] { width: 16rem; }
.controls input[type=file] { max-width: 14rem; }
button { font: inherit; padding: .15rem .55rem; border: 1px solid #b9b9c0; border-radius: 4px; background: var(--panel); color: var(--fg); cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
button[aria-pressed=true].rv-real_failure { background: #b8462a; border-color: #b8462a; color: #fff; }
button[aria-pressed=true].rv-false_alarm { background: #2f6f4f; border-color: #2f6f4f; color: #fff; }
td.rv { white-space: nowrap; }
td.rv button + button { margin-left: .3rem; }
.pairs-table td.txt { min-width: 11rem; }
.cat-table td.ex { min-width: 16rem; }
.cat-table td.desc { min-width: 9rem; }
.pairs-table td.ev { min-width: 10rem; font-size: .9em; }
.pager { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-top: .4rem; }
tr.total td { font-weight: 600; }
@media (max-width: 640px) { body { padding: .75rem; } .target { padding: 0 .6rem .6rem; } h1 { font-size: 1.3rem; } }
/* Narrow panels: tables become cards, one per row, each cell labelled by its data-label. */
@container (max-width: 46rem) {
  table.reflow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.reflow, table.reflow tbody, table.reflow tr { display: block; width: 100%; }
  table.reflow tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .5rem; padding: .3rem .6rem; }
  table.reflow td { display: grid; grid-template-columns: minmax(6.5rem, 32%) minmax(0, 1fr); gap: .6rem; border: 0; padding: .12rem 0; min-width: 0; text-align: left; white-space: normal; overflow-wrap: anywhere; }
  table.reflow td::before { content: attr(data-label); color: var(--muted); }
  table.reflow td.head { font-weight: 600; }
  /* Numbers two or three to a line; names, descriptions and examples span the card. */
  table.cat-table tr, table.review-table tr { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); column-gap: 1.2rem; }
  table.cat-table td.n, table.review-table td.n { grid-template-columns: minmax(0, 1fr) auto; }
  table.cat-table td:not(.n), table.review-table td:not(.n) { grid-column: 1 / -1; grid-template-columns: minmax(6.5rem, 24%) minmax(0, 1fr); }
  table.cat-table td.ex, table.cat-table td.desc { min-width: 0; }
}
/* The summary has twelve columns: cards sooner, numbers two or three to a line. */
@container (max-width: 50rem) {
  #summary table.reflow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  #summary table.reflow, #summary table.reflow tbody { display: block; width: 100%; }
  #summary table.reflow tr { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); column-gap: 1.2rem; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .5rem; padding: .3rem .6rem; }
  #summary table.reflow td { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: .6rem; border: 0; padding: .12rem 0; min-width: 0; }
  #summary table.reflow td::before { content: attr(data-label); color: var(--muted); }
  #summary table.reflow td.head { grid-column: 1 / -1; grid-template-columns: minmax(6.5rem, 32%) minmax(0, 1fr); font-weight: 600; }
}
/* Flagged pairs: compact cards (texts, then judge and similarities on one line with the review
   buttons, then the evidence) unless the panel is wide enough for all eight columns. */
@container (max-width: 60rem) {
  table.pairs-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.pairs-table, table.pairs-table tbody { display: block; width: 100%; }
  table.pairs-table tr { display: flex; flex-wrap: wrap; align-items: baseline; gap: .15rem 1rem; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .5rem; padding: .35rem .6rem; }
  table.pairs-table td { display: block; border: 0; padding: 0; min-width: 0; text-align: left; white-space: normal; }
  table.pairs-table td::before { content: attr(data-label); color: var(--muted); margin-right: .4rem; font-size: .85em; }
  table.pairs-table td.txt { flex: 1 1 100%; min-width: 0; }
  table.pairs-table td.rv { margin-left: auto; white-space: normal; }
  table.pairs-table td.rv::before { content: none; }
  table.pairs-table td.ev { flex: 1 1 100%; order: 1; min-width: 0; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_names_match_the_palette() {
        assert_eq!(colour_name(GAP_STROKE), "orange");
        assert_eq!(colour_name(ZONE_FILL), "blue");
        assert_eq!(colour_name("#E69F00"), "orange");
        assert_eq!(colour_name("#CC0000"), "red");
        assert_eq!(colour_name("#009E73"), "green");
        assert_eq!(colour_name("#CC79A7"), "pink");
        assert_eq!(colour_name("#333333"), "black");
        assert_eq!(colour_name("#999999"), "grey");
    }

    #[test]
    fn the_stylesheet_draws_the_gap_line_in_its_named_colour() {
        assert!(css().contains(&format!(".boundary-gap {{ stroke: {GAP_STROKE};")));
        assert_eq!(css().matches(".boundary-gap {").count(), 1);
    }
}
