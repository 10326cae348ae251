//! `kefu … | head`: when the reader of a command's output goes away, the command stops
//! quietly (exit 0, nothing on stderr), never with "failed printing to stdout: Broken
//! pipe" and a backtrace.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

fn kefu(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.arg("--db").arg(db).env("KEFU_NOW", "2026-06-28 10:00:00").env_remove("KEFU_DB");
    c
}

#[test]
fn every_command_stops_quietly_when_its_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kefu.sqlite");
    let out = kefu(&db)
        .args(["demo", "--orders", "800", "--seed", "3"])
        .env("KEFU_NOW", "2026-06-28 09:00:00")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let commands: &[&[&str]] = &[
        &["orders", "--json", "--limit", "800"],
        &["orders", "--limit", "800"],
        &["refund", "list", "--json"],
        &["refund", "list"],
        &["log", "--limit", "0"],
        &["log", "--json", "--limit", "0"],
        &["case", "list", "--all", "--json"],
        &["replies", "search", "亲", "--limit", "200", "--json"],
        &["replies", "search", "亲", "--limit", "200"],
        &["report", "refunds", "--since", "2026-01-01", "--until", "2026-12-31", "--json"],
        &["report", "refunds", "--since", "2026-01-01", "--until", "2026-12-31", "--csv"],
        &["--help"],
    ];
    for args in commands {
        let full = kefu(&db).args(*args).output().unwrap();
        assert!(full.status.success(), "{args:?}: {}", String::from_utf8_lossy(&full.stderr));
        // `| true`: the reader is gone before the first write. And, for output larger
        // than a pipe holds (64 KiB), `| head -c 100`: gone while it is writing.
        let modes: &[usize] = if full.stdout.len() > 64 * 1024 { &[0, 100] } else { &[0] };
        for &read in modes {
            let mut child = kefu(&db).args(*args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
            let mut first = vec![0u8; read];
            child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
            drop(child.stdout.take());
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            let status = child.wait().unwrap();
            assert!(status.success(), "{args:?} after {read} bytes: {status:?} {stderr}");
            assert!(stderr.is_empty(), "{args:?} after {read} bytes: {stderr}");
        }
    }
}
