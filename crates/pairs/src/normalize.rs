//! Text normalisation for comparing candidate texts.
//!
//! Two captions that differ only in case, spacing or punctuation ("A clock on top." and
//! "a clock on top .") say the same thing: the encoder agreeing on them is no failure.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Lowercases (Unicode), turns punctuation (general category P*) into word breaks, drops
/// format characters (Cf, e.g. soft hyphens and zero-width spaces), collapses each run of
/// whitespace and punctuation into one space, and trims.
///
/// Punctuation becomes a break rather than vanishing, so "t-shirt" and "t shirt" meet; as a
/// consequence "don't" becomes "don t". Symbols (S*: `+`, `$`, emoji), marks and digits stay.
///
/// ```
/// use lookalike_pairs::normalize_text;
/// assert_eq!(normalize_text("  A Stop-sign,\twith GRAFFITI on it . "), "a stop sign with graffiti on it");
/// assert_eq!(normalize_text("¿Qué?  «Ça»"), "qué ça");
/// ```
pub fn normalize_text(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut pending_break = false;
    for c in lower.chars() {
        if c.is_whitespace() || c.general_category_group() == GeneralCategoryGroup::Punctuation {
            pending_break = true;
        } else if c.general_category() == GeneralCategory::Format {
            continue;
        } else {
            if pending_break && !out.is_empty() {
                out.push(' ');
            }
            pending_break = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_text;

    #[test]
    fn case_space_punctuation_and_trim() {
        assert_eq!(
            normalize_text("a very large building with a clock on top. "),
            normalize_text("A very  large building with a clock on top .")
        );
        assert_eq!(
            normalize_text("\"this is a thing that is direct and plain. \n\""),
            "this is a thing that is direct and plain"
        );
        assert_eq!(normalize_text(""), "");
        assert_eq!(normalize_text(" ... !! "), "");
    }

    #[test]
    fn unicode_aware() {
        // Greek final sigma, German sharp s, CJK full stop, soft hyphen, zero-width space.
        assert_eq!(normalize_text("ΟΔΟΣ"), "\u{3bf}\u{3b4}\u{3bf}\u{3c2}");
        assert_eq!(normalize_text("STRAßE。"), "straße");
        assert_eq!(normalize_text("gi\u{00AD}raffe\u{200B}s"), "giraffes");
        assert_eq!(normalize_text("café — crème"), "café crème");
        // Symbols are not punctuation.
        assert_eq!(normalize_text("1 + 1 = 2 $"), "1 + 1 = 2 $");
    }
}
