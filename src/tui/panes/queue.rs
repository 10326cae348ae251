//! ① 订单: the urgency queue. Holds only a window of rows (a few keyset pages) and asks
//! for the next page as the selection nears either edge of the window. Pages come back
//! tagged with the window they are for (`epoch`): a page for an older window is dropped.

use std::cell::Cell;

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Row, Table, TableState};

use super::order_detail::OrderView;
use super::order_forms::{self as forms, DamageField, ExchangeField, MemoField, OrderFacts, RefundField, ReviewField};
use super::{Mode, Pane, Pending, Ui};
use crate::domain::flag::Flag;
use crate::domain::money::format_yuan;
use crate::domain::promise::format_time_left;
use crate::domain::timefmt::format_short;
use crate::store::QueueRow;
use crate::store::orders::QueueView;
use crate::tui::action::{Action, Fetch};
use crate::tui::keymap::{DetailKey, Keymaps, QueueKey};
use crate::tui::msg::FormId;
use crate::tui::refresh::{Dep, Shown};
use crate::tui::text::{cell, cell_right, clip};
use crate::tui::theme::Role;
use crate::tui::widgets::form::{AnyForm, Form, FormEvent};
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::picker::{PickEvent, Picker};
use crate::tui::worker::{Data, PAGE, Query, WriteCmd};

/// The most rows the pane keeps.
pub(crate) const MAX_WINDOW: usize = 3 * PAGE;
/// Fetch more when the selection comes this close to an edge of the window.
const MARGIN: usize = 30;

/// The filters `f` cycles through.
pub(crate) fn views() -> Vec<QueueView> {
    let mut v = vec![QueueView::All, QueueView::ToShip, QueueView::Overdue, QueueView::Shipped, QueueView::Refunding];
    v.push(QueueView::Flagged(None));
    v.extend(Flag::ALL[1..].iter().map(|f| QueueView::Flagged(Some(*f))));
    v
}

#[allow(clippy::large_enum_variant)]
enum QueueModal {
    Flag { order_no: String, picker: Picker },
    Memo { order_no: String, form: Form<MemoField> },
    Refund { order_no: String, form: Form<RefundField> },
    Exchange { order_no: String, form: Form<ExchangeField> },
    BadReview { order_no: String, form: Form<ReviewField> },
    Damage { order_no: String, form: Form<DamageField> },
}

/// A message for the message line from data that came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) text: String,
    pub(crate) error: bool,
}

pub(crate) struct QueuePane {
    view: QueueView,
    rows: Vec<QueueRow>,
    sel: usize,
    offset: Cell<usize>,
    height: Cell<usize>,
    at_start: bool,
    at_end: bool,
    /// The window the rows belong to; pages for an older one are dropped.
    epoch: u64,
    /// A fresh window this pane asked for (a key): it starts at its top or bottom.
    /// Any other fresh window (a reload after a bulk change) keeps the selection.
    asked: Option<u64>,
    /// A page beyond the window's edge is on its way.
    fetching: bool,
    /// Search results are showing (the query).
    searching: Option<String>,
    search_input: Option<TextInput>,
    detail: Option<OrderView>,
    /// The order whose detail was asked for.
    opening: Option<String>,
    modal: Option<QueueModal>,
    pending: Pending,
    now: NaiveDateTime,
    agent: String,
    /// The shop's name (empty: not set; the damage report says so).
    shop_name: String,
    /// The order whose damage-report facts were asked for (the form opens when they arrive).
    damage_for: Option<String>,
}

impl QueuePane {
    pub(crate) fn new(now: NaiveDateTime, agent: &str) -> QueuePane {
        QueuePane {
            view: QueueView::All,
            rows: Vec::new(),
            sel: 0,
            offset: Cell::new(0),
            height: Cell::new(20),
            at_start: true,
            at_end: true,
            epoch: 0,
            asked: None,
            fetching: false,
            searching: None,
            search_input: None,
            detail: None,
            opening: None,
            modal: None,
            pending: Pending::default(),
            now,
            agent: agent.into(),
            shop_name: String::new(),
            damage_for: None,
        }
    }

    pub(crate) fn set_now(&mut self, now: NaiveDateTime) {
        self.now = now;
    }

    pub(crate) fn rows(&self) -> &[QueueRow] {
        &self.rows
    }

    pub(crate) fn selected(&self) -> Option<&QueueRow> {
        self.rows.get(self.sel)
    }

    pub(crate) fn selected_index(&self) -> usize {
        self.sel
    }

    pub(crate) fn window_edges(&self) -> (bool, bool) {
        (self.at_start, self.at_end)
    }

    /// The open form's error, if any.
    #[cfg(test)]
    pub(crate) fn form_error(&self) -> Option<String> {
        self.form_ref().and_then(|f| f.error().map(str::to_string))
    }

    /// The first window (start-up).
    pub(crate) fn start(&mut self) -> Query {
        self.fresh(Fetch::Top)
    }

    /// A new window asked by a key: `fetch` of the current view.
    fn fresh(&mut self, fetch: Fetch) -> Query {
        self.epoch += 1;
        self.asked = Some(self.epoch);
        self.fetching = false;
        Query::QueuePage { view: self.view, fetch, now: self.now, epoch: self.epoch }
    }

    fn fresh_search(&mut self, text: String) -> Query {
        self.epoch += 1;
        self.asked = Some(self.epoch);
        Query::QueueSearch { text, epoch: self.epoch }
    }

    /// Takes data in. Returns a note for the message line, if any.
    pub(crate) fn load(&mut self, q: &Query, d: &Data) -> Option<Note> {
        match (q, d) {
            (Query::QueuePage { view, fetch, epoch, .. }, Data::QueuePage(rows)) => {
                self.page(*view, fetch, *epoch, rows.clone());
                None
            }
            (Query::QueueSearch { epoch, .. }, Data::QueuePage(rows)) => {
                if *epoch < self.epoch {
                    return None;
                }
                let keep = self.keep(*epoch);
                self.epoch = *epoch;
                self.window(rows.clone(), true, true, false, keep);
                Some(Note { text: format!("找到 {} 个订单", rows.len()), error: false })
            }
            (Query::QueueRows(_), Data::QueueRows(rows)) => {
                for row in rows {
                    if let Some(r) = self.rows.iter_mut().find(|r| r.order_no == row.order_no) {
                        *r = row.clone();
                    }
                }
                None
            }
            (Query::Detail(no), Data::Detail(found)) => {
                let asked = self.opening.as_deref() == Some(no.as_str());
                if asked {
                    self.opening = None;
                }
                match (found, self.detail.as_mut()) {
                    (Some(d), Some(v)) if v.order_no() == no => v.replace(d.clone()),
                    (Some(d), _) if asked => self.detail = Some(OrderView::new(d.clone())),
                    (None, _) if asked => return Some(Note { text: format!("没有订单 {no}"), error: true }),
                    _ => {}
                }
                None
            }
            (Query::DamageFacts(no), Data::DamageFacts(found)) => {
                if self.damage_for.as_deref() != Some(no.as_str()) {
                    return None;
                }
                self.damage_for = None;
                let Some(r) = found else {
                    return Some(Note { text: format!("没有订单 {no}"), error: true });
                };
                self.shop_name = r.shop.clone();
                self.pending.clear();
                let mut form = forms::damage_form(no, r);
                forms::damage_preview(&mut form, &self.shop_name, &self.agent);
                self.modal = Some(QueueModal::Damage { order_no: no.clone(), form });
                None
            }
            (Query::Settings, Data::Settings { shop_name: Some(name), .. }) => {
                self.shop_name = name.clone();
                None
            }
            _ => None,
        }
    }

    /// Whether a fresh window `epoch` keeps the selected order (a reload) or starts at
    /// an edge (asked for by a key).
    fn keep(&self, epoch: u64) -> Option<String> {
        (self.asked != Some(epoch)).then(|| self.selected().map(|r| r.order_no.clone())).flatten()
    }

    fn page(&mut self, view: QueueView, fetch: &Fetch, epoch: u64, rows: Vec<QueueRow>) {
        if epoch < self.epoch {
            return;
        }
        let full = rows.len() == PAGE;
        match fetch {
            Fetch::Top | Fetch::Bottom => {
                let keep = self.keep(epoch);
                self.epoch = epoch;
                self.view = view;
                if *fetch == Fetch::Top {
                    self.window(rows, true, !full, false, keep);
                } else {
                    self.window(rows, !full, true, true, keep);
                }
            }
            Fetch::After(_) if epoch == self.epoch => {
                self.fetching = false;
                self.append(rows, full);
            }
            Fetch::Before(_) if epoch == self.epoch => {
                self.fetching = false;
                self.prepend(rows, full);
            }
            _ => {}
        }
    }

    /// A fresh window (a new view, the top or the bottom, search results, a reload).
    fn window(&mut self, rows: Vec<QueueRow>, at_start: bool, at_end: bool, select_last: bool, keep: Option<String>) {
        self.sel = if select_last { rows.len().saturating_sub(1) } else { 0 };
        self.offset.set(if select_last { rows.len().saturating_sub(self.height.get()) } else { 0 });
        self.rows = rows;
        self.at_start = at_start;
        self.at_end = at_end;
        self.fetching = false;
        if let Some(no) = keep
            && let Some(i) = self.rows.iter().position(|r| r.order_no == no)
        {
            self.sel = i;
            self.offset.set(i.saturating_sub(self.height.get() / 2));
        }
    }

    /// The page after the window arrived.
    fn append(&mut self, page: Vec<QueueRow>, complete: bool) {
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
    fn prepend(&mut self, page: Vec<QueueRow>, complete: bool) {
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

    fn move_by(&mut self, delta: isize) -> Option<Action> {
        if self.rows.is_empty() {
            return None;
        }
        let last = self.rows.len() - 1;
        self.sel = (self.sel as isize + delta).clamp(0, last as isize) as usize;
        if self.searching.is_some() || self.fetching {
            return None;
        }
        let fetch = if delta > 0 && !self.at_end && last - self.sel < MARGIN {
            Fetch::After(self.rows[last].cursor.clone())
        } else if delta < 0 && !self.at_start && self.sel < MARGIN {
            Fetch::Before(self.rows[0].cursor.clone())
        } else {
            return None;
        };
        self.fetching = true;
        Some(Action::Load(Query::QueuePage { view: self.view, fetch, now: self.now, epoch: self.epoch }))
    }

    fn facts(&self) -> Option<(String, String)> {
        let row = self.selected()?;
        Some((row.order_no.clone(), format_yuan(row.amount_fen)))
    }

    /// One of the order actions (also from the detail view).
    fn order_key(&mut self, action: QueueKey) -> Option<Action> {
        let (order_no, amount) = self.facts()?;
        if action == QueueKey::Damage {
            // The form opens with the order's facts, read first.
            self.damage_for = Some(order_no.clone());
            return Some(Action::Load(Query::DamageFacts(order_no)));
        }
        let today = self.now.date();
        let o = OrderFacts { order_no: &order_no, amount: &amount, today };
        self.pending.clear();
        self.modal = Some(match action {
            QueueKey::Flag => {
                let flag = self.selected().map(|r| r.flag).unwrap_or_default();
                QueueModal::Flag { order_no, picker: forms::flag_picker(flag) }
            }
            QueueKey::Memo => {
                let mut form = forms::memo_form(&o);
                forms::memo_preview(&mut form, &self.agent, today);
                QueueModal::Memo { order_no, form }
            }
            QueueKey::Refund => QueueModal::Refund { form: forms::refund_form(&o), order_no },
            QueueKey::Exchange => QueueModal::Exchange { form: forms::exchange_form(&o), order_no },
            QueueKey::BadReview => QueueModal::BadReview { form: forms::review_form(&o), order_no },
            _ => return None,
        });
        None
    }

    fn modal_key(&mut self, key: KeyEvent) -> Option<Action> {
        let shop = self.shop_name.clone();
        let agent = self.agent.clone();
        let today = self.now.date();
        let modal = self.modal.as_mut()?;
        // Each form: its event, and on submit the write it asks for (or why not).
        let (event, submit): (FormEvent, Option<Result<WriteCmd, String>>) = match modal {
            QueueModal::Flag { order_no, picker } => {
                return match picker.handle_key(key) {
                    PickEvent::Picked(i) => {
                        let order_no = order_no.clone();
                        self.modal = None;
                        Some(Action::Write(WriteCmd::SetFlag { order_no, flag: Flag::ALL[i] }))
                    }
                    PickEvent::Cancel => {
                        self.modal = None;
                        None
                    }
                    PickEvent::None => None,
                };
            }
            QueueModal::Memo { order_no, form } => {
                let e = form.handle_key(key);
                if e == FormEvent::Changed {
                    forms::memo_preview(form, &agent, today);
                }
                (e, (e == FormEvent::Submit).then(|| Ok(forms::memo_submit(form, order_no))))
            }
            QueueModal::Refund { order_no, form } => {
                let e = form.handle_key(key);
                (e, (e == FormEvent::Submit).then(|| forms::refund_submit(form, order_no)))
            }
            QueueModal::Exchange { order_no, form } => {
                let e = form.handle_key(key);
                (e, (e == FormEvent::Submit).then(|| Ok(forms::exchange_submit(form, order_no))))
            }
            QueueModal::BadReview { order_no, form } => {
                let e = form.handle_key(key);
                (e, (e == FormEvent::Submit).then(|| Ok(forms::review_submit(form, order_no))))
            }
            QueueModal::Damage { order_no, form } => {
                let e = form.handle_key(key);
                if e == FormEvent::Changed {
                    forms::damage_preview(form, &shop, &agent);
                }
                (e, (e == FormEvent::Submit).then(|| forms::damage_submit(form, order_no, &shop)))
            }
        };
        if event == FormEvent::Cancel {
            self.modal = None;
            self.pending.clear();
            return None;
        }
        match submit? {
            Ok(cmd) => Some(Action::Write(cmd)),
            Err(e) => {
                self.with_form(|f| f.set_error(e.clone()));
                None
            }
        }
    }

    /// Runs `f` on the open form (whatever its fields).
    fn with_form(&mut self, f: impl FnOnce(&mut dyn AnyForm)) {
        match self.modal.as_mut() {
            Some(QueueModal::Memo { form, .. }) => f(form),
            Some(QueueModal::Refund { form, .. }) => f(form),
            Some(QueueModal::Exchange { form, .. }) => f(form),
            Some(QueueModal::BadReview { form, .. }) => f(form),
            Some(QueueModal::Damage { form, .. }) => f(form),
            Some(QueueModal::Flag { .. }) | None => {}
        }
    }

    fn form_ref(&self) -> Option<&dyn AnyForm> {
        match self.modal.as_ref()? {
            QueueModal::Memo { form, .. } => Some(form),
            QueueModal::Refund { form, .. } => Some(form),
            QueueModal::Exchange { form, .. } => Some(form),
            QueueModal::BadReview { form, .. } => Some(form),
            QueueModal::Damage { form, .. } => Some(form),
            QueueModal::Flag { .. } => None,
        }
    }

    fn detail_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        let d = self.detail.as_mut()?;
        if let Some(a) = keys.detail.lookup(&key) {
            match a {
                DetailKey::Back => self.detail = None,
                DetailKey::RevealPhone => d.toggle_phone(),
                DetailKey::Down => d.scroll_by(1),
                DetailKey::Up => d.scroll_by(-1),
                DetailKey::PageDown => d.scroll_by(10),
                DetailKey::PageUp => d.scroll_by(-10),
                DetailKey::Top => d.scroll_by(i32::MIN / 2),
                DetailKey::Bottom => d.scroll_by(i32::MAX / 2),
            }
            return None;
        }
        match keys.queue.lookup(&key) {
            Some(a) if is_order_action(a) => self.order_key(a),
            _ => None,
        }
    }

    fn list_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        let page = self.height.get().max(1) as isize;
        match keys.queue.lookup(&key)? {
            QueueKey::Down => self.move_by(1),
            QueueKey::Up => self.move_by(-1),
            QueueKey::PageDown => self.move_by(page),
            QueueKey::PageUp => self.move_by(-page),
            QueueKey::Top => {
                if self.at_start || self.searching.is_some() {
                    self.sel = 0;
                    None
                } else {
                    Some(Action::Load(self.fresh(Fetch::Top)))
                }
            }
            QueueKey::Bottom => {
                if self.at_end || self.searching.is_some() {
                    self.sel = self.rows.len().saturating_sub(1);
                    None
                } else {
                    Some(Action::Load(self.fresh(Fetch::Bottom)))
                }
            }
            QueueKey::Open => {
                let no = self.selected()?.order_no.clone();
                self.opening = Some(no.clone());
                Some(Action::Load(Query::Detail(no)))
            }
            QueueKey::Search => {
                self.search_input = Some(TextInput::new(self.searching.as_deref().unwrap_or("")));
                None
            }
            QueueKey::ClearSearch if self.searching.is_some() => {
                self.searching = None;
                Some(Action::Load(self.fresh(Fetch::Top)))
            }
            QueueKey::ClearSearch => None,
            QueueKey::FilterNext | QueueKey::FilterPrev => {
                let vs = views();
                let n = vs.len();
                let step = if keys.queue.lookup(&key) == Some(QueueKey::FilterNext) { 1 } else { n - 1 };
                let i = vs.iter().position(|v| *v == self.view).map(|i| (i + step) % n).unwrap_or(0);
                self.searching = None;
                self.view = vs[i];
                Some(Action::Load(self.fresh(Fetch::Top)))
            }
            a => self.order_key(a),
        }
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let w = area.width as usize;
        let fixed = 2 + 8 + 12 + 11 + 5 + 10 + 6;
        let flex = w.saturating_sub(fixed);
        let item_w = flex * 55 / 100;
        let memo_w = flex - item_w;
        let widths = [
            Constraint::Length(1),
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Length(item_w as u16),
            Constraint::Length(11),
            Constraint::Length(5),
            Constraint::Length(10),
            Constraint::Length(memo_w as u16),
        ];
        let header = Row::new(vec![
            String::new(),
            cell("单号", 8),
            cell("买家", 12),
            cell("宝贝", item_w),
            cell("付款", 11),
            cell_right("剩余", 5),
            cell("状态", 10),
            cell("备注", memo_w),
        ])
        .style(ui.style(Role::Head));
        let body_h = (area.height as usize).saturating_sub(1);
        self.height.set(body_h.max(1));
        let mut off = self.offset.get();
        if self.sel < off {
            off = self.sel;
        }
        if self.sel >= off + body_h.max(1) {
            off = self.sel + 1 - body_h.max(1);
        }
        self.offset.set(off);
        let rows: Vec<Row> = self.rows.iter().skip(off).take(body_h).map(|r| self.row(r, item_w, memo_w, ui)).collect();
        let empty = rows.is_empty();
        let table =
            Table::new(rows, widths).header(header).column_spacing(1).row_highlight_style(ui.style(Role::Selected));
        let mut state = TableState::default().with_selected((!empty).then(|| self.sel - off));
        f.render_stateful_widget(table, area, &mut state);
        if empty && area.height > 1 {
            let msg = if self.searching.is_some() { "没有找到订单" } else { "没有订单" };
            f.render_widget(
                Paragraph::new(Span::styled(msg, ui.style(Role::Dim))),
                Rect::new(area.x + 2, area.y + 1, area.width.saturating_sub(2), 1),
            );
        }
    }

    fn row(&self, r: &QueueRow, item_w: usize, memo_w: usize, ui: &Ui) -> Row<'static> {
        let tail: String = {
            let chars: Vec<char> = r.order_no.chars().collect();
            chars[chars.len().saturating_sub(8)..].iter().collect()
        };
        let (left, overdue) = match r.ship_by {
            Some(by) => (format_time_left(by, self.now), by < self.now),
            None => (String::new(), false),
        };
        let mut status =
            r.status.map(|s| s.short_label_with_refund(r.amount_fen, r.refunded_fen)).unwrap_or("本地").to_string();
        if r.open_refunds > 0 {
            status.push_str("·退");
        }
        let flag = ui.theme.flag_mark(r.flag);
        Row::new(vec![
            ratatui::widgets::Cell::from(Span::styled(flag, ui.style(Role::Flag(r.flag)))),
            cell(&tail, 8).into(),
            cell(&r.buyer, 12).into(),
            cell(&r.title, item_w).into(),
            cell(&r.paid_at.map(format_short).unwrap_or_default(), 11).into(),
            ratatui::widgets::Cell::from(Span::styled(
                cell_right(&left, 5),
                if overdue { ui.style(Role::Urgent) } else { ui.style(Role::Good) },
            )),
            cell(&status, 10).into(),
            cell(&r.memo_last, memo_w).into(),
        ])
    }
}

fn is_order_action(a: QueueKey) -> bool {
    matches!(
        a,
        QueueKey::Flag
            | QueueKey::Memo
            | QueueKey::Refund
            | QueueKey::Exchange
            | QueueKey::BadReview
            | QueueKey::Damage
    )
}

impl Pane for QueuePane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
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
                    if q.is_empty() {
                        self.searching = None;
                        Some(Action::Load(self.fresh(Fetch::Top)))
                    } else {
                        self.searching = Some(q.clone());
                        Some(Action::Load(self.fresh_search(q)))
                    }
                }
                _ => {
                    input.handle_key(key);
                    None
                }
            };
        }
        if self.detail.is_some() {
            return self.detail_key(key, keys);
        }
        self.list_key(key, keys)
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        if let Some(input) = self.search_input.as_mut() {
            input.insert_str(text);
            return None;
        }
        let agent = self.agent.clone();
        let shop = self.shop_name.clone();
        let today = self.now.date();
        match self.modal.as_mut() {
            Some(QueueModal::Memo { form, .. }) => {
                if form.paste(text) == FormEvent::Changed {
                    forms::memo_preview(form, &agent, today);
                }
            }
            Some(QueueModal::Damage { form, .. }) => {
                if form.paste(text) == FormEvent::Changed {
                    forms::damage_preview(form, &shop, &agent);
                }
            }
            _ => self.with_form(|f| {
                f.paste(text);
            }),
        }
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let title = match (&self.detail, &self.searching) {
            (Some(d), _) => format!(" ① 订单 · 详情 {} ", d.order_no()),
            (None, Some(q)) => format!(" ① 订单 · 搜索「{}」 {} 条 ", clip(q, 20), self.rows.len()),
            (None, None) => format!(" ① 订单 · {} ", self.view.label()),
        };
        let block = super::pane_block(&title, ui);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let mut body = inner;
        if let Some(input) = &self.search_input {
            let label = "搜索订单: ";
            f.render_widget(
                Paragraph::new(Span::styled(label, ui.style(Role::Accent))),
                Rect::new(inner.x, inner.y, inner.width, 1),
            );
            let lw = crate::domain::width::width(label) as u16;
            input.draw(
                f,
                Rect::new(inner.x + lw.min(inner.width), inner.y, inner.width.saturating_sub(lw), 1),
                ui.style(Role::Plain),
                true,
            );
            body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
        }
        match &self.detail {
            Some(d) => d.draw(f, body, area, ui),
            None => self.draw_list(f, body, ui),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        match &self.modal {
            Some(QueueModal::Flag { picker, .. }) => picker.draw(f, screen, ui.theme),
            Some(_) => {
                if let Some(form) = self.form_ref() {
                    form.draw(f, screen, ui.theme);
                }
            }
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

    fn hints(&self, keys: &Keymaps) -> String {
        if self.modal.is_some() {
            "Tab 下一项 · Enter 提交 · Esc 取消".into()
        } else if self.search_input.is_some() {
            "输入单号/买家/收货人/手机尾号/运单号 · Enter 搜索 · Esc 取消".into()
        } else if self.detail.is_some() {
            format!("{} · {}", keys.queue.hints_where(is_order_action), keys.detail.hints())
        } else {
            let searching = self.searching.is_some();
            keys.queue.hints_where(|a| a != QueueKey::ClearSearch || searching)
        }
    }

    fn has_unsaved_input(&self) -> bool {
        self.form_ref().is_some_and(|f| f.is_dirty())
    }

    fn sending(&mut self, serial: u64) -> FormId {
        let id = match &self.modal {
            Some(QueueModal::Memo { .. }) => FormId::Memo,
            Some(QueueModal::Refund { .. }) => FormId::Refund,
            Some(QueueModal::Exchange { .. }) => FormId::Exchange,
            Some(QueueModal::BadReview { .. }) => FormId::BadReview,
            Some(QueueModal::Damage { .. }) => FormId::Damage,
            Some(QueueModal::Flag { .. }) => FormId::Flag,
            None => return FormId::Flag,
        };
        self.pending.set(serial);
        self.with_form(|f| f.set_busy());
        id
    }

    fn written(&mut self, serial: u64) {
        self.pending.close(serial, &mut self.modal);
    }

    fn failed(&mut self, serial: u64, error: &str) -> bool {
        if !self.pending.take(serial) {
            return false;
        }
        self.with_form(|f| f.set_error(error.to_string()));
        self.form_ref().is_some()
    }

    fn shown(&self) -> Vec<Shown> {
        let mut out = Vec::new();
        let reload = match &self.searching {
            Some(text) => Query::QueueSearch { text: text.clone(), epoch: self.epoch + 1 },
            None => Query::QueuePage { view: self.view, fetch: Fetch::Top, now: self.now, epoch: self.epoch + 1 },
        };
        // An order outside the window (a sync brought it, say) may belong in it: the
        // window is read again (keeping the selection).
        let window = self.rows.iter().map(|r| r.order_no.clone()).collect();
        out.push(Shown::new(Dep::OrdersBut(window), reload));
        for r in &self.rows {
            out.push(Shown::new(Dep::Order(r.order_no.clone()), Query::QueueRows(vec![r.order_no.clone()])));
        }
        if let Some(d) = &self.detail {
            out.push(Shown::new(Dep::Order(d.order_no().to_string()), Query::Detail(d.order_no().to_string())));
        }
        out.push(Shown::new(Dep::Setting(crate::domain::setting::SettingKey::ShopName), Query::Settings));
        out
    }
}
