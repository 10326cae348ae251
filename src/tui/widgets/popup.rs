//! Centered popups over the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::text::clip;
use crate::tui::theme::{Role, Theme};

/// The answer to a y/n question: `Some(true)` for y/Y/Enter, `Some(false)` for n/Esc,
/// `None` for any other key.
pub(crate) fn confirm_answer(key: &KeyEvent) -> Option<bool> {
    match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => Some(true),
        KeyCode::Char('n') | KeyCode::Esc => Some(false),
        _ => None,
    }
}

/// A pane's "do `action`?" popup answered by `key`: `None` while it stays open (any
/// other key); `Some(Some(action))` for yes, `Some(None)` for no — either way it closes.
pub(crate) fn confirm_action<A: Clone>(key: &KeyEvent, action: &A) -> Option<Option<A>> {
    confirm_answer(key).map(|yes| yes.then(|| action.clone()))
}

/// A rect of at most `w`×`h` centered in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// Clears `area` and draws a titled frame; returns the inner area.
pub(crate) fn frame(f: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    // A wide character just left of the popup would spill its second half into the
    // border: blank it.
    if area.x > 0 {
        let buf = f.buffer_mut();
        for y in area.y..area.y + area.height {
            let cell = &mut buf[(area.x - 1, y)];
            if crate::domain::width::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.style(Role::PopupBorder))
        .title(Line::from(clip(title, area.width.saturating_sub(4) as usize)).style(theme.style(Role::Title)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A small yes/no question.
pub(crate) fn confirm(f: &mut Frame, screen: Rect, title: &str, question: &[String], theme: &Theme) {
    let h = question.len() as u16 + 4;
    let area = centered(screen, 64, h);
    let inner = frame(f, area, title, theme);
    let mut lines: Vec<Line> = question.iter().map(|q| Line::from(q.clone())).collect();
    lines.push(Line::from(""));
    lines.push(Line::styled("y / Enter 确认 · n / Esc 取消", theme.style(Role::Accent)));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
