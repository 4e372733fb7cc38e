-- The LLM judge's reading of every generated pair, before verify.sql (`--judge llm`); see
-- judge_generated.sql.
--
--   lookalike --llm URL --llm-model NAME … -f sql/generate.sql -f sql/judge_generated_llm.sql -f sql/verify.sql

CREATE OR REPLACE TABLE generated_verdicts AS
SELECT category, text_a, text_b, llm_judge(text_a, text_b) AS verdict
FROM generated;
