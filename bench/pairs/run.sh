#!/usr/bin/env bash
# Pair-search benchmark: the IVF search (the default above 50k texts) and its recall, peak RSS,
# the exact blocked search, and the NumPy peer (MultiMon's 1,024-row block matmul) on the same
# vectors; HNSW too with HNSW=1 (about an hour at 1M rows on 2 cores). One process per
# configuration, so each peak RSS is its own.
#
#   bash bench/pairs/run.sh                      # n = 100k, 300k, 1M; d = 384, 768
#   SIZES="1000000" DIMS="384" PROBES=8,16,32 bash bench/pairs/run.sh
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
PROBES=${PROBES:-16}
HNSW_FLAG=--no-hnsw
if [ "${HNSW:-0}" = 1 ]; then HNSW_FLAG=; fi
cargo build --release -p lookalike-pairs --example bench_search
for n in $SIZES; do
  for d in $DIMS; do
    npy="$NPY_DIR/lookalike_pairs_${n}x${d}.npy"
    "$TARGET/release/examples/bench_search" --rows "$n" --dim "$d" --threshold 0.9 \
      --ivf-probes "$PROBES" $HNSW_FLAG --sample-blocks 96 --threads 2 \
      --npy "$npy" --peer bench/pairs/numpy_peer.py "$@"
    rm -f "$npy"
  done
done
