//! The real binary in a real terminal (tmux): a multi-line paste into the memo form is
//! text and nothing else; SIGTERM, SIGINT, SIGHUP and SIGQUIT leave the terminal as it
//! was (checked with `stty -a` under `sh`), nothing half-written, exit 128 + signal.
//! Skipped, saying so, where tmux is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use kefu::domain::event::Actor;
use kefu::store::Store;
use tui_support::tmux::Tmux;

fn fixture_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("kefu.sqlite");
    let mut s = Store::open(&db, Actor::new("宾", "seat-t")).unwrap();
    tui_support::fill(&mut s);
    db
}

fn kefu_cmd(db: &Path) -> String {
    format!(
        "env KEFU_NOW='{}' KEFU_AGENT=宾 KEFU_SEAT=seat-t KEFU_CONFIG=/nonexistent TERM=xterm-256color {} --db {}",
        tui_support::NOW,
        env!("CARGO_BIN_EXE_kefu"),
        db.display()
    )
}

#[test]
fn a_multi_line_paste_into_the_memo_form_is_text_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let Some(tmux) = Tmux::start("paste", &format!("sleep 0.3; exec {}", kefu_cmd(&db))) else {
        println!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    };
    tmux.wait_for("超时 1");
    let before = Store::open(&db, Actor::new("c", "c")).unwrap().event_count().unwrap();
    tmux.keys(&["m"]);
    tmux.wait_for("写备注");
    // Typed, this would save the memo at the newline, then `x` would open the exchange
    // form and `yz` go into it.
    tmux.paste("851\t改地址\t已改\nxyz");
    let s = tmux.wait_for("851 改地址 已改 xyz");
    assert!(s.contains("写备注") && !s.contains("换货 ·"), "only the memo form, holding the text:\n{s}");
    let after = Store::open(&db, Actor::new("c", "c")).unwrap().event_count().unwrap();
    assert_eq!(after, before, "nothing saved");
    tmux.keys(&["Escape", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(Store::open(&db, Actor::new("c", "c")).unwrap().event_count().unwrap(), before);
}

/// kefu's pid: the child of the pane's shell.
fn child_of(pid: &str) -> Option<String> {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    children.split_whitespace().next().map(str::to_string)
}

fn wait_file(path: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && s.ends_with('\n')
        {
            return s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{} never written", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn signals_restore_the_terminal_and_exit_128_plus_the_signal() {
    if std::process::Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    for (name, number) in [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3)] {
        let tmux = Tmux::start(&format!("sig{number}"), "env PS1='$ ' sh").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let code = dir.path().join(format!("code-{number}"));
        let stty = dir.path().join(format!("stty-{number}"));
        tmux.literal(&format!("{}; echo \"exit=$?\" > {}", kefu_cmd(&db), code.display()));
        tmux.keys(&["Enter"]);
        tmux.wait_for("超时 1");
        // Something typed into a form: dropped, never saved.
        tmux.keys(&["m"]);
        tmux.literal("851");
        tmux.wait_for("写备注");
        let events = Store::open(&db, Actor::new("c", "c")).unwrap().event_count().unwrap();
        let shell = tmux.show("#{pane_pid}");
        let kefu = child_of(&shell).expect("kefu runs under the shell");
        let sent = std::process::Command::new("kill").arg(format!("-{name}")).arg(&kefu).status().unwrap();
        assert!(sent.success());
        let exit = wait_file(&code);
        assert_eq!(exit.trim(), format!("exit={}", 128 + number), "SIG{name}");
        // The shell works again: Enter runs commands, and the terminal is as it was.
        tmux.literal(&format!("stty -a > {}", stty.display()));
        tmux.keys(&["Enter"]);
        let modes = wait_file(&stty);
        for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
            assert!(modes.split_whitespace().any(|w| w == flag), "SIG{name}: {flag} is off after kefu:\n{modes}");
        }
        assert_eq!(tmux.show("#{alternate_on}"), "0", "SIG{name}: back on the main screen");
        assert_eq!(tmux.show("#{cursor_flag}"), "1", "SIG{name}: the cursor shows");
        let s = tmux.screen();
        assert!(!s.contains("① 订单"), "SIG{name}: the seat screen is gone:\n{s}");
        let after = Store::open(&db, Actor::new("c", "c")).unwrap().event_count().unwrap();
        assert_eq!(after, events, "SIG{name}: the form's input was dropped, nothing written");
    }
}

/// Another seat's sync file big enough that importing it takes seconds: `orders` new
/// orders, 500 to an event.
fn big_sync_file(dir: &Path, orders: usize) -> std::path::PathBuf {
    use kefu::domain::event::EventBody;
    use kefu::domain::order::{OrderRecord, OrderStatus};
    let db = dir.join("other.sqlite");
    let mut s = Store::open(&db, Actor::new("莉", "seat-other")).unwrap();
    s.write(|w| {
        for start in (0..orders).step_by(500) {
            let batch = (start..(start + 500).min(orders))
                .map(|i| OrderRecord {
                    order_no: format!("27{i:010}"),
                    buyer: format!("买家{i}"),
                    receiver_name: "王芳".into(),
                    status: OrderStatus::WaitSellerSendGoods.into(),
                    amount_fen: 8800,
                    title: "纯棉T恤".into(),
                    ..Default::default()
                })
                .collect();
            w.record(EventBody::OrdersUpserted { source: "test".into(), orders: batch })?;
        }
        Ok(())
    })
    .unwrap();
    let file = dir.join("other.kefusync");
    kefu::sync::export(&mut s, &file, kefu::sync::Scope::All).unwrap();
    file
}

#[test]
fn a_signal_during_an_import_keeps_nothing_of_it() {
    if std::process::Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let file = big_sync_file(dir.path(), 150_000);
    let count = |db: &Path| {
        let s = Store::open(db, Actor::new("c", "c")).unwrap();
        (s.event_count().unwrap(), s.order_count().unwrap())
    };
    let before = count(&db);
    let tmux = Tmux::start("sigsync", "env PS1='$ ' sh").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let code = dir.path().join("code");
    tmux.literal(&format!("{}; echo \"exit=$?\" > {}", kefu_cmd(&db), code.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for("超时 1");
    tmux.keys(&["I"]);
    tmux.wait_for("导入");
    tmux.keys(&["C-u"]);
    tmux.literal(&file.display().to_string());
    tmux.keys(&["Enter"]);
    // The events are being applied, inside the import's one transaction.
    let s = tmux.wait_for("导入中");
    assert!(!s.contains("导入完成"), "the import ended before the signal:\n{s}");
    let kefu = child_of(&tmux.show("#{pane_pid}")).expect("kefu runs under the shell");
    assert!(std::process::Command::new("kill").arg("-TERM").arg(&kefu).status().unwrap().success());
    assert_eq!(wait_file(&code).trim(), "exit=143");
    assert_eq!(count(&db), before, "not one event or order of the interrupted import was kept");
    // And the file imports whole afterwards: nothing half-done stands in its way.
    let mut s = Store::open(&db, Actor::new("c", "c")).unwrap();
    kefu::sync::import(&mut s, &file).unwrap();
    assert_eq!(count(&db).1, before.1 + 150_000);
}
