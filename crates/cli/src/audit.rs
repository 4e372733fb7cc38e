//! `lookalike audit`: the flags become an [`AuditConfig`], lookalike-audit runs it, and this
//! module shows progress on stderr and a summary on stdout.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use lookalike_audit::{AuditConfig, Judge, Observer, Scripts};
use lookalike_report::Audit;
use lookalike_sql::Lookalike;

use crate::args::{AuditArgs, JudgeChoice};

/// Runs the audit the flags describe.
pub async fn run(session: &Lookalike, args: &AuditArgs) -> Result<()> {
    let llm = match args.offline {
        true => None,
        false => {
            let client = session
                .llm()
                .client("lookalike audit")
                .map_err(|e| anyhow::anyhow!("{e}\nor run the audit without an LLM: --offline"))?;
            Some(format!(
                "LLM {} at {}",
                client.config().model,
                client.config().base_url
            ))
        }
    };
    let config = AuditConfig {
        corpus: args.corpus.clone(),
        column: args.column.clone(),
        targets: args.target.clone(),
        reference: Some(args.reference.clone()).filter(|r| !r.eq_ignore_ascii_case("none")),
        threshold: args.threshold,
        gap: args.gap,
        f32_only: args.f32_only,
        judge: match args.judge {
            JudgeChoice::Structural => Judge::Structural,
            JudgeChoice::Llm => Judge::Llm,
        },
        per_category: args.per_category,
        seed: lookalike_audit::defaults::SEED,
        // The labels saved beside the last outputs are used unless a file is named.
        reviews: args
            .reviews
            .clone()
            .or_else(|| Some(args.out.join("reviews.csv")).filter(|p| p.is_file())),
        steer: args.steer.clone(),
        llm,
        scripts: args.sql.clone().map_or(Scripts::BuiltIn, Scripts::Dir),
        out: args.out.clone(),
    };
    let outcome = lookalike_audit::run(session, &config, Arc::new(Spinners::default())).await?;
    if let Some(reviews) = &config.reviews {
        eprintln!("used the reviews in {}", reviews.display());
    }
    if let Scripts::Dir(dir) = &config.scripts {
        eprintln!("ran the scripts of {}", dir.display());
    }
    print_summary(&outcome.audit, &config.out, outcome.took);
    Ok(())
}

/// A spinner per stage that becomes a bar with rate and ETA while long work advances (texts
/// embedded, pairs judged), then a line with the stage's time. Where stderr is no terminal (a
/// log, CI) each step is a line instead, so a log still says what the audit is doing.
#[derive(Default)]
struct Spinners {
    bar: Mutex<Option<ProgressBar>>,
    /// What the bar counts now, e.g. "embedding with minilm".
    step: Mutex<String>,
}

impl Observer for Spinners {
    fn stage_started(&self, stage: &str, target: &str) {
        let bar = ProgressBar::new_spinner().with_style(spinner_style());
        bar.set_prefix(format!("{stage} · {target}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.step.lock().expect("no panic holds the lock") = String::new();
        *self.bar.lock().expect("no panic holds the lock") = Some(bar);
    }

    fn progress(&self, what: &str, done: usize, total: usize) {
        let guard = self.bar.lock().expect("no panic holds the lock");
        let Some(bar) = &*guard else { return };
        let mut step = self.step.lock().expect("no panic holds the lock");
        if *step != what {
            *step = what.to_string();
            if bar.is_hidden() {
                eprintln!("  {}: {what}", bar.prefix());
            }
            bar.set_message(what.to_string());
            bar.set_style(if total > 1 {
                bar_style()
            } else {
                spinner_style()
            });
            bar.set_length(total as u64);
            bar.reset_eta();
        }
        bar.set_position(done as u64);
    }

    fn stage_finished(
        &self,
        stage: &str,
        target: &str,
        _origin: &str,
        took: Duration,
        notes: &[String],
    ) {
        if let Some(bar) = self.bar.lock().expect("no panic holds the lock").take() {
            bar.finish_and_clear();
        }
        eprintln!("{stage:<20} {target}: {:.1}s", took.as_secs_f64());
        for note in notes {
            eprintln!("    {note}");
        }
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix:<28} {msg} [{elapsed}]")
        .expect("a valid template")
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{spinner} {prefix:<28} {msg} {wide_bar} {human_pos}/{human_len} {per_sec} ETA {eta} [{elapsed}]",
    )
    .expect("a valid template")
}

/// A few lines per target on stdout.
fn print_summary(audit: &Audit, out: &Path, elapsed: Duration) {
    println!(
        "audit of {} ({} distinct texts), threshold {}, reference {}",
        audit.corpus,
        audit.texts,
        audit.threshold,
        audit.reference.as_deref().unwrap_or("none")
    );
    for target in &audit.targets {
        let failures = target
            .candidates
            .iter()
            .filter(|c| c.flagged_by.is_some())
            .count();
        let (generated, agreed, reproduced) =
            target.categories.iter().fold((0, 0, 0), |(g, a, r), c| {
                (g + c.generated, a + c.agreed, r + c.reproduced)
            });
        let rate = if generated > 0 {
            format!("{:.0}%", 100.0 * reproduced as f64 / generated as f64)
        } else {
            "n/a".into()
        };
        println!(
            "  {}: {} pairs above the threshold, {failures} failures in {} categories, {} uncertain (kept apart); {reproduced} of {generated} generated pairs reproduce ({rate}; the target agrees on {agreed})",
            target.model,
            target.candidates.len(),
            target.categories.len(),
            target.uncertain
        );
        for c in &target.categories {
            let rate = c
                .success_rate
                .map_or("n/a".to_string(), |r| format!("{:.0}%", 100.0 * r));
            println!(
                "    {:<14} {:>6} pairs   generated {:>4}, target agrees {:>4}, reproduce {rate}",
                c.category, c.pairs, c.generated, c.agreed
            );
        }
    }
    println!(
        "wrote {}/{{candidates,pairs,uncertain,categories,generated,verification}}.parquet and report.html in {:.1}s",
        out.display(),
        elapsed.as_secs_f64()
    );
}
