//! MultiMon's erroneous-agreement rule, with its defects fixed.
//!
//! MultiMon (Tong, Jones, Steinhardt 2023) calls a pair of texts a failure of a target encoder
//! (CLIP) when the target embeds them almost identically while a reference encoder
//! (DistilRoBERTa) sees them as different: target similarity above 0.9 and a gap of more than
//! 0.2 to the reference similarity. It drops pairs whose text contains one of seven phrases
//! that would make a generated image trivially wrong ("there is no", ...), but matches them
//! case-sensitively, so "There is no" slipped through. Here the comparisons are strict as in
//! MultiMon, the phrases match case-insensitively, and an absolute reference ceiling is
//! available as an alternative or addition to the gap.

use crate::search::check_range;
use crate::PairsError;

/// MultiMon's seven excluded phrases: a text holding one asks for an absence or a refusal
/// ("there is no", "unable"), which a generated image gets trivially wrong, so such a pair
/// says nothing about the encoder.
pub const MULTIMON_EXCLUDED_PHRASES: [&str; 7] = [
    "there is no",
    "unable",
    "does not",
    "do not",
    "am not",
    "no image",
    "no picture",
];

/// When a (target, reference) similarity pair counts as an erroneous agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRule {
    /// The target similarity must be strictly above this. In [-1, 1]; default 0.9.
    pub target_threshold: f32,
    /// If set, `target - reference` must be strictly above this. In [0, 2]; default 0.2.
    pub gap: Option<f32>,
    /// If set, the reference similarity must be strictly below this. In [-1, 1]; default unset.
    pub reference_ceiling: Option<f32>,
    /// A pair is excluded when either text contains one of these, compared case-insensitively
    /// with runs of whitespace collapsed. Default: [`MULTIMON_EXCLUDED_PHRASES`].
    pub excluded_phrases: Vec<String>,
}

impl Default for PairRule {
    fn default() -> Self {
        Self {
            target_threshold: 0.9,
            gap: Some(0.2),
            reference_ceiling: None,
            excluded_phrases: MULTIMON_EXCLUDED_PHRASES
                .iter()
                .map(|p| p.to_string())
                .collect(),
        }
    }
}

/// The outcome of judging one pair; the first failed condition is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every condition holds: an erroneous agreement.
    Failure,
    /// A text contains an excluded phrase.
    Excluded,
    /// The target similarity is not strictly above `target_threshold` (or is NaN).
    TargetNotAbove,
    /// The rule needs a reference similarity and none was given.
    ReferenceMissing,
    /// `target - reference` is not strictly above `gap`.
    GapNotAbove,
    /// The reference similarity is not strictly below `reference_ceiling`.
    ReferenceNotBelow,
}

impl Verdict {
    /// True only for [`Verdict::Failure`]: the pair passed every condition of the rule, so it
    /// counts as an erroneous agreement of the target encoder.
    pub fn is_failure(self) -> bool {
        self == Verdict::Failure
    }
}

impl PairRule {
    /// Checks the thresholds: `target_threshold` and `reference_ceiling` in [-1, 1], `gap` in
    /// [0, 2], no NaN, no empty excluded phrase.
    ///
    /// # Errors
    /// [`PairsError::OutOfRange`] naming the field, or [`PairsError::EmptyExcludedPhrase`].
    pub fn validate(&self) -> Result<(), PairsError> {
        check_range(
            "PairRule.target_threshold",
            self.target_threshold,
            -1.0,
            1.0,
        )?;
        if let Some(gap) = self.gap {
            check_range("PairRule.gap", gap, 0.0, 2.0)?;
        }
        if let Some(ceiling) = self.reference_ceiling {
            check_range("PairRule.reference_ceiling", ceiling, -1.0, 1.0)?;
        }
        match self
            .excluded_phrases
            .iter()
            .position(|p| p.trim().is_empty())
        {
            Some(index) => Err(PairsError::EmptyExcludedPhrase { index }),
            None => Ok(()),
        }
    }

    /// Judges similarities alone: target above the threshold, then (if set) the gap, then
    /// (if set) the ceiling. All comparisons are strict; the gap is computed exactly (in f64).
    /// `reference_sim` may be `None` when the rule sets neither gap nor ceiling.
    pub fn judge(&self, target_sim: f32, reference_sim: Option<f32>) -> Verdict {
        // Each test is written so that NaN fails it.
        let target_above = target_sim > self.target_threshold;
        if !target_above {
            return Verdict::TargetNotAbove;
        }
        if self.gap.is_none() && self.reference_ceiling.is_none() {
            return Verdict::Failure;
        }
        let Some(reference) = reference_sim else {
            return Verdict::ReferenceMissing;
        };
        if let Some(gap) = self.gap {
            let gap_above = f64::from(target_sim) - f64::from(reference) > f64::from(gap);
            if !gap_above {
                return Verdict::GapNotAbove;
            }
        }
        if let Some(ceiling) = self.reference_ceiling {
            let reference_below = reference < ceiling;
            if !reference_below {
                return Verdict::ReferenceNotBelow;
            }
        }
        Verdict::Failure
    }

    /// Judges a pair of texts: [`Verdict::Excluded`] if either contains an excluded phrase,
    /// otherwise [`PairRule::judge`].
    pub fn judge_texts(
        &self,
        text_a: &str,
        text_b: &str,
        target_sim: f32,
        reference_sim: Option<f32>,
    ) -> Verdict {
        if self.is_excluded(text_a) || self.is_excluded(text_b) {
            return Verdict::Excluded;
        }
        self.judge(target_sim, reference_sim)
    }

    /// Whether `text` contains an excluded phrase as a substring, ignoring case and treating
    /// any run of whitespace as one space.
    pub fn is_excluded(&self, text: &str) -> bool {
        let text = fold(text);
        self.excluded_phrases.iter().any(|phrase| {
            let phrase = fold(phrase);
            !phrase.is_empty() && text.contains(&phrase)
        })
    }
}

/// Lowercase with each run of whitespace turned into one space, trimmed.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_multimon_and_valid() {
        let rule = PairRule::default();
        assert_eq!(rule.target_threshold, 0.9);
        assert_eq!(rule.gap, Some(0.2));
        assert_eq!(rule.reference_ceiling, None);
        assert_eq!(rule.excluded_phrases.len(), 7);
        rule.validate().unwrap();
    }

    #[test]
    fn nan_never_passes() {
        let rule = PairRule::default();
        assert_eq!(rule.judge(f32::NAN, Some(0.1)), Verdict::TargetNotAbove);
        assert_eq!(rule.judge(0.95, Some(f32::NAN)), Verdict::GapNotAbove);
        let ceiling_only = PairRule {
            gap: None,
            reference_ceiling: Some(0.5),
            ..rule
        };
        assert_eq!(
            ceiling_only.judge(0.95, Some(f32::NAN)),
            Verdict::ReferenceNotBelow
        );
    }

    #[test]
    fn fold_collapses_whitespace_and_case() {
        assert_eq!(fold("  There\tIS \n no  "), "there is no");
    }
}
