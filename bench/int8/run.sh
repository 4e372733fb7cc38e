#!/usr/bin/env bash
# int8 probe: ONNX Runtime's dynamic quantization of an imported model against its fp32 graph,
# speed and similarity error, in one run (see probe.py). Python packages go into the bench's own
# folder in the lookalike home, from PyPI; the onnxruntime wheel is the one `lookalike setup` put
# there.
#   bash bench/int8/run.sh [--model minilm] [--n 3000] [--runs 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
HOME_DIR=${LOOKALIKE_HOME:-.lookalike}
PY=$HOME_DIR/bench-int8
if [ ! -d "$PY/onnx" ]; then
  python3 -m pip install -q --target "$PY" onnx tokenizers numpy
fi
PYTHONPATH="$HOME_DIR/python:$PY" python3 bench/int8/probe.py "$@"
