//! The status bar's live counts: a read like any other (`Query::Counts`), run on the
//! store worker's reader (its own connection; WAL lets it read while the seat writes),
//! every few seconds and after a write that touched orders, refunds or cases.

use chrono::NaiveDateTime;

use crate::store::Store;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) overdue: i64,
    pub(crate) to_ship: i64,
    pub(crate) refunds_waiting: i64,
    pub(crate) bad_reviews: i64,
}

impl Counts {
    pub(crate) fn compute(store: &Store, now: NaiveDateTime) -> crate::store::Result<Counts> {
        Ok(Counts {
            overdue: store.overdue_count(now)?,
            to_ship: store.to_ship_count()?,
            refunds_waiting: store.refunds_waiting_count()?,
            bad_reviews: store.open_bad_review_count()?,
        })
    }
}
