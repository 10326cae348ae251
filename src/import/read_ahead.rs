//! The reading half of an order import, on its own thread: the detail file, then the
//! order list row by row, each record joined with its items and serialized for the
//! log (`PreparedOrder`), handed over in batches. The writing half (`apply`) compares
//! and stores a batch while the next one is read, so the two use both cores.

use std::io::{Read, Seek};
use std::sync::mpsc::SyncSender;

use super::orders::{DetailFile, Details, OrderList};
use super::{ImportError, RowError};
use crate::store::PreparedOrder;

/// Rows (taken or not) per batch.
pub const BATCH: usize = 2000;

/// Batches read but not yet stored: enough to ride out a slow write, few enough that
/// memory stays flat.
pub const READ_AHEAD: usize = 4;

/// Rows of the order list, in file order.
#[derive(Default)]
pub struct ReadBatch {
    /// Each order with whether the detail file described its items.
    pub orders: Vec<(PreparedOrder, bool)>,
    pub rejected: Vec<RowError>,
}

/// What the reading thread sends.
pub enum Reading {
    Batch(ReadBatch),
    /// The end of the list; what is left of the detail file (items of orders the list
    /// did not have, and its rejected rows).
    Done(Option<Details>),
    /// Reading stopped: the import must write nothing.
    Failed(ImportError),
}

/// Reads everything and sends it to `out`; stops early when the writer has gone (it
/// failed, and rolled back).
pub fn read_orders<L: Read + Seek, D: Read + Seek + Send>(
    list: OrderList<L>,
    details: Option<DetailFile<D>>,
    out: &SyncSender<Reading>,
) {
    let last = match read_all(list, details, out) {
        Ok(Some(left)) => Reading::Done(left),
        Ok(None) => return,
        Err(e) => Reading::Failed(e),
    };
    let _ = out.send(last);
}

/// `Ok(None)`: the writer hung up.
fn read_all<L: Read + Seek, D: Read + Seek + Send>(
    mut list: OrderList<L>,
    details: Option<DetailFile<D>>,
    out: &SyncSender<Reading>,
) -> Result<Option<Option<Details>>, ImportError> {
    let mut details = details.map(DetailFile::read).transpose().map_err(ImportError::in_detail)?;
    let mut batch = ReadBatch::default();
    while let Some(next) = list.next_row()? {
        match next {
            Err(e) => batch.rejected.push(e),
            Ok((_, mut rec)) => {
                let from_detail = match details.as_mut().and_then(|d| d.items.remove(&rec.order_no)) {
                    Some((_, items)) => {
                        rec.items = items;
                        true
                    }
                    None => false,
                };
                batch.orders.push((PreparedOrder::new(rec)?, from_detail));
            }
        }
        if batch.orders.len() + batch.rejected.len() == BATCH
            && out.send(Reading::Batch(std::mem::take(&mut batch))).is_err()
        {
            return Ok(None);
        }
    }
    if out.send(Reading::Batch(batch)).is_err() {
        return Ok(None);
    }
    Ok(Some(details))
}
