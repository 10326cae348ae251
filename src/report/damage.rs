//! The damage register (破损登记簿, `000` §(一)): one line per damaged or lost parcel in
//! the seed's columns — report date, tracking number, parcel state, courier staff
//! number, item price, SKU, handling agent — and the register line exactly as the seed
//! writes it (`888090781867(破损)工号843价格88元(货号109)宾`), plus the claim's state.

use super::{Cell, Period, Report, ReportTable, shop_time};
use crate::domain::case::{CaseDetail, CaseKind, CaseState};
use crate::domain::text_format::ParcelLoss;
use crate::store::report_queries::CaseFact;
use crate::store::{Result, Store};

/// Every damage/loss report, or those filed in `period`, in the order they were filed.
pub fn build(store: &Store, period: Option<Period>) -> Result<Report> {
    let bounds = period.map(|p| p.utc_text());
    let facts = store.case_facts(CaseKind::Damage, bounds.as_ref().map(|(a, b)| (a.as_str(), b.as_str())), false)?;
    Ok(report(period, &facts))
}

pub fn report(period: Option<Period>, facts: &[CaseFact]) -> Report {
    let mut r =
        Report::new("damage", "破损登记簿").param("期间", period.map(|p| p.label()).unwrap_or_else(|| "全部".into()));
    let mut t = ReportTable::new(
        "破损登记簿",
        &[
            ("report_date", "报告日期"),
            ("tracking_no", "物流单号"),
            ("parcel", "包裹状态"),
            ("staff_no", "快递工号"),
            ("price", "宝贝价格"),
            ("sku", "货号"),
            ("agent", "处理客服"),
            ("register_line", "登记"),
            ("claim", "索赔"),
            ("order_no", "订单号"),
        ],
    );
    // (count, fen) for damaged, lost, claimed, rejected, open
    let mut sums = [(0i64, 0i64); 5];
    for f in facts {
        let CaseDetail::Damage(d) = &f.detail else { continue };
        let agent = f.handler();
        t.push(vec![
            Cell::opt_text(shop_time(&f.opened_at).map(|t| t.date().to_string())),
            Cell::code(d.tracking_no.trim()),
            Cell::text(d.loss.label()),
            Cell::text(d.staff_no.trim()),
            Cell::Yuan(d.value_fen),
            Cell::text(d.sku.trim()),
            Cell::text(agent),
            Cell::text(d.register_line(agent)),
            Cell::text(f.state.label()),
            Cell::code(&f.order_no),
        ]);
        let mut add = |i: usize| {
            sums[i].0 += 1;
            sums[i].1 += d.value_fen;
        };
        add(if d.loss == ParcelLoss::Damaged { 0 } else { 1 });
        match f.state {
            CaseState::Claimed => add(2),
            CaseState::Rejected => add(3),
            CaseState::Reported => add(4),
            _ => {}
        }
    }
    r.sections.push(t);
    let mut s = ReportTable::new("合计", &[("item", "项目"), ("count", "件数"), ("amount", "金额")]);
    for (label, (n, fen)) in ["破损", "遗失", "快递已赔付", "快递拒赔", "待快递处理"].iter().zip(sums)
    {
        s.push(vec![Cell::text(*label), Cell::Int(n), Cell::Yuan(fen)]);
    }
    r.sections.push(s);
    r.notes.push(
        "报告日期:在 kefu 登记报告的日期(店铺时间)。处理客服:售后登记里的处理人,没有时为登记的客服。金额为宝贝价格。"
            .into(),
    );
    r
}
