//! `offline_generate(source, text_column [, options])`: the generate step with no LLM. Corpus
//! sentences are edited the way each failure kind calls for (negate, flip a preposition, swap
//! roles, change a number…), so generate → verify runs end to end offline. Same output as
//! `llm_generate`: one row per pair, the category being the kind's name.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{plan_err, Result, ScalarValue};
use lookalike_taxonomy::{FailureKind, GENERATED_KINDS};

use crate::computed::{
    one_batch, option_list, option_text, whole, Batches, CallArgs, Compute, Computed,
};
use crate::llm::{generated_batch, generated_schema};

const NAME: &str = "offline_generate";
const USAGE: &str =
    "offline_generate(source, text_column [, per_kind => 20, seed => 0, kinds => ['negation', 'spatial', …]])";

/// The table function.
#[derive(Debug, Default)]
pub struct OfflineGenerateFunc;

impl TableFunctionImpl for OfflineGenerateFunc {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let call = CallArgs::evaluate(USAGE, &args, (2, 2), &["per_kind", "seed", "kinds"])?;
        let source = call.required_string(0, "source (a table, file or query)")?;
        let column = call.required_string(1, "text_column")?;
        let mut job = OfflineGenerate {
            source,
            column,
            per_kind: 20,
            seed: 0,
            kinds: GENERATED_KINDS.to_vec(),
        };
        for (key, value) in call.options() {
            match key.as_str() {
                "per_kind" => job.per_kind = whole(NAME, key, value, 0, 1_000_000)?,
                "seed" => job.seed = whole(NAME, key, value, 0, usize::MAX)? as u64,
                _ => job.kinds = kinds(value)?,
            }
        }
        crate::source::check(args.session(), NAME, &job.source)?;
        Ok(Arc::new(Computed::new(job)))
    }
}

/// `['negation', 'spatial']` (or one name) → the kinds, each one that can be generated.
fn kinds(value: &ScalarValue) -> Result<Vec<FailureKind>> {
    let list = option_list(value).unwrap_or_else(|| vec![option_text(value)]);
    let names = || {
        GENERATED_KINDS
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = Vec::new();
    for name in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match FailureKind::from_name(name) {
            Some(kind) if GENERATED_KINDS.contains(&kind) => out.push(kind),
            Some(_) => {
                return plan_err!(
                "{NAME}: kind '{name}' does not change meaning, so no pair can show it (kinds: {})",
                names()
            )
            }
            None => return plan_err!("{NAME}: unknown kind '{name}' (kinds: {})", names()),
        }
    }
    if out.is_empty() {
        return plan_err!("{NAME}: kinds => names no kind (kinds: {})", names());
    }
    Ok(out)
}

#[derive(Debug)]
struct OfflineGenerate {
    source: String,
    column: String,
    per_kind: usize,
    seed: u64,
    kinds: Vec<FailureKind>,
}

#[async_trait::async_trait]
impl Compute for OfflineGenerate {
    fn schema(&self) -> SchemaRef {
        generated_schema()
    }

    async fn compute(&self, session: &dyn Session) -> Result<Batches> {
        let rows = crate::source::text_rows(session, NAME, &self.source, &[&self.column]).await?;
        // Sorted and distinct, so the output depends on the corpus, not on its row order.
        let mut sentences: Vec<String> = rows
            .into_iter()
            .filter_map(|mut r| r.pop().flatten())
            .collect();
        sentences.sort_unstable();
        sentences.dedup();
        let pairs = lookalike_taxonomy::generate(&sentences, &self.kinds, self.per_kind, self.seed);
        let rows: Vec<_> = pairs
            .into_iter()
            .map(|p| (p.kind.name().to_string(), p.text_a, p.text_b))
            .collect();
        generated_batch(&rows).map(one_batch)
    }
}
