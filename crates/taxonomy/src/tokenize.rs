//! Word tokens: lowercase words and numbers, with their byte spans in the source text.

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word, lowercased, with curly apostrophes made straight (`don't`, `carpenter's`).
    pub text: String,
    /// Byte offset of the word's first character in the source text.
    pub start: usize,
    /// Byte offset just past the word's last character.
    pub end: usize,
}

/// Splits `text` into lowercase word tokens.
///
/// A word is a run of letters or digits (any script; a Han or kana character is a word by
/// itself, as those scripts put no spaces between words). An apostrophe between two letters stays
/// inside the word (`isn't`), and `.` or `,` between two digits stays inside a number (`3.5`,
/// `1,000`). Everything else (spaces, punctuation, hyphens) separates words, so
/// `well-organized` is two words.
///
/// ```
/// use lookalike_taxonomy::tokenize;
/// let words: Vec<String> = tokenize("A Dog isn't on 3.5 well-kept mats.")
///     .into_iter().map(|t| t.text).collect();
/// assert_eq!(words, ["a", "dog", "isn't", "on", "3.5", "well", "kept", "mats"]);
/// ```
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        if is_ideograph(chars[i].1) {
            let end = chars.get(i + 1).map_or(text.len(), |&(b, _)| b);
            tokens.push(Token {
                text: chars[i].1.to_string(),
                start,
                end,
            });
            i += 1;
            continue;
        }
        let mut word = String::new();
        let mut j = i;
        while j < chars.len() {
            let c = chars[j].1;
            if c.is_alphanumeric() && !is_ideograph(c) {
                word.extend(c.to_lowercase());
                j += 1;
                continue;
            }
            let prev = chars[j - 1].1;
            let next = chars.get(j + 1).map(|&(_, c)| c);
            let joins = match (c, next) {
                ('\'' | '\u{2019}', Some(n)) => prev.is_alphabetic() && n.is_alphabetic(),
                ('.' | ',', Some(n)) => prev.is_ascii_digit() && n.is_ascii_digit(),
                _ => false,
            };
            if !joins {
                break;
            }
            word.push(if c == '\u{2019}' { '\'' } else { c });
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
        tokens.push(Token {
            text: word,
            start,
            end,
        });
        i = j;
    }
    tokens
}

/// Han, kana and other scripts written without spaces: each character is a word.
fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The lowercase words of `text`, without spans.
pub fn words(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_into_the_source() {
        let text = "Ünïcode café, don’t stop";
        for t in tokenize(text) {
            let raw = &text[t.start..t.end];
            assert_eq!(raw.to_lowercase().replace('\u{2019}', "'"), t.text);
        }
        assert_eq!(words(text), ["ünïcode", "café", "don't", "stop"]);
        assert_eq!(words("狗在左边 ok"), ["狗", "在", "左", "边", "ok"]);
    }

    #[test]
    fn numbers_keep_separators_between_digits_only() {
        assert_eq!(words("1,000 dogs, 2. cats"), ["1,000", "dogs", "2", "cats"]);
    }
}
