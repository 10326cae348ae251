//! The one fold of a refund's or a case's events in log order (time, seat, seq). Pure:
//! the store projects its result into the tables (`store::replay`), the log reads its
//! steps for "before → after", and the daily report folds up to its cut-off to show each
//! refund as it stood at the end of that day. Each step says the state the event found,
//! the state it left, and whether it was a conflict (kept in the log, but no longer
//! legal where it falls, so it changed nothing).

use super::rows::{CaseRow, EventRow, RefundRow};
use crate::domain::case::{CaseState, after_contact, apply_to_detail, case_transition};
use crate::domain::event::EventBody;
use crate::domain::money::format_yuan;
use crate::domain::refund::{RefundAction, RefundState};

/// One event of a refund or case, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityEvent {
    pub id: String,
    pub seat: String,
    pub seq: i64,
    pub agent: String,
    /// Its place in the log (UTC, as stored): the fold goes in this order.
    pub at: String,
    /// When it was done, on its seat's clock (UTC text): the times the fold records
    /// (opened, first action, closed …) are these.
    pub wall: String,
    pub body: EventBody,
}

impl EntityEvent {
    /// None when the payload cannot be read (a damaged row; `kefu log verify` names it).
    pub fn parse(row: &EventRow) -> Option<EntityEvent> {
        Some(EntityEvent {
            id: row.id.clone(),
            seat: row.seat.clone(),
            seq: row.seq,
            agent: row.agent.clone(),
            at: row.at.clone(),
            wall: row.wall.clone(),
            body: serde_json::from_str(&row.payload).ok()?,
        })
    }

    pub fn parse_all(rows: &[EventRow]) -> Vec<EntityEvent> {
        rows.iter().filter_map(EntityEvent::parse).collect()
    }
}

/// What one refund event did.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundStep {
    pub event_id: String,
    /// When it was done (its wall time, UTC text).
    pub at: String,
    pub agent: String,
    /// The seller's action; None for the refund being recorded or synced.
    pub action: Option<RefundAction>,
    /// The state before (None: the refund was not known yet).
    pub before: Option<RefundState>,
    /// The state after (equal to `before` for a conflict).
    pub after: Option<RefundState>,
    pub conflict: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefundReplay {
    /// The refund as the events leave it (None if never recorded).
    pub refund: Option<RefundRow>,
    pub steps: Vec<RefundStep>,
}

/// Replays a refund's events (in log order) as `store::replay::reproject_refund` does.
pub fn replay_refund(refund_no: &str, events: &[EntityEvent]) -> RefundReplay {
    let mut row: Option<RefundRow> = None;
    let mut steps = Vec::with_capacity(events.len());
    for e in events {
        let before = row.as_ref().map(|r| r.state);
        let mut step = RefundStep {
            event_id: e.id.clone(),
            at: e.wall.clone(),
            agent: e.agent.clone(),
            action: None,
            before,
            after: before,
            conflict: None,
        };
        match &e.body {
            EventBody::RefundOpened { refund } if let Some(r) = row.as_ref() => {
                // Two seats recorded the same refund: the first stands. Only a
                // different claim under the same number needs a person.
                if r.order_no != refund.order_no || r.amount_fen != refund.amount_fen {
                    step.conflict = Some(format!(
                        "退款编号 {refund_no} 已登记为订单 {} 的 {} 元退款;{}({})又登记为订单 {} 的 {} 元",
                        r.order_no,
                        format_yuan(r.amount_fen),
                        e.agent,
                        e.seat,
                        refund.order_no,
                        format_yuan(refund.amount_fen)
                    ));
                }
            }
            EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => {
                let mut fresh = RefundRow::from_record(refund, &e.wall, &e.agent);
                if let Some(r) = &row {
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
                        if fresh.state.is_terminal() { r.closed_at.clone().or(Some(e.wall.clone())) } else { None };
                }
                step.after = Some(fresh.state);
                row = Some(fresh);
            }
            EventBody::RefundActed { action, input, from, .. } => {
                step.action = Some(*action);
                match row.as_mut() {
                    None => step.conflict = Some(format!("退款 {refund_no} 尚未登记,无法「{}」", action.label())),
                    Some(r) if r.state != *from => {
                        step.conflict = Some(format!(
                            "{}({})在「{}」时「{}」,但退款已是「{}」(最后处理人 {})",
                            e.agent,
                            e.seat,
                            from.label(),
                            action.label(),
                            r.state.label(),
                            if r.handler.is_empty() { "平台" } else { &r.handler }
                        ));
                    }
                    Some(r) => match r.case().apply(*action, input) {
                        Err(err) => step.conflict = Some(err.to_string()),
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
                                r.first_action_at = Some(e.wall.clone());
                                r.first_action_by = Some(e.agent.clone());
                            }
                            r.handler = e.agent.clone();
                            r.updated_at = e.wall.clone();
                            if r.state.is_terminal() {
                                r.closed_at = Some(e.wall.clone());
                            }
                            step.after = Some(r.state);
                        }
                    },
                }
            }
            _ => continue,
        }
        steps.push(step);
    }
    RefundReplay { refund: row, steps }
}

/// What one case event did.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseStep {
    pub event_id: String,
    /// When it was done (its wall time, UTC text).
    pub at: String,
    pub agent: String,
    pub before: Option<CaseState>,
    pub after: Option<CaseState>,
    pub conflict: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseReplay {
    pub case: Option<CaseRow>,
    pub steps: Vec<CaseStep>,
}

/// Replays a case's events (in log order) as `store::replay::reproject_case` does.
pub fn replay_case(case_id: &str, events: &[EntityEvent]) -> CaseReplay {
    let mut row: Option<CaseRow> = None;
    let mut steps = Vec::with_capacity(events.len());
    for e in events {
        let before = row.as_ref().map(|c| c.state);
        let mut conflict = None;
        match (&e.body, row.as_mut()) {
            (EventBody::CaseOpened { order_no, detail, registration, .. }, None) => {
                row = Some(CaseRow {
                    case_id: case_id.to_string(),
                    kind: detail.kind(),
                    order_no: order_no.clone(),
                    state: detail.kind().initial_state(),
                    detail: detail.clone(),
                    registration: registration.clone(),
                    opened_at: e.wall.clone(),
                    opened_by: e.agent.clone(),
                    updated_at: e.wall.clone(),
                    closed_at: None,
                });
            }
            (EventBody::CaseOpened { .. }, Some(_)) => conflict = Some(format!("售后单 {case_id} 已由别的席位建立")),
            (
                EventBody::CaseActed { .. }
                | EventBody::CaseRegistered { .. }
                | EventBody::CaseDetailEdited { .. }
                | EventBody::CaseContacted { .. },
                None,
            ) => conflict = Some(format!("售后单 {case_id} 尚未建立")),
            (EventBody::CaseActed { action, .. }, Some(c)) => {
                match case_transition(c.kind, c.state, *action, &c.detail) {
                    Ok(next) => {
                        apply_to_detail(*action, &mut c.detail);
                        c.state = next;
                        c.updated_at = e.wall.clone();
                        if next.is_terminal() {
                            c.closed_at = Some(e.wall.clone());
                        }
                    }
                    Err(reason) => conflict = Some(reason),
                }
            }
            (EventBody::CaseRegistered { registration, .. }, Some(c)) => {
                c.registration.merge(registration);
                c.updated_at = e.wall.clone();
            }
            (EventBody::CaseDetailEdited { detail, .. }, Some(c)) => {
                if detail.kind() == c.kind {
                    c.detail = detail.clone();
                    c.updated_at = e.wall.clone();
                } else {
                    conflict = Some("售后单类型不能更改".to_string());
                }
            }
            (EventBody::CaseContacted { .. }, Some(c)) => {
                if c.state.is_terminal() {
                    conflict = Some(format!("售后单已结束({}),不能再记录联系", c.state.label()));
                } else {
                    c.state = after_contact(c.kind, c.state);
                    c.updated_at = e.wall.clone();
                }
            }
            _ => continue,
        }
        steps.push(CaseStep {
            event_id: e.id.clone(),
            at: e.wall.clone(),
            agent: e.agent.clone(),
            before,
            after: row.as_ref().map(|c| c.state),
            conflict,
        });
    }
    CaseReplay { case: row, steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{BadReviewDetail, CaseAction, CaseDetail, Registration};
    use crate::domain::event::RefundRecord;
    use crate::domain::refund::ActionInput;

    fn ev(n: i64, agent: &str, body: EventBody) -> EntityEvent {
        EntityEvent {
            id: format!("e{n}"),
            seat: "s1".into(),
            seq: n,
            agent: agent.into(),
            at: format!("2026-06-28T0{n}:00:00.000Z"),
            wall: format!("2026-06-28T0{n}:00:00.000Z"),
            body,
        }
    }

    fn acted(action: RefundAction, from: RefundState) -> EventBody {
        EventBody::RefundActed { refund_no: "R1".into(), action, input: ActionInput::default(), from }
    }

    #[test]
    fn refund_steps_show_before_and_after_and_conflicts() {
        let rec = RefundRecord {
            refund_no: "R1".into(),
            order_no: "1".into(),
            amount_fen: 8800,
            reason: "尺码不合适".into(),
            needs_return: true,
            ..Default::default()
        };
        let events = vec![
            ev(1, "宾", EventBody::RefundOpened { refund: rec }),
            ev(2, "宾", acted(RefundAction::Agree, RefundState::WaitSellerAgree)),
            // a second seat agreed too, having seen the old state: a conflict
            ev(3, "琳", acted(RefundAction::Agree, RefundState::WaitSellerAgree)),
            ev(4, "琳", acted(RefundAction::Close, RefundState::WaitBuyerReturnGoods)),
        ];
        let r = replay_refund("R1", &events);
        let s = &r.steps;
        assert_eq!((s[0].before, s[0].after), (None, Some(RefundState::WaitSellerAgree)));
        assert_eq!(
            (s[1].before, s[1].after),
            (Some(RefundState::WaitSellerAgree), Some(RefundState::WaitBuyerReturnGoods))
        );
        assert!(s[2].conflict.is_some());
        assert_eq!(s[2].after, s[2].before);
        assert_eq!(s[3].after, Some(RefundState::Closed));
        let row = r.refund.unwrap();
        assert_eq!(row.state, RefundState::Closed);
        assert_eq!((row.first_action_by.as_deref(), row.handler.as_str()), (Some("宾"), "琳"));
        assert_eq!(row.closed_at.as_deref(), Some("2026-06-28T04:00:00.000Z"));
    }

    #[test]
    fn case_steps_follow_the_case_rules() {
        let detail = CaseDetail::BadReview(BadReviewDetail { review_text: "差".into(), ..Default::default() });
        let events = vec![
            ev(
                1,
                "宾",
                EventBody::CaseOpened {
                    case_id: "C1".into(),
                    order_no: "1".into(),
                    detail,
                    registration: Registration::default(),
                },
            ),
            ev(
                2,
                "宾",
                EventBody::CaseContacted {
                    case_id: "C1".into(),
                    channel: crate::domain::case::Channel::Phone,
                    date: chrono::NaiveDate::from_ymd_opt(2026, 6, 28).unwrap(),
                    progress: "答应改评".into(),
                },
            ),
            ev(
                3,
                "宾",
                EventBody::CaseActed { case_id: "C1".into(), action: CaseAction::ReviewChanged, note: String::new() },
            ),
            ev(4, "宾", EventBody::CaseActed { case_id: "C1".into(), action: CaseAction::Cancel, note: String::new() }),
        ];
        let r = replay_case("C1", &events);
        let states: Vec<_> = r.steps.iter().map(|s| (s.before, s.after)).collect();
        assert_eq!(
            states,
            vec![
                (None, Some(CaseState::Open)),
                (Some(CaseState::Open), Some(CaseState::Contacting)),
                (Some(CaseState::Contacting), Some(CaseState::Changed)),
                (Some(CaseState::Changed), Some(CaseState::Changed)),
            ]
        );
        assert!(r.steps[3].conflict.as_deref().unwrap().contains("已结束"));
        assert_eq!(r.case.unwrap().closed_at.as_deref(), Some("2026-06-28T03:00:00.000Z"));
    }
}
