//! Writing an import: compare each parsed record with what the store holds, record only
//! what is new or changed, all in ONE transaction (`Store::write`): a crash or a kill
//! midway leaves the database as it was, and the same file imported twice writes nothing.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use super::orders::{OrderList, read_details};
use super::refunds::RefundList;
use super::replies::read_phrases;
use super::{ImportError, RowError, Summary};
use crate::domain::event::EventBody;
use crate::domain::order::OrderRecord;
use crate::store::{BulkLoad, Store, StoreError, Writer};

/// Orders per `OrdersUpserted` event (and per lookup batch).
pub const BATCH: usize = 2000;

fn into_store(e: ImportError) -> StoreError {
    match e {
        ImportError::Store(s) => s,
        ImportError::Io(io) => StoreError::Io(io),
        ImportError::Refused(m) => StoreError::Rule(m),
    }
}

fn from_store(e: StoreError) -> ImportError {
    match e {
        StoreError::Io(io) => ImportError::Io(io),
        other => ImportError::Store(other),
    }
}

/// Imports an order list (and optionally its detail file). `source` names the file in
/// the events. A file that is not an export is refused before anything is written.
pub fn import_orders<L: Read + Seek, D: Read + Seek>(
    store: &mut Store,
    list: L,
    source: &str,
    detail: Option<D>,
) -> Result<Summary, ImportError> {
    let mut list = OrderList::open(list)?;
    let mut details = detail.map(read_details).transpose()?;
    let mut sum = list.summary();
    // Into an empty database the order indexes are built once at the end (write_bulk);
    // either way it is one transaction.
    store
        .write_bulk(BulkLoad::Orders, |w| {
            let mut batch: Vec<(OrderRecord, bool)> = Vec::with_capacity(BATCH);
            let mut pending: Vec<OrderRecord> = Vec::with_capacity(BATCH);
            while let Some(next) = list.next_row().map_err(into_store)? {
                match next {
                    Err(e) => sum.rejected.push(e),
                    Ok((_, mut rec)) => {
                        let from_detail = match details.as_mut().and_then(|d| d.items.remove(&rec.order_no)) {
                            Some((_, items)) => {
                                rec.items = items;
                                true
                            }
                            None => false,
                        };
                        batch.push((rec, from_detail));
                        if batch.len() == BATCH {
                            compare_batch(w, &mut batch, &mut pending, &mut sum, source)?;
                        }
                    }
                }
            }
            compare_batch(w, &mut batch, &mut pending, &mut sum, source)?;
            if !pending.is_empty() {
                w.record(EventBody::OrdersUpserted {
                    source: source.to_string(),
                    orders: std::mem::take(&mut pending),
                })?;
                sum.events += 1;
            }
            Ok(())
        })
        .map_err(from_store)?;
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
    batch: &mut Vec<(OrderRecord, bool)>,
    pending: &mut Vec<OrderRecord>,
    sum: &mut Summary,
    source: &str,
) -> crate::store::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut existing = {
        let nos: Vec<&str> = batch.iter().map(|(r, _)| r.order_no.as_str()).collect();
        w.platform_records(&nos)?
    };
    for (mut rec, from_detail) in batch.drain(..) {
        match existing.remove(&rec.order_no) {
            None => sum.new += 1,
            Some(old) => {
                if !from_detail {
                    rec.items = old.items.clone();
                }
                if old == rec {
                    sum.unchanged += 1;
                    continue;
                }
                sum.updated += 1;
            }
        }
        pending.push(rec);
        if pending.len() == BATCH {
            w.record(EventBody::OrdersUpserted { source: source.to_string(), orders: std::mem::take(pending) })?;
            sum.events += 1;
        }
    }
    Ok(())
}

/// Imports a refund export, keyed by 退款编号: an unknown refund is opened, a known one
/// whose platform facts changed since the platform last described it is synced.
pub fn import_refunds<R: Read + Seek>(store: &mut Store, file: R) -> Result<Summary, ImportError> {
    let mut list = RefundList::open(file)?;
    let mut sum = list.summary();
    store
        .write(|w| {
            while let Some(next) = list.next_row().map_err(into_store)? {
                match next {
                    Err(e) => sum.rejected.push(e),
                    Ok((_, refund)) => match w.last_refund_record(&refund.refund_no)? {
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
                    },
                }
            }
            Ok(())
        })
        .map_err(from_store)?;
    Ok(sum)
}

/// Imports Qianniu quick phrases, matched by code. With `replace`, live replies whose
/// code the file does not name are deleted.
pub fn import_replies<R: Read + Seek>(store: &mut Store, file: R, replace: bool) -> Result<Summary, ImportError> {
    let p = read_phrases(file)?;
    let mut sum = Summary { encoding: p.encoding, columns: 3, rejected: p.rejected.clone(), ..Default::default() };
    store
        .write(|w| {
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
        })
        .map_err(from_store)?;
    Ok(sum)
}
