-- Step 3 of MultiMon, "generate": for each category, the LLM writes new pairs (MultiMon's
-- prompt, 41 per request, asked again with dedup for more), steered to a domain if one is set.
--
--   lookalike --llm URL --llm-model NAME … -f sql/categorize.sql -f sql/generate.sql -D per_category=41

CREATE OR REPLACE TABLE generated AS
SELECT category, text_a, text_b
FROM llm_generate('categories', n => @per_category, domain => @domain);
