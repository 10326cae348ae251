//! The seat screen at 1,000,000 orders and 100,000 replies, through the real runtime
//! (store worker, reader, search thread): a full 120×40 frame of the queue; a scroll
//! step (the next keyset page read on the store worker + a frame); `j` (the key through
//! `update`, then the frame the UI thread draws before any answer) and `j` until its
//! answers are in (the selected order's cases and reply values, read on the worker);
//! and a write end to end — `y` on "同意退款", the refund agreed on the worker, the case
//! view, list, queue row and counts read again, and the frame with the new state.
//! The database is built once and cached in /tmp by size.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use kefu::domain::clock::Clock;
use kefu::domain::event::RefundRecord;
use kefu::domain::event::{Actor, EventBody};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::store::Store;
use kefu::tui::Runtime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

const N: usize = 1_000_000;
const REPLIES: usize = 100_000;
/// Refunds waiting for the seller, one per order at the head of the queue (each agreed once).
const REFUNDS: usize = 400;
const BATCH: usize = 2000;

fn now() -> chrono::NaiveDateTime {
    kefu::domain::timefmt::parse_datetime("2026-06-28 10:00:00").unwrap()
}

fn order(i: usize) -> OrderRecord {
    let statuses = [
        OrderStatus::WaitSellerSendGoods,
        OrderStatus::WaitBuyerConfirmGoods,
        OrderStatus::TradeFinished,
        OrderStatus::WaitSellerSendGoods,
        OrderStatus::TradeFinished,
        OrderStatus::WaitBuyerPay,
    ];
    let status = statuses[i % statuses.len()];
    let paid = now() - chrono::Duration::minutes((i % (60 * 24 * 30)) as i64);
    let titles = ["2026秋冬新款连帽卫衣 加绒加厚", "纯棉T恤 white", "牛仔裤 直筒", "针织开衫 米白色 宽松"];
    let buyers = ["小王", "tb_abc", "李雷雷", "韩梅梅"];
    OrderRecord {
        order_no: format!("26{:010}", i),
        buyer: format!("{}{}", buyers[i % 4], i % 9973),
        receiver_name: "王芳".into(),
        receiver_phone: format!("138{:08}", i % 100_000_000),
        receiver_address: "浙江省 杭州市 西湖区 文三路 90 号".into(),
        status: status.into(),
        amount_fen: 8800 + (i % 50) as i64 * 100,
        paid_at: Some(paid),
        created_at: Some(paid),
        title: titles[i % 4].into(),
        items: vec![OrderItem {
            title: titles[i % 4].into(),
            sku: format!("{}", 100 + i % 50),
            color: "黑色".into(),
            size: "M".into(),
            qty: 1,
            price_fen: 8800,
        }],
        ..Default::default()
    }
}

fn db() -> PathBuf {
    let path = PathBuf::from(format!("/tmp/kefu-tui-bench-{N}-{REPLIES}.sqlite"));
    let ready = path.with_extension("ready");
    if ready.exists() {
        return path;
    }
    let _ = std::fs::remove_file(&path);
    let t = Instant::now();
    let mut s = Store::open(&path, Actor::new("bench", "seat-bench")).unwrap();
    s.write(|w| {
        for start in (0..N).step_by(BATCH) {
            let orders = (start..(start + BATCH).min(N)).map(order).collect();
            w.record(EventBody::OrdersUpserted { source: "bench".into(), orders })?;
        }
        Ok(())
    })
    .unwrap();
    for i in (0..N).step_by(997) {
        s.set_flag(&format!("26{:010}", i), Flag::ALL[1 + i % 5]).unwrap();
    }
    let words = ["亲", "运费险", "七天无理由", "退款", "换货", "尺码", "发货", "顺丰", "申通", "颜色"];
    s.write(|w| {
        for i in 0..REPLIES {
            let text = format!("亲,{}{}的问题请看这里呢 {i}", words[i % 10], words[(i / 10) % 10]);
            w.record(EventBody::ReplySaved {
                reply_id: format!("reply-{i:06}"),
                code: format!("q{i}"),
                text,
                group: format!("组{}", i % 40),
            })?;
        }
        Ok(())
    })
    .unwrap();
    std::fs::write(&ready, "").unwrap();
    eprintln!("built {N}-order database in {:?}", t.elapsed());
    path
}

/// A copy of the cached database with fresh refunds to agree (the cache stays untouched).
fn db_with_refunds() -> (tempfile::TempDir, PathBuf) {
    let src = db();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kefu.sqlite");
    std::fs::copy(&src, &path).unwrap();
    let mut s = Store::open(&path, Actor::new("bench", "seat-bench")).unwrap();
    s.set_clock(Clock::fixed(now()));
    let rows = s.queue_page(kefu::store::orders::QueueView::All, now(), None, REFUNDS).unwrap();
    for (i, r) in rows.iter().enumerate() {
        s.refund_new(RefundRecord {
            refund_no: format!("B{i:04}"),
            order_no: r.order_no.clone(),
            amount_fen: 100,
            reason: "尺码不合适".into(),
            needs_return: true,
            ..Default::default()
        })
        .unwrap();
    }
    (dir, path)
}

fn runtime(path: &std::path::Path) -> Runtime {
    let mut store = Store::open(path, Actor::new("宾", "seat-bench")).unwrap();
    store.set_clock(Clock::fixed(now()));
    let mut rt = Runtime::new(store).unwrap();
    assert!(rt.settle_within(Duration::from_secs(120)), "the start-up reads and the 100k reply index");
    rt
}

fn key(rt: &mut Runtime, c: KeyCode) {
    rt.key(KeyEvent::from(c));
}

fn bench(c: &mut Criterion) {
    let path = db();
    let mut rt = runtime(&path);
    assert_eq!(rt.queue_orders().len(), 100);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();

    c.bench_function("queue frame 120x40 at 1M orders", |b| {
        b.iter(|| {
            term.draw(|f| rt.draw(f)).unwrap();
        });
    });

    // PgDn until the window needs the next page: the page is read on the store worker.
    c.bench_function("scroll step (PgDn, next keyset page on the worker, frame) at 1M orders", |b| {
        b.iter(|| {
            key(&mut rt, KeyCode::PageDown);
            rt.settle();
            term.draw(|f| rt.draw(f)).unwrap();
        });
    });

    let mut rt = runtime(&path);
    c.bench_function("key j (update) + frame at 1M orders, UI thread only", |b| {
        b.iter(|| {
            key(&mut rt, KeyCode::Char('j'));
            term.draw(|f| rt.draw(f)).unwrap();
        });
        rt.settle();
    });

    let mut rt = runtime(&path);
    c.bench_function("key j + its reads on the worker (cases, reply values) + frame at 1M orders", |b| {
        b.iter(|| {
            key(&mut rt, KeyCode::Char('j'));
            rt.settle();
            term.draw(|f| rt.draw(f)).unwrap();
        });
    });

    // A write end to end: each iteration agrees a fresh refund.
    let (_dir, with_refunds) = db_with_refunds();
    let mut rt = runtime(&with_refunds);
    let mut n = 0usize;
    c.bench_function("write: y on 同意退款 → worker → reads → frame at 1M orders", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                assert!(n < REFUNDS, "more iterations than refunds: raise REFUNDS");
                // Open the refund's case view (not timed): select its order, ②, Enter, Enter.
                if n > 0 {
                    key(&mut rt, KeyCode::Char('1'));
                    key(&mut rt, KeyCode::Char('j'));
                }
                rt.settle();
                key(&mut rt, KeyCode::Char('2'));
                key(&mut rt, KeyCode::Enter);
                rt.settle();
                key(&mut rt, KeyCode::Enter);
                rt.settle();
                let t = Instant::now();
                key(&mut rt, KeyCode::Char('y'));
                rt.settle();
                term.draw(|f| rt.draw(f)).unwrap();
                total += t.elapsed();
                assert!(rt.message().is_some_and(|(m, e)| !e && m.contains("同意退款 →")), "{:?}", rt.message());
                key(&mut rt, KeyCode::Esc);
                n += 1;
            }
            total
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = bench
}
criterion_main!(benches);
