"""How much an int8 first pass could buy, before building it: ONNX Runtime's own dynamic
quantization of our imported model, against the same model in fp32, in one run.

    bash bench/int8/run.sh            # installs onnx + tokenizers + numpy, then runs this

Quantizes models/<model>/model.onnx with `onnxruntime.quantization.quantize_dynamic` (int8
weights per output channel, uint8 activations: the u8·s8 form that VNNI runs), embeds the first N
COCO val captions with both graphs in length-sorted batches of 64 on 2 threads, alternating fp32
and int8 runs so that noise hits both, and prints min/median/max, the speed-up, and how far the
int8 similarities stray from fp32 ones: over every pair, and over the pairs fp32 puts above 0.8,
which is the margin a two-stage scan would have to lower its threshold by.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def embed(path, encs, order, dim, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    out = np.zeros((len(encs), dim), np.float32)
    started = time.perf_counter()
    for start in range(0, len(order), 64):
        rows = order[start:start + 64]
        seq = max(len(encs[i].ids) for i in rows)
        ids = np.zeros((len(rows), seq), np.int64)
        mask = np.zeros_like(ids)
        for r, i in enumerate(rows):
            e = encs[i].ids
            ids[r, :len(e)] = e
            mask[r, :len(e)] = 1
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    return time.perf_counter() - started, out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="minilm")
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--models", default=os.environ.get("LOOKALIKE_MODELS", os.path.join(ROOT, "models")))
    p.add_argument("--coco", default=os.path.join(ROOT, "../shared/reference/coco/captions_val2017.json"))
    p.add_argument("--work", default="/tmp")
    args = p.parse_args()
    model_dir = os.path.join(args.models, args.model)
    manifest = json.load(open(os.path.join(model_dir, "lookalike.json")))
    if manifest.get("pooling", "mean") != "mean":
        sys.exit(f"{args.model}: only mean-pooled models are probed")
    fp32 = os.path.join(model_dir, "model.onnx")
    int8 = os.path.join(args.work, f"lookalike-{args.model}-int8.onnx")
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True)
    caps = [a["caption"].strip() for a in json.load(open(args.coco))["annotations"]][: args.n]
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(manifest.get("max_tokens", 512))
    encs = tok.encode_batch(caps)
    order = sorted(range(len(caps)), key=lambda i: len(encs[i].ids))
    dim = manifest["dim"]
    times = {"fp32": [], "int8": []}
    for _ in range(args.runs):
        t, a = embed(fp32, encs, order, dim, args.threads)
        times["fp32"].append(t)
        t, b = embed(int8, encs, order, dim, args.threads)
        times["int8"].append(t)
    for name, ts in times.items():
        print(f"{name}: {len(caps) / statistics.median(ts):.0f} sentences/s; "
              f"seconds min/median/max {min(ts):.2f} / {statistics.median(ts):.2f} / {max(ts):.2f}")
    print(f"int8 speed-up over fp32 (medians): {statistics.median(times['fp32']) / statistics.median(times['int8']):.2f}x")
    cos = (a * b).sum(1)
    exact, approx = a @ a.T, b @ b.T
    upper = np.triu_indices(len(caps), 1)
    err = np.abs(exact - approx)[upper]
    near = exact[upper] > 0.8
    print(f"cosine(fp32, int8) per text: min {cos.min():.4f}, mean {cos.mean():.4f}")
    print(f"|sim error| over {err.size:,} pairs: max {err.max():.4f}, p99.99 {np.quantile(err, 0.9999):.4f}")
    if near.any():
        e = err[near]
        print(f"|sim error| over the {near.sum():,} pairs fp32 puts above 0.8: max {e.max():.4f}, "
              f"p99.9 {np.quantile(e, 0.999):.4f}")
        above = exact[upper] >= 0.9
        for margin in (0.02, 0.04, 0.06, 0.08):
            kept = (approx[upper] >= 0.9 - margin) & above
            print(f"margin {margin:.2f}: int8 >= {0.9 - margin:.2f} keeps {kept.sum()} of {above.sum()} fp32 pairs >= 0.9, "
                  f"candidates {(approx[upper] >= 0.9 - margin).sum()}")


if __name__ == "__main__":
    main()
