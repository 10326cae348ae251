//! `kefu demo`: the default demo holds every situation a seat meets, the same seed
//! gives the same shop, a new database file stays empty, the default database is
//! filled on first run, and the CSV export carries the same orders.
//!
//! "Now" is pinned with KEFU_NOW on the child processes (env vars are process-wide,
//! so tests that need it run the binary), or passed to the library as `DemoOptions::now`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use kefu::demo::{self, DemoOptions};
use kefu::domain::case::{CaseKind, CaseState};
use kefu::domain::event::Actor;
use kefu::domain::flag::Flag;
use kefu::domain::order::OrderStatus;
use kefu::domain::refund::RefundState;
use kefu::store::Store;

const NOW: &str = "2026-06-28 10:00:00";

fn now() -> chrono::NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(NOW).unwrap()
}

fn kefu(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("KEFU_NOW", NOW)
        .env("KEFU_AGENT", "测试")
        .env_remove("KEFU_DB")
        .output()
        .unwrap()
}

fn demo_db(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let db = dir.join(name);
    let mut all = vec!["demo"];
    all.extend_from_slice(args);
    let out = kefu(&db, &all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

fn open(db: &Path) -> Store {
    Store::open(db, Actor::new("测试", "seat-test")).unwrap()
}

fn count(s: &Store, sql: &str) -> i64 {
    s.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn default_demo_holds_every_situation() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "demo.sqlite", &[]);
    let s = open(&db);
    let sum = demo::summary(&s, now()).unwrap();

    assert!(s.order_count().unwrap() >= 300);
    for (status, n) in &sum.orders {
        assert!(*n > 0, "no order in {status:?}: {:?}", sum.orders);
    }
    assert!(sum.overdue > 0, "overdue orders");
    // due within hours: paid, not overdue, ship-by today
    let due_today = count(
        &s,
        "SELECT count(*) FROM orders WHERE status = 'WAIT_SELLER_SEND_GOODS' \
         AND ship_by >= '2026-06-28 10:00:00' AND ship_by < '2026-06-29 00:00:00'",
    );
    assert!(due_today > 0);
    let paid_after_four_yesterday = count(
        &s,
        "SELECT count(*) FROM orders WHERE paid_at >= '2026-06-27 16:00:00' AND paid_at < '2026-06-28 00:00:00'",
    );
    assert!(paid_after_four_yesterday > 0);
    assert!(count(&s, "SELECT count(*) FROM orders WHERE buyer_message <> ''") * 100 / s.order_count().unwrap() >= 8);
    assert!(count(&s, "SELECT count(*) FROM orders WHERE platform_memo <> ''") > 0);
    assert!(
        count(&s, "SELECT count(*) FROM orders WHERE status = 'WAIT_BUYER_CONFIRM_GOODS' AND tracking_no = ''") == 0
    );

    for (flag, n) in &sum.flags {
        assert!(*n > 0, "no order flagged {flag:?}: {:?}", sum.flags);
    }
    // flags were set by the seats, with their meaning: yellow on unshipped orders
    let yellow_unshipped = count(
        &s,
        "SELECT count(*) FROM orders WHERE local_flag = 2 AND status IN ('WAIT_SELLER_SEND_GOODS', 'SELLER_CONSIGNED_PART')",
    );
    assert!(yellow_unshipped > 0);
    for f in [Flag::Red, Flag::Yellow, Flag::Green, Flag::Blue, Flag::Purple] {
        let n = count(&s, &format!("SELECT count(*) FROM orders WHERE local_flag = {}", f.number()));
        assert!(n > 0, "no local {f:?} flag");
    }
    assert!(count(&s, "SELECT count(*) FROM orders WHERE local_flag = 0") > 0, "a flag cleared to grey");

    for (state, n) in &sum.refunds {
        assert!(*n >= 2, "{state:?} has {n} refunds");
    }
    let refunds = s.refunds(Some(RefundState::WaitSellerAgree), 100).unwrap();
    assert!(refunds.iter().any(|r| r.no_reason_7d), "7-day no-reason waiting");
    assert!(refunds.iter().any(|r| !r.shipped), "unshipped waiting");
    let confirm = s.refunds(Some(RefundState::WaitSellerConfirmGoods), 100).unwrap();
    assert!(confirm.iter().any(|r| r.goods_received) && confirm.iter().any(|r| !r.goods_received));
    // every refund has its history in the log
    for r in s.refunds(None, 1000).unwrap() {
        let timeline = s.case_timeline(&r.refund_no).unwrap();
        assert!(!timeline.is_empty() && timeline[0].kind == "refund_opened");
        if r.state != RefundState::WaitSellerAgree {
            assert!(timeline.len() >= 2, "{} {:?} without actions", r.refund_no, r.state);
        }
    }

    let cases =
        |k: CaseKind, st: CaseState| sum.cases.iter().filter(|(a, b, _)| *a == k && *b == st).map(|c| c.2).sum::<i64>();
    assert!(cases(CaseKind::BadReview, CaseState::Open) > 0);
    assert!(cases(CaseKind::BadReview, CaseState::Contacting) > 0);
    assert!(cases(CaseKind::BadReview, CaseState::Changed) > 0);
    assert!(cases(CaseKind::BadReview, CaseState::NotChanged) > 0);
    assert!(count(&s, "SELECT count(*) FROM case_contacts") > 0);
    let exchange_states: BTreeSet<_> =
        sum.cases.iter().filter(|c| c.0 == CaseKind::Exchange).map(|c| c.1.code()).collect();
    assert!(exchange_states.len() >= 4, "{exchange_states:?}");
    assert!(cases(CaseKind::Damage, CaseState::Claimed) >= 1);
    let damages = s.cases(Some(CaseKind::Damage), true, 100).unwrap();
    assert!(damages.len() >= 2);
    for d in &damages {
        let kefu::domain::case::CaseDetail::Damage(r) = &d.detail else { panic!("damage detail") };
        assert!(r.validate().is_ok(), "{r:?}");
        assert_eq!((r.shop.as_str(), r.origin.as_str()), ("19shop", "杭州"));
        assert!(r.sentence().starts_with("19shop于"));
    }
    for c in s.cases(None, true, 1000).unwrap() {
        let g = &c.registration;
        for (v, name) in [
            (&g.source, "问题来源"),
            (&g.rating, "客户评分"),
            (&g.handler, "处理人"),
            (&g.problem_type, "问题类型"),
            (&g.status, "处理状态"),
        ] {
            assert!(!v.is_empty(), "{name} empty on {:?} {:?}", c.kind, c.state);
        }
        if c.state.is_terminal() {
            assert!(!g.result.is_empty(), "处理结果 empty on a closed case");
        }
    }

    // memo lines in the seed's shape, some with courier staff numbers
    let tracking: Vec<String> = {
        let mut st = s.conn().prepare("SELECT text FROM memo_lines WHERE kind = 'tracking'").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert!(!tracking.is_empty());
    assert!(tracking.iter().all(|t| t.contains("联系工号")), "{tracking:?}");
    assert!(count(&s, "SELECT count(*) FROM memo_lines") >= 60);

    // several agents at two or more seats
    assert!(count(&s, "SELECT count(DISTINCT seat) FROM memo_lines") >= 2);
    assert!(count(&s, "SELECT count(DISTINCT agent) FROM events") >= 4);

    assert!(sum.replies >= 150 && sum.reply_groups >= 6, "{} replies in {} groups", sum.replies, sum.reply_groups);
    let placeholders = count(&s, "SELECT count(*) FROM replies WHERE text LIKE '%{%}%'");
    assert!(placeholders >= 10);
    assert!(count(&s, "SELECT count(DISTINCT reply_id) FROM reply_uses") > 20);
    let top: i64 = count(&s, "SELECT max(n) FROM (SELECT count(*) AS n FROM reply_uses GROUP BY reply_id)");
    assert!(top >= 20, "a few replies are used a lot");

    // the tables are a projection of the log: replaying it changes nothing
    let mut s = s;
    let before = s.projection_digest().unwrap();
    s.rebuild().unwrap();
    assert_eq!(before, s.projection_digest().unwrap());
    assert!(s.conflicts(None).unwrap().is_empty());
}

/// The business content of a demo database, without event ids and times.
fn business_tables(db: &Path) -> String {
    let s = open(db);
    let mut out = String::new();
    for sql in [
        "SELECT order_no, buyer, receiver_name, receiver_phone, receiver_address, status, amount_fen, postage_fen, \
         refund_fen, created_at, paid_at, shipped_at, ship_by, buyer_message, platform_memo, platform_flag, courier, \
         tracking_no, title, close_reason, flag, memo_last, open_refunds FROM orders ORDER BY order_no",
        "SELECT * FROM order_items ORDER BY order_no, line",
        "SELECT refund_no, order_no, amount_fen, reason, no_reason_7d, needs_return, shipped, state, goods_received, \
         return_tracking_no, seller_note, extended_days, applied_at, deadline FROM refunds ORDER BY refund_no",
        "SELECT kind, order_no, state, reg_source, reg_rating, reg_handler, reg_problem_type, reg_status, reg_result \
         FROM cases ORDER BY order_no, kind",
        "SELECT code, text, grp FROM replies ORDER BY code",
        "SELECT order_no, seat, agent, kind, text FROM memo_lines ORDER BY order_no, event_key",
    ] {
        let mut st = s.conn().prepare(sql).unwrap();
        let cols = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..cols {
                let v: rusqlite::types::Value = r.get(i).unwrap();
                out.push_str(&format!("{v:?}\t"));
            }
            out.push('\n');
        }
        out.push_str("--\n");
    }
    out
}

#[test]
fn same_seed_same_shop() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_db(dir.path(), "a.sqlite", &["--orders", "500", "--seed", "7"]);
    let b = demo_db(dir.path(), "b.sqlite", &["--orders", "500", "--seed", "7"]);
    let c = demo_db(dir.path(), "c.sqlite", &["--orders", "500", "--seed", "8"]);
    let (ta, tb, tc) = (business_tables(&a), business_tables(&b), business_tables(&c));
    assert!(ta.len() > 10_000);
    assert!(ta == tb, "same seed, different tables");
    assert_ne!(ta, tc);
    // event ids differ, the shop does not
    let ids =
        |db: &Path| -> String { open(db).conn().query_row("SELECT min(id) FROM events", [], |r| r.get(0)).unwrap() };
    assert_ne!(ids(&a), ids(&b));
}

#[test]
fn a_new_database_file_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    let out = kefu(&db, &["orders", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    // and the bare command on an explicit file does not fill it either
    let out = kefu(&db, &[]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("演示数据"));
    assert_eq!(open(&db).event_count().unwrap(), 0);
}

#[test]
fn first_run_fills_the_default_database_once() {
    let home = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_kefu"))
            .env_remove("KEFU_DB")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("KEFU_NOW", NOW)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().filter(|l| l.contains("演示数据")).count(), 1, "{err}");
    let db = home.path().join("data").join("kefu").join("kefu.sqlite");
    assert!(db.exists(), "default database at {}", db.display());
    let orders = open(&db).order_count().unwrap();
    assert!(orders >= 300);
    let out = run();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("演示数据"));
    assert_eq!(open(&db).order_count().unwrap(), orders);
}

#[test]
fn demo_refuses_a_database_with_orders() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path(), "d.sqlite", &["--orders", "50"]);
    let events = open(&db).event_count().unwrap();
    let out = kefu(&db, &["demo", "--orders", "50"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("已有") && err.contains("--db"), "{err}");
    assert_eq!(open(&db).event_count().unwrap(), events, "nothing written");
}

#[test]
fn the_csv_export_carries_the_same_orders() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("csv");
    let db = demo_db(dir.path(), "e.sqlite", &["--orders", "300", "--export-csv", out_dir.to_str().unwrap()]);
    let s = open(&db);
    let orders_csv = out_dir.join("ExportOrderList202606281000.csv");
    let details_csv = out_dir.join("ExportOrderDetailList202606281000.csv");
    let bytes = std::fs::read(&orders_csv).unwrap();
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "UTF-8 BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers.len(), 41);
    assert_eq!(headers[0], "订单编号");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let no = rec[col("订单编号")].trim_start_matches("=\"").trim_end_matches('"').to_string();
        let d = s.order_detail(&no).unwrap().expect("order in db");
        assert_eq!(OrderStatus::parse(&rec[col("订单状态")]), d.status);
        assert_eq!(kefu::domain::money::parse_yuan(&rec[col("买家实际支付金额")]).unwrap(), d.amount_fen);
        assert_eq!(&rec[col("联系手机")], format!("'{}", d.receiver_phone));
        assert_eq!(&rec[col("收货地址")], d.receiver_address);
        assert_eq!(&rec[col("物流单号")], d.tracking_no);
        assert_eq!(rec[col("宝贝总数量")].parse::<u32>().unwrap(), d.items.iter().map(|i| i.qty).sum::<u32>());
        n += 1;
    }
    assert_eq!(n, s.order_count().unwrap());
    let bytes = std::fs::read(&details_csv).unwrap();
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let items = r.records().count() as i64;
    assert_eq!(items, count(&s, "SELECT count(*) FROM order_items"));
}

#[test]
fn twenty_thousand_orders() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("big.sqlite");
    let mut s = open(&db);
    let opts = DemoOptions { orders: 20_000, replies: Some(400), seed: 3, now: now() };
    let filled = demo::fill(&mut s, &opts).unwrap();
    assert_eq!(filled.orders, 20_000);
    assert_eq!(s.order_count().unwrap(), 20_000);
    assert_eq!(filled.replies, 400);
    assert_eq!(count(&s, "SELECT count(*) FROM replies"), 400);
    assert_eq!(count(&s, "SELECT count(DISTINCT code) FROM replies"), 400);
    // the work grows with √n, not n
    assert!(filled.work.refunds > 23 && filled.work.refunds < 200, "{:?}", filled.work);
    assert!(filled.work.memo_lines < 2_000);
    assert_eq!(s.actor().agent, "测试", "the store acts as before");
    let journal: String = s.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal", "back in WAL after the bulk load");
    let temp_store: i64 = s.conn().query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
    assert_eq!(temp_store, 2, "temporary storage back in memory after the index builds");
}
