//! Word lists: loading, and tagging the words of a text with what the lists say about them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::LexiconError;
use crate::morph::Morph;
use crate::tokenize::words;

/// What a lexicon entry says about a word or phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Category {
    Article,
    Negation,
    Presence,
    Quantifier,
    Number,
    Spatial,
    Color,
    Size,
    Material,
    State,
    Mood,
    Subject,
    Age,
    Generic,
    Tense,
    Verb,
    Object,
    Function,
}

impl Category {
    /// Colour, size, material, state or mood.
    pub(crate) fn is_attribute(self) -> bool {
        matches!(
            self,
            Category::Color
                | Category::Size
                | Category::Material
                | Category::State
                | Category::Mood
        )
    }
}

/// How the lines of one file are read.
#[derive(Debug, Clone, Copy)]
enum Role {
    Words(Category),
    Synonyms,
    IrregularVerbs,
    Plurals,
}

macro_rules! lexicon_files {
    ($(($name:literal, $role:expr)),* $(,)?) => {
        /// The files a lexicon directory must hold, in load order.
        pub const LEXICON_FILES: &[&str] = &[$($name),*];
        const EMBEDDED: &[(&str, Role, &str)] =
            &[$(($name, $role, include_str!(concat!("../../../data/lexicon/", $name)))),*];
    };
}

lexicon_files![
    ("articles.txt", Role::Words(Category::Article)),
    ("function.txt", Role::Words(Category::Function)),
    ("negation.txt", Role::Words(Category::Negation)),
    ("presence.txt", Role::Words(Category::Presence)),
    ("quantifiers.txt", Role::Words(Category::Quantifier)),
    ("numbers.txt", Role::Words(Category::Number)),
    ("spatial.txt", Role::Words(Category::Spatial)),
    ("colors.txt", Role::Words(Category::Color)),
    ("sizes.txt", Role::Words(Category::Size)),
    ("materials.txt", Role::Words(Category::Material)),
    ("states.txt", Role::Words(Category::State)),
    ("moods.txt", Role::Words(Category::Mood)),
    ("subjects.txt", Role::Words(Category::Subject)),
    ("ages.txt", Role::Words(Category::Age)),
    ("generic.txt", Role::Words(Category::Generic)),
    ("tense.txt", Role::Words(Category::Tense)),
    ("verbs.txt", Role::Words(Category::Verb)),
    ("objects.txt", Role::Words(Category::Object)),
    ("synonyms.txt", Role::Synonyms),
    ("irregular_verbs.txt", Role::IrregularVerbs),
    ("plurals.txt", Role::Plurals),
];

/// One line of a word file: a category and its alternatives.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) cat: Category,
    pub(crate) members: Vec<Vec<String>>,
}

/// What the lexicon says about one word of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tag {
    pub(crate) cat: Category,
    /// Index into [`Lexicon::groups`]; `u32::MAX` for a guess from spelling alone.
    pub(crate) group: u32,
    /// Where the matched phrase starts and how many words it has.
    pub(crate) start: usize,
    pub(crate) len: usize,
}

/// The word lists the classifier and the generator read.
///
/// [`Lexicon::builtin`] holds the lists under `data/lexicon/`, compiled into the binary;
/// [`Lexicon::from_dir`] loads an edited copy of that directory.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub(crate) groups: Vec<Group>,
    /// First word of a phrase -> (group, member) pairs.
    by_first: HashMap<String, Vec<(u32, u32)>>,
    /// Phrase -> synonym group ids.
    synonyms: HashMap<String, Vec<u32>>,
    pub(crate) morph: Morph,
}

impl Lexicon {
    /// The lists under `data/lexicon/` as compiled into this binary, parsed once.
    pub fn builtin() -> &'static Lexicon {
        static BUILTIN: OnceLock<Lexicon> = OnceLock::new();
        BUILTIN.get_or_init(|| Lexicon::embedded().expect("the embedded lexicon parses (tested)"))
    }

    /// Parses the embedded lists afresh, returning a parse error where [`Lexicon::builtin`]
    /// would panic; a fresh copy for tests that check the compiled-in files.
    pub fn embedded() -> Result<Lexicon, LexiconError> {
        let mut lex = Lexicon::default();
        for &(name, role, text) in EMBEDDED {
            lex.add_file(name, role, text)?;
        }
        Ok(lex)
    }

    /// Loads every file of [`LEXICON_FILES`] from `dir`, e.g. an edited copy of `data/lexicon`.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Lexicon, LexiconError> {
        let mut lex = Lexicon::default();
        for &(name, role, _) in EMBEDDED {
            let path = dir.as_ref().join(name);
            let text = std::fs::read_to_string(&path).map_err(|source| LexiconError::Io {
                path: path.clone(),
                source,
            })?;
            lex.add_file(&path.display().to_string(), role, &text)?;
        }
        Ok(lex)
    }

    /// How many words and phrases the lists hold.
    pub fn entry_count(&self) -> usize {
        self.groups.iter().map(|g| g.members.len()).sum::<usize>() + self.synonyms.len()
    }

    fn add_file(&mut self, file: &str, role: Role, text: &str) -> Result<(), LexiconError> {
        for (idx, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: String| LexiconError::Syntax {
                file: file.to_string(),
                line: idx + 1,
                message,
            };
            let mut members = Vec::new();
            for alt in line.split('|') {
                let w = words(alt);
                if w.is_empty() {
                    return Err(err(format!("empty alternative in '{line}'")));
                }
                if w.len() > 6 {
                    return Err(err(format!("'{}' is longer than six words", alt.trim())));
                }
                members.push(w);
            }
            match role {
                Role::Words(cat) => self.add_group(cat, members),
                Role::Synonyms => {
                    let id = u32::try_from(idx).unwrap_or(u32::MAX);
                    for m in members {
                        self.synonyms.entry(m.join(" ")).or_default().push(id);
                    }
                }
                Role::IrregularVerbs | Role::Plurals => {
                    if let Some(m) = members.iter().find(|m| m.len() != 1) {
                        return Err(err(format!("'{}' must be a single word", m.join(" "))));
                    }
                    let forms: Vec<String> = members.into_iter().map(|mut m| m.remove(0)).collect();
                    if matches!(role, Role::Plurals) {
                        let [one, many] = forms.as_slice() else {
                            return Err(err(format!("expected 'singular|plural', got '{line}'")));
                        };
                        self.morph.singular_of.insert(many.clone(), one.clone());
                        self.morph.plural_of.insert(one.clone(), many.clone());
                    } else {
                        for f in &forms[1..] {
                            self.morph
                                .lemma_of
                                .entry(f.clone())
                                .or_insert_with(|| forms[0].clone());
                        }
                        // A lone form ("cut", "put") is its own past and participle.
                        let rest = if forms.len() == 1 {
                            &forms[..]
                        } else {
                            &forms[1..]
                        };
                        let mut finite = rest.iter().filter(|p| !p.ends_with("ing"));
                        if let Some(past) = finite.next() {
                            self.morph
                                .past_of
                                .entry(forms[0].clone())
                                .or_insert_with(|| past.clone());
                            let part = finite.next().unwrap_or(past);
                            self.morph
                                .participle_of
                                .entry(forms[0].clone())
                                .or_insert_with(|| part.clone());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn add_group(&mut self, cat: Category, members: Vec<Vec<String>>) {
        let id = u32::try_from(self.groups.len()).unwrap_or(u32::MAX);
        for (m, phrase) in members.iter().enumerate() {
            let list = self.by_first.entry(phrase[0].clone()).or_default();
            list.push((id, u32::try_from(m).unwrap_or(u32::MAX)));
        }
        self.groups.push(Group { cat, members });
    }

    /// The forms under which `w` may be listed: itself first, then singulars, verb lemmas and
    /// adverb stems.
    pub(crate) fn keys(&self, w: &str) -> Vec<String> {
        let mut keys = vec![w.to_string()];
        keys.extend(self.morph.singulars(w));
        keys.extend(self.morph.verb_lemmas(w));
        keys.extend(self.morph.adverb_stems(w));
        keys.dedup();
        keys
    }

    /// Tags every position of `tokens` with the entries that cover it. Where a word matches an
    /// entry as written, matches through morphology are dropped (`building` is a thing, not
    /// a form of `build`); where phrases overlap a word, only the longest are kept.
    pub(crate) fn annotate(&self, tokens: &[String]) -> Vec<Vec<Tag>> {
        let keys: Vec<Vec<String>> = tokens.iter().map(|t| self.keys(t)).collect();
        let mut tags: Vec<Vec<(Tag, bool)>> = vec![Vec::new(); tokens.len()];
        for i in 0..tokens.len() {
            for (k, key) in keys[i].iter().enumerate() {
                for &(g, m) in self.by_first.get(key).map_or(&[][..], Vec::as_slice) {
                    let group = &self.groups[g as usize];
                    let phrase = &group.members[m as usize];
                    if k > 0 && !morph_ok(group.cat, key, &tokens[i], &self.morph) {
                        continue;
                    }
                    let Some(exact) = phrase_matches(phrase, &keys[i..]) else {
                        continue;
                    };
                    let exact = exact && k == 0;
                    let tag = Tag {
                        cat: group.cat,
                        group: g,
                        start: i,
                        len: phrase.len(),
                    };
                    for slot in &mut tags[i..i + phrase.len()] {
                        if !slot.iter().any(|(t, _)| *t == tag) {
                            slot.push((tag, exact));
                        }
                    }
                }
            }
        }
        tags.into_iter()
            .map(|slot| {
                let any_exact = slot.iter().any(|&(_, e)| e);
                let kept: Vec<Tag> = slot
                    .into_iter()
                    .filter(|&(_, e)| e || !any_exact)
                    .map(|(t, _)| t)
                    .collect();
                // The longest phrase wins: "each" in "each other" is no quantifier.
                // Articles stay articles inside phrases ("a lot of" / "lots of").
                let longest = kept
                    .iter()
                    .filter(|t| t.cat != Category::Article)
                    .map(|t| t.len)
                    .max()
                    .unwrap_or(0);
                kept.into_iter()
                    .filter(|t| t.len == longest || t.cat == Category::Article)
                    .collect()
            })
            .collect()
    }

    /// Whether two words or phrases share a synonym line (directly or through their forms).
    pub(crate) fn synonyms(&self, a: &[String], b: &[String]) -> bool {
        let ids = |p: &[String]| -> Vec<u32> {
            let mut keys = vec![p.join(" ")];
            if p.len() == 1 {
                keys = self.keys(&p[0]);
            }
            keys.iter()
                .filter_map(|k| self.synonyms.get(k))
                .flatten()
                .copied()
                .collect()
        };
        let ia = ids(a);
        !ia.is_empty() && ids(b).iter().any(|g| ia.contains(g))
    }
}

/// Which morphological matches make sense for a category: adverbs only for attributes,
/// verb forms only for verbs, moods and states.
fn morph_ok(cat: Category, key: &str, token: &str, morph: &Morph) -> bool {
    let via_adverb = morph.adverb_stems(token).iter().any(|s| s == key);
    let via_plural = morph.singulars(token).iter().any(|s| s == key);
    let via_verb = morph.verb_lemmas(token).iter().any(|s| s == key);
    (via_plural
        && !matches!(
            cat,
            Category::Verb
                | Category::Mood
                | Category::Tense
                | Category::Article
                | Category::Function
        ))
        || (via_verb && matches!(cat, Category::Verb | Category::Mood | Category::State))
        || (via_adverb && (cat.is_attribute()))
}

/// Whether `phrase` matches the words starting at `keys[0]`; `Some(true)` when every word after
/// the first matches as written.
fn phrase_matches(phrase: &[String], keys: &[Vec<String>]) -> Option<bool> {
    if phrase.len() > keys.len() {
        return None;
    }
    let mut exact = true;
    for (p, k) in phrase.iter().zip(keys).skip(1) {
        match k.iter().position(|x| x == p) {
            Some(0) => {}
            Some(_) => exact = false,
            None => return None,
        }
    }
    Some(exact)
}
