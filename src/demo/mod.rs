//! `kefu demo`: a realistic shop in one command. Orders of a clothing/bag shop over the
//! last ten days in every platform state (overdue, due soon, unpaid, shipped, closed …),
//! the seats' work on them recorded as real events by several agents at several seats
//! (memo lines, flags of every colour, refunds in every state with their history,
//! exchanges, bad reviews, damage reports), and the standard replies with use counts.
//!
//! Deterministic: the same seed and the same "now" (`KEFU_NOW`) give the same orders,
//! items, refund states, cases and replies (event ids and times differ). Orders stream
//! into the store in batches inside one transaction, so a million orders never sit in
//! memory together.

pub mod data;
pub mod export_csv;
pub mod orders;
pub mod replies;
pub mod rng;
mod work;

use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use chrono::NaiveDateTime;

use crate::domain::case::{CaseKind, CaseState};
use crate::domain::event::EventBody;
use crate::domain::flag::Flag;
use crate::domain::order::{OrderRecord, OrderStatus};
use crate::domain::refund::RefundState;
use crate::store::{BulkLoad, PreparedOrder, Result, Store, StoreError};

pub use export_csv::ExportFiles;
pub use orders::{MAX_ORDERS, OrderGen};
pub use work::WorkDone;

pub const DEFAULT_ORDERS: u64 = 400;
pub const DEFAULT_SEED: u64 = 1;
/// Orders per `OrdersUpserted` event.
pub const BATCH: usize = 2000;
/// The `source` of the demo's order events.
pub const SOURCE: &str = "demo";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub orders: u64,
    /// None: every phrase of data/replies.csv.
    pub replies: Option<usize>,
    pub seed: u64,
    /// The demo's "now" (shop time): orders are spread over the ten days before it.
    pub now: NaiveDateTime,
}

impl DemoOptions {
    /// The default demo as of `now` (shop time).
    pub fn at(now: NaiveDateTime) -> Self {
        DemoOptions { orders: DEFAULT_ORDERS, replies: None, seed: DEFAULT_SEED, now }
    }
}

/// What `fill` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    pub orders: u64,
    pub items: u64,
    pub replies: usize,
    pub work: WorkDone,
    /// Time spent writing the orders (the bulk of a big run).
    pub orders_secs: f64,
    pub total_secs: f64,
}

fn demo_data() -> Result<&'static data::DemoData> {
    data::data().map_err(|e| StoreError::Rule(format!("内置演示数据有误:{e}")))
}

/// The demo's orders, one at a time (what `fill` writes and `export_csv` exports).
pub fn orders(opts: &DemoOptions) -> Result<OrderGen<'static>> {
    if opts.orders > MAX_ORDERS {
        return Err(StoreError::Rule(format!("演示订单最多 {MAX_ORDERS} 个,要了 {}", opts.orders)));
    }
    Ok(OrderGen::new(demo_data()?, opts.seed, opts.orders, opts.now))
}

/// Fills an empty database (one that holds no orders) with the demo. Whoever the store
/// acts as before is who it acts as after.
pub fn fill(store: &mut Store, opts: &DemoOptions) -> Result<Filled> {
    let stream = orders(opts)?;
    let existing = store.order_count()?;
    if existing > 0 {
        return Err(StoreError::Rule(format!(
            "数据库 {} 已有 {existing} 个订单:演示数据只填入没有订单的数据库。请用 --db 指定一个新文件",
            store.path()
        )));
    }
    let saved = store.actor().clone();
    let out = fill_orders_and_work(store, opts, stream);
    store.set_actor(saved);
    out
}

fn fill_orders_and_work(store: &mut Store, opts: &DemoOptions, mut stream: OrderGen<'static>) -> Result<Filled> {
    let d = demo_data()?;
    let started = Instant::now();
    let seats = work::Seats::new(d);
    store.set_actor(seats.actor(0, 0));

    let mut picker = work::Picker::new(opts.seed, opts.orders, opts.now);
    let (mut n_orders, mut n_items) = (0u64, 0u64);
    // One thread makes the orders and their JSON while this one stores the batch before.
    store.write_bulk(BulkLoad::Orders, |w| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::sync_channel::<Result<Vec<PreparedOrder>>>(4);
            scope.spawn(move || {
                loop {
                    let batch: Vec<OrderRecord> = stream.by_ref().take(BATCH).collect();
                    if batch.is_empty() {
                        break;
                    }
                    let prepared = batch.into_iter().map(PreparedOrder::new).collect::<Result<Vec<_>>>();
                    let failed = prepared.is_err();
                    // A send fails when the writer has given up.
                    if tx.send(prepared).is_err() || failed {
                        break;
                    }
                }
            });
            // A panic of the maker ends this loop early, and `scope` panics before the
            // transaction can commit.
            for batch in rx {
                let batch = batch?;
                for o in &batch {
                    picker.see(o.record());
                    n_items += o.record().items.len() as u64;
                }
                n_orders += batch.len() as u64;
                w.record_orders(SOURCE, batch)?;
            }
            Ok(())
        })
    })?;
    let orders_secs = started.elapsed().as_secs_f64();

    // The reply library, as one import of the Qianniu file.
    let set = replies::reply_set(&d.replies, opts.replies, opts.seed);
    let saved: Vec<(String, String)> = store.write(|w| {
        let mut ids = Vec::with_capacity(set.len());
        for r in &set {
            let reply_id = uuid::Uuid::now_v7().to_string();
            w.record(EventBody::ReplySaved {
                reply_id: reply_id.clone(),
                code: r.code.trim().into(),
                text: r.text.trim().into(),
                group: r.group.trim().into(),
            })?;
            ids.push((reply_id, r.group.clone()));
        }
        Ok(ids)
    })?;

    let done = work::run(store, d, picker, opts.seed, opts.orders, &saved)?;
    Ok(Filled {
        orders: n_orders,
        items: n_items,
        replies: saved.len(),
        work: done,
        orders_secs,
        total_secs: started.elapsed().as_secs_f64(),
    })
}

/// Writes the demo's orders as a seller-centre export pair into `dir`
/// (`ExportOrderList<stamp>.csv`, `ExportOrderDetailList<stamp>.csv`, stamp from "now").
pub fn export_csv(dir: &Path, opts: &DemoOptions) -> Result<ExportFiles> {
    let stream = orders(opts)?;
    let stamp = opts.now.format("%Y%m%d%H%M").to_string();
    Ok(export_csv::write_pair(dir, &stamp, stream)?)
}

/// Counts of what a database holds, for the demo's report (works on any database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub orders: Vec<(OrderStatus, i64)>,
    pub overdue: i64,
    pub flags: Vec<(Flag, i64)>,
    pub refunds: Vec<(RefundState, i64)>,
    pub cases: Vec<(CaseKind, CaseState, i64)>,
    pub replies: i64,
    pub reply_groups: i64,
    pub reply_uses: i64,
    pub memo_lines: i64,
    pub events: i64,
    pub seats: Vec<(String, String)>,
}

pub fn summary(store: &Store, now: NaiveDateTime) -> Result<Summary> {
    let c = store.conn();
    let pairs = |sql: &str| -> Result<Vec<(String, i64)>> {
        let mut stmt = c.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let status_counts = pairs("SELECT status, count(*) FROM orders GROUP BY status")?;
    // The states every shop has are always listed; the rarer ones (cash on delivery's
    // signed, never-paid, and texts kefu could not map) when some order is in them.
    let unknown = status_counts
        .iter()
        .filter(|(c, _)| !c.is_empty() && OrderStatus::from_stored(c) == OrderStatus::Unknown)
        .map(|(_, n)| n)
        .sum();
    let orders = OrderStatus::ALL
        .into_iter()
        .map(|s| (s, status_counts.iter().find(|(c, _)| c == s.code()).map_or(0, |(_, n)| *n)))
        .chain([(OrderStatus::Unknown, unknown)])
        .filter(|(s, n)| {
            *n > 0 || !matches!(s, OrderStatus::TradeBuyerSigned | OrderStatus::TradeNoCreatePay | OrderStatus::Unknown)
        })
        .collect();
    let total = store.order_count()?;
    let mut flag_counts: Vec<(Flag, i64)> = Vec::new();
    {
        let mut stmt = c.prepare("SELECT flag, count(*) FROM orders WHERE flag > 0 GROUP BY flag")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u8>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (f, n) = row?;
            if let Some(f) = Flag::from_number(f) {
                flag_counts.push((f, n));
            }
        }
    }
    let flagged: i64 = flag_counts.iter().map(|(_, n)| n).sum();
    let flags = Flag::ALL
        .into_iter()
        .map(|f| {
            let n = if f == Flag::Grey {
                total - flagged
            } else {
                flag_counts.iter().find(|(g, _)| *g == f).map_or(0, |(_, n)| *n)
            };
            (f, n)
        })
        .collect();
    let refund_counts = pairs("SELECT state, count(*) FROM refunds GROUP BY state")?;
    let refunds = RefundState::ALL
        .into_iter()
        .map(|s| (s, refund_counts.iter().find(|(c, _)| c == s.code()).map_or(0, |(_, n)| *n)))
        .collect();
    let mut cases = Vec::new();
    {
        let mut stmt =
            c.prepare("SELECT kind, state, count(*) FROM cases GROUP BY kind, state ORDER BY kind, state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        for row in rows {
            let (k, s, n) = row?;
            if let (Some(k), Some(s)) = (CaseKind::parse(&k), CaseState::from_code(&s)) {
                cases.push((k, s, n));
            }
        }
    }
    let one = |sql: &str| -> Result<i64> { Ok(c.query_row(sql, [], |r| r.get(0))?) };
    let seats = {
        let mut stmt = c.prepare("SELECT seat, agent FROM people ORDER BY seat, agent")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(Summary {
        orders,
        overdue: store.overdue_count(now)?,
        flags,
        refunds,
        cases,
        replies: one("SELECT count(*) FROM replies WHERE deleted = 0")?,
        reply_groups: one("SELECT count(DISTINCT grp) FROM replies WHERE deleted = 0")?,
        reply_uses: one("SELECT count(*) FROM reply_uses")?,
        memo_lines: one("SELECT count(*) FROM memo_lines")?,
        events: store.event_count()?,
        seats,
    })
}
