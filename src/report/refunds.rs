//! Refunds over a period: by reason, by state, by day, and totals with the median time
//! from the buyer's application to the seller's first action.
//!
//! A refund belongs to the period by its application time (the platform's `applied_at`,
//! shop time; for a refund without one, when kefu recorded it). States are current.
//! **Time to first action** = the first seller action kefu recorded (agree, refuse,
//! extend …, conflicts excluded) minus the application time (recording time when there
//! is none), never below zero; refunds not yet acted on are left out of the median.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::stats::{median_seconds, ratio};
use super::{Cell, Period, Report, ReportTable};
use crate::domain::clock;
use crate::domain::refund::RefundState;
use crate::store::report_queries::RefundFact;
use crate::store::{Result, Store};

pub fn build(store: &Store, period: Period) -> Result<Report> {
    let (shop_from, shop_to) = period.shop_text();
    let (utc_from, utc_to) = period.utc_text();
    let facts = store.refunds_applied_between((&shop_from, &shop_to), (&utc_from, &utc_to))?;
    Ok(report(period, &facts))
}

/// When the buyer applied (UTC): `applied_at`, else when kefu recorded the refund.
pub fn applied_utc(f: &RefundFact) -> Option<DateTime<Utc>> {
    match f.applied_at {
        Some(a) => Some(clock::shop_to_utc(a)),
        None => parse_utc(&f.opened_at),
    }
}

/// Seconds from application to the first seller action (None if not acted on yet).
pub fn first_action_seconds(f: &RefundFact) -> Option<i64> {
    let start = applied_utc(f)?;
    let end = parse_utc(f.first_action_at.as_deref()?)?;
    Some((end - start).num_seconds().max(0))
}

fn parse_utc(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at).ok().map(|d| d.with_timezone(&Utc))
}

fn applied_date(f: &RefundFact) -> Option<NaiveDate> {
    applied_utc(f).map(|u| clock::to_shop(u).date())
}

/// The report for refunds applied in `period` (pure).
pub fn report(period: Period, facts: &[RefundFact]) -> Report {
    let mut r = Report::new("refunds", "退款统计").param("期间", period.label());
    let total = facts.len() as i64;

    let mut reasons: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut states = [(0i64, 0i64); RefundState::WITH_UNKNOWN.len()];
    let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    let mut d = period.from;
    while d <= period.to {
        days.insert(d, (0, 0));
        d += Duration::days(1);
    }
    let (mut fen, mut success, mut success_fen, mut acted, mut waiting) = (0i64, 0i64, 0i64, 0i64, 0i64);
    let mut times: Vec<i64> = Vec::new();
    for f in facts {
        fen += f.amount_fen;
        let e = reasons.entry(f.reason.as_str()).or_default();
        e.0 += 1;
        e.1 += f.amount_fen;
        let i = RefundState::WITH_UNKNOWN.iter().position(|s| *s == f.state).unwrap_or(0);
        states[i].0 += 1;
        states[i].1 += f.amount_fen;
        if let Some(day) = applied_date(f).and_then(|d| days.get_mut(&d)) {
            day.0 += 1;
            day.1 += f.amount_fen;
        }
        if f.state == RefundState::Success {
            success += 1;
            success_fen += f.amount_fen;
        }
        match first_action_seconds(f) {
            Some(s) => {
                acted += 1;
                times.push(s);
            }
            None if !f.state.is_terminal() => waiting += 1,
            None => {}
        }
    }

    let mut by_reason =
        ReportTable::new("按原因", &[("reason", "原因"), ("count", "笔数"), ("amount", "金额"), ("share", "占比")]);
    let mut rs: Vec<(&str, (i64, i64))> = reasons.into_iter().collect();
    rs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    for (reason, (n, f)) in rs {
        by_reason.push(vec![
            Cell::text(reason),
            Cell::Int(n),
            Cell::Yuan(f),
            ratio(n, total).map(Cell::Percent).unwrap_or(Cell::Empty),
        ]);
    }
    r.sections.push(by_reason);

    let mut by_state =
        ReportTable::new("按状态", &[("state", "状态"), ("code", "代码"), ("count", "笔数"), ("amount", "金额")]);
    for (s, (n, f)) in RefundState::WITH_UNKNOWN.iter().zip(states) {
        if n > 0 {
            by_state.push(vec![Cell::text(s.label()), Cell::text(s.code()), Cell::Int(n), Cell::Yuan(f)]);
        }
    }
    r.sections.push(by_state);

    let mut by_day = ReportTable::new("按日", &[("date", "日期"), ("count", "笔数"), ("amount", "金额")]);
    for (day, (n, f)) in days {
        by_day.push(vec![Cell::text(day.to_string()), Cell::Int(n), Cell::Yuan(f)]);
    }
    r.sections.push(by_day);

    let mut totals = ReportTable::new(
        "合计",
        &[
            ("count", "笔数"),
            ("amount", "金额"),
            ("success_count", "退款成功"),
            ("success_amount", "成功金额"),
            ("acted", "已处理"),
            ("waiting", "待首次处理"),
            ("median_first_action", "首次处理中位时长"),
        ],
    );
    totals.push(vec![
        Cell::Int(total),
        Cell::Yuan(fen),
        Cell::Int(success),
        Cell::Yuan(success_fen),
        Cell::Int(acted),
        Cell::Int(waiting),
        median_seconds(&mut times).map(Cell::Seconds).unwrap_or(Cell::Empty),
    ]);
    r.sections.push(totals);

    r.notes = vec![
        "按买家申请时间(平台的申请时间,没有时按登记时间,店铺时间)归入期间;状态是现在的状态。".into(),
        "首次处理时长:从申请到客服第一次处理(同意、拒绝、延长收货等,冲突不算),取中位数;还没处理的不计入。".into(),
        "待首次处理:还没有客服处理、也还没结束的退款。占比按笔数。".into(),
    ];
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timefmt::parse_datetime;

    fn fact(no: &str, fen: i64, reason: &str, state: RefundState, applied: &str, first: Option<&str>) -> RefundFact {
        RefundFact {
            refund_no: no.into(),
            order_no: "1".into(),
            amount_fen: fen,
            reason: reason.into(),
            state,
            applied_at: parse_datetime(applied),
            opened_at: "2026-06-01T00:00:00.000Z".into(),
            first_action_at: first.map(String::from),
            first_action_by: first.map(|_| "宾".to_string()),
            handler: String::new(),
        }
    }

    #[test]
    fn groups_totals_and_median() {
        let period = Period::parse(Some("2026-06-01"), Some("2026-06-02"), 2, chrono::NaiveDate::MIN).unwrap();
        let facts = vec![
            // applied 10:00 shop = 02:00 UTC; first action 03:00 UTC → 1 h
            fact(
                "R1",
                8800,
                "尺码不合适",
                RefundState::Success,
                "2026-06-01 10:00:00",
                Some("2026-06-01T03:00:00.000Z"),
            ),
            // 3 h
            fact(
                "R2",
                1200,
                "尺码不合适",
                RefundState::Closed,
                "2026-06-01 10:00:00",
                Some("2026-06-01T05:00:00.000Z"),
            ),
            fact("R3", 5000, "质量问题", RefundState::WaitSellerAgree, "2026-06-02 09:00:00", None),
        ];
        let r = report(period, &facts);
        let reasons = r.section("按原因").unwrap().text_rows();
        assert_eq!(reasons, vec![vec!["尺码不合适", "2", "100.00", "66.7%"], vec!["质量问题", "1", "50.00", "33.3%"]]);
        let states = r.section("按状态").unwrap().text_rows();
        assert_eq!(states.len(), 3);
        assert_eq!(states[0], vec!["买家已经申请退款,等待卖家同意", "WAIT_SELLER_AGREE", "1", "50.00"]);
        let days = r.section("按日").unwrap().text_rows();
        assert_eq!(days, vec![vec!["2026-06-01", "2", "100.00"], vec!["2026-06-02", "1", "50.00"]]);
        let totals = r.section("合计").unwrap();
        assert_eq!(totals.text_rows()[0], vec!["3", "150.00", "1", "88.00", "2", "1", "2小时0分"]);
        assert_eq!(totals.cell(0, "median_first_action"), Some(&Cell::Seconds(7200)));
    }
}
