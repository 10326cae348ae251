//! What a write changed. Every transaction the store commits adds the keys its events
//! touched — orders, refunds, cases, replies, settings, cases whose conflicts may have
//! changed — to the store's `ChangeSet`; the caller takes it (`Store::take_changes`)
//! and decides from it, and from nothing else, what to read again. A sync import is
//! many events: its change set is their union, and a kind that passes `MAX_KEYS`
//! becomes "all of them" (a screen then reads that kind afresh instead of key by key).

use std::collections::BTreeSet;

use crate::domain::event::EventBody;

/// Past this many keys of one kind a set stands for "all".
pub const MAX_KEYS: usize = 256;

/// Keys of one kind of thing, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    keys: BTreeSet<String>,
    all: bool,
}

impl Keys {
    pub fn insert(&mut self, key: &str) {
        if self.all || self.keys.contains(key) {
            return;
        }
        if self.keys.len() >= MAX_KEYS {
            self.set_all();
        } else {
            self.keys.insert(key.to_string());
        }
    }

    /// Every key of this kind (too many to list, or unknown which).
    pub fn set_all(&mut self) {
        self.all = true;
        self.keys.clear();
    }

    pub fn is_all(&self) -> bool {
        self.all
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.keys.is_empty()
    }

    /// Whether `key` may have changed.
    pub fn contains(&self, key: &str) -> bool {
        self.all || self.keys.contains(key)
    }

    /// The keys listed (none when it stands for all).
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(String::as_str)
    }

    pub fn merge(&mut self, other: Keys) {
        if other.all {
            self.set_all();
            return;
        }
        for k in other.keys {
            self.insert(&k);
        }
    }
}

/// What one or more committed transactions changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Orders whose row, memo, flag, refunds or cases changed.
    pub orders: Keys,
    /// Refunds by refund number.
    pub refunds: Keys,
    /// Exchange, bad-review and damage cases by id.
    pub cases: Keys,
    /// Replies by id (saved, deleted, used).
    pub replies: Keys,
    /// Settings by key (`SettingKey::code`, or a key this kefu does not know).
    pub settings: Keys,
    /// Refunds and cases (by log key) whose conflicts may have changed: new events
    /// from elsewhere, or a resolution.
    pub conflicts: Keys,
    /// Events written.
    pub events: u64,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    pub fn merge(&mut self, other: ChangeSet) {
        self.orders.merge(other.orders);
        self.refunds.merge(other.refunds);
        self.cases.merge(other.cases);
        self.replies.merge(other.replies);
        self.settings.merge(other.settings);
        self.conflicts.merge(other.conflicts);
        self.events += other.events;
    }

    /// Notes an event applied here. `foreign`: it came from another seat (its case may
    /// now conflict); `conflict_case`: the case a resolved conflict belongs to.
    pub(crate) fn note(&mut self, body: &EventBody, foreign: bool, conflict_case: Option<&str>) {
        self.events += 1;
        if let Some(o) = body.order_no() {
            self.orders.insert(o);
        }
        match body {
            EventBody::OrdersUpserted { orders, .. } => {
                if orders.len() > MAX_KEYS {
                    self.orders.set_all();
                } else {
                    orders.iter().for_each(|o| self.orders.insert(&o.order_no));
                }
            }
            EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => {
                self.refunds.insert(&refund.refund_no)
            }
            EventBody::RefundActed { refund_no, .. } => self.refunds.insert(refund_no),
            EventBody::CaseOpened { case_id, .. }
            | EventBody::CaseActed { case_id, .. }
            | EventBody::CaseRegistered { case_id, .. }
            | EventBody::CaseDetailEdited { case_id, .. }
            | EventBody::CaseContacted { case_id, .. } => self.cases.insert(case_id),
            EventBody::ReplySaved { reply_id, .. }
            | EventBody::ReplyDeleted { reply_id }
            | EventBody::ReplyUsed { reply_id, .. } => self.replies.insert(reply_id),
            EventBody::SettingSet { key, .. } => self.settings.insert(key),
            EventBody::ConflictResolved { .. } | EventBody::MemoAdded { .. } | EventBody::FlagSet { .. } => {}
        }
        if foreign && let Some(k) = body.case_key() {
            self.conflicts.insert(k);
        }
        if let Some(k) = conflict_case {
            self.conflicts.insert(k);
        }
    }

    /// Whether the order `no` may have changed.
    pub fn order(&self, no: &str) -> bool {
        self.orders.contains(no)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::flag::Flag;

    #[test]
    fn keys_saturate_to_all() {
        let mut k = Keys::default();
        for i in 0..MAX_KEYS + 1 {
            k.insert(&i.to_string());
        }
        assert!(k.is_all());
        assert!(k.contains("anything"));
        assert_eq!(k.iter().count(), 0);
    }

    #[test]
    fn an_event_names_what_it_touched() {
        let mut c = ChangeSet::default();
        c.note(&EventBody::FlagSet { order_no: "1".into(), flag: Flag::Red }, false, None);
        c.note(&EventBody::SettingSet { key: "shop_type".into(), value: "tmall".into() }, false, None);
        assert!(c.order("1") && !c.order("2"));
        assert!(c.settings.contains("shop_type"));
        assert!(c.refunds.is_empty() && c.conflicts.is_empty());
        assert_eq!(c.events, 2);
        let mut d = ChangeSet::default();
        d.note(
            &EventBody::CaseActed {
                case_id: "c1".into(),
                action: crate::domain::case::CaseAction::Claimed,
                note: String::new(),
            },
            true,
            None,
        );
        c.merge(d);
        assert!(c.cases.contains("c1") && c.conflicts.contains("c1"));
        assert_eq!(c.events, 3);
    }
}

#[cfg(test)]
mod store_tests {
    use crate::domain::event::{Actor, EventBody, RefundRecord};
    use crate::domain::flag::Flag;
    use crate::domain::order::{OrderRecord, OrderStatus};
    use crate::domain::refund::{ActionInput, RefundAction};
    use crate::store::Store;

    fn store() -> Store {
        let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
        let order = |no: &str| OrderRecord {
            order_no: no.into(),
            status: OrderStatus::WaitBuyerConfirmGoods.into(),
            amount_fen: 8800,
            ..Default::default()
        };
        s.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![order("1"), order("2")] }).unwrap();
        s.refund_new(RefundRecord {
            refund_no: "R1".into(),
            order_no: "1".into(),
            amount_fen: 100,
            reason: "尺码不合适".into(),
            ..Default::default()
        })
        .unwrap();
        s.take_changes();
        s
    }

    #[test]
    fn a_write_says_what_it_changed() {
        let mut s = store();
        let (_, c) = s.changed(|s| s.refund_act("R1", RefundAction::Agree, ActionInput::default())).unwrap();
        assert!(c.refunds.contains("R1") && c.order("1"), "an action on a refund names its order: {c:?}");
        assert!(!c.order("2") && c.cases.is_empty() && c.replies.is_empty() && c.conflicts.is_empty());
        assert_eq!(c.events, 1);
        let (_, c) = s.changed(|s| s.set_flag("2", Flag::Red)).unwrap();
        assert!(c.order("2") && !c.order("1") && c.refunds.is_empty());
    }

    #[test]
    fn a_refused_write_changes_nothing() {
        let mut s = store();
        let r = s.changed(|s| s.refund_act("R1", RefundAction::RefundDone, ActionInput::default()));
        assert!(r.is_err());
        assert!(s.take_changes().is_empty());
    }

    #[test]
    fn writes_add_up_until_taken() {
        let mut s = store();
        s.set_flag("1", Flag::Red).unwrap();
        s.set_setting("shop_type", "tmall").unwrap();
        let c = s.take_changes();
        assert!(c.order("1") && c.settings.contains("shop_type"));
        assert_eq!(c.events, 2);
        assert!(s.take_changes().is_empty());
    }
}
