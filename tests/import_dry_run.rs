//! `--dry-run` on `import-orders`, `import-refunds` and `replies import`: everything read
//! and checked, the same summary printed, nothing written — an existing database file is
//! byte-for-byte the same (mtime too), a missing one is not created.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken setup")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

mod import_support;
use import_support::fixture;

/// The binary on `db`, with nobody's config file; `agent` None: nobody said who is working.
fn kefu(db: &Path, agent: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.arg("--db").arg(db).args(args);
    c.env_remove("KEFU_DB").env_remove("KEFU_SEAT").env("KEFU_CONFIG", "/nonexistent/kefu/config.toml");
    match agent {
        Some(a) => c.env("KEFU_AGENT", a),
        None => c.env_remove("KEFU_AGENT"),
    };
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn f(name: &str) -> String {
    fixture(name).display().to_string()
}

/// Every file of the database (the file itself, and any -wal/-shm beside it) with its
/// bytes and mtime.
fn snapshot(db: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(db.parent().unwrap()).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with(&*db.file_name().unwrap().to_string_lossy()) {
            let m = std::fs::metadata(&p).unwrap();
            v.push((p.clone(), std::fs::read(&p).unwrap(), m.modified().unwrap()));
        }
    }
    v.sort();
    v
}

/// The summary's counting line (`新增 … · 拒绝 …`).
fn counts_line(o: &Output) -> String {
    out(o).lines().find(|l| l.starts_with("新增 ")).unwrap_or_else(|| panic!("no summary: {}", out(o))).to_string()
}

#[test]
fn a_dry_run_leaves_an_existing_database_byte_for_byte_and_says_what_a_real_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let o = kefu(&db, Some("宾"), &["import-orders", &f("ExportOrderList_gbk41.csv")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kefu(&db, Some("宾"), &["replies", "import", &f("quick_phrases.csv")]);
    assert!(o.status.success());
    // one reply the file does not name: --replace would delete it
    let extra = dir.path().join("extra.csv");
    std::fs::write(&extra, "快捷短语编码,快捷短语,快捷短语分组\nzz,\"亲,这条只在数据库里\",通用\n").unwrap();
    assert!(kefu(&db, Some("宾"), &["replies", "import", extra.to_str().unwrap()]).status.success());

    let runs: [Vec<String>; 3] = [
        vec!["import-orders".into(), f("ExportOrderList_bom61.csv"), f("ExportOrderDetailList_bom61.csv")],
        vec!["import-refunds".into(), f("ExportRefundList42_gb18030.csv")],
        vec!["replies".into(), "import".into(), "--replace".into(), f("quick_phrases.csv")],
    ];
    let before = snapshot(&db);
    assert!(!before.is_empty());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut dry_lines = Vec::new();
    for args in &runs {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.push("--dry-run");
        // nobody said who is working: a dry run records nothing, so needs nobody
        let o = kefu(&db, None, &a);
        assert!(o.status.success(), "{a:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(out(&o).contains("试运行"), "{}", out(&o));
        dry_lines.push(counts_line(&o));
        assert_eq!(snapshot(&db), before, "{a:?} changed the database");
    }
    assert!(dry_lines[2].contains("删除 1"), "{}", dry_lines[2]);
    assert!(dry_lines[1].contains("未知值 3"), "{}", dry_lines[1]);

    // the real runs do what the dry runs said
    for (args, dry) in runs.iter().zip(&dry_lines) {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = kefu(&db, Some("宾"), &a);
        assert!(o.status.success());
        assert_eq!(&counts_line(&o), dry, "{a:?}");
    }
    assert_ne!(snapshot(&db), before);
}

#[test]
fn a_dry_run_does_not_create_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nothing-here.sqlite");
    for args in [
        vec!["import-orders", "--dry-run"],
        vec!["import-refunds", "--dry-run"],
        vec!["replies", "import", "--dry-run"],
    ] {
        let file = match args[0] {
            "import-orders" => f("ExportOrderList_bom61.csv"),
            "import-refunds" => f("ExportRefundList_tmall41_bom.csv"),
            _ => f("quick_phrases.csv"),
        };
        let mut a = args.clone();
        a.push(&file);
        let o = kefu(&db, None, &a);
        assert!(o.status.success(), "{a:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(counts_line(&o).starts_with("新增 "), "{}", out(&o));
        assert!(!counts_line(&o).starts_with("新增 0 "), "into an empty database everything is new: {}", out(&o));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{a:?} created a file");
    }
}

#[test]
fn a_refused_file_in_a_dry_run_is_refused_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let o = kefu(&db, None, &["import-refunds", "--dry-run", &f("ExportOrderList_gbk41.csv")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("这不是退款导出文件"));
    assert!(!db.exists());
}

#[test]
fn a_dry_run_on_a_database_that_needs_an_upgrade_refuses_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    assert!(kefu(&db, Some("宾"), &["import-refunds", &f("ExportRefundList42_bom.csv")]).status.success());
    {
        // as an older kefu left it: one schema version behind
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", kefu::store::SCHEMA_VERSION - 1).unwrap();
    }
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = kefu(&db, None, &["import-refunds", "--dry-run", &f("ExportRefundList42_bom.csv")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("试运行不写入"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(snapshot(&db), before);
}
