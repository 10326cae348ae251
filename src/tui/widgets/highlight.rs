//! Text with some characters highlighted (search matches), cut to a display width with
//! `…` and padded, never splitting a character.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthChar;

use crate::tui::text::safe;

/// Spans of `text` in exactly `cells` cells; chars at `marks` (char indices) get `hl`.
pub(crate) fn highlighted(text: &str, marks: &[usize], cells: usize, base: Style, hl: Style) -> Vec<Span<'static>> {
    let text = safe(text);
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    let limit = if total > cells { cells.saturating_sub(1) } else { cells };
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut cur = String::new();
    let mut cur_hl = false;
    let mut w = 0;
    for (i, c) in text.chars().enumerate() {
        let cw = c.width().unwrap_or(0);
        if w + cw > limit {
            break;
        }
        let is_hl = marks.contains(&i);
        if is_hl != cur_hl && !cur.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut cur), if cur_hl { hl } else { base }));
        }
        cur_hl = is_hl;
        cur.push(c);
        w += cw;
    }
    if !cur.is_empty() {
        spans.push(Span::styled(cur, if cur_hl { hl } else { base }));
    }
    if total > cells && cells > 0 {
        spans.push(Span::styled("…", base));
        w += 1;
    }
    if w < cells {
        spans.push(Span::styled(" ".repeat(cells - w), base));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn text_of(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn marks_and_width() {
        let hl = Style::default().add_modifier(Modifier::BOLD);
        let s = highlighted("运费险说明", &[0, 1, 2], 12, Style::default(), hl);
        assert_eq!(text_of(&s), "运费险说明  ");
        assert_eq!(s[0].content, "运费险");
        assert_eq!(s[0].style, hl);
        let s = highlighted("运费险说明", &[4], 7, Style::default(), hl);
        assert_eq!(text_of(&s), "运费险…");
        assert_eq!(crate::domain::width::width(&text_of(&s)), 7);
    }
}
