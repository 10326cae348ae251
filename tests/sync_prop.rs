//! The sync property: three seats work offline from a common base — memos, flags,
//! refund actions (legal and illegal), replies saved/edited/deleted/used, bad reviews
//! and exchanges with contacts and actions, conflict resolutions, settings — and
//! exchange export files in random order, with duplicates and re-deliveries. Their
//! clocks disagree: each runs hours ahead or behind, or a year ahead. When everyone
//! has imported everyone's final export:
//!
//! * every seat has every event,
//! * every seat's tables are identical (`projection_dump`), conflicts included,
//! * those tables are what a full replay of the log gives (`Store::rebuild`),
//! * a fresh database importing the final files in another order agrees too.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::{Path, PathBuf};

use chrono::Duration;
use kefu::domain::case::{BadReviewDetail, CaseAction, CaseDetail, Channel, ExchangeDetail, Registration, ReviewLevel};
use kefu::domain::clock::Clock;
use kefu::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction};
use kefu::store::Store;
use kefu::sync::{self, Scope};
use proptest::prelude::*;

const SEATS: [&str; 3] = ["seat-a", "seat-b", "seat-c"];
const ORDERS: [(&str, OrderStatus); 6] = [
    ("2601", OrderStatus::WaitSellerSendGoods),
    ("2602", OrderStatus::WaitSellerSendGoods),
    ("2603", OrderStatus::WaitBuyerConfirmGoods),
    ("2604", OrderStatus::WaitBuyerConfirmGoods),
    ("2605", OrderStatus::TradeFinished),
    ("2606", OrderStatus::TradeFinished),
];
const TEXTS: [&str; 6] =
    ["买家要求改地址", "缺货,等待到货", "已联系快递", "买家说明天再看看", "好的亲", "亲,已为您备注"];

#[derive(Debug, Clone)]
enum Op {
    Memo {
        seat: usize,
        order: usize,
        text: usize,
    },
    Flag {
        seat: usize,
        order: usize,
        flag: usize,
    },
    RefundNew {
        seat: usize,
        order: usize,
        no: usize,
        no_reason: bool,
    },
    RefundAct {
        seat: usize,
        refund: usize,
        action: usize,
        input: usize,
    },
    ReplySave {
        seat: usize,
        reply: usize,
        text: usize,
    },
    ReplyDelete {
        seat: usize,
        reply: usize,
    },
    ReplyUse {
        seat: usize,
        reply: usize,
        order: usize,
    },
    OpenCase {
        seat: usize,
        order: usize,
        exchange: bool,
    },
    CaseContact {
        seat: usize,
        case: usize,
        channel: usize,
    },
    CaseAct {
        seat: usize,
        case: usize,
        action: usize,
    },
    CaseRegister {
        seat: usize,
        case: usize,
        text: usize,
    },
    Resolve {
        seat: usize,
        conflict: usize,
    },
    Setting {
        seat: usize,
        value: usize,
    },
    /// A platform export seen at this seat: an order's new status and flag.
    PlatformOrder {
        seat: usize,
        order: usize,
        status: usize,
        flag: Option<usize>,
    },
    /// A platform refund export: a refund's state as the platform has it.
    RefundSynced {
        seat: usize,
        refund: usize,
        state: usize,
    },
    CaseEdit {
        seat: usize,
        case: usize,
        text: usize,
    },
    Export {
        seat: usize,
        since_last: bool,
    },
    Import {
        seat: usize,
        file: usize,
    },
    Pause,
}

fn op() -> impl Strategy<Value = Op> {
    let s = 0..3usize;
    prop_oneof![
        3 => (s.clone(), 0..6usize, 0..6usize).prop_map(|(seat, order, text)| Op::Memo { seat, order, text }),
        2 => (s.clone(), 0..6usize, 0..6usize).prop_map(|(seat, order, flag)| Op::Flag { seat, order, flag }),
        1 => (s.clone(), 0..6usize, 0..4usize, any::<bool>())
            .prop_map(|(seat, order, no, no_reason)| Op::RefundNew { seat, order, no, no_reason }),
        6 => (s.clone(), 0..8usize, 0..8usize, 0..3usize)
            .prop_map(|(seat, refund, action, input)| Op::RefundAct { seat, refund, action, input }),
        2 => (s.clone(), 0..5usize, 0..6usize).prop_map(|(seat, reply, text)| Op::ReplySave { seat, reply, text }),
        1 => (s.clone(), 0..5usize).prop_map(|(seat, reply)| Op::ReplyDelete { seat, reply }),
        1 => (s.clone(), 0..5usize, 0..6usize).prop_map(|(seat, reply, order)| Op::ReplyUse { seat, reply, order }),
        1 => (s.clone(), 0..6usize, any::<bool>()).prop_map(|(seat, order, exchange)| Op::OpenCase { seat, order, exchange }),
        2 => (s.clone(), 0..6usize, 0..4usize).prop_map(|(seat, case, channel)| Op::CaseContact { seat, case, channel }),
        2 => (s.clone(), 0..6usize, 0..8usize).prop_map(|(seat, case, action)| Op::CaseAct { seat, case, action }),
        1 => (s.clone(), 0..6usize, 0..6usize).prop_map(|(seat, case, text)| Op::CaseRegister { seat, case, text }),
        3 => (s.clone(), 0..4usize).prop_map(|(seat, conflict)| Op::Resolve { seat, conflict }),
        1 => (s.clone(), 0..6usize).prop_map(|(seat, value)| Op::Setting { seat, value }),
        1 => (s.clone(), 0..6usize, 0..5usize, prop::option::of(0..6usize))
            .prop_map(|(seat, order, status, flag)| Op::PlatformOrder { seat, order, status, flag }),
        1 => (s.clone(), 0..8usize, 0..6usize).prop_map(|(seat, refund, state)| Op::RefundSynced { seat, refund, state }),
        1 => (s.clone(), 0..6usize, 0..6usize).prop_map(|(seat, case, text)| Op::CaseEdit { seat, case, text }),
        4 => (s.clone(), any::<bool>()).prop_map(|(seat, since_last)| Op::Export { seat, since_last }),
        5 => (s, 0..64usize).prop_map(|(seat, file)| Op::Import { seat, file }),
        1 => Just(Op::Pause),
    ]
}

fn t(s: &str) -> chrono::NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

fn orders() -> Vec<OrderRecord> {
    ORDERS
        .iter()
        .map(|(no, status)| OrderRecord {
            order_no: (*no).into(),
            buyer: format!("buyer{no}"),
            receiver_name: "李雷".into(),
            status: (*status).into(),
            amount_fen: 12900,
            paid_at: Some(t("2026-06-26 10:00:00")),
            created_at: Some(t("2026-06-26 09:58:00")),
            title: "纯棉T恤".into(),
            ..Default::default()
        })
        .collect()
}

fn refund(no: &str, order: &str, no_reason: bool) -> RefundRecord {
    RefundRecord {
        refund_no: no.into(),
        order_no: order.into(),
        amount_fen: 6000,
        reason: "尺码不合适".into(),
        needs_return: true,
        no_reason_7d: no_reason,
        ..Default::default()
    }
}

fn input(i: usize) -> ActionInput {
    match i {
        0 => ActionInput {
            note: "金额不对,请修改后再申请".into(),
            days: Some(5),
            tracking_no: "YT1234567".into(),
            courier: "圆通".into(),
        },
        1 => ActionInput::default(),
        _ => ActionInput { note: "x".into(), days: Some(4), ..Default::default() },
    }
}

struct World {
    dir: tempfile::TempDir,
    seats: Vec<Store>,
    pool: Vec<PathBuf>,
}

/// A seat whose clock runs `hours` off.
fn seat(name: &str, hours: i64) -> Store {
    let mut s = Store::open_in_memory(Actor::new(format!("客服{name}"), name)).unwrap();
    s.set_clock(Clock::system().skewed(Duration::hours(hours)));
    // Each seat signs with its own key: every file carries signed heads, every import
    // checks them and pins the seats it sees.
    let seed = [name.as_bytes()[name.len() - 1]; 32];
    s.use_key(kefu::domain::seat_id::SeatKey::from_seed(&seed), name).unwrap();
    s
}

/// How far a seat's clock is off, in hours: right, hours either way, or a year ahead.
fn skew() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0i64), 6 => -30i64..=30, 1 => Just(24 * 365)]
}

impl World {
    /// Three seats whose clocks are `skews` hours off.
    fn new(skews: [i64; 3]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let mut seats: Vec<Store> = SEATS.iter().zip(skews).map(|(s, h)| seat(s, h)).collect();
        // The base: seat a has the orders, two refunds, a reply and a bad review.
        let a = &mut seats[0];
        a.record(EventBody::OrdersUpserted { source: "base".into(), orders: orders() }).unwrap();
        a.refund_new(refund("R-base-1", "2603", false)).unwrap();
        a.refund_new(refund("R-base-2", "2605", true)).unwrap();
        a.reply_save(None, "hi", "亲,在的哦", "通用").unwrap();
        let review =
            BadReviewDetail { level: ReviewLevel::Negative, review_text: "发货太慢".into(), ..Default::default() };
        a.open_case("2605", CaseDetail::BadReview(review), Registration::default()).unwrap();
        let base = dir.path().join("base.kefusync");
        sync::export(a, &base, Scope::All).unwrap();
        // Seat b starts from the base, and its later `--since-last` files lack it; seat
        // c starts empty and gets the base whenever it happens to import it — until
        // then others' work reaches it before the orders, refunds and cases it is about.
        sync::import(&mut seats[1], &base).unwrap();
        let b0 = dir.path().join("b0.kefusync");
        sync::export(&mut seats[1], &b0, Scope::SinceLast).unwrap();
        World { dir, seats, pool: vec![base, b0] }
    }

    fn file(&self, tag: &str) -> PathBuf {
        self.dir.path().join(format!("{}-{tag}.kefusync", self.pool.len()))
    }

    fn run(&mut self, op: &Op) {
        let seat = match op {
            Op::Pause => {
                std::thread::sleep(std::time::Duration::from_millis(2));
                return;
            }
            Op::Memo { seat, .. }
            | Op::Flag { seat, .. }
            | Op::RefundNew { seat, .. }
            | Op::RefundAct { seat, .. }
            | Op::ReplySave { seat, .. }
            | Op::ReplyDelete { seat, .. }
            | Op::ReplyUse { seat, .. }
            | Op::OpenCase { seat, .. }
            | Op::CaseContact { seat, .. }
            | Op::CaseAct { seat, .. }
            | Op::CaseRegister { seat, .. }
            | Op::Resolve { seat, .. }
            | Op::Setting { seat, .. }
            | Op::PlatformOrder { seat, .. }
            | Op::RefundSynced { seat, .. }
            | Op::CaseEdit { seat, .. }
            | Op::Export { seat, .. }
            | Op::Import { seat, .. } => *seat,
        };
        match op {
            Op::Export { since_last, .. } => {
                let path = self.file(SEATS[seat]);
                let scope = if *since_last { Scope::SinceLast } else { Scope::All };
                sync::export(&mut self.seats[seat], &path, scope).unwrap();
                self.pool.push(path);
                return;
            }
            Op::Import { file, .. } => {
                let path = self.pool[file % self.pool.len()].clone();
                sync::import(&mut self.seats[seat], &path).unwrap();
                return;
            }
            _ => {}
        }
        let s = &mut self.seats[seat];
        let before = s.event_count().unwrap();
        // A refused change must leave nothing behind; an accepted one is recorded.
        let outcome: Result<bool, String> = act(s, op).map_err(|e| e.to_string());
        let after = s.event_count().unwrap();
        // A change made here takes effect, whatever the events imported before say
        // about their times (each seat's clock is off by its own amount).
        match (op, &outcome) {
            (Op::Flag { order, flag, .. }, Ok(true)) => {
                assert_eq!(s.queue_row(ORDERS[*order].0).unwrap().unwrap().flag, Flag::ALL[*flag], "{op:?}");
            }
            (Op::Memo { order, text, .. }, Ok(true)) => {
                assert_eq!(s.queue_row(ORDERS[*order].0).unwrap().unwrap().memo_last, TEXTS[*text], "{op:?}");
            }
            _ => {}
        }
        match outcome {
            Ok(true) => assert!(after > before, "{op:?} succeeded without an event"),
            Ok(false) => assert_eq!(after, before),
            Err(e) => assert_eq!(after, before, "{op:?} was refused ({e}) but left events"),
        }
    }
}

/// One seat's operation through the store's public API (the CLI and panes use these).
/// Ok(false): nothing there to act on.
fn act(s: &mut Store, op: &Op) -> kefu::store::Result<bool> {
    let pick = |n: usize, len: usize| if len == 0 { None } else { Some(n % len) };
    match *op {
        Op::Memo { order, text, .. } => s.add_memo(ORDERS[order].0, TEXTS[text], MemoKind::Note).map(|_| true),
        Op::Flag { order, flag, .. } => s.set_flag(ORDERS[order].0, Flag::ALL[flag]).map(|_| true),
        Op::RefundNew { order, no, no_reason, .. } => {
            s.refund_new(refund(&format!("R{no}"), ORDERS[order].0, no_reason)).map(|_| true)
        }
        Op::RefundAct { refund, action, input: i, .. } => {
            let refunds = s.refunds(None, 100)?;
            let Some(r) = pick(refund, refunds.len()) else { return Ok(false) };
            let action = RefundAction::ALL[action % RefundAction::ALL.len()];
            s.refund_act(&refunds[r].refund_no.clone(), action, input(i)).map(|_| true)
        }
        Op::ReplySave { reply, text, .. } => {
            let replies = s.replies()?;
            // Past the end: a new phrase.
            let id = replies.get(reply).map(|r| r.reply_id.clone());
            s.reply_save(id.as_deref(), &format!("c{reply}"), TEXTS[text], "通用").map(|_| true)
        }
        Op::ReplyDelete { reply, .. } => {
            let replies = s.replies()?;
            let Some(r) = pick(reply, replies.len()) else { return Ok(false) };
            s.reply_delete(&replies[r].reply_id.clone()).map(|_| true)
        }
        Op::ReplyUse { reply, order, .. } => {
            let replies = s.replies()?;
            let Some(r) = pick(reply, replies.len()) else { return Ok(false) };
            s.reply_used(&replies[r].reply_id.clone(), Some(ORDERS[order].0)).map(|_| true)
        }
        Op::OpenCase { order, exchange, .. } => {
            let detail = if exchange {
                CaseDetail::Exchange(ExchangeDetail {
                    reason: "尺码偏小".into(),
                    want: "L".into(),
                    ..Default::default()
                })
            } else {
                CaseDetail::BadReview(BadReviewDetail {
                    level: ReviewLevel::Neutral,
                    review_text: "一般般".into(),
                    ..Default::default()
                })
            };
            s.open_case(ORDERS[order].0, detail, Registration::default()).map(|_| true)
        }
        Op::CaseContact { case, channel, .. } => {
            let cases = s.cases(None, true, 100)?;
            let Some(c) = pick(case, cases.len()) else { return Ok(false) };
            s.case_contact(&cases[c].case_id.clone(), Channel::ALL[channel], "买家答应改评").map(|_| true)
        }
        Op::CaseAct { case, action, .. } => {
            let cases = s.cases(None, true, 100)?;
            let Some(c) = pick(case, cases.len()) else { return Ok(false) };
            s.case_act(&cases[c].case_id.clone(), CaseAction::ALL[action % CaseAction::ALL.len()], "").map(|_| true)
        }
        Op::CaseRegister { case, text, .. } => {
            let cases = s.cases(None, true, 100)?;
            let Some(c) = pick(case, cases.len()) else { return Ok(false) };
            let reg = Registration { status: TEXTS[text].into(), ..Default::default() };
            s.case_register(&cases[c].case_id.clone(), reg).map(|_| true)
        }
        Op::Resolve { conflict, .. } => {
            let conflicts = s.conflicts(None)?;
            let Some(c) = pick(conflict, conflicts.len()) else { return Ok(false) };
            s.resolve_conflict(&conflicts[c].event_id.clone(), "已与买家确认").map(|_| true)
        }
        Op::Setting { value, .. } => s.set_setting("shop.greeting", TEXTS[value]).map(|_| true),
        Op::PlatformOrder { order, status, flag, .. } => {
            let statuses = [
                OrderStatus::WaitSellerSendGoods,
                OrderStatus::WaitBuyerConfirmGoods,
                OrderStatus::TradeFinished,
                OrderStatus::TradeClosed,
                OrderStatus::SellerConsignedPart,
            ];
            let mut o = orders().swap_remove(order);
            o.status = statuses[status].into();
            o.platform_flag = flag.map(|f| Flag::ALL[f]);
            o.tracking_no = format!("SF{status}{order}");
            s.record(EventBody::OrdersUpserted { source: "平台导出".into(), orders: vec![o] }).map(|_| true)
        }
        Op::RefundSynced { refund, state, .. } => {
            let refunds = s.refunds(None, 100)?;
            let Some(r) = pick(refund, refunds.len()) else { return Ok(false) };
            let r = &refunds[r];
            let mut record = self::refund(&r.refund_no, &r.order_no, r.no_reason_7d);
            record.state = kefu::domain::refund::RefundState::ALL[state];
            record.shipped = r.shipped;
            s.record(EventBody::RefundSynced { refund: record }).map(|_| true)
        }
        Op::CaseEdit { case, text, .. } => {
            let cases = s.cases(None, true, 100)?;
            let Some(c) = pick(case, cases.len()) else { return Ok(false) };
            let detail = match &cases[c].detail {
                CaseDetail::Exchange(x) => {
                    CaseDetail::Exchange(ExchangeDetail { want: TEXTS[text].into(), ..x.clone() })
                }
                CaseDetail::BadReview(b) => {
                    CaseDetail::BadReview(BadReviewDetail { remedy: TEXTS[text].into(), ..b.clone() })
                }
                other => other.clone(),
            };
            s.case_edit_detail(&cases[c].case_id.clone(), detail).map(|_| true)
        }
        Op::Export { .. } | Op::Import { .. } | Op::Pause => unreachable!(),
    }
}

fn diff(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).copied().unwrap_or("∅"), lb.get(i).copied().unwrap_or("∅"));
        if x != y {
            out.push_str(&format!("line {i}:\n  - {x}\n  + {y}\n"));
            if out.len() > 4000 {
                break;
            }
        }
    }
    out
}

fn check_converged(w: &mut World, order_seed: usize) {
    // Everyone exports everything, then imports everyone else's final export.
    let finals: Vec<PathBuf> = (0..3)
        .map(|i| {
            let p = w.dir.path().join(format!("final-{i}.kefusync"));
            sync::export(&mut w.seats[i], &p, Scope::All).unwrap();
            p
        })
        .collect();
    for i in 0..3 {
        for (j, f) in finals.iter().enumerate() {
            if i != j {
                sync::import(&mut w.seats[i], f).unwrap();
            }
        }
    }
    let ids0 = w.seats[0].event_ids().unwrap();
    if std::env::var_os("SYNC_PROP_STATS").is_some() {
        let s = &w.seats[0];
        let count =
            |t: &str| -> i64 { s.conn().query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap() };
        eprintln!(
            "events {} files {} conflicts {} resolved {} refunds {} cases {} contacts {} replies {} history {} memos {}",
            ids0.len(),
            w.pool.len(),
            count("conflicts"),
            count("conflict_resolutions"),
            count("refunds"),
            count("cases"),
            count("case_contacts"),
            count("replies"),
            count("reply_history"),
            count("memo_lines")
        );
    }
    let dump0 = w.seats[0].projection_dump().unwrap();
    let conflicts0 = w.seats[0].conflicts(None).unwrap();
    for (i, s) in w.seats.iter().enumerate().skip(1) {
        assert_eq!(s.event_ids().unwrap(), ids0, "{} lacks events or has extra", SEATS[i]);
        let dump = s.projection_dump().unwrap();
        assert!(dump == dump0, "{} differs from {}:\n{}", SEATS[i], SEATS[0], diff(&dump0, &dump));
        assert_eq!(s.conflicts(None).unwrap(), conflicts0, "{} sees other conflicts", SEATS[i]);
    }
    // The incrementally maintained tables are exactly a full replay of the log.
    for (i, s) in w.seats.iter_mut().enumerate() {
        s.rebuild().unwrap();
        let dump = s.projection_dump().unwrap();
        assert!(dump == dump0, "{} after rebuild differs:\n{}", SEATS[i], diff(&dump0, &dump));
    }
    // A newcomer (its clock 3 hours behind) importing every file ever written, in
    // another order, agrees too.
    let mut fresh = seat("seat-new", -3);
    let mut files: Vec<&Path> = w.pool.iter().chain(&finals).map(|p| p.as_path()).collect();
    let n = files.len();
    files.rotate_left(order_seed % n);
    files.reverse();
    for f in files {
        sync::import(&mut fresh, f).unwrap();
    }
    assert_eq!(fresh.event_ids().unwrap(), ids0);
    let dump = fresh.projection_dump().unwrap();
    assert!(dump == dump0, "a fresh seat differs:\n{}", diff(&dump0, &dump));
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES=1000 for a longer hunt.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    })]

    #[test]
    fn seats_converge_whatever_the_order_of_files(
        ops in prop::collection::vec(op(), 10..120),
        seed in 0..1000usize,
        skews in prop::array::uniform3(skew()),
    ) {
        let mut w = World::new(skews);
        for op in &ops {
            w.run(op);
        }
        check_converged(&mut w, seed);
    }
}

/// Seats acting on the same refunds between every sync: conflicts on purpose.
#[test]
fn concurrent_refund_actions_converge_with_their_conflicts() {
    let mut conflicts = 0;
    for round in 0..6 {
        let mut w = World::new([0, 5, -7]);
        for step in 0..12usize {
            for seat in 0..3 {
                w.run(&Op::RefundAct { seat, refund: step + round, action: (step * 3 + seat + round) % 8, input: 0 });
            }
            if step % 3 == 2 {
                for seat in 0..3 {
                    w.run(&Op::Export { seat, since_last: step % 2 == 0 });
                }
                for seat in 0..3 {
                    let n = w.pool.len();
                    w.run(&Op::Import { seat, file: n - 1 - (seat + 1) % 3 });
                }
            }
        }
        check_converged(&mut w, round);
        conflicts += w.seats[0].conflicts(None).unwrap().len();
    }
    assert!(conflicts > 0, "the scenario is meant to make conflicts");
}
