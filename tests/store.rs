//! The store on in-memory SQLite: every change an event, illegal changes leave nothing,
//! and the tables are a projection of the log.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use chrono::NaiveDate;
use kefu::domain::case::{
    BadReviewDetail, CaseAction, CaseDetail, CaseKind, CaseState, Channel, Registration, ReviewLevel,
};
use kefu::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction, RefundState};
use kefu::store::orders::QueueView;
use kefu::store::{BulkLoad, Store, StoreError};

fn t(s: &str) -> chrono::NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

fn order(no: &str, status: OrderStatus, paid: &str) -> OrderRecord {
    OrderRecord {
        order_no: no.into(),
        buyer: format!("buyer{no}"),
        receiver_name: "王芳".into(),
        receiver_phone: "13812341234".into(),
        receiver_address: "浙江省 杭州市 西湖区 文三路 90 号".into(),
        status: status.into(),
        amount_fen: 8800,
        paid_at: Some(t(paid)),
        created_at: Some(t(paid)),
        title: "2026秋冬新款连帽卫衣".into(),
        items: vec![OrderItem {
            title: "连帽卫衣".into(),
            sku: "109".into(),
            color: "黑色".into(),
            size: "M".into(),
            qty: 1,
            price_fen: 8800,
        }],
        ..Default::default()
    }
}

fn seeded() -> Store {
    let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: vec![
            order("1001", OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00"), // ship by 28th 23:59
            order("1002", OrderStatus::WaitSellerSendGoods, "2026-06-27 17:00:00"), // ship by 28th 17:00
            order("1003", OrderStatus::WaitBuyerConfirmGoods, "2026-06-26 10:00:00"),
            order("1004", OrderStatus::TradeFinished, "2026-06-20 10:00:00"),
            order("1005", OrderStatus::WaitSellerSendGoods, "2026-06-26 18:00:00"), // ship by 27th 18:00: overdue
        ],
    })
    .unwrap();
    s
}

#[test]
fn queue_is_in_urgency_order_with_keyset_pages() {
    let s = seeded();
    let now = t("2026-06-28 12:00:00");
    let all: Vec<String> =
        s.queue_page(QueueView::All, now, None, 50).unwrap().into_iter().map(|r| r.order_no).collect();
    assert_eq!(all, ["1005", "1002", "1001", "1003", "1004"]);
    let first = s.queue_page(QueueView::All, now, None, 2).unwrap();
    let next = s.queue_page(QueueView::All, now, Some(&first[1].cursor), 2).unwrap();
    assert_eq!(next.iter().map(|r| r.order_no.as_str()).collect::<Vec<_>>(), ["1001", "1003"]);
    let back = s.queue_page_before(QueueView::All, now, &next[0].cursor, 2).unwrap();
    assert_eq!(back.iter().map(|r| r.order_no.as_str()).collect::<Vec<_>>(), ["1005", "1002"]);
    let overdue: Vec<String> =
        s.queue_page(QueueView::Overdue, now, None, 50).unwrap().into_iter().map(|r| r.order_no).collect();
    assert_eq!(overdue, ["1005"]);
    assert_eq!(s.overdue_count(now).unwrap(), 1);
    assert_eq!(s.to_ship_count().unwrap(), 3);
    let shipped = s.queue_page(QueueView::Shipped, now, None, 50).unwrap();
    assert_eq!(shipped.len(), 1);
}

#[test]
fn memo_and_flag_are_events_with_who_and_where() {
    let mut s = seeded();
    let line = s.add_memo_line("1001", "851", "更改地址", "已更改").unwrap();
    assert!(line.ends_with("联系工号851更改地址,已更改 宾"), "{line}");
    s.set_flag("1001", Flag::Red).unwrap();
    let d = s.order_detail("1001").unwrap().unwrap();
    assert_eq!(d.flag, Flag::Red);
    assert_eq!(d.memos.len(), 1);
    assert_eq!(
        (d.memos[0].agent.as_str(), d.memos[0].seat.as_str(), d.memos[0].kind.as_str()),
        ("宾", "seat-1", "tracking")
    );
    let tl = s.order_timeline("1001").unwrap();
    assert_eq!(tl.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["memo_added", "flag_set"]);
    let flagged = s.queue_page(QueueView::Flagged(Some(Flag::Red)), t("2026-06-28 12:00:00"), None, 10).unwrap();
    assert_eq!(flagged.len(), 1);
    assert!(matches!(s.set_flag("9999", Flag::Red), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_newer_export_keeps_local_work() {
    let mut s = seeded();
    s.set_flag("1001", Flag::Yellow).unwrap();
    s.add_memo("1001", "缺货,等待到货", MemoKind::Note).unwrap();
    let mut shipped = order("1001", OrderStatus::WaitBuyerConfirmGoods, "2026-06-28 09:00:00");
    shipped.tracking_no = "773001".into();
    shipped.courier = "申通快递".into();
    shipped.platform_flag = Some(Flag::Grey);
    s.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![shipped] }).unwrap();
    let d = s.order_detail("1001").unwrap().unwrap();
    assert_eq!(d.status, Some(OrderStatus::WaitBuyerConfirmGoods));
    assert_eq!(d.tracking_no, "773001");
    assert_eq!(d.flag, Flag::Yellow, "local flag wins over the export's");
    assert_eq!(d.memos.len(), 1);
}

fn refund(no: &str, order: &str) -> RefundRecord {
    RefundRecord {
        refund_no: no.into(),
        order_no: order.into(),
        amount_fen: 8800,
        reason: "尺码不合适".into(),
        needs_return: true,
        ..Default::default()
    }
}

#[test]
fn refund_flow_through_the_platform_states() {
    let mut s = seeded();
    let r = s.refund_new(refund("R1", "1003")).unwrap();
    assert_eq!(r.state, RefundState::WaitSellerAgree);
    assert!(r.shipped);
    assert_eq!(s.refunds_waiting_count().unwrap(), 1);
    assert_eq!(s.queue_row("1003").unwrap().unwrap().open_refunds, 1);
    s.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    let input = ActionInput { tracking_no: "YT9".into(), courier: "圆通".into(), ..Default::default() };
    s.refund_act("R1", RefundAction::BuyerReturned, input).unwrap();
    s.refund_act("R1", RefundAction::Received, ActionInput::default()).unwrap();
    let done = s.refund_act("R1", RefundAction::RefundDone, ActionInput::default()).unwrap();
    assert_eq!(done.state, RefundState::Success);
    assert_eq!(done.first_action_by.as_deref(), Some("宾"));
    assert!(done.closed_at.is_some());
    assert_eq!(s.queue_row("1003").unwrap().unwrap().open_refunds, 0);
    assert_eq!(s.case_timeline("R1").unwrap().len(), 5);
}

#[test]
fn an_illegal_refund_action_changes_nothing() {
    let mut s = seeded();
    s.refund_new(refund("R2", "1003")).unwrap();
    let events = s.event_count().unwrap();
    let before = s.projection_digest().unwrap();
    let err = s.refund_act("R2", RefundAction::Received, ActionInput::default()).unwrap_err();
    assert!(err.to_string().contains("WAIT_SELLER_AGREE"), "{err}");
    let err =
        s.refund_act("R2", RefundAction::Refuse, ActionInput { note: "x".into(), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("2–200"), "{err}");
    assert_eq!(s.event_count().unwrap(), events);
    assert_eq!(s.projection_digest().unwrap(), before);
}

#[test]
fn refusing_an_unshipped_order_is_refused() {
    let mut s = seeded();
    let r = s.refund_new(refund("R3", "1001")).unwrap();
    assert!(!r.shipped);
    let err = s
        .refund_act("R3", RefundAction::Refuse, ActionInput { note: "金额不对".into(), ..Default::default() })
        .unwrap_err();
    assert!(err.to_string().contains("未发货"), "{err}");
}

#[test]
fn bad_review_sets_purple_and_copies_the_review() {
    let mut s = seeded();
    let detail = CaseDetail::BadReview(BadReviewDetail {
        level: ReviewLevel::Negative,
        review_text: "衣服有线头,客服态度差".into(),
        review_date: NaiveDate::from_ymd_opt(2026, 6, 27),
        ..Default::default()
    });
    let c = s.open_case("1004", detail, Registration { source: "评价".into(), ..Default::default() }).unwrap();
    assert_eq!((c.kind, c.state), (CaseKind::BadReview, CaseState::Open));
    let d = s.order_detail("1004").unwrap().unwrap();
    assert_eq!(d.flag, Flag::Purple);
    assert!(d.memos[0].text.contains("差评:衣服有线头,客服态度差 宾"), "{}", d.memos[0].text);
    let c = s.case_contact(&c.case_id, Channel::Phone, "买家同意退货,答应改评").unwrap();
    assert_eq!(c.state, CaseState::Contacting);
    assert_eq!(s.case_contacts(&c.case_id).unwrap().len(), 1);
    assert_eq!(s.order_detail("1004").unwrap().unwrap().memos.len(), 2);
    assert_eq!(s.open_bad_review_count().unwrap(), 1);
}

fn bad_review() -> CaseDetail {
    CaseDetail::BadReview(BadReviewDetail {
        level: ReviewLevel::Negative,
        review_text: "衣服有线头".into(),
        review_date: NaiveDate::from_ymd_opt(2026, 6, 27),
        ..Default::default()
    })
}

#[test]
fn agreeing_to_a_return_sets_purple_and_a_refund_only_does_not() {
    let mut s = seeded();
    s.refund_new(refund("R1", "1003")).unwrap();
    s.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    assert_eq!(s.order_detail("1003").unwrap().unwrap().flag, Flag::Purple, "purple: return in progress");
    let events = s.order_timeline("1003").unwrap();
    let flag = events.iter().find(|e| e.kind == "flag_set").unwrap();
    assert_eq!(flag.agent, "宾", "signed like the agreement");
    s.refund_new(RefundRecord { needs_return: false, ..refund("R2", "1004") }).unwrap();
    s.refund_act("R2", RefundAction::Agree, ActionInput::default()).unwrap();
    assert_eq!(s.order_detail("1004").unwrap().unwrap().flag, Flag::Grey, "仅退款: nothing comes back");
}

#[test]
fn a_bad_review_is_only_registered_on_a_finished_trade() {
    let mut s = seeded();
    let events = s.event_count().unwrap();
    for no in ["1001", "1003"] {
        let err = s.open_case(no, bad_review(), Registration::default()).unwrap_err().to_string();
        assert!(err.contains("交易成功") && err.contains(no), "{err}");
    }
    assert_eq!(s.event_count().unwrap(), events, "nothing recorded");
    assert!(s.open_case("1004", bad_review(), Registration::default()).is_ok());
}

#[test]
fn closing_a_bad_review_notes_it_and_gives_back_the_flag_it_had() {
    let mut s = seeded();
    s.set_flag("1004", Flag::Green).unwrap();
    let c = s.open_case("1004", bad_review(), Registration::default()).unwrap();
    assert_eq!(s.order_detail("1004").unwrap().unwrap().flag, Flag::Purple);
    s.case_act(&c.case_id, CaseAction::ReviewChanged, "买家改好评").unwrap();
    let d = s.order_detail("1004").unwrap().unwrap();
    assert_eq!(d.flag, Flag::Green, "the flag from before the case");
    let last = d.memos.iter().map(|m| m.text.as_str()).find(|t| t.contains("结案")).unwrap();
    assert!(last.contains("中差评结案:已改评,买家改好评 宾"), "{last}");
}

#[test]
fn a_flag_changed_during_the_case_is_kept_when_it_closes() {
    let mut s = seeded();
    let c = s.open_case("1004", bad_review(), Registration::default()).unwrap();
    s.case_contact(&c.case_id, Channel::Phone, "买家不接电话").unwrap();
    s.set_flag("1004", Flag::Red).unwrap();
    s.case_act(&c.case_id, CaseAction::ReviewNotChanged, "").unwrap();
    let d = s.order_detail("1004").unwrap().unwrap();
    assert_eq!(d.flag, Flag::Red, "someone changed it since: theirs stays");
    assert!(d.memos.iter().any(|m| m.text.contains("中差评结案:未改评 宾")), "{:?}", d.memos);
}

/// A newer description of an order replaces its items (fewer, more, none); a new order
/// gets its own; a replay gives the same.
#[test]
fn items_follow_the_newest_description_of_their_order() {
    let mut s = seeded();
    let items = |s: &Store, no: &str| -> Vec<String> {
        s.order_detail(no).unwrap().unwrap().items.iter().map(|i| i.sku.clone()).collect()
    };
    let mut two = order("1001", OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00");
    two.items.push(OrderItem { sku: "SKU-2".into(), ..two.items[0].clone() });
    let mut none = order("1002", OrderStatus::WaitSellerSendGoods, "2026-06-27 17:00:00");
    none.items.clear();
    let fresh = order("1009", OrderStatus::WaitSellerSendGoods, "2026-06-28 08:00:00");
    let before_1001 = items(&s, "1001");
    s.record(EventBody::OrdersUpserted { source: "newer".into(), orders: vec![two, none, fresh] }).unwrap();
    let after_1001 = items(&s, "1001");
    assert_eq!(after_1001.len(), before_1001.len() + 1);
    assert_eq!(after_1001.last().map(String::as_str), Some("SKU-2"));
    assert!(items(&s, "1002").is_empty());
    assert_eq!(items(&s, "1009").len(), 1);
    let digest = s.projection_digest().unwrap();
    s.rebuild().unwrap();
    assert_eq!(s.projection_digest().unwrap(), digest);
    assert_eq!(items(&s, "1001"), after_1001);
}

#[test]
fn untrusted_text_is_stored_clean() {
    let mut s = seeded();
    let mut evil = order("2001", OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00");
    evil.buyer = "\x1b]0;x\x07\x1b[2J坏人\u{202E}".into();
    s.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![evil] }).unwrap();
    s.add_memo("2001", "备注\x1b[31m红\x07", MemoKind::Note).unwrap();
    let d = s.order_detail("2001").unwrap().unwrap();
    assert_eq!(d.buyer, "坏人");
    assert_eq!(d.memos[0].text, "备注红");
}

/// serde_json writes a backspace and a form feed as `\b` and `\f`: they are controls
/// too, and are stripped; a backslash before a `t` is text, and kept.
#[test]
fn backspace_and_form_feed_are_stripped_and_backslashes_kept() {
    let mut s = seeded();
    s.add_memo("1001", "退\u{8}款\u{c}了", MemoKind::Note).unwrap();
    s.add_memo("1001", r"C:\temp\t.txt \u0041", MemoKind::Note).unwrap();
    let d = s.order_detail("1001").unwrap().unwrap();
    let texts: Vec<&str> = d.memos.iter().map(|m| m.text.as_str()).collect();
    assert!(texts.contains(&"退款了"), "{texts:?}");
    assert!(texts.contains(&r"C:\temp\t.txt \u0041"), "{texts:?}");
}

#[test]
fn replaying_the_log_rebuilds_identical_tables() {
    let mut s = seeded();
    s.add_memo_line("1001", "851", "更改地址", "已更改").unwrap();
    s.set_flag("1002", Flag::Green).unwrap();
    s.refund_new(refund("R1", "1003")).unwrap();
    s.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    let id = s.reply_save(None, "yfx", "亲,运费险会赔付退货邮费哦", "售后").unwrap();
    s.reply_save(Some(&id), "yfx", "亲,运费险会自动赔付退货邮费的哦", "售后").unwrap();
    s.reply_used(&id, Some("1001")).unwrap();
    let dead = s.reply_save(None, "x", "亲,删掉我哦", "通用").unwrap();
    s.reply_delete(&dead).unwrap();
    let detail = CaseDetail::BadReview(BadReviewDetail { review_text: "一般".into(), ..Default::default() });
    let c = s.open_case("1004", detail, Registration::default()).unwrap();
    s.case_contact(&c.case_id, Channel::Sms, "已发短信").unwrap();
    let before = s.projection_dump().unwrap();
    s.rebuild().unwrap();
    assert_eq!(s.projection_dump().unwrap(), before);
    assert_eq!(s.replies().unwrap().len(), 1);
    assert_eq!(s.replies().unwrap()[0].uses, 1);
    assert_eq!(s.reply_history(&id).unwrap().len(), 2);
}

#[test]
fn events_chain_per_seat() {
    let mut s = seeded();
    s.set_flag("1001", Flag::Red).unwrap();
    s.set_flag("1001", Flag::Blue).unwrap();
    let evs = s.events_after_rowid(0, 100).unwrap();
    assert_eq!(evs.len(), 3);
    for w in evs.windows(2) {
        assert_eq!(w[1].1.prev_hash, w[0].1.hash);
        assert_eq!(w[1].1.seq, w[0].1.seq + 1);
    }
    for (_, e) in &evs {
        assert_eq!(e.compute_hash(), e.hash);
    }
}

#[test]
fn a_database_file_is_created_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/kefu.sqlite");
    {
        let mut s = Store::open(&path, Actor::new("宾", "seat-1")).unwrap();
        assert!(s.is_empty().unwrap());
        s.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: vec![order("1", OrderStatus::WaitBuyerPay, "2026-06-28 09:00:00")],
        })
        .unwrap();
    }
    let s = Store::open(&path, Actor::new("宾", "seat-1")).unwrap();
    assert_eq!(s.order_count().unwrap(), 1);
}

#[test]
fn a_refund_recorded_twice_keeps_the_first_and_its_actions() {
    use kefu::domain::event::Event;
    // Seat 1 records R1 and agrees; seat 2 records R1 too, later, not knowing.
    let mut a = seeded();
    a.refund_new(refund("R1", "1003")).unwrap();
    a.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    let mut b = Store::open_in_memory(Actor::new("小美", "seat-2")).unwrap();
    let base: Vec<Event> = a.events_after_rowid(0, 1).unwrap().into_iter().map(|(_, e)| e).collect();
    b.write(|w| base.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.refund_new(refund("R1", "1003")).unwrap();
    let theirs: Vec<Event> = b.events_after_rowid(1, 10).unwrap().into_iter().map(|(_, e)| e).collect();
    assert_eq!(theirs.len(), 1);
    a.write(|w| theirs.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    assert_eq!(a.require_refund("R1").unwrap().state, RefundState::WaitBuyerReturnGoods);
    assert!(a.conflicts(None).unwrap().is_empty(), "same claim twice is not a conflict");
    // A third seat claims R1 for another amount: kept, and shown as a conflict.
    let mut dup = refund("R1", "1003");
    dup.amount_fen = 100;
    let mut c = Store::open_in_memory(Actor::new("阿杰", "seat-3")).unwrap();
    c.write(|w| base.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    c.refund_new(dup).unwrap();
    let claim: Vec<Event> = c.events_after_rowid(1, 10).unwrap().into_iter().map(|(_, e)| e).collect();
    a.write(|w| claim.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    assert_eq!(a.require_refund("R1").unwrap().amount_fen, 8800);
    let conflicts = a.conflicts(Some("R1")).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert!(conflicts[0].reason.contains("1.00"), "{}", conflicts[0].reason);
}

#[test]
fn orders_are_found_by_number_tail_buyer_phone_and_tracking() {
    let mut s = seeded();
    let mut shipped = order("26061234567890", OrderStatus::WaitBuyerConfirmGoods, "2026-06-26 10:00:00");
    shipped.tracking_no = "773001234567".into();
    shipped.buyer = "爱吃鱼的猫".into();
    shipped.receiver_phone = "13955556789".into();
    s.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![shipped] }).unwrap();
    let found = |q: &str| s.search_orders(q, 10).unwrap().into_iter().map(|r| r.order_no).collect::<Vec<_>>();
    assert_eq!(found("2606123"), ["26061234567890"], "number prefix");
    assert_eq!(found("67890"), ["26061234567890"], "number tail");
    assert_eq!(found("7730012"), ["26061234567890"], "tracking prefix");
    assert_eq!(found("6789"), ["26061234567890"], "phone tail");
    assert_eq!(found("爱吃鱼"), ["26061234567890"], "buyer prefix");
    assert_eq!(found("buyer100"), ["1005", "1002", "1001", "1003", "1004"], "buyer prefix, in queue order");
    assert!(found("不存在").is_empty());
    assert!(found("   ").is_empty());
}

fn index_names(s: &Store) -> Vec<String> {
    let mut stmt = s.conn().prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<Vec<String>, _>>().unwrap()
}

#[test]
fn bulk_load_rebuilds_indexes_and_is_all_or_nothing() {
    let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
    let indexes = index_names(&s);
    let failed = s.write_bulk(BulkLoad::Orders, |w| {
        w.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: vec![order("1", OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00")],
        })?;
        Err::<(), _>(StoreError::Rule("interrupted".into()))
    });
    assert!(failed.is_err());
    assert_eq!(index_names(&s), indexes, "a failed bulk load keeps every index");
    assert_eq!(s.order_count().unwrap(), 0);
    s.write_bulk(BulkLoad::Orders, |w| {
        w.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: (0..50)
                .map(|i| order(&format!("{i:04}"), OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00"))
                .collect(),
        })
        .map(|_| ())
    })
    .unwrap();
    assert_eq!(index_names(&s), indexes);
    let page = s.queue_page(QueueView::ToShip, t("2026-06-28 12:00:00"), None, 10).unwrap();
    assert_eq!(page.len(), 10);
    let plan: String = s
        .conn()
        .query_row("EXPLAIN QUERY PLAN SELECT * FROM orders INDEXED BY orders_queue WHERE qrank = 0", [], |r| r.get(3))
        .unwrap();
    assert!(plan.contains("orders_queue"), "{plan}");
}

/// A new database file is laid out in 8 KiB pages; one made with SQLite's 4 KiB
/// default opens as it is, and keeps its pages.
#[test]
fn new_files_use_8k_pages_and_old_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |s: &Store| -> i64 { s.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap() };
    let fresh = Store::open(&dir.path().join("new.sqlite"), Actor::new("宾", "seat-1")).unwrap();
    assert_eq!(page_size(&fresh), 8192);
    let old_path = dir.path().join("old.sqlite");
    {
        let c = rusqlite::Connection::open(&old_path).unwrap();
        c.execute_batch("PRAGMA page_size = 4096; CREATE TABLE x (a); DROP TABLE x;").unwrap();
    }
    let mut old = Store::open(&old_path, Actor::new("宾", "seat-1")).unwrap();
    assert_eq!(page_size(&old), 4096);
    old.record(EventBody::OrdersUpserted {
        source: "t".into(),
        orders: vec![order("3001", OrderStatus::WaitSellerSendGoods, "2026-06-28 09:00:00")],
    })
    .unwrap();
    assert_eq!(old.order_count().unwrap(), 1);
}
