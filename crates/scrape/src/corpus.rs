//! The texts a scrape searches: each distinct text once, with a stable id.

use std::collections::HashSet;

use crate::{ScrapeOptions, ScrapeReport};

/// The corpus's distinct texts in id order, NULL texts, repeats and texts with an excluded
/// phrase left out (and counted in the report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corpus {
    /// The id of each text.
    pub ids: Vec<i64>,
    /// The texts.
    pub texts: Vec<String>,
}

impl Corpus {
    /// Rows with their own ids (a NULL id already mapped by the caller): in id order, a
    /// repeated text keeps its first id.
    pub fn with_ids(
        mut rows: Vec<(i64, Option<String>)>,
        options: &ScrapeOptions,
        report: &mut ScrapeReport,
    ) -> Corpus {
        rows.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.cmp(&y.1)));
        Corpus::distinct(rows, options, report)
    }

    /// Rows without ids, numbered in text order: the same corpus gets the same ids whatever
    /// order its rows (or a table's partitions) arrive in.
    pub fn numbered(
        mut texts: Vec<Option<String>>,
        options: &ScrapeOptions,
        report: &mut ScrapeReport,
    ) -> Corpus {
        texts.sort();
        let rows = texts.into_iter().enumerate().map(|(i, t)| (i as i64, t));
        Corpus::distinct(rows.collect(), options, report)
    }

    fn distinct(
        rows: Vec<(i64, Option<String>)>,
        options: &ScrapeOptions,
        report: &mut ScrapeReport,
    ) -> Corpus {
        report.rows = rows.len();
        let mut seen = HashSet::new();
        let mut corpus = Corpus::default();
        for (id, text) in rows {
            let Some(text) = text else {
                report.null_texts += 1;
                continue;
            };
            if options.rule.is_excluded(&text) {
                report.excluded_texts += 1;
            } else if !seen.insert(text.clone()) {
                report.duplicate_texts += 1;
            } else {
                corpus.ids.push(id);
                corpus.texts.push(text);
            }
        }
        report.distinct_texts = corpus.texts.len();
        corpus
    }

    /// Number of distinct texts.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(items: &[Option<&str>]) -> Vec<Option<String>> {
        items.iter().map(|t| t.map(str::to_string)).collect()
    }

    #[test]
    fn numbered_in_text_order_whatever_the_row_order() {
        let options = ScrapeOptions::default();
        let (mut r1, mut r2) = (ScrapeReport::default(), ScrapeReport::default());
        let a = Corpus::numbered(
            texts(&[Some("b"), None, Some("a"), Some("b")]),
            &options,
            &mut r1,
        );
        let b = Corpus::numbered(
            texts(&[Some("a"), Some("b"), Some("b"), None]),
            &options,
            &mut r2,
        );
        assert_eq!(a, b);
        assert_eq!(a.texts, ["a", "b"]);
        assert_eq!(a.ids, [1, 2]); // NULL sorts first and takes id 0
        assert_eq!((r1.rows, r1.null_texts, r1.duplicate_texts), (4, 1, 1));
    }

    #[test]
    fn ids_kept_and_excluded_phrases_counted() {
        let options = ScrapeOptions::default();
        let mut report = ScrapeReport::default();
        let phrase = &options.rule.excluded_phrases[0];
        let rows = vec![
            (7, Some("a dog".to_string())),
            (3, Some(format!("a {phrase} b"))),
            (5, Some("a dog".to_string())),
        ];
        let corpus = Corpus::with_ids(rows, &options, &mut report);
        assert_eq!(
            (corpus.ids, corpus.texts),
            (vec![5], vec!["a dog".to_string()])
        );
        assert_eq!((report.excluded_texts, report.duplicate_texts), (1, 1));
    }
}
