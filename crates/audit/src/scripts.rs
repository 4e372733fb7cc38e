//! The stages of an audit as SQL scripts, built into the binary. A user's own scripts are read
//! only when asked (`--sql DIR`), and the audit says which copy it ran.

use std::path::Path;

use crate::config::{AuditConfig, Judge, Scripts};
use crate::error::{AuditError, Result};

/// Every stage script, by file name, as shipped in the repository's sql/.
pub const BUILT_IN: [(&str, &str); 11] = [
    ("scrape.sql", include_str!("../../../sql/scrape.sql")),
    ("judge_llm.sql", include_str!("../../../sql/judge_llm.sql")),
    ("reviews.sql", include_str!("../../../sql/reviews.sql")),
    ("steer.sql", include_str!("../../../sql/steer.sql")),
    (
        "categorize.sql",
        include_str!("../../../sql/categorize.sql"),
    ),
    (
        "categorize_offline.sql",
        include_str!("../../../sql/categorize_offline.sql"),
    ),
    ("generate.sql", include_str!("../../../sql/generate.sql")),
    (
        "generate_offline.sql",
        include_str!("../../../sql/generate_offline.sql"),
    ),
    (
        "judge_generated.sql",
        include_str!("../../../sql/judge_generated.sql"),
    ),
    (
        "judge_generated_llm.sql",
        include_str!("../../../sql/judge_generated_llm.sql"),
    ),
    ("verify.sql", include_str!("../../../sql/verify.sql")),
];

/// The stages one target runs through, in order, for this configuration.
pub fn stages(config: &AuditConfig) -> Vec<&'static str> {
    let llm_judge = config.judge == Judge::Llm;
    let mut stages = vec!["scrape.sql"];
    if llm_judge {
        stages.push("judge_llm.sql");
    }
    if config.reviews.is_some() {
        stages.push("reviews.sql");
    }
    if config.steer.is_some() {
        stages.push("steer.sql");
    }
    stages.extend(match config.llm {
        None => ["categorize_offline.sql", "generate_offline.sql"],
        Some(_) => ["categorize.sql", "generate.sql"],
    });
    stages.push(match llm_judge {
        true => "judge_generated_llm.sql",
        false => "judge_generated.sql",
    });
    stages.push("verify.sql");
    stages
}

/// A script's text and where it came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// `scrape.sql (built in)` or the path read.
    pub origin: String,
    /// The SQL.
    pub text: String,
}

/// The script `name`, from `scripts`.
pub fn script(scripts: &Scripts, name: &str) -> Result<Script> {
    match scripts {
        Scripts::BuiltIn => {
            let (_, text) = BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| AuditError::Config(format!("no built-in script {name}")))?;
            Ok(Script {
                origin: format!("{name} (built in)"),
                text: text.to_string(),
            })
        }
        Scripts::Dir(dir) => read(&dir.join(name)),
    }
}

/// A user's script: UTF-8 SQL that reads its parameters as `@variables`.
fn read(path: &Path) -> Result<Script> {
    let text = std::fs::read_to_string(path).map_err(AuditError::io("reading the script", path))?;
    if text.contains("${") {
        return Err(AuditError::Config(format!(
            "{}: scripts read parameters as @variables now (e.g. @target, @threshold), not ${{name}}",
            path.display()
        )));
    }
    Ok(Script {
        origin: path.display().to_string(),
        text,
    })
}
