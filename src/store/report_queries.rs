//! The queries behind `report::*`: plain rows, each one indexed lookup or range, so a
//! report stays fast on a million orders. Times are compared as stored: event times
//! (`events.shown_at` — when it was done, see migration 0005 —, `opened_at`,
//! `first_action_at`, `closed_at`) as UTC RFC 3339 text, the
//! platform's times (`paid_at`, `shipped_at`, `applied_at`) as shop-time text.

use std::collections::HashSet;

use rusqlite::{Row, params};
use serde::Serialize;

use super::Store;
use super::error::Result;
use crate::domain::case::{CaseAction, CaseDetail, CaseKind, CaseState, Registration};
use crate::domain::event::EventBody;
use crate::domain::promise::QueueRank;
use crate::domain::refund::RefundState;
use crate::domain::timefmt::parse_datetime;

/// A refund as the reports need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundFact {
    pub refund_no: String,
    pub order_no: String,
    pub amount_fen: i64,
    pub reason: String,
    pub state: RefundState,
    /// The buyer's application (platform time, shop clock).
    pub applied_at: Option<chrono::NaiveDateTime>,
    /// When kefu recorded it (UTC text).
    pub opened_at: String,
    pub first_action_at: Option<String>,
    pub first_action_by: Option<String>,
    pub handler: String,
}

const REFUND_FACT_COLS: &str =
    "refund_no, order_no, amount_fen, reason, state, applied_at, opened_at, first_action_at, first_action_by, handler";

fn refund_fact(r: &Row<'_>) -> rusqlite::Result<RefundFact> {
    let state: String = r.get(4)?;
    Ok(RefundFact {
        refund_no: r.get(0)?,
        order_no: r.get(1)?,
        amount_fen: r.get(2)?,
        reason: r.get(3)?,
        state: RefundState::from_code(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                4,
                rusqlite::types::Type::Text,
                format!("refund state {state}").into(),
            )
        })?,
        applied_at: r.get::<_, Option<String>>(5)?.and_then(|t| parse_datetime(&t)),
        opened_at: r.get(6)?,
        first_action_at: r.get(7)?,
        first_action_by: r.get(8)?,
        handler: r.get(9)?,
    })
}

/// A bad-review, damage or exchange case with what the reports show of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFact {
    pub case_id: String,
    pub kind: CaseKind,
    pub order_no: String,
    /// The order's buyer ('' when the order was never imported).
    pub buyer: String,
    pub state: CaseState,
    pub detail: CaseDetail,
    pub registration: Registration,
    pub opened_at: String,
    pub opened_by: String,
    pub closed_at: Option<String>,
    pub contacts: i64,
    /// The latest contact: date, channel, progress, agent.
    pub last_contact: Option<(String, String, String, String)>,
}

impl CaseFact {
    /// 处理人: the registered handler, else whoever opened the case.
    pub fn handler(&self) -> &str {
        if self.registration.handler.trim().is_empty() { &self.opened_by } else { self.registration.handler.trim() }
    }
}

fn case_fact(r: &Row<'_>) -> rusqlite::Result<CaseFact> {
    let conv =
        |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let kind: String = r.get(1)?;
    let state: String = r.get(4)?;
    let detail: String = r.get(5)?;
    let last_date: Option<String> = r.get(16)?;
    Ok(CaseFact {
        case_id: r.get(0)?,
        kind: CaseKind::parse(&kind).ok_or_else(|| conv(1, format!("case kind {kind}")))?,
        order_no: r.get(2)?,
        buyer: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        state: CaseState::from_code(&state).ok_or_else(|| conv(4, format!("case state {state}")))?,
        detail: serde_json::from_str(&detail).map_err(|e| conv(5, e.to_string()))?,
        registration: Registration {
            source: r.get(6)?,
            rating: r.get(7)?,
            handler: r.get(8)?,
            problem_type: r.get(9)?,
            status: r.get(10)?,
            result: r.get(11)?,
        },
        opened_at: r.get(12)?,
        opened_by: r.get(13)?,
        closed_at: r.get(14)?,
        contacts: r.get(15)?,
        last_contact: match last_date {
            Some(d) => Some((d, r.get(17)?, r.get(18)?, r.get(19)?)),
            None => None,
        },
    })
}

const CASE_FACT_SELECT: &str = "SELECT c.case_id, c.kind, c.order_no, o.buyer, c.state, c.detail, c.reg_source, \
    c.reg_rating, c.reg_handler, c.reg_problem_type, c.reg_status, c.reg_result, c.opened_at, c.opened_by, c.closed_at, \
    (SELECT count(*) FROM case_contacts k WHERE k.case_id = c.case_id), \
    l.date, l.channel, l.progress, l.agent \
    FROM cases c LEFT JOIN orders o ON o.order_no = c.order_no \
    LEFT JOIN case_contacts l ON l.event_id = \
      (SELECT k.event_id FROM case_contacts k WHERE k.case_id = c.case_id ORDER BY k.event_key DESC LIMIT 1)";

/// A case action recorded in a period (conflicts left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseActionFact {
    pub case_id: String,
    pub kind: CaseKind,
    pub action: CaseAction,
    pub agent: String,
    pub at: String,
}

/// One agent's work on refunds and cases in a period (conflicts left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkCount {
    pub agent: String,
    /// `refund_acted` events.
    pub refund_actions: i64,
    /// Case events (opened, acted, contacted, registered, edited).
    pub case_actions: i64,
    /// Distinct refunds and cases among them.
    pub cases: i64,
}

/// Event kinds that are work on a refund or case.
pub const CASE_WORK_KINDS: [&str; 6] =
    ["refund_acted", "case_opened", "case_acted", "case_contacted", "case_registered", "case_detail_edited"];

impl Store {
    /// Refunds with an event (recorded, synced, acted on) between two event times.
    pub fn refunds_touched_between(&self, from_utc: &str, to_utc: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT case_key FROM events INDEXED BY events_work \
             WHERE kind IN ('refund_opened', 'refund_synced', 'refund_acted') AND shown_at >= ?1 AND shown_at < ?2 \
               AND case_key IS NOT NULL",
        )?;
        let rows = stmt.query_map(params![from_utc, to_utc], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Refunds the buyer applied for in a period: `applied_at` in the shop-time range,
    /// or, for a refund without one, recorded (`opened_at`) in the UTC range.
    pub fn refunds_applied_between(&self, shop: (&str, &str), utc: (&str, &str)) -> Result<Vec<RefundFact>> {
        let sql = format!(
            "SELECT {REFUND_FACT_COLS} FROM refunds WHERE applied_at >= ?1 AND applied_at < ?2 \
             UNION ALL \
             SELECT {REFUND_FACT_COLS} FROM refunds WHERE applied_at IS NULL AND opened_at >= ?3 AND opened_at < ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![shop.0, shop.1, utc.0, utc.1], refund_fact)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Refunds whose first seller action falls in a period.
    pub fn refunds_first_acted_between(&self, from_utc: &str, to_utc: &str) -> Result<Vec<RefundFact>> {
        let sql =
            format!("SELECT {REFUND_FACT_COLS} FROM refunds WHERE first_action_at >= ?1 AND first_action_at < ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![from_utc, to_utc], refund_fact)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Orders shipped in a shop-time range.
    pub fn orders_shipped_between(&self, from_shop: &str, to_shop: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM orders INDEXED BY orders_shipped_paid WHERE shipped_at >= ?1 AND shipped_at < ?2",
            params![from_shop, to_shop],
            |r| r.get(0),
        )?)
    }

    /// Orders unshipped and past their ship-by time at `cutoff` (shop time, not after now),
    /// given `paid_before`, the earliest payment whose ship-by is not before the cut-off:
    /// those still waiting to ship now, plus those shipped at or after the cut-off.
    pub fn orders_overdue_at(&self, cutoff_shop: &str, paid_before: &str) -> Result<i64> {
        let waiting: i64 = self.conn.query_row(
            "SELECT count(*) FROM orders INDEXED BY orders_queue WHERE qrank = ?1 AND paid_at < ?2",
            params![QueueRank::AwaitingShipment as i64, paid_before],
            |r| r.get(0),
        )?;
        let shipped_late: i64 = self.conn.query_row(
            "SELECT count(*) FROM orders INDEXED BY orders_shipped_paid WHERE shipped_at >= ?1 AND paid_at < ?2",
            params![cutoff_shop, paid_before],
            |r| r.get(0),
        )?;
        Ok(waiting + shipped_late)
    }

    /// Cases of `kind` opened in a UTC range.
    pub fn cases_opened_between(&self, kind: CaseKind, from_utc: &str, to_utc: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM cases INDEXED BY cases_opened WHERE opened_at >= ?1 AND opened_at < ?2 AND kind = ?3",
            params![from_utc, to_utc, kind.code()],
            |r| r.get(0),
        )?)
    }

    /// Case actions (changed, not changed, claimed …) recorded in a UTC range that took
    /// effect (conflicts left out).
    pub fn case_actions_between(&self, from_utc: &str, to_utc: &str) -> Result<Vec<CaseActionFact>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.case_key, c.kind, e.payload, e.agent, e.shown_at FROM events e INDEXED BY events_work \
             JOIN cases c ON c.case_id = e.case_key \
             WHERE e.kind = 'case_acted' AND e.shown_at >= ?1 AND e.shown_at < ?2 \
               AND NOT EXISTS (SELECT 1 FROM conflicts x WHERE x.event_id = e.id) \
             ORDER BY e.at, e.seat, e.seq",
        )?;
        let mut rows = stmt.query(params![from_utc, to_utc])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            let payload: String = r.get(2)?;
            let (Some(kind), Ok(EventBody::CaseActed { action, .. })) =
                (CaseKind::parse(&kind), serde_json::from_str::<EventBody>(&payload))
            else {
                continue;
            };
            out.push(CaseActionFact { case_id: r.get(0)?, kind, action, agent: r.get(3)?, at: r.get(4)? });
        }
        Ok(out)
    }

    /// Cases of `kind`, oldest first, optionally only those opened in a UTC range and/or
    /// still open.
    pub fn case_facts(&self, kind: CaseKind, opened: Option<(&str, &str)>, open_only: bool) -> Result<Vec<CaseFact>> {
        let sql = format!(
            "{CASE_FACT_SELECT} WHERE c.kind = ?1 AND (?2 IS NULL OR (c.opened_at >= ?2 AND c.opened_at < ?3)) \
             AND (NOT ?4 OR c.closed_at IS NULL) ORDER BY c.opened_at, c.case_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![kind.code(), opened.map(|o| o.0), opened.map(|o| o.1), open_only], case_fact)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Cases of `kind` closed in a UTC range.
    pub fn cases_closed_between(&self, kind: CaseKind, from_utc: &str, to_utc: &str) -> Result<Vec<CaseFact>> {
        let sql = format!(
            "{CASE_FACT_SELECT} WHERE c.kind = ?1 AND c.closed_at >= ?2 AND c.closed_at < ?3 ORDER BY c.closed_at"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows =
            stmt.query_map(params![kind.code(), from_utc, to_utc], case_fact)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Work on refunds and cases (`CASE_WORK_KINDS`) in a UTC range per agent, conflicts
    /// left out. Reads only the `events_work` index (migration 0002).
    pub fn case_work_between(&self, from_utc: &str, to_utc: &str) -> Result<Vec<WorkCount>> {
        let kinds = CASE_WORK_KINDS.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT agent, sum(kind = 'refund_acted'), sum(kind <> 'refund_acted'), count(DISTINCT case_key) \
             FROM events INDEXED BY events_work \
             WHERE kind IN ({kinds}) AND shown_at >= ?1 AND shown_at < ?2 AND case_key IS NOT NULL \
               AND rowid NOT IN (SELECT e.rowid FROM conflicts x JOIN events e ON e.id = x.event_id) \
             GROUP BY agent ORDER BY agent"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![from_utc, to_utc], |r| {
                Ok(WorkCount { agent: r.get(0)?, refund_actions: r.get(1)?, case_actions: r.get(2)?, cases: r.get(3)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every agent seen in the log.
    pub fn agents(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT DISTINCT agent FROM people ORDER BY agent")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Memo lines `agent` wrote in a UTC range.
    pub fn memo_lines_by(&self, agent: &str, from_utc: &str, to_utc: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM memo_lines INDEXED BY memo_lines_agent WHERE agent = ?1 AND at >= ?2 AND at < ?3",
            params![agent, from_utc, to_utc],
            |r| r.get(0),
        )?)
    }

    /// Standard replies `agent` used in a UTC range.
    pub fn reply_uses_by(&self, agent: &str, from_utc: &str, to_utc: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM reply_uses INDEXED BY reply_uses_agent WHERE agent = ?1 AND at >= ?2 AND at < ?3",
            params![agent, from_utc, to_utc],
            |r| r.get(0),
        )?)
    }

    /// Agents who recorded anything about an order strictly before `before_utc`: its memo
    /// lines, flags, replies used on it, its refunds' and cases' events — leaving out the
    /// case `except_case` (the bad review itself).
    pub fn agents_on_order_before(&self, order_no: &str, except_case: &str, before_utc: &str) -> Result<Vec<String>> {
        let mut out: HashSet<String> = HashSet::new();
        let mut direct = self.conn.prepare_cached(
            "SELECT DISTINCT agent FROM events INDEXED BY events_order WHERE order_no = ?1 AND shown_at < ?2 \
               AND (case_key IS NULL OR case_key <> ?3)",
        )?;
        for a in direct.query_map(params![order_no, before_utc, except_case], |r| r.get::<_, String>(0))? {
            out.insert(a?);
        }
        let mut cases = self.conn.prepare_cached(
            "SELECT DISTINCT e.agent FROM events e INDEXED BY events_case \
             WHERE e.case_key IN (SELECT refund_no FROM refunds WHERE order_no = ?1 \
                                  UNION ALL SELECT case_id FROM cases WHERE order_no = ?1 AND case_id <> ?3) \
               AND e.shown_at < ?2",
        )?;
        for a in cases.query_map(params![order_no, before_utc, except_case], |r| r.get::<_, String>(0))? {
            out.insert(a?);
        }
        let mut v: Vec<String> = out.into_iter().collect();
        v.sort();
        Ok(v)
    }
}
