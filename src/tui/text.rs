//! The render boundary: every string drawn goes through here. The store already cleans
//! what it keeps; this is the last line of defence (no control characters ever reach
//! the terminal) and the one place that cuts text by display width.

use std::borrow::Cow;

use ratatui::buffer::Buffer;

use crate::domain::sanitize::{is_clean_line, safe_line};
use crate::domain::width;

/// Text safe to draw on one line: no escape sequences, control characters or bidi
/// overrides. Clean text (the common case) is borrowed, not copied.
pub fn safe(s: &str) -> Cow<'_, str> {
    safe_line(s)
}

/// Cleans every cell of a drawn frame. Panes draw through `safe`, `cell` and `clip`;
/// this catches what one forgot (ratatui keeps a zero-width character such as a bidi
/// override in the cell before it). A frame of clean cells costs one scan.
pub fn scrub(buf: &mut Buffer) {
    for c in buf.content.iter_mut() {
        if !is_clean_line(c.symbol()) {
            let cleaned = safe_line(c.symbol()).into_owned();
            c.set_symbol(if cleaned.is_empty() { " " } else { &cleaned });
        }
    }
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
    fn a_frame_is_scrubbed_of_what_a_pane_drew_raw() {
        use ratatui::layout::Rect;
        use ratatui::text::Span;
        use ratatui::widgets::Widget;
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        Span::raw("ab\u{202e}cd\u{9b}e\u{200f}").render(buf.area, &mut buf);
        assert!(buf.content.iter().any(|c| !is_clean_line(c.symbol())), "ratatui keeps zero-width controls");
        scrub(&mut buf);
        assert!(buf.content.iter().all(|c| is_clean_line(c.symbol())));
        let row: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(row.trim_end(), "abcde");
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
