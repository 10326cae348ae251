//! Reports on a small hand-built database with exact expected rows, and their CSV
//! (UTF-8 with BOM, GB18030) and JSON output through the real binary.
//!
//! The database is built once, through the store's operations, with the clock pinned
//! (`KEFU_NOW`) to fixed times from 27 to 29 June 2026; the reports are read "on the
//! morning of 30 June".
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use kefu::domain::case::{BadReviewDetail, CaseAction, CaseDetail, Channel, Registration, ReviewLevel};
use kefu::domain::event::{Actor, EventBody, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction};
use kefu::domain::text_format::{DamageReport, ParcelLoss};
use kefu::domain::timefmt::parse_datetime;
use kefu::report::render::{self, BOM};
use kefu::report::{Cell, Period, agents, bad_reviews, daily, damage, refunds};
use kefu::store::Store;
use kefu::store::fold::{EntityEvent, replay_case, replay_refund};

const NOW: &str = "2026-06-30 09:00:00";

fn t(s: &str) -> chrono::NaiveDateTime {
    parse_datetime(s).unwrap()
}

fn d(s: &str) -> NaiveDate {
    t(s).date()
}

/// The fixture's time (UTC milliseconds), moved along by `clock` as the fixture is built.
static NOW_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Moves the fixture's clock to `shop_time`.
fn clock(shop_time: &str) {
    let at = kefu::domain::clock::shop_to_utc(t(shop_time));
    NOW_MS.store(at.timestamp_millis(), std::sync::atomic::Ordering::SeqCst);
}

/// The clock the fixture's stores are stamped with.
fn pinned() -> kefu::domain::clock::Clock {
    kefu::domain::clock::Clock::from_fn(|| {
        chrono::DateTime::from_timestamp_millis(NOW_MS.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
    })
}

#[allow(clippy::too_many_arguments)]
fn order(no: &str, buyer: &str, status: OrderStatus, fen: i64, paid: &str, shipped: Option<&str>) -> OrderRecord {
    OrderRecord {
        order_no: no.into(),
        buyer: buyer.into(),
        receiver_name: "王芳".into(),
        receiver_phone: "13812341234".into(),
        receiver_address: "浙江省 杭州市 西湖区 文三路 90 号".into(),
        status: status.into(),
        amount_fen: fen,
        created_at: Some(t(paid)),
        paid_at: Some(t(paid)),
        shipped_at: shipped.map(t),
        title: "连帽卫衣".into(),
        items: vec![OrderItem {
            title: "连帽卫衣".into(),
            sku: "109".into(),
            color: "黑色".into(),
            size: "M".into(),
            qty: 1,
            price_fen: fen,
        }],
        ..Default::default()
    }
}

fn refund(no: &str, order: &str, fen: i64, reason: &str, applied: &str, needs_return: bool) -> RefundRecord {
    RefundRecord {
        refund_no: no.into(),
        order_no: order.into(),
        amount_fen: fen,
        reason: reason.into(),
        needs_return,
        applied_at: Some(t(applied)),
        ..Default::default()
    }
}

fn none() -> ActionInput {
    ActionInput::default()
}

static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

fn db() -> &'static Path {
    &DB.get_or_init(build).1
}

fn build() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kefu.sqlite");
    let bin = Actor::new("宾", "seat-1");
    let lin = Actor::new("琳", "seat-2");
    let mut s = Store::open(&path, bin.clone()).unwrap();
    s.set_clock(pinned());
    use OrderStatus::*;
    clock("2026-06-27 08:00:00");
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: vec![
            order("1001", "小红帽", WaitBuyerConfirmGoods, 8800, "2026-06-26 10:00:00", Some("2026-06-26 18:00:00")),
            order("1002", "lily_88", TradeFinished, 12950, "2026-06-20 10:00:00", Some("2026-06-21 10:00:00")),
            // paid the 27th before 16:00, shipped the 28th: overdue at the 27th's midnight
            order("1003", "阿强", WaitBuyerConfirmGoods, 5900, "2026-06-27 09:00:00", Some("2026-06-28 10:00:00")),
            // still waiting: due the 28th (paid before 16:00) and the 29th
            order("1004", "小林", WaitSellerSendGoods, 9900, "2026-06-28 15:00:00", None),
            order("1005", "老周", WaitSellerSendGoods, 9900, "2026-06-28 17:00:00", None),
            order("1006", "mm_23", WaitBuyerConfirmGoods, 12950, "2026-06-28 08:00:00", Some("2026-06-28 12:00:00")),
            order("1007", "大熊", TradeFinished, 20000, "2026-06-25 10:00:00", Some("2026-06-25 15:00:00")),
        ],
    })
    .unwrap();
    clock("2026-06-27 08:30:00");
    let yfx = s.reply_save(None, "yfx", "亲,运费险会自动赔付退货邮费的哦", "售后").unwrap();

    s.set_actor(lin.clone());
    clock("2026-06-27 20:10:00");
    s.refund_new(refund("R2", "1002", 5000, "质量问题", "2026-06-27 20:00:00", true)).unwrap();

    s.set_actor(bin.clone());
    clock("2026-06-28 09:40:00");
    s.refund_new(refund("R1", "1001", 8800, "尺码不合适", "2026-06-28 09:30:00", true)).unwrap();
    clock("2026-06-28 10:00:00");
    s.refund_act("R1", RefundAction::Agree, none()).unwrap();
    clock("2026-06-28 10:01:00");
    s.reply_used(&yfx, Some("1001")).unwrap();
    clock("2026-06-28 10:30:00");
    let note = ActionInput { note: "金额不对,请修改后再申请".into(), ..Default::default() };
    s.refund_act("R2", RefundAction::Refuse, note).unwrap();
    clock("2026-06-28 11:00:00");
    s.add_memo_line("1004", "", "买家要求发顺丰", "").unwrap();
    clock("2026-06-28 11:05:00");
    s.set_flag("1004", Flag::Yellow).unwrap();
    clock("2026-06-28 14:00:00");
    let review = CaseDetail::BadReview(BadReviewDetail {
        level: ReviewLevel::Negative,
        review_text: "衣服有线头,客服态度差".into(),
        review_date: Some(d("2026-06-27 00:00:00")),
        buyer_wants: "退货".into(),
        remedy: "退货退款,补偿5元".into(),
    });
    let reg = Registration { source: "评价".into(), handler: "宾".into(), ..Default::default() };
    let br1 = s.open_case("1002", review, reg).unwrap();
    clock("2026-06-28 15:00:00");
    s.case_contact(&br1.case_id, Channel::Phone, "买家同意退货,答应改评").unwrap();
    clock("2026-06-28 16:00:00");
    let report = DamageReport {
        shop: "19shop".into(),
        ship_date: Some(d("2026-06-28 00:00:00")),
        origin: "杭州".into(),
        destination: "北京".into(),
        tracking_no: "888090781867".into(),
        loss: ParcelLoss::Damaged,
        value_fen: 8800,
        staff_no: "843".into(),
        sku: "109".into(),
        courier: "申通".into(),
    };
    let d1 = s.open_case("1003", CaseDetail::Damage(report), Registration::default()).unwrap();

    s.set_actor(lin.clone());
    clock("2026-06-28 21:05:00");
    let mut r3 = refund("R3", "1007", 20000, "七天无理由", "2026-06-28 21:00:00", true);
    r3.no_reason_7d = true;
    s.refund_new(r3).unwrap();
    clock("2026-06-29 08:00:00");
    s.set_flag("1004", Flag::Red).unwrap();
    // The buyer of 1001 confirmed receipt (a later export says so): now a review can come.
    clock("2026-06-29 08:50:00");
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: vec![order("1001", "小红帽", TradeFinished, 8800, "2026-06-26 10:00:00", Some("2026-06-26 18:00:00"))],
    })
    .unwrap();
    clock("2026-06-29 09:00:00");
    let review = CaseDetail::BadReview(BadReviewDetail {
        level: ReviewLevel::Neutral,
        review_text: "发货有点慢".into(),
        ..Default::default()
    });
    let br2 = s.open_case("1001", review, Registration::default()).unwrap();
    clock("2026-06-29 09:30:00");
    s.case_contact(&br2.case_id, Channel::Wangwang, "已解释,买家不愿改").unwrap();
    clock("2026-06-29 10:00:00");
    s.case_act(&br2.case_id, CaseAction::ReviewNotChanged, "").unwrap();

    s.set_actor(bin.clone());
    clock("2026-06-29 10:05:00");
    s.refund_new(refund("R4", "1006", 3000, "发错货", "2026-06-29 10:00:00", false)).unwrap();
    clock("2026-06-29 10:20:00");
    s.refund_act("R4", RefundAction::Agree, none()).unwrap();
    clock("2026-06-29 11:00:00");
    s.case_act(&d1.case_id, CaseAction::Claimed, "").unwrap();

    s.set_actor(lin.clone());
    clock("2026-06-29 11:00:00");
    let ret = ActionInput { tracking_no: "YT123".into(), courier: "圆通".into(), ..Default::default() };
    s.refund_act("R1", RefundAction::BuyerReturned, ret).unwrap();
    clock("2026-06-29 11:01:00");
    s.reply_used(&yfx, Some("1001")).unwrap();
    clock("2026-06-29 12:00:00");
    let lost = DamageReport {
        shop: "19shop".into(),
        ship_date: Some(d("2026-06-28 00:00:00")),
        origin: "杭州".into(),
        destination: "上海".into(),
        tracking_no: "773001234567".into(),
        loss: ParcelLoss::Lost,
        value_fen: 12950,
        staff_no: "851".into(),
        sku: String::new(),
        courier: "申通".into(),
    };
    s.open_case("1006", CaseDetail::Damage(lost), Registration::default()).unwrap();
    clock("2026-06-29 15:00:00");
    s.refund_act("R1", RefundAction::Received, none()).unwrap();
    clock("2026-06-29 15:05:00");
    s.refund_act("R1", RefundAction::RefundDone, none()).unwrap();

    s.set_actor(bin);
    clock("2026-06-29 16:00:00");
    s.case_act(&br1.case_id, CaseAction::ReviewChanged, "").unwrap();
    clock(NOW);
    drop(s);
    (dir, path)
}

fn open() -> Store {
    Store::open(db(), Actor::new("主管", "seat-boss")).unwrap()
}

fn rows(r: &kefu::report::Report, section: &str) -> Vec<Vec<String>> {
    r.section(section).unwrap_or_else(|| panic!("no section {section}")).text_rows()
}

fn strs(v: &[&[&str]]) -> Vec<Vec<String>> {
    v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn daily_report_of_the_28th() {
    let s = open();
    let r = daily::build(&s, d("2026-06-28 00:00:00"), t(NOW)).unwrap();
    assert_eq!(r.params, vec![("日期".into(), "2026-06-28".into()), ("截止".into(), "2026-06-29 00:00:00".into())]);
    assert_eq!(
        rows(&r, "当日退款"),
        strs(&[
            &["R2", "1002", "50.00", "质量问题", "卖家拒绝退款", "宾", "2026-06-27 20:00:00", "拒绝退款"],
            &[
                "R1",
                "1001",
                "88.00",
                "尺码不合适",
                "卖家已经同意退款,等待买家退货",
                "宾",
                "2026-06-28 09:30:00",
                "申请、同意退款"
            ],
            &["R3", "1007", "200.00", "七天无理由", "买家已经申请退款,等待卖家同意", "", "2026-06-28 21:00:00", "申请"],
        ])
    );
    assert_eq!(
        rows(&r, "退款按状态"),
        strs(&[
            &["买家已经申请退款,等待卖家同意", "1", "200.00"],
            &["卖家已经同意退款,等待买家退货", "1", "88.00"],
            &["卖家拒绝退款", "1", "50.00"],
        ])
    );
    assert_eq!(
        rows(&r, "退款按原因"),
        strs(&[&["七天无理由", "1", "200.00"], &["尺码不合适", "1", "88.00"], &["质量问题", "1", "50.00"]])
    );
    assert_eq!(
        rows(&r, "汇总"),
        strs(&[
            &["当日退款(申请或处理)", "3"],
            &["其中当日申请", "2"],
            &["当日申请金额", "288.00"],
            &["其中当日有处理", "2"],
            &["当日发货订单", "2"],
            &["截至日终超时未发货订单", "1"],
            &["新增中差评", "1"],
            &["中差评结案(改评或未改评)", "0"],
            &["其中已改评", "0"],
            &["登记破损/遗失", "1"],
            &["快递已赔付", "0"],
            &["快递拒赔", "0"],
        ])
    );
}

#[test]
fn daily_report_of_the_29th_and_27th() {
    let s = open();
    let r = daily::build(&s, d("2026-06-29 00:00:00"), t(NOW)).unwrap();
    assert_eq!(
        rows(&r, "当日退款"),
        strs(&[
            &[
                "R1",
                "1001",
                "88.00",
                "尺码不合适",
                "退款成功",
                "琳",
                "2026-06-28 09:30:00",
                "登记买家退货、确认收到退货,转财务、退款完成",
            ],
            &["R4", "1006", "30.00", "发错货", "退款成功", "宾", "2026-06-29 10:00:00", "申请、同意退款"],
        ])
    );
    let sum = rows(&r, "汇总");
    let get = |k: &str| sum.iter().find(|r| r[0] == k).unwrap()[1].clone();
    assert_eq!(get("当日发货订单"), "0");
    assert_eq!(get("截至日终超时未发货订单"), "2");
    assert_eq!(get("新增中差评"), "1");
    assert_eq!(get("中差评结案(改评或未改评)"), "2");
    assert_eq!(get("其中已改评"), "1");
    assert_eq!(get("登记破损/遗失"), "1");
    assert_eq!(get("快递已赔付"), "1");

    // The 27th: R2 applied; 1003 was paid before 16:00 and shipped only on the 28th.
    let r = daily::build(&s, d("2026-06-27 00:00:00"), t(NOW)).unwrap();
    assert_eq!(
        rows(&r, "当日退款"),
        strs(&[&[
            "R2",
            "1002",
            "50.00",
            "质量问题",
            "买家已经申请退款,等待卖家同意",
            "",
            "2026-06-27 20:00:00",
            "申请"
        ]])
    );
    let sum = rows(&r, "汇总");
    assert_eq!(sum.iter().find(|r| r[0] == "截至日终超时未发货订单").unwrap()[1], "1");
}

#[test]
fn daily_report_of_today_counts_up_to_now() {
    let s = open();
    // At 23:00 on the 29th the day is not over: overdue counts what is overdue now.
    let r = daily::build(&s, d("2026-06-29 00:00:00"), t("2026-06-29 23:00:00")).unwrap();
    assert_eq!(r.params[1].1, "2026-06-29 23:00:00(现在)");
    let sum = rows(&r, "汇总");
    // 1004 (due the 28th) is overdue; 1005 is due at 17:00 on the 29th, so overdue too.
    assert_eq!(sum.iter().find(|r| r[0] == "截至现在超时未发货订单").unwrap()[1], "2");
    assert!(daily::build(&s, d("2026-07-02 00:00:00"), t(NOW)).unwrap_err().to_string().contains("还没到"));
}

#[test]
fn refunds_report_over_three_days() {
    let s = open();
    let p = Period::parse(Some("2026-06-27"), Some("2026-06-29"), 30, chrono::NaiveDate::MIN).unwrap();
    let r = refunds::build(&s, p).unwrap();
    assert_eq!(
        rows(&r, "按原因"),
        strs(&[
            &["七天无理由", "1", "200.00", "25.0%"],
            &["尺码不合适", "1", "88.00", "25.0%"],
            &["质量问题", "1", "50.00", "25.0%"],
            &["发错货", "1", "30.00", "25.0%"],
        ])
    );
    assert_eq!(
        rows(&r, "按状态"),
        strs(&[
            &["买家已经申请退款,等待卖家同意", "WAIT_SELLER_AGREE", "1", "200.00"],
            &["卖家拒绝退款", "SELLER_REFUSE_BUYER", "1", "50.00"],
            &["退款成功", "SUCCESS", "2", "118.00"],
        ])
    );
    assert_eq!(
        rows(&r, "按日"),
        strs(&[&["2026-06-27", "1", "50.00"], &["2026-06-28", "2", "288.00"], &["2026-06-29", "1", "30.00"]])
    );
    // First actions: R1 30 min, R2 14 h 30 min, R4 20 min → median 30 min.
    assert_eq!(rows(&r, "合计"), strs(&[&["4", "368.00", "2", "118.00", "3", "1", "30分"]]));
    assert_eq!(r.section("合计").unwrap().cell(0, "median_first_action"), Some(&Cell::Seconds(1800)));
}

#[test]
fn bad_review_table() {
    let s = open();
    let r = bad_reviews::build(&s, None, false).unwrap();
    assert_eq!(
        rows(&r, "中差评"),
        strs(&[
            &[
                "1002",
                "lily_88",
                "差评",
                "衣服有线头,客服态度差",
                "2026-06-27",
                "宾",
                "1",
                "6-28 电话:买家同意退货,答应改评(宾)",
                "退货退款,补偿5元",
                "已改评",
            ],
            &[
                "1001",
                "小红帽",
                "中评",
                "发货有点慢",
                "2026-06-29",
                "琳",
                "1",
                "6-29 旺旺:已解释,买家不愿改(琳)",
                "",
                "未改评"
            ],
        ])
    );
    assert_eq!(
        rows(&r, "按结果"),
        strs(&[&["待联系", "0"], &["联系中", "0"], &["已改评", "1"], &["未改评", "1"], &["已取消", "0"]])
    );
    assert!(r.notes[0].contains("50.0%"), "{:?}", r.notes);
    assert!(bad_reviews::build(&s, None, true).unwrap().section("中差评").unwrap().rows.is_empty());
    let only_29 = Period::parse(Some("2026-06-29"), Some("2026-06-29"), 1, chrono::NaiveDate::MIN).unwrap();
    assert_eq!(bad_reviews::build(&s, Some(only_29), false).unwrap().section("中差评").unwrap().rows.len(), 1);
}

#[test]
fn damage_register_in_the_seeds_columns() {
    let s = open();
    let r = damage::build(&s, None).unwrap();
    assert_eq!(
        rows(&r, "破损登记簿"),
        strs(&[
            &[
                "2026-06-28",
                "888090781867",
                "破损",
                "843",
                "88.00",
                "109",
                "宾",
                "888090781867(破损)工号843价格88元(货号109)宾",
                "已索赔",
                "1003",
            ],
            &[
                "2026-06-29",
                "773001234567",
                "遗失",
                "851",
                "129.50",
                "",
                "琳",
                "773001234567(遗失)工号851价格129.50元琳",
                "已报告快递",
                "1006",
            ],
        ])
    );
    assert_eq!(
        rows(&r, "合计"),
        strs(&[
            &["破损", "1", "88.00"],
            &["遗失", "1", "129.50"],
            &["快递已赔付", "1", "88.00"],
            &["快递拒赔", "0", "0.00"],
            &["待快递处理", "1", "129.50"],
        ])
    );
}

#[test]
fn agents_report() {
    let s = open();
    let p = Period::parse(Some("2026-06-27"), Some("2026-06-29"), 30, chrono::NaiveDate::MIN).unwrap();
    let r = agents::build(&s, p).unwrap();
    assert_eq!(
        rows(&r, "工作量"),
        // Memo lines include each closed bad review's closing line.
        strs(&[&["宾", "5", "3", "5", "3", "30分", "5", "1"], &["琳", "3", "3", "4", "0", "", "4", "1"]])
    );
    // 1002's review: 琳 recorded its refund and 宾 refused it before the review came in;
    // 1001's review: 宾 had handled R1 and used a reply on it.
    assert_eq!(
        rows(&r, "中差评"),
        strs(&[&["宾", "1", "1", "400.00", "1", "1", "100.0%"], &["琳", "0", "1", "300.00", "1", "0", "0.0%"]])
    );
    assert!(r.notes.iter().any(|n| n.contains("回复率") && n.contains("询单转化率")));
    // Only the 27th: 琳 recorded R2 (not an action); nothing else.
    let p = Period::parse(Some("2026-06-27"), Some("2026-06-27"), 1, chrono::NaiveDate::MIN).unwrap();
    assert!(agents::build(&s, p).unwrap().section("工作量").unwrap().rows.is_empty());
}

#[test]
fn replays_agree_with_the_projection() {
    let s = open();
    for no in ["R1", "R2", "R3", "R4"] {
        let events = EntityEvent::parse_all(&s.case_timeline(no).unwrap());
        assert_eq!(replay_refund(no, &events).refund, s.refund(no).unwrap(), "{no}");
    }
    for c in s.cases(None, true, 100).unwrap() {
        let events = EntityEvent::parse_all(&s.case_timeline(&c.case_id).unwrap());
        assert_eq!(replay_case(&c.case_id, &events).case.as_ref(), Some(&c));
    }
}

fn kefu(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db())
        .args(args)
        .env("KEFU_NOW", NOW)
        .env_remove("KEFU_TZ_OFFSET")
        .env_remove("KEFU_AGENT")
        .env_remove("KEFU_SEAT")
        .output()
        .unwrap()
}

#[test]
fn csv_is_utf8_with_bom_and_gbk_reads_back_the_same() {
    db();
    for args in [
        &["report", "daily", "--date", "2026-06-28"][..],
        &["report", "refunds", "--since", "2026-06-27", "--until", "2026-06-29"],
        &["report", "bad-reviews"],
        &["report", "damage"],
        &["report", "agents", "--since", "2026-06-27", "--until", "2026-06-29"],
    ] {
        let mut csv = args.to_vec();
        csv.push("--csv");
        let utf8 = kefu(&csv);
        assert!(utf8.status.success(), "{args:?}: {}", String::from_utf8_lossy(&utf8.stderr));
        assert!(utf8.stdout.starts_with(BOM.as_bytes()), "{args:?}: no BOM");
        let text = String::from_utf8(utf8.stdout).unwrap();
        csv.push("--gbk");
        let gbk = kefu(&csv);
        assert!(gbk.status.success());
        assert!(!gbk.stdout.starts_with(BOM.as_bytes()));
        assert!(std::str::from_utf8(&gbk.stdout).is_err(), "GBK bytes are not UTF-8");
        let (back, _, bad) = encoding_rs::GB18030.decode(&gbk.stdout);
        assert!(!bad, "{args:?}");
        assert_eq!(back, text.trim_start_matches(BOM), "{args:?}");
    }
}

#[test]
fn csv_rows_for_excel() {
    db();
    let out = kefu(&["report", "damage", "--csv"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // The report has two tables, so CSV starts with its title; read it as plain records.
    let all: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.trim_start_matches(BOM).as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(all[0], ["破损登记簿", "期间 全部"]);
    assert_eq!(all[2], ["破损登记簿"]);
    assert_eq!(
        all[3],
        ["报告日期", "物流单号", "包裹状态", "快递工号", "宝贝价格", "货号", "处理客服", "登记", "索赔", "订单号"]
    );
    // long tracking numbers are kept as text for Excel
    assert_eq!(all[4][1], "=\"888090781867\"");
    assert_eq!(all[4][7], "888090781867(破损)工号843价格88元(货号109)宾");
}

#[test]
fn json_shape() {
    db();
    let out = kefu(&["report", "refunds", "--since", "2026-06-27", "--until", "2026-06-29", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["report"], "refunds");
    assert_eq!(v["params"]["期间"], "2026-06-27 至 2026-06-29");
    let sections = v["sections"].as_array().unwrap();
    assert_eq!(
        sections.iter().map(|s| s["title"].as_str().unwrap()).collect::<Vec<_>>(),
        ["按原因", "按状态", "按日", "合计"]
    );
    assert_eq!(sections[0]["columns"][0], serde_json::json!({"key": "reason", "label": "原因"}));
    assert_eq!(
        sections[0]["rows"][0],
        serde_json::json!({"reason": "七天无理由", "count": 1, "amount": 200.0, "share": 0.25})
    );
    assert_eq!(sections[3]["rows"][0]["median_first_action"], 1800);
    assert!(!v["notes"].as_array().unwrap().is_empty());
}

#[test]
fn text_table_and_file_output() {
    db();
    let out = kefu(&["report", "daily", "--date", "2026-06-28"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("退款日报 — 日期 2026-06-28 · 截止 2026-06-29 00:00:00\n"), "{text}");
    assert!(text.contains("■ 当日退款\n"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("日报.csv");
    let out = kefu(&["report", "daily", "--date", "2026-06-28", "--csv", "--gbk", "-o", file.to_str().unwrap()]);
    assert!(out.status.success());
    let bytes = std::fs::read(&file).unwrap();
    let (back, _, _) = encoding_rs::GB18030.decode(&bytes);
    assert!(back.contains("R1,1001,88.00,尺码不合适"), "{back}");
}

#[test]
fn bad_arguments_are_clear_errors() {
    db();
    let out = kefu(&["report", "daily", "--date", "6月28日"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("请写成 2026-06-28"));
    let out = kefu(&["report", "refunds", "--since", "2026-07-01", "--until", "2026-06-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("晚于"));
    let out = kefu(&["report", "damage", "--gbk"]);
    assert!(!out.status.success(), "--gbk needs --csv");
}

#[test]
fn render_is_shared() {
    let s = open();
    let r = damage::build(&s, None).unwrap();
    let text = render::text(&r, 40);
    assert!(text.contains("■ 破损登记簿\n"));
    assert_eq!(render::json(&r)["sections"][0]["rows"][1]["price"], serde_json::json!(129.5));
}

fn dsr(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu")).arg("dsr").args(args).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn dsr_score_and_five_stars_needed() {
    let (code, out, _) = dsr(&["--counts", "5:90,4:5,3:3,2:1,1:1", "--target", "4.85"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "DSR:4.820(100 人评分:5星 90 · 4星 5 · 3星 3 · 2星 1 · 1星 1)\n  目标 4.850:还需要 20 个五星评价\n"
    );
    let (code, out, _) = dsr(&["--counts", "5:90,4:5,3:3,2:1,1:1", "--target", "4.8"]);
    assert_eq!(code, Some(0), "already reached is not an error");
    assert!(out.contains("already reached: current 4.820 ≥ 4.800"), "{out}");
    let (code, out, _) =
        dsr(&["--counts", "5:80,4:10,3:10", "--counts", "5:100", "--counts", "发货速度=5:3,1:1", "--target", "4.9"]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("描述相符:4.700") && lines[1].ends_with("还需要 200 个五星评价"), "{out}");
    assert!(lines[2].starts_with("服务态度:5.000"), "{out}");
    assert!(lines[4].starts_with("发货速度:4.000") && lines[5].ends_with("还需要 36 个五星评价"), "{out}");
    let (_, out, _) = dsr(&["--counts", "5:80,4:10,3:10", "--target", "4.8", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["score"].clone(), v["five_stars_needed"].clone()), (serde_json::json!(4.7), serde_json::json!(50)));
}

#[test]
fn dsr_bad_input() {
    for (args, msg) in [
        (&["--counts", "5:-3"][..], "不能是负数"),
        (&["--counts", "5:90", "--target", "5"], "必须低于 5.0"),
        (&["--counts", "5:90", "--target", "5.5"], "必须低于 5.0"),
        (&["--counts", "5:90", "--target", "abc"], "无效"),
        (&["--counts", "5=9"], "看不懂 '5=9'"),
        (&["--counts", "6:3"], "看不懂"),
        (&["--counts", "5:x"], "看不懂"),
        (&["--counts", ""], "空的"),
    ] {
        let (code, _, err) = dsr(args);
        assert_eq!(code, Some(1), "{args:?}");
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}
