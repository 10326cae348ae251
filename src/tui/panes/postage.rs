//! "Who pays the postage?" for the selected order and case: the seed's table
//! (`domain::postage::who_pays`) over shop type × case × remedy.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Ui;
use crate::domain::case::CaseDetail;
use crate::domain::money::format_yuan;
use crate::domain::order::OrderStatus;
use crate::domain::postage::{CaseFacts, PostageCase, Remedy, ShopType, fee_fen, infer_case, who_pays};
use crate::store::QueueRow;
use crate::tui::action::Action;
use crate::tui::keymap::{Keymap, PostageKey};
use crate::tui::theme::Role;
use crate::tui::widgets::popup;
use crate::tui::worker::{CaseViewData, WriteCmd};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostageState {
    pub(crate) shop: ShopType,
    pub(crate) case: usize,
    pub(crate) remedy: Remedy,
    pub(crate) invoice_kept: bool,
    /// The amount a fee applies to (the refund, else the order).
    pub(crate) amount_fen: i64,
    pub(crate) subject: String,
    /// Which case was assumed, and why.
    pub(crate) assumed: String,
}

#[allow(clippy::large_enum_variant)]
pub(crate) enum PostageEvent {
    None,
    Close,
    Act(Action),
}

/// The panel preset from the order and the open case (if any): the case inferred from
/// them (`domain::postage::infer_case`), and the sentence saying what was assumed.
pub(crate) fn seed(shop: ShopType, order: &QueueRow, view: Option<&CaseViewData>) -> PostageState {
    let finished = order.status == Some(OrderStatus::TradeFinished);
    let (facts, remedy, amount, subject) = match view {
        Some(CaseViewData { refund: Some(r), .. }) => (
            CaseFacts::Refund { no_reason_7d: r.no_reason_7d, reason: &r.reason },
            Remedy::Refund,
            r.amount_fen,
            format!("退款 {}", r.refund_no),
        ),
        Some(CaseViewData { case: Some(c), .. }) => {
            let (facts, remedy) = match &c.detail {
                CaseDetail::Exchange(x) => {
                    (CaseFacts::Exchange { quality: x.quality_problem, reason: &x.reason }, Remedy::Exchange)
                }
                CaseDetail::Damage(_) => (CaseFacts::Damage, Remedy::Refund),
                CaseDetail::BadReview(_) => (CaseFacts::Order, Remedy::Refund),
            };
            (facts, remedy, order.amount_fen, format!("{} · 订单 {}", c.kind.label(), c.order_no))
        }
        _ => (CaseFacts::Order, Remedy::Refund, order.amount_fen, format!("订单 {}", order.order_no)),
    };
    let (case, why) = infer_case(finished, facts);
    PostageState {
        shop,
        case: PostageCase::ALL.iter().position(|c| *c == case).unwrap_or(0),
        remedy,
        invoice_kept: false,
        amount_fen: amount,
        subject,
        assumed: format!("推断:{why}(j/k 可改)"),
    }
}

impl PostageState {
    pub(crate) fn handle_key(&mut self, key: KeyEvent, keys: &Keymap<PostageKey>) -> PostageEvent {
        let n = PostageCase::ALL.len();
        match keys.lookup(&key) {
            Some(PostageKey::Close) => return PostageEvent::Close,
            Some(PostageKey::NextCase) => self.case = (self.case + 1) % n,
            Some(PostageKey::PrevCase) => self.case = (self.case + n - 1) % n,
            // Two remedies: either way is the other one.
            Some(PostageKey::RemedyPrev | PostageKey::RemedyNext) => {
                self.remedy = if self.remedy == Remedy::Exchange { Remedy::Refund } else { Remedy::Exchange }
            }
            Some(PostageKey::Invoice) => self.invoice_kept = !self.invoice_kept,
            Some(PostageKey::ShopType) => {
                let next = if self.shop == ShopType::CShop { ShopType::Tmall } else { ShopType::CShop };
                self.shop = next;
                return PostageEvent::Act(Action::Write(WriteCmd::SetShopType(next)));
            }
            None => {}
        }
        PostageEvent::None
    }

    pub(crate) fn answer_lines(&self) -> Vec<String> {
        let case = PostageCase::ALL[self.case];
        let a = who_pays(self.shop, case, self.remedy, self.invoice_kept);
        let mut out = vec![format!("谁付邮费:{}", a.payer.label()), a.rule.to_string()];
        if a.fee_percent.is_some() {
            out.push(format!(
                "手续费 {}(按 {} 计)",
                format_yuan(fee_fen(&a, self.amount_fen)),
                format_yuan(self.amount_fen)
            ));
        }
        out
    }

    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        let area = popup::centered(screen, 76, 18);
        let inner = popup::frame(f, area, &format!("谁付邮费? · {}", self.subject), ui.theme);
        let dim = ui.style(Role::Dim);
        let k = &ui.keys.postage;
        let mut lines = vec![Line::from(vec![
            Span::styled("店铺 ", dim),
            Span::styled(self.shop.label(), ui.style(Role::Accent)),
            Span::styled(format!("  ({} 切换)   方案 ", k.key_of(PostageKey::ShopType)), dim),
            Span::styled(self.remedy.label(), ui.style(Role::Accent)),
            Span::styled(
                format!("  ({}/{})   发票未退回 ", k.key_of(PostageKey::RemedyPrev), k.key_of(PostageKey::RemedyNext)),
                dim,
            ),
            Span::raw(if self.invoice_kept { "是" } else { "否" }),
            Span::styled(format!(" ({})", k.key_of(PostageKey::Invoice)), dim),
        ])];
        lines.push(Line::styled(self.assumed.clone(), dim));
        for (i, c) in PostageCase::ALL.iter().enumerate() {
            let st = if i == self.case { ui.style(Role::Selected) } else { ui.style(Role::Plain) };
            lines.push(Line::styled(format!("  {}", c.label()), st));
        }
        lines.push(Line::raw(""));
        for (i, l) in self.answer_lines().into_iter().enumerate() {
            let st = if i == 0 { ui.style(Role::Answer) } else { ui.style(Role::Plain) };
            lines.push(Line::styled(l, st));
        }
        lines.push(Line::styled(k.hints(), dim));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
