//! The scrape itself: embed, search, dedup, judge.

use lookalike_encode::import::INT8_SUFFIX;
use lookalike_encode::{EncodeError, EncoderRegistry};
use lookalike_pairs::{
    dedup_pairs, dot, find_pairs_with_report, sample_similarity_quantile, Candidate, PairsError,
};
use lookalike_taxonomy::{failure_kind, FailureKind, Judgement};

use crate::report::FirstPassReport;
use crate::{
    Corpus, FirstPass, Judge, Mode, ScrapeOptions, ScrapeReport, Threshold, QUANTILE_SAMPLE_PAIRS,
    QUANTILE_SEED,
};

/// Why a scrape failed: embedding (model or cache) or the search.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    /// Loading or running a model, or reading its cache.
    #[error(transparent)]
    Embed(#[from] EncodeError),
    /// The pair search or the quantile estimate.
    #[error(transparent)]
    Pairs(#[from] PairsError),
}

/// Which judge flagged a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlaggedBy {
    /// The reference encoder's gap rule only.
    Reference,
    /// The structural judge only.
    Structural,
    /// Both judges.
    Both,
}

impl FlaggedBy {
    fn of(by_reference: bool, by_structure: bool) -> Option<FlaggedBy> {
        match (by_reference, by_structure) {
            (true, true) => Some(FlaggedBy::Both),
            (true, false) => Some(FlaggedBy::Reference),
            (false, true) => Some(FlaggedBy::Structural),
            (false, false) => None,
        }
    }

    /// The name in the `flagged_by` column.
    pub fn name(self) -> &'static str {
        match self {
            FlaggedBy::Reference => "reference",
            FlaggedBy::Structural => "structural",
            FlaggedBy::Both => "both",
        }
    }
}

/// A pair above the target threshold with both judges' evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapedPair {
    /// Index of the first text in the corpus.
    pub a: u32,
    /// Index of the second text.
    pub b: u32,
    /// Cosine under the target.
    pub target_sim: f32,
    /// Cosine under the reference, when there is one.
    pub reference_sim: Option<f32>,
    /// The structural judge's kind of edit.
    pub kind: FailureKind,
    /// Whether the structural judge is confident the edit changes the picture.
    pub changes_meaning: bool,
    /// The structural judge's three-way answer.
    pub verdict: Judgement,
    /// Who flags the pair as a failure; `None` for a candidate no judge flags.
    pub flagged_by: Option<FlaggedBy>,
}

/// Pairs judged between two progress reports.
const JUDGE_PROGRESS_EVERY: usize = 256;

/// Scrapes the corpus: the pairs the target embeds above the threshold, ordered by target
/// similarity (descending) then indices, judged, and kept as `options.mode` and
/// `options.judge` say. Blocks while it embeds and searches.
pub fn scrape(
    corpus: &Corpus,
    target: &str,
    reference: Option<&str>,
    options: &ScrapeOptions,
    registry: &EncoderRegistry,
    report: &mut ScrapeReport,
) -> Result<Vec<ScrapedPair>, ScrapeError> {
    let texts = &corpus.texts;
    if texts.len() < 2 {
        return Ok(Vec::new());
    }
    let found = match (options.first_pass, options.threshold) {
        (FirstPass::Int8 { margin }, Threshold::Value(threshold)) => {
            match int8_sibling(registry, target) {
                Some(first) => two_pass(
                    registry, target, &first, texts, threshold, margin, options, report,
                )?,
                None => one_pass(registry, target, texts, options, report)?,
            }
        }
        _ => one_pass(registry, target, texts, options, report)?,
    };
    report.above_threshold = found.len();
    let (kept, dedup) = dedup_pairs(&found, texts)?;
    report.normalized_equal = dedup.normalized_equal;
    report.repeated_pairs = dedup.duplicate;

    // The reference only ever sees texts that are in a candidate pair.
    let reference_sims = match reference {
        Some(model) => Some(reference_similarities(
            registry, model, &kept, texts, report,
        )?),
        None => None,
    };
    let mut rule = options.rule.clone();
    rule.target_threshold = report.threshold;

    let mut out = Vec::new();
    let judging = format!("judging {} candidate pairs", kept.len());
    for (i, pair) in kept.iter().enumerate() {
        if i % JUDGE_PROGRESS_EVERY == 0 {
            registry.progress(&judging, i, kept.len());
        }
        let (a, b) = (&texts[pair.a as usize], &texts[pair.b as usize]);
        let reference_sim = reference_sims.as_ref().map(|s| s[i]);
        let verdict = failure_kind(a, b);
        // The reference gap is MultiMon's judge; a pair the structural judge confidently reads
        // as the same picture is no failure whatever the reference says.
        let by_reference = reference_sim.is_some()
            && rule.judge(pair.target_sim, reference_sim).is_failure()
            && verdict.judgement != Judgement::Same;
        let by_structure = verdict.changes_meaning;
        report.by_reference += by_reference as usize;
        report.by_structure += by_structure as usize;
        let keep = match (options.mode, options.judge) {
            (Mode::Candidates, _) => true,
            (Mode::Failures, Judge::Reference) => by_reference,
            (Mode::Failures, Judge::Structural) => by_structure,
            (Mode::Failures, Judge::Either) => by_reference || by_structure,
        };
        if !keep {
            continue;
        }
        if options.limit.is_some_and(|limit| out.len() >= limit) {
            break;
        }
        out.push(ScrapedPair {
            a: pair.a,
            b: pair.b,
            target_sim: pair.target_sim,
            reference_sim,
            kind: verdict.kind,
            changes_meaning: by_structure,
            verdict: verdict.judgement,
            flagged_by: FlaggedBy::of(by_reference, by_structure),
        });
    }
    registry.progress(&judging, kept.len(), kept.len());
    report.returned = out.len();
    Ok(out)
}

/// The pairs above the threshold, every text embedded by the target.
fn one_pass(
    registry: &EncoderRegistry,
    target: &str,
    texts: &[String],
    options: &ScrapeOptions,
    report: &mut ScrapeReport,
) -> Result<Vec<Candidate>, ScrapeError> {
    let vectors = embed(registry, target, texts.iter())?;
    let dim = vectors.len() / texts.len();
    let threshold = match options.threshold {
        Threshold::Value(t) => t,
        Threshold::Quantile(q) => {
            sample_similarity_quantile(&vectors, dim, q, QUANTILE_SAMPLE_PAIRS, QUANTILE_SEED)?
        }
    };
    report.threshold = threshold;
    search(registry, &vectors, dim, threshold, options, report)
}

/// The pairs above `threshold`, found by the int8 import `first` above `threshold - margin`,
/// then decided by the target on the texts of those candidates alone. The second search sees
/// every pair among those texts, so it returns exactly the pairs (and similarities) of a
/// one-pass scrape, unless the int8 model strays by more than the margin.
#[allow(clippy::too_many_arguments)]
fn two_pass(
    registry: &EncoderRegistry,
    target: &str,
    first: &str,
    texts: &[String],
    threshold: f32,
    margin: f32,
    options: &ScrapeOptions,
    report: &mut ScrapeReport,
) -> Result<Vec<Candidate>, ScrapeError> {
    report.threshold = threshold;
    let rough = embed(registry, first, texts.iter())?;
    let dim = rough.len() / texts.len();
    let lowered = (threshold - margin).max(-1.0);
    let candidates = search(registry, &rough, dim, lowered, options, report)?;
    drop(rough);
    let mut needed: Vec<u32> = candidates.iter().flat_map(|p| [p.a, p.b]).collect();
    needed.sort_unstable();
    needed.dedup();
    let mut first_pass = FirstPassReport {
        model: first.to_string(),
        margin,
        candidates: candidates.len(),
        texts: needed.len(),
        strayed: 0.0,
    };
    if needed.len() < 2 {
        report.first_pass = Some(first_pass);
        return Ok(Vec::new());
    }
    let vectors = embed(registry, target, needed.iter().map(|&i| &texts[i as usize]))?;
    let dim = vectors.len() / needed.len();
    // How far the int8 model strayed on the pairs it proposed: the check that its margin held
    // with room on this corpus (the report names it, and warns when it comes close).
    let row = |id: u32| {
        let i = needed
            .binary_search(&id)
            .expect("every candidate's ids were embedded");
        &vectors[i * dim..(i + 1) * dim]
    };
    let strayed = candidates
        .iter()
        .map(|p| (p.target_sim - dot(row(p.a), row(p.b))).abs())
        .fold(0.0f32, f32::max);
    first_pass.strayed = strayed;
    report.first_pass = Some(first_pass);
    let mut found = search(registry, &vectors, dim, threshold, options, report)?;
    // Back to corpus indices: `needed` is sorted, so a < b still holds.
    for pair in &mut found {
        pair.a = needed[pair.a as usize];
        pair.b = needed[pair.b as usize];
    }
    Ok(found)
}

/// The target's int8 import, when one is installed from the same checkpoint.
fn int8_sibling(registry: &EncoderRegistry, target: &str) -> Option<String> {
    let name = format!("{target}{INT8_SUFFIX}");
    let models = registry.models();
    let (f32_model, int8_model) = (models.open(target).ok()?, models.open(&name).ok()?);
    let origin = |m: &lookalike_encode::ModelDir| {
        let source = m.manifest.source.as_ref()?;
        Some((
            source.get("checkpoint")?.clone(),
            source.get("config")?.clone(),
        ))
    };
    (origin(&f32_model)? == origin(&int8_model)?).then_some(name)
}

/// The pairs above `threshold` among `vectors`.
fn search(
    registry: &EncoderRegistry,
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    options: &ScrapeOptions,
    report: &mut ScrapeReport,
) -> Result<Vec<Candidate>, ScrapeError> {
    let rows = vectors.len() / dim.max(1);
    let searching = format!("searching pairs above {threshold} among {rows} texts");
    registry.progress(&searching, 0, 1);
    let (found, search) = find_pairs_with_report(vectors, dim, threshold, &options.search)?;
    registry.progress(&searching, 1, 1);
    report.method = Some(search.method);
    Ok(found)
}

/// The texts' vectors under `model`, contiguous.
fn embed<'a>(
    registry: &EncoderRegistry,
    model: &str,
    texts: impl Iterator<Item = &'a String>,
) -> Result<Vec<f32>, ScrapeError> {
    let refs: Vec<Option<&str>> = texts.map(|t| Some(t.as_str())).collect();
    let (_, vectors) = registry.embed(model, &refs)?;
    Ok(vectors
        .into_iter()
        .flat_map(|v| v.unwrap_or_default())
        .collect())
}

/// The reference cosine of each pair, embedding only the texts that are in a pair.
fn reference_similarities(
    registry: &EncoderRegistry,
    model: &str,
    pairs: &[Candidate],
    texts: &[String],
    report: &mut ScrapeReport,
) -> Result<Vec<f32>, ScrapeError> {
    let mut needed: Vec<u32> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    needed.sort_unstable();
    needed.dedup();
    report.reference_texts = needed.len();
    if needed.is_empty() {
        return Ok(Vec::new());
    }
    let vectors = embed(registry, model, needed.iter().map(|&i| &texts[i as usize]))?;
    let dim = vectors.len() / needed.len();
    let row = |id: u32| {
        let i = needed
            .binary_search(&id)
            .expect("every pair's ids were embedded");
        &vectors[i * dim..(i + 1) * dim]
    };
    Ok(pairs.iter().map(|p| dot(row(p.a), row(p.b))).collect())
}
