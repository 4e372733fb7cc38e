//! Offline failure taxonomy for lookalike.
//!
//! MultiMon (Tong, Jones, Steinhardt, NeurIPS 2023) finds *erroneous agreement*: two prompts
//! that mean different things but that a text encoder such as CLIP embeds to nearly the same
//! vector. This crate names the kind of each such failure without an LLM, and makes new pairs
//! of a chosen kind:
//!
//! * [`failure_kind`] diffs the two texts word by word and returns a [`Verdict`]: the
//!   [`FailureKind`] (negation, spatial relation, role swap, attribute, ...), the differing
//!   words, a one-line explanation, and `changes_meaning`, a structural judge of whether a
//!   picture of one text would fail to show the other.
//! * [`generate`] edits corpus sentences (flip a preposition, negate, swap two nouns, ...)
//!   into [`GeneratedPair`]s, each re-checked by [`failure_kind`].
//! * [`Lexicon`] holds the word lists under `data/lexicon/`, compiled in; an edited copy loads
//!   with [`Lexicon::from_dir`].
//!
//! ```
//! use lookalike_taxonomy::{failure_kind, generate, FailureKind};
//!
//! let v = failure_kind("the cake was eaten by the child", "the child was eaten by the cake");
//! assert_eq!(v.kind, FailureKind::RoleSwap);
//! assert!(v.changes_meaning);
//!
//! let same = failure_kind("a cat on the couch", "a cat on the sofa");
//! assert_eq!(same.kind, FailureKind::Synonym);
//! assert!(!same.changes_meaning);
//!
//! let pairs = generate(&["two dogs on the left of a red car"], &[FailureKind::Spatial], 1, 7);
//! assert_eq!(pairs[0].text_b, "two dogs on the right of a red car");
//! ```
#![deny(missing_docs)]

mod attested;
mod classify;
mod edits;
mod error;
mod generate;
mod judge;
mod kind;
mod lexicon;
mod morph;
mod sentence;
mod tokenize;

pub use classify::{failure_kind, MAX_VERDICT_WORDS};
pub use error::LexiconError;
pub use generate::{generate, GeneratedPair, GENERATED_KINDS};
pub use judge::wordnet::{wordnet_dirs, Pos, WordNet};
pub use kind::{FailureKind, Judgement, Verdict};
pub use lexicon::{Lexicon, LEXICON_FILES};
pub use tokenize::{tokenize, words, Token};
