//! Approximate all-pairs search: a usearch HNSW index and an adaptive-k self-join.
//!
//! Every row is added to an HNSW index (cosine metric, the chosen quantization) from all
//! threads, then every row searches for its `k` nearest neighbours. While a row's `k`-th
//! neighbour is still above the threshold (less a slack covering quantisation error), some
//! neighbour above it may be missing, so `k` doubles and the row searches again, up to `n - 1`.
//! Each neighbour is rescored exactly with [`dot`] on the original f32 rows: thresholds apply
//! to exact cosines, never to quantised distances. A pair found from either end is kept once.
//! Rows that their own search does not return are unreachable in the graph; they are paired
//! among themselves, or when many, get an index of their own that every row searches again. Pairs of rows inserted at the same moment by
//! different threads are checked exactly. Finally each small component of the found-pair graph
//! is scored exactly ([`super::closure`]), which restores missed pairs inside it and makes the
//! output much less dependent on thread interleaving during the build.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::closure::complete_components;
use super::exact::exact_pairs;
use super::kernel::dot;
use super::{Candidate, HnswParams, Quantization};
use crate::PairsError;

/// Counts from one adaptive self-join, for tuning and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HnswStats {
    /// Wall time to build the indexes (the main one and any orphan levels).
    pub build_time: Duration,
    /// Wall time of everything else: searches, exact rescoring, orphans, closure.
    pub join_time: Duration,
    /// Searches run in all (first searches plus re-searches with a larger `k`).
    pub searches: usize,
    /// Rows that needed at least one re-search.
    pub rows_regrown: usize,
    /// The largest `k` any row searched with.
    pub max_k: usize,
    /// Components of the found-pair graph scored exactly (see [`HnswParams::closure_max_rows`]).
    pub components_completed: usize,
    /// Pairs those components held that the searches had missed.
    pub pairs_added_by_closure: usize,
    /// Pairs of rows whose insertions overlapped in time, checked exactly.
    pub concurrent_pairs: usize,
    /// Rows their own search did not return in the main index (unreachable there); they get an
    /// index of their own that every row searches again.
    pub orphans: usize,
}

impl Quantization {
    fn scalar_kind(self) -> ScalarKind {
        match self {
            Quantization::F32 => ScalarKind::F32,
            Quantization::F16 => ScalarKind::F16,
            Quantization::I8 => ScalarKind::I8,
        }
    }

    /// How far below the threshold the `k`-th neighbour's exact similarity must be before the
    /// search stops growing `k`: twice the worst error of the quantised similarity that ranks
    /// neighbours, so no unreturned row can still be above the threshold. The F16 and I8 values
    /// are conservative estimates for unit vectors, not measured bounds.
    fn slack(self) -> f32 {
        match self {
            Quantization::F32 => 1e-4,
            Quantization::F16 => 4e-3,
            Quantization::I8 => 5e-2,
        }
    }
}

/// Orphan indexes after the main one, at most; orphans left after the last are paired
/// exactly among themselves.
const MAX_ORPHAN_LEVELS: usize = 2;
/// Orphan sets up to this size are paired exactly among themselves instead of getting an
/// index that every row searches (which costs another pass of `n` searches).
const ORPHAN_EXACT_MAX_ROWS: usize = 20_000;

/// Builds the index and runs the adaptive self-join on the current rayon pool, then the
/// orphan levels and the component closure. Returns the pairs `i < j` with
/// `dot > threshold`, sorted by `(a, b)` and free of duplicates.
///
/// Orphans are rows that their own search does not return: they sit in parts of the graph
/// that searches cannot reach (a tight cluster whose links all point inward, or rows whose
/// neighbours were inserted by another thread at the same moment). A pair with an orphan may
/// be found by neither end. A few orphans are paired exactly among themselves; many (more than
/// [`ORPHAN_EXACT_MAX_ROWS`], a sign of a poorly navigable graph) get an index of their own that
/// every row searches again, and orphans of that index another, up to [`MAX_ORPHAN_LEVELS`].
pub(crate) fn hnsw_pairs(
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    quantization: Quantization,
    initial_k: usize,
    params: &HnswParams,
) -> Result<(Vec<Candidate>, HnswStats), PairsError> {
    let n = vectors.len() / dim;
    let mut stats = HnswStats::default();
    if n < 2 {
        return Ok((Vec::new(), stats));
    }
    let row = |r: u32| &vectors[r as usize * dim..(r as usize + 1) * dim];
    let mut all = Vec::new();
    let mut members: Vec<u32> = (0..n as u32).collect();
    for level in 0..=MAX_ORPHAN_LEVELS {
        if members.len() < 2 {
            break;
        }
        if level == MAX_ORPHAN_LEVELS || (level > 0 && members.len() <= ORPHAN_EXACT_MAX_ROWS) {
            let started = Instant::now();
            let local: Vec<f32> = members.iter().flat_map(|&r| row(r)).copied().collect();
            all.extend(
                exact_pairs(&local, dim, 0..members.len(), threshold)
                    .into_iter()
                    .map(|c| Candidate {
                        a: members[c.a as usize],
                        b: members[c.b as usize],
                        ..c
                    }),
            );
            stats.join_time += started.elapsed();
            break;
        }
        let started = Instant::now();
        let (index, concurrent) = build_index(vectors, dim, &members, quantization, params)?;
        stats.build_time += started.elapsed();
        let started = Instant::now();
        // Every row searches each level's index: members find each other, and the other rows
        // find the members they could not reach before.
        let (pairs, orphans, level_stats) = join_against(
            &index,
            &members,
            vectors,
            dim,
            threshold,
            quantization,
            initial_k,
        )?;
        drop(index);
        all.extend(pairs);
        stats.concurrent_pairs += concurrent.len();
        all.par_extend(concurrent.into_par_iter().filter_map(|(a, b)| {
            let sim = dot(row(a), row(b));
            (sim > threshold).then_some(Candidate {
                a,
                b,
                target_sim: sim,
            })
        }));
        stats.searches += level_stats.searches;
        stats.rows_regrown += level_stats.rows_regrown;
        stats.max_k = stats.max_k.max(level_stats.max_k);
        if level == 0 {
            stats.orphans = orphans.len();
        }
        stats.join_time += started.elapsed();
        members = orphans;
    }
    let started = Instant::now();
    all.par_sort_unstable_by_key(|c| (c.a, c.b));
    all.dedup_by_key(|c| (c.a, c.b));
    let found = all.len();
    let (all, completed) =
        complete_components(vectors, dim, threshold, all, params.closure_max_rows);
    stats.components_completed = completed;
    stats.pairs_added_by_closure = all.len() - found;
    stats.join_time += started.elapsed();
    Ok((all, stats))
}

/// Every row of `vectors` searches `index`, whose key `p` is row `members[p]`, with adaptive
/// `k`; each neighbour is rescored exactly. Returns the pairs above the threshold (possibly
/// twice, once from each end), the members that their own search did not return, and counts.
fn join_against(
    index: &Index,
    members: &[u32],
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    quantization: Quantization,
    initial_k: usize,
) -> Result<(Vec<Candidate>, Vec<u32>, HnswStats), PairsError> {
    let n = vectors.len() / dim;
    let m = members.len();
    let row = |r: usize| &vectors[r * dim..(r + 1) * dim];
    let is_member = |i: usize| m == n || members.binary_search(&(i as u32)).is_ok();
    let per_row: Vec<RowResult> = (0..n)
        .into_par_iter()
        .with_min_len(64)
        .map(|i| {
            let member = is_member(i);
            // Neighbours other than the row itself that the index can hold.
            let most = if member { m - 1 } else { m };
            let mut k = initial_k.min(most);
            let mut searches = 0;
            loop {
                searches += 1;
                // One more than k: the row itself is usually among the results.
                let found = index.search(row(i), k + 1).map_err(usearch_err(format!(
                    "searching the neighbours of row {i} (k = {k})"
                )))?;
                let mut pairs = Vec::new();
                let mut min_sim = f32::INFINITY;
                let mut others = 0;
                let mut saw_self = false;
                for &key in &found.keys {
                    let j = members[key as usize] as usize;
                    if j == i {
                        saw_self = true;
                        continue;
                    }
                    others += 1;
                    let sim = dot(row(i), row(j));
                    min_sim = min_sim.min(sim);
                    if sim > threshold {
                        let (a, b) = if i < j { (i, j) } else { (j, i) };
                        pairs.push(Candidate {
                            a: a as u32,
                            b: b as u32,
                            target_sim: sim,
                        });
                    }
                }
                let full = others >= k;
                if full && k < most && min_sim > threshold - quantization.slack() {
                    k = (k * 2).min(most);
                    continue;
                }
                return Ok(RowResult {
                    pairs,
                    searches,
                    k,
                    orphan: member && !saw_self,
                });
            }
        })
        .collect::<Result<_, PairsError>>()?;

    let mut stats = HnswStats::default();
    let mut pairs = Vec::new();
    let mut orphans = Vec::new();
    for (i, r) in per_row.into_iter().enumerate() {
        stats.searches += r.searches;
        stats.rows_regrown += usize::from(r.searches > 1);
        stats.max_k = stats.max_k.max(r.k);
        if r.orphan {
            orphans.push(i as u32);
        }
        pairs.extend(r.pairs);
    }
    Ok((pairs, orphans, stats))
}

/// One row's share of a join.
struct RowResult {
    pairs: Vec<Candidate>,
    searches: usize,
    k: usize,
    orphan: bool,
}

/// Maps a usearch exception to [`PairsError::Usearch`] naming the stage.
fn usearch_err<E: std::fmt::Display>(stage: String) -> impl FnOnce(E) -> PairsError {
    move |e| PairsError::Usearch {
        stage,
        message: e.to_string(),
    }
}

/// A usearch index holding row `members[p]` under key `p`, filled from all pool threads, and
/// the pairs of rows whose insertions overlapped in time.
///
/// Two rows inserted at the same moment by different threads do not see each other: neither
/// search finds the other, so neither links to it. For rows that are close to each other and
/// far from the rest, nothing else leads from one to the other, and both searches miss the
/// pair. Each insertion therefore takes a ticket from a shared counter when it starts and when
/// it ends; rows whose ticket intervals overlap are returned for exact checking. There are
/// only about `threads` such partners per row.
fn build_index(
    vectors: &[f32],
    dim: usize,
    members: &[u32],
    quantization: Quantization,
    params: &HnswParams,
) -> Result<(Index, Vec<(u32, u32)>), PairsError> {
    let n = members.len();
    let options = IndexOptions {
        dimensions: dim,
        metric: MetricKind::Cos,
        // usearch defaults to BF16; always say what we mean.
        quantization: quantization.scalar_kind(),
        connectivity: params.connectivity,
        expansion_add: params.expansion_add,
        expansion_search: params.expansion_search,
        multi: false,
    };
    let index = Index::new(&options).map_err(usearch_err("creating the index".into()))?;
    index
        .reserve_capacity_and_threads(n, rayon::current_num_threads())
        .map_err(usearch_err(format!("reserving room for {n} rows")))?;
    let ticket = AtomicU64::new(0);
    let mut spans: Vec<(u64, u64, u32)> = (0..n)
        .into_par_iter()
        .with_min_len(64)
        .map(|p| {
            let i = members[p] as usize;
            let start = ticket.fetch_add(1, Ordering::SeqCst);
            index
                .add(p as u64, &vectors[i * dim..(i + 1) * dim])
                .map_err(usearch_err(format!("adding row {i}")))?;
            let end = ticket.fetch_add(1, Ordering::SeqCst);
            Ok((start, end, i as u32))
        })
        .collect::<Result<_, PairsError>>()?;
    spans.par_sort_unstable();
    let mut concurrent = Vec::new();
    for (x, &(_, end, a)) in spans.iter().enumerate() {
        for &(start, _, b) in spans[x + 1..]
            .iter()
            .take_while(|(start, _, _)| *start < end)
        {
            let _ = start;
            concurrent.push((a.min(b), a.max(b)));
        }
    }
    Ok((index, concurrent))
}
