//! The hub under faults: the connection cut in the middle of a push and of a pull (by a
//! proxy the test controls, not by touching the shared server; and by
//! `pg_terminate_backend`), and many seats pushing and pulling at once.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod hub_support;

use kefu::domain::event::{Actor, EventBody, MemoKind};
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::hub::{self, HubUrl};
use kefu::store::Store;

fn store(seat: &str) -> Store {
    Store::open_in_memory(Actor::new(format!("客服{seat}"), seat)).unwrap()
}

/// An order and `memos` memos on it: 1 + memos events.
fn work(s: &mut Store, tag: &str, memos: usize) {
    let order = OrderRecord {
        order_no: format!("77{tag}"),
        buyer: "buyer".into(),
        receiver_name: "王芳".into(),
        status: OrderStatus::WaitSellerSendGoods.into(),
        amount_fen: 100,
        title: "卫衣".into(),
        ..Default::default()
    };
    s.record(EventBody::OrdersUpserted { source: "test".into(), orders: vec![order] }).unwrap();
    for i in 0..memos {
        s.add_memo(&format!("77{tag}"), &format!("第 {i} 次联系买家,已备注 {tag}"), MemoKind::Note).unwrap();
    }
}

fn hub_with(pg: &hub_support::TestPg, names: &[&str]) -> Vec<HubUrl> {
    hub::init(&pg.admin_url()).unwrap();
    names.iter().map(|n| HubUrl::parse(&hub::add_seat(&pg.admin_url(), n, false).unwrap().url).unwrap()).collect()
}

fn hub_count(pg: &hub_support::TestPg) -> (i64, i64) {
    let row = pg.admin_client().query_one("SELECT count(*), count(DISTINCT id) FROM kefu.events", &[]).unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn a_connection_cut_mid_push_and_mid_pull_loses_nothing_and_doubles_nothing() {
    let pg = pg_or_skip!("a_connection_cut_mid_push_and_mid_pull_loses_nothing_and_doubles_nothing");
    let urls = hub_with(&pg, &["a", "b"]);
    let proxy = hub_support::Proxy::start();
    let (mut a, mut b) = (store("seat-a"), store("seat-b"));
    work(&mut a, "1", 12_000);
    let total = a.event_count().unwrap();

    // Cut while the second batch of the push is on its way.
    proxy.cut_up_after(4_000_000);
    let e = hub::sync(&mut a, Some(&proxy.route(&urls[0]))).unwrap_err();
    proxy.heal();
    let (n, distinct) = hub_count(&pg);
    assert!(n > 0 && n < total, "cut half way ({n} of {total}): {e}");
    assert_eq!(n, distinct);
    let r = hub::sync(&mut a, Some(&urls[0])).unwrap();
    assert_eq!(r.pushed as i64, total - n, "the push resumes where the hub is");
    assert_eq!(hub_count(&pg), (total, total));

    // Cut while the pull is on its way: the local database is as it was.
    let before = b.projection_dump().unwrap();
    work(&mut b, "2", 3);
    let own = b.event_count().unwrap();
    let before_b = b.projection_dump().unwrap();
    assert_ne!(before, before_b);
    proxy.cut_down_after(2_000_000);
    let e = hub::sync(&mut b, Some(&proxy.route(&urls[1]))).unwrap_err();
    proxy.heal();
    assert!(e.to_string().contains("127.0.0.1"), "{e}");
    assert_eq!(b.event_count().unwrap(), own, "a failed pull applies nothing");
    assert_eq!(b.projection_dump().unwrap(), before_b);
    let r = hub::sync(&mut b, Some(&urls[1])).unwrap();
    assert_eq!(r.pulled as i64, total);
    hub::sync(&mut a, Some(&urls[0])).unwrap();
    assert_eq!(a.event_ids().unwrap(), b.event_ids().unwrap());
    assert_eq!(a.projection_dump().unwrap(), b.projection_dump().unwrap());
    assert_eq!(hub_count(&pg), (total + own, total + own));
}

#[test]
fn a_backend_terminated_mid_pull_leaves_the_local_database_unchanged() {
    let pg = pg_or_skip!("a_backend_terminated_mid_pull_leaves_the_local_database_unchanged");
    let urls = hub_with(&pg, &["a", "b"]);
    let (mut a, mut b) = (store("seat-a"), store("seat-b"));
    work(&mut a, "1", 12_000);
    hub::sync(&mut a, Some(&urls[0])).unwrap();
    let role_b = urls[1].user.clone().unwrap();
    // A killer that terminates seat b's backends as soon as it sees one running a query.
    let admin = pg.admin.clone();
    let killer = std::thread::spawn(move || {
        let mut c = hub_support::client(&admin).unwrap();
        for _ in 0..2000 {
            let n: i64 = c
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE usename = $1 AND state = 'active' AND query LIKE 'SELECT id, seat, seq%'",
                    &[&role_b],
                )
                .unwrap()
                .get(0);
            if n > 0 {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        false
    });
    let result = hub::sync(&mut b, Some(&urls[1]));
    let killed = killer.join().unwrap();
    if killed {
        let e = result.unwrap_err();
        assert!(e.to_string().contains("127.0.0.1"), "{e}");
        assert_eq!(b.event_count().unwrap(), 0, "a failed pull applies nothing");
    } else {
        eprintln!("the pull finished before the killer saw it: nothing to check but the result");
        result.unwrap();
    }
    hub::sync(&mut b, Some(&urls[1])).unwrap();
    assert_eq!(a.event_ids().unwrap(), b.event_ids().unwrap());
}

#[test]
fn five_seats_pushing_and_pulling_at_once_all_end_with_everything() {
    let pg = pg_or_skip!("five_seats_pushing_and_pulling_at_once_all_end_with_everything");
    let names = ["s0", "s1", "s2", "s3", "s4"];
    let urls = hub_with(&pg, &names);
    let handles: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = store(&format!("seat-{i}"));
                for round in 0..8 {
                    work(&mut s, &format!("{i}{round}"), 20 + i * 3);
                    hub::sync(&mut s, Some(&url)).unwrap();
                }
                s
            })
        })
        .collect();
    let mut seats: Vec<Store> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for (s, url) in seats.iter_mut().zip(&urls) {
        hub::sync(s, Some(url)).unwrap();
    }
    let ids = seats[0].event_ids().unwrap();
    let expected: usize = (0..5).map(|i| 8 * (21 + i * 3)).sum();
    assert_eq!(ids.len(), expected);
    let dump = seats[0].projection_dump().unwrap();
    for s in &seats[1..] {
        assert_eq!(s.event_ids().unwrap(), ids);
        assert_eq!(s.projection_dump().unwrap(), dump);
    }
    assert_eq!(hub_count(&pg), (expected as i64, expected as i64));
}
