//! Loading lexicons: the embedded lists, an edited copy, and errors that name file and line.

use std::path::PathBuf;

use lookalike_taxonomy::{FailureKind, Lexicon, LexiconError, LEXICON_FILES};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/lexicon")
}

fn copy_to_temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lookalike-taxonomy-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in LEXICON_FILES {
        std::fs::copy(data_dir().join(f), dir.join(f)).expect("copy lexicon file");
    }
    dir
}

#[test]
fn embedded_lists_parse_and_match_the_data_directory() {
    crate::with_wordnet();
    let embedded = Lexicon::embedded().expect("embedded lexicon");
    assert!(embedded.entry_count() > 1500, "{}", embedded.entry_count());
    let from_dir = Lexicon::from_dir(data_dir()).expect("data/lexicon loads");
    assert_eq!(from_dir.entry_count(), embedded.entry_count());
}

#[test]
fn an_edited_copy_changes_the_verdicts() {
    crate::with_wordnet();
    let dir = copy_to_temp("edit");
    let (a, b) = ("a dog near a glorp", "a dog near a blarg");
    assert_eq!(
        Lexicon::builtin().failure_kind(a, b).kind,
        FailureKind::Other
    );
    let objects = std::fs::read_to_string(dir.join("objects.txt")).expect("read");
    std::fs::write(
        dir.join("objects.txt"),
        format!("{objects}\nglorp|blarg # invented things\n"),
    )
    .expect("write");
    let lex = Lexicon::from_dir(&dir).expect("edited copy loads");
    assert_eq!(lex.failure_kind(a, b).kind, FailureKind::Object);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn errors_name_the_file_and_line() {
    crate::with_wordnet();
    let dir = copy_to_temp("bad");
    std::fs::write(
        dir.join("spatial.txt"),
        "left|right\n# fine\nabove||below\n",
    )
    .expect("write");
    let err = Lexicon::from_dir(&dir).expect_err("empty alternative");
    assert!(
        matches!(err, LexiconError::Syntax { line: 3, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("spatial.txt:3") && msg.contains("empty alternative"),
        "{msg}"
    );

    std::fs::write(dir.join("spatial.txt"), "left|right\n").expect("write");
    std::fs::write(dir.join("plurals.txt"), "man|men\nmouse|mice|mouses\n").expect("write");
    let msg = Lexicon::from_dir(&dir)
        .expect_err("three forms")
        .to_string();
    assert!(
        msg.contains("plurals.txt:2") && msg.contains("singular|plural"),
        "{msg}"
    );

    std::fs::write(dir.join("plurals.txt"), "man|men\n").expect("write");
    std::fs::write(
        dir.join("colors.txt"),
        "red\none two three four five six seven\n",
    )
    .expect("write");
    let msg = Lexicon::from_dir(&dir).expect_err("too long").to_string();
    assert!(
        msg.contains("colors.txt:2") && msg.contains("six words"),
        "{msg}"
    );

    std::fs::remove_file(dir.join("colors.txt")).expect("remove");
    let err = Lexicon::from_dir(&dir).expect_err("missing file");
    assert!(matches!(err, LexiconError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("colors.txt"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}
