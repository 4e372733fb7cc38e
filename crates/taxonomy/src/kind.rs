//! The verdict types: which kind of difference a pair shows, and why.

use serde::{Deserialize, Serialize};

pub use crate::judge::Judgement;

/// The kind of difference between two texts.
///
/// The snake_case names ([`FailureKind::name`]) are stable: they are stored in tables and
/// accepted by [`FailureKind::from_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A negation word is added or removed ("playing" / "not playing").
    Negation,
    /// A quantity or number changes ("a few" / "a lot of", "two" / "three").
    Quantifier,
    /// A spatial relation changes ("left" / "right", "in front of" / "behind").
    Spatial,
    /// The same words in a different order swap who does what to whom.
    RoleSwap,
    /// A colour, size, material, state or mood changes, or two attributes trade places.
    Attribute,
    /// Who the subject is changes: gender, age, role ("man" / "woman").
    Subject,
    /// The action or verb changes ("running" / "walking").
    Action,
    /// The tense or time changes ("has planted" / "is planting").
    Tense,
    /// Something is present in one text and absent in the other ("with" / "without").
    Presence,
    /// One object is substituted for another ("dog" / "cat").
    Object,
    /// The words differ but mean the same (synonyms, spelling, articles, plurals).
    Synonym,
    /// A difference none of the other kinds describes.
    Other,
    /// The texts have the same words.
    Identical,
}

impl FailureKind {
    /// Every kind, in declaration order.
    pub const ALL: [FailureKind; 13] = [
        FailureKind::Negation,
        FailureKind::Quantifier,
        FailureKind::Spatial,
        FailureKind::RoleSwap,
        FailureKind::Attribute,
        FailureKind::Subject,
        FailureKind::Action,
        FailureKind::Tense,
        FailureKind::Presence,
        FailureKind::Object,
        FailureKind::Synonym,
        FailureKind::Other,
        FailureKind::Identical,
    ];

    /// The stable snake_case name, e.g. `role_swap`.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Negation => "negation",
            FailureKind::Quantifier => "quantifier",
            FailureKind::Spatial => "spatial",
            FailureKind::RoleSwap => "role_swap",
            FailureKind::Attribute => "attribute",
            FailureKind::Subject => "subject",
            FailureKind::Action => "action",
            FailureKind::Tense => "tense",
            FailureKind::Presence => "presence",
            FailureKind::Object => "object",
            FailureKind::Synonym => "synonym",
            FailureKind::Other => "other",
            FailureKind::Identical => "identical",
        }
    }

    /// A short human label, e.g. `spatial relation`.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Negation => "negation",
            FailureKind::Quantifier => "quantifier or number",
            FailureKind::Spatial => "spatial relation",
            FailureKind::RoleSwap => "word-order or role swap",
            FailureKind::Attribute => "attribute",
            FailureKind::Subject => "subject identity",
            FailureKind::Action => "action or verb",
            FailureKind::Tense => "temporal or tense",
            FailureKind::Presence => "presence or absence",
            FailureKind::Object => "object substitution",
            FailureKind::Synonym => "near-synonym",
            FailureKind::Other => "other",
            FailureKind::Identical => "identical",
        }
    }

    /// The kind with this snake_case name, if any.
    pub fn from_name(name: &str) -> Option<FailureKind> {
        FailureKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`failure_kind`](crate::failure_kind) found about a pair of texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The kind of the most important difference.
    pub kind: FailureKind,
    /// The words of the first text that differ (lowercased, at most 32).
    pub words_a: Vec<String>,
    /// The words of the second text that differ (lowercased, at most 32).
    pub words_b: Vec<String>,
    /// One line naming the kind and the words, e.g. `spatial relation: 'left' → 'right'`.
    pub explanation: String,
    /// True only when the judge is confident that a picture of one text would fail to show
    /// the other (`judgement` is [`Judgement::ChangesMeaning`]).
    pub changes_meaning: bool,
    /// The judge's three-way answer: a confident change, confidently the same, or uncertain.
    pub judgement: Judgement,
}
