-- Step 2 of MultiMon, "categorize": an LLM reads the failures (MultiMon's two-turn prompt,
-- byte for byte; batched and merged when they do not fit one context) and names the
-- systematic failures behind them.
--
--   lookalike --llm URL --llm-model NAME -t corpus=… -f sql/scrape.sql -f sql/categorize.sql
--
-- Offline, sql/categorize_offline.sql names them with the structural judge instead.

CREATE OR REPLACE TABLE categories AS
SELECT category,
       description,
       CAST(cardinality(examples) AS BIGINT) AS pairs,   -- the failures the LLM cites
       examples
FROM llm_categorize('SELECT text_a, text_b FROM failures ORDER BY target_sim DESC, id_a, id_b')
ORDER BY rank;

SELECT category, pairs, description FROM categories;
