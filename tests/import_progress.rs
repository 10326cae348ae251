//! The progress bar of a large import: drawn on stderr when that is a terminal (run
//! here under `script`, which gives the command a pseudo-terminal), never in a pipe.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken setup")]

use std::path::Path;
use std::process::Command;

/// An order list of about 5 MB (over the bar's 4 MB threshold).
fn large_list(path: &Path) {
    let mut s = String::from("订单编号,买家会员名,订单状态,收货地址\n");
    let address = "浙江省 杭州市 西湖区 文三路90号东部软件园3号楼".repeat(4);
    for i in 0..24_000u64 {
        s.push_str(&format!("{},买家{i},交易成功,{address}\n", 4021865531000000000 + i));
    }
    assert!(s.len() > 4 << 20, "{}", s.len());
    std::fs::write(path, s).unwrap();
}

fn command(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.arg("--db").arg(db);
    c.env_remove("KEFU_DB").env("KEFU_AGENT", "宾").env("KEFU_CONFIG", "/nonexistent/kefu/config.toml");
    c
}

#[test]
fn no_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("ExportOrderList.csv");
    large_list(&list);
    let o = command(&dir.path().join("k.sqlite")).arg("import-orders").arg("--dry-run").arg(&list).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("新增 24000"));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "", "nothing on stderr in a pipe");
}

#[test]
fn a_bar_with_megabytes_and_rows_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("ExportOrderList.csv");
    large_list(&list);
    let db = dir.path().join("k.sqlite");
    let kefu =
        format!("{} --db {} import-orders --dry-run {}", env!("CARGO_BIN_EXE_kefu"), db.display(), list.display());
    // `script` runs the command on a pseudo-terminal and copies what it wrote.
    let o = match Command::new("script")
        .args(["-qec", &kefu, "/dev/null"])
        .env_remove("KEFU_DB")
        .env("KEFU_AGENT", "宾")
        .env("KEFU_CONFIG", "/nonexistent/kefu/config.toml")
        .env("TERM", "xterm-256color")
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("script (util-linux) is not installed, skipped: {e}");
            return;
        }
    };
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{shown}");
    assert!(shown.contains("MiB"), "no bar drawn: {shown}");
    assert!(shown.contains(" 行 · "), "rows not shown: {shown}");
    assert!(shown.contains("新增 24000"), "{shown}");
}
