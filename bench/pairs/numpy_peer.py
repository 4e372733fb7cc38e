#!/usr/bin/env python3
"""NumPy peer of lookalike-pairs' exact search: MultiMon's method.

MultiMon (scrape.py) finds candidate pairs by multiplying 1,024-row blocks of the normalised
embedding matrix with the whole matrix and keeping the entries above the threshold. This does
the same on the vectors `bench_search --npy` wrote, keeping each unordered pair once (i < j),
and prints `numpy_seconds=<s>` (measured, or extrapolated from --sample-blocks random blocks:
every block costs the same, a 1024 x n product) plus the pair count, and the peak RSS of this
process (`numpy_peak_rss_mib=`, Linux `ru_maxrss`: Python, NumPy, the matrix, its normalised
copy and one block of similarities).

    python3 bench/pairs/numpy_peer.py /tmp/v.npy --threshold 0.9 [--sample-blocks 8]
"""
import argparse
import resource
import time

import numpy as np


def block_pairs(x, start, stop, threshold):
    sims = x[start:stop] @ x.T  # (block, n) float32, BLAS sgemm
    rows, cols = np.nonzero(sims > threshold)
    rows += start
    keep = rows < cols
    return rows[keep], cols[keep]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("npy")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--block", type=int, default=1024)
    ap.add_argument("--sample-blocks", type=int, default=0, help="0 = all blocks")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    x = np.load(args.npy)
    assert x.dtype == np.float32 and x.ndim == 2
    n = x.shape[0]
    # MultiMon normalises the embeddings; they already are, but pay the same cost.
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    starts = list(range(0, n, args.block))
    sampled = args.sample_blocks and args.sample_blocks < len(starts)
    if sampled:
        rng = np.random.default_rng(args.seed)
        # Only full-width blocks, so each costs the same.
        starts_used = sorted(rng.choice(starts[:-1] or starts, args.sample_blocks, replace=False))
    else:
        starts_used = starts
    pairs = 0
    t0 = time.perf_counter()
    for s in starts_used:
        r, c = block_pairs(x, s, min(s + args.block, n), args.threshold)
        pairs += len(r)
    secs = time.perf_counter() - t0
    if sampled:
        estimate = secs / len(starts_used) * (n / args.block)
        print(f"numpy_seconds={estimate:.2f} EXTRAPOLATED from {len(starts_used)} of "
              f"{len(starts)} blocks measured in {secs:.2f}s ({pairs} pairs in the sample)")
    else:
        print(f"numpy_seconds={secs:.2f} measured, {pairs} pairs")
    print(f"numpy_threads={np.show_config.__module__ and _blas_threads()}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"numpy_peak_rss_mib={peak_kib / 1024:.0f}")


def _blas_threads():
    try:
        from threadpoolctl import threadpool_info
        return ",".join(f"{i['internal_api']}:{i['num_threads']}" for i in threadpool_info())
    except Exception:
        return "unknown"


if __name__ == "__main__":
    main()
