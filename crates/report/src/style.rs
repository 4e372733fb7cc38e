//! The page's inline stylesheet.
//!
//! System fonts only (no web fonts: the report must open offline). Chart colors follow the
//! Okabe–Ito palette, which stays distinguishable with the common color blindnesses.

/// Inlined into `<style>`; SVG elements are styled by class so the markup stays small.
pub(crate) const CSS: &str = r#":root { color-scheme: light; --fg: #1d1d1f; --muted: #6b6b70; --line: #d8d8dc; --bg: #fff; --panel: #f7f7f9; }
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
.boundary-gap { stroke: #D55E00; stroke-width: 2; }
.flag-zone { fill: #0072B2; fill-opacity: .08; stroke: none; }
.flag-zone.swatch { fill-opacity: .25; }
.bar-pairs { fill: #0072B2; }
.bar-track { fill: #ececef; }
.bar-rate { fill: #E69F00; }
footer { margin-top: 2rem; font-size: .8rem; }
"#;
