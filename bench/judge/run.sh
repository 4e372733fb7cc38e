#!/usr/bin/env bash
# The judge's evaluation on the labelled dev sets (rules: bench/judge/LABELLING.md):
#   written.csv  220 pairs written for this project, one per edit kind and false-alarm shape;
#   coco.csv     400 COCO val candidate pairs of the audit (minilm > 0.9), a seeded uniform
#                sample drawn by sample_coco.py, stored as caption ids: the captions are read
#                from ../shared/reference/coco at run time and never committed;
#   coco_audit_failures*.csv  100 failures each of four successive COCO audits, read by hand,
#                each drawn outside every set labelled before it (see bench/RESULTS.md).
# Prints, per set: false alarms on paraphrases, detection per kind, precision of what the judge
# reports (95% Wilson intervals) and seconds per pair; SHOW=N lists N misses per set.
set -euo pipefail
cd "$(dirname "$0")/../.."
coco=../shared/reference/coco/captions_val2017.json
sets=(bench/judge/written.csv)
if [ -f "$coco" ]; then
  # The audit's reported failures read by hand: these pairs are all reported by the audit that
  # was sampled, so only "precision of reported" is meaningful for them.
  sets=(--coco "$coco" "${sets[@]}" bench/judge/coco.csv bench/judge/coco_audit_failures*.csv)
else
  echo "note: $coco is absent, so only the written set is scored" >&2
fi
cargo run -q --release -p lookalike-taxonomy --example judge_eval -- \
  --show "${SHOW:-0}" "${sets[@]}"
