//! Completing the components of an approximate pair graph exactly.
//!
//! An HNSW self-join misses a few pairs, and which ones depends on how threads interleaved
//! while the graph was built. The components of the found-pair graph are far more stable than
//! its edges: a missed edge inside a clique-like cluster does not split it. Scoring every pair
//! inside each component exactly therefore restores the missed pairs there and makes the
//! output independent of which of the component's edges were found. It never adds a pair
//! that is not above the threshold.

use rayon::prelude::*;

use super::exact::exact_pairs;
use super::Candidate;

/// The pairs above `threshold` among the rows of each component of `found` (sorted by
/// `(a, b)`, free of duplicates) with at most `max_rows` rows; larger components keep their
/// found pairs. Returns the pairs sorted by `(a, b)` and the number of components completed.
pub(crate) fn complete_components(
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    found: Vec<Candidate>,
    max_rows: usize,
) -> (Vec<Candidate>, usize) {
    let n = vectors.len() / dim;
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for c in &found {
        union(&mut parent, c.a, c.b);
    }
    // (root, row) for every row in a pair, grouped by root, rows ascending.
    let mut members: Vec<(u32, u32)> = found
        .iter()
        .flat_map(|c| [c.a, c.b])
        .map(|r| (find(&mut parent, r), r))
        .collect();
    members.par_sort_unstable();
    members.dedup();
    let mut size = vec![0u32; n];
    for &(root, _) in &members {
        size[root as usize] += 1;
    }
    // Components of 2 rows hold one pair, already found; too large ones keep what was found.
    let completable = |root: u32| {
        let s = size[root as usize] as usize;
        s > 2 && s <= max_rows
    };
    let components: Vec<Vec<u32>> = members
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|group| completable(group[0].0))
        .map(|group| group.iter().map(|&(_, r)| r).collect())
        .collect();

    let mut out: Vec<Candidate> = components
        .par_iter()
        .flat_map_iter(|rows| {
            let local: Vec<f32> = rows
                .iter()
                .flat_map(|&r| &vectors[r as usize * dim..(r as usize + 1) * dim])
                .copied()
                .collect();
            // Rows are ascending, so local a < b maps to global a < b.
            exact_pairs(&local, dim, 0..rows.len(), threshold)
                .into_iter()
                .map(|c| Candidate {
                    a: rows[c.a as usize],
                    b: rows[c.b as usize],
                    target_sim: c.target_sim,
                })
        })
        .collect();
    out.extend(
        found
            .into_iter()
            .filter(|c| !completable(find_readonly(&parent, c.a))),
    );
    out.par_sort_unstable_by_key(|c| (c.a, c.b));
    (out, components.len())
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

fn find_readonly(parent: &[u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        x = parent[x as usize];
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The smaller root wins, so the structure does not depend on edge order.
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi as usize] = lo;
    }
}

#[cfg(test)]
mod tests {
    use super::complete_components;
    use crate::search::kernel::dot;
    use crate::Candidate;

    /// Rows 0..3 close together (a triangle above 0.9), rows 3..5 another pair, row 5 alone.
    fn rows() -> Vec<f32> {
        let unit = |x: f32, y: f32| {
            let n = (x * x + y * y).sqrt();
            [x / n, y / n, 0.0]
        };
        let mut v = Vec::new();
        for r in [unit(1.0, 0.0), unit(1.0, 0.1), unit(1.0, 0.2)] {
            v.extend(r);
        }
        v.extend([0.0, 0.0, 1.0, 0.0, 0.1, 0.995]);
        v.extend([0.0, 1.0, 0.0]);
        v
    }

    fn pair(v: &[f32], a: u32, b: u32) -> Candidate {
        let row = |r: u32| &v[r as usize * 3..(r as usize + 1) * 3];
        Candidate {
            a,
            b,
            target_sim: dot(row(a), row(b)),
        }
    }

    #[test]
    fn restores_missed_pairs_inside_a_component_only() {
        let v = rows();
        // Found: two of the triangle's three edges, and the other pair. (0, 2) was missed.
        let found = vec![pair(&v, 0, 1), pair(&v, 1, 2), pair(&v, 3, 4)];
        let (out, completed) = complete_components(&v, 3, 0.9, found.clone(), 16);
        assert_eq!(completed, 1);
        assert_eq!(
            out,
            vec![
                pair(&v, 0, 1),
                pair(&v, 0, 2),
                pair(&v, 1, 2),
                pair(&v, 3, 4)
            ]
        );
        // Any spanning subset of the triangle gives the same output.
        let other = vec![pair(&v, 0, 2), pair(&v, 1, 2), pair(&v, 3, 4)];
        assert_eq!(complete_components(&v, 3, 0.9, other, 16).0, out);
        // Components larger than the limit keep what was found.
        let (capped, completed) = complete_components(&v, 3, 0.9, found.clone(), 2);
        assert_eq!((capped, completed), (found, 0));
    }
}
