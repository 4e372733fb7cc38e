"""The Python peer of `lookalike scrape`: MultiMon's scrape as a careful Python user writes it.

    PYTHONPATH=<numpy, tokenizers, onnxruntime> python3 bench/scrape/peer.py \
        --corpus captions_val2017.json --models models --target minilm --reference mpnet \
        --threshold 0.9 --gap 0.2 --out pairs.json

onnxruntime + tokenizers on the same model.onnx / tokenizer.json files lookalike runs, with the
settings of each model's lookalike.json (dim, max_tokens, pooling, pad id): no padding in the
tokenizer, truncation at max_tokens, length-sorted batches of 64, one session (graph optimisation
ALL, default threads), mean pooling over the attention mask, L2 normalisation. Then, as MultiMon:

1. the corpus's distinct texts under the target encoder;
2. the pairs above the threshold by NumPy block matmul, 1,024 rows of the normalised matrix
   times the whole matrix (BLAS sgemm), keeping i < j with sim > threshold;
3. the reference encoder on the texts of candidate pairs only;
4. the gap rule: target sim > threshold and target − reference > gap, both strict, the gap
   computed in float64 from the float32 similarities (the gap's float32 value widened).

Text handling is lookalike's, so that the pair sets compare exactly (where MultiMon itself
differs is listed in bench/scrape/run.py): COCO captions trimmed; rows in annotation-id order; texts holding
one of MultiMon's seven excluded phrases (case-insensitive, whitespace runs collapsed) dropped
before the search; each distinct text once, at its first id; candidate pairs whose texts are
equal after normalising case, spacing and punctuation dropped, and one pair (the smallest index
pair) kept per unordered pair of normalised texts.

Prints one JSON line (stage seconds, counts, this process's peak RSS); writes every candidate
pair (texts, target and reference similarity, whether the gap rule flags it) to --out as JSON,
and with --save DIR the distinct texts and both encoders' vectors (to explain disagreements).
"""
import argparse
import importlib.util
import json
import os
import resource
import time
import unicodedata

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

# The embedding benchmark's peer pads batches the same way; one copy of that loop.
_spec = importlib.util.spec_from_file_location(
    "embed_peer", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "embed", "peer.py"))
_embed_peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_embed_peer)
padded_batch = _embed_peer.padded_batch

# lookalike_pairs::MULTIMON_EXCLUDED_PHRASES
EXCLUDED_PHRASES = ["there is no", "unable", "does not", "do not", "am not", "no image", "no picture"]
BATCH = 64
BLOCK = 1024


def fold(text):
    """Lowercase, whitespace runs collapsed to one space, trimmed (rule.rs `fold`)."""
    return " ".join(text.lower().split())


def is_excluded(text):
    folded = fold(text)
    return any(p in folded for p in EXCLUDED_PHRASES)


def normalize_text(text):
    """lookalike_pairs::normalize_text: lowercase, punctuation (P*) and whitespace runs become one
    space, format characters (Cf) dropped, trimmed."""
    out = []
    pending = False
    for c in text.lower():
        cat = unicodedata.category(c)
        if c.isspace() or cat[0] == "P":
            pending = True
        elif cat == "Cf":
            continue
        else:
            if pending and out:
                out.append(" ")
            pending = False
            out.append(c)
    return "".join(out)


def read_corpus(path):
    """The distinct texts in annotation-id order, as lookalike's Corpus::with_ids."""
    annotations = json.load(open(path, encoding="utf-8"))["annotations"]
    rows = sorted((a["id"], a["caption"].strip()) for a in annotations)
    seen, texts = set(), []
    excluded = repeated = 0
    for _, text in rows:
        if is_excluded(text):
            excluded += 1
        elif text in seen:
            repeated += 1
        else:
            seen.add(text)
            texts.append(text)
    return texts, {"rows": len(rows), "excluded_texts": excluded, "repeated_texts": repeated}


class Encoder:
    def __init__(self, model_dir):
        self.manifest = json.load(open(f"{model_dir}/lookalike.json"))
        assert self.manifest.get("output", "last_hidden_state") == "last_hidden_state"
        assert self.manifest.get("pooling", "mean") == "mean"
        self.tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
        self.tok.no_padding()
        self.tok.enable_truncation(self.manifest["max_tokens"])
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(f"{model_dir}/model.onnx", opts, providers=["CPUExecutionProvider"])

    def embed(self, texts):
        encs = self.tok.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        out = np.zeros((len(texts), self.manifest["dim"]), dtype=np.float32)
        pad = self.manifest.get("pad_token_id", 0)
        for start in range(0, len(order), BATCH):
            rows = order[start:start + BATCH]
            ids, mask = padded_batch(encs, rows, pad)
            states = self.sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (states * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            if self.manifest.get("normalize", True):
                pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled
        return out


def search(x, threshold):
    """MultiMon's search: each 1,024-row block times the whole matrix, entries above the
    threshold with i < j."""
    t = np.float32(threshold)
    found_i, found_j, found_s = [], [], []
    for start in range(0, x.shape[0], BLOCK):
        sims = x[start:start + BLOCK] @ x.T
        rows, cols = np.nonzero(sims > t)
        keep = rows + start < cols
        rows, cols = rows[keep], cols[keep]
        found_i.append(rows + start)
        found_j.append(cols)
        found_s.append(sims[rows, cols])
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


def dedup(ii, jj, ss, texts):
    """lookalike_pairs::dedup_pairs: drop pairs equal after normalisation, keep the smallest
    (a, b) of each unordered pair of normalised texts."""
    order = np.lexsort((jj, ii))
    cls, norm = {}, {}
    kept, equal, repeats, seen = [], 0, 0, set()
    for k in order:
        a, b = int(ii[k]), int(jj[k])
        for t in (a, b):
            if t not in cls:
                cls[t] = norm.setdefault(normalize_text(texts[t]), len(norm))
        x, y = cls[a], cls[b]
        if x == y:
            equal += 1
            continue
        key = (min(x, y), max(x, y))
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        kept.append((a, b, ss[k]))
    return kept, equal, repeats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="a COCO captions JSON file")
    ap.add_argument("--models", default="models")
    ap.add_argument("--target", default="minilm")
    ap.add_argument("--reference", default="mpnet")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--gap", type=float, default=0.2)
    ap.add_argument("--out", help="write every candidate pair here (JSON)")
    ap.add_argument("--save", metavar="DIR", help="write texts.json, target.npy, reference.npy (+ reference_rows.npy) here")
    args = ap.parse_args()
    stages = {}
    clock = time.perf_counter()

    def stage(name):
        nonlocal clock
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock
        clock = now

    texts, counts = read_corpus(args.corpus)
    stage("read corpus")
    target = Encoder(f"{args.models}/{args.target}")
    stage("target model load")
    x = target.embed(texts)
    del target
    stage("target embedding")
    ii, jj, ss = search(x, args.threshold)
    stage("pair search")
    if args.save:
        json.dump(texts, open(f"{args.save}/texts.json", "w", encoding="utf-8"))
        np.save(f"{args.save}/target.npy", x)
        stage("save")
    del x
    kept, equal, repeats = dedup(ii, jj, ss, texts)
    stage("dedup")
    needed = sorted({i for a, b, _ in kept for i in (a, b)})
    reference = Encoder(f"{args.models}/{args.reference}")
    stage("reference model load")
    r = reference.embed([texts[i] for i in needed]) if needed else np.zeros((0, 1), np.float32)
    del reference
    stage("reference embedding")
    if args.save:
        np.save(f"{args.save}/reference.npy", r)
        np.save(f"{args.save}/reference_rows.npy", np.array(needed, dtype=np.int64))
        stage("save")
    row = {t: k for k, t in enumerate(needed)}
    a_rows = np.array([row[a] for a, _, _ in kept], dtype=np.int64)
    b_rows = np.array([row[b] for _, b, _ in kept], dtype=np.int64)
    ref_sims = np.einsum("ij,ij->i", r[a_rows], r[b_rows]) if kept else np.zeros(0, np.float32)
    gap = float(np.float32(args.gap))
    threshold = np.float32(args.threshold)
    pairs = []
    for (a, b, s), rs in zip(kept, ref_sims):
        s, rs = np.float32(s), np.float32(rs)
        flagged = bool(s > threshold and float(s) - float(rs) > gap)
        pairs.append({"text_a": texts[a], "text_b": texts[b], "target_sim": float(s),
                      "reference_sim": float(rs), "flagged": flagged})
    stage("rule")
    if args.out:
        json.dump(pairs, open(args.out, "w", encoding="utf-8"))
    stage("write")
    counts.update({"distinct_texts": len(texts), "above_threshold": int(len(ii)),
                   "normalized_equal": equal, "repeated_pairs": repeats, "candidates": len(kept),
                   "reference_texts": len(needed), "flagged": sum(p["flagged"] for p in pairs)})
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stages": stages, "counts": counts, "peak_rss_mb": rss_mb}))


if __name__ == "__main__":
    main()
