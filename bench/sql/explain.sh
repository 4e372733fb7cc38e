#!/usr/bin/env bash
# EXPLAIN of lookalike_pairs over the COCO val captions does no work: its wall time (the whole
# process: start, register the table, plan) against a peer measured in the same run, the same
# process reading the same table (`SELECT count(*)`), and the search itself on a warm cache.
#
#   bash bench/sql/explain.sh          # after `lookalike setup`; needs ../shared/reference/coco
#
# RUNS (default 3) runs of each, min / median / max.
set -euo pipefail
cd "$(dirname "$0")/../.."
coco=../shared/reference/coco/captions_val2017.json
if [ ! -f "$coco" ]; then echo "skipping: $coco not found"; exit 0; fi
cargo build -q -p lookalike-cli
runs=${RUNS:-3}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
time_of() { # prints seconds of one run of the binary with these arguments
  local start end
  start=$(date +%s.%N)
  ./target/debug/lookalike -q --cache "$cache" -t "coco=$coco" --format csv -c "$1" > /dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}
explain="EXPLAIN SELECT * FROM lookalike_pairs('coco', 'caption', 'minilm', 'mpnet')"
peer="SELECT count(*) FROM coco"
search="SELECT count(*) FROM lookalike_pairs('coco', 'caption', 'minilm', 'mpnet')"
time_of "$search" > /dev/null # fills the embedding cache, so the search below is warm
declare -A times
for i in $(seq "$runs"); do
  times[explain]+="$(time_of "$explain") "
  times[peer]+="$(time_of "$peer") "
  times[search]+="$(time_of "$search") "
done
python3 - "${times[explain]}" "${times[peer]}" "${times[search]}" <<'PY'
import statistics, sys
names = ["EXPLAIN lookalike_pairs", "peer: SELECT count(*) FROM coco", "the search, warm cache"]
rows = [sorted(float(x) for x in arg.split()) for arg in sys.argv[1:]]
for name, r in zip(names, rows):
    print(f"{name:34s} min {r[0]:6.2f}s  median {statistics.median(r):6.2f}s  max {r[-1]:6.2f}s")
e, p, s = (statistics.median(r) for r in rows)
print(f"EXPLAIN / peer (medians): {e / p:.2f}x; search / EXPLAIN: {s / e:.0f}x; EXPLAIN under 1 s: {e < 1}")
PY
