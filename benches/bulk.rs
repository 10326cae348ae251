//! Bulk load benchmark (`cargo bench --bench bulk`; `KEFU_BENCH_ORDERS=N`, default
//! 1,000,000; `KEFU_BENCH_ROUNDS=R`, default 4): real work on temporary files, printed
//! as a table.
//!
//!  (b) N demo orders written once as the seller-centre export pair; then, R rounds of
//!  (a) `kefu demo --orders N` into a fresh database, the binary in a fresh process
//!      (orders, items, the event log and every index);
//!  (c) `kefu import-orders` of the pair into a fresh database, likewise;
//!  (d) `sqlite3`'s `.import` of the order CSV and of the detail CSV into fresh
//!      databases: their sum is the yardstick for (a) and (c), which load the rows of
//!      both (target: within 1.5×).
//!
//! The speed of this shared 2-core machine drifts by half within minutes, for kefu and
//! sqlite3 alike: each round runs all three back to back (kefu first in odd rounds,
//! sqlite3 first in even ones), its ratios are taken within the round, and the median
//! over the rounds is the result. Every step starts after a
//! `sync`, so none pays for the writes of the one before.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::ffi::OsStr;
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

fn remove_db(p: &Path) {
    let s = p.display().to_string();
    for f in [s.clone(), format!("{s}-wal"), format!("{s}-shm"), format!("{s}-journal")] {
        let _ = std::fs::remove_file(f);
    }
}

/// `kefu --db DB ARGS…` into a fresh database, the binary as a user runs it (a fresh
/// process, with the binary's allocator), which must leave `orders` orders.
fn kefu_fresh_db(name: &str, db: &Path, args: &[&OsStr], orders: u64) -> Result<Measured, String> {
    remove_db(db);
    let (_, m) = measure(name, true, || {
        let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .env("KEFU_NOW", "2026-06-28 10:00:00")
            .arg("--db")
            .arg(db)
            .args(args)
            .output()
            .map_err(|e| format!("{name}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{name} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let store = Store::open(db, Actor::new("bench", "bench")).map_err(|e| e.to_string())?;
        let rows = store.order_count().map_err(|e| e.to_string())? as u64;
        if rows != orders {
            return Err(format!("{name} stored {rows} of {orders} orders"));
        }
        Ok(((), rows, db_size(db)))
    })?;
    Ok(m)
}

/// (a) `kefu demo --orders N` into a fresh database.
fn kefu_demo(db: &Path, orders: u64) -> Result<Measured, String> {
    let n = orders.to_string();
    let args = ["demo", "--orders", &n, "--seed", "1"].map(OsStr::new);
    let mut m = kefu_fresh_db("(a) kefu demo → fresh db", db, &args, orders)?;
    m.note = "orders, items, replies, local work, the log and every index".into();
    Ok(m)
}

/// (c) `kefu import-orders` of the pair into a fresh database.
fn kefu_import(db: &Path, files: &demo::ExportFiles) -> Result<Measured, String> {
    let args = [OsStr::new("import-orders"), files.orders.as_os_str(), files.details.as_os_str()];
    kefu_fresh_db("(c) kefu import-orders → fresh db", db, &args, files.order_rows)
}

/// (d) sqlite3 `.import` of both files into fresh databases; the yardstick is the sum.
fn sqlite3_both(dir: &Path, files: &demo::ExportFiles) -> Result<(Measured, Measured), String> {
    let (odb, ddb) = (dir.join("import.sqlite"), dir.join("import_details.sqlite"));
    remove_db(&odb);
    remove_db(&ddb);
    let (_, o) = measure("(d) sqlite3 .import orders CSV", true, || {
        let rows = sqlite3_import(&odb, &files.orders, "orders")?;
        Ok(((), rows, db_size(&odb)))
    })?;
    let (_, mut d) = measure("    sqlite3 .import detail CSV", true, || {
        let rows = sqlite3_import(&ddb, &files.details, "details")?;
        Ok(((), rows, db_size(&ddb)))
    })?;
    d.note = "kefu loads both files' rows: the yardstick is the sum".into();
    Ok((o, d))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn main() -> Result<(), String> {
    let number = |name: &str, default: u64| -> Result<u64, String> {
        std::env::var(name)
            .ok()
            .map(|v| v.replace(['_', ','], "").parse().map_err(|e| format!("{name}: {e}")))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let orders = number("KEFU_BENCH_ORDERS", 1_000_000)?;
    // This machine's speed drifts by half within minutes: each round runs kefu and
    // sqlite3 back to back, and the ratio is taken per round.
    let rounds = number("KEFU_BENCH_ROUNDS", 4)?.max(1);
    let now = kefu::domain::timefmt::parse_datetime("2026-06-28 10:00:00").ok_or("now")?;
    let opts = DemoOptions { orders, replies: None, seed: 1, now };
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    println!("kefu bulk benchmark: {orders} orders, {rounds} rounds, temp dir {}", tmp.path().display());
    let mut results: Vec<Measured> = Vec::new();

    // (b) the orders as the seller centre's export pair
    let csv_dir = tmp.path().join("csv");
    let (files, mut m) = measure("(b) export CSV pair", false, || {
        let f = demo::export_csv(&csv_dir, &opts).map_err(|e| e.to_string())?;
        let bytes = file_size(&f.orders) + file_size(&f.details);
        let rows = f.order_rows;
        Ok((f, rows, bytes))
    })?;
    m.note = format!("{} detail rows", files.item_rows);
    results.push(m);

    let with_sqlite3 = sqlite3_available();
    if !with_sqlite3 {
        println!("sqlite3 not found on PATH: skipping (d)");
    }
    // per round: (demo, import, sqlite3), wall and CPU seconds
    let mut rows: Vec<[(f64, Option<f64>); 3]> = Vec::new();
    for round in 1..=rounds {
        // Odd rounds run kefu first, even rounds sqlite3 first: a machine slowing down
        // (or speeding up) within a round favours neither.
        let yardstick = |d: &mut Option<(Measured, Measured)>| -> Result<(), String> {
            if with_sqlite3 {
                *d = Some(sqlite3_both(tmp.path(), &files)?);
            }
            Ok(())
        };
        let mut d = None;
        if round % 2 == 0 {
            yardstick(&mut d)?;
        }
        let mut a = kefu_demo(&tmp.path().join("demo.sqlite"), orders)?;
        let mut c = kefu_import(&tmp.path().join("kefu_import.sqlite"), &files)?;
        if round % 2 == 1 {
            yardstick(&mut d)?;
        }
        let yard =
            d.as_ref().map_or((f64::NAN, None), |(o, det)| (o.wall + det.wall, o.cpu.zip(det.cpu).map(|(x, y)| x + y)));
        rows.push([(a.wall, a.cpu), (c.wall, c.cpu), yard]);
        for m in [&mut a, &mut c] {
            m.name = format!("{} #{round}", m.name);
        }
        results.push(a);
        results.push(c);
        if let Some((o, det)) = d {
            results.push(o);
            results.push(det);
        }
    }

    println!();
    println!("{:<38} {:>10} {:>9} {:>9} {:>11} {:>9}  note", "step", "rows", "wall s", "cpu s", "rows/s", "MB");
    for r in &results {
        println!(
            "{:<38} {:>10} {:>9.2} {:>9} {:>11.0} {:>9.1}  {}",
            r.name,
            r.rows,
            r.wall,
            r.cpu.map_or("-".into(), |c| format!("{c:.2}")),
            r.rows as f64 / r.wall.max(1e-9),
            r.bytes as f64 / 1e6,
            r.note
        );
    }
    if with_sqlite3 {
        println!();
        println!("ratio to sqlite3 .import of both files, per round (target: within 1.5×):");
        for (i, [demo, import, yard]) in rows.iter().enumerate() {
            println!(
                "  #{}  sqlite3 {:.2} s · demo {:.2}× · import-orders {:.2}×",
                i + 1,
                yard.0,
                demo.0 / yard.0,
                import.0 / yard.0
            );
        }
        for (what, k) in [("demo", 0), ("import-orders", 1)] {
            let walls = median(rows.iter().map(|r| r[k].0 / r[2].0).collect());
            let cpus: Vec<f64> = rows.iter().filter_map(|r| r[k].1.zip(r[2].1).map(|(c, s)| c / s)).collect();
            let cpu = if cpus.is_empty() { String::new() } else { format!(", {:.2}× cpu", median(cpus)) };
            println!("  median {what:<14} {walls:.2}× wall{cpu}");
        }
    }
    Ok(())
}
