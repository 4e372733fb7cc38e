#!/usr/bin/env bash
# Pair-search benchmark: HNSW (build + adaptive self-join), its recall, peak RSS, the exact
# blocked search, and the NumPy peer (MultiMon's 1,024-row block matmul) on the same vectors.
# One process per configuration, so each peak RSS is its own.
#
#   bash bench/pairs/run.sh                      # n = 100k, 300k, 1M; d = 384, 768
#   SIZES="100000" DIMS="384" bash bench/pairs/run.sh
#
# Exact search: measured in full up to 100k rows, above that extrapolated from a random
# sample of 128-row blocks (the output says EXTRAPOLATED); the NumPy peer likewise samples
# 1,024-row blocks above 100k. Recall above 100k is over the exact pairs whose first row is
# in the sampled blocks.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-"100000 300000 1000000"}
DIMS=${DIMS:-"384 768"}
TARGET=${CARGO_TARGET_DIR:-target}
NPY_DIR=${NPY_DIR:-/tmp}
cargo build --release -p lookalike-pairs --example bench_search
for n in $SIZES; do
  for d in $DIMS; do
    npy="$NPY_DIR/lookalike_pairs_${n}x${d}.npy"
    "$TARGET/release/examples/bench_search" --rows "$n" --dim "$d" --threshold 0.9 \
      --npy "$npy" --peer bench/pairs/numpy_peer.py "$@"
    rm -f "$npy"
  done
done
