//! Auditing the log: the hash-chain check behind `kefu log verify` (tamper evidence) and
//! filtered, keyset-paged reads of the whole log, newest first, for `kefu log` and the
//! TUI's log pane.
//!
//! What the chain proves: every seat writes its events with seq 1, 2, 3 … and each event
//! carries the hash of the one before, its own hash covering (id, seat, seq, agent, at,
//! kind, payload, prev_hash). Editing any of those by hand, or deleting an event in the
//! middle, breaks a link. Deleting a seat's *last* event breaks none, so each write also
//! moves the seat's head in `chain_heads` (migration 0002) and verification compares the
//! chain's end with it. Someone who rewrites the file wholesale (recomputes every hash and
//! the heads) is not caught locally: the other seats' copies and export files are the
//! witnesses for that.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::ToSql;
use serde::Serialize;

use super::Store;
use super::error::Result;
use super::log::{EVENT_COLS, event_row};
use super::rows::EventRow;
use crate::domain::event::{EventBody, event_hash, format_at};

/// Which events `Store::log_page` returns. Every filter that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Events strictly before this instant.
    pub until: Option<DateTime<Utc>>,
    pub agent: Option<String>,
    pub seat: Option<String>,
    /// One of `EventBody::KINDS`.
    pub kind: Option<String>,
    /// Events about this order: its own (memos, flags, cases opened, refunds recorded,
    /// replies used on it) and those of its refunds and cases. Platform imports
    /// (`orders_upserted`) carry many orders in one event and are not matched.
    pub order_no: Option<String>,
    /// Events of one refund (refund number) or case (case id).
    pub case_key: Option<String>,
}

/// A position in the log (newest first); the next page starts strictly after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogCursor {
    pub at: String,
    pub seat: String,
    pub seq: i64,
}

impl LogCursor {
    pub fn of(row: &EventRow) -> LogCursor {
        LogCursor { at: row.at.clone(), seat: row.seat.clone(), seq: row.seq }
    }
}

/// What `Store::verify_chains` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub events: u64,
    /// Every seat with events or a recorded head, by name.
    pub seats: Vec<SeatCheck>,
}

impl ChainCheck {
    pub fn is_ok(&self) -> bool {
        self.seats.iter().all(|s| s.problem.is_none())
    }

    pub fn broken(&self) -> impl Iterator<Item = &SeatCheck> {
        self.seats.iter().filter(|s| s.problem.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatCheck {
    pub seat: String,
    pub events: u64,
    /// The highest seq present (0 with none).
    pub last_seq: i64,
    /// The first broken link, in seq order.
    pub problem: Option<ChainBreak>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The event where the chain breaks (None when the break is a missing event at the end).
    pub event_id: Option<String>,
    /// The seq of that event, or of the missing one.
    pub seq: i64,
    pub what: BreakKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakKind {
    /// The stored hash is not the hash of the stored fields: the row was edited.
    HashMismatch,
    /// `prev_hash` is not the hash of event `prev_seq` of the same seat.
    PrevHashMismatch { prev_seq: i64 },
    /// The seat's first event names a previous one.
    FirstHasPrev,
    /// Event `seq` is not there (deleted), though a later one is.
    Missing { seq: i64 },
    /// The chain ends at `last_seq` but the seat's head says `head_seq` was written.
    CutShort { last_seq: i64, head_seq: i64 },
    /// The last event is not the one the head recorded (deleted and written again).
    HeadMismatch,
    /// Events exist but no head was recorded for the seat (the head row was deleted).
    HeadMissing,
    /// The `order_no` / `case_key` columns (used by filters, not hashed) do not match the payload.
    IndexColumns,
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakKind::HashMismatch => write!(f, "内容与哈希不符(hash does not match its content)"),
            BreakKind::PrevHashMismatch { prev_seq } => {
                write!(f, "prev_hash 与第 {prev_seq} 号事件不符(prev_hash does not match event #{prev_seq})")
            }
            BreakKind::FirstHasPrev => {
                write!(f, "第一个事件不应有 prev_hash(the first event names a previous one)")
            }
            BreakKind::Missing { seq } => write!(f, "第 {seq} 号事件缺失(event #{seq} missing)"),
            BreakKind::CutShort { last_seq, head_seq } => write!(
                f,
                "链尾被截断:记录写到第 {head_seq} 号,日志只到第 {last_seq} 号(event #{} missing: the chain ends early)",
                last_seq + 1
            ),
            BreakKind::HeadMismatch => {
                write!(f, "最后一个事件与链尾记录不符(the last event is not the one recorded as the head)")
            }
            BreakKind::HeadMissing => write!(f, "没有链尾记录(no head recorded for this seat)"),
            BreakKind::IndexColumns => {
                write!(f, "order_no/case_key 列与内容不符(index columns do not match the payload)")
            }
        }
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.event_id {
            Some(id) => write!(f, "事件 {id}(第 {} 号):{}", self.seq, self.what),
            None => write!(f, "第 {} 号:{}", self.seq, self.what),
        }
    }
}

/// One seat's walk through its events in seq order.
struct Walk {
    check: SeatCheck,
    /// Id and hash of the last event seen.
    last_id: String,
    last_hash: String,
}

impl Walk {
    fn new(seat: &str) -> Walk {
        Walk {
            check: SeatCheck { seat: seat.to_string(), events: 0, last_seq: 0, problem: None },
            last_id: String::new(),
            last_hash: String::new(),
        }
    }
}

impl Store {
    /// A page of the log, newest first (time, then seat, then seq, all descending),
    /// starting strictly after `after`. Keyset pagination: every page costs the same.
    pub fn log_page(&self, f: &LogFilter, after: Option<&LogCursor>, limit: usize) -> Result<Vec<EventRow>> {
        let mut conds: Vec<&str> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(s) = f.since {
            conds.push("at >= ?");
            args.push(Box::new(format_at(s)));
        }
        if let Some(u) = f.until {
            conds.push("at < ?");
            args.push(Box::new(format_at(u)));
        }
        if let Some(a) = &f.agent {
            conds.push("agent = ?");
            args.push(Box::new(a.clone()));
        }
        if let Some(s) = &f.seat {
            conds.push("seat = ?");
            args.push(Box::new(s.clone()));
        }
        if let Some(k) = &f.kind {
            conds.push("kind = ?");
            args.push(Box::new(k.clone()));
        }
        if let Some(o) = &f.order_no {
            conds.push(
                "(order_no = ? OR case_key IN (SELECT refund_no FROM refunds WHERE order_no = ? \
                 UNION ALL SELECT case_id FROM cases WHERE order_no = ?))",
            );
            for _ in 0..3 {
                args.push(Box::new(o.clone()));
            }
        }
        if let Some(c) = &f.case_key {
            conds.push("case_key = ?");
            args.push(Box::new(c.clone()));
        }
        if let Some(c) = after {
            conds.push("(at, seat, seq) < (?, ?, ?)");
            args.push(Box::new(c.at.clone()));
            args.push(Box::new(c.seat.clone()));
            args.push(Box::new(c.seq));
        }
        let mut sql = format!("SELECT {EVENT_COLS} FROM events");
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(&format!(" ORDER BY at DESC, seat DESC, seq DESC LIMIT {limit}"));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The refund numbers and case ids of an order's after-sales cases.
    pub fn order_case_keys(&self, order_no: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT refund_no FROM refunds WHERE order_no = ?1 UNION ALL SELECT case_id FROM cases WHERE order_no = ?1",
        )?;
        let rows = stmt.query_map([order_no], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// Case ids ending in `suffix` (the log table shows a case by its last characters).
    pub fn case_ids_ending_with(&self, suffix: &str, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id FROM cases WHERE substr(case_id, -length(?1)) = ?1 ORDER BY case_id LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![suffix, limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// The code a reply has (or last had, when deleted).
    pub fn reply_code(&self, reply_id: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT code FROM replies WHERE reply_id = ? AND code <> ''")?
            .query_row([reply_id], |r| r.get(0))
            .optional()?)
    }

    /// Walks every seat's chain in seq order and reports the first broken link of each.
    pub fn verify_chains(&self) -> Result<ChainCheck> {
        let mut heads: BTreeMap<String, (i64, String)> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT seat, seq, hash FROM chain_heads")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                heads.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
            }
        }
        let mut done: Vec<Walk> = Vec::new();
        let mut total = 0u64;
        let mut stmt = self.conn.prepare(
            "SELECT id, seat, seq, agent, at, kind, payload, prev_hash, hash, order_no, case_key \
             FROM events ORDER BY seat, seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut walk: Option<Walk> = None;
        while let Some(r) = rows.next()? {
            let seat = text(r, 1)?;
            if walk.as_ref().is_none_or(|w| w.check.seat != seat) {
                if let Some(w) = walk.take() {
                    done.push(w);
                }
                walk = Some(Walk::new(seat));
            }
            let w = walk.as_mut().expect("set above");
            total += 1;
            w.check.events += 1;
            let seq: i64 = r.get(2)?;
            let expected = w.check.last_seq + 1;
            w.check.last_seq = seq;
            let id = text(r, 0)?;
            let hash = text(r, 8)?;
            if w.check.problem.is_none() {
                let (agent, at, kind, payload, prev) =
                    (text(r, 3)?, text(r, 4)?, text(r, 5)?, text(r, 6)?, text(r, 7)?);
                let what = if seq != expected {
                    Some(BreakKind::Missing { seq: expected })
                } else if event_hash(id, seat, seq, agent, at, kind, payload, prev) != hash {
                    Some(BreakKind::HashMismatch)
                } else if seq == 1 && !prev.is_empty() {
                    Some(BreakKind::FirstHasPrev)
                } else if seq > 1 && prev != w.last_hash {
                    Some(BreakKind::PrevHashMismatch { prev_seq: seq - 1 })
                } else if !index_columns_match(kind, payload, opt_text(r, 9)?, opt_text(r, 10)?) {
                    Some(BreakKind::IndexColumns)
                } else {
                    None
                };
                w.check.problem = what.map(|what| ChainBreak { event_id: Some(id.to_string()), seq, what });
            }
            w.last_id.clear();
            w.last_id.push_str(id);
            w.last_hash.clear();
            w.last_hash.push_str(hash);
        }
        if let Some(w) = walk.take() {
            done.push(w);
        }
        // The chain's end against the recorded head.
        let mut seats: Vec<SeatCheck> = Vec::with_capacity(done.len() + heads.len());
        for w in done {
            let mut s = w.check;
            let last_seq = s.last_seq;
            let end = match heads.remove(&s.seat) {
                None => Some(ChainBreak { event_id: None, seq: last_seq, what: BreakKind::HeadMissing }),
                Some((head_seq, _)) if head_seq > last_seq => Some(ChainBreak {
                    event_id: None,
                    seq: last_seq + 1,
                    what: BreakKind::CutShort { last_seq, head_seq },
                }),
                Some((head_seq, head_hash)) if head_seq == last_seq && head_hash != w.last_hash => {
                    Some(ChainBreak { event_id: Some(w.last_id), seq: last_seq, what: BreakKind::HeadMismatch })
                }
                Some(_) => None,
            };
            if s.problem.is_none() {
                s.problem = end;
            }
            seats.push(s);
        }
        for (seat, (head_seq, _)) in heads {
            seats.push(SeatCheck {
                seat,
                events: 0,
                last_seq: 0,
                problem: Some(ChainBreak {
                    event_id: None,
                    seq: 1,
                    what: BreakKind::CutShort { last_seq: 0, head_seq },
                }),
            });
        }
        seats.sort_by(|a, b| a.seat.cmp(&b.seat));
        Ok(ChainCheck { events: total, seats })
    }
}

/// A text column, borrowed from the row (no copy: payloads can be megabytes).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    Ok(r.get_ref(i)?.as_str()?)
}

fn opt_text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(r.get_ref(i)?.as_str_or_null()?)
}

/// The filter columns are written from the payload (`EventBody::order_no`/`case_key`);
/// they are not hashed, so they are checked here. Platform imports carry neither and
/// are not parsed (they can be megabytes).
fn index_columns_match(kind: &str, payload: &str, order_no: Option<&str>, case_key: Option<&str>) -> bool {
    if kind == "orders_upserted" {
        return order_no.is_none() && case_key.is_none();
    }
    match serde_json::from_str::<EventBody>(payload) {
        Ok(body) => body.kind() == kind && body.order_no() == order_no && body.case_key() == case_key,
        Err(_) => false,
    }
}
