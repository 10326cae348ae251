//! Recovering a database whose seat forked: before seats were keys, two databases could
//! write under one seat name (a copied file, the same name typed twice), and from the
//! first seq where they differ each refuses the other's files. Now that this database
//! has a seat of its own (a key, an id no other database can have), the events of the
//! old seat that the other side refused are recorded again as new events of this seat —
//! same agent, same content, same wall time — and the refused originals leave this log.
//! Events the two sides agree on (everything before the fork, and anything already
//! sent out and accepted) are never rewritten.

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::error::{Result, StoreError};
use crate::domain::event::{Event, event_hash, format_at};

/// What `Store::recover_fork` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The old seat and the seqs of its events that were moved.
    pub old_seat: String,
    pub from_seq: i64,
    pub to_seq: i64,
    /// This seat (the new home of those events) and the seqs they got there.
    pub new_seat: String,
    pub new_seqs: (i64, i64),
}

impl Store {
    /// Moves this database's events of `old_seat` from `from_seq` on (the ones the other
    /// side of a fork refused) to this seat as new events, in one transaction.
    /// `old_seat` must be this database's own seat from before keys.
    pub fn recover_fork(&mut self, old_seat: &str, from_seq: i64) -> Result<Recovered> {
        let own_name = self.meta("seat")?;
        if crate::domain::seat_id::split(old_seat).1.is_some() || own_name.as_deref() != Some(old_seat) {
            return Err(StoreError::Rule(format!(
                "席位 {old_seat} 不是本库签名之前的旧席位:只能把本库自己旧席位的事件转到新席位"
            )));
        }
        let new_seat = self.actor.seat.clone();
        if self.key.is_none() || new_seat == old_seat {
            return Err(StoreError::Rule("本库还没有自己的席位密钥,无法转移事件".into()));
        }
        self.write(|w| {
            let moved: Vec<Event> = {
                let mut stmt = w.tx.prepare(&format!(
                    "SELECT {} FROM events WHERE seat = ?1 AND seq >= ?2 ORDER BY seq",
                    super::log::FULL_EVENT_COLS
                ))?;
                let rows = stmt.query_map(params![old_seat, from_seq], super::log::full_event)?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let (Some(first), Some(last)) = (moved.first(), moved.last()) else {
                return Err(StoreError::Rule(format!("席位 {old_seat} 没有第 {from_seq} 号及以后的事件")));
            };
            let (first_seq, last_seq) = (first.seq, last.seq);
            let before: Option<String> =
                w.tx.query_row(
                    "SELECT hash FROM events WHERE seat = ?1 AND seq = ?2",
                    params![old_seat, from_seq - 1],
                    |r| r.get(0),
                )
                .optional()?;
            w.tx.execute("DELETE FROM events WHERE seat = ?1 AND seq >= ?2", params![old_seat, from_seq])?;
            w.tx.execute("DELETE FROM signed_heads WHERE seat = ?1 AND seq >= ?2", params![old_seat, from_seq])?;
            for table in ["chain_heads", "witnesses"] {
                match &before {
                    Some(hash) => w.tx.execute(
                        &format!("UPDATE {table} SET seq = ?2, hash = ?3 WHERE seat = ?1 AND seq >= ?2"),
                        params![old_seat, from_seq - 1, hash],
                    )?,
                    None => w.tx.execute(&format!("DELETE FROM {table} WHERE seat = ?1"), [old_seat])?,
                };
            }
            super::replay::rebuild_all(&w.tx)?;
            // The same work, again, as this seat's: a new id, the next seq, an `at` after
            // everything here (the hybrid clock), the wall time it was done at.
            let mut batch = Vec::with_capacity(moved.len());
            let start = w.seq + 1;
            let (mut seq, mut prev) = (w.seq, w.prev_hash.clone());
            for old in moved {
                let body = old.body()?;
                let (at, _) = w.stamp();
                let at = at.max(old.wall.unwrap_or(old.at));
                w.max_at = Some(at);
                seq += 1;
                let wall = old.wall.unwrap_or(old.at);
                let id = uuid::Uuid::now_v7().to_string();
                let hash = event_hash(
                    &id,
                    &new_seat,
                    seq,
                    &old.agent,
                    &format_at(at),
                    Some(&format_at(wall)),
                    &old.kind,
                    &old.payload,
                    &prev,
                );
                let event = Event {
                    id,
                    seat: new_seat.clone(),
                    seq,
                    agent: old.agent,
                    at,
                    wall: Some(wall),
                    kind: old.kind,
                    payload: old.payload,
                    prev_hash: prev,
                    hash: hash.clone(),
                };
                prev = hash;
                batch.push((event, body));
            }
            w.ingest_verified_batch(&batch).map_err(|(_, e)| e)?;
            Ok(Recovered {
                old_seat: old_seat.to_string(),
                from_seq: first_seq,
                to_seq: last_seq,
                new_seat: new_seat.clone(),
                new_seqs: (start, seq),
            })
        })
    }
}
