//! The seller centre's refund export, keyed by 退款编号: the 42-column export (with
//! 手工退款/系统退款, 客服介入状态, 举证超时, 是否帮他退款 …) and Tmall's 41-column one
//! (商品id, 买家会员名称; `="…"` around 退款编号 and 订单编号). Columns are found by name.
//!
//! A 退款状态 or 货物状态 text kefu does not know never drops the row: the refund comes in
//! with the state `UNKNOWN` and the text kept (`state_text`, `goods_text`), and the import
//! summary lists each such text with how many rows carried it.

use super::orders::{check_width, refuse_headers};
use super::rows::{RowReader, Schema};
use super::table::{Headers, Row};
use super::{ImportError, cell, key_field, line_field, text_field};
use crate::domain::event::RefundRecord;
use crate::domain::intervention::Intervention;
use crate::domain::money::parse_yuan;
use crate::domain::refund::{GoodsStatus, Phase, RefundState};
use crate::domain::timefmt::parse_datetime;

pub const REQUIRED: [&str; 4] = ["订单编号", "退款编号", "退款状态", "买家退款金额"];

#[derive(Debug, Clone)]
pub struct RefundColumns {
    order_no: usize,
    refund_no: usize,
    state: usize,
    amount: usize,
    needs_return: Option<usize>,
    applied: Option<usize>,
    deadline: Option<usize>,
    goods: Option<usize>,
    return_tracking: Option<usize>,
    return_courier: Option<usize>,
    reason: Option<usize>,
    desc: Option<usize>,
    phase: Option<usize>,
    seller_note: Option<usize>,
    intervention: Option<usize>,
    evidence_deadline: Option<usize>,
    width: usize,
}

impl RefundColumns {
    pub fn from_headers(h: &Headers) -> Result<RefundColumns, ImportError> {
        let (Some(order_no), Some(refund_no), Some(state), Some(amount)) = (
            h.find(&["订单编号"]),
            h.find(&["退款编号"]),
            h.find(&["退款状态"]),
            h.find(&["买家退款金额", "退款金额"]),
        ) else {
            return Err(refuse_headers("退款导出文件", &REQUIRED, h));
        };
        Ok(RefundColumns {
            order_no,
            refund_no,
            state,
            amount,
            needs_return: h.find(&["是否需要退货"]),
            applied: h.find(&["退款的申请时间", "退款申请时间", "申请时间"]),
            deadline: h.find(&["超时时间"]),
            goods: h.find(&["货物状态"]),
            return_tracking: h.find(&["退货物流单号"]),
            return_courier: h.find(&["退货物流公司"]),
            reason: h.find(&["买家退款原因", "退款原因"]),
            desc: h.find(&["买家退款说明", "退款说明"]),
            phase: h.find(&["售中或售后", "退款阶段"]),
            seller_note: h.find(&["商家备注", "卖家备注"]),
            intervention: h.find(&["客服介入状态"]),
            evidence_deadline: h.find(&["举证超时", "举证超时时间"]),
            width: h.names.iter().rposition(|n| !n.is_empty()).map_or(0, |i| i + 1),
        })
    }
}

fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "是" | "需要" | "需要退货" | "yes" | "y" | "true" | "1" => Some(true),
        "否" | "不需要" | "无需退货" | "no" | "n" | "false" | "0" | "" => Some(false),
        _ => None,
    }
}

fn phase(text: &str) -> Option<Phase> {
    match text.trim().to_lowercase().as_str() {
        "售中" | "售中退款" | "onsale" | "" => Some(Phase::Onsale),
        "售后" | "售后退款" | "aftersale" => Some(Phase::Aftersale),
        _ => None,
    }
}

pub fn parse_refund(cols: &RefundColumns, row: &Row<'_>) -> Result<RefundRecord, String> {
    check_width(row, cols.width)?;
    let mut errs: Vec<String> = Vec::new();
    let refund_no = key_field(row.get(cols.refund_no), "退款编号", &mut errs);
    let order_no = key_field(row.get(cols.order_no), "订单编号", &mut errs);
    let state_cell = cell(row.get(cols.state));
    let (state, state_text) = match RefundState::parse(state_cell) {
        Some(s) => (s, String::new()),
        None if state_cell.is_empty() => {
            errs.push("退款状态为空".to_string());
            (RefundState::Unknown, String::new())
        }
        None => (RefundState::Unknown, line_field(state_cell)),
    };
    let amount_fen = parse_yuan(cell(row.get(cols.amount))).unwrap_or_else(|e| {
        errs.push(format!("买家退款金额:{e}"));
        0
    });
    let mut date = |col: Option<usize>, name: &str| {
        let t = cell(row.opt(col));
        if t.is_empty() {
            return None;
        }
        let d = parse_datetime(t);
        if d.is_none() {
            errs.push(format!("{name}「{t}」不是日期"));
        }
        d
    };
    let applied_at = date(cols.applied, "退款的申请时间");
    let deadline = date(cols.deadline, "超时时间");
    let evidence_deadline = date(cols.evidence_deadline, "举证超时");
    let goods_cell = cell(row.opt(cols.goods));
    let (goods_status, goods_text) = match GoodsStatus::parse(goods_cell) {
        _ if goods_cell.is_empty() => (GoodsStatus::default(), String::new()),
        Some(g) => (g, String::new()),
        None => (GoodsStatus::Unknown, line_field(goods_cell)),
    };
    let intervention = Intervention::parse(&line_field(row.opt(cols.intervention)));
    let ret_text = cell(row.opt(cols.needs_return));
    let needs_return = yes_no(ret_text).unwrap_or_else(|| {
        errs.push(format!("是否需要退货「{ret_text}」应为 是/否"));
        false
    });
    let phase_text = cell(row.opt(cols.phase));
    let phase = phase(phase_text).unwrap_or_else(|| {
        errs.push(format!("售中或售后「{phase_text}」应为 售中/售后"));
        Phase::Onsale
    });
    if !errs.is_empty() {
        return Err(errs.join(";"));
    }
    let reason = line_field(row.opt(cols.reason));
    let buyer_desc = text_field(row.opt(cols.desc));
    let no_reason_7d = ["七天无理由", "7天无理由"].iter().any(|k| reason.contains(k) || buyer_desc.contains(k));
    let shipped = phase == Phase::Aftersale
        || matches!(goods_status, GoodsStatus::BuyerReceived | GoodsStatus::BuyerReturnedGoods);
    let mut return_tracking_no = line_field(row.opt(cols.return_tracking));
    if let Some(rest) = return_tracking_no.strip_prefix("No:") {
        return_tracking_no = rest.trim().to_string();
    }
    Ok(RefundRecord {
        refund_no,
        order_no,
        amount_fen,
        reason,
        buyer_desc,
        no_reason_7d,
        needs_return,
        shipped,
        goods_status,
        phase,
        applied_at,
        deadline,
        state,
        return_tracking_no,
        return_courier: line_field(row.opt(cols.return_courier)),
        seller_note: text_field(row.opt(cols.seller_note)),
        state_text,
        goods_text,
        intervention,
        evidence_deadline,
    })
}

/// The refund export's schema: one row per refund, keyed by 退款编号.
pub struct RefundRows;

impl Schema for RefundRows {
    type Columns = RefundColumns;
    type Record = RefundRecord;
    const KEY_LABEL: &'static str = "退款编号";

    fn columns(headers: &Headers) -> Result<RefundColumns, ImportError> {
        RefundColumns::from_headers(headers)
    }

    fn parse(cols: &RefundColumns, row: &Row<'_>) -> Result<RefundRecord, String> {
        parse_refund(cols, row)
    }

    fn key(rec: &RefundRecord) -> &str {
        &rec.refund_no
    }
}

/// The refund export, row by row.
pub type RefundList<R> = RowReader<R, RefundRows>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::RowError;
    use std::io::Cursor;

    const HEAD: &str = "订单编号,退款编号,买家退款金额,是否需要退货,退款的申请时间,超时时间,退款状态,货物状态,\
                        退货物流单号,退货物流公司,买家退款原因,买家退款说明,售中或售后,商家备注\n";

    fn one(row: &str) -> Result<RefundRecord, RowError> {
        let mut l = RefundList::open(Cursor::new(format!("{HEAD}{row}\n").into_bytes())).unwrap();
        l.next_row().unwrap().unwrap().map(|(_, r)| r)
    }

    #[test]
    fn a_seven_day_return_after_receipt() {
        let r = one("=\"2606280001\",=\"R1\",88.00元,是,2026/6/29 10:00,2026-07-04 10:00:00,\
                     买家已经申请退款，等待卖家同意,买家已收到货,,,七天无理由退换货,\"尺码偏大,\"\"不想要了\"\"\",售后,")
        .unwrap();
        assert_eq!(r.refund_no, "R1");
        assert_eq!(r.order_no, "2606280001");
        assert_eq!(r.amount_fen, 8800);
        assert!(r.needs_return && r.no_reason_7d && r.shipped);
        assert_eq!(r.state, RefundState::WaitSellerAgree);
        assert_eq!(r.goods_status, GoodsStatus::BuyerReceived);
        assert_eq!(r.phase, Phase::Aftersale);
        assert_eq!(r.buyer_desc, "尺码偏大,\"不想要了\"");
        assert_eq!(r.applied_at.unwrap().to_string(), "2026-06-29 10:00:00");
        assert_eq!(r.deadline.unwrap().to_string(), "2026-07-04 10:00:00");
    }

    #[test]
    fn not_shipped_on_sale_refund() {
        let r = one("1,R2,20,否,,,WAIT_SELLER_AGREE,买家未收到货,,,拍错了,,售中,").unwrap();
        assert!(!r.shipped && !r.needs_return && !r.no_reason_7d);
        assert_eq!(r.phase, Phase::Onsale);
    }

    #[test]
    fn bad_cells_are_named() {
        let e = one("1,R3,abc,也许,,,退款中吧,丢了,,,x,,售前,").unwrap_err();
        for p in ["买家退款金额", "是否需要退货「也许」", "售中或售后「售前」"] {
            assert!(e.reason.contains(p), "{}", e.reason);
        }
        // Unknown state texts are not what is wrong with the row.
        assert!(!e.reason.contains("退款中吧") && !e.reason.contains("丢了"), "{}", e.reason);
    }

    #[test]
    fn unknown_state_texts_are_kept_not_refused() {
        let r = one("1,R4,20,否,,,退款中吧,丢了,,,x,,售中退款,").unwrap();
        assert_eq!((r.state, r.state_text.as_str()), (RefundState::Unknown, "退款中吧"));
        assert_eq!((r.goods_status, r.goods_text.as_str()), (GoodsStatus::Unknown, "丢了"));
        assert_eq!(r.phase, Phase::Onsale);
        let r = one("1,R5,20,否,,,退款成功,未发货,,,x,,售后退款,").unwrap();
        assert_eq!(
            (r.state, r.goods_status, r.phase),
            (RefundState::Success, GoodsStatus::BuyerNotReceived, Phase::Aftersale)
        );
        assert!(r.state_text.is_empty() && r.goods_text.is_empty());
        assert!(one("1,R6,20,否,,,,,,,x,,,").unwrap_err().reason.contains("退款状态为空"));
    }

    #[test]
    fn an_order_list_is_refused() {
        let err = RefundList::open(Cursor::new("订单编号,买家会员名,订单状态\n1,a,交易成功\n".as_bytes().to_vec()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("这不是退款导出文件") && err.contains("退款编号"), "{err}");
    }
}
