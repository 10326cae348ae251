//! Sync by files: the file format's refusals, `--since-last`, the merge rules, and the
//! real binary (kill mid-import, several seats syncing one folder at once).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kefu::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction, RefundState};
use kefu::store::{BulkLoad, Store};
use kefu::sync::{self, Problem, Scope, SyncError};
use sha2::{Digest, Sha256};

fn t(s: &str) -> chrono::NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

fn order(no: &str, status: OrderStatus) -> OrderRecord {
    OrderRecord {
        order_no: no.into(),
        buyer: format!("buyer{no}"),
        receiver_name: "王芳".into(),
        receiver_phone: "13812341234".into(),
        status: status.into(),
        amount_fen: 8800,
        paid_at: Some(t("2026-06-27 09:00:00")),
        created_at: Some(t("2026-06-27 09:00:00")),
        title: "连帽卫衣".into(),
        ..Default::default()
    }
}

fn store(seat: &str) -> Store {
    Store::open_in_memory(Actor::new(format!("客服{seat}"), seat)).unwrap()
}

/// Seat "a" with five orders and a refund waiting for the seller.
fn seeded() -> Store {
    seeded_as("a")
}

fn seeded_as(seat: &str) -> Store {
    let mut s = store(seat);
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: (1..=5).map(|i| order(&format!("100{i}"), OrderStatus::WaitBuyerConfirmGoods)).collect(),
    })
    .unwrap();
    s.refund_new(RefundRecord {
        refund_no: "R1".into(),
        order_no: "1001".into(),
        amount_fen: 8800,
        reason: "尺码不合适".into(),
        needs_return: true,
        ..Default::default()
    })
    .unwrap();
    s
}

fn ids(s: &Store) -> BTreeSet<String> {
    s.event_ids().unwrap().into_iter().collect()
}

/// Everything a seat can observe about its database, for "nothing changed" checks.
fn state(s: &Store) -> (i64, String) {
    (s.event_count().unwrap(), s.projection_digest().unwrap())
}

fn export(s: &mut Store, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    sync::export(s, &p, Scope::All).unwrap();
    p
}

fn assert_same(a: &Store, b: &Store) {
    assert_eq!(ids(a), ids(b), "same events");
    let (da, db) = (a.projection_dump().unwrap(), b.projection_dump().unwrap());
    if da != db {
        for (la, lb) in da.lines().zip(db.lines()) {
            if la != lb {
                panic!("projections differ:\n  {la}\n  {lb}");
            }
        }
        panic!("projections differ in length");
    }
}

// ---------------------------------------------------------------- the file format

#[test]
fn a_file_round_trips_and_its_format_is_self_describing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    a.add_memo("1001", "缺货,等待到货", MemoKind::Note).unwrap();
    let p = export(&mut a, dir.path(), "a.kefusync");
    let text = std::fs::read_to_string(&p).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3 + 2, "header, 3 events, trailer");
    let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(header["kefu_sync"], 2);
    assert_eq!(header["kefu_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(header["seat"], "a");
    assert_eq!(header["event_count"], 3);
    assert_eq!(header["seats"]["a"], serde_json::json!([1, 3]));
    let ev: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    let keys: Vec<&str> = ev.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys.len(), 10);
    for k in ["id", "seat", "seq", "agent", "at", "wall", "kind", "payload", "prev_hash", "hash"] {
        assert!(keys.contains(&k), "{k}");
    }
    assert_eq!(header["first_id"], ev["id"]);
    let trailer: serde_json::Value = serde_json::from_str(lines[4]).unwrap();
    let body_len = text.len() - lines[4].len() - 1;
    assert_eq!(trailer["sha256"], hex::encode(Sha256::digest(&text.as_bytes()[..body_len])));
    assert_eq!(trailer["event_count"], 3);

    let mut b = store("b");
    let r = sync::import(&mut b, &p).unwrap();
    assert_eq!((r.new, r.already_present, r.new_conflicts, r.from_seat.as_str()), (3, 0, 0, "a"));
    assert_same(&a, &b);
    assert_eq!(b.memo_lines("1001").unwrap()[0].text, "缺货,等待到货");
}

/// A file with enough events to be written compressed.
fn big(n: usize) -> Store {
    let mut s = seeded();
    s.write(|w| {
        for i in 0..n {
            w.record(EventBody::MemoAdded {
                order_no: format!("100{}", i % 5 + 1),
                text: format!("第 {i} 次联系买家,买家说明天再看看,请跟进"),
                memo_kind: MemoKind::Note,
            })?;
        }
        Ok(())
    })
    .unwrap();
    s
}

#[test]
fn large_files_are_gzip_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = big(4000);
    let p = export(&mut a, dir.path(), "a.kefusync");
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
    let mut b = store("b");
    assert_eq!(sync::import(&mut b, &p).unwrap().new, 4002);
    assert_same(&a, &b);
}

/// Imports `bytes` as a file into a seat with history and checks that it is refused
/// for `problem`, with a message containing `says`, and that nothing changed.
fn refused(bytes: &[u8], problem: Problem, says: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.kefusync");
    std::fs::write(&p, bytes).unwrap();
    let mut b = seeded_as("z");
    b.set_flag("1002", Flag::Red).unwrap();
    let before = state(&b);
    let err = sync::import(&mut b, &p).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.refusal().map(|r| r.problem), Some(problem), "{msg}");
    assert!(msg.contains(says), "expected «{says}» in: {msg}");
    assert!(msg.contains("bad.kefusync") && msg.contains("未导入任何内容"), "{msg}");
    assert_eq!(state(&b), before, "nothing imported");
    msg
}

fn good_file() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    a.set_flag("1003", Flag::Green).unwrap();
    a.add_memo("1003", "已发顺丰", MemoKind::Note).unwrap();
    std::fs::read(export(&mut a, dir.path(), "a.kefusync")).unwrap()
}

/// Rewrites the trailer so the SHA-256 matches the (edited) body again.
fn reseal(text: &str) -> Vec<u8> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    let count = lines.len() - 1;
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let sha = hex::encode(Sha256::digest(body.as_bytes()));
    format!("{body}{{\"sha256\":\"{sha}\",\"event_count\":{count}}}\n").into_bytes()
}

fn edit_line(file: &[u8], line: usize, f: impl FnOnce(&mut serde_json::Value)) -> String {
    let text = String::from_utf8(file.to_vec()).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut v: serde_json::Value = serde_json::from_str(&lines[line]).unwrap();
    f(&mut v);
    lines[line] = serde_json::to_string(&v).unwrap();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn an_empty_file_is_refused() {
    refused(b"", Problem::Empty, "空的");
}

#[test]
fn a_file_that_is_not_kefus_is_refused() {
    refused("订单编号,买家会员名\n123,张三\n".as_bytes(), Problem::NotKefu, "不是 kefu 同步文件");
    refused(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Problem::NotKefu, "不是 kefu 同步文件");
    refused(b"{\"hello\":1}\n", Problem::NotKefu, "kefu_sync");
}

#[test]
fn a_newer_format_is_refused_naming_the_kefu_that_wrote_it() {
    let file = good_file();
    let text = edit_line(&file, 0, |h| {
        h["kefu_sync"] = 3.into();
        h["kefu_version"] = "3.1.0".into();
    });
    let msg = refused(&reseal(&text), Problem::NewerFormat, "kefu 3.1.0");
    assert!(msg.contains("同步格式 3") && msg.contains("≤ 2") && msg.contains("请升级 kefu"), "{msg}");
    // Even a newer file we could not otherwise make sense of gets this message.
    refused(b"{\"kefu_sync\":7,\"kefu_version\":\"9.0.0\",\"whatever\":true}\n\x00\x01", Problem::NewerFormat, "9.0.0");
}

#[test]
fn a_truncated_file_is_refused() {
    let file = good_file();
    // Cut in the middle of a line.
    refused(&file[..file.len() / 2], Problem::Truncated, "截断");
    // Cut exactly after an event line: the trailer is missing.
    let text = String::from_utf8(file.clone()).unwrap();
    let cut = text.trim_end().rfind('\n').unwrap() + 1;
    let msg = refused(&file[..cut], Problem::Truncated, "是一条事件");
    assert!(msg.contains("第 5 行"), "{msg}");
    // Only the header.
    let first = text.find('\n').unwrap() + 1;
    refused(&file[..first], Problem::Truncated, "只有文件头");
    refused(&file[..first - 3], Problem::Truncated, "截断");
}

#[test]
fn one_flipped_byte_is_refused() {
    let file = good_file();
    for at in [file.len() / 3, file.len() / 2] {
        let mut bad = file.clone();
        bad[at] ^= 0x01;
        refused(&bad, Problem::Checksum, "SHA-256 校验不符");
    }
    // In the trailer itself.
    let mut bad = file.clone();
    let at = file.len() - 30;
    bad[at] ^= 0x01;
    refused(&bad, Problem::Checksum, "");
}

#[test]
fn one_flipped_byte_in_a_compressed_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = big(4000);
    let file = std::fs::read(export(&mut a, dir.path(), "a.kefusync")).unwrap();
    assert_eq!(&file[..2], &[0x1f, 0x8b]);
    // In the deflate data, and in the gzip CRC at the end.
    for at in [file.len() / 2, file.len() - 6] {
        let mut bad = file.clone();
        bad[at] ^= 0x10;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.kefusync");
        std::fs::write(&p, &bad).unwrap();
        let mut b = seeded_as("z");
        let before = state(&b);
        let err = sync::import(&mut b, &p).unwrap_err();
        assert_eq!(err.refusal().map(|r| r.problem), Some(Problem::Checksum), "{err}");
        assert_eq!(state(&b), before);
    }
    // Truncated compressed data.
    let dir2 = tempfile::tempdir().unwrap();
    let p = dir2.path().join("cut.kefusync");
    std::fs::write(&p, &file[..file.len() / 2]).unwrap();
    let mut b = seeded();
    let err = sync::import(&mut b, &p).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.problem), Some(Problem::Truncated), "{err}");
}

#[test]
fn an_edited_event_is_caught_by_its_hash_even_with_the_checksum_recomputed() {
    let file = good_file();
    let text = edit_line(&file, 4, |e| {
        e["payload"] = e["payload"].as_str().unwrap().replace("已发顺丰", "已退款").into();
    });
    let msg = refused(&reseal(&text), Problem::EventHash, "哈希与内容不符");
    assert!(msg.contains("第 5 行"), "{msg}");
    // Who did it is covered too.
    let text = edit_line(&file, 2, |e| e["agent"] = "别人".into());
    refused(&reseal(&text), Problem::EventHash, "第 3 行");
}

#[test]
fn an_event_rehashed_after_editing_breaks_its_seats_chain() {
    let file = good_file();
    let text = edit_line(&file, 3, |e| {
        let mut ev: kefu::domain::event::Event = serde_json::from_value(e.clone()).unwrap();
        assert!(ev.payload.contains("\"flag\":3"), "{}", ev.payload);
        ev.payload = ev.payload.replace("\"flag\":3", "\"flag\":1");
        ev.hash = ev.compute_hash();
        e["payload"] = ev.payload.into();
        e["hash"] = ev.hash.into();
    });
    refused(&reseal(&text), Problem::Chain, "接不上");
}

#[test]
fn a_line_that_is_not_an_event_is_refused() {
    let file = good_file();
    let text = String::from_utf8(file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{\"note\":\"hello\"}");
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    refused(&reseal(&body), Problem::NotAnEvent, "第 3 行");
}

#[test]
fn counts_that_disagree_are_refused() {
    let file = good_file();
    let text = edit_line(&file, 0, |h| h["event_count"] = 2.into());
    refused(&reseal(&text), Problem::Count, "文件头写 2 条");
    let text = String::from_utf8(file).unwrap();
    let fixed = text.replace("\"event_count\":4}", "\"event_count\":9}");
    assert_ne!(fixed, text);
    refused(fixed.as_bytes(), Problem::Count, "结尾行写 9 条");
}

#[test]
fn escape_sequences_in_a_file_are_refused_even_when_hashed() {
    let file = good_file();
    let text = edit_line(&file, 4, |e| {
        let mut ev: kefu::domain::event::Event = serde_json::from_value(e.clone()).unwrap();
        assert!(ev.payload.contains("已发顺丰"));
        ev.payload = ev.payload.replace("已发顺丰", "\\u001b]0;pwned\\u0007已发");
        ev.hash = ev.compute_hash();
        e["payload"] = ev.payload.into();
        e["hash"] = ev.hash.into();
    });
    refused(&reseal(&text), Problem::BadEvent, "控制字符");
}

#[test]
fn escape_sequences_in_the_header_are_refused() {
    let file = good_file();
    let text = edit_line(&file, 0, |h| h["seat"] = "a\u{1b}]0;pwned\u{7}".into());
    refused(&reseal(&text), Problem::NotKefu, "控制字符");
}

#[test]
fn an_event_kind_this_kefu_does_not_know_asks_for_an_upgrade() {
    let file = good_file();
    let text = edit_line(&file, 4, |e| {
        let mut ev: kefu::domain::event::Event = serde_json::from_value(e.clone()).unwrap();
        ev.kind = "parcel_weighed".into();
        ev.payload = "{\"kind\":\"parcel_weighed\",\"grams\":300}".into();
        ev.hash = ev.compute_hash();
        e["payload"] = ev.payload.into();
        e["kind"] = ev.kind.into();
        e["hash"] = ev.hash.into();
    });
    refused(&reseal(&text), Problem::BadEvent, "请升级 kefu");
}

#[test]
fn a_file_reusing_a_seat_number_for_another_event_is_refused_whole() {
    // Two databases writing as the same seat: seat "a" number 1 is a different event.
    let dir = tempfile::tempdir().unwrap();
    let mut impostor = seeded();
    impostor.add_memo("1001", "我也是 a", MemoKind::Note).unwrap();
    let p = export(&mut impostor, dir.path(), "x.kefusync");
    let mut a = seeded();
    a.set_flag("1001", Flag::Red).unwrap();
    let before = state(&a);
    let err = sync::import(&mut a, &p).unwrap_err();
    assert_eq!(err.refusal().map(|r| r.problem), Some(Problem::Chain), "{err}");
    assert!(err.to_string().contains("同一个席位名"), "{err}");
    assert_eq!(state(&a), before);
}

/// Re-hashes event line `line` (0-based, the header is 0) after `edit`, and reseals.
fn rehash_line(file: &[u8], line: usize, edit: impl FnOnce(&mut kefu::domain::event::Event)) -> Vec<u8> {
    let text = edit_line(file, line, |e| {
        let mut ev: kefu::domain::event::Event = serde_json::from_value(e.clone()).unwrap();
        edit(&mut ev);
        ev.hash = ev.compute_hash();
        *e = serde_json::json!({
            "id": ev.id, "seat": ev.seat, "seq": ev.seq, "agent": ev.agent, "at": e["at"].clone(),
            "wall": e["wall"].clone(), "kind": ev.kind, "payload": ev.payload, "prev_hash": ev.prev_hash,
            "hash": ev.hash,
        });
    });
    reseal(&text)
}

fn plain_text(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    if bytes[..2] == [0x1f, 0x8b] {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out).unwrap();
        out
    } else {
        bytes
    }
}

#[test]
fn large_files_are_verified_in_parallel_runs_and_chains_are_checked_across_them() {
    // 10,000 events are verified in several runs (how many depends on the cores): an
    // event re-hashed after editing is caught wherever it falls, also at the last line
    // of a run, where only the next run's first event notices.
    let dir = tempfile::tempdir().unwrap();
    let mut a = big(10_000);
    let file = plain_text(&export(&mut a, dir.path(), "a.kefusync"));
    // Runs end after event 5_000 on two cores, after 4_095 and 8_191 on more.
    for index in [2_500, 4_095, 4_999, 5_000, 8_191] {
        let bad = rehash_line(&file, index + 1, |e| e.payload = e.payload.replace("请跟进", "已跟进"));
        let msg = refused(&bad, Problem::Chain, "接不上");
        assert!(msg.contains(&format!("第 {} 行", index + 3)), "{index}: {msg}");
    }
}

#[test]
fn a_seat_whose_events_arrive_out_of_order_is_checked_after_sorting() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = big(5_000);
    let first = dir.path().join("1.kefusync");
    sync::export(&mut a, &first, Scope::SinceLast).unwrap();
    a.write(|w| {
        for i in 0..5_000 {
            w.record(EventBody::MemoAdded {
                order_no: "1003".into(),
                text: format!("后来的第 {i} 条"),
                memo_kind: MemoKind::Note,
            })?;
        }
        Ok(())
    })
    .unwrap();
    let second = dir.path().join("2.kefusync");
    sync::export(&mut a, &second, Scope::SinceLast).unwrap();
    // b gets the later half first: its log, and so its export, has a's events out of order.
    let mut b = store("b");
    sync::import(&mut b, &second).unwrap();
    sync::import(&mut b, &first).unwrap();
    let pb = export(&mut b, dir.path(), "b.kefusync");
    let mut c = store("c");
    assert_eq!(sync::import(&mut c, &pb).unwrap().new, 10_002);
    assert_same(&a, &c);
    // The same number twice in such a file is refused.
    let text = String::from_utf8(plain_text(&pb)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(3, lines[8_000]);
    let doubled = reseal(&lines.join("\n"));
    let doubled = edit_line(&doubled, 0, |h| h["event_count"] = 10_003.into());
    refused(&reseal(&doubled), Problem::Chain, "出现两次");
}

// ---------------------------------------------------------------- --since-last

#[test]
fn since_last_exports_only_what_the_previous_export_did_not_have() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    let first = sync::export(&mut a, &dir.path().join("1.kefusync"), Scope::SinceLast).unwrap();
    assert_eq!((first.count, first.continued), (2, false), "first export: everything");

    a.add_memo("1002", "买家要求改地址", MemoKind::Note).unwrap();
    // Received events count too: they are new to this database.
    let mut b = store("b");
    b.record(EventBody::SettingSet { key: "shop".into(), value: "小店".into() }).unwrap();
    let pb = export(&mut b, dir.path(), "b.kefusync");
    sync::import(&mut a, &pb).unwrap();

    let second = sync::export(&mut a, &dir.path().join("2.kefusync"), Scope::SinceLast).unwrap();
    assert_eq!(second.count, 2);
    assert!(second.continued);
    assert_eq!(second.per_seat.get("a"), Some(&1));
    assert_eq!(second.per_seat.get("b"), Some(&1));

    let third = sync::export(&mut a, &dir.path().join("3.kefusync"), Scope::SinceLast).unwrap();
    assert_eq!(third.count, 0, "nothing new");
    // An empty export is still a valid file.
    let mut c = store("c");
    let r = sync::import(&mut c, &dir.path().join("3.kefusync")).unwrap();
    assert_eq!((r.events, r.new), (0, 0));
    assert_eq!(c.event_count().unwrap(), 0);

    // The three files together are everything.
    for f in ["1", "2", "3"] {
        sync::import(&mut c, &dir.path().join(format!("{f}.kefusync"))).unwrap();
    }
    assert_same(&a, &c);

    // An --all export also counts as the previous export.
    a.set_flag("1004", Flag::Blue).unwrap();
    sync::export(&mut a, &dir.path().join("all.kefusync"), Scope::All).unwrap();
    let after_all = sync::export(&mut a, &dir.path().join("4.kefusync"), Scope::SinceLast).unwrap();
    assert_eq!(after_all.count, 0);
}

// ---------------------------------------------------------------- merge rules

#[test]
fn importing_the_same_file_twice_is_the_same_as_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    a.add_memo("1001", "一", MemoKind::Note).unwrap();
    let p = export(&mut a, dir.path(), "a.kefusync");
    let mut b = store("b");
    let first = sync::import(&mut b, &p).unwrap();
    let once = state(&b);
    let second = sync::import(&mut b, &p).unwrap();
    assert_eq!((first.new, first.already_present), (3, 0));
    assert_eq!((second.new, second.already_present, second.new_conflicts), (0, 3, 0));
    assert!(second.seen_before && !first.seen_before);
    assert_eq!(state(&b), once);
    // The same events in other bytes (a re-export) are found present one by one.
    let again = export(&mut b, dir.path(), "b.kefusync");
    let third = sync::import(&mut b, &again).unwrap();
    assert_eq!((third.new, third.already_present, third.seen_before), (0, 3, false));
    assert_eq!(state(&b), once);
}

#[test]
fn files_in_any_order_give_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    let base = export(&mut a, dir.path(), "base.kefusync");
    let mut b = store("b");
    sync::import(&mut b, &base).unwrap();
    a.set_flag("1001", Flag::Red).unwrap();
    a.add_memo("1001", "a 的备注", MemoKind::Note).unwrap();
    // (Agreeing to the return sets purple: done first, so yellow is b's latest flag.)
    b.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    b.set_flag("1001", Flag::Yellow).unwrap();
    b.add_memo("1001", "b 的备注", MemoKind::Note).unwrap();
    let pa = export(&mut a, dir.path(), "a.kefusync");
    let pb = export(&mut b, dir.path(), "b.kefusync");

    let mut x = store("x");
    let mut y = store("y");
    for p in [&pa, &pb, &base] {
        sync::import(&mut x, p).unwrap();
    }
    for p in [&pb, &base, &pa, &pb] {
        sync::import(&mut y, p).unwrap();
    }
    assert_same(&x, &y);
    // The later flag wins everywhere.
    assert_eq!(x.queue_row("1001").unwrap().unwrap().flag, Flag::Yellow);
}

#[test]
fn two_seats_acting_on_one_refund_keep_both_and_mark_the_later_a_conflict_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    let base = export(&mut a, dir.path(), "base.kefusync");
    let mut b = store("b");
    let mut c = store("c");
    sync::import(&mut b, &base).unwrap();
    sync::import(&mut c, &base).unwrap();

    // Both see WAIT_SELLER_AGREE; A agrees, then B refuses.
    a.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let note = ActionInput { note: "买家已签收,商品无质量问题".into(), ..Default::default() };
    b.refund_act("R1", RefundAction::Refuse, note).unwrap();
    assert_eq!(b.require_refund("R1").unwrap().state, RefundState::SellerRefuseBuyer);

    let pa = export(&mut a, dir.path(), "a.kefusync");
    let pb = export(&mut b, dir.path(), "b.kefusync");
    let ra = sync::import(&mut a, &pb).unwrap();
    let rb = sync::import(&mut b, &pa).unwrap();
    assert_eq!(ra.new_conflicts, 1, "A learns of B's refusal: a conflict");
    assert_eq!(rb.new_conflicts, 1, "B's own refusal becomes the conflict");
    sync::import(&mut c, &pb).unwrap();
    sync::import(&mut c, &pa).unwrap();

    for s in [&a, &b, &c] {
        let r = s.require_refund("R1").unwrap();
        assert_eq!(r.state, RefundState::WaitBuyerReturnGoods, "the earlier action (agree) applies");
        let timeline = s.case_timeline("R1").unwrap();
        assert_eq!(timeline.len(), 3, "both actions are kept");
        let conflicts = s.conflicts(Some("R1")).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!((conflicts[0].seat.as_str(), conflicts[0].resolved), ("b", false));
        assert!(conflicts[0].reason.contains("拒绝退款"), "{}", conflicts[0].reason);
    }
    assert_same(&a, &b);
    assert_same(&a, &c);

    // Resolved on one seat, resolved on all.
    let id = c.conflicts(None).unwrap()[0].event_id.clone();
    c.resolve_conflict(&id, "已电话联系买家,按同意处理").unwrap();
    let pc = export(&mut c, dir.path(), "c.kefusync");
    sync::import(&mut a, &pc).unwrap();
    assert!(a.conflicts(None).unwrap()[0].resolved);
    assert_eq!(a.conflict_resolutions(&id).unwrap()[0].note, "已电话联系买家,按同意处理");
}

#[test]
fn memo_lines_from_several_seats_all_stay_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    let base = export(&mut a, dir.path(), "base.kefusync");
    let mut b = store("b");
    sync::import(&mut b, &base).unwrap();
    let pause = || std::thread::sleep(std::time::Duration::from_millis(3));
    a.add_memo("1001", "一 a", MemoKind::Note).unwrap();
    pause();
    b.add_memo("1001", "二 b", MemoKind::Note).unwrap();
    pause();
    a.add_memo("1001", "三 a", MemoKind::Note).unwrap();
    pause();
    b.add_memo("1001", "四 b", MemoKind::Tracking).unwrap();
    let pa = export(&mut a, dir.path(), "a.kefusync");
    let pb = export(&mut b, dir.path(), "b.kefusync");
    sync::import(&mut a, &pb).unwrap();
    sync::import(&mut b, &pa).unwrap();
    for s in [&a, &b] {
        let memos: Vec<String> = s.memo_lines("1001").unwrap().into_iter().map(|m| m.text).collect();
        assert_eq!(memos, ["一 a", "二 b", "三 a", "四 b"]);
        assert_eq!(s.queue_row("1001").unwrap().unwrap().memo_last, "四 b");
    }
    assert_same(&a, &b);
}

#[test]
fn two_seats_editing_one_reply_the_later_wins_and_the_other_stays_in_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seeded();
    let id = a.reply_save(None, "yfx", "亲,运费险会赔付退货邮费哦", "售后").unwrap();
    let base = export(&mut a, dir.path(), "base.kefusync");
    let mut b = store("b");
    sync::import(&mut b, &base).unwrap();
    a.reply_save(Some(&id), "yfx", "亲,运费险会自动赔付的哦(a)", "售后").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3));
    b.reply_save(Some(&id), "yfx", "亲,退货邮费由运费险赔付(b)", "售后").unwrap();
    let pa = export(&mut a, dir.path(), "a.kefusync");
    let pb = export(&mut b, dir.path(), "b.kefusync");
    sync::import(&mut a, &pb).unwrap();
    sync::import(&mut b, &pa).unwrap();
    for s in [&a, &b] {
        assert_eq!(s.reply(&id).unwrap().unwrap().text, "亲,退货邮费由运费险赔付(b)");
        let history: Vec<String> = s.reply_history(&id).unwrap().into_iter().map(|v| v.text).collect();
        assert_eq!(history, ["亲,运费险会赔付退货邮费哦", "亲,运费险会自动赔付的哦(a)", "亲,退货邮费由运费险赔付(b)"]);
    }
    assert_same(&a, &b);
}

#[test]
fn a_supervisors_new_phrase_reaches_every_seat() {
    let dir = tempfile::tempdir().unwrap();
    let mut boss = store("supervisor");
    let id = boss.reply_save(None, "dhzb", "亲,您的订单已打包,今天 16 点前发出哦", "发货").unwrap();
    let p = export(&mut boss, dir.path(), "boss.kefusync");
    for seat in ["a", "b", "c"] {
        let mut s = store(seat);
        sync::import(&mut s, &p).unwrap();
        let r = s.reply_by_code("dhzb").unwrap().unwrap();
        assert_eq!((r.reply_id.as_str(), r.updated_by.as_str()), (id.as_str(), "客服supervisor"));
        // … and can be used there, and the use syncs back.
        s.reply_used(&id, None).unwrap();
        let back = export(&mut s, dir.path(), &format!("{seat}.kefusync"));
        sync::import(&mut boss, &back).unwrap();
    }
    assert_eq!(boss.reply(&id).unwrap().unwrap().uses, 3);
}

#[test]
fn sync_dir_exchanges_files_and_skips_unchanged_ones() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut a = seeded();
    let mut b = store("b");
    let mut none = |_: &Path, _: sync::Progress| {};
    let r = sync::sync_dir(&mut a, &shared, &mut none).unwrap();
    assert_eq!((r.export.count, r.files.len()), (2, 0));
    assert!(shared.join("kefu-a.kefusync").exists());
    let r = sync::sync_dir(&mut b, &shared, &mut none).unwrap();
    assert_eq!(r.export.count, 0, "b exports before it imports");
    assert!(matches!(&r.files[..], [sync::DirFile::Imported(i)] if i.new == 2));
    let r = sync::sync_dir(&mut a, &shared, &mut none).unwrap();
    assert!(matches!(&r.files[..], [sync::DirFile::Imported(i)] if i.events == 0));
    let r = sync::sync_dir(&mut b, &shared, &mut none).unwrap();
    assert_eq!((r.export.count, r.rewrote), (2, true));
    assert!(matches!(&r.files[..], [sync::DirFile::Unchanged(_)]), "a did not rewrite its file: {:?}", r.files);
    let r = sync::sync_dir(&mut a, &shared, &mut none).unwrap();
    assert!(!r.rewrote);
    assert!(matches!(&r.files[..], [sync::DirFile::Imported(i)] if i.new == 0 && i.already_present == 2));
    // Nothing changed in b's file since: skipped without reading it again.
    let r = sync::sync_dir(&mut a, &shared, &mut none).unwrap();
    assert!(matches!(&r.files[..], [sync::DirFile::Unchanged(_)]), "{:?}", r.files);
    // A bad file is reported; the others still come in.
    std::fs::write(shared.join("kefu-broken.kefusync"), b"garbage").unwrap();
    b.set_flag("1001", Flag::Red).unwrap();
    sync::sync_dir(&mut b, &shared, &mut none).unwrap();
    let r = sync::sync_dir(&mut a, &shared, &mut none).unwrap();
    assert_eq!(r.files.len(), 2);
    assert!(r.files.iter().any(|f| matches!(f, sync::DirFile::Failed(_, SyncError::Refused { .. }))));
    assert_eq!(a.queue_row("1001").unwrap().unwrap().flag, Flag::Red);
    let leftovers: Vec<_> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left: {leftovers:?}");
    assert!(sync::sync_dir(&mut a, &dir.path().join("missing"), &mut none).is_err());
}

#[test]
fn a_seat_whose_clock_runs_ahead_is_reported() {
    // Seat b's events are timed 3 minutes in a's future (b's clock is fast, or a's
    // slow). Nothing is lost by it (tests/sync_clock.rs), but the times shown for b's
    // work are off; sync cannot know which clock is right, and says so.
    let dir = tempfile::tempdir().unwrap();
    let mut b = seeded_file(&dir.path().join("b.sqlite"), "b");
    let p = dir.path().join("b.kefusync");
    sync::export(&mut b, &p, Scope::All).unwrap();
    let shop = |secs: i64| {
        (kefu::domain::clock::Clock::system().shop_now() + chrono::Duration::seconds(secs))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let import_at = |seat: &str, now: String| {
        let out = kefu(&dir.path().join(format!("{seat}.sqlite")), seat)
            .env("KEFU_NOW", now)
            .arg("import")
            .arg(&p)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let out = import_at("a", shop(-185));
    assert!(out.contains("席位 b 的事件时间比本机时钟晚 3 分钟"), "{out}");
    let out = import_at("c", shop(30));
    assert!(!out.contains("注意"), "in step: no warning: {out}");
}

// ---------------------------------------------------------------- the real binary

/// The kefu binary under test, pinned for the whole run: `CARGO_BIN_EXE_kefu` is
/// hard-linked (else copied) into `CARGO_TARGET_TMPDIR` first, because another checkout
/// building into the same target directory (worktrees may share one) can replace that
/// file at any moment with a kefu of its own. If that already happened, the newest
/// kefu in `deps/` that has the sync commands is the one cargo built for this test.
fn kefu_bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let has_sync = |p: &Path| {
            Command::new(p)
                .arg("--help")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("conflicts"))
                .unwrap_or(false)
        };
        let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("sync-test-kefu-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let pinned = tmp.join(format!("sync-test-kefu-{}", std::process::id()));
        let pin = |from: &Path| {
            let _ = std::fs::remove_file(&pinned);
            std::fs::hard_link(from, &pinned).or_else(|_| std::fs::copy(from, &pinned).map(|_| ())).is_ok()
                && has_sync(&pinned)
        };
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_kefu"));
        if pin(&exe) {
            return pinned;
        }
        let deps = exe.parent().unwrap().join("deps");
        let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&deps)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with("kefu-") && !n.contains('.')
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        found.sort();
        let Some(bin) = found.into_iter().rev().map(|(_, p)| p).find(|p| pin(p)) else {
            panic!("{} has no sync commands", exe.display())
        };
        eprintln!("note: {} was replaced by another build; using {}", exe.display(), bin.display());
        pinned
    })
}

fn kefu(db: &Path, seat: &str) -> Command {
    let mut c = Command::new(kefu_bin());
    c.arg("--db").arg(db).arg("--seat").arg(seat).arg("--agent").arg(format!("客服{seat}"));
    c.env_remove("KEFU_DB").env_remove("KEFU_SEAT").env_remove("KEFU_AGENT").env_remove("KEFU_NOW");
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn seeded_file(path: &Path, seat: &str) -> Store {
    let mut s = Store::open(path, Actor::new(format!("客服{seat}"), seat)).unwrap();
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: (1..=5).map(|i| order(&format!("100{i}"), OrderStatus::WaitBuyerConfirmGoods)).collect(),
    })
    .unwrap();
    s
}

#[test]
fn cli_export_import_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let (da, db) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    drop(seeded_file(&da, "a"));
    let f = dir.path().join("a.kefusync");
    let out = run_ok(kefu(&da, "a").arg("export").arg(&f));
    assert!(out.starts_with("导出 1 条事件(席位 a: 1)→ "), "{out}");
    let out = run_ok(kefu(&db, "b").arg("import").arg(&f));
    assert!(out.contains("新事件 1 · 已有 0 · 冲突 0"), "{out}");
    let out = run_ok(kefu(&db, "b").arg("import").arg(&f));
    assert!(out.contains("新事件 0 · 已有 1 · 冲突 0"), "{out}");
    let out = run_ok(kefu(&da, "a").args(["export", "--since-last"]).arg(dir.path().join("none.kefusync")));
    assert!(out.contains("导出 0 条事件"), "{out}");

    // A conflict: both seats act on R1 from WAIT_SELLER_AGREE.
    run_ok(kefu(&da, "a").args([
        "refund",
        "new",
        "1001",
        "--refund-no",
        "R1",
        "--amount",
        "88",
        "--reason",
        "质量问题",
    ]));
    run_ok(kefu(&da, "a").arg("export").arg(&f));
    run_ok(kefu(&db, "b").arg("import").arg(&f));
    run_ok(kefu(&da, "a").args(["refund", "agree", "R1"]));
    run_ok(kefu(&db, "b").args(["refund", "refuse", "R1", "--note", "商品已影响二次销售"]));
    let fb = dir.path().join("b.kefusync");
    run_ok(kefu(&db, "b").arg("export").arg(&fb));
    let out = run_ok(kefu(&da, "a").arg("import").arg(&fb));
    assert!(out.contains("冲突 1"), "{out}");
    let out = run_ok(kefu(&da, "a").arg("conflicts"));
    assert!(out.contains("R1") && out.contains("未处理") && out.contains("客服b"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&run_ok(kefu(&da, "a").args(["conflicts", "--json"]))).unwrap();
    let id = json[0]["event_id"].as_str().unwrap().to_string();
    let seat = json[0]["seat"].as_str().map(kefu::domain::seat_id::name_of);
    assert_eq!((seat, json[0]["resolved"].as_bool()), (Some("b"), Some(false)));
    let out = run_ok(kefu(&da, "a").args(["conflicts", "resolve", &id[..13], "--note", "已与买家确认退货"]));
    assert!(out.contains("已处理"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&run_ok(kefu(&da, "a").args(["conflicts", "--json"]))).unwrap();
    assert_eq!(json[0]["resolved"], true);
    assert_eq!(json[0]["resolutions"][0]["note"], "已与买家确认退货");

    // A bad file: refused with a message, exit non-zero.
    let bad = dir.path().join("bad.kefusync");
    std::fs::write(&bad, b"").unwrap();
    let out = kefu(&db, "b").arg("import").arg(&bad).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("空的"));
}

#[test]
fn killing_an_import_midway_leaves_the_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.sqlite");
    let mut a = seeded_file(&src, "a");
    a.write(|w| {
        for i in 0..60_000 {
            w.record(if i % 3 == 0 {
                EventBody::FlagSet { order_no: format!("100{}", i % 5 + 1), flag: Flag::ALL[i % 6] }
            } else {
                EventBody::MemoAdded {
                    order_no: format!("100{}", i % 5 + 1),
                    text: format!("第 {i} 次跟进"),
                    memo_kind: MemoKind::Note,
                }
            })?;
        }
        Ok(())
    })
    .unwrap();
    let file = dir.path().join("big.kefusync");
    sync::export(&mut a, &file, Scope::All).unwrap();
    drop(a);

    let db = dir.path().join("b.sqlite");
    let mut b = seeded_file(&db, "b");
    b.add_memo("1001", "b 自己的备注", MemoKind::Note).unwrap();
    let before = state(&b);
    drop(b);

    let mut child =
        kefu(&db, "b").arg("import").arg(&file).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // Wait until verification is done and the transaction is being written.
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    assert!(line.contains("正在导入"), "{line}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the import was still running when killed");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9));
    }

    let b = Store::open(&db, Actor::new("客服b", "b")).unwrap();
    let ok: String = b.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    assert_eq!(state(&b), before, "the killed import left nothing behind");
    drop(b);
    // And the file still imports in full afterwards.
    let out = run_ok(kefu(&db, "b").arg("import").arg(&file));
    assert!(out.contains("新事件 60001"), "{out}");
}

#[test]
fn three_seats_syncing_one_folder_at_once_converge() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let seats = ["a", "b", "c"];
    let dbs: Vec<PathBuf> = seats.iter().map(|s| dir.path().join(format!("{s}.sqlite"))).collect();
    // Every seat has the orders (each from its own platform export) and its own work.
    for (seat, db) in seats.iter().zip(&dbs) {
        let mut s = seeded_file(db, seat);
        s.write(|w| {
            for i in 0..300 {
                w.record(EventBody::MemoAdded {
                    order_no: format!("100{}", i % 5 + 1),
                    text: format!("{seat} 的第 {i} 条备注"),
                    memo_kind: MemoKind::Note,
                })?;
            }
            w.record(EventBody::ReplySaved {
                reply_id: format!("reply-{seat}"),
                code: format!("hi{seat}"),
                text: format!("亲,{seat} 在的哦"),
                group: "通用".into(),
            })?;
            Ok(())
        })
        .unwrap();
    }
    for _round in 0..2 {
        let children: Vec<_> = seats
            .iter()
            .zip(&dbs)
            .map(|(seat, db)| {
                kefu(db, seat).arg("sync").arg(&shared).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let stores: Vec<Store> =
        seats.iter().zip(&dbs).map(|(seat, db)| Store::open(db, Actor::new("x", *seat)).unwrap()).collect();
    assert_eq!(stores[0].event_count().unwrap(), 3 * 302);
    for s in &stores[1..] {
        assert_eq!(s.event_count().unwrap(), stores[0].event_count().unwrap());
        assert_eq!(s.projection_digest().unwrap(), stores[0].projection_digest().unwrap());
    }
    let names: BTreeSet<String> =
        std::fs::read_dir(&shared).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    // One file per seat, named by its id (readable name and key fingerprint).
    assert_eq!(names.len(), 3, "{names:?}");
    for (seat, name) in seats.iter().zip(&names) {
        assert!(name.starts_with(&format!("kefu-{seat}_")) && name.ends_with(".kefusync"), "{names:?}");
    }
}

// ---------------------------------------------------------------- bulk import

fn index_names(s: &Store) -> Vec<String> {
    let mut stmt = s.conn().prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<Vec<String>, _>>().unwrap()
}

/// A source with every kind of work: memos, flags, a refund through several actions,
/// a reply saved, edited and used.
fn busy() -> Store {
    let mut s = big(300);
    s.write(|w| {
        for i in 0..40 {
            w.record(EventBody::FlagSet { order_no: format!("100{}", i % 5 + 1), flag: Flag::ALL[i % 6] })?;
        }
        Ok(())
    })
    .unwrap();
    s.refund_act("R1", RefundAction::Agree, ActionInput::default()).unwrap();
    s.record(EventBody::ReplySaved {
        reply_id: "r1".into(),
        code: "yfx".into(),
        text: "亲,运费险会自动理赔的哦".into(),
        group: "售后".into(),
    })
    .unwrap();
    s.record(EventBody::ReplySaved {
        reply_id: "r1".into(),
        code: "yfx".into(),
        text: "亲,退货运费险会在签收后自动理赔的哦".into(),
        group: "售后".into(),
    })
    .unwrap();
    s.record(EventBody::ReplyUsed { reply_id: "r1".into(), order_no: "1001".into() }).unwrap();
    s
}

/// A large import into an empty log builds some indexes after the load instead of row
/// by row (`Store::write_bulk` with `BulkLoad::Events`) and inserts the log in
/// multi-row statements: the tables, indexes, chain heads and people it leaves are
/// exactly those of the ordinary import.
#[test]
fn a_bulk_import_ends_exactly_like_an_ordinary_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = busy();
    let p = export(&mut a, dir.path(), "a.kefusync");
    let file = sync::read_verified(&p, &mut |_| {}).unwrap();
    let events: Vec<_> = (0..file.len()).map(|i| file.checked_event(i).unwrap()).collect();

    let mut ordinary = store("b");
    sync::import(&mut ordinary, &p).unwrap();
    let indexes = index_names(&ordinary);

    let mut bulk = Store::open(&dir.path().join("bulk.sqlite"), Actor::new("客服b", "b")).unwrap();
    bulk.write_bulk(BulkLoad::Events(events.len()), |w| {
        for chunk in events.chunks(100) {
            w.ingest_verified_batch(chunk).map_err(|(_, e)| e)?;
        }
        Ok(())
    })
    .unwrap();
    assert_same(&ordinary, &bulk);
    assert_same(&a, &bulk);
    assert_eq!(index_names(&bulk), indexes, "every index is back");
    assert!(bulk.verify_chains().unwrap().is_ok(), "chain heads recorded");
    let mode: String = bulk.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal", "WAL again after the load");
}

/// A bulk import that fails part way leaves nothing, and every index in place.
#[test]
fn a_failed_bulk_import_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = busy();
    let p = export(&mut a, dir.path(), "a.kefusync");
    let file = sync::read_verified(&p, &mut |_| {}).unwrap();
    let mut events: Vec<_> = (0..file.len()).map(|i| file.checked_event(i).unwrap()).collect();
    // The same seat and number under another id: a constraint the log enforces.
    let mut twin = events[200].clone();
    twin.0.id = "0190aaaa-0000-7000-8000-000000000000".into();
    twin.0.hash = twin.0.compute_hash();
    events.insert(250, twin);

    let mut b = Store::open(&dir.path().join("b.sqlite"), Actor::new("客服b", "b")).unwrap();
    let indexes = index_names(&b);
    let before = state(&b);
    let failed = b.write_bulk(BulkLoad::Events(events.len()), |w| {
        for chunk in events.chunks(64) {
            w.ingest_verified_batch(chunk).map_err(|(k, e)| {
                assert_eq!(k, 250 - 192, "the error names the event that broke the rule");
                e
            })?;
        }
        Ok(())
    });
    let err = failed.unwrap_err().to_string();
    assert!(err.contains("已存在但内容不同"), "{err}");
    assert_eq!(state(&b), before);
    assert_eq!(index_names(&b), indexes);
}

// ---------------------------------------------------------------- status codes

/// A newer kefu (or an export kefu could not read) writes a status code this kefu has
/// no name for: the event imports, the order comes in as unknown, and the code is kept
/// as it was, so a seat that passes the event on passes it on unchanged.
#[test]
fn a_status_code_this_kefu_does_not_know_syncs_and_is_kept() {
    use kefu::domain::order::OrderStatusField;
    let dir = tempfile::tempdir().unwrap();
    let mut a = store("a");
    let mut newer = order("7001", OrderStatus::WaitSellerSendGoods);
    newer.status = OrderStatusField::from_code("TRADE_FROM_A_NEWER_KEFU");
    newer.status_text = "买家已付款，等待卖家备货".into();
    let mut unknown = order("7002", OrderStatus::Unknown);
    unknown.status_text = "奇怪的状态".into();
    unknown.paid_at = None;
    a.record(EventBody::OrdersUpserted { source: "newer".into(), orders: vec![newer, unknown] }).unwrap();
    let p = export(&mut a, dir.path(), "a.kefusync");
    assert!(std::fs::read_to_string(&p).unwrap().contains("TRADE_FROM_A_NEWER_KEFU"));

    let mut b = store("b");
    let r = sync::import(&mut b, &p).unwrap();
    assert_eq!(r.new, 1);
    let got = b.platform_record("7001").unwrap().unwrap();
    assert_eq!((got.status.0, got.status.code()), (OrderStatus::Unknown, "TRADE_FROM_A_NEWER_KEFU"));
    assert_eq!(got.status_text, "买家已付款，等待卖家备货");
    let row = b.queue_row("7001").unwrap().unwrap();
    assert_eq!(row.status, Some(OrderStatus::Unknown));
    assert!(row.ship_by.is_some(), "paid and not shipped: its promise runs though the status says nothing");
    let got = b.platform_record("7002").unwrap().unwrap();
    assert_eq!((got.status.0, got.status.code()), (OrderStatus::Unknown, "UNKNOWN"));
    assert_same(&a, &b);
    // passed on from b, the code is still as it was
    let p2 = export(&mut b, dir.path(), "b.kefusync");
    let mut c = store("c");
    sync::import(&mut c, &p2).unwrap();
    assert_eq!(c.platform_record("7001").unwrap().unwrap().status.code(), "TRADE_FROM_A_NEWER_KEFU");
}
