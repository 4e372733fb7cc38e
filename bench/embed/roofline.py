"""How fast could any embed() be on this machine? The MatMul roofline of the embedding benchmark.

    PYTHONPATH=.lookalike/python python3 bench/embed/roofline.py [--n 5000]   # needs: pip install onnx tokenizers

minilm spends nearly all its arithmetic in the linear layers of its 6 transformer blocks
(Q, K, V, output projection and the two feed-forward matrices). This script counts those
floating-point operations for the first N COCO val captions exactly as tokenized, measures ONNX
Runtime's own MatMul throughput at the model's GEMM shapes (the same shared library both sides of
the benchmark use), runs the Python peer (bench/embed/peer.py) in the same process tree, and
prints the speed-up over the peer that an engine would reach if the linear layers ran at that
peak and everything else (attention, layer norms, GELU, tokenizing, pooling) took no time at
all. An embed() on the same model.onnx and the same fp32 arithmetic cannot beat that bound.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def matmul_gflops(m, k, n, seconds=2.0):
    """ORT's fp32 MatMul throughput for [m, k] x [k, n] with a constant (prepacked) right side."""
    w = numpy_helper.from_array(np.random.default_rng(0).random((k, n), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).random((m, k), dtype=np.float32)
    sess.run(None, {"x": x})
    runs, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        sess.run(None, {"x": x})
        runs += 1
    return runs * 2 * m * k * n / (time.perf_counter() - started) / 1e9


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--model", default=os.path.join(ROOT, "models/minilm"))
    p.add_argument("--coco", default=os.path.join(ROOT, "../shared/reference/coco/captions_val2017.json"))
    args = p.parse_args()
    config = json.load(open(os.path.join(args.model, "lookalike.json")))
    caps = [a["caption"].strip() for a in json.load(open(args.coco))["annotations"]][: args.n]
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(config["max_tokens"])
    tokens = sum(len(e.ids) for e in tok.encode_batch(caps))

    hidden, layers, ffn = config["dim"], 6, 4 * config["dim"]  # all-MiniLM-L6-v2
    flops_per_token = layers * 2 * (4 * hidden * hidden + 2 * hidden * ffn)
    linear_gflop = tokens * flops_per_token / 1e9
    rows = 32 * round(tokens / len(caps))  # one batch of 32 captions, as lookalike runs them
    shapes = [(rows, hidden, hidden), (rows, hidden, ffn), (rows, ffn, hidden)]
    peaks = {f"{m}x{k}x{n}": matmul_gflops(m, k, n) for m, k, n in shapes}
    # The block's time at peak: 4 square products, one expanding and one contracting product.
    weights = [4 * hidden * hidden, hidden * ffn, ffn * hidden]
    peak = sum(weights) / sum(w / g for w, g in zip(weights, peaks.values()))

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("".join(c.replace("\n", " ") + "\n" for c in caps))
    out = subprocess.run([sys.executable, os.path.join(ROOT, "bench/embed/peer.py"), args.model, f.name],
                         capture_output=True, text=True, check=True)
    os.unlink(f.name)
    peer = json.loads(out.stdout)
    achieved = linear_gflop / peer["seconds"]
    print(json.dumps({
        "captions": len(caps), "tokens": tokens, "linear_layer_gflop": round(linear_gflop, 1),
        "ort_matmul_gflops_at_model_shapes": {k: round(v, 1) for k, v in peaks.items()},
        "ort_matmul_peak_gflops": round(peak, 1),
        "peer_sentences_per_s": round(peer["sentences_per_s"], 1),
        "peer_linear_gflops": round(achieved, 1),
        "peer_share_of_peak": round(achieved / peak, 3),
        "bound_on_speedup_over_peer": round(peak / achieved, 3),
    }, indent=1))


if __name__ == "__main__":
    main()
