//! Sync at scale: `cargo bench --bench sync` (KEFU_BENCH_EVENTS, default 1,000,000).
//! Builds a database of N events (memo lines and flags on 2,000 orders), then times
//! `export --all`, an import into an empty database, a second import of the same file
//! (recognised by its checksum), and an import of a re-export of the same events (every
//! event verified and found present in bulk). Targets: < 10 s, < 10 s, < 3 s.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::Path;
use std::time::{Duration, Instant};

use kefu::domain::event::{Actor, EventBody, MemoKind};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::store::Store;
use kefu::sync::{self, Scope};

/// The binary's allocator (src/main.rs): an import parses on one thread and frees on
/// another, where glibc's allocator costs a third more time than the binary spends.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ORDERS: usize = 2_000;

fn build(path: &Path, n: usize) -> Store {
    let mut s = Store::open(path, Actor::new("宾", "seat-bench")).unwrap();
    let paid = kefu::domain::timefmt::parse_datetime("2026-06-27 09:00:00");
    s.record(EventBody::OrdersUpserted {
        source: "bench".into(),
        orders: (0..ORDERS)
            .map(|i| OrderRecord {
                order_no: format!("26062{i:06}"),
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
                let order_no = format!("26062{:06}", i % ORDERS);
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
    s
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// This process's CPU time (user + system), from /proc: the machine may be shared, and
/// wall time then says more about the neighbours than about kefu.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let f: Vec<u64> = after_name.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the name; 100 ticks/s.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

struct Clock(Instant, Duration);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu())
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would run us as a test.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize =
        std::env::var("KEFU_BENCH_EVENTS").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    // KEFU_BENCH_DIR keeps the source database between runs (it is slow to build).
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("KEFU_BENCH_DIR").map(std::path::PathBuf::from);
    let dir_path = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir_path).unwrap();
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |what: &str, clock: Clock, target: &str, note: String| {
        let (took, cpu_took) = (clock.0.elapsed(), cpu().saturating_sub(clock.1));
        let ok = match target.strip_prefix("< ").and_then(|t| t.trim_end_matches(" s").parse::<f64>().ok()) {
            Some(limit) if took.as_secs_f64() < limit => format!("{target} ✓"),
            Some(_) => format!("{target} ✗"),
            None => target.to_string(),
        };
        rows.push([what.to_string(), secs(took), secs(cpu_took), ok, note]);
    };

    let src_path = dir_path.join(format!("src-{n}.sqlite"));
    let t = Clock::start();
    let reuse = keep.is_some() && src_path.exists();
    let mut src =
        if reuse { Store::open(&src_path, Actor::new("宾", "seat-bench")).unwrap() } else { build(&src_path, n) };
    let what = if reuse { "reuse database" } else { "build database" };
    row(what, t, "", format!("{} events", src.event_count().unwrap()));

    let file = dir_path.join("bench.kefusync");
    let t = Clock::start();
    let r = sync::export(&mut src, &file, Scope::All).unwrap();
    row(
        "export --all",
        t,
        "< 10 s",
        format!("{} events, {:.1} MB{}", r.count, r.bytes as f64 / 1e6, if r.compressed { " gzip" } else { "" }),
    );
    let digest = src.projection_digest().unwrap();
    drop(src);

    let dst_path = dir_path.join("dst.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", dst_path.display()));
    }
    let mut dst = Store::open(&dst_path, Actor::new("芳", "seat-other")).unwrap();
    let t = Clock::start();
    let first = sync::import(&mut dst, &file).unwrap();
    row("import into an empty database", t, "< 10 s", format!("{} new", first.new));

    let t = Clock::start();
    let second = sync::import(&mut dst, &file).unwrap();
    assert!(second.seen_before);
    row("import the same file again", t, "< 3 s", format!("{} already present (same bytes)", second.already_present));

    // The same events in other bytes: every event is verified and found present.
    let again = dir_path.join("again.kefusync");
    sync::export(&mut dst, &again, Scope::All).unwrap();
    let t = Clock::start();
    let third = sync::import(&mut dst, &again).unwrap();
    assert!(!third.seen_before);
    row("import a re-export of them", t, "< 3 s", format!("{} already present (verified)", third.already_present));

    let t = Clock::start();
    let verified = sync::read_verified(&again, &mut |_| {}).unwrap();
    row("  of which: read + verify", t, "", format!("{} events", verified.len()));
    drop(verified);

    assert_eq!(first.new as usize, n);
    assert_eq!(second.already_present as usize, n);
    assert_eq!(third.already_present as usize, n);
    assert_eq!(dst.projection_digest().unwrap(), digest, "the imported tables match the source's");

    println!();
    println!("kefu sync benchmark — {n} events");
    println!("{:<32} {:>9} {:>9}  {:<10}", "step", "wall", "cpu", "target");
    for [what, took, cpu_took, target, note] in rows {
        println!("{what:<32} {took:>9} {cpu_took:>9}  {target:<10} {note}");
    }
}
