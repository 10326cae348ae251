//! The hub property: five seats do random work (memos, flags, refunds and their
//! actions, replies, bad reviews and exchanges with contacts) and sync through one hub
//! in random interleavings — some syncs cut off half way (the connection dropped while
//! pushing or pulling), some seats trading files besides (so events arrive twice, by
//! both roads, and a seat's series can have gaps). When everyone has synced:
//!
//! * every seat has every event, and the hub has each exactly once,
//! * every seat's tables are identical (`projection_dump`), conflicts included,
//! * and equal to a database that got everything by file sync instead.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod hub_support;

use kefu::domain::case::{BadReviewDetail, CaseDetail, Channel, ExchangeDetail, Registration, ReviewLevel};
use kefu::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction};
use kefu::hub::{self, HubUrl};
use kefu::store::Store;
use kefu::sync::{self, Scope};
use proptest::prelude::*;

const SEATS: usize = 5;
const ORDERS: [&str; 4] = ["3601", "3602", "3603", "3604"];
const TEXTS: [&str; 4] = ["买家要求改地址", "缺货,等待到货", "已联系快递", "好的亲"];

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
    },
    RefundAct {
        seat: usize,
        refund: usize,
        action: usize,
    },
    Reply {
        seat: usize,
        text: usize,
    },
    OpenCase {
        seat: usize,
        order: usize,
        exchange: bool,
    },
    Contact {
        seat: usize,
        case: usize,
        channel: usize,
    },
    Sync {
        seat: usize,
    },
    /// A sync whose connection is cut after this many bytes up (push) or down (pull).
    CutSync {
        seat: usize,
        bytes: u64,
        push: bool,
    },
    /// Seat `from`'s export imported by seat `to`.
    File {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let s = 0..SEATS;
    prop_oneof![
        3 => (s.clone(), 0..4usize, 0..4usize).prop_map(|(seat, order, text)| Op::Memo { seat, order, text }),
        2 => (s.clone(), 0..4usize, 0..6usize).prop_map(|(seat, order, flag)| Op::Flag { seat, order, flag }),
        1 => (s.clone(), 0..4usize, 0..3usize).prop_map(|(seat, order, no)| Op::RefundNew { seat, order, no }),
        4 => (s.clone(), 0..4usize, 0..8usize).prop_map(|(seat, refund, action)| Op::RefundAct { seat, refund, action }),
        1 => (s.clone(), 0..4usize).prop_map(|(seat, text)| Op::Reply { seat, text }),
        1 => (s.clone(), 0..4usize, any::<bool>()).prop_map(|(seat, order, exchange)| Op::OpenCase { seat, order, exchange }),
        2 => (s.clone(), 0..4usize, 0..4usize).prop_map(|(seat, case, channel)| Op::Contact { seat, case, channel }),
        5 => s.clone().prop_map(|seat| Op::Sync { seat }),
        2 => (s.clone(), 200u64..6000, any::<bool>()).prop_map(|(seat, bytes, push)| Op::CutSync { seat, bytes, push }),
        1 => (s.clone(), s).prop_map(|(from, to)| Op::File { from, to }),
    ]
}

fn orders() -> Vec<OrderRecord> {
    let t = |s: &str| kefu::domain::timefmt::parse_datetime(s).unwrap();
    ORDERS
        .iter()
        .map(|no| OrderRecord {
            order_no: (*no).into(),
            buyer: format!("buyer{no}"),
            receiver_name: "李雷".into(),
            status: OrderStatus::WaitBuyerConfirmGoods.into(),
            amount_fen: 12900,
            paid_at: Some(t("2026-06-26 10:00:00")),
            created_at: Some(t("2026-06-26 09:58:00")),
            title: "纯棉T恤".into(),
            ..Default::default()
        })
        .collect()
}

fn act(s: &mut Store, op: &Op) -> kefu::store::Result<()> {
    let pick = |n: usize, len: usize| if len == 0 { None } else { Some(n % len) };
    match *op {
        Op::Memo { order, text, .. } => s.add_memo(ORDERS[order], TEXTS[text], MemoKind::Note),
        Op::Flag { order, flag, .. } => s.set_flag(ORDERS[order], Flag::ALL[flag]),
        Op::RefundNew { order, no, .. } => s
            .refund_new(RefundRecord {
                refund_no: format!("R{no}"),
                order_no: ORDERS[order].into(),
                amount_fen: 6000,
                reason: "尺码不合适".into(),
                needs_return: true,
                ..Default::default()
            })
            .map(|_| ()),
        Op::RefundAct { refund, action, .. } => {
            let refunds = s.refunds(None, 100)?;
            let Some(r) = pick(refund, refunds.len()) else { return Ok(()) };
            let input = ActionInput { note: "已核实".into(), days: Some(5), ..Default::default() };
            let action = RefundAction::ALL[action % RefundAction::ALL.len()];
            s.refund_act(&refunds[r].refund_no.clone(), action, input).map(|_| ())
        }
        Op::Reply { text, .. } => s.reply_save(None, &format!("c{text}"), TEXTS[text], "通用").map(|_| ()),
        Op::OpenCase { order, exchange, .. } => {
            let detail = if exchange {
                CaseDetail::Exchange(ExchangeDetail {
                    reason: "尺码偏小".into(),
                    want: "L".into(),
                    ..Default::default()
                })
            } else {
                CaseDetail::BadReview(BadReviewDetail {
                    level: ReviewLevel::Negative,
                    review_text: "发货太慢".into(),
                    ..Default::default()
                })
            };
            s.open_case(ORDERS[order], detail, Registration::default()).map(|_| ())
        }
        Op::Contact { case, channel, .. } => {
            let cases = s.cases(None, true, 100)?;
            let Some(c) = pick(case, cases.len()) else { return Ok(()) };
            s.case_contact(&cases[c].case_id.clone(), Channel::ALL[channel % Channel::ALL.len()], "买家答应改评")
                .map(|_| ())
        }
        _ => Ok(()),
    }
}

fn run(ops: &[Op]) {
    let Some(pg) = hub_support::pg("hub_prop") else { return };
    hub::init(&pg.admin_url()).unwrap();
    let urls: Vec<HubUrl> = (0..SEATS)
        .map(|i| HubUrl::parse(&hub::add_seat(&pg.admin_url(), &format!("p{i}"), false).unwrap().url).unwrap())
        .collect();
    let proxy = hub_support::Proxy::start();
    let dir = tempfile::tempdir().unwrap();
    let mut seats: Vec<Store> = (0..SEATS)
        .map(|i| Store::open_in_memory(Actor::new(format!("客服{i}"), format!("seat-{i}"))).unwrap())
        .collect();
    seats[0].record(EventBody::OrdersUpserted { source: "base".into(), orders: orders() }).unwrap();
    hub::sync(&mut seats[0], Some(&urls[0])).unwrap();
    let mut files = 0;
    for op in ops {
        match *op {
            Op::Sync { seat } => {
                hub::sync(&mut seats[seat], Some(&urls[seat])).unwrap();
            }
            Op::CutSync { seat, bytes, push } => {
                if push {
                    proxy.cut_up_after(bytes);
                } else {
                    proxy.cut_down_after(bytes);
                }
                let before = seats[seat].event_count().unwrap();
                let r = hub::sync(&mut seats[seat], Some(&proxy.route(&urls[seat])));
                proxy.heal();
                if r.is_err() && !push {
                    // A pull that failed half way applied nothing (a push may have gone through first).
                    assert_eq!(seats[seat].event_count().unwrap(), before);
                }
            }
            Op::File { from, to } => {
                files += 1;
                let path = dir.path().join(format!("f{files}.kefusync"));
                sync::export(&mut seats[from], &path, Scope::SinceLast).unwrap();
                sync::import(&mut seats[to], &path).unwrap();
            }
            ref work => {
                let seat = match work {
                    Op::Memo { seat, .. }
                    | Op::Flag { seat, .. }
                    | Op::RefundNew { seat, .. }
                    | Op::RefundAct { seat, .. }
                    | Op::Reply { seat, .. }
                    | Op::OpenCase { seat, .. }
                    | Op::Contact { seat, .. } => *seat,
                    _ => unreachable!(),
                };
                let _ = act(&mut seats[seat], work);
            }
        }
    }
    // Everyone pushes, then everyone pulls.
    for (s, url) in seats.iter_mut().zip(&urls) {
        hub::sync(s, Some(url)).unwrap();
    }
    for (s, url) in seats.iter_mut().zip(&urls) {
        hub::sync(s, Some(url)).unwrap();
    }
    let ids = seats[0].event_ids().unwrap();
    let dump = seats[0].projection_dump().unwrap();
    for (i, s) in seats.iter().enumerate().skip(1) {
        assert_eq!(s.event_ids().unwrap(), ids, "seat {i} has other events");
        assert_eq!(s.projection_dump().unwrap(), dump, "seat {i} has other tables");
    }
    let row = pg.admin_client().query_one("SELECT count(*), count(DISTINCT id) FROM kefu.events", &[]).unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (ids.len() as i64, ids.len() as i64));
    // The same events by file sync: one seat's files, in seat order.
    let mut by_file = Store::open_in_memory(Actor::new("主管", "seat-file")).unwrap();
    for (i, s) in seats.iter_mut().enumerate().rev() {
        let path = dir.path().join(format!("final-{i}.kefusync"));
        sync::export(s, &path, Scope::All).unwrap();
        sync::import(&mut by_file, &path).unwrap();
    }
    assert_eq!(by_file.event_ids().unwrap(), ids);
    assert_eq!(by_file.projection_dump().unwrap(), dump);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn five_seats_through_one_hub_end_identical(ops in prop::collection::vec(op(), 20..70)) {
        run(&ops);
    }
}
