//! Replaying an entity's events in log order (time, seat, sequence). Refund and case
//! states depend on order, so they are always rebuilt from their whole history: the
//! same events give the same case on every seat, and an action that is no longer
//! legal (two seats acted on one refund) is kept and marked as a conflict.

use rusqlite::{OptionalExtension, Transaction, params};

use super::error::{Result, StoreError};
use super::fold::{self, EntityEvent};
use super::project::{self, Mode};
use super::rows::{CaseRow, RefundRow};
use crate::domain::case::{CaseState, Registration};
use crate::domain::event::EventBody;
use crate::domain::timefmt::format_datetime;

fn load_entity(tx: &Transaction<'_>, key: &str) -> Result<Vec<EntityEvent>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, seat, seq, agent, at, shown_at, payload FROM events WHERE case_key = ? ORDER BY at, seat, seq",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get::<_, String>(6)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, seat, seq, agent, at, wall, payload) = row?;
        let body = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("事件 {id}:{e}")))?;
        out.push(EntityEvent { id, seat, seq, agent, at, wall, body });
    }
    Ok(out)
}

/// Records the conflicts of an entity; when `strict` names the event just written and
/// it conflicts, that is the caller's error (and the transaction rolls back).
fn finish_conflicts(
    tx: &Transaction<'_>,
    key: &str,
    conflicts: &[(String, String)],
    strict: Option<&str>,
) -> Result<()> {
    if let Some(id) = strict
        && let Some((_, reason)) = conflicts.iter().find(|(cid, _)| cid == id)
    {
        return Err(StoreError::Rule(reason.clone()));
    }
    tx.prepare_cached("DELETE FROM conflicts WHERE case_key = ?")?.execute([key])?;
    let mut ins = tx.prepare_cached("INSERT INTO conflicts (event_id, case_key, reason) VALUES (?1, ?2, ?3)")?;
    for (id, reason) in conflicts {
        ins.execute(params![id, key, reason])?;
    }
    Ok(())
}

pub fn reproject_refund(tx: &Transaction<'_>, refund_no: &str, strict: Option<&str>) -> Result<()> {
    let events = load_entity(tx, refund_no)?;
    let before: Option<String> =
        tx.query_row("SELECT order_no FROM refunds WHERE refund_no = ?", [refund_no], |r| r.get(0)).optional()?;
    let replay = fold::replay_refund(refund_no, &events);
    let conflicts: Vec<(String, String)> =
        replay.steps.iter().filter_map(|s| s.conflict.clone().map(|c| (s.event_id.clone(), c))).collect();
    finish_conflicts(tx, refund_no, &conflicts, strict)?;
    tx.prepare_cached("DELETE FROM refunds WHERE refund_no = ?")?.execute([refund_no])?;
    if let Some(r) = &replay.refund {
        write_refund(tx, r)?;
    }
    for order_no in before.iter().chain(replay.refund.as_ref().map(|r| &r.order_no)) {
        tx.prepare_cached(
            "UPDATE orders SET open_refunds = \
               (SELECT count(*) FROM refunds WHERE order_no = ?1 AND state NOT IN ('CLOSED', 'SUCCESS')) \
             WHERE order_no = ?1",
        )?
        .execute([order_no])?;
    }
    Ok(())
}

fn write_refund(tx: &Transaction<'_>, r: &RefundRow) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO refunds (refund_no, order_no, amount_fen, reason, buyer_desc, no_reason_7d, needs_return, shipped, \
           goods_status, phase, applied_at, deadline, state, goods_received, return_tracking_no, return_courier, \
           seller_note, extended_days, opened_at, opened_by, first_action_at, first_action_by, handler, updated_at, closed_at, \
           state_text, goods_text, intervention, evidence_deadline) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, \
           ?26, ?27, ?28, ?29)",
    )?
    .execute(params![
        r.refund_no,
        r.order_no,
        r.amount_fen,
        r.reason,
        r.buyer_desc,
        r.no_reason_7d,
        r.needs_return,
        r.shipped,
        r.goods_status,
        r.phase,
        r.applied_at.map(format_datetime),
        r.deadline.map(format_datetime),
        r.state.code(),
        r.goods_received,
        r.return_tracking_no,
        r.return_courier,
        r.seller_note,
        r.extended_days,
        r.opened_at,
        r.opened_by,
        r.first_action_at,
        r.first_action_by,
        r.handler,
        r.updated_at,
        r.closed_at,
        r.state_text,
        r.goods_text,
        r.intervention.clone().map(String::from),
        r.evidence_deadline.map(format_datetime),
    ])?;
    Ok(())
}

pub fn reproject_case(tx: &Transaction<'_>, case_id: &str, strict: Option<&str>) -> Result<()> {
    let events = load_entity(tx, case_id)?;
    let replay = fold::replay_case(case_id, &events);
    let conflicts: Vec<(String, String)> =
        replay.steps.iter().filter_map(|s| s.conflict.clone().map(|c| (s.event_id.clone(), c))).collect();
    finish_conflicts(tx, case_id, &conflicts, strict)?;
    tx.prepare_cached("DELETE FROM case_contacts WHERE case_id = ?")?.execute([case_id])?;
    let applied: std::collections::HashSet<&str> =
        replay.steps.iter().filter(|s| s.conflict.is_none()).map(|s| s.event_id.as_str()).collect();
    for e in events.iter().filter(|e| applied.contains(e.id.as_str())) {
        if let EventBody::CaseContacted { channel, date, progress, .. } = &e.body {
            tx.prepare_cached(
                "INSERT INTO case_contacts (event_id, case_id, event_key, date, channel, progress, agent, seat) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.id,
                case_id,
                super::event_key(&e.at, &e.seat, e.seq),
                date.to_string(),
                channel.label(),
                progress,
                e.agent,
                e.seat
            ])?;
        }
    }
    tx.prepare_cached("DELETE FROM cases WHERE case_id = ?")?.execute([case_id])?;
    if let Some(c) = &replay.case {
        write_case(tx, c)?;
    }
    Ok(())
}

fn write_case(tx: &Transaction<'_>, c: &CaseRow) -> Result<()> {
    let Registration { source, rating, handler, problem_type, status, result } = &c.registration;
    tx.prepare_cached(
        "INSERT INTO cases (case_id, kind, order_no, state, detail, reg_source, reg_rating, reg_handler, reg_problem_type, \
           reg_status, reg_result, opened_at, opened_by, updated_at, closed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        c.case_id,
        c.kind.code(),
        c.order_no,
        c.state.code(),
        serde_json::to_string(&c.detail)?,
        source,
        rating,
        handler,
        problem_type,
        status,
        result,
        c.opened_at,
        c.opened_by,
        c.updated_at,
        c.closed_at,
    ])?;
    Ok(())
}

/// Empties every projected table and replays the whole log in order.
pub fn rebuild_all(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "DELETE FROM orders; DELETE FROM order_items; DELETE FROM memo_lines; DELETE FROM refunds; DELETE FROM cases; \
         DELETE FROM case_contacts; DELETE FROM conflicts; DELETE FROM conflict_resolutions; DELETE FROM replies; \
         DELETE FROM reply_history; DELETE FROM reply_uses; DELETE FROM settings; DELETE FROM people;",
    )?;
    let mut stmt = tx.prepare(&format!("SELECT {} FROM events ORDER BY at, seat, seq", super::log::FULL_EVENT_COLS))?;
    let mut rows = stmt.query([])?;
    let mut deferred = super::deferred::Deferred::default();
    while let Some(r) = rows.next()? {
        let event = super::log::full_event(r)?;
        let (at, wall) = (event.at_text(), event.wall_text());
        let body = event.body()?;
        let times = super::Times { at: &at, wall: wall.as_deref() };
        project::apply(tx, &mut deferred, &event, times, &body, Mode::Replay)?;
    }
    deferred.flush(tx)?;
    super::tally::rebuild_people(tx)
}

/// The state a case is in, parsed.
pub fn case_state(code: &str) -> Result<CaseState> {
    CaseState::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("未知的售后单状态 {code}")))
}
