//! The event log's vocabulary. Every change kefu makes is one `Event`; the tables are a
//! projection of these. Payloads are the replay contract with other seats and with
//! later versions: fields are only ever added (with defaults), never renamed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::case::{CaseAction, CaseDetail, CaseKind, Channel, Registration};
use super::flag::Flag;
use super::order::OrderRecord;
use super::refund::{ActionInput, GoodsStatus, Phase, RefundAction, RefundState};

/// Who did it, from which seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub agent: String,
    pub seat: String,
}

impl Actor {
    pub fn new(agent: impl Into<String>, seat: impl Into<String>) -> Actor {
        Actor { agent: agent.into(), seat: seat.into() }
    }
}

/// What kind of memo line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MemoKind {
    #[default]
    Note,
    /// 快件跟踪: a call to the courier.
    Tracking,
    /// A bad review copied into the memo.
    Review,
    /// A contact with the buyer about a case.
    Contact,
}

impl MemoKind {
    pub fn code(self) -> &'static str {
        match self {
            MemoKind::Note => "note",
            MemoKind::Tracking => "tracking",
            MemoKind::Review => "review",
            MemoKind::Contact => "contact",
        }
    }

    pub fn from_code(code: &str) -> MemoKind {
        match code {
            "tracking" => MemoKind::Tracking,
            "review" => MemoKind::Review,
            "contact" => MemoKind::Contact,
            _ => MemoKind::Note,
        }
    }
}

/// A refund as the platform (or the agent recording it) describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RefundRecord {
    pub refund_no: String,
    pub order_no: String,
    pub amount_fen: i64,
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer_desc: String,
    #[serde(default)]
    pub no_reason_7d: bool,
    #[serde(default)]
    pub needs_return: bool,
    #[serde(default)]
    pub shipped: bool,
    #[serde(default)]
    pub goods_status: GoodsStatus,
    #[serde(default)]
    pub phase: Phase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<chrono::NaiveDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<chrono::NaiveDateTime>,
    /// The platform's state (for imports; a new local refund starts at WAIT_SELLER_AGREE).
    #[serde(default = "default_refund_state")]
    pub state: RefundState,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub return_tracking_no: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub return_courier: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seller_note: String,
    /// The export's 退款状态 text when kefu did not know it (`state` is then `UNKNOWN`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state_text: String,
    /// The export's 货物状态 text when kefu did not know it (`goods_status` is `UNKNOWN`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub goods_text: String,
    /// 客服介入状态: whether the platform stepped in (None when the export did not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<crate::domain::intervention::Intervention>,
    /// 举证超时: when the seller's evidence is due, once the platform has stepped in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_deadline: Option<chrono::NaiveDateTime>,
}

fn default_refund_state() -> RefundState {
    RefundState::WaitSellerAgree
}

/// Every change kefu records. Serialized as `{"kind": "...", ...fields}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// Platform facts for a batch of orders (an export import, or demo data). Replaces
    /// the platform fields of each order; never touches memos, flags or cases.
    OrdersUpserted {
        source: String,
        orders: Vec<OrderRecord>,
    },
    MemoAdded {
        order_no: String,
        text: String,
        #[serde(default)]
        memo_kind: MemoKind,
    },
    FlagSet {
        order_no: String,
        flag: Flag,
    },
    /// A refund the buyer applied for (recorded by hand or first seen in an export).
    RefundOpened {
        refund: RefundRecord,
    },
    /// A newer refund export: the platform's fields and state are the truth.
    RefundSynced {
        refund: RefundRecord,
    },
    RefundActed {
        refund_no: String,
        action: RefundAction,
        #[serde(default)]
        input: ActionInput,
        /// The state the seat saw when it acted (sync uses it to spot conflicts).
        from: RefundState,
    },
    CaseOpened {
        case_id: String,
        order_no: String,
        detail: CaseDetail,
        #[serde(default)]
        registration: Registration,
    },
    CaseActed {
        case_id: String,
        action: CaseAction,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    CaseRegistered {
        case_id: String,
        registration: Registration,
    },
    CaseDetailEdited {
        case_id: String,
        detail: CaseDetail,
    },
    CaseContacted {
        case_id: String,
        channel: Channel,
        date: NaiveDate,
        progress: String,
    },
    ReplySaved {
        reply_id: String,
        code: String,
        text: String,
        group: String,
    },
    ReplyDeleted {
        reply_id: String,
    },
    ReplyUsed {
        reply_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        order_no: String,
    },
    /// A person resolved a sync conflict (the event it names stays in the log).
    ConflictResolved {
        event_id: String,
        note: String,
    },
    SettingSet {
        key: String,
        value: String,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::OrdersUpserted { .. } => "orders_upserted",
            EventBody::MemoAdded { .. } => "memo_added",
            EventBody::FlagSet { .. } => "flag_set",
            EventBody::RefundOpened { .. } => "refund_opened",
            EventBody::RefundSynced { .. } => "refund_synced",
            EventBody::RefundActed { .. } => "refund_acted",
            EventBody::CaseOpened { .. } => "case_opened",
            EventBody::CaseActed { .. } => "case_acted",
            EventBody::CaseRegistered { .. } => "case_registered",
            EventBody::CaseDetailEdited { .. } => "case_detail_edited",
            EventBody::CaseContacted { .. } => "case_contacted",
            EventBody::ReplySaved { .. } => "reply_saved",
            EventBody::ReplyDeleted { .. } => "reply_deleted",
            EventBody::ReplyUsed { .. } => "reply_used",
            EventBody::ConflictResolved { .. } => "conflict_resolved",
            EventBody::SettingSet { .. } => "setting_set",
        }
    }

    pub const KINDS: [&'static str; 16] = [
        "orders_upserted",
        "memo_added",
        "flag_set",
        "refund_opened",
        "refund_synced",
        "refund_acted",
        "case_opened",
        "case_acted",
        "case_registered",
        "case_detail_edited",
        "case_contacted",
        "reply_saved",
        "reply_deleted",
        "reply_used",
        "conflict_resolved",
        "setting_set",
    ];

    /// The order this event is about, when there is one directly.
    pub fn order_no(&self) -> Option<&str> {
        match self {
            EventBody::MemoAdded { order_no, .. }
            | EventBody::FlagSet { order_no, .. }
            | EventBody::CaseOpened { order_no, .. } => Some(order_no),
            EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => Some(&refund.order_no),
            EventBody::ReplyUsed { order_no, .. } if !order_no.is_empty() => Some(order_no),
            _ => None,
        }
    }

    /// The case (refund number or case id) this event is about.
    pub fn case_key(&self) -> Option<&str> {
        match self {
            EventBody::RefundOpened { refund } | EventBody::RefundSynced { refund } => Some(&refund.refund_no),
            EventBody::RefundActed { refund_no, .. } => Some(refund_no),
            EventBody::CaseOpened { case_id, .. }
            | EventBody::CaseActed { case_id, .. }
            | EventBody::CaseRegistered { case_id, .. }
            | EventBody::CaseDetailEdited { case_id, .. }
            | EventBody::CaseContacted { case_id, .. } => Some(case_id),
            _ => None,
        }
    }

    pub fn case_kind(&self) -> Option<CaseKind> {
        match self {
            EventBody::CaseOpened { detail, .. } => Some(detail.kind()),
            _ => None,
        }
    }
}

/// One entry of the log. `payload` is the body's JSON exactly as first written: the
/// hash covers those bytes, so a later kefu never has to reserialize to verify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub seat: String,
    /// 1, 2, 3 … per seat: the order a seat wrote its events in.
    pub seq: i64,
    pub agent: String,
    /// The event's place in time, UTC, millisecond precision, RFC 3339: a hybrid logical
    /// clock. A seat stamps a new event `max(its wall clock, the newest at its database
    /// holds + 1 ms)`, so a change made after anything it has seen sorts after it,
    /// whatever the clocks say. Last-writer-wins and every replay order by `at`.
    pub at: DateTime<Utc>,
    /// The seat's wall clock when the event was written: what people are shown (the
    /// log, reports, KPIs). None for an event written before this field existed (sync
    /// format 1): its wall time is its `at`, and its hash does not cover a wall time.
    pub wall: Option<DateTime<Utc>>,
    pub kind: String,
    pub payload: String,
    /// Hash of the previous event of the same seat ("" for its first).
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    pub fn body(&self) -> Result<EventBody, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }

    /// `at` as stored and hashed: `2026-06-28T08:12:03.123Z`.
    pub fn at_text(&self) -> String {
        format_at(self.at)
    }

    /// `wall` as stored and hashed (None for an event from before it existed).
    pub fn wall_text(&self) -> Option<String> {
        self.wall.map(format_at)
    }

    /// When it happened on the writing seat's clock (its `at` for an older event).
    pub fn wall_or_at(&self) -> DateTime<Utc> {
        self.wall.unwrap_or(self.at)
    }

    pub fn compute_hash(&self) -> String {
        event_hash(
            &self.id,
            &self.seat,
            self.seq,
            &self.agent,
            &self.at_text(),
            self.wall_text().as_deref(),
            &self.kind,
            &self.payload,
            &self.prev_hash,
        )
    }
}

/// `2026-06-28T02:00:00.000Z`: how events write their time (hashed, so it never changes).
pub fn format_at(at: DateTime<Utc>) -> String {
    use chrono::Timelike;
    let mut s = String::with_capacity(24);
    super::timefmt::push_datetime(&mut s, at.naive_utc(), 'T');
    let ms = at.nanosecond() % 1_000_000_000 / 1_000_000;
    s.push('.');
    s.push(char::from(b'0' + (ms / 100) as u8));
    s.push(char::from(b'0' + (ms / 10 % 10) as u8));
    s.push(char::from(b'0' + (ms % 10) as u8));
    s.push('Z');
    s
}

/// An event's hash: SHA-256 over its fields, each preceded by its length (so no two
/// different events can encode alike). An event with a wall time hashes it after `at`
/// (nine parts); an event from before wall times existed hashes the eight parts it was
/// written with, so its hash verifies as it always did. The number of parts is part of
/// the encoding, so neither form can pass for the other.
#[allow(clippy::too_many_arguments)]
pub fn event_hash(
    id: &str,
    seat: &str,
    seq: i64,
    agent: &str,
    at: &str,
    wall: Option<&str>,
    kind: &str,
    payload: &str,
    prev: &str,
) -> String {
    hex::encode(event_digest([id, seat, &seq.to_string(), agent, at], wall, [kind, payload, prev].map(str::as_bytes)))
}

/// `event_hash` as bytes, over borrowed parts: the five before the wall time, the wall
/// time if the event has one, and kind, payload and previous hash (as bytes: a stored
/// payload is read without checking it is text).
pub fn event_digest(head: [&str; 5], wall: Option<&str>, tail: [&[u8]; 3]) -> [u8; 32] {
    let mut h = Sha256::new();
    let parts = head.into_iter().map(str::as_bytes).chain(wall.map(str::as_bytes)).chain(tail);
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The hand-written `format_at` writes exactly what chrono's format string did
        /// (hashes of stored events depend on it).
        #[test]
        fn format_at_is_chronos_format(ms in -62_000_000_000_000i64..260_000_000_000_000i64) {
            let at = DateTime::from_timestamp_millis(ms).unwrap();
            proptest::prop_assert_eq!(format_at(at), at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        }
    }

    #[test]
    fn body_serializes_with_a_kind_tag_matching_kind() {
        let b = EventBody::FlagSet { order_no: "1".into(), flag: Flag::Purple };
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"kind":"flag_set","order_no":"1","flag":5}"#);
        assert_eq!(serde_json::from_str::<EventBody>(&json).unwrap(), b);
        assert!(EventBody::KINDS.contains(&b.kind()));
    }

    #[test]
    fn hash_covers_every_field() {
        let at = "2026-01-01T00:00:00.000Z";
        let base = ("id", "seat", 1, "agent", at, Some(at), "flag_set", "{}", "");
        let h = event_hash(base.0, base.1, base.2, base.3, base.4, base.5, base.6, base.7, base.8);
        assert_eq!(h.len(), 64);
        assert_ne!(h, event_hash("id2", base.1, base.2, base.3, base.4, base.5, base.6, base.7, base.8));
        assert_ne!(h, event_hash(base.0, base.1, 2, base.3, base.4, base.5, base.6, base.7, base.8));
        assert_ne!(h, event_hash(base.0, base.1, base.2, base.3, base.4, base.5, base.6, "{ }", base.8));
        assert_ne!(h, event_hash(base.0, base.1, base.2, base.3, base.4, base.5, base.6, base.7, "x"));
        let later = Some("2026-01-01T00:00:00.001Z");
        assert_ne!(h, event_hash(base.0, base.1, base.2, base.3, base.4, later, base.6, base.7, base.8));
        // an event without a wall time is not the same event with one equal to its at
        assert_ne!(h, event_hash(base.0, base.1, base.2, base.3, base.4, None, base.6, base.7, base.8));
        // length prefixes keep field boundaries: "ab"+"c" differs from "a"+"bc"
        assert_ne!(
            event_hash("ab", "c", 1, "", "", None, "", "", ""),
            event_hash("a", "bc", 1, "", "", None, "", "", "")
        );
    }

    /// An event written by kefu before wall times (sync format 1; the line is in
    /// tests/fixtures/sync_v1/b1.kefusync) hashes as that kefu computed.
    #[test]
    fn an_event_without_a_wall_time_hashes_as_format_1_did() {
        let h = event_hash(
            "01a23c6e-2637-7585-914e-a06295e03a36",
            "前台B",
            2,
            "琳琳",
            "2026-06-28T03:05:00.000Z",
            None,
            "flag_set",
            r#"{"kind":"flag_set","order_no":"260627000000311688","flag":2}"#,
            "465ac94206e446f89462608fa1b44b282ca05b183b4987ee2b8c048c7f4cf262",
        );
        assert_eq!(h, "2f3a5b8c45996b2dad2e87fe3c95d17ce1c35122714eeb6252ffe7d1003c210d");
    }

    #[test]
    fn refund_codes_from_a_newer_kefu_read_as_unknown() {
        let json = r#"{"kind":"refund_synced","refund":{"refund_no":"R1","order_no":"1","amount_fen":100,"reason":"x",
            "state":"REFUND_PAUSED","goods_status":"PARTLY_RETURNED","intervention":"APPEALED","some_new_field":1}}"#;
        let EventBody::RefundSynced { refund } = serde_json::from_str::<EventBody>(json).unwrap() else { panic!() };
        assert_eq!((refund.state, refund.goods_status), (RefundState::Unknown, GoodsStatus::Unknown));
        assert_eq!(refund.intervention, Some(crate::domain::intervention::Intervention::Other("APPEALED".into())));
        // a record written before these fields hashes and reads as it did
        let old = RefundRecord { refund_no: "R1".into(), ..Default::default() };
        assert!(!serde_json::to_string(&old).unwrap().contains("intervention"));
    }
}
