//! `${name}` and `${name:-default}` in SQL scripts, set with `-D name=value`, so the scripts in
//! sql/ run as they are (with their defaults) and the audit runs the same files per target.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

/// Variables by name.
pub type Vars = BTreeMap<String, String>;

/// Parses `-D` values (`name=value`).
pub fn parse(defines: &[String]) -> Result<Vars> {
    let mut vars = Vars::new();
    for define in defines {
        let Some((name, value)) = define.split_once('=') else {
            bail!("-D {define}: expected NAME=VALUE")
        };
        if !is_name(name) {
            bail!("-D {define}: '{name}' is not a variable name (letters, digits, _)");
        }
        vars.insert(name.to_string(), value.to_string());
    }
    Ok(vars)
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Replaces every `${name}` and `${name:-default}` of `sql`; `origin` names the script in errors.
pub fn substitute(sql: &str, vars: &Vars, origin: &str) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            let line = sql[..sql.len() - rest.len() + start].matches('\n').count() + 1;
            bail!("{origin}, line {line}: '${{' without a closing '}}'");
        };
        let body = &after[..end];
        let (name, default) = match body.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (body, None),
        };
        if !is_name(name) {
            bail!(
                "{origin}: '${{{body}}}' is not a variable (use ${{name}} or ${{name:-default}})"
            );
        }
        match (vars.get(name), default) {
            (Some(value), _) => out.push_str(value),
            (None, Some(default)) => out.push_str(default),
            (None, None) => bail!("{origin}: ${{{name}}} is not set; pass -D {name}=VALUE"),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_defaults_and_errors() {
        let vars = parse(&["target=clip".into(), "gap=0.25".into()]).unwrap();
        let sql = "SELECT '${target}', ${gap:-0.2}, '${reference:-mpnet}', '${empty:-}'";
        assert_eq!(
            substitute(sql, &vars, "x.sql").unwrap(),
            "SELECT 'clip', 0.25, 'mpnet', ''"
        );
        assert!(substitute("${missing}", &vars, "x.sql")
            .unwrap_err()
            .to_string()
            .contains("${missing} is not set; pass -D missing=VALUE"));
        assert!(substitute("a\n${oops", &vars, "x.sql")
            .unwrap_err()
            .to_string()
            .contains("x.sql, line 2"));
        assert!(parse(&["1x=2".into()]).is_err());
        assert!(parse(&["novalue".into()]).is_err());
        assert_eq!(
            substitute("no variables $ { }", &vars, "x").unwrap(),
            "no variables $ { }"
        );
    }
}
