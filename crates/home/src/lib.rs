//! Where lookalike keeps its files, so that a `lookalike` installed anywhere (`cargo install
//! --path crates/cli`) finds them from any directory.
//!
//! | what | first of |
//! | --- | --- |
//! | [`data_home`]: ONNX Runtime (`python/`), WordNet (`wordnet/`), file digests | `$LOOKALIKE_HOME`, `$XDG_DATA_HOME/lookalike`, `~/.local/share/lookalike` |
//! | [`models_dir`] | `$LOOKALIKE_MODELS`, `<data home>/models` |
//! | [`cache_home`]: embeddings and LLM answers | `$LOOKALIKE_CACHE`, `$LOOKALIKE_HOME/cache`, `$XDG_CACHE_HOME/lookalike`, `~/.cache/lookalike` |
//! | [`history_file`]: the SQL shell's history | `$LOOKALIKE_HOME/history`, `$XDG_STATE_HOME/lookalike/history`, `~/.local/state/lookalike/history` |
//! | [`hf_hub_dir`]: Hugging Face checkpoints, read only | `$HF_HUB_CACHE`, `$HF_HOME/hub`, `$XDG_CACHE_HOME/huggingface/hub`, `~/.cache/huggingface/hub` |
//!
//! A set `$LOOKALIKE_HOME` keeps everything, cache included, under one folder: the test command
//! points it into the checkout so that tests never touch the user's own install. Flags
//! (`--models`, `--cache`) override all of these. As the XDG specification asks, a relative
//! `XDG_*` value is ignored.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment a lookup reads: a function so tests can supply one without touching the
/// process's own (which is shared by every thread of a test binary).
pub trait Env {
    /// The variable's value, `None` when unset or empty.
    fn var(&self, name: &str) -> Option<OsString>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name).filter(|v| !v.is_empty())
    }
}

impl<F: Fn(&str) -> Option<OsString>> Env for F {
    fn var(&self, name: &str) -> Option<OsString> {
        self(name).filter(|v| !v.is_empty())
    }
}

/// lookalike's data home: ONNX Runtime, models, WordNet and remembered digests.
pub fn data_home() -> PathBuf {
    data_home_in(&ProcessEnv)
}

/// The models directory.
pub fn models_dir() -> PathBuf {
    models_dir_in(&ProcessEnv)
}

/// The cache of embeddings (one folder per model identity) and LLM answers (`llm/`).
pub fn cache_home() -> PathBuf {
    cache_home_in(&ProcessEnv)
}

/// The local Hugging Face hub cache (`models--ORG--NAME/snapshots/REV/…`), read, never written.
pub fn hf_hub_dir() -> PathBuf {
    hf_hub_dir_in(&ProcessEnv)
}

/// The SQL shell's history of statements.
pub fn history_file() -> PathBuf {
    history_file_in(&ProcessEnv)
}

/// [`history_file`] under the environment `env`.
pub fn history_file_in(env: &impl Env) -> PathBuf {
    match env.var("LOOKALIKE_HOME") {
        Some(home) => PathBuf::from(home).join("history"),
        None => xdg(env, "XDG_STATE_HOME", ".local/state")
            .join("lookalike")
            .join("history"),
    }
}

/// [`data_home`] under the environment `env`.
pub fn data_home_in(env: &impl Env) -> PathBuf {
    if let Some(home) = env.var("LOOKALIKE_HOME") {
        return PathBuf::from(home);
    }
    xdg(env, "XDG_DATA_HOME", ".local/share").join("lookalike")
}

/// [`models_dir`] under the environment `env`.
pub fn models_dir_in(env: &impl Env) -> PathBuf {
    env.var("LOOKALIKE_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| data_home_in(env).join("models"))
}

/// [`cache_home`] under the environment `env`.
pub fn cache_home_in(env: &impl Env) -> PathBuf {
    if let Some(cache) = env.var("LOOKALIKE_CACHE") {
        return PathBuf::from(cache);
    }
    if let Some(home) = env.var("LOOKALIKE_HOME") {
        return PathBuf::from(home).join("cache");
    }
    xdg(env, "XDG_CACHE_HOME", ".cache").join("lookalike")
}

/// [`hf_hub_dir`] under the environment `env`.
pub fn hf_hub_dir_in(env: &impl Env) -> PathBuf {
    if let Some(hub) = env.var("HF_HUB_CACHE") {
        return PathBuf::from(hub);
    }
    if let Some(hf_home) = env.var("HF_HOME") {
        return PathBuf::from(hf_home).join("hub");
    }
    xdg(env, "XDG_CACHE_HOME", ".cache")
        .join("huggingface")
        .join("hub")
}

/// `$VAR` when absolute, else `$HOME/fallback`; without a home, `./.lookalike-home/fallback`
/// (a container with no `HOME` still gets a predictable place, named so nobody mistakes it).
fn xdg(env: &impl Env, var: &str, fallback: &str) -> PathBuf {
    if let Some(dir) = env.var(var).map(PathBuf::from).filter(|p| p.is_absolute()) {
        return dir;
    }
    match env.var("HOME") {
        Some(home) => PathBuf::from(home).join(fallback),
        None => PathBuf::from(".lookalike-home").join(fallback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Env {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn xdg_defaults_under_home() {
        let e = env(&[("HOME", "/home/ann")]);
        assert_eq!(
            data_home_in(&e),
            PathBuf::from("/home/ann/.local/share/lookalike")
        );
        assert_eq!(
            models_dir_in(&e),
            PathBuf::from("/home/ann/.local/share/lookalike/models")
        );
        assert_eq!(
            cache_home_in(&e),
            PathBuf::from("/home/ann/.cache/lookalike")
        );
        assert_eq!(
            hf_hub_dir_in(&e),
            PathBuf::from("/home/ann/.cache/huggingface/hub")
        );
        assert_eq!(
            history_file_in(&e),
            PathBuf::from("/home/ann/.local/state/lookalike/history")
        );
    }

    #[test]
    fn xdg_variables_win_when_absolute_only() {
        let e = env(&[
            ("HOME", "/home/ann"),
            ("XDG_DATA_HOME", "/data"),
            ("XDG_CACHE_HOME", "relative/cache"),
        ]);
        assert_eq!(data_home_in(&e), PathBuf::from("/data/lookalike"));
        assert_eq!(
            cache_home_in(&e),
            PathBuf::from("/home/ann/.cache/lookalike")
        );
    }

    #[test]
    fn lookalike_home_keeps_everything_in_one_folder() {
        let e = env(&[("HOME", "/home/ann"), ("LOOKALIKE_HOME", "/srv/ll")]);
        assert_eq!(data_home_in(&e), PathBuf::from("/srv/ll"));
        assert_eq!(models_dir_in(&e), PathBuf::from("/srv/ll/models"));
        assert_eq!(cache_home_in(&e), PathBuf::from("/srv/ll/cache"));
    }

    #[test]
    fn specific_variables_beat_the_home() {
        let e = env(&[
            ("LOOKALIKE_HOME", "/srv/ll"),
            ("LOOKALIKE_MODELS", "/m"),
            ("LOOKALIKE_CACHE", "/c"),
            ("HF_HOME", "/hf"),
        ]);
        assert_eq!(models_dir_in(&e), PathBuf::from("/m"));
        assert_eq!(cache_home_in(&e), PathBuf::from("/c"));
        assert_eq!(hf_hub_dir_in(&e), PathBuf::from("/hf/hub"));
        let e = env(&[("HF_HUB_CACHE", "/hub"), ("HF_HOME", "/hf")]);
        assert_eq!(hf_hub_dir_in(&e), PathBuf::from("/hub"));
    }

    #[test]
    fn empty_values_count_as_unset() {
        let e = env(&[("HOME", "/h"), ("LOOKALIKE_HOME", "")]);
        assert_eq!(data_home_in(&e), PathBuf::from("/h/.local/share/lookalike"));
    }
}
