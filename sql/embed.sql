-- Embeddings as columns: embed() gives a FixedSizeList<Float32> per text, cached on disk, so
-- the same texts are never encoded twice.
--
--   lookalike -t corpus=data/captions.txt -f sql/embed.sql
--
-- Keep the vectors with the texts as Parquet, for BI tools or later queries.
COPY (SELECT line, text, embed('minilm', text) AS minilm FROM corpus)
TO 'out/embeddings.parquet';

-- The pairs of the MultiMon paper's table, under the target and the reference encoder.
SELECT a, b,
       round(cosine_sim(embed('minilm', a), embed('minilm', b)), 3) AS minilm,
       round(cosine_sim(embed('mpnet', a), embed('mpnet', b)), 3)   AS mpnet
FROM (VALUES
  ('the cake was eaten by the child', 'the child was eaten by the cake'),
  ('two dogs on the left of a red car', 'two dogs on the right of a red car'),
  ('a red cube on top of a blue sphere', 'a blue cube on top of a red sphere'),
  ('a dog chasing a cat', 'a cat chasing a dog'),
  ('a horse standing in front of a barn', 'a horse standing behind a barn'),
  ('a man with a hat', 'a man without a hat')
) AS t(a, b);
