//! Writing an import: compare each parsed record with what the store holds, record only
//! what is new or changed, all in ONE transaction (`Store::write`): a crash or a kill
//! midway leaves the database as it was, and the same file imported twice writes nothing.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};
use std::sync::mpsc;

use super::orders::{DetailFile, OrderList};
use super::read_ahead::{BATCH, READ_AHEAD, Reading, read_orders};
use super::refunds::RefundList;
use super::replies::read_phrases;
use super::{ImportError, Options, RowError, Summary, Tracked};
use crate::domain::event::EventBody;
use crate::domain::order::OrderStatus;
use crate::store::{BulkLoad, PreparedOrder, Store, StoreError, Writer};

/// One write transaction in which the file is still being read: `f` failing with an
/// `ImportError` rolls it back, and the error comes out as it went in (a refused file
/// stays a refusal, not a store error). With `bulk`, a `write_bulk` load; with
/// `dry_run`, a transaction rolled back whatever happens (never a bulk load, which
/// changes the file's journal mode).
fn write_reading<T>(
    store: &mut Store,
    bulk: Option<BulkLoad>,
    dry_run: bool,
    f: impl FnOnce(&mut Writer<'_>) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    let mut failed: Option<ImportError> = None;
    let g = |w: &mut Writer<'_>| {
        f(w).map_err(|e| match e {
            ImportError::Store(s) => s,
            other => {
                let said = StoreError::Rule(other.to_string());
                failed = Some(other);
                said
            }
        })
    };
    let out = match (dry_run, bulk) {
        (true, _) => store.write_rolled_back(g),
        (false, Some(load)) => store.write_bulk(load, g),
        (false, None) => store.write(g),
    };
    out.map_err(|e| failed.take().unwrap_or_else(|| from_store(e)))
}

fn from_store(e: StoreError) -> ImportError {
    match e {
        StoreError::Io(io) => ImportError::Io(io),
        other => ImportError::Store(other),
    }
}

/// Imports an order list (and optionally its detail file). `source` names the file in
/// the events. A file that is not an export is refused before anything is written.
///
/// One thread reads and parses (`read_ahead`) while this one compares and stores.
pub fn import_orders<L: Read + Seek + Send, D: Read + Seek + Send>(
    store: &mut Store,
    list: L,
    source: &str,
    detail: Option<D>,
) -> Result<Summary, ImportError> {
    import_orders_with(store, list, source, detail, Options::default())
}

/// `import_orders`, with a dry run or a progress display (`Options`).
pub fn import_orders_with<L: Read + Seek + Send, D: Read + Seek + Send>(
    store: &mut Store,
    list: L,
    source: &str,
    detail: Option<D>,
    opts: Options<'_>,
) -> Result<Summary, ImportError> {
    let list = Tracked::new(list, 0, opts.progress);
    let detail = detail.map(|d| Tracked::new(d, 1, opts.progress));
    // Opening a file without a BOM reads it whole, to tell its encoding: the two side by side.
    let (list, details) = std::thread::scope(|scope| {
        let details = scope.spawn(move || detail.map(DetailFile::open).transpose());
        let list = OrderList::open(list);
        (list, details.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (list, details) = (list?, details.map_err(ImportError::in_detail)?);
    let mut sum = list.summary();
    let (tx, rx) = mpsc::sync_channel(READ_AHEAD);
    let details = std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("kefu-import-read".into())
            .spawn_scoped(scope, move || read_orders(list, details, &tx))?;
        // Into an empty database the order indexes are built once at the end (write_bulk);
        // either way it is one transaction.
        let written = write_reading(store, Some(BulkLoad::Orders), opts.dry_run, |w| {
            let mut pending: Vec<PreparedOrder> = Vec::with_capacity(BATCH);
            let mut rows = 0u64;
            // `rx` goes with this closure: a failed write hangs up, and the reader stops.
            for msg in rx {
                match msg {
                    Reading::Batch(b) => {
                        rows += (b.orders.len() + b.rejected.len()) as u64;
                        if let Some(p) = opts.progress {
                            p.rows(rows);
                        }
                        for e in b.rejected {
                            sum.rejected.push(e);
                        }
                        compare_batch(w, b.orders, &mut pending, &mut sum, source)?;
                    }
                    Reading::Failed(e) => return Err(e),
                    Reading::Done(details) => {
                        if !pending.is_empty() {
                            w.record_orders(source, std::mem::take(&mut pending))?;
                            sum.events += 1;
                        }
                        return Ok(details);
                    }
                }
            }
            Err(StoreError::Rule("读取导出文件的线程意外停止,没有导入任何订单".into()).into())
        });
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        written
    })?;
    if let Some(d) = details {
        sum.detail_rejected = d.rejected;
        let mut left: Vec<(u64, String)> = d.items.into_iter().map(|(no, (line, _))| (line, no)).collect();
        left.sort();
        for (line, no) in left {
            sum.detail_rejected
                .push(RowError::new(line, format!("订单 {no} 没有导入(订单文件里没有这一单,或那一行被拒绝)")));
        }
    }
    Ok(sum)
}

/// Looks a batch up in one go; unchanged orders are only counted, the rest queue for
/// the next event. An order the detail file did not describe keeps the items it has.
fn compare_batch(
    w: &mut Writer<'_>,
    batch: Vec<(PreparedOrder, bool)>,
    pending: &mut Vec<PreparedOrder>,
    sum: &mut Summary,
    source: &str,
) -> crate::store::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut existing = {
        let nos: Vec<&str> = batch.iter().map(|(o, _)| o.record().order_no.as_str()).collect();
        w.platform_records(&nos)?
    };
    for (mut order, from_detail) in batch {
        if order.record().status.0 == OrderStatus::Unknown {
            sum.unknown.note("订单状态", &order.record().status_text);
        }
        match existing.remove(&order.record().order_no) {
            None => sum.new += 1,
            Some(old) => {
                if !from_detail && order.record().items != old.items {
                    let mut rec = order.into_record();
                    rec.items = old.items.clone();
                    order = PreparedOrder::new(rec)?;
                }
                if *order.record() == old {
                    sum.unchanged += 1;
                    continue;
                }
                sum.updated += 1;
            }
        }
        pending.push(order);
        if pending.len() == BATCH {
            w.record_orders(source, std::mem::take(pending))?;
            sum.events += 1;
        }
    }
    Ok(())
}

/// Imports a refund export, keyed by 退款编号: an unknown refund is opened, a known one
/// whose platform facts changed since the platform last described it is synced.
pub fn import_refunds<R: Read + Seek>(store: &mut Store, file: R) -> Result<Summary, ImportError> {
    import_refunds_with(store, file, Options::default())
}

/// `import_refunds`, with a dry run or a progress display (`Options`).
pub fn import_refunds_with<R: Read + Seek>(
    store: &mut Store,
    file: R,
    opts: Options<'_>,
) -> Result<Summary, ImportError> {
    let mut list = RefundList::open(Tracked::new(file, 0, opts.progress))?;
    let mut sum = list.summary();
    let mut rows = 0u64;
    write_reading(store, None, opts.dry_run, |w| {
        while let Some(next) = list.next_row()? {
            rows += 1;
            if let Some(p) = opts.progress
                && rows.is_multiple_of(1000)
            {
                p.rows(rows);
            }
            let refund = match next {
                Err(e) => {
                    sum.rejected.push(e);
                    continue;
                }
                Ok((_, refund)) => refund,
            };
            note_unknown_refund(&mut sum, &refund);
            match w.last_refund_record(&refund.refund_no)? {
                None => {
                    w.record(EventBody::RefundOpened { refund })?;
                    sum.new += 1;
                    sum.events += 1;
                }
                Some(old) if old == refund => sum.unchanged += 1,
                Some(_) => {
                    w.record(EventBody::RefundSynced { refund })?;
                    sum.updated += 1;
                    sum.events += 1;
                }
            }
        }
        if let Some(p) = opts.progress {
            p.rows(rows);
        }
        Ok(())
    })?;
    Ok(sum)
}

/// Counts the refund's state texts kefu did not know (kept on the record).
fn note_unknown_refund(sum: &mut Summary, refund: &crate::domain::event::RefundRecord) {
    if !refund.state_text.is_empty() {
        sum.unknown.note("退款状态", &refund.state_text);
    }
    if !refund.goods_text.is_empty() {
        sum.unknown.note("货物状态", &refund.goods_text);
    }
}

/// Imports Qianniu quick phrases, matched by code. With `replace`, live replies whose
/// code the file does not name are deleted.
pub fn import_replies<R: Read + Seek>(store: &mut Store, file: R, replace: bool) -> Result<Summary, ImportError> {
    import_replies_with(store, file, replace, false, Options::default())
}

/// `import_replies`; `--replace` with a file that holds no phrase to import would delete
/// every reply, so it is refused unless `allow_empty`.
pub fn import_replies_with<R: Read + Seek>(
    store: &mut Store,
    file: R,
    replace: bool,
    allow_empty: bool,
    opts: Options<'_>,
) -> Result<Summary, ImportError> {
    let p = read_phrases(file)?;
    if replace && p.phrases.is_empty() && !allow_empty {
        return Err(ImportError::Refused(format!(
            "文件里没有一条可导入的快捷短语(拒绝 {} 行),带 --replace 导入会删除所有快捷回复。\
             确实要清空,请加 --allow-empty",
            p.rejected.count
        )));
    }
    let mut sum = Summary { encoding: p.encoding, columns: 3, rejected: p.rejected.clone(), ..Default::default() };
    let run = |w: &mut Writer<'_>| {
        let live = w.live_replies()?;
        let mut by_code: HashMap<&str, &crate::store::LiveReply> = HashMap::new();
        for l in &live {
            by_code.entry(l.code.as_str()).or_insert(l);
        }
        for ph in &p.phrases {
            let reply_id = match by_code.get(ph.code.as_str()) {
                Some(l) if l.text == ph.text && l.group == ph.group => {
                    sum.unchanged += 1;
                    continue;
                }
                Some(l) => {
                    sum.updated += 1;
                    l.reply_id.clone()
                }
                None => {
                    sum.new += 1;
                    uuid::Uuid::now_v7().to_string()
                }
            };
            w.record(EventBody::ReplySaved {
                reply_id,
                code: ph.code.clone(),
                text: ph.text.clone(),
                group: ph.group.clone(),
            })?;
            sum.events += 1;
        }
        if replace {
            let named: HashSet<&str> = p.codes.iter().map(|c| c.as_str()).collect();
            for l in live.iter().filter(|l| !named.contains(l.code.as_str())) {
                w.record(EventBody::ReplyDeleted { reply_id: l.reply_id.clone() })?;
                sum.deleted += 1;
                sum.events += 1;
            }
        }
        Ok(())
    };
    if opts.dry_run { store.write_rolled_back(run) } else { store.write(run) }.map_err(from_store)?;
    Ok(sum)
}
