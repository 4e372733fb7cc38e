//! `llm_categorize(source [, options])`: MultiMon's categorize step over the pairs of a table
//! or query. The client sends MultiMon's two-turn prompt byte for byte, batches pairs that do
//! not fit one context and merges categories that mean the same; this turns the answer into
//! rows (category, description, the example pairs it cites).

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, ListBuilder, RecordBatch, StringArray, StringBuilder, StructBuilder, UInt32Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{plan_err, Result};
use lookalike_llm::Category;

use super::{exec_error, run, LlmService};
use crate::computed::{one_batch, option_text, whole, Batches, CallArgs, Compute, Computed};

const NAME: &str = "llm_categorize";
const USAGE: &str =
    "llm_categorize(source [, a => 'text_a', b => 'text_b', format => 'text'|'json', limit => N])";

/// The rows `llm_categorize` returns.
pub fn categories_schema() -> SchemaRef {
    let pair = Fields::from(vec![
        Field::new("text_a", DataType::Utf8, false),
        Field::new("text_b", DataType::Utf8, false),
    ]);
    Arc::new(Schema::new(vec![
        Field::new("rank", DataType::UInt32, false),
        Field::new("category", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, false),
        Field::new(
            "examples",
            DataType::List(Arc::new(Field::new("item", DataType::Struct(pair), true))),
            false,
        ),
    ]))
}

/// The table function.
#[derive(Debug)]
pub struct LlmCategorizeFunc {
    service: Arc<LlmService>,
}

impl LlmCategorizeFunc {
    /// Over the session's LLM.
    pub fn new(service: Arc<LlmService>) -> Self {
        LlmCategorizeFunc { service }
    }
}

impl TableFunctionImpl for LlmCategorizeFunc {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let call = CallArgs::evaluate(USAGE, &args, (1, 1), &["a", "b", "format", "limit"])?;
        let source = call.required_string(0, "source (a table, file or query)")?;
        let mut job = Categorize {
            source,
            a: "text_a".into(),
            b: "text_b".into(),
            json: false,
            limit: None,
            service: self.service.clone(),
        };
        for (key, raw) in call.options() {
            let value = option_text(raw);
            match key.as_str() {
                "a" => job.a = value,
                "b" => job.b = value,
                "format" => match value.to_ascii_lowercase().as_str() {
                    "text" => job.json = false,
                    "json" => job.json = true,
                    _ => {
                        return plan_err!(
                            "{NAME}: format => '{value}' is not text (MultiMon's prompt) or json"
                        )
                    }
                },
                _ => job.limit = Some(whole(NAME, key, raw, 1, usize::MAX)?),
            }
        }
        crate::source::check(args.session(), NAME, &job.source)?;
        self.service.client(NAME)?;
        Ok(Arc::new(Computed::new(job)))
    }
}

#[derive(Debug)]
struct Categorize {
    source: String,
    a: String,
    b: String,
    json: bool,
    limit: Option<usize>,
    service: Arc<LlmService>,
}

#[async_trait::async_trait]
impl Compute for Categorize {
    fn schema(&self) -> SchemaRef {
        categories_schema()
    }

    async fn compute(&self, session: &dyn Session) -> Result<Batches> {
        let rows =
            crate::source::text_rows(session, NAME, &self.source, &[&self.a, &self.b]).await?;
        // Pairs with a NULL side say nothing; repeated pairs would only cost tokens.
        let mut seen = std::collections::HashSet::new();
        let mut pairs: Vec<(String, String)> = rows
            .into_iter()
            .filter_map(|r| match (&r[0], &r[1]) {
                (Some(a), Some(b)) => Some((a.clone(), b.clone())),
                _ => None,
            })
            .filter(|p| seen.insert(p.clone()))
            .collect();
        if let Some(limit) = self.limit {
            pairs.truncate(limit);
        }
        if pairs.is_empty() {
            self.service.notes.push(format!(
                "{NAME}: the source has no pairs, so no request was sent"
            ));
            return categories_batch(&[]).map(one_batch);
        }
        let client = self.service.client(NAME)?;
        let json = self.json;
        let categories = run(async move {
            match json {
                true => client.categorize_json(&pairs).await,
                false => client.categorize(&pairs).await,
            }
        })
        .await?;
        self.service.note(NAME);
        categories_batch(&categories.map_err(|e| exec_error(NAME, e))?).map(one_batch)
    }
}

fn categories_batch(categories: &[Category]) -> Result<RecordBatch> {
    let pair = Fields::from(vec![
        Field::new("text_a", DataType::Utf8, false),
        Field::new("text_b", DataType::Utf8, false),
    ]);
    let mut examples = ListBuilder::new(StructBuilder::from_fields(pair.clone(), 0))
        .with_field(Arc::new(Field::new("item", DataType::Struct(pair), true)));
    for category in categories {
        let items = examples.values();
        for (a, b) in &category.examples {
            items
                .field_builder::<StringBuilder>(0)
                .unwrap()
                .append_value(a);
            items
                .field_builder::<StringBuilder>(1)
                .unwrap()
                .append_value(b);
            items.append(true);
        }
        examples.append(true);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(1..=categories.len() as u32)),
        Arc::new(StringArray::from_iter_values(
            categories.iter().map(|c| c.name.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            categories.iter().map(|c| c.description.as_str()),
        )),
        Arc::new(examples.finish()),
    ];
    Ok(RecordBatch::try_new(categories_schema(), columns)?)
}
