//! What queries return: plain data, ready for the TUI, the CLI and reports.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::domain::case::{CaseDetail, CaseKind, CaseState, Registration};
use crate::domain::event::RefundRecord;
use crate::domain::flag::Flag;
use crate::domain::intervention::Intervention;
use crate::domain::order::{OrderItem, OrderStatus};
use crate::domain::refund::{RefundCase, RefundState};

/// One line of the order queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRow {
    pub order_no: String,
    pub buyer: String,
    pub receiver_name: String,
    /// None for an order known only from local work (not imported yet).
    pub status: Option<OrderStatus>,
    pub title: String,
    pub paid_at: Option<NaiveDateTime>,
    pub ship_by: Option<NaiveDateTime>,
    pub flag: Flag,
    pub memo_last: String,
    pub courier: String,
    pub tracking_no: String,
    pub amount_fen: i64,
    pub open_refunds: i64,
    /// Refunded to the buyer so far (refunds that succeeded, or the export's 退款金额).
    pub refunded_fen: i64,
    /// The export's 订单状态 text as it was (what an `Unknown` status said).
    pub status_text: String,
    #[serde(skip)]
    pub cursor: QueueCursor,
}

/// Keyset position in the queue (never OFFSET).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueCursor {
    pub qrank: i64,
    pub qkey: String,
    pub order_no: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoRow {
    pub event_id: String,
    pub at: String,
    pub seat: String,
    pub agent: String,
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderDetail {
    pub order_no: String,
    pub buyer: String,
    pub buyer_alipay: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub receiver_address: String,
    pub status: Option<OrderStatus>,
    /// The export's 订单状态 text as it was.
    pub status_text: String,
    pub amount_fen: i64,
    pub postage_fen: i64,
    pub refund_fen: i64,
    pub created_at: Option<NaiveDateTime>,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub ship_by: Option<NaiveDateTime>,
    pub buyer_message: String,
    pub platform_memo: String,
    pub courier: String,
    pub tracking_no: String,
    pub shop_name: String,
    pub title: String,
    pub close_reason: String,
    pub flag: Flag,
    pub items: Vec<OrderItem>,
    pub memos: Vec<MemoRow>,
}

/// A refund case as stored: the platform's record plus what the seats did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundRow {
    pub refund_no: String,
    pub order_no: String,
    pub amount_fen: i64,
    pub reason: String,
    pub buyer_desc: String,
    pub no_reason_7d: bool,
    pub needs_return: bool,
    pub shipped: bool,
    pub goods_status: String,
    pub phase: String,
    pub applied_at: Option<NaiveDateTime>,
    pub deadline: Option<NaiveDateTime>,
    pub state: RefundState,
    pub goods_received: bool,
    pub return_tracking_no: String,
    pub return_courier: String,
    pub seller_note: String,
    pub extended_days: u32,
    /// UTC event times (RFC 3339).
    pub opened_at: String,
    pub opened_by: String,
    pub first_action_at: Option<String>,
    pub first_action_by: Option<String>,
    pub handler: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    /// The export's 退款状态 text when kefu did not know it (`state` is `UNKNOWN`).
    pub state_text: String,
    /// The export's 货物状态 text when kefu did not know it (`goods_status` is `UNKNOWN`).
    pub goods_text: String,
    /// 客服介入状态, as the platform last said.
    pub intervention: Option<Intervention>,
    /// 举证超时: when the seller's evidence is due.
    pub evidence_deadline: Option<NaiveDateTime>,
}

impl RefundRow {
    pub fn case(&self) -> RefundCase {
        RefundCase {
            refund_no: self.refund_no.clone(),
            state: self.state,
            no_reason_7d: self.no_reason_7d,
            needs_return: self.needs_return,
            shipped: self.shipped,
            goods_received: self.goods_received,
            deadline: self.deadline,
            return_tracking_no: self.return_tracking_no.clone(),
            return_courier: self.return_courier.clone(),
            extended_days: self.extended_days,
        }
    }

    pub(crate) fn from_record(r: &RefundRecord, at: &str, agent: &str) -> RefundRow {
        RefundRow {
            refund_no: r.refund_no.clone(),
            order_no: r.order_no.clone(),
            amount_fen: r.amount_fen,
            reason: r.reason.clone(),
            buyer_desc: r.buyer_desc.clone(),
            no_reason_7d: r.no_reason_7d,
            needs_return: r.needs_return,
            shipped: r.shipped,
            goods_status: r.goods_status.code().to_string(),
            phase: r.phase.label().to_string(),
            applied_at: r.applied_at,
            deadline: r.deadline,
            state: r.state,
            goods_received: false,
            return_tracking_no: r.return_tracking_no.clone(),
            return_courier: r.return_courier.clone(),
            seller_note: r.seller_note.clone(),
            extended_days: 0,
            opened_at: at.to_string(),
            opened_by: agent.to_string(),
            first_action_at: None,
            first_action_by: None,
            handler: String::new(),
            updated_at: at.to_string(),
            closed_at: r.state.is_terminal().then(|| at.to_string()),
            state_text: r.state_text.clone(),
            goods_text: r.goods_text.clone(),
            intervention: r.intervention.clone(),
            evidence_deadline: r.evidence_deadline,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRow {
    pub event_id: String,
    pub date: NaiveDate,
    pub channel: String,
    pub progress: String,
    pub agent: String,
    pub seat: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub case_id: String,
    pub kind: CaseKind,
    pub order_no: String,
    pub state: CaseState,
    pub detail: CaseDetail,
    pub registration: Registration,
    pub opened_at: String,
    pub opened_by: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

/// A line of the log, for the timeline and the supervisors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRow {
    pub id: String,
    pub seat: String,
    pub seq: i64,
    pub agent: String,
    /// Its place in the log (UTC, RFC 3339 ms: a hybrid logical clock, see `Event::at`).
    pub at: String,
    pub kind: String,
    pub order_no: Option<String>,
    pub case_key: Option<String>,
    pub payload: String,
    /// When it was done on its seat's wall clock (UTC text; `at` for an older event):
    /// the time to show.
    pub wall: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictRow {
    pub event_id: String,
    pub case_key: String,
    pub reason: String,
    pub seat: String,
    pub agent: String,
    pub at: String,
    pub kind: String,
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyRow {
    pub reply_id: String,
    pub code: String,
    pub text: String,
    pub group: String,
    pub uses: u32,
    pub updated_at: String,
    pub updated_by: String,
}

/// One saved (or deleted) version of a reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyVersion {
    pub agent: String,
    pub code: String,
    pub text: String,
    pub group: String,
    pub deleted: bool,
}
