//! What applying events leaves to write a little later, in bulk:
//!
//! - the marks on an order that the newest one wins — the latest memo line shown in
//!   the queue, the seat's flag. A large import sets them hundreds of times per order;
//!   only the newest (by event key) survives, so one UPDATE per order instead of one
//!   per event gives the same row;
//! - memo lines, inserted a few dozen per statement (nothing reads them while events
//!   are applied).
//!
//! A seat's own change is written at once (`Writer::record` flushes after it).

use std::collections::HashMap;

use rusqlite::{ToSql, Transaction, params};

use super::error::Result;

#[derive(Default)]
pub(super) struct Deferred {
    /// order → (event key, text) of its newest memo line.
    memo: HashMap<String, (String, String)>,
    /// order → (event key, flag number) of its newest flag.
    flag: HashMap<String, (String, i64)>,
    memo_lines: Vec<MemoLineRow>,
}

/// A `memo_lines` row.
pub(super) struct MemoLineRow {
    pub event_id: String,
    pub order_no: String,
    pub event_key: String,
    pub at: String,
    pub seat: String,
    pub agent: String,
    pub kind: &'static str,
    pub text: String,
}

/// Memo lines per INSERT (8 parameters each).
const MEMO_LINES_PER_INSERT: usize = 64;

impl Deferred {
    pub(super) fn memo(&mut self, order_no: &str, key: &str, text: &str) {
        newest(&mut self.memo, order_no, key, || text.to_string());
    }

    pub(super) fn flag(&mut self, order_no: &str, key: &str, flag: i64) {
        newest(&mut self.flag, order_no, key, || flag);
    }

    pub(super) fn memo_line(&mut self, tx: &Transaction<'_>, row: MemoLineRow) -> Result<()> {
        self.memo_lines.push(row);
        if self.memo_lines.len() >= MEMO_LINES_PER_INSERT {
            self.insert_memo_lines(tx)?;
        }
        Ok(())
    }

    fn insert_memo_lines(&mut self, tx: &Transaction<'_>) -> Result<()> {
        if self.memo_lines.is_empty() {
            return Ok(());
        }
        let sql = super::values_sql(
            "INSERT INTO memo_lines (event_id, order_no, event_key, at, seat, agent, kind, text)",
            8,
            self.memo_lines.len(),
        );
        let values = self.memo_lines.iter().flat_map(|m| -> [&dyn ToSql; 8] {
            [&m.event_id, &m.order_no, &m.event_key, &m.at, &m.seat, &m.agent, &m.kind, &m.text]
        });
        tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
        self.memo_lines.clear();
        Ok(())
    }

    /// Writes the memo lines, and the marks (each only over an older one already on the
    /// row). An order not seen yet gets its placeholder row first, as applying a memo
    /// always did.
    pub(super) fn flush(&mut self, tx: &Transaction<'_>) -> Result<()> {
        self.insert_memo_lines(tx)?;
        let mut memo = tx.prepare_cached(
            "UPDATE orders SET memo_last = ?2, memo_key = ?3 WHERE order_no = ?1 AND (memo_key IS NULL OR memo_key < ?3)",
        )?;
        for (order_no, (key, text)) in self.memo.drain() {
            if memo.execute(params![order_no, text, key])? == 0 && super::project::require_placeholder(tx, &order_no)? {
                memo.execute(params![order_no, text, key])?;
            }
        }
        let mut flag = tx.prepare_cached(
            "UPDATE orders SET local_flag = ?2, flag = ?2, flag_key = ?3 \
             WHERE order_no = ?1 AND (flag_key IS NULL OR flag_key < ?3)",
        )?;
        for (order_no, (key, number)) in self.flag.drain() {
            if flag.execute(params![order_no, number, key])? == 0 && super::project::require_placeholder(tx, &order_no)?
            {
                flag.execute(params![order_no, number, key])?;
            }
        }
        Ok(())
    }
}

fn newest<V>(map: &mut HashMap<String, (String, V)>, order_no: &str, key: &str, value: impl FnOnce() -> V) {
    match map.get_mut(order_no) {
        Some((k, _)) if k.as_str() >= key => {}
        Some(slot) => *slot = (key.to_string(), value()),
        None => {
            map.insert(order_no.to_string(), (key.to_string(), value()));
        }
    }
}
