//! The bad-review table (中差评登记, `000` §(四)): every neutral or negative review kefu
//! registered, who handles it, the contacts with the buyer, the remedy and the outcome.
//!
//! 处理人 is the handler written in the case's registration, else the agent who opened
//! it. 评价日期 is the review's date as entered, else the day the case was opened.

use super::stats::ratio;
use super::{Cell, Period, Report, ReportTable, shop_time};
use crate::domain::case::{CaseDetail, CaseKind, CaseState};
use crate::store::report_queries::CaseFact;
use crate::store::{Result, Store};

/// All bad reviews, or those opened in `period`; `open_only` keeps the unfinished ones.
pub fn build(store: &Store, period: Option<Period>, open_only: bool) -> Result<Report> {
    let bounds = period.map(|p| p.utc_text());
    let facts =
        store.case_facts(CaseKind::BadReview, bounds.as_ref().map(|(a, b)| (a.as_str(), b.as_str())), open_only)?;
    Ok(report(period, open_only, &facts))
}

/// `6-28 电话:答应改评(宾)`
pub fn contact_text(date: &str, channel: &str, progress: &str, agent: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| d.format("%-m-%-d").to_string())
        .unwrap_or_else(|_| date.to_string());
    format!("{d} {channel}:{progress}({agent})")
}

pub fn report(period: Option<Period>, open_only: bool, facts: &[CaseFact]) -> Report {
    let mut r = Report::new("bad_reviews", "中差评登记表")
        .param("期间", period.map(|p| p.label()).unwrap_or_else(|| "全部".into()));
    if open_only {
        r = r.param("范围", "未结案");
    }
    let mut t = ReportTable::new(
        "中差评",
        &[
            ("order_no", "订单号"),
            ("buyer", "买家"),
            ("level", "等级"),
            ("review", "评价内容"),
            ("review_date", "评价日期"),
            ("handler", "处理人"),
            ("contacts", "联系次数"),
            ("last_contact", "最近联系"),
            ("remedy", "补救措施"),
            ("outcome", "结果"),
        ],
    );
    let order =
        [CaseState::Open, CaseState::Contacting, CaseState::Changed, CaseState::NotChanged, CaseState::Cancelled];
    let mut outcomes = [0i64; 5];
    for f in facts {
        let CaseDetail::BadReview(b) = &f.detail else { continue };
        let date = b.review_date.or_else(|| shop_time(&f.opened_at).map(|t| t.date()));
        t.push(vec![
            Cell::code(&f.order_no),
            Cell::text(&f.buyer),
            Cell::text(b.level.label()),
            Cell::text(&b.review_text),
            Cell::opt_text(date.map(|d| d.to_string())),
            Cell::text(f.handler()),
            Cell::Int(f.contacts),
            Cell::opt_text(f.last_contact.as_ref().map(|(d, c, p, a)| contact_text(d, c, p, a))),
            Cell::text(&b.remedy),
            Cell::text(f.state.label()),
        ]);
        if let Some(i) = order.iter().position(|s| *s == f.state) {
            outcomes[i] += 1;
        }
    }
    r.sections.push(t);
    let mut by = ReportTable::new("按结果", &[("outcome", "结果"), ("count", "笔数")]);
    for (s, n) in order.iter().zip(outcomes) {
        by.push(vec![Cell::text(s.label()), Cell::Int(n)]);
    }
    r.sections.push(by);
    let closed = outcomes[2] + outcomes[3];
    r.notes.push(match ratio(outcomes[2], closed) {
        Some(p) => format!("改评率(已改评 / 已结案的改评与未改评):{:.1}%({} / {closed})", p * 100.0, outcomes[2]),
        None => "改评率:还没有结案的中差评".into(),
    });
    r.notes
        .push("处理人:售后登记里的处理人,没有时为登记中差评的客服。评价日期:录入的评价日期,没有时为登记日期。".into());
    r
}
