//! `-D name=value`: a session variable the SQL reads as `@name`. The audit's parameters
//! (`@target`, `@threshold`, …) start at the audit's defaults and a `-D` value is parsed to
//! their type; any other name is text. Values never enter the SQL text.

use anyhow::{bail, Context, Result};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use lookalike_sql::variables::is_name;
use lookalike_sql::Lookalike;

/// Sets the audit's defaults, then each `-D NAME=VALUE`.
pub fn define(session: &Lookalike, defines: &[String]) -> Result<()> {
    let known = lookalike_audit::config::script_variables();
    for (name, _, value) in &known {
        session.variables().set(name, value.clone())?;
    }
    for define in defines {
        let Some((name, value)) = define.split_once('=') else {
            bail!("-D {define}: expected NAME=VALUE")
        };
        if !is_name(name) {
            bail!("-D {define}: '{name}' is not a variable name (letters, digits, _)");
        }
        let data_type = known
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map_or(DataType::Utf8, |(_, t, _)| t.clone());
        let typed = ScalarValue::try_from_string(value.to_string(), &data_type)
            .ok()
            .filter(|v| !v.is_null() || value.is_empty())
            .with_context(|| format!("-D {name}={value}: @{name} is a {data_type} value"))?;
        session.variables().set(name, typed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookalike_sql::LookalikeConfig;

    #[test]
    fn defaults_typed_values_and_errors() {
        let session = Lookalike::new(LookalikeConfig::default());
        define(
            &session,
            &["gap=0.25".into(), "domain=cars, trucks; 'quoted'".into()],
        )
        .unwrap();
        let vars = session.variables();
        assert_eq!(vars.get("gap"), Some(ScalarValue::Float32(Some(0.25))));
        assert_eq!(vars.get("threshold"), Some(ScalarValue::Float32(Some(0.9))));
        assert_eq!(
            vars.get("target"),
            Some(ScalarValue::Utf8(Some("minilm".into())))
        );
        assert_eq!(
            vars.get("domain"),
            Some(ScalarValue::Utf8(Some("cars, trucks; 'quoted'".into())))
        );
        let err = define(&session, &["threshold=high".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("@threshold is a Float32 value"), "{err}");
        assert!(define(&session, &["1x=2".into()]).is_err());
        assert!(define(&session, &["novalue".into()]).is_err());
    }
}
