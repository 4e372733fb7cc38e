"""How the scrape's cost grows, from 10k to 1M texts: time and peak memory per size, and where
the time goes at each size.

    bash bench/scale/run.sh                       # 10k, all 25,014 COCO captions, 100k, 300k, 1M
    bash bench/scale/run.sh --runs 3              # each measurement three times: min/median/max
    bash bench/scale/run.sh --quick               # 10k real + 100k synthetic, one run: a check
    bash bench/scale/run.sh --sizes 25k,1M        # any sizes; "all" is every COCO val caption
    bash bench/scale/run.sh --first-pass f32      # scrape with --f32-only (no int8 first pass)

(run.sh sets PYTHONPATH, LOOKALIKE_HOME and LOOKALIKE_MODELS, builds the pair-search example and
calls this file.) Two kinds of row, and the table says which each is:

MEASURED (sizes up to the 25,014 COCO val 2017 captions; the first N in file order, or all):
real cold scrapes with target/debug/lookalike, as bench/scrape/run.py times them: `lookalike
scrape` with a fresh, empty --cache directory, target minilm, reference mpnet, target
similarity above 0.9, gap above 0.2, --judge reference, exact search; wall time (process start
to exit) and peak RSS (ru_maxrss from os.wait4). Then one more process per run, fresh cache,
runs the scrape in stages, each statement timed:
  (1) embed every distinct caption with the model that embeds all texts: the target, or its
      int8 import when the scrape uses the int8 first pass (the timed scrape's report says);
  (2) the scrape in candidates mode without a reference: with a first pass, the target now
      embeds the texts of the first pass's pairs; without one, everything comes from the cache;
  (3) the same again, every vector from the cache: read, pair search(es), dedup, the
      structural judge;
  (4) the same with the reference.
So, with a first pass: target embedding = (1) + (2) - (3), pair search + dedup + judge = (3);
without one (as in bench/scrape/run.py): target embedding = (1), pair search + dedup + judge =
(2), which holds the first call's one-off set-up, (3) a warm repeat. Reference embedding, model
load included = (4) - (3). Counts (distinct texts, pairs above the threshold,
candidates after dedup, texts the target and the reference embedded) come from the
`lookalike_pairs:` report line.

SYNTHETIC + PROJECTED (sizes above the captions, default 100k, 300k, 1M): no corpus that large
is at hand, so
- the pair search is MEASURED on seeded synthetic clustered unit vectors
  (`lookalike_pairs::synth`, about 2.5 pairs per row above 0.9: denser than COCO) with
  target/release/examples/bench_search: IVF (the method `auto` picks above 50k texts, 16
  probes), dim 384 (minilm's), 2 threads, above the threshold (0.9), or with an int8 first pass
  above the threshold less its margin (where the scrape's search over all texts runs; the
  second search, over the first pass's texts, is not measured); its time split into training,
  assignment and join, and the IVF stage's own peak RSS (its VmHWM after bench_search resets
  it, vectors included; the child's ru_maxrss is useless there, as the resets lower it). It is
  one search only: reading the vectors, dedup, the structural judge and, with a first pass,
  the second search over the candidates' texts are not in it (at the measured sizes stage (3)
  holds them all);
- the embedding stages are PROJECTED, linearly, from the largest measured size's rates:
  all-text embedding texts per second (model load included), the target's texts (first pass)
  and the reference's texts per distinct corpus text (COCO's density) times their seconds per
  text; the rest of the staged process's wall (start, corpus registration) per text likewise.
  The total is the sum. Where two measured sizes exist, a fixed + per-text line through them
  (each stage's seconds against distinct texts) is printed as a second projection. COCO's
  share of texts in candidates grows with N (more neighbours), so the first projection of the
  reference (and of a first pass's target texts) is likely low at 1M; the line through two
  sizes follows the trend;
- the projected peak RSS is the measured scrape's peak less its target and reference vectors,
  plus the synthetic search's peak (vectors included) and the reference vectors at N: the
  models' memory assumed resident throughout, as lookalike keeps its models loaded.

Every measured process also reports the cores other processes kept busy meanwhile (run.py's
LAST_OTHERS): on a shared 2-core machine, a run with other load is slower than the code.
The output ends with a Markdown table and one JSON line holding everything.
"""
import argparse
import atexit
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# bench/scrape/run.py's helpers (run_measured, LAST_OTHERS, stats), imported rather than copied.
_spec = importlib.util.spec_from_file_location("scrape_run", os.path.join(ROOT, "bench", "scrape", "run.py"))
scrape_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scrape_run)
run_measured, stats = scrape_run.run_measured, scrape_run.stats


def others():
    """Cores other processes kept busy during the last run_measured."""
    return scrape_run.LAST_OTHERS[0]


MIB = 1024 * 1024
# Each field of the `lookalike_pairs:` report line (crates/scrape/src/report.rs) on its own, so
# that a clause added later does not break the others.
REPORT_FIELDS = {
    "rows": r"lookalike_pairs: (\d+) rows",
    "distinct_texts": r"→ (\d+) distinct texts",
    "excluded_texts": r"(\d+) with an excluded phrase",
    "first_pass_model": r"; (\S+) first pass:",
    "first_pass_pairs": r"first pass: (\d+) (?:candidate )?pairs",
    "first_pass_margin": r"first pass: \d+ pairs above the threshold less ([0-9.]+)",
    "first_pass_strayed": r"straying from the target by at most ([0-9.]+)",
    "first_pass_target_texts": r"(\d+) texts embedded by the target",
    "method": r"(\S+) search: \d+ pairs above",
    "above_threshold": r"search: (\d+) pairs above",
    "normalized_equal": r"dropped (\d+) equal",
    "repeated_pairs": r"and (\d+) repeats",
    "reference_texts": r"reference embedded (\d+) texts",
    "by_reference": r"flagged (\d+) by the reference gap",
    "by_structure": r"(\d+) by the structural judge",
    "returned": r"(\d+) rows returned",
}


def parse_report(stderr):
    """The last `lookalike_pairs:` report line in stderr, as a dict (None for a missing field)."""
    lines = [l for l in stderr.splitlines() if l.startswith("lookalike_pairs:")]
    if not lines:
        sys.exit(f"no lookalike_pairs report in:\n{stderr[-3000:]}")
    out = {"line": lines[-1]}
    for k, pattern in REPORT_FIELDS.items():
        m = re.search(pattern, lines[-1])
        out[k] = None if m is None else (m.group(1) if k in ("method", "first_pass_model") else float(m.group(1))
                                         if k in ("first_pass_margin", "first_pass_strayed") else int(m.group(1)))
    out["first_pass_warning"] = "WARNING" in lines[-1]
    return out


def num(x, fmt="{:,}"):
    """x formatted, or '?' where the report did not say."""
    return "?" if x is None else fmt.format(x)


def parse_size(s, captions):
    s = s.strip().lower()
    if s == "all":
        return captions
    mult = {"k": 1000, "m": 1000_000}.get(s[-1], 1)
    return int(float(s[:-1] if s[-1] in "km" else s) * mult)


def cell(xs, fmt="{:.1f}"):
    """The median, with (min–max) when there is more than one value."""
    if not xs:
        return "—"
    lo, mid, hi = stats(xs)
    return fmt.format(mid) if len(xs) == 1 else f"{fmt.format(mid)} ({fmt.format(lo)}–{fmt.format(hi)})"


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,all,100k,300k,1M",
                    help="comma list (k, M suffixes; 'all' = every caption); sizes up to the caption count are "
                         "measured scrapes, larger ones synthetic pair search + projected embedding")
    ap.add_argument("--quick", action="store_true", help="only 10k real + 100k synthetic, one run: checks the script")
    ap.add_argument("--runs", type=int, default=1, help="repeat every measurement; reports min/median/max")
    ap.add_argument("--first-pass", choices=["default", "f32"], default="default",
                    help="default: whatever the binary does by default (an int8 first pass where it has one and "
                         "the int8 import is installed); f32: `scrape --f32-only`, first_pass => 'f32'")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/lookalike"))
    ap.add_argument("--bench-search", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release/examples/bench_search"))
    ap.add_argument("--models", default=os.environ.get("LOOKALIKE_MODELS", os.path.join(ROOT, "models")))
    ap.add_argument("--coco", default=os.path.join(ROOT, "../shared/reference/coco/captions_val2017.json"))
    ap.add_argument("--target", default="minilm")
    ap.add_argument("--reference", default="mpnet")
    ap.add_argument("--target-dim", type=int, default=384, help="the target's dimension (synthetic vectors)")
    ap.add_argument("--reference-dim", type=int, default=768, help="the reference's dimension (memory projection)")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--gap", type=float, default=0.2)
    ap.add_argument("--search-threshold", default="auto",
                    help="threshold of the synthetic search; auto: the threshold less the first pass's margin when "
                         "the measured scrapes used a first pass (its search over all texts runs there), else the threshold")
    ap.add_argument("--probes", type=int, default=16, help="IVF probes of the synthetic search (the default)")
    ap.add_argument("--threads", type=int, default=2, help="threads of the synthetic search")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic vectors")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.runs = "10k,100k", 1

    have_coco = os.path.isfile(args.coco)
    annotations = json.load(open(args.coco, encoding="utf-8"))["annotations"] if have_coco else []
    captions = len(annotations)
    sizes = sorted({parse_size(s, captions) for s in args.sizes.split(",") if s.strip()})
    real = [n for n in sizes if n <= captions]
    synthetic = [n for n in sizes if n > captions]
    if not have_coco:
        print(f"note: {args.coco} not found: no measured scrapes, and nothing to project the embedding from")
    if synthetic and not os.path.isfile(args.bench_search):
        sys.exit(f"{args.bench_search} missing: cargo build --release -p lookalike-pairs --example bench_search")

    work = tempfile.mkdtemp(prefix="scale-bench-")
    if not args.keep:
        atexit.register(shutil.rmtree, work, True)  # also when a run fails (run_measured exits)
    # Later rebuilds must not change the binaries under test.
    binary = os.path.join(work, "lookalike")
    if real:
        shutil.copy2(args.bin, binary)
    search_bin = os.path.join(work, "bench_search")
    if synthetic:
        shutil.copy2(args.bench_search, search_bin)

    head = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    built = lambda p: time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(p)))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"{time.strftime('%Y-%m-%d %H:%M')}: scrape cost by size; sizes {', '.join(f'{n:,}' for n in sizes)} "
          f"(measured: {', '.join(f'{n:,}' for n in real) or 'none'}; synthetic search + projected embedding: "
          f"{', '.join(f'{n:,}' for n in synthetic) or 'none'}); {args.runs} run(s) each")
    print(f"machine: {os.cpu_count()} cores, {cpu}; load average at start {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"HEAD {head}{' (working tree modified)' if dirty else ''}"
          + (f"; lookalike: {args.bin} built {built(args.bin)}" if real else "")
          + (f"; bench_search: {args.bench_search} built {built(args.bench_search)}" if synthetic else ""))
    print(f"{args.target} > {args.threshold}, gap > {args.gap} under {args.reference}; measured scrapes: exact search, "
          f"--judge reference, first pass: {args.first_pass}, fresh cache per process; synthetic: IVF {args.probes} "
          f"probes, dim {args.target_dim}, {args.threads} threads, seed {args.seed}")
    print(flush=True)

    common = ["--target", args.target, "--reference", args.reference,
              "--threshold", str(args.threshold), "--gap", str(args.gap)]

    def corpus_for(n):
        if n == captions:
            return args.coco
        path = os.path.join(work, f"coco{n}.json")
        if not os.path.exists(path):
            json.dump({"annotations": annotations[:n]}, open(path, "w", encoding="utf-8"))
        return path

    def fresh_cache(name):
        cache = os.path.join(work, name)
        os.mkdir(cache)
        return cache

    def timed_scrape(n, i):
        corpus, out = corpus_for(n), os.path.join(work, f"scrape{n}_{i}.parquet")
        cache = fresh_cache(f"cache{n}_{i}")
        _, stderr, wall, rss = run_measured(
            [binary, "scrape", "--models", args.models, "--cache", cache, "--corpus", corpus, "--out", out,
             *common, "--judge", "reference", "--method", "exact",
             *(["--f32-only"] if args.first_pass == "f32" else [])])
        shutil.rmtree(cache)
        os.remove(out)
        statement = float(re.search(r"rows? in ([0-9.]+)s", stderr).group(1))
        return {"wall_s": wall, "peak_rss_mib": rss, "statement_s": statement, "others_cores": others(),
                "report": parse_report(stderr)}

    def staged_scrape(n, i, all_model):
        corpus, cache = corpus_for(n), fresh_cache(f"staged{n}_{i}")
        src = f"'corpus', 'caption', '{args.target}'"
        opts = f"threshold => {args.threshold}, gap => {args.gap}, mode => 'candidates', method => 'exact'"
        if args.first_pass == "f32":
            opts += ", first_pass => 'f32'"
        _, stderr, wall, rss = run_measured(
            [binary, "--models", args.models, "--cache", cache, "-t", f"corpus={corpus}", "--format", "csv",
             "-c", f"SELECT count(embed('{all_model}', caption)) AS n FROM (SELECT DISTINCT caption FROM corpus)",
             "-c", f"CREATE TABLE c0 AS SELECT * FROM lookalike_pairs({src}, NULL, {opts})",
             "-c", f"CREATE TABLE c1 AS SELECT * FROM lookalike_pairs({src}, NULL, {opts})",
             "-c", f"CREATE TABLE c2 AS SELECT * FROM lookalike_pairs({src}, '{args.reference}', {opts})"])
        shutil.rmtree(cache)
        times = [float(x) for x in re.findall(r"rows? in ([0-9.]+)s", stderr)]
        t1, t2, t3, t4 = times[:4]
        embedded = int(re.search(rf"^{re.escape(all_model)}: (\d+) texts embedded", stderr, re.M).group(1))
        report = parse_report(stderr)
        # With a first pass, (2) - (3) is the target on the candidates' texts (its model load, and
        # the first call's one-off set-up, included); without one, (2) is the search as in
        # bench/scrape/run.py (one-off set-up included) and (3) only a warm repeat.
        two_pass = report["first_pass_model"] is not None
        return {"wall_s": wall, "peak_rss_mib": rss, "others_cores": others(), "statement_s": times[:4],
                "all_texts_model": all_model, "all_texts_embedded": embedded, "all_texts_s": t1,
                "target_on_candidates_s": t2 - t3 if two_pass else 0.0,
                "target_embedding_s": t1 + t2 - t3 if two_pass else t1,
                "search_dedup_judge_s": t3 if two_pass else t2, "warm_search_dedup_judge_s": t3,
                "reference_embedding_s": t4 - t3, "rest_s": wall - sum(times[:4]), "report": report}

    measured = {}
    for n in real:
        runs = []
        for i in range(args.runs):
            t = timed_scrape(n, i)
            r = t["report"]
            first = r["first_pass_model"]
            print(f"{n:,} captions, run {i + 1}/{args.runs}, scrape: wall {t['wall_s']:.1f}s, peak RSS "
                  f"{t['peak_rss_mib']:.0f} MiB, other processes {t['others_cores']:.2f} cores (statement "
                  f"{t['statement_s']:.1f}s; {r['distinct_texts']:,} distinct texts, "
                  + (f"{first} first pass: {num(r['first_pass_pairs'])} pairs (margin {num(r['first_pass_margin'], '{}')}, "
                     f"strayed {num(r['first_pass_strayed'], '{}')}{', WARNING' if r['first_pass_warning'] else ''}), "
                     f"target on {num(r['first_pass_target_texts'])} texts; " if first else "no first pass; ")
                  + f"{r['above_threshold']:,} pairs above {args.threshold}, {r['reference_texts']:,} reference texts, "
                  f"{r['returned']} flagged)", flush=True)
            s = staged_scrape(n, i, first or args.target)
            r = s["report"]
            print(f"{n:,} captions, run {i + 1}/{args.runs}, staged: wall {s['wall_s']:.1f}s, peak RSS "
                  f"{s['peak_rss_mib']:.0f} MiB, other processes {s['others_cores']:.2f} cores: "
                  f"{s['all_texts_model']} on all {s['all_texts_embedded']:,} texts {s['all_texts_s']:.1f}s"
                  + (f", {args.target} on {num(r['first_pass_target_texts'])} candidates' texts "
                     f"{s['target_on_candidates_s']:.1f}s" if first else "")
                  + f", read + search + dedup + judge {s['search_dedup_judge_s']:.1f}s, reference embedding "
                  f"({r['reference_texts']:,} texts) {s['reference_embedding_s']:.1f}s, rest {s['rest_s']:.1f}s; "
                  f"{r['returned']:,} candidates", flush=True)
            if (r["first_pass_model"] or None) != (first or None):
                print(f"  NOTE: the staged run's first pass ({r['first_pass_model']}) differs from the scrape's ({first})")
            runs.append({"scrape": t, "staged": s})
        measured[n] = runs

    search_threshold = args.threshold
    if args.search_threshold != "auto":
        search_threshold = float(args.search_threshold)
    elif real:
        margin = measured[max(real)][-1]["scrape"]["report"]["first_pass_margin"]
        if margin:
            search_threshold = round(args.threshold - margin, 6)
    if synthetic:
        print(f"synthetic search threshold: {search_threshold}"
              + (" (the threshold less the first pass's margin)" if search_threshold != args.threshold else ""), flush=True)
    search = {}
    for n in synthetic:
        runs = []
        for i in range(args.runs):
            stdout, _, wall, rss = run_measured(
                [search_bin, "--rows", str(n), "--dim", str(args.target_dim), "--threshold", str(search_threshold),
                 "--seed", str(args.seed), "--ivf-probes", str(args.probes), "--no-hnsw", "--exact", "none",
                 "--threads", str(args.threads)])
            m = re.search(r"ivf probes=\d+: ([0-9.]+)s total \(train ([0-9.]+)s, assign ([0-9.]+)s, join ([0-9.]+)s\), "
                          r"(\d+) pairs, cells=(\d+) largest_cell=(\d+) dot_products=(\d+) .*peak RSS (\d+) MiB", stdout)
            gen = re.search(r"data: generated ([0-9.]+) MiB in ([0-9.]+)s", stdout)
            if not m or not gen:
                sys.exit(f"cannot parse bench_search's output:\n{stdout[-3000:]}")
            run = {"search_s": float(m[1]), "train_s": float(m[2]), "assign_s": float(m[3]), "join_s": float(m[4]),
                   "pairs": int(m[5]), "cells": int(m[6]), "largest_cell": int(m[7]), "dot_products": int(m[8]),
                   "search_peak_rss_mib": float(m[9]), "vectors_mib": float(gen[1]), "generate_s": float(gen[2]),
                   "process_wall_s": wall, "others_cores": others(),
                   # bench_search resets the peak (clear_refs) between stages, so the child's
                   # ru_maxrss is only the peak since its last reset: kept for the record.
                   "process_ru_maxrss_since_last_reset_mib": rss,
                   "per_stage_rss": "cannot reset the peak RSS" not in stdout}
            runs.append(run)
            print(f"{n:,} synthetic x {args.target_dim}, run {i + 1}/{args.runs}: IVF search {run['search_s']:.2f}s "
                  f"(train {run['train_s']:.2f} / assign {run['assign_s']:.2f} / join {run['join_s']:.2f}), "
                  f"{run['pairs']:,} pairs, {run['cells']:,} cells; search peak RSS {run['search_peak_rss_mib']:.0f} MiB "
                  f"(its own VmHWM, vectors of {run['vectors_mib']:.0f} MiB included); process wall {wall:.1f}s "
                  f"(generation {run['generate_s']:.1f}s); other processes {run['others_cores']:.2f} cores"
                  + ("" if run["per_stage_rss"] else "; NOTE: peak RSS not reset, includes generation"), flush=True)
        search[n] = runs

    def rates(n):
        """Per-text rates at a measured size (medians over the runs)."""
        runs = measured[n]
        st = [r["staged"] for r in runs]
        rep = st[-1]["report"]
        distinct, ref_texts = rep["distinct_texts"], rep["reference_texts"]
        cand_texts = rep["first_pass_target_texts"] or 0
        all_s, cand_s = med([s["all_texts_s"] for s in st]), med([s["target_on_candidates_s"] for s in st])
        ref_s, rest_s = med([s["reference_embedding_s"] for s in st]), med([s["rest_s"] for s in st])
        return {
            "size": n, "distinct_texts": distinct, "all_texts_model": st[-1]["all_texts_model"],
            "all_texts_embedded": st[-1]["all_texts_embedded"], "first_pass_target_texts": cand_texts,
            "reference_texts": ref_texts,
            "all_texts_s": all_s, "target_on_candidates_s": cand_s, "reference_s": ref_s, "rest_s": rest_s,
            "target_s": med([s["target_embedding_s"] for s in st]),
            "all_texts_per_s": st[-1]["all_texts_embedded"] / all_s,
            "candidate_texts_per_text": cand_texts / distinct,
            "target_s_per_candidate_text": cand_s / cand_texts if cand_texts else 0.0,
            "reference_texts_per_text": ref_texts / distinct,
            "reference_s_per_text": ref_s / max(ref_texts, 1),
            "rest_s_per_text": rest_s / distinct,
            "scrape_peak_rss_mib": med([r["scrape"]["peak_rss_mib"] for r in runs]),
        }

    base = rates(max(real)) if real else None
    fit = None
    if len(real) >= 2:
        a, b = rates(min(real)), rates(max(real))

        def line(key):
            xa, xb = a["distinct_texts"], b["distinct_texts"]
            slope = (b[key] - a[key]) / (xb - xa)
            return {"fixed": a[key] - slope * xa, "per_text": slope}
        fit = {"from_sizes": [min(real), max(real)],
               **{k: line(k) for k in ("target_s", "reference_s", "rest_s", "reference_texts",
                                       "first_pass_target_texts")}}

    def project(n, search_s, search_peak):
        if base is None:
            return None
        cand_texts = n * base["candidate_texts_per_text"]
        ref_texts = n * base["reference_texts_per_text"]
        target_s = n / base["all_texts_per_s"] + cand_texts * base["target_s_per_candidate_text"]
        reference_s = ref_texts * base["reference_s_per_text"]
        rest_s = n * base["rest_s_per_text"]
        vec = lambda rows, dim: rows * dim * 4 / MIB
        models_mib = base["scrape_peak_rss_mib"] - vec(base["distinct_texts"], args.target_dim) \
            - vec(base["reference_texts"], args.reference_dim)
        p = {"from_size": base["size"], "texts": n, "first_pass_target_texts": round(cand_texts),
             "reference_texts": round(ref_texts), "target_embedding_s": target_s,
             "reference_embedding_s": reference_s, "rest_s": rest_s,
             "total_s": target_s + search_s + reference_s + rest_s,
             "scrape_peak_rss_mib": models_mib + search_peak + vec(ref_texts, args.reference_dim),
             "models_etc_mib": models_mib}
        if fit:
            at = lambda k: fit[k]["fixed"] + fit[k]["per_text"] * n
            p["fit"] = {"target_embedding_s": at("target_s"), "reference_embedding_s": at("reference_s"),
                        "rest_s": at("rest_s"), "reference_texts": round(at("reference_texts")),
                        "first_pass_target_texts": round(at("first_pass_target_texts")),
                        "total_s": at("target_s") + search_s + at("reference_s") + at("rest_s"),
                        "usable": min(fit[k]["per_text"] for k in ("target_s", "reference_s")) > 0}
        return p

    rows = []
    for n in real:
        runs = measured[n]
        sc, st = [r["scrape"] for r in runs], [r["staged"] for r in runs]
        rep, srep = sc[-1]["report"], st[-1]["report"]
        first = srep["first_pass_model"]
        split = (f"target = {first} on all texts {cell([s['all_texts_s'] for s in st])} s + {args.target} on "
                 f"{num(srep['first_pass_target_texts'])} texts of {num(srep['first_pass_pairs'])} first-pass pairs "
                 f"{cell([s['target_on_candidates_s'] for s in st])} s; " if first else "no first pass; ")
        keys = ("first_pass_pairs", "first_pass_target_texts", "above_threshold", "reference_texts")
        if any(rep[k] != srep[k] for k in keys):
            # The staged run's first pass reads int8 vectors that embed() over SELECT DISTINCT
            # computed, not the scrape's own pass: they can differ slightly (int8 activations are
            # quantized per batch, and the batches differ), and so can the counts.
            split += ("staged counts differ from the scrape's (" + ", ".join(
                f"{k} {srep[k]} vs {rep[k]}" for k in keys if rep[k] != srep[k]) + "); ")
        rows.append({
            "size": n, "source": "measured (COCO val captions)",
            "target_embedding_s": [s["target_embedding_s"] for s in st],
            "pair_search_s": [s["search_dedup_judge_s"] for s in st],
            "reference_embedding_s": [s["reference_embedding_s"] for s in st],
            "total_s": [s["wall_s"] for s in sc],
            "peak_rss_mib": [s["peak_rss_mib"] for s in sc],
            "notes": f"{rep['distinct_texts']:,} distinct texts, {rep['above_threshold']:,} pairs above "
                     f"{args.threshold}, {rep['above_threshold'] - rep['normalized_equal'] - rep['repeated_pairs']:,} candidates "
                     f"after dedup, {rep['reference_texts']:,} reference texts "
                     f"({100 * rep['reference_texts'] / rep['distinct_texts']:.1f} %), {rep['returned']} "
                     f"flagged (scrape's counts); {split}exact search; total and RSS: the `scrape` process; stages: the staged process "
                     f"(search column: read + search + dedup + judge; rest {cell([s['rest_s'] for s in st])} s); "
                     f"others {', '.join('%.2f' % x for x in [s['others_cores'] for s in sc] + [s['others_cores'] for s in st])} cores",
            "runs": runs,
        })
    for n in synthetic:
        runs = search[n]
        s_search = med([r["search_s"] for r in runs])
        s_peak = med([r["search_peak_rss_mib"] for r in runs])
        p = project(n, s_search, s_peak)
        split = (f"train {cell([r['train_s'] for r in runs], '{:.2f}')} / assign "
                 f"{cell([r['assign_s'] for r in runs], '{:.2f}')} / join {cell([r['join_s'] for r in runs], '{:.2f}')} s")
        notes = (f"search MEASURED on synthetic {n:,} x {args.target_dim} (IVF, {args.probes} probes, {args.threads} "
                 f"threads, above {search_threshold}): {split}, {runs[-1]['pairs']:,} pairs ({runs[-1]['pairs'] / n:.2f} per row); one search "
                 f"only, no read/dedup/judge; others {', '.join('%.2f' % r['others_cores'] for r in runs)} cores")
        if p:
            notes += (f"; embedding PROJECTED linearly from {p['from_size']:,} captions: {base['all_texts_model']} "
                      f"{base['all_texts_per_s']:.0f} texts/s on all texts"
                      + (f", {args.target} on {p['first_pass_target_texts']:,} first-pass texts "
                         f"({100 * base['candidate_texts_per_text']:.1f} %) at "
                         f"{base['target_s_per_candidate_text'] * 1000:.1f} ms each" if base["first_pass_target_texts"] else "")
                      + f"; {p['reference_texts']:,} reference texts ({100 * base['reference_texts_per_text']:.1f} %) "
                      f"at {base['reference_s_per_text'] * 1000:.1f} ms each; rest {p['rest_s']:.1f} s")
            if "fit" in p:
                f = p["fit"]
                notes += (f"; line through {fit['from_sizes'][0]:,} and {fit['from_sizes'][1]:,} captions"
                          + ("" if f["usable"] else " (a slope <= 0: noise, not usable)")
                          + f": target {f['target_embedding_s']:,.0f} s, reference {f['reference_embedding_s']:,.0f} s "
                          f"(~{f['reference_texts']:,} texts), total {f['total_s']:,.0f} s")
            notes += (f"; RSS: search {s_peak:.0f} MiB measured, scrape ~{p['scrape_peak_rss_mib']:,.0f} MiB projected "
                      f"(models etc. {p['models_etc_mib']:,.0f} + search + reference vectors)")
        rows.append({
            "size": n, "source": "search measured (synthetic), embedding projected" if p else "search measured (synthetic)",
            "target_embedding_s": p and [p["target_embedding_s"]],
            "pair_search_s": [r["search_s"] for r in runs],
            "reference_embedding_s": p and [p["reference_embedding_s"]],
            "total_s": p and [p["total_s"]],
            "peak_rss_mib": [r["search_peak_rss_mib"] for r in runs],
            "notes": notes, "runs": runs, "projection": p,
        })

    print()
    print("| size | source | target embedding s | pair search s | reference embedding s | total s | peak RSS MiB | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if r["size"] in measured:
            cells = [cell(r["target_embedding_s"]), cell(r["pair_search_s"]), cell(r["reference_embedding_s"]),
                     cell(r["total_s"]), cell(r["peak_rss_mib"], "{:,.0f}")]
        else:
            p = r["projection"]
            proj = lambda xs: f"~{xs[0]:,.0f} projected" if xs else "—"
            cells = [proj(r["target_embedding_s"]), cell(r["pair_search_s"], "{:.2f}") + " measured",
                     proj(r["reference_embedding_s"]), proj(r["total_s"]),
                     f"{cell(r['peak_rss_mib'], '{:,.0f}')} search measured"
                     + (f"; ~{p['scrape_peak_rss_mib']:,.0f} scrape projected" if p else "")]
        print(f"| {r['size']:,} | {r['source']} | " + " | ".join(cells) + f" | {r['notes']} |")
    if args.runs > 1:
        print(f"(cells: median (min–max) over {args.runs} runs)")
    print()
    print(json.dumps({
        "date": time.strftime("%Y-%m-%d %H:%M"), "head": head, "dirty": bool(dirty), "cores": os.cpu_count(), "cpu": cpu,
        "binary_built": built(args.bin) if real else None,
        "search_threshold": search_threshold if synthetic else None,
        "params": {k: getattr(args, k) for k in ("target", "reference", "threshold", "gap", "first_pass", "probes",
                                                 "threads", "seed", "target_dim", "reference_dim", "runs")},
        "rates": base, "fit": fit, "rows": rows}, default=str))
    if args.keep:
        print(f"kept {work}")


if __name__ == "__main__":
    main()
