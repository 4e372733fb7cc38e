"""MultiMon's scrape: `lookalike scrape` against the Python peer (bench/scrape/peer.py), in one run.

    bash bench/scrape/run.sh [--runs 3] [--n 3000]    # installs the peer's numpy + tokenizers

(run.sh sets PYTHONPATH, LOOKALIKE_HOME and LOOKALIKE_MODELS and calls this file.) Both sides scrape
COCO val 2017 captions (all 25,014, or the first --n in file order, written to one corpus file
both read) with the same parameters: target minilm, reference mpnet, target similarity strictly
above 0.9, gap strictly above 0.2, exact search, on the same model.onnx files. Both are cold:
lookalike gets a fresh, empty cache directory per run (--cache-mode none: --no-cache), the peer
has no cache. Runs alternate, lookalike then the peer, --runs times, so that the noise of a shared
machine hits both sides alike; each run's wall time (process start to exit) and peak RSS (the
child's ru_maxrss from os.wait4) is printed, then min/median/max per side and the ratio
peer / lookalike.

Where the time goes: the peer prints its stages. `lookalike scrape` prints only its statement's
total, so one more lookalike process after the timed runs (fresh cache) runs the scrape in
stages, each statement timed: (1) embed the distinct captions with the target, (2) the scrape
in candidates mode with no reference (its target vectors now come from the cache: pair search,
dedup and the structural judge), (3) the same with the reference (2 + reference embedding).
That run's candidates (every pair above the threshold, with both similarities and the
structural verdict) are also what the pair sets are checked on.

Agreement, on unordered (text_a, text_b) pairs:
- candidates: pairs above the target threshold after dedup, lookalike's (the staged run) against
  the peer's, with the largest similarity differences on the common pairs;
- MultiMon's gap rule applied to each side's own similarities;
- `lookalike scrape --judge reference` (the timed runs' output) against the same rule: lookalike's
  reference judge also drops a pair the structural judge reads as the same picture (verdict
  'same', crates/scrape/src/run.rs), which MultiMon does not, so its output must be exactly the
  gap-rule pairs less those.
Pairs on one side only are printed with both sides' similarities.

Text handling: the peer follows lookalike so that the sets can compare exactly. MultiMon itself
matches its excluded phrases case-sensitively and deduplicates pairs by their float scores;
lookalike (and so the peer) matches them case-insensitively, drops texts holding them before
the search rather than pairs after it (the same pairs result), keeps each distinct text once and
drops pairs whose texts are equal after normalising case, spacing and punctuation, keeping one
pair per unordered pair of normalised texts.
"""
import argparse
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PEER = os.path.join(ROOT, "bench", "scrape", "peer.py")


LAST_OTHERS = [0.0]  # cores the rest of the machine kept busy during the last run_measured


def busy_ticks():
    """CPU ticks the whole machine spent busy (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as f:
        v = list(map(int, f.readline().split()[1:]))
    return sum(v) - v[3] - v[4]


def run_measured(argv, env=None):
    """Runs a command; returns stdout, stderr, wall seconds and the child's peak RSS in MiB.
    Sets LAST_OTHERS[0] to the cores that other processes kept busy meanwhile (machine busy
    time less the child's own CPU time, over the wall time): noise from a shared machine."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        ticks = busy_ticks()
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        machine = (busy_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
        LAST_OTHERS[0] = max(0.0, machine - usage.ru_utime - usage.ru_stime) / wall
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        if status != 0:
            sys.exit(f"{argv[0]} failed ({status}):\n{stderr[-4000:]}")
        return stdout, stderr, wall, usage.ru_maxrss / 1024


def csv_rows(stdout, header_start):
    """The rows of the CSV table in stdout whose header starts with header_start (an empty
    result prints no header)."""
    at = stdout.find(header_start)
    if at < 0:
        return []
    return list(csv.DictReader(io.StringIO(stdout[at:])))


def key(a, b):
    return (a, b) if a <= b else (b, a)


def f32(s):
    return None if s in (None, "") else float(np.float32(float(s)))


def gap_rule(t, r, threshold, gap):
    """PairRule::judge with a gap and no ceiling: strict, the gap in f64 of the f32 values."""
    return t is not None and r is not None and np.float32(t) > np.float32(threshold) and \
        float(np.float32(t)) - float(np.float32(r)) > float(np.float32(gap))


def stats(xs):
    xs = sorted(xs)
    return xs[0], statistics.median(xs), xs[-1]


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=0, help="only the first N captions (file order); 0: all")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/debug/lookalike"))
    ap.add_argument("--models", default=os.environ.get("LOOKALIKE_MODELS", os.path.join(ROOT, "models")))
    ap.add_argument("--coco", default=os.path.join(ROOT, "../shared/reference/coco/captions_val2017.json"))
    ap.add_argument("--target", default="minilm")
    ap.add_argument("--reference", default="mpnet")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--gap", type=float, default=0.2)
    ap.add_argument("--cache-mode", choices=["fresh", "none"], default="fresh",
                    help="lookalike's cold runs: a fresh empty --cache directory each, or --no-cache")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if not os.path.isfile(args.coco):
        print(f"skipping: {args.coco} not found")
        return
    work = tempfile.mkdtemp(prefix="scrape-bench-")
    # Later rebuilds of target/debug must not change the binary under test.
    binary = os.path.join(work, "lookalike")
    shutil.copy2(args.bin, binary)
    annotations = json.load(open(args.coco, encoding="utf-8"))["annotations"]
    if args.n:
        annotations = annotations[: args.n]
        corpus = os.path.join(work, f"coco{args.n}.json")
        json.dump({"annotations": annotations}, open(corpus, "w", encoding="utf-8"))
    else:
        corpus = args.coco
    head = subprocess.run(["git", "log", "-1", "--format=%h %cs"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(args.bin)))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}: scraping {len(annotations)} COCO val captions ({corpus}); "
          f"{args.target} > {args.threshold}, gap > {args.gap} under {args.reference}; exact search; "
          f"{os.cpu_count()} cores; {args.runs} runs a side, alternating")
    print(f"lookalike: {args.bin} built {built}, HEAD {head}{' (working tree modified)' if dirty else ''}; "
          f"cache: {'fresh directory per run' if args.cache_mode == 'fresh' else '--no-cache'}")
    common = ["--target", args.target, "--reference", args.reference,
              "--threshold", str(args.threshold), "--gap", str(args.gap)]

    def lookalike_run(i):
        out = os.path.join(work, f"lookalike{i}.parquet")
        if args.cache_mode == "fresh":
            cache = os.path.join(work, f"cache{i}")
            os.mkdir(cache)
            cache_flag = ["--cache", cache]
        else:
            cache, cache_flag = None, ["--no-cache"]
        _, stderr, wall, rss = run_measured(
            [binary, "scrape", "--models", args.models, *cache_flag, "--corpus", corpus, "--out", out,
             *common, "--judge", "reference", "--method", "exact"])
        if cache:
            shutil.rmtree(cache)
        statement = float(re.search(r"rows? in ([0-9.]+)s", stderr).group(1))
        report = next(l for l in stderr.splitlines() if l.startswith("lookalike_pairs:"))
        return {"wall": wall, "rss": rss, "statement": statement, "report": report, "out": out,
                "others": LAST_OTHERS[0]}

    def peer_run(i, last):
        out = os.path.join(work, f"peer{i}.json")
        save = []
        if last:
            os.mkdir(os.path.join(work, "peer-vectors"))
            save = ["--save", os.path.join(work, "peer-vectors")]
        stdout, _, wall, rss = run_measured(
            [sys.executable, PEER, "--corpus", corpus, "--models", args.models, *common, "--out", out, *save])
        result = json.loads(stdout.strip().splitlines()[-1])
        return {"wall": wall, "rss": rss, "stages": result["stages"], "counts": result["counts"], "out": out,
                "others": LAST_OTHERS[0]}

    ours, theirs = [], []
    for i in range(args.runs):
        o = lookalike_run(i)
        ours.append(o)
        print(f"run {i + 1}/{args.runs} lookalike: wall {o['wall']:6.1f}s  peak RSS {o['rss']:5.0f} MiB  "
              f"other processes {o['others']:.2f} cores  (scrape statement {o['statement']:.1f}s)", flush=True)
        t = peer_run(i, i == args.runs - 1)
        theirs.append(t)
        st = t["stages"]
        print(f"run {i + 1}/{args.runs} peer:      wall {t['wall']:6.1f}s  peak RSS {t['rss']:5.0f} MiB  "
              f"other processes {t['others']:.2f} cores  (" + ", ".join(f"{k} {v:.1f}s" for k, v in st.items() if v >= 0.05) + ")", flush=True)

    print()
    print("| side | wall min / median / max (s) | peak RSS min / median / max (MiB) |")
    print("| --- | --- | --- |")
    for name, runs in (("lookalike scrape", ours), ("Python peer", theirs)):
        w, m = stats([r["wall"] for r in runs]), stats([r["rss"] for r in runs])
        print(f"| {name} | {w[0]:.1f} / {w[1]:.1f} / {w[2]:.1f} | {m[0]:.0f} / {m[1]:.0f} / {m[2]:.0f} |")
    ratio = statistics.median(r["wall"] for r in theirs) / statistics.median(r["wall"] for r in ours)
    per_run = [t["wall"] / o["wall"] for o, t in zip(ours, theirs)]
    print(f"ratio peer / lookalike (median wall over median wall): {ratio:.2f}x; per run (peer_i / lookalike_i): "
          + ", ".join(f"{x:.2f}x" for x in per_run))
    rss_ratio = statistics.median(r["rss"] for r in ours) / statistics.median(r["rss"] for r in theirs)
    print(f"peak RSS lookalike / peer (medians): {rss_ratio:.2f}")
    print()
    print("peer stages, median of the runs (s):")
    for name in theirs[0]["stages"]:
        vals = [t["stages"].get(name, 0.0) for t in theirs]
        print(f"  {name:22} {statistics.median(vals):7.2f}   (min {min(vals):.2f}, max {max(vals):.2f})")
    print(f"peer counts: {json.dumps(theirs[-1]['counts'])}")
    print(f"lookalike report: {ours[-1]['report']}")

    # The staged lookalike run: stage times, and every candidate with both similarities.
    cache = os.path.join(work, "staged-cache")
    os.mkdir(cache)
    src = f"'corpus', 'caption', '{args.target}'"
    opts = f"threshold => {args.threshold}, gap => {args.gap}, mode => 'candidates', method => 'exact'"
    stdout, stderr, wall, rss = run_measured(
        [binary, "--models", args.models, "--cache", cache, "-t", f"corpus={corpus}", "--format", "csv",
         "-c", f"SELECT count(embed('{args.target}', caption)) AS n FROM (SELECT DISTINCT caption FROM corpus)",
         "-c", f"CREATE TABLE c0 AS SELECT * FROM lookalike_pairs({src}, NULL, {opts})",
         "-c", f"CREATE TABLE c1 AS SELECT * FROM lookalike_pairs({src}, '{args.reference}', {opts})",
         "-c", "SELECT text_a, text_b, target_sim, reference_sim, verdict, flagged_by FROM c1"])
    times = [float(x) for x in re.findall(r"rows? in ([0-9.]+)s", stderr)]
    print()
    print(f"lookalike in stages (one more process, fresh cache; wall {wall:.1f}s, peak RSS {rss:.0f} MiB, "
          f"other processes {LAST_OTHERS[0]:.2f} cores):")
    print(f"  target embedding of the distinct captions, model load included   {times[0]:7.2f}s")
    print(f"  scrape, no reference, target vectors from the cache              {times[1]:7.2f}s"
          "   (read + pair search + dedup + structural judge)")
    print(f"  scrape with the reference                                        {times[2]:7.2f}s")
    print(f"  so: reference embedding, model load included, about              {times[2] - times[1]:7.2f}s")
    print(f"  process start, corpus registration and the rest of the wall     {wall - sum(times):7.2f}s")

    threshold, gap = args.threshold, args.gap
    l_cand = {}
    for r in csv_rows(stdout, "text_a,text_b"):
        l_cand[key(r["text_a"], r["text_b"])] = (f32(r["target_sim"]), f32(r["reference_sim"]), r["verdict"])
    p_cand = {}
    for p in json.load(open(theirs[-1]["out"], encoding="utf-8")):
        p_cand[key(p["text_a"], p["text_b"])] = (p["target_sim"], p["reference_sim"], p["flagged"])
    out_stdout, _, _, _ = run_measured(
        [binary, "-t", f"f={ours[-1]['out']}", "--format", "csv",
         "-c", "SELECT text_a, text_b, target_sim, reference_sim, verdict, flagged_by FROM f"])
    l_out = {key(r["text_a"], r["text_b"]): (f32(r["target_sim"]), f32(r["reference_sim"]), r["verdict"])
             for r in csv_rows(out_stdout, "text_a,text_b")}
    returned = [int(x) for x in re.findall(r"(\d+) rows returned", stderr)]
    assert len(l_cand) == returned[-1], (len(l_cand), returned)
    assert len(l_out) == int(re.search(r"(\d+) rows returned", ours[-1]["report"]).group(1))
    assert len(p_cand) == theirs[-1]["counts"]["candidates"]

    # The other side's similarities for pairs found by one side only.
    pv = os.path.join(work, "peer-vectors")
    p_texts = json.load(open(os.path.join(pv, "texts.json"), encoding="utf-8"))
    p_index = {t: i for i, t in enumerate(p_texts)}
    p_x = np.load(os.path.join(pv, "target.npy"))
    p_ref_rows = {int(t): k for k, t in enumerate(np.load(os.path.join(pv, "reference_rows.npy")))}
    p_r = np.load(os.path.join(pv, "reference.npy"))

    def peer_sims(k):
        a, b = p_index.get(k[0]), p_index.get(k[1])
        if a is None or b is None:
            return None, None
        t = float(p_x[a] @ p_x[b])
        r = float(p_r[p_ref_rows[a]] @ p_r[p_ref_rows[b]]) if a in p_ref_rows and b in p_ref_rows else None
        return t, r

    def lookalike_sims(keys):
        if not keys:
            return {}
        values = ", ".join(f"({sql_text(a)}, {sql_text(b)})" for a, b in keys)
        so, _, _, _ = run_measured(
            [binary, "--models", args.models, "--cache", cache, "--format", "csv", "-c",
             f"SELECT a, b, cosine_sim(embed('{args.target}', a), embed('{args.target}', b)) AS t, "
             f"cosine_sim(embed('{args.reference}', a), embed('{args.reference}', b)) AS r "
             f"FROM (VALUES {values}) AS v(a, b)"])
        return {key(r["a"], r["b"]): (f32(r["t"]), f32(r["r"])) for r in csv_rows(so, "a,b,t,r")}

    def fmt(x):
        return "n/a" if x is None else f"{x:.7f}"

    def show_one_sided(title, only_l, only_p):
        print(f"  {title}: only lookalike {len(only_l)}, only the peer {len(only_p)}")
        other = lookalike_sims(sorted(only_p))
        for k in sorted(only_l):
            t, r = l_cand[k][:2] if k in l_cand else l_out[k][:2]
            pt, pr = peer_sims(k)
            print(f"    only lookalike: {k!r}\n      lookalike target {fmt(t)} ref {fmt(r)}; "
                  f"peer target {fmt(pt)} ref {fmt(pr)}; target - threshold {fmt(None if t is None else t - threshold)}, "
                  f"gap margin {fmt(None if t is None or r is None else t - r - gap)}")
        for k in sorted(only_p):
            t, r = p_cand[k][:2]
            lt, lr = other.get(k, (None, None))
            print(f"    only peer: {k!r}\n      peer target {fmt(t)} ref {fmt(r)}; lookalike (cosine_sim, "
                  f"cache or fresh) target {fmt(lt)} ref {fmt(lr)}; target - threshold {fmt(t - threshold)}, "
                  f"gap margin {fmt(t - r - gap)}")

    print()
    print("agreement (unordered text pairs):")
    common_c = l_cand.keys() & p_cand.keys()
    print(f"  candidates above {threshold} after dedup: lookalike {len(l_cand)}, peer {len(p_cand)}, both {len(common_c)}")
    if common_c:
        dt = max(abs(l_cand[k][0] - p_cand[k][0]) for k in common_c)
        dr = max(abs(l_cand[k][1] - p_cand[k][1]) for k in common_c)
        print(f"    on the common pairs: max |target sim difference| {dt:.2e}, max |reference sim difference| {dr:.2e}")
        near_t = min(l_cand[k][0] - threshold for k in common_c)
        print(f"    smallest target margin above the threshold among common pairs (lookalike): {near_t:.2e}")
    show_one_sided("candidates", l_cand.keys() - p_cand.keys(), p_cand.keys() - l_cand.keys())

    l_gap = {k for k, (t, r, _) in l_cand.items() if gap_rule(t, r, threshold, gap)}
    p_gap = {k for k, v in p_cand.items() if v[2]}
    print(f"  MultiMon's gap rule (target > {threshold}, target - reference > {gap}), each on its own "
          f"similarities: lookalike {len(l_gap)}, peer {len(p_gap)}, both {len(l_gap & p_gap)}")
    margins = sorted(abs(l_cand[k][0] - l_cand[k][1] - gap) for k in l_cand)
    if margins:
        print(f"    smallest |gap margin| among lookalike's candidates: {margins[0]:.2e}")
    show_one_sided("gap rule", l_gap - p_gap, p_gap - l_gap)

    vetoed = {k for k in l_gap if l_cand[k][2] == "same"}
    expected = l_gap - vetoed
    print(f"  `lookalike scrape --judge reference` (timed runs' output): {len(l_out)} pairs; "
          f"gap-rule pairs {len(l_gap)} less {len(vetoed)} the structural judge reads as the same "
          f"picture = {len(expected)}; equal: {set(l_out) == expected}")
    for k in sorted(vetoed):
        t, r, _ = l_cand[k]
        print(f"    vetoed (verdict same): {k!r} target {t:.4f} ref {r:.4f}")
    for k in sorted(set(l_out) ^ expected):
        print(f"    MISMATCH: {k!r} in scrape output: {k in l_out}, expected: {k in expected}")
    print(f"  peer (MultiMon's rule) vs lookalike scrape --judge reference: peer {len(p_gap)}, "
          f"lookalike {len(l_out)}, both {len(p_gap & set(l_out))}, "
          f"only peer {len(p_gap - set(l_out))} (of which vetoed by the structural judge: {len((p_gap - set(l_out)) & vetoed)}), "
          f"only lookalike {len(set(l_out) - p_gap)}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
