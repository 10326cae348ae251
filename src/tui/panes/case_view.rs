//! The case view inside ② 售后: the case's facts, registration and contact log, the
//! timeline from the event log, its conflicts, and only the actions legal now.

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::case::{CaseAction, CaseDetail};
use crate::domain::money::format_yuan;
use crate::domain::promise::format_time_left;
use crate::domain::refund::RefundAction;
use crate::domain::timefmt::format_short;
use crate::store::{CaseRow, ConflictRow, ContactRow, RefundRow};
use crate::tui::action::CaseKey;
use crate::tui::text::{clip, safe, wrap};

/// An entry of the case view's action menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    Refund(RefundAction),
    Case(CaseAction),
    Register,
    Contact,
    CopySentence,
    CopyRegisterLine,
    Postage,
}

impl MenuAction {
    pub fn label(self) -> String {
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

    pub fn is_irreversible(self) -> bool {
        match self {
            MenuAction::Refund(a) => a.is_irreversible(),
            MenuAction::Case(a) => matches!(a, CaseAction::Cancel | CaseAction::Ship),
            _ => false,
        }
    }
}

/// What the App pushes in for one case.
pub struct CaseViewState {
    pub key: CaseKey,
    pub refund: Option<RefundRow>,
    pub case: Option<CaseRow>,
    pub contacts: Vec<ContactRow>,
    pub timeline: Vec<String>,
    pub conflicts: Vec<ConflictRow>,
    pub actions: Vec<MenuAction>,
    pub action_sel: usize,
    pub scroll: u16,
    /// Order facts for the header (buyer, receiver, amount).
    pub order_line: String,
    pub agent: String,
}

impl CaseViewState {
    pub fn selected_action(&self) -> Option<MenuAction> {
        self.actions.get(self.action_sel).copied()
    }

    pub fn title(&self) -> String {
        match (&self.refund, &self.case) {
            (Some(r), _) => format!("退款 {}", r.refund_no),
            (None, Some(c)) => format!("{} {}", c.kind.label(), c.order_no),
            _ => "售后单".into(),
        }
    }

    fn info_lines(&self, w: usize, now: NaiveDateTime) -> Vec<Line<'static>> {
        let head = Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD);
        let dim = Style::default().fg(Color::DarkGray);
        let mut out = Vec::new();
        out.push(Line::styled(clip(&self.order_line, w), dim));
        if let Some(r) = &self.refund {
            out.push(Line::from(vec![
                Span::styled("状态 ", dim),
                Span::styled(r.state.seed_label(), Style::default().fg(Color::Yellow)),
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
            if let Some(d) = r.deadline {
                more.push(format!("超时 {} ({})", format_short(d), format_time_left(d, now)));
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
        if let Some(c) = &self.case {
            out.push(Line::from(vec![
                Span::styled("状态 ", dim),
                Span::styled(c.state.label(), Style::default().fg(Color::Yellow)),
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
                CaseDetail::Damage(d) => {
                    out.push(Line::styled("报告 (y 复制)", head));
                    out.extend(wrap(&d.sentence(), w).into_iter().map(Line::raw));
                    out.push(Line::styled("破损登记 (Y 复制)", head));
                    out.extend(wrap(&d.register_line(&self.agent), w).into_iter().map(Line::raw));
                }
            }
            if matches!(c.detail, CaseDetail::Exchange(_) | CaseDetail::BadReview(_)) {
                let g = &c.registration;
                out.push(Line::styled("售后登记 (e 编辑)", head));
                out.push(Line::raw(clip(
                    &format!("问题来源 {} · 客户评分 {} · 处理人 {}", g.source, g.rating, g.handler),
                    w,
                )));
                out.push(Line::raw(clip(
                    &format!("问题类型 {} · 处理状态 {} · 处理结果 {}", g.problem_type, g.status, g.result),
                    w,
                )));
                out.push(Line::styled("联系记录 (c 添加)", head));
                if self.contacts.is_empty() {
                    out.push(Line::styled("  (无)", dim));
                }
                for k in &self.contacts {
                    out.push(Line::raw(clip(
                        &format!("  {} {} {} {}", k.date.format("%m-%d"), k.channel, k.progress, k.agent),
                        w,
                    )));
                }
            }
        }
        if !self.conflicts.is_empty() {
            out.push(Line::styled(
                "⚠ 冲突",
                Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
            ));
            for c in &self.conflicts {
                let mark = if c.resolved { "已处理" } else { "未处理" };
                out.push(Line::styled(
                    clip(&format!("  [{mark}] {}@{} {}:{}", c.agent, c.seat, c.kind, c.reason), w),
                    Style::default().fg(Color::Red),
                ));
            }
        }
        out.push(Line::styled("时间线", head));
        for t in &self.timeline {
            out.push(Line::raw(clip(t, w)));
        }
        out
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, now: NaiveDateTime) {
        let menu_w = if area.width >= 44 { 20 } else { 0 };
        let [info, menu] = Layout::horizontal([Constraint::Min(10), Constraint::Length(menu_w)]).areas(area);
        let mut lines = Vec::new();
        if menu_w == 0 {
            // Too narrow for a side menu: the actions come first.
            lines.extend(self.menu_lines(info.width as usize));
        }
        lines.extend(self.info_lines(info.width as usize, now));
        let max = lines.len().saturating_sub(info.height as usize) as u16;
        f.render_widget(Paragraph::new(lines).scroll((self.scroll.min(max), 0)), info);
        let menu_lines = self.menu_lines(menu_w.saturating_sub(1) as usize);
        if menu_w > 0 {
            f.render_widget(Paragraph::new(menu_lines), Rect::new(menu.x + 1, menu.y, menu.width - 1, menu.height));
        }
    }

    pub fn menu_lines(&self, w: usize) -> Vec<Line<'static>> {
        let mut out =
            vec![Line::styled("可执行 (Enter)", Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD))];
        if self.actions.is_empty() {
            out.push(Line::styled("(已结束)", Style::default().fg(Color::DarkGray)));
        }
        for (i, a) in self.actions.iter().enumerate() {
            let st =
                if i == self.action_sel { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
            let mark = if a.is_irreversible() { "!" } else { " " };
            out.push(Line::styled(clip(&format!("{mark}{}", a.label()), w), st));
        }
        out
    }
}
