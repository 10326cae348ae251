//! ① 订单: the urgency queue. Holds only a window of rows (a few keyset pages); asks the
//! App for the next page as the selection nears either edge of the window.

use std::cell::Cell;

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::order_detail::DetailState;
use super::order_forms::{OrderForm, flag_color, flag_picker};
use super::{Component, Mode};
use crate::domain::flag::Flag;
use crate::domain::money::format_yuan;
use crate::domain::promise::format_time_left;
use crate::domain::timefmt::format_short;
use crate::store::QueueRow;
use crate::store::orders::QueueView;
use crate::tui::action::{Action, Fetch};
use crate::tui::text::{cell, cell_right, clip};
use crate::tui::widgets::form::{Form, FormEvent};
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::picker::{PickEvent, Picker};

/// Rows fetched per page.
pub const PAGE: usize = 100;
/// The most rows the pane keeps.
pub const MAX_WINDOW: usize = 3 * PAGE;
/// Fetch more when the selection comes this close to an edge of the window.
const MARGIN: usize = 30;

/// The filters `f` cycles through.
pub fn views() -> Vec<QueueView> {
    let mut v = vec![QueueView::All, QueueView::ToShip, QueueView::Overdue, QueueView::Shipped, QueueView::Refunding];
    v.push(QueueView::Flagged(None));
    v.extend(Flag::ALL[1..].iter().map(|f| QueueView::Flagged(Some(*f))));
    v
}

pub enum QueueModal {
    Flag { order_no: String, picker: Picker },
    Form { order_no: String, kind: OrderForm, form: Form },
}

pub struct QueuePane {
    pub view: QueueView,
    rows: Vec<QueueRow>,
    sel: usize,
    offset: Cell<usize>,
    height: Cell<usize>,
    at_start: bool,
    at_end: bool,
    /// Search results are showing (the query).
    pub searching: Option<String>,
    search_input: Option<TextInput>,
    pub detail: Option<DetailState>,
    pub modal: Option<QueueModal>,
    now: NaiveDateTime,
    agent: String,
    shop_name: String,
}

impl QueuePane {
    pub fn new(now: NaiveDateTime, agent: &str) -> QueuePane {
        QueuePane {
            view: QueueView::All,
            rows: Vec::new(),
            sel: 0,
            offset: Cell::new(0),
            height: Cell::new(20),
            at_start: true,
            at_end: true,
            searching: None,
            search_input: None,
            detail: None,
            modal: None,
            now,
            agent: agent.into(),
            shop_name: "本店".into(),
        }
    }

    pub fn set_now(&mut self, now: NaiveDateTime) {
        self.now = now;
    }

    pub fn set_shop_name(&mut self, name: &str) {
        self.shop_name = name.into();
    }

    pub fn rows(&self) -> &[QueueRow] {
        &self.rows
    }

    pub fn selected(&self) -> Option<&QueueRow> {
        self.rows.get(self.sel)
    }

    pub fn selected_index(&self) -> usize {
        self.sel
    }

    /// A fresh window (a new view, the top or the bottom, or search results).
    pub fn set_rows(&mut self, view: QueueView, rows: Vec<QueueRow>, at_start: bool, at_end: bool, select_last: bool) {
        self.view = view;
        self.sel = if select_last { rows.len().saturating_sub(1) } else { 0 };
        self.offset.set(if select_last { rows.len().saturating_sub(self.height.get()) } else { 0 });
        self.rows = rows;
        self.at_start = at_start;
        self.at_end = at_end;
    }

    /// Selects `order_no` if the window holds it (after a reload); false if not.
    pub fn select_order(&mut self, order_no: &str) -> bool {
        let Some(i) = self.rows.iter().position(|r| r.order_no == order_no) else { return false };
        self.sel = i;
        self.offset.set(i.saturating_sub(self.height.get() / 2));
        true
    }

    /// The page after the window arrived.
    pub fn append(&mut self, page: Vec<QueueRow>, complete: bool) {
        self.at_end = !complete;
        self.rows.extend(page);
        if self.rows.len() > MAX_WINDOW {
            let drop = self.rows.len() - MAX_WINDOW;
            self.rows.drain(..drop);
            self.sel = self.sel.saturating_sub(drop);
            self.offset.set(self.offset.get().saturating_sub(drop));
            self.at_start = false;
        }
    }

    /// The page before the window arrived (in queue order).
    pub fn prepend(&mut self, page: Vec<QueueRow>, complete: bool) {
        self.at_start = !complete;
        let n = page.len();
        let mut rows = page;
        rows.append(&mut self.rows);
        self.rows = rows;
        self.sel += n;
        self.offset.set(self.offset.get() + n);
        if self.rows.len() > MAX_WINDOW {
            self.rows.truncate(MAX_WINDOW);
            self.at_end = false;
        }
    }

    /// A row changed (memo, flag, refund): show the new one in place.
    pub fn replace_row(&mut self, row: QueueRow) {
        if let Some(r) = self.rows.iter_mut().find(|r| r.order_no == row.order_no) {
            *r = row;
        }
    }

    pub fn window_edges(&self) -> (bool, bool) {
        (self.at_start, self.at_end)
    }

    fn move_by(&mut self, delta: isize) -> Option<Action> {
        if self.rows.is_empty() {
            return None;
        }
        let last = self.rows.len() - 1;
        self.sel = (self.sel as isize + delta).clamp(0, last as isize) as usize;
        if self.searching.is_some() {
            return None;
        }
        if delta > 0 && !self.at_end && last - self.sel < MARGIN {
            return Some(Action::QueueFetch(Fetch::After(self.rows[last].cursor.clone())));
        }
        if delta < 0 && !self.at_start && self.sel < MARGIN {
            return Some(Action::QueueFetch(Fetch::Before(self.rows[0].cursor.clone())));
        }
        None
    }

    fn open_form(&mut self, kind: OrderForm) {
        let Some(row) = self.selected() else { return };
        let today = self.now.date();
        let mut form = kind.build(
            &row.order_no,
            &format_yuan(row.amount_fen),
            &row.tracking_no,
            &today.format("%Y-%m-%d").to_string(),
        );
        kind.preview(&mut form, &self.shop_name, &self.agent, Some(today));
        self.modal = Some(QueueModal::Form { order_no: row.order_no.clone(), kind, form });
    }

    fn order_keys(&mut self, key: KeyEvent) -> Option<Action> {
        match key.code {
            KeyCode::Char('s') => {
                let row = self.selected()?;
                self.modal = Some(QueueModal::Flag { order_no: row.order_no.clone(), picker: flag_picker(row.flag) });
            }
            KeyCode::Char('m') => self.open_form(OrderForm::Memo),
            KeyCode::Char('r') => self.open_form(OrderForm::Refund),
            KeyCode::Char('x') => self.open_form(OrderForm::Exchange),
            KeyCode::Char('b') => self.open_form(OrderForm::BadReview),
            KeyCode::Char('d') => self.open_form(OrderForm::Damage),
            _ => return None,
        }
        None
    }

    fn modal_key(&mut self, key: KeyEvent) -> Option<Action> {
        match self.modal.as_mut()? {
            QueueModal::Flag { order_no, picker } => match picker.handle_key(key) {
                PickEvent::Picked(i) => {
                    let order_no = order_no.clone();
                    self.modal = None;
                    Some(Action::SetFlag { order_no, flag: Flag::ALL[i] })
                }
                PickEvent::Cancel => {
                    self.modal = None;
                    None
                }
                PickEvent::None => None,
            },
            QueueModal::Form { order_no, kind, form } => match form.handle_key(key) {
                FormEvent::Cancel => {
                    self.modal = None;
                    None
                }
                FormEvent::Submit => match kind.submit(form, order_no, &self.shop_name) {
                    Ok(a) => Some(a),
                    Err(e) => {
                        form.set_error(e);
                        None
                    }
                },
                FormEvent::Changed => {
                    kind.preview(form, &self.shop_name, &self.agent, Some(self.now.date()));
                    None
                }
                FormEvent::None => None,
            },
        }
    }

    fn draw_list(&self, f: &mut Frame, area: Rect) {
        let w = area.width as usize;
        let fixed = 2 + 8 + 12 + 11 + 5 + 10 + 6;
        let flex = w.saturating_sub(fixed);
        let item_w = flex * 55 / 100;
        let memo_w = flex - item_w;
        let header = Line::styled(
            format!(
                "  {} {} {} {} {} {} {}",
                cell("单号", 8),
                cell("买家", 12),
                cell("宝贝", item_w),
                cell("付款", 11),
                cell_right("剩余", 5),
                cell("状态", 10),
                cell("备注", memo_w)
            ),
            Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        );
        f.render_widget(Paragraph::new(header), Rect::new(area.x, area.y, area.width, 1.min(area.height)));
        let body_h = area.height.saturating_sub(1) as usize;
        self.height.set(body_h.max(1));
        let mut off = self.offset.get();
        if self.sel < off {
            off = self.sel;
        }
        if self.sel >= off + body_h.max(1) {
            off = self.sel + 1 - body_h.max(1);
        }
        self.offset.set(off);
        if self.rows.is_empty() {
            let msg = if self.searching.is_some() { "没有找到订单" } else { "没有订单" };
            if area.height > 1 {
                f.render_widget(
                    Paragraph::new(Span::styled(msg, Style::default().fg(Color::DarkGray))),
                    Rect::new(area.x + 2, area.y + 1, area.width.saturating_sub(2), 1),
                );
            }
            return;
        }
        let lines: Vec<Line> = self
            .rows
            .iter()
            .enumerate()
            .skip(off)
            .take(body_h)
            .map(|(i, r)| self.row_line(r, i == self.sel, item_w, memo_w))
            .collect();
        f.render_widget(Paragraph::new(lines), Rect::new(area.x, area.y + 1, area.width, body_h as u16));
    }

    fn row_line(&self, r: &QueueRow, selected: bool, item_w: usize, memo_w: usize) -> Line<'static> {
        let tail: String = {
            let chars: Vec<char> = r.order_no.chars().collect();
            chars[chars.len().saturating_sub(8)..].iter().collect()
        };
        let (left, overdue) = match r.ship_by {
            Some(by) => (format_time_left(by, self.now), by < self.now),
            None => (String::new(), false),
        };
        let mut status = r.status.map(|s| s.short_label()).unwrap_or("本地").to_string();
        if r.open_refunds > 0 {
            status.push_str("·退");
        }
        let base = if selected { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        let flag = if r.flag == Flag::Grey { "  ".to_string() } else { "■ ".to_string() };
        Line::from(vec![
            Span::styled(flag, Style::default().fg(flag_color(r.flag))),
            Span::styled(
                format!(
                    "{} {} {} {} ",
                    cell(&tail, 8),
                    cell(&r.buyer, 12),
                    cell(&r.title, item_w),
                    cell(&r.paid_at.map(format_short).unwrap_or_default(), 11)
                ),
                base,
            ),
            Span::styled(
                cell_right(&left, 5),
                if overdue { base.fg(Color::Red).add_modifier(Modifier::BOLD) } else { base.fg(Color::Green) },
            ),
            Span::styled(format!(" {} {}", cell(&status, 10), cell(&r.memo_last, memo_w)), base),
        ])
    }
}

impl Component for QueuePane {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.modal.is_some() {
            return self.modal_key(key);
        }
        if let Some(input) = self.search_input.as_mut() {
            return match key.code {
                KeyCode::Esc => {
                    self.search_input = None;
                    None
                }
                KeyCode::Enter => {
                    let q = input.value().trim().to_string();
                    self.search_input = None;
                    self.searching = (!q.is_empty()).then(|| q.clone());
                    Some(Action::QueueSearch(q))
                }
                _ => {
                    input.handle_key(key);
                    None
                }
            };
        }
        if let Some(d) = self.detail.as_mut() {
            match key.code {
                KeyCode::Esc => {
                    self.detail = None;
                    return None;
                }
                KeyCode::Char('p') => {
                    d.reveal_phone = !d.reveal_phone;
                    return None;
                }
                KeyCode::Char('j') | KeyCode::Down => {
                    d.scroll = d.scroll.saturating_add(1);
                    return None;
                }
                KeyCode::Char('k') | KeyCode::Up => {
                    d.scroll = d.scroll.saturating_sub(1);
                    return None;
                }
                KeyCode::PageDown => {
                    d.scroll = d.scroll.saturating_add(10);
                    return None;
                }
                KeyCode::PageUp => {
                    d.scroll = d.scroll.saturating_sub(10);
                    return None;
                }
                KeyCode::Char('g') => {
                    d.scroll = 0;
                    return None;
                }
                _ => return self.order_keys(key),
            }
        }
        let page = self.height.get().max(1) as isize;
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => self.move_by(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_by(-1),
            KeyCode::PageDown => self.move_by(page),
            KeyCode::PageUp => self.move_by(-page),
            KeyCode::Char('g') | KeyCode::Home => {
                if self.at_start || self.searching.is_some() {
                    self.sel = 0;
                    None
                } else {
                    Some(Action::QueueFetch(Fetch::Top))
                }
            }
            KeyCode::Char('G') | KeyCode::End => {
                if self.at_end || self.searching.is_some() {
                    self.sel = self.rows.len().saturating_sub(1);
                    None
                } else {
                    Some(Action::QueueFetch(Fetch::Bottom))
                }
            }
            KeyCode::Enter => self.selected().map(|r| Action::OpenOrder(r.order_no.clone())),
            KeyCode::Char('/') => {
                self.search_input = Some(TextInput::new(self.searching.as_deref().unwrap_or("")));
                None
            }
            KeyCode::Esc if self.searching.is_some() => {
                self.searching = None;
                Some(Action::QueueSearch(String::new()))
            }
            KeyCode::Char('f') => {
                let vs = views();
                let i = vs.iter().position(|v| *v == self.view).map(|i| (i + 1) % vs.len()).unwrap_or(0);
                self.searching = None;
                Some(Action::QueueView(vs[i]))
            }
            KeyCode::Char('F') => {
                let vs = views();
                let i = vs.iter().position(|v| *v == self.view).map(|i| (i + vs.len() - 1) % vs.len()).unwrap_or(0);
                self.searching = None;
                Some(Action::QueueView(vs[i]))
            }
            _ => self.order_keys(key),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, focused: bool) {
        let title = match (&self.detail, &self.searching) {
            (Some(d), _) => format!(" ① 订单 · 详情 {} ", d.detail.order_no),
            (None, Some(q)) => format!(" ① 订单 · 搜索「{}」 {} 条 ", clip(q, 20), self.rows.len()),
            (None, None) => format!(" ① 订单 · {} ", self.view.label()),
        };
        let block = super::pane_block(&title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let mut body = inner;
        if let Some(input) = &self.search_input {
            let label = "搜索订单: ";
            f.render_widget(
                Paragraph::new(Span::styled(label, Style::default().fg(Color::Yellow))),
                Rect::new(inner.x, inner.y, inner.width, 1),
            );
            let lw = crate::domain::width::width(label) as u16;
            input.draw(
                f,
                Rect::new(inner.x + lw.min(inner.width), inner.y, inner.width.saturating_sub(lw), 1),
                Style::default(),
                true,
            );
            body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
        }
        match &self.detail {
            Some(d) => d.draw(f, body, self.now),
            None => self.draw_list(f, body),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect) {
        match &self.modal {
            Some(QueueModal::Flag { picker, .. }) => picker.draw(f, screen),
            Some(QueueModal::Form { form, .. }) => form.draw(f, screen),
            None => {}
        }
    }

    fn mode(&self) -> Mode {
        if self.modal.is_some() {
            Mode::Modal
        } else if self.search_input.is_some() {
            Mode::Typing
        } else {
            Mode::Normal
        }
    }

    fn hints(&self) -> String {
        if self.modal.is_some() {
            "Tab 下一项 · Enter 提交 · Esc 取消".into()
        } else if self.search_input.is_some() {
            "输入单号/买家/收货人/手机尾号/运单号 · Enter 搜索 · Esc 取消".into()
        } else if self.detail.is_some() {
            "p 显示手机 · s 旗帜 · m 备注 · r 退款 · x 换货 · b 中差评 · d 破损 · Esc 返回".into()
        } else {
            "j/k 移动 · Enter 详情 · / 搜索 · f 筛选 · s 旗帜 · m 备注 · r 退款 · x 换货 · b 差评 · d 破损".into()
        }
    }

    fn has_unsaved_input(&self) -> bool {
        matches!(&self.modal, Some(QueueModal::Form { form, .. }) if form.is_dirty())
    }

    fn close_modal(&mut self) {
        self.modal = None;
    }

    fn form_error(&mut self, msg: String) {
        if let Some(QueueModal::Form { form, .. }) = self.modal.as_mut() {
            form.set_error(msg);
        }
    }
}
