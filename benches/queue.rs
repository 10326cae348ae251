//! The order queue at 1,000,000 orders: the first page, a page deep in the queue (keyset,
//! never OFFSET), the overdue filter, a flag filter, order search and the status-bar
//! counts. `KEFU_BENCH_ORDERS` sets the size; the database is cached in the temp dir.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use kefu::domain::event::{Actor, EventBody};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::store::Store;
use kefu::store::orders::QueueView;

fn size() -> usize {
    std::env::var("KEFU_BENCH_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

/// A deterministic spread of orders over 30 days: a third still to ship.
fn order(i: usize) -> OrderRecord {
    let base = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let paid = base + Duration::minutes(((i * 7919) % (30 * 24 * 60)) as i64);
    let status = match i % 6 {
        0 | 1 => OrderStatus::WaitSellerSendGoods,
        2 => OrderStatus::WaitBuyerConfirmGoods,
        3 | 4 => OrderStatus::TradeFinished,
        _ => OrderStatus::TradeClosed,
    };
    OrderRecord {
        order_no: format!("26{:016}", i * 37 + 11),
        buyer: format!("tb_买家{}", i % 50_000),
        receiver_name: format!("王{}", i % 977),
        receiver_phone: format!("138{:08}", i % 100_000_000),
        receiver_address: "浙江省 杭州市 西湖区 文三路 90 号".into(),
        status: status.into(),
        amount_fen: 3900 + (i as i64 % 60_000),
        created_at: Some(paid),
        paid_at: Some(paid),
        tracking_no: if status.awaits_shipment() { String::new() } else { format!("77{:013}", i) },
        courier: "申通快递".into(),
        title: "2026秋冬新款韩版宽松加厚连帽卫衣女".into(),
        platform_flag: i.is_multiple_of(97).then_some(Flag::Yellow),
        items: vec![OrderItem {
            title: "连帽卫衣".into(),
            sku: format!("A{}", i % 300),
            color: "黑色".into(),
            size: "M".into(),
            qty: 1,
            price_fen: 3900,
        }],
        ..Default::default()
    }
}

fn database(n: usize) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kefu-bench-queue-{n}.sqlite"));
    if path.exists() {
        return path;
    }
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let started = Instant::now();
    let mut store = Store::open(&tmp, Actor::new("bench", "bench")).unwrap();
    store
        .write(|w| {
            for chunk in (0..n).collect::<Vec<_>>().chunks(2000) {
                w.record(EventBody::OrdersUpserted {
                    source: "bench".into(),
                    orders: chunk.iter().map(|i| order(*i)).collect(),
                })?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    std::fs::rename(&tmp, &path).unwrap();
    eprintln!("built {n} orders in {:.1}s", started.elapsed().as_secs_f64());
    path
}

fn queue(c: &mut Criterion) {
    let n = size();
    let store = Store::open(&database(n), Actor::new("bench", "bench")).unwrap();
    let now = NaiveDate::from_ymd_opt(2026, 6, 20).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let mut g = c.benchmark_group(format!("queue_{n}"));
    g.bench_function("first_page_50", |b| b.iter(|| store.queue_page(QueueView::All, now, None, 50).unwrap()));
    // A cursor deep in the queue: where a user who held PgDn for a while would be.
    let mut cursor = None;
    for _ in 0..200 {
        let page = store.queue_page(QueueView::All, now, cursor.as_ref(), 1000).unwrap();
        cursor = page.last().map(|r| r.cursor.clone());
    }
    let deep = cursor.expect("enough orders for a deep page");
    g.bench_function("deep_page_50", |b| b.iter(|| store.queue_page(QueueView::All, now, Some(&deep), 50).unwrap()));
    g.bench_function("page_up_50", |b| b.iter(|| store.queue_page_before(QueueView::All, now, &deep, 50).unwrap()));
    g.bench_function("overdue_page_50", |b| b.iter(|| store.queue_page(QueueView::Overdue, now, None, 50).unwrap()));
    g.bench_function("yellow_flag_page_50", |b| {
        b.iter(|| store.queue_page(QueueView::Flagged(Some(Flag::Yellow)), now, None, 50).unwrap())
    });
    g.bench_function("search_order_prefix", |b| b.iter(|| store.search_orders("2600000000001", 50).unwrap()));
    g.bench_function("search_buyer", |b| b.iter(|| store.search_orders("tb_买家4242", 50).unwrap()));
    g.bench_function("search_order_tail", |b| b.iter(|| store.search_orders("370011", 50).unwrap()));
    g.bench_function("detail", |b| b.iter(|| store.order_detail("260000000000000011").unwrap()));
    g.sample_size(10);
    g.bench_function("overdue_count", |b| b.iter(|| store.overdue_count(now).unwrap()));
    g.finish();
}

criterion_group!(benches, queue);
criterion_main!(benches);
