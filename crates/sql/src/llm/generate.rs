//! `llm_generate(source [, options])`: MultiMon's generate step for every category of a table
//! or query (columns `category` and, if present, `description`), optionally steered towards a
//! domain. Categories are asked concurrently and their rows stream out in source order as the
//! answers come; a category whose answer holds no pair yields no rows and a note, and only when
//! every category fails is it an error.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{exec_err, DataFusionError, Result};
use futures::StreamExt;
use lookalike_llm::{Category, LlmError};

use super::{exec_error, spawn, LlmService};
use crate::computed::{one_batch, option_text, whole, Batches, CallArgs, Compute, Computed};

const NAME: &str = "llm_generate";
const USAGE: &str =
    "llm_generate(source [, n => 41, domain => '…', category => 'category', description => 'description'])";

/// The rows `llm_generate` and `offline_generate` return: a pair written to show a category.
pub fn generated_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("category", DataType::Utf8, false),
        Field::new("text_a", DataType::Utf8, false),
        Field::new("text_b", DataType::Utf8, false),
    ]))
}

/// Rows of [`generated_schema`].
pub fn generated_batch(rows: &[(String, String, String)]) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.0.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.1.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.2.as_str()),
        )),
    ];
    Ok(RecordBatch::try_new(generated_schema(), columns)?)
}

/// The table function.
#[derive(Debug)]
pub struct LlmGenerateFunc {
    service: Arc<LlmService>,
}

impl LlmGenerateFunc {
    /// Over the session's LLM.
    pub fn new(service: Arc<LlmService>) -> Self {
        LlmGenerateFunc { service }
    }
}

impl TableFunctionImpl for LlmGenerateFunc {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let call = CallArgs::evaluate(
            USAGE,
            &args,
            (1, 1),
            &["n", "domain", "category", "description"],
        )?;
        let source = call.required_string(0, "source (a table, file or query of categories)")?;
        let mut job = Generate {
            source,
            n: 41,
            domain: None,
            category: "category".into(),
            description: "description".into(),
            service: self.service.clone(),
        };
        for (key, raw) in call.options() {
            let value = option_text(raw);
            match key.as_str() {
                "n" => job.n = whole(NAME, key, raw, 1, 100_000)?,
                "domain" => {
                    job.domain = (!raw.is_null()).then_some(value).filter(|d| !d.is_empty())
                }
                "category" => job.category = value,
                _ => job.description = value,
            }
        }
        crate::source::check(args.session(), NAME, &job.source)?;
        self.service.client(NAME)?;
        Ok(Arc::new(Computed::new(job)))
    }
}

#[derive(Debug)]
struct Generate {
    source: String,
    n: usize,
    domain: Option<String>,
    category: String,
    description: String,
    service: Arc<LlmService>,
}

impl Generate {
    /// The categories to generate for, in source order, each once.
    async fn categories(&self, session: &dyn Session) -> Result<Vec<Category>> {
        let df = crate::source::frame(session, NAME, &self.source).await?;
        let has_description = df
            .schema()
            .fields()
            .iter()
            .any(|f| f.name() == &self.description);
        let columns: Vec<&str> = match has_description {
            true => vec![&self.category, &self.description],
            false => vec![&self.category],
        };
        let rows = crate::source::frame_text_rows(df, NAME, &columns).await?;
        let mut seen = std::collections::HashSet::new();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let name = r[0].clone()?.trim().to_string();
                let description = r.get(1).cloned().flatten().unwrap_or_default();
                (!name.is_empty() && seen.insert(name.clone()))
                    .then(|| Category::new(name, description.trim()))
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl Compute for Generate {
    fn schema(&self) -> SchemaRef {
        generated_schema()
    }

    /// Asks for every category at once and yields each category's pairs, in source order, as
    /// soon as its answer and those before it are in: a consumer sees the first rows of a long
    /// step early, and a `LIMIT` stops waiting without cancelling answers already paid for (a
    /// driver on the LLM runtime runs every request to its end, into the cache).
    async fn compute(&self, session: &dyn Session) -> Result<Batches> {
        let categories = self.categories(session).await?;
        if categories.is_empty() {
            self.service.notes.push(format!(
                "{NAME}: the source has no categories, so no request was sent"
            ));
            return generated_batch(&[]).map(one_batch);
        }
        let client = self.service.client(NAME)?;
        let (n, domain) = (self.n, self.domain.clone());
        let asked = categories.clone();
        // Room for every answer, so the driver never waits on a slow or gone consumer.
        let (sender, receiver) = tokio::sync::mpsc::channel(categories.len());
        spawn(async move {
            let what = format!("asking the LLM for new pairs of {} categories", asked.len());
            let jobs = asked.iter().map(|category| {
                let (client, domain) = (client.clone(), domain.clone());
                async move {
                    match domain {
                        Some(domain) => client.generate_for_domain(category, n, &domain).await,
                        None => client.generate(category, n).await,
                    }
                }
            });
            let mut answers = std::pin::pin!(client.settling(&what, jobs));
            while let Some(answer) = answers.next().await {
                let _ = sender.send(answer).await;
            }
        });
        let answers = Answers {
            receiver,
            categories: categories.into_iter(),
            rows: 0,
            skipped: Vec::new(),
            service: self.service.clone(),
        };
        Ok(futures::stream::unfold(Some(answers), Answers::next_batch).boxed())
    }
}

/// The answers of a generation step, read in category order.
struct Answers {
    receiver: tokio::sync::mpsc::Receiver<lookalike_llm::Result<Vec<(String, String)>>>,
    categories: std::vec::IntoIter<Category>,
    /// Rows yielded so far.
    rows: usize,
    /// Why categories gave no pairs.
    skipped: Vec<String>,
    service: Arc<LlmService>,
}

impl Answers {
    /// The next category's rows, skipping categories without pairs; at the end, the error
    /// when every category failed, else a note for each skipped one. `None` state: ended.
    async fn next_batch(state: Option<Self>) -> Option<(Result<RecordBatch>, Option<Self>)> {
        let mut answers = state?;
        loop {
            let Some(answer) = answers.receiver.recv().await else {
                return answers.finish().map(|error| (Err(error), None));
            };
            let Some(category) = answers.categories.next() else {
                return Some((exec_err!("{NAME}: more answers than categories"), None));
            };
            match answer {
                Ok(pairs) if pairs.is_empty() => continue,
                Ok(pairs) => {
                    answers.rows += pairs.len();
                    let rows: Vec<_> = pairs
                        .into_iter()
                        .map(|(a, b)| (category.name.clone(), a, b))
                        .collect();
                    return Some((generated_batch(&rows), Some(answers)));
                }
                // One category's bad answer must not throw away the others'.
                Err(e @ LlmError::NoPairs { .. }) => answers.skipped.push(e.to_string()),
                Err(e) => return Some((Err(exec_error(NAME, e)), None)),
            }
        }
    }

    /// After the last answer: the error to end with, if any.
    fn finish(self) -> Option<datafusion::error::DataFusionError> {
        self.service.note(NAME);
        if self.categories.len() > 0 {
            return Some(DataFusionError::Execution(format!(
                "{NAME}: the LLM task ended before answering for {} categories",
                self.categories.len()
            )));
        }
        if self.rows == 0 && !self.skipped.is_empty() {
            return Some(DataFusionError::Execution(format!(
                "{NAME}: {}",
                self.skipped.join("; ")
            )));
        }
        for message in self.skipped {
            self.service
                .notes
                .push(format!("{NAME}: skipped a category: {message}"));
        }
        None
    }
}
