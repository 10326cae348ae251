//! The order detail view inside ① 订单: items, amounts, receiver (phone masked unless
//! revealed), buyer message, memo history and the order's cases.

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Ui;
use crate::domain::money::format_yuan;
use crate::domain::order::mask_phone;
use crate::domain::promise::format_time_left;
use crate::domain::timefmt::format_short;
use crate::tui::text::{cell, safe, wrap};
use crate::tui::theme::Role;
use crate::tui::widgets::scroll::scrollbar;
use crate::tui::worker::DetailData;

pub(crate) struct OrderView {
    data: DetailData,
    reveal_phone: bool,
    scroll: u16,
}

impl OrderView {
    pub(crate) fn new(data: DetailData) -> OrderView {
        OrderView { data, reveal_phone: false, scroll: 0 }
    }

    pub(crate) fn order_no(&self) -> &str {
        &self.data.detail.order_no
    }

    /// New data for the same order (phone and scroll stay as they were).
    pub(crate) fn replace(&mut self, data: DetailData) {
        self.data = data;
    }

    /// Refunded so far: the refunds that succeeded, or the export's 退款金额.
    fn refunded_fen(&self) -> i64 {
        let local: i64 = self
            .data
            .refunds
            .iter()
            .filter(|r| r.state == crate::domain::refund::RefundState::Success)
            .map(|r| r.amount_fen)
            .sum();
        local.max(self.data.detail.refund_fen)
    }

    pub(crate) fn toggle_phone(&mut self) {
        self.reveal_phone = !self.reveal_phone;
    }

    pub(crate) fn scroll_by(&mut self, delta: i32) {
        self.scroll = (i32::from(self.scroll) + delta).clamp(0, i32::from(u16::MAX)) as u16;
    }

    pub(crate) fn lines(&self, width: usize, now: NaiveDateTime, ui: &Ui) -> Vec<Line<'static>> {
        let d = &self.data.detail;
        let head = ui.style(Role::Head);
        let dim = ui.style(Role::Dim);
        let mut out: Vec<Line> = Vec::new();
        let kv =
            |k: &str, v: String| Line::from(vec![Span::styled(format!("{k} "), dim), Span::raw(safe(&v).into_owned())]);
        out.push(Line::from(vec![
            Span::styled(format!("订单 {} ", safe(&d.order_no)), head),
            Span::styled(format!("■ {} ", d.flag.label()), ui.style(Role::Flag(d.flag))),
            Span::raw(match d.status {
                None => "本地记录".to_string(),
                // An unknown status shows what the export said.
                Some(crate::domain::order::OrderStatus::Unknown) if !d.status_text.is_empty() => {
                    format!("未知状态「{}」", safe(&d.status_text))
                }
                Some(s) => s.label_with_refund(d.amount_fen, self.refunded_fen()),
            }),
        ]));
        out.push(kv(
            "买家",
            format!("{}  实付 {}  邮费 {}", d.buyer, format_yuan(d.amount_fen), format_yuan(d.postage_fen)),
        ));
        let phone = if self.reveal_phone { d.receiver_phone.clone() } else { mask_phone(&d.receiver_phone) };
        let reveal = ui.keys.detail.key_of(crate::tui::keymap::DetailKey::RevealPhone);
        out.push(kv("收货", format!("{}  {}  ({reveal} 显示/隐藏手机)", d.receiver_name, phone)));
        for l in wrap(&format!("地址 {}", d.receiver_address), width) {
            out.push(Line::raw(l));
        }
        let mut times = Vec::new();
        if let Some(t) = d.paid_at {
            times.push(format!("付款 {}", format_short(t)));
        }
        if let Some(t) = d.ship_by {
            times.push(format!("发货期限 {} ({})", format_short(t), format_time_left(t, now)));
        }
        if let Some(t) = d.shipped_at {
            times.push(format!("发货 {}", format_short(t)));
        }
        if !d.courier.is_empty() || !d.tracking_no.is_empty() {
            times.push(format!("{} {}", d.courier, d.tracking_no));
        }
        out.push(Line::raw(safe(&times.join("  ")).into_owned()));
        out.push(Line::styled("宝贝", head));
        if d.items.is_empty() {
            out.push(Line::raw(format!("  {}", safe(&d.title))));
        }
        for it in &d.items {
            let title_w = width.saturating_sub(38).max(6);
            out.push(Line::raw(format!(
                "  {} 货号{} {} {} ×{} {}",
                cell(&it.title, title_w),
                cell(&it.sku, 6),
                cell(&it.color, 6),
                cell(&it.size, 4),
                it.qty,
                format_yuan(it.price_fen)
            )));
        }
        if !d.buyer_message.is_empty() {
            out.push(Line::styled("买家留言", head));
            out.extend(
                wrap(&d.buyer_message, width.saturating_sub(2)).into_iter().map(|l| Line::raw(format!("  {l}"))),
            );
        }
        out.push(Line::styled("备注", head));
        if !d.platform_memo.is_empty() {
            out.push(Line::raw(format!("  (平台) {}", safe(&d.platform_memo))));
        }
        if d.memos.is_empty() && d.platform_memo.is_empty() {
            out.push(Line::styled("  (无)", dim));
        }
        for m in &d.memos {
            for l in wrap(&m.text, width.saturating_sub(2)) {
                out.push(Line::raw(format!("  {l}")));
            }
        }
        out.push(Line::styled("售后", head));
        if self.data.refunds.is_empty() && self.data.cases.is_empty() {
            out.push(Line::styled("  (无)", dim));
        }
        for r in &self.data.refunds {
            out.push(Line::raw(format!(
                "  退款 {} {} {} {}",
                safe(&r.refund_no),
                format_yuan(r.amount_fen),
                r.state.short_label(),
                safe(&r.reason)
            )));
        }
        for c in &self.data.cases {
            out.push(Line::raw(format!("  {} {}", c.kind.label(), c.state.label())));
        }
        out
    }

    /// Draws the detail in `area`; a scrollbar on `frame`'s right border when it
    /// does not fit.
    pub(crate) fn draw(&self, f: &mut Frame, area: Rect, frame: Rect, ui: &Ui) {
        let lines = self.lines(area.width as usize, ui.now, ui);
        let max = lines.len().saturating_sub(area.height as usize) as u16;
        let top = self.scroll.min(max);
        let total = lines.len();
        f.render_widget(Paragraph::new(lines).scroll((top, 0)), area);
        scrollbar(f, frame, area, total, top as usize, ui);
    }
}
