//! ④ 日志: every event, newest first, read a keyset page at a time as the supervisor
//! scrolls (`report::log::page`). `/` opens a filter box that narrows the rows already
//! read as you type (agent, seat, order, case, kind or the readable line; several words
//! must all match); when too few rows match, the App reads further pages.

use std::cell::Cell as StdCell;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Component, Mode, pane_block};
use crate::report::log::{LogEntry, short_key};
use crate::store::audit::LogCursor;
use crate::tui::action::Action;
use crate::tui::text::{cell, clip, wrap};
use crate::tui::widgets::input::TextInput;

/// Rows per page read from the store.
pub const LOG_PAGE: usize = 100;

#[derive(Default)]
pub struct LogPane {
    /// Every row read so far, newest first.
    entries: Vec<LogEntry>,
    /// Indexes into `entries` of the rows the filter lets through.
    visible: Vec<usize>,
    /// The whole log has been read.
    pub end: bool,
    pub input: TextInput,
    pub typing: bool,
    sel: usize,
    /// Rows the list showed at the last draw (for paging).
    height: StdCell<usize>,
}

/// Lower-case words of the filter.
fn terms(q: &str) -> Vec<String> {
    q.split_whitespace().map(str::to_lowercase).collect()
}

fn matches(e: &LogEntry, terms: &[String]) -> bool {
    terms.iter().all(|t| {
        let hit = |s: &str| s.to_lowercase().contains(t.as_str());
        hit(&e.agent)
            || hit(&e.seat)
            || hit(&e.kind)
            || hit(&e.line)
            || e.order_no.as_deref().is_some_and(hit)
            || e.case_key.as_deref().is_some_and(hit)
            || (e.conflict && "冲突".contains(t.as_str()))
    })
}

impl LogPane {
    pub fn new() -> LogPane {
        LogPane::default()
    }

    /// Starts again from the newest page.
    pub fn set_first_page(&mut self, rows: Vec<LogEntry>, end: bool) {
        self.entries.clear();
        self.visible.clear();
        self.sel = 0;
        self.end = false;
        self.append(rows, end);
    }

    /// Adds the next page (older rows) and filters it.
    pub fn append(&mut self, rows: Vec<LogEntry>, end: bool) {
        let t = terms(self.input.value());
        let base = self.entries.len();
        for (i, e) in rows.into_iter().enumerate() {
            if matches(&e, &t) {
                self.visible.push(base + i);
            }
            self.entries.push(e);
        }
        self.end = end;
    }

    /// Where the next page starts.
    pub fn cursor(&self) -> Option<LogCursor> {
        self.entries.last().map(LogEntry::cursor)
    }

    pub fn loaded(&self) -> usize {
        self.entries.len()
    }

    /// The rows the filter shows.
    pub fn rows(&self) -> Vec<&LogEntry> {
        self.visible.iter().map(|i| &self.entries[*i]).collect()
    }

    pub fn selected(&self) -> Option<&LogEntry> {
        self.visible.get(self.sel).map(|i| &self.entries[*i])
    }

    fn refilter(&mut self) {
        let t = terms(self.input.value());
        self.visible = (0..self.entries.len()).filter(|i| matches(&self.entries[*i], &t)).collect();
        self.sel = self.sel.min(self.visible.len().saturating_sub(1));
    }

    /// Rows wanted on screen below the selection before another page is read.
    fn want(&self) -> usize {
        self.sel + self.height.get().max(20) * 2
    }

    /// Asks for more pages when the visible rows run short.
    fn more(&self) -> Option<Action> {
        (!self.end && self.visible.len() < self.want()).then(|| Action::LogMore { want: self.want() })
    }

    fn move_sel(&mut self, delta: isize) -> Option<Action> {
        let n = self.visible.len();
        if n > 0 {
            self.sel = (self.sel as isize + delta).clamp(0, n as isize - 1) as usize;
        }
        self.more()
    }
}

impl Component for LogPane {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.typing {
            return match key.code {
                KeyCode::Esc => {
                    self.typing = false;
                    self.input.clear();
                    self.refilter();
                    self.more()
                }
                KeyCode::Enter | KeyCode::Down => {
                    self.typing = false;
                    None
                }
                _ => {
                    if self.input.handle_key(key) {
                        self.sel = 0;
                        self.refilter();
                        self.more()
                    } else {
                        None
                    }
                }
            };
        }
        let page = self.height.get().max(1) as isize;
        match key.code {
            KeyCode::Char('/') => {
                self.typing = true;
                None
            }
            KeyCode::Esc if !self.input.is_empty() => {
                self.input.clear();
                self.refilter();
                self.more()
            }
            KeyCode::Char('j') | KeyCode::Down => self.move_sel(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_sel(-1),
            KeyCode::PageDown => self.move_sel(page),
            KeyCode::PageUp => self.move_sel(-page),
            KeyCode::Char('g') | KeyCode::Home => self.move_sel(isize::MIN / 2),
            KeyCode::Char('G') | KeyCode::End => {
                // The end of what is read; the App reads on as far as asked.
                self.sel = self.visible.len().saturating_sub(1);
                self.more()
            }
            KeyCode::Char('r') => Some(Action::LogReload),
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, focused: bool) {
        let more = if self.end { String::new() } else { " · 向下滚动读更多".to_string() };
        let title = format!(
            "{} · 已读 {} 条 · 显示 {} 条{more}",
            crate::tui::action::PaneId::Log.title(),
            self.entries.len(),
            self.visible.len()
        );
        let block = pane_block(&title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let detail_h = if inner.height >= 12 { 3 } else { 0 };
        let [boxa, list, detail] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(detail_h)]).areas(inner);
        // The filter box.
        let label = "过滤 / ";
        let lw = crate::domain::width::width(label) as u16;
        let lab_style =
            if self.typing { Style::default().fg(Color::Yellow) } else { Style::default().fg(Color::DarkGray) };
        f.render_widget(Paragraph::new(Span::styled(clip(label, boxa.width as usize), lab_style)), boxa);
        if boxa.width > lw {
            let b = Rect { x: boxa.x + lw, width: boxa.width - lw, ..boxa };
            if self.input.is_empty() && !self.typing {
                f.render_widget(
                    Paragraph::new(Span::styled(
                        clip("按 / 过滤:客服、席位、订单号、售后单、类型或内容", b.width as usize),
                        Style::default().fg(Color::DarkGray),
                    )),
                    b,
                );
            } else {
                self.input.draw(f, b, Style::default().add_modifier(Modifier::BOLD), self.typing && focused);
            }
        }
        // The rows.
        let w = list.width as usize;
        let h = list.height as usize;
        self.height.set(h.saturating_sub(1));
        if h == 0 {
            return;
        }
        let cols: [(&str, usize); 5] = [("时间", 14), ("席位", 8), ("客服", 6), ("订单", 12), ("售后单", 10)];
        let fixed: usize = cols.iter().map(|c| c.1 + 1).sum();
        let show_cols = w >= fixed + 16;
        let head_style = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
        let mut lines = Vec::new();
        let head = if show_cols {
            let mut s: String = cols.iter().map(|(n, cw)| format!("{} ", cell(n, *cw))).collect();
            s.push_str("内容");
            s
        } else {
            "时间 · 内容".to_string()
        };
        lines.push(Line::styled(clip(&head, w), head_style));
        let body = h - 1;
        let top = if self.sel >= body { self.sel + 1 - body } else { 0 };
        for (i, e) in self.rows().into_iter().enumerate().skip(top).take(body) {
            let time = e.shop_time.get(5..).unwrap_or(&e.shop_time);
            let mark = if e.conflict { "⚠冲突 " } else { "" };
            let text = if show_cols {
                format!(
                    "{} {} {} {} {} {mark}{}",
                    cell(time, 14),
                    cell(&e.seat, 8),
                    cell(&e.agent, 6),
                    cell(e.order_no.as_deref().unwrap_or("—"), 12),
                    cell(&e.case_key.as_deref().map(short_key).unwrap_or_else(|| "—".into()), 10),
                    e.line
                )
            } else {
                format!("{} {mark}{}", cell(time, 11), e.line)
            };
            let mut style = if e.conflict { Style::default().fg(Color::Red) } else { Style::default() };
            if i == self.sel && focused {
                style = style.add_modifier(Modifier::REVERSED);
            } else if i == self.sel {
                style = style.add_modifier(Modifier::BOLD);
            }
            lines.push(Line::styled(cell(&text, w), style));
        }
        if self.visible.is_empty() {
            let msg = if self.entries.is_empty() && self.end {
                "(日志为空)"
            } else if self.end {
                "(没有匹配的记录)"
            } else {
                "(读取中…)"
            };
            lines.push(Line::styled(clip(msg, w), Style::default().fg(Color::DarkGray)));
        }
        f.render_widget(Paragraph::new(lines), list);
        // The selected row in full.
        if detail_h > 0
            && let Some(e) = self.selected()
        {
            let text = format!(
                "{} · {} · {} · {} · {}{}",
                e.shop_time,
                e.seat,
                e.agent,
                e.kind,
                if e.conflict { "⚠冲突 · " } else { "" },
                e.line
            );
            let lines: Vec<Line> = wrap(&text, detail.width as usize)
                .into_iter()
                .take(detail.height as usize)
                .map(|l| Line::styled(l, Style::default().fg(Color::Gray)))
                .collect();
            f.render_widget(Paragraph::new(lines), detail);
        }
    }

    fn draw_modal(&self, _f: &mut Frame, _screen: Rect) {}

    fn mode(&self) -> Mode {
        if self.typing { Mode::Typing } else { Mode::Normal }
    }

    fn hints(&self) -> String {
        if self.typing {
            "输入即过滤 · Enter/↓ 到列表 · Esc 清空".into()
        } else {
            "/ 过滤 · j k PgDn 滚动(自动读下一页) · r 刷新".into()
        }
    }

    fn has_unsaved_input(&self) -> bool {
        false
    }

    fn close_modal(&mut self) {}

    fn form_error(&mut self, _msg: String) {}
}
