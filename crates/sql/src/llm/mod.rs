//! The LLM functions: `llm_summarize` (aggregate), `llm_relevant` and `llm_judge` (scalar), `llm_categorize`
//! and `llm_generate` (table functions), all through one [`LlmService`].
//!
//! Every request runs on one process-wide runtime of its own. Table functions and the async
//! form of the row-wise functions ([`AsyncLlmCalls`]) await it there; where DataFusion calls a
//! function synchronously (an aggregate, a row-wise call outside a projection or filter), the
//! caller's thread waits for it. That keeps the
//! HTTP connection pool on one runtime, and never starts a runtime inside another.

mod calls;
mod categorize;
mod generate;
mod judge;
mod relevant;
mod summarize;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::common::Result;
use datafusion::error::DataFusionError;
use lookalike_llm::{ClientStats, LlmClient, LlmConfig, LlmError};

pub use calls::AsyncLlmCalls;
pub use categorize::{categories_schema, LlmCategorizeFunc};
pub use generate::{generated_batch, generated_schema, LlmGenerateFunc};
pub use judge::LlmJudgeFunc;
pub use relevant::LlmRelevantFunc;
pub use summarize::LlmSummarizeFunc;

use crate::notes::Notes;

/// Where the endpoint comes from, beyond the environment (`LOOKALIKE_LLM_*`) and config file.
#[derive(Debug, Clone, Default)]
pub struct LlmSession {
    /// Base URL, e.g. `http://127.0.0.1:8080/v1` (overrides the environment).
    pub base_url: Option<String>,
    /// Model name (overrides the environment).
    pub model: Option<String>,
    /// A TOML or JSON config file (overrides `LOOKALIKE_LLM_CONFIG`).
    pub config_file: Option<PathBuf>,
    /// The response cache directory, unless the environment or file names one; `None` with
    /// `--no-cache`.
    pub cache_dir: Option<PathBuf>,
}

/// The session's LLM client, made on first use so that a session without an endpoint works
/// until an LLM function is actually called.
pub struct LlmService {
    session: LlmSession,
    client: Mutex<Option<LlmClient>>,
    /// Counts at the last note, so each note says what one query did.
    noted: Mutex<ClientStats>,
    notes: Arc<Notes>,
    /// Handed to the client when it is made (see [`LlmService::set_progress`]).
    progress: Mutex<Option<lookalike_llm::Progress>>,
}

impl std::fmt::Debug for LlmService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmService")
            .field("session", &self.session)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// How to configure an endpoint from the command line, added to "not configured" errors.
const CLI_HINT: &str = "from the command line: --llm URL --llm-model NAME";

impl LlmService {
    /// A service that will read `session`, the environment and the config file when first used.
    pub fn new(session: LlmSession, notes: Arc<Notes>) -> LlmService {
        LlmService {
            session,
            client: Mutex::new(None),
            noted: Mutex::new(ClientStats::default()),
            notes,
            progress: Mutex::new(None),
        }
    }

    /// Reports how the LLM requests of each step advance to `progress` (None: stop).
    pub fn set_progress(&self, progress: Option<lookalike_llm::Progress>) {
        if let Some(client) = self.client.lock().unwrap().as_ref() {
            client.set_progress(progress.clone());
        }
        *self.progress.lock().unwrap() = progress;
    }

    /// The client, or the error that says how to configure one.
    pub fn client(&self, function: &str) -> Result<LlmClient> {
        let mut slot = self.client.lock().unwrap();
        if let Some(client) = slot.as_ref() {
            return Ok(client.clone());
        }
        let client = self.build().map_err(|e| match e {
            LlmError::NotConfigured { .. } => {
                DataFusionError::Plan(format!("{function}: {e} ({CLI_HINT})"))
            }
            e => DataFusionError::Plan(format!("{function}: {e}")),
        })?;
        client.set_progress(self.progress.lock().unwrap().clone());
        *slot = Some(client.clone());
        Ok(client)
    }

    fn build(&self) -> lookalike_llm::Result<LlmClient> {
        let mut builder = LlmConfig::builder().env(std::env::vars());
        if let Some(url) = &self.session.base_url {
            builder = builder.base_url(url.clone());
        }
        if let Some(model) = &self.session.model {
            builder = builder.model(model.clone());
        }
        if let Some(file) = &self.session.config_file {
            builder = builder.config_file(file.clone());
        }
        let mut config = builder.build()?;
        if config.cache_dir.is_none() {
            config.cache_dir = self.session.cache_dir.clone();
        }
        LlmClient::new(config)
    }

    /// Leaves a note with what the client did since the last note (requests, cache hits,
    /// retries), when it did anything.
    pub fn note(&self, function: &str) {
        let Some(client) = self.client.lock().unwrap().clone() else {
            return;
        };
        let now = client.stats();
        let mut noted = self.noted.lock().unwrap();
        let (requests, hits, retries) = (
            now.requests - noted.requests,
            now.cache_hits - noted.cache_hits,
            now.retries - noted.retries,
        );
        *noted = now;
        if requests + hits > 0 {
            self.notes.push(format!("{function}: {requests} LLM requests, {hits} answers from the response cache, {retries} retries ({})", client.config().model));
        }
    }
}

/// DataFusion compares functions for plan equality: two LLM functions are equal when they
/// share a service.
macro_rules! equal_by_service {
    ($ty:ty) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                std::sync::Arc::ptr_eq(&self.service, &other.service)
            }
        }
        impl Eq for $ty {}
        impl std::hash::Hash for $ty {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                (std::sync::Arc::as_ptr(&self.service) as usize).hash(state)
            }
        }
    };
}
use equal_by_service;

/// The runtime every LLM request runs on (never dropped: dropping a runtime inside another
/// one panics, and the session may be dropped inside the CLI's runtime).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lookalike-llm")
            .enable_all()
            .build()
            .expect("cannot start the LLM runtime's threads")
    })
}

/// Awaits `job` on the LLM runtime, from async code.
pub async fn run<T: Send + 'static>(job: impl Future<Output = T> + Send + 'static) -> Result<T> {
    runtime()
        .spawn(job)
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))
}

/// Starts `job` on the LLM runtime and leaves it to run to its end.
pub fn spawn(job: impl Future<Output = ()> + Send + 'static) {
    runtime().spawn(job);
}

/// Waits for `job` on the LLM runtime, from synchronous code (UDFs): the calling thread
/// blocks, telling its own runtime so when it is a multi-threaded one.
pub fn block<T: Send + 'static>(job: impl Future<Output = T> + Send + 'static) -> Result<T> {
    let handle = runtime().spawn(job);
    let wait = move || {
        futures::executor::block_on(handle).map_err(|e| DataFusionError::External(Box::new(e)))
    };
    match tokio::runtime::Handle::try_current() {
        Ok(current) if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(wait)
        }
        _ => wait(),
    }
}

/// An LLM error as a DataFusion error naming the function; the message already names the
/// endpoint, model and status.
pub fn exec_error(function: &str, e: LlmError) -> DataFusionError {
    DataFusionError::External(Box::new(e)).context(function.to_string())
}
