//! Applying one event to the tables. Order-independent where it can be (platform
//! facts, flags, replies and settings: last writer by event key wins; memo lines,
//! contacts and uses: append), and replayed per entity where order matters (refunds
//! and cases), so any seat that has the same events has the same tables.

use rusqlite::{CachedStatement, Transaction, params};

use super::deferred::{Deferred, MemoLineRow};
use super::error::{Result, StoreError};
use super::replay;
use super::{Times, event_key};
use crate::domain::event::{Event, EventBody, format_at};
use crate::domain::order::OrderRecord;
use crate::domain::promise::{QueueRank, ShippingPromise};
use crate::domain::setting::SettingKey;
use crate::domain::timefmt::format_datetime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A change made here and now: a broken rule is an error.
    Strict,
    /// Replaying or importing: a broken rule becomes a conflict.
    Replay,
}

/// Applies `e` (its times as stored). Last-writer-wins goes by `at` (`event_key`); the
/// times kept for people to read (a memo line's, a reply use's) are the wall time. Its
/// marks on an order (latest memo, flag) and its memo line go into `deferred`, for the
/// caller to write (`Deferred::flush`) before anything reads them.
pub(super) fn apply(
    tx: &Transaction<'_>,
    deferred: &mut Deferred,
    e: &Event,
    times: Times<'_>,
    body: &EventBody,
    mode: Mode,
) -> Result<()> {
    let key = event_key(times.at, &e.seat, e.seq);
    let at = times.shown();
    match body {
        EventBody::OrdersUpserted { orders, .. } => {
            let mut stmts = OrderStatements::new(tx)?;
            for o in orders {
                upsert_order(&mut stmts, o, &key)?;
            }
        }
        EventBody::MemoAdded { order_no, text, memo_kind } => {
            if mode == Mode::Strict {
                require_order(tx, order_no, mode)?;
            }
            deferred.memo(order_no, &key, text);
            let row = MemoLineRow {
                event_id: e.id.clone(),
                order_no: order_no.clone(),
                event_key: key,
                at: at.to_string(),
                seat: e.seat.clone(),
                agent: e.agent.clone(),
                kind: memo_kind.code(),
                text: text.clone(),
            };
            deferred.memo_line(tx, row)?;
        }
        EventBody::FlagSet { order_no, flag } => {
            if mode == Mode::Strict {
                require_order(tx, order_no, mode)?;
            }
            deferred.flag(order_no, &key, i64::from(flag.number()));
        }
        EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => {
            // A refund export often names orders that were never imported.
            require_order(tx, &refund.order_no, Mode::Replay)?;
            replay::reproject_refund(tx, &refund.refund_no, strict_event(mode, e))?;
        }
        EventBody::RefundActed { refund_no, .. } => {
            replay::reproject_refund(tx, refund_no, strict_event(mode, e))?;
        }
        EventBody::CaseOpened { case_id, order_no, .. } => {
            require_order(tx, order_no, mode)?;
            replay::reproject_case(tx, case_id, strict_event(mode, e))?;
        }
        EventBody::CaseActed { case_id, .. }
        | EventBody::CaseRegistered { case_id, .. }
        | EventBody::CaseDetailEdited { case_id, .. }
        | EventBody::CaseContacted { case_id, .. } => {
            replay::reproject_case(tx, case_id, strict_event(mode, e))?;
        }
        EventBody::ReplySaved { reply_id, code, text, group } => {
            reply_version(tx, e, &key, reply_id, Some((code, text, group)))?;
        }
        EventBody::ReplyDeleted { reply_id } => {
            if mode == Mode::Strict {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM replies WHERE reply_id = ? AND deleted = 0)",
                    [reply_id],
                    |r| r.get(0),
                )?;
                if !exists {
                    return Err(StoreError::NotFound { what: "快捷回复", key: reply_id.clone() });
                }
            }
            reply_version(tx, e, &key, reply_id, None)?;
        }
        EventBody::ReplyUsed { reply_id, order_no } => {
            tx.prepare_cached(
                "INSERT INTO reply_uses (event_id, reply_id, order_no, agent, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![e.id, reply_id, order_no, e.agent, at])?;
        }
        EventBody::ConflictResolved { event_id, note } => {
            if mode == Mode::Strict {
                let known: bool =
                    tx.query_row("SELECT EXISTS (SELECT 1 FROM conflicts WHERE event_id = ?)", [event_id], |r| {
                        r.get(0)
                    })?;
                if !known {
                    return Err(StoreError::NotFound { what: "冲突", key: event_id.clone() });
                }
            }
            tx.execute(
                "INSERT INTO conflict_resolutions (event_id, resolved_by_event, note, agent, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![event_id, e.id, note, e.agent, at],
            )?;
        }
        EventBody::SettingSet { key: name, value } => {
            let changed = tx.execute(
                "INSERT INTO settings (key, value, event_key) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value, event_key = excluded.event_key \
                 WHERE excluded.event_key > settings.event_key",
                params![name, value, key],
            )?;
            if changed > 0 && name == SettingKey::Cutoff.code() {
                rerank_awaiting_shipment(tx)?;
            }
        }
    }
    Ok(())
}

fn strict_event(mode: Mode, e: &Event) -> Option<&str> {
    (mode == Mode::Strict).then_some(e.id.as_str())
}

/// The order's row, or a placeholder for it (an order not seen yet while replaying).
/// Returns whether it made one.
pub(super) fn require_placeholder(tx: &Transaction<'_>, order_no: &str) -> Result<bool> {
    require_order(tx, order_no, Mode::Replay)
}

/// Local work on an order needs the order. While replaying, an order not seen yet
/// gets a placeholder row (status unknown) that its platform facts fill in later.
/// Returns whether it made a placeholder.
fn require_order(tx: &Transaction<'_>, order_no: &str, mode: Mode) -> Result<bool> {
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM orders WHERE order_no = ?)")?
        .query_row([order_no], |r| r.get(0))?;
    if exists {
        return Ok(false);
    }
    if mode == Mode::Strict {
        return Err(StoreError::NotFound { what: "订单", key: order_no.to_string() });
    }
    tx.execute(
        "INSERT INTO orders (order_no, order_rev, status, platform_key, qrank, qkey) VALUES (?1, ?3, '', '', ?2, '')",
        params![order_no, QueueRank::Done as i64, order_no.chars().rev().collect::<String>()],
    )?;
    Ok(true)
}

/// The statements an order's platform facts need, taken from the statement cache once
/// per event: a lookup hashes and compares the whole SQL text, and an event holds up
/// to 2,000 orders.
struct OrderStatements<'t> {
    tx: &'t Transaction<'t>,
    /// The shop's promise (its same-day cutoff), read once per event.
    promise: ShippingPromise,
    upsert: CachedStatement<'t>,
    clear_items: CachedStatement<'t>,
    insert_item: CachedStatement<'t>,
}

impl<'t> OrderStatements<'t> {
    fn new(tx: &'t Transaction<'t>) -> Result<OrderStatements<'t>> {
        Ok(OrderStatements {
            tx,
            promise: super::shop::read_settings(tx)?.0.promise(),
            upsert: tx.prepare_cached(UPSERT_ORDER)?,
            clear_items: tx.prepare_cached("DELETE FROM order_items WHERE order_no = ?")?,
            insert_item: tx.prepare_cached(
                "INSERT INTO order_items (order_no, line, title, sku, color, size, qty, price_fen) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
        })
    }
}

/// An order's platform facts, replacing those of an older event (`platform_key`); local
/// work (the local flag, memos, refund counts) stays.
const UPSERT_ORDER: &str = "INSERT INTO orders (order_no, order_rev, buyer, buyer_alipay, receiver_name, receiver_phone, phone_tail, receiver_address, \
               status, amount_fen, postage_fen, refund_fen, created_at, paid_at, shipped_at, ship_by, buyer_message, \
               platform_memo, platform_flag, courier, tracking_no, shop_name, title, close_reason, platform_key, flag, \
               qrank, qkey, open_refunds, status_text, parent_no) \
             VALUES (?1, ?27, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, \
               ?22, ?23, ?24, COALESCE(?18, 0), ?25, ?26, 0, ?28, ?29) \
             ON CONFLICT(order_no) DO UPDATE SET buyer = excluded.buyer, buyer_alipay = excluded.buyer_alipay, \
               receiver_name = excluded.receiver_name, receiver_phone = excluded.receiver_phone, \
               phone_tail = excluded.phone_tail, receiver_address = excluded.receiver_address, status = excluded.status, \
               status_text = excluded.status_text, parent_no = excluded.parent_no, \
               amount_fen = excluded.amount_fen, postage_fen = excluded.postage_fen, refund_fen = excluded.refund_fen, \
               created_at = excluded.created_at, paid_at = excluded.paid_at, shipped_at = excluded.shipped_at, \
               ship_by = excluded.ship_by, buyer_message = excluded.buyer_message, \
               platform_memo = excluded.platform_memo, platform_flag = excluded.platform_flag, \
               courier = excluded.courier, tracking_no = excluded.tracking_no, shop_name = excluded.shop_name, \
               title = excluded.title, close_reason = excluded.close_reason, platform_key = excluded.platform_key, \
               flag = COALESCE(orders.local_flag, excluded.platform_flag, 0), qrank = excluded.qrank, qkey = excluded.qkey \
             WHERE excluded.platform_key > orders.platform_key";

fn upsert_order(stmts: &mut OrderStatements<'_>, o: &OrderRecord, key: &str) -> Result<()> {
    // An unknown status ranks by what the times and tracking say (`queue_status`).
    let status = o.queue_status();
    let ship_by = stmts.promise.ship_by_for(status, o.paid_at);
    let rank = QueueRank::of(status);
    let qkey = match rank {
        QueueRank::AwaitingShipment => ship_by.map(format_datetime),
        QueueRank::Unpaid => o.created_at.map(format_datetime),
        _ => o.paid_at.or(o.created_at).map(format_datetime),
    }
    .unwrap_or_default();
    let phone_tail: String = {
        let digits: Vec<char> = o.receiver_phone.chars().filter(|c| c.is_ascii_digit()).collect();
        digits[digits.len().saturating_sub(4)..].iter().collect()
    };
    let rowid_before = stmts.tx.last_insert_rowid();
    let changed = stmts.upsert.execute(params![
        o.order_no,
        o.buyer,
        o.buyer_alipay,
        o.receiver_name,
        o.receiver_phone,
        phone_tail,
        o.receiver_address,
        o.status.code(),
        o.amount_fen,
        o.postage_fen,
        o.refund_fen,
        o.created_at.map(format_datetime),
        o.paid_at.map(format_datetime),
        o.shipped_at.map(format_datetime),
        ship_by.map(format_datetime),
        o.buyer_message,
        o.platform_memo,
        o.platform_flag.map(|f| f.number()),
        o.courier,
        o.tracking_no,
        o.shop_name,
        o.title,
        o.close_reason,
        key,
        rank as i64,
        qkey,
        o.order_no.chars().rev().collect::<String>(),
        o.status_text,
        o.parent_no,
    ])?;
    if changed == 0 {
        return Ok(());
    }
    // An upsert that inserted sets a new last rowid; one that updated leaves it. A new
    // row has no items to clear: items are written only here, after their order's row,
    // and cleared only with it (rebuild). A first load skips a million empty deletes.
    let inserted = stmts.tx.last_insert_rowid() != rowid_before;
    if !inserted {
        stmts.clear_items.execute([&o.order_no])?;
    }
    for (i, it) in o.items.iter().enumerate() {
        stmts.insert_item.execute(params![
            o.order_no,
            i as i64 + 1,
            it.title,
            it.sku,
            it.color,
            it.size,
            it.qty,
            it.price_fen
        ])?;
    }
    Ok(())
}

/// The shop's same-day cutoff changed: every order still awaiting shipment gets its
/// ship-by time (its queue key) again under the cutoff now in force, so every seat that
/// has the same events ranks its queue alike, whichever order they arrived in. One
/// statement over the awaiting orders (`kefu_ship_by` is `ShippingPromise::ship_by`).
fn rerank_awaiting_shipment(tx: &Transaction<'_>) -> Result<()> {
    let cutoff = super::shop::read_settings(tx)?.0.value_text(SettingKey::Cutoff);
    tx.execute(
        "UPDATE orders SET ship_by = kefu_ship_by(paid_at, ?1), qkey = COALESCE(kefu_ship_by(paid_at, ?1), '') \
         WHERE qrank = ?2",
        params![cutoff, QueueRank::AwaitingShipment as i64],
    )?;
    Ok(())
}

/// A save (`Some(content)`) or a delete (`None`) of a reply. Every version stays in
/// the history; the table shows the latest content and the latest saved/deleted state.
fn reply_version(
    tx: &Transaction<'_>,
    e: &Event,
    key: &str,
    reply_id: &str,
    content: Option<(&String, &String, &String)>,
) -> Result<()> {
    let empty = String::new();
    let (code, text, group) = content.unwrap_or((&empty, &empty, &empty));
    let deleted = content.is_none();
    tx.prepare_cached(
        "INSERT INTO reply_history (event_id, reply_id, event_key, agent, code, text, grp, deleted) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![e.id, reply_id, key, e.agent, code, text, group, deleted])?;
    // A delete seen before any save leaves a row with no content (text_key '').
    tx.prepare_cached(
        "INSERT INTO replies (reply_id, code, text, grp, deleted, text_key, state_key, updated_at, updated_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?5 THEN '' ELSE ?6 END, ?6, ?7, ?8) \
         ON CONFLICT(reply_id) DO UPDATE SET \
           code = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN excluded.code ELSE replies.code END, \
           text = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN excluded.text ELSE replies.text END, \
           grp  = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN excluded.grp ELSE replies.grp END, \
           updated_at = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN excluded.updated_at ELSE replies.updated_at END, \
           updated_by = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN excluded.updated_by ELSE replies.updated_by END, \
           text_key = CASE WHEN NOT ?5 AND ?6 > replies.text_key THEN ?6 ELSE replies.text_key END, \
           deleted  = CASE WHEN ?6 > replies.state_key THEN ?5 ELSE replies.deleted END, \
           state_key = max(replies.state_key, ?6)",
    )?
    .execute(params![reply_id, code, text, group, deleted, key, format_at(e.wall_or_at()), e.agent])?;
    Ok(())
}
