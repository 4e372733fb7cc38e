//! End-to-end tests through the `lookalike` binary, on real models and data.

mod audit;
mod common;
mod embed;
mod errors;
mod files;
mod install;
mod llm;
mod pairs;

// The llm crate's mock OpenAI-compatible server and its scripted answers, shared rather than
// copied, so both test suites exercise the same faults.
#[allow(dead_code)]
#[path = "../../crates/llm/tests/llm/canned.rs"]
mod canned;
#[allow(dead_code)]
#[path = "../../crates/llm/tests/llm/mock.rs"]
mod mock;
