//! What this database knows about each seat: who worked there and when (`people`), how
//! many of its events are here, and its clock as last observed (`seat_clocks`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Store;
use super::error::Result;

/// One seat, as `kefu seats` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatInfo {
    pub seat: String,
    /// Whether it is this database's own seat.
    pub own: bool,
    pub agents: Vec<String>,
    pub events: i64,
    /// Its first and latest work (wall times, UTC text).
    pub first_at: Option<String>,
    pub last_at: Option<String>,
    /// Its clock minus this computer's, in ms, and when that was observed.
    pub skew_ms: Option<i64>,
    pub skew_observed_at: Option<String>,
    /// Its public key (hex) when this database knows it, and how: `own`, `seen` (pinned
    /// on first use) or `trusted` (from a supervisor's list); when it was first and last
    /// seen signing.
    pub public_key: Option<String>,
    pub key_source: Option<String>,
    pub key_first_seen: Option<String>,
    pub key_last_seen: Option<String>,
}

impl Store {
    /// Every seat with events here, or whose clock was observed, by seat.
    pub fn seats(&self) -> Result<Vec<SeatInfo>> {
        let mut out: BTreeMap<String, SeatInfo> = BTreeMap::new();
        let blank = |seat: &str| SeatInfo {
            seat: seat.to_string(),
            own: false,
            agents: Vec::new(),
            events: 0,
            first_at: None,
            last_at: None,
            skew_ms: None,
            skew_observed_at: None,
            public_key: None,
            key_source: None,
            key_first_seen: None,
            key_last_seen: None,
        };
        {
            let mut stmt =
                self.conn.prepare("SELECT seat, agent, first_at, last_at FROM people ORDER BY seat, agent")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let seat: String = r.get(0)?;
                let (first, last): (String, String) = (r.get(2)?, r.get(3)?);
                let info = out.entry(seat.clone()).or_insert_with(|| blank(&seat));
                info.agents.push(r.get(1)?);
                info.first_at = Some(info.first_at.take().map_or(first.clone(), |f| f.min(first)));
                info.last_at = Some(info.last_at.take().map_or(last.clone(), |l| l.max(last)));
            }
        }
        {
            let mut stmt = self.conn.prepare("SELECT seat, count(*) FROM events GROUP BY seat")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let seat: String = r.get(0)?;
                out.entry(seat.clone()).or_insert_with(|| blank(&seat)).events = r.get(1)?;
            }
        }
        for c in self.clock_skews()? {
            let info = out.entry(c.seat.clone()).or_insert_with(|| blank(&c.seat));
            info.skew_ms = Some(c.skew_ms);
            info.skew_observed_at = Some(c.observed_at);
        }
        for k in self.known_keys()? {
            let info = out.entry(k.seat.clone()).or_insert_with(|| blank(&k.seat));
            info.public_key = Some(k.public_key);
            info.key_source = Some(k.source);
            info.key_first_seen = Some(k.first_seen);
            info.key_last_seen = Some(k.last_seen);
        }
        if let Some(own) = out.get_mut(&self.actor.seat) {
            own.own = true;
        }
        Ok(out.into_values().collect())
    }
}
