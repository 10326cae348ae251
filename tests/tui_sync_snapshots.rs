//! The sync popups at 120×40 and 80×24: the export, import (with its file list) and
//! folder forms, the progress gauge, an export and an import summary, and a refusal.
//! The stores are in memory, so the jobs run inline; the files live in a fixed folder
//! so the paths on screen are the same on every machine.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use kefu::domain::event::Actor;
use kefu::store::Store;
use kefu::sync::Progress;
use kefu::tui::sync_files::META_DIR;
use kefu::tui::sync_job::SyncJob;
use tui_support::*;

const DIR: &str = "/tmp/kefu-tui-sync-snapshots";

fn snap(name: &str, app: &kefu::tui::app::App) {
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

    let mut a = app();
    a.store.set_meta(META_DIR, DIR).unwrap();
    keys(&mut a, "E");
    snap("sync_export_form", &a);
    keys(&mut a, "<Tab><Right>");
    keys(&mut a, "<Enter>");
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

    let mut b = app_with(Store::open_in_memory(Actor::new("莉", "seat-2")).unwrap());
    b.store.set_meta(META_DIR, DIR).unwrap();
    keys(&mut b, "I<Down>");
    snap("sync_import_form", &b);
    keys(&mut b, "<Up><Enter>");
    snap("sync_import_done", &b);
    keys(&mut b, "<Enter>I<Down><Down><Enter>");
    snap("sync_import_refused", &b);
    keys(&mut b, "<Enter>S");
    snap("sync_dir_form", &b);
    keys(&mut b, "<Esc>");

    b.sync_ui.start(SyncJob::Dir { dir: dir.to_path_buf() });
    b.sync_ui.progress(Some(other.clone()), Progress::Importing { done: 12_000, total: 50_000 });
    snap("sync_progress", &b);
}
