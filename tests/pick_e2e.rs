//! End to end: `kefu pick` in a real terminal (tmux). Type `yfx`, Enter: the 运费险 reply
//! reaches the clipboard (a stub `xclip` on PATH writes what it is given to a file),
//! the use is counted under the agent's name, kefu exits 0 and the terminal is as it
//! was (the picker's lines cleared, cooked mode back). Esc exits 130, also clean.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use kefu::domain::event::Actor;
use kefu::store::Store;
use tui_support::tmux::Tmux;

/// Runs `kefu pick ARGS` in tmux under a shell that then reports its exit status and
/// whether the terminal is back in cooked mode; the tmux server and the clipboard file.
fn start(dir: &Path, session: &str, args: &str) -> Option<(Tmux, std::path::PathBuf)> {
    let db = dir.join("kefu.sqlite");
    if !db.exists() {
        let mut s = Store::open(&db, Actor::new("宾", "seat-e2e")).unwrap();
        tui_support::fill(&mut s);
    }
    let bin_dir = dir.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let clip = dir.join(format!("clipboard-{session}"));
    let stub = bin_dir.join("xclip");
    std::fs::write(&stub, format!("#!/bin/sh\ncat > '{}'\n", clip.display())).unwrap();
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = dir.join(format!("run-{session}.sh"));
    std::fs::write(
        &script,
        format!(
            "printf 'before\\n'\n\
             env -u WAYLAND_DISPLAY PATH='{bin}':\"$PATH\" DISPLAY=:99 KEFU_NOW='{now}' KEFU_AGENT=宾 \
             KEFU_SEAT=seat-e2e KEFU_CONFIG=/nonexistent TERM=xterm-256color '{kefu}' --db '{db}' pick {args}\n\
             status=$?\n\
             if stty -a | tr ' ;' '\\n\\n' | grep -qx icanon; then mode=cooked; else mode=raw; fi\n\
             printf 'EXIT=%s %s\\n' \"$status\" \"$mode\"\n\
             sleep 60\n",
            bin = bin_dir.display(),
            now = tui_support::NOW,
            kefu = env!("CARGO_BIN_EXE_kefu"),
            db = db.display(),
        ),
    )
    .unwrap();
    let tmux = Tmux::start(session, &format!("sh '{}'", script.display()))?;
    Some((tmux, clip))
}

/// The reply's uses, and whether 宾 is among who used it.
fn uses_of(db: &Path, code: &str) -> (u32, bool) {
    let s = Store::open(db, Actor::new("check", "check")).unwrap();
    let reply = s.replies().unwrap().into_iter().find(|r| r.code == code).unwrap();
    (reply.uses, s.reply_affinity("宾").unwrap().contains_key(&reply.reply_id))
}

/// The screen without the shell's own lines: what the picker left behind.
fn leftovers(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && *l != "before" && !l.starts_with("EXIT=") && !l.starts_with("已复制"))
        .map(str::to_string)
        .collect()
}

#[test]
fn pick_yfx_enter_copies_the_postage_insurance_reply() {
    let dir = tempfile::tempdir().unwrap();
    let Some((tmux, clip)) = start(dir.path(), "pick", "") else {
        println!("SKIPPED pick_yfx_enter_copies_the_postage_insurance_reply: tmux is not installed (CI installs it)");
        return;
    };
    let first = tmux.wait_for("Esc 退出");
    assert!(first.contains("› "), "{first}");
    tmux.literal("yfx");
    let found = tmux.wait_for("› yfx");
    tmux.keys(&["Enter"]);
    let end = tmux.wait_for("EXIT=");
    assert!(end.contains("EXIT=0 cooked"), "exit 0 and cooked mode:\n{end}\n(picker was:\n{found})");
    assert!(leftovers(&end).is_empty(), "the picker's lines are cleared:\n{end}");
    assert_eq!(tmux.show("#{alternate_on}"), "0");
    let copied = std::fs::read_to_string(&clip).unwrap_or_default();
    assert!(copied.contains("运费险"), "the clipboard holds the 运费险 reply: {copied:?}\n{found}");
    assert!(copied.starts_with("亲,您的订单有运费险哦"), "the yfx reply itself: {copied:?}");
    assert_eq!(uses_of(&dir.path().join("kefu.sqlite"), "yfx"), (1, true), "the use is counted, as 宾's");
}

#[test]
fn pick_esc_exits_130_and_leaves_the_terminal_clean() {
    let dir = tempfile::tempdir().unwrap();
    let Some((tmux, clip)) = start(dir.path(), "pick-esc", "tuikuan") else {
        println!("SKIPPED pick_esc_exits_130_and_leaves_the_terminal_clean: tmux is not installed (CI installs it)");
        return;
    };
    let shown = tmux.wait_for("› tuikuan");
    assert!(shown.contains("退款"), "{shown}");
    tmux.keys(&["Escape"]);
    let end = tmux.wait_for("EXIT=");
    assert!(end.contains("EXIT=130 cooked"), "{end}");
    assert!(leftovers(&end).is_empty(), "the picker's lines are cleared:\n{end}");
    assert!(!clip.exists(), "nothing copied");
    assert_eq!(uses_of(&dir.path().join("kefu.sqlite"), "yfx"), (0, false));
}
