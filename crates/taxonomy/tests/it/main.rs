//! Integration tests for lookalike-taxonomy (one test binary; see Cargo.toml).

mod bad_input;
mod generation;
mod heldout;
mod lexicon_files;
mod user_study;
