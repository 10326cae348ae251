//! ④ 日志: every event, newest first, read a keyset page at a time as the supervisor
//! scrolls (`report::log::page`). `/` opens a filter box that narrows the rows already
//! read as you type (agent, seat, order, case, kind or the readable line; several words
//! must all match); when too few rows match, it reads further pages (at most ten for
//! one key; the next scroll reads on).

use std::cell::Cell as StdCell;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Mode, Pane, Ui, pane_block};
use crate::report::log::{LogEntry, short_key};
use crate::tui::action::Action;
use crate::tui::keymap::{Keymaps, LogKey};
use crate::tui::refresh::{Dep, Shown};
use crate::tui::text::{cell, clip, wrap};
use crate::tui::theme::Role;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::scroll::scrollbar;
use crate::tui::worker::{Data, LOG_PAGE, Query};

/// Pages read for one key at most (the next scroll reads on).
const PAGES_PER_KEY: u32 = 10;

#[derive(Default)]
pub(crate) struct LogPane {
    /// Every row read so far, newest first.
    entries: Vec<LogEntry>,
    /// Indexes into `entries` of the rows the filter lets through.
    visible: Vec<usize>,
    /// The whole log has been read.
    end: bool,
    input: TextInput,
    typing: bool,
    sel: usize,
    /// Rows the list showed at the last draw (for paging).
    height: StdCell<usize>,
    /// The reading the rows belong to (a reload starts another; older pages are dropped).
    epoch: u64,
    /// A page is on its way.
    reading: bool,
    /// Pages still allowed for the current key.
    budget: u32,
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
    pub(crate) fn new() -> LogPane {
        LogPane::default()
    }

    /// Reads the log again from the newest event.
    pub(crate) fn reload(&mut self) -> Query {
        self.epoch += 1;
        self.reading = true;
        self.budget = PAGES_PER_KEY;
        Query::LogPage { after: None, epoch: self.epoch }
    }

    /// A page came in; the next one if the filter still shows too few rows.
    pub(crate) fn load(&mut self, q: &Query, d: &Data) -> Option<Query> {
        let (Query::LogPage { after, epoch }, Data::LogPage(rows)) = (q, d) else { return None };
        if *epoch != self.epoch {
            return None;
        }
        self.reading = false;
        let end = rows.len() < LOG_PAGE;
        if after.is_none() {
            self.entries.clear();
            self.visible.clear();
            self.sel = 0;
            self.end = false;
        }
        self.append(rows.clone(), end);
        self.next_page()
    }

    /// The next page, when too few rows pass the filter and this key may read more.
    fn next_page(&mut self) -> Option<Query> {
        if self.end || self.reading || self.visible.len() >= self.want() || self.budget == 0 {
            return None;
        }
        self.budget -= 1;
        self.reading = true;
        Some(Query::LogPage { after: self.entries.last().map(LogEntry::cursor), epoch: self.epoch })
    }

    /// After a key: read on if needed.
    fn more(&mut self) -> Option<Action> {
        self.budget = PAGES_PER_KEY;
        self.next_page().map(Action::Load)
    }

    pub(crate) fn at_end(&self) -> bool {
        self.end
    }

    pub(crate) fn loaded(&self) -> usize {
        self.entries.len()
    }

    /// The filter box's text.
    pub(crate) fn filter(&self) -> &str {
        self.input.value()
    }

    /// Adds the next page (older rows) and filters it.
    fn append(&mut self, rows: Vec<LogEntry>, end: bool) {
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

    /// The rows the filter shows.
    pub(crate) fn rows(&self) -> Vec<&LogEntry> {
        self.visible.iter().map(|i| &self.entries[*i]).collect()
    }

    pub(crate) fn selected(&self) -> Option<&LogEntry> {
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

    fn move_sel(&mut self, delta: isize) -> Option<Action> {
        let n = self.visible.len();
        if n > 0 {
            self.sel = (self.sel as isize + delta).clamp(0, n as isize - 1) as usize;
        }
        self.more()
    }
}

impl Pane for LogPane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
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
        match keys.log.lookup(&key)? {
            LogKey::Filter => {
                self.typing = true;
                None
            }
            LogKey::Clear if !self.input.is_empty() => {
                self.input.clear();
                self.refilter();
                self.more()
            }
            LogKey::Clear => None,
            LogKey::Down => self.move_sel(1),
            LogKey::Up => self.move_sel(-1),
            LogKey::PageDown => self.move_sel(page),
            LogKey::PageUp => self.move_sel(-page),
            LogKey::Top => self.move_sel(isize::MIN / 2),
            LogKey::Bottom => {
                // The end of what is read; reading goes on as far as asked.
                self.sel = self.visible.len().saturating_sub(1);
                self.more()
            }
            LogKey::Reload => Some(Action::Load(self.reload())),
        }
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        self.typing = true;
        self.input.insert_str(text);
        self.sel = 0;
        self.refilter();
        self.more()
    }

    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let focused = ui.focused;
        let more = if self.end { String::new() } else { " · 向下滚动读更多".to_string() };
        let title = format!(
            "{} · 已读 {} 条 · 显示 {} 条{more}",
            crate::tui::action::PaneId::Log.title(),
            self.entries.len(),
            self.visible.len()
        );
        let block = pane_block(&title, ui);
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
        let lab_style = if self.typing { ui.style(Role::Accent) } else { ui.style(Role::Dim) };
        f.render_widget(Paragraph::new(Span::styled(clip(label, boxa.width as usize), lab_style)), boxa);
        if boxa.width > lw {
            let b = Rect { x: boxa.x + lw, width: boxa.width - lw, ..boxa };
            if self.input.is_empty() && !self.typing {
                f.render_widget(
                    Paragraph::new(Span::styled(
                        clip(
                            &format!(
                                "按 {} 过滤:客服、席位、订单号、售后单、类型或内容",
                                ui.keys.log.key_of(LogKey::Filter)
                            ),
                            b.width as usize,
                        ),
                        ui.style(Role::Dim),
                    )),
                    b,
                );
            } else {
                self.input.draw(f, b, ui.style(Role::Title), self.typing && focused);
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
        let head_style = ui.style(Role::Head);
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
            let mut style = if e.conflict { ui.style(Role::Bad) } else { ui.style(Role::Plain) };
            if i == self.sel && focused {
                style = style.patch(ui.style(Role::Selected));
            } else if i == self.sel {
                style = style.patch(ui.style(Role::SelectedIdle));
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
            lines.push(Line::styled(clip(msg, w), ui.style(Role::Dim)));
        }
        f.render_widget(Paragraph::new(lines), list);
        let body_area = Rect { y: list.y + 1, height: list.height.saturating_sub(1), ..list };
        scrollbar(f, area, body_area, self.visible.len(), top, ui);
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
                .map(|l| Line::styled(l, ui.style(Role::Muted)))
                .collect();
            f.render_widget(Paragraph::new(lines), detail);
        }
    }

    fn mode(&self) -> Mode {
        if self.typing { Mode::Typing } else { Mode::Normal }
    }

    fn hints(&self, keys: &Keymaps) -> String {
        if self.typing {
            "输入即过滤 · Enter/↓ 到列表 · Esc 清空".into()
        } else {
            let filtered = !self.input.is_empty();
            keys.log.hints_where(|a| a != LogKey::Clear || filtered)
        }
    }

    fn shown(&self) -> Vec<Shown> {
        // Anything written shows in the log: from the newest event again.
        vec![Shown::new(Dep::Events, Query::LogPage { after: None, epoch: self.epoch })]
    }
}
