//! [`parse_judgements`]: the LLM judge's numbered answer lines.

/// What the LLM judge says of one pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairVerdict {
    /// A picture of one caption would fail to show the other.
    Different,
    /// Only the wording differs.
    Same,
    /// The model could not tell.
    Unsure,
}

impl PairVerdict {
    /// The judge's name for it, as the structural judge spells its answers:
    /// `changes_meaning`, `same` or `uncertain`.
    pub fn judgement(self) -> &'static str {
        match self {
            PairVerdict::Different => "changes_meaning",
            PairVerdict::Same => "same",
            PairVerdict::Unsure => "uncertain",
        }
    }
}

/// Reads the answers to a batch of `n` numbered pairs: lines such as `3: different`,
/// `**3.** Same`, `Pair 3 - unsure`. A pair with no readable line (or a number out of range,
/// or two contradicting lines) is `None`. Never panics.
pub fn parse_judgements(answer: &str, n: usize) -> Vec<Option<PairVerdict>> {
    let mut out: Vec<Option<PairVerdict>> = vec![None; n];
    let mut seen = vec![false; n];
    for line in answer.lines().take(10 * n + 100) {
        let lower = line.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let Some(k) = words
            .iter()
            .position(|w| w.chars().all(|c| c.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(number) = words[k].parse::<usize>() else {
            continue;
        };
        if number == 0 || number > n {
            continue;
        }
        let verdict = words[k + 1..].iter().find_map(|w| match *w {
            "different" | "differ" | "differs" | "changed" | "change" => {
                Some(PairVerdict::Different)
            }
            "same" | "identical" | "equivalent" => Some(PairVerdict::Same),
            "unsure" | "uncertain" | "unclear" | "unknown" => Some(PairVerdict::Unsure),
            _ => None,
        });
        let Some(verdict) = verdict else { continue };
        let slot = number - 1;
        if seen[slot] && out[slot] != Some(verdict) {
            out[slot] = None; // two lines disagree: trust neither
        } else if !seen[slot] {
            out[slot] = Some(verdict);
        }
        seen[slot] = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lines_in_any_dress() {
        let answer = "Here you go:\n1: same\n**2.** Different — the colour changes\nPair 3 - unsure\n4) SAME\n";
        assert_eq!(
            parse_judgements(answer, 4),
            vec![
                Some(PairVerdict::Same),
                Some(PairVerdict::Different),
                Some(PairVerdict::Unsure),
                Some(PairVerdict::Same)
            ]
        );
    }

    #[test]
    fn missing_out_of_range_and_contradicting_lines_are_none() {
        let answer = "1: different\n1: same\n7: same\nno numbers here\n3 is hard to say";
        assert_eq!(parse_judgements(answer, 3), vec![None, None, None]);
        assert_eq!(parse_judgements("", 2), vec![None, None]);
        assert!(parse_judgements("1: same", 0).is_empty());
    }
}
