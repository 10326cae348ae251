//! Refresh is a lookup. Each pane says what it shows — the things its data depends on,
//! each with the read that brings it up to date (`Shown`) — and after a write the store's
//! `ChangeSet` picks the reads to run: nothing here knows which write happened, so a new
//! kind of write needs no refresh code.

use crate::domain::setting::SettingKey;
use crate::store::ChangeSet;
use crate::tui::worker::Query;

/// Something shown that a write may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dep {
    /// One order (its row, memo, flag, refunds, cases).
    Order(String),
    /// Many orders at once (a bulk import): a list of orders is read afresh.
    AllOrders,
    /// Any order at all (the status bar's counts).
    AnyOrder,
    /// An order other than these (a list of orders might now hold it: read it afresh).
    OrdersBut(std::collections::BTreeSet<String>),
    Refund(String),
    Case(String),
    /// Any refund, case or conflict (a list of every open case).
    AnyCase,
    /// This refund's or case's conflicts.
    Conflicts(String),
    Setting(SettingKey),
    /// Anything at all (the log, a report).
    Events,
}

impl Dep {
    pub(crate) fn touched_by(&self, c: &ChangeSet) -> bool {
        match self {
            Dep::Order(no) => c.orders.contains(no),
            Dep::AllOrders => c.orders.is_all(),
            Dep::AnyOrder => !c.orders.is_empty(),
            Dep::OrdersBut(these) => c.orders.is_all() || c.orders.iter().any(|o| !these.contains(o)),
            Dep::Refund(no) => c.refunds.contains(no),
            Dep::Case(id) => c.cases.contains(id),
            Dep::AnyCase => !(c.refunds.is_empty() && c.cases.is_empty() && c.conflicts.is_empty()),
            Dep::Conflicts(key) => c.conflicts.contains(key),
            Dep::Setting(k) => c.settings.contains(k.code()),
            Dep::Events => c.events > 0,
        }
    }
}

/// A piece of what a pane shows: what it depends on, and how to read it again.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shown {
    pub(crate) on: Dep,
    pub(crate) reload: Query,
}

impl Shown {
    pub(crate) fn new(on: Dep, reload: Query) -> Shown {
        Shown { on, reload }
    }
}

/// The reads `changes` calls for, each once, in the order first asked; rows of one list
/// (`QueueRows`) are read in one query. A queue window read afresh makes its rows' own
/// reads pointless.
pub(crate) fn reloads(shown: impl IntoIterator<Item = Shown>, changes: &ChangeSet) -> Vec<Query> {
    let mut out: Vec<Query> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    for s in shown {
        if !s.on.touched_by(changes) {
            continue;
        }
        match s.reload {
            Query::QueueRows(nos) => rows.extend(nos.into_iter().filter(|n| !rows.contains(n)).collect::<Vec<_>>()),
            q if !out.contains(&q) => out.push(q),
            _ => {}
        }
    }
    let fresh = out.iter().any(|q| {
        matches!(q, Query::QueueSearch { .. } | Query::QueuePage { fetch: crate::tui::action::Fetch::Top, .. })
    });
    if !rows.is_empty() && !fresh {
        out.push(Query::QueueRows(rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_is_read_again() {
        let mut c = ChangeSet::default();
        c.orders.insert("1");
        c.refunds.insert("R1");
        c.events = 1;
        let shown = vec![
            Shown::new(Dep::Order("1".into()), Query::Detail("1".into())),
            Shown::new(Dep::Order("2".into()), Query::Detail("2".into())),
            Shown::new(Dep::AllOrders, Query::Settings),
            Shown::new(Dep::Refund("R1".into()), Query::Detail("1".into())),
            Shown::new(Dep::Setting(SettingKey::ShopName), Query::ReplyDocs),
            Shown::new(Dep::AnyCase, Query::Values(None)),
        ];
        assert_eq!(reloads(shown, &c), vec![Query::Detail("1".into()), Query::Values(None)]);
        let rows = vec![
            Shown::new(Dep::Order("1".into()), Query::QueueRows(vec!["1".into()])),
            Shown::new(Dep::Order("2".into()), Query::QueueRows(vec!["2".into()])),
            Shown::new(Dep::Order("3".into()), Query::QueueRows(vec!["3".into()])),
        ];
        c.orders.insert("3");
        assert_eq!(reloads(rows, &c), vec![Query::QueueRows(vec!["1".into(), "3".into()])], "one read for the rows");
    }

    #[test]
    fn a_bulk_change_reads_lists_afresh() {
        let mut c = ChangeSet::default();
        c.orders.set_all();
        c.events = 10_000;
        assert!(Dep::AllOrders.touched_by(&c) && Dep::Order("x".into()).touched_by(&c));
        assert!(!Dep::Setting(SettingKey::ShopType).touched_by(&c));
    }
}
