//! Exact and HNSW search return exactly the naive set, including ties and near-threshold pairs.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use lookalike_pairs::{
    dot, find_pairs, IvfParams, Method, PairsError, Quantization, SearchOptions,
};

use crate::naive::naive_pairs;

fn normalize(v: &mut [f64]) {
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}

fn gaussian(rng: &mut StdRng, dim: usize) -> Vec<f64> {
    (0..dim)
        .map(|_| {
            let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}

/// Rows that mix: a few clusters with noise, exact duplicates (ties), and pairs built to have
/// cosine within 1e-6 of `threshold`. Returns the rows and the threshold.
fn synthetic(seed: u64, n: usize, dim: usize, threshold: f64) -> (Vec<f32>, f32) {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<Vec<f64>> = (0..3)
        .map(|_| {
            let mut c = gaussian(&mut rng, dim);
            normalize(&mut c);
            c
        })
        .collect();
    let mut rows: Vec<Vec<f64>> = Vec::with_capacity(n);
    while rows.len() < n {
        let kind = rng.random_range(0..4);
        let row = match kind {
            // Exact duplicate of an earlier row: ties.
            0 if !rows.is_empty() => rows[rng.random_range(0..rows.len())].clone(),
            // Partner of an earlier row at cosine threshold + δ, |δ| ≤ 1e-6.
            1 if !rows.is_empty() && dim >= 2 => {
                let base = rows[rng.random_range(0..rows.len())].clone();
                let mut w = gaussian(&mut rng, dim);
                let along = w.iter().zip(&base).map(|(x, y)| x * y).sum::<f64>();
                w.iter_mut().zip(&base).for_each(|(x, y)| *x -= along * y);
                normalize(&mut w);
                let delta = [-1e-6, -3e-7, 0.0, 3e-7, 1e-6][rng.random_range(0..5)];
                let cos = (threshold + delta).clamp(-1.0, 1.0);
                let sin = (1.0 - cos * cos).sqrt();
                base.iter()
                    .zip(&w)
                    .map(|(b, x)| cos * b + sin * x)
                    .collect()
            }
            // A noisy member of a cluster.
            _ => {
                let c = &centres[rng.random_range(0..centres.len())];
                let noise = rng.random_range(0.0..0.5) / (dim as f64).sqrt();
                let mut v: Vec<f64> = c
                    .iter()
                    .zip(gaussian(&mut rng, dim))
                    .map(|(c, g)| c + noise * g)
                    .collect();
                normalize(&mut v);
                v
            }
        };
        rows.push(row);
    }
    let flat: Vec<f32> = rows.iter().flatten().map(|&x| x as f32).collect();
    (flat, threshold as f32)
}

fn options(method: Method) -> SearchOptions {
    // initial_k 2 forces the adaptive growth of k on most rows.
    SearchOptions {
        method,
        initial_k: 2,
        threads: 2,
        ..SearchOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn exact_and_hnsw_equal_naive(
        seed in any::<u64>(),
        n in 2usize..70,
        dim in 1usize..40,
        threshold in 0.5f64..0.98,
        on_a_pair in any::<bool>(),
    ) {
        let (vectors, mut threshold) = synthetic(seed, n, dim, threshold);
        if on_a_pair {
            // Put the threshold exactly on some pair's similarity: that pair must be left out.
            let mut rng = StdRng::seed_from_u64(seed ^ 1);
            let i = rng.random_range(0..n);
            let j = (i + 1 + rng.random_range(0..n - 1)) % n;
            threshold = dot(&vectors[i * dim..(i + 1) * dim], &vectors[j * dim..(j + 1) * dim])
                .clamp(-1.0, 1.0);
        }
        let expected = naive_pairs(&vectors, dim, threshold);
        let exact = find_pairs(&vectors, dim, threshold, &options(Method::Exact)).unwrap();
        prop_assert_eq!(&exact, &expected);
        let hnsw = find_pairs(&vectors, dim, threshold, &options(Method::Hnsw)).unwrap();
        prop_assert_eq!(&hnsw, &expected);
        // Probing every cell is exhaustive; the default probes find a subset, scored exactly.
        let every_cell = SearchOptions {
            ivf: IvfParams { probes: usize::MAX, ..IvfParams::default() },
            ..options(Method::Ivf)
        };
        prop_assert_eq!(&find_pairs(&vectors, dim, threshold, &every_cell).unwrap(), &expected);
        let ivf = find_pairs(&vectors, dim, threshold, &options(Method::Ivf)).unwrap();
        prop_assert!(ivf.iter().all(|c| expected.contains(c)));
        prop_assert!(expected.iter().all(|c| c.a < c.b && c.target_sim > threshold));
    }
}

#[test]
fn ties_and_threshold_boundary_are_exercised() {
    // Guard against the generator drifting into cases that never test anything.
    let (vectors, threshold) = synthetic(42, 60, 16, 0.8);
    let pairs = naive_pairs(&vectors, 16, threshold);
    assert!(
        pairs.iter().any(|c| c.target_sim >= 1.0 - 1e-6),
        "no duplicate pairs"
    );
    assert!(
        pairs.iter().any(|c| c.target_sim - threshold < 2e-6),
        "nothing near the threshold"
    );
    assert!(pairs.len() > 10);
}

#[test]
fn quantised_indexes_still_score_exactly() {
    let (vectors, threshold) = synthetic(7, 300, 32, 0.85);
    let expected = naive_pairs(&vectors, 32, threshold);
    for quantization in [Quantization::F16, Quantization::I8] {
        let opts = SearchOptions {
            quantization,
            ..options(Method::Hnsw)
        };
        let found = find_pairs(&vectors, 32, threshold, &opts).unwrap();
        // Every reported pair is a true pair with its exact score; recall may dip with I8.
        assert!(
            found.iter().all(|c| expected.contains(c)),
            "{quantization:?} invented a pair"
        );
        assert!(
            found.len() * 100 >= expected.len() * 99,
            "{quantization:?}: {} of {}",
            found.len(),
            expected.len()
        );
    }
}

#[test]
fn bad_inputs_are_errors_naming_the_problem() {
    let opts = SearchOptions::default();
    let msg = |e: PairsError| e.to_string();
    assert_eq!(
        msg(find_pairs(&[1.0, 0.0, 0.0], 2, 0.9, &opts).unwrap_err()),
        "vectors: buffer length 3 is not a multiple of the dimension 2"
    );
    assert!(
        msg(find_pairs(&[1.0, 0.0, 0.5, 0.5], 2, 0.9, &opts).unwrap_err())
            .starts_with("vectors: row 1 has L2 norm 0.70")
    );
    assert!(matches!(
        find_pairs(&[f32::NAN, 0.0], 2, 0.9, &opts),
        Err(PairsError::NotNormalized { row: 0, .. })
    ));
    assert_eq!(
        msg(find_pairs(&[1.0, 0.0], 2, 1.5, &opts).unwrap_err()),
        "search threshold = 1.5 is out of range: expected a value in [-1, 1]"
    );
    assert!(matches!(
        find_pairs(&[1.0], 0, 0.5, &opts),
        Err(PairsError::ZeroDimension)
    ));
    let zero_k = SearchOptions {
        initial_k: 0,
        ..opts
    };
    assert!(matches!(
        find_pairs(&[1.0], 1, 0.5, &zero_k),
        Err(PairsError::ZeroCount { .. })
    ));
    let zero_probes = SearchOptions {
        ivf: IvfParams {
            probes: 0,
            ..IvfParams::default()
        },
        ..SearchOptions::default()
    };
    assert_eq!(
        msg(find_pairs(&[1.0], 1, 0.5, &zero_probes).unwrap_err()),
        "SearchOptions.ivf.probes must be at least 1, got 0"
    );
    // No rows or one row: no pairs, no error.
    assert!(find_pairs(&[], 4, 0.5, &options(Method::Ivf))
        .unwrap()
        .is_empty());
    assert!(find_pairs(&[1.0], 1, 0.5, &options(Method::Ivf))
        .unwrap()
        .is_empty());
    assert!(find_pairs(&[], 4, 0.5, &options(Method::Hnsw))
        .unwrap()
        .is_empty());
    assert!(find_pairs(&[1.0], 1, 0.5, &options(Method::Hnsw))
        .unwrap()
        .is_empty());
}
