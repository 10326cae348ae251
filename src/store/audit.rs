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
use rusqlite::{OptionalExtension, ToSql};
use serde::Serialize;

use super::Store;
use super::error::Result;
use super::log::{EVENT_COLS, event_row};
use super::rows::EventRow;
use crate::domain::event::{EventBody, event_digest, format_at};

/// Which events `Store::log_page` returns. Every filter that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Events done (wall time) at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Events done (wall time) strictly before this instant.
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

    /// Seats with events that have not arrived yet (and no tampering).
    pub fn waiting(&self) -> impl Iterator<Item = &SeatCheck> {
        self.seats.iter().filter(|s| !s.gaps.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatCheck {
    pub seat: String,
    pub events: u64,
    /// The highest seq present (0 with none).
    pub last_seq: i64,
    /// The first sign of tampering, in seq order.
    pub problem: Option<ChainBreak>,
    /// Runs of events (first and last seq) that have not arrived yet: above what this
    /// database has ever held without a hole (the witness), so not removed.
    pub gaps: Vec<[i64; 2]>,
    /// The witnessed prefix: every event up to this seq was here once.
    pub witnessed: i64,
    /// The highest head the seat signed that this database holds.
    pub signed_head: Option<i64>,
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
    /// The seat's signed head does not hold: a bad signature, a key that is not the one
    /// pinned, or the event at its seq is another one.
    BadSignedHead { why: String },
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
            BreakKind::BadSignedHead { why } => write!(f, "签名的链头不成立:{why}(the signed head does not hold)"),
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
    /// The hash of the event at the witnessed seq, once walked past.
    at_witness: Option<String>,
}

impl Walk {
    fn new(seat: &str) -> Walk {
        Walk {
            check: SeatCheck {
                seat: seat.to_string(),
                events: 0,
                last_seq: 0,
                problem: None,
                gaps: Vec::new(),
                witnessed: 0,
                signed_head: None,
            },
            last_id: String::new(),
            last_hash: String::new(),
            at_witness: None,
        }
    }
}

/// An event row as stored, borrowed from SQLite.
struct RawEvent<'r> {
    id: &'r str,
    seat: &'r str,
    seq: i64,
    agent: &'r str,
    at: &'r str,
    wall: Option<&'r str>,
    kind: &'r str,
    payload: &'r [u8],
    prev_hash: &'r str,
    hash: &'r str,
    order_no: Option<&'r str>,
    case_key: Option<&'r str>,
}

/// Walks events in (seat, seq) order, one seat after another.
#[derive(Default)]
struct Walker {
    done: Vec<Walk>,
    walk: Option<Walk>,
    total: u64,
    /// Each seat's witnessed prefix.
    witnessed: BTreeMap<String, (i64, String)>,
}

impl Walker {
    fn push(&mut self, e: RawEvent<'_>) {
        if self.walk.as_ref().is_none_or(|w| w.check.seat != e.seat) {
            self.done.extend(self.walk.take());
            let mut w = Walk::new(e.seat);
            w.check.witnessed = self.witnessed.get(e.seat).map_or(0, |(seq, _)| *seq);
            self.walk = Some(w);
        }
        let Some(w) = self.walk.as_mut() else { return };
        self.total += 1;
        w.check.events += 1;
        let expected = w.check.last_seq + 1;
        w.check.last_seq = e.seq;
        // Events missing before this one: removed if this database once held them all
        // (at or below the witness), else not arrived yet.
        let mut linked = true;
        if e.seq > expected && w.check.problem.is_none() {
            if expected <= w.check.witnessed {
                w.check.problem = Some(ChainBreak {
                    event_id: Some(e.id.to_string()),
                    seq: e.seq,
                    what: BreakKind::Missing { seq: expected },
                });
            } else {
                w.check.gaps.push([expected, e.seq - 1]);
                linked = false;
            }
        }
        if w.check.problem.is_none() {
            let seq_text = e.seq.to_string();
            let head = [e.id, e.seat, &seq_text, e.agent, e.at];
            let what = if e.seq < expected {
                // The same seq twice (the unique key was dropped): an edit.
                Some(BreakKind::HashMismatch)
            } else if !hash_matches(e.hash, head, e.wall, [e.kind.as_bytes(), e.payload, e.prev_hash.as_bytes()]) {
                Some(BreakKind::HashMismatch)
            } else if e.seq == 1 && !e.prev_hash.is_empty() {
                Some(BreakKind::FirstHasPrev)
            } else if linked && e.seq > 1 && e.prev_hash != w.last_hash {
                Some(BreakKind::PrevHashMismatch { prev_seq: e.seq - 1 })
            } else if !index_columns_match(e.kind, e.payload, e.order_no, e.case_key) {
                Some(BreakKind::IndexColumns)
            } else {
                None
            };
            w.check.problem = what.map(|what| ChainBreak { event_id: Some(e.id.to_string()), seq: e.seq, what });
        }
        if e.seq == w.check.witnessed {
            w.at_witness = Some(e.hash.to_string());
        }
        w.last_id.clear();
        w.last_id.push_str(e.id);
        w.last_hash.clear();
        w.last_hash.push_str(e.hash);
    }

    fn finish(mut self) -> (Vec<Walk>, u64) {
        self.done.extend(self.walk.take());
        (self.done, self.total)
    }
}

impl Store {
    /// A page of the log, newest first (time, then seat, then seq, all descending),
    /// starting strictly after `after`. Keyset pagination: every page costs the same.
    pub fn log_page(&self, f: &LogFilter, after: Option<&LogCursor>, limit: usize) -> Result<Vec<EventRow>> {
        let mut conds: Vec<&str> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        // By when it was done (`shown_at`, the wall time). No event's `at` is before its
        // wall time (kefu stamps `at` at or after it, and sync refuses an event that is
        // not so), so `at >= since` holds too, and the time index can start there.
        if let Some(s) = f.since {
            conds.push("shown_at >= ? AND at >= ?");
            args.push(Box::new(format_at(s)));
            args.push(Box::new(format_at(s)));
        }
        if let Some(u) = f.until {
            conds.push("shown_at < ?");
            args.push(Box::new(format_at(u)));
        }
        if let Some(a) = &f.agent {
            conds.push("agent = ?");
            args.push(Box::new(a.clone()));
        }
        if let Some(s) = &f.seat {
            // A readable name stands for each seat of that name (`name#fingerprint`).
            if crate::domain::seat_id::split(s).1.is_some() {
                conds.push("seat = ?");
                args.push(Box::new(s.clone()));
            } else {
                conds.push("(seat = ? OR (seat >= ? AND seat < ?))");
                args.push(Box::new(s.clone()));
                args.push(Box::new(format!("{s}#")));
                args.push(Box::new(format!("{s}$")));
            }
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
        sql.push_str(&format!(" ORDER BY at DESC, seat DESC, seq DESC LIMIT {}", limit.min(i64::MAX as usize)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
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
        Ok(self
            .conn
            .prepare_cached("SELECT code FROM replies WHERE reply_id = ? AND code <> ''")?
            .query_row([reply_id], |r| r.get(0))
            .optional()?)
    }

    /// Walks every seat's chain in seq order and reports the first broken link of each.
    /// Reads every payload once (memory-mapped while it runs: platform imports make the
    /// log hundreds of megabytes).
    pub fn verify_chains(&self) -> Result<ChainCheck> {
        // (An in-memory database has no mmap size: these pragmas then return no row.)
        let mmap: Option<i64> = self.conn.query_row("PRAGMA mmap_size", [], |r| r.get(0)).optional()?;
        self.conn.query_row("PRAGMA mmap_size = 4294967296", [], |_| Ok(())).optional()?;
        let out = self.walk_chains();
        if let Some(mmap) = mmap {
            self.conn.query_row(&format!("PRAGMA mmap_size = {mmap}"), [], |_| Ok(())).optional()?;
        }
        out
    }

    fn walk_chains(&self) -> Result<ChainCheck> {
        let mut heads: BTreeMap<String, (i64, String)> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare("SELECT seat, seq, hash FROM chain_heads")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                heads.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
            }
        }
        let mut walker = Walker { witnessed: self.witnessed()?, ..Walker::default() };
        let witnessed = walker.witnessed.clone();
        let mut stmt = self.conn.prepare(
            "SELECT id, seat, seq, agent, at, kind, payload, prev_hash, hash, order_no, case_key, wall \
             FROM events ORDER BY seat, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            // Borrowed from SQLite's row: no copy of payloads that can be megabytes. A
            // field that is not even text was edited: it fails the hash.
            walker.push(RawEvent {
                id: text(r, 0),
                seat: text(r, 1),
                seq: r.get(2).unwrap_or(-1),
                agent: text(r, 3),
                at: text(r, 4),
                kind: text(r, 5),
                payload: r.get_ref(6).ok().and_then(|v| v.as_bytes().ok()).unwrap_or(b"\xff"),
                prev_hash: text(r, 7),
                hash: text(r, 8),
                order_no: r.get_ref(9).ok().and_then(|v| v.as_str_or_null().ok()).unwrap_or(Some(NOT_TEXT)),
                case_key: r.get_ref(10).ok().and_then(|v| v.as_str_or_null().ok()).unwrap_or(Some(NOT_TEXT)),
                wall: r.get_ref(11).ok().and_then(|v| v.as_str_or_null().ok()).unwrap_or(Some(NOT_TEXT)),
            });
        }
        let (done, total) = walker.finish();
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
            // The witness: every event up to it was here once, that one with its hash.
            let witness = match witnessed.get(&s.seat) {
                Some((seq, _)) if *seq > last_seq => Some(ChainBreak {
                    event_id: None,
                    seq: last_seq + 1,
                    what: BreakKind::CutShort { last_seq, head_seq: *seq },
                }),
                Some((seq, hash)) if w.at_witness.as_ref() != Some(hash) => {
                    Some(ChainBreak { event_id: None, seq: *seq, what: BreakKind::HeadMismatch })
                }
                _ => None,
            };
            if s.problem.is_none() {
                s.problem = witness.or(end);
            }
            seats.push(s);
        }
        for (seat, (head_seq, _)) in heads {
            let witnessed = witnessed.get(&seat).map_or(0, |(seq, _)| *seq);
            seats.push(SeatCheck {
                seat,
                events: 0,
                last_seq: 0,
                problem: Some(ChainBreak {
                    event_id: None,
                    seq: 1,
                    what: BreakKind::CutShort { last_seq: 0, head_seq },
                }),
                gaps: Vec::new(),
                witnessed,
                signed_head: None,
            });
        }
        // A whole seat gone, head record and all: its witness remembers it.
        for (seat, (seq, _)) in &witnessed {
            if !seats.iter().any(|s| &s.seat == seat) {
                seats.push(SeatCheck {
                    seat: seat.clone(),
                    events: 0,
                    last_seq: 0,
                    problem: Some(ChainBreak {
                        event_id: None,
                        seq: 1,
                        what: BreakKind::CutShort { last_seq: 0, head_seq: *seq },
                    }),
                    gaps: Vec::new(),
                    witnessed: *seq,
                    signed_head: None,
                });
            }
        }
        self.check_signed_heads(&mut seats)?;
        seats.sort_by(|a, b| a.seat.cmp(&b.seat));
        Ok(ChainCheck { events: total, seats })
    }

    /// Each seat's highest signed head: the key is the one pinned for the seat and its id
    /// names, the signature holds, and the event at its seq, when here, is that one.
    fn check_signed_heads(&self, seats: &mut Vec<SeatCheck>) -> Result<()> {
        for head in self.witnesses()? {
            let why = match head.verify() {
                Err(e) => Some(e.to_string()),
                Ok(()) => match self.pinned_key(&head.seat)? {
                    Some(k) if k != head.key => Some("签名的密钥不是本库为该席位登记的密钥".to_string()),
                    _ => {
                        let stored: Option<String> = self
                            .conn
                            .query_row(
                                "SELECT hash FROM events WHERE seat = ? AND seq = ?",
                                rusqlite::params![head.seat, head.seq],
                                |r| r.get(0),
                            )
                            .optional()?;
                        stored.filter(|h| *h != head.hash).map(|_| format!("第 {} 号事件不是签名时的那一条", head.seq))
                    }
                },
            };
            let i = match seats.iter().position(|s| s.seat == head.seat) {
                Some(i) => i,
                None => {
                    seats.push(SeatCheck {
                        seat: head.seat.clone(),
                        events: 0,
                        last_seq: 0,
                        problem: None,
                        gaps: Vec::new(),
                        witnessed: 0,
                        signed_head: None,
                    });
                    seats.len() - 1
                }
            };
            let s = &mut seats[i];
            s.signed_head = Some(head.seq);
            if s.problem.is_none() {
                if let Some(why) = why {
                    s.problem =
                        Some(ChainBreak { event_id: None, seq: head.seq, what: BreakKind::BadSignedHead { why } });
                } else if s.events == 0 {
                    // Signed by its seat, and not one of its events here: deleted.
                    s.problem = Some(ChainBreak {
                        event_id: None,
                        seq: 1,
                        what: BreakKind::CutShort { last_seq: 0, head_seq: head.seq },
                    });
                }
            }
        }
        Ok(())
    }
}

/// `event_hash` over the stored bytes, compared with the stored hex without allocating.
fn hash_matches(stored: &str, head: [&str; 5], wall: Option<&str>, tail: [&[u8]; 3]) -> bool {
    let digest = event_digest(head, wall, tail);
    let mut hex = [0u8; 64];
    if stored.len() != 64 || hex::encode_to_slice(digest, &mut hex).is_err() {
        return false;
    }
    hex == stored.as_bytes()
}

/// Stands in for a column that is not valid text (it can only have been edited).
const NOT_TEXT: &str = "\u{fffd}";

/// A text column, borrowed from the row.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> &'r str {
    r.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or(NOT_TEXT)
}

/// The filter columns are written from the payload (`EventBody::order_no`/`case_key`);
/// they are not hashed, so they are checked here. Platform imports carry neither and
/// are not parsed (they can be megabytes).
fn index_columns_match(kind: &str, payload: &[u8], order_no: Option<&str>, case_key: Option<&str>) -> bool {
    if kind == "orders_upserted" {
        return order_no.is_none() && case_key.is_none();
    }
    match serde_json::from_slice::<EventBody>(payload) {
        Ok(body) => body.kind() == kind && body.order_no() == order_no && body.case_key() == case_key,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::event_hash;

    #[test]
    fn byte_hash_is_event_hash() {
        let at = "2026-06-28T02:00:00.000Z";
        let payload = "{\"a\":\"备注\"}";
        let head = ["id", "seat-1", "12", "宾", at];
        for wall in [None, Some(at)] {
            let h = event_hash("id", "seat-1", 12, "宾", at, wall, "memo_added", payload, "ab");
            assert!(hash_matches(&h, head, wall, [b"memo_added", payload.as_bytes(), b"ab"]));
            assert!(!hash_matches(&h, head, wall, [b"memo_added", b"{}", b"ab"]));
            assert!(!hash_matches(&h[..63], head, wall, [b"memo_added", payload.as_bytes(), b"ab"]));
        }
    }
}
