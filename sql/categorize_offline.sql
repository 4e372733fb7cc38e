-- Step 2 offline: the structural judge's kind of edit is the failure category, so every
-- failure belongs to exactly one. Descriptions are ours; edit them as you like.
--
--   lookalike -t corpus=… -f sql/scrape.sql -f sql/categorize_offline.sql

CREATE OR REPLACE TABLE kinds (category VARCHAR, description VARCHAR) AS VALUES
  ('negation',   'A negation ("not", "no", "without") is added or dropped.'),
  ('quantifier', 'A number or quantifier changes (one/two, some/all, a/many).'),
  ('spatial',    'A spatial relation flips (left/right, on/under, in front of/behind).'),
  ('role_swap',  'The same words in another order: who does what to whom changes.'),
  ('attribute',  'An attribute changes or moves (colour, size, material, state).'),
  ('subject',    'The subject is another person (gender, age, role).'),
  ('action',     'The action or verb changes.'),
  ('tense',      'The tense changes: the picture shows another moment.'),
  ('presence',   'An object is present in one text and absent from the other.'),
  ('object',     'One object is substituted for another.'),
  ('synonym',    'Near-synonyms: the picture stays the same.'),
  ('other',      'An edit the structural judge cannot name.');

CREATE OR REPLACE TABLE categories AS
SELECT f.kind AS category,
       coalesce(k.description, f.kind) AS description,
       count(*) AS pairs,
       array_slice(array_agg(named_struct('text_a', f.text_a, 'text_b', f.text_b)
                             ORDER BY f.target_sim DESC, f.id_a, f.id_b), 1, 3) AS examples
FROM failures f LEFT JOIN kinds k ON k.category = f.kind
GROUP BY f.kind, k.description
ORDER BY pairs DESC, category;

SELECT category, pairs, description FROM categories;
