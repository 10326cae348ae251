//! A canonical dump of every projected table. Two databases holding the same events
//! must give the same digest: the rebuild test and sync's property test compare these.

use sha2::{Digest, Sha256};

use super::Store;
use super::error::Result;

/// Projected tables and the columns that identify a row.
const TABLES: &[(&str, &str)] = &[
    ("orders", "order_no"),
    ("order_items", "order_no, line"),
    ("memo_lines", "event_id"),
    ("refunds", "refund_no"),
    ("cases", "case_id"),
    ("case_contacts", "event_id"),
    ("conflicts", "event_id"),
    ("conflict_resolutions", "resolved_by_event"),
    ("replies", "reply_id"),
    ("reply_history", "event_id"),
    ("reply_uses", "event_id"),
    ("settings", "key"),
    ("people", "seat, agent"),
];

impl Store {
    /// Every projected row as text, table by table in key order.
    pub fn projection_dump(&self) -> Result<String> {
        let mut out = String::new();
        for (table, key) in TABLES {
            out.push_str(&format!("## {table}\n"));
            let mut stmt = self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY {key}"))?;
            let cols = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let mut line = Vec::with_capacity(cols);
                for i in 0..cols {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push(format!("{v:?}"));
                }
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
        }
        Ok(out)
    }

    pub fn projection_digest(&self) -> Result<String> {
        Ok(hex::encode(Sha256::digest(self.projection_dump()?.as_bytes())))
    }
}
