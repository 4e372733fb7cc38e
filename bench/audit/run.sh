#!/usr/bin/env bash
# The whole audit on COCO val captions, offline: once from a cold cache (every embedding
# computed), then WARM_RUNS times on the cache it filled. Prints time per stage, wall time
# against the 3-minute goal, and peak memory; the warm runs' peak against the 500 MiB goal
# (a warm run must load no model), with min/median/max.
#
#   bash bench/audit/run.sh            # after `lookalike setup`; needs ../shared/reference/coco
set -euo pipefail
cd "$(dirname "$0")/../.."
coco=../shared/reference/coco/captions_val2017.json
if [ ! -f "$coco" ]; then echo "skipping: $coco not found"; exit 0; fi
cargo build -q -p lookalike-cli
bin=$(mktemp)
install -m 755 ./target/debug/lookalike "$bin"   # later rebuilds must not change the binary under test
cache=$(mktemp -d)
log=$(mktemp)
run() {
  local out; out=$(mktemp -d)
  /usr/bin/time -v "$bin" audit --cache "$cache" --corpus "$coco" --target minilm \
    --reference mpnet --offline --out "$out/audit" > /dev/null 2> "$log"
  rm -rf "$out"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  python3 -c "p='$wall'.split(':'); print(f'{sum(float(x)*60**i for i,x in enumerate(reversed(p))):.1f} {$rss/1024:.0f}')"
}
read -r secs mib < <(run)
grep -E '^(scrape|categorize|generate|verify|steer|judge)' "$log" || true
python3 -c "s=$secs; print(f'cold: wall {s:.1f}s, goal 180s: ' + (f'{180/s:.2f}x under the goal' if s<=180 else f'NOT met ({s/180:.2f}x over)') + ', peak RSS $mib MiB')"
warm=()
for _ in $(seq "${WARM_RUNS:-3}"); do warm+=("$(run)"); done
printf '%s\n' "${warm[@]}" | python3 -c "
import sys, statistics as st
runs=[tuple(map(float,l.split())) for l in sys.stdin if l.strip()]
w=sorted(r[0] for r in runs); m=sorted(r[1] for r in runs)
print(f'warm ({len(runs)} runs): wall min/median/max {w[0]:.1f}/{st.median(w):.1f}/{w[-1]:.1f}s, peak RSS {m[0]:.0f}/{st.median(m):.0f}/{m[-1]:.0f} MiB; goal 500 MiB: {500/st.median(m):.2f}x under' if st.median(m)<=500 else 'goal 500 MiB NOT met')
print(f'warm peak / cold peak: {st.median(m)/$mib:.2f}')
"
rm -rf "$cache" "$log" "$bin"
