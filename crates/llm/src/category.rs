//! [`Category`]: one systematic failure of an encoder, as the LLM names and describes it.

use serde::{Deserialize, Serialize};

/// A systematic failure ("Negation", "Spatial Relations", …) with the pairs it cites.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Category {
    /// Short name, e.g. `Negation`.
    pub name: String,
    /// What the encoder misses and why it matters.
    pub description: String,
    /// Example `(text_a, text_b)` pairs the answer cites (may be empty).
    #[serde(default)]
    pub examples: Vec<(String, String)>,
}

impl Category {
    /// A category without examples.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Category {
            name: name.into(),
            description: description.into(),
            examples: Vec::new(),
        }
    }

    /// The `Failure Mode:` line of MultiMon's generation prompt: `name: description`.
    pub fn failure_mode(&self) -> String {
        if self.description.is_empty() {
            self.name.clone()
        } else {
            format!("{}: {}", self.name, self.description)
        }
    }

    /// The name reduced for comparison: lower case, letters and digits only, a parenthesised
    /// suffix and a trailing plural "s" dropped ("Spatial Relations (layout)" → "spatialrelation").
    pub fn normalised_name(&self) -> String {
        normalise_name(&self.name)
    }
}

pub(crate) fn normalise_name(name: &str) -> String {
    let base = match name.find('(') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    };
    let mut key: String = base
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if key.ends_with('s') && key.len() > 3 {
        key.pop();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_failure_mode() {
        let c = Category::new("Semantic Role Ambiguity (Bag-Of-Words)", "roles flipped");
        assert_eq!(c.normalised_name(), "semanticroleambiguity");
        assert_eq!(
            Category::new("Spatial relation", "").normalised_name(),
            Category::new("spatial Relations:", "").normalised_name()
        );
        assert_eq!(
            Category::new("Negation", "x y").failure_mode(),
            "Negation: x y"
        );
    }
}
