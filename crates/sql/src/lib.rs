//! The lookalike SQL session: DataFusion with the encoder, pair-search, taxonomy and LLM
//! functions and file tables. This crate only wires the domain crates into SQL: the embedding
//! cache lives in lookalike-encode, the scrape in lookalike-scrape.
//!
//! ```no_run
//! # async fn demo() -> datafusion::error::Result<()> {
//! use lookalike_sql::{Lookalike, LookalikeConfig};
//! let session = Lookalike::new(LookalikeConfig::default());
//! let df = session.ctx().sql("SELECT embed('minilm', 'a dog') AS v").await?;
//! df.show().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod computed;
mod copy;
pub mod docs;
pub mod error;
pub mod llm;
pub mod named;
pub mod notes;
pub mod offline;
pub mod pairs;
pub mod source;
pub mod tables;
pub mod udf;
pub mod variables;

use std::path::PathBuf;
use std::sync::Arc;

use datafusion::logical_expr::var_provider::VarType;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::{SessionConfig, SessionContext};
use lookalike_encode::{EncoderOptions, Models};

pub use copy::check_copy;
pub use lookalike_encode::{EmbedStats, EncoderRegistry};
pub use tables::{default_table_name, register_file};

/// How to build a session.
#[derive(Debug, Clone, Default)]
pub struct LookalikeConfig {
    /// Models directory (default: [`lookalike_home::models_dir`]).
    pub models_dir: Option<PathBuf>,
    /// Embedding and LLM cache directory (default: [`lookalike_home::cache_home`]).
    pub cache_dir: Option<PathBuf>,
    /// Compute every embedding afresh and write nothing to the cache.
    pub no_cache: bool,
    /// Threads and batching for the encoders.
    pub encoder: EncoderOptions,
    /// The LLM endpoint, beyond what the environment says (made on first use).
    pub llm: llm::LlmSession,
}

/// A DataFusion session with every lookalike function registered.
pub struct Lookalike {
    ctx: SessionContext,
    registry: Arc<EncoderRegistry>,
    notes: Arc<notes::Notes>,
    llm: Arc<llm::LlmService>,
    variables: Arc<variables::Variables>,
}

impl Lookalike {
    /// Builds the session.
    pub fn new(config: LookalikeConfig) -> Lookalike {
        let cache_root =
            (!config.no_cache).then(|| config.cache_dir.unwrap_or_else(lookalike_home::cache_home));
        let mut llm_session = config.llm;
        if llm_session.cache_dir.is_none() {
            // LLM answers live beside the embeddings: one directory to keep, or to delete.
            llm_session.cache_dir = cache_root.as_ref().map(|root| root.join("llm"));
        }
        let registry = Arc::new(EncoderRegistry::new(
            Models::new(config.models_dir),
            cache_root,
            config.encoder,
        ));
        // URL tables let a query read a file by path (`SELECT * FROM 'pairs.parquet'`), in
        // every format `-t` reads.
        // Plain Utf8 strings throughout: Parquet read back and `VARCHAR` casts would otherwise
        // become Utf8View, which every file written from them carries, and which pyarrow 14
        // and older BI readers cannot open.
        let mut session_config = SessionConfig::new().with_information_schema(true);
        let options = session_config.options_mut();
        options.execution.parquet.schema_force_view_types = false;
        options.sql_parser.map_string_types_to_utf8view = false;
        let ctx = SessionContext::new_with_config(session_config);
        let files = Arc::new(tables::FileTables::default());
        let catalogs = Arc::new(datafusion::catalog::DynamicFileCatalog::new(
            Arc::clone(ctx.state().catalog_list()),
            files.clone(),
        ));
        let ctx: SessionContext = ctx
            .into_state_builder()
            .with_catalog_list(catalogs)
            .with_physical_optimizer_rule(Arc::new(llm::AsyncLlmCalls))
            .build()
            .into();
        files
            .listing()
            .session_store()
            .with_state(ctx.state_weak_ref());
        let variables = Arc::new(variables::Variables::default());
        ctx.register_variable(VarType::UserDefined, variables.clone());
        ctx.register_relation_planner(Arc::new(named::NamedArguments))
            .expect("registering a relation planner on a new session cannot fail");
        ctx.register_udf(ScalarUDF::from(udf::embed::EmbedFunc::new(
            registry.clone(),
        )));
        ctx.register_udf(ScalarUDF::from(udf::cosine::CosineSimFunc::default()));
        ctx.register_udf(ScalarUDF::from(
            udf::failure_kind::FailureKindFunc::default(),
        ));
        let notes = Arc::new(notes::Notes::default());
        ctx.register_udtf(
            "lookalike_pairs",
            Arc::new(pairs::LookalikePairsFunc::new(
                registry.clone(),
                notes.clone(),
            )),
        );
        ctx.register_udtf("offline_generate", Arc::new(offline::OfflineGenerateFunc));
        let service = Arc::new(llm::LlmService::new(llm_session, notes.clone()));
        ctx.register_udaf(AggregateUDF::from(llm::LlmSummarizeFunc::new(
            service.clone(),
        )));
        ctx.register_udf(ScalarUDF::from(llm::LlmRelevantFunc::new(service.clone())));
        ctx.register_udf(ScalarUDF::from(llm::LlmJudgeFunc::new(service.clone())));
        ctx.register_udtf(
            "llm_categorize",
            Arc::new(llm::LlmCategorizeFunc::new(service.clone())),
        );
        ctx.register_udtf(
            "llm_generate",
            Arc::new(llm::LlmGenerateFunc::new(service.clone())),
        );
        Lookalike {
            ctx,
            registry,
            notes,
            llm: service,
            variables,
        }
    }

    /// The DataFusion context.
    pub fn ctx(&self) -> &SessionContext {
        &self.ctx
    }

    /// Notes left by queries since the last call (what was dropped, and why).
    pub fn take_notes(&self) -> Vec<String> {
        self.notes.take()
    }

    /// The LLM behind the llm_* functions.
    pub fn llm(&self) -> &Arc<llm::LlmService> {
        &self.llm
    }

    /// The session's `@variables`.
    pub fn variables(&self) -> &variables::Variables {
        &self.variables
    }

    /// The encoders in use.
    pub fn registry(&self) -> &Arc<EncoderRegistry> {
        &self.registry
    }

    /// Reports long work to `progress` as `(what, done, total)`: texts embedded, pairs searched
    /// and judged, LLM requests answered (None: stop reporting).
    pub fn set_progress(&self, progress: Option<lookalike_encode::EmbedProgress>) {
        self.registry.set_progress(progress.clone());
        self.llm.set_progress(progress);
    }
}
