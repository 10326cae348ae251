//! The after-sales log as supervisors read it: every event, newest first, with shop
//! time, seat, agent, order, case and a readable line ([`super::describe`]).
//!
//! [`page`] reads one keyset page (`Store::log_page`) and adds what the events alone do
//! not say: for each refund or case on the page its whole history is replayed once
//! ([`super::history`]) to give every event its "before → after" and conflicts; a flag
//! change gets the order's previous flag; a reply its code.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::describe::{Context, describe};
use super::{Cell, ReportTable, shop_time_text};
use crate::domain::event::EventBody;
use crate::store::audit::{LogCursor, LogFilter};
use crate::store::fold::{EntityEvent, replay_case, replay_refund};
use crate::store::{EventRow, Result, Store};

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub id: String,
    pub seat: String,
    pub seq: i64,
    pub agent: String,
    /// Its place in the log, UTC, as stored (RFC 3339, ms): pages go by this.
    pub at: String,
    /// When it was done on its seat's clock, shop time, `2026-06-28 10:05:03`.
    pub shop_time: String,
    pub kind: String,
    /// The order, from the event or from its refund/case.
    pub order_no: Option<String>,
    /// Refund number or case id.
    pub case_key: Option<String>,
    pub line: String,
    /// Replay found the event no longer legal (kept, changed nothing).
    pub conflict: bool,
    /// The body's JSON as stored.
    #[serde(skip)]
    pub payload: String,
}

impl LogEntry {
    /// Where the next page starts.
    pub fn cursor(&self) -> LogCursor {
        LogCursor { at: self.at.clone(), seat: self.seat.clone(), seq: self.seq }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "seat": self.seat,
            "seq": self.seq,
            "agent": self.agent,
            "at": self.at,
            "shop_time": self.shop_time,
            "kind": self.kind,
            "order_no": self.order_no,
            "case_key": self.case_key,
            "line": self.line,
            "conflict": self.conflict,
            "payload": serde_json::from_str::<Value>(&self.payload).unwrap_or(Value::Null),
        })
    }
}

/// A page of the log after `after` (or from the newest), described.
pub fn page(store: &Store, filter: &LogFilter, after: Option<&LogCursor>, limit: usize) -> Result<Vec<LogEntry>> {
    let rows = store.log_page(filter, after, limit)?;
    entries(store, &rows)
}

/// One refund's or case's history, oldest first, for a view that already names it:
/// the lines drop the leading `退款 <number>` the log needs when it lists everything,
/// so a narrow column shows what happened.
pub fn case_entries(store: &Store, case_key: &str) -> Result<Vec<LogEntry>> {
    let mut out = entries(store, &store.case_timeline(case_key)?)?;
    let subject = format!("退款 {case_key}");
    for e in &mut out {
        if let Some(rest) = e.line.strip_prefix(&subject) {
            e.line = rest.trim_start_matches([':', ' ']).to_string();
        }
    }
    Ok(out)
}

/// Describes rows read from the log (any order; the output keeps it).
pub fn entries(store: &Store, rows: &[EventRow]) -> Result<Vec<LogEntry>> {
    let mut ctx: HashMap<String, Context> = HashMap::new();
    let mut case_order: HashMap<String, String> = HashMap::new();
    // Refunds and cases: replay each one on the page once.
    let mut keys: Vec<&str> = rows
        .iter()
        .filter(|r| r.kind.starts_with("refund_") || r.kind.starts_with("case_"))
        .filter_map(|r| r.case_key.as_deref())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let events = EntityEvent::parse_all(&store.case_timeline(key)?);
        let is_refund = events.iter().any(|e| {
            matches!(
                e.body,
                EventBody::RefundOpened { .. } | EventBody::RefundSynced { .. } | EventBody::RefundActed { .. }
            )
        });
        if is_refund {
            let replay = replay_refund(key, &events);
            for s in replay.steps {
                let step = step_context(s.before.map(|b| b.label()), s.after.map(|a| a.label()), s.conflict);
                ctx.insert(s.event_id, step);
            }
            if let Some(r) = replay.refund {
                case_order.insert(key.to_string(), r.order_no);
            }
        } else {
            let replay = replay_case(key, &events);
            let kind = replay.case.as_ref().map(|c| c.kind);
            for s in replay.steps {
                let step = step_context(s.before.map(|b| b.label()), s.after.map(|a| a.label()), s.conflict);
                ctx.insert(s.event_id, Context { case_kind: kind, ..step });
            }
            if let Some(c) = replay.case {
                case_order.insert(key.to_string(), c.order_no);
            }
        }
    }
    // Flags: the order's previous flag set in kefu, in log order.
    let mut flag_orders: Vec<&str> =
        rows.iter().filter(|r| r.kind == "flag_set").filter_map(|r| r.order_no.as_deref()).collect();
    flag_orders.sort_unstable();
    flag_orders.dedup();
    for order_no in flag_orders {
        let mut prev: Option<String> = None;
        for e in store.order_timeline(order_no)?.iter().filter(|e| e.kind == "flag_set") {
            if let Ok(EventBody::FlagSet { flag, .. }) = serde_json::from_str(&e.payload) {
                ctx.entry(e.id.clone()).or_default().before = prev.clone();
                prev = Some(flag.label().to_string());
            }
        }
    }
    // Replies: their code.
    let mut codes: HashMap<String, Option<String>> = HashMap::new();
    for r in rows.iter().filter(|r| r.kind == "reply_used" || r.kind == "reply_deleted") {
        if let Ok(EventBody::ReplyUsed { reply_id, .. } | EventBody::ReplyDeleted { reply_id }) =
            serde_json::from_str(&r.payload)
        {
            if !codes.contains_key(&reply_id) {
                let code = store.reply_code(&reply_id)?;
                codes.insert(reply_id.clone(), code);
            }
            ctx.entry(r.id.clone()).or_default().reply_code = codes[&reply_id].clone();
        }
    }
    let out = rows
        .iter()
        .map(|r| {
            let c = ctx.remove(&r.id).unwrap_or_default();
            let line = match serde_json::from_str::<EventBody>(&r.payload) {
                Ok(body) => describe(&body, &c),
                Err(_) => format!("(内容无法解析:{})", r.kind),
            };
            LogEntry {
                id: r.id.clone(),
                seat: r.seat.clone(),
                seq: r.seq,
                agent: r.agent.clone(),
                at: r.at.clone(),
                shop_time: shop_time_text(&r.wall),
                kind: r.kind.clone(),
                order_no: r.order_no.clone().or_else(|| r.case_key.as_ref().and_then(|k| case_order.get(k).cloned())),
                case_key: r.case_key.clone(),
                line,
                conflict: c.conflict.is_some(),
                payload: r.payload.clone(),
            }
        })
        .collect();
    Ok(out)
}

/// The log as a table (time, seat, agent, order, case, what happened).
pub fn table(entries: &[LogEntry]) -> ReportTable {
    let mut t = ReportTable::new(
        "日志",
        &[
            ("time", "时间"),
            ("seat", "席位"),
            ("agent", "客服"),
            ("order_no", "订单"),
            ("case_key", "售后单"),
            ("line", "内容"),
        ],
    );
    for e in entries {
        t.push(vec![
            Cell::text(&e.shop_time),
            Cell::text(&e.seat),
            Cell::text(&e.agent),
            Cell::opt_text(e.order_no.clone()).code_if_text(),
            Cell::opt_text(e.case_key.as_deref().map(short_key)).code_if_text(),
            Cell::text(&e.line),
        ]);
    }
    t
}

/// A refund number as is; a case id (a UUID) by its last 8 characters.
pub fn short_key(key: &str) -> String {
    if key.len() == 36 && key.chars().filter(|c| *c == '-').count() == 4 {
        key[key.len() - 8..].to_string()
    } else {
        key.to_string()
    }
}

impl Cell {
    fn code_if_text(self) -> Cell {
        match self {
            Cell::Text(s) => Cell::Code(s),
            other => other,
        }
    }
}

/// What one step of a refund's or case's replay says about its event.
fn step_context(before: Option<&str>, after: Option<&str>, conflict: Option<String>) -> Context {
    Context { before: before.map(str::to_string), after: after.map(str::to_string), conflict, ..Default::default() }
}
