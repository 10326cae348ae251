//! Refund exports of both generations (tests/fixtures/make_refund_fixtures.py): the
//! 42-column export and Tmall's 41-column one, GB18030 and UTF-8 with a BOM. Every row
//! comes in, 客服介入状态 and 举证超时 with it; a state text kefu does not know is kept.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken setup")]

use chrono::NaiveDateTime;
use kefu::domain::intervention::Intervention;
use kefu::domain::refund::{ActionInput, GoodsStatus, Phase, RefundAction, RefundState};
use kefu::import::encoding::TextEncoding;
use kefu::import::{Summary, apply};
use kefu::store::Store;

mod import_support;
use import_support::{open, store};

fn t(s: &str) -> NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

fn counts(sum: &Summary) -> (u64, u64, u64, u64) {
    (sum.new, sum.updated, sum.unchanged, sum.rejected.count)
}

const FILES: [(&str, usize, TextEncoding); 4] = [
    ("ExportRefundList42_gb18030.csv", 42, TextEncoding::Gb18030),
    ("ExportRefundList42_bom.csv", 42, TextEncoding::Utf8Bom),
    ("ExportRefundList_tmall41_gb18030.csv", 41, TextEncoding::Gb18030),
    ("ExportRefundList_tmall41_bom.csv", 41, TextEncoding::Utf8Bom),
];

/// Every row of the fixture, as the case and the platform record hold it.
fn assert_every_row(s: &Store) {
    let row = |no: &str| s.refund(no).unwrap().unwrap_or_else(|| panic!("refund {no} not imported"));
    let rec = |no: &str| s.refund_record(no).unwrap().unwrap();

    let r1 = row("20260629100001");
    assert_eq!((r1.intervention.clone(), r1.evidence_deadline), (Some(Intervention::NotNeeded), None));
    assert_eq!(
        (r1.order_no.as_str(), r1.amount_fen, r1.state),
        ("4021865531002746618", 8800, RefundState::WaitSellerAgree)
    );
    assert!(r1.no_reason_7d && r1.needs_return && r1.shipped);
    assert_eq!(r1.buyer_desc, "尺码偏大,\"不想要了\"\n吊牌还在");
    assert_eq!((r1.goods_status.as_str(), r1.phase.as_str()), (GoodsStatus::BuyerReceived.code(), "售后"));
    assert_eq!((r1.applied_at, r1.deadline), (Some(t("2026-06-29 10:05:00")), Some(t("2026-07-04 10:05:00"))));
    let p1 = rec("20260629100001");
    assert_eq!((p1.intervention, p1.evidence_deadline), (Some(Intervention::NotNeeded), None));

    // 未发货 and 售中退款; the platform stepped in (3) with evidence due
    let r2 = row("20260629100002");
    assert_eq!((r2.amount_fen, r2.state), (25950, RefundState::WaitSellerAgree));
    assert_eq!((r2.goods_status.as_str(), r2.phase.as_str()), (GoodsStatus::BuyerNotReceived.code(), "售中"));
    assert!(!r2.shipped && !r2.needs_return);
    let p2 = rec("20260629100002");
    assert_eq!(
        (p2.intervention, p2.evidence_deadline),
        (Some(Intervention::Intervened), Some(t("2026-07-02 18:30:00")))
    );
    assert_eq!(p2.phase, Phase::Onsale);

    let r3 = row("20260629100003");
    assert_eq!(
        (r3.state, r3.return_tracking_no.as_str(), r3.return_courier.as_str()),
        (RefundState::WaitSellerConfirmGoods, "YT1234567890", "圆通速递")
    );
    let p3 = rec("20260629100003");
    assert_eq!((p3.intervention, p3.evidence_deadline), (Some(Intervention::Needed), Some(t("2026-07-03 09:00:00"))));

    // unknown texts: kept, the case is UNKNOWN, no action is offered
    let r4 = row("20260629100004");
    assert_eq!((r4.state, r4.goods_status.as_str(), r4.amount_fen), (RefundState::Unknown, "UNKNOWN", 3000));
    assert!(r4.case().allowed_actions().is_empty());
    assert_eq!((r4.state_text.as_str(), r4.goods_text.as_str()), ("退款暂停(平台处理中)", "部分退货"));
    assert_eq!(r4.intervention, Some(Intervention::Other("客服主管复审中".into())));
    let p4 = rec("20260629100004");
    assert_eq!((p4.state_text.as_str(), p4.goods_text.as_str()), ("退款暂停(平台处理中)", "部分退货"));
    assert_eq!(p4.intervention, Some(Intervention::Other("客服主管复审中".into())));
    assert_eq!(p4.phase, Phase::Aftersale, "售后退款");

    let r5 = row("20260629100005");
    assert_eq!((r5.state, r5.amount_fen), (RefundState::Success, 12900));
    assert_eq!(rec("20260629100005").intervention, Some(Intervention::Done));

    let r6 = row("20260629100006");
    assert_eq!((r6.state, r6.seller_note.as_str()), (RefundState::Unknown, "买家撤销申请"));
    assert_eq!(rec("20260629100006").intervention, None);
}

#[test]
fn both_generations_in_both_encodings_import_every_row() {
    for (name, columns, encoding) in FILES {
        let mut s = store();
        let sum = apply::import_refunds(&mut s, open(name)).unwrap();
        assert_eq!(counts(&sum), (6, 0, 0, 0), "{name}: {:?}", sum.rejected);
        assert_eq!((sum.columns, sum.encoding), (columns, Some(encoding)), "{name}");
        assert_every_row(&s);
        // waiting for the seller: R1, R2 (to agree), R3 (to confirm the return); unknown, to be
        // looked at: R4 and R6
        assert_eq!(s.refunds_waiting_count().unwrap(), 5, "{name}");

        // the unknown texts are reported with their row counts
        assert_eq!(sum.unknown.count("退款状态", "退款暂停(平台处理中)"), 2, "{name}");
        assert_eq!(sum.unknown.count("货物状态", "部分退货"), 1, "{name}");
        let warning = sum.unknown.warning().join("\n");
        assert!(warning.contains("退款状态「退款暂停(平台处理中)」:2 行"), "{warning}");
        assert!(sum.line().ends_with("未知值 3"), "{}", sum.line());

        // the same file again changes nothing
        let events = s.event_count().unwrap();
        let again = apply::import_refunds(&mut s, open(name)).unwrap();
        assert_eq!((counts(&again), again.events), ((0, 0, 6, 0), 0), "{name}");
        assert_eq!(s.event_count().unwrap(), events);
    }
}

#[test]
fn the_other_generation_of_the_same_refunds_changes_nothing() {
    let mut s = store();
    apply::import_refunds(&mut s, open("ExportRefundList42_gb18030.csv")).unwrap();
    let sum = apply::import_refunds(&mut s, open("ExportRefundList_tmall41_bom.csv")).unwrap();
    assert_eq!(counts(&sum), (0, 0, 6, 0));
}

#[test]
fn a_newer_export_that_knows_the_state_syncs_the_unknown_case() {
    let mut s = store();
    apply::import_refunds(&mut s, open("ExportRefundList42_bom.csv")).unwrap();
    let err = s.refund_act("20260629100004", RefundAction::Close, ActionInput::default()).unwrap_err();
    assert!(err.to_string().contains("不认识这笔退款的状态"), "{err}");

    let text =
        String::from_utf8(std::fs::read(import_support::fixture("ExportRefundList42_bom.csv")).unwrap()).unwrap();
    let newer = text
        .replace("退款暂停(平台处理中)", "退款关闭")
        .replace("部分退货", "买家已退货")
        .replace("客服主管复审中", "6");
    let sum = apply::import_refunds(&mut s, std::io::Cursor::new(newer.into_bytes())).unwrap();
    assert_eq!(counts(&sum), (0, 2, 4, 0));
    assert!(sum.unknown.is_empty());
    assert_eq!(s.refund("20260629100004").unwrap().unwrap().state, RefundState::Closed);
    let p = s.refund_record("20260629100004").unwrap().unwrap();
    assert!(p.state_text.is_empty() && p.goods_text.is_empty());
    let r = s.refund("20260629100004").unwrap().unwrap();
    assert!(r.state_text.is_empty() && r.goods_text.is_empty());
    assert_eq!(r.intervention, Some(Intervention::Done));
    assert_eq!((p.goods_status, p.intervention), (GoodsStatus::BuyerReturnedGoods, Some(Intervention::Done)));
}

#[test]
fn the_case_keeps_the_intervention_through_a_seat_action_and_a_rebuild() {
    let mut s = store();
    apply::import_refunds(&mut s, open("ExportRefundList42_gb18030.csv")).unwrap();
    s.refund_act("20260629100002", RefundAction::Agree, ActionInput::default()).unwrap();
    let r = s.refund("20260629100002").unwrap().unwrap();
    assert_eq!(r.state, RefundState::Success);
    assert_eq!((r.intervention, r.evidence_deadline), (Some(Intervention::Intervened), Some(t("2026-07-02 18:30:00"))));
    let digest = s.projection_digest().unwrap();
    s.rebuild().unwrap();
    assert_eq!(s.projection_digest().unwrap(), digest);
}
