//! The hub at scale, on the test server (`KEFU_TEST_PG`, see tests/hub_support):
//! `cargo bench --bench hub [push|live|first]`.
//!
//! * push: 50 seats push 2,000 events each into one hub at once, then each pulls
//!   everything — total time and events/s, beside `pgbench`'s insert rate on the same
//!   server in the same run (50 clients, one ~400-byte row per transaction) as a ratio.
//! * live: a write on one seat → in another seat's database (what its screen reads), p50
//!   and p99 over 1,000 writes, through the live sync threads the seat screen runs
//!   (push on write, LISTEN/NOTIFY, pull). Goal p99 ≤ 1 s.
//! * first: a new seat's first pull of 1,000,000 events (`kefu hub sync`, every event's
//!   hash and chain verified): time and the process's peak memory. Goal ≤ 30 s.
//!
//! Sizes: KEFU_BENCH_HUB_SEATS, KEFU_BENCH_HUB_EVENTS, KEFU_BENCH_HUB_WRITES,
//! KEFU_BENCH_HUB_PULL.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

#[path = "../tests/hub_support/mod.rs"]
mod hub_support;

use std::path::Path;
use std::time::{Duration, Instant};

use kefu::domain::event::{Actor, EventBody, MemoKind};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::hub::live::{Live, LiveOptions, LiveUpdate};
use kefu::hub::{self, Hub, HubUrl};
use kefu::store::Store;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// `n` events of `seat` (orders, then memos and flags on them), in batches.
fn fill(s: &mut Store, tag: &str, n: usize) {
    let orders = 200.min(n.max(1));
    let paid = kefu::domain::timefmt::parse_datetime("2026-06-27 09:00:00");
    s.record(EventBody::OrdersUpserted {
        source: "bench".into(),
        orders: (0..orders)
            .map(|i| OrderRecord {
                order_no: format!("{tag}{i:06}"),
                buyer: format!("买家{i}"),
                receiver_name: "王芳".into(),
                status: OrderStatus::WaitSellerSendGoods.into(),
                amount_fen: 8800,
                paid_at: paid,
                created_at: paid,
                title: "2026秋冬新款连帽卫衣".into(),
                ..Default::default()
            })
            .collect(),
    })
    .unwrap();
    let mut done = 1;
    while done < n {
        let batch = (n - done).min(50_000);
        s.write(|w| {
            for i in done..done + batch {
                let order_no = format!("{tag}{:06}", i % orders);
                w.record(if i % 4 == 0 {
                    EventBody::FlagSet { order_no, flag: Flag::ALL[i % 6] }
                } else {
                    EventBody::MemoAdded {
                        order_no,
                        text: format!("6-28联系工号{}催件,派件中 宾", 800 + i % 100),
                        memo_kind: MemoKind::Tracking,
                    }
                })?;
            }
            Ok(())
        })
        .unwrap();
        done += batch;
    }
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// pgbench on the same server: `clients` clients inserting one row each per
/// transaction for `secs` seconds. Rows per second.
fn pgbench(pg: &hub_support::TestPg, clients: usize, secs: u64) -> Option<f64> {
    let url = pg.admin_url();
    pg.admin_client()
        .batch_execute("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, seat int NOT NULL, payload text NOT NULL)")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("insert.sql");
    std::fs::write(&script, "INSERT INTO bench_rows (seat, payload) VALUES (:client_id, repeat('备注', 60));\n")
        .unwrap();
    let out = std::process::Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string(), "-j", "2", "-T", &secs.to_string(), "-f"])
        .arg(&script)
        .args(["-h", &url.host, "-p", &url.port.to_string(), "-U", url.user.as_deref().unwrap_or("postgres")])
        .arg(&url.dbname)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.trim_start_matches("tps = ").split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok());
    if tps.is_none() {
        eprintln!("pgbench gave no rate: {}{}", text, String::from_utf8_lossy(&out.stderr));
    }
    tps
}

fn push_bench(pg: &hub_support::TestPg) {
    let seats = env("KEFU_BENCH_HUB_SEATS", 50);
    let per = env("KEFU_BENCH_HUB_EVENTS", 2_000);
    hub::init(&pg.admin_url()).unwrap();
    let urls: Vec<HubUrl> = (0..seats)
        .map(|i| HubUrl::parse(&hub::add_seat(&pg.admin_url(), &format!("b{i}"), false).unwrap().url).unwrap())
        .collect();
    let mut stores: Vec<Store> = (0..seats)
        .map(|i| {
            let mut s = Store::open_in_memory(Actor::new("宾", format!("seat-{i:02}"))).unwrap();
            fill(&mut s, &format!("{i:02}"), per);
            s
        })
        .collect();
    // Connected and bound first: the timing is the pushing.
    let mut hubs: Vec<Hub> = urls
        .iter()
        .zip(&stores)
        .map(|(u, s)| {
            let mut h = Hub::open(u).unwrap();
            h.check_version().unwrap();
            h.bind(&s.actor().seat).unwrap();
            h
        })
        .collect();
    let t0 = Instant::now();
    std::thread::scope(|scope| {
        for (h, s) in hubs.iter_mut().zip(stores.iter_mut()) {
            scope.spawn(move || {
                let seat = s.actor().seat.clone();
                let (n, _) = h.push(s, &seat).unwrap();
                assert_eq!(n as usize, per);
            });
        }
    });
    let push = t0.elapsed();
    let total = seats * per;
    let t1 = Instant::now();
    std::thread::scope(|scope| {
        for (h, s) in hubs.iter_mut().zip(stores.iter_mut()) {
            scope.spawn(move || {
                let p = h.pull(s).unwrap();
                assert_eq!(p.pulled as usize, total - per);
            });
        }
    });
    let pull = t1.elapsed();
    drop(hubs);
    drop(stores);
    let push_rate = total as f64 / push.as_secs_f64();
    let pull_rate = (total * (seats - 1)) as f64 / pull.as_secs_f64();
    println!(
        "push: {seats} seats × {per} events at once: {total} events in {:.2} s = {push_rate:.0} events/s",
        push.as_secs_f64()
    );
    println!(
        "pull: each seat pulls the other {} seats' events at once: {} events imported in {:.2} s = {pull_rate:.0} events/s",
        seats - 1,
        total * (seats - 1),
        pull.as_secs_f64()
    );
    match pgbench(pg, seats, 10) {
        Some(tps) => println!(
            "pgbench, same server, {seats} clients, one ~400-byte row per transaction: {tps:.0} rows/s → kefu push is {:.2}× pgbench's rate",
            push_rate / tps
        ),
        None => println!("pgbench: not run (not installed or failed)"),
    }
}

fn live_bench(pg: &hub_support::TestPg) {
    let writes = env("KEFU_BENCH_HUB_WRITES", 1_000);
    hub::init(&pg.admin_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ua = HubUrl::parse(&hub::add_seat(&pg.admin_url(), "la", false).unwrap().url).unwrap();
    let ub = HubUrl::parse(&hub::add_seat(&pg.admin_url(), "lb", false).unwrap().url).unwrap();
    let (pa, pb) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let mut a = Store::open(&pa, Actor::new("小美", "seat-a")).unwrap();
    fill(&mut a, "L", 10);
    let b_reader = Store::open(&pb, Actor::new("阿宾", "seat-b")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = LiveOptions::default();
    let live_a = Live::spawn(Store::open(&pa, Actor::new("小美", "seat-a")).unwrap(), ua, opts, |_| {}).unwrap();
    let _live_b = Live::spawn(Store::open(&pb, Actor::new("阿宾", "seat-b")).unwrap(), ub, opts, move |u| {
        if let LiveUpdate::Arrived(_) = u {
            let _ = tx.send(Instant::now());
        }
    })
    .unwrap();
    // The first sync brings the orders.
    live_a.nudge();
    rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let mut lat = Vec::with_capacity(writes);
    for i in 0..writes {
        while rx.try_recv().is_ok() {}
        let t = Instant::now();
        a.add_memo(&format!("L{:06}", i % 10), &format!("第 {i} 次联系买家"), MemoKind::Note).unwrap();
        live_a.nudge();
        let want = a.event_count().unwrap();
        loop {
            rx.recv_timeout(Duration::from_secs(30)).unwrap();
            if b_reader.event_count().unwrap() >= want {
                break;
            }
        }
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "write → visible on another seat, {writes} writes: p50 {} · p99 {} · max {} (goal p99 ≤ 1 s)",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(*lat.last().unwrap())
    );
}

/// Peak resident memory of a child process, polled from /proc until it exits.
fn run_measured(mut cmd: std::process::Command) -> (std::process::Output, u64, Duration) {
    let t = Instant::now();
    let mut child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = t.elapsed();
    (child.wait_with_output().unwrap(), peak, elapsed)
}

fn first_pull_bench(pg: &hub_support::TestPg) {
    let n = env("KEFU_BENCH_HUB_PULL", 1_000_000);
    hub::init(&pg.admin_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = HubUrl::parse(&hub::add_seat(&pg.admin_url(), "src", false).unwrap().url).unwrap();
    let new = HubUrl::parse(&hub::add_seat(&pg.admin_url(), "new", false).unwrap().url).unwrap();
    let t = Instant::now();
    {
        let mut s = Store::open(&dir.path().join("src.db"), Actor::new("宾", "seat-src")).unwrap();
        fill(&mut s, "F", n);
        let built = t.elapsed();
        let t = Instant::now();
        let r = hub::sync(&mut s, Some(&src)).unwrap();
        assert_eq!(r.pushed as usize, n);
        println!(
            "first pull: {n} events built in {:.1} s, pushed by one seat in {:.1} s",
            built.as_secs_f64(),
            t.elapsed().as_secs_f64()
        );
    }
    let db = dir.path().join("new.db");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"));
    cmd.arg("--db").arg(&db).args(["--seat", "seat-new", "hub", "sync", "--json", "--url", &new.with_password()]);
    cmd.env("KEFU_AGENT", "阿宾").env("HOME", dir.path());
    let (out, peak_kb, elapsed) = run_measured(cmd);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pulled"].as_u64().unwrap() as usize, n);
    println!(
        "first pull: a new seat pulls {n} events (each hash and chain verified, one transaction) in {:.1} s (goal ≤ 30 s), peak memory {} MB",
        elapsed.as_secs_f64(),
        peak_kb / 1024
    );
    let _ = Path::new(&db);
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let want = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    for (name, bench) in
        [("push", push_bench as fn(&hub_support::TestPg)), ("live", live_bench), ("first", first_pull_bench)]
    {
        if !want(name) {
            continue;
        }
        let Some(pg) = hub_support::pg(name) else { return };
        bench(&pg);
    }
}
