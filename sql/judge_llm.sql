-- The LLM judge (`lookalike audit --judge llm`), run after scrape.sql: the endpoint reads every
-- candidate the structural judge did not call the same picture (16 pairs a request, every
-- answer cached), and its verdict decides: failures are the pairs it calls different
-- (flagged_by 'llm'), uncertain the pairs it cannot tell. Pairs the structural judge reads as
-- the same picture are not asked about.
--
--   lookalike --llm URL --llm-model NAME -t corpus=… -f sql/scrape.sql -f sql/judge_llm.sql

CREATE OR REPLACE TABLE llm_verdicts AS
SELECT id_a, id_b, llm_judge(text_a, text_b) AS llm_verdict
FROM candidates
WHERE verdict <> 'same';

CREATE OR REPLACE TABLE scraped AS SELECT * FROM candidates;

CREATE OR REPLACE TABLE candidates AS
SELECT s.id_a, s.text_a, s.id_b, s.text_b, s.target_sim, s.reference_sim, s.gap, s.kind,
       coalesce(v.llm_verdict, s.verdict) = 'changes_meaning' AS changes_meaning,
       coalesce(v.llm_verdict, s.verdict) AS verdict,
       CASE WHEN v.llm_verdict = 'changes_meaning' THEN 'llm' END AS flagged_by
FROM scraped s LEFT JOIN llm_verdicts v ON v.id_a = s.id_a AND v.id_b = s.id_b;

CREATE OR REPLACE TABLE failures AS
SELECT * FROM candidates WHERE flagged_by IS NOT NULL;

CREATE OR REPLACE TABLE uncertain AS
SELECT * FROM candidates WHERE flagged_by IS NULL AND verdict = 'uncertain';

SELECT verdict, count(*) AS pairs FROM candidates GROUP BY verdict ORDER BY verdict;
