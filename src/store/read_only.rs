//! Opening a database that cannot be written: a file without write permission, or in a
//! folder without it (SQLite's WAL mode needs to create its `-wal` and `-shm` files
//! beside the database). Read-only commands still work on it; a change is refused in
//! one sentence naming the file or the folder; nothing is ever written.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::error::{Result, StoreError};

/// Whether opening for writing failed because the file or its folder cannot be written
/// (as opposed to a corrupt file, a newer schema, …).
pub fn is_not_writable(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(e) => sqlite_not_writable(e),
        StoreError::Io(io) => {
            matches!(io.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem)
        }
        _ => false,
    }
}

/// SQLite's word for the same: read-only, cannot open (its `-wal`/`-shm` files), or
/// permission denied.
pub fn sqlite_not_writable(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{CannotOpen, PermissionDenied, ReadOnly};
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, ReadOnly | CannotOpen | PermissionDenied))
}

/// Whether it is the folder (not only the file) that cannot be written: a file cannot
/// be made in it.
pub fn folder_is_read_only(path: &Path) -> bool {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = dir.join(format!(".kefu-write-test-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::AlreadyExists),
    }
}

/// Opens `path` for reading only. SQLite reads a WAL database through its `-shm` file,
/// which a read-only folder may not let it create; then the file is opened as
/// immutable (nobody can change it while the folder stays read-only), unless a `-wal`
/// file holds writes not yet merged, which that would not see.
pub fn open(path: &Path, folder: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let readable = |c: &Connection| c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
    let plain = Connection::open_with_flags(path, flags)?;
    if readable(&plain).is_ok() {
        return Ok(plain);
    }
    drop(plain);
    let wal = path.with_file_name(format!("{}-wal", path.file_name().and_then(|n| n.to_str()).unwrap_or_default()));
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(StoreError::ReadOnlyCannotOpen {
            path: path.display().to_string(),
            folder,
            why: format!("只读打开会看不到还没合并进数据库的写入({} 文件)", wal.display()),
        });
    }
    let Some(text) = path.to_str() else {
        return Err(StoreError::ReadOnlyCannotOpen {
            path: path.display().to_string(),
            folder,
            why: "路径不是 UTF-8".into(),
        });
    };
    let immutable = Connection::open_with_flags(format!("file:{}?immutable=1", uri_path(text)), flags)?;
    readable(&immutable)?;
    Ok(immutable)
}

/// A path as a `file:` URI's path: what is not unreserved is percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(uri_path("/tmp/a b/k?.sqlite"), "/tmp/a%20b/k%3F.sqlite");
        assert_eq!(uri_path("数据"), "%E6%95%B0%E6%8D%AE");
    }
}
