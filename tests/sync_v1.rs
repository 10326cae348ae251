//! Upgrades lose nothing: a sync file (format 1) and a database (schema 4) written by
//! kefu 0.1.0 before hybrid clocks, kept in tests/fixtures/sync_v1 as that kefu wrote
//! them, read back by this one. Their events have no wall time: their wall time is
//! their `at`, and their hashes verify as they always did.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::{Path, PathBuf};

use kefu::domain::event::Actor;
use kefu::domain::flag::Flag;
use kefu::store::Store;
use kefu::sync::{self, Scope};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sync_v1").join(name)
}

/// Seat 前台B's file: five events of 前台A (orders, a memo, a flag, a refund agreed)
/// and three of its own (a memo, a yellow flag, the buyer's return).
const ORDER_1: &str = "260627000000311688";
const ORDER_2: &str = "260620000000005185";

#[test]
fn a_format_1_file_imports_whole_with_its_hashes() {
    let mut s = Store::open_in_memory(Actor::new("主管", "seat-new")).unwrap();
    let r = sync::import(&mut s, &fixture("b1.kefusync")).unwrap();
    assert_eq!((r.new, r.already_present), (8, 0));
    assert!(s.verify_chains().unwrap().is_ok());
    let row = s.queue_row(ORDER_1).unwrap().unwrap();
    assert_eq!(row.flag, Flag::Yellow);
    assert_eq!(s.refund("R1").unwrap().unwrap().state.code(), "WAIT_SELLER_CONFIRM_GOODS");
    // Without a wall time, the time shown is the event's `at`.
    let memos = s.memo_lines(ORDER_2).unwrap();
    assert_eq!(memos[0].at, "2026-06-28T03:00:00.000Z");

    // Sent on in format 2, the old events keep their form (no `wall`): a seat reading
    // that file verifies them as written.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("on.kefusync");
    s.set_flag(ORDER_2, Flag::Green).unwrap();
    sync::export(&mut s, &p, Scope::All).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["kefu_sync"], 2);
    let events = &lines[1..lines.len() - 1];
    assert_eq!(events.iter().filter(|e| e.get("wall").is_none()).count(), 8);
    assert_eq!(events.iter().filter(|e| e.get("wall").is_some()).count(), 1);
    let mut other = Store::open_in_memory(Actor::new("客服", "seat-other")).unwrap();
    assert_eq!(sync::import(&mut other, &p).unwrap().new, 9);
    assert_eq!(other.projection_dump().unwrap(), s.projection_dump().unwrap());
}

/// The fixture database, restored from its dump into a file.
fn old_database(dir: &Path) -> PathBuf {
    let path = dir.join("old.sqlite");
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch(&std::fs::read_to_string(fixture("a.sql")).unwrap()).unwrap();
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 4, "the fixture is a schema-4 database");
    path
}

#[test]
fn a_database_from_before_opens_and_keeps_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = old_database(dir.path());
    let mut s = Store::open(&path, Actor::new("宾", "前台A")).unwrap();
    assert_eq!(s.event_count().unwrap(), 8);
    assert!(s.verify_chains().unwrap().is_ok());
    let before = s.projection_dump().unwrap();
    s.rebuild().unwrap();
    assert_eq!(s.projection_dump().unwrap(), before, "the old log replays to the same tables");
    // A new change sorts after every old event, and carries a wall time.
    s.set_flag(ORDER_1, Flag::Green).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let (newest_old, at, wall): (String, String, Option<String>) = c
        .query_row(
            "SELECT (SELECT max(at) FROM events WHERE wall IS NULL), at, wall FROM events WHERE wall IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(at > newest_old, "{at} after {newest_old}");
    assert!(wall.is_some());
    assert_eq!(s.queue_row(ORDER_1).unwrap().unwrap().flag, Flag::Green);
    assert!(s.verify_chains().unwrap().is_ok());
    // And it syncs with a seat that only ever had the old file.
    let mut b = Store::open_in_memory(Actor::new("琳琳", "前台B")).unwrap();
    sync::import(&mut b, &fixture("b1.kefusync")).unwrap();
    let p = dir.path().join("a.kefusync");
    sync::export(&mut s, &p, Scope::All).unwrap();
    let r = sync::import(&mut b, &p).unwrap();
    assert_eq!((r.new, r.already_present), (1, 8));
    assert_eq!(b.projection_dump().unwrap(), s.projection_dump().unwrap());
}
