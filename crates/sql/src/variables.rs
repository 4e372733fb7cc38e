//! Session variables: `@name` in SQL, set with `-D name=value` or by the audit, typed.
//!
//! Scripts read their parameters as variables (`lookalike_pairs('corpus', @column, @target, …)`),
//! so a value reaches a function as one typed value, whatever quotes, commas or newlines it
//! holds; nothing is spliced into SQL text.

use std::collections::BTreeMap;
use std::sync::RwLock;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::var_provider::VarProvider;

/// The session's user variables, by name without the `@`.
#[derive(Debug, Default)]
pub struct Variables {
    values: RwLock<BTreeMap<String, ScalarValue>>,
}

impl Variables {
    /// Sets `name` (without `@`) to `value`.
    pub fn set(&self, name: &str, value: ScalarValue) -> Result<()> {
        if !is_name(name) {
            return plan_err!(
                "'{name}' is not a variable name (a letter or _, then letters, digits, _)"
            );
        }
        self.values
            .write()
            .expect("no writer panics while holding the lock")
            .insert(name.to_ascii_lowercase(), value);
        Ok(())
    }

    /// The value of `name` (without `@`), when set.
    pub fn get(&self, name: &str) -> Option<ScalarValue> {
        let values = self
            .values
            .read()
            .expect("no writer panics while holding the lock");
        values.get(&name.to_ascii_lowercase()).cloned()
    }

    /// Every variable, by name.
    pub fn all(&self) -> BTreeMap<String, ScalarValue> {
        self.values
            .read()
            .expect("no writer panics while holding the lock")
            .clone()
    }
}

/// Whether `name` can be written after `@`.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// DataFusion asks with the name as written, `@` included.
fn bare(var_names: &[String]) -> String {
    var_names.join(".").trim_start_matches('@').to_string()
}

impl VarProvider for Variables {
    fn get_value(&self, var_names: Vec<String>) -> Result<ScalarValue> {
        let name = bare(&var_names);
        match self.get(&name) {
            Some(value) => Ok(value),
            None => plan_err!("@{name} is not set; pass -D {name}=VALUE"),
        }
    }

    fn get_type(&self, var_names: &[String]) -> Option<DataType> {
        // An unset variable still plans (as text), so its use fails with the message above.
        Some(
            self.get(&bare(var_names))
                .map_or(DataType::Utf8, |v| v.data_type()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_and_names() {
        let vars = Variables::default();
        vars.set("Gap", ScalarValue::Float32(Some(0.25))).unwrap();
        assert_eq!(
            vars.get_value(vec!["@gap".into()]).unwrap(),
            ScalarValue::Float32(Some(0.25))
        );
        assert_eq!(vars.get_type(&["@GAP".into()]), Some(DataType::Float32));
        let err = vars
            .get_value(vec!["@missing".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("@missing is not set; pass -D missing=VALUE"),
            "{err}"
        );
        assert!(vars.set("1x", ScalarValue::Null).is_err());
        assert!(vars.set("a-b", ScalarValue::Null).is_err());
    }
}
