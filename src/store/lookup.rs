//! Reads inside a write transaction. An import compares what a file says with what the
//! store holds and records only the differences, all in one transaction: these let it
//! look things up on the transaction it is writing in, in batches.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::Writer;
use super::error::{Result, StoreError};
use crate::domain::event::{EventBody, RefundRecord};
use crate::domain::flag::Flag;
use crate::domain::order::{OrderItem, OrderRecord, OrderStatusField};
use crate::domain::timefmt::parse_datetime;

/// A live standard reply as the quick-phrase import matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveReply {
    pub reply_id: String,
    pub code: String,
    pub text: String,
    pub group: String,
}

impl Writer<'_> {
    /// The platform facts of each known order among `order_nos` (as `Store::platform_record`
    /// gives them), in one pass over the batch. Orders known only from local work (no
    /// platform status yet) are absent.
    pub fn platform_records(&self, order_nos: &[&str]) -> Result<HashMap<String, OrderRecord>> {
        platform_records(&self.tx, order_nos)
    }

    /// The refund as the platform (or the seat that opened it) last described it: the
    /// record of its latest `RefundOpened`/`RefundSynced` event. Local actions since do
    /// not show here, so an import can tell "the platform changed" from "we acted".
    pub fn last_refund_record(&self, refund_no: &str) -> Result<Option<RefundRecord>> {
        last_refund_record(&self.tx, refund_no)
    }

    /// Every live reply, oldest id first (so "the reply with this code" is stable).
    pub fn live_replies(&self) -> Result<Vec<LiveReply>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT reply_id, code, text, grp FROM replies WHERE deleted = 0 AND text_key <> '' ORDER BY reply_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LiveReply { reply_id: r.get(0)?, code: r.get(1)?, text: r.get(2)?, group: r.get(3)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl super::Store {
    /// The refund as the platform last described it (see `Writer::last_refund_record`):
    /// what the refund export said, its 客服介入状态 and 举证超时 and the texts kefu did
    /// not know included.
    pub fn refund_record(&self, refund_no: &str) -> Result<Option<RefundRecord>> {
        last_refund_record(&self.conn, refund_no)
    }
}

fn last_refund_record(conn: &Connection, refund_no: &str) -> Result<Option<RefundRecord>> {
    let payload: Option<String> = conn
        .prepare_cached(
            "SELECT payload FROM events WHERE case_key = ?1 AND kind IN ('refund_opened', 'refund_synced') \
             ORDER BY at DESC, seat DESC, seq DESC LIMIT 1",
        )?
        .query_row([refund_no], |r| r.get(0))
        .optional()?;
    let Some(payload) = payload else { return Ok(None) };
    match serde_json::from_str::<EventBody>(&payload)? {
        EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => Ok(Some(refund)),
        other => Err(StoreError::Corrupt(format!("退款 {refund_no} 的事件类型 {}", other.kind()))),
    }
}

fn platform_records(conn: &Connection, order_nos: &[&str]) -> Result<HashMap<String, OrderRecord>> {
    let mut out = HashMap::with_capacity(order_nos.len());
    if order_nos.is_empty() {
        return Ok(out);
    }
    let keys = serde_json::to_string(order_nos)?;
    let mut stmt = conn.prepare_cached(
        "SELECT order_no, buyer, buyer_alipay, receiver_name, receiver_phone, receiver_address, status, amount_fen, \
           postage_fen, refund_fen, created_at, paid_at, shipped_at, buyer_message, platform_memo, platform_flag, \
           courier, tracking_no, shop_name, title, close_reason, status_text, parent_no \
         FROM orders WHERE order_no IN (SELECT value FROM json_each(?1))",
    )?;
    let mut rows = stmt.query(params![keys])?;
    while let Some(r) = rows.next()? {
        // '' is an order known only from local work: it has no platform facts yet.
        let code: String = r.get(6)?;
        if code.is_empty() {
            continue;
        }
        let t =
            |i: usize| -> rusqlite::Result<_> { Ok(r.get::<_, Option<String>>(i)?.and_then(|s| parse_datetime(&s))) };
        let rec = OrderRecord {
            order_no: r.get(0)?,
            buyer: r.get(1)?,
            buyer_alipay: r.get(2)?,
            receiver_name: r.get(3)?,
            receiver_phone: r.get(4)?,
            receiver_address: r.get(5)?,
            status: OrderStatusField::from_code(&code),
            status_text: r.get(21)?,
            parent_no: r.get(22)?,
            amount_fen: r.get(7)?,
            postage_fen: r.get(8)?,
            refund_fen: r.get(9)?,
            created_at: t(10)?,
            paid_at: t(11)?,
            shipped_at: t(12)?,
            buyer_message: r.get(13)?,
            platform_memo: r.get(14)?,
            platform_flag: r.get::<_, Option<u8>>(15)?.and_then(Flag::from_number),
            courier: r.get(16)?,
            tracking_no: r.get(17)?,
            shop_name: r.get(18)?,
            title: r.get(19)?,
            close_reason: r.get(20)?,
            items: Vec::new(),
        };
        out.insert(rec.order_no.clone(), rec);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT order_no, title, sku, color, size, qty, price_fen FROM order_items \
         WHERE order_no IN (SELECT value FROM json_each(?1)) ORDER BY order_no, line",
    )?;
    let mut rows = stmt.query(params![keys])?;
    while let Some(r) = rows.next()? {
        let order_no: String = r.get(0)?;
        if let Some(rec) = out.get_mut(&order_no) {
            rec.items.push(OrderItem {
                title: r.get(1)?,
                sku: r.get(2)?,
                color: r.get(3)?,
                size: r.get(4)?,
                qty: r.get(5)?,
                price_fen: r.get(6)?,
            });
        }
    }
    Ok(out)
}
