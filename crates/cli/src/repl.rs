//! The interactive shell: statements end with `;`, history kept between sessions, Tab completes
//! keywords, tables and functions, and `\` commands as in psql (`.mode` as in DuckDB).

use std::borrow::Cow;
use std::collections::BTreeSet;

use anyhow::{bail, Result};
use clap::ValueEnum;
use datafusion::prelude::SessionContext;
use lookalike_sql::Lookalike;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::args::Format;
use crate::shell::{render_error, run_sql, Printer};

/// Words completed besides tables and functions: the SQL people type most.
const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "LEFT JOIN",
    "INNER JOIN",
    "ON",
    "USING",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS NULL",
    "IS NOT NULL",
    "LIKE",
    "ILIKE",
    "BETWEEN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "DISTINCT",
    "COUNT",
    "UNION ALL",
    "WITH",
    "CREATE TABLE",
    "CREATE OR REPLACE TABLE",
    "CREATE VIEW",
    "DROP TABLE",
    "COPY",
    "TO",
    "DESCRIBE",
    "EXPLAIN",
    "EXPLAIN ANALYZE",
    "SHOW TABLES",
    "SHOW FUNCTIONS",
    "SET",
    "VALUES",
    "DESC",
    "ASC",
    "NULLS LAST",
    "TRUE",
    "FALSE",
    "NULL",
    "CAST",
    "INTERVAL",
];

/// The shell's meta commands, for `\?` and completion.
const META: &str = "\\q quit · \\d list tables · \\d NAME describe a table · \\h list lookalike's functions · \\h NAME describe one · \\mode [table|csv|tsv|json|ndjson|markdown] (or .mode) output format";

/// Runs the shell until `\q` or end of input.
pub async fn repl(session: &Lookalike, printer: &Printer) -> Result<()> {
    let mut printer = printer.clone();
    let mut editor: Editor<SqlHelper, DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(SqlHelper {
        ctx: session.ctx().clone(),
    }));
    let history = lookalike_home::history_file();
    // No history yet, or an unreadable one, starts empty; the shell still works.
    let _ = editor.load_history(&history);
    let mut buffer = String::new();
    eprintln!("lookalike SQL shell: end statements with ';', Tab completes, \\? for commands, \\q to quit");
    loop {
        let prompt = if buffer.is_empty() {
            "lookalike> "
        } else {
            "       ..> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => {
                buffer.clear();
                continue;
            }
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let trimmed = line.trim();
        if buffer.is_empty() && (trimmed.starts_with('\\') || trimmed.starts_with(".mode")) {
            let _ = editor.add_history_entry(trimmed);
            match meta_command(session, trimmed, &mut printer).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => eprintln!("error: {}", render_error(&e)),
            }
            continue;
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if trimmed.ends_with(';') {
            let _ = editor.add_history_entry(buffer.trim());
            if let Err(e) = run_sql(session, &buffer, &printer).await {
                eprintln!("error: {}", render_error(&e));
            }
            buffer.clear();
        }
    }
    if let Some(dir) = history.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = editor.save_history(&history) {
        eprintln!("note: history not saved to {}: {e}", history.display());
    }
    Ok(())
}

/// Handles `\q`, `\d [NAME]`, `\h [NAME]`, `\mode [FORMAT]` and `\?`; returns true to quit.
async fn meta_command(session: &Lookalike, command: &str, printer: &mut Printer) -> Result<bool> {
    let mut words = command.split_whitespace();
    let (verb, rest) = (words.next(), words.collect::<Vec<_>>().join(" "));
    let arg = Some(rest.as_str()).filter(|r| !r.is_empty());
    match (verb, arg) {
        (Some("\\q"), _) => return Ok(true),
        (Some("\\d"), None) => {
            let tables = "SELECT table_name, table_type FROM information_schema.tables \
                          WHERE table_schema <> 'information_schema' ORDER BY table_name";
            run_sql(session, tables, printer).await?
        }
        (Some("\\d"), Some(name)) => {
            let name = name.trim_end_matches(';');
            let exact = datafusion::common::TableReference::bare(name);
            if session.ctx().table_exist(exact).unwrap_or(false) {
                run_sql(session, &format!("DESCRIBE {}", quoted(name)), printer).await?
            } else {
                bail!("no table '{name}' (\\d lists them)")
            }
        }
        (Some("\\h"), name) => print!("{}", crate::help::functions(name)?),
        (Some("\\mode" | ".mode"), None) => println!("{}", format_name(printer.format)),
        (Some("\\mode" | ".mode"), Some(name)) => {
            printer.format = match Format::from_str(name.trim_end_matches(';'), true) {
                Ok(Format::Parquet) => bail!("parquet needs a file: use COPY … TO 'file.parquet'"),
                Ok(format) => format,
                Err(_) => {
                    bail!("no output format '{name}': table, csv, tsv, json, ndjson or markdown")
                }
            }
        }
        _ => println!("{META}"),
    }
    Ok(false)
}

fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// A table name as a SQL identifier, quoted so any name passes through unchanged.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Completes SQL keywords, the session's tables and its functions, as they are at the moment.
struct SqlHelper {
    ctx: SessionContext,
}

impl SqlHelper {
    fn words(&self) -> BTreeSet<String> {
        let mut words: BTreeSet<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
        for catalog in self.ctx.catalog_names() {
            let Some(catalog) = self.ctx.catalog(&catalog) else {
                continue;
            };
            for schema in catalog.schema_names() {
                if let Some(schema) = catalog.schema(&schema) {
                    words.extend(schema.table_names());
                }
            }
        }
        let state = self.ctx.state();
        words.extend(state.scalar_functions().keys().cloned());
        words.extend(state.aggregate_functions().keys().cloned());
        words.extend(state.window_functions().keys().cloned());
        words.extend(state.table_functions().keys().cloned());
        words
    }

    /// The completions of the word that ends at `pos`, and where it starts.
    fn completions(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let start = line[..pos]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &line[start..pos];
        if word.is_empty() {
            return (pos, Vec::new());
        }
        let lower = word.to_lowercase();
        let typed_lowercase = word.chars().all(|c| !c.is_uppercase());
        let found = self
            .words()
            .into_iter()
            .filter(|w| w.to_lowercase().starts_with(&lower) && w.len() > word.len())
            // Keywords follow the case the user types in.
            .map(
                |w| match KEYWORDS.contains(&w.as_str()) && typed_lowercase {
                    true => w.to_lowercase(),
                    false => w,
                },
            )
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        (start, found)
    }
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = self.completions(line, pos);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Borrowed(line)
    }
}

impl Validator for SqlHelper {}

impl Helper for SqlHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn completes_keywords_tables_and_functions() {
        let session = Lookalike::new(lookalike_sql::LookalikeConfig {
            no_cache: true,
            ..Default::default()
        });
        session
            .ctx()
            .sql("CREATE TABLE production_logs AS SELECT 1 AS x")
            .await
            .unwrap();
        let helper = SqlHelper {
            ctx: session.ctx().clone(),
        };
        let (start, words) = helper.completions("SELECT * FROM prod", 18);
        assert_eq!((start, words), (14, vec!["production_logs".to_string()]));
        let (_, words) = helper.completions("sel", 3);
        assert_eq!(words, ["select"], "keywords follow the typed case");
        let (_, words) = helper.completions("SELECT lookalike_p", 18);
        assert_eq!(words, ["lookalike_pairs"]);
        let (_, words) = helper.completions("SELECT emb", 10);
        assert!(words.contains(&"embed".to_string()), "{words:?}");
        assert!(helper.completions("SELECT ", 7).1.is_empty());
    }

    #[test]
    fn table_names_are_quoted_whole() {
        assert_eq!(quoted(r#"my "odd" table"#), r#""my ""odd"" table""#);
    }
}
