#!/usr/bin/env python3
"""Draws the COCO dev set's pairs: a seeded uniform sample of the candidate pairs a COCO val
scrape finds (minilm above 0.9), written as caption ids only, since the captions themselves stay
in ../shared/reference/coco and are never committed.

    lookalike -t corpus=../shared/reference/coco/captions_val2017.json \
      -c "COPY (SELECT id_a, id_b FROM lookalike_pairs('corpus', 'caption', 'minilm', 'none', 'mode=candidates')) TO '/tmp/coco_candidates.csv'"
    python3 bench/judge/sample_coco.py /tmp/coco_candidates.csv 400 > /tmp/coco_sample.csv
"""
import csv
import random
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
n = int(sys.argv[2])
random.Random(20261204).shuffle(rows)
out = csv.writer(sys.stdout)
out.writerow(["id", "id_a", "id_b"])
for k, r in enumerate(sorted(rows[:n], key=lambda r: (int(r["id_a"]), int(r["id_b"])))):
    out.writerow([f"c{k + 1:03d}", r["id_a"], r["id_b"]])
