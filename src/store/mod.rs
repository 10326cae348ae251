//! The SQLite store: one file per seat, WAL, migrations on open, and the event log as
//! the single write path. `Store::write` opens one transaction; everything recorded in
//! it lands together or not at all.

mod changes;
mod deferred;
mod digest;
mod error;
pub mod fold;
pub mod fork;
mod lookup;
mod migrate;
mod prepared;
mod project;
mod read_only;
mod replay;
mod rows;
mod tally;

pub mod audit;
pub mod cases;
pub mod damage_prefill;
pub mod hub_queries;
pub mod identity;
pub mod log;
pub mod ops;
pub mod orders;
pub mod placeholder_values;
pub mod replies;
pub mod report_queries;
pub mod seats;
pub mod shop;
pub mod sync_queries;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::domain::clock::Clock;
use crate::domain::event::{Actor, Event, EventBody, event_hash, format_at};

pub use changes::{ChangeSet, Keys};
pub use error::{Result, StoreError};
pub use lookup::LiveReply;
pub use migrate::SCHEMA_VERSION;
pub use prepared::PreparedOrder;
pub use replies::ReplyAffinity;
pub use rows::*;

pub struct Store {
    conn: Connection,
    actor: Actor,
    path: String,
    /// Where "now" comes from (the system's clock unless `set_clock` says otherwise).
    clock: Clock,
    /// What the transactions committed since the last `take_changes` touched.
    changes: ChangeSet,
    /// Opened read-only because the file (`Some(false)`) or its folder (`Some(true)`)
    /// cannot be written: reads work, writes are refused before they start.
    read_only: Option<bool>,
    /// This seat's key (see `identity`): its head is signed on every write.
    key: Option<std::sync::Arc<crate::domain::seat_id::SeatKey>>,
}

/// Why a change was refused when nobody said who is working.
pub const NO_AGENT: &str = "还不知道是谁在操作:每条改动都要记下客服名。请先设置:kefu config set agent 你的名字(只这一次:--agent 名字,或环境变量 KEFU_AGENT)";

/// What a bulk write brings in (`Store::write_bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkLoad {
    /// Many orders: a demo, a seller-centre export.
    Orders,
    /// About this many events from elsewhere: a sync file.
    Events(usize),
}

/// Indexes on the log and on tables projected from it that a large import builds after
/// the load. Applying an event never reads them (they serve the log view, reports and
/// the order detail), and their inserts scatter (by order, by reply), so one sorted
/// build is cheaper than a million of them. The log's other indexes grow at their end
/// as events arrive in time order: kept row by row, they cost less than a rebuild (each
/// rebuild reads the whole log; measured on 1M events). Never here: `events_case` (a
/// refund or case is rebuilt from its events), the unique keys, and the indexes of the
/// tables that applying reads (conflicts, refunds, case contacts).
const LOG_INDEXES_UNREAD_WHILE_APPLYING: &[&str] =
    &["events_order", "memo_lines_order", "reply_uses_reply", "reply_uses_agent", "reply_history_reply"];

/// What `Writer::ingest` did with an event from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    New,
    AlreadyPresent,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// An existing file that cannot be written (or whose folder cannot) is opened
    /// read-only instead, when its schema is current: see `read_only`.
    pub fn open(path: &Path, actor: Actor) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let writable = Connection::open(path)
            .map_err(StoreError::from)
            .and_then(|conn| Store::setup(conn, actor.clone(), path.display().to_string()));
        match writable {
            Err(e) if path.is_file() && read_only::is_not_writable(&e) => Store::open_read_only(path, actor),
            // SQLite opens a file it may not write read-only by itself.
            Ok(mut store) if store.conn.is_readonly(rusqlite::MAIN_DB)? => {
                store.read_only = Some(read_only::folder_is_read_only(path));
                Ok(store)
            }
            other => other,
        }
    }

    /// Opens an existing database that must be left exactly as it is (an import's dry
    /// run, whose transaction is rolled back): refused when its schema would first need
    /// an upgrade, which is a write. The version is read from the file's header, so
    /// nothing opens the file before that is known.
    pub fn open_unchanged(path: &Path, actor: Actor) -> Result<Store> {
        let mut head = [0u8; 100];
        let n = std::io::Read::read(&mut std::fs::File::open(path)?, &mut head)?;
        if n == head.len() && head.starts_with(b"SQLite format 3\0") {
            let found = i64::from(u32::from_be_bytes([head[60], head[61], head[62], head[63]]));
            if found < SCHEMA_VERSION {
                return Err(StoreError::Rule(format!(
                    "数据库 {} 是旧版本 {found},要先升级到版本 {SCHEMA_VERSION} 才能用;升级就要写入,试运行不写入。\
                     请先不带 --dry-run 运行一次任何命令(如 kefu orders)",
                    path.display()
                )));
            }
        }
        Store::open(path, actor)
    }

    fn open_read_only(path: &Path, actor: Actor) -> Result<Store> {
        let folder = read_only::folder_is_read_only(path);
        let shown = path.display().to_string();
        let conn = read_only::open(path, folder)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;")?;
        migrate::check_current(&conn, &shown, folder)?;
        Ok(Store {
            conn,
            actor,
            path: shown,
            clock: Clock::system(),
            changes: ChangeSet::default(),
            read_only: Some(folder),
            key: None,
        })
    }

    /// The database file; `None` in memory.
    pub fn file_path(&self) -> Option<&Path> {
        (self.path != ":memory:").then(|| Path::new(&self.path))
    }

    /// Whether this database was opened read-only (see `open`).
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    /// Refuses a change to a database opened read-only, before anything starts.
    fn writable(&self) -> Result<()> {
        match self.read_only {
            Some(folder) => Err(StoreError::ReadOnly { path: self.path.clone(), folder }),
            None => Ok(()),
        }
    }

    pub fn open_in_memory(actor: Actor) -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, actor, ":memory:".into())
    }

    fn setup(mut conn: Connection, actor: Actor, path: String) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // A new file is laid out in 8 KiB pages (SQLite's default is 4 KiB): half the
        // pages for an event log of large payloads and for a million-order table to
        // scan when its indexes are built. A 1,000,000-order import, paired runs:
        // 12–16 s with 4 KiB, 11–15 s with 8 KiB. An existing file keeps its size.
        conn.execute_batch(
            "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
        )?;
        register_functions(&conn)?;
        migrate::migrate(&mut conn, &path)?;
        Ok(Store {
            conn,
            actor,
            path,
            clock: Clock::system(),
            changes: ChangeSet::default(),
            read_only: None,
            key: None,
        })
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The clock events are stamped with and "today" is read from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// What the writes committed since the last call changed (and starts afresh).
    pub fn take_changes(&mut self) -> ChangeSet {
        std::mem::take(&mut self.changes)
    }

    /// Runs `f` (any writes) and returns its value with what its committed writes changed.
    pub fn changed<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<(T, ChangeSet)> {
        self.changes = ChangeSet::default();
        let out = f(self);
        let changes = self.take_changes();
        Ok((out?, changes))
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction: committed if it returns Ok, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.writable()?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut w = Writer::new(tx, self.actor.clone(), self.clock.clone(), self.key.clone())?;
        let out = f(&mut w)?;
        self.changes.merge(w.commit()?);
        Ok(out)
    }

    /// Runs `f` in one transaction and rolls it back whatever it returns: what a write
    /// would do, with nothing kept (an import's `--dry-run`). The database file is not
    /// written: in WAL mode a transaction that is not committed never reaches it.
    pub fn write_rolled_back<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.writable()?;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
        let mut w = Writer::new(tx, self.actor.clone(), self.clock.clone(), self.key.clone())?;
        let out = f(&mut w);
        w.tx.rollback()?;
        out
    }

    /// Like `write`, for loading much at once (`BulkLoad` says what). Indexes that
    /// nothing reads during the load are dropped first and built again at the end,
    /// inside the same transaction (one sorted build instead of a million scattered
    /// inserts, and still all-or-nothing): those of the order tables when they are
    /// empty, and, for events from elsewhere into a log no bigger than what arrives,
    /// `LOG_INDEXES_UNREAD_WHILE_APPLYING`. And, when no other connection has the file
    /// open, such a load runs with a rollback journal instead of WAL, so a first load of
    /// a gigabyte is not written twice. A crash mid-load rolls back from the journal;
    /// WAL is restored after the load, and on every open.
    pub fn write_bulk<T>(&mut self, load: BulkLoad, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.writable()?;
        let orders_empty: bool = self.conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM orders)", [], |r| r.get(0))?;
        let log_small = match load {
            BulkLoad::Orders => false,
            BulkLoad::Events(n) => {
                self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))? as usize <= n
            }
        };
        let first_load = orders_empty || log_small;
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        let left_wal = first_load
            && self.path != ":memory:"
            && self
                .conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0))
                .is_ok_and(|m| m.eq_ignore_ascii_case("delete"));
        // A load touches index pages all over the file: SQLite may keep up to 512 MiB of
        // them (only as it needs them). A negative size is in KiB; never shrink it here.
        if cache > -524288 {
            self.conn.execute_batch("PRAGMA cache_size = -524288")?;
        }
        // The indexes built at the end sort in temporary files, where SQLite's sorter
        // can use a second core (see bulk_transaction); only between transactions may
        // this be changed.
        if first_load {
            self.conn.execute_batch("PRAGMA temp_store = DEFAULT")?;
        }
        let out = self.bulk_transaction(orders_empty, log_small, f);
        if left_wal {
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        }
        // Back to what `setup` set for everyday work.
        self.conn.execute_batch(&format!("PRAGMA cache_size = {cache}; PRAGMA temp_store = MEMORY"))?;
        out
    }

    fn bulk_transaction<T>(
        &mut self,
        orders_empty: bool,
        log_small: bool,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut indexes: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let (name, table): (String, String) = (r.get(0)?, r.get(1)?);
                let defer = (orders_empty && matches!(table.as_str(), "orders" | "order_items"))
                    || (log_small && LOG_INDEXES_UNREAD_WHILE_APPLYING.contains(&name.as_str()));
                if defer {
                    indexes.push((name, r.get(2)?));
                }
            }
        }
        for (name, _) in &indexes {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
        }
        let mut w = Writer::new(tx, self.actor.clone(), self.clock.clone(), self.key.clone())?;
        let out = f(&mut w)?;
        if !indexes.is_empty() {
            // SQLite's sorter uses a second core only when the keys outgrow the page
            // cache: with a small cache it sorts 2 MiB runs on a helper thread and merges
            // them, where a cache that holds every key sorts them on one core. The nine
            // order indexes of 1,000,000 orders: 6.5 s with 512 MiB, 3.6 s with 2 MiB.
            // (write_bulk restores the cache size afterwards.)
            w.tx.execute_batch("PRAGMA threads = 2; PRAGMA cache_size = -2048")?;
            for (_, sql) in &indexes {
                w.tx.execute_batch(sql)?;
            }
        }
        self.changes.merge(w.commit()?);
        Ok(out)
    }

    /// Records one event in its own transaction.
    pub fn record(&mut self, body: EventBody) -> Result<Event> {
        self.write(|w| w.record(body))
    }

    /// Rebuilds every projected table from the log (the tables are a projection of it).
    pub fn rebuild(&mut self) -> Result<()> {
        self.write(|w| replay::rebuild_all(&w.tx))
    }

    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.writable()?;
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?", [key], |r| r.get(0)).optional()?)
    }
}

/// SQL functions the projection uses, so a rule is written once, in `domain`:
/// `kefu_ship_by(paid_at, 'HH:MM')` is `ShippingPromise::ship_by` under that cutoff
/// (NULL for a missing or unreadable payment time).
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "kefu_ship_by",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let paid: Option<String> = ctx.get(0)?;
            let cutoff: String = ctx.get(1)?;
            let mut promise = crate::domain::promise::ShippingPromise::default();
            if let Ok(t) = crate::domain::shop::parse_time(&cutoff) {
                promise.cutoff = t;
            }
            Ok(paid
                .as_deref()
                .and_then(crate::domain::timefmt::parse_datetime)
                .map(|p| crate::domain::timefmt::format_datetime(promise.ship_by(p))))
        },
    )?;
    Ok(())
}

/// The default database: `$KEFU_DB`, else the platform data dir.
pub fn default_db_path() -> PathBuf {
    if let Some(p) = std::env::var_os("KEFU_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    directories::ProjectDirs::from("", "", "kefu")
        .map(|d| d.data_dir().join("kefu.sqlite"))
        .unwrap_or_else(|| PathBuf::from("kefu.sqlite"))
}

/// A write transaction with the acting seat's chain head.
pub struct Writer<'c> {
    tx: Transaction<'c>,
    actor: Actor,
    seq: i64,
    prev_hash: String,
    /// The newest `at` the log holds, any seat's (with what this transaction added).
    max_at: Option<DateTime<Utc>>,
    clock: Clock,
    /// When this transaction began: every event it brings in is `received_at` then.
    received_at: String,
    tally: tally::Tally,
    /// Orders' newest memo and flag, and memo lines, from events brought in: written at
    /// commit (a seat's own change at once).
    deferred: deferred::Deferred,
    /// What this transaction's events touched (the store's once committed).
    changes: ChangeSet,
    /// This seat's key: the head is signed at commit when this transaction moved it.
    key: Option<std::sync::Arc<crate::domain::seat_id::SeatKey>>,
    /// The seat's seq when the transaction began.
    start_seq: i64,
}

/// The total order of the log: time, then seat, then the seat's sequence.
pub fn event_key(at: &str, seat: &str, seq: i64) -> String {
    format!("{at}\u{1}{seat}\u{1}{seq:012}")
}

/// The latest time an event can have (`format_at` writes four-digit years).
const LATEST_AT_MS: i64 = 253_402_300_799_999;

impl<'c> Writer<'c> {
    fn new(
        tx: Transaction<'c>,
        actor: Actor,
        clock: Clock,
        key: Option<std::sync::Arc<crate::domain::seat_id::SeatKey>>,
    ) -> Result<Writer<'c>> {
        let head: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM events WHERE seat = ? ORDER BY seq DESC LIMIT 1", [&actor.seat], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (seq, prev_hash) = head.unwrap_or_default();
        // One step down the time index.
        let max_at: Option<String> = tx.query_row("SELECT max(at) FROM events", [], |r| r.get(0))?;
        let max_at = max_at.and_then(|at| DateTime::parse_from_rfc3339(&at).ok()).map(|d| d.with_timezone(&Utc));
        let received_at = format_at(clock.now_utc());
        Ok(Writer {
            tx,
            actor,
            seq,
            prev_hash,
            max_at,
            clock,
            received_at,
            tally: Default::default(),
            deferred: Default::default(),
            changes: ChangeSet::default(),
            key,
            start_seq: seq,
        })
    }

    /// Commits; returns what the transaction changed.
    fn commit(mut self) -> Result<ChangeSet> {
        self.deferred.flush(&self.tx)?;
        // Every seat whose events came in (or were written) moves its witnessed prefix.
        for seat in self.tally.seats() {
            identity::advance_witness(&self.tx, &seat)?;
        }
        self.tally.flush(&self.tx)?;
        if let Some(key) = self.key.as_ref().filter(|k| self.seq > self.start_seq && k.owns(&self.actor.seat)) {
            let head = key.sign_head(&self.actor.seat, self.seq, &self.prev_hash);
            identity::keep_head(&self.tx, &head, &self.received_at, true)?;
        }
        self.tx.commit()?;
        Ok(self.changes)
    }

    /// Notes what an applied event touched: for an action on a refund or case, its
    /// order too (the order's row counts its open refunds); for a resolution, its
    /// conflict's case.
    fn note_change(&mut self, body: &EventBody, foreign: bool) -> Result<()> {
        let one = |sql: &str, key: &str| -> Result<Option<String>> {
            Ok(self.tx.prepare_cached(sql)?.query_row([key], |r| r.get(0)).optional()?)
        };
        let conflict_case = match body {
            EventBody::ConflictResolved { event_id, .. } => {
                one("SELECT case_key FROM conflicts WHERE event_id = ?", event_id)?
            }
            _ => None,
        };
        let order = match body {
            EventBody::RefundActed { refund_no, .. } => {
                one("SELECT order_no FROM refunds WHERE refund_no = ?", refund_no)?
            }
            EventBody::CaseActed { case_id, .. }
            | EventBody::CaseRegistered { case_id, .. }
            | EventBody::CaseDetailEdited { case_id, .. }
            | EventBody::CaseContacted { case_id, .. } => one("SELECT order_no FROM cases WHERE case_id = ?", case_id)?,
            _ => None,
        };
        self.changes.note(body, foreign, conflict_case.as_deref());
        if let Some(o) = order {
            self.changes.orders.insert(&o);
        }
        Ok(())
    }

    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends a change by this seat and applies it. A change the rules refuse returns
    /// `StoreError::Rule` and (the transaction being dropped) leaves nothing behind.
    pub fn record(&mut self, body: EventBody) -> Result<Event> {
        let raw = serde_json::to_string(&body)?;
        let (payload, body) = match clean_payload(&raw)? {
            // Something was cleaned: the stored payload is the truth, so apply that.
            Some(cleaned) => {
                let body: EventBody = serde_json::from_str(&cleaned)?;
                (cleaned, body)
            }
            None => (raw, body),
        };
        self.append_own(body, payload)
    }

    /// Records platform facts for a batch of orders, serialized beforehand (on another
    /// thread, say): the same event `record(EventBody::OrdersUpserted { .. })` makes.
    pub fn record_orders(&mut self, source: &str, orders: Vec<PreparedOrder>) -> Result<Event> {
        let (source, payload) = prepared::orders_payload(source, &orders)?;
        let body =
            EventBody::OrdersUpserted { source, orders: orders.into_iter().map(PreparedOrder::into_record).collect() };
        self.append_own(body, payload)
    }

    /// The times of a new event of this seat: its wall clock now, and its `at`, which
    /// is the wall clock unless the log holds an event as late or later, and then 1 ms
    /// after the newest (a hybrid logical clock). So whatever an import brought in, even
    /// from a seat whose clock runs years ahead, a change made here afterwards sorts after
    /// it and wins where the later writer wins; and a seat's own events never go back in
    /// time. People are shown `wall`.
    fn stamp(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let wall = self.clock.now_utc().timestamp_millis().clamp(0, LATEST_AT_MS);
        let at = match self.max_at.map(|m| m.timestamp_millis()) {
            Some(newest) if newest >= wall => (newest + 1).min(LATEST_AT_MS),
            _ => wall,
        };
        let ms = |t: i64| DateTime::from_timestamp_millis(t).unwrap_or_default();
        (ms(at), ms(wall))
    }

    /// Appends this seat's event, `payload` being `body` as stored, and applies it.
    fn append_own(&mut self, body: EventBody, payload: String) -> Result<Event> {
        if self.actor.agent.trim().is_empty() {
            return Err(StoreError::Rule(NO_AGENT.into()));
        }
        let (at, wall) = self.stamp();
        let seq = self.seq + 1;
        let id = uuid::Uuid::now_v7().to_string();
        let at_text = format_at(at);
        let wall_text = format_at(wall);
        let kind = body.kind().to_string();
        let hash = event_hash(
            &id,
            &self.actor.seat,
            seq,
            &self.actor.agent,
            &at_text,
            Some(&wall_text),
            &kind,
            &payload,
            &self.prev_hash,
        );
        let event = Event {
            id,
            seat: self.actor.seat.clone(),
            seq,
            agent: self.actor.agent.clone(),
            at,
            wall: Some(wall),
            kind,
            payload,
            prev_hash: self.prev_hash.clone(),
            hash,
        };
        let times = Times { at: &at_text, wall: Some(&wall_text) };
        self.insert_event(&event, times, &body)?;
        project::apply(&self.tx, &mut self.deferred, &event, times, &body, project::Mode::Strict)?;
        self.note_change(&body, false)?;
        // A seat's own change shows at once, also to the rest of this transaction.
        self.deferred.flush(&self.tx)?;
        self.seq = seq;
        self.prev_hash = event.hash.clone();
        self.max_at = Some(at);
        Ok(event)
    }

    /// Brings in an event written elsewhere (sync). Checks its hash; an id already here
    /// is skipped. Rule violations become conflicts, never errors.
    pub fn ingest(&mut self, event: &Event) -> Result<Ingested> {
        if event.compute_hash() != event.hash {
            return Err(StoreError::Corrupt(format!("事件 {} 的哈希不符", event.id)));
        }
        let exists: bool =
            self.tx.query_row("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)", [&event.id], |r| r.get(0))?;
        if exists {
            return Ok(Ingested::AlreadyPresent);
        }
        let body = event.body()?;
        self.append_foreign_batch(&[(event.clone(), body)]).map_err(|(_, e)| e)?;
        Ok(Ingested::New)
    }

    fn insert_event(&mut self, e: &Event, times: Times<'_>, body: &EventBody) -> Result<()> {
        insert_event(&self.tx, e, times, body, &self.received_at)?;
        self.tally.note(e, times.shown());
        Ok(())
    }

    /// `append_foreign` for many events at once: the events go into the log a few dozen
    /// rows per INSERT (one statement keeps its index cursors where the last row went, so
    /// appending to the log's indexes skips the descent from the root), then each is
    /// applied in order. Applying an event may read its case's events from the log; it
    /// sees the later ones of the same batch too, which changes nothing, since a case is
    /// always rebuilt from all of its events. An error names the batch position of the
    /// event that caused it.
    fn append_foreign_batch(&mut self, batch: &[(Event, EventBody)]) -> std::result::Result<(), (usize, StoreError)> {
        let ats: Vec<String> = batch.iter().map(|(e, _)| e.at_text()).collect();
        let walls: Vec<Option<String>> = batch.iter().map(|(e, _)| e.wall_text()).collect();
        let times = |k: usize| Times { at: &ats[k], wall: walls[k].as_deref() };
        for (n, chunk) in batch.chunks(EVENTS_PER_INSERT).enumerate() {
            let start = n * EVENTS_PER_INSERT;
            if insert_events(&self.tx, chunk, start, &times, &self.received_at).is_err() {
                // A row of the chunk broke a constraint (the statement left nothing
                // behind): insert them one by one, to say which and why.
                for (k, (e, body)) in chunk.iter().enumerate() {
                    insert_event(&self.tx, e, times(start + k), body, &self.received_at).map_err(|e| (start + k, e))?;
                }
            }
        }
        for (k, (event, body)) in batch.iter().enumerate() {
            self.tally.note(event, times(k).shown());
            project::apply(&self.tx, &mut self.deferred, event, times(k), body, project::Mode::Replay)
                .map_err(|e| (k, e))?;
            self.note_change(body, true).map_err(|e| (k, e))?;
            if event.seat == self.actor.seat && event.seq > self.seq {
                self.seq = event.seq;
                self.prev_hash = event.hash.clone();
            }
            if self.max_at.is_none_or(|m| event.at > m) {
                self.max_at = Some(event.at);
            }
        }
        Ok(())
    }
}

/// An event's times as stored: `at` (orders the log) and `wall` (None for an event from
/// before wall times; then people are shown `at`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Times<'a> {
    pub at: &'a str,
    pub wall: Option<&'a str>,
}

impl<'a> Times<'a> {
    /// The time people are shown.
    pub fn shown(&self) -> &'a str {
        self.wall.unwrap_or(self.at)
    }
}

/// `{insert} VALUES (?, …), (?, …), …`: `rows` rows of `columns` parameters.
fn values_sql(insert: &str, columns: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(insert.len() + 8 + rows * (columns * 3 + 2));
    sql.push_str(insert);
    sql.push_str(" VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(?" } else { ", (?" });
        for _ in 1..columns {
            sql.push_str(",?");
        }
        sql.push(')');
    }
    sql
}

/// Events per multi-row INSERT into the log (13 parameters each).
const EVENTS_PER_INSERT: usize = 64;

/// Inserts `rows` (the batch's events from position `start`), whose times `times(k)` gives.
fn insert_events<'t>(
    tx: &Transaction<'_>,
    rows: &[(Event, EventBody)],
    start: usize,
    times: &impl Fn(usize) -> Times<'t>,
    received_at: &str,
) -> Result<()> {
    use rusqlite::ToSql;
    let sql = values_sql(
        "INSERT INTO events (id, seat, seq, agent, at, wall, kind, payload, prev_hash, hash, order_no, case_key, \
         received_at)",
        13,
        rows.len(),
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(rows.len() * 13);
    let keys: Vec<(Option<&str>, Option<&str>)> = rows.iter().map(|(_, b)| (b.order_no(), b.case_key())).collect();
    let times: Vec<Times<'t>> = (start..start + rows.len()).map(times).collect();
    for (((e, _), t), (order_no, case_key)) in rows.iter().zip(&times).zip(&keys) {
        values.extend_from_slice(&[
            &e.id,
            &e.seat,
            &e.seq,
            &e.agent,
            &t.at,
            &t.wall,
            &e.kind,
            &e.payload,
            &e.prev_hash,
            &e.hash,
            order_no,
            case_key,
            &received_at,
        ]);
    }
    stmt.execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

fn insert_event(tx: &Transaction<'_>, e: &Event, times: Times<'_>, body: &EventBody, received_at: &str) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO events (id, seat, seq, agent, at, wall, kind, payload, prev_hash, hash, order_no, case_key, \
         received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    stmt.execute(params![
        e.id,
        e.seat,
        e.seq,
        e.agent,
        times.at,
        times.wall,
        e.kind,
        e.payload,
        e.prev_hash,
        e.hash,
        body.order_no(),
        body.case_key(),
        received_at,
    ])
    .map_err(|err| match err {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Corrupt(format!("席位 {} 的第 {} 号事件已存在但内容不同(id {})", e.seat, e.seq, e.id))
        }
        other => other.into(),
    })?;
    Ok(())
}

/// Every string in a payload is cleaned (no control characters but newline, no bidi
/// overrides, NFC). Returns the cleaned payload, or None when it was clean already (the
/// common case, which costs one scan of plain characters; a million orders are 575 MB).
fn clean_payload(payload: &str) -> Result<Option<String>> {
    use crate::domain::sanitize::{clean_text, json_is_clean};
    if json_is_clean(payload) {
        return Ok(None);
    }
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = clean_text(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_str(payload)?;
    walk(&mut v);
    Ok(Some(serde_json::to_string(&v)?))
}
