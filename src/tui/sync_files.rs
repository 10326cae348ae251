//! Where the sync dialogs look first, and the sync files in a folder. The folder last
//! used and the file last exported are this database's own settings (`meta`, never a
//! synced event: another seat's folder means nothing here).

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::domain::clock::to_shop;
use crate::store::Store;
use crate::sync::{EXTENSION, seat_file_name};

/// The folder of the last export, import or sync.
pub const META_DIR: &str = "tui.sync_dir";
/// The file of the last export.
pub const META_EXPORT_FILE: &str = "tui.sync_export_file";
/// The folder to start in when none was used yet.
pub const ENV_DIR: &str = "KEFU_SYNC_DIR";

/// At most this many files are listed in the import dialog.
pub(crate) const LIST_MAX: usize = 8;

/// A sync file in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncFileEntry {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) bytes: u64,
    /// When it was last written, on the shop's clock.
    pub(crate) modified: Option<NaiveDateTime>,
}

/// The folder the dialogs start in: the last one used, else `$KEFU_SYNC_DIR`, else
/// the current folder.
pub(crate) fn start_dir(store: &Store) -> crate::store::Result<PathBuf> {
    if let Some(d) = store.meta(META_DIR)?.filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os(ENV_DIR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    Ok(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
}

/// The export dialog's file: the last one exported, else this seat's file in the
/// start folder (the name `kefu sync` gives it).
pub(crate) fn export_default(store: &Store) -> crate::store::Result<PathBuf> {
    if let Some(f) = store.meta(META_EXPORT_FILE)?.filter(|f| !f.is_empty()) {
        return Ok(PathBuf::from(f));
    }
    Ok(start_dir(store)?.join(seat_file_name(&store.actor().seat)))
}

/// After a job went through: remember its folder (and the exported file).
pub(crate) fn remember(store: &mut Store, job: &super::sync_job::SyncJob) -> crate::store::Result<()> {
    use super::sync_job::SyncJob;
    let dir = match job {
        SyncJob::Dir { dir } => Some(dir.as_path()),
        SyncJob::Export { path, .. } | SyncJob::Import { path } => path.parent(),
    };
    let dir = dir.filter(|d| !d.as_os_str().is_empty()).map(absolute);
    if let Some(d) = dir {
        store.set_meta(META_DIR, &d.display().to_string())?;
    }
    if let SyncJob::Export { path, .. } = job {
        store.set_meta(META_EXPORT_FILE, &absolute(path).display().to_string())?;
    }
    Ok(())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A typed path: trimmed, `~` at the start meaning the home folder.
pub(crate) fn typed_path(input: &str) -> PathBuf {
    let s = input.trim();
    let home = || std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    if s == "~" {
        return home().unwrap_or_else(|| PathBuf::from(s));
    }
    if let Some(rest) = s.strip_prefix("~/")
        && let Some(h) = home()
    {
        return h.join(rest);
    }
    PathBuf::from(s)
}

/// The `*.kefusync` files in `dir` (not hidden ones: those are exports being
/// written), newest first. A folder that cannot be read has none.
pub(crate) fn list(dir: &Path) -> Vec<SyncFileEntry> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let suffix = format!(".{EXTENSION}");
    let mut out: Vec<SyncFileEntry> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !name.ends_with(&suffix) {
                return None;
            }
            let meta = e.metadata().ok().filter(|m| m.is_file())?;
            let modified = meta.modified().ok().map(|t| to_shop(chrono::DateTime::<chrono::Utc>::from(t)));
            Some(SyncFileEntry { name, path: e.path(), bytes: meta.len(), modified })
        })
        .collect();
    out.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.name.cmp(&b.name)));
    out
}

/// A byte count for people: 812 B, 12.3 KB, 4.5 MB, 1.2 GB.
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 3] = ["KB", "MB", "GB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_bytes(812), "812 B");
        assert_eq!(human_bytes(12_600), "12.3 KB");
        assert_eq!(human_bytes(5 << 30), "5.0 GB");
    }

    #[test]
    fn only_visible_sync_files_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, secs_ago: u64| {
            let p = dir.path().join(name);
            std::fs::write(&p, b"x").unwrap();
            let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
            std::fs::File::options().write(true).open(&p).unwrap().set_modified(t).unwrap();
        };
        write("kefu-a.kefusync", 60);
        write("kefu-b.kefusync", 10);
        write(".kefu-c.tmp-1", 0);
        write(".kefu-d.kefusync", 0);
        write("notes.txt", 0);
        std::fs::create_dir(dir.path().join("sub.kefusync")).unwrap();
        let names: Vec<String> = list(dir.path()).into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["kefu-b.kefusync", "kefu-a.kefusync"]);
        assert!(list(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn a_tilde_means_home() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(h) = home {
            assert_eq!(typed_path(" ~/x.kefusync "), h.join("x.kefusync"));
        }
        assert_eq!(typed_path("/tmp/a~b"), PathBuf::from("/tmp/a~b"));
    }
}
