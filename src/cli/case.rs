//! `kefu case …`: exchanges, bad reviews and damage/loss reports from the shell, and
//! `kefu postage`: who pays, for an order and a case.

use anyhow::{Result, anyhow, bail};
use serde_json::json;

use super::out;
use super::table::Table;
use crate::domain::case::{
    BadReviewDetail, CaseAction, CaseDetail, CaseKind, Channel, ExchangeDetail, Registration, ReviewLevel,
};
use crate::domain::money::{format_yuan, parse_yuan};
use crate::domain::order::OrderStatus;
use crate::domain::postage::{CaseFacts, PostageCase, Remedy, ShopType, fee_fen, infer_case, who_pays};
use crate::domain::text_format::ParcelLoss;
use crate::domain::timefmt::parse_date;
use crate::store::{CaseRow, Store};

#[derive(clap::Args, Default)]
pub struct Reg {
    /// 问题来源 (旺旺/电话/评价/仓库 …)
    #[arg(long)]
    source: Option<String>,
    /// 客户评分
    #[arg(long)]
    rating: Option<String>,
    /// 处理人
    #[arg(long)]
    handler: Option<String>,
    /// 问题类型
    #[arg(long = "problem-type")]
    problem_type: Option<String>,
    /// 处理状态
    #[arg(long = "status")]
    status: Option<String>,
    /// 处理结果
    #[arg(long)]
    result: Option<String>,
}

impl Reg {
    fn registration(self) -> Registration {
        Registration {
            source: self.source.unwrap_or_default(),
            rating: self.rating.unwrap_or_default(),
            handler: self.handler.unwrap_or_default(),
            problem_type: self.problem_type.unwrap_or_default(),
            status: self.status.unwrap_or_default(),
            result: self.result.unwrap_or_default(),
        }
    }
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Open an exchange (sets the order's flag blue).
    Exchange {
        order_no: String,
        #[arg(long)]
        reason: String,
        /// What goes out instead (SKU / colour / size).
        #[arg(long)]
        want: Option<String>,
        /// Quality problem: exchanged free.
        #[arg(long)]
        quality: bool,
        /// The buyer paid the return postage.
        #[arg(long = "postage-paid")]
        postage_paid: bool,
        #[command(flatten)]
        reg: Reg,
    },
    /// Register a neutral/negative review (flag purple, review copied into the memo).
    Review {
        order_no: String,
        /// 中评 or 差评
        #[arg(long, default_value = "中评")]
        level: String,
        /// The review text (at most 500 characters).
        #[arg(long)]
        text: String,
        /// Review date (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
        #[arg(long = "wants")]
        buyer_wants: Option<String>,
        #[arg(long)]
        remedy: Option<String>,
        #[command(flatten)]
        reg: Reg,
    },
    /// File a damage/loss report to the courier; prints the report sentence and the register line.
    Damage {
        order_no: String,
        /// 破损 or 遗失
        #[arg(long, default_value = "破损")]
        loss: String,
        /// Ship date (defaults to the order's shipped time).
        #[arg(long = "ship-date")]
        ship_date: Option<String>,
        /// Where it was sent from (defaults to the shop's `origin`).
        #[arg(long)]
        origin: Option<String>,
        /// Where it went (defaults to the receiver's province and city).
        #[arg(long)]
        destination: Option<String>,
        /// Tracking number (defaults to the order's).
        #[arg(long)]
        tracking: Option<String>,
        /// Item value in yuan (defaults to the order's amount).
        #[arg(long)]
        value: Option<String>,
        /// The courier staff number (工号).
        #[arg(long)]
        staff: String,
        /// 货号 (defaults to the order's items).
        #[arg(long)]
        sku: Option<String>,
        /// Shop name (defaults to the shop's `name`: kefu shop set name …).
        #[arg(long)]
        shop: Option<String>,
    },
    /// Run an action on a case: received, postage-paid, ship, review-changed, review-not-changed, claimed, rejected, cancel.
    Act {
        case_id: String,
        action: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Log a contact with the buyer (and note it in the memo).
    Contact {
        case_id: String,
        /// 电话 / 旺旺 / 短信 / 邮件
        #[arg(long, default_value = "电话")]
        channel: String,
        progress: String,
    },
    /// Fill in the after-sales registration fields.
    Register {
        case_id: String,
        #[command(flatten)]
        reg: Reg,
    },
    /// List cases (open ones unless --all).
    List {
        /// exchange, bad_review or damage
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show a case with its contacts and history.
    Show {
        case_id: String,
        #[arg(long)]
        json: bool,
    },
}

impl Cmd {
    /// Everything but `list` and `show` records events.
    pub fn writes(&self) -> bool {
        !matches!(self, Cmd::List { .. } | Cmd::Show { .. })
    }
}

pub fn run(store: &mut Store, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Exchange { order_no, reason, want, quality, postage_paid, reg } => {
            let detail = CaseDetail::Exchange(ExchangeDetail {
                reason,
                want: want.unwrap_or_default(),
                quality_problem: quality,
                postage_paid,
                ..Default::default()
            });
            opened(store.open_case(&order_no, detail, reg.registration())?)
        }
        Cmd::Review { order_no, level, text, date, buyer_wants, remedy, reg } => {
            let level =
                ReviewLevel::parse(&level).ok_or_else(|| anyhow!("评价等级只能是 中评 或 差评,收到 '{level}'"))?;
            let review_date =
                date.as_deref().map(|d| parse_date(d).ok_or_else(|| anyhow!("看不懂日期 '{d}'"))).transpose()?;
            let detail = CaseDetail::BadReview(BadReviewDetail {
                level,
                review_text: text,
                review_date,
                buyer_wants: buyer_wants.unwrap_or_default(),
                remedy: remedy.unwrap_or_default(),
            });
            opened(store.open_case(&order_no, detail, reg.registration())?)
        }
        Cmd::Damage { order_no, loss, ship_date, origin, destination, tracking, value, staff, sku, shop } => {
            let mut report = store.damage_prefill(&order_no)?.ok_or_else(|| anyhow!("找不到订单 {order_no}"))?;
            if let Some(d) = ship_date {
                report.ship_date = Some(parse_date(&d).ok_or_else(|| anyhow!("看不懂发货日期 '{d}'"))?);
            }
            let set = |field: &mut String, given: Option<String>| {
                if let Some(v) = given {
                    *field = v;
                }
            };
            set(&mut report.origin, origin);
            set(&mut report.destination, destination);
            set(&mut report.tracking_no, tracking);
            set(&mut report.sku, sku);
            set(&mut report.shop, shop);
            if let Some(v) = value {
                report.value_fen = parse_yuan(&v).map_err(anyhow::Error::msg)?;
            }
            report.loss =
                ParcelLoss::parse(&loss).ok_or_else(|| anyhow!("派件结果只能是 破损 或 遗失,收到 '{loss}'"))?;
            report.staff_no = staff;
            let case = store.open_case(&order_no, CaseDetail::Damage(report.clone()), Registration::default())?;
            out::line(format!("已提交{}报告 {}", report.loss.label(), case.case_id))?;
            out::line(format!("报告:{}", report.sentence()))?;
            out::line(format!("破损登记簿:{}", report.register_line(&store.actor().agent)))?;
            Ok(())
        }
        Cmd::Act { case_id, action, note } => {
            let a = CaseAction::parse(&action).ok_or_else(|| {
                anyhow!(
                    "不认识的动作 '{action}'。可用:{}",
                    CaseAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
                )
            })?;
            let c = store.case_act(&case_id, a, note.as_deref().unwrap_or(""))?;
            out::line(format!("{} {}:{} → {}", c.kind.label(), c.case_id, a.label(), c.state.label()))?;
            Ok(())
        }
        Cmd::Contact { case_id, channel, progress } => {
            let ch = Channel::parse(&channel)
                .ok_or_else(|| anyhow!("联系方式只能是 电话/旺旺/短信/邮件,收到 '{channel}'"))?;
            let c = store.case_contact(&case_id, ch, &progress)?;
            out::line(format!("已记录{}联系:{}({})", ch.label(), progress.trim(), c.state.label()))?;
            Ok(())
        }
        Cmd::Register { case_id, reg } => {
            let c = store.case_register(&case_id, reg.registration())?;
            out::line(format!("已登记 {}:{:?}", c.case_id, c.registration))?;
            Ok(())
        }
        Cmd::List { kind, all, json } => {
            let kind = kind
                .as_deref()
                .map(|k| {
                    CaseKind::parse(k).ok_or_else(|| anyhow!("类型只能是 exchange、bad_review 或 damage,收到 '{k}'"))
                })
                .transpose()?;
            let rows = store.cases(kind, all, 500)?;
            if json {
                out::json(&rows)?;
                return Ok(());
            }
            let mut t = Table::new(&["售后单", "类型", "订单号", "状态", "建立", "建立人", "处理人"]);
            for c in &rows {
                t.row(vec![
                    c.case_id.clone(),
                    c.kind.label().into(),
                    c.order_no.clone(),
                    c.state.label().into(),
                    c.opened_at.clone(),
                    c.opened_by.clone(),
                    c.registration.handler.clone(),
                ]);
            }
            out::table(&t)?;
            Ok(())
        }
        Cmd::Show { case_id, json } => {
            let c = store.require_case(&case_id)?;
            let contacts = store.case_contacts(&case_id)?;
            let history = store.case_timeline(&case_id)?;
            if json {
                let v = json!({"case": c, "contacts": contacts, "history": history, "allowed_actions": store.case_actions(&c).iter().map(|a| a.name()).collect::<Vec<_>>()});
                out::json(&v)?;
                return Ok(());
            }
            out::line(format!("{} {}  订单 {}  状态 {}", c.kind.label(), c.case_id, c.order_no, c.state.label()))?;
            let r = &c.registration;
            out::line(format!(
                "问题来源:{} 客户评分:{} 处理人:{} 问题类型:{} 处理状态:{} 处理结果:{}",
                r.source, r.rating, r.handler, r.problem_type, r.status, r.result
            ))?;
            if let CaseDetail::Damage(d) = &c.detail {
                out::line(format!("报告:{}", d.sentence()))?;
            }
            let allowed: Vec<&str> = store.case_actions(&c).iter().map(|a| a.name()).collect();
            out::line(format!("可执行:{}", if allowed.is_empty() { "无".to_string() } else { allowed.join(" ") }))?;
            for ct in &contacts {
                out::line(format!("  {} {} {} — {}", ct.date, ct.channel, ct.progress, ct.agent))?;
            }
            Ok(())
        }
    }
}

fn opened(c: CaseRow) -> Result<()> {
    out::line(format!("已建立{} {} · 订单 {} · {}", c.kind.label(), c.case_id, c.order_no, c.state.label()))?;
    Ok(())
}

#[derive(clap::Args)]
pub struct PostageArgs {
    order_no: String,
    /// no-reason-7d | free-shipping | quality-minor | quality | after-success
    /// (default: inferred from the order and its open refund or case, and said)
    #[arg(long = "case")]
    case: Option<String>,
    /// exchange or refund
    #[arg(long, default_value = "refund")]
    remedy: String,
    /// Tmall: an invoice was issued and not returned.
    #[arg(long = "invoice-kept")]
    invoice_kept: bool,
    /// Shop type (C店 / 天猫); default: the shop's setting (`kefu shop set type`).
    #[arg(long)]
    shop: Option<String>,
}

pub fn postage(store: &Store, a: PostageArgs) -> Result<()> {
    let order = store.order_detail(&a.order_no)?.ok_or_else(|| anyhow!("找不到订单 {}", a.order_no))?;
    let case = match a.case.as_deref() {
        Some("no-reason-7d" | "7d") => PostageCase::NoReason7Days,
        Some("free-shipping") => PostageCase::FreeShippingPromo,
        Some("quality-minor") => PostageCase::QualityMinor,
        Some("quality") => PostageCase::Quality,
        Some("after-success") => PostageCase::AfterTradeSuccess,
        Some(other) => {
            bail!("不认识的情形 '{other}':no-reason-7d、free-shipping、quality-minor、quality、after-success")
        }
        None => {
            let finished = order.status == Some(OrderStatus::TradeFinished);
            let refund = store.refunds_for_order(&order.order_no)?.into_iter().rev().find(|r| !r.state.is_terminal());
            let cases = store.cases_for_order(&order.order_no)?;
            let open = cases.iter().rev().find(|c| !c.state.is_terminal() && c.kind != CaseKind::BadReview);
            let (facts, what) = match (&refund, open) {
                (Some(r), _) => (
                    CaseFacts::Refund { no_reason_7d: r.no_reason_7d, reason: &r.reason },
                    format!("退款 {}", r.refund_no),
                ),
                (None, Some(c)) => match &c.detail {
                    CaseDetail::Exchange(x) => {
                        (CaseFacts::Exchange { quality: x.quality_problem, reason: &x.reason }, "换货单".to_string())
                    }
                    _ => (CaseFacts::Damage, "破损/遗失单".to_string()),
                },
                (None, None) => (CaseFacts::Order, "订单".to_string()),
            };
            let (case, why) = infer_case(finished, facts);
            out::note(format!("按{what}推断情形「{}」:{why}(--case 可指定)", case.label()));
            case
        }
    };
    let remedy = match a.remedy.as_str() {
        "exchange" | "换货" => Remedy::Exchange,
        "refund" | "退款" => Remedy::Refund,
        other => bail!("只能是 exchange 或 refund,收到 '{other}'"),
    };
    let shop = match &a.shop {
        Some(t) => ShopType::parse(t).ok_or_else(|| anyhow!("不认识的店铺类型 '{t}':C店 或 天猫"))?,
        None => store.shop_settings()?.shop_type,
    };
    if case != PostageCase::AfterTradeSuccess && order.status == Some(OrderStatus::TradeFinished) {
        out::note(format!("提示:订单 {} 已交易成功,通常应按「交易成功后」处理", order.order_no));
    }
    let ans = who_pays(shop, case, remedy, a.invoice_kept);
    out::line(format!("{} · {} · {}:{}付", shop.label(), case.label(), remedy.label(), ans.payer.label()))?;
    out::line(ans.rule)?;
    if ans.fee_percent.is_some() {
        out::line(format!(
            "手续费:{} 元(订单实付 {} 元)",
            format_yuan(fee_fen(&ans, order.amount_fen)),
            format_yuan(order.amount_fen)
        ))?;
    }
    Ok(())
}
