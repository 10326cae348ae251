//! A modal list to pick one item from (flag colours, extension days, postage cases).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::popup;
use crate::tui::text::clip;
use crate::tui::theme::{Role, Theme};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Picker {
    title: String,
    /// Each item: its text and the colour of its marker.
    items: Vec<(String, Role)>,
    selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PickEvent {
    None,
    Picked(usize),
    Cancel,
}

impl Picker {
    pub(crate) fn new(title: &str, items: Vec<(String, Role)>, selected: usize) -> Picker {
        let selected = selected.min(items.len().saturating_sub(1));
        Picker { title: title.into(), items, selected }
    }

    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> PickEvent {
        let n = self.items.len();
        match key.code {
            KeyCode::Esc => PickEvent::Cancel,
            KeyCode::Enter if n > 0 => PickEvent::Picked(self.selected),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
                PickEvent::None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                PickEvent::None
            }
            KeyCode::Char(c) if c.is_ascii_digit() => {
                let i = c.to_digit(10).unwrap_or(0) as usize;
                if i < n { PickEvent::Picked(i) } else { PickEvent::None }
            }
            _ => PickEvent::None,
        }
    }

    /// The items as a `List` (it keeps the selected one in view on a short screen),
    /// a blank line, the keys.
    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, theme: &Theme) {
        let area = popup::centered(screen, 76, self.items.len() as u16 + 4);
        let inner = popup::frame(f, area, &self.title, theme);
        let w = inner.width as usize;
        let items: Vec<ListItem> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, (text, role))| {
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{i} "), theme.style(Role::Dim)),
                    Span::styled("■ ", theme.style(*role)),
                    Span::raw(clip(text, w.saturating_sub(4))),
                ]))
            })
            .collect();
        let [list, _, hint] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        let mut state = ListState::default().with_selected(Some(self.selected));
        f.render_stateful_widget(List::new(items).highlight_style(theme.style(Role::Selected)), list, &mut state);
        let keys = Line::styled(clip("j/k 选择 · 数字直选 · Enter 确定 · Esc 取消", w), theme.style(Role::Dim));
        f.render_widget(Paragraph::new(keys), hint);
    }
}
