//! ② 售后: open cases of the selected order (or all open cases), the case view, and
//! the forms its actions need (refusal note, return parcel, extension, confirmation,
//! registration, contact, conflict note, who pays the postage).

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell as TableCell, Paragraph, Row, Table, TableState};

use super::case_view::{CaseView, MenuAction};
use super::postage::{PostageEvent, PostageState, seed};
use super::{Mode, Pane, Pending, Ui};
use crate::domain::case::{CaseDetail, Channel, Registration};
use crate::domain::postage::ShopType;
use crate::domain::refund::{ActionInput, EXTEND_DAYS, RefundAction};
use crate::domain::setting::SettingKey;
use crate::store::QueueRow;
use crate::tui::action::{Action, CaseKey};
use crate::tui::keymap::{CaseKeyMap, CasesKey, Keymaps};
use crate::tui::msg::FormId;
use crate::tui::refresh::{Dep, Shown};
use crate::tui::text::{cell, clip};
use crate::tui::theme::Role;
use crate::tui::widgets::form::{AnyForm, Choice, Field, Form};
use crate::tui::widgets::picker::{PickEvent, Picker};
use crate::tui::widgets::popup;
use crate::tui::worker::{CaseItem, CaseScope, Data, Query, WriteCmd};

use super::queue::Note;

impl Choice for Channel {
    fn all() -> &'static [Self] {
        &Channel::ALL
    }
    fn label(self) -> &'static str {
        Channel::label(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteField {
    Note,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReturnField {
    TrackingNo,
    Courier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegField {
    Source,
    Rating,
    Handler,
    ProblemType,
    Status,
    Result,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContactField {
    Channel,
    Progress,
}

#[allow(clippy::large_enum_variant)]
enum CaseModal {
    Refuse { refund_no: String, form: Form<NoteField> },
    Returned { refund_no: String, form: Form<ReturnField> },
    Register { case_id: String, form: Form<RegField> },
    Contact { case_id: String, form: Form<ContactField> },
    Resolve { event_id: String, form: Form<NoteField> },
    Extend { refund_no: String, picker: Picker },
    Confirm { question: Vec<String>, cmd: WriteCmd },
    Postage(PostageState),
}

pub(crate) struct AfterSalesPane {
    all: bool,
    /// The order whose cases are listed (not `all`).
    order_no: Option<String>,
    items: Vec<CaseItem>,
    sel: usize,
    view: Option<CaseView>,
    /// The case whose view was asked for.
    opening: Option<CaseKey>,
    /// The order the postage panel was asked for (its row is on its way).
    postage_for: Option<String>,
    modal: Option<CaseModal>,
    pending: Pending,
    now: NaiveDateTime,
    shop_type: ShopType,
}

/// `3d`, `5h`, `20m`: how long ago.
pub(crate) fn age(since: NaiveDateTime, now: NaiveDateTime) -> String {
    let m = (now - since).num_minutes().max(0);
    if m < 60 {
        format!("{m}m")
    } else if m < 48 * 60 {
        format!("{}h", m / 60)
    } else {
        format!("{}d", m / (60 * 24))
    }
}

impl AfterSalesPane {
    pub(crate) fn new(now: NaiveDateTime) -> AfterSalesPane {
        AfterSalesPane {
            all: false,
            order_no: None,
            items: Vec::new(),
            sel: 0,
            view: None,
            opening: None,
            postage_for: None,
            modal: None,
            pending: Pending::default(),
            now,
            shop_type: ShopType::default(),
        }
    }

    pub(crate) fn set_now(&mut self, now: NaiveDateTime) {
        self.now = now;
    }

    pub(crate) fn items(&self) -> &[CaseItem] {
        &self.items
    }

    pub(crate) fn selected(&self) -> Option<&CaseItem> {
        self.items.get(self.sel)
    }

    pub(crate) fn view(&self) -> Option<&CaseView> {
        self.view.as_ref()
    }

    pub(crate) fn shows_all(&self) -> bool {
        self.all
    }

    /// The list's scope for the queue's selected order.
    pub(crate) fn scope(&self, selected_order: Option<&str>) -> Option<CaseScope> {
        if self.all { Some(CaseScope::All) } else { selected_order.map(|o| CaseScope::Order(o.to_string())) }
    }

    /// The queue's selection moved to `order` (not listing all): the list empties
    /// until its cases arrive.
    pub(crate) fn follow(&mut self, order: Option<&str>) {
        if !self.all && self.order_no.as_deref() != order {
            self.order_no = order.map(str::to_string);
            self.items.clear();
            self.sel = 0;
        }
    }

    /// Opens the view of `key` when its data arrives.
    pub(crate) fn open(&mut self, key: CaseKey) -> Query {
        self.opening = Some(key.clone());
        Query::CaseView(key)
    }

    /// Takes data in. Returns a note for the message line, if any.
    pub(crate) fn load(&mut self, q: &Query, d: &Data) -> Option<Note> {
        match (q, d) {
            (Query::Cases(scope), Data::Cases(items)) => {
                let current = match scope {
                    CaseScope::All => self.all,
                    CaseScope::Order(no) => !self.all && self.order_no.as_deref() == Some(no.as_str()),
                };
                if current {
                    let keep = self.selected().map(|i| i.key.clone());
                    self.items = items.clone();
                    self.sel = keep.and_then(|k| self.items.iter().position(|i| i.key == k)).unwrap_or(0);
                }
                None
            }
            (Query::CaseView(key), Data::CaseView(found)) => {
                let asked = self.opening.as_ref() == Some(key);
                if asked {
                    self.opening = None;
                }
                match (found, self.view.as_mut()) {
                    (Some(data), Some(v)) if v.data.key == *key => v.replace(data.clone()),
                    (Some(data), _) if asked => self.view = Some(CaseView::new(data.clone())),
                    (None, _) if asked => return Some(Note { text: "找不到这个售后单".into(), error: true }),
                    _ => {}
                }
                None
            }
            (Query::Order(no), Data::Order(row)) => {
                if self.postage_for.as_deref() == Some(no.as_str()) {
                    self.postage_for = None;
                    match row {
                        Some(row) => self.modal = Some(CaseModal::Postage(seed(self.shop_type, row, None))),
                        None => return Some(Note { text: format!("没有订单 {no}"), error: true }),
                    }
                }
                None
            }
            (Query::Settings, Data::Settings { shop_type, .. }) => {
                self.shop_type = *shop_type;
                if let Some(CaseModal::Postage(p)) = self.modal.as_mut() {
                    p.shop = *shop_type;
                }
                None
            }
            _ => None,
        }
    }

    /// `w`: who pays the postage — for the open case, else the selected case's order,
    /// else the queue's selected order (its row is read first).
    fn postage(&mut self) -> Option<Action> {
        if let Some(v) = &self.view {
            let row: Option<&QueueRow> = v.data.order.as_ref();
            match row {
                Some(row) => self.modal = Some(CaseModal::Postage(seed(self.shop_type, row, Some(&v.data)))),
                None => return Some(Action::Notice("这个售后单的订单不在本库里".into())),
            }
            return None;
        }
        let no = self.selected().map(|i| i.order_no.clone()).or(self.order_no.clone())?;
        self.postage_for = Some(no.clone());
        Some(Action::Load(Query::Order(no)))
    }

    fn run_menu(&mut self, m: MenuAction) -> Option<Action> {
        let v = self.view.as_ref()?;
        let key = v.data.key.clone();
        self.pending.clear();
        let cmd = match (m, &key) {
            (MenuAction::Refund(RefundAction::Refuse), CaseKey::Refund(no)) => {
                self.modal = Some(CaseModal::Refuse {
                    refund_no: no.clone(),
                    form: Form::new("拒绝退款 · 说明 2–200 字", vec![Field::text(NoteField::Note, "拒绝说明", "")]),
                });
                return None;
            }
            (MenuAction::Refund(RefundAction::BuyerReturned), CaseKey::Refund(no)) => {
                self.modal = Some(CaseModal::Returned {
                    refund_no: no.clone(),
                    form: Form::new(
                        "登记买家退货",
                        vec![
                            Field::text(ReturnField::TrackingNo, "退货单号", ""),
                            Field::text(ReturnField::Courier, "快递公司", ""),
                        ],
                    ),
                });
                return None;
            }
            (MenuAction::Refund(RefundAction::Extend), CaseKey::Refund(no)) => {
                let items = EXTEND_DAYS.iter().map(|d| (format!("延长 {d} 天"), Role::Head)).collect();
                self.modal =
                    Some(CaseModal::Extend { refund_no: no.clone(), picker: Picker::new("延长收货", items, 0) });
                return None;
            }
            (MenuAction::Refund(a), CaseKey::Refund(no)) => {
                WriteCmd::RefundAct { refund_no: no.clone(), action: a, input: ActionInput::default() }
            }
            (MenuAction::Case(a), CaseKey::Case(id)) => {
                WriteCmd::CaseAct { case_id: id.clone(), action: a, note: String::new() }
            }
            (MenuAction::Register, CaseKey::Case(id)) => {
                let g = v.data.case.as_ref().map(|c| c.registration.clone()).unwrap_or_default();
                let handler = if g.handler.is_empty() { v.data.agent.clone() } else { g.handler.clone() };
                self.modal = Some(CaseModal::Register {
                    case_id: id.clone(),
                    form: Form::new(
                        "售后登记",
                        vec![
                            Field::text(RegField::Source, "问题来源", &g.source),
                            Field::text(RegField::Rating, "客户评分", &g.rating),
                            Field::text(RegField::Handler, "处理人", &handler),
                            Field::text(RegField::ProblemType, "问题类型", &g.problem_type),
                            Field::text(RegField::Status, "处理状态", &g.status),
                            Field::text(RegField::Result, "处理结果", &g.result),
                        ],
                    ),
                });
                return None;
            }
            (MenuAction::Contact, CaseKey::Case(id)) => {
                self.modal = Some(CaseModal::Contact {
                    case_id: id.clone(),
                    form: Form::new(
                        "记录联系 (电话最好)",
                        vec![
                            Field::choice(ContactField::Channel, "渠道", Channel::Phone),
                            Field::text(ContactField::Progress, "进展", ""),
                        ],
                    ),
                });
                return None;
            }
            (MenuAction::CopySentence | MenuAction::CopyRegisterLine, _) => {
                let CaseDetail::Damage(d) = &v.data.case.as_ref()?.detail else { return None };
                let text = if m == MenuAction::CopySentence { d.sentence() } else { d.register_line(&v.data.agent) };
                return Some(Action::Copy(text));
            }
            (MenuAction::Postage, _) => return self.postage(),
            _ => return None,
        };
        if m.is_irreversible() {
            self.modal = Some(CaseModal::Confirm {
                question: vec![format!("「{}」{}", m.label(), v.title()), "此操作不可撤销,确定吗?".into()],
                cmd,
            });
            return None;
        }
        Some(Action::Write(cmd))
    }

    fn modal_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        let modal = self.modal.as_mut()?;
        let (event, submit) = match modal {
            CaseModal::Confirm { cmd, .. } => {
                let answer = popup::confirm_action(&key, cmd)?;
                self.modal = None;
                return answer.map(Action::Write);
            }
            CaseModal::Extend { refund_no, picker } => {
                return match picker.handle_key(key) {
                    PickEvent::Picked(i) => {
                        let refund_no = refund_no.clone();
                        self.modal = None;
                        Some(Action::Write(WriteCmd::RefundAct {
                            refund_no,
                            action: RefundAction::Extend,
                            input: ActionInput { days: Some(EXTEND_DAYS[i]), ..Default::default() },
                        }))
                    }
                    PickEvent::Cancel => {
                        self.modal = None;
                        None
                    }
                    PickEvent::None => None,
                };
            }
            CaseModal::Postage(p) => {
                return match p.handle_key(key, &keys.postage) {
                    PostageEvent::Close => {
                        self.modal = None;
                        None
                    }
                    PostageEvent::Act(a) => Some(a),
                    PostageEvent::None => None,
                };
            }
            CaseModal::Refuse { refund_no, form } => {
                let e = form.handle_key(key);
                let cmd = WriteCmd::RefundAct {
                    refund_no: refund_no.clone(),
                    action: RefundAction::Refuse,
                    input: ActionInput { note: form.trimmed(NoteField::Note), ..Default::default() },
                };
                (e, cmd)
            }
            CaseModal::Returned { refund_no, form } => {
                let e = form.handle_key(key);
                let cmd = WriteCmd::RefundAct {
                    refund_no: refund_no.clone(),
                    action: RefundAction::BuyerReturned,
                    input: ActionInput {
                        tracking_no: form.trimmed(ReturnField::TrackingNo),
                        courier: form.trimmed(ReturnField::Courier),
                        ..Default::default()
                    },
                };
                (e, cmd)
            }
            CaseModal::Register { case_id, form } => {
                let e = form.handle_key(key);
                let cmd = WriteCmd::CaseRegister {
                    case_id: case_id.clone(),
                    registration: Registration {
                        source: form.trimmed(RegField::Source),
                        rating: form.trimmed(RegField::Rating),
                        handler: form.trimmed(RegField::Handler),
                        problem_type: form.trimmed(RegField::ProblemType),
                        status: form.trimmed(RegField::Status),
                        result: form.trimmed(RegField::Result),
                    },
                };
                (e, cmd)
            }
            CaseModal::Contact { case_id, form } => {
                let e = form.handle_key(key);
                let cmd = WriteCmd::CaseContact {
                    case_id: case_id.clone(),
                    channel: form.choice(ContactField::Channel),
                    progress: form.trimmed(ContactField::Progress),
                };
                (e, cmd)
            }
            CaseModal::Resolve { event_id, form } => {
                let e = form.handle_key(key);
                (e, WriteCmd::ResolveConflict { event_id: event_id.clone(), note: form.trimmed(NoteField::Note) })
            }
        };
        self.pending.form_key(event, submit, &mut self.modal)
    }

    /// Runs `f` on the open form, whatever its fields.
    fn with_form<R>(&mut self, f: impl FnOnce(&mut dyn AnyForm) -> R) -> Option<R> {
        Some(match self.modal.as_mut()? {
            CaseModal::Refuse { form, .. } | CaseModal::Resolve { form, .. } => f(form),
            CaseModal::Returned { form, .. } => f(form),
            CaseModal::Register { form, .. } => f(form),
            CaseModal::Contact { form, .. } => f(form),
            _ => return None,
        })
    }

    fn form_ref(&self) -> Option<&dyn AnyForm> {
        Some(match self.modal.as_ref()? {
            CaseModal::Refuse { form, .. } | CaseModal::Resolve { form, .. } => form,
            CaseModal::Returned { form, .. } => form,
            CaseModal::Register { form, .. } => form,
            CaseModal::Contact { form, .. } => form,
            _ => return None,
        })
    }

    fn view_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        let v = self.view.as_mut()?;
        let n = v.data.actions.len();
        let has = |m: MenuAction| v.data.actions.contains(&m);
        match keys.case.lookup(&key)? {
            CaseKeyMap::Back => self.view = None,
            CaseKeyMap::Down if n > 0 => v.action_sel = (v.action_sel + 1).min(n - 1),
            CaseKeyMap::Down => {}
            CaseKeyMap::Up => v.action_sel = v.action_sel.saturating_sub(1),
            CaseKeyMap::ScrollDown => v.scroll = v.scroll.saturating_add(5),
            CaseKeyMap::ScrollUp => v.scroll = v.scroll.saturating_sub(5),
            CaseKeyMap::Top => v.scroll = 0,
            CaseKeyMap::Bottom => v.scroll = u16::MAX,
            CaseKeyMap::Run => {
                let m = v.selected_action()?;
                return self.run_menu(m);
            }
            CaseKeyMap::Register if has(MenuAction::Register) => return self.run_menu(MenuAction::Register),
            CaseKeyMap::Contact if has(MenuAction::Contact) => return self.run_menu(MenuAction::Contact),
            CaseKeyMap::CopySentence if has(MenuAction::CopySentence) => {
                return self.run_menu(MenuAction::CopySentence);
            }
            CaseKeyMap::CopyLine if has(MenuAction::CopyRegisterLine) => {
                return self.run_menu(MenuAction::CopyRegisterLine);
            }
            CaseKeyMap::Postage => return self.run_menu(MenuAction::Postage),
            CaseKeyMap::Resolve => {
                // The first unresolved conflict (they are listed unresolved first).
                let c = v.data.conflicts.iter().find(|c| !c.resolved)?;
                let mut form = Form::new("处理冲突", vec![Field::text(NoteField::Note, "处理说明", "")]);
                form.preview = vec![clip(&format!("{}@{} {}:{}", c.agent, c.seat, c.kind, c.reason), 200)];
                self.pending.clear();
                self.modal = Some(CaseModal::Resolve { event_id: c.event_id.clone(), form });
            }
            CaseKeyMap::Register | CaseKeyMap::Contact | CaseKeyMap::CopySentence | CaseKeyMap::CopyLine => {}
        }
        None
    }

    fn list_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        let n = self.items.len();
        match keys.cases.lookup(&key)? {
            CasesKey::Down if n > 0 => self.sel = (self.sel + 1).min(n - 1),
            CasesKey::Up => self.sel = self.sel.saturating_sub(1),
            CasesKey::PageDown if n > 0 => self.sel = (self.sel + 10).min(n - 1),
            CasesKey::PageUp => self.sel = self.sel.saturating_sub(10),
            CasesKey::Top => self.sel = 0,
            CasesKey::Bottom => self.sel = n.saturating_sub(1),
            CasesKey::Down | CasesKey::PageDown => {}
            CasesKey::Scope => {
                self.all = !self.all;
                self.view = None;
                self.items.clear();
                self.sel = 0;
                return Some(Action::CasesScope);
            }
            CasesKey::Open => {
                let key = self.selected()?.key.clone();
                return Some(Action::Load(self.open(key)));
            }
            CasesKey::Postage => return self.postage(),
            CasesKey::SearchNote => {
                let scope = keys.cases.key_of(CasesKey::Scope);
                return Some(Action::Notice(format!("售后列表不需要搜索:{scope} 切换本单/全部")));
            }
        }
        None
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let w = area.width as usize;
        let sum_w = w.saturating_sub(8 + 12 + 5 + 6 + 4);
        let header =
            Row::new(vec![cell("类型", 8), cell("状态", 12), cell("时长", 5), cell("期限", 6), cell("内容", sum_w)])
                .style(ui.style(Role::Head));
        let body_h = (area.height as usize).saturating_sub(1);
        let off = (self.sel + 1).saturating_sub(body_h.max(1));
        let rows: Vec<Row> = self
            .items
            .iter()
            .skip(off)
            .take(body_h)
            .map(|it| {
                let (deadline, late) = match it.deadline {
                    Some(d) => (crate::domain::promise::format_time_left(d, self.now), d < self.now),
                    None => ("-".to_string(), false),
                };
                let summary = if it.conflict { format!("⚠冲突 {}", it.summary) } else { it.summary.clone() };
                Row::new(vec![
                    TableCell::from(cell(it.kind.label(), 8)),
                    TableCell::from(Span::styled(
                        cell(&it.state, 12),
                        if it.waits_for_seller { ui.style(Role::Accent) } else { ui.style(Role::Plain) },
                    )),
                    TableCell::from(cell(&it.opened.map(|o| age(o, self.now)).unwrap_or_default(), 5)),
                    TableCell::from(Span::styled(
                        cell(&deadline, 6),
                        if late { ui.style(Role::Bad) } else { ui.style(Role::Plain) },
                    )),
                    TableCell::from(cell(&summary, sum_w)),
                ])
            })
            .collect();
        let widths = [
            Constraint::Length(8),
            Constraint::Length(12),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(sum_w as u16),
        ];
        let empty = rows.is_empty();
        let table =
            Table::new(rows, widths).header(header).column_spacing(1).row_highlight_style(ui.style(Role::Selected));
        let mut state = TableState::default().with_selected((!empty).then(|| self.sel - off));
        f.render_stateful_widget(table, area, &mut state);
        if empty && area.height > 1 {
            let scope = ui.keys.cases.key_of(CasesKey::Scope);
            let msg = if self.all {
                "没有进行中的售后".to_string()
            } else {
                format!("这个订单没有售后 ({scope} 看全部)")
            };
            f.render_widget(
                Paragraph::new(Span::styled(clip(&msg, w), ui.style(Role::Dim))),
                Rect::new(area.x, area.y + 1, area.width, 1),
            );
        }
    }
}

impl Pane for AfterSalesPane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
        if self.modal.is_some() {
            return self.modal_key(key, keys);
        }
        if self.view.is_some() {
            return self.view_key(key, keys);
        }
        self.list_key(key, keys)
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        self.with_form(|f| f.paste(text));
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let title = match (&self.view, self.all, &self.order_no) {
            (Some(v), _, _) => format!(" ② 售后 · {} ", v.title()),
            (None, true, _) => format!(" ② 售后 · 全部进行中 {} ", self.items.len()),
            (None, false, Some(o)) => format!(" ② 售后 · 订单 {} ", clip(o, 24)),
            (None, false, None) => " ② 售后 ".into(),
        };
        let block = super::pane_block(&title, ui);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        match &self.view {
            Some(v) => v.draw(f, inner, area, ui),
            None => self.draw_list(f, inner, ui),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        match &self.modal {
            Some(CaseModal::Extend { picker, .. }) => picker.draw(f, screen, ui.theme),
            Some(CaseModal::Confirm { question, .. }) => popup::confirm(f, screen, "请确认", question, ui.theme),
            Some(CaseModal::Postage(p)) => p.draw(f, screen, ui),
            Some(_) => {
                if let Some(form) = self.form_ref() {
                    form.draw(f, screen, ui.theme);
                }
            }
            None => {}
        }
    }

    fn mode(&self) -> Mode {
        if self.modal.is_some() { Mode::Modal } else { Mode::Normal }
    }

    fn hints(&self, keys: &Keymaps) -> String {
        match (&self.modal, &self.view) {
            (Some(_), _) => "Enter 确定 · Esc 取消".into(),
            (None, Some(v)) => {
                let has = |m: MenuAction| v.data.actions.contains(&m);
                let conflict = v.data.conflicts.iter().any(|c| !c.resolved);
                keys.case.hints_where(|a| match a {
                    CaseKeyMap::Register => has(MenuAction::Register),
                    CaseKeyMap::Contact => has(MenuAction::Contact),
                    CaseKeyMap::CopySentence => has(MenuAction::CopySentence),
                    CaseKeyMap::CopyLine => has(MenuAction::CopyRegisterLine),
                    CaseKeyMap::Resolve => conflict,
                    _ => true,
                })
            }
            (None, None) => keys.cases.hints(),
        }
    }

    fn has_unsaved_input(&self) -> bool {
        self.form_ref().is_some_and(|f| f.is_dirty())
    }

    fn sending(&mut self, serial: u64) -> FormId {
        let id = match &self.modal {
            Some(CaseModal::Refuse { .. }) => FormId::Refuse,
            Some(CaseModal::Returned { .. }) => FormId::Returned,
            Some(CaseModal::Register { .. }) => FormId::Register,
            Some(CaseModal::Contact { .. }) => FormId::Contact,
            Some(CaseModal::Resolve { .. }) => FormId::Resolve,
            // The postage panel stays open after `t`.
            Some(CaseModal::Postage(_)) => return FormId::Postage,
            Some(CaseModal::Extend { .. }) => return FormId::Extend,
            Some(CaseModal::Confirm { .. }) | None => return FormId::Confirm,
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
        self.with_form(|f| f.set_error(error.to_string())).is_some()
    }

    fn shown(&self) -> Vec<Shown> {
        let mut out = Vec::new();
        let list = if self.all {
            Some(Query::Cases(CaseScope::All))
        } else {
            self.order_no.as_ref().map(|no| Query::Cases(CaseScope::Order(no.clone())))
        };
        if let Some(q) = list {
            if self.all {
                out.push(Shown::new(Dep::AnyCase, q.clone()));
                out.push(Shown::new(Dep::AllOrders, q.clone()));
            }
            if let Some(no) = &self.order_no {
                out.push(Shown::new(Dep::Order(no.clone()), q.clone()));
            }
            for it in &self.items {
                let dep = match &it.key {
                    CaseKey::Refund(k) => Dep::Refund(k.clone()),
                    CaseKey::Case(k) => Dep::Case(k.clone()),
                };
                out.push(Shown::new(dep, q.clone()));
                out.push(Shown::new(Dep::Conflicts(it.key.log_key().to_string()), q.clone()));
            }
        }
        if let Some(v) = &self.view {
            let q = Query::CaseView(v.data.key.clone());
            let dep = match &v.data.key {
                CaseKey::Refund(k) => Dep::Refund(k.clone()),
                CaseKey::Case(k) => Dep::Case(k.clone()),
            };
            out.push(Shown::new(dep, q.clone()));
            out.push(Shown::new(Dep::Conflicts(v.data.key.log_key().to_string()), q.clone()));
            if let Some(no) = v.data.order_no() {
                out.push(Shown::new(Dep::Order(no.to_string()), q));
            }
        }
        out.push(Shown::new(Dep::Setting(SettingKey::ShopType), Query::Settings));
        out
    }
}
