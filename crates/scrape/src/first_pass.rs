//! The int8 first passes: a model's int8 import (`NAME-int8`) does the bulk of the embedding,
//! and the model itself only what decides the outputs, so they stay exactly the f32 model's
//! whenever the int8 import strays less than the margin (checked on every run and reported).

use lookalike_encode::import::INT8_SUFFIX;
use lookalike_encode::EncoderRegistry;
use lookalike_pairs::{Candidate, PairRule};

use crate::report::FirstPassReport;
use crate::run::{embed, reference_similarities, search, PairTexts, ScrapeError};
use crate::{ScrapeOptions, ScrapeReport, REFERENCE_INT8_MARGIN};

/// The pairs above `threshold`, found by the int8 import `first` above `threshold - margin`,
/// then decided by the target on the texts of those candidates alone. The second search sees
/// every pair among those texts, so it returns exactly the pairs (and similarities) of a
/// one-pass scrape, unless the int8 model strays by more than the margin.
#[allow(clippy::too_many_arguments)]
pub(crate) fn target_two_pass(
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
    let embedded = PairTexts::embed(registry, target, &candidates, texts)?;
    // How far the int8 model strayed on the pairs it proposed: the check that its margin held
    // with room on this corpus (the report names it, and warns when it comes close).
    let strayed = candidates
        .iter()
        .zip(embedded.cosines(&candidates))
        .map(|(p, exact)| (p.target_sim - exact).abs())
        .fold(0.0f32, f32::max);
    report.first_pass = Some(FirstPassReport {
        model: first.to_string(),
        margin,
        candidates: candidates.len(),
        texts: embedded.ids.len(),
        strayed,
    });
    if embedded.ids.len() < 2 {
        return Ok(Vec::new());
    }
    let mut found = search(
        registry,
        &embedded.vectors,
        embedded.dim,
        threshold,
        options,
        report,
    )?;
    // Back to corpus indices: `ids` is sorted, so a < b still holds.
    for pair in &mut found {
        pair.a = embedded.ids[pair.a as usize];
        pair.b = embedded.ids[pair.b as usize];
    }
    Ok(found)
}

/// The reference cosine of each pair: exact (the model's own) for every pair the reference
/// could flag (by the rule with its int8 cosine less the margin, the rule being monotone in the
/// reference cosine) or that is returned anyway; the int8 import's elsewhere, where the exact
/// value would flag nothing either and is never shown.
#[allow(clippy::too_many_arguments)]
pub(crate) fn reference_two_pass(
    registry: &EncoderRegistry,
    model: &str,
    first: &str,
    pairs: &[Candidate],
    texts: &[String],
    rule: &PairRule,
    returned_anyway: &[bool],
    report: &mut ScrapeReport,
) -> Result<Vec<f32>, ScrapeError> {
    let margin = REFERENCE_INT8_MARGIN;
    let (mut sims, _) = reference_similarities(registry, first, pairs, texts)?;
    registry.release(first);
    let exact: Vec<usize> = (0..pairs.len())
        .filter(|&i| {
            returned_anyway[i]
                || rule
                    .judge(pairs[i].target_sim, Some(sims[i] - margin))
                    .is_failure()
        })
        .collect();
    let subset: Vec<Candidate> = exact.iter().map(|&i| pairs[i]).collect();
    let (precise, embedded) = reference_similarities(registry, model, &subset, texts)?;
    let mut strayed = 0.0f32;
    for (&i, &r) in exact.iter().zip(&precise) {
        strayed = strayed.max((sims[i] - r).abs());
        sims[i] = r;
    }
    report.reference_texts = embedded;
    report.reference_first_pass = Some(FirstPassReport {
        model: first.to_string(),
        margin,
        candidates: exact.len(),
        texts: embedded,
        strayed,
    });
    Ok(sims)
}

/// Whether the cache holds `model`'s vector of every one of `texts`.
pub(crate) fn all_cached<'a>(
    registry: &EncoderRegistry,
    model: &str,
    texts: impl Iterator<Item = &'a String>,
) -> Result<bool, ScrapeError> {
    let texts: Vec<&str> = texts.map(String::as_str).collect();
    Ok(registry.all_cached(model, &texts)?)
}

/// A model's int8 import, when one is installed from the same checkpoint.
pub(crate) fn int8_sibling(registry: &EncoderRegistry, model: &str) -> Option<String> {
    let name = format!("{model}{INT8_SUFFIX}");
    let models = registry.models();
    let (f32_model, int8_model) = (models.open(model).ok()?, models.open(&name).ok()?);
    let origin = |m: &lookalike_encode::ModelDir| {
        let source = m.manifest.source.as_ref()?;
        Some((
            source.get("checkpoint")?.clone(),
            source.get("config")?.clone(),
        ))
    };
    (origin(&f32_model)? == origin(&int8_model)?).then_some(name)
}
