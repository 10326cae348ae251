//! The standard-reply library.

use std::collections::HashMap;

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

/// One agent's use of one reply: what ranks it among equally good matches, and
/// what is shown as the reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplyAffinity {
    /// Uses weighted by age: today 8, this week 4, this month 2, older 1
    /// (`search::MINE_TODAY` is today's weight).
    pub score: u32,
    /// Uses in the last 7 days.
    pub week: u32,
}

impl Store {
    /// The agent's use of every reply they used, by reply id, as of the store's clock.
    pub fn reply_affinity(&self, agent: &str) -> Result<HashMap<String, ReplyAffinity>> {
        use crate::domain::event::format_at;
        let now = self.clock().now_utc();
        let ago = |days| format_at(now - chrono::Duration::days(days));
        let mut stmt = self.conn.prepare_cached(
            "SELECT reply_id, sum(CASE WHEN at >= ?2 THEN 8 WHEN at >= ?3 THEN 4 WHEN at >= ?4 THEN 2 ELSE 1 END), \
             sum(at >= ?3) FROM reply_uses WHERE agent = ?1 GROUP BY reply_id",
        )?;
        let rows = stmt.query_map(rusqlite::params![agent, ago(1), ago(7), ago(30)], |r| {
            Ok((r.get::<_, String>(0)?, ReplyAffinity { score: r.get(1)?, week: r.get(2)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// What the reply index depends on, as one string: how many reply versions (every
    /// save and delete, from here or synced), the last one's row and event id, and how
    /// many replies. Any change to a reply's content changes it.
    pub fn reply_index_key(&self) -> Result<String> {
        let (versions, last_row, last_event, replies): (i64, i64, String, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM reply_history), (SELECT coalesce(max(rowid), 0) FROM reply_history), \
             coalesce((SELECT event_id FROM reply_history ORDER BY rowid DESC LIMIT 1), ''), \
             (SELECT count(*) FROM replies)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(format!(
            "schema {} · {versions} versions · last {last_row} {last_event} · {replies} replies",
            super::SCHEMA_VERSION
        ))
    }

    /// How many times each reply was used, by reply id (replies never used are absent).
    pub fn reply_use_counts(&self) -> Result<HashMap<String, u32>> {
        let mut stmt = self.conn.prepare_cached("SELECT reply_id, count(*) FROM reply_uses GROUP BY reply_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

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
