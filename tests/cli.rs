//! The command line as a user runs it: the real binary on a temp database.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::process::{Command, Output};

use kefu::domain::event::{Actor, EventBody};
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::domain::timefmt::parse_datetime;
use kefu::store::Store;

struct Db {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.sqlite");
        let mut s = Store::open(&path, Actor::new("导入", "seat-0")).unwrap();
        let order = |no: &str, status: OrderStatus, paid: &str| OrderRecord {
            order_no: no.into(),
            buyer: "tb_小猪".into(),
            receiver_name: "王芳".into(),
            receiver_phone: "13812341234".into(),
            status: status.into(),
            amount_fen: 8800,
            paid_at: parse_datetime(paid),
            tracking_no: if status.awaits_shipment() { String::new() } else { "773000111".into() },
            shipped_at: if status.awaits_shipment() { None } else { parse_datetime("2026-06-26 15:00:00") },
            receiver_address: "北京 北京市 朝阳区 建国路88号".into(),
            courier: "申通快递".into(),
            title: "连帽卫衣".into(),
            items: vec![OrderItem {
                title: "连帽卫衣".into(),
                sku: "109".into(),
                qty: 1,
                price_fen: 8800,
                ..Default::default()
            }],
            ..Default::default()
        };
        s.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: vec![
                order("1001", OrderStatus::WaitSellerSendGoods, "2026-06-27 17:00:00"),
                order("1002", OrderStatus::WaitBuyerConfirmGoods, "2026-06-25 10:00:00"),
                order("1003", OrderStatus::TradeFinished, "2026-06-20 10:00:00"),
            ],
        })
        .unwrap();
        Db { _dir: dir, path }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("--db")
            .arg(&self.path)
            .args(["--agent", "宾", "--seat", "seat-1"])
            .args(args)
            .env("KEFU_NOW", "2026-06-28 10:00:00")
            .env_remove("KEFU_DB")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Refused (exit 1) with a message saying `says`, and nothing recorded.
    fn refused(&self, args: &[&str], says: &str) {
        let before = self.events();
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} is refused: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(self.events(), before, "{args:?} recorded nothing");
    }

    fn events(&self) -> i64 {
        let c = rusqlite::Connection::open(&self.path).unwrap();
        c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap()
    }
}

#[test]
fn orders_json_has_the_contract_fields_in_urgency_order() {
    let db = Db::new();
    let v: serde_json::Value = serde_json::from_str(&db.ok(&["orders", "--json"])).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    let first = &arr[0];
    for key in ["order_no", "buyer", "status", "paid_at", "ship_by", "flag", "tracking_no", "courier", "amount"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["order_no"], "1001");
    assert_eq!(first["status"], "WAIT_SELLER_SEND_GOODS");
    assert_eq!(first["ship_by"], "2026-06-28 17:00:00");
    assert_eq!(first["amount"], 88.0);
    let overdue: serde_json::Value = serde_json::from_str(&db.ok(&["orders", "--overdue", "--json"])).unwrap();
    assert_eq!(overdue.as_array().unwrap().len(), 0, "ship-by 17:00 is not overdue at 10:00");
    let shipped: serde_json::Value =
        serde_json::from_str(&db.ok(&["orders", "--status", "卖家已发货,等待买家确认收货", "--json"])).unwrap();
    assert_eq!(shipped[0]["order_no"], "1002");
    assert!(!db.run(&["orders", "--status", "NOPE"]).status.success());
}

#[test]
fn memo_writes_the_seed_format_and_sets_the_flag() {
    let db = Db::new();
    let out = db.ok(&["memo", "1001", "更改地址", "--staff", "851", "--result", "已更改", "--flag", "red"]);
    assert!(out.contains("6-28联系工号851更改地址,已更改 宾"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&db.ok(&["orders", "--json"])).unwrap();
    assert_eq!(v[0]["flag"], 1);
    assert_eq!(v[0]["memo"], "6-28联系工号851更改地址,已更改 宾");
    let bad = db.run(&["memo", "1001", "--flag", "9"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("0–5"));
}

#[test]
fn refund_lifecycle_and_an_illegal_action() {
    let db = Db::new();
    db.ok(&[
        "refund",
        "new",
        "1002",
        "--refund-no",
        "R1",
        "--amount",
        "88",
        "--reason",
        "尺码不合适",
        "--goods-returned",
    ]);
    let bad = db.run(&["refund", "received", "R1"]);
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("WAIT_SELLER_AGREE") && msg.contains("agree"), "{msg}");
    db.ok(&["refund", "agree", "R1"]);
    db.ok(&["refund", "buyer-returned", "R1", "--tracking", "YT1", "--courier", "圆通"]);
    db.ok(&["refund", "received", "R1"]);
    db.ok(&["refund", "refund-done", "R1"]);
    let show: serde_json::Value = serde_json::from_str(&db.ok(&["refund", "show", "R1", "--json"])).unwrap();
    assert_eq!(show["state"], "SUCCESS");
    assert_eq!(show["order_no"], "1002");
    assert_eq!(show["amount"], 88.0);
    assert_eq!(show["reason"], "尺码不合适");
    assert_eq!(show["history"].as_array().unwrap().len(), 5);
    assert_eq!(show["history"][1]["agent"], "宾");
    let list: serde_json::Value =
        serde_json::from_str(&db.ok(&["refund", "list", "--json", "--state", "SUCCESS"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let extend = db.run(&["refund", "extend", "R1", "--days", "4"]);
    assert!(!extend.status.success());
}

#[test]
fn cases_and_postage_from_the_shell() {
    let db = Db::new();
    let out = db.ok(&["case", "review", "1003", "--level", "差评", "--text", "有线头", "--source", "评价"]);
    let case_id = out.split_whitespace().nth(1).unwrap().to_string();
    db.ok(&["case", "contact", &case_id, "--channel", "电话", "买家同意改评"]);
    let show: serde_json::Value = serde_json::from_str(&db.ok(&["case", "show", &case_id, "--json"])).unwrap();
    assert_eq!(show["case"]["state"], "contacting");
    assert_eq!(show["contacts"].as_array().unwrap().len(), 1);
    let v: serde_json::Value = serde_json::from_str(&db.ok(&["orders", "--json", "--limit", "10"])).unwrap();
    let o = v.as_array().unwrap().iter().find(|o| o["order_no"] == "1003").unwrap();
    assert_eq!(o["flag"], 5, "bad review sets the flag purple");
    // No shop name yet: the report is refused naming what is missing, nothing is made up.
    db.refused(&["case", "damage", "1002", "--staff", "843"], "店铺名");
    db.refused(&["case", "damage", "1002", "--staff", "843"], "发货地");
    db.ok(&["shop", "set", "name", "19shop"]);
    db.ok(&["shop", "set", "origin", "杭州"]);
    // Only the staff number typed: the facts come from the order and the shop.
    let dmg = db.ok(&["case", "damage", "1002", "--staff", "843"]);
    assert!(
        dmg.contains("19shop于6月26日由杭州发往北京单号773000111在派件途中破损价值人民币88元与工号843联系请核实!"),
        "shipped date, receiver's city, the shop's name: {dmg}"
    );
    assert!(dmg.contains("773000111(破损)工号843价格88元(货号109)宾"), "{dmg}");
    let dmg = db.ok(&[
        "case",
        "damage",
        "1002",
        "--ship-date",
        "2026-06-28",
        "--origin",
        "杭州",
        "--destination",
        "北京",
        "--tracking",
        "888090781867",
        "--value",
        "88",
        "--staff",
        "843",
    ]);
    assert!(
        dmg.contains("19shop于6月28日由杭州发往北京单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!"),
        "{dmg}"
    );
    assert!(dmg.contains("888090781867(破损)工号843价格88元(货号109)宾"), "{dmg}");
    // No --case: the open damage case says the seller (courier) pays, and which case was assumed.
    let out = db.run(&["postage", "1002"]);
    assert!(out.status.success());
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("质量问题 · 退款:") && !stdout.contains("买家付"), "{stdout}");
    assert!(stderr.contains("按破损/遗失单推断情形「质量问题」"), "{stderr}");
    let p = db.ok(&["postage", "1002", "--case", "after-success", "--remedy", "refund", "--shop", "天猫"]);
    assert!(p.contains("5%") && p.contains("4.40"), "{p}");
}

#[test]
fn a_new_database_path_is_created_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    let out =
        Command::new(env!("CARGO_BIN_EXE_kefu")).arg("--db").arg(&path).args(["orders", "--json"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    assert!(path.exists());
}

#[test]
fn replies_search_finds_by_pinyin_initials_and_fills_from_the_order() {
    let db = Db::new();
    {
        let mut s = Store::open(&db.path, Actor::new("宾", "seat-1")).unwrap();
        s.reply_save(None, "yfx1", "亲,{买家}您好,退货的运费险会自动赔付到您的账户哦~", "售后").unwrap();
        s.reply_save(None, "fh", "亲,您的订单{订单号}已由{快递}发出,单号{单号},请留意查收哦~", "物流").unwrap();
        s.reply_save(None, "hi", "亲,您好,有什么可以帮您的呢?", "通用").unwrap();
    }
    let v: serde_json::Value = serde_json::from_str(&db.ok(&["replies", "search", "yfx", "--json"])).unwrap();
    assert_eq!(v[0]["code"], "yfx1");
    assert_eq!(v[0]["missing"], serde_json::json!(["买家"]));
    let filled: serde_json::Value =
        serde_json::from_str(&db.ok(&["replies", "search", "fachu", "--order", "1002", "--json"])).unwrap();
    assert_eq!(filled[0]["code"], "fh");
    assert_eq!(filled[0]["filled"], "亲,您的订单1002已由申通快递发出,单号773000111,请留意查收哦~");
    let plain = db.ok(&["replies", "search", "运费险", "--order", "1002"]);
    assert!(plain.contains("tb_小猪您好"), "{plain}");
    assert!(!db.run(&["replies", "search", "x", "--order", "nope"]).status.success());
}

// Text-length rules count what a person sees: a grapheme cluster is one character, an
// invisible one (zero-width joiner or space, ideographic space, bidi mark) none; a text
// that shows nothing is refused wherever one is required, and nothing is recorded.

#[test]
fn a_refund_needs_a_reason_that_shows() {
    let db = Db::new();
    for reason in ["", " ", "\u{200b}", "\u{3000}\u{200d}"] {
        db.refused(
            &["refund", "new", "1002", "--refund-no", "R9", "--amount", "10", "--reason", reason],
            "退款要写原因",
        );
    }
    db.ok(&["refund", "new", "1002", "--refund-no", "R9", "--amount", "10", "--reason", "发错货"]);
}

#[test]
fn a_refusal_note_is_two_to_two_hundred_characters_a_person_sees() {
    let db = Db::new();
    db.ok(&[
        "refund",
        "new",
        "1002",
        "--refund-no",
        "R1",
        "--amount",
        "88",
        "--reason",
        "尺码不合适",
        "--goods-returned",
    ]);
    db.refused(&["refund", "refuse", "R1", "--note", "\u{200d}\u{200d}\u{200d}"], "现在 0 个字");
    db.refused(&["refund", "refuse", "R1", "--note", "好\u{301}"], "现在 1 个字");
    db.refused(&["refund", "refuse", "R1", "--note", &"好\u{301}".repeat(201)], "现在 201 个字");
    let out = db.ok(&["refund", "refuse", "R1", "--note", &"好\u{301}".repeat(200)]);
    assert!(out.contains("拒绝退款"), "{out}");
}

#[test]
fn memos_contacts_and_reviews_count_what_shows() {
    let db = Db::new();
    db.refused(&["memo", "1001", "\u{200b}\u{200d}"], "备注");
    db.refused(&["case", "review", "1003", "--level", "差评", "--text", "\u{200d}\u{200d}\u{200d}"], "请粘贴评价内容");
    // 500 characters, 1,000 code points: the platform's limit, not over it.
    db.ok(&["case", "review", "1003", "--level", "差评", "--text", &"好\u{301}".repeat(500)]);
    let case: String =
        rusqlite::Connection::open(&db.path).unwrap().query_row("SELECT case_id FROM cases", [], |r| r.get(0)).unwrap();
    db.refused(&["case", "contact", &case, "--channel", "电话", "\u{3000}\u{feff}"], "请写联系进展");
    db.refused(&["case", "exchange", "1002", "--reason", "\u{200b}"], "换货要写原因");
}

#[test]
fn a_conflict_note_is_at_least_two_characters_that_show() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("k.sqlite"), Actor::new("宾", "seat-1")).unwrap();
    let err = s.resolve_conflict("any", "\u{200d}\u{200d}\u{200d}").unwrap_err();
    assert!(err.to_string().contains("至少 2 个字"), "{err}");
    let err = s.resolve_conflict("any", "好\u{301}").unwrap_err();
    assert!(err.to_string().contains("至少 2 个字"), "{err}");
}
