//! One documentation record per SQL function lookalike adds.
//!
//! DataFusion shows these through `information_schema` and `SHOW FUNCTIONS`; the CLI's `\h`
//! prints them, and a test runs every example. Table functions have no documentation hook in
//! DataFusion, so their records live here too, in [`all`].

use std::sync::LazyLock;

use datafusion::logical_expr::{DocSection, Documentation};

const SECTION: DocSection = DocSection {
    include: true,
    label: "lookalike",
    description: Some("Encoder audit functions"),
};

/// `embed`'s record.
pub fn embed() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "The text's embedding under a model from the models directory: mean, CLS or EOS pooling as the model's manifest says, L2-normalised. NULL gives NULL; the empty string is a valid text; text longer than the model's context is truncated. Vectors are cached on disk by model identity and text, so repeating a query computes nothing.",
            "embed(model, text)",
        )
        .with_sql_example("SELECT cosine_sim(embed('minilm', 'a dog chasing a cat'), embed('minilm', 'a cat chasing a dog')) AS sim;")
        .with_argument("model", "Constant string: a model name under the models directory (see `lookalike model list`).")
        .with_argument("text", "String expression to embed.")
        .with_related_udf("cosine_sim")
        .build()
    });
    &DOC
}

/// `cosine_sim`'s record.
pub fn cosine_sim() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "Cosine similarity of two vectors of the same dimension; NULL when either is NULL or all zeros.",
            "cosine_sim(a, b)",
        )
        .with_sql_example("SELECT cosine_sim([1.0, 0.0], [1.0, 1.0]) AS sim;")
        .with_argument("a", "A list of floats, such as embed's result.")
        .with_argument("b", "A list of floats of the same length.")
        .with_related_udf("embed")
        .build()
    });
    &DOC
}

/// `failure_kind`'s record.
pub fn failure_kind() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "The offline structural judge, precision first: aligns two texts (moved phrases and voice tolerated), reads replaced and added words through WordNet and the lexicons of data/lexicon, and returns a struct: kind (negation, quantifier, spatial, role_swap, attribute, subject, action, presence, object, synonym, other, identical), changes_meaning (true only for a confident change), explanation (the evidence), words_a, words_b (the unaligned words) and verdict: changes_meaning, same, or uncertain when no rule vouches either way. NULL when either text is NULL.",
            "failure_kind(text_a, text_b)",
        )
        .with_sql_example("SELECT failure_kind('a dog chasing a cat', 'a cat chasing a dog')['kind'] AS kind, failure_kind('a kid on a sofa', 'a child on a couch')['verdict'] AS verdict;")
        .with_argument("text_a", "String expression.")
        .with_argument("text_b", "String expression.")
        .build()
    });
    &DOC
}

/// `lookalike_pairs`'s record (table functions have no documentation hook in DataFusion).
pub fn lookalike_pairs() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "Erroneous-agreement search (MultiMon's scrape step): every unordered pair of distinct texts of the source whose target cosine is above the threshold, judged by the reference encoder (target − reference > gap) and by the structural judge (failure_kind). A pair the structural judge reads as the same picture is never a failure. Output: id_a, text_a, id_b, text_b, target_sim, reference_sim, gap, kind, changes_meaning, verdict, flagged_by, ordered by target_sim descending then ids. Texts equal after normalising case, spacing and punctuation, repeats and excluded phrases are counted in a note, not returned. Options: threshold, quantile, gap, ceiling, exclude, mode (failures|candidates), judge (either (default, as the audit)|reference|structural), method (auto|exact|ivf|hnsw), probes and cells (IVF), k and quantization (HNSW), threads (1: reproducible HNSW), limit, id.",
            "lookalike_pairs(source, text_column, target_model [, reference_model] [, name => value, …])",
        )
        .with_sql_example("SELECT text_a, text_b, target_sim, kind FROM lookalike_pairs('data/captions.txt', 'text', 'minilm', 'mpnet', judge => 'either', limit => 5);")
        .with_argument("source", "A registered table's name, a file path, or a query ('SELECT …').")
        .with_argument("text_column", "The column holding the texts.")
        .with_argument("target_model", "The encoder audited (e.g. a CLIP text tower).")
        .with_argument("reference_model", "The reference encoder, or NULL to judge structurally only.")
        .with_argument("name => value", "Named options, typed: threshold => 0.95, mode => 'candidates', exclude => ['no dog'] …; see the README.")
        .build()
    });
    &DOC
}

/// `offline_generate`'s record.
pub fn offline_generate() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "The generate step with no LLM: edits corpus sentences the way each failure kind calls for (negate, flip a spatial preposition, swap roles or attributes, change a number, the subject, the verb, the tense, add or remove an object, substitute an object) and keeps an edit only when failure_kind confirms its kind and that it changes meaning. Output: category, text_a (the corpus sentence), text_b (the edit); deterministic for a corpus and seed. Options: per_kind (20), seed (0), kinds (all ten; a list such as ['negation', 'spatial']).",
            "offline_generate(source, text_column [, per_kind => 20, seed => 0, kinds => ['negation', …]])",
        )
        .with_sql_example("SELECT category, text_a, text_b FROM offline_generate('SELECT ''two dogs on the left of a red car'' AS text', 'text', per_kind => 1, kinds => ['spatial', 'quantifier']);")
        .with_argument("source", "A registered table's name, a file path, or a query ('SELECT …').")
        .with_argument("text_column", "The column holding the sentences to edit.")
        .with_argument("name => value", "Named options (see the syntax above).")
        .with_related_udf("llm_generate")
        .build()
    });
    &DOC
}

/// `llm_summarize`'s record.
pub fn llm_summarize() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "Aggregate: one or two sentences from the configured LLM on what the group's texts have in common. NULL and empty texts are skipped; a group with none is NULL without a request. A group too large for the model's context is summarized from the texts that fit, and the summary says how many it covers. All groups of a query are asked concurrently; answers are kept in the response cache, so rerunning costs nothing.",
            "llm_summarize(text)",
        )
        .with_sql_example("SELECT kind, llm_summarize(text_a || ' / ' || text_b) AS summary FROM failures GROUP BY kind;")
        .with_argument("text", "String expression.")
        .build()
    });
    &DOC
}

/// `llm_relevant`'s record.
pub fn llm_relevant() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "MultiMon's steering filter: asks the configured LLM whether a pair of texts is relevant to a domain (yes/no prompt). True or false from the answer (\"Yes.\", \"no, because…\"); NULL when the answer says neither or an argument is NULL. Use it in WHERE to steer a scrape or a generation towards a domain.",
            "llm_relevant(text_a, text_b, domain)",
        )
        .with_sql_example("SELECT text_a, text_b FROM failures WHERE llm_relevant(text_a, text_b, 'self-driving');")
        .with_argument("text_a", "String expression.")
        .with_argument("text_b", "String expression.")
        .with_argument("domain", "The domain, e.g. 'self-driving'.")
        .build()
    });
    &DOC
}

/// `llm_categorize`'s record.
pub fn llm_categorize() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "MultiMon's categorize step: sends the source's pairs (columns text_a, text_b, one text_a<TAB>text_b line each) with MultiMon's two-turn prompt, byte for byte, and returns the systematic failures the LLM names: rank, category, description, examples (the pairs it cites, as a list of {text_a, text_b}). Pairs that do not fit one context are sent in batches and categories with the same meaning merged. Options: a, b (column names), format (text = MultiMon's prompt, json = a structured answer), limit (most pairs sent).",
            "llm_categorize(source [, a => 'text_a', b => 'text_b', format => 'text'|'json', limit => N])",
        )
        .with_sql_example("SELECT category, description FROM llm_categorize('SELECT text_a, text_b FROM failures');")
        .with_argument("source", "A registered table's name, a file path, or a query ('SELECT …').")
        .with_argument("name => value", "Named options (see the syntax above).")
        .with_related_udf("llm_generate")
        .build()
    });
    &DOC
}

/// `llm_generate`'s record.
pub fn llm_generate() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "MultiMon's generate step: for each category of the source (column category, and description when present) asks the LLM for new pairs with MultiMon's prompt, 41 per request, asking again (listing the pairs it has) until n distinct pairs. Parsing tolerates numbering, curly quotes, missing commas, code fences and prose. With domain=…, the prompt is steered and only pairs llm_relevant confirms are kept. Output: category, text_a, text_b. A category whose answer holds no pair is skipped with a note; it is an error only when all are.",
            "llm_generate(source [, n => 41, domain => '…', category => 'category', description => 'description'])",
        )
        .with_sql_example("SELECT category, text_a, text_b FROM llm_generate('SELECT ''Negation'' AS category, ''the encoder ignores not'' AS description', n => 5);")
        .with_argument("source", "A table, file or query with a category column (and optionally description).")
        .with_argument("name => value", "Named options (see the syntax above).")
        .with_related_udf("offline_generate")
        .build()
    });
    &DOC
}

/// `llm_judge`'s record.
pub fn llm_judge() -> &'static Documentation {
    static DOC: LazyLock<Documentation> = LazyLock::new(|| {
        Documentation::builder(
            SECTION,
            "The LLM judge: asks the configured LLM whether one picture could fit both captions (16 pairs a request, every answer cached). Returns changes_meaning, same or uncertain, as failure_kind's verdict; uncertain also when the answer has no readable line for the pair; NULL when an argument is NULL. The audit uses it with --judge llm.",
            "llm_judge(text_a, text_b)",
        )
        .with_sql_example("SELECT text_a, text_b, llm_judge(text_a, text_b) AS verdict FROM failures;")
        .with_argument("text_a", "String expression.")
        .with_argument("text_b", "String expression.")
        .build()
    });
    &DOC
}

/// Every function's name and record, sorted by name.
pub fn all() -> Vec<(&'static str, &'static Documentation)> {
    vec![
        ("cosine_sim", cosine_sim()),
        ("embed", embed()),
        ("failure_kind", failure_kind()),
        ("llm_categorize", llm_categorize()),
        ("llm_generate", llm_generate()),
        ("llm_judge", llm_judge()),
        ("llm_relevant", llm_relevant()),
        ("llm_summarize", llm_summarize()),
        ("lookalike_pairs", lookalike_pairs()),
        ("offline_generate", offline_generate()),
    ]
}
