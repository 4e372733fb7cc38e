#!/usr/bin/env bash
# Pair search on real embeddings: the distinct COCO val 2017 captions under minilm.
# Exports the embeddings with lookalike's SQL (embed() and its Parquet cache), converts them to
# .npy, and runs bench_search on them: lookalike's exact search, IVF with 4, 8 and 16 probes,
# HNSW with f32, f16 and i8
# storage (time, recall against exact, peak RSS), and the NumPy peer (MultiMon's 1,024-row block
# times the whole matrix) in the same run, with the ratio peer ÷ each method. A second pass turns
# the HNSW component closure off, to show what the quantized ranking alone misses.
#
#   bash bench/pairs/coco.sh                 # from the repo root, after `lookalike setup`
#   THRESHOLD=0.9 THREADS=2 LOOKALIKE=target/release/lookalike bash bench/pairs/coco.sh
#
# Needs ../shared/reference/coco/captions_val2017.json (skipped with a message when absent),
# models/minilm, python3 with numpy and pyarrow. Data goes to $WORK (default
# /tmp/lookalike-coco-bench), never into the repo.
set -euo pipefail
cd "$(dirname "$0")/../.."
COCO=../shared/reference/coco/captions_val2017.json
THRESHOLD=${THRESHOLD:-0.9}
THREADS=${THREADS:-2}
WORK=${WORK:-/tmp/lookalike-coco-bench}
TARGET=${CARGO_TARGET_DIR:-target}

if [ ! -f "$COCO" ]; then
  echo "coco.sh: skipped: $COCO is absent (the shared reference data is not checked out)"
  exit 0
fi
if [ ! -f models/minilm/model.onnx ]; then
  echo "coco.sh: models/minilm is missing; run \`lookalike setup\` first" >&2
  exit 1
fi
if ! python3 -c 'import numpy, pyarrow' 2>/dev/null; then
  echo "coco.sh: needs python3 with numpy and pyarrow (pip install numpy pyarrow)" >&2
  exit 1
fi

# The lookalike binary: $LOOKALIKE, else a built one, else a release build.
if [ -z "${LOOKALIKE:-}" ]; then
  for b in "$TARGET/release/lookalike" "$TARGET/debug/lookalike"; do
    if [ -x "$b" ]; then LOOKALIKE=$b; break; fi
  done
fi
if [ -z "${LOOKALIKE:-}" ]; then
  cargo build --release -p lookalike-cli
  LOOKALIKE=$TARGET/release/lookalike
fi

mkdir -p "$WORK"
parquet=$WORK/coco_minilm.parquet
npy=$WORK/coco_minilm.npy

# 1. Embeddings: one row per distinct caption, in a fixed order; cached in .lookalike/cache.
echo "== embeddings: $LOOKALIKE, distinct COCO val captions, minilm"
start=$(date +%s.%N)
"$LOOKALIKE" --threads "$THREADS" -t coco="$COCO" -c "
  COPY (SELECT caption, embed('minilm', caption) AS minilm
        FROM (SELECT DISTINCT caption FROM coco) ORDER BY caption)
  TO '$parquet'"
python3 - "$parquet" "$npy" <<'EOF'
import sys

import numpy as np
import pyarrow.parquet as pq

col = pq.read_table(sys.argv[1], columns=["minilm"]).column("minilm").combine_chunks()
x = col.values.to_numpy(zero_copy_only=False).astype("<f4").reshape(-1, col.type.list_size)
np.save(sys.argv[2], np.ascontiguousarray(x))
print(f"wrote {sys.argv[2]}: {x.shape[0]} x {x.shape[1]} float32, "
      f"max | |x| - 1 | = {np.abs(np.linalg.norm(x, axis=1) - 1).max():.1e}")
EOF
echo "embeddings: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (export and conversion; cached texts are not embedded again)"

# 2. The search benchmark.
cargo build --release -p lookalike-pairs --example bench_search
bench=$TARGET/release/examples/bench_search
echo
echo "== pair search: exact, IVF, HNSW f32/f16/i8, NumPy peer (threshold $THRESHOLD, $THREADS threads)"
"$bench" --load-npy "$npy" --threshold "$THRESHOLD" --threads "$THREADS" --exact full \
  --ivf-probes 4,8,16 --quantization f32,f16,i8 --peer bench/pairs/numpy_peer.py "$@"

echo
echo "== HNSW without the component closure (--closure-max-rows 0): the raw ranking's recall"
"$bench" --load-npy "$npy" --threshold "$THRESHOLD" --threads "$THREADS" --exact full \
  --quantization f32,f16,i8 --closure-max-rows 0 "$@"
