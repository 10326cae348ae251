//! The render boundary: every string drawn goes through here. The store already cleans
//! what it keeps; this is the last line of defence (no control characters ever reach
//! the terminal) and the one place that cuts text by display width.

use std::borrow::Cow;

use crate::domain::sanitize::clean_line;
use crate::domain::width;

/// Text safe to draw on one line: no escape sequences, control characters or bidi
/// overrides. Clean text (the common case) is borrowed, not copied.
pub fn safe(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| c.is_control() || is_bidi(c)) { Cow::Owned(clean_line(s)) } else { Cow::Borrowed(s) }
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Cleaned, truncated with `…` and padded to exactly `cells` cells.
pub fn cell(s: &str, cells: usize) -> String {
    width::fit(&safe(s), cells)
}

/// Cleaned and right-aligned in exactly `cells` cells.
pub fn cell_right(s: &str, cells: usize) -> String {
    width::fit_right(&safe(s), cells)
}

/// Cleaned and cut to at most `cells` cells (no padding).
pub fn clip(s: &str, cells: usize) -> String {
    width::truncate(&safe(s), cells)
}

/// Splits cleaned text into lines of at most `cells` cells (never splitting a character).
pub fn wrap(s: &str, cells: usize) -> Vec<String> {
    let cells = cells.max(1);
    let mut out = Vec::new();
    for para in s.split('\n') {
        let para = safe(para);
        let mut line = String::new();
        let mut w = 0;
        for c in para.chars() {
            let cw = width::width(c.encode_utf8(&mut [0; 4]));
            if cw > cells {
                continue;
            }
            if w + cw > cells {
                out.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_codes_never_survive() {
        let nick = "\x1b]0;x\x07\x1b[2J坏人";
        assert_eq!(safe(nick), "坏人");
        assert_eq!(cell(nick, 6), "坏人  ");
        assert!(matches!(safe("干净的文字abc"), Cow::Borrowed(_)));
    }

    #[test]
    fn cells_line_up_by_display_width() {
        for s in ["七天无理由退换", "abc", "混合mix文字", ""] {
            assert_eq!(width::width(&cell(s, 9)), 9, "{s}");
            assert_eq!(width::width(&cell_right(s, 9)), 9, "{s}");
        }
    }

    #[test]
    fn wrapping_keeps_characters_whole() {
        assert_eq!(wrap("亲亲亲亲亲", 4), ["亲亲", "亲亲", "亲"]);
        assert_eq!(wrap("ab\ncd", 10), ["ab", "cd"]);
        for l in wrap("亲a亲b亲c亲d", 3) {
            assert!(width::width(&l) <= 3);
        }
    }
}
