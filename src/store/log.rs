//! Reading the event log: timelines of an order or a case, and pages for export.

use rusqlite::Row;

use super::Store;
use super::error::Result;
use super::rows::EventRow;
use crate::domain::event::Event;

pub(crate) const EVENT_COLS: &str = "id, seat, seq, agent, at, kind, order_no, case_key, payload, shown_at";

pub(crate) fn event_row(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        seat: r.get(1)?,
        seq: r.get(2)?,
        agent: r.get(3)?,
        at: r.get(4)?,
        kind: r.get(5)?,
        order_no: r.get(6)?,
        case_key: r.get(7)?,
        payload: r.get(8)?,
        wall: r.get(9)?,
    })
}

/// A whole event as stored, with its chain fields (sync and verification read these).
pub(crate) fn full_event(r: &Row<'_>) -> rusqlite::Result<Event> {
    let time = |i: usize, text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&chrono::Utc))
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    let at: String = r.get(4)?;
    let wall: Option<String> = r.get(9)?;
    Ok(Event {
        id: r.get(0)?,
        seat: r.get(1)?,
        seq: r.get(2)?,
        agent: r.get(3)?,
        at: time(4, &at)?,
        wall: wall.map(|w| time(9, &w)).transpose()?,
        kind: r.get(5)?,
        payload: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// The columns `full_event` reads, in its order.
pub(crate) const FULL_EVENT_COLS: &str = "id, seat, seq, agent, at, kind, payload, prev_hash, hash, wall";

impl Store {
    /// The history of one case (refund number or case id), in log order.
    pub fn case_timeline(&self, case_key: &str) -> Result<Vec<EventRow>> {
        let sql = format!("SELECT {EVENT_COLS} FROM events WHERE case_key = ? ORDER BY at, seat, seq");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([case_key], event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Everything recorded about an order directly (memos, flags, cases opened), in log order.
    pub fn order_timeline(&self, order_no: &str) -> Result<Vec<EventRow>> {
        let sql = format!("SELECT {EVENT_COLS} FROM events WHERE order_no = ? ORDER BY at, seat, seq");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([order_no], event_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn event_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
    }

    /// Events in local arrival order after `rowid` (sync's `--since-last` reads these),
    /// with the rowid of each.
    pub fn events_after_rowid(&self, rowid: i64, limit: usize) -> Result<Vec<(i64, Event)>> {
        let sql = format!("SELECT {FULL_EVENT_COLS}, rowid FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(rusqlite::params![rowid, limit as i64], |r| Ok((r.get::<_, i64>(10)?, full_event(r)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
