//! A database kefu may not write: in a read-only folder, or a read-only file. Read-only
//! commands work on it (opened read-only, no migration attempted when the schema is
//! current); a change is refused in one sentence naming the folder or the file, and the
//! file is left byte for byte as it was. An older schema that would need upgrading, and
//! a migration that fails, are said plainly: which step, and why — never the SQL.
//!
//! Permissions do not bind root: run as root, the commands run as `nobody` (setpriv).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::os::unix::fs::{PermissionsExt, chown};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOBODY: u32 = 65534;

fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// A kefu command as a user the permissions bind (this one, or `nobody` under root);
/// None when there is no such user to be (root without setpriv).
fn kefu(db: &Path, args: &[&str]) -> Option<Output> {
    let bin = env!("CARGO_BIN_EXE_kefu");
    let mut c = if running_as_root() {
        let mut c = Command::new("setpriv");
        c.args([format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"), "--clear-groups".into(), bin.into()]);
        c
    } else {
        Command::new(bin)
    };
    c.arg("--db").arg(db).args(args).env("KEFU_NOW", "2026-06-28 10:00:00").env_remove("KEFU_DB");
    // someone is working (a write names them), with no config file of their own
    c.env_remove("KEFU_SEAT").env("KEFU_AGENT", "宾").env("KEFU_CONFIG", "/nonexistent/kefu/config.toml");
    let out = c.output().ok()?;
    // setpriv missing its binary, or nobody unable to reach it.
    if running_as_root() && matches!(out.status.code(), Some(126 | 127)) {
        return None;
    }
    Some(out)
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A demo shop in `dir/name/kefu.sqlite`, owned by whoever runs the commands.
fn shop(dir: &Path, name: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("kefu.sqlite");
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(&db)
        .args(["--agent", "宾", "--seat", "seat-1", "demo", "--orders", "60", "--seed", "5"])
        .env("KEFU_NOW", "2026-06-28 09:00:00")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    if running_as_root() {
        chmod(dir, 0o755);
        for p in [&folder, &db] {
            chown(p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    db
}

/// Read as immutable, so this test's own reading (as root, which may write anywhere)
/// leaves no `-wal`/`-shm` files behind for kefu to find.
fn ids(db: &Path, sql: &str) -> String {
    use rusqlite::OpenFlags;
    let uri = format!("file:{}?immutable=1", db.display());
    let c = rusqlite::Connection::open_with_flags(uri, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI)
        .unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The database's bytes, and those of a write-ahead log if one holds anything (SQLite
/// may make an empty `-wal` and its `-shm` index beside a read-only file it reads).
fn snapshot(db: &Path) -> (Vec<u8>, Vec<u8>) {
    let wal = std::fs::read(db.with_file_name("kefu.sqlite-wal")).unwrap_or_default();
    (std::fs::read(db).unwrap(), wal)
}

/// Reads work; each change is refused in exactly one line saying `says`; nothing in
/// the folder changes. Returns false when the test cannot run here.
fn reads_work_and_writes_are_refused(db: &Path, says: &str) -> bool {
    let before = snapshot(db);
    let order = ids(db, "SELECT order_no FROM orders ORDER BY order_no LIMIT 1");
    let refund = ids(db, "SELECT refund_no FROM refunds WHERE state = 'WAIT_SELLER_AGREE' LIMIT 1");
    let case = ids(db, "SELECT case_id FROM cases LIMIT 1");
    let reads: &[&[&str]] = &[
        &[],
        &["orders"],
        &["orders", "--json"],
        &["refund", "list"],
        &["refund", "show", &refund],
        &["case", "list", "--all"],
        &["case", "show", &case],
        &["replies", "search", "yfx", "--order", &order],
        &["postage", &order, "--case", "after-success"],
        &["log", "--limit", "5"],
        &["log", "verify"],
        &["conflicts"],
        &["report", "daily", "--date", "2026-06-28"],
        &["report", "agents", "--since", "2026-06-01", "--until", "2026-06-30", "--json"],
    ];
    for args in reads {
        let Some(out) = kefu(db, args) else { return false };
        assert!(out.status.success(), "{args:?} reads a read-only database: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("错误") && !stderr.contains("只读"), "{args:?}: {stderr}");
    }
    let writes: &[&[&str]] = &[
        &["memo", &order, "改地址"],
        &["memo", &order, "--flag", "red"],
        &["refund", "agree", &refund],
        &["refund", "new", &order, "--refund-no", "R-ro", "--amount", "1", "--reason", "拍错了"],
        &["case", "exchange", &order, "--reason", "尺码偏小"],
        &["case", "act", &case, "cancel"],
    ];
    for args in writes {
        let out = kefu(db, args).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} in {}: {stderr}{}",
            db.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?}: one sentence, not the raw SQLite error again and again: {stderr}"
        );
        assert!(stderr.contains(says) && stderr.contains("只能查看,不能修改"), "{args:?}: {stderr}");
    }
    assert!(snapshot(db) == before, "nothing was written");
    true
}

#[test]
fn a_database_in_a_read_only_folder_is_read_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    // A file only its owner may write, and a file anyone may: the folder decides.
    for (name, file_mode) in [("own", 0o644), ("open", 0o666)] {
        let db = shop(dir.path(), name);
        chmod(&db, file_mode);
        chmod(db.parent().unwrap(), 0o555);
        let ran = reads_work_and_writes_are_refused(&db, "所在的文件夹是只读的");
        chmod(db.parent().unwrap(), 0o755);
        if !ran {
            eprintln!("skipped: no unprivileged user to run kefu as (root without setpriv)");
            return;
        }
    }
}

#[test]
fn a_read_only_file_is_read_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop");
    chmod(&db, 0o444);
    if !reads_work_and_writes_are_refused(&db, &format!("数据库文件 {} 是只读的", db.display())) {
        eprintln!("skipped: no unprivileged user to run kefu as (root without setpriv)");
    }
}

#[test]
fn an_older_schema_in_a_read_only_folder_says_it_needs_upgrading() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop");
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", 3).unwrap();
    chmod(db.parent().unwrap(), 0o555);
    let before = snapshot(&db);
    let out = kefu(&db, &["orders"]);
    chmod(db.parent().unwrap(), 0o755);
    let Some(out) = out else { return };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("所在的文件夹是只读的") && stderr.contains("从版本 3 升级到版本"), "{stderr}");
    assert!(snapshot(&db) == before);
}

/// A migration that fails says which and why, not its SQL, and leaves the database at
/// the version before it.
#[test]
fn a_failing_migration_names_itself_and_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop(dir.path(), "shop");
    // Version 4 drops two indexes; a database that says it is at 3 but lacks them.
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", 3).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kefu")).arg("--db").arg(&db).arg("orders").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for part in ["0004_orders_indexes", "no such index: orders_shipped", "仍是版本 3"] {
        assert!(stderr.contains(part), "{part}: {stderr}");
    }
    assert!(!stderr.contains("DROP INDEX") && !stderr.contains("Error code"), "{stderr}");
    assert_eq!(ids(&db, "SELECT CAST(user_version AS TEXT) FROM pragma_user_version"), "3");
    // A syntax error in a migration would print the whole script with rusqlite's own
    // message; the store says SQLite's words alone.
    let c = rusqlite::Connection::open_in_memory().unwrap();
    let e = kefu::store::StoreError::from(c.execute_batch("CREATE TABLE t (a);\nSELEC nonsense;").unwrap_err());
    assert!(!e.to_string().contains("CREATE TABLE"), "{e}");
}
