#!/usr/bin/env bash
# How the scrape's cost grows from 10k to 1M texts (see run.py): measured cold `lookalike scrape`
# runs on COCO val (the first 10,000 captions and all 25,014) with their time split into target
# embedding, pair search + dedup + judge and reference embedding; above that the IVF pair search
# measured on synthetic vectors (100k, 300k, 1M x 384) and the embedding PROJECTED from the
# measured rates. Ends with a Markdown table and a JSON line.
#
#   bash bench/scale/run.sh                   # after `lookalike setup`; needs ../shared/reference/coco
#   bash bench/scale/run.sh --runs 3          # min/median/max over three runs
#   bash bench/scale/run.sh --quick           # 10k real + 100k synthetic, one run: a check
#
# The binary is target/debug/lookalike (built if missing); the search is lookalike-pairs'
# bench_search example, built here in release (that crate only). numpy is installed from PyPI
# into $LOOKALIKE_HOME/bench-python if missing (run.py imports bench/scrape/run.py's helpers).
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOOKALIKE_HOME="${LOOKALIKE_HOME:-$PWD/.lookalike}" LOOKALIKE_MODELS="${LOOKALIKE_MODELS:-$PWD/models}"
[ -x target/debug/lookalike ] || cargo build -q -p lookalike-cli
if [ ! -d "$LOOKALIKE_HOME/python/onnxruntime" ] || [ ! -f "$LOOKALIKE_MODELS/minilm/model.onnx" ] ||
  [ ! -f "$LOOKALIKE_MODELS/mpnet/model.onnx" ]; then
  ./target/debug/lookalike setup
fi
cargo build -q --release -p lookalike-pairs --example bench_search
deps="$LOOKALIKE_HOME/bench-python"
if ! PYTHONPATH="$deps" python3 -c "import numpy" >/dev/null 2>&1; then
  echo "installing numpy into $deps"
  python3 -m pip install --quiet --disable-pip-version-check --target "$deps" "numpy==2.4.6"
fi
export PYTHONPATH="$deps:$LOOKALIKE_HOME/python"
exec python3 bench/scale/run.py "$@"
