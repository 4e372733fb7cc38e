-- Verify (MultiMon has no code for this): embed every generated pair with the target model.
-- A generated pair reproduces the failure when the target still finds it alike (cosine above
-- the threshold) *and* the judge confirms that its two texts differ in meaning (the verdict
-- judge_generated.sql or judge_generated_llm.sql wrote): a paraphrase the target agrees on is
-- no failure. Both rates are kept per category.
--
--   lookalike … -f sql/generate_offline.sql -f sql/judge_generated.sql -f sql/verify.sql -D target=minilm

CREATE OR REPLACE TABLE verified AS
SELECT category, text_a, text_b, target_sim,
       target_sim > @threshold AS agreed,
       verdict
FROM (SELECT category, text_a, text_b, verdict,
             cosine_sim(embed(@target, text_a), embed(@target, text_b)) AS target_sim
      FROM generated_verdicts)
ORDER BY category, text_a, text_b;

CREATE OR REPLACE TABLE verification AS
SELECT c.category,
       count(v.target_sim) AS generated,
       CAST(coalesce(sum(CASE WHEN v.agreed THEN 1 ELSE 0 END), 0) AS BIGINT) AS agreed,
       CAST(coalesce(sum(CASE WHEN v.verdict = 'changes_meaning' THEN 1 ELSE 0 END), 0) AS BIGINT) AS confirmed,
       CAST(coalesce(sum(CASE WHEN v.agreed AND v.verdict = 'changes_meaning' THEN 1 ELSE 0 END), 0) AS BIGINT) AS reproduced,
       CASE WHEN count(v.target_sim) = 0 THEN NULL
            ELSE sum(CASE WHEN v.agreed THEN 1.0 ELSE 0.0 END) / count(v.target_sim)
       END AS agreement_rate,
       CASE WHEN count(v.target_sim) = 0 THEN NULL
            ELSE sum(CASE WHEN v.agreed AND v.verdict = 'changes_meaning' THEN 1.0 ELSE 0.0 END) / count(v.target_sim)
       END AS success_rate,
       avg(v.target_sim) AS mean_target_sim
FROM categories c LEFT JOIN verified v ON v.category = c.category
GROUP BY c.category
ORDER BY success_rate DESC NULLS LAST, c.category;

SELECT category, generated, agreed, confirmed, reproduced, round(success_rate, 3) AS success_rate FROM verification;
