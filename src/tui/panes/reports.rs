//! ⑤ 报表: pick a report (`h`/`l` or ←/→), the day with `[`/`]`, read its tables
//! (`j`/`k`/PgDn scroll) and, for reports with per-day and per-reason refund tables,
//! two bar charts. Reports are built off the key path (the store worker's reader);
//! until one arrives the view says "计算中…". `d` opens the DSR form.

use std::cell::Cell as StdCell;

use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Tabs};

use super::dsr::DsrForm;
use super::{Mode, Pane, Ui, pane_block};
use crate::report::{Cell, Report, ReportTable, render};
use crate::tui::action::{Action, PaneId, ReportKind, ReportRequest};
use crate::tui::keymap::{Keymaps, ReportsKey};
use crate::tui::refresh::{Dep, Shown};
use crate::tui::text::{cell, clip};
use crate::tui::theme::Role;
use crate::tui::widgets::scroll::scrollbar;
use crate::tui::worker::{Data, Query};

pub(crate) struct ReportsPane {
    kind: ReportKind,
    date: NaiveDate,
    /// The report shown and what it was built for.
    report: Option<(ReportRequest, Report)>,
    /// A build is running for this request.
    pending: Option<ReportRequest>,
    error: Option<String>,
    scroll: usize,
    height: StdCell<usize>,
    dsr: Option<DsrForm>,
    now: chrono::NaiveDateTime,
}

/// One bar per row: label column, count column.
pub(crate) fn bars(t: &ReportTable, label: &str, value: &str) -> Vec<(String, u64)> {
    (0..t.rows.len())
        .map(|i| {
            let l = t.cell(i, label).map(Cell::display).unwrap_or_default();
            let v = match t.cell(i, value) {
                Some(Cell::Int(n)) => (*n).max(0) as u64,
                _ => 0,
            };
            (l, v)
        })
        .collect()
}

impl ReportsPane {
    pub(crate) fn new(now: chrono::NaiveDateTime) -> ReportsPane {
        ReportsPane {
            now,
            kind: ReportKind::Daily,
            date: now.date(),
            report: None,
            pending: None,
            error: None,
            scroll: 0,
            height: StdCell::new(10),
            dsr: None,
        }
    }

    pub(crate) fn set_now(&mut self, now: chrono::NaiveDateTime) {
        self.now = now;
    }

    fn request(&self) -> ReportRequest {
        ReportRequest { kind: self.kind, date: self.date }
    }

    pub(crate) fn shown(&self) -> Option<(ReportRequest, &Report)> {
        self.report.as_ref().map(|(q, r)| (*q, r))
    }

    pub(crate) fn dsr(&self) -> Option<&DsrForm> {
        self.dsr.as_ref()
    }

    pub(crate) fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Builds the report for the current choice.
    pub(crate) fn build(&mut self) -> Query {
        let req = self.request();
        self.pending = Some(req);
        Query::Report { req, now: self.now }
    }

    /// Takes data in: a built report (or why it failed); stale answers are dropped.
    pub(crate) fn load(&mut self, q: &Query, d: &Data) {
        let (Query::Report { req, .. }, Data::Report(result)) = (q, d) else { return };
        let req = *req;
        if req != self.request() {
            return;
        }
        let result = result.clone();
        self.pending = None;
        match result {
            Ok(r) => {
                if self.report.as_ref().map(|(q, _)| *q) != Some(req) {
                    self.scroll = 0;
                }
                self.report = Some((req, r));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn ask(&mut self) -> Option<Action> {
        Some(Action::Load(self.build()))
    }

    fn text_lines(&self) -> Vec<String> {
        let Some((_, r)) = &self.report else { return Vec::new() };
        let mut out = Vec::new();
        let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        out.push(format!("{} · {}", r.title, params.join(" · ")));
        for t in &r.sections {
            out.push(String::new());
            out.push(format!("【{}】", t.title));
            out.extend(render::table_text(t, 24).lines().map(str::to_string));
        }
        if !r.notes.is_empty() {
            out.push(String::new());
            for n in &r.notes {
                out.push(format!("注:{n}"));
            }
        }
        out
    }

    /// The per-day and per-reason refund tables, when the report has them.
    fn chart_tables(&self) -> Option<(&ReportTable, &ReportTable)> {
        let (_, r) = self.report.as_ref()?;
        Some((r.section("按日")?, r.section("按原因")?))
    }

    fn draw_header(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let labels: Vec<String> = ReportKind::ALL.iter().map(|k| format!(" {} ", k.label())).collect();
        let mut tail = format!("  {} ", self.date);
        if self.pending.is_some() {
            tail.push_str(" 计算中…");
        }
        let wide: usize =
            labels.iter().map(|l| crate::domain::width::width(l)).sum::<usize>() + crate::domain::width::width(&tail);
        if wide > area.width as usize {
            // Narrow: just the chosen report.
            let short = format!(
                "{} · {}{}",
                self.kind.label(),
                self.date,
                if self.pending.is_some() { " · 计算中…" } else { "" }
            );
            f.render_widget(Paragraph::new(clip(&short, area.width as usize)), area);
        } else {
            let selected = ReportKind::ALL.iter().position(|k| *k == self.kind);
            let tabs_w: usize = labels.iter().map(|l| crate::domain::width::width(l)).sum();
            let tabs = Tabs::new(labels)
                .select(selected)
                .style(ui.style(Role::Tab))
                .highlight_style(ui.style(Role::ReportActive))
                .divider("")
                .padding("", "");
            f.render_widget(tabs, Rect { width: (tabs_w as u16).min(area.width), ..area });
            let rest = Rect { x: area.x + tabs_w as u16, width: area.width.saturating_sub(tabs_w as u16), ..area };
            let date = Span::raw(format!("  {} ", self.date));
            let mut spans = vec![date];
            if self.pending.is_some() {
                spans.push(Span::styled(" 计算中…", ui.style(Role::Accent)));
            }
            f.render_widget(Paragraph::new(Line::from(spans)), rest);
        }
    }

    fn draw_tables(&self, f: &mut Frame, area: Rect, frame: Option<Rect>, ui: &Ui) {
        let h = area.height as usize;
        self.height.set(h);
        let w = area.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(clip(&format!("出错:{e}"), w), ui.style(Role::Bad)));
        }
        if self.report.is_none() {
            let msg = if self.pending.is_some() { "计算中…" } else { "(无报表)" };
            lines.push(Line::styled(msg, ui.style(Role::Dim)));
        }
        let all = self.text_lines();
        let top = self.scroll.min(all.len().saturating_sub(1));
        for l in all.iter().skip(top).take(h.saturating_sub(lines.len())) {
            let style = if l.starts_with('【') { ui.style(Role::Head) } else { ui.style(Role::Plain) };
            lines.push(Line::styled(clip(l, w), style));
        }
        f.render_widget(Paragraph::new(lines), area);
        if let Some(frame) = frame {
            scrollbar(f, frame, area, all.len(), top, ui);
        }
    }

    fn draw_charts(&self, f: &mut Frame, area: Rect, days: &ReportTable, reasons: &ReportTable, side: bool, ui: &Ui) {
        let dir = if side { Direction::Vertical } else { Direction::Horizontal };
        let [a, b] = Layout::new(dir, [Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        // Refunds per day: vertical bars labelled by day of month.
        let day_bars = bars(days, "date", "count");
        let block =
            Block::default().borders(Borders::ALL).title(clip("退款笔数 / 日", a.width.saturating_sub(2) as usize));
        let inner_w = block.inner(a).width as usize;
        let n = day_bars.len().max(1);
        // 30 days in a narrow box: no gaps, one-cell bars, no labels.
        let gap = usize::from(n * 2 <= inner_w);
        let bw = ((inner_w.saturating_sub(n * gap)) / n).clamp(1, 5) as u16;
        let data: Vec<Bar> = day_bars
            .iter()
            .map(|(d, v)| {
                let label = match bw {
                    5.. => d.get(5..).unwrap_or(d),
                    2.. => d.get(8..).unwrap_or(d),
                    _ => "",
                };
                Bar::default().value(*v).label(Line::raw(clip(label, bw as usize)))
            })
            .collect();
        let chart =
            BarChart::default().block(block).bar_width(bw).bar_gap(gap as u16).bar_style(ui.style(Role::BarDays));
        let chart = if data.is_empty() { chart } else { chart.data(BarGroup::default().bars(&data)) };
        f.render_widget(chart, a);
        // Refund reasons: horizontal bars with the reason as label.
        let reason_bars = bars(reasons, "reason", "count");
        let data: Vec<Bar> = reason_bars
            .iter()
            .map(|(r, v)| Bar::default().value(*v).label(Line::raw(cell(r, 10))).text_value(format!("{v}")))
            .collect();
        let block = Block::default().borders(Borders::ALL).title(clip("退款原因", b.width.saturating_sub(2) as usize));
        let chart = BarChart::default()
            .block(block)
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(ui.style(Role::BarReasons));
        let chart = if data.is_empty() { chart } else { chart.data(BarGroup::default().bars(&data)) };
        f.render_widget(chart, b);
    }
}

impl Pane for ReportsPane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        if let Some(form) = self.dsr.as_mut() {
            if !form.handle_key(key) {
                self.dsr = None;
            }
            return None;
        }
        let i = ReportKind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0);
        let n = ReportKind::ALL.len();
        let page = self.height.get().max(1);
        let last = self.text_lines().len().saturating_sub(1);
        match keys.reports.lookup(&key)? {
            ReportsKey::Next => {
                self.kind = ReportKind::ALL[(i + 1) % n];
                return self.ask();
            }
            ReportsKey::Prev => {
                self.kind = ReportKind::ALL[(i + n - 1) % n];
                return self.ask();
            }
            ReportsKey::DayBefore => {
                self.date -= Duration::days(1);
                return self.ask();
            }
            ReportsKey::DayAfter => {
                self.date += Duration::days(1);
                return self.ask();
            }
            ReportsKey::Rebuild => return self.ask(),
            ReportsKey::Down => self.scroll = (self.scroll + 1).min(last),
            ReportsKey::Up => self.scroll = self.scroll.saturating_sub(1),
            ReportsKey::PageDown => self.scroll = (self.scroll + page).min(last),
            ReportsKey::PageUp => self.scroll = self.scroll.saturating_sub(page),
            ReportsKey::Top => self.scroll = 0,
            ReportsKey::Bottom => self.scroll = last,
            ReportsKey::Dsr => self.dsr = Some(DsrForm::new()),
        }
        None
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        if let Some(d) = self.dsr.as_mut() {
            d.paste(text);
        }
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let block = pane_block(PaneId::Reports.title(), ui);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height < 2 || inner.width == 0 {
            return;
        }
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        self.draw_header(f, head, ui);
        match self.chart_tables() {
            Some((days, reasons)) if body.height >= 6 => {
                if body.width >= 100 {
                    let [l, r] =
                        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
                    self.draw_tables(f, l, None, ui);
                    self.draw_charts(f, r, days, reasons, true, ui);
                } else {
                    let ch = (body.height / 2).clamp(3, 12);
                    let [c, t] = Layout::vertical([Constraint::Length(ch), Constraint::Min(0)]).areas(body);
                    self.draw_charts(f, c, days, reasons, false, ui);
                    self.draw_tables(f, t, Some(area), ui);
                }
            }
            _ => self.draw_tables(f, body, Some(area), ui),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        if let Some(d) = &self.dsr {
            d.draw(f, screen, ui.theme);
        }
    }

    fn mode(&self) -> Mode {
        if self.dsr.is_some() { Mode::Modal } else { Mode::Normal }
    }

    fn hints(&self, keys: &Keymaps) -> String {
        if self.dsr.is_some() { "Tab 下一项 · 输入即计算 · Esc 关闭".into() } else { keys.reports.hints() }
    }

    fn shown(&self) -> Vec<Shown> {
        vec![Shown::new(Dep::Events, Query::Report { req: self.request(), now: self.now })]
    }
}
