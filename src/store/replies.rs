//! The standard-reply library.

use rusqlite::{OptionalExtension, Row};

use super::Store;
use super::error::Result;
use super::rows::{ReplyRow, ReplyVersion};

const REPLY_SELECT: &str = "SELECT r.reply_id, r.code, r.text, r.grp, \
    (SELECT count(*) FROM reply_uses u WHERE u.reply_id = r.reply_id), r.updated_at, r.updated_by FROM replies r";

fn reply_row(r: &Row<'_>) -> rusqlite::Result<ReplyRow> {
    Ok(ReplyRow {
        reply_id: r.get(0)?,
        code: r.get(1)?,
        text: r.get(2)?,
        group: r.get(3)?,
        uses: r.get(4)?,
        updated_at: r.get(5)?,
        updated_by: r.get(6)?,
    })
}

impl Store {
    /// Every live reply, by group then code.
    pub fn replies(&self) -> Result<Vec<ReplyRow>> {
        let sql = format!("{REPLY_SELECT} WHERE r.deleted = 0 AND r.text_key <> '' ORDER BY r.grp, r.code, r.reply_id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], reply_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn reply(&self, reply_id: &str) -> Result<Option<ReplyRow>> {
        let sql = format!("{REPLY_SELECT} WHERE r.reply_id = ? AND r.deleted = 0");
        Ok(self.conn.prepare_cached(&sql)?.query_row([reply_id], reply_row).optional()?)
    }

    pub fn reply_by_code(&self, code: &str) -> Result<Option<ReplyRow>> {
        let sql = format!("{REPLY_SELECT} WHERE r.code = ? AND r.deleted = 0 ORDER BY r.reply_id LIMIT 1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([code], reply_row).optional()?)
    }

    /// Every version of a reply, oldest first.
    pub fn reply_history(&self, reply_id: &str) -> Result<Vec<ReplyVersion>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT agent, code, text, grp, deleted FROM reply_history WHERE reply_id = ? ORDER BY event_key",
        )?;
        let rows = stmt
            .query_map([reply_id], |r| {
                Ok(ReplyVersion {
                    agent: r.get(0)?,
                    code: r.get(1)?,
                    text: r.get(2)?,
                    group: r.get(3)?,
                    deleted: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
