-- A person's reviews (`lookalike audit --reviews FILE`, default reviews.csv in --out: the file the
-- report's "Save labels" writes, columns model, text_a, text_b, label), run after the judges.
-- Every candidate a person labelled carries the label in `review`; pairs labelled false alarms
-- leave the failures but stay among the candidates, so the report shows them with their label
-- and counts precision per category. A pair labelled both ways counts as a real failure.
--
--   lookalike -t reviews=reviews.csv -D target=minilm -f sql/scrape.sql -f sql/reviews.sql

CREATE OR REPLACE TABLE reviewed AS
SELECT least(text_a, text_b) AS lo, greatest(text_a, text_b) AS hi, max(label) AS review
FROM reviews
WHERE model = @target
GROUP BY least(text_a, text_b), greatest(text_a, text_b);

CREATE OR REPLACE TABLE failures AS
SELECT f.* FROM failures f
LEFT ANTI JOIN (SELECT lo, hi FROM reviewed WHERE review = 'false_alarm') r
  ON least(f.text_a, f.text_b) = r.lo AND greatest(f.text_a, f.text_b) = r.hi;

CREATE OR REPLACE TABLE candidates AS
SELECT c.*, r.review FROM candidates c
LEFT JOIN reviewed r ON least(c.text_a, c.text_b) = r.lo AND greatest(c.text_a, c.text_b) = r.hi;

SELECT coalesce(review, 'not reviewed') AS review, count(*) AS candidates
FROM candidates GROUP BY 1 ORDER BY 1;
