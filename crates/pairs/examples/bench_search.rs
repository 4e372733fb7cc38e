//! Benchmark of the pair search on seeded synthetic clustered unit vectors, or on real
//! embeddings read from a `.npy` file (`--load-npy`, e.g. COCO captions under minilm).
//!
//! For one (rows, dim) it reports: HNSW build and adaptive self-join time for each storage type
//! asked for (`--quantization f32,f16,i8`), its recall against the exact search, peak RSS, and
//! the exact blocked search time (measured in full, or extrapolated from a random sample of row
//! blocks). With `--npy` it writes the vectors for the NumPy peer (`bench/pairs/numpy_peer.py`,
//! MultiMon's 1,024-row block matmul) and with `--peer` runs it in the same process tree and
//! prints the ratio peer ÷ each method; `--load-npy` hands its file to the peer.
//!
//! ```text
//! cargo run --release -p lookalike-pairs --example bench_search -- \
//!     --rows 100000 --dim 384 --exact sample --npy /tmp/v.npy --peer bench/pairs/numpy_peer.py
//! cargo run --release -p lookalike-pairs --example bench_search -- \
//!     --load-npy /tmp/coco_minilm.npy --quantization f32,f16,i8 --peer bench/pairs/numpy_peer.py
//! ```
//! Run one configuration per process: the peak RSS is the process's. Between stages the peak
//! is reset (`/proc/self/clear_refs`), so each stage's peak is its own plus what is resident
//! when it starts (the vectors).

use std::collections::HashSet;
use std::io::Write;
use std::process::Command;
use std::time::Instant;

use lookalike_pairs::synth::{clustered_unit_vectors, ClusteredSpec};
use lookalike_pairs::{
    exact_pairs_for_rows, find_pairs_with_report, Candidate, HnswParams, IvfParams, Method,
    Quantization, SearchOptions,
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
    load_npy: Option<String>,
    peer: Option<String>,
    peer_blocks: usize,
    quantizations: Vec<Quantization>,
    threads: usize,
    hnsw: bool,
    params: HnswParams,
    initial_k: usize,
    ivf_probes: Vec<usize>,
    ivf: IvfParams,
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
        load_npy: None,
        peer: None,
        peer_blocks: 8,
        quantizations: vec![Quantization::F32],
        threads: 0,
        hnsw: true,
        params: HnswParams::default(),
        initial_k: SearchOptions::default().initial_k,
        ivf_probes: Vec::new(),
        ivf: IvfParams::default(),
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
            "--load-npy" => args.load_npy = Some(value()),
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
            "--ivf-probes" => {
                args.ivf_probes = value()
                    .split(',')
                    .map(|p| p.trim().parse().expect("--ivf-probes"))
                    .collect()
            }
            "--cells" => args.ivf.cells = value().parse().expect("--cells"),
            "--train-iterations" => {
                args.ivf.train_iterations = value().parse().expect("--train-iterations")
            }
            "--quantization" => {
                args.quantizations = value()
                    .split(',')
                    .map(|q| match q.trim() {
                        "f32" => Quantization::F32,
                        "f16" => Quantization::F16,
                        "i8" => Quantization::I8,
                        other => panic!("--quantization: expected f32, f16 or i8, got {other:?}"),
                    })
                    .collect()
            }
            other => panic!("unknown flag {other:?}"),
        }
    }
    if args.load_npy.is_some() && args.npy.is_some() {
        panic!("--load-npy and --npy exclude each other: the peer reads the --load-npy file");
    }
    if let Some(path) = &args.load_npy {
        let (_, rows, dim) = npy_shape(path);
        (args.rows, args.dim) = (rows, dim);
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
    status_mib("VmHWM:")
}

/// Resident set size of this process now, in MiB (Linux `VmRSS`).
fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Resets this process's peak RSS to its current RSS (Linux ≥ 4.0); false if it could not.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Parses a `.npy` header: the data offset, rows and columns of a C-order `<f4` 2-D array.
fn npy_header(bytes: &[u8], path: &str) -> (usize, usize, usize) {
    assert!(
        bytes.len() >= 10 && &bytes[..6] == b"\x93NUMPY",
        "{path}: not a .npy file"
    );
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => (
            u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize,
            12,
        ),
        v => panic!("{path}: .npy version {v} not supported"),
    };
    let header = std::str::from_utf8(&bytes[start..start + len]).expect("npy header");
    assert!(
        header.contains("'descr': '<f4'"),
        "{path}: expected little-endian float32 ('<f4'), header {header}"
    );
    assert!(
        header.contains("'fortran_order': False"),
        "{path}: expected C order, header {header}"
    );
    let shape = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("{path}: no shape in header {header}"));
    let dims: Vec<usize> = shape
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("npy shape"))
        .collect();
    assert!(
        dims.len() == 2,
        "{path}: expected a 2-D array, shape ({shape})"
    );
    (start + len, dims[0], dims[1])
}

/// Data offset, rows and columns of a `.npy` file, from its header alone.
fn npy_shape(path: &str) -> (usize, usize, usize) {
    use std::io::Read;
    let mut head = vec![0u8; 1 << 16];
    let mut f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]).expect("reading the .npy header") {
            0 => break,
            k => got += k,
        }
    }
    npy_header(&head[..got], path)
}

/// Reads a C-order little-endian f32 2-D `.npy` file as a flat row-major buffer.
/// Reads in 1 MiB chunks, so that the peak RSS is the vectors, not the file twice over.
fn read_npy(path: &str) -> (Vec<f32>, usize, usize) {
    use std::io::{Read, Seek, SeekFrom};
    let (offset, rows, dim) = npy_shape(path);
    let mut f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let len = f.metadata().expect("npy metadata").len() as usize;
    assert_eq!(
        len - offset,
        rows * dim * 4,
        "{path}: data size does not match the shape"
    );
    f.seek(SeekFrom::Start(offset as u64)).expect("npy seek");
    let mut vectors = Vec::with_capacity(rows * dim);
    let mut chunk = vec![0u8; 1 << 20];
    while vectors.len() < rows * dim {
        let want = ((rows * dim - vectors.len()) * 4).min(chunk.len());
        f.read_exact(&mut chunk[..want])
            .expect("reading the .npy data");
        vectors.extend(
            chunk[..want]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap())),
        );
    }
    (vectors, rows, dim)
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
        args.seed, args.quantizations, args.initial_k, args.params
    );

    let started = Instant::now();
    let vectors = if let Some(path) = &args.load_npy {
        let (vectors, rows, d) = read_npy(path);
        assert_eq!((rows, d), (n, dim));
        println!(
            "data: read {:.1} MiB from {path} in {:.2}s",
            (n * dim * 4) as f64 / 1048576.0,
            started.elapsed().as_secs_f64()
        );
        vectors
    } else {
        let vectors = clustered_unit_vectors(&ClusteredSpec::new(n, dim, args.seed));
        println!(
            "data: generated {:.1} MiB in {:.2}s",
            (n * dim * 4) as f64 / 1048576.0,
            started.elapsed().as_secs_f64()
        );
        vectors
    };
    if let Some(path) = &args.npy {
        write_npy(path, &vectors, n, dim).expect("writing the .npy file");
        println!("data: wrote {path}");
    }
    let rss_data = rss_mib();
    let per_stage_rss = reset_peak_rss();
    if !per_stage_rss {
        println!("note: cannot reset the peak RSS; each stage's peak includes the stages before");
    }

    // HNSW: build plus adaptive self-join, once per storage type.
    // (quantization, seconds, pairs, peak RSS MiB)
    let mut runs: Vec<(String, f64, Vec<Candidate>, f64)> = Vec::new();
    for &quantization in if args.hnsw {
        &args.quantizations[..]
    } else {
        &[]
    } {
        reset_peak_rss();
        let opts = SearchOptions {
            method: Method::Hnsw,
            quantization,
            initial_k: args.initial_k,
            hnsw: args.params,
            ..SearchOptions::default()
        };
        let started = Instant::now();
        let (pairs, report) = find_pairs_with_report(&vectors, dim, t, &opts).expect("hnsw search");
        let hnsw_s = started.elapsed().as_secs_f64();
        let stats = report.hnsw.expect("hnsw stats");
        let rss = peak_rss_mib();
        println!(
            "hnsw {quantization:?}: {:.2}s total (build {:.2}s, join {:.2}s), {} pairs, searches={} rows_regrown={} \
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
            rss,
            rss_data
        );
        let label = format!("HNSW {}", format!("{quantization:?}").to_lowercase());
        runs.push((label, hnsw_s, pairs, rss));
    }
    // Partitioned (IVF) search, once per probe count.
    for &probes in &args.ivf_probes {
        reset_peak_rss();
        let opts = SearchOptions {
            method: Method::Ivf,
            ivf: IvfParams { probes, ..args.ivf },
            ..SearchOptions::default()
        };
        let started = Instant::now();
        let (pairs, report) = find_pairs_with_report(&vectors, dim, t, &opts).expect("ivf search");
        let secs = started.elapsed().as_secs_f64();
        let stats = report.ivf.expect("ivf stats");
        let rss = peak_rss_mib();
        println!(
            "ivf probes={probes}: {secs:.2}s total (train {:.2}s, assign {:.2}s, join {:.2}s), {} pairs, \
             cells={} largest_cell={} dot_products={} ({:.3}% of all pairs), exact_scored={}, \
             peak RSS {rss:.0} MiB",
            stats.train_time.as_secs_f64(),
            stats.assign_time.as_secs_f64(),
            stats.join_time.as_secs_f64(),
            pairs.len(),
            stats.cells,
            stats.largest_cell,
            stats.dot_products,
            100.0 * stats.dot_products as f64 / (n as f64 * (n as f64 - 1.0) / 2.0),
            stats.exact_scored,
        );
        runs.push((format!("IVF probes={probes}"), secs, pairs, rss));
    }
    reset_peak_rss();

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
                    "exact: {s:.2}s measured over all {n} rows, {} pairs, peak RSS {:.0} MiB",
                    pairs.len(),
                    peak_rss_mib()
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
                     measured in {secs:.2}s, peak RSS {:.0} MiB",
                    rows.len(),
                    100.0 * work / total_pairs,
                    peak_rss_mib()
                );
                (estimate, pairs, Some(rows))
            }
            _ => (f64::NAN, Vec::new(), None),
        };
    let exact_rss = peak_rss_mib();

    let mut recalls: Vec<f64> = vec![f64::NAN; runs.len()];
    for (run, (quantization, _, found_pairs, _)) in runs.iter().enumerate() {
        if args.exact == "none" {
            break;
        }
        let in_scope = |c: &Candidate| truth_rows.as_ref().is_none_or(|rows| rows.contains(&c.a));
        let truth_set: HashSet<(u32, u32)> = truth.iter().map(|c| (c.a, c.b)).collect();
        let found: Vec<&Candidate> = found_pairs.iter().filter(|c| in_scope(c)).collect();
        let hits = found
            .iter()
            .filter(|c| truth_set.contains(&(c.a, c.b)))
            .count();
        let recall = hits as f64 / truth_set.len().max(1) as f64;
        recalls[run] = recall;
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
                    "missed by {quantization}: ({}, {}) sim {} degree {} / {}",
                    c.a, c.b, c.target_sim, degree[&c.a], degree[&c.b]
                );
            }
        }
        println!(
            "recall {quantization}: {recall:.5} ({hits} of {} exact pairs{}), {} found pairs not \
             in the exact set",
            truth_set.len(),
            if truth_rows.is_some() {
                " with a in the sampled rows"
            } else {
                ""
            },
            found.len() - hits
        );
    }
    if !per_stage_rss {
        println!("peak RSS: {:.0} MiB", peak_rss_mib());
    }

    let mut peer_s: Option<f64> = None;
    let mut peer_rss: Option<f64> = None;
    let mut peer_pairs: Option<usize> = None;
    if let (Some(peer), Some(npy)) = (&args.peer, args.load_npy.as_ref().or(args.npy.as_ref())) {
        let mut cmd = Command::new("python3");
        cmd.arg(peer).arg(npy).arg("--threshold").arg(t.to_string());
        if args.threads > 0 {
            // The same thread count for the peer's BLAS as for the Rust searches.
            for var in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] {
                cmd.env(var, args.threads.to_string());
            }
        }
        if args.exact == "sample" {
            cmd.arg("--sample-blocks").arg(args.peer_blocks.to_string());
        }
        let out = cmd.output().expect("running the NumPy peer");
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next().map(str::to_owned))
        };
        peer_s = field("numpy_seconds=").and_then(|v| v.parse().ok());
        peer_rss = field("numpy_peak_rss_mib=").and_then(|v| v.parse().ok());
        peer_pairs = text
            .lines()
            .find_map(|l| l.strip_prefix("numpy_seconds="))
            .and_then(|l| {
                l.split(", ")
                    .nth(1)?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            });
        if let Some(peer_s) = peer_s {
            let mut ratios = format!("ratio: numpy peer / rust exact = {:.2}x", peer_s / exact_s);
            for (q, s, _, _) in &runs {
                ratios += &format!(", numpy peer / rust {q} = {:.2}x", peer_s / s);
            }
            println!("{ratios}");
        }
        if let Some(p) = peer_pairs {
            if args.exact == "full" && p != truth.len() {
                println!(
                    "note: the NumPy peer found {p} pairs, the exact search {}",
                    truth.len()
                );
            }
        }
    }

    // The results as a Markdown table.
    let extrapolated = if args.exact == "sample" {
        " (extrapolated)"
    } else {
        ""
    };
    let fmt_rss = |r: f64| format!("{r:.0} MiB");
    let ratio = |s: f64| peer_s.map_or("—".to_owned(), |p| format!("{:.2}×", p / s));
    println!("\ntable ({n} × {dim}, threshold {t}, {threads} threads):");
    println!("| method | time s | pairs | recall vs exact | peak RSS | NumPy peer ÷ method |");
    println!("| --- | --- | --- | --- | --- | --- |");
    if args.exact != "none" {
        println!(
            "| lookalike exact | {exact_s:.2}{extrapolated} | {} | 1 (reference) | {} | {} |",
            truth.len(),
            fmt_rss(exact_rss),
            ratio(exact_s)
        );
    }
    for ((q, s, pairs, rss), recall) in runs.iter().zip(&recalls) {
        println!(
            "| lookalike {q} | {s:.2} | {} | {recall:.5} | {} | {} |",
            pairs.len(),
            fmt_rss(*rss),
            ratio(*s)
        );
    }
    if let Some(p) = peer_s {
        println!(
            "| NumPy peer (1,024-row block × all) | {p:.2}{extrapolated} | {} | — | {} | 1× |",
            peer_pairs.map_or("—".to_owned(), |p| p.to_string()),
            peer_rss.map_or("—".to_owned(), fmt_rss)
        );
    }
    let hnsw_s = runs.first().map_or(f64::NAN, |r| r.1);
    let peak = runs
        .iter()
        .map(|r| r.3)
        .fold(exact_rss.max(rss_data), f64::max);
    println!("row: | {n} | {dim} | {hnsw_s:.1} | {exact_s:.1}{extrapolated} | {peak:.0} |");
}
