//! `\h`: the SQL functions' documentation, from the one registry in `lookalike_sql::docs`.

use anyhow::{bail, Result};

/// The list of functions, or one function's full record.
pub fn functions(name: Option<&str>) -> Result<String> {
    let all = lookalike_sql::docs::all();
    let Some(name) = name else {
        return Ok(all
            .iter()
            .map(|(n, d)| format!("{n:<14} {}\n", d.syntax_example))
            .collect());
    };
    let Some((_, doc)) = all.iter().find(|(n, _)| *n == name) else {
        bail!("no lookalike function '{name}' (\\h lists them)");
    };
    let mut text = format!("{}\n\n{}\n", doc.syntax_example, doc.description);
    for (arg, what) in doc.arguments.iter().flatten() {
        text.push_str(&format!("  {arg}: {what}\n"));
    }
    if let Some(example) = &doc.sql_example {
        text.push_str(&format!("\nExample:\n  {example}\n"));
    }
    Ok(text)
}
