//! After-sales queries: refunds, exchange/bad-review/damage cases, contacts, conflicts.

use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use super::error::{Result, StoreError};
use super::replay::case_state;
use super::rows::{CaseRow, ConflictRow, ContactRow, RefundRow};
use crate::domain::case::{CaseKind, Registration};
use crate::domain::intervention::Intervention;
use crate::domain::refund::RefundState;
use crate::domain::timefmt::parse_datetime;

const REFUND_COLS: &str = "refund_no, order_no, amount_fen, reason, buyer_desc, no_reason_7d, needs_return, shipped, \
    goods_status, phase, applied_at, deadline, state, goods_received, return_tracking_no, return_courier, seller_note, \
    extended_days, opened_at, opened_by, first_action_at, first_action_by, handler, updated_at, closed_at, \
    state_text, goods_text, intervention, evidence_deadline";

fn refund_row(r: &Row<'_>) -> rusqlite::Result<RefundRow> {
    let state: String = r.get(12)?;
    Ok(RefundRow {
        refund_no: r.get(0)?,
        order_no: r.get(1)?,
        amount_fen: r.get(2)?,
        reason: r.get(3)?,
        buyer_desc: r.get(4)?,
        no_reason_7d: r.get(5)?,
        needs_return: r.get(6)?,
        shipped: r.get(7)?,
        goods_status: r.get(8)?,
        phase: r.get(9)?,
        applied_at: r.get::<_, Option<String>>(10)?.and_then(|t| parse_datetime(&t)),
        deadline: r.get::<_, Option<String>>(11)?.and_then(|t| parse_datetime(&t)),
        state: RefundState::from_code(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                12,
                rusqlite::types::Type::Text,
                format!("refund state {state}").into(),
            )
        })?,
        goods_received: r.get(13)?,
        return_tracking_no: r.get(14)?,
        return_courier: r.get(15)?,
        seller_note: r.get(16)?,
        extended_days: r.get(17)?,
        opened_at: r.get(18)?,
        opened_by: r.get(19)?,
        first_action_at: r.get(20)?,
        first_action_by: r.get(21)?,
        handler: r.get(22)?,
        updated_at: r.get(23)?,
        closed_at: r.get(24)?,
        state_text: r.get(25)?,
        goods_text: r.get(26)?,
        intervention: r.get::<_, Option<String>>(27)?.map(Intervention::from),
        evidence_deadline: r.get::<_, Option<String>>(28)?.and_then(|t| parse_datetime(&t)),
    })
}

const CASE_COLS: &str = "case_id, kind, order_no, state, detail, reg_source, reg_rating, reg_handler, reg_problem_type, \
    reg_status, reg_result, opened_at, opened_by, updated_at, closed_at";

fn case_row(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    let conv =
        |i: usize, e: String| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    let kind: String = r.get(1)?;
    let state: String = r.get(3)?;
    let detail: String = r.get(4)?;
    Ok(CaseRow {
        case_id: r.get(0)?,
        kind: CaseKind::parse(&kind).ok_or_else(|| conv(1, format!("case kind {kind}")))?,
        order_no: r.get(2)?,
        state: case_state(&state).map_err(|e| conv(3, e.to_string()))?,
        detail: serde_json::from_str(&detail).map_err(|e| conv(4, e.to_string()))?,
        registration: Registration {
            source: r.get(5)?,
            rating: r.get(6)?,
            handler: r.get(7)?,
            problem_type: r.get(8)?,
            status: r.get(9)?,
            result: r.get(10)?,
        },
        opened_at: r.get(11)?,
        opened_by: r.get(12)?,
        updated_at: r.get(13)?,
        closed_at: r.get(14)?,
    })
}

impl Store {
    pub fn refund(&self, refund_no: &str) -> Result<Option<RefundRow>> {
        let sql = format!("SELECT {REFUND_COLS} FROM refunds WHERE refund_no = ?");
        Ok(self.conn.prepare_cached(&sql)?.query_row([refund_no], refund_row).optional()?)
    }

    pub fn require_refund(&self, refund_no: &str) -> Result<RefundRow> {
        self.refund(refund_no)?.ok_or_else(|| StoreError::NotFound { what: "退款", key: refund_no.to_string() })
    }

    /// Refunds, newest application first, optionally in one state.
    pub fn refunds(&self, state: Option<RefundState>, limit: usize) -> Result<Vec<RefundRow>> {
        let sql = match state {
            Some(_) => format!(
                "SELECT {REFUND_COLS} FROM refunds WHERE state = ?1 ORDER BY applied_at DESC, refund_no LIMIT ?2"
            ),
            None => format!(
                "SELECT {REFUND_COLS} FROM refunds WHERE ?1 IS NULL ORDER BY applied_at DESC, refund_no LIMIT ?2"
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![state.map(|s| s.code()), limit as i64], refund_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn refunds_for_order(&self, order_no: &str) -> Result<Vec<RefundRow>> {
        let sql = format!("SELECT {REFUND_COLS} FROM refunds WHERE order_no = ? ORDER BY applied_at, refund_no");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([order_no], refund_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Open refunds (not closed, not successful), most urgent deadline first.
    pub fn open_refunds(&self, limit: usize) -> Result<Vec<RefundRow>> {
        let sql = format!(
            "SELECT {REFUND_COLS} FROM refunds WHERE state NOT IN ('CLOSED', 'SUCCESS') \
             ORDER BY deadline IS NULL, deadline, applied_at LIMIT ?"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit as i64], refund_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Refunds waiting for the seller to act (agree/refuse, or confirm the return), and
    /// those in a state kefu does not know, which someone must look at
    /// (`RefundState::waits_for_seller`).
    pub fn refunds_waiting_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM refunds WHERE state IN ('WAIT_SELLER_AGREE', 'WAIT_SELLER_CONFIRM_GOODS', 'UNKNOWN')",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn case(&self, case_id: &str) -> Result<Option<CaseRow>> {
        let sql = format!("SELECT {CASE_COLS} FROM cases WHERE case_id = ?");
        Ok(self.conn.prepare_cached(&sql)?.query_row([case_id], case_row).optional()?)
    }

    pub fn require_case(&self, case_id: &str) -> Result<CaseRow> {
        self.case(case_id)?.ok_or_else(|| StoreError::NotFound { what: "售后单", key: case_id.to_string() })
    }

    pub fn cases_for_order(&self, order_no: &str) -> Result<Vec<CaseRow>> {
        let sql = format!("SELECT {CASE_COLS} FROM cases WHERE order_no = ? ORDER BY opened_at");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([order_no], case_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Cases of a kind (or all), open ones only unless `include_closed`.
    pub fn cases(&self, kind: Option<CaseKind>, include_closed: bool, limit: usize) -> Result<Vec<CaseRow>> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM cases WHERE (?1 IS NULL OR kind = ?1) AND (?2 OR closed_at IS NULL) \
             ORDER BY opened_at DESC LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params![kind.map(|k| k.code()), include_closed, limit as i64], case_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn open_bad_review_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM cases WHERE kind = 'bad_review' AND closed_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    pub fn case_contacts(&self, case_id: &str) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT event_id, date, channel, progress, agent, seat FROM case_contacts WHERE case_id = ? ORDER BY event_key",
        )?;
        let rows = stmt
            .query_map([case_id], |r| {
                let date: String = r.get(1)?;
                Ok(ContactRow {
                    event_id: r.get(0)?,
                    date: chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
                    })?,
                    channel: r.get(2)?,
                    progress: r.get(3)?,
                    agent: r.get(4)?,
                    seat: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Conflicts found by replay, unresolved first, optionally for one case.
    pub fn conflicts(&self, case_key: Option<&str>) -> Result<Vec<ConflictRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.event_id, c.case_key, c.reason, e.seat, e.agent, e.shown_at, e.kind, \
               EXISTS (SELECT 1 FROM conflict_resolutions r WHERE r.event_id = c.event_id) AS resolved \
             FROM conflicts c JOIN events e ON e.id = c.event_id \
             WHERE ?1 IS NULL OR c.case_key = ?1 ORDER BY resolved, e.at, e.seat, e.seq",
        )?;
        let rows = stmt
            .query_map([case_key], |r| {
                Ok(ConflictRow {
                    event_id: r.get(0)?,
                    case_key: r.get(1)?,
                    reason: r.get(2)?,
                    seat: r.get(3)?,
                    agent: r.get(4)?,
                    at: r.get(5)?,
                    kind: r.get(6)?,
                    resolved: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
