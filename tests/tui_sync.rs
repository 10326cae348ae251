//! Sync from the seat screen, by keys: `E` export from one database, `I` import the
//! file into another (each seat on its own database file, the job on its own connection),
//! `S` a shared folder; a corrupted file refused whole; writes refused while a job runs.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use kefu::domain::event::Actor;
use kefu::domain::refund::RefundState;
use kefu::store::Store;
use kefu::tui::sync_files::META_DIR;
use tui_support::*;

fn seat(path: &Path, agent: &str, seat: &str, filled: bool) -> Seat {
    let mut s = Store::open(path, Actor::new(agent, seat)).unwrap();
    if filled {
        fill(&mut s);
    }
    seat_on(s)
}

/// Another connection to `seat`'s database, acting as that seat (its clock the fixture's).
fn as_seat(seat: &Seat, agent: &str, name: &str) -> Store {
    let mut s = Store::open(&seat.db, Actor::new(agent, name)).unwrap();
    s.set_clock(kefu::domain::clock::Clock::fixed(t(NOW)));
    s
}

/// The open sync dialog's path field.
fn path_field(app: &Seat) -> String {
    app.sync_dialog().expect("a sync dialog is open").0
}

/// Types `path` into the open dialog's (cleared) path field and presses Enter, then
/// waits for the job.
fn run_to(app: &mut Seat, path: &Path) {
    keys(app, &format!("<C-u>{}<Enter>", path.display()));
    assert!(app.wait_sync(Duration::from_secs(60)), "the job finished");
    assert!(!app.sync_running());
}

fn shown(app: &Seat) -> String {
    screen(app, 120, 40)
}

fn event_count(app: &Seat) -> i64 {
    app.store().event_count().unwrap()
}

#[test]
fn export_with_e_then_import_with_i_into_another_seat() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seat(&dir.path().join("a.sqlite"), "宾", "seat-1", true);
    let n = event_count(&a);
    assert!(n > 10, "{n}");

    keys(&mut a, "E");
    assert!(path_field(&a).ends_with("kefu-seat-1.kefusync"), "{}", path_field(&a));
    let file = dir.path().join("前台A.kefusync");
    run_to(&mut a, &file);
    assert!(file.is_file());
    let s = shown(&a);
    assert!(s.contains("导出完成"), "{s}");
    assert!(s.contains(&format!("导出 {n} 条事件")), "{s}");
    assert!(s.contains(&format!("席位 seat-1:{n} 条")), "{s}");
    keys(&mut a, "<Enter>");
    assert!(!a.sync_open());
    // The folder and file are remembered for next time.
    keys(&mut a, "E");
    assert_eq!(PathBuf::from(path_field(&a)), file);
    keys(&mut a, "<Esc>");

    let mut b = seat(&dir.path().join("b.sqlite"), "莉", "seat-2", false);
    assert_eq!(event_count(&b), 0);
    assert!(b.queue_orders().is_empty());
    keys(&mut b, "I");
    run_to(&mut b, &file);
    let s = shown(&b);
    assert!(s.contains("导入完成"), "{s}");
    assert!(s.contains(&format!("席位 seat-1 导出,共 {n} 条事件")), "{s}");
    assert!(s.contains(&format!("新事件 {n} · 已有 0 · 冲突 0")), "{s}");
    assert_eq!(event_count(&b), n, "every event arrived");
    // The panes read everything again: the orders and the open cases are there.
    assert_eq!(b.queue_orders().len(), a.queue_orders().len());
    assert_eq!(b.store().refund("R1").unwrap().unwrap().state, RefundState::WaitSellerAgree);
    assert!(screen(&b, 120, 40).contains("06260004 李雷"), "the queue shows the imported orders");
    keys(&mut b, "<Esc>");

    // `I` again lists the folder just used, newest file first: Enter imports it, and
    // the same file twice changes nothing.
    keys(&mut b, "I");
    let (field, files) = b.sync_dialog().expect("import dialog open");
    assert_eq!(files, ["前台A.kefusync"]);
    assert_eq!(PathBuf::from(field), file);
    keys(&mut b, "<Enter>");
    assert!(b.wait_sync(Duration::from_secs(60)));
    let s = shown(&b);
    assert!(s.contains(&format!("新事件 0 · 已有 {n} · 冲突 0")), "{s}");
    assert_eq!(event_count(&b), n);
}

#[test]
fn a_corrupted_file_is_refused_whole_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = seat(&dir.path().join("a.sqlite"), "宾", "seat-1", true);
    let file = dir.path().join("a.kefusync");
    keys(&mut a, "E");
    run_to(&mut a, &file);
    // One character of one event changed: the checksum no longer matches.
    let text = std::fs::read_to_string(&file).unwrap();
    let bad = text.replacen("尺码不合适", "尺码不合身", 1);
    assert_ne!(bad, text);
    let corrupt = dir.path().join("corrupt.kefusync");
    std::fs::write(&corrupt, bad).unwrap();

    let mut b = seat(&dir.path().join("b.sqlite"), "莉", "seat-2", true);
    let before = event_count(&b);
    let rows = b.queue_orders().len();
    keys(&mut b, "I");
    run_to(&mut b, &corrupt);
    let s = shown(&b);
    assert!(s.contains("导入失败"), "{s}");
    assert!(s.contains("被拒收,未导入任何内容"), "{s}");
    assert!(s.contains("数据库没有任何改动"), "{s}");
    assert_eq!(event_count(&b), before);
    assert_eq!(b.queue_orders().len(), rows);
    assert!(b.store().meta(META_DIR).unwrap().is_none(), "a failed job is not remembered");

    // A file that is not there: the precise error, nothing written.
    keys(&mut b, "<Enter>I");
    run_to(&mut b, &dir.path().join("missing.kefusync"));
    let s = shown(&b);
    assert!(s.contains("导入失败") && s.contains("missing.kefusync"), "{s}");
    assert_eq!(event_count(&b), before);
}

#[test]
fn two_seats_sync_one_folder_and_a_conflict_shows_in_aftersales() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let mut a = seat(&dir.path().join("a.sqlite"), "宾", "seat-1", true);
    let mut b = seat(&dir.path().join("b.sqlite"), "莉", "seat-2", false);
    keys(&mut a, "S");
    run_to(&mut a, &shared);
    let s = shown(&a);
    assert!(s.contains("同步完成") && s.contains("文件夹里还没有别的席位的文件"), "{s}");
    keys(&mut a, "<Esc>");
    keys(&mut b, "S");
    run_to(&mut b, &shared);
    let s = shown(&b);
    assert!(s.contains("导入 kefu-seat-1.kefusync"), "{s}");
    keys(&mut b, "<Esc>");
    assert_eq!(event_count(&a), event_count(&b));

    // Both seats act on refund R1 before they meet again: a agrees, b refuses.
    as_seat(&a, "宾", "seat-1")
        .refund_act("R1", kefu::domain::refund::RefundAction::Agree, Default::default())
        .unwrap();
    let note =
        kefu::domain::refund::ActionInput { note: "金额不对,请修改后再申请".into(), ..Default::default() };
    as_seat(&b, "莉", "seat-2").refund_act("R1", kefu::domain::refund::RefundAction::Refuse, note).unwrap();
    keys(&mut b, "S");
    run_to(&mut b, &shared);
    keys(&mut b, "<Esc>S");
    assert_eq!(PathBuf::from(path_field(&b)), std::path::absolute(&shared).unwrap(), "the folder is remembered");
    keys(&mut b, "<Esc>");
    keys(&mut a, "S");
    run_to(&mut a, &shared);
    let s = shown(&a);
    assert!(s.contains("冲突 1"), "{s}");
    assert!(s.contains("1 个新冲突"), "{s}");
    keys(&mut a, "<Esc>2a");
    assert!(shown(&a).contains("⚠冲突"), "② marks the case:\n{}", shown(&a));
}

#[cfg(unix)]
#[test]
fn while_a_job_runs_reads_go_on_writes_are_refused_and_quit_asks() {
    let dir = tempfile::tempdir().unwrap();
    // A named pipe: the import waits on it until the test writes, so the job is
    // certainly still running while the keys below arrive.
    let fifo = dir.path().join("slow.kefusync");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo here: skipped");
        return;
    }
    let mut app = seat(&dir.path().join("a.sqlite"), "宾", "seat-1", true);
    keys(&mut app, &format!("I<C-u>{}<Enter>", fifo.display()));
    assert!(app.sync_running());
    assert!(shown(&app).contains("导入同步文件 · 进行中"));
    // Esc sends it to the background: the screen works, the status bar shows the job.
    keys(&mut app, "<Esc>");
    assert!(!app.sync_open());
    keys(&mut app, "/2606280001<Enter>");
    assert_eq!(app.selected_order().unwrap().0, "2606280001", "reads go on");
    let flag = app.store().queue_row("2606280001").unwrap().unwrap().flag;
    keys(&mut app, "s1");
    assert_eq!(app.store().queue_row("2606280001").unwrap().unwrap().flag, flag, "the write was refused");
    assert!(app.message().unwrap().0.contains("同步进行中"), "{:?}", app.message());
    keys(&mut app, "<Esc>");
    assert!(shown(&app).contains("⟳ 同步 读取中 0%"));
    // Quitting asks first; `n` keeps working.
    keys(&mut app, "q");
    assert!(app.quit_asked() && !app.should_quit());
    assert!(shown(&app).contains("同步还在进行"));
    keys(&mut app, "n");
    // `I` brings the job back to the front.
    keys(&mut app, "I");
    assert!(app.sync_open() && app.sync_running());
    std::fs::write(&fifo, b"not a sync file\n").unwrap();
    assert!(app.wait_sync(Duration::from_secs(60)));
    // A pipe cannot be read twice (checksum, then verify): the precise error, no change.
    let s = shown(&app);
    assert!(s.contains("导入失败") && s.contains("slow.kefusync") && s.contains("数据库没有任何改动"), "{s}");
    assert_eq!(app.store().queue_row("2606280001").unwrap().unwrap().flag, flag);
}

#[cfg(unix)]
#[test]
fn a_hostile_file_name_is_drawn_clean() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "kefu-\u{1b}]0;x\u{7}\u{1b}[2J坏\u{202e}人.kefusync";
    std::fs::write(dir.path().join(evil), b"not a sync file\n").unwrap();
    let mut s = Store::open(&dir.path().join("a.sqlite"), Actor::new("宾", "seat-1")).unwrap();
    s.set_meta(META_DIR, &dir.path().display().to_string()).unwrap();
    let mut app = seat_on(s);
    keys(&mut app, "I");
    let s = shown(&app);
    assert!(s.contains("kefu-坏人.kefusync"), "{s}");
    keys(&mut app, "<Enter>");
    assert!(app.wait_sync(Duration::from_secs(60)));
    let s = shown(&app);
    // The picked file itself was read (and refused), not the cleaned name.
    assert!(s.contains("导入失败") && s.contains("第 1 行应是 kefu 同步文件头"), "{s}");
    for text in [s, screen(&app, 80, 24)] {
        assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'), "{text}");
    }
}
