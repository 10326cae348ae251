//! The queue's forms: the flag picker, the memo line, and opening a refund, exchange,
//! bad-review or damage case for an order. Each form has its own field enum, so each
//! value is read by name; each turns its values into one write.

use chrono::NaiveDate;

use crate::domain::case::{BadReviewDetail, CaseDetail, ExchangeDetail, Registration, ReviewLevel};
use crate::domain::event::RefundRecord;
use crate::domain::flag::Flag;
use crate::domain::money::parse_yuan;
use crate::domain::refund::{GoodsStatus, Phase};
use crate::domain::text_format::{DamageReport, MemoLine, ParcelLoss};
use crate::domain::timefmt::parse_date;
use crate::tui::theme::Role;
use crate::tui::widgets::form::{Choice, Field, Form, YesNo};
use crate::tui::widgets::picker::Picker;
use crate::tui::worker::WriteCmd;

pub(crate) fn flag_picker(current: Flag) -> Picker {
    let items = Flag::ALL.iter().map(|f| (format!("{} {}", f.label(), f.meaning()), Role::Flag(*f))).collect();
    Picker::new("设置旗帜", items, current.number() as usize)
}

impl Choice for ReviewLevel {
    fn all() -> &'static [Self] {
        &[ReviewLevel::Neutral, ReviewLevel::Negative]
    }
    fn label(self) -> &'static str {
        ReviewLevel::label(self)
    }
}

impl Choice for ParcelLoss {
    fn all() -> &'static [Self] {
        &[ParcelLoss::Damaged, ParcelLoss::Lost]
    }
    fn label(self) -> &'static str {
        ParcelLoss::label(self)
    }
}

impl Choice for Phase {
    fn all() -> &'static [Self] {
        &[Phase::Aftersale, Phase::Onsale]
    }
    fn label(self) -> &'static str {
        Phase::label(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemoField {
    StaffNo,
    What,
    Result,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefundField {
    RefundNo,
    Amount,
    Reason,
    NoReason7d,
    NeedsReturn,
    Phase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExchangeField {
    Reason,
    Want,
    Quality,
    PostagePaid,
    Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReviewField {
    Level,
    Text,
    Date,
    BuyerWants,
    Remedy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DamageField {
    ShipDate,
    Origin,
    Destination,
    TrackingNo,
    Loss,
    Value,
    StaffNo,
    Sku,
}

/// What the form needs to know about the order it is for.
pub(crate) struct OrderFacts<'a> {
    pub(crate) order_no: &'a str,
    pub(crate) amount: &'a str,
    pub(crate) today: NaiveDate,
}

fn title(what: &str, order_no: &str) -> String {
    format!("{what} · {}", crate::tui::text::clip(order_no, 24))
}

pub(crate) fn memo_form(o: &OrderFacts) -> Form<MemoField> {
    Form::new(
        &title("写备注", o.order_no),
        vec![
            Field::text(MemoField::StaffNo, "快递工号", ""),
            Field::text(MemoField::What, "做了什么", ""),
            Field::text(MemoField::Result, "结果", ""),
        ],
    )
}

pub(crate) fn refund_form(o: &OrderFacts) -> Form<RefundField> {
    Form::new(
        &title("登记退款", o.order_no),
        vec![
            Field::text(RefundField::RefundNo, "退款编号", ""),
            Field::text(RefundField::Amount, "退款金额", o.amount),
            Field::text(RefundField::Reason, "退款原因", ""),
            Field::choice(RefundField::NoReason7d, "七天无理由", YesNo::No),
            Field::choice(RefundField::NeedsReturn, "需要退货", YesNo::Yes),
            Field::choice(RefundField::Phase, "售中/售后", Phase::Aftersale),
        ],
    )
}

pub(crate) fn exchange_form(o: &OrderFacts) -> Form<ExchangeField> {
    Form::new(
        &title("换货", o.order_no),
        vec![
            Field::text(ExchangeField::Reason, "换货原因", ""),
            Field::text(ExchangeField::Want, "换成(款/色/码)", ""),
            Field::choice(ExchangeField::Quality, "质量问题", YesNo::No),
            Field::choice(ExchangeField::PostagePaid, "买家已付邮费", YesNo::No),
            Field::text(ExchangeField::Source, "问题来源", "旺旺"),
        ],
    )
}

pub(crate) fn review_form(o: &OrderFacts) -> Form<ReviewField> {
    Form::new(
        &title("中差评处理", o.order_no),
        vec![
            Field::choice(ReviewField::Level, "评价", ReviewLevel::Negative),
            Field::text(ReviewField::Text, "评价内容", ""),
            Field::text(ReviewField::Date, "评价日期", &o.today.format("%Y-%m-%d").to_string()),
            Field::text(ReviewField::BuyerWants, "买家诉求/态度", ""),
            Field::text(ReviewField::Remedy, "处理方案", ""),
        ],
    )
}

/// The damage report's form, prefilled with the order's facts (`Store::damage_prefill`):
/// the shipped date, the shop's origin, the receiver's region, the items' 货号.
pub(crate) fn damage_form(order_no: &str, r: &DamageReport) -> Form<DamageField> {
    let ship_date = r.ship_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let value = if r.value_fen > 0 { crate::domain::money::format_yuan(r.value_fen) } else { String::new() };
    Form::new(
        &title("破损/遗失报告", order_no),
        vec![
            Field::text(DamageField::ShipDate, "发货日期", &ship_date),
            Field::text(DamageField::Origin, "发货地", &r.origin),
            Field::text(DamageField::Destination, "派件地区", &r.destination),
            Field::text(DamageField::TrackingNo, "物流单号", &r.tracking_no),
            Field::choice(DamageField::Loss, "派件结果", ParcelLoss::Damaged),
            Field::text(DamageField::Value, "宝贝金额", &value),
            Field::text(DamageField::StaffNo, "查件客服工号", ""),
            Field::text(DamageField::Sku, "货号", &r.sku),
        ],
    )
}

/// The memo line as typed so far.
pub(crate) fn memo_preview(form: &mut Form<MemoField>, agent: &str, today: NaiveDate) {
    form.preview = MemoLine {
        date: Some(today),
        staff_no: form.text(MemoField::StaffNo).into(),
        action: form.text(MemoField::What).into(),
        result: form.text(MemoField::Result).into(),
        agent: agent.into(),
    }
    .render()
    .map(|l| vec![format!("备注:{l}")])
    .unwrap_or_default();
}

/// The damage report as typed so far (for the live preview and on submit).
pub(crate) fn damage_report(form: &Form<DamageField>, shop: &str) -> DamageReport {
    DamageReport {
        shop: shop.into(),
        ship_date: parse_date(form.text(DamageField::ShipDate)),
        origin: form.trimmed(DamageField::Origin),
        destination: form.trimmed(DamageField::Destination),
        tracking_no: form.trimmed(DamageField::TrackingNo),
        loss: form.choice(DamageField::Loss),
        value_fen: parse_yuan(form.text(DamageField::Value)).unwrap_or(0),
        staff_no: form.trimmed(DamageField::StaffNo),
        sku: form.trimmed(DamageField::Sku),
        courier: String::new(),
    }
}

pub(crate) fn damage_preview(form: &mut Form<DamageField>, shop: &str, agent: &str) {
    let r = damage_report(form, shop);
    form.preview = vec![format!("报告:{}", r.sentence()), format!("登记:{}", r.register_line(agent))];
    if shop.trim().is_empty() {
        form.preview.push("店铺名未设置:kefu shop set name 店铺名(所有席位共用)".into());
    }
}

pub(crate) fn memo_submit(form: &Form<MemoField>, order_no: &str) -> WriteCmd {
    WriteCmd::AddMemo {
        order_no: order_no.into(),
        staff_no: form.trimmed(MemoField::StaffNo),
        what: form.trimmed(MemoField::What),
        result: form.trimmed(MemoField::Result),
    }
}

pub(crate) fn refund_submit(form: &Form<RefundField>, order_no: &str) -> Result<WriteCmd, String> {
    let amount_fen = parse_yuan(form.text(RefundField::Amount))?;
    let needs_return = form.choice::<YesNo>(RefundField::NeedsReturn).yes();
    Ok(WriteCmd::OpenRefund(RefundRecord {
        refund_no: form.trimmed(RefundField::RefundNo),
        order_no: order_no.into(),
        amount_fen,
        reason: form.trimmed(RefundField::Reason),
        no_reason_7d: form.choice::<YesNo>(RefundField::NoReason7d).yes(),
        needs_return,
        goods_status: if needs_return { GoodsStatus::BuyerReceived } else { GoodsStatus::BuyerNotReceived },
        phase: form.choice(RefundField::Phase),
        ..Default::default()
    }))
}

pub(crate) fn exchange_submit(form: &Form<ExchangeField>, order_no: &str) -> WriteCmd {
    WriteCmd::OpenCase {
        order_no: order_no.into(),
        detail: CaseDetail::Exchange(ExchangeDetail {
            reason: form.trimmed(ExchangeField::Reason),
            want: form.trimmed(ExchangeField::Want),
            quality_problem: form.choice::<YesNo>(ExchangeField::Quality).yes(),
            postage_paid: form.choice::<YesNo>(ExchangeField::PostagePaid).yes(),
            ..Default::default()
        }),
        registration: Registration {
            source: form.trimmed(ExchangeField::Source),
            problem_type: "换货".into(),
            ..Default::default()
        },
    }
}

pub(crate) fn review_submit(form: &Form<ReviewField>, order_no: &str) -> WriteCmd {
    WriteCmd::OpenCase {
        order_no: order_no.into(),
        detail: CaseDetail::BadReview(BadReviewDetail {
            level: form.choice(ReviewField::Level),
            review_text: form.trimmed(ReviewField::Text),
            review_date: parse_date(form.text(ReviewField::Date)),
            buyer_wants: form.trimmed(ReviewField::BuyerWants),
            remedy: form.trimmed(ReviewField::Remedy),
        }),
        registration: Registration { source: "评价".into(), problem_type: "中差评".into(), ..Default::default() },
    }
}

pub(crate) fn damage_submit(form: &Form<DamageField>, order_no: &str, shop: &str) -> Result<WriteCmd, String> {
    if !form.text(DamageField::Value).trim().is_empty() {
        parse_yuan(form.text(DamageField::Value))?;
    }
    let date = form.text(DamageField::ShipDate).trim();
    if !date.is_empty() && parse_date(date).is_none() {
        return Err(format!("发货日期 '{date}' 看不懂,写成 2026-06-28"));
    }
    Ok(WriteCmd::OpenCase {
        order_no: order_no.into(),
        detail: CaseDetail::Damage(damage_report(form, shop)),
        registration: Registration {
            source: "快递".into(), problem_type: "破损/遗失".into(), ..Default::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};

    fn facts() -> OrderFacts<'static> {
        OrderFacts { order_no: "2606280001", amount: "88.00", today: parse_date("2026-06-28").unwrap_or_default() }
    }

    fn typed<F: crate::tui::widgets::form::FieldId>(form: &mut Form<F>, keys: &str) {
        for c in keys.chars() {
            let k = match c {
                '\t' => KeyCode::Tab,
                '>' => KeyCode::Right,
                c => KeyCode::Char(c),
            };
            form.handle_key(KeyEvent::from(k));
        }
    }

    #[test]
    fn the_refund_form_reads_each_value_by_name() {
        let mut f = refund_form(&facts());
        typed(&mut f, "R9\t\t尺码不合适\t>\t>\t>");
        let Ok(WriteCmd::OpenRefund(r)) = refund_submit(&f, "2606280001") else { panic!("a refund") };
        assert_eq!((r.refund_no.as_str(), r.amount_fen, r.reason.as_str()), ("R9", 8800, "尺码不合适"));
        assert!(r.no_reason_7d, "七天无理由 moved to 是");
        assert!(!r.needs_return, "需要退货 moved from 是 to 否");
        assert_eq!(r.goods_status, GoodsStatus::BuyerNotReceived);
        assert_eq!(r.phase, Phase::Onsale);
    }

    #[test]
    fn the_damage_form_checks_its_date_and_amount() {
        let prefill = DamageReport {
            ship_date: parse_date("2026-06-27"),
            tracking_no: "888090781867".into(),
            value_fen: 8800,
            ..Default::default()
        };
        let mut f = damage_form("1", &prefill);
        assert_eq!(f.text(DamageField::ShipDate), "2026-06-27", "the shipped date, not today");
        typed(&mut f, "\t杭州\t北京\t\t>\t\t843\t109");
        let Ok(WriteCmd::OpenCase { detail: CaseDetail::Damage(d), .. }) = damage_submit(&f, "1", "19shop") else {
            panic!("a damage case")
        };
        assert_eq!(d.loss, ParcelLoss::Lost);
        assert_eq!((d.origin.as_str(), d.staff_no.as_str(), d.sku.as_str()), ("杭州", "843", "109"));
        let mut bad = damage_form("1", &prefill);
        bad.set_text(DamageField::ShipDate, "6月28");
        assert!(damage_submit(&bad, "1", "19shop").unwrap_err().contains("看不懂"));
    }
}
