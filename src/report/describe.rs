//! One readable Chinese line per event, for the log (`kefu log`, the TUI's log pane).
//!
//! Pure: [`describe`] takes the event's body and a [`Context`] with what the body alone
//! does not say — the state before and after (from the store's fold, `store::fold`), whether replay
//! found it a conflict, the case's kind, a reply's code. With an empty context it still
//! says what happened, only without "before → after".
//!
//! `退款 R1:买家已经申请退款,等待卖家同意 → 卖家已经同意退款,等待买家退货(同意退款)`

use crate::domain::case::{CaseDetail, CaseKind, Registration};
use crate::domain::event::{EventBody, MemoKind};
use crate::domain::money::format_yuan;
use crate::domain::width::truncate;

/// What the log knows about an event beyond its body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The state (refund, case, flag) before the event, as a label.
    pub before: Option<String>,
    /// The state after it.
    pub after: Option<String>,
    /// Replay found the event no longer legal where it falls: kept, but it changed nothing.
    pub conflict: Option<String>,
    /// The case's kind (only `case_opened` carries it).
    pub case_kind: Option<CaseKind>,
    /// The reply's code (reply events carry only its id).
    pub reply_code: Option<String>,
}

/// The readable line for `body`.
pub fn describe(body: &EventBody, ctx: &Context) -> String {
    let mut line = match body {
        EventBody::OrdersUpserted { source, orders } => match orders.as_slice() {
            [one] => format!("订单 {} 平台信息更新:{}(来源 {source})", one.order_no, one.status.0.label()),
            many => format!("导入订单 {} 笔(来源 {source})", many.len()),
        },
        EventBody::MemoAdded { order_no, text, memo_kind } => {
            let what = match memo_kind {
                MemoKind::Note => "备注",
                MemoKind::Tracking => "备注(快件跟踪)",
                MemoKind::Review => "备注(评价)",
                MemoKind::Contact => "备注(联系记录)",
            };
            format!("订单 {order_no} {what}:{text}")
        }
        EventBody::FlagSet { order_no, flag } => match &ctx.before {
            Some(b) if b != flag.label() => format!("订单 {order_no} 旗帜:{b} → {}", flag.label()),
            Some(_) => format!("订单 {order_no} 旗帜:{}(未变)", flag.label()),
            None => format!("订单 {order_no} 旗帜 → {}", flag.label()),
        },
        EventBody::RefundOpened { refund } => {
            let mut tags = Vec::new();
            if refund.no_reason_7d {
                tags.push("七天无理由");
            }
            if refund.needs_return {
                tags.push("需退货");
            }
            let tags = if tags.is_empty() { String::new() } else { format!("({})", tags.join("、")) };
            format!(
                "退款 {} 登记:订单 {},{} 元,原因:{}{tags} → {}",
                refund.refund_no,
                refund.order_no,
                format_yuan(refund.amount_fen),
                refund.reason,
                ctx.after.as_deref().unwrap_or(refund.state.label())
            )
        }
        EventBody::RefundSynced { refund } => {
            let after = ctx.after.as_deref().unwrap_or(refund.state.label());
            match ctx.before.as_deref() {
                Some(b) if b != after => format!("退款 {} 平台同步:{b} → {after}", refund.refund_no),
                _ => format!("退款 {} 平台同步:{after}", refund.refund_no),
            }
        }
        EventBody::RefundActed { refund_no, action, input, from } => {
            let mut extra = vec![action.label().to_string()];
            if let Some(d) = input.days {
                extra.push(format!("{d} 天"));
            }
            if !input.note.is_empty() {
                extra.push(format!("说明:{}", input.note));
            }
            if !input.tracking_no.is_empty() {
                extra.push(format!("{} {}", input.courier, input.tracking_no).trim().to_string());
            }
            let extra = extra.join(",");
            let before = ctx.before.as_deref().unwrap_or(from.label());
            match ctx.after.as_deref() {
                Some(a) if a != before && ctx.conflict.is_none() => format!("退款 {refund_no}:{before} → {a}({extra})"),
                _ => format!("退款 {refund_no}:{before}({extra})"),
            }
        }
        EventBody::CaseOpened { order_no, detail, registration, .. } => {
            let what = match detail {
                CaseDetail::BadReview(b) => format!("{}「{}」", b.level.label(), truncate(b.review_text.trim(), 60)),
                CaseDetail::Exchange(x) => {
                    let mut s = format!("原因:{}", x.reason.trim());
                    if !x.want.trim().is_empty() {
                        s.push_str(&format!(",换{}", x.want.trim()));
                    }
                    if x.quality_problem {
                        s.push_str("(质量问题)");
                    }
                    s
                }
                CaseDetail::Damage(d) => d.register_line(""),
            };
            let reg = registration_text(registration);
            let reg = if reg.is_empty() { String::new() } else { format!(";{reg}") };
            format!(
                "{} 登记:订单 {order_no} {what}{reg} → {}",
                detail.kind().label(),
                ctx.after.as_deref().unwrap_or(detail.kind().initial_state().label())
            )
        }
        EventBody::CaseActed { action, note, .. } => {
            let mut extra = action.label().to_string();
            if !note.is_empty() {
                extra.push_str(&format!(",{note}"));
            }
            match (&ctx.before, &ctx.after) {
                (Some(b), Some(a)) if a != b && ctx.conflict.is_none() => {
                    format!("{}:{b} → {a}({extra})", case_label(ctx))
                }
                (Some(b), _) => format!("{}:{b}({extra})", case_label(ctx)),
                _ => format!("{}:{extra}", case_label(ctx)),
            }
        }
        EventBody::CaseRegistered { registration, .. } => {
            format!("{} 售后登记:{}", case_label(ctx), registration_text(registration))
        }
        EventBody::CaseDetailEdited { detail, .. } => {
            let what = match detail {
                CaseDetail::BadReview(b) => {
                    let mut parts = Vec::new();
                    if !b.buyer_wants.trim().is_empty() {
                        parts.push(format!("买家诉求:{}", b.buyer_wants.trim()));
                    }
                    if !b.remedy.trim().is_empty() {
                        parts.push(format!("补救:{}", b.remedy.trim()));
                    }
                    if parts.is_empty() {
                        format!("评价「{}」", truncate(b.review_text.trim(), 40))
                    } else {
                        parts.join(",")
                    }
                }
                CaseDetail::Exchange(x) => format!("原因:{},换{}", x.reason.trim(), x.want.trim()),
                CaseDetail::Damage(d) => d.register_line(""),
            };
            format!("{} 修改详情:{what}", detail.kind().label())
        }
        EventBody::CaseContacted { channel, date, progress, .. } => {
            let mut s =
                format!("{} 联系买家({},{}):{progress}", case_label(ctx), channel.label(), date.format("%-m-%-d"));
            if let (Some(b), Some(a)) = (&ctx.before, &ctx.after)
                && a != b
                && ctx.conflict.is_none()
            {
                s.push_str(&format!(";{b} → {a}"));
            }
            s
        }
        EventBody::ReplySaved { code, text, group, .. } => {
            format!("快捷短语 保存 [{code}]({group}):{}", truncate(text, 40))
        }
        EventBody::ReplyDeleted { reply_id } => format!("快捷短语 删除 [{}]", reply_name(ctx, reply_id)),
        EventBody::ReplyUsed { reply_id, order_no } => {
            let on = if order_no.is_empty() { String::new() } else { format!(",订单 {order_no}") };
            format!("使用快捷短语 [{}]{on}", reply_name(ctx, reply_id))
        }
        EventBody::ConflictResolved { event_id, note } => format!("处理冲突 {event_id}:{note}"),
        EventBody::SettingSet { key, value } => format!("设置 {key} = {value}"),
    };
    if let Some(c) = &ctx.conflict {
        line.push_str(&format!(" ⚠ 冲突,未生效:{c}"));
    }
    line
}

fn case_label(ctx: &Context) -> &'static str {
    ctx.case_kind.map(CaseKind::label).unwrap_or("售后单")
}

fn reply_name<'a>(ctx: &'a Context, id: &'a str) -> &'a str {
    ctx.reply_code.as_deref().unwrap_or(id)
}

/// `处理人 宾、处理状态 处理中`: the fields that are set.
fn registration_text(r: &Registration) -> String {
    [
        ("问题来源", &r.source),
        ("客户评分", &r.rating),
        ("处理人", &r.handler),
        ("问题类型", &r.problem_type),
        ("处理状态", &r.status),
        ("处理结果", &r.result),
    ]
    .iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("{k} {}", v.trim()))
    .collect::<Vec<_>>()
    .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{BadReviewDetail, CaseAction, CaseState, Channel, ReviewLevel};
    use crate::domain::event::RefundRecord;
    use crate::domain::flag::Flag;
    use crate::domain::refund::{ActionInput, RefundAction, RefundState};
    use crate::domain::text_format::{DamageReport, ParcelLoss};

    fn ctx(before: Option<&str>, after: Option<&str>) -> Context {
        Context { before: before.map(String::from), after: after.map(String::from), ..Default::default() }
    }

    #[test]
    fn refund_action_reads_before_and_after() {
        let body = EventBody::RefundActed {
            refund_no: "R1".into(),
            action: RefundAction::Agree,
            input: ActionInput::default(),
            from: RefundState::WaitSellerAgree,
        };
        let c = ctx(Some(RefundState::WaitSellerAgree.label()), Some(RefundState::WaitBuyerReturnGoods.label()));
        assert_eq!(
            describe(&body, &c),
            "退款 R1:买家已经申请退款,等待卖家同意 → 卖家已经同意退款,等待买家退货(同意退款)"
        );
        // Without context, `from` still gives the state it was in.
        assert_eq!(describe(&body, &Context::default()), "退款 R1:买家已经申请退款,等待卖家同意(同意退款)");
    }

    #[test]
    fn refund_action_details_and_conflicts() {
        let body = EventBody::RefundActed {
            refund_no: "R2".into(),
            action: RefundAction::Refuse,
            input: ActionInput { note: "金额不对".into(), ..Default::default() },
            from: RefundState::WaitSellerAgree,
        };
        let mut c = ctx(Some(RefundState::WaitSellerAgree.label()), Some(RefundState::SellerRefuseBuyer.label()));
        assert_eq!(describe(&body, &c), "退款 R2:买家已经申请退款,等待卖家同意 → 卖家拒绝退款(拒绝退款,说明:金额不对)");
        c.after = c.before.clone();
        c.conflict = Some("退款已是「退款关闭」".into());
        assert_eq!(
            describe(&body, &c),
            "退款 R2:买家已经申请退款,等待卖家同意(拒绝退款,说明:金额不对) ⚠ 冲突,未生效:退款已是「退款关闭」"
        );
        let ret = EventBody::RefundActed {
            refund_no: "R1".into(),
            action: RefundAction::BuyerReturned,
            input: ActionInput { tracking_no: "YT123".into(), courier: "圆通".into(), ..Default::default() },
            from: RefundState::WaitBuyerReturnGoods,
        };
        assert!(describe(&ret, &Context::default()).ends_with("(登记买家退货,圆通 YT123)"));
        let ext = EventBody::RefundActed {
            refund_no: "R3".into(),
            action: RefundAction::Extend,
            input: ActionInput { days: Some(5), ..Default::default() },
            from: RefundState::WaitBuyerReturnGoods,
        };
        let same = RefundState::WaitBuyerReturnGoods.label();
        assert_eq!(
            describe(&ext, &ctx(Some(same), Some(same))),
            "退款 R3:卖家已经同意退款,等待买家退货(延长收货,5 天)"
        );
    }

    #[test]
    fn refund_opened_and_memo_and_flag() {
        let body = EventBody::RefundOpened {
            refund: RefundRecord {
                refund_no: "R1".into(),
                order_no: "2606280001".into(),
                amount_fen: 8800,
                reason: "尺码不合适".into(),
                needs_return: true,
                no_reason_7d: true,
                ..Default::default()
            },
        };
        assert_eq!(
            describe(&body, &Context::default()),
            "退款 R1 登记:订单 2606280001,88.00 元,原因:尺码不合适(七天无理由、需退货) → 买家已经申请退款,等待卖家同意"
        );
        let memo = EventBody::MemoAdded {
            order_no: "1".into(),
            text: "6-28联系工号851更改地址,已更改 宾".into(),
            memo_kind: MemoKind::Tracking,
        };
        assert_eq!(describe(&memo, &Context::default()), "订单 1 备注(快件跟踪):6-28联系工号851更改地址,已更改 宾");
        let flag = EventBody::FlagSet { order_no: "1".into(), flag: Flag::Purple };
        assert_eq!(describe(&flag, &Context::default()), "订单 1 旗帜 → 紫旗");
        assert_eq!(describe(&flag, &ctx(Some("红旗"), None)), "订单 1 旗帜:红旗 → 紫旗");
    }

    #[test]
    fn cases_read_with_their_kind_and_states() {
        let opened = EventBody::CaseOpened {
            case_id: "C1".into(),
            order_no: "1".into(),
            detail: CaseDetail::BadReview(BadReviewDetail {
                level: ReviewLevel::Negative,
                review_text: "有线头".into(),
                ..Default::default()
            }),
            registration: Registration { source: "评价".into(), ..Default::default() },
        };
        assert_eq!(describe(&opened, &Context::default()), "中差评 登记:订单 1 差评「有线头」;问题来源 评价 → 待联系");
        let acted =
            EventBody::CaseActed { case_id: "C1".into(), action: CaseAction::ReviewChanged, note: String::new() };
        let c = Context {
            before: Some(CaseState::Contacting.label().into()),
            after: Some(CaseState::Changed.label().into()),
            case_kind: Some(CaseKind::BadReview),
            ..Default::default()
        };
        assert_eq!(describe(&acted, &c), "中差评:联系中 → 已改评(买家已改评)");
        let contact = EventBody::CaseContacted {
            case_id: "C1".into(),
            channel: Channel::Phone,
            date: chrono::NaiveDate::from_ymd_opt(2026, 6, 28).unwrap(),
            progress: "答应改评".into(),
        };
        let c = Context {
            before: Some("待联系".into()),
            after: Some("联系中".into()),
            case_kind: Some(CaseKind::BadReview),
            ..Default::default()
        };
        assert_eq!(describe(&contact, &c), "中差评 联系买家(电话,6-28):答应改评;待联系 → 联系中");
        let damage = EventBody::CaseOpened {
            case_id: "C2".into(),
            order_no: "2".into(),
            detail: CaseDetail::Damage(DamageReport {
                tracking_no: "888090781867".into(),
                loss: ParcelLoss::Damaged,
                value_fen: 8800,
                staff_no: "843".into(),
                sku: "109".into(),
                ..Default::default()
            }),
            registration: Registration::default(),
        };
        assert_eq!(
            describe(&damage, &Context::default()),
            "破损/遗失 登记:订单 2 888090781867(破损)工号843价格88元(货号109) → 已报告快递"
        );
    }

    #[test]
    fn replies_use_their_code_when_known() {
        let used = EventBody::ReplyUsed { reply_id: "0190-abc".into(), order_no: "1".into() };
        assert_eq!(describe(&used, &Context::default()), "使用快捷短语 [0190-abc],订单 1");
        let c = Context { reply_code: Some("yfx".into()), ..Default::default() };
        assert_eq!(describe(&used, &c), "使用快捷短语 [yfx],订单 1");
    }
}
