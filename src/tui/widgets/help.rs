//! The `?` overlay: every key of every pane, from the keymaps themselves, laid out in as
//! many columns as it needs. Typing filters it (fuzzy-matcher's skim algorithm over the
//! keys, the pane and what the key does: a short list, where it is quick and forgiving —
//! `rfd` finds "refund", `ss` both 搜索 rows).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::input::TextInput;
use super::popup;
use crate::tui::keymap::Keymaps;
use crate::tui::text::{cell, clip};
use crate::tui::theme::{Role, Theme};

/// One row of the help: the section, the keys, what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelpRow {
    pub(crate) section: &'static str,
    pub(crate) keys: String,
    pub(crate) what: &'static str,
}

/// Every row, in the keymaps' order.
pub(crate) fn rows(keys: &Keymaps) -> Vec<HelpRow> {
    keys.help_sections()
        .into_iter()
        .flat_map(|(section, rows)| rows.into_iter().map(move |(k, what)| HelpRow { section, keys: k, what }))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HelpEvent {
    None,
    Close,
}

/// The open help: its filter.
#[derive(Debug, Default)]
pub(crate) struct Help {
    filter: TextInput,
}

impl Help {
    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> HelpEvent {
        match key.code {
            KeyCode::Esc if !self.filter.is_empty() => self.filter.clear(),
            KeyCode::Esc | KeyCode::Enter => return HelpEvent::Close,
            KeyCode::Char('?' | 'q') if self.filter.is_empty() => return HelpEvent::Close,
            _ => {
                self.filter.handle_key(key);
            }
        }
        HelpEvent::None
    }

    pub(crate) fn paste(&mut self, text: &str) {
        self.filter.insert_str(text);
    }

    /// The rows the filter lets through, best match first (all, in order, unfiltered).
    pub(crate) fn shown(&self, keys: &Keymaps) -> Vec<HelpRow> {
        let all = rows(keys);
        let q = self.filter.value().trim();
        if q.is_empty() {
            return all;
        }
        let m = SkimMatcherV2::default().ignore_case();
        let mut scored: Vec<(i64, usize, HelpRow)> = all
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let hay = format!("{} {} {}", r.keys, r.section, r.what);
                m.fuzzy_match(&hay, q).map(|s| (s, i, r))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, r)| r).collect()
    }

    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, keys: &Keymaps, theme: &Theme) {
        let area = popup::centered(screen, screen.width.saturating_sub(4), screen.height.saturating_sub(2));
        let inner = popup::frame(f, area, "帮助 · 所有按键 (输入即筛选 · Esc/? 关闭)", theme);
        if inner.height < 2 || inner.width == 0 {
            return;
        }
        let filter_line = Line::from(vec![
            Span::styled("筛选 ", theme.style(Role::Dim)),
            Span::styled(self.filter.value().to_string(), theme.style(Role::Title)),
        ]);
        f.render_widget(Paragraph::new(filter_line), Rect { height: 1, ..inner });
        let body = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
        let mut lines: Vec<Line> = Vec::new();
        let mut section = "";
        let filtering = !self.filter.is_empty();
        for r in self.shown(keys) {
            if r.section != section && !filtering {
                section = r.section;
                lines.push(Line::styled(r.section, theme.style(Role::Head)));
            }
            let what = if filtering { format!("{} · {}", r.what, r.section) } else { r.what.to_string() };
            lines.push(Line::from(vec![
                Span::styled(cell(&r.keys, 10), theme.style(Role::Accent)),
                Span::raw(format!(" {what}")),
            ]));
        }
        if lines.is_empty() {
            lines.push(Line::styled("没有匹配的按键", theme.style(Role::Dim)));
        }
        let h = body.height as usize;
        let cols = lines.len().div_ceil(h).max(1);
        let col_w = body.width / cols as u16;
        for (c, chunk) in lines.chunks(h).enumerate() {
            let x = body.x + c as u16 * col_w;
            let chunk: Vec<Line> = chunk
                .iter()
                .map(|l| {
                    let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                    if crate::domain::width::width(&text) > col_w.saturating_sub(1) as usize {
                        Line::from(clip(&text, col_w.saturating_sub(1) as usize))
                    } else {
                        l.clone()
                    }
                })
                .collect();
            f.render_widget(Paragraph::new(chunk), Rect::new(x, body.y, col_w.saturating_sub(1), body.height));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(h: &mut Help, s: &str) {
        for c in s.chars() {
            h.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_narrows_the_help_to_matching_keys() {
        let keys = Keymaps::default();
        let mut h = Help::default();
        let all = h.shown(&keys).len();
        typed(&mut h, "备注");
        let shown = h.shown(&keys);
        assert!(!shown.is_empty() && shown.len() < all, "{shown:?}");
        assert!(shown.iter().any(|r| r.keys == "m" && r.section == "① 订单"), "{shown:?}");
        assert_eq!(h.handle_key(KeyEvent::from(KeyCode::Esc)), HelpEvent::None, "Esc clears the filter first");
        assert_eq!(h.shown(&keys).len(), all);
        assert_eq!(h.handle_key(KeyEvent::from(KeyCode::Char('?'))), HelpEvent::Close);
    }
}
