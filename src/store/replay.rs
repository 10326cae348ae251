//! Replaying an entity's events in log order (time, seat, sequence). Refund and case
//! states depend on order, so they are always rebuilt from their whole history: the
//! same events give the same case on every seat, and an action that is no longer
//! legal (two seats acted on one refund) is kept and marked as a conflict.

use rusqlite::{OptionalExtension, Transaction, params};

use super::error::{Result, StoreError};
use super::project::{self, Mode};
use super::rows::{CaseRow, RefundRow};
use crate::domain::case::{CaseState, Registration, after_contact, apply_to_detail, case_transition};
use crate::domain::event::{Event, EventBody};
use crate::domain::timefmt::format_datetime;

struct Loaded {
    id: String,
    seat: String,
    seq: i64,
    agent: String,
    at: String,
    body: EventBody,
}

fn load_entity(tx: &Transaction<'_>, key: &str) -> Result<Vec<Loaded>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, seat, seq, agent, at, payload FROM events WHERE case_key = ? ORDER BY at, seat, seq",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get::<_, String>(5)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, seat, seq, agent, at, payload) = row?;
        let body = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("事件 {id}:{e}")))?;
        out.push(Loaded { id, seat, seq, agent, at, body });
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
    let mut row: Option<RefundRow> = None;
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for e in &events {
        match &e.body {
            EventBody::RefundOpened { refund } if row.is_some() => {
                // Two seats recorded the same refund: the first stands. Only a
                // different claim under the same number needs a person.
                let r = row.as_ref().expect("checked");
                if r.order_no != refund.order_no || r.amount_fen != refund.amount_fen {
                    conflicts.push((
                        e.id.clone(),
                        format!(
                            "退款编号 {refund_no} 已登记为订单 {} 的 {} 元退款;{}({})又登记为订单 {} 的 {} 元",
                            r.order_no,
                            crate::domain::money::format_yuan(r.amount_fen),
                            e.agent,
                            e.seat,
                            refund.order_no,
                            crate::domain::money::format_yuan(refund.amount_fen)
                        ),
                    ));
                }
            }
            EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => {
                match row.as_mut() {
                    None => row = Some(RefundRow::from_record(refund, &e.at, &e.agent)),
                    Some(r) => {
                        let mut fresh = RefundRow::from_record(refund, &e.at, &e.agent);
                        // The platform's facts replace ours; what the seats did stays.
                        fresh.opened_at = r.opened_at.clone();
                        fresh.opened_by = r.opened_by.clone();
                        fresh.first_action_at = r.first_action_at.clone();
                        fresh.first_action_by = r.first_action_by.clone();
                        fresh.handler = r.handler.clone();
                        fresh.extended_days = r.extended_days;
                        fresh.goods_received = r.goods_received && fresh.state == r.state;
                        if fresh.return_tracking_no.is_empty() {
                            fresh.return_tracking_no = r.return_tracking_no.clone();
                            fresh.return_courier = r.return_courier.clone();
                        }
                        if fresh.seller_note.is_empty() {
                            fresh.seller_note = r.seller_note.clone();
                        }
                        fresh.closed_at =
                            if fresh.state.is_terminal() { r.closed_at.clone().or(Some(e.at.clone())) } else { None };
                        *r = fresh;
                    }
                }
            }
            EventBody::RefundActed { action, input, from, .. } => {
                let Some(r) = row.as_mut() else {
                    conflicts.push((e.id.clone(), format!("退款 {refund_no} 尚未登记,无法「{}」", action.label())));
                    continue;
                };
                if r.state != *from {
                    conflicts.push((
                        e.id.clone(),
                        format!(
                            "{}({})在「{}」时「{}」,但退款已是「{}」(最后处理人 {})",
                            e.agent,
                            e.seat,
                            from.label(),
                            action.label(),
                            r.state.label(),
                            if r.handler.is_empty() { "平台" } else { &r.handler }
                        ),
                    ));
                    continue;
                }
                match r.case().apply(*action, input) {
                    Err(err) => conflicts.push((e.id.clone(), err.to_string())),
                    Ok(next) => {
                        r.state = next.state;
                        r.goods_received = next.goods_received;
                        r.deadline = next.deadline;
                        r.return_tracking_no = next.return_tracking_no;
                        r.return_courier = next.return_courier;
                        r.extended_days = next.extended_days;
                        if !input.note.is_empty() {
                            r.seller_note = input.note.clone();
                        }
                        if r.first_action_at.is_none() {
                            r.first_action_at = Some(e.at.clone());
                            r.first_action_by = Some(e.agent.clone());
                        }
                        r.handler = e.agent.clone();
                        r.updated_at = e.at.clone();
                        if r.state.is_terminal() {
                            r.closed_at = Some(e.at.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    finish_conflicts(tx, refund_no, &conflicts, strict)?;
    tx.prepare_cached("DELETE FROM refunds WHERE refund_no = ?")?.execute([refund_no])?;
    if let Some(r) = &row {
        write_refund(tx, r)?;
    }
    for order_no in before.iter().chain(row.as_ref().map(|r| &r.order_no)) {
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
           seller_note, extended_days, opened_at, opened_by, first_action_at, first_action_by, handler, updated_at, closed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
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
    ])?;
    Ok(())
}

pub fn reproject_case(tx: &Transaction<'_>, case_id: &str, strict: Option<&str>) -> Result<()> {
    let events = load_entity(tx, case_id)?;
    let mut row: Option<CaseRow> = None;
    let mut conflicts: Vec<(String, String)> = Vec::new();
    tx.prepare_cached("DELETE FROM case_contacts WHERE case_id = ?")?.execute([case_id])?;
    for e in &events {
        let key = super::event_key(&e.at, &e.seat, e.seq);
        match (&e.body, row.as_mut()) {
            (EventBody::CaseOpened { order_no, detail, registration, .. }, None) => {
                row = Some(CaseRow {
                    case_id: case_id.to_string(),
                    kind: detail.kind(),
                    order_no: order_no.clone(),
                    state: detail.kind().initial_state(),
                    detail: detail.clone(),
                    registration: registration.clone(),
                    opened_at: e.at.clone(),
                    opened_by: e.agent.clone(),
                    updated_at: e.at.clone(),
                    closed_at: None,
                });
            }
            (EventBody::CaseOpened { .. }, Some(_)) => {
                conflicts.push((e.id.clone(), format!("售后单 {case_id} 已由别的席位建立")));
            }
            (_, None) => conflicts.push((e.id.clone(), format!("售后单 {case_id} 尚未建立"))),
            (EventBody::CaseActed { action, .. }, Some(c)) => {
                match case_transition(c.kind, c.state, *action, &c.detail) {
                    Ok(next) => {
                        apply_to_detail(*action, &mut c.detail);
                        c.state = next;
                        c.updated_at = e.at.clone();
                        if next.is_terminal() {
                            c.closed_at = Some(e.at.clone());
                        }
                    }
                    Err(reason) => conflicts.push((e.id.clone(), reason)),
                }
            }
            (EventBody::CaseRegistered { registration, .. }, Some(c)) => {
                c.registration.merge(registration);
                c.updated_at = e.at.clone();
            }
            (EventBody::CaseDetailEdited { detail, .. }, Some(c)) => {
                if detail.kind() == c.kind {
                    c.detail = detail.clone();
                    c.updated_at = e.at.clone();
                } else {
                    conflicts.push((e.id.clone(), "售后单类型不能更改".to_string()));
                }
            }
            (EventBody::CaseContacted { channel, date, progress, .. }, Some(c)) => {
                if c.state.is_terminal() {
                    conflicts.push((e.id.clone(), format!("售后单已结束({}),不能再记录联系", c.state.label())));
                    continue;
                }
                c.state = after_contact(c.kind, c.state);
                c.updated_at = e.at.clone();
                tx.prepare_cached(
                    "INSERT INTO case_contacts (event_id, case_id, event_key, date, channel, progress, agent, seat) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    e.id,
                    case_id,
                    key,
                    date.to_string(),
                    channel.label(),
                    progress,
                    e.agent,
                    e.seat
                ])?;
            }
            _ => {}
        }
    }
    finish_conflicts(tx, case_id, &conflicts, strict)?;
    tx.prepare_cached("DELETE FROM cases WHERE case_id = ?")?.execute([case_id])?;
    if let Some(c) = &row {
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
    let mut stmt = tx.prepare(
        "SELECT id, seat, seq, agent, at, kind, payload, prev_hash, hash FROM events ORDER BY at, seat, seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let at: String = r.get(4)?;
        let event = Event {
            id: r.get(0)?,
            seat: r.get(1)?,
            seq: r.get(2)?,
            agent: r.get(3)?,
            at: chrono::DateTime::parse_from_rfc3339(&at)
                .map_err(|e| StoreError::Corrupt(format!("事件时间 {at}:{e}")))?
                .with_timezone(&chrono::Utc),
            kind: r.get(5)?,
            payload: r.get(6)?,
            prev_hash: r.get(7)?,
            hash: r.get(8)?,
        };
        let body = event.body()?;
        project::apply(tx, &event, &body, Mode::Replay)?;
    }
    Ok(())
}

/// The state a case is in, parsed.
pub fn case_state(code: &str) -> Result<CaseState> {
    CaseState::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("未知的售后单状态 {code}")))
}
