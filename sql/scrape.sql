-- Step 1 of MultiMon, "scrape": pairs of corpus texts that the target encoder embeds almost
-- identically (cosine > 0.9) although they mean different things.
--
--   lookalike -t corpus=data/captions.txt -f sql/scrape.sql
--   lookalike -t corpus=coco.json -D column=caption -D target=clip-l14 -f sql/scrape.sql
--
-- The corpus is any table (use -t corpus=PATH for a file: text, CSV, Parquet, NDJSON or COCO
-- caption JSON). @name is a variable: set it with -D name=value; the audit's defaults (@target
-- minilm, @reference mpnet, @column text, @threshold 0.9, @gap 0.2) are set when none is given.
-- `lookalike audit` runs this file once per target model.
-- Two judges say whether a pair differs in meaning:
--   * the reference encoder (MultiMon's rule): target_sim - reference_sim > gap;
--   * the structural judge (failure_kind): aligns the two texts and answers changes_meaning
--     only when an edit visibly changes a picture, same when only wording differs, and
--     uncertain otherwise (its `verdict` column).
-- The target first embeds every text with its int8 import (when `lookalike setup` wrote one),
-- then only the texts of pairs within a margin of the threshold with itself, so the pairs and
-- similarities are the f32 model's (@first_pass 'f32' embeds every text with the target).
-- A reference encoder shares the target's bag-of-words blind spots (role swaps, left/right,
-- swapped attributes score high under both), so the pipeline keeps what either judge flags,
-- except pairs the structural judge confidently reads as the same picture. Uncertain pairs are
-- kept in their own table, never reported as failures.

CREATE OR REPLACE TABLE candidates AS
SELECT * FROM lookalike_pairs('corpus', @column, @target, @reference,
                              threshold => @threshold, gap => @gap, mode => 'candidates',
                              first_pass => @first_pass);

CREATE OR REPLACE TABLE failures AS
SELECT * FROM candidates WHERE flagged_by IS NOT NULL;

CREATE OR REPLACE TABLE uncertain AS
SELECT * FROM candidates WHERE flagged_by IS NULL AND verdict = 'uncertain';

-- Which kinds of edit the target confuses, and which judge caught them.
SELECT kind,
       count(*)                                        AS pairs,
       sum(CASE WHEN flagged_by IN ('reference', 'both') THEN 1 ELSE 0 END) AS by_reference,
       sum(CASE WHEN flagged_by IN ('structural', 'both') THEN 1 ELSE 0 END) AS by_structure,
       round(avg(target_sim), 3)                       AS mean_target_sim,
       round(avg(reference_sim), 3)                    AS mean_reference_sim
FROM failures
GROUP BY kind
ORDER BY pairs DESC, kind;

-- The strongest failures.
SELECT text_a, text_b, round(target_sim, 3) AS target, round(reference_sim, 3) AS reference, kind, flagged_by
FROM failures
ORDER BY target_sim DESC, id_a, id_b
LIMIT 10;
