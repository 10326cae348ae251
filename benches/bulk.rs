//! Bulk load benchmark (`cargo bench --bench bulk`; `KEFU_BENCH_ORDERS=N`, default
//! 1,000,000): real work on temporary files, one run each, printed as a table.
//!
//!  (a) `kefu demo` of N orders into a fresh database through the library API
//!      (orders, items, the event log and every index);
//!  (b) the same orders written as the seller-centre export pair;
//!  (c) `kefu import-orders` of that pair into a fresh database;
//!  (d) `sqlite3`'s `.import` of the order CSV and of the detail CSV into fresh
//!      databases: their sum is the yardstick for (a) and (c), which load the rows of
//!      both (target: within 1.5×).
//!
//! Each step is a `Step` in `main`; a new one (another loader of the same CSV) is one
//! more entry. Wall time and CPU time are both printed: on a shared machine the CPU
//! time is the steadier number.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use kefu::demo::{self, DemoOptions};
use kefu::domain::event::Actor;
use kefu::store::Store;

/// CPU seconds (user + system) of this process and of its waited-for children, from
/// /proc (Linux); None elsewhere.
fn cpu_times() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the command name in parentheses
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = 100.0; // USER_HZ on Linux
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok());
    // utime, stime, cutime, cstime are fields 14–17 of stat, 12–15 here
    Some(((n(11)? + n(12)?) / tick, (n(13)? + n(14)?) / tick))
}

struct Measured {
    name: String,
    rows: u64,
    wall: f64,
    /// CPU seconds, this process or (for external tools) its children.
    cpu: Option<f64>,
    bytes: u64,
    note: String,
}

fn measure<T>(
    name: &str,
    child: bool,
    f: impl FnOnce() -> Result<(T, u64, u64), String>,
) -> Result<(T, Measured), String> {
    // The step before may have left a gigabyte of dirty pages for the kernel to write
    // back: flushed first, so no step pays for the one before it.
    let _ = Command::new("sync").status();
    let before = cpu_times();
    let started = Instant::now();
    let (out, rows, bytes) = f()?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (before, cpu_times()) {
        (Some(b), Some(a)) => Some(if child { a.1 - b.1 } else { a.0 - b.0 }),
        _ => None,
    };
    Ok((out, Measured { name: name.into(), rows, wall, cpu, bytes, note: String::new() }))
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Size of a database with its WAL and journal.
fn db_size(p: &Path) -> u64 {
    let s = p.display().to_string();
    [s.clone(), format!("{s}-wal"), format!("{s}-journal")].iter().map(|f| file_size(Path::new(f))).sum()
}

fn sqlite3_available() -> bool {
    Command::new("sqlite3").arg("-version").output().is_ok_and(|o| o.status.success())
}

/// `.import` of one CSV into table `table` of `db` with the sqlite3 shell.
fn sqlite3_import(db: &Path, csv: &Path, table: &str) -> Result<u64, String> {
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("sqlite3: {e}"))?;
    let script = format!(".mode csv\n.import \"{}\" {table}\n", csv.display());
    child.stdin.take().ok_or("sqlite3: no stdin")?.write_all(script.as_bytes()).map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() || !out.stderr.is_empty() {
        return Err(format!("sqlite3 .import failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let count = Command::new("sqlite3")
        .arg(db)
        .arg(format!("SELECT count(*) FROM {table}"))
        .output()
        .map_err(|e| e.to_string())?;
    String::from_utf8_lossy(&count.stdout).trim().parse().map_err(|e| format!("sqlite3 count: {e}"))
}

fn main() -> Result<(), String> {
    let orders: u64 = std::env::var("KEFU_BENCH_ORDERS")
        .ok()
        .map(|v| v.replace(['_', ','], "").parse().map_err(|e| format!("KEFU_BENCH_ORDERS: {e}")))
        .transpose()?
        .unwrap_or(1_000_000);
    let now = kefu::domain::timefmt::parse_datetime("2026-06-28 10:00:00").ok_or("now")?;
    let opts = DemoOptions { orders, replies: None, seed: 1, now };
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    println!("kefu bulk benchmark: {orders} orders, temp dir {}", tmp.path().display());
    let mut results: Vec<Measured> = Vec::new();

    // (a) demo into a fresh database
    let db = tmp.path().join("demo.sqlite");
    let (filled, mut m) = measure("(a) kefu demo → fresh db", false, || {
        let mut store = Store::open(&db, Actor::new("bench", "bench")).map_err(|e| e.to_string())?;
        let filled = demo::fill(&mut store, &opts).map_err(|e| e.to_string())?;
        drop(store);
        Ok((filled.clone(), filled.orders, db_size(&db)))
    })?;
    m.note = format!(
        "{} items; orders phase {:.2} s, local work {:.2} s",
        filled.items,
        filled.orders_secs,
        filled.total_secs - filled.orders_secs
    );
    let demo_wall = m.wall;
    let demo_cpu = m.cpu;
    results.push(m);

    // (b) the same orders as the export pair
    let csv_dir = tmp.path().join("csv");
    let (files, mut m) = measure("(b) export CSV pair", false, || {
        let f = demo::export_csv(&csv_dir, &opts).map_err(|e| e.to_string())?;
        let bytes = file_size(&f.orders) + file_size(&f.details);
        let rows = f.order_rows;
        Ok((f, rows, bytes))
    })?;
    m.note = format!("{} detail rows", files.item_rows);
    results.push(m);

    // (c) `kefu import-orders` of the pair, the binary as a user runs it (a fresh
    // process: the heap that (a) left behind would make it slower than it is)
    let kdb = tmp.path().join("kefu_import.sqlite");
    let (_, m) = measure("(c) kefu import-orders → fresh db", true, || {
        let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("--db")
            .arg(&kdb)
            .arg("import-orders")
            .args([&files.orders, &files.details])
            .output()
            .map_err(|e| format!("kefu import-orders: {e}"))?;
        if !out.status.success() {
            return Err(format!("kefu import-orders failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let store = Store::open(&kdb, Actor::new("bench", "bench")).map_err(|e| e.to_string())?;
        let rows = store.order_count().map_err(|e| e.to_string())? as u64;
        if rows != files.order_rows {
            return Err(format!("kefu import-orders stored {rows} of {} orders", files.order_rows));
        }
        Ok(((), rows, db_size(&kdb)))
    })?;
    let (import_wall, import_cpu) = (m.wall, m.cpu);
    results.push(m);

    // (d) sqlite3 .import of the same files
    let mut sqlite3: Option<(f64, Option<f64>)> = None;
    if sqlite3_available() {
        let idb = tmp.path().join("import.sqlite");
        let (_, m) = measure("(d) sqlite3 .import orders CSV", true, || {
            let rows = sqlite3_import(&idb, &files.orders, "orders")?;
            Ok(((), rows, db_size(&idb)))
        })?;
        let orders_csv = (m.wall, m.cpu);
        results.push(m);
        let ddb = tmp.path().join("import_details.sqlite");
        let (_, mut m) = measure("    sqlite3 .import detail CSV", true, || {
            let rows = sqlite3_import(&ddb, &files.details, "details")?;
            Ok(((), rows, db_size(&ddb)))
        })?;
        m.note = "kefu loads both files' rows: the yardstick is the sum".into();
        sqlite3 = Some((orders_csv.0 + m.wall, orders_csv.1.zip(m.cpu).map(|(a, b)| a + b)));
        results.push(m);
    } else {
        println!("sqlite3 not found on PATH: skipping (d)");
    }

    println!();
    println!("{:<34} {:>10} {:>9} {:>9} {:>11} {:>9}  note", "step", "rows", "wall s", "cpu s", "rows/s", "MB");
    for r in &results {
        println!(
            "{:<34} {:>10} {:>9.2} {:>9} {:>11.0} {:>9.1}  {}",
            r.name,
            r.rows,
            r.wall,
            r.cpu.map_or("-".into(), |c| format!("{c:.2}")),
            r.rows as f64 / r.wall.max(1e-9),
            r.bytes as f64 / 1e6,
            r.note
        );
    }
    if let Some((wall, cpu)) = sqlite3 {
        println!();
        println!("sqlite3 .import of both files: {wall:.2} s wall (target for kefu: within 1.5×, {:.2} s)", wall * 1.5);
        for (what, w, c) in [("demo", demo_wall, demo_cpu), ("import-orders", import_wall, import_cpu)] {
            let cpu_ratio = c.zip(cpu).map_or(String::new(), |(c, s)| format!(", {:.2}× cpu", c / s.max(1e-9)));
            println!("  {what:<14} {:.2}× wall{cpu_ratio}", w / wall.max(1e-9));
        }
    }
    Ok(())
}
