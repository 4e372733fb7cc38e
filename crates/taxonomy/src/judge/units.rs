//! A caption as the judge sees it: a sequence of units (a word, or a phrase the lexicon or
//! WordNet knows as one: "in front of", "a couple of", "hot dog"), each with its class.

use crate::lexicon::{Category, Lexicon, Tag};
use crate::tokenize::words;

use super::wordnet::{lexfile, Pos, WordNet};

/// What a unit is, for the judge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Class {
    /// Carries no picture: articles, pronouns, auxiliaries, "picture of", "very".
    Filler,
    /// "not", "no", "without", "never".
    Negation,
    /// A number (`Some(value)`) or a vague quantity ("several", "a group of": `None`).
    Count(Option<u32>),
    /// A spatial relation: its lexicon line (`left|right` are one line of contrasts).
    Spatial(u32),
    /// A colour word.
    Colour,
    /// An open-class word, read through WordNet.
    Word,
}

/// The grammatical role a [`Class::Word`] plays, as far as its forms tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Noun,
    Verb,
    Adj,
    Adv,
    /// Not in WordNet: a name, a typo, a rare word.
    Unknown,
}

/// One unit of a caption.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// The words as written (lowercase), space-separated.
    pub(crate) text: String,
    pub(crate) class: Class,
    pub(crate) role: Role,
    /// WordNet base forms per part of speech (nouns, verbs, adjectives).
    pub(crate) nouns: Vec<String>,
    pub(crate) verbs: Vec<String>,
    pub(crate) adjs: Vec<String>,
    /// Lexicon lines the unit belongs to (subjects, sizes, materials, generic words, ...).
    pub(crate) tags: Vec<Tag>,
    /// A plural noun ("dogs", "men").
    pub(crate) plural: bool,
    /// Index of its first word in the caption's words.
    pub(crate) at: usize,
}

impl Unit {
    pub(crate) fn has(&self, cat: Category) -> bool {
        self.tags.iter().any(|t| t.cat == cat)
    }

    pub(crate) fn group(&self, cat: Category) -> Option<u32> {
        self.tags.iter().find(|t| t.cat == cat).map(|t| t.group)
    }

    /// A person word: WordNet's noun.person, or the lexicon's subjects and generic people.
    pub(crate) fn is_person(&self, wn: Option<&WordNet>) -> bool {
        self.has(Category::Subject)
            || matches!(
                self.text.as_str(),
                "person" | "people" | "someone" | "somebody" | "human" | "individual" | "persons"
            )
            || wn.is_some_and(|wn| {
                self.nouns.first().is_some_and(|n| {
                    // Both most frequent senses: a "hot dog" is a show-off only second to a sausage.
                    let files = wn.lexfiles(n, Pos::Noun, 2);
                    !files.is_empty() && files.iter().all(|&f| f == lexfile::PERSON)
                })
            })
    }

    /// An attribute adjective the lexicon lists (size, material, state, age).
    pub(crate) fn is_visible_attribute(&self) -> bool {
        self.class == Class::Colour
            || self.tags.iter().any(|t| {
                matches!(
                    t.cat,
                    Category::Size | Category::Material | Category::State | Category::Age
                )
            })
    }
}

/// Words that carry no picture of their own.
const FILLER: &[&str] = &[
    "i",
    "me",
    "my",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "hers",
    "it",
    "its",
    "we",
    "us",
    "our",
    "they",
    "them",
    "their",
    "theirs",
    "himself",
    "herself",
    "itself",
    "themselves",
    "this",
    "that",
    "these",
    "those",
    "who",
    "whom",
    "whose",
    "which",
    "what",
    "where",
    "there",
    "here",
    "be",
    "is",
    "are",
    "am",
    "was",
    "were",
    "been",
    "being",
    "has",
    "have",
    "had",
    "having",
    "do",
    "does",
    "did",
    "will",
    "would",
    "can",
    "could",
    "shall",
    "should",
    "may",
    "might",
    "must",
    "get",
    "gets",
    "getting",
    "got",
    "s",
    "'s",
    "it's",
    "there's",
    "that's",
    "while",
    "as",
    "so",
    "just",
    "very",
    "really",
    "quite",
    "rather",
    "also",
    "too",
    "pretty",
    "currently",
    "now",
    "still",
    "seen",
    "shown",
    "appears",
    "seems",
    "picture",
    "pictures",
    "photo",
    "photos",
    "photograph",
    "image",
    "images",
    "view",
    "shot",
    "closeup",
    "close-up",
    "snapshot",
    "scene",
    "depiction",
    "of",
    "to",
    "for",
    "and",
    "or",
    "but",
    "than",
    "then",
    "with",
    "at",
    "from",
    "by",
    "about",
    "while",
    "some",
    "any",
    "other",
    "another",
    "one's",
];

/// Words that look like participles but are nouns or adjectives in captions.
const NOT_VERBS: &[&str] = &[
    "building", "clothing", "painting", "ceiling", "evening", "morning", "wedding", "living",
    "dining", "parking", "bedding", "icing", "frosting", "railing", "sibling", "stuffed",
    "striped", "spotted", "crowded", "cloudy", "red",
];

/// Splits `text` into units.
pub(crate) fn units(lex: &Lexicon, wn: Option<&WordNet>, text: &str) -> Vec<Unit> {
    let toks = words(text);
    let tags = lex.annotate(&toks);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // Phrases of the closed classes first ("in front of", "a couple of", "no longer").
        let phrase = tags[i]
            .iter()
            .filter(|t| t.start == i && t.len > 1)
            .filter(|t| closed(t.cat))
            .max_by_key(|t| t.len);
        if let Some(t) = phrase {
            let end = t.start + t.len;
            out.push(closed_unit(lex, &toks[i..end], *t, i));
            i = end;
            continue;
        }
        // WordNet collocations ("hot dog", "fire hydrant", "teddy bear").
        if let Some(wn) = wn {
            if let Some((len, lemma)) = collocation(wn, &toks[i..], &tags[i..]) {
                let text = toks[i..i + len].join(" ");
                let plural = lemma != toks[i..i + len].join("_");
                out.push(Unit {
                    text,
                    class: Class::Word,
                    role: Role::Noun,
                    nouns: vec![lemma],
                    verbs: vec![],
                    adjs: vec![],
                    tags: vec![],
                    plural,
                    at: i,
                });
                i += len;
                continue;
            }
        }
        let w = &toks[i];
        let t = tags[i]
            .iter()
            .find(|t| t.start == i && t.len == 1 && closed(t.cat))
            .copied();
        let unit = match t {
            _ if FILLER.contains(&w.as_str()) => filler(w, i),
            Some(t) => closed_unit(lex, std::slice::from_ref(w), t, i),
            None if tags[i].iter().any(|t| {
                matches!(
                    t.cat,
                    Category::Article | Category::Function | Category::Tense
                )
            }) =>
            {
                filler(w, i)
            }
            None => {
                let next_is_word = toks.get(i + 1).is_some_and(|n| {
                    !FILLER.contains(&n.as_str())
                        && !tags[i + 1].iter().any(|t| {
                            closed(t.cat) || matches!(t.cat, Category::Article | Category::Function)
                        })
                });
                word(
                    wn,
                    w,
                    tags[i].iter().filter(|t| t.start == i).copied().collect(),
                    i,
                    next_is_word,
                )
            }
        };
        out.push(unit);
        i += 1;
    }
    for k in 0..out.len() {
        // A particle of a phrasal verb ("pulling up to", "looking out at") relates nothing.
        let after_verb = k > 0 && out[k - 1].role == Role::Verb;
        let then = toks
            .get(out[k].at + out[k].text.split(' ').count())
            .map(String::as_str);
        // "up" and "down" after a verb are a path ("travels down the road"), and after "close" a
        // framing ("a close up of").
        let path = matches!(out[k].text.as_str(), "up" | "down")
            && (after_verb || (k > 0 && out[k - 1].text == "close"));
        if matches!(out[k].class, Class::Spatial(_))
            && (path
                || after_verb
                    && matches!(
                        then,
                        Some("to" | "into" | "onto" | "at" | "with" | "of" | "on" | "in" | "from")
                    ))
        {
            out[k].class = Class::Filler;
        }
        let prev = k.checked_sub(1).map(|p| &out[p]);
        let next_tok = toks.get(out[k].at + 1).map(String::as_str);
        let next = out.get(k + 1);
        // A participle between a determiner and its noun describes it: "a steaming bowl",
        // "a bearded man".
        // Only right after a determiner or another description: "while riding skis" is a verb.
        let determined = prev.is_none_or(|p| {
            matches!(
                p.text.as_str(),
                "a" | "an" | "the" | "his" | "her" | "their" | "its" | "this" | "that"
            ) || p.role == Role::Adj
                || matches!(p.class, Class::Count(_) | Class::Colour)
        });
        if out[k].role == Role::Verb
            && determined
            && next.is_some_and(|n| n.role == Role::Noun && n.class == Class::Word)
        {
            out[k].role = Role::Adj;
            continue;
        }
        // A bare verb after its subject, before an object or a relation: "a boy eats a cake",
        // "a spoon lies on a napkin".
        let subject = out[..k]
            .iter()
            .rev()
            .find(|u| u.class != Class::Filler)
            .is_some_and(|u| u.role == Role::Noun && u.class == Class::Word && !u.plural);
        let object = matches!(
            next_tok,
            Some("a" | "an" | "the" | "his" | "her" | "their" | "its" | "some" | "two" | "three")
        ) || next.is_some_and(|n| matches!(n.class, Class::Spatial(_)));
        if out[k].role == Role::Noun
            && out[k].text.ends_with('s')
            && !out[k].verbs.is_empty()
            && subject
            && object
            && k > 0
        {
            out[k].role = Role::Verb;
        }
        // A base form right after a plural subject: "zebras stand together", "people fly kites".
        let plural_subject = k > 0
            && out[k - 1].role == Role::Noun
            && out[k - 1].class == Class::Word
            && out[k - 1].plural;
        if out[k].role == Role::Noun
            && plural_subject
            && out[k].verbs.iter().any(|v| v == &out[k].text)
            && !out[k].text.ends_with('s')
        {
            out[k].role = Role::Verb;
        }
        // A passive participle: "the book was read by the student".
        let be = out[k].at > 0
            && matches!(
                toks[out[k].at - 1].as_str(),
                "is" | "are" | "was" | "were" | "been" | "being"
            );
        if out[k].role != Role::Verb && !out[k].verbs.is_empty() && be && next_tok == Some("by") {
            out[k].role = Role::Verb;
        }
    }
    out
}

fn closed(cat: Category) -> bool {
    matches!(
        cat,
        Category::Negation
            | Category::Presence
            | Category::Number
            | Category::Quantifier
            | Category::Spatial
            | Category::Color
    )
}

fn filler(w: &str, at: usize) -> Unit {
    Unit {
        text: w.to_string(),
        class: Class::Filler,
        role: Role::Unknown,
        nouns: vec![],
        verbs: vec![],
        adjs: vec![],
        tags: vec![],
        plural: false,
        at,
    }
}

fn closed_unit(lex: &Lexicon, toks: &[String], t: Tag, at: usize) -> Unit {
    let text = toks.join(" ");
    let class = match t.cat {
        Category::Negation | Category::Presence => Class::Negation,
        Category::Number => Class::Count(number_value(lex, &text, t.group)),
        Category::Quantifier => Class::Count(None),
        Category::Spatial => Class::Spatial(t.group),
        _ => Class::Colour,
    };
    Unit {
        text,
        class,
        role: Role::Adj,
        nouns: vec![],
        verbs: vec![],
        adjs: vec![],
        tags: vec![t],
        plural: false,
        at,
    }
}

/// The value of a number word: digits, or the digits listed on its lexicon line.
fn number_value(lex: &Lexicon, text: &str, group: u32) -> Option<u32> {
    if let Ok(v) = text.replace(',', "").parse::<u32>() {
        return Some(v);
    }
    let g = lex.groups.get(group as usize)?;
    g.members
        .iter()
        .find_map(|m| (m.len() == 1).then(|| m[0].parse::<u32>().ok()).flatten())
}

fn word(wn: Option<&WordNet>, w: &str, tags: Vec<Tag>, at: usize, next_is_word: bool) -> Unit {
    let (mut nouns, mut verbs, mut adjs, mut advs) = (vec![], vec![], vec![], false);
    if let Some(wn) = wn {
        nouns = wn.lemmas(w, Pos::Noun);
        verbs = wn.lemmas(w, Pos::Verb);
        adjs = wn.lemmas(w, Pos::Adj);
        advs = wn.has(w, Pos::Adv);
    }
    // An -ing or -ed form, or an irregular past ("took"), with a verb reading: a verb.
    // An irregular past that is also a noun ("stove", "saw", "left") is read as the noun.
    let inflected = verbs.iter().any(|v| v != w)
        && (w.ends_with("ing") || w.ends_with("ed") || (!w.ends_with('s') && nouns.is_empty()));
    let attribute = tags.iter().any(|t| t.cat.is_attribute());
    let person = tags.iter().any(|t| {
        matches!(
            t.cat,
            Category::Subject | Category::Generic | Category::Object
        )
    });
    let role = if inflected && !attribute && !NOT_VERBS.contains(&w) {
        Role::Verb
    } else if !nouns.is_empty() && (adjs.is_empty() || person) {
        Role::Noun
    } else if !nouns.is_empty() && !attribute && !next_is_word {
        // Both a noun and an adjective ("game", "metal"): an adjective only before a noun.
        Role::Noun
    } else if !adjs.is_empty() || attribute {
        Role::Adj
    } else if !nouns.is_empty() {
        Role::Noun
    } else if !verbs.is_empty() {
        Role::Verb
    } else if advs {
        Role::Adv
    } else if person {
        Role::Noun
    } else {
        Role::Unknown
    };
    // The last base form is the most reduced: "men" is an entry of its own, "man" its base.
    let plural = role == Role::Noun
        && (nouns.last().is_some_and(|n| n != w)
            || matches!(
                w,
                "people" | "cattle" | "police" | "children" | "men" | "women"
            ));
    if nouns.is_empty() && wn.is_none() {
        nouns.push(w.to_string());
    }
    Unit {
        text: w.to_string(),
        class: Class::Word,
        role,
        nouns,
        verbs,
        adjs,
        tags,
        plural,
        at,
    }
}

/// The longest run of two or three words at the start of `toks` that WordNet lists as one noun.
fn collocation(wn: &WordNet, toks: &[String], tags: &[Vec<Tag>]) -> Option<(usize, String)> {
    for len in [3, 2] {
        if toks.len() < len || toks[..len].iter().any(|t| FILLER.contains(&t.as_str())) {
            continue;
        }
        if tags[..len]
            .iter()
            .flatten()
            .any(|t| closed(t.cat) || matches!(t.cat, Category::Article | Category::Function))
        {
            continue;
        }
        let head = &toks[len - 1];
        for lemma in std::iter::once(head.clone()).chain(wn.lemmas(head, Pos::Noun)) {
            // "hot dog" is listed as hot_dog, "surf board" as surfboard.
            for sep in ["_", ""] {
                let joined = format!("{}{sep}{lemma}", toks[..len - 1].join(sep));
                if wn.has(&joined, Pos::Noun) {
                    return Some((len, joined));
                }
            }
        }
    }
    None
}
