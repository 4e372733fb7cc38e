#!/usr/bin/env bash
# MultiMon's scrape on COCO val: `lookalike scrape` against the Python peer (bench/scrape/peer.py),
# cold, runs alternating, wall time and peak RSS min/median/max per side, the ratio peer /
# lookalike, where each side's time goes, and whether both find the same pairs (see run.py).
#
#   bash bench/scrape/run.sh               # after `lookalike setup`; needs ../shared/reference/coco
#   bash bench/scrape/run.sh --n 3000 --runs 1     # a quick check on the first 3,000 captions
#
# The peer's numpy and tokenizers are installed from PyPI into $LOOKALIKE_HOME/bench-python if
# missing; its onnxruntime is the wheel `lookalike setup` put in $LOOKALIKE_HOME/python (the
# library lookalike loads too). The binary is target/debug/lookalike, built if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOOKALIKE_HOME="${LOOKALIKE_HOME:-$PWD/.lookalike}" LOOKALIKE_MODELS="${LOOKALIKE_MODELS:-$PWD/models}"
[ -x target/debug/lookalike ] || cargo build -q -p lookalike-cli
if [ ! -d "$LOOKALIKE_HOME/python/onnxruntime" ] || [ ! -f "$LOOKALIKE_MODELS/minilm/model.onnx" ] ||
  [ ! -f "$LOOKALIKE_MODELS/mpnet/model.onnx" ]; then
  ./target/debug/lookalike setup
fi
deps="$LOOKALIKE_HOME/bench-python"
if ! PYTHONPATH="$deps" python3 -c "import numpy, tokenizers" >/dev/null 2>&1; then
  echo "installing numpy and tokenizers for the peer into $deps"
  python3 -m pip install --quiet --disable-pip-version-check --target "$deps" \
    "numpy==2.4.6" "tokenizers==0.23.3"
fi
export PYTHONPATH="$deps:$LOOKALIKE_HOME/python"
exec python3 bench/scrape/run.py "$@"
