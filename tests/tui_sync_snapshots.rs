//! The sync popups at 120×40 and 80×24: the export, import (with its file list) and
//! folder forms, the progress gauge, an export and an import summary, and a refusal.
//! Each seat is a database file in a temporary folder (its jobs run on their own
//! connection); the sync files live in a fixed folder so the paths on screen are the
//! same on every machine.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use kefu::domain::event::Actor;
use kefu::store::Store;
use kefu::sync::Progress;
use kefu::tui::sync_files::META_DIR;
use tui_support::*;

const DIR: &str = "/tmp/kefu-tui-sync-snapshots";

fn snap(name: &str, app: &kefu::tui::Runtime) {
    for (w, h) in [(120, 40), (80, 24)] {
        let text = screen(app, w, h);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control character on screen {name}");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

/// Sets a file's modification time to the fixture's "now" less `mins` minutes (the list shows it).
fn touch(path: &Path, mins: u64) {
    let now = kefu::domain::clock::shop_to_utc(t(NOW));
    let at = SystemTime::from(now) - Duration::from_secs(mins * 60);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(at).unwrap();
}

#[test]
fn sync_popups() {
    let dir = Path::new(DIR);
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();

    let (dir_a, mut store_a) = store();
    store_a.set_meta(META_DIR, DIR).unwrap();
    let mut a = seat_on(store_a);
    keys(&mut a, "E");
    snap("sync_export_form", &a);
    keys(&mut a, "<Tab><Right>");
    keys(&mut a, "<Enter>");
    assert!(a.wait_sync(Duration::from_secs(60)));
    snap("sync_export_done", &a);

    let own = dir.join("kefu-seat-1.kefusync");
    touch(&own, 5);
    let other = dir.join("kefu-主管.kefusync");
    std::fs::copy(&own, &other).unwrap();
    touch(&other, 90);
    // A copy cut short after five lines (the header and four events): refused, and
    // the message names no id or checksum, so it is the same on every run.
    let text = std::fs::read_to_string(&own).unwrap();
    let cut: String = text.split_inclusive('\n').take(5).collect();
    let corrupt = dir.join("kefu-seat-3.kefusync");
    std::fs::write(&corrupt, cut).unwrap();
    touch(&corrupt, 60 * 24);

    let dir_b = tempfile::tempdir().unwrap();
    let mut store_b = Store::open(&dir_b.path().join("kefu.sqlite"), Actor::new("莉", "seat-2")).unwrap();
    store_b.set_meta(META_DIR, DIR).unwrap();
    let mut b = seat_on(store_b);
    keys(&mut b, "I<Down>");
    snap("sync_import_form", &b);
    keys(&mut b, "<Up><Enter>");
    assert!(b.wait_sync(Duration::from_secs(60)));
    snap("sync_import_done", &b);
    keys(&mut b, "<Enter>I<Down><Down><Enter>");
    assert!(b.wait_sync(Duration::from_secs(60)));
    snap("sync_import_refused", &b);
    keys(&mut b, "<Enter>S");
    snap("sync_dir_form", &b);
    keys(&mut b, "<Esc>");

    b.show_sync_progress(dir, &other, Progress::Importing { done: 12_000, total: 50_000 });
    snap("sync_progress", &b);
    drop((dir_a, dir_b));
}
