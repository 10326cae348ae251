//! The case view inside ② 售后: the case's facts, registration and contact log, the
//! timeline from the event log, its conflicts, and only the actions legal now.

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::Ui;
use crate::domain::case::{CaseAction, CaseDetail};
use crate::domain::money::format_yuan;
use crate::domain::promise::format_time_left;
use crate::domain::refund::RefundAction;
use crate::domain::timefmt::format_short;
use crate::tui::keymap::CaseKeyMap;
use crate::tui::text::{clip, safe, wrap};
use crate::tui::theme::Role;
use crate::tui::widgets::scroll::scrollbar;
use crate::tui::worker::CaseViewData;

/// An entry of the case view's action menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MenuAction {
    Refund(RefundAction),
    Case(CaseAction),
    Register,
    Contact,
    CopySentence,
    CopyRegisterLine,
    Postage,
}

impl MenuAction {
    pub(crate) fn label(self) -> String {
        match self {
            MenuAction::Refund(a) => a.label().to_string(),
            MenuAction::Case(a) => a.label().to_string(),
            MenuAction::Register => "编辑售后登记".into(),
            MenuAction::Contact => "记录联系".into(),
            MenuAction::CopySentence => "复制报告".into(),
            MenuAction::CopyRegisterLine => "复制登记行".into(),
            MenuAction::Postage => "谁付邮费?".into(),
        }
    }

    pub(crate) fn is_irreversible(self) -> bool {
        match self {
            MenuAction::Refund(a) => a.is_irreversible(),
            MenuAction::Case(a) => matches!(a, CaseAction::Cancel | CaseAction::Ship),
            _ => false,
        }
    }
}

/// One case on screen: its data and where the menu and the text are.
pub(crate) struct CaseView {
    pub(crate) data: CaseViewData,
    pub(crate) action_sel: usize,
    pub(crate) scroll: u16,
}

impl CaseView {
    pub(crate) fn new(data: CaseViewData) -> CaseView {
        CaseView { data, action_sel: 0, scroll: 0 }
    }

    /// New data for the same case: the menu keeps its place as far as it can.
    pub(crate) fn replace(&mut self, data: CaseViewData) {
        self.action_sel = self.action_sel.min(data.actions.len().saturating_sub(1));
        self.data = data;
    }

    pub(crate) fn selected_action(&self) -> Option<MenuAction> {
        self.data.actions.get(self.action_sel).copied()
    }

    pub(crate) fn title(&self) -> String {
        match (&self.data.refund, &self.data.case) {
            (Some(r), _) => format!("退款 {}", r.refund_no),
            (None, Some(c)) => format!("{} {}", c.kind.label(), c.order_no),
            _ => "售后单".into(),
        }
    }

    fn info_lines(&self, w: usize, now: NaiveDateTime, ui: &Ui) -> Vec<Line<'static>> {
        let d = &self.data;
        let head = ui.style(Role::Head);
        let dim = ui.style(Role::Dim);
        let key = |a: CaseKeyMap| ui.keys.case.key_of(a);
        let mut out = Vec::new();
        out.push(Line::styled(clip(&d.order_line, w), dim));
        if let Some(r) = &d.refund {
            out.push(Line::from(vec![
                Span::styled("状态 ", dim),
                Span::styled(r.state.seed_label(), ui.style(Role::Accent)),
                Span::raw(format!(" ({})", r.state.code())),
            ]));
            let mut facts = vec![format!("金额 {}", format_yuan(r.amount_fen)), safe(&r.reason).into_owned()];
            if r.no_reason_7d {
                facts.push("七天无理由".into());
            }
            facts.push(if r.needs_return { "需退货".into() } else { "仅退款".into() });
            facts.push(r.phase.clone());
            out.push(Line::raw(clip(&facts.join(" · "), w)));
            let mut more = Vec::new();
            if let Some(dl) = r.deadline {
                more.push(format!("超时 {} ({})", format_short(dl), format_time_left(dl, now)));
            }
            if r.extended_days > 0 {
                more.push(format!("已延长 {} 天", r.extended_days));
            }
            if !r.return_tracking_no.is_empty() {
                more.push(format!("退货 {} {}", r.return_courier, r.return_tracking_no));
            }
            if !r.seller_note.is_empty() {
                more.push(format!("说明 {}", r.seller_note));
            }
            if !more.is_empty() {
                out.push(Line::raw(clip(&more.join(" · "), w)));
            }
        }
        if let Some(c) = &d.case {
            out.push(Line::from(vec![
                Span::styled("状态 ", dim),
                Span::styled(c.state.label(), ui.style(Role::Accent)),
            ]));
            match &c.detail {
                CaseDetail::Exchange(x) => out.push(Line::raw(clip(
                    &format!(
                        "原因 {} · 换成 {} · 质量问题 {} · 邮费 {}",
                        x.reason,
                        x.want,
                        if x.quality_problem { "是" } else { "否" },
                        if x.postage_paid { "已付" } else { "未付" }
                    ),
                    w,
                ))),
                CaseDetail::BadReview(b) => {
                    for l in wrap(&format!("{}:{}", b.level.label(), b.review_text), w) {
                        out.push(Line::raw(l));
                    }
                    if !b.buyer_wants.is_empty() || !b.remedy.is_empty() {
                        out.push(Line::raw(clip(&format!("诉求 {} · 方案 {}", b.buyer_wants, b.remedy), w)));
                    }
                }
                CaseDetail::Damage(dm) => {
                    out.push(Line::styled(format!("报告 ({} 复制)", key(CaseKeyMap::CopySentence)), head));
                    out.extend(wrap(&dm.sentence(), w).into_iter().map(Line::raw));
                    out.push(Line::styled(format!("破损登记 ({} 复制)", key(CaseKeyMap::CopyLine)), head));
                    out.extend(wrap(&dm.register_line(&d.agent), w).into_iter().map(Line::raw));
                }
            }
            if matches!(c.detail, CaseDetail::Exchange(_) | CaseDetail::BadReview(_)) {
                let g = &c.registration;
                out.push(Line::styled(format!("售后登记 ({} 编辑)", key(CaseKeyMap::Register)), head));
                out.push(Line::raw(clip(
                    &format!("问题来源 {} · 客户评分 {} · 处理人 {}", g.source, g.rating, g.handler),
                    w,
                )));
                out.push(Line::raw(clip(
                    &format!("问题类型 {} · 处理状态 {} · 处理结果 {}", g.problem_type, g.status, g.result),
                    w,
                )));
                out.push(Line::styled(format!("联系记录 ({} 添加)", key(CaseKeyMap::Contact)), head));
                if d.contacts.is_empty() {
                    out.push(Line::styled("  (无)", dim));
                }
                for k in &d.contacts {
                    out.push(Line::raw(clip(
                        &format!("  {} {} {} {}", k.date.format("%m-%d"), k.channel, k.progress, k.agent),
                        w,
                    )));
                }
            }
        }
        if !d.conflicts.is_empty() {
            out.push(Line::styled("⚠ 冲突", ui.style(Role::Alert)));
            for c in &d.conflicts {
                let mark = if c.resolved { "已处理" } else { "未处理" };
                out.push(Line::styled(
                    clip(&format!("  [{mark}] {}@{} {}:{}", c.agent, c.seat, c.kind, c.reason), w),
                    ui.style(Role::Bad),
                ));
            }
        }
        out.push(Line::styled("时间线", head));
        for t in &d.timeline {
            out.push(Line::raw(clip(t, w)));
        }
        out
    }

    pub(crate) fn draw(&self, f: &mut Frame, area: Rect, frame: Rect, ui: &Ui) {
        let menu_w = if area.width >= 44 { 20 } else { 0 };
        let [info, menu] = Layout::horizontal([Constraint::Min(10), Constraint::Length(menu_w)]).areas(area);
        let mut lines = Vec::new();
        if menu_w == 0 {
            // Too narrow for a side menu: the actions come first.
            lines.extend(self.menu_lines(info.width as usize, ui, true));
        }
        lines.extend(self.info_lines(info.width as usize, ui.now, ui));
        let total = lines.len();
        let max = total.saturating_sub(info.height as usize) as u16;
        let top = self.scroll.min(max);
        f.render_widget(Paragraph::new(lines).scroll((top, 0)), info);
        if menu_w > 0 {
            let m = Rect::new(menu.x + 1, menu.y, menu.width - 1, menu.height);
            let items: Vec<ListItem> =
                self.menu_lines(m.width as usize, ui, false).into_iter().map(ListItem::new).collect();
            let selected = (!self.data.actions.is_empty()).then_some(self.action_sel + 1);
            let list = List::new(items).highlight_style(ui.style(Role::Selected));
            f.render_stateful_widget(list, m, &mut ListState::default().with_selected(selected));
        }
        scrollbar(f, frame, info, total, top as usize, ui);
    }

    /// The menu's lines: its heading, then each action legal now (`!`: asks first);
    /// `mark`: the selected one is drawn selected (a list widget does it otherwise).
    fn menu_lines(&self, w: usize, ui: &Ui, mark: bool) -> Vec<Line<'static>> {
        let run = ui.keys.case.key_of(CaseKeyMap::Run);
        let mut out = vec![Line::styled(format!("可执行 ({run})"), ui.style(Role::Head))];
        if self.data.actions.is_empty() {
            out.push(Line::styled("(已结束)", ui.style(Role::Dim)));
        }
        for (i, a) in self.data.actions.iter().enumerate() {
            let bang = if a.is_irreversible() { "!" } else { " " };
            let st = if mark && i == self.action_sel { Role::Selected } else { Role::Plain };
            out.push(Line::styled(clip(&format!("{bang}{}", a.label()), w), ui.style(st)));
        }
        out
    }
}
