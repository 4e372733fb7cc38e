//! End-to-end tests through the `lookalike` binary, on real models and data.

mod common;
mod embed;
mod errors;
mod files;
mod pairs;
