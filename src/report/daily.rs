//! The daily report (`001`: the late shift makes the daily refund statistics, each
//! refund with its reason, for the supervisor).
//!
//! **The day's refunds** are those the buyer applied for that day (the platform's
//! application time; for a refund without one, when kefu recorded it) **or** that a seat
//! acted on that day (agree, refuse, confirm receipt, close, extend …; conflicts do not
//! count). Each is shown **as it stood at the cut-off** — the end of the day, or now if
//! the day is not over — by replaying its events up to then, so the report for a past
//! day reads the same whenever it is made.
//!
//! **Overdue at the cut-off**: paid, not shipped at the cut-off, and past the shipping
//! promise by then. kefu keeps each order's current status and its `shipped_at`, so an
//! order counts if it is still waiting to ship, or was shipped at or after the cut-off,
//! and its payment makes the ship-by time fall before the cut-off.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};

use super::{Cell, Period, Report, ReportTable, shop_time};
use crate::domain::case::{CaseAction, CaseKind};
use crate::domain::clock;
use crate::domain::event::format_at;
use crate::domain::promise::ShippingPromise;
use crate::domain::refund::{RefundAction, RefundState};
use crate::domain::timefmt::format_datetime;
use crate::store::fold::{EntityEvent, replay_refund};
use crate::store::report_queries::CaseActionFact;
use crate::store::{RefundRow, Result, Store, StoreError};

/// One of the day's refunds.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyRefund {
    /// The refund as it stood at the cut-off.
    pub refund: RefundRow,
    pub applied_that_day: bool,
    /// Seller actions that day, in order.
    pub actions: Vec<RefundAction>,
}

/// What the daily report is made of (read by [`collect`], shaped by [`report`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DailyData {
    pub date: NaiveDate,
    /// Shop time: the end of the day, or now when the day is not over.
    pub cutoff: NaiveDateTime,
    pub cutoff_is_now: bool,
    pub refunds: Vec<DailyRefund>,
    pub orders_shipped: i64,
    pub orders_overdue: i64,
    pub bad_reviews_opened: i64,
    pub damage_filed: i64,
    /// Case actions that day that took effect.
    pub case_actions: Vec<CaseActionFact>,
}

pub fn build(store: &Store, date: NaiveDate, now: NaiveDateTime) -> Result<Report> {
    Ok(report(&collect(store, date, now)?))
}

/// The earliest payment whose ship-by time is not before the end of `day`: orders paid
/// before it and unshipped at midnight are overdue then (paid before 16:00 ships the
/// same day; after, within 24 hours, i.e. the next day).
pub fn overdue_paid_bound(promise: &ShippingPromise, day: NaiveDate) -> NaiveDateTime {
    day.and_time(promise.cutoff)
}

pub fn collect(store: &Store, date: NaiveDate, now: NaiveDateTime) -> Result<DailyData> {
    if date > now.date() {
        return Err(StoreError::Rule(format!("{date} 还没到,不能出日报")));
    }
    let period = Period::day(date);
    let (utc_from, utc_to) = period.utc_text();
    let (shop_from, shop_to) = period.shop_text();
    let day_end = period.shop_end();
    let (cutoff, cutoff_is_now) = if now < day_end { (now, true) } else { (day_end, false) };
    let cutoff_utc = format_at(clock::shop_to_utc(cutoff));

    let mut keys: BTreeSet<String> = store.refunds_touched_between(&utc_from, &utc_to)?.into_iter().collect();
    for f in store.refunds_applied_between((&shop_from, &shop_to), (&utc_from, &utc_to))? {
        keys.insert(f.refund_no);
    }
    let mut refunds = Vec::new();
    for key in keys {
        let events = EntityEvent::parse_all(&store.case_timeline(&key)?);
        // As it stood at the cut-off; a refund kefu learnt of only later, as first recorded.
        let mut upto: Vec<EntityEvent> =
            events.iter().filter(|e| cutoff_is_now || e.wall < cutoff_utc).cloned().collect();
        if upto.is_empty() {
            upto.extend(events.first().cloned());
        }
        let replay = replay_refund(&key, &upto);
        let Some(refund) = replay.refund else { continue };
        let actions: Vec<RefundAction> = replay
            .steps
            .iter()
            .filter(|s| s.conflict.is_none() && s.at >= utc_from && s.at < utc_to)
            .filter_map(|s| s.action)
            .collect();
        let applied_that_day = match refund.applied_at {
            Some(a) => a.date() == date,
            None => shop_time(&refund.opened_at).is_some_and(|t| t.date() == date),
        };
        if applied_that_day || !actions.is_empty() {
            refunds.push(DailyRefund { refund, applied_that_day, actions });
        }
    }
    refunds.sort_by(|a, b| (a.refund.applied_at, &a.refund.refund_no).cmp(&(b.refund.applied_at, &b.refund.refund_no)));

    let orders_overdue = if cutoff_is_now {
        store.overdue_count(now)?
    } else {
        let bound = overdue_paid_bound(&store.shop_settings()?.promise(), date);
        store.orders_overdue_at(&format_datetime(day_end), &format_datetime(bound))?
    };
    Ok(DailyData {
        date,
        cutoff,
        cutoff_is_now,
        refunds,
        orders_shipped: store.orders_shipped_between(&shop_from, &shop_to)?,
        orders_overdue,
        bad_reviews_opened: store.cases_opened_between(CaseKind::BadReview, &utc_from, &utc_to)?,
        damage_filed: store.cases_opened_between(CaseKind::Damage, &utc_from, &utc_to)?,
        case_actions: store.case_actions_between(&utc_from, &utc_to)?,
    })
}

/// Shapes the data into the report's tables (pure).
pub fn report(d: &DailyData) -> Report {
    let cutoff_label =
        if d.cutoff_is_now { format!("{}(现在)", format_datetime(d.cutoff)) } else { format_datetime(d.cutoff) };
    let mut r = Report::new("daily", "退款日报").param("日期", d.date.to_string()).param("截止", cutoff_label.clone());

    let mut list = ReportTable::new(
        "当日退款",
        &[
            ("refund_no", "退款编号"),
            ("order_no", "订单号"),
            ("amount", "金额"),
            ("reason", "原因"),
            ("state", "状态"),
            ("handler", "处理人"),
            ("applied_at", "申请时间"),
            ("that_day", "当日"),
        ],
    );
    let mut by_state: BTreeMap<usize, (i64, i64)> = BTreeMap::new();
    let mut by_reason: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let (mut applied, mut applied_fen, mut acted) = (0i64, 0i64, 0i64);
    for x in &d.refunds {
        let f = &x.refund;
        let mut that_day: Vec<&str> = Vec::new();
        if x.applied_that_day {
            that_day.push("申请");
            applied += 1;
            applied_fen += f.amount_fen;
        }
        if !x.actions.is_empty() {
            acted += 1;
        }
        that_day.extend(x.actions.iter().map(|a| a.label()));
        list.push(vec![
            Cell::code(&f.refund_no),
            Cell::code(&f.order_no),
            Cell::Yuan(f.amount_fen),
            Cell::text(&f.reason),
            Cell::text(f.state.label()),
            Cell::text(&f.handler),
            Cell::opt_text(f.applied_at.map(format_datetime)),
            Cell::text(that_day.join("、")),
        ]);
        let s = by_state.entry(state_index(f.state)).or_default();
        s.0 += 1;
        s.1 += f.amount_fen;
        let s = by_reason.entry(f.reason.as_str()).or_default();
        s.0 += 1;
        s.1 += f.amount_fen;
    }
    r.sections.push(list);

    let mut states = ReportTable::new("退款按状态", &[("state", "状态"), ("count", "笔数"), ("amount", "金额")]);
    for (i, (n, fen)) in &by_state {
        states.push(vec![Cell::text(RefundState::WITH_UNKNOWN[*i].label()), Cell::Int(*n), Cell::Yuan(*fen)]);
    }
    r.sections.push(states);

    let mut reasons = ReportTable::new("退款按原因", &[("reason", "原因"), ("count", "笔数"), ("amount", "金额")]);
    let mut rs: Vec<(&str, (i64, i64))> = by_reason.into_iter().collect();
    rs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    for (reason, (n, fen)) in rs {
        reasons.push(vec![Cell::text(reason), Cell::Int(n), Cell::Yuan(fen)]);
    }
    r.sections.push(reasons);

    let count = |kind: CaseKind, actions: &[CaseAction]| -> i64 {
        d.case_actions.iter().filter(|a| a.kind == kind && actions.contains(&a.action)).count() as i64
    };
    let mut sum = ReportTable::new("汇总", &[("item", "项目"), ("value", "数量")]);
    let overdue_label =
        if d.cutoff_is_now { "截至现在超时未发货订单" } else { "截至日终超时未发货订单" };
    for (item, value) in [
        ("当日退款(申请或处理)", Cell::Int(d.refunds.len() as i64)),
        ("其中当日申请", Cell::Int(applied)),
        ("当日申请金额", Cell::Yuan(applied_fen)),
        ("其中当日有处理", Cell::Int(acted)),
        ("当日发货订单", Cell::Int(d.orders_shipped)),
        (overdue_label, Cell::Int(d.orders_overdue)),
        ("新增中差评", Cell::Int(d.bad_reviews_opened)),
        (
            "中差评结案(改评或未改评)",
            Cell::Int(count(CaseKind::BadReview, &[CaseAction::ReviewChanged, CaseAction::ReviewNotChanged])),
        ),
        ("其中已改评", Cell::Int(count(CaseKind::BadReview, &[CaseAction::ReviewChanged]))),
        ("登记破损/遗失", Cell::Int(d.damage_filed)),
        ("快递已赔付", Cell::Int(count(CaseKind::Damage, &[CaseAction::Claimed]))),
        ("快递拒赔", Cell::Int(count(CaseKind::Damage, &[CaseAction::Rejected]))),
    ] {
        sum.push(vec![Cell::text(item), value]);
    }
    r.sections.push(sum);

    r.notes = vec![
        "当日退款:买家当天申请(按平台的申请时间,没有时按登记时间)或客服当天处理过(同意、拒绝、确认收货、关闭、延长收货等,冲突不算)的退款;「当日」一栏写明是哪种。".into(),
        format!("状态与处理人是截至 {cutoff_label} 的情况(按日志重放),不是现在的状态;处理人是最后一次处理的客服。"),
        "超时未发货:截至截止时间已付款、还没发货、且已过发货承诺(16:00 前付款当天发,否则 24 小时内)的订单。按订单现在的状态和发货时间推算;之后关闭且没有发货时间的订单无法计入。".into(),
        "中差评、破损/遗失按当天在 kefu 登记和处理的记录统计。时间均为店铺时间。".into(),
    ];
    r
}

fn state_index(s: RefundState) -> usize {
    RefundState::WITH_UNKNOWN.iter().position(|x| *x == s).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn the_overdue_bound_is_where_ship_by_reaches_midnight() {
        let p = ShippingPromise::default();
        let day = NaiveDate::from_ymd_opt(2026, 6, 28).unwrap();
        let midnight = (day + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap();
        let b = overdue_paid_bound(&p, day);
        assert!(p.ship_by(b - Duration::seconds(1)) < midnight);
        assert!(p.ship_by(b) >= midnight);
        // paid the evening before: due during the day, overdue at midnight
        assert!(p.ship_by(b - Duration::hours(20)) < midnight);
    }
}
