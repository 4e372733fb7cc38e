//! A word-level diff: the longest common subsequence of two token lists, as hunks.

use std::ops::Range;

/// The most cells the LCS table may have. Past it, the middle of the texts (after the common
/// prefix and suffix are trimmed) is reported as one hunk, which keeps time and memory bounded
/// on huge inputs.
pub(crate) const MAX_CELLS: usize = 1 << 20;

/// One place where the texts differ: words `a` of the first text became words `b` of the
/// second. One side may be empty (an insertion or a deletion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hunk {
    pub(crate) a: Range<usize>,
    pub(crate) b: Range<usize>,
}

/// The hunks that turn `a` into `b`, in order.
pub(crate) fn diff<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Hunk> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if a_mid.is_empty() && b_mid.is_empty() {
        return Vec::new();
    }
    let whole = || {
        vec![Hunk {
            a: prefix..a.len() - suffix,
            b: prefix..b.len() - suffix,
        }]
    };
    if a_mid.is_empty() || b_mid.is_empty() {
        return whole();
    }
    let (n, m) = (a_mid.len(), b_mid.len());
    if (n + 1).saturating_mul(m + 1) > MAX_CELLS {
        return whole();
    }
    // dp[i][j] = LCS length of a_mid[i..] and b_mid[j..], so the walk runs forwards.
    let w = m + 1;
    let mut dp = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * w + j] = if a_mid[i] == b_mid[j] {
                dp[(i + 1) * w + j + 1] + 1
            } else {
                dp[(i + 1) * w + j].max(dp[i * w + j + 1])
            };
        }
    }
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut ha, mut hb) = (0, 0);
    let mut open = false;
    while i < n || j < m {
        if i < n && j < m && a_mid[i] == b_mid[j] {
            if open {
                hunks.push(Hunk {
                    a: prefix + ha..prefix + i,
                    b: prefix + hb..prefix + j,
                });
                open = false;
            }
            i += 1;
            j += 1;
            continue;
        }
        if !open {
            (ha, hb, open) = (i, j, true);
        }
        if j == m || (i < n && dp[(i + 1) * w + j] >= dp[i * w + j + 1]) {
            i += 1;
        } else {
            j += 1;
        }
    }
    if open {
        hunks.push(Hunk {
            a: prefix + ha..prefix + n,
            b: prefix + hb..prefix + m,
        });
    }
    hunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<&str> {
        s.split(' ').collect()
    }

    #[test]
    fn finds_replacements_and_insertions() {
        let h = diff(
            &w("a dog on the left of a car"),
            &w("a dog on the right of a red car"),
        );
        assert_eq!(h, [Hunk { a: 4..5, b: 4..5 }, Hunk { a: 7..7, b: 7..8 }]);
    }

    #[test]
    fn identical_and_empty_inputs() {
        assert!(diff(&w("x y"), &w("x y")).is_empty());
        assert_eq!(diff::<&str>(&[], &w("x")), [Hunk { a: 0..0, b: 0..1 }]);
    }

    #[test]
    fn huge_middles_collapse_to_one_hunk() {
        let a: Vec<u32> = (0..5000).collect();
        let b: Vec<u32> = (0..5000).map(|x| x * 7 % 5001).collect();
        assert_eq!(diff(&a, &b).len(), 1);
    }
}
