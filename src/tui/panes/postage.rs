//! "Who pays the postage?" for the selected order and case: the seed's table
//! (`domain::postage::who_pays`) over shop type × case × remedy.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::money::format_yuan;
use crate::domain::postage::{PostageCase, Remedy, ShopType, fee_fen, who_pays};
use crate::tui::action::Action;
use crate::tui::widgets::popup;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostageState {
    pub shop: ShopType,
    pub case: usize,
    pub remedy: Remedy,
    pub invoice_kept: bool,
    /// The amount a fee applies to (the refund, else the order).
    pub amount_fen: i64,
    pub subject: String,
}

#[allow(clippy::large_enum_variant)]
pub enum PostageEvent {
    None,
    Close,
    Act(Action),
}

impl PostageState {
    pub fn handle_key(&mut self, key: KeyEvent) -> PostageEvent {
        let n = PostageCase::ALL.len();
        match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('w') => return PostageEvent::Close,
            KeyCode::Char('j') | KeyCode::Down => self.case = (self.case + 1) % n,
            KeyCode::Char('k') | KeyCode::Up => self.case = (self.case + n - 1) % n,
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') | KeyCode::Char(' ') => {
                self.remedy = if self.remedy == Remedy::Exchange { Remedy::Refund } else { Remedy::Exchange }
            }
            KeyCode::Char('i') => self.invoice_kept = !self.invoice_kept,
            KeyCode::Char('t') => {
                let next = if self.shop == ShopType::CShop { ShopType::Tmall } else { ShopType::CShop };
                self.shop = next;
                return PostageEvent::Act(Action::SetShopType(next));
            }
            _ => {}
        }
        PostageEvent::None
    }

    pub fn answer_lines(&self) -> Vec<String> {
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

    pub fn draw(&self, f: &mut Frame, screen: Rect) {
        let area = popup::centered(screen, 76, 18);
        let inner = popup::frame(f, area, &format!("谁付邮费? · {}", self.subject));
        let dim = Style::default().fg(Color::DarkGray);
        let mut lines = vec![Line::from(vec![
            Span::styled("店铺 ", dim),
            Span::styled(self.shop.label(), Style::default().fg(Color::Yellow)),
            Span::styled("  (t 切换)   方案 ", dim),
            Span::styled(self.remedy.label(), Style::default().fg(Color::Yellow)),
            Span::styled("  (←/→)   发票未退回 ", dim),
            Span::raw(if self.invoice_kept { "是" } else { "否" }),
            Span::styled(" (i)", dim),
        ])];
        for (i, c) in PostageCase::ALL.iter().enumerate() {
            let st = if i == self.case { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
            lines.push(Line::styled(format!("  {}", c.label()), st));
        }
        lines.push(Line::raw(""));
        for (i, l) in self.answer_lines().into_iter().enumerate() {
            let st =
                if i == 0 { Style::default().fg(Color::Green).add_modifier(Modifier::BOLD) } else { Style::default() };
            lines.push(Line::styled(l, st));
        }
        lines.push(Line::styled("j/k 情形 · ←/→ 换货/退款 · t 店铺类型 · i 发票 · Esc 关闭", dim));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
