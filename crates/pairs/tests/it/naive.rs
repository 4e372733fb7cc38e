//! The O(n²) reference: the rule applied to every pair, nothing clever.

use lookalike_pairs::{dot, sort_candidates, Candidate};

/// Every pair `i < j` with `dot > threshold`, sorted like the crate's output.
pub fn naive_pairs(vectors: &[f32], dim: usize, threshold: f32) -> Vec<Candidate> {
    let n = vectors.len() / dim;
    let row = |r: usize| &vectors[r * dim..(r + 1) * dim];
    let mut out = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let sim = dot(row(i), row(j));
            if sim > threshold {
                out.push(Candidate {
                    a: i as u32,
                    b: j as u32,
                    target_sim: sim,
                });
            }
        }
    }
    sort_candidates(&mut out);
    out
}
