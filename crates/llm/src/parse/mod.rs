//! Tolerant parsers for LLM answers: pairs, categories, yes/no, judge lines. None of them panics; each
//! returns an empty list or `None` when it finds nothing.

mod categories;
mod judge;
mod pairs;
mod text;
mod yesno;

pub use categories::{parse_categories, parse_categories_json};
pub use judge::{parse_judgements, PairVerdict};
pub use pairs::parse_pairs;
pub(crate) use text::json_values as text_json_values;
pub use yesno::parse_yes_no;
