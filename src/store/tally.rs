//! Bookkeeping that nearly every event moves but only matters once a transaction
//! commits: each seat's chain head (`chain_heads`, for `kefu log verify`) and who worked
//! on which seat when (`people`). A write gathers them in memory and stores them once,
//! just before commit, instead of two upserts per event.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::error::Result;
use crate::domain::event::Event;

#[derive(Default)]
pub(super) struct Tally {
    /// seat → (seq, hash) of its newest event written in this transaction.
    heads: HashMap<String, (i64, String)>,
    /// seat → agent → (first, last) wall time.
    people: HashMap<String, HashMap<String, (String, String)>>,
}

impl Tally {
    pub(super) fn note(&mut self, e: &Event, at: &str) {
        match self.heads.get_mut(e.seat.as_str()) {
            Some(head) if head.0 >= e.seq => {}
            Some(head) => *head = (e.seq, e.hash.clone()),
            None => {
                self.heads.insert(e.seat.clone(), (e.seq, e.hash.clone()));
            }
        }
        let agents = match self.people.get_mut(e.seat.as_str()) {
            Some(agents) => agents,
            None => self.people.entry(e.seat.clone()).or_default(),
        };
        match agents.get_mut(e.agent.as_str()) {
            Some((first, last)) => {
                if at < first.as_str() {
                    *first = at.to_string();
                }
                if at > last.as_str() {
                    *last = at.to_string();
                }
            }
            None => {
                agents.insert(e.agent.clone(), (at.to_string(), at.to_string()));
            }
        }
    }

    /// The seats whose events this transaction wrote.
    pub(super) fn seats(&self) -> Vec<String> {
        self.heads.keys().cloned().collect()
    }

    /// Writes what was gathered. A head only ever moves forward; a person's span only
    /// ever widens.
    pub(super) fn flush(&mut self, tx: &Transaction<'_>) -> Result<()> {
        let mut head = tx.prepare_cached(
            "INSERT INTO chain_heads (seat, seq, hash) VALUES (?1, ?2, ?3) \
             ON CONFLICT(seat) DO UPDATE SET seq = excluded.seq, hash = excluded.hash \
             WHERE excluded.seq > chain_heads.seq",
        )?;
        for (seat, (seq, hash)) in self.heads.drain() {
            head.execute(params![seat, seq, hash])?;
        }
        let mut person = tx.prepare_cached(
            "INSERT INTO people (seat, agent, first_at, last_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(seat, agent) DO UPDATE SET first_at = min(first_at, excluded.first_at), \
             last_at = max(last_at, excluded.last_at)",
        )?;
        for (seat, agents) in self.people.drain() {
            for (agent, (first, last)) in agents {
                person.execute(params![seat, agent, first, last])?;
            }
        }
        Ok(())
    }
}

/// `people` as a projection of the whole log, for a rebuild.
pub(super) fn rebuild_people(tx: &Transaction<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO people (seat, agent, first_at, last_at) SELECT seat, agent, min(shown_at), max(shown_at) FROM events \
         GROUP BY seat, agent",
        [],
    )?;
    Ok(())
}
