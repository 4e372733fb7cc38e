//! The audit's configuration: every default lives here, and nowhere else. The CLI parses flags
//! into an [`AuditConfig`]; the scripts read its values as typed `@variables`.

use std::path::PathBuf;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use lookalike_pairs::PairRule;

use crate::error::{AuditError, Result};

/// The defaults, one home each.
pub mod defaults {
    use super::PairRule;

    /// The encoder audited when none is named: the small sentence encoder `lookalike setup`
    /// installs.
    pub const TARGET: &str = "minilm";
    /// The reference encoder: a stronger sentence encoder than the target.
    pub const REFERENCE: &str = "mpnet";
    /// Generated pairs per failure category.
    pub const PER_CATEGORY: usize = 20;
    /// Seed of the offline generator's sampling.
    pub const SEED: u64 = 0;
    /// The corpus columns tried, in order, when none is named.
    pub const TEXT_COLUMNS: [&str; 2] = ["text", "caption"];

    /// MultiMon's target threshold: a pair is a candidate when the target's cosine exceeds it.
    pub fn threshold() -> f32 {
        PairRule::default().target_threshold
    }

    /// MultiMon's gap: the reference judge flags a pair when target − reference exceeds it.
    pub fn gap() -> f32 {
        PairRule::default().gap.unwrap_or(0.2)
    }
}

/// Who judges whether a candidate pair differs in meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Judge {
    /// Offline: alignment, WordNet and edit rules (`failure_kind`), and the reference encoder.
    #[default]
    Structural,
    /// The LLM endpoint (`llm_judge`) reads the pairs the structural judge does not call the
    /// same, and confirms generated pairs.
    Llm,
}

/// Where the stage scripts come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scripts {
    /// The scripts built into the binary.
    #[default]
    BuiltIn,
    /// A directory of the user's own scripts, with the built-in names.
    Dir(PathBuf),
}

/// One audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditConfig {
    /// The corpus file.
    pub corpus: PathBuf,
    /// The text column (`None`: the first of [`defaults::TEXT_COLUMNS`] the corpus has).
    pub column: Option<String>,
    /// The target encoders, audited one after another.
    pub targets: Vec<String>,
    /// The reference encoder (`None`: the structural judge only).
    pub reference: Option<String>,
    /// Target cosine above which a pair is a candidate.
    pub threshold: f32,
    /// The reference judge's gap.
    pub gap: f32,
    /// Embed every text with the target itself, without the int8 first pass (slower, for a
    /// target whose int8 import strays more than the first pass's margin).
    pub f32_only: bool,
    /// Who judges meaning.
    pub judge: Judge,
    /// Generated pairs per category.
    pub per_category: usize,
    /// Seed of the offline generator.
    pub seed: u64,
    /// A person's labels of earlier reports (`reviews.csv`: model, text_a, text_b, label):
    /// pairs labelled false alarms are left out of the failures.
    pub reviews: Option<PathBuf>,
    /// The domain failures are steered to (needs an LLM).
    pub steer: Option<String>,
    /// The LLM that categorizes and generates, as the report names it (`None`: offline).
    pub llm: Option<String>,
    /// The stage scripts.
    pub scripts: Scripts,
    /// The output directory.
    pub out: PathBuf,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            corpus: PathBuf::new(),
            column: None,
            targets: vec![defaults::TARGET.to_string()],
            reference: Some(defaults::REFERENCE.to_string()),
            threshold: defaults::threshold(),
            gap: defaults::gap(),
            f32_only: false,
            judge: Judge::default(),
            per_category: defaults::PER_CATEGORY,
            seed: defaults::SEED,
            reviews: None,
            steer: None,
            llm: None,
            scripts: Scripts::default(),
            out: PathBuf::from("out/audit"),
        }
    }
}

impl AuditConfig {
    /// Checks what can be checked before any stage runs.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(AuditError::Config(what));
        if self.targets.is_empty() {
            return bad("no target encoder: name one with --target".into());
        }
        if let Some(name) = self
            .targets
            .iter()
            .chain(&self.reference)
            .find(|n| n.trim().is_empty())
        {
            return bad(format!(
                "a model name is empty ('{name}'): name a model under the models directory"
            ));
        }
        if !(-1.0..=1.0).contains(&self.threshold) {
            return bad(format!("threshold {} is outside [-1, 1]", self.threshold));
        }
        if !(0.0..=2.0).contains(&self.gap) {
            return bad(format!("gap {} is outside [0, 2]", self.gap));
        }
        if self.steer.is_some() && self.llm.is_none() {
            return bad("--steer asks the LLM whether each pair is relevant to the domain; give an endpoint (--llm URL --llm-model NAME) or drop --steer".into());
        }
        if self.judge == Judge::Llm && self.llm.is_none() {
            return bad("--judge llm asks the LLM whether each pair differs in meaning; give an endpoint (--llm URL --llm-model NAME) or use --judge structural".into());
        }
        Ok(())
    }

    /// The values the scripts read, as `@name` variables, for one target.
    pub fn variables(&self, target: &str, column: &str) -> Vec<(&'static str, ScalarValue)> {
        let text = |s: Option<&str>| ScalarValue::Utf8(s.map(str::to_string));
        vec![
            ("target", text(Some(target))),
            ("reference", text(self.reference.as_deref())),
            ("column", text(Some(column))),
            ("threshold", ScalarValue::Float32(Some(self.threshold))),
            ("gap", ScalarValue::Float32(Some(self.gap))),
            (
                "first_pass",
                text(Some(if self.f32_only { "f32" } else { "default" })),
            ),
            (
                "per_category",
                ScalarValue::Int64(Some(self.per_category as i64)),
            ),
            ("seed", ScalarValue::Int64(Some(self.seed as i64))),
            ("domain", text(self.steer.as_deref())),
        ]
    }
}

/// The variables a script can read, with the type a `-D name=value` is parsed to and the
/// default: what `lookalike -f sql/scrape.sql` sees when nothing is set.
pub fn script_variables() -> Vec<(&'static str, DataType, ScalarValue)> {
    let config = AuditConfig::default();
    config
        .variables(defaults::TARGET, defaults::TEXT_COLUMNS[0])
        .into_iter()
        .map(|(name, value)| {
            let data_type = match value.data_type() {
                DataType::Null => DataType::Utf8,
                t => t,
            };
            (name, data_type, value)
        })
        .collect()
}
