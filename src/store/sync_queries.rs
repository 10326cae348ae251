//! What sync needs from the store, additively: a consistent snapshot of the log to
//! export, bulk "is this event here already" checks for import, the conflict set, and
//! the people who resolved conflicts. Nothing here deletes or rewrites an event.

use std::collections::{BTreeMap, HashSet};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::error::Result;
use super::log::FULL_EVENT_COLS;
use super::{Store, Writer};
use crate::domain::event::{Event, EventBody};

/// What an export will contain: the events with `after < rowid <= upto`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSlice {
    pub after_rowid: i64,
    pub upto_rowid: i64,
    pub count: u64,
    /// seat → (min seq, max seq, number of events)
    pub seats: BTreeMap<String, (i64, i64, u64)>,
    pub first_id: Option<String>,
    pub last_id: Option<String>,
    /// Roughly how many bytes the events take as JSON lines.
    pub approx_bytes: u64,
}

/// An event as its columns are stored (`at` as text, exactly as hashed): what a sync
/// file's event line holds, written without parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StoredEvent<'a> {
    pub id: &'a str,
    pub seat: &'a str,
    pub seq: i64,
    pub agent: &'a str,
    pub at: &'a str,
    /// None for an event from before wall times (then the line has no `wall`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wall: Option<&'a str>,
    pub kind: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

impl<'a> StoredEvent<'a> {
    /// One row selected with `FULL_EVENT_COLS`, borrowed from the row.
    pub(crate) fn from_row(r: &'a rusqlite::Row<'_>) -> Result<Self> {
        let text = |i: usize| -> Result<&'a str> { Ok(r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?) };
        Ok(StoredEvent {
            id: text(0)?,
            seat: text(1)?,
            seq: r.get(2)?,
            agent: text(3)?,
            at: text(4)?,
            kind: text(5)?,
            payload: text(6)?,
            prev_hash: text(7)?,
            hash: text(8)?,
            wall: r.get_ref(9)?.as_str_or_null().map_err(rusqlite::Error::from)?,
        })
    }
}

/// A resolution recorded for a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConflictResolution {
    pub event_id: String,
    pub resolved_by_event: String,
    pub note: String,
    pub agent: String,
    pub at: String,
}

impl Store {
    /// Reads `after < rowid` (up to the newest event) in one read snapshot: first what
    /// the slice holds (`on_slice`, for the file header), then every event in local
    /// arrival (rowid) order, as stored. A concurrent writer cannot make the two disagree.
    pub fn read_log_slice(
        &self,
        after_rowid: i64,
        on_slice: impl FnOnce(&LogSlice) -> Result<()>,
        mut on_event: impl FnMut(&StoredEvent<'_>) -> Result<()>,
    ) -> Result<LogSlice> {
        let tx = self.conn.unchecked_transaction()?;
        let slice = slice_of(&tx, after_rowid)?;
        on_slice(&slice)?;
        let mut stmt = tx.prepare(&format!(
            "SELECT {FULL_EVENT_COLS} FROM events WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid"
        ))?;
        let mut rows = stmt.query(params![after_rowid, slice.upto_rowid])?;
        while let Some(r) = rows.next()? {
            on_event(&StoredEvent::from_row(r)?)?;
        }
        drop(rows);
        drop(stmt);
        tx.finish()?;
        Ok(slice)
    }

    /// What `read_log_slice(after_rowid, …)` would read, without reading the events.
    pub fn log_slice(&self, after_rowid: i64) -> Result<LogSlice> {
        let tx = self.conn.unchecked_transaction()?;
        let slice = slice_of(&tx, after_rowid)?;
        tx.finish()?;
        Ok(slice)
    }

    /// The rowid of the newest event (0 when the log is empty).
    pub fn max_event_rowid(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COALESCE(max(rowid), 0) FROM events", [], |r| r.get(0))?)
    }

    /// `Writer::stored_hashes`, outside a write transaction.
    pub fn stored_hashes(&self, seat: &str, min: i64, max: i64, f: &mut dyn FnMut(i64, &str)) -> Result<()> {
        stored_hashes(&self.conn, seat, min, max, f)
    }

    /// The id of the event at `rowid`, if any.
    pub fn event_id_at_rowid(&self, rowid: i64) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT id FROM events WHERE rowid = ?", [rowid], |r| r.get(0)).optional()?)
    }

    /// Every event id in the log (tests and tools compare seats with this).
    pub fn event_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM events ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(ids)
    }

    /// Every resolution recorded for a conflict, oldest first.
    pub fn conflict_resolutions(&self, event_id: &str) -> Result<Vec<ConflictResolution>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT event_id, resolved_by_event, note, agent, at FROM conflict_resolutions \
             WHERE event_id = ? ORDER BY at, resolved_by_event",
        )?;
        let rows = stmt
            .query_map([event_id], |r| {
                Ok(ConflictResolution {
                    event_id: r.get(0)?,
                    resolved_by_event: r.get(1)?,
                    note: r.get(2)?,
                    agent: r.get(3)?,
                    at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl Writer<'_> {
    /// Calls `f(seq, hash)` for each stored event of `seat` with `min <= seq <= max`, in
    /// sequence order: one index range scan, for checking many events at once.
    pub fn stored_hashes(&self, seat: &str, min: i64, max: i64, f: &mut dyn FnMut(i64, &str)) -> Result<()> {
        stored_hashes(&self.tx, seat, min, max, f)
    }

    /// The ids of every event currently marked as a conflict.
    pub fn conflict_ids(&self) -> Result<HashSet<String>> {
        let mut stmt = self.tx.prepare_cached("SELECT event_id FROM conflicts")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<HashSet<String>>>()?;
        Ok(ids)
    }

    /// `ingest` for events the caller has already verified (each hash matches its
    /// content and each body is its parsed payload) and found absent from the log with
    /// `stored_hashes`: the same insert and Replay-mode projection, in the given order,
    /// without doing those checks a second time, and inserted into the log in bulk.
    /// Sync's import of a verified file uses this. An error comes with the position in
    /// `batch` of the event that caused it.
    pub fn ingest_verified_batch(
        &mut self,
        batch: &[(Event, EventBody)],
    ) -> std::result::Result<(), (usize, crate::store::StoreError)> {
        debug_assert!(batch.iter().all(|(e, _)| e.compute_hash() == e.hash));
        self.append_foreign_batch(batch)
    }
}

fn slice_of(tx: &rusqlite::Connection, after_rowid: i64) -> Result<LogSlice> {
    let upto: i64 = tx.query_row("SELECT COALESCE(max(rowid), 0) FROM events", [], |r| r.get(0))?;
    let mut slice = LogSlice { after_rowid, upto_rowid: upto.max(after_rowid), ..Default::default() };
    {
        let mut stmt = tx.prepare(
            "SELECT seat, min(seq), max(seq), count(*), \
               sum(length(CAST(payload AS BLOB)) + length(CAST(seat AS BLOB)) + length(CAST(agent AS BLOB))) \
             FROM events WHERE rowid > ?1 AND rowid <= ?2 GROUP BY seat",
        )?;
        let mut rows = stmt.query(params![after_rowid, upto])?;
        while let Some(r) = rows.next()? {
            let seat: String = r.get(0)?;
            let (min, max, n, bytes): (i64, i64, i64, i64) = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            slice.count += n as u64;
            // id, at, kind, seq, two hashes and the JSON keys: ~330 bytes a line.
            slice.approx_bytes += bytes as u64 + 330 * n as u64;
            slice.seats.insert(seat, (min, max, n as u64));
        }
    }
    let edge = |order: &str| -> Result<Option<String>> {
        Ok(tx
            .query_row(
                &format!("SELECT id FROM events WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid {order} LIMIT 1"),
                params![after_rowid, upto],
                |r| r.get(0),
            )
            .optional()?)
    };
    slice.first_id = edge("ASC")?;
    slice.last_id = edge("DESC")?;
    Ok(slice)
}

fn stored_hashes(
    conn: &rusqlite::Connection,
    seat: &str,
    min: i64,
    max: i64,
    f: &mut dyn FnMut(i64, &str),
) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, hash FROM events WHERE seat = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq")?;
    let mut rows = stmt.query(params![seat, min, max])?;
    while let Some(r) = rows.next()? {
        f(r.get(0)?, r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?);
    }
    Ok(())
}

/// A seat's clock against this computer's, as last observed on an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatClock {
    pub seat: String,
    /// Their clock minus ours, in milliseconds.
    pub skew_ms: i64,
    /// When it was observed (this computer's clock, UTC text).
    pub observed_at: String,
}

impl Store {
    /// Records how far each of `skews` (seat, their clock minus ours in ms) was, observed
    /// `now`: the latest observation replaces the one before.
    pub fn note_clock_skews(&mut self, skews: &[(String, i64)], now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        if skews.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO seat_clocks (seat, skew_ms, observed_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(seat) DO UPDATE SET skew_ms = excluded.skew_ms, observed_at = excluded.observed_at",
            )?;
            let at = crate::domain::event::format_at(now);
            for (seat, skew) in skews {
                stmt.execute(params![seat, skew, at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every seat's last observed clock skew, by seat.
    pub fn clock_skews(&self) -> Result<Vec<SeatClock>> {
        let mut stmt = self.conn.prepare_cached("SELECT seat, skew_ms, observed_at FROM seat_clocks ORDER BY seat")?;
        let rows = stmt
            .query_map([], |r| Ok(SeatClock { seat: r.get(0)?, skew_ms: r.get(1)?, observed_at: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
