//! Event times are a hybrid logical clock (issue 11, "Lost writes"). Seats whose clocks
//! are wrong — hours, or a year, ahead or behind — exchange files, and:
//!
//! 1. a change made after an import takes effect, whatever the imported events' times;
//! 2. every seat ends with the same tables, whatever its own clock says;
//! 3. nothing is refused or dropped for its time: far-future events are applied and the
//!    import summary names them with their seat; each seat's skew is recorded.
//!
//! People are shown the seats' wall clocks (`wall`), and reports count by them.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, Utc};
use kefu::domain::clock::Clock;
use kefu::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction};
use kefu::store::Store;
use kefu::sync::{self, Scope};

fn order(no: &str) -> OrderRecord {
    let paid = kefu::domain::timefmt::parse_datetime("2026-06-27 09:00:00");
    OrderRecord {
        order_no: no.into(),
        buyer: format!("buyer{no}"),
        receiver_name: "王芳".into(),
        status: OrderStatus::WaitBuyerConfirmGoods.into(),
        amount_fen: 8800,
        paid_at: paid,
        created_at: paid,
        title: "连帽卫衣".into(),
        ..Default::default()
    }
}

/// A seat whose clock runs `skew` off the real one.
fn seat(name: &str, skew: Duration) -> Store {
    let mut s = Store::open_in_memory(Actor::new(format!("客服{name}"), name)).unwrap();
    s.set_clock(Clock::system().skewed(skew));
    s
}

fn export(s: &mut Store, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    sync::export(s, &p, Scope::All).unwrap();
    p
}

/// Seat a (a correct clock) with orders and a refund, and seat b (clock `skew` off)
/// that started from a's file.
fn pair(dir: &Path, skew: Duration) -> (Store, Store) {
    let mut a = seat("a", Duration::zero());
    a.record(EventBody::OrdersUpserted {
        source: "t".into(),
        orders: (1..=3).map(|i| order(&format!("100{i}"))).collect(),
    })
    .unwrap();
    a.refund_new(RefundRecord {
        refund_no: "R1".into(),
        order_no: "1001".into(),
        amount_fen: 8800,
        reason: "尺码不合适".into(),
        needs_return: true,
        ..Default::default()
    })
    .unwrap();
    let mut b = seat("b", skew);
    sync::import(&mut b, &export(&mut a, dir, "base.kefusync")).unwrap();
    (a, b)
}

fn assert_same(a: &Store, b: &Store) {
    assert_eq!(a.event_ids().unwrap(), b.event_ids().unwrap());
    assert!(a.projection_dump().unwrap() == b.projection_dump().unwrap(), "tables differ");
}

#[test]
fn a_change_made_after_importing_future_events_takes_effect() {
    // Seat b's clock is a year fast. Its flag and memo reach seat a, and then a's agent
    // sets another flag and writes a memo: a's change is the later one, and wins —
    // here and, once b imports a's file, at b too.
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path(), Duration::days(365));
    b.set_flag("1001", Flag::Red).unwrap();
    b.add_memo("1001", "b 的备注(时钟快一年)", MemoKind::Note).unwrap();
    let r = sync::import(&mut a, &export(&mut b, dir.path(), "b.kefusync")).unwrap();
    assert_eq!(r.new, 2);
    assert_eq!(a.queue_row("1001").unwrap().unwrap().flag, Flag::Red);

    a.set_flag("1001", Flag::Yellow).unwrap();
    a.add_memo("1001", "a 后来写的备注", MemoKind::Note).unwrap();
    let row = a.queue_row("1001").unwrap().unwrap();
    assert_eq!((row.flag, row.memo_last.as_str()), (Flag::Yellow, "a 后来写的备注"));

    sync::import(&mut b, &export(&mut a, dir.path(), "a.kefusync")).unwrap();
    let row = b.queue_row("1001").unwrap().unwrap();
    assert_eq!((row.flag, row.memo_last.as_str()), (Flag::Yellow, "a 后来写的备注"));
    assert_same(&a, &b);
}

#[test]
fn whatever_the_clocks_the_later_change_wins_and_seats_agree() {
    // b changes a flag, a sees it and changes it again, b sees that and changes it a
    // third time: each seat's change was made after it had seen the one before, so the
    // last one stands everywhere — with b's clock a month behind, five hours behind,
    // right, five hours ahead or a year ahead.
    for skew in [Duration::days(-30), Duration::hours(-5), Duration::zero(), Duration::hours(5), Duration::days(365)] {
        let dir = tempfile::tempdir().unwrap();
        let (mut a, mut b) = pair(dir.path(), skew);
        b.set_flag("1002", Flag::Red).unwrap();
        sync::import(&mut a, &export(&mut b, dir.path(), "b1.kefusync")).unwrap();
        a.set_flag("1002", Flag::Green).unwrap();
        a.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
        sync::import(&mut b, &export(&mut a, dir.path(), "a1.kefusync")).unwrap();
        b.set_flag("1002", Flag::Blue).unwrap();
        sync::import(&mut a, &export(&mut b, dir.path(), "b2.kefusync")).unwrap();
        for s in [&a, &b] {
            assert_eq!(s.queue_row("1002").unwrap().unwrap().flag, Flag::Blue, "skew {skew}");
            assert_eq!(s.refund("R1").unwrap().unwrap().state.code(), "WAIT_BUYER_RETURN_GOODS", "skew {skew}");
        }
        assert_same(&a, &b);
    }
}

#[test]
fn far_future_events_are_applied_and_named_with_their_seat() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path(), Duration::days(3));
    b.set_flag("1003", Flag::Purple).unwrap();
    b.add_memo("1003", "三天后的备注", MemoKind::Note).unwrap();
    let r = sync::import(&mut a, &export(&mut b, dir.path(), "b.kefusync")).unwrap();
    // Nothing refused for its time: both events are in, and in effect.
    assert_eq!((r.new, r.already_present), (2, 2));
    assert_eq!(a.queue_row("1003").unwrap().unwrap().flag, Flag::Purple);
    assert_eq!(r.far_future.len(), 1, "{:?}", r.far_future);
    let f = &r.far_future[0];
    assert_eq!((f.seat.as_str(), f.events), (b.actor().seat.as_str(), 2));
    let line = sync::far_future_line(f);
    assert!(line.contains(&format!("席位 {} 有 2 条事件的时间在本机时钟一天以后", b.actor().seat)), "{line}");
    // A seat only hours off is warned about, but not named as far in the future.
    let (mut c, mut d) = pair(dir.path(), Duration::hours(5));
    d.set_flag("1003", Flag::Green).unwrap();
    let r = sync::import(&mut c, &export(&mut d, dir.path(), "d.kefusync")).unwrap();
    assert!(r.far_future.is_empty());
    assert_eq!(r.clocks_ahead.len(), 1);
    assert!(r.clocks_ahead[0].1 > 4 * 3600, "{:?}", r.clocks_ahead);
}

#[test]
fn each_seats_skew_is_recorded_as_last_observed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path(), Duration::hours(-6));
    b.set_flag("1001", Flag::Red).unwrap();
    sync::import(&mut a, &export(&mut b, dir.path(), "b.kefusync")).unwrap();
    let skews = a.clock_skews().unwrap();
    let seen = skews.iter().find(|s| s.seat == b.actor().seat).expect("b's clock observed");
    // b wrote its file with its clock six hours behind (and the file reached a at once).
    let hours = seen.skew_ms as f64 / 3_600_000.0;
    assert!((-6.1..-5.9).contains(&hours), "{hours}");
    // A later file from b, its clock set right: the observation is replaced.
    b.set_clock(Clock::system());
    b.set_flag("1001", Flag::Green).unwrap();
    sync::import(&mut a, &export(&mut b, dir.path(), "b2.kefusync")).unwrap();
    let skews = a.clock_skews().unwrap();
    let seen = skews.iter().find(|s| s.seat == b.actor().seat).unwrap();
    assert!(seen.skew_ms.abs() < 60_000, "{seen:?}");
}

#[test]
fn people_are_shown_wall_times_and_reports_count_by_them() {
    // After a's log took in b's events from a year ahead, a's own new events are
    // ordered after them (their `at` is in b's year), but they happened today: the
    // memo line, the log, the refund's first action and the agents' report say today.
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path(), Duration::days(365));
    b.add_memo("1002", "明年的备注", MemoKind::Note).unwrap();
    sync::import(&mut a, &export(&mut b, dir.path(), "b.kefusync")).unwrap();
    let before = Utc::now();
    a.add_memo("1002", "今天的备注", MemoKind::Note).unwrap();
    a.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    let after = Utc::now();
    let today = |text: &str| {
        let t = chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
        t >= before - Duration::seconds(1) && t <= after + Duration::seconds(1)
    };
    let memos = a.memo_lines("1002").unwrap();
    let mine = memos.iter().find(|m| m.text == "今天的备注").unwrap();
    assert!(today(&mine.at), "memo line shown at {}", mine.at);
    // The log: newest first by its order, a's memo after b's — but shown at today's time.
    let log = kefu::report::log::page(&a, &Default::default(), None, 10).unwrap();
    let entry = log.iter().find(|e| e.line.contains("今天的备注")).unwrap();
    assert!(entry.at > log.iter().find(|e| e.line.contains("明年的备注")).unwrap().at);
    let shop_today = kefu::domain::timefmt::format_datetime(kefu::domain::clock::to_shop(before));
    assert_eq!(entry.shop_time[..10], shop_today[..10], "{entry:?}");
    let refund = a.refund("R1").unwrap().unwrap();
    assert!(today(refund.first_action_at.as_deref().unwrap()), "{refund:?}");
    let day = kefu::domain::clock::to_shop(before).date();
    let stats = kefu::report::agents::collect(&a, kefu::report::Period::day(day)).unwrap();
    let mine = stats.iter().find(|s| s.agent == "客服a").expect("a's work counted today");
    assert_eq!((mine.refund_actions, mine.memo_lines), (1, 1), "{mine:?}");
    // `kefu log --since … --until …` around now finds a's work and not b's, whose wall
    // time is a year ahead.
    let filter = kefu::store::audit::LogFilter {
        since: Some(before - Duration::seconds(1)),
        until: Some(after + Duration::seconds(1)),
        ..Default::default()
    };
    let now = kefu::report::log::page(&a, &filter, None, 10).unwrap();
    assert!(now.iter().any(|e| e.line.contains("今天的备注")), "{now:?}");
    assert!(now.iter().any(|e| e.kind == "refund_acted"), "{now:?}");
    assert!(!now.iter().any(|e| e.line.contains("明年的备注")), "{now:?}");
}

/// The kefu binary, with its clock pinned to `now` (shop time).
fn kefu(db: &Path, seat: &str, now: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.arg("--db").arg(db).arg("--seat").arg(seat).arg("--agent").arg(format!("客服{seat}"));
    c.env_remove("KEFU_DB").env_remove("KEFU_SEAT").env_remove("KEFU_AGENT").env_remove("KEFU_TZ_OFFSET");
    c.env("KEFU_NOW", now);
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_cli_flag_set_after_importing_a_future_file_takes_effect() {
    // The trial's case: a seat's file dated in the future is imported, then
    // `kefu memo N --flag yellow` printed 已设旗 and the flag stayed red.
    let dir = tempfile::tempdir().unwrap();
    let (da, db) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    let mut a = Store::open(&da, Actor::new("客服a", "a")).unwrap();
    a.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![order("1001")] }).unwrap();
    drop(a);
    let base = dir.path().join("a.kefusync");
    run_ok(kefu(&da, "a", "2026-06-28 10:00:00").arg("export").arg(&base));
    run_ok(kefu(&db, "b", "2027-06-28 10:00:00").arg("import").arg(&base));
    run_ok(kefu(&db, "b", "2027-06-28 10:00:00").args(["memo", "1001", "--flag", "red"]));
    let fb = dir.path().join("b.kefusync");
    run_ok(kefu(&db, "b", "2027-06-28 10:00:00").arg("export").arg(&fb));
    let out = run_ok(kefu(&da, "a", "2026-06-28 10:05:00").arg("import").arg(&fb));
    // Seat b is its key: `b#` and the key's fingerprint.
    let named =
        out.lines().find(|l| l.contains("有 1 条事件的时间在本机时钟一天以后(最晚 2027-06-28 10:00:00)— 已照常导入"));
    assert!(named.is_some_and(|l| l.contains("席位 b#")), "{out}");
    let out = run_ok(kefu(&da, "a", "2026-06-28 10:05:30").arg("seats"));
    let b_line = out.lines().find(|l| l.starts_with("b#")).unwrap_or_default();
    assert!(b_line.contains("快 364 天(06-28 10:05 导入时)"), "{out}");
    let out = run_ok(kefu(&da, "a", "2026-06-28 10:06:00").args(["memo", "1001", "--flag", "yellow"]));
    assert!(out.contains("已设旗"), "{out}");
    let json = run_ok(kefu(&da, "a", "2026-06-28 10:07:00").args(["orders", "--json"]));
    let orders: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(orders[0]["flag_name"], "yellow", "{json}");
}
