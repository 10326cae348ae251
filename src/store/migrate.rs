//! Numbered migrations in `migrations/`, applied in order; `PRAGMA user_version` says
//! how many have run. A database from a newer kefu is refused before anything is written.

use rusqlite::Connection;

use super::error::{Result, StoreError};

/// Only ever append to this list.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    ("0002_reports", include_str!("migrations/0002_reports.sql")),
    ("0003_events_kind", include_str!("migrations/0003_events_kind.sql")),
    ("0004_orders_indexes", include_str!("migrations/0004_orders_indexes.sql")),
    ("0005_hlc", include_str!("migrations/0005_hlc.sql")),
    ("0006_status_text", include_str!("migrations/0006_status_text.sql")),
    ("0007_refund_intervention", include_str!("migrations/0007_refund_intervention.sql")),
    ("0008_seat_keys", include_str!("migrations/0008_seat_keys.sql")),
    ("0009_parent_no", include_str!("migrations/0009_parent_no.sql")),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: path.to_string(), found, supported: SCHEMA_VERSION });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let step = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()
        };
        match step(conn) {
            Ok(()) => {}
            // A file that cannot be written is opened read-only instead (`Store::open`).
            Err(e) if super::read_only::sqlite_not_writable(&e) => return Err(StoreError::Sqlite(e)),
            Err(e) => {
                return Err(StoreError::Migration {
                    path: path.to_string(),
                    name,
                    from: i as i64,
                    to: i as i64 + 1,
                    reason: super::error::sqlite_message(&e),
                });
            }
        }
    }
    Ok(())
}

/// For a database opened read-only: its schema must be this kefu's, since upgrading it
/// would be a write.
pub fn check_current(conn: &Connection, path: &str, folder: bool) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: path.to_string(), found, supported: SCHEMA_VERSION });
    }
    if found < SCHEMA_VERSION {
        return Err(StoreError::ReadOnlyCannotOpen {
            path: path.to_string(),
            folder,
            why: format!("它要先从版本 {found} 升级到版本 {SCHEMA_VERSION} 才能用,升级就要写入"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_a_new_database_and_is_idempotent() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c, ":memory:").unwrap();
        migrate(&mut c, ":memory:").unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn refuses_a_newer_database_without_touching_it() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        let err = migrate(&mut c, "x.sqlite").unwrap_err();
        assert!(err.to_string().contains("更新版本"), "{err}");
        let tables: i64 = c.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0);
    }
}
