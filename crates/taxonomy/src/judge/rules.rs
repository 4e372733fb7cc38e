//! The edit rules: what a replaced, added or dropped unit does to a picture.

use crate::kind::FailureKind;
use crate::lexicon::{Category, Lexicon};
use crate::morph::spelling_slip;

use super::units::{Class, Role, Unit};
use super::wordnet::{lexfile, Pos, WordNet};
use super::{Alignment, Finding, Judgement};

/// Kinds of things whose substitution a picture shows.
pub(crate) const CONCRETE: [u8; 7] = [
    lexfile::ANIMAL,
    lexfile::ARTIFACT,
    lexfile::FOOD,
    lexfile::PLANT,
    lexfile::PERSON,
    lexfile::BODY,
    lexfile::SUBSTANCE,
];

/// Families of spatial relations: members of one family say the same ("next to" / "beside").
const RELATIONS: &[(&str, &[&str])] = &[
    (
        "near",
        &[
            "next to",
            "beside",
            "by",
            "near",
            "close to",
            "alongside",
            "adjacent to",
            "nearby",
            "at",
        ],
    ),
    ("on", &["on", "on top of", "atop", "onto", "upon"]),
    (
        "in",
        &[
            "in",
            "within",
            "into",
            "in the middle of",
            "among",
            "amid",
            "amongst",
        ],
    ),
    ("inside", &["inside", "inside of"]),
    ("under", &["under", "underneath", "beneath", "below"]),
    ("above", &["above", "over"]),
    ("front", &["in front of", "before", "ahead of"]),
    ("behind", &["behind", "in back of"]),
    ("outside", &["outside", "outside of"]),
    ("far", &["far from", "away from", "far away from"]),
    (
        "left",
        &[
            "left",
            "on the left",
            "to the left of",
            "on the left of",
            "on the left side of",
            "leftmost",
        ],
    ),
    (
        "right",
        &[
            "right",
            "on the right",
            "to the right of",
            "on the right of",
            "on the right side of",
            "rightmost",
        ],
    ),
    ("top", &["top", "upper", "upstairs"]),
    ("bottom", &["bottom", "lower", "downstairs"]),
];

/// Families a picture cannot confuse. Any other exchange of relations ("near" / "in front
/// of", "on a field" / "outside", "down a slope" / "on a slope") is not vouched for: caption
/// writers use them loosely for one picture.
const OPPOSITE: &[(&str, &str)] = &[
    ("left", "right"),
    ("on", "under"),
    ("above", "under"),
    ("front", "behind"),
    ("near", "far"),
    ("top", "bottom"),
    ("inside", "outside"),
];

fn family(relation: &str) -> Option<&'static str> {
    RELATIONS
        .iter()
        .find(|(_, l)| l.contains(&relation))
        .map(|(f, _)| *f)
}

/// Posture verbs written several ways for one picture ("lying" / "laying", "sitting" / "seated").
const POSTURES: &[&[&str]] = &[
    &["sit", "seat", "perch"],
    &["lie", "lay"],
    &["stand", "stood"],
];

/// Verbs that describe a pose or a gaze more than an action: swapped, they often describe one
/// picture.
const STATES: &[&str] = &[
    "stand", "sit", "hold", "pose", "wait", "stay", "rest", "lie", "lay", "lean", "watch", "look",
    "swing", "hit", "carry", "have", "wear", "show",
];

/// What a person word says of gender and age: `(gender, age)`, each `'m'`/`'f'`, `'c'`/`'a'`,
/// or `' '` when it does not say. Any more specific person word fits it ("a man" / "a surfer").
const PERSONS: &[(&str, char, char)] = &[
    ("man", 'm', 'a'),
    ("woman", 'f', 'a'),
    ("boy", 'm', 'c'),
    ("girl", 'f', 'c'),
    ("guy", 'm', ' '),
    ("lady", 'f', 'a'),
    ("gentleman", 'm', 'a'),
    ("child", ' ', 'c'),
    ("kid", ' ', 'c'),
    ("baby", ' ', 'c'),
    ("toddler", ' ', 'c'),
    ("adult", ' ', 'a'),
    ("teenager", ' ', 'c'),
    ("teen", ' ', 'c'),
    ("male", 'm', ' '),
    ("female", 'f', ' '),
    ("person", ' ', ' '),
    ("people", ' ', ' '),
    ("someone", ' ', ' '),
    ("somebody", ' ', ' '),
    ("human", ' ', ' '),
    ("individual", ' ', ' '),
    ("youngster", ' ', 'c'),
    ("youth", ' ', 'c'),
    ("father", 'm', 'a'),
    ("mother", 'f', 'a'),
    ("dad", 'm', 'a'),
    ("mom", 'f', 'a'),
    ("son", 'm', ' '),
    ("daughter", 'f', ' '),
    ("old_man", 'm', 'a'),
    ("old_woman", 'f', 'a'),
    ("young_man", 'm', 'a'),
    ("young_woman", 'f', 'a'),
    ("little_girl", 'f', 'c'),
    ("little_boy", 'm', 'c'),
    ("gal", 'f', ' '),
];

/// `(gender, age)` of a single word as written, plural or not ("men", "girls").
fn person_word(word: &str) -> Option<(char, char)> {
    let singular = match word {
        "men" => "man",
        "women" => "woman",
        "children" => "child",
        _ => word.trim_end_matches('s'),
    };
    PERSONS
        .iter()
        .find(|(p, _, _)| *p == word || *p == singular)
        .map(|&(_, g, a)| (g, a))
}

pub(crate) fn person_gender(word: &str) -> char {
    person_word(word).map_or(' ', |(g, _)| g)
}

pub(crate) fn person_age(word: &str) -> char {
    person_word(word).map_or(' ', |(_, a)| a)
}

fn person(u: &Unit) -> Option<(char, char)> {
    let mut keys = vec![u.text.replace(' ', "_")];
    keys.extend(u.nouns.iter().cloned());
    keys.iter().find_map(|k| {
        PERSONS
            .iter()
            .find(|(w, _, _)| w == k)
            .map(|&(_, g, a)| (g, a))
    })
}

/// Whether two units say the same thing as written (or in another form of the same word).
pub(crate) fn same_unit(x: &Unit, y: &Unit) -> bool {
    match (&x.class, &y.class) {
        (Class::Negation, Class::Negation) => true,
        (Class::Count(v), Class::Count(w)) => v == w && (v.is_some() || x.text == y.text),
        (Class::Spatial(_), Class::Spatial(_)) => {
            x.text.trim_end_matches('s') == y.text.trim_end_matches('s')
        }
        (Class::Colour, Class::Colour) => x.text == y.text,
        (Class::Word, Class::Word) => {
            // A compound and its head ("tennis racquet" / "racquet") name one thing.
            let head = |n: &String| n.rsplit('_').next().map(str::to_string);
            let heads = |u: &Unit| u.nouns.iter().filter_map(head).collect::<Vec<_>>();
            x.text == y.text
                || x.nouns.iter().any(|n| y.nouns.contains(n))
                || (x.role == Role::Noun
                    && y.role == Role::Noun
                    && heads(x).iter().any(|h| heads(y).contains(h)))
                || x.verbs.iter().any(|v| y.verbs.contains(v))
                || x.adjs.iter().any(|v| y.adjs.contains(v))
        }
        _ => false,
    }
}

/// The slot an unmatched unit may be exchanged in: a noun for a noun, a colour for a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Negation,
    Count,
    Spatial,
    Colour,
    Noun,
    Verb,
    Adj,
    Other,
}

fn slot(u: &Unit) -> Slot {
    match (&u.class, u.role) {
        (Class::Negation, _) => Slot::Negation,
        (Class::Count(_), _) => Slot::Count,
        (Class::Spatial(_), _) => Slot::Spatial,
        (Class::Colour, _) => Slot::Colour,
        // Listed attributes and other adjectives trade places ("messy" / "untidy").
        _ if u.is_visible_attribute() => Slot::Adj,
        (_, Role::Noun) => Slot::Noun,
        (_, Role::Verb) => Slot::Verb,
        (_, Role::Adj) => Slot::Adj,
        _ => Slot::Other,
    }
}

/// Judges every unmatched unit: replacements (paired by position and slot) first, then what
/// one caption adds. Equivalent replacements are recorded in the alignment.
pub(crate) fn edits(lex: &Lexicon, wn: Option<&WordNet>, al: &mut Alignment) -> Vec<Finding> {
    // The gap a unit sits in: how many anchors come before it.
    let gap = |anchors: &[(usize, usize)], i: usize, side_a: bool| {
        anchors
            .iter()
            .filter(|&&(x, y)| if side_a { x < i } else { y < i })
            .count()
    };
    let open_a: Vec<usize> = (0..al.a.len())
        .filter(|&i| al.to_b[i].is_none() && al.a[i].class != Class::Filler)
        .collect();
    let open_b: Vec<usize> = (0..al.b.len())
        .filter(|&j| al.to_a[j].is_none() && al.b[j].class != Class::Filler)
        .collect();
    let mut findings = Vec::new();
    let mut paired_b = vec![false; al.b.len()];
    let mut single_a = Vec::new();
    for &i in &open_a {
        let (g, s) = (gap(&al.anchors, i, true), slot(&al.a[i]));
        // A word WordNet does not know (a typo, a name) may stand for anything in its place.
        let fits = |t: Slot| t == s || s == Slot::Other || t == Slot::Other;
        let partner = open_b
            .iter()
            .copied()
            .find(|&j| !paired_b[j] && gap(&al.anchors, j, false) == g && fits(slot(&al.b[j])));
        match partner {
            Some(j) => {
                paired_b[j] = true;
                let f = replaced(
                    lex,
                    wn,
                    &al.a[i],
                    &al.b[j],
                    if s == Slot::Other { slot(&al.b[j]) } else { s },
                );
                if f.judgement == Judgement::Same {
                    al.to_b[i] = Some(j);
                    al.to_a[j] = Some(i);
                }
                findings.push(f);
            }
            None => single_a.push(i),
        }
    }
    let mut single_b: Vec<usize> = open_b.iter().copied().filter(|&j| !paired_b[j]).collect();
    // A moved phrase that changed ("to the left of the door" / "to the right of the door, ..."):
    // the one relation, number, colour, adjective or noun left on each side are a replacement.
    for s in [
        Slot::Spatial,
        Slot::Count,
        Slot::Colour,
        Slot::Adj,
        Slot::Noun,
    ] {
        let (xs, ys): (Vec<usize>, Vec<usize>) = (
            single_a
                .iter()
                .copied()
                .filter(|&i| slot(&al.a[i]) == s)
                .collect(),
            single_b
                .iter()
                .copied()
                .filter(|&j| slot(&al.b[j]) == s)
                .collect(),
        );
        if let ([i], [j]) = (xs.as_slice(), ys.as_slice()) {
            let f = replaced(lex, wn, &al.a[*i], &al.b[*j], s);
            if f.judgement == Judgement::Same {
                al.to_b[*i] = Some(*j);
                al.to_a[*j] = Some(*i);
            }
            findings.push(f);
            single_a.retain(|k| k != i);
            single_b.retain(|k| k != j);
        }
    }
    for (side, singles) in [(true, single_a), (false, single_b)] {
        for i in singles {
            findings.extend(added(wn, al, side, i));
        }
    }
    findings
}

/// A unit of one caption replaced by a unit of the other, in the same place.
fn replaced(lex: &Lexicon, wn: Option<&WordNet>, x: &Unit, y: &Unit, s: Slot) -> Finding {
    use FailureKind as K;
    use Judgement::{ChangesMeaning as Change, Same, Uncertain};
    let (p, q) = (&x.text, &y.text);
    let pair = format!("'{p}' → '{q}'");
    let synonyms = lex.synonyms(std::slice::from_ref(p), std::slice::from_ref(q));
    match s {
        Slot::Negation => Finding::new(Same, K::Synonym, format!("negation either way: {pair}")),
        Slot::Count => match (&x.class, &y.class) {
            (Class::Count(Some(v)), Class::Count(Some(w))) if v != w => {
                Finding::new(Change, K::Quantifier, format!("count: {pair}"))
            }
            (Class::Count(None), Class::Count(None)) => {
                Finding::new(Same, K::Synonym, format!("vague quantities: {pair}"))
            }
            _ => Finding::new(
                Uncertain,
                K::Quantifier,
                format!("a number against a vague quantity: {pair}"),
            ),
        },
        Slot::Spatial => match (family(p), family(q)) {
            (Some(f), Some(g))
                if f == g || (f, g) == ("in", "inside") || (f, g) == ("inside", "in") =>
            {
                Finding::new(Same, K::Synonym, format!("the same relation: {pair}"))
            }
            (Some(f), Some(g)) if OPPOSITE.contains(&(f, g)) || OPPOSITE.contains(&(g, f)) => {
                Finding::new(Change, K::Spatial, format!("spatial relation: {pair}"))
            }
            _ => Finding::new(Uncertain, K::Spatial, format!("another relation: {pair}")),
        },
        Slot::Colour if synonyms => {
            Finding::new(Same, K::Synonym, format!("the same colour: {pair}"))
        }
        Slot::Colour => Finding::new(Change, K::Attribute, format!("colour: {pair}")),
        Slot::Noun => noun_replaced(wn, x, y, synonyms, &pair),
        Slot::Verb => verb_replaced(wn, x, y, synonyms, &pair),
        Slot::Adj => {
            let contrast = |cat: Category| x.group(cat).is_some() && x.group(cat) == y.group(cat);
            let materials = x.has(Category::Material) && y.has(Category::Material);
            if synonyms
                || wn.is_some_and(|wn| {
                    any_pair(&x.adjs, &y.adjs, |a, b| wn.synonyms(a, b, Pos::Adj))
                })
            {
                Finding::new(Same, K::Synonym, format!("synonyms: {pair}"))
            } else if materials
                || [Category::Size, Category::State, Category::Age]
                    .into_iter()
                    .any(contrast)
            {
                Finding::new(Change, K::Attribute, format!("attribute: {pair}"))
            } else if spelling_slip(p, q) || built_on(p, q) {
                Finding::new(
                    Same,
                    K::Synonym,
                    format!("spelling or one word built on the other: {pair}"),
                )
            } else {
                Finding::new(Uncertain, K::Attribute, format!("other adjectives: {pair}"))
            }
        }
        Slot::Other if spelling_slip(p, q) || synonyms => {
            Finding::new(Same, K::Synonym, format!("spelling: {pair}"))
        }
        Slot::Other => Finding::new(
            Uncertain,
            K::Other,
            format!("words WordNet does not know: {pair}"),
        ),
    }
}

/// Whether one word is the other with something added ("wood" / "wooden", "counter" /
/// "countertop").
fn built_on(p: &str, q: &str) -> bool {
    let (short, long) = if p.len() <= q.len() { (p, q) } else { (q, p) };
    short.len() >= 4 && short != long && long.starts_with(short)
}

fn any_pair(xs: &[String], ys: &[String], f: impl Fn(&str, &str) -> bool) -> bool {
    xs.iter().any(|x| ys.iter().any(|y| f(x, y)))
}

fn noun_replaced(wn: Option<&WordNet>, x: &Unit, y: &Unit, synonyms: bool, pair: &str) -> Finding {
    use FailureKind as K;
    use Judgement::{ChangesMeaning as Change, Same, Uncertain};
    let (p, q) = (x.text.as_str(), y.text.as_str());
    let wn_synonyms =
        wn.is_some_and(|wn| any_pair(&x.nouns, &y.nouns, |a, b| wn.synonyms(a, b, Pos::Noun)));
    if synonyms
        || wn_synonyms
        || spelling_slip(p, q) && !(x.nouns.contains(&x.text) && y.nouns.contains(&y.text))
    {
        return Finding::new(Same, K::Synonym, format!("synonyms: {pair}"));
    }
    // People first: WordNet files a girl under woman, but a picture tells them apart.
    if let (Some((gx, ax)), Some((gy, ay))) = (person(x), person(y)) {
        let differ = |u: char, v: char| u != ' ' && v != ' ' && u != v;
        return if differ(gx, gy) || differ(ax, ay) {
            Finding::new(Change, K::Subject, format!("another person: {pair}"))
        } else {
            Finding::new(
                Same,
                K::Synonym,
                format!("the same person in other words: {pair}"),
            )
        };
    }
    let (px, py) = (x.is_person(wn), y.is_person(wn));
    // A person against a thing held or used ("a tennis player" / "a racquet") is a reworded
    // caption, not a replaced thing.
    if px != py
        && wn.is_some_and(|wn| {
            !(x.nouns
                .iter()
                .chain(&y.nouns)
                .any(|n| wn.lexfiles(n, Pos::Noun, 1).contains(&lexfile::ANIMAL)))
        })
    {
        return Finding::new(
            Uncertain,
            K::Object,
            format!("a person against a thing: {pair}"),
        );
    }
    if px && py {
        let contrast = x.group(Category::Subject).is_some()
            && x.group(Category::Subject) == y.group(Category::Subject);
        return match (person(x).is_some(), person(y).is_some()) {
            _ if contrast => Finding::new(Change, K::Subject, format!("another person: {pair}")),
            (true, false) | (false, true) => {
                Finding::new(Same, K::Synonym, format!("a person and their role: {pair}"))
            }
            _ => Finding::new(
                Uncertain,
                K::Subject,
                format!("two roles of a person: {pair}"),
            ),
        };
    }
    // One word built on the other ("counter" / "countertop", "control" / "controller").
    if built_on(p, q) {
        return Finding::new(
            Uncertain,
            K::Object,
            format!("one word built on the other: {pair}"),
        );
    }
    if let Some(wn) = wn {
        if any_pair(&x.nouns, &y.nouns, |a, b| {
            wn.is_hypernym(a, b, Pos::Noun, 12) || wn.is_hypernym(b, a, Pos::Noun, 12)
        }) {
            return Finding::new(Same, K::Synonym, format!("a more general word: {pair}"));
        }
    }
    if x.has(Category::Generic) || y.has(Category::Generic) {
        return Finding::new(Same, K::Synonym, format!("a more general word: {pair}"));
    }
    match wn {
        Some(wn) if concrete(wn, x, 4) && concrete(wn, y, 4) => {
            Finding::new(Change, K::Object, format!("another thing: {pair}"))
        }
        Some(_) => Finding::new(
            Uncertain,
            K::Object,
            format!("another noun, not a thing a picture shows for sure: {pair}"),
        ),
        None => Finding::new(Uncertain, K::Object, format!("another noun: {pair}")),
    }
}

/// Whether one of the `senses` most frequent senses of the noun is a thing a picture shows.
fn concrete(wn: &WordNet, u: &Unit, senses: usize) -> bool {
    u.nouns.first().is_some_and(|n| {
        wn.lexfiles(n, Pos::Noun, senses)
            .iter()
            .any(|f| CONCRETE.contains(f))
    })
}

fn verb_replaced(wn: Option<&WordNet>, x: &Unit, y: &Unit, synonyms: bool, pair: &str) -> Finding {
    use FailureKind as K;
    use Judgement::{ChangesMeaning as Change, Same, Uncertain};
    let posture = POSTURES.iter().any(|l| {
        x.verbs.iter().any(|v| l.contains(&v.as_str()))
            && y.verbs.iter().any(|v| l.contains(&v.as_str()))
    });
    if synonyms || posture {
        return Finding::new(Same, K::Synonym, format!("the same action: {pair}"));
    }
    let Some(wn) = wn else {
        return Finding::new(Uncertain, K::Action, format!("another verb: {pair}"));
    };
    if any_pair(&x.verbs, &y.verbs, |a, b| {
        wn.synonyms(a, b, Pos::Verb)
            || wn.is_hypernym(a, b, Pos::Verb, 3)
            || wn.is_hypernym(b, a, Pos::Verb, 3)
    }) {
        return Finding::new(
            Same,
            K::Synonym,
            format!("WordNet: the same action: {pair}"),
        );
    }
    let (Some(a), Some(b)) = (x.verbs.first(), y.verbs.first()) else {
        return Finding::new(Uncertain, K::Action, format!("another verb: {pair}"));
    };
    // Verbs of one lexicographer file ("riding" / "surfing", "holding" / "carrying") often
    // describe one picture, and so do the verbs of a pose ("standing" / "holding a racquet");
    // only actions of different kinds are vouched for.
    let pose = |v: &str| STATES.contains(&v);
    if wn.first_lexfile(a, Pos::Verb) == wn.first_lexfile(b, Pos::Verb) || pose(a) || pose(b) {
        Finding::new(Uncertain, K::Action, format!("a related action: {pair}"))
    } else {
        Finding::new(Change, K::Action, format!("another action: {pair}"))
    }
}

/// A unit only one caption has (`side_a`: caption A).
fn added(wn: Option<&WordNet>, al: &Alignment, side_a: bool, i: usize) -> Option<Finding> {
    use FailureKind as K;
    use Judgement::{ChangesMeaning as Change, Same, Uncertain};
    let (mine, other, to_other) = if side_a {
        (&al.a, &al.b, &al.to_b)
    } else {
        (&al.b, &al.a, &al.to_a)
    };
    let u = &mine[i];
    let what = if side_a {
        format!("'{}' only in the first caption", u.text)
    } else {
        format!("'{}' only in the second caption", u.text)
    };
    // A relation or a verb that introduces an added thing ("next to a sailboat", "wearing
    // headphones") is part of that addition: the noun is judged.
    let introduces_added_noun = matches!(u.class, Class::Spatial(_)) || u.role == Role::Verb;
    if introduces_added_noun {
        let next = mine[i + 1..]
            .iter()
            .position(|n| n.class != Class::Filler)
            .map(|k| i + 1 + k);
        if next.is_some_and(|k| {
            mine[k].role == Role::Noun && mine[k].class == Class::Word && to_other[k].is_none()
        }) {
            return None;
        }
    }
    Some(match (&u.class, u.role) {
        (Class::Negation, _) if u.has(Category::Presence) => {
            Finding::new(Change, K::Presence, format!("presence: {what}"))
        }
        (Class::Negation, _) => Finding::new(Change, K::Negation, format!("negation: {what}")),
        (Class::Count(Some(1)), _) | (Class::Count(None), _) => {
            Finding::new(Same, K::Synonym, format!("no count: {what}"))
        }
        (Class::Count(Some(_)), _) => {
            // "two dogs" against "a dog": the noun it counts is in both captions.
            let noun = mine[i + 1..]
                .iter()
                .position(|n| n.role == Role::Noun && n.class == Class::Word)
                .map(|k| i + 1 + k);
            let same_noun =
                |k: usize, j: usize| mine[k].nouns.iter().any(|n| other[j].nouns.contains(n));
            match noun.and_then(|k| to_other[k].filter(|&j| same_noun(k, j))) {
                Some(j) if !other[j].plural => Finding::new(
                    Change,
                    K::Quantifier,
                    format!("count: {what}, one '{}' in the other", other[j].text),
                ),
                Some(_) => Finding::new(
                    Uncertain,
                    K::Quantifier,
                    format!("count: {what}, an uncounted plural in the other"),
                ),
                None => return None,
            }
        }
        (Class::Spatial(_), _) => Finding::new(Uncertain, K::Spatial, format!("relation: {what}")),
        (Class::Colour, _) => Finding::new(Change, K::Attribute, format!("added colour: {what}")),
        _ if matches!(u.text.as_str(), "young" | "little" | "small")
            && mine
                .get(i + 1)
                .and_then(person)
                .is_some_and(|(_, age)| age == 'c') =>
        {
            Finding::new(
                Same,
                K::Synonym,
                format!("an age the person word already says: {what}"),
            )
        }
        _ if u.is_visible_attribute() || u.role == Role::Adj => {
            // "a large group of people": the adjective describes a quantity, not a thing.
            let next = mine[i + 1..].iter().find(|n| n.class != Class::Filler);
            if next.is_some_and(|n| matches!(n.class, Class::Count(_))) {
                Finding::new(Same, K::Synonym, format!("describes a quantity: {what}"))
            } else if u.is_visible_attribute()
                || (u.text.ends_with("ed") || u.text.ends_with("ing"))
                    && mine.get(i + 1).is_some_and(|n| n.role == Role::Noun)
                    && i > 0
                    && matches!(mine[i - 1].text.as_str(), "a" | "an" | "the")
            {
                // A listed attribute, or a participle that describes the next noun ("a bearded
                // man", "a steaming bowl").
                Finding::new(Change, K::Attribute, format!("added attribute: {what}"))
            } else {
                // "grassy field", "sandy beach", "open field": often what the noun implies.
                Finding::new(
                    Uncertain,
                    K::Attribute,
                    format!("added description: {what}"),
                )
            }
        }
        (_, Role::Adv) => Finding::new(Same, K::Synonym, format!("adverb: {what}")),
        (_, Role::Noun) => {
            if u.is_person(wn)
                && other
                    .iter()
                    .any(|o| o.class == Class::Filler && PRONOUNS.contains(&o.text.as_str()))
            {
                Finding::new(
                    Same,
                    K::Synonym,
                    format!("a pronoun for the person: {what}"),
                )
            } else if u.is_person(wn)
                && other.iter().any(|o| {
                    matches!(
                        o.text.as_str(),
                        "people"
                            | "persons"
                            | "couple"
                            | "group"
                            | "family"
                            | "crowd"
                            | "players"
                            | "kids"
                            | "children"
                    )
                })
            {
                Finding::new(
                    Uncertain,
                    K::Presence,
                    format!("a person among people the other caption counts together: {what}"),
                )
            } else if u.has(Category::Generic) {
                Finding::new(Same, K::Synonym, format!("a general word: {what}"))
            } else if SETTING.contains(&u.text.as_str())
                || wn.is_some_and(|wn| {
                    u.nouns
                        .first()
                        .is_some_and(|n| wn.lexfiles(n, Pos::Noun, 1).contains(&lexfile::BODY))
                })
            {
                // The ground, the sky, a hand: what a scene has anyway.
                Finding::new(
                    Uncertain,
                    K::Presence,
                    format!("a setting or a body part: {what}"),
                )
            } else if let Some(o) = implied_by(u, other) {
                // "a tree" / "a tree branch", "a tennis court" beside "a tennis ball", "a surfboard"
                // beside "surfing": the other caption already names it, or the scene it belongs to.
                Finding::new(
                    Uncertain,
                    K::Presence,
                    format!("implied by '{o}' in the other caption: {what}"),
                )
            } else if mine.get(i + 1).is_some_and(|n| {
                n.role == Role::Noun && n.class == Class::Word && to_other[i + 1].is_some()
            }) {
                // "train tracks" / "tracks", "bathroom sink" / "sink": a noun naming the kind of
                // a thing both captions have.
                Finding::new(
                    Uncertain,
                    K::Presence,
                    format!("a compound's first noun: {what}"),
                )
            } else if wn.is_some_and(|wn| concrete(wn, u, 2)) {
                Finding::new(Change, K::Presence, format!("added object: {what}"))
            } else {
                Finding::new(Uncertain, K::Presence, format!("added detail: {what}"))
            }
        }
        (_, Role::Verb) => Finding::new(Uncertain, K::Action, format!("added action: {what}")),
        _ => Finding::new(Uncertain, K::Other, format!("unknown word: {what}")),
    })
}

/// A word of `other` that implies the added noun `u`: a compound that contains it, a word that
/// shares its compound's modifier ("tennis court" / "tennis ball"), or a word of the same stem
/// ("surfboard" / "surfing").
fn implied_by<'a>(u: &Unit, other: &'a [Unit]) -> Option<&'a str> {
    let parts: Vec<&str> = u.text.split(' ').collect();
    let stem = |w: &str| w.chars().take(4).collect::<String>();
    other
        .iter()
        .filter(|o| o.class == Class::Word)
        .find_map(|o| {
            let theirs: Vec<&str> = o.text.split(' ').collect();
            let contains = theirs.len() > 1 && parts.iter().all(|p| theirs.contains(p));
            let shared_modifier = parts.len() > 1 && theirs.len() > 1 && parts[0] == theirs[0];
            let same_stem = o.text != u.text
                && parts[0].len() >= 4
                && theirs
                    .iter()
                    .any(|t| t.len() >= 4 && stem(parts[0]) == stem(t));
            // "airplane" / "plane": one word ends with the other.
            let nested = theirs.iter().any(|t| {
                t.len() >= 5
                    && u.text != *t
                    && (u.text.ends_with(t) || t.ends_with(u.text.as_str()))
            });
            (contains || shared_modifier || same_stem || nested).then_some(o.text.as_str())
        })
}

/// What almost every scene has, so a caption that adds it shows nothing new.
const SETTING: &[&str] = &[
    "floor",
    "ground",
    "grass",
    "sand",
    "water",
    "sky",
    "air",
    "shore",
    "background",
    "foreground",
    "daytime",
    "outside",
    "area",
    "side",
];

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "him", "her", "them", "his", "their", "who", "i", "we", "you",
];
