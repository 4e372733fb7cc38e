//! The named options of `lookalike_pairs`: `threshold => 0.95, mode => 'candidates'`.

use crate::computed::{option_list, option_text};
use datafusion::common::{plan_err, Result, ScalarValue};
use lookalike_pairs::{Method, Quantization, MULTIMON_EXCLUDED_PHRASES};
use lookalike_scrape::{FirstPass, Judge, Mode, ScrapeOptions, Threshold, INT8_MARGIN};

/// Every option of a call: the scrape's, and where the source's ids are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairsOptions {
    /// Threshold, rule, search, mode, judge, limit.
    pub scrape: ScrapeOptions,
    /// The id column of the source (default: `id`, else `line`, else row numbers).
    pub id_column: Option<String>,
}

/// The option names.
pub const KEYS: [&str; 18] = [
    "threshold",
    "quantile",
    "gap",
    "ceiling",
    "k",
    "method",
    "exact",
    "quantization",
    "probes",
    "cells",
    "threads",
    "exclude",
    "mode",
    "judge",
    "limit",
    "id",
    "first_pass",
    "margin",
];

/// The margin an int8 first pass already has, else the default one.
fn first_pass_margin(first_pass: &FirstPass) -> f32 {
    match first_pass {
        FirstPass::Int8 { margin } => *margin,
        FirstPass::F32 => INT8_MARGIN,
    }
}

/// Resolves the named options (`exclude` takes a list of phrases, `'default'` or `'none'`).
pub fn parse(items: &[(String, ScalarValue)]) -> Result<PairsOptions> {
    let mut options = PairsOptions::default();
    for (key, raw) in items {
        let text = option_text(raw);
        let (key, value) = (key.to_ascii_lowercase(), text.trim());
        let number = |min: f64, max: f64| -> Result<f64> {
            match value.parse::<f64>() {
                Ok(x) if (min..=max).contains(&x) => Ok(x),
                Ok(x) => plan_err!("lookalike_pairs: {key} => {x} is outside [{min}, {max}]"),
                Err(_) => plan_err!("lookalike_pairs: {key} => '{value}' is not a number"),
            }
        };
        match key.as_str() {
            "threshold" | "target_threshold" => options.scrape.threshold = Threshold::Value(number(-1.0, 1.0)? as f32),
            "quantile" | "target_quantile" => options.scrape.threshold = Threshold::Quantile(number(0.0, 1.0)?),
            "gap" if value.eq_ignore_ascii_case("none") => options.scrape.rule.gap = None,
            "gap" => options.scrape.rule.gap = Some(number(0.0, 2.0)? as f32),
            "ceiling" | "reference_ceiling" if value.eq_ignore_ascii_case("none") => options.scrape.rule.reference_ceiling = None,
            "ceiling" | "reference_ceiling" => options.scrape.rule.reference_ceiling = Some(number(-1.0, 1.0)? as f32),
            "k" => match value.parse::<i64>() {
                Ok(k) if k > 0 => options.scrape.search.initial_k = k as usize,
                _ => return plan_err!("lookalike_pairs: k => {value} must be a positive whole number"),
            },
            "method" => {
                options.scrape.search.method = match value.to_ascii_lowercase().as_str() {
                    "auto" => Method::Auto,
                    "exact" => Method::Exact,
                    "hnsw" => Method::Hnsw,
                    "ivf" => Method::Ivf,
                    _ => return plan_err!("lookalike_pairs: method => '{value}' is not auto, exact, ivf or hnsw"),
                }
            }
            "exact" => {
                options.scrape.search.method = match value.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Method::Exact,
                    "false" | "no" | "0" => Method::Auto,
                    _ => return plan_err!("lookalike_pairs: exact => '{value}' is not true or false"),
                }
            }
            "quantization" => {
                options.scrape.search.quantization = match value.to_ascii_lowercase().as_str() {
                    "f32" => Quantization::F32,
                    "f16" => Quantization::F16,
                    "i8" => Quantization::I8,
                    _ => return plan_err!("lookalike_pairs: quantization => '{value}' is not f32, f16 or i8"),
                }
            }
            "probes" => match value.parse::<i64>() {
                Ok(p) if p > 0 => options.scrape.search.ivf.probes = p as usize,
                _ => return plan_err!("lookalike_pairs: probes => {value} must be a positive whole number"),
            },
            "cells" => match value.parse::<i64>() {
                Ok(c) if c >= 0 => options.scrape.search.ivf.cells = c as usize,
                _ => return plan_err!("lookalike_pairs: cells => {value} must be a whole number ≥ 0 (0: about 4√n)"),
            },
            "exclude" if option_list(raw).is_some() => {
                options.scrape.rule.excluded_phrases = option_list(raw).unwrap_or_default();
            }
            "exclude" => {
                options.scrape.rule.excluded_phrases = match value.to_ascii_lowercase().as_str() {
                    "default" | "multimon" => MULTIMON_EXCLUDED_PHRASES.iter().map(|p| p.to_string()).collect(),
                    "none" => Vec::new(),
                    _ => vec![value.to_string()],
                }
            }
            "first_pass" => {
                options.scrape.first_pass = match value.to_ascii_lowercase().as_str() {
                    "default" => ScrapeOptions::default().first_pass,
                    "f32" | "none" => FirstPass::F32,
                    "int8" => FirstPass::Int8 { margin: first_pass_margin(&options.scrape.first_pass) },
                    _ => return plan_err!("lookalike_pairs: first_pass => '{value}' is not int8 or f32"),
                }
            }
            "margin" => {
                let margin = number(0.0, 1.0)? as f32;
                if let FirstPass::Int8 { margin: m } = &mut options.scrape.first_pass {
                    *m = margin;
                }
            }
            "mode" => {
                options.scrape.mode = match value.to_ascii_lowercase().as_str() {
                    "failures" => Mode::Failures,
                    "candidates" => Mode::Candidates,
                    _ => return plan_err!("lookalike_pairs: mode => '{value}' is not failures or candidates"),
                }
            }
            "judge" => {
                options.scrape.judge = match value.to_ascii_lowercase().as_str() {
                    "reference" => Judge::Reference,
                    "structural" => Judge::Structural,
                    "either" => Judge::Either,
                    _ => return plan_err!("lookalike_pairs: judge => '{value}' is not reference, structural or either"),
                }
            }
            "limit" => match value.parse::<i64>() {
                Ok(n) if n >= 0 => options.scrape.limit = Some(n as usize),
                _ => return plan_err!("lookalike_pairs: limit => {value} must be a whole number ≥ 0"),
            },
            // HNSW built by one thread gives the same pairs on every run; more threads build
            // faster but interleave insertions, so a rerun may miss a different handful.
            "threads" => match value.parse::<i64>() {
                Ok(n) if (0..=1024).contains(&n) => options.scrape.search.threads = n as usize,
                _ => return plan_err!("lookalike_pairs: threads => {value} must be a whole number in [0, 1024] (0: every core)"),
            },
            "id" => options.id_column = Some(value.to_string()),
            _ => return plan_err!("lookalike_pairs: unknown option '{key}' (options: {})", KEYS.join(", ")),
        }
    }
    if let Threshold::Value(t) = options.scrape.threshold {
        options.scrape.rule.target_threshold = t;
    }
    options
        .scrape
        .rule
        .validate()
        .map_err(|e| datafusion::error::DataFusionError::Plan(format!("lookalike_pairs: {e}")))?;
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(items: &[(&str, ScalarValue)]) -> Result<PairsOptions> {
        let items: Vec<_> = items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        parse(&items)
    }

    fn text(s: &str) -> ScalarValue {
        ScalarValue::Utf8(Some(s.into()))
    }

    #[test]
    fn defaults_are_multimon() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.scrape.threshold, Threshold::Value(0.9));
        assert_eq!(o.scrape.rule.gap, Some(0.2));
        assert_eq!(o.scrape.rule.excluded_phrases.len(), 7);
        assert_eq!(o.scrape.mode, Mode::Failures);
    }

    #[test]
    fn options_parse() {
        let phrases = ScalarValue::List(ScalarValue::new_list_nullable(
            &[text("no dog"), text("no cat, ever")],
            &datafusion::arrow::datatypes::DataType::Utf8,
        ));
        let o = named(&[
            ("threshold", ScalarValue::Float64(Some(0.95))),
            ("gap", ScalarValue::Null),
            ("k", ScalarValue::Int64(Some(32))),
            ("method", text("hnsw")),
            ("exclude", phrases),
            ("mode", text("candidates")),
            ("judge", text("either")),
            ("limit", ScalarValue::Int64(Some(10))),
        ])
        .unwrap();
        assert_eq!(o.scrape.threshold, Threshold::Value(0.95));
        assert_eq!(o.scrape.rule.target_threshold, 0.95);
        assert_eq!(o.scrape.rule.gap, None);
        assert_eq!(o.scrape.search.initial_k, 32);
        assert_eq!(o.scrape.search.method, Method::Hnsw);
        assert_eq!(
            o.scrape.rule.excluded_phrases,
            vec!["no dog", "no cat, ever"]
        );
        assert_eq!(
            (o.scrape.mode, o.scrape.judge, o.scrape.limit),
            (Mode::Candidates, Judge::Either, Some(10))
        );
    }

    #[test]
    fn bad_options_say_what_is_wrong() {
        let err = |k: &str, v: ScalarValue| named(&[(k, v)]).unwrap_err().to_string();
        let int = |n| ScalarValue::Int64(Some(n));
        assert!(err("threshold", ScalarValue::Float64(Some(1.5)))
            .contains("threshold => 1.5 is outside [-1, 1]"));
        assert!(err("threshold", text("high")).contains("threshold => 'high' is not a number"));
        assert!(err("k", int(0)).contains("k => 0 must be a positive"));
        assert!(err("k", int(-3)).contains("k => -3 must be a positive"));
        assert!(err("colour", text("red")).contains("unknown option 'colour'"));
        assert!(err("gap", ScalarValue::Float64(Some(-0.1))).contains("outside [0, 2]"));
        assert!(err("threads", int(-1)).contains("threads => -1 must be a whole number"));
        assert!(err("probes", int(0)).contains("probes => 0 must be a positive whole number"));
        assert!(err("method", text("annoy")).contains("not auto, exact, ivf or hnsw"));
        let o = named(&[
            ("method", text("ivf")),
            ("probes", int(32)),
            ("cells", int(500)),
        ])
        .unwrap();
        assert_eq!(
            (
                o.scrape.search.method,
                o.scrape.search.ivf.probes,
                o.scrape.search.ivf.cells
            ),
            (Method::Ivf, 32, 500)
        );
        assert_eq!(
            named(&[("threads", int(1))]).unwrap().scrape.search.threads,
            1
        );
    }
}
