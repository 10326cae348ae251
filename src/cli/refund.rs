//! `kefu refund new|ACTION|list|show`.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::out;
use super::table::Table;
use crate::domain::event::RefundRecord;
use crate::domain::money::{format_yuan, parse_yuan};
use crate::domain::refund::{ActionInput, RefundAction, RefundState};
use crate::domain::timefmt::format_datetime;
use crate::store::{RefundRow, Store};

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Record a refund the buyer applied for.
    New {
        order_no: String,
        #[arg(long, value_name = "R")]
        refund_no: String,
        /// Amount in yuan (88, 88.50).
        #[arg(long)]
        amount: String,
        #[arg(long)]
        reason: String,
        /// A 7-day no-reason return (七天无理由).
        #[arg(long = "no-reason-7d")]
        no_reason_7d: bool,
        /// The goods come back (是否需要退货).
        #[arg(long = "goods-returned")]
        goods_returned: bool,
    },
    /// List refunds, newest first.
    List {
        #[arg(long)]
        json: bool,
        /// Only this state (WAIT_SELLER_AGREE …).
        #[arg(long, value_name = "CODE")]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Show one refund and its history.
    Show {
        refund_no: String,
        #[arg(long)]
        json: bool,
    },
    /// agree | refuse | buyer-amended | buyer-returned | received | refund-done | close | extend
    #[command(external_subcommand)]
    Action(Vec<String>),
}

impl Cmd {
    /// Everything but `list` and `show` records events.
    pub fn writes(&self) -> bool {
        !matches!(self, Cmd::List { .. } | Cmd::Show { .. })
    }
}

#[derive(clap::Parser)]
#[command(no_binary_name = true)]
struct ActionArgs {
    refund_no: String,
    /// The refusal reason (2–200 characters) or a note.
    #[arg(long)]
    note: Option<String>,
    /// Extend receipt by 3, 5, 7 or 10 days.
    #[arg(long)]
    days: Option<u32>,
    /// The buyer's return tracking number.
    #[arg(long)]
    tracking: Option<String>,
    #[arg(long)]
    courier: Option<String>,
}

pub fn run(store: &mut Store, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::New { order_no, refund_no, amount, reason, no_reason_7d, goods_returned } => {
            let amount_fen = parse_yuan(&amount).map_err(anyhow::Error::msg)?;
            let r = store.refund_new(RefundRecord {
                refund_no,
                order_no,
                amount_fen,
                reason,
                no_reason_7d,
                needs_return: goods_returned,
                ..Default::default()
            })?;
            out::line(format!(
                "已登记退款 {}(订单 {},{} 元):{}",
                r.refund_no,
                r.order_no,
                format_yuan(r.amount_fen),
                r.state
            ))?;
        }
        Cmd::List { json, state, limit } => {
            let state = match state {
                Some(s) => Some(RefundState::parse(&s).ok_or_else(|| {
                    anyhow::anyhow!(
                        "不认识的退款状态 '{s}'。可用:{}",
                        RefundState::ALL.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ")
                    )
                })?),
                None => None,
            };
            let rows = store.refunds(state, limit)?;
            if json {
                out::json(&rows.iter().map(refund_json).collect::<Vec<_>>())?;
            } else {
                let mut t = Table::new(&["退款编号", "订单号", "金额>", "状态", "原因", "申请时间", "处理人"]);
                for r in &rows {
                    t.row(vec![
                        r.refund_no.clone(),
                        r.order_no.clone(),
                        format_yuan(r.amount_fen),
                        r.state.short_label().into(),
                        r.reason.clone(),
                        r.applied_at.map(format_datetime).unwrap_or_default(),
                        r.handler.clone(),
                    ]);
                }
                out::table(&t)?;
            }
        }
        Cmd::Show { refund_no, json } => {
            let r = store.require_refund(&refund_no)?;
            let history = store.case_timeline(&refund_no)?;
            let conflicts = store.conflicts(Some(&refund_no))?;
            if json {
                let mut v = refund_json(&r);
                v["history"] = Value::Array(
                    history
                        .iter()
                        .map(|e| json!({"id": e.id, "at": e.at, "seat": e.seat, "agent": e.agent, "kind": e.kind, "payload": serde_json::from_str::<Value>(&e.payload).unwrap_or(Value::Null)}))
                        .collect(),
                );
                v["conflicts"] = serde_json::to_value(&conflicts)?;
                v["allowed_actions"] = json!(r.case().allowed_actions().iter().map(|a| a.name()).collect::<Vec<_>>());
                out::json(&v)?;
            } else {
                out::line(format!("退款 {}  订单 {}  {} 元", r.refund_no, r.order_no, format_yuan(r.amount_fen)))?;
                if r.state_text.is_empty() {
                    out::line(format!("状态:{}", r.state))?;
                } else {
                    out::line(format!("状态:{}(导出文件写的是「{}」)", r.state, r.state_text))?;
                }
                if let Some(i) = &r.intervention {
                    let due = r.evidence_deadline.map(|d| format!(" · 举证超时 {}", format_datetime(d)));
                    out::line(format!("客服介入:{i}{}", due.unwrap_or_default()))?;
                }
                out::line(format!("原因:{}{}", r.reason, if r.no_reason_7d { "(七天无理由)" } else { "" }))?;
                if !r.return_tracking_no.is_empty() {
                    out::line(format!("退货:{} {}", r.return_courier, r.return_tracking_no))?;
                }
                let allowed: Vec<String> =
                    r.case().allowed_actions().iter().map(|a| format!("{}({})", a.name(), a.label())).collect();
                out::line(format!("可执行:{}", if allowed.is_empty() { "无".into() } else { allowed.join(" ") }))?;
                let mut t = Table::new(&["时间", "席位", "客服", "事件"]);
                for e in crate::report::log::case_entries(store, &refund_no)? {
                    t.row(vec![e.shop_time, e.seat, e.agent, e.line]);
                }
                out::table(&t.max_width(60))?;
                for c in &conflicts {
                    out::line(format!("冲突{}:{}", if c.resolved { "(已处理)" } else { "" }, c.reason))?;
                }
            }
        }
        Cmd::Action(words) => {
            let Some((name, rest)) = words.split_first() else { bail!("要写动作") };
            let Some(action) = RefundAction::parse(name) else {
                bail!(
                    "不认识的退款动作 '{name}'。可用:{}",
                    RefundAction::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
                );
            };
            let a = <ActionArgs as clap::Parser>::try_parse_from(rest).map_err(|e| anyhow::anyhow!("{e}"))?;
            let input = ActionInput {
                note: a.note.unwrap_or_default(),
                days: a.days,
                tracking_no: a.tracking.unwrap_or_default(),
                courier: a.courier.unwrap_or_default(),
            };
            let r = store.refund_act(&a.refund_no, action, input)?;
            out::line(format!("退款 {}:{} → {}", r.refund_no, action.label(), r.state))?;
        }
    }
    Ok(())
}

fn refund_json(r: &RefundRow) -> Value {
    json!({
        "refund_no": r.refund_no,
        "order_no": r.order_no,
        "state": r.state.code(),
        "state_label": r.state.label(),
        "amount": format_yuan(r.amount_fen).parse::<f64>().unwrap_or(0.0),
        "amount_fen": r.amount_fen,
        "reason": r.reason,
        "no_reason_7d": r.no_reason_7d,
        "needs_return": r.needs_return,
        "goods_received": r.goods_received,
        "applied_at": r.applied_at.map(format_datetime),
        "deadline": r.deadline.map(format_datetime),
        "return_tracking_no": r.return_tracking_no,
        "return_courier": r.return_courier,
        "handler": r.handler,
        "extended_days": r.extended_days,
        "state_text": r.state_text,
        "goods_status": r.goods_status,
        "goods_text": r.goods_text,
        "intervention": r.intervention.as_ref().map(|i| i.label()),
        "intervention_code": r.intervention.as_ref().map(|i| i.code()),
        "evidence_deadline": r.evidence_deadline.map(format_datetime),
    })
}
