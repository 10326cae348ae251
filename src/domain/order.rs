//! Orders as the platform describes them: status codes, labels, and the record an
//! export row (or the demo generator) becomes.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::flag::Flag;

const FULL_REFUND: &str = "已全额退款";

/// What refunds did to an order: `已全额退款` when everything paid came back, `部分退款`
/// when some did, None when nothing did.
pub fn refund_mark(amount_fen: i64, refunded_fen: i64) -> Option<&'static str> {
    if refunded_fen <= 0 {
        None
    } else if amount_fen > 0 && refunded_fen >= amount_fen {
        Some(FULL_REFUND)
    } else {
        Some("部分退款")
    }
}

/// The platform's order states (Taobao Open Platform `trade.status`), and `Unknown`:
/// a status text an export carried that kefu cannot map, or a code from a newer kefu.
/// Such an order is kept (never dropped), its raw text beside it (`status_text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    WaitBuyerPay,
    WaitSellerSendGoods,
    SellerConsignedPart,
    WaitBuyerConfirmGoods,
    TradeBuyerSigned,
    TradeFinished,
    TradeClosed,
    TradeClosedByTaobao,
    TradeNoCreatePay,
    Unknown,
}

impl OrderStatus {
    /// Every status the platform defines (not `Unknown`).
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::WaitBuyerPay,
        OrderStatus::WaitSellerSendGoods,
        OrderStatus::SellerConsignedPart,
        OrderStatus::WaitBuyerConfirmGoods,
        OrderStatus::TradeBuyerSigned,
        OrderStatus::TradeFinished,
        OrderStatus::TradeClosed,
        OrderStatus::TradeClosedByTaobao,
        OrderStatus::TradeNoCreatePay,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            OrderStatus::WaitSellerSendGoods => "WAIT_SELLER_SEND_GOODS",
            OrderStatus::SellerConsignedPart => "SELLER_CONSIGNED_PART",
            OrderStatus::WaitBuyerConfirmGoods => "WAIT_BUYER_CONFIRM_GOODS",
            OrderStatus::TradeBuyerSigned => "TRADE_BUYER_SIGNED",
            OrderStatus::TradeFinished => "TRADE_FINISHED",
            OrderStatus::TradeClosed => "TRADE_CLOSED",
            OrderStatus::TradeClosedByTaobao => "TRADE_CLOSED_BY_TAOBAO",
            OrderStatus::TradeNoCreatePay => "TRADE_NO_CREATE_PAY",
            OrderStatus::Unknown => "UNKNOWN",
        }
    }

    /// The label the seller centre shows (and exports).
    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::WaitBuyerPay => "等待买家付款",
            OrderStatus::WaitSellerSendGoods => "买家已付款,等待卖家发货",
            OrderStatus::SellerConsignedPart => "卖家部分发货",
            OrderStatus::WaitBuyerConfirmGoods => "卖家已发货,等待买家确认收货",
            OrderStatus::TradeBuyerSigned => "买家已签收",
            OrderStatus::TradeFinished => "交易成功",
            OrderStatus::TradeClosed => "交易关闭",
            OrderStatus::TradeClosedByTaobao => "付款以前,卖家或买家主动关闭交易",
            OrderStatus::TradeNoCreatePay => "没有创建支付宝交易",
            OrderStatus::Unknown => "未知状态",
        }
    }

    /// The label with what refunds did to the order (`卖家已发货,等待买家确认收货 · 已全额退款`):
    /// the platform's status stays as the export gave it; the refund is said beside it.
    pub fn label_with_refund(self, amount_fen: i64, refunded_fen: i64) -> String {
        match refund_mark(amount_fen, refunded_fen) {
            Some(m) => format!("{} · {m}", self.label()),
            None => self.label().to_string(),
        }
    }

    /// For narrow columns: a full refund replaces the status (`已全额退款`).
    pub fn short_label_with_refund(self, amount_fen: i64, refunded_fen: i64) -> &'static str {
        match refund_mark(amount_fen, refunded_fen) {
            Some(FULL_REFUND) => FULL_REFUND,
            _ => self.short_label(),
        }
    }

    /// A short label for narrow columns.
    pub fn short_label(self) -> &'static str {
        match self {
            OrderStatus::WaitBuyerPay => "待付款",
            OrderStatus::WaitSellerSendGoods => "待发货",
            OrderStatus::SellerConsignedPart => "部分发货",
            OrderStatus::WaitBuyerConfirmGoods => "已发货",
            OrderStatus::TradeBuyerSigned => "已签收",
            OrderStatus::TradeFinished => "交易成功",
            OrderStatus::TradeClosed => "已关闭",
            OrderStatus::TradeClosedByTaobao => "未付关闭",
            OrderStatus::TradeNoCreatePay => "未创建支付",
            OrderStatus::Unknown => "未知状态",
        }
    }

    /// A platform code (any case), or `UNKNOWN`.
    pub fn from_code(code: &str) -> Option<OrderStatus> {
        let code = code.trim();
        if code.eq_ignore_ascii_case(OrderStatus::Unknown.code()) {
            return Some(OrderStatus::Unknown);
        }
        OrderStatus::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(code))
    }

    /// A code as the store or an event holds it: one this kefu does not know (a newer
    /// kefu's) is `Unknown`, never an error.
    pub fn from_stored(code: &str) -> OrderStatus {
        OrderStatus::from_code(code).unwrap_or(OrderStatus::Unknown)
    }

    /// Maps the Chinese status text of an export (full-width or ASCII commas, stray
    /// spaces) or a platform code to a status.
    pub fn parse(text: &str) -> Option<OrderStatus> {
        if let Some(s) = OrderStatus::from_code(text) {
            return Some(s);
        }
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                ',' | '，' | '、' => ',',
                other => other,
            })
            .collect();
        let s = match t.as_str() {
            "等待买家付款" | "等待买家确认货到付款订单信息" => OrderStatus::WaitBuyerPay,
            "买家已付款,等待卖家发货" | "买家已确认,等待卖家发货" | "等待卖家发货" | "买家已付款" => {
                OrderStatus::WaitSellerSendGoods
            }
            "卖家部分发货" | "部分发货" => OrderStatus::SellerConsignedPart,
            "卖家已发货,等待买家确认"
            | "卖家已发货,等待买家确认收货"
            | "卖家已发货,等待买家确认收货并付款"
            | "卖家已发货"
            | "等待买家确认收货" => OrderStatus::WaitBuyerConfirmGoods,
            "买家已签收" | "已签收" => OrderStatus::TradeBuyerSigned,
            "交易成功" | "交易完成" => OrderStatus::TradeFinished,
            "交易关闭" => OrderStatus::TradeClosed,
            "付款以前,卖家或买家主动关闭交易" | "交易被淘宝关闭" => {
                OrderStatus::TradeClosedByTaobao
            }
            "没有创建支付宝交易" => OrderStatus::TradeNoCreatePay,
            _ => return None,
        };
        Some(s)
    }

    /// Paid and (at least partly) not yet shipped: the shipping promise runs.
    pub fn awaits_shipment(self) -> bool {
        matches!(self, OrderStatus::WaitSellerSendGoods | OrderStatus::SellerConsignedPart)
    }
}

/// One item line of an order (from the detail export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrderItem {
    pub title: String,
    /// 货号 / 商家编码.
    pub sku: String,
    pub color: String,
    pub size: String,
    pub qty: u32,
    pub price_fen: i64,
}

/// What the platform knows about an order: everything an export row carries. Local
/// work (memo lines, flag, cases) lives elsewhere and is never overwritten by this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OrderRecord {
    pub order_no: String,
    pub buyer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer_alipay: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub receiver_address: String,
    pub status: OrderStatusField,
    /// The 订单状态 text of the export as it was (cleaned), whether or not kefu maps it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status_text: String,
    /// 主订单编号 when the export gives one other than the order's own number: the
    /// parent of a split or combined order.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub parent_no: String,
    /// 买家实际支付金额, in fen.
    pub amount_fen: i64,
    /// 买家应付邮费, in fen.
    pub postage_fen: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped_at: Option<NaiveDateTime>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer_message: String,
    /// 订单备注 as exported by the platform (the seller memo written in the seller centre).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub platform_memo: String,
    /// The platform's flag, when the export carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_flag: Option<Flag>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub courier: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tracking_no: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shop_name: String,
    /// 宝贝标题 as the order list shows it.
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<OrderItem>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refund_fen: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub close_reason: String,
}

impl OrderRecord {
    /// The status the queue ranks the order by. A known status is itself; an unknown
    /// one is read from the facts the export does carry, so an order the platform
    /// describes in words kefu has not seen cannot hide a paid, unshipped order: shipped
    /// (a ship time or a tracking number) ranks as shipped, else paid (a pay time) as
    /// awaiting shipment (its promise runs), else as awaiting payment.
    pub fn queue_status(&self) -> OrderStatus {
        match self.status.0 {
            OrderStatus::Unknown if self.shipped_at.is_some() || !self.tracking_no.is_empty() => {
                OrderStatus::WaitBuyerConfirmGoods
            }
            OrderStatus::Unknown if self.paid_at.is_some() => OrderStatus::WaitSellerSendGoods,
            OrderStatus::Unknown => OrderStatus::WaitBuyerPay,
            known => known,
        }
    }
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// An order's status as events and the store carry it: the platform's code string.
/// A code this kefu does not know (a newer kefu's) reads as `Unknown` and is kept as it
/// was, so it is written back unchanged and never makes an event unreadable. `Default`
/// lets records be built field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatusField(pub OrderStatus, Option<Box<str>>);

impl OrderStatusField {
    /// From a stored or synced code; an unknown code is kept.
    pub fn from_code(code: &str) -> OrderStatusField {
        match OrderStatus::from_code(code) {
            Some(s) => OrderStatusField(s, None),
            None => OrderStatusField(OrderStatus::Unknown, Some(code.into())),
        }
    }

    /// The code as it came (`UNKNOWN` for an unmapped export text).
    pub fn code(&self) -> &str {
        self.1.as_deref().unwrap_or(self.0.code())
    }
}

impl Default for OrderStatusField {
    fn default() -> Self {
        OrderStatusField(OrderStatus::WaitBuyerPay, None)
    }
}

impl From<OrderStatus> for OrderStatusField {
    fn from(s: OrderStatus) -> Self {
        OrderStatusField(s, None)
    }
}

impl Serialize for OrderStatusField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for OrderStatusField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(OrderStatusField::from_code(&code))
    }
}

/// Masks a phone for display: `13812341234` → `138****1234`.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() < 7 {
        return "*".repeat(digits.len());
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refund_is_said_beside_the_platforms_status() {
        let s = OrderStatus::WaitBuyerConfirmGoods;
        assert_eq!(s.label_with_refund(8800, 8800), "卖家已发货,等待买家确认收货 · 已全额退款");
        assert_eq!(s.label_with_refund(8800, 3000), "卖家已发货,等待买家确认收货 · 部分退款");
        assert_eq!(s.label_with_refund(8800, 0), s.label());
        assert_eq!(s.short_label_with_refund(8800, 8800), "已全额退款");
        assert_eq!(s.short_label_with_refund(8800, 100), "已发货");
    }

    use super::*;

    #[test]
    fn every_code_and_label_round_trips() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(s.code()), Some(s));
            assert_eq!(OrderStatus::parse(s.label()), Some(s), "{}", s.label());
            assert_eq!(OrderStatus::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn export_texts_with_either_comma_map() {
        assert_eq!(OrderStatus::parse("买家已付款，等待卖家发货"), Some(OrderStatus::WaitSellerSendGoods));
        assert_eq!(OrderStatus::parse(" 买家已付款,等待卖家发货 "), Some(OrderStatus::WaitSellerSendGoods));
        assert_eq!(OrderStatus::parse("卖家已发货，等待买家确认收货"), Some(OrderStatus::WaitBuyerConfirmGoods));
        assert_eq!(OrderStatus::parse("交易成功"), Some(OrderStatus::TradeFinished));
        assert_eq!(OrderStatus::parse("wait_seller_send_goods"), Some(OrderStatus::WaitSellerSendGoods));
        assert_eq!(OrderStatus::parse("发货中吧"), None);
        assert_eq!(OrderStatus::parse(""), None);
    }

    #[test]
    fn every_status_text_of_the_exports_maps_to_its_code() {
        let cases = [
            ("等待买家付款", "WAIT_BUYER_PAY"),
            ("等待买家确认货到付款订单信息", "WAIT_BUYER_PAY"),
            ("买家已付款，等待卖家发货", "WAIT_SELLER_SEND_GOODS"),
            ("买家已确认,等待卖家发货", "WAIT_SELLER_SEND_GOODS"),
            ("卖家部分发货", "SELLER_CONSIGNED_PART"),
            ("卖家已发货，等待买家确认", "WAIT_BUYER_CONFIRM_GOODS"),
            ("卖家已发货，等待买家确认收货", "WAIT_BUYER_CONFIRM_GOODS"),
            ("卖家已发货，等待买家确认收货并付款", "WAIT_BUYER_CONFIRM_GOODS"),
            ("买家已签收", "TRADE_BUYER_SIGNED"),
            ("已签收", "TRADE_BUYER_SIGNED"),
            ("交易成功", "TRADE_FINISHED"),
            ("交易关闭", "TRADE_CLOSED"),
            ("付款以前，卖家或买家主动关闭交易", "TRADE_CLOSED_BY_TAOBAO"),
            ("交易被淘宝关闭", "TRADE_CLOSED_BY_TAOBAO"),
            ("没有创建支付宝交易", "TRADE_NO_CREATE_PAY"),
        ];
        for (text, code) in cases {
            for t in [text.to_string(), text.replace('，', ","), format!(" {} ", text.replace('，', " ， "))] {
                assert_eq!(OrderStatus::parse(&t).map(|s| s.code()), Some(code), "{t:?}");
            }
        }
    }

    #[test]
    fn a_code_this_kefu_does_not_know_is_kept_as_it_came() {
        for code in ["TRADE_SOMETHING_NEW", "UNKNOWN"] {
            let json = format!("\"{code}\"");
            let f: OrderStatusField = serde_json::from_str(&json).unwrap();
            assert_eq!(f.0, OrderStatus::Unknown);
            assert_eq!(f.code(), code);
            assert_eq!(serde_json::to_string(&f).unwrap(), json);
        }
        let f: OrderStatusField = serde_json::from_str("\"TRADE_FINISHED\"").unwrap();
        assert_eq!(f, OrderStatus::TradeFinished.into());
        assert_eq!(OrderStatus::from_stored("TRADE_SOMETHING_NEW"), OrderStatus::Unknown);
    }

    #[test]
    fn an_unknown_status_ranks_by_times_and_tracking() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 6, 28).and_then(|d| d.and_hms_opt(10, 0, 0));
        let mut o = OrderRecord { status: OrderStatus::Unknown.into(), ..Default::default() };
        assert_eq!(o.queue_status(), OrderStatus::WaitBuyerPay);
        o.paid_at = t;
        assert_eq!(o.queue_status(), OrderStatus::WaitSellerSendGoods, "paid, not shipped: the promise runs");
        o.tracking_no = "888090781867".into();
        assert_eq!(o.queue_status(), OrderStatus::WaitBuyerConfirmGoods);
        o.tracking_no.clear();
        o.shipped_at = t;
        assert_eq!(o.queue_status(), OrderStatus::WaitBuyerConfirmGoods);
        o.status = OrderStatus::TradeFinished.into();
        assert_eq!(o.queue_status(), OrderStatus::TradeFinished, "a known status is itself");
    }

    #[test]
    fn only_paid_unshipped_orders_await_shipment() {
        let waiting: Vec<_> = OrderStatus::ALL.into_iter().filter(|s| s.awaits_shipment()).collect();
        assert_eq!(waiting, vec![OrderStatus::WaitSellerSendGoods, OrderStatus::SellerConsignedPart]);
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_phone(""), "");
    }
}
