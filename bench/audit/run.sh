#!/usr/bin/env bash
# The whole audit on COCO val captions, offline, from a cold cache: time per stage (printed by
# the audit on stderr), total wall time against the 3-minute goal, and peak memory.
#
#   bash bench/audit/run.sh            # after `lookalike setup`; needs ../shared/reference/coco
#
# The embedding and LLM caches go to a fresh temporary directory, so every embedding is
# computed; a second run (WARM=1) measures a resumed or repeated audit.
set -euo pipefail
cd "$(dirname "$0")/../.."
coco=../shared/reference/coco/captions_val2017.json
if [ ! -f "$coco" ]; then echo "skipping: $coco not found"; exit 0; fi
cargo build -q -p lookalike-cli
cache=${CACHE:-$(mktemp -d)}
out=$(mktemp -d)
log=$(mktemp)
/usr/bin/time -v ./target/debug/lookalike audit --cache "$cache" --corpus "$coco" --target minilm \
  --reference mpnet --offline --out "$out" 2> "$log"
grep -E '^(scrape|categorize|generate|verify|steer)' "$log" || true
grep -E 'lookalike_pairs:' "$log" | sed 's/^ *//' || true
wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
python3 -c "s=$secs; print(f'wall {s:.1f}s, goal 180s: {180/s:.2f}x under the goal' if s<=180 else f'wall {s:.1f}s, goal 180s: NOT met ({s/180:.2f}x over)')"
echo "peak RSS $((rss / 1024)) MiB"
if [ -z "${CACHE:-}" ]; then rm -rf "$cache"; fi
rm -rf "$out" "$log"
