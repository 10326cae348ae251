//! What the shop hub (`crate::hub`) needs from the store, additively: each seat's
//! contiguous head (how far this database has a seat's series without a gap), one
//! seat's events after a number, and the hash of one event. Nothing here writes.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::error::Result;
use super::log::FULL_EVENT_COLS;
use super::sync_queries::StoredEvent;

/// How far this database has one seat's series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatHead {
    /// The highest `n` such that events 1..=n are all here (0 when event 1 is missing).
    pub contiguous: i64,
    /// The hash of event `contiguous` ("" when it is 0).
    pub hash: String,
    /// The highest number here (above `contiguous` when a file brought a later range).
    pub max: i64,
    /// How many of its events are here.
    pub count: i64,
}

impl Store {
    /// Every seat this database has events of, with its contiguous head. A pull asks for
    /// what follows the contiguous head, so an event missing here is never skipped even
    /// when a sync file brought a later range of that seat.
    pub fn seat_heads(&self) -> Result<BTreeMap<String, SeatHead>> {
        let mut out = BTreeMap::new();
        let mut stmt = self.conn.prepare("SELECT seat, max(seq), count(*) FROM events GROUP BY seat")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
        for row in rows {
            let (seat, max, count) = row?;
            let contiguous = if count == max { max } else { self.first_gap(&seat)? - 1 };
            let hash =
                if contiguous > 0 { self.event_hash_at(&seat, contiguous)?.unwrap_or_default() } else { String::new() };
            out.insert(seat, SeatHead { contiguous, hash, max, count });
        }
        Ok(out)
    }

    /// The lowest number missing from `seat`'s series here.
    fn first_gap(&self, seat: &str) -> Result<i64> {
        let has_first: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM events WHERE seat = ?1 AND seq = 1)", [seat], |r| r.get(0))?;
        if !has_first {
            return Ok(1);
        }
        Ok(self.conn.query_row(
            "SELECT min(e.seq) + 1 FROM events e WHERE e.seat = ?1 \
             AND NOT EXISTS (SELECT 1 FROM events n WHERE n.seat = ?1 AND n.seq = e.seq + 1)",
            [seat],
            |r| r.get(0),
        )?)
    }

    /// The stored hash of `seat`'s event `seq`, if it is here.
    pub fn event_hash_at(&self, seat: &str, seq: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT hash FROM events WHERE seat = ?1 AND seq = ?2", params![seat, seq], |r| r.get(0))
            .optional()?)
    }

    /// Calls `f` for `seat`'s events numbered above `after`, in number order, at most
    /// `limit` of them, as stored. Returns how many there were.
    pub fn seat_events_after(
        &self,
        seat: &str,
        after: i64,
        limit: usize,
        mut f: impl FnMut(&StoredEvent<'_>),
    ) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FULL_EVENT_COLS} FROM events WHERE seat = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let mut rows = stmt.query(params![seat, after, limit as i64])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            f(&StoredEvent::from_row(r)?);
            n += 1;
        }
        Ok(n)
    }

    /// How many of `seat`'s events here are numbered above `after`.
    pub fn seat_events_count_after(&self, seat: &str, after: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM events WHERE seat = ?1 AND seq > ?2",
            params![seat, after],
            |r| r.get(0),
        )?)
    }
}
