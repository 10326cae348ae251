//! The seat screen at 1,000,000 orders: a full frame of the queue (rendered to a
//! TestBackend from a keyset window) and a scroll step (fetch the next page + render).
//! The database is built once and cached in /tmp by size.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use kefu::domain::event::{Actor, EventBody};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::store::Store;
use kefu::tui::action::{Action, Fetch};
use kefu::tui::app::App;
use kefu::tui::counts::CountsSource;
use kefu::tui::panes::queue::PAGE;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const N: usize = 1_000_000;
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
    let path = PathBuf::from(format!("/tmp/kefu-tui-bench-{N}.sqlite"));
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
    std::fs::write(&ready, "").unwrap();
    eprintln!("built {N}-order database in {:?}", t.elapsed());
    path
}

fn app(path: &std::path::Path) -> App {
    let store = Store::open(path, Actor::new("宾", "seat-bench")).unwrap();
    App::new(store, Box::new(now), CountsSource::Inline).unwrap()
}

fn bench(c: &mut Criterion) {
    let path = db();
    let mut app = app(&path);
    assert_eq!(app.queue.rows().len(), PAGE);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();

    c.bench_function("queue frame 120x40 at 1M orders", |b| {
        b.iter(|| {
            term.draw(|f| kefu::tui::ui::draw(f, &app)).unwrap();
        });
    });

    c.bench_function("scroll step (next keyset page + frame) at 1M orders", |b| {
        b.iter(|| {
            let last = app.queue.rows().last().map(|r| r.cursor.clone());
            let (_, at_end) = app.queue.window_edges();
            match last {
                Some(cursor) if !at_end => app.dispatch(Action::QueueFetch(Fetch::After(cursor))),
                _ => app.dispatch(Action::QueueFetch(Fetch::Top)),
            }
            term.draw(|f| kefu::tui::ui::draw(f, &app)).unwrap();
        });
    });

    let mut app = self::app(&path);
    c.bench_function("key j (move, prefetch when near the edge) + frame at 1M orders", |b| {
        b.iter(|| {
            app.handle_key(ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Char('j')));
            term.draw(|f| kefu::tui::ui::draw(f, &app)).unwrap();
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = bench
}
criterion_main!(benches);
