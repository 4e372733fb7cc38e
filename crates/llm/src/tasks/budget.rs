//! Token estimates (about 4 characters per token) against the configured context size.

use crate::config::LlmConfig;

/// Estimated tokens of `text`: a quarter of its characters, rounded up.
pub(crate) fn tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// Tokens left for the prompt: the context less the answer's `max_tokens` and a margin for the
/// chat template; at least 128.
pub(crate) fn prompt_budget(config: &LlmConfig) -> usize {
    config
        .context_tokens
        .saturating_sub(config.max_tokens as usize)
        .saturating_sub(64)
        .max(128)
}

/// `text` cut to about `max_tokens` tokens (on a character boundary), with "…" when cut.
pub(crate) fn truncate(text: &str, max_tokens: usize) -> String {
    let max_chars = max_tokens.saturating_mul(4).max(1);
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates() {
        assert_eq!(tokens(""), 0);
        assert_eq!(tokens("abcde"), 2);
        assert_eq!(truncate("abcdefghij", 1), "abc…");
        assert_eq!(truncate("abc", 1), "abc");
    }
}
