#!/usr/bin/env bash
# The test command (README, .ci/run): the checks a reviewer runs (format, lints, docs), then
# build, install ONNX Runtime, the default models and WordNet from the registries if missing
# (idempotent), then every test of the workspace, the SQL logic tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
# The tests install and read the runtime, models, WordNet and caches inside the checkout
# (.lookalike/, models/), never in the user's own data and cache homes.
export LOOKALIKE_HOME="$PWD/.lookalike" LOOKALIKE_MODELS="$PWD/models"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
# Build the test binaries and the `lookalike` binary they drive, in one feature set.
cargo test --workspace --no-run
./target/debug/lookalike setup
cargo test --workspace
