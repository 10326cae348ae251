//! Nothing raw leaves kefu. Escape sequences (ESC, OSC, CSI, OSC 52), C1 and bidi
//! controls are planted behind kefu's back — in every text column of a database, with
//! SQLite directly — and every command that prints is run, as a table and as JSON, and
//! the seat screen's copy: no such character may come out, except inside JSON strings
//! as a `\uXXXX` escape. The command line's own arguments are echoed clean too.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kefu::domain::sanitize::is_unsafe;

/// What a hostile value carries: a window-title OSC, a screen clear, an OSC 52 clipboard
/// write, C1 CSI and OSC, bidi overrides and isolates, DEL, CR, backspace, NEL.
const EVIL: &str =
    "\x1b]0;pwn\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u{9b}31m\u{9d}0;t\u{9c}\u{202e}\u{2066}\x7f\r\x08\u{85}";

/// The demo is made an hour before the commands run (events at one instant would be
/// ordered by seat, not by when they were made).
const DEMO_NOW: &str = "2026-06-28 09:00:00";
const NOW: &str = "2026-06-28 10:00:00";

fn kefu(db: &Path, args: &[&str]) -> Output {
    kefu_at(NOW, db, args)
}

fn kefu_at(now: &str, db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("KEFU_NOW", now)
        .env_remove("KEFU_DB")
        // someone is working (a write needs a name); --agent, where given, wins
        .env("KEFU_AGENT", "宾")
        .env("KEFU_CONFIG", db.with_extension("no-config.toml"))
        .env_remove("KEFU_SEAT")
        .output()
        .unwrap()
}

/// The unsafe characters in printed text (newline is text).
fn raw_controls(text: &str) -> std::collections::BTreeSet<String> {
    text.chars().filter(|&c| c != '\n' && is_unsafe(c)).map(|c| format!("U+{:04X}", c as u32)).collect()
}

fn assert_clean(what: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(raw_controls(&stdout).is_empty(), "{what}: stdout carries {:?}\n{stdout}", raw_controls(&stdout));
    assert!(raw_controls(&stderr).is_empty(), "{what}: stderr carries {:?}\n{stderr}", raw_controls(&stderr));
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(matches!(out.status.code(), Some(0..=3)), "{what}: {:?} {stderr}", out.status);
}

/// A demo shop with every kind of record: orders, items, memos, flags, refunds in every
/// state, cases of each kind with contacts, replies and their uses, a resolved and an
/// open sync conflict, a setting.
fn shop(dir: &Path) -> PathBuf {
    let db = dir.join("shop.sqlite");
    let out = kefu_at(DEMO_NOW, &db, &["--agent", "宾", "--seat", "seat-1", "demo", "--orders", "80", "--seed", "7"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Two seats act on one waiting refund: a conflict, one of them resolved.
    let waiting =
        ids(&db, "SELECT refund_no FROM refunds WHERE state = 'WAIT_SELLER_AGREE' ORDER BY refund_no LIMIT 2");
    assert_eq!(waiting.len(), 2, "the demo has refunds waiting");
    // Seat 2 is a database of its own (a seat is its key: a copied file is not another
    // seat), with everything seat 1 has.
    let other = dir.join("other.sqlite");
    let base = dir.join("seat-1.kefusync");
    assert!(kefu(&db, &["--seat", "seat-1", "export", base.to_str().unwrap()]).status.success());
    let got = kefu(&other, &["--seat", "seat-2", "import", base.to_str().unwrap()]);
    assert!(got.status.success(), "{}", String::from_utf8_lossy(&got.stderr));
    for r in &waiting {
        let a = kefu(&db, &["--seat", "seat-1", "refund", "agree", r]);
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        let b = kefu(&other, &["--seat", "seat-2", "refund", "close", r, "--note", "买家撤销"]);
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    }
    let file = dir.join("seat-2.kefusync");
    assert!(kefu(&other, &["--seat", "seat-2", "export", file.to_str().unwrap()]).status.success());
    let imported = kefu(&db, &["--seat", "seat-1", "import", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let conflict = ids(&db, "SELECT event_id FROM conflicts ORDER BY event_id LIMIT 1");
    assert_eq!(conflict.len(), 1, "two seats acting on one refund leave a conflict");
    assert!(kefu(&db, &["conflicts", "resolve", &conflict[0], "--note", "已电话确认"]).status.success());
    assert!(
        kefu(
            &db,
            &["postage", &ids(&db, "SELECT order_no FROM orders LIMIT 1")[0], "--case", "quality", "--shop", "天猫"]
        )
        .status
        .success()
    );
    db
}

fn ids(db: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut stmt = c.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
}

/// Which text columns to plant in.
#[derive(Clone, Copy, PartialEq)]
enum Plant {
    /// Every text column of every table, keys, times and codes too: commands may then
    /// refuse, but never crash, and never print the planted characters.
    Everything,
    /// Every column that holds text people read (names, addresses, titles, memos,
    /// reasons, notes, replies, registration fields …) and every non-ASCII string inside
    /// JSON: every command works, and what it prints is cleaned.
    Values,
}

/// Keys, times and codes: what a command needs to read back to work at all.
fn structural(column: &str) -> bool {
    let exact = [
        "id",
        "at",
        "seq",
        "kind",
        "state",
        "status",
        "phase",
        "goods_status",
        "hash",
        "prev_hash",
        "date",
        "deadline",
        "ship_by",
        "qkey",
        "order_rev",
        "platform_key",
        "key",
        "value",
        "grp_key",
    ];
    exact.contains(&column) || ["_no", "_id", "_key", "_at", "_hash", "_date"].iter().any(|s| column.ends_with(s))
}

/// Appends `毒table.column` and `EVIL` to every chosen text value; inside JSON, to its
/// strings. Returns the columns planted.
fn plant(db: &Path, how: Plant) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let tables = {
        let mut s =
            c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").unwrap();
        s.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect::<Vec<_>>()
    };
    let mut planted = Vec::new();
    for t in tables {
        let columns: Vec<(String, String)> = {
            let mut s = c.prepare(&format!("SELECT name, type FROM pragma_table_info('{t}')")).unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
        };
        for (col, ty) in columns {
            if !ty.eq_ignore_ascii_case("TEXT") || (how == Plant::Values && structural(&col)) {
                continue;
            }
            let mark = format!("毒{t}.{col}");
            let everything = how == Plant::Everything;
            let f = move |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<Option<String>> {
                let Some(v) = ctx.get::<Option<String>>(0)? else { return Ok(None) };
                Ok(Some(match serde_json::from_str::<serde_json::Value>(&v) {
                    Ok(mut j) if j.is_object() || j.is_array() => {
                        poison_json(&mut j, &mark, everything);
                        j.to_string()
                    }
                    _ => format!("{v}{mark}{EVIL}"),
                }))
            };
            c.create_scalar_function("plant", 1, rusqlite::functions::FunctionFlags::SQLITE_UTF8, f).unwrap();
            c.execute_batch(&format!("UPDATE \"{t}\" SET \"{col}\" = plant(\"{col}\") WHERE \"{col}\" IS NOT NULL"))
                .unwrap();
            planted.push(format!("{t}.{col}"));
        }
    }
    planted
}

fn poison_json(v: &mut serde_json::Value, mark: &str, everything: bool) {
    match v {
        serde_json::Value::String(s) if everything || !s.is_ascii() => s.push_str(&format!("{mark}{EVIL}")),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|v| poison_json(v, mark, everything)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|v| poison_json(v, mark, everything)),
        _ => {}
    }
}

/// Every command that prints, as a table and as JSON.
fn read_commands(order: &str, refund: &str, cases: &[String], dir: &Path) -> Vec<Vec<String>> {
    let csv = dir.join("r.csv").display().to_string();
    let mut cmds: Vec<Vec<&str>> = vec![
        vec![],
        vec!["orders"],
        vec!["orders", "--json"],
        vec!["orders", "--overdue"],
        vec!["orders", "--status", "WAIT_SELLER_SEND_GOODS", "--json"],
        vec!["orders", "--limit", "500"],
        vec!["refund", "list"],
        vec!["refund", "list", "--json"],
        vec!["refund", "show", refund],
        vec!["refund", "show", refund, "--json"],
        vec!["case", "list", "--all"],
        vec!["case", "list", "--all", "--json"],
        vec!["postage", order, "--case", "after-success", "--shop", "天猫"],
        vec!["replies", "search", "yfx"],
        vec!["replies", "search", "亲", "--order", order],
        vec!["replies", "search", "亲", "--order", order, "--json"],
        vec!["replies", "search", "毒"],
        vec!["replies", "export", &csv],
        vec!["log"],
        vec!["log", "--json", "--limit", "0"],
        vec!["log", "--order", order],
        vec!["log", "--case", refund],
        vec!["log", "verify"],
        vec!["log", "verify", "--json"],
        vec!["conflicts"],
        vec!["conflicts", "--json"],
        vec!["report", "daily", "--date", "2026-06-28"],
        vec!["report", "daily", "--date", "2026-06-28", "--json"],
        vec!["report", "refunds", "--since", "2026-01-01", "--until", "2026-12-31"],
        vec!["report", "refunds", "--since", "2026-01-01", "--until", "2026-12-31", "--json"],
        vec!["report", "refunds", "--since", "2026-01-01", "--until", "2026-12-31", "--csv"],
        vec!["report", "bad-reviews"],
        vec!["report", "bad-reviews", "--json"],
        vec!["report", "damage"],
        vec!["report", "damage", "--json"],
        vec!["report", "agents", "--since", "2026-01-01", "--until", "2026-12-31"],
        vec!["report", "agents", "--since", "2026-01-01", "--until", "2026-12-31", "--json"],
    ];
    for c in cases {
        cmds.push(vec!["case", "show", c]);
        cmds.push(vec!["case", "show", c, "--json"]);
        cmds.push(vec!["log", "--case", c]);
    }
    cmds.into_iter().map(|c| c.into_iter().map(String::from).collect()).collect()
}

/// JSON output parses, and holds no unsafe character raw.
fn assert_json(what: &str, out: &Output) -> serde_json::Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
}

struct Shop {
    _dir: tempfile::TempDir,
    db: PathBuf,
    order: String,
    refund: String,
    cases: Vec<String>,
}

fn planted_shop(how: Plant) -> (Shop, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let order = ids(&db, "SELECT order_no FROM refunds WHERE return_courier <> '' LIMIT 1")[0].clone();
    let refund = ids(&db, &format!("SELECT refund_no FROM refunds WHERE order_no = '{order}' LIMIT 1"))[0].clone();
    let mut cases = ids(&db, "SELECT min(case_id) FROM cases GROUP BY kind");
    cases.extend(ids(&db, "SELECT case_id FROM cases WHERE reg_result <> '' LIMIT 1"));
    assert_eq!(cases.len(), 4, "a case of each kind, and a registered one: {cases:?}");
    let planted = plant(&db, how);
    (Shop { _dir: dir, db, order, refund, cases }, planted)
}

#[test]
fn escapes_planted_in_the_values_never_come_out_of_any_command() {
    let (shop, planted) = planted_shop(Plant::Values);
    for col in [
        "orders.buyer",
        "orders.receiver_address",
        "refunds.reason",
        "refunds.return_courier",
        "cases.reg_result",
        "replies.text",
        "memo_lines.text",
        "events.payload",
    ] {
        assert!(planted.contains(&col.to_string()), "{col} planted: {planted:?}");
    }
    let mut seen = String::new();
    for args in read_commands(&shop.order, &shop.refund, &shop.cases, shop._dir.path()) {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let what = format!("kefu {}", args.join(" "));
        let out = kefu(&shop.db, &argv);
        assert_clean(&what, &out);
        let verify = args.first().is_some_and(|a| a == "log") && args.get(1).is_some_and(|a| a == "verify");
        // The planted log no longer matches its hashes: `log verify` says so (exit 1).
        assert!(out.status.success() || verify, "{what}: {}", String::from_utf8_lossy(&out.stderr));
        if args.iter().any(|a| a == "--json") {
            let v = assert_json(&what, &out);
            // JSON keeps the data: the planted characters are there, escaped.
            let text = String::from_utf8_lossy(&out.stdout);
            if text.contains('毒') {
                assert!(text.contains("\\u009b") && text.contains("\\u202e"), "{what}: the data is kept, escaped");
                assert!(v.to_string().contains('\u{9b}'), "{what}: escapes read back as the data");
            }
        }
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    // The values named in the issue really were printed (cleaned), by the commands above.
    for col in [
        "orders.buyer",
        "refunds.reason",
        "refunds.return_courier",
        "cases.reg_result",
        "replies.text",
        "orders.memo_last",
        "events.payload",
    ] {
        assert!(seen.contains(&format!("毒{col}")), "{col} was printed somewhere");
    }
    // A CSV's lines end in CRLF; nothing else.
    let exported = std::fs::read_to_string(shop._dir.path().join("r.csv")).unwrap().replace("\r\n", "\n");
    assert!(raw_controls(&exported).is_empty(), "replies export: {:?}", raw_controls(&exported));
    assert!(exported.contains("毒replies.text"));
}

#[test]
fn escapes_planted_everywhere_never_come_out_and_nothing_crashes() {
    let (shop, planted) = planted_shop(Plant::Everything);
    assert!(planted.contains(&"orders.order_no".to_string()) && planted.contains(&"meta.value".to_string()));
    for args in read_commands(&shop.order, &shop.refund, &shop.cases, shop._dir.path()) {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let what = format!("kefu {}", args.join(" "));
        let out = kefu(&shop.db, &argv);
        assert_clean(&what, &out);
        if out.status.success() && args.iter().any(|a| a == "--json") {
            assert_json(&what, &out);
        }
    }
}

#[test]
fn the_command_line_never_echoes_its_own_arguments_raw() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path());
    let order = ids(&db, "SELECT order_no FROM orders WHERE status = 'WAIT_BUYER_CONFIRM_GOODS' LIMIT 1")[0].clone();
    let refund = ids(&db, "SELECT refund_no FROM refunds WHERE state = 'WAIT_SELLER_AGREE' LIMIT 1")[0].clone();
    let case = ids(&db, "SELECT case_id FROM cases WHERE state NOT IN ('closed', 'done') LIMIT 1")[0].clone();
    let evil = format!("坏{EVIL}人");
    let e = evil.as_str();
    let o = order.as_str();
    let runs: Vec<Vec<&str>> = vec![
        vec!["memo", o, e],
        vec!["memo", o, e, "--staff", e, "--result", e],
        vec!["memo", o, "--flag", e],
        vec!["memo", e, "x"],
        vec!["--agent", e, "--seat", e, "memo", o, "好"],
        vec![
            "case",
            "damage",
            o,
            "--ship-date",
            "2026-06-27",
            "--origin",
            e,
            "--destination",
            e,
            "--value",
            "88",
            "--staff",
            e,
        ],
        vec!["case", "contact", &case, "--channel", "电话", e],
        vec!["case", "contact", &case, "--channel", e, "x"],
        vec!["case", "show", e],
        vec!["case", "review", o, "--level", e, "--text", "x"],
        vec!["case", "review", o, "--level", "差评", "--text", e],
        vec!["case", "exchange", o, "--reason", e, "--want", e],
        vec!["refund", "new", o, "--refund-no", "R-evil", "--amount", "1", "--reason", e],
        vec!["refund", "refuse", &refund, "--note", e],
        vec!["refund", "show", e],
        vec!["refund", e, &refund],
        vec!["refund", "list", "--state", e],
        vec!["orders", "--status", e],
        vec!["orders", "--limit", e],
        vec!["log", "--kind", e],
        vec!["log", "--since", e],
        vec!["log", "--case", e],
        vec!["replies", "search", e],
        vec!["replies", "search", "yfx", "--order", e],
        vec!["postage", o, "--case", e],
        vec!["report", "daily", "--date", e],
        vec!["dsr", "--counts", e],
        vec!["import", e],
        vec!["import-orders", e],
        vec!["conflicts", "resolve", e, "--note", e],
        vec![e],
        vec!["--db"],
    ];
    for args in runs {
        let out = kefu(&db, &args);
        assert_clean(&format!("kefu {args:?}"), &out);
    }
    // The memo was stored clean and printed as stored.
    let out = kefu(&db, &["memo", o, &format!("改地址{EVIL}")]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("改地址"), "{out:?}");
}

/// The seat screen on a planted database: what it draws and what it copies (a reply
/// filled with {买家} {收货人} {地址} from a planted order) are clean.
#[test]
fn the_seat_screen_draws_and_copies_nothing_raw() {
    use kefu::domain::event::Actor;
    use kefu::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tui.sqlite");
    {
        let mut s = Store::open(&db, Actor::new("宾", "seat-1")).unwrap();
        tui_support::fill(&mut s);
        s.reply_save(None, "hygfill", "亲,{买家}您好,收货人{收货人},地址{地址},单号{单号}", "测试").unwrap();
    }
    plant(&db, Plant::Values);
    let store = Store::open(&db, Actor::new("宾", "seat-1")).unwrap();
    let mut app = tui_support::seat_on(store);
    for (w, h) in [(120, 40), (80, 24)] {
        let screen = tui_support::screen(&app, w, h);
        assert!(raw_controls(&screen).is_empty(), "{:?}\n{screen}", raw_controls(&screen));
    }
    tui_support::keys(&mut app, "3/hygfill<Enter>");
    let copied = app.take_clipboard();
    assert_eq!(copied.len(), 1, "the reply was copied");
    let mut terminal = Vec::new();
    kefu::tui::clipboard::copy(&mut terminal, &copied[0]).unwrap();
    let written = String::from_utf8(terminal).unwrap();
    let b64 = written.strip_prefix("\x1b]52;c;").and_then(|s| s.strip_suffix("\x1b\\")).expect("one OSC 52 sequence");
    use base64::Engine;
    let copied = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap();
    assert!(raw_controls(&copied).is_empty(), "copied {:?}: {copied}", raw_controls(&copied));
    for value in ["毒orders.buyer", "毒orders.receiver_name", "毒orders.receiver_address", "毒replies.text"] {
        assert!(copied.contains(value), "{value} in {copied}");
    }
    let screen = tui_support::screen(&app, 120, 40);
    assert!(raw_controls(&screen).is_empty(), "{:?}\n{screen}", raw_controls(&screen));
}
