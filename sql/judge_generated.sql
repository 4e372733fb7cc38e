-- The judge's reading of every generated pair, before verify.sql: a generated pair reproduces a
-- failure only when the target agrees on it *and* this verdict confirms that its texts differ
-- in meaning. This script uses the structural judge; `--judge llm` runs
-- judge_generated_llm.sql instead.
--
--   lookalike … -f sql/generate_offline.sql -f sql/judge_generated.sql -f sql/verify.sql

CREATE OR REPLACE TABLE generated_verdicts AS
SELECT category, text_a, text_b, failure_kind(text_a, text_b)['verdict'] AS verdict
FROM generated;
