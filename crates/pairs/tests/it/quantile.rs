//! Quantile thresholds: deterministic for a seed, exact when every pair fits in the sample.

use lookalike_pairs::synth::{clustered_unit_vectors, ClusteredSpec};
use lookalike_pairs::{dot, sample_similarity_quantile, PairsError};

#[test]
fn deterministic_for_a_seed_and_stable_across_seeds() {
    let vectors = clustered_unit_vectors(&ClusteredSpec::new(3_000, 64, 9));
    let q = |seed| sample_similarity_quantile(&vectors, 64, 0.99, 200_000, seed).unwrap();
    assert_eq!(q(1).to_bits(), q(1).to_bits());
    // Same run through a different pool size: same bits.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| q(1)).to_bits(), q(1).to_bits());
    assert_ne!(q(1).to_bits(), q(2).to_bits());
    assert!((q(1) - q(2)).abs() < 0.02, "{} vs {}", q(1), q(2));
}

#[test]
fn all_pairs_give_numpy_linear_quantile() {
    let vectors = clustered_unit_vectors(&ClusteredSpec::new(40, 16, 3));
    let rows: Vec<&[f32]> = vectors.chunks_exact(16).collect();
    let mut sims: Vec<f64> = (0..40)
        .flat_map(|i| (i + 1..40).map(move |j| (i, j)))
        .map(|(i, j)| f64::from(dot(rows[i], rows[j])))
        .collect();
    sims.sort_by(f64::total_cmp);
    assert_eq!(sims.len(), 780);
    for q in [0.0, 0.25, 0.5, 0.9, 0.999, 1.0] {
        let h = (sims.len() - 1) as f64 * q;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(sims.len() - 1);
        let expected = (sims[lo] + (h - lo as f64) * (sims[hi] - sims[lo])) as f32;
        let got = sample_similarity_quantile(&vectors, 16, q, 10_000, 0).unwrap();
        assert_eq!(got, expected.clamp(-1.0, 1.0), "q = {q}");
    }
}

#[test]
fn bad_arguments_are_errors() {
    let v = [1.0f32, 0.0, 0.0, 1.0];
    assert_eq!(
        sample_similarity_quantile(&v, 2, 1.5, 10, 0)
            .unwrap_err()
            .to_string(),
        "quantile q = 1.5 is out of range: expected a value in [0, 1]"
    );
    assert!(matches!(
        sample_similarity_quantile(&v, 2, 0.5, 0, 0),
        Err(PairsError::ZeroCount { .. })
    ));
    assert!(matches!(
        sample_similarity_quantile(&v[..2], 2, 0.5, 10, 0),
        Err(PairsError::TooFewVectors { rows: 1, .. })
    ));
}
