"""Embedding throughput: lookalike's embed() against the Python peer, in one run.

    python3 bench/embed/run.py [--n 5000] [--bin target/debug/lookalike]

Both sides embed the first N COCO val captions (file order) with the same model.onnx; neither
uses a cache. lookalike's time is the second of two statements in one process, so model loading
is excluded on both sides. Prints sentences/s, the ratio, and peak RSS; writes nothing else.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def lookalike(binary, model, captions, models_dir):
    query = f"SELECT count(embed('{model}', text)) AS n FROM caps"
    stdout, stderr, rss_mb = run_measured(
        [binary, "--no-cache", "--models", models_dir, "-t", f"caps={captions}", "--format", "csv",
         "-c", f"SELECT embed('{model}', 'warm up') IS NULL AS x", "-c", query])
    times = re.findall(r"rows? in ([0-9.]+)s", stderr)
    n = int(stdout.strip().splitlines()[-1])
    return {"sentences": n, "seconds": float(times[-1]), "peak_rss_mb": rss_mb}


def run_measured(argv):
    """Runs a command; returns stdout, stderr and that process's own peak RSS in MB."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        if status != 0:
            sys.exit(f"{argv[0]} failed:\n{stderr}")
        return stdout, stderr, usage.ru_maxrss / 1024


def peer(model, captions, models_dir, pooling):
    out = subprocess.run([sys.executable, os.path.join(ROOT, "bench/embed/peer.py"), os.path.join(models_dir, model), captions, pooling],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--bin", default=os.path.join(ROOT, "target/debug/lookalike"))
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--coco", default=os.path.join(ROOT, "../shared/reference/coco/captions_val2017.json"))
    p.add_argument("--extra", nargs="*", default=["mpnet", "tiny-clip"], help="models reported without a peer")
    args = p.parse_args()
    caps = [a["caption"].strip() for a in json.load(open(args.coco))["annotations"]][: args.n]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("".join(c.replace("\n", " ") + "\n" for c in caps))
        captions = f.name
    print(f"embedding the first {len(caps)} COCO val captions; {os.cpu_count()} cores")
    ours = lookalike(args.bin, "minilm", captions, args.models)
    theirs = peer("minilm", captions, args.models, "mean")
    print(f"minilm  lookalike embed(): {ours['sentences'] / ours['seconds']:8.1f} sentences/s  ({ours['seconds']:.2f}s, peak RSS {ours['peak_rss_mb']:.0f} MB)")
    print(f"minilm  Python peer:       {theirs['sentences_per_s']:8.1f} sentences/s  ({theirs['seconds']:.2f}s, peak RSS {theirs['peak_rss_mb']:.0f} MB)")
    print(f"minilm  ratio lookalike / peer: {ours['sentences'] / ours['seconds'] / theirs['sentences_per_s']:.2f}x")
    for model in args.extra:
        if not os.path.isdir(os.path.join(args.models, model)):
            print(f"{model}: not installed, skipped")
            continue
        r = lookalike(args.bin, model, captions, args.models)
        print(f"{model:7} lookalike embed(): {r['sentences'] / r['seconds']:8.1f} sentences/s  ({r['seconds']:.2f}s, peak RSS {r['peak_rss_mb']:.0f} MB)")
    os.unlink(captions)


if __name__ == "__main__":
    main()
