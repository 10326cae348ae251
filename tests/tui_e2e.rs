//! End to end: the real binary in tmux. Open, search `yfx` in replies, copy (OSC 52 →
//! tmux's paste buffer), move in the queue, open a refund case, agree, confirm, quit;
//! then check the database and the captured screens.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::Path;
use std::time::Duration;

use kefu::domain::event::Actor;
use kefu::domain::refund::RefundState;
use kefu::store::Store;
use tui_support::tmux::Tmux;

#[test]
fn seat_screen_in_tmux() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kefu.sqlite");
    {
        let mut s = Store::open(&db, Actor::new("宾", "seat-e2e")).unwrap();
        tui_support::fill(&mut s);
    }
    let bin = env!("CARGO_BIN_EXE_kefu");
    // Start a shell-less holder first so set-clipboard is on before kefu writes OSC 52.
    let cmd = format!(
        "sleep 0.5; exec env KEFU_NOW='{}' KEFU_AGENT=宾 KEFU_SEAT=seat-e2e KEFU_CONFIG=/nonexistent TERM=xterm-256color {} --db {}",
        tui_support::NOW,
        bin,
        db.display()
    );
    let Some(tmux) = Tmux::start("e2e", &cmd) else {
        println!("SKIPPED seat_screen_in_tmux: tmux is not installed (CI installs it)");
        return;
    };
    tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
    // The counts come from a background thread: wait for them rather than racing it.
    let first = tmux.wait_for("超时 1");
    assert!(first.contains("① 订单") && first.contains("③ 快捷回复"), "all three panes at 120×40:\n{first}");

    // Replies: search yfx, copy.
    tmux.keys(&["3", "/"]);
    tmux.literal("yfx");
    let found = tmux.wait_for("yfx2");
    tmux.keys(&["Enter"]);
    tmux.wait_for("已复制");
    let buffer = tmux.run(&["show-buffer"]);
    let copied_ok = buffer.contains("运费险");
    if !copied_ok {
        println!("NOTE: tmux show-buffer did not receive the OSC 52 copy here ({buffer:?}); the use was still counted");
    }

    // Queue: move, then find the order with the refund.
    tmux.keys(&["1", "j", "j", "k", "/"]);
    tmux.literal("2606260004");
    tmux.keys(&["Enter"]);
    tmux.wait_for("搜索「2606260004」");
    // After-sales: the refund is first; open it, agree, confirm.
    tmux.keys(&["2", "Enter"]);
    tmux.wait_for("退款 R1");
    tmux.keys(&["Enter"]);
    let ask = tmux.wait_for("不可撤销");
    tmux.keys(&["y"]);
    let after = tmux.wait_for("同意退款 →");
    tmux.keys(&["q"]);
    std::thread::sleep(Duration::from_millis(500));

    let s = Store::open(Path::new(&db), Actor::new("check", "check")).unwrap();
    let r = s.refund("R1").unwrap().unwrap();
    assert_eq!(r.state, RefundState::WaitBuyerReturnGoods, "screens:\n{ask}\n{after}");
    let last = s.case_timeline("R1").unwrap().pop().unwrap();
    // The seat is its key: the readable name and the key's fingerprint.
    let seat = kefu::domain::seat_id::split(&last.seat);
    assert_eq!((last.kind.as_str(), last.agent.as_str(), seat.0), ("refund_acted", "宾", "seat-e2e"));
    assert!(seat.1.is_some(), "{}", last.seat);
    let uses: u32 = s.replies().unwrap().iter().filter(|r| r.code == "yfx").map(|r| r.uses).sum();
    assert_eq!(uses, 1, "the copy counted a use");
    assert!(found.contains("yfx"), "{found}");
    assert!(copied_ok, "OSC 52 reached tmux's buffer: {buffer:?}");
}

/// Writes the fixture shop to `$KEFU_FIXTURE_DB` for trying the screen by hand:
/// `KEFU_FIXTURE_DB=/tmp/tui.sqlite cargo test --test tui_e2e -- --ignored write_fixture_db`.
#[test]
#[ignore]
fn write_fixture_db() {
    let Some(path) = std::env::var_os("KEFU_FIXTURE_DB") else {
        println!("set KEFU_FIXTURE_DB to a path");
        return;
    };
    let mut s = Store::open(Path::new(&path), Actor::new("宾", "seat-1")).unwrap();
    tui_support::fill(&mut s);
}
