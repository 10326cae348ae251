//! ② 售后: open cases of the selected order (or all open cases), the case view, and
//! the forms its actions need (refusal note, return parcel, extension, confirmation,
//! registration, contact, who pays the postage).

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::case_view::{CaseViewState, MenuAction};
use super::postage::{PostageEvent, PostageState};
use super::{Component, Mode};
use crate::domain::case::{CaseDetail, Channel, Registration};
use crate::domain::refund::{ActionInput, EXTEND_DAYS, RefundAction};
use crate::tui::action::{Action, CaseKey};
use crate::tui::text::{cell, clip};
use crate::tui::widgets::form::{Field, Form, FormEvent};
use crate::tui::widgets::picker::{PickEvent, Picker};
use crate::tui::widgets::popup;

/// One line of the case list.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseItem {
    pub key: CaseKey,
    pub order_no: String,
    pub kind: String,
    pub state: String,
    pub opened: Option<NaiveDateTime>,
    pub deadline: Option<NaiveDateTime>,
    pub summary: String,
    pub waits_for_seller: bool,
    /// Not closed or finished.
    pub open: bool,
}

#[allow(clippy::large_enum_variant)]
pub enum CaseModal {
    Form { form: Form, purpose: FormPurpose },
    Extend { refund_no: String, picker: Picker },
    Confirm { question: Vec<String>, action: Action },
    Postage(PostageState),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormPurpose {
    Refuse(String),
    Returned(String),
    Register(String),
    Contact(String),
    /// Resolving a conflict: the conflicting event's id.
    Resolve(String),
}

pub struct AfterSalesPane {
    pub all: bool,
    pub order_no: Option<String>,
    items: Vec<CaseItem>,
    sel: usize,
    pub view: Option<CaseViewState>,
    pub modal: Option<CaseModal>,
    now: NaiveDateTime,
    /// Filled by the App: the postage state to open with `w`.
    pub postage_seed: Option<PostageState>,
}

/// `3d`, `5h`, `20m`: how long ago.
pub fn age(since: NaiveDateTime, now: NaiveDateTime) -> String {
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
    pub fn new(now: NaiveDateTime) -> AfterSalesPane {
        AfterSalesPane {
            all: false,
            order_no: None,
            items: Vec::new(),
            sel: 0,
            view: None,
            modal: None,
            now,
            postage_seed: None,
        }
    }

    pub fn set_now(&mut self, now: NaiveDateTime) {
        self.now = now;
    }

    pub fn items(&self) -> &[CaseItem] {
        &self.items
    }

    pub fn selected(&self) -> Option<&CaseItem> {
        self.items.get(self.sel)
    }

    pub fn set_items(&mut self, order_no: Option<String>, items: Vec<CaseItem>) {
        let keep = self.selected().map(|i| i.key.clone());
        self.order_no = order_no;
        self.items = items;
        self.sel = keep.and_then(|k| self.items.iter().position(|i| i.key == k)).unwrap_or(0);
    }

    pub fn set_view(&mut self, view: Option<CaseViewState>) {
        let keep = self.view.as_ref().map(|v| (v.key.clone(), v.action_sel, v.scroll));
        self.view = view;
        if let (Some(v), Some((k, sel, scroll))) = (self.view.as_mut(), keep)
            && v.key == k
        {
            v.action_sel = sel.min(v.actions.len().saturating_sub(1));
            v.scroll = scroll;
        }
    }

    fn run_menu(&mut self, m: MenuAction) -> Option<Action> {
        let v = self.view.as_ref()?;
        let key = v.key.clone();
        let action = match (m, &key) {
            (MenuAction::Refund(RefundAction::Refuse), CaseKey::Refund(no)) => {
                self.modal = Some(CaseModal::Form {
                    form: Form::new("拒绝退款 · 说明 2–200 字", vec![Field::text("拒绝说明", "")]),
                    purpose: FormPurpose::Refuse(no.clone()),
                });
                return None;
            }
            (MenuAction::Refund(RefundAction::BuyerReturned), CaseKey::Refund(no)) => {
                self.modal = Some(CaseModal::Form {
                    form: Form::new("登记买家退货", vec![Field::text("退货单号", ""), Field::text("快递公司", "")]),
                    purpose: FormPurpose::Returned(no.clone()),
                });
                return None;
            }
            (MenuAction::Refund(RefundAction::Extend), CaseKey::Refund(no)) => {
                let items = EXTEND_DAYS.iter().map(|d| (format!("延长 {d} 天"), Color::Cyan)).collect();
                self.modal =
                    Some(CaseModal::Extend { refund_no: no.clone(), picker: Picker::new("延长收货", items, 0) });
                return None;
            }
            (MenuAction::Refund(a), CaseKey::Refund(no)) => {
                Action::RefundAct { refund_no: no.clone(), action: a, input: ActionInput::default() }
            }
            (MenuAction::Case(a), CaseKey::Case(id)) => {
                Action::CaseAct { case_id: id.clone(), action: a, note: String::new() }
            }
            (MenuAction::Register, CaseKey::Case(id)) => {
                let g = v.case.as_ref().map(|c| c.registration.clone()).unwrap_or_default();
                self.modal = Some(CaseModal::Form {
                    form: Form::new(
                        "售后登记",
                        vec![
                            Field::text("问题来源", &g.source),
                            Field::text("客户评分", &g.rating),
                            Field::text("处理人", if g.handler.is_empty() { &v.agent } else { &g.handler }),
                            Field::text("问题类型", &g.problem_type),
                            Field::text("处理状态", &g.status),
                            Field::text("处理结果", &g.result),
                        ],
                    ),
                    purpose: FormPurpose::Register(id.clone()),
                });
                return None;
            }
            (MenuAction::Contact, CaseKey::Case(id)) => {
                let labels: Vec<&str> = Channel::ALL.iter().map(|c| c.label()).collect();
                self.modal = Some(CaseModal::Form {
                    form: Form::new(
                        "记录联系 (电话最好)",
                        vec![Field::choice("渠道", &labels, 0), Field::text("进展", "")],
                    ),
                    purpose: FormPurpose::Contact(id.clone()),
                });
                return None;
            }
            (MenuAction::CopySentence | MenuAction::CopyRegisterLine, _) => {
                let CaseDetail::Damage(d) = &v.case.as_ref()?.detail else { return None };
                let text = if m == MenuAction::CopySentence { d.sentence() } else { d.register_line(&v.agent) };
                return Some(Action::Copy(text));
            }
            (MenuAction::Postage, _) => {
                self.modal = self.postage_seed.clone().map(CaseModal::Postage);
                return None;
            }
            _ => return None,
        };
        if m.is_irreversible() {
            self.modal = Some(CaseModal::Confirm {
                question: vec![format!("「{}」{}", m.label(), v.title()), "此操作不可撤销,确定吗?".into()],
                action,
            });
            return None;
        }
        Some(action)
    }

    fn modal_key(&mut self, key: KeyEvent) -> Option<Action> {
        match self.modal.as_mut()? {
            CaseModal::Confirm { action, .. } => {
                let answer = crate::tui::widgets::popup::confirm_action(&key, action)?;
                self.modal = None;
                answer
            }
            CaseModal::Extend { refund_no, picker } => match picker.handle_key(key) {
                PickEvent::Picked(i) => {
                    let refund_no = refund_no.clone();
                    self.modal = None;
                    Some(Action::RefundAct {
                        refund_no,
                        action: RefundAction::Extend,
                        input: ActionInput { days: Some(EXTEND_DAYS[i]), ..Default::default() },
                    })
                }
                PickEvent::Cancel => {
                    self.modal = None;
                    None
                }
                PickEvent::None => None,
            },
            CaseModal::Postage(p) => match p.handle_key(key) {
                PostageEvent::Close => {
                    self.modal = None;
                    None
                }
                PostageEvent::Act(a) => Some(a),
                PostageEvent::None => None,
            },
            CaseModal::Form { form, purpose } => match form.handle_key(key) {
                FormEvent::Cancel => {
                    self.modal = None;
                    None
                }
                FormEvent::Submit => Some(match purpose {
                    FormPurpose::Refuse(no) => Action::RefundAct {
                        refund_no: no.clone(),
                        action: RefundAction::Refuse,
                        input: ActionInput { note: form.value(0).trim().into(), ..Default::default() },
                    },
                    FormPurpose::Returned(no) => Action::RefundAct {
                        refund_no: no.clone(),
                        action: RefundAction::BuyerReturned,
                        input: ActionInput {
                            tracking_no: form.value(0).trim().into(),
                            courier: form.value(1).trim().into(),
                            ..Default::default()
                        },
                    },
                    FormPurpose::Register(id) => Action::CaseRegister {
                        case_id: id.clone(),
                        registration: Registration {
                            source: form.value(0).trim().into(),
                            rating: form.value(1).trim().into(),
                            handler: form.value(2).trim().into(),
                            problem_type: form.value(3).trim().into(),
                            status: form.value(4).trim().into(),
                            result: form.value(5).trim().into(),
                        },
                    },
                    FormPurpose::Contact(id) => Action::CaseContact {
                        case_id: id.clone(),
                        channel: Channel::ALL[form.choice(0).min(Channel::ALL.len() - 1)],
                        progress: form.value(1).trim().into(),
                    },
                    FormPurpose::Resolve(id) => {
                        Action::ResolveConflict { event_id: id.clone(), note: form.value(0).trim().into() }
                    }
                }),
                _ => None,
            },
        }
    }

    fn view_key(&mut self, key: KeyEvent) -> Option<Action> {
        let v = self.view.as_mut()?;
        let n = v.actions.len();
        match key.code {
            KeyCode::Esc => {
                self.view = None;
                None
            }
            KeyCode::Char('j') | KeyCode::Down if n > 0 => {
                v.action_sel = (v.action_sel + 1).min(n - 1);
                None
            }
            KeyCode::Char('k') | KeyCode::Up => {
                v.action_sel = v.action_sel.saturating_sub(1);
                None
            }
            KeyCode::PageDown => {
                v.scroll = v.scroll.saturating_add(5);
                None
            }
            KeyCode::PageUp => {
                v.scroll = v.scroll.saturating_sub(5);
                None
            }
            KeyCode::Char('g') => {
                v.scroll = 0;
                None
            }
            KeyCode::Char('G') => {
                v.scroll = u16::MAX;
                None
            }
            KeyCode::Enter => {
                let m = v.selected_action()?;
                self.run_menu(m)
            }
            KeyCode::Char('e') if v.actions.contains(&MenuAction::Register) => self.run_menu(MenuAction::Register),
            KeyCode::Char('c') if v.actions.contains(&MenuAction::Contact) => self.run_menu(MenuAction::Contact),
            KeyCode::Char('y') if v.actions.contains(&MenuAction::CopySentence) => {
                self.run_menu(MenuAction::CopySentence)
            }
            KeyCode::Char('Y') if v.actions.contains(&MenuAction::CopyRegisterLine) => {
                self.run_menu(MenuAction::CopyRegisterLine)
            }
            KeyCode::Char('w') => self.run_menu(MenuAction::Postage),
            KeyCode::Char('R') => {
                // The first unresolved conflict (they are listed unresolved first).
                let c = v.conflicts.iter().find(|c| !c.resolved)?;
                let mut form = Form::new("处理冲突", vec![Field::text("处理说明", "")]);
                form.preview =
                    vec![crate::tui::text::clip(&format!("{}@{} {}:{}", c.agent, c.seat, c.kind, c.reason), 200)];
                self.modal = Some(CaseModal::Form { form, purpose: FormPurpose::Resolve(c.event_id.clone()) });
                None
            }
            _ => None,
        }
    }

    fn draw_list(&self, f: &mut Frame, area: Rect) {
        let w = area.width as usize;
        let sum_w = w.saturating_sub(8 + 12 + 5 + 6 + 4);
        let header = Line::styled(
            format!(
                "{} {} {} {} {}",
                cell("类型", 8),
                cell("状态", 12),
                cell("时长", 5),
                cell("期限", 6),
                cell("内容", sum_w)
            ),
            Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        );
        let mut lines = vec![header];
        if self.items.is_empty() {
            let msg = if self.all { "没有进行中的售后" } else { "这个订单没有售后 (a 看全部)" };
            lines.push(Line::styled(msg, Style::default().fg(Color::DarkGray)));
        }
        let body_h = area.height.saturating_sub(1) as usize;
        let off = (self.sel + 1).saturating_sub(body_h.max(1));
        for (i, it) in self.items.iter().enumerate().skip(off).take(body_h) {
            let st = if i == self.sel { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
            let (deadline, late) = match it.deadline {
                Some(d) => (crate::domain::promise::format_time_left(d, self.now), d < self.now),
                None => ("-".to_string(), false),
            };
            let state_style = if it.waits_for_seller { st.fg(Color::Yellow) } else { st };
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", cell(&it.kind, 8)), st),
                Span::styled(format!("{} ", cell(&it.state, 12)), state_style),
                Span::styled(format!("{} ", cell(&it.opened.map(|o| age(o, self.now)).unwrap_or_default(), 5)), st),
                Span::styled(format!("{} ", cell(&deadline, 6)), if late { st.fg(Color::Red) } else { st }),
                Span::styled(cell(&it.summary, sum_w), st),
            ]));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

impl Component for AfterSalesPane {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.modal.is_some() {
            return self.modal_key(key);
        }
        if self.view.is_some() {
            return self.view_key(key);
        }
        let n = self.items.len();
        match key.code {
            KeyCode::Char('j') | KeyCode::Down if n > 0 => self.sel = (self.sel + 1).min(n - 1),
            KeyCode::Char('k') | KeyCode::Up => self.sel = self.sel.saturating_sub(1),
            KeyCode::PageDown if n > 0 => self.sel = (self.sel + 10).min(n - 1),
            KeyCode::PageUp => self.sel = self.sel.saturating_sub(10),
            KeyCode::Char('g') => self.sel = 0,
            KeyCode::Char('G') => self.sel = n.saturating_sub(1),
            KeyCode::Char('a') => return Some(Action::CasesScope(!self.all)),
            KeyCode::Enter => return self.selected().map(|i| Action::OpenCaseView(i.key.clone())),
            KeyCode::Char('w') => self.modal = self.postage_seed.clone().map(CaseModal::Postage),
            KeyCode::Char('/') => return Some(Action::Notice("售后列表不需要搜索:a 切换本单/全部".into())),
            _ => {}
        }
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, focused: bool) {
        let title = match (&self.view, self.all, &self.order_no) {
            (Some(v), _, _) => format!(" ② 售后 · {} ", v.title()),
            (None, true, _) => format!(" ② 售后 · 全部进行中 {} ", self.items.len()),
            (None, false, Some(o)) => format!(" ② 售后 · 订单 {} ", clip(o, 24)),
            (None, false, None) => " ② 售后 ".into(),
        };
        let block = super::pane_block(&title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width == 0 || inner.height == 0 {
            return;
        }
        match &self.view {
            Some(v) => v.draw(f, inner, self.now),
            None => self.draw_list(f, inner),
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect) {
        match &self.modal {
            Some(CaseModal::Form { form, .. }) => form.draw(f, screen),
            Some(CaseModal::Extend { picker, .. }) => picker.draw(f, screen),
            Some(CaseModal::Confirm { question, .. }) => popup::confirm(f, screen, "请确认", question),
            Some(CaseModal::Postage(p)) => p.draw(f, screen),
            None => {}
        }
    }

    fn mode(&self) -> Mode {
        if self.modal.is_some() { Mode::Modal } else { Mode::Normal }
    }

    fn hints(&self) -> String {
        match (&self.modal, &self.view) {
            (Some(_), _) => "Enter 确定 · Esc 取消".into(),
            (None, Some(_)) => {
                "j/k 选操作 · Enter 执行 · e 登记 · c 联系 · y/Y 复制 · w 邮费 · PgDn 滚动 · Esc 返回".into()
            }
            (None, None) => "j/k 移动 · Enter 打开 · a 本单/全部 · w 谁付邮费".into(),
        }
    }

    fn has_unsaved_input(&self) -> bool {
        matches!(&self.modal, Some(CaseModal::Form { form, .. }) if form.is_dirty())
    }

    fn close_modal(&mut self) {
        if !matches!(self.modal, Some(CaseModal::Postage(_))) {
            self.modal = None;
        }
    }

    fn form_error(&mut self, msg: String) {
        if let Some(CaseModal::Form { form, .. }) = self.modal.as_mut() {
            form.set_error(msg);
        }
    }
}
