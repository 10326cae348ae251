//! ⑤ 报表: pick a report (`h`/`l` or ←/→), the day with `[`/`]`, read its tables
//! (`j`/`k`/PgDn scroll) and, for reports with per-day and per-reason refund tables,
//! two bar charts. Reports are built off the key path by the App (a worker thread);
//! until one arrives the view says "计算中…". `d` opens the DSR form.

use std::cell::Cell as StdCell;

use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph};

use super::dsr::DsrForm;
use super::{Component, Mode, pane_block};
use crate::report::{Cell, Report, ReportTable, render};
use crate::tui::action::{Action, PaneId, ReportKind, ReportRequest};
use crate::tui::text::{cell, clip};

pub struct ReportsPane {
    pub kind: ReportKind,
    pub date: NaiveDate,
    /// The report shown and what it was built for.
    pub report: Option<(ReportRequest, Report)>,
    /// A build is running for this request.
    pub pending: Option<ReportRequest>,
    pub error: Option<String>,
    scroll: usize,
    height: StdCell<usize>,
    pub dsr: Option<DsrForm>,
}

/// One bar per row: label column, count column.
pub fn bars(t: &ReportTable, label: &str, value: &str) -> Vec<(String, u64)> {
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
    pub fn new(today: NaiveDate) -> ReportsPane {
        ReportsPane {
            kind: ReportKind::Daily,
            date: today,
            report: None,
            pending: None,
            error: None,
            scroll: 0,
            height: StdCell::new(10),
            dsr: None,
        }
    }

    pub fn request(&self) -> ReportRequest {
        ReportRequest { kind: self.kind, date: self.date }
    }

    /// The App started building `req`.
    pub fn set_pending(&mut self, req: ReportRequest) {
        self.pending = Some(req);
    }

    /// A built report (or why it failed) arrived; stale answers are dropped.
    pub fn set_report(&mut self, req: ReportRequest, result: Result<Report, String>) {
        if req != self.request() {
            return;
        }
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
        Some(Action::BuildReport(self.request()))
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

    fn draw_header(&self, f: &mut Frame, area: Rect) {
        let mut spans = Vec::new();
        for k in ReportKind::ALL {
            let st = if k == self.kind {
                Style::default().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD)
            } else {
                Style::default().fg(Color::Gray)
            };
            spans.push(Span::styled(format!(" {} ", k.label()), st));
        }
        spans.push(Span::raw(format!("  {} ", self.date)));
        if self.pending.is_some() {
            spans.push(Span::styled(" 计算中…", Style::default().fg(Color::Yellow)));
        }
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        if crate::domain::width::width(&text) > area.width as usize {
            // Narrow: just the chosen report.
            let short = format!(
                "{} · {}{}",
                self.kind.label(),
                self.date,
                if self.pending.is_some() { " · 计算中…" } else { "" }
            );
            f.render_widget(Paragraph::new(clip(&short, area.width as usize)), area);
        } else {
            f.render_widget(Paragraph::new(Line::from(spans)), area);
        }
    }

    fn draw_tables(&self, f: &mut Frame, area: Rect) {
        let h = area.height as usize;
        self.height.set(h);
        let w = area.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(e) = &self.error {
            lines.push(Line::styled(clip(&format!("出错:{e}"), w), Style::default().fg(Color::Red)));
        }
        if self.report.is_none() {
            let msg = if self.pending.is_some() { "计算中…" } else { "(无报表)" };
            lines.push(Line::styled(msg, Style::default().fg(Color::DarkGray)));
        }
        let all = self.text_lines();
        let top = self.scroll.min(all.len().saturating_sub(1));
        for l in all.iter().skip(top).take(h.saturating_sub(lines.len())) {
            let style = if l.starts_with('【') {
                Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            lines.push(Line::styled(clip(l, w), style));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn draw_charts(&self, f: &mut Frame, area: Rect, days: &ReportTable, reasons: &ReportTable, side: bool) {
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
        let chart = BarChart::default()
            .block(block)
            .bar_width(bw)
            .bar_gap(gap as u16)
            .bar_style(Style::default().fg(Color::Yellow));
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
            .bar_style(Style::default().fg(Color::Magenta));
        let chart = if data.is_empty() { chart } else { chart.data(BarGroup::default().bars(&data)) };
        f.render_widget(chart, b);
    }
}

impl Component for ReportsPane {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if let Some(form) = self.dsr.as_mut() {
            if !form.handle_key(key) {
                self.dsr = None;
            }
            return None;
        }
        let i = ReportKind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0);
        let n = ReportKind::ALL.len();
        let page = self.height.get().max(1);
        match key.code {
            KeyCode::Char('l') | KeyCode::Right => {
                self.kind = ReportKind::ALL[(i + 1) % n];
                self.ask()
            }
            KeyCode::Char('h') | KeyCode::Left => {
                self.kind = ReportKind::ALL[(i + n - 1) % n];
                self.ask()
            }
            KeyCode::Char('[') => {
                self.date -= Duration::days(1);
                self.ask()
            }
            KeyCode::Char(']') => {
                self.date += Duration::days(1);
                self.ask()
            }
            KeyCode::Char('r') => self.ask(),
            KeyCode::Char('j') | KeyCode::Down => {
                self.scroll = (self.scroll + 1).min(self.text_lines().len().saturating_sub(1));
                None
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                None
            }
            KeyCode::PageDown => {
                self.scroll = (self.scroll + page).min(self.text_lines().len().saturating_sub(1));
                None
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(page);
                None
            }
            KeyCode::Char('g') => {
                self.scroll = 0;
                None
            }
            KeyCode::Char('d') => {
                self.dsr = Some(DsrForm::new());
                None
            }
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, focused: bool) {
        let block = pane_block(PaneId::Reports.title(), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height < 2 || inner.width == 0 {
            return;
        }
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        self.draw_header(f, head);
        match self.chart_tables() {
            Some((days, reasons)) if body.height >= 6 => {
                if body.width >= 100 {
                    let [l, r] =
                        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
                    self.draw_tables(f, l);
                    self.draw_charts(f, r, days, reasons, true);
                } else {
                    let ch = (body.height / 2).clamp(3, 12);
                    let [c, t] = Layout::vertical([Constraint::Length(ch), Constraint::Min(0)]).areas(body);
                    self.draw_charts(f, c, days, reasons, false);
                    self.draw_tables(f, t);
                }
            }
            _ => self.draw_tables(f, body),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect) {
        if let Some(d) = &self.dsr {
            d.draw(f, screen);
        }
    }

    fn mode(&self) -> Mode {
        if self.dsr.is_some() { Mode::Modal } else { Mode::Normal }
    }

    fn hints(&self) -> String {
        if self.dsr.is_some() {
            "Tab 下一项 · 输入即计算 · Esc 关闭".into()
        } else {
            "h l 换报表 · [ ] 前/后一天 · j k PgDn 滚动 · r 重算 · d DSR".into()
        }
    }

    fn has_unsaved_input(&self) -> bool {
        false
    }

    fn close_modal(&mut self) {
        self.dsr = None;
    }

    fn form_error(&mut self, msg: String) {
        self.error = Some(msg);
    }
}
