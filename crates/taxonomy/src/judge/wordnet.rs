//! A reader of the WordNet 3.0 database files (`index.*`, `data.*`, `*.exc`), as Debian's
//! `wordnet-base` package ships them. The judge asks it three questions about two words: are
//! they synonyms (a shared synset), is one a more general word for the other (a hypernym
//! path), and which lexicographer file (animal, artifact, food, motion, ...) their most
//! frequent sense belongs to.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::LexiconError;

/// A part of speech, as WordNet files it: each has its own index, data and exception files,
/// so a word is looked up as one part of speech at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pos {
    /// Nouns (`n` in WordNet's files).
    Noun,
    /// Verbs (`v`).
    Verb,
    /// Adjectives: heads `a` and satellites `s`.
    Adj,
    /// Adverbs (`r`).
    Adv,
}

impl Pos {
    const ALL: [Pos; 4] = [Pos::Noun, Pos::Verb, Pos::Adj, Pos::Adv];

    fn file(self) -> &'static str {
        match self {
            Pos::Noun => "noun",
            Pos::Verb => "verb",
            Pos::Adj => "adj",
            Pos::Adv => "adv",
        }
    }

    fn from_tag(tag: &str) -> Option<Pos> {
        match tag {
            "n" => Some(Pos::Noun),
            "v" => Some(Pos::Verb),
            "a" | "s" => Some(Pos::Adj),
            "r" => Some(Pos::Adv),
            _ => None,
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// Lexicographer files (`lexnames(5WN)`) the judge reasons about.
pub mod lexfile {
    /// `noun.animal`.
    pub const ANIMAL: u8 = 5;
    /// `noun.artifact`.
    pub const ARTIFACT: u8 = 6;
    /// `noun.body`.
    pub const BODY: u8 = 8;
    /// `noun.food`.
    pub const FOOD: u8 = 13;
    /// `noun.location` (a field, a park).
    pub const LOCATION: u8 = 15;
    /// `noun.object`: natural objects and places (a beach, a rock).
    pub const OBJECT: u8 = 17;
    /// `noun.person`.
    pub const PERSON: u8 = 18;
    /// `noun.plant`.
    pub const PLANT: u8 = 20;
    /// `noun.substance`.
    pub const SUBSTANCE: u8 = 27;
}

#[derive(Debug, Clone)]
struct Synset {
    lexfile: u8,
    /// Hypernyms and instance hypernyms.
    up: Vec<u32>,
}

/// The WordNet database, loaded once: the judge asks it whether two words are synonyms,
/// whether one is a more general word for the other, and what kind of thing a word names.
#[derive(Debug, Default)]
pub struct WordNet {
    /// `lemma` (lowercase, spaces as `_`) → synsets per part of speech, most frequent first.
    index: HashMap<String, [Vec<u32>; 4]>,
    synsets: Vec<Synset>,
    /// Irregular inflections → lemmas, per part of speech.
    exceptions: [HashMap<String, Vec<String>>; 4],
    dir: PathBuf,
}

/// Where WordNet is looked for, in order: `$LOOKALIKE_WORDNET`, `wordnet/` in the data home
/// ([`lookalike_home::data_home`], where `lookalike setup` unpacks it), then the system's
/// `/usr/share/wordnet`.
pub fn wordnet_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("LOOKALIKE_WORDNET") {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(lookalike_home::data_home().join("wordnet"));
    dirs.push(PathBuf::from("/usr/share/wordnet"));
    dirs
}

impl WordNet {
    /// The first directory of [`wordnet_dirs`] that holds a database, loaded once per process;
    /// `None` when none does (the judge then answers `uncertain` where it needs WordNet).
    pub fn installed() -> Option<&'static WordNet> {
        static INSTALLED: OnceLock<Option<WordNet>> = OnceLock::new();
        INSTALLED
            .get_or_init(|| {
                let dir = wordnet_dirs()
                    .into_iter()
                    .find(|d| d.join("data.noun").is_file())?;
                WordNet::load(&dir).ok()
            })
            .as_ref()
    }

    /// Loads the database in `dir` (the folder holding `data.noun`).
    pub fn load(dir: &Path) -> Result<WordNet, LexiconError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|source| LexiconError::Io { path, source })
        };
        let mut wn = WordNet {
            dir: dir.to_path_buf(),
            ..WordNet::default()
        };
        // Synset offsets are byte offsets per data file; number them densely.
        let mut ids: HashMap<(usize, u32), u32> = HashMap::new();
        let mut pending: Vec<Vec<(usize, u32)>> = Vec::new();
        for pos in Pos::ALL {
            let name = format!("data.{}", pos.file());
            let text = read(&name)?;
            for (n, line) in text.lines().enumerate() {
                if line.starts_with("  ") || line.is_empty() {
                    continue; // the licence header
                }
                let bad = |what: &str| LexiconError::Syntax {
                    file: dir.join(&name).display().to_string(),
                    line: n + 1,
                    message: what.to_string(),
                };
                let mut f = line.split(' ');
                let offset: u32 = f
                    .next()
                    .and_then(|x| x.parse().ok())
                    .ok_or_else(|| bad("no synset offset"))?;
                let lexfile: u8 = f
                    .next()
                    .and_then(|x| x.parse().ok())
                    .ok_or_else(|| bad("no lexicographer file"))?;
                f.next(); // ss_type
                let words = f
                    .next()
                    .and_then(|x| usize::from_str_radix(x, 16).ok())
                    .ok_or_else(|| bad("no word count"))?;
                for _ in 0..words * 2 {
                    f.next();
                }
                let pointers: usize = f
                    .next()
                    .and_then(|x| x.parse().ok())
                    .ok_or_else(|| bad("no pointer count"))?;
                let mut up = Vec::new();
                for _ in 0..pointers {
                    let (sym, target, tpos) = (f.next(), f.next(), f.next());
                    f.next();
                    if matches!(sym, Some("@") | Some("@i")) {
                        let target: u32 = target
                            .and_then(|x| x.parse().ok())
                            .ok_or_else(|| bad("bad pointer"))?;
                        let tpos = tpos
                            .and_then(Pos::from_tag)
                            .ok_or_else(|| bad("bad pointer part of speech"))?;
                        up.push((tpos.slot(), target));
                    }
                }
                ids.insert((pos.slot(), offset), wn.synsets.len() as u32);
                wn.synsets.push(Synset {
                    lexfile,
                    up: Vec::new(),
                });
                pending.push(up);
            }
        }
        for (synset, up) in wn.synsets.iter_mut().zip(pending) {
            synset.up = up.iter().filter_map(|k| ids.get(k).copied()).collect();
        }
        for pos in Pos::ALL {
            let text = read(&format!("index.{}", pos.file()))?;
            for line in text.lines().filter(|l| !l.starts_with(' ')) {
                let f: Vec<&str> = line.split(' ').filter(|x| !x.is_empty()).collect();
                let (Some(lemma), Some(count)) =
                    (f.first(), f.get(2).and_then(|x| x.parse::<usize>().ok()))
                else {
                    continue;
                };
                let synsets: Vec<u32> = f[f.len().saturating_sub(count)..]
                    .iter()
                    .filter_map(|o| o.parse::<u32>().ok())
                    .filter_map(|o| ids.get(&(pos.slot(), o)).copied())
                    .collect();
                wn.index.entry(lemma.to_string()).or_default()[pos.slot()] = synsets;
            }
            let text = read(&format!("{}.exc", pos.file()))?;
            for line in text.lines() {
                let mut f = line.split(' ');
                if let Some(form) = f.next() {
                    wn.exceptions[pos.slot()]
                        .insert(form.to_string(), f.map(str::to_string).collect());
                }
            }
        }
        if wn.index.is_empty() || wn.synsets.is_empty() {
            return Err(LexiconError::Syntax {
                file: dir.display().to_string(),
                line: 0,
                message: "no WordNet entries found".into(),
            });
        }
        Ok(wn)
    }

    /// The directory the database was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn synsets(&self, lemma: &str, pos: Pos) -> &[u32] {
        self.index.get(lemma).map_or(&[], |s| &s[pos.slot()])
    }

    /// Whether `lemma` is a WordNet entry of part of speech `pos`.
    pub fn has(&self, lemma: &str, pos: Pos) -> bool {
        !self.synsets(lemma, pos).is_empty()
    }

    /// The base forms of `word` as part of speech `pos` (WordNet's `morphy`): exceptions first,
    /// then the detachment rules, keeping only forms WordNet lists. `word` itself comes first
    /// when listed.
    pub fn lemmas(&self, word: &str, pos: Pos) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |w: String| {
            if self.has(&w, pos) && !out.contains(&w) {
                out.push(w);
            }
        };
        push(word.to_string());
        if let Some(forms) = self.exceptions[pos.slot()].get(word) {
            forms.iter().cloned().for_each(&mut push);
        }
        let rules: &[(&str, &str)] = match pos {
            Pos::Noun => &[
                ("s", ""),
                ("ses", "s"),
                ("xes", "x"),
                ("zes", "z"),
                ("ches", "ch"),
                ("shes", "sh"),
                ("men", "man"),
                ("ies", "y"),
            ],
            Pos::Verb => &[
                ("s", ""),
                ("ies", "y"),
                ("es", "e"),
                ("es", ""),
                ("ed", "e"),
                ("ed", ""),
                ("ing", "e"),
                ("ing", ""),
            ],
            Pos::Adj => &[("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
            Pos::Adv => &[],
        };
        for (suffix, ending) in rules {
            if let Some(stem) = word.strip_suffix(suffix) {
                if stem.len() < 2 {
                    continue;
                }
                push(format!("{stem}{ending}"));
                // "running" → "runn" → "run"
                let b = stem.as_bytes();
                if ending.is_empty() && b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2] {
                    push(stem[..stem.len() - 1].to_string());
                }
            }
        }
        out
    }

    /// The lexicographer file of the most frequent sense of `lemma` as `pos`.
    pub fn first_lexfile(&self, lemma: &str, pos: Pos) -> Option<u8> {
        self.synsets(lemma, pos)
            .first()
            .map(|&s| self.synsets[s as usize].lexfile)
    }

    /// The lexicographer file of the most frequent noun sense of `word`'s first base form: the
    /// kind of thing it names (`noun.animal`, `noun.artifact`, ...).
    pub fn noun_kind(&self, word: &str) -> Option<u8> {
        self.lemmas(word, Pos::Noun)
            .first()
            .and_then(|n| self.first_lexfile(n, Pos::Noun))
    }

    /// The lexicographer files of the `senses` most frequent senses of `lemma` as `pos`.
    pub fn lexfiles(&self, lemma: &str, pos: Pos, senses: usize) -> Vec<u8> {
        self.synsets(lemma, pos)
            .iter()
            .take(senses)
            .map(|&s| self.synsets[s as usize].lexfile)
            .collect()
    }

    /// Whether some sense of `a` and some sense of `b` are one synset.
    pub fn synonyms(&self, a: &str, b: &str, pos: Pos) -> bool {
        let sa = self.synsets(a, pos);
        !sa.is_empty() && self.synsets(b, pos).iter().any(|s| sa.contains(s))
    }

    /// Whether the most frequent senses of `a` and `b` meet within `depth` steps up from each:
    /// near kinds of thing ("cat" / "dog"), not merely two artifacts ("flag" / "airplane").
    pub fn near_kinds(&self, a: &str, b: &str, pos: Pos, depth: usize) -> bool {
        let up = |lemma: &str| -> HashSet<u32> {
            let mut seen = HashSet::new();
            let mut queue: VecDeque<(u32, usize)> = self
                .synsets(lemma, pos)
                .iter()
                .take(1)
                .map(|&s| (s, 0))
                .collect();
            while let Some((s, d)) = queue.pop_front() {
                if d > depth || !seen.insert(s) {
                    continue;
                }
                queue.extend(self.synsets[s as usize].up.iter().map(|&u| (u, d + 1)));
            }
            seen
        };
        let x = up(a);
        !x.is_empty() && up(b).iter().any(|s| x.contains(s))
    }

    /// Whether some sense of `general` is a hypernym of one of the two most frequent senses of
    /// `specific`, at most `depth` steps up. (Rare senses make almost anything a kind of
    /// almost anything: "plane" and "bird" share a rare sense chain.)
    pub fn is_hypernym(&self, general: &str, specific: &str, pos: Pos, depth: usize) -> bool {
        let targets: HashSet<u32> = self.synsets(general, pos).iter().copied().collect();
        if targets.is_empty() {
            return false;
        }
        let mut seen: HashSet<u32> = HashSet::new();
        let mut queue: VecDeque<(u32, usize)> = self
            .synsets(specific, pos)
            .iter()
            .take(2)
            .map(|&s| (s, 0))
            .collect();
        while let Some((s, d)) = queue.pop_front() {
            if d > 0 && targets.contains(&s) {
                return true;
            }
            if d == depth || !seen.insert(s) {
                continue;
            }
            queue.extend(self.synsets[s as usize].up.iter().map(|&u| (u, d + 1)));
        }
        false
    }
}
