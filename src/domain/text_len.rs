//! How long a text is, for the rules that limit one ("a refusal note of 2–200
//! characters", "a review of at most 500"): the characters a person sees. A character
//! is a grapheme cluster (`好` with a combining accent is one, a family emoji is one),
//! and one that shows nothing — spaces, controls, zero-width joiners and spaces, bidi
//! marks, variation selectors, fillers — does not count. So three U+200D are no note,
//! and an empty or blank text is refused wherever text is required.
//!
//! Counted on the text as it would be stored (cleaned), so a stripped escape sequence
//! counts for nothing either. (A seller memo's limit is the platform's, in bytes:
//! `text_format::MEMO_MAX_BYTES`; whether it is blank is decided here.)

use unicode_segmentation::UnicodeSegmentation;

use super::sanitize::safe_text;

/// Shows nothing on its own: whitespace, a control, or a default-ignorable code point
/// (Unicode's list: soft hyphen, zero-width space/joiners, bidi marks, word joiner and
/// invisible operators, variation selectors, fillers, tags …), or the braille blank.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}')
}

/// The number of characters a person sees in `text`.
pub fn visible_len(text: &str) -> usize {
    safe_text(text).graphemes(true).filter(|g| g.chars().any(|c| !is_invisible(c))).count()
}

/// Whether `text` shows nothing at all (empty, spaces, invisible characters).
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_invisible) || visible_len(text) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_a_person_sees() {
        assert_eq!(visible_len("好\u{301}"), 1, "a combining accent joins its character");
        assert_eq!(visible_len("\u{200d}\u{200d}\u{200d}"), 0);
        assert_eq!(visible_len("👨\u{200d}👩\u{200d}👧"), 1, "one family");
        assert_eq!(visible_len("🇨🇳"), 1, "one flag");
        assert_eq!(visible_len("金额不对"), 4);
        assert_eq!(visible_len(" 好 的 "), 2);
        assert_eq!(visible_len("a\u{200b}b\u{feff}\u{2060}"), 2);
        assert_eq!(visible_len("\x1b[31m好\x1b[0m"), 1, "an escape sequence is no text");
        assert_eq!(visible_len("\u{3000}\u{3164}\u{2800}\u{fe0f}"), 0);
        assert_eq!(visible_len("e\u{301}\u{302}"), 1);
    }

    #[test]
    fn blank_is_nothing_visible() {
        for t in ["", " ", "\u{3000}", "\u{200d}\u{200d}\u{200d}", "\u{202e}", "\t\n", "\x1b[2J"] {
            assert!(is_blank(t), "{t:?}");
        }
        for t in ["好", "a", "\u{301}", "。"] {
            assert!(!is_blank(t), "{t:?}");
        }
    }
}
