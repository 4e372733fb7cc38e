//! English word morphology, just enough to match lexicon entries: plurals, verb forms,
//! adverbs, and spelling slips.

use std::collections::HashMap;

/// The grammatical form of a verb token, as far as spelling tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerbForm {
    /// No suffix: `walk`, `run`.
    Base,
    /// Third person `-s`: `walks`.
    ThirdS,
    /// Progressive `-ing`: `walking`.
    Ing,
    /// Past or participle: `walked`, `took`, `taken`.
    Past,
}

/// Irregular forms, loaded from `plurals.txt` and `irregular_verbs.txt`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Morph {
    /// Irregular plural to singular (`men` -> `man`).
    pub(crate) singular_of: HashMap<String, String>,
    /// Singular to irregular plural (`man` -> `men`).
    pub(crate) plural_of: HashMap<String, String>,
    /// Irregular verb form to lemma (`took` -> `take`).
    pub(crate) lemma_of: HashMap<String, String>,
    /// Lemma to irregular past (`take` -> `took`).
    pub(crate) past_of: HashMap<String, String>,
    /// Lemma to irregular past participle (`take` -> `taken`).
    pub(crate) participle_of: HashMap<String, String>,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// `runn` -> `run`: drop a doubled final consonant.
fn undouble(stem: &str) -> Option<String> {
    let b = stem.as_bytes();
    let n = b.len();
    (n >= 3
        && b[n - 1] == b[n - 2]
        && !is_vowel(b[n - 1])
        && !matches!(b[n - 1], b'l' | b's' | b'z'))
    .then(|| stem[..n - 1].to_string())
}

impl Morph {
    /// Possible singulars of `w`, `w` itself excluded.
    pub(crate) fn singulars(&self, w: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = self.singular_of.get(w) {
            out.push(s.clone());
        }
        if let Some(base) = w.strip_suffix("'s") {
            out.push(base.to_string());
        }
        if w.len() > 3 && w.is_ascii() {
            if let Some(s) = w.strip_suffix("ies") {
                out.push(format!("{s}y"));
            } else if let Some(s) = w.strip_suffix("es") {
                out.push(s.to_string());
                out.push(format!("{s}e"));
            } else if w.ends_with('s')
                && !w.ends_with("ss")
                && !w.ends_with("us")
                && !w.ends_with("is")
            {
                out.push(w[..w.len() - 1].to_string());
            }
        }
        out
    }

    /// Possible verb lemmas of `w`, `w` itself excluded.
    pub(crate) fn verb_lemmas(&self, w: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(l) = self.lemma_of.get(w) {
            out.push(l.clone());
        }
        if !w.is_ascii() || w.len() < 4 {
            return out;
        }
        let push_stem = |stem: &str, out: &mut Vec<String>| {
            out.push(stem.to_string());
            out.push(format!("{stem}e"));
            if let Some(u) = undouble(stem) {
                out.push(u);
            }
            if let Some(s) = stem.strip_suffix('i') {
                out.push(format!("{s}y"));
            }
        };
        if let Some(stem) = w.strip_suffix("ing") {
            if stem.len() >= 2 {
                push_stem(stem, &mut out);
            }
        } else if let Some(stem) = w.strip_suffix("ed") {
            if stem.len() >= 2 {
                push_stem(stem, &mut out);
            }
        } else if let Some(stem) = w.strip_suffix("es") {
            out.push(stem.to_string());
            out.push(format!("{stem}e"));
            if let Some(s) = stem.strip_suffix('i') {
                out.push(format!("{s}y"));
            }
        } else if w.ends_with('s') && !w.ends_with("ss") {
            out.push(w[..w.len() - 1].to_string());
        }
        out
    }

    /// Possible adjective stems of an adverb (`happily` -> `happy`, `gently` -> `gentle`).
    pub(crate) fn adverb_stems(&self, w: &str) -> Vec<String> {
        let Some(stem) = w
            .strip_suffix("ly")
            .filter(|s| s.len() >= 3 && w.is_ascii())
        else {
            return Vec::new();
        };
        let mut out = vec![stem.to_string(), format!("{stem}le")];
        if let Some(s) = stem.strip_suffix('i') {
            out.push(format!("{s}y"));
        }
        out
    }

    /// The form of `w` read as a verb.
    pub(crate) fn verb_form(&self, w: &str) -> VerbForm {
        if let Some(lemma) = self.lemma_of.get(w) {
            if w.ends_with("ing") {
                return VerbForm::Ing;
            }
            if lemma != w {
                return VerbForm::Past;
            }
        }
        if w.len() > 4 && w.ends_with("ing") {
            VerbForm::Ing
        } else if w.len() > 3 && w.ends_with("ed") {
            VerbForm::Past
        } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
            VerbForm::ThirdS
        } else {
            VerbForm::Base
        }
    }

    /// The `-ing` form of a lemma (`run` -> `running`, `make` -> `making`).
    pub(crate) fn ing_form(&self, lemma: &str) -> String {
        if lemma.contains(' ') {
            let (head, rest) = lemma.split_once(' ').unwrap_or((lemma, ""));
            return format!("{} {rest}", self.ing_form(head));
        }
        if let Some(s) = lemma.strip_suffix("ie") {
            return format!("{s}ying");
        }
        if lemma.len() > 2 && lemma.ends_with('e') && !lemma.ends_with("ee") {
            return format!("{}ing", &lemma[..lemma.len() - 1]);
        }
        if doubles(lemma) {
            return format!("{lemma}{}ing", &lemma[lemma.len() - 1..]);
        }
        format!("{lemma}ing")
    }

    /// The plural of a singular noun (`box` -> `boxes`, `man` -> `men`).
    pub(crate) fn plural(&self, noun: &str) -> String {
        if let Some(p) = self.plural_of.get(noun) {
            return p.clone();
        }
        let b = noun.as_bytes();
        if noun.len() > 2 && noun.ends_with('y') && !is_vowel(b[b.len() - 2]) {
            return format!("{}ies", &noun[..noun.len() - 1]);
        }
        if ["s", "x", "z", "ch", "sh"]
            .iter()
            .any(|s| noun.ends_with(s))
        {
            return format!("{noun}es");
        }
        format!("{noun}s")
    }
}

/// Whether a short consonant-vowel-consonant verb doubles its last letter (`sit`, `swim`).
fn doubles(w: &str) -> bool {
    let b = w.as_bytes();
    let n = b.len();
    (3..=4).contains(&n)
        && w.is_ascii()
        && !is_vowel(b[n - 1])
        && !matches!(b[n - 1], b'w' | b'x' | b'y')
        && is_vowel(b[n - 2])
        && !is_vowel(b[n - 3])
}

/// Edit distance between two short words (Damerau: a swap of neighbours costs one).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Whether `a` and `b` look like one word spelt two ways, or cut short (`floo` / `floor`).
/// Grammatical suffixes (`-s`, `-ed`, `-ing`, ...) do not count as slips.
pub(crate) fn spelling_slip(a: &str, b: &str) -> bool {
    if a == b || a.chars().count() > 24 || b.chars().count() > 24 {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if let Some(rest) = long.strip_prefix(short) {
        const SUFFIXES: [&str; 11] = [
            "s", "es", "ed", "d", "er", "ing", "ly", "y", "en", "n", "'s",
        ];
        return short.chars().count() >= 3
            && rest.chars().count() <= 2
            && !SUFFIXES.contains(&rest);
    }
    short.chars().count() >= 5 && edit_distance(a, b) == 1
}
