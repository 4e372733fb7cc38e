"""The Python peer for the embedding benchmark: onnxruntime + tokenizers on the same model.onnx.

Length-sorted batches of 64, mean pooling over the attention mask, L2-normalised: what a
careful Python user would write. Prints one JSON line: sentences/s and the vectors' checksum.
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def padded_batch(encs, rows, pad):
    """input_ids (padded with pad) and attention_mask, int64, for the encodings at rows."""
    seq = max(len(encs[i].ids) for i in rows)
    ids = np.full((len(rows), seq), pad, dtype=np.int64)
    mask = np.zeros((len(rows), seq), dtype=np.int64)
    for r, i in enumerate(rows):
        e = encs[i].ids
        ids[r, :len(e)] = e
        mask[r, :len(e)] = 1
    return ids, mask


def main(model_dir, captions_txt, pooling):
    caps = open(captions_txt, encoding="utf-8").read().split("\n")[:-1]
    manifest = json.load(open(f"{model_dir}/lookalike.json"))
    started = time.perf_counter()
    tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(manifest["max_tokens"])
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(f"{model_dir}/model.onnx", opts, providers=["CPUExecutionProvider"])
    loaded = time.perf_counter()
    encs = tok.encode_batch(caps)
    order = sorted(range(len(caps)), key=lambda i: len(encs[i].ids))
    out = np.zeros((len(caps), manifest["dim"]), dtype=np.float32)
    pad = manifest.get("pad_token_id", 0)
    for start in range(0, len(order), 64):
        rows = order[start:start + 64]
        ids, mask = padded_batch(encs, rows, pad)
        if pooling == "output":
            pooled = sess.run(["text_embeds"], {"input_ids": ids, "attention_mask": mask})[0]
        else:
            states = sess.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (states * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        out[rows] = pooled
    done = time.perf_counter()
    import resource
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": rss_mb, "sentences": len(caps), "seconds": done - loaded, "load_seconds": loaded - started,
                      "sentences_per_s": len(caps) / (done - loaded), "checksum": float(out.sum())}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "mean")
