//! Benchmark of the pair search on seeded synthetic clustered unit vectors.
//!
//! For one (rows, dim) it reports: HNSW build and adaptive self-join time, its recall against
//! the exact search, peak RSS, and the exact blocked search time (measured in full, or
//! extrapolated from a random sample of row blocks). With `--npy` it writes the vectors for the
//! NumPy peer (`bench/pairs/numpy_peer.py`, MultiMon's 1,024-row block matmul) and with
//! `--peer` runs it in the same process tree and prints the ratio.
//!
//! ```text
//! cargo run --release -p lookalike-pairs --example bench_search -- \
//!     --rows 100000 --dim 384 --exact sample --npy /tmp/v.npy --peer bench/pairs/numpy_peer.py
//! ```
//! Run one configuration per process: the peak RSS is the process's.

use std::collections::HashSet;
use std::io::Write;
use std::process::Command;
use std::time::Instant;

use lookalike_pairs::synth::{clustered_unit_vectors, ClusteredSpec};
use lookalike_pairs::{
    exact_pairs_for_rows, find_pairs_with_report, Candidate, HnswParams, Method, Quantization,
    SearchOptions,
};

/// Rows per sampled block of the exact search.
const SAMPLE_BLOCK: usize = 128;

struct Args {
    rows: usize,
    dim: usize,
    threshold: f32,
    seed: u64,
    exact: String,
    sample_blocks: usize,
    npy: Option<String>,
    peer: Option<String>,
    peer_blocks: usize,
    quantization: Quantization,
    threads: usize,
    hnsw: bool,
    params: HnswParams,
    initial_k: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        rows: 100_000,
        dim: 384,
        threshold: 0.9,
        seed: 1,
        exact: "auto".into(),
        sample_blocks: 48,
        npy: None,
        peer: None,
        peer_blocks: 8,
        quantization: Quantization::F32,
        threads: 0,
        hnsw: true,
        params: HnswParams::default(),
        initial_k: SearchOptions::default().initial_k,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => args.rows = value().parse().expect("--rows"),
            "--dim" => args.dim = value().parse().expect("--dim"),
            "--threshold" => args.threshold = value().parse().expect("--threshold"),
            "--seed" => args.seed = value().parse().expect("--seed"),
            "--exact" => args.exact = value(), // full | sample | none | auto
            "--sample-blocks" => args.sample_blocks = value().parse().expect("--sample-blocks"),
            "--npy" => args.npy = Some(value()),
            "--peer" => args.peer = Some(value()),
            "--peer-blocks" => args.peer_blocks = value().parse().expect("--peer-blocks"),
            "--threads" => args.threads = value().parse().expect("--threads"),
            "--no-hnsw" => args.hnsw = false,
            "--connectivity" => args.params.connectivity = value().parse().expect("--connectivity"),
            "--expansion-add" => {
                args.params.expansion_add = value().parse().expect("--expansion-add")
            }
            "--expansion-search" => {
                args.params.expansion_search = value().parse().expect("--expansion-search")
            }
            "--closure-max-rows" => {
                args.params.closure_max_rows = value().parse().expect("--closure-max-rows")
            }
            "--initial-k" => args.initial_k = value().parse().expect("--initial-k"),
            "--quantization" => {
                args.quantization = match value().as_str() {
                    "f32" => Quantization::F32,
                    "f16" => Quantization::F16,
                    "i8" => Quantization::I8,
                    other => panic!("--quantization: expected f32, f16 or i8, got {other:?}"),
                }
            }
            other => panic!("unknown flag {other:?}"),
        }
    }
    if args.exact == "auto" {
        args.exact = if args.rows <= 100_000 {
            "full"
        } else {
            "sample"
        }
        .into();
    }
    args
}

/// Peak resident set size of this process so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Writes a row-major f32 matrix as NumPy `.npy` (format 1.0, little-endian).
fn write_npy(path: &str, data: &[f32], rows: usize, dim: usize) -> std::io::Result<()> {
    let mut header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"\x93NUMPY\x01\x00")?;
    f.write_all(&(header.len() as u16).to_le_bytes())?;
    f.write_all(header.as_bytes())?;
    for chunk in data.chunks(1 << 16) {
        let bytes: Vec<u8> = chunk.iter().flat_map(|x| x.to_le_bytes()).collect();
        f.write_all(&bytes)?;
    }
    f.flush()
}

fn main() {
    let args = parse_args();
    let (n, dim, t) = (args.rows, args.dim, args.threshold);
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
            .unwrap();
    }
    let threads = rayon::current_num_threads();
    println!(
        "config: rows={n} dim={dim} threshold={t} seed={} threads={threads} quantization={:?} \
         initial_k={} {:?}",
        args.seed, args.quantization, args.initial_k, args.params
    );

    let started = Instant::now();
    let vectors = clustered_unit_vectors(&ClusteredSpec::new(n, dim, args.seed));
    println!(
        "data: generated {:.1} MiB in {:.2}s",
        (n * dim * 4) as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.npy {
        write_npy(path, &vectors, n, dim).expect("writing the .npy file");
        println!("data: wrote {path}");
    }
    let rss_data = peak_rss_mib();

    // HNSW: build plus adaptive self-join.
    let mut hnsw_pairs: Vec<Candidate> = Vec::new();
    let mut hnsw_s = f64::NAN;
    if args.hnsw {
        let opts = SearchOptions {
            method: Method::Hnsw,
            quantization: args.quantization,
            initial_k: args.initial_k,
            hnsw: args.params,
            ..SearchOptions::default()
        };
        let started = Instant::now();
        let (pairs, report) = find_pairs_with_report(&vectors, dim, t, &opts).expect("hnsw search");
        hnsw_s = started.elapsed().as_secs_f64();
        let stats = report.hnsw.expect("hnsw stats");
        println!(
            "hnsw: {:.2}s total (build {:.2}s, join {:.2}s), {} pairs, searches={} rows_regrown={} \
             max_k={} concurrent_pairs={} orphans={} components_completed={} pairs_added_by_closure={}, peak RSS {:.0} MiB \
             (vectors alone {:.0} MiB)",
            hnsw_s,
            stats.build_time.as_secs_f64(),
            stats.join_time.as_secs_f64(),
            pairs.len(),
            stats.searches,
            stats.rows_regrown,
            stats.max_k,
            stats.concurrent_pairs,
            stats.orphans,
            stats.components_completed,
            stats.pairs_added_by_closure,
            peak_rss_mib(),
            rss_data
        );
        hnsw_pairs = pairs;
    }

    // Exact: in full, or on a random sample of row blocks, extrapolated by pair count.
    let total_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    let (exact_s, truth, truth_rows): (f64, Vec<Candidate>, Option<HashSet<u32>>) =
        match args.exact.as_str() {
            "full" => {
                let opts = SearchOptions {
                    method: Method::Exact,
                    ..SearchOptions::default()
                };
                let started = Instant::now();
                let (pairs, _) = find_pairs_with_report(&vectors, dim, t, &opts).expect("exact");
                let s = started.elapsed().as_secs_f64();
                println!(
                    "exact: {s:.2}s measured over all {n} rows, {} pairs",
                    pairs.len()
                );
                (s, pairs, None)
            }
            "sample" => {
                let blocks = n.div_ceil(SAMPLE_BLOCK);
                let mut state = args.seed ^ 0x5EED;
                let mut chosen = HashSet::new();
                while chosen.len() < args.sample_blocks.min(blocks) {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    chosen.insert(((state >> 33) % blocks as u64) as usize);
                }
                let mut chosen: Vec<usize> = chosen.into_iter().collect();
                chosen.sort_unstable();
                // All sampled blocks at once, so every core is busy, as in a full run.
                let ranges: Vec<std::ops::Range<usize>> = chosen
                    .iter()
                    .map(|&b| b * SAMPLE_BLOCK..((b + 1) * SAMPLE_BLOCK).min(n))
                    .collect();
                let work: f64 = ranges
                    .iter()
                    .flat_map(|r| r.clone())
                    .map(|i| (n - 1 - i) as f64)
                    .sum();
                let rows: HashSet<u32> = ranges
                    .iter()
                    .flat_map(|r| r.clone())
                    .map(|i| i as u32)
                    .collect();
                let started = Instant::now();
                let pairs: Vec<Candidate> = {
                    use rayon::prelude::*;
                    ranges
                        .into_par_iter()
                        .map(|r| exact_pairs_for_rows(&vectors, dim, r, t).expect("exact rows"))
                        .collect::<Vec<_>>()
                        .concat()
                };
                let secs = started.elapsed().as_secs_f64();
                let estimate = secs * total_pairs / work;
                println!(
                    "exact: {estimate:.1}s EXTRAPOLATED from {} sampled rows ({:.3}% of the pairs) \
                     measured in {secs:.2}s",
                    rows.len(),
                    100.0 * work / total_pairs
                );
                (estimate, pairs, Some(rows))
            }
            _ => (f64::NAN, Vec::new(), None),
        };

    if args.hnsw && args.exact != "none" {
        let in_scope = |c: &Candidate| truth_rows.as_ref().is_none_or(|rows| rows.contains(&c.a));
        let truth_set: HashSet<(u32, u32)> = truth.iter().map(|c| (c.a, c.b)).collect();
        let found: Vec<&Candidate> = hnsw_pairs.iter().filter(|c| in_scope(c)).collect();
        let hits = found
            .iter()
            .filter(|c| truth_set.contains(&(c.a, c.b)))
            .count();
        let recall = hits as f64 / truth_set.len().max(1) as f64;
        if std::env::var_os("BENCH_DIAGNOSE").is_some() {
            let found_set: HashSet<(u32, u32)> = found.iter().map(|c| (c.a, c.b)).collect();
            let mut degree = std::collections::HashMap::<u32, usize>::new();
            for c in &truth {
                *degree.entry(c.a).or_default() += 1;
                *degree.entry(c.b).or_default() += 1;
            }
            for c in truth
                .iter()
                .filter(|c| !found_set.contains(&(c.a, c.b)))
                .take(20)
            {
                println!(
                    "missed: ({}, {}) sim {} degree {} / {}",
                    c.a, c.b, c.target_sim, degree[&c.a], degree[&c.b]
                );
            }
        }
        println!(
            "recall: {recall:.5} ({hits} of {} exact pairs{}), {} HNSW pairs not in the exact set",
            truth_set.len(),
            if truth_rows.is_some() {
                " with a in the sampled rows"
            } else {
                ""
            },
            found.len() - hits
        );
    }
    println!("peak RSS: {:.0} MiB", peak_rss_mib());

    if let (Some(peer), Some(npy)) = (&args.peer, &args.npy) {
        let mut cmd = Command::new("python3");
        cmd.arg(peer).arg(npy).arg("--threshold").arg(t.to_string());
        if args.exact == "sample" {
            cmd.arg("--sample-blocks").arg(args.peer_blocks.to_string());
        }
        let out = cmd.output().expect("running the NumPy peer");
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        let peer_s: Option<f64> = text
            .lines()
            .find_map(|l| l.strip_prefix("numpy_seconds="))
            .and_then(|v| v.split_whitespace().next()?.parse().ok());
        if let Some(peer_s) = peer_s {
            println!(
                "ratio: numpy peer / rust exact = {:.2}x, numpy peer / rust hnsw = {:.2}x",
                peer_s / exact_s,
                peer_s / hnsw_s
            );
        }
    }
    println!(
        "row: | {n} | {dim} | {hnsw_s:.1} | {exact_s:.1}{} | {:.0} |",
        if args.exact == "sample" {
            " (extrapolated)"
        } else {
            ""
        },
        peak_rss_mib()
    );
}
