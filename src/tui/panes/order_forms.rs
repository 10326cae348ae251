//! The queue's forms: flag picker, memo line, and opening a refund, exchange, bad-review
//! or damage case for an order. Each turns its values into one `Action`.

use ratatui::style::Color;

use crate::domain::case::{BadReviewDetail, CaseDetail, ExchangeDetail, Registration, ReviewLevel};
use crate::domain::event::RefundRecord;
use crate::domain::flag::Flag;
use crate::domain::money::parse_yuan;
use crate::domain::refund::{GoodsStatus, Phase};
use crate::domain::text_format::{DamageReport, MemoLine, ParcelLoss};
use crate::domain::timefmt::parse_date;
use crate::tui::action::Action;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::picker::Picker;

pub fn flag_color(f: Flag) -> Color {
    match f {
        Flag::Grey => Color::DarkGray,
        Flag::Red => Color::Red,
        Flag::Yellow => Color::Yellow,
        Flag::Green => Color::Green,
        Flag::Blue => Color::Blue,
        Flag::Purple => Color::Magenta,
    }
}

pub fn flag_picker(current: Flag) -> Picker {
    let items = Flag::ALL.iter().map(|f| (format!("{} {}", f.label(), f.meaning()), flag_color(*f))).collect();
    Picker::new("设置旗帜", items, current.number() as usize)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderForm {
    Memo,
    Refund,
    Exchange,
    BadReview,
    Damage,
}

impl OrderForm {
    pub fn build(self, order_no: &str, amount: &str, tracking: &str, today: &str) -> Form {
        let tail = crate::tui::text::clip(order_no, 24);
        match self {
            OrderForm::Memo => Form::new(
                &format!("写备注 · {tail}"),
                vec![Field::text("快递工号", ""), Field::text("做了什么", ""), Field::text("结果", "")],
            ),
            OrderForm::Refund => Form::new(
                &format!("登记退款 · {tail}"),
                vec![
                    Field::text("退款编号", ""),
                    Field::text("退款金额", amount),
                    Field::text("退款原因", ""),
                    Field::choice("七天无理由", &["否", "是"], 0),
                    Field::choice("需要退货", &["是", "否"], 0),
                    Field::choice("售中/售后", &["售后", "售中"], 0),
                ],
            ),
            OrderForm::Exchange => Form::new(
                &format!("换货 · {tail}"),
                vec![
                    Field::text("换货原因", ""),
                    Field::text("换成(款/色/码)", ""),
                    Field::choice("质量问题", &["否", "是"], 0),
                    Field::choice("买家已付邮费", &["否", "是"], 0),
                    Field::text("问题来源", "旺旺"),
                ],
            ),
            OrderForm::BadReview => Form::new(
                &format!("中差评处理 · {tail}"),
                vec![
                    Field::choice("评价", &["中评", "差评"], 1),
                    Field::text("评价内容", ""),
                    Field::text("评价日期", today),
                    Field::text("买家诉求/态度", ""),
                    Field::text("处理方案", ""),
                ],
            ),
            OrderForm::Damage => Form::new(
                &format!("破损/遗失报告 · {tail}"),
                vec![
                    Field::text("发货日期", today),
                    Field::text("发货地", ""),
                    Field::text("派件地区", ""),
                    Field::text("物流单号", tracking),
                    Field::choice("派件结果", &["破损", "遗失"], 0),
                    Field::text("宝贝金额", amount),
                    Field::text("查件客服工号", ""),
                    Field::text("货号", ""),
                ],
            ),
        }
    }

    /// The damage report as typed so far (for the live preview and on submit).
    pub fn damage_report(form: &Form, shop: &str) -> DamageReport {
        DamageReport {
            shop: shop.into(),
            ship_date: parse_date(form.value(0)),
            origin: form.value(1).trim().into(),
            destination: form.value(2).trim().into(),
            tracking_no: form.value(3).trim().into(),
            loss: if form.choice(4) == 1 { ParcelLoss::Lost } else { ParcelLoss::Damaged },
            value_fen: parse_yuan(form.value(5)).unwrap_or(0),
            staff_no: form.value(6).trim().into(),
            sku: form.value(7).trim().into(),
            courier: String::new(),
        }
    }

    /// Refreshes a form's live preview (memo line, report sentence and register line).
    pub fn preview(self, form: &mut Form, shop: &str, agent: &str, today: Option<chrono::NaiveDate>) {
        form.preview = match self {
            OrderForm::Memo => MemoLine {
                date: today,
                staff_no: form.value(0).into(),
                action: form.value(1).into(),
                result: form.value(2).into(),
                agent: agent.into(),
            }
            .render()
            .map(|l| vec![format!("备注:{l}")])
            .unwrap_or_default(),
            OrderForm::Damage => {
                let r = Self::damage_report(form, shop);
                vec![format!("报告:{}", r.sentence()), format!("登记:{}", r.register_line(agent))]
            }
            _ => Vec::new(),
        };
    }

    /// The action the form asks for, or what is wrong with it.
    pub fn submit(self, form: &Form, order_no: &str, shop: &str) -> Result<Action, String> {
        let order_no = order_no.to_string();
        let yes = |i: usize, yes_idx: usize| form.choice(i) == yes_idx;
        match self {
            OrderForm::Memo => Ok(Action::AddMemo {
                order_no,
                staff_no: form.value(0).trim().into(),
                what: form.value(1).trim().into(),
                result: form.value(2).trim().into(),
            }),
            OrderForm::Refund => {
                let amount_fen = parse_yuan(form.value(1))?;
                Ok(Action::OpenRefund(RefundRecord {
                    refund_no: form.value(0).trim().into(),
                    order_no,
                    amount_fen,
                    reason: form.value(2).trim().into(),
                    no_reason_7d: yes(3, 1),
                    needs_return: yes(4, 0),
                    goods_status: if yes(4, 0) { GoodsStatus::BuyerReceived } else { GoodsStatus::BuyerNotReceived },
                    phase: if form.choice(5) == 0 { Phase::Aftersale } else { Phase::Onsale },
                    ..Default::default()
                }))
            }
            OrderForm::Exchange => Ok(Action::OpenCase {
                order_no,
                detail: CaseDetail::Exchange(ExchangeDetail {
                    reason: form.value(0).trim().into(),
                    want: form.value(1).trim().into(),
                    quality_problem: yes(2, 1),
                    postage_paid: yes(3, 1),
                    ..Default::default()
                }),
                registration: Registration {
                    source: form.value(4).trim().into(),
                    problem_type: "换货".into(),
                    ..Default::default()
                },
            }),
            OrderForm::BadReview => Ok(Action::OpenCase {
                order_no,
                detail: CaseDetail::BadReview(BadReviewDetail {
                    level: if form.choice(0) == 0 { ReviewLevel::Neutral } else { ReviewLevel::Negative },
                    review_text: form.value(1).trim().into(),
                    review_date: parse_date(form.value(2)),
                    buyer_wants: form.value(3).trim().into(),
                    remedy: form.value(4).trim().into(),
                }),
                registration: Registration {
                    source: "评价".into(),
                    problem_type: "中差评".into(),
                    ..Default::default()
                },
            }),
            OrderForm::Damage => {
                if !form.value(5).trim().is_empty() {
                    parse_yuan(form.value(5))?;
                }
                if !form.value(0).trim().is_empty() && parse_date(form.value(0)).is_none() {
                    return Err(format!("发货日期 '{}' 看不懂,写成 2026-06-28", form.value(0).trim()));
                }
                Ok(Action::OpenCase {
                    order_no,
                    detail: CaseDetail::Damage(Self::damage_report(form, shop)),
                    registration: Registration {
                        source: "快递".into(),
                        problem_type: "破损/遗失".into(),
                        ..Default::default()
                    },
                })
            }
        }
    }
}
