//! A seat is its key (issue 11): a database's seat is created with an ed25519 key pair
//! kept beside it; exports carry signed chain heads; importers pin the first key they see
//! for a seat and refuse a file signed by another key, or unsigned events of a pinned
//! seat; `kefu seats trust` closes the list; `kefu log verify` tells a gap from tampering.
//! Each test drives the real binary on real files, as a seat would.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken setup")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kefu::domain::event::event_hash;
use kefu::domain::seat_id;
use sha2::{Digest, Sha256};

fn kefu(db: &Path, seat: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .args(["--seat", seat, "--agent", "宾"])
        .args(args)
        .env_remove("KEFU_DB")
        .env_remove("KEFU_SEAT")
        .env_remove("KEFU_AGENT")
        .env_remove("KEFU_NOW")
        .env("KEFU_CONFIG", "/nonexistent/kefu/config.toml")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", text(&o));
    text(&o)
}

fn refused(o: Output) -> String {
    assert!(!o.status.success(), "should have been refused:\n{}", text(&o));
    text(&o)
}

/// A seat with a few orders and memos of its own, created as `kefu` creates one.
fn seat_with_work(dir: &Path, name: &str) -> PathBuf {
    use kefu::domain::event::{Actor, EventBody};
    let db = dir.join(format!("{name}.sqlite"));
    {
        let mut s = kefu::store::Store::open(&db, Actor::new("宾", "pending")).unwrap();
        s.take_seat(&db, Some(name), || unreachable!()).unwrap();
        s.record(EventBody::OrdersUpserted {
            source: "test".into(),
            orders: ["1", "2", "3"]
                .map(|no| kefu::domain::order::OrderRecord {
                    order_no: format!("{name}-{no}"),
                    status: kefu::domain::order::OrderStatus::WaitSellerSendGoods.into(),
                    ..Default::default()
                })
                .into(),
        })
        .unwrap();
    }
    for no in ["1", "2", "3"] {
        ok(kefu(&db, name, &["memo", &format!("{name}-{no}"), &format!("{name} 跟进")]));
    }
    db
}

fn seat_id_of(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT value FROM meta WHERE key = 'seat.id'", [], |r| r.get(0)).unwrap()
}

/// A sync file as lines of JSON (header, events, trailer).
fn read_file(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Writes lines back as a sync file: each event's hash and link recomputed (a forger
/// with the file but no key can do exactly this), the header's ranges and the
/// trailer's checksum made to fit.
fn forge(path: &Path, mut lines: Vec<serde_json::Value>) {
    let n = lines.len();
    let mut last: std::collections::HashMap<String, String> = Default::default();
    for l in &mut lines[1..n - 1] {
        let seat = l["seat"].as_str().unwrap().to_string();
        let prev =
            if l["seq"].as_i64() == Some(1) { String::new() } else { last.get(&seat).cloned().unwrap_or_default() };
        if !prev.is_empty() || l["seq"].as_i64() == Some(1) {
            l["prev_hash"] = prev.clone().into();
        }
        let s = |k: &str| l[k].as_str().unwrap().to_string();
        let h = event_hash(
            &s("id"),
            &seat,
            l["seq"].as_i64().unwrap(),
            &s("agent"),
            &s("at"),
            l["wall"].as_str(),
            &s("kind"),
            &s("payload"),
            &s("prev_hash"),
        );
        l["hash"] = h.clone().into();
        last.insert(seat, h);
    }
    let events = &lines[1..n - 1];
    let mut seats = serde_json::Map::new();
    for e in events {
        let seat = e["seat"].as_str().unwrap();
        let seq = e["seq"].as_i64().unwrap();
        let r = seats.entry(seat).or_insert(serde_json::json!([seq, seq]));
        r[0] = r[0].as_i64().unwrap().min(seq).into();
        r[1] = r[1].as_i64().unwrap().max(seq).into();
    }
    let count = events.len();
    let first = events.first().map(|e| e["id"].clone()).unwrap_or_default();
    let last = events.last().map(|e| e["id"].clone()).unwrap_or_default();
    lines[0]["seats"] = seats.into();
    lines[0]["event_count"] = count.into();
    lines[0]["first_id"] = first;
    lines[0]["last_id"] = last;
    let mut body = String::new();
    for l in &lines[..n - 1] {
        body.push_str(&serde_json::to_string(l).unwrap());
        body.push('\n');
    }
    let trailer = serde_json::json!({"sha256": hex::encode(Sha256::digest(body.as_bytes())), "event_count": count});
    body.push_str(&serde_json::to_string(&trailer).unwrap());
    body.push('\n');
    std::fs::write(path, body).unwrap();
}

/// The file's events of `seat` with the last memo's text changed.
fn edited_memo(lines: &mut [serde_json::Value], seat: &str) {
    let n = lines.len();
    let e = lines[1..n - 1]
        .iter_mut()
        .rev()
        .find(|e| e["seat"] == seat && e["kind"] == "memo_added")
        .expect("a memo of the seat");
    let mut payload: serde_json::Value = serde_json::from_str(e["payload"].as_str().unwrap()).unwrap();
    payload["text"] = "已退款 1000 元,无需退货".into();
    e["payload"] = serde_json::to_string(&payload).unwrap().into();
}

#[test]
fn a_new_database_is_a_seat_with_a_key_kept_beside_it_and_never_exported() {
    let dir = tempfile::tempdir().unwrap();
    let db = seat_with_work(dir.path(), "前台A");
    let key_file = PathBuf::from(format!("{}.key", db.display()));
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let id = seat_id_of(&db);
    let (name, fp) = seat_id::split(&id);
    assert_eq!((name, fp.map(str::len)), ("前台A", Some(seat_id::FINGERPRINT_LEN)));
    let secret = key_text.lines().nth(1).unwrap().trim().to_string();
    let file = dir.path().join("a.kefusync");
    ok(kefu(&db, "前台A", &["export", file.to_str().unwrap()]));
    let exported = std::fs::read_to_string(&file).unwrap();
    assert!(!exported.contains(&secret), "the secret key is in the sync file");
    // The header carries the seat's signed head; the events are under the seat id.
    let lines = read_file(&file);
    let heads = lines[0]["heads"].as_array().unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0]["seat"], id.as_str());
    assert!(lines[1..lines.len() - 1].iter().all(|e| e["seat"] == id.as_str()));

    // Another database that chose the same name is another seat.
    let twin = dir.path().join("twin.sqlite");
    ok(kefu(&twin, "前台A", &["seats"]));
    assert_ne!(seat_id_of(&twin), id);
    assert_eq!(seat_id::name_of(&seat_id_of(&twin)), "前台A");

    let seats = ok(kefu(&db, "前台A", &["seats"]));
    assert!(seats.contains("本机"), "{seats}");
}

#[test]
fn seat_names_only_at_creation_and_filter_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = seat_with_work(dir.path(), "前台A");
    let id = seat_id_of(&db);
    // Its own name or id: fine. Another: refused, nothing written.
    ok(kefu(&db, &id, &["seats"]));
    let before = std::fs::read(&db).unwrap().len();
    let out = refused(kefu(&db, "前台B", &["memo", "x", "y"]));
    assert!(out.contains("只在新建数据库时取名") && out.contains("前台B"), "{out}");
    assert_eq!(std::fs::read(&db).unwrap().len(), before);
    // In `log`, --seat is a filter: by name or by id.
    let by_name = ok(kefu(&db, "前台A", &["log", "--limit", "0"]));
    let nobody = ok(kefu(&db, "前台B", &["log", "--limit", "0"]));
    assert!(by_name.contains("跟进"), "{by_name}");
    assert!(!nobody.contains("跟进"), "{nobody}");
}

#[test]
fn an_old_database_keeps_its_name_and_gets_a_key_and_a_lost_key_is_a_new_seat() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    {
        // A database from before keys: its seat is a bare name.
        use kefu::domain::event::{Actor, EventBody, MemoKind};
        let mut s = kefu::store::Store::open(&db, Actor::new("宾", "前台A")).unwrap();
        s.set_meta("seat", "前台A").unwrap();
        s.record(EventBody::OrdersUpserted {
            source: "test".into(),
            orders: vec![kefu::domain::order::OrderRecord {
                order_no: "1".into(),
                status: kefu::domain::order::OrderStatus::WaitSellerSendGoods.into(),
                ..Default::default()
            }],
        })
        .unwrap();
        s.record(EventBody::MemoAdded { order_no: "1".into(), text: "旧备注".into(), memo_kind: MemoKind::Note })
            .unwrap();
    }
    let out = ok(kefu(&db, "前台A", &["memo", "1", "新备注"]));
    assert!(out.contains("有了席位密钥"), "{out}");
    let id = seat_id_of(&db);
    assert_eq!(seat_id::name_of(&id), "前台A");
    let log = ok(kefu(&db, "前台A", &["log", "--json", "--limit", "0"]));
    let log: serde_json::Value = serde_json::from_str(&log).unwrap();
    let seats: std::collections::BTreeSet<&str> =
        log.as_array().unwrap().iter().map(|e| e["seat"].as_str().unwrap()).collect();
    assert_eq!(seats, ["前台A", id.as_str()].into(), "old events under the old name, new ones under the id");
    let verify = ok(kefu(&db, "前台A", &["log", "verify"]));
    assert!(verify.starts_with("ok:") && verify.contains("未签名的席位") && verify.contains("前台A"), "{verify}");

    // The key file is lost: a new seat, same name; the old events stay valid.
    std::fs::remove_file(format!("{}.key", db.display())).unwrap();
    let out = ok(kefu(&db, "前台A", &["memo", "1", "换了电脑"]));
    assert!(out.contains("不见了或换过") && out.contains(&id), "{out}");
    let new_id = seat_id_of(&db);
    assert_ne!(new_id, id);
    assert_eq!(seat_id::name_of(&new_id), "前台A");
    ok(kefu(&db, "前台A", &["log", "verify"]));
}

#[test]
fn the_first_key_is_pinned_and_forgeries_of_a_pinned_seat_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let a = seat_with_work(dir.path(), "前台A");
    let b = seat_with_work(dir.path(), "前台B");
    let a_id = seat_id_of(&a);
    let fa = dir.path().join("a.kefusync");
    ok(kefu(&a, "前台A", &["export", fa.to_str().unwrap()]));
    let out = ok(kefu(&b, "前台B", &["import", fa.to_str().unwrap()]));
    assert!(out.contains(&format!("首次见到席位 {a_id} 的密钥")), "{out}");
    let seats = ok(kefu(&b, "前台B", &["seats", "--json"]));
    let seats: serde_json::Value = serde_json::from_str(&seats).unwrap();
    let pinned = seats.as_array().unwrap().iter().find(|s| s["seat"] == a_id.as_str()).unwrap();
    assert_eq!(pinned["key_source"], "seen");
    assert_eq!(pinned["public_key"].as_str().map(str::len), Some(64));

    // A's memo edited, the chain re-hashed, the signature dropped (no key to re-sign):
    // B, which pinned A, refuses the file whole and names A.
    ok(kefu(&a, "前台A", &["memo", "前台A-1", "后来的备注"]));
    ok(kefu(&a, "前台A", &["export", fa.to_str().unwrap()]));
    let mut lines = read_file(&fa);
    edited_memo(&mut lines, &a_id);
    lines[0].as_object_mut().unwrap().remove("heads");
    let forged = dir.path().join("forged.kefusync");
    forge(&forged, lines.clone());
    let before = ok(kefu(&b, "前台B", &["log", "--json", "--limit", "0"]));
    let out = refused(kefu(&b, "前台B", &["import", forged.to_str().unwrap()]));
    assert!(out.contains(&a_id) && out.contains("没有签名"), "{out}");
    assert_eq!(ok(kefu(&b, "前台B", &["log", "--json", "--limit", "0"])), before, "nothing of it came in");

    // The same edit keeping A's signature: the signed head no longer matches its event.
    let mut kept = read_file(&fa);
    edited_memo(&mut kept, &a_id);
    forge(&forged, kept);
    let out = refused(kefu(&b, "前台B", &["import", forged.to_str().unwrap()]));
    assert!(out.contains(&a_id) && out.contains("签名"), "{out}");

    // Signed by another key in A's name: refused, naming A.
    let other = seat_id::SeatKey::from_seed(&[9; 32]);
    let mut signed_by_other = read_file(&fa);
    edited_memo(&mut signed_by_other, &a_id);
    forge(&forged, signed_by_other.clone());
    let relined = read_file(&forged);
    let last_a = relined[1..relined.len() - 1].iter().rev().find(|e| e["seat"] == a_id.as_str()).unwrap();
    let head = other.sign_head(&a_id, last_a["seq"].as_i64().unwrap(), last_a["hash"].as_str().unwrap());
    signed_by_other[0]["heads"] = serde_json::json!([head]);
    forge(&forged, signed_by_other);
    let out = refused(kefu(&b, "前台B", &["import", forged.to_str().unwrap()]));
    assert!(out.contains(&a_id) && out.contains("密钥"), "{out}");

    // A seat C that never saw A takes the unsigned forgery (nothing to hold it to) but
    // says it is unsigned; once C trusts a list that has A, the forgery is refused.
    let c = seat_with_work(dir.path(), "前台C");
    let mut unsigned = read_file(&fa);
    unsigned[0].as_object_mut().unwrap().remove("heads");
    edited_memo(&mut unsigned, &a_id);
    forge(&forged, unsigned);
    let list = dir.path().join("seats.json");
    ok(kefu(&b, "前台B", &["seats", "export", list.to_str().unwrap()]));
    let listed = std::fs::read_to_string(&list).unwrap();
    assert!(listed.contains(&a_id) && !listed.contains("seed"), "{listed}");
    let c2 = dir.path().join("c2.sqlite");
    std::fs::copy(&c, &c2).unwrap();
    std::fs::copy(format!("{}.key", c.display()), format!("{}.key", c2.display())).unwrap();
    let out = ok(kefu(&c, "前台C", &["import", forged.to_str().unwrap()]));
    assert!(out.contains("没有签名") && out.contains(&a_id), "{out}");
    let out = ok(kefu(&c2, "前台C", &["seats", "trust", list.to_str().unwrap()]));
    assert!(out.contains("新登记 2 个席位"), "{out}");
    let out = refused(kefu(&c2, "前台C", &["import", forged.to_str().unwrap()]));
    assert!(out.contains(&a_id), "{out}");
    // The genuine file still comes in; a seat on no list does not.
    ok(kefu(&c2, "前台C", &["import", fa.to_str().unwrap()]));
    let d = seat_with_work(dir.path(), "前台D");
    let fd = dir.path().join("d.kefusync");
    ok(kefu(&d, "前台D", &["export", fd.to_str().unwrap()]));
    let out = refused(kefu(&c2, "前台C", &["import", fd.to_str().unwrap()]));
    assert!(out.contains("信任名单") && out.contains(&seat_id_of(&d)), "{out}");
}

/// id, seq, agent, at, wall, kind, payload of a stored event.
type StoredRow = (String, i64, String, String, Option<String>, String, String);

/// Runs `log verify` and returns its exit code and output.
fn verify(db: &Path, seat: &str) -> (i32, String) {
    let o = kefu(db, seat, &["log", "verify"]);
    (o.status.code().unwrap(), text(&o))
}

#[test]
fn log_verify_tells_a_gap_from_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let a = seat_with_work(dir.path(), "前台A");
    let b = seat_with_work(dir.path(), "前台B");
    let a_id = seat_id_of(&a);
    let f1 = dir.path().join("a1.kefusync");
    ok(kefu(&a, "前台A", &["export", f1.to_str().unwrap()]));
    for i in 0..3 {
        ok(kefu(&a, "前台A", &["memo", "前台A-1", &format!("第 {i} 次")]));
    }
    let f2 = dir.path().join("a2.kefusync");
    ok(kefu(&a, "前台A", &["export", "--since-last", f2.to_str().unwrap()]));

    // B gets A's later file first: A's earlier events have not arrived. A gap, exit 3.
    ok(kefu(&b, "前台B", &["import", f2.to_str().unwrap()]));
    let (code, out) = verify(&b, "前台B");
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(&format!("席位 {a_id} 的第 1–")) && out.contains("还没到") && out.contains("更早的文件"),
        "{out}"
    );
    // Then the earlier one: intact, exit 0.
    ok(kefu(&b, "前台B", &["import", f1.to_str().unwrap()]));
    let (code, out) = verify(&b, "前台B");
    assert_eq!(code, 0, "{out}");

    let sql = |db: &Path, q: &str| rusqlite::Connection::open(db).unwrap().execute_batch(q).unwrap();
    let copy = |name: &str| {
        let p = dir.path().join(name);
        std::fs::copy(&b, &p).unwrap();
        std::fs::copy(format!("{}.key", b.display()), format!("{}.key", p.display())).unwrap();
        p
    };
    // A's last two events and its head record deleted: tampering, exit 1.
    let t1 = copy("t1.sqlite");
    sql(
        &t1,
        &format!(
            "DELETE FROM events WHERE seat = '{a_id}' AND seq > (SELECT max(seq) - 2 FROM events WHERE seat = '{a_id}');
             DELETE FROM chain_heads WHERE seat = '{a_id}';"
        ),
    );
    let (code, out) = verify(&t1, "前台B");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&a_id) && out.contains("被改动、调换或删除过"), "{out}");
    // A whole seat deleted, head record and all: tampering.
    let t2 = copy("t2.sqlite");
    sql(&t2, &format!("DELETE FROM events WHERE seat = '{a_id}'; DELETE FROM chain_heads WHERE seat = '{a_id}';"));
    let (code, out) = verify(&t2, "前台B");
    assert_eq!(code, 1, "{out}");
    // An event in the middle deleted (below the witness): tampering, not a gap.
    let t3 = copy("t3.sqlite");
    sql(&t3, &format!("DELETE FROM events WHERE seat = '{a_id}' AND seq = 2;"));
    let (code, out) = verify(&t3, "前台B");
    assert_eq!(code, 1, "{out}");
    // A's events re-chained after an edit (every hash and the head record fit): the
    // witness and A's signed head hold another hash.
    let t4 = copy("t4.sqlite");
    {
        let conn = rusqlite::Connection::open(&t4).unwrap();
        let mut rows: Vec<StoredRow> = conn
            .prepare(&format!(
                "SELECT id, seq, agent, at, wall, kind, payload FROM events WHERE seat = '{a_id}' ORDER BY seq"
            ))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let memo = rows.iter_mut().find(|r| r.5 == "memo_added").unwrap();
        memo.6 = memo.6.replace("跟进", "已退款");
        let mut prev = String::new();
        for (id, seq, agent, at, wall, kind, payload) in &rows {
            let h = event_hash(id, &a_id, *seq, agent, at, wall.as_deref(), kind, payload, &prev);
            conn.execute(
                "UPDATE events SET payload = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
                rusqlite::params![payload, prev, h, id],
            )
            .unwrap();
            prev = h;
        }
        conn.execute("UPDATE chain_heads SET hash = ?1 WHERE seat = ?2", rusqlite::params![prev, a_id]).unwrap();
    }
    let (code, out) = verify(&t4, "前台B");
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_forked_old_seat_is_recovered_and_both_sides_then_sync_both_ways() {
    use kefu::domain::event::{Actor, EventBody, MemoKind};
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x.sqlite");
    {
        // Before keys: one database, seat 前台A, with an order and a memo...
        let mut s = kefu::store::Store::open(&x, Actor::new("宾", "前台A")).unwrap();
        s.set_meta("seat", "前台A").unwrap();
        s.record(EventBody::OrdersUpserted {
            source: "test".into(),
            orders: ["1", "2"]
                .map(|no| kefu::domain::order::OrderRecord {
                    order_no: no.into(),
                    status: kefu::domain::order::OrderStatus::WaitSellerSendGoods.into(),
                    ..Default::default()
                })
                .into(),
        })
        .unwrap();
        s.record(EventBody::MemoAdded {
            order_no: "1".into(), text: "共同的备注".into(), memo_kind: MemoKind::Note
        })
        .unwrap();
    }
    // ...copied to a second computer: both go on as 前台A.
    let y = dir.path().join("y.sqlite");
    std::fs::copy(&x, &y).unwrap();
    for (db, text) in [(&x, "X 的备注"), (&y, "Y 的备注")] {
        let mut s = kefu::store::Store::open(db, Actor::new("宾", "前台A")).unwrap();
        s.record(EventBody::MemoAdded { order_no: "2".into(), text: text.into(), memo_kind: MemoKind::Note }).unwrap();
    }
    // Upgraded: each gets a key (two seats now), works on, and their files clash.
    ok(kefu(&x, "前台A", &["memo", "1", "X 升级后"]));
    ok(kefu(&y, "前台A", &["memo", "1", "Y 升级后"]));
    assert_ne!(seat_id_of(&x), seat_id_of(&y));
    let (fx, fy) = (dir.path().join("x.kefusync"), dir.path().join("y.kefusync"));
    ok(kefu(&x, "前台A", &["export", fx.to_str().unwrap()]));
    ok(kefu(&y, "前台A", &["export", fy.to_str().unwrap()]));
    let out = refused(kefu(&y, "前台A", &["import", fx.to_str().unwrap()]));
    assert!(out.contains("kefu seats recover"), "{out}");
    refused(kefu(&x, "前台A", &["import", fy.to_str().unwrap()]));

    // X recovers with Y's file: its forked event moves to X's own seat.
    let out = ok(kefu(&x, "前台A", &["seats", "recover", fy.to_str().unwrap()]));
    assert!(out.contains("第 3–3 号事件") && out.contains(&seat_id_of(&x)), "{out}");
    ok(kefu(&x, "前台A", &["log", "verify"]));
    // Now both ways, twice (re-delivered files change nothing).
    for _ in 0..2 {
        ok(kefu(&x, "前台A", &["export", fx.to_str().unwrap()]));
        ok(kefu(&y, "前台A", &["import", fx.to_str().unwrap()]));
        ok(kefu(&y, "前台A", &["export", fy.to_str().unwrap()]));
        ok(kefu(&x, "前台A", &["import", fy.to_str().unwrap()]));
    }
    for db in [&x, &y] {
        assert_eq!(verify(db, "前台A").0, 0);
        let log = ok(kefu(db, "前台A", &["log", "--limit", "0"]));
        for memo in ["共同的备注", "X 的备注", "Y 的备注", "X 升级后", "Y 升级后"] {
            assert!(log.contains(memo), "{memo} missing in {}:\n{log}", db.display());
        }
    }
    assert_eq!(ok(kefu(&x, "前台A", &["orders", "--json"])), ok(kefu(&y, "前台A", &["orders", "--json"])));
}
