-- Step 4 of MultiMon, "steer": keep the failures that matter for one domain, by asking the
-- LLM MultiMon's yes/no relevance question for every pair (answers are cached).
--
--   lookalike --llm URL --llm-model NAME -t corpus=… -f sql/scrape.sql -D domain=self-driving -f sql/steer.sql

CREATE OR REPLACE TABLE failures AS
SELECT * FROM failures
WHERE llm_relevant(text_a, text_b, @domain)
ORDER BY target_sim DESC, id_a, id_b;
