#!/usr/bin/env bash
# The test command (README, .ci/run): the checks a reviewer runs (format, lints, docs), then
# build, install ONNX Runtime, the default models and WordNet (and, for tests only, chromium,
# pyarrow and duckdb) from the registries if missing (idempotent), then every test of the
# workspace, the SQL logic tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
# The tests install and read the runtime, models, WordNet and caches inside the checkout
# (.lookalike/, models/), never in the user's own data and cache homes.
export LOOKALIKE_HOME="$PWD/.lookalike" LOOKALIKE_MODELS="$PWD/models"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# The GPU build compiles and lints without a GPU; its fallback is tested after setup.
cargo clippy -p lookalike-encode --features cuda --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
# The report's browser test (crates/report/tests/browser.rs) drives Debian's chromium: install it
# when it is missing and we can (root with apt-get). A failed install skips that test with a
# message, and fails the run only under CI=true, where the test would fail anyway.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 &&
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the report's browser test"
  install_chromium() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
  }
  if ! install_chromium && ! { apt-get update -qq >/dev/null 2>&1 && install_chromium; }; then
    echo "could not install chromium: the report's browser test will skip" >&2
    if [ "${CI:-}" = true ]; then exit 1; fi
  fi
fi
# The readers BI tools use, to open the audit's Parquet in (tests/e2e/files.rs): pyarrow 14
# (older than Utf8View) and DuckDB, from PyPI, into the checkout's .lookalike/bi.
if ! PYTHONPATH="$LOOKALIKE_HOME/bi" python3 -c "import pyarrow, duckdb" >/dev/null 2>&1; then
  echo "installing pyarrow 14 and duckdb for the BI-reader test"
  python3 -m pip install --quiet --disable-pip-version-check --target "$LOOKALIKE_HOME/bi" \
    "pyarrow==14.0.2" "numpy<2" "duckdb==2.0.1" ||
    { echo "could not install pyarrow and duckdb: the BI-reader test will skip" >&2
      if [ "${CI:-}" = true ]; then exit 1; fi; }
fi
# Build the test binaries and the `lookalike` binary they drive, in one feature set.
cargo test --workspace --no-run
./target/debug/lookalike setup
cargo test --workspace
cargo test -p lookalike-encode --features cuda --lib device
