//! Turning a batch of token states into one vector per text.

use crate::manifest::EosRule;

/// Mean over the positions whose mask is 1 (sentence-transformers' mean pooling). A row whose mask
/// is all zero cannot occur (every text has its special tokens) but would give zeros, not NaN.
pub fn mean(states: &[f32], mask: &[i64], seq: usize, dim: usize, out: &mut [f32]) {
    for (row, pooled) in out.chunks_exact_mut(dim).enumerate() {
        pooled.fill(0.0);
        let mut count = 0.0f32;
        for pos in 0..seq {
            if mask[row * seq + pos] != 0 {
                let state = &states[(row * seq + pos) * dim..][..dim];
                pooled.iter_mut().zip(state).for_each(|(p, s)| *p += s);
                count += 1.0;
            }
        }
        let scale = 1.0 / count.max(1e-9);
        pooled.iter_mut().for_each(|p| *p *= scale);
    }
}

/// The state at one position per row.
pub fn at_positions(states: &[f32], positions: &[usize], seq: usize, dim: usize, out: &mut [f32]) {
    for (row, (pooled, &pos)) in out.chunks_exact_mut(dim).zip(positions).enumerate() {
        pooled.copy_from_slice(&states[(row * seq + pos) * dim..][..dim]);
    }
}

/// CLIP's end-of-text position of each row, within the row's real (unpadded) tokens.
pub fn eos_positions(
    ids: &[i64],
    lengths: &[usize],
    seq: usize,
    eos: u32,
    rule: EosRule,
) -> Vec<usize> {
    lengths
        .iter()
        .enumerate()
        .map(|(row, &len)| {
            let row_ids = &ids[row * seq..row * seq + len.max(1)];
            match rule {
                // First occurrence of the maximum, as torch.argmax does.
                EosRule::Argmax => {
                    row_ids
                        .iter()
                        .enumerate()
                        .fold(
                            (0, i64::MIN),
                            |best, (i, &id)| if id > best.1 { (i, id) } else { best },
                        )
                        .0
                }
                EosRule::First => row_ids
                    .iter()
                    .position(|&id| id == eos as i64)
                    .unwrap_or(len.max(1) - 1),
            }
        })
        .collect()
}

/// Scales every row to unit L2 norm; an all-zero row stays zero.
pub fn l2_normalize(data: &mut [f32], dim: usize) {
    for row in data.chunks_exact_mut(dim) {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|x| *x /= norm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_ignores_padding() {
        // Two rows, seq 3, dim 2; the second row has one padded position.
        let states = [1., 2., 3., 4., 5., 6., 1., 1., 3., 3., 100., 100.];
        let mask = [1, 1, 1, 1, 1, 0];
        let mut out = [0.0; 4];
        mean(&states, &mask, 3, 2, &mut out);
        assert_eq!(out, [3., 4., 2., 2.]);
    }

    #[test]
    fn eos_argmax_takes_first_maximum_and_first_rule_takes_first_eos() {
        let ids = [49406, 320, 49407, 49407, 49406, 49407, 0, 0];
        assert_eq!(
            eos_positions(&ids, &[4, 2], 4, 49407, EosRule::Argmax),
            vec![2, 1]
        );
        let ids = [0, 5, 2, 7];
        assert_eq!(eos_positions(&ids, &[4], 4, 2, EosRule::First), vec![2]);
        assert_eq!(eos_positions(&ids, &[4], 4, 2, EosRule::Argmax), vec![3]);
    }

    #[test]
    fn normalize_keeps_zero_rows() {
        let mut v = [3., 4., 0., 0.];
        l2_normalize(&mut v, 2);
        assert_eq!(v, [0.6, 0.8, 0., 0.]);
    }
}
