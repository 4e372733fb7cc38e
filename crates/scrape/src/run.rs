//! The scrape itself: embed, search, dedup, judge.

use lookalike_encode::import::INT8_SUFFIX;
use lookalike_encode::{EncodeError, EncoderRegistry};
use lookalike_pairs::{
    dedup_pairs, dot, find_pairs_with_report, sample_similarity_quantile, Candidate, PairsError,
};
use lookalike_taxonomy::{failure_kind, FailureKind, Judgement};

use crate::first_pass::{all_cached, int8_sibling, reference_two_pass, target_two_pass};
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
        // A target whose vectors are all cached already has what a first pass would save.
        (FirstPass::Int8 { margin }, Threshold::Value(threshold))
            if !all_cached(registry, target, texts.iter())? =>
        {
            match int8_sibling(registry, target) {
                Some(first) => target_two_pass(
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

    // The target's sessions are done: free them before the reference loads (a cold scrape's
    // peak is the reference's sessions plus whatever is still held).
    registry.release(target);
    registry.release(&format!("{target}{INT8_SUFFIX}"));

    let mut rule = options.rule.clone();
    rule.target_threshold = report.threshold;
    let judging = format!("judging {} candidate pairs", kept.len());
    let verdicts: Vec<_> = kept
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            if i % JUDGE_PROGRESS_EVERY == 0 {
                registry.progress(&judging, i, kept.len());
            }
            failure_kind(&texts[pair.a as usize], &texts[pair.b as usize])
        })
        .collect();
    registry.progress(&judging, kept.len(), kept.len());

    // The reference only ever sees texts that are in a candidate pair.
    let reference_sims = match reference {
        Some(model) => Some(reference_stage(
            registry, model, &kept, &verdicts, texts, &rule, options, report,
        )?),
        None => None,
    };

    let mut out = Vec::new();
    for (i, (pair, verdict)) in kept.iter().zip(verdicts).enumerate() {
        let reference_sim = reference_sims.as_ref().map(|s| s[i]);
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

/// The pairs above `threshold` among `vectors`.
pub(crate) fn search(
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
pub(crate) fn embed<'a>(
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

/// The reference cosines of a scrape's pairs: with an int8 first pass in failures mode, exact
/// only where they can matter; else exact for all.
#[allow(clippy::too_many_arguments)]
fn reference_stage(
    registry: &EncoderRegistry,
    model: &str,
    pairs: &[Candidate],
    verdicts: &[lookalike_taxonomy::Verdict],
    texts: &[String],
    rule: &lookalike_pairs::PairRule,
    options: &ScrapeOptions,
    report: &mut ScrapeReport,
) -> Result<Vec<f32>, ScrapeError> {
    if let (FirstPass::Int8 { .. }, Mode::Failures) = (options.first_pass, options.mode) {
        let mut needed: Vec<&String> = pairs
            .iter()
            .flat_map(|p| [&texts[p.a as usize], &texts[p.b as usize]])
            .collect();
        needed.sort_unstable();
        needed.dedup();
        if !all_cached(registry, model, needed.into_iter())? {
            if let Some(first) = int8_sibling(registry, model) {
                // Pairs returned whatever the reference says need its exact value to show.
                let returned_anyway: Vec<bool> = verdicts
                    .iter()
                    .map(|v| options.judge != Judge::Reference && v.changes_meaning)
                    .collect();
                return reference_two_pass(
                    registry,
                    model,
                    &first,
                    pairs,
                    texts,
                    rule,
                    &returned_anyway,
                    report,
                );
            }
        }
    }
    let (sims, embedded) = reference_similarities(registry, model, pairs, texts)?;
    report.reference_texts = embedded;
    Ok(sims)
}

/// The vectors, under one model, of the texts that appear in some pairs.
pub(crate) struct PairTexts {
    /// The texts' corpus indices, sorted and distinct.
    pub ids: Vec<u32>,
    /// Their vectors, contiguous, in `ids` order.
    pub vectors: Vec<f32>,
    pub dim: usize,
}

impl PairTexts {
    /// Embeds the texts of `pairs` (each once) with `model`.
    pub fn embed(
        registry: &EncoderRegistry,
        model: &str,
        pairs: &[Candidate],
        texts: &[String],
    ) -> Result<PairTexts, ScrapeError> {
        let mut ids: Vec<u32> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(PairTexts {
                ids,
                vectors: Vec::new(),
                dim: 0,
            });
        }
        let vectors = embed(registry, model, ids.iter().map(|&i| &texts[i as usize]))?;
        let dim = vectors.len() / ids.len();
        Ok(PairTexts { ids, vectors, dim })
    }

    /// The cosine of each of `pairs`, whose texts must be among these.
    pub fn cosines(&self, pairs: &[Candidate]) -> Vec<f32> {
        let row = |id: u32| {
            let i = self
                .ids
                .binary_search(&id)
                .expect("every pair's texts were embedded");
            &self.vectors[i * self.dim..(i + 1) * self.dim]
        };
        pairs.iter().map(|p| dot(row(p.a), row(p.b))).collect()
    }
}

/// The cosine of each pair under `model`, embedding only the texts that are in a pair; and how
/// many texts that was.
pub(crate) fn reference_similarities(
    registry: &EncoderRegistry,
    model: &str,
    pairs: &[Candidate],
    texts: &[String],
) -> Result<(Vec<f32>, usize), ScrapeError> {
    let embedded = PairTexts::embed(registry, model, pairs, texts)?;
    Ok((embedded.cosines(pairs), embedded.ids.len()))
}
