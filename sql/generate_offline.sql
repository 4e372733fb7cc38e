-- Step 3 offline: new pairs for each category by editing corpus sentences the way the kind
-- calls for (negate, flip a preposition, swap roles, change a number…). An edit is kept only
-- when the corpus itself witnesses the words it brings in (their word pairs, the runs around
-- them, the captions they share) and the structural judge confirms its kind. Deterministic for
-- a corpus and seed.
--
--   lookalike -t corpus=… -f sql/scrape.sql -f sql/categorize_offline.sql -f sql/generate_offline.sql

CREATE OR REPLACE TABLE generated AS
SELECT category, text_a, text_b
FROM offline_generate('corpus', @column, per_kind => @per_category, seed => @seed)
WHERE category IN (SELECT category FROM categories)
ORDER BY category, text_a, text_b;
