//! The page's one inline script: flagged pairs drawn a page at a time from their JSON, search
//! and filters, review labels (kept in `localStorage`, saved as and loaded from
//! `reviews.csv`), and the `#selftest` check the browser test reads.
//!
//! Plain ES2017, no libraries, nothing fetched. Text reaches the DOM only through
//! `textContent` and attribute setters, never as HTML. The page works without it, less the
//! pairs list and review.

/// Inlined at the end of `<body>`; it must never contain `</script`.
pub(crate) const JS: &str = r##"(function () {
"use strict";
var PAGE = 100;
var NAMES = { real_failure: "real failure", false_alarm: "false alarm" };
var doc = document;
var selftest = location.hash.indexOf("#selftest") === 0;
var storeKey = "lookalike-reviews:" + (doc.body.getAttribute("data-audit-key") || "") + (selftest ? ":selftest" : "");
var labels = new Map();
var targets = [];
var statusEl = doc.getElementById("review-status");

function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
function key(m, a, b) { return JSON.stringify([m, a, b]); }
function grp(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
function fmt(x) { return typeof x === "number" ? x.toFixed(3) : "\u2013"; }
function pct(x) { return (x * 100).toFixed(1) + "%"; }
function catValue(c) { return c === null ? "none" : "c:" + c; }

function restore() {
  var raw = null;
  try {
    if (selftest) { localStorage.removeItem(storeKey); return; }
    raw = localStorage.getItem(storeKey);
  } catch (e) { return; }
  if (!raw) return;
  try {
    JSON.parse(raw).forEach(function (e) {
      if (Array.isArray(e) && e.length === 4 && has(NAMES, e[3])) labels.set(key(e[0], e[1], e[2]), e[3]);
    });
  } catch (e) { /* a damaged entry is dropped */ }
}

function persist() {
  var list = [];
  labels.forEach(function (l, k) { var e = JSON.parse(k); e.push(l); list.push(e); });
  try { localStorage.setItem(storeKey, JSON.stringify(list)); return true; }
  catch (e) { return false; }
}

function csvField(s) { s = String(s); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }

// The labels as reviews.csv: the page's pairs in page order, then labels of pairs this page
// does not list (loaded from a file), in the order they were set.
function csvText() {
  var lines = ["model,text_a,text_b,label"], done = new Set();
  function line(m, a, b, l) { lines.push([m, a, b, l].map(csvField).join(",")); }
  targets.forEach(function (t) {
    t.rows.forEach(function (r) {
      var k = key(t.model, r[0], r[1]), l = labels.get(k);
      if (l && !done.has(k)) { done.add(k); line(t.model, r[0], r[1], l); }
    });
  });
  labels.forEach(function (l, k) {
    if (!done.has(k)) { var e = JSON.parse(k); line(e[0], e[1], e[2], l); }
  });
  return lines.join("\n") + "\n";
}

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF.
function parseCsv(text) {
  var rows = [], row = [], f = "", q = false, i = 0, n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < n; i++) {
    var c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { f += '"'; i++; } else q = false; }
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(f); f = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(f); rows.push(row); row = []; f = "";
    } else f += c;
  }
  if (f !== "" || row.length) { row.push(f); rows.push(row); }
  return rows;
}

function loadCsvText(text) {
  var rows = parseCsv(text);
  var head = (rows[0] || []).map(function (h) { return h.trim(); });
  var im = head.indexOf("model"), ia = head.indexOf("text_a"), ib = head.indexOf("text_b"), il = head.indexOf("label");
  if (im < 0 || ia < 0 || ib < 0 || il < 0) throw new Error("the first line must be model,text_a,text_b,label");
  var loaded = 0, skipped = 0;
  for (var i = 1; i < rows.length; i++) {
    var r = rows[i];
    if (r.length === 1 && r[0] === "") continue;
    var l = (r[il] || "").trim();
    if (r.length < head.length || !has(NAMES, l)) { skipped++; continue; }
    labels.set(key(r[im], r[ia], r[ib]), l);
    loaded++;
  }
  changed();
  targets.forEach(draw);
  return { loaded: loaded, skipped: skipped };
}

function say(msg) { if (statusEl) statusEl.textContent = msg; }

function status(stored) {
  var here = 0;
  targets.forEach(function (t) { t.rows.forEach(function (r) { if (labels.has(key(t.model, r[0], r[1]))) here++; }); });
  var total = targets.reduce(function (s, t) { return s + t.rows.length; }, 0);
  say(grp(here) + " of " + grp(total) + " flagged pairs reviewed" +
      (labels.size > here ? " (" + grp(labels.size - here) + " more labels for pairs not listed here)" : "") +
      (stored === false ? "; this browser would not keep them: save them to a file" : ""));
}

function changed() {
  var stored = persist();
  counts();
  status(stored);
}

function counts() {
  targets.forEach(function (t) {
    if (!t.counts) return;
    var per = new Map(), all = { real: 0, fa: 0 };
    t.rows.forEach(function (r) {
      var l = labels.get(key(t.model, r[0], r[1]));
      if (!l) return;
      var c = catValue(r[2]), e = per.get(c) || { real: 0, fa: 0 };
      if (l === "real_failure") { e.real++; all.real++; } else { e.fa++; all.fa++; }
      per.set(c, e);
    });
    t.counts.querySelectorAll("tr[data-cat]").forEach(function (tr) {
      var c = tr.getAttribute("data-cat"), e = c === "" ? all : (per.get(c) || { real: 0, fa: 0 });
      var n = e.real + e.fa;
      function set(k, v) { var td = tr.querySelector('td[data-k="' + k + '"]'); if (td) td.textContent = v; }
      set("reviewed", grp(n)); set("real", grp(e.real)); set("false", grp(e.fa));
      set("precision", n ? pct(e.real / n) : "\u2013");
    });
  });
}

function cell(tr, label, text, cls) {
  var td = doc.createElement("td");
  td.setAttribute("data-label", label);
  if (cls) td.className = cls;
  if (text !== null) td.textContent = text;
  tr.appendChild(td);
  return td;
}

function row(t, i) {
  var r = t.rows[i], tr = doc.createElement("tr");
  tr.setAttribute("data-i", String(i));
  cell(tr, "text A", r[0], "txt");
  cell(tr, "text B", r[1], "txt");
  cell(tr, "category", r[2] === null ? "\u2014" : r[2], r[2] === null ? "muted" : "");
  cell(tr, "judge", r[3] || "\u2014", "");
  cell(tr, "target sim", fmt(r[4]), "n");
  cell(tr, "reference sim", fmt(r[5]), "n");
  cell(tr, "evidence", r[6] === null ? "\u2014" : r[6], "ev");
  var box = doc.createElement("span"), l = labels.get(key(t.model, r[0], r[1]));
  ["real_failure", "false_alarm"].forEach(function (v) {
    var b = doc.createElement("button");
    b.type = "button";
    b.className = "rv-" + v;
    b.setAttribute("data-v", v);
    b.setAttribute("aria-pressed", String(l === v));
    b.textContent = NAMES[v];
    box.appendChild(b);
  });
  cell(tr, "review", null, "rv").appendChild(box);
  return tr;
}

function filter(t) {
  var q = t.search.value.trim().toLowerCase(), cat = t.cat.value, judge = t.judge.value, rev = t.review.value;
  if (q && !t.hay) {
    t.hay = t.rows.map(function (r) { return [r[0], r[1], r[2] || "", r[3] || "", r[6] || ""].join("\n").toLowerCase(); });
  }
  var out = [];
  for (var i = 0; i < t.rows.length; i++) {
    var r = t.rows[i];
    if (cat && catValue(r[2]) !== cat) continue;
    if (judge && "j:" + r[3] !== judge) continue;
    if (rev && (labels.get(key(t.model, r[0], r[1])) || "none") !== rev) continue;
    if (q && t.hay[i].indexOf(q) < 0) continue;
    out.push(i);
  }
  t.matched = out;
  t.page = 0;
  draw(t);
}

function draw(t) {
  var n = t.matched.length, pages = Math.max(1, Math.ceil(n / PAGE));
  if (t.page >= pages) t.page = pages - 1;
  var start = t.page * PAGE, end = Math.min(n, start + PAGE), frag = doc.createDocumentFragment();
  for (var k = start; k < end; k++) frag.appendChild(row(t, t.matched[k]));
  t.tbody.textContent = "";
  t.tbody.appendChild(frag);
  t.count.textContent = n === t.rows.length ? grp(n) + " pairs" : grp(n) + " of " + grp(t.rows.length) + " pairs match";
  t.pageEl.textContent = n ? "rows " + grp(start + 1) + "\u2013" + grp(end) + " of " + grp(n) : "no pair matches";
  t.prev.disabled = t.page === 0;
  t.next.disabled = t.page >= pages - 1;
}

function init(block) {
  var data = JSON.parse(block.querySelector("script.pairs-data").textContent);
  var q = function (s) { return block.querySelector(s); };
  var t = {
    block: block, model: data.model, rows: data.rows, matched: [], page: 0, hay: null,
    tbody: q("tbody"), count: q(".f-count"), pageEl: q(".page"), prev: q("button.prev"), next: q("button.next"),
    search: q(".f-search"), cat: q(".f-category"), judge: q(".f-judge"), review: q(".f-review"),
    counts: doc.getElementById(block.getAttribute("data-review-table"))
  };
  t.search.addEventListener("input", function () { filter(t); });
  [t.cat, t.judge, t.review].forEach(function (s) { s.addEventListener("change", function () { filter(t); }); });
  t.prev.addEventListener("click", function () { t.page--; draw(t); });
  t.next.addEventListener("click", function () { t.page++; draw(t); });
  t.tbody.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-v]");
    if (!b) return;
    var tr = b.closest("tr"), r = t.rows[Number(tr.getAttribute("data-i"))];
    var k = key(t.model, r[0], r[1]), v = b.getAttribute("data-v");
    if (labels.get(k) === v) labels.delete(k); else labels.set(k, v);
    tr.querySelectorAll("button[data-v]").forEach(function (x) {
      x.setAttribute("aria-pressed", String(labels.get(k) === x.getAttribute("data-v")));
    });
    changed();
  });
  return t;
}

function save() {
  var url = URL.createObjectURL(new Blob([csvText()], { type: "text/csv;charset=utf-8" }));
  var a = doc.createElement("a");
  a.href = url;
  a.download = "reviews.csv";
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
}

function wire() {
  var el = doc.getElementById("review-save");
  if (el) el.addEventListener("click", save);
  el = doc.getElementById("review-load");
  if (el) el.addEventListener("change", function () {
    var input = this, file = input.files && input.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      try {
        var res = loadCsvText(String(reader.result));
        say("Loaded " + grp(res.loaded) + " labels from " + file.name + (res.skipped ? "; skipped " + grp(res.skipped) + " lines without a valid label" : "") + ".");
      } catch (e) { say("Could not load " + file.name + ": " + e.message); }
      input.value = "";
    };
    reader.readAsText(file);
  });
  el = doc.getElementById("review-clear");
  if (el) el.addEventListener("click", function () {
    if (!labels.size || !window.confirm("Forget all " + labels.size + " labels of this audit in this browser?")) return;
    labels.clear();
    changed();
    targets.forEach(draw);
  });
  // "list all flagged pairs" of a category: set the filter, then let the link jump.
  doc.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.show-cat");
    if (!a) return;
    var t = targets.find(function (t) { return "#" + t.block.id === a.getAttribute("href"); });
    if (!t) return;
    t.cat.value = a.getAttribute("data-cat");
    t.search.value = ""; t.judge.value = ""; t.review.value = "";
    filter(t);
  });
}

function setFilters(t, cat, judge, q) {
  t.cat.value = cat; t.judge.value = judge; t.search.value = q; t.review.value = "";
  filter(t);
}

function shown(t) {
  return Array.prototype.map.call(t.tbody.rows, function (tr) { return t.rows[Number(tr.getAttribute("data-i"))]; });
}

function check(out, name, t, test) {
  var rows = shown(t);
  out[name + "_matched"] = t.matched.length;
  out[name + "_visible"] = rows.length;
  out[name + "_all_match"] = rows.every(test);
}

function runSelftest() {
  var out = {}, de = doc.documentElement;
  out.inner_width = window.innerWidth;
  out.client_width = de.clientWidth;
  out.scroll_width = de.scrollWidth;
  out.body_scroll_width = doc.body.scrollWidth;
  out.overflow_ok = de.scrollWidth <= de.clientWidth && doc.body.scrollWidth <= de.clientWidth;
  var bad = [];
  doc.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (!r.width || r.right <= de.clientWidth + 0.5) return;
    for (var p = el.parentElement; p; p = p.parentElement) {
      var s = getComputedStyle(p).overflowX;
      if (s === "auto" || s === "scroll" || s === "hidden" || s === "clip") return;
    }
    if (bad.length < 8) bad.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "") + ":" + Math.round(r.right));
  });
  out.overflowing = bad.join(" ");
  var tr0 = doc.querySelector(".pairs-table tbody tr");
  out.cards = tr0 ? getComputedStyle(tr0).display !== "table-row" : "n/a";
  var t = targets.find(function (t) { return t.rows.length >= 2; });
  if (!t) { out.error = "no target with two flagged pairs"; return out; }
  out.model = t.model;
  out.rows = t.rows.length;
  setFilters(t, "", "", "");
  out.visible_unfiltered = t.tbody.rows.length;
  out.page_label = t.pageEl.textContent;
  var catOpt = Array.prototype.find.call(t.cat.options, function (o) { return o.value.indexOf("c:") === 0; });
  out.category = catOpt ? catOpt.value.slice(2) : "";
  setFilters(t, catOpt ? catOpt.value : "", "", "");
  check(out, "category", t, function (r) { return r[2] === out.category; });
  var judgeOpt = t.judge.options[1];
  out.judge = judgeOpt ? judgeOpt.value.slice(2) : "";
  setFilters(t, "", judgeOpt ? judgeOpt.value : "", "");
  check(out, "judge", t, function (r) { return r[3] === out.judge; });
  var m = /^#selftest:(.*)$/.exec(location.hash);
  out.search = m ? decodeURIComponent(m[1]) : "a";
  var term = out.search.toLowerCase();
  function hit(r) { return [r[0], r[1], r[2] || "", r[3] || "", r[6] || ""].some(function (s) { return s.toLowerCase().indexOf(term) >= 0; }); }
  setFilters(t, "", "", out.search);
  check(out, "search", t, hit);
  setFilters(t, catOpt ? catOpt.value : "", "", out.search);
  check(out, "category_search", t, function (r) { return r[2] === out.category && hit(r); });
  // The first row's cells hold the texts verbatim (as text, not markup).
  setFilters(t, "", "", "");
  var first = t.tbody.rows[0];
  out.texts_verbatim = first.cells[0].textContent === t.rows[0][0] && first.cells[1].textContent === t.rows[0][1];
  // Review: the first pair is a real failure, the second a false alarm, clicked like a person.
  first.querySelector('button[data-v="real_failure"]').click();
  t.tbody.rows[1].querySelector('button[data-v="false_alarm"]').click();
  out.pressed = t.tbody.querySelectorAll('button[aria-pressed="true"]').length;
  var csv = csvText();
  out.csv = csv;
  try { out.stored = JSON.parse(localStorage.getItem(storeKey) || "[]").length; } catch (e) { out.stored = "error " + e.message; }
  var total = t.counts && t.counts.querySelector('tr[data-cat=""]');
  if (total) ["reviewed", "real", "false", "precision"].forEach(function (k) { out["counts_" + k] = total.querySelector('td[data-k="' + k + '"]').textContent; });
  setFilters(t, "", "", "");
  t.review.value = "false_alarm";
  filter(t);
  out.review_filter_matched = t.matched.length;
  setFilters(t, "", "", "");
  // Round trip: forget, load the saved text back, and save again.
  labels.clear();
  changed();
  targets.forEach(draw);
  out.cleared_pressed = t.tbody.querySelectorAll('button[aria-pressed="true"]').length;
  var res = loadCsvText(csv);
  out.roundtrip_loaded = res.loaded;
  out.roundtrip_skipped = res.skipped;
  out.roundtrip_same = csvText() === csv;
  out.roundtrip_pressed = t.tbody.querySelectorAll('button[aria-pressed="true"]').length;
  out.parse_fields = parseCsv(csv).map(function (r) { return r.length; }).join(",");
  out.pwned = !!window.__pwned;
  return out;
}

restore();
doc.querySelectorAll(".pairs[data-review-table]").forEach(function (block) {
  if (block.querySelector("script.pairs-data")) targets.push(init(block));
});
// Labels of an earlier review, read back by the audit (reviews.csv), unless this browser has
// newer ones for the pair.
if (!selftest) targets.forEach(function (t) {
  t.rows.forEach(function (r) {
    var k = key(t.model, r[0], r[1]);
    if (typeof r[7] === "string" && has(NAMES, r[7]) && !labels.has(k)) labels.set(k, r[7]);
  });
});
targets.forEach(filter);
counts();
status();
wire();
if (selftest) {
  var pre = doc.getElementById("selftest"), res;
  try { res = runSelftest(); } catch (e) { res = { error: String(e && e.stack || e) }; }
  res.done = 1;
  pre.textContent = Object.keys(res).map(function (k) { return k + "=" + encodeURIComponent(String(res[k])); }).join("\n");
}
})();
"##;

#[cfg(test)]
mod tests {
    #[test]
    fn the_script_cannot_end_or_comment_out_its_element() {
        let js = super::JS.to_ascii_lowercase();
        assert!(!js.contains("</script") && !js.contains("<!--") && !js.contains("<script"));
    }
}
