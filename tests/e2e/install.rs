//! An installed `lookalike` works from any directory: runtime, models and WordNet come from the
//! XDG data home, the cache goes to the XDG cache home, and nothing is made in the working
//! directory.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{has_model, root};

/// Runs the binary in `cwd` with a user's environment: no LOOKALIKE_* variable, HOME at `home`.
fn as_user(home: &Path, cwd: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lookalike"));
    for var in [
        "LOOKALIKE_HOME",
        "LOOKALIKE_MODELS",
        "LOOKALIKE_CACHE",
        "LOOKALIKE_WORDNET",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "HF_HOME",
        "HF_HUB_CACHE",
    ] {
        command.env_remove(var);
    }
    command
        .args(args)
        .env("HOME", home)
        .current_dir(cwd)
        .output()
        .expect("running lookalike")
}

/// A user's home whose data home holds the checkout's installed runtime, WordNet and minilm.
fn user_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join(".local/share/lookalike");
    std::fs::create_dir_all(data.join("models")).unwrap();
    let link = |from: &Path, to: &Path| {
        if from.exists() {
            std::os::unix::fs::symlink(from, to).unwrap();
        }
    };
    let installed = root().join(".lookalike");
    link(&installed.join("python"), &data.join("python"));
    link(&installed.join("wordnet"), &data.join("wordnet"));
    link(&root().join("models/minilm"), &data.join("models/minilm"));
    home
}

#[test]
fn works_from_any_directory_with_xdg_homes() {
    if !has_model("minilm") {
        return;
    }
    let home = user_home();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = as_user(
        home.path(),
        elsewhere.path(),
        &[
            "--format",
            "csv",
            "-c",
            "SELECT round(cosine_sim(embed('minilm', 'a dog'), embed('minilm', 'a puppy')), 2) AS s",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let sim: f64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(sim > 0.5 && sim < 1.0, "dog ~ puppy under minilm: {sim}");
    let cache = home.path().join(".cache/lookalike");
    assert!(
        cache.read_dir().is_ok_and(|mut d| d.next().is_some()),
        "the embeddings are cached under ~/.cache/lookalike"
    );
    assert_eq!(
        elsewhere.path().read_dir().unwrap().count(),
        0,
        "nothing is written to the working directory"
    );

    let list = as_user(home.path(), elsewhere.path(), &["model", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("minilm"));

    // setup finds what is installed in the data home and says where.
    let setup = as_user(
        home.path(),
        elsewhere.path(),
        &["setup", "--only", "minilm"],
    );
    let said = String::from_utf8_lossy(&setup.stderr);
    assert!(setup.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "minilm: already installed at {}",
            home.path()
                .join(".local/share/lookalike/models/minilm")
                .display()
        )),
        "{said}"
    );
}

#[test]
fn a_hugging_face_name_is_read_from_the_local_hub_cache() {
    let Some(clip) = crate::common::shared("fixtures/tiny-clip") else {
        return;
    };
    let home = user_home();
    let snapshot = home
        .path()
        .join(".cache/huggingface/hub/models--lookalike--tiny-clip/snapshots/0123abc");
    std::fs::create_dir_all(&snapshot).unwrap();
    for file in std::fs::read_dir(&clip).unwrap() {
        let file = file.unwrap().path();
        std::os::unix::fs::symlink(&file, snapshot.join(file.file_name().unwrap())).unwrap();
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let out = as_user(
        home.path(),
        elsewhere.path(),
        &["model", "import", "lookalike/tiny-clip"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let imported = home.path().join(".local/share/lookalike/models/tiny-clip");
    assert!(imported.join("model.onnx").is_file(), "{stderr}");

    let missing = as_user(
        home.path(),
        elsewhere.path(),
        &["model", "import", "openai/clip-vit-large-patch14"],
    );
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success());
    assert!(
        err.contains("models--openai--clip-vit-large-patch14") && err.contains("downloads nothing"),
        "{err}"
    );
}
