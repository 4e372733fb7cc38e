//! A tagged sentence that edits rewrite: spans, splicing, nouns, and a/an agreement.

use crate::lexicon::{Category, Lexicon, Tag};
use crate::morph::VerbForm;
use crate::tokenize::Token;

/// One sentence, tokenised and tagged.
pub(crate) struct Sentence<'a> {
    pub(crate) text: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) words: Vec<String>,
    pub(crate) tags: Vec<Vec<Tag>>,
}

/// Replace the bytes `start..end` of the sentence with `with`.
pub(crate) type Splice = (usize, usize, String);

impl Sentence<'_> {
    pub(crate) fn has(&self, i: usize, cat: Category) -> bool {
        self.tags[i].iter().any(|t| t.cat == cat)
    }

    pub(crate) fn span(&self, start: usize, len: usize) -> (usize, usize) {
        (self.tokens[start].start, self.tokens[start + len - 1].end)
    }

    /// Applies non-overlapping splices, keeping a leading capital, and fixes `a`/`an`.
    pub(crate) fn apply(&self, mut splices: Vec<Splice>) -> String {
        splices.sort_by_key(|s| s.0);
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut at = 0;
        for (start, end, with) in splices {
            if start < at {
                continue;
            }
            out.push_str(&self.text[at..start]);
            let capital = self.text[start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
            out.push_str(&if capital { capitalise(&with) } else { with });
            at = end;
        }
        out.push_str(&self.text[at..]);
        agree_articles(&out)
    }

    /// Nouns: positions holding a single-word subject or object, with their lemma and number.
    pub(crate) fn nouns(
        &self,
        lex: &Lexicon,
        cats: &[Category],
    ) -> Vec<(usize, Tag, String, bool)> {
        let mut out = Vec::new();
        for (i, w) in self.words.iter().enumerate() {
            let Some(tag) = self.tags[i]
                .iter()
                .find(|t| t.len == 1 && cats.contains(&t.cat))
            else {
                continue;
            };
            if self.has(i, Category::Verb) && lex.morph.verb_form(w) != VerbForm::Base {
                continue;
            }
            let members = &lex.groups[tag.group as usize].members;
            let lemma = std::iter::once(w.clone())
                .chain(lex.morph.singulars(w))
                .find(|k| members.iter().any(|m| m.len() == 1 && m[0] == *k));
            if let Some(lemma) = lemma {
                let plural = lemma != *w;
                out.push((i, *tag, lemma, plural));
            }
        }
        out
    }

    pub(crate) fn noun_form(lex: &Lexicon, lemma: &str, plural: bool) -> String {
        if plural {
            lex.morph.plural(lemma)
        } else {
            lemma.to_string()
        }
    }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// Makes each `a`/`an` agree with the word after it (`a elephant` -> `an elephant`).
pub(crate) fn agree_articles(text: &str) -> String {
    let tokens = crate::tokenize::tokenize(text);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for pair in tokens.windows(2) {
        let (art, next) = (&pair[0], &pair[1]);
        if !matches!(art.text.as_str(), "a" | "an") || !text[art.end..next.start].trim().is_empty()
        {
            continue;
        }
        let n = next.text.as_str();
        let vowel = n.starts_with(['a', 'e', 'i', 'o', 'u'])
            && !["uni", "use", "usu", "one", "eu", "ur"]
                .iter()
                .any(|p| n.starts_with(p))
            || ["hour", "honest", "honor", "heir"]
                .iter()
                .any(|p| n.starts_with(p));
        let want = if vowel { "an" } else { "a" };
        if art.text != want {
            out.push_str(&text[at..art.start]);
            let capital = text[art.start..].starts_with('A');
            out.push_str(&if capital {
                capitalise(want)
            } else {
                want.to_string()
            });
            at = art.end;
        }
    }
    out.push_str(&text[at..]);
    out
}
