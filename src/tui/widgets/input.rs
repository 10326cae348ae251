//! A one-line text box. The cursor is kept as a character index and drawn at the
//! display width of the text before it, so it sits right after Chinese text.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::width::width;
use crate::tui::text::safe;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TextInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl TextInput {
    pub(crate) fn new(value: &str) -> TextInput {
        let value = safe(value).into_owned();
        TextInput { cursor: value.chars().count(), value }
    }

    pub(crate) fn value(&self) -> &str {
        &self.value
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value.char_indices().nth(char_idx).map(|(b, _)| b).unwrap_or(self.value.len())
    }

    /// Inserts pasted text at the cursor: one line, so line breaks and tabs become
    /// spaces; other control characters and bidi overrides are dropped.
    pub(crate) fn insert_str(&mut self, text: &str) {
        let flat: String = text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
        let flat = safe(&flat).into_owned();
        let b = self.byte_at(self.cursor);
        self.value.insert_str(b, &flat);
        self.cursor += flat.chars().count();
    }

    /// Edits the text; true when the key was an editing key.
    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> bool {
        let len = self.value.chars().count();
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => self.clear(),
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                if c.is_control() {
                    return true;
                }
                let b = self.byte_at(self.cursor);
                self.value.insert(b, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let b = self.byte_at(self.cursor);
                self.value.remove(b);
            }
            KeyCode::Delete if self.cursor < len => {
                let b = self.byte_at(self.cursor);
                self.value.remove(b);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// Display cells before the cursor.
    pub(crate) fn cursor_cells(&self) -> usize {
        width(&self.value[..self.byte_at(self.cursor)])
    }

    /// Draws the text in `area` (one line), scrolled so the cursor is visible, and places
    /// the terminal cursor when `focused`.
    pub(crate) fn draw(&self, f: &mut Frame, area: Rect, style: Style, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let avail = area.width as usize - 1;
        let before = self.cursor_cells();
        // Drop characters from the left until the cursor fits.
        let mut skip_cells = 0;
        let mut shown = self.value.as_str();
        while before - skip_cells > avail {
            let Some(c) = shown.chars().next() else { break };
            skip_cells += width(c.encode_utf8(&mut [0; 4]));
            shown = &shown[c.len_utf8()..];
        }
        let line = Line::from(Span::styled(crate::domain::width::truncate(shown, avail + 1), style));
        f.render_widget(Paragraph::new(line), area);
        if focused {
            let x = area.x + (before - skip_cells).min(avail) as u16;
            f.set_cursor_position(Position::new(x, area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn cursor_counts_display_cells() {
        let mut t = TextInput::default();
        for c in "运费x".chars() {
            t.handle_key(key(KeyCode::Char(c)));
        }
        assert_eq!(t.value(), "运费x");
        assert_eq!(t.cursor_cells(), 5);
        t.handle_key(key(KeyCode::Left));
        assert_eq!(t.cursor_cells(), 4);
        t.handle_key(key(KeyCode::Backspace));
        assert_eq!(t.value(), "运x");
        assert_eq!(t.cursor_cells(), 2);
        t.handle_key(key(KeyCode::Home));
        t.handle_key(key(KeyCode::Delete));
        assert_eq!(t.value(), "x");
    }

    #[test]
    fn a_paste_is_one_line_of_clean_text() {
        let mut t = TextInput::new("ab");
        t.handle_key(key(KeyCode::Left));
        t.insert_str("851\t改地址\r\n已改\u{1b}[2J");
        assert_eq!(t.value(), "a851 改地址  已改b");
        assert_eq!(t.cursor_cells(), width("a851 改地址  已改"));
    }

    #[test]
    fn drawn_cursor_sits_after_chinese_text() {
        use ratatui::{Terminal, backend::TestBackend};
        let mut term = Terminal::new(TestBackend::new(20, 1)).unwrap();
        let t = TextInput::new("退款");
        term.draw(|f| t.draw(f, Rect::new(2, 0, 10, 1), Style::default(), true)).unwrap();
        term.backend_mut().assert_cursor_position(Position::new(6, 0));
    }
}
