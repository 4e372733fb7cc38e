//! One documentation record per SQL function lookalike adds.
//!
//! DataFusion shows these through `information_schema` and `SHOW FUNCTIONS`; the CLI's `\h`
//! prints them, and a test runs every example. Table functions have no documentation hook in
//! DataFusion, so their records live here too, in [`all`].

use std::sync::LazyLock;

use datafusion::logical_expr::{DocSection, Documentation};

const SECTION: DocSection = DocSection { include: true, label: "lookalike", description: Some("Encoder audit functions") };

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
            "The offline structural judge: a word-level diff of two texts that names the kind of edit (negation, quantifier, spatial, role_swap, attribute, subject, action, tense, presence, object, synonym, other, identical), explains it with the differing words, and says whether it changes what a picture of the text would show. Lexicons live in data/lexicon. NULL when either text is NULL.",
            "failure_kind(text_a, text_b)",
        )
        .with_sql_example("SELECT failure_kind('a dog chasing a cat', 'a cat chasing a dog')['kind'] AS kind;")
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
            "Erroneous-agreement search (MultiMon's scrape step): every unordered pair of distinct texts of the source whose target cosine is above the threshold, judged by the reference encoder (target − reference > gap) and by the structural judge (failure_kind). Output: id_a, text_a, id_b, text_b, target_sim, reference_sim, gap, kind, changes_meaning, flagged_by, ordered by target_sim descending then ids. Texts equal after normalising case, spacing and punctuation, repeats and excluded phrases are counted in a note, not returned. Options: threshold, quantile, gap, ceiling, exclude, mode (failures|candidates), judge (reference|structural|either), method (auto|exact|hnsw), k, quantization, limit, id.",
            "lookalike_pairs(source, text_column, target_model, reference_model [, 'key=value, …'])",
        )
        .with_sql_example("SELECT text_a, text_b, target_sim, kind FROM lookalike_pairs('data/captions.txt', 'text', 'minilm', 'mpnet', 'judge=either, limit=5');")
        .with_argument("source", "A registered table's name, or a file path.")
        .with_argument("text_column", "The column holding the texts.")
        .with_argument("target_model", "The encoder audited (e.g. a CLIP text tower).")
        .with_argument("reference_model", "The reference encoder, or NULL to judge structurally only.")
        .with_argument("options", "Optional 'key=value, …' string; see the README.")
        .build()
    });
    &DOC
}

/// Every function's name and record, sorted by name.
pub fn all() -> Vec<(&'static str, &'static Documentation)> {
    vec![("cosine_sim", cosine_sim()), ("embed", embed()), ("failure_kind", failure_kind()), ("lookalike_pairs", lookalike_pairs())]
}
