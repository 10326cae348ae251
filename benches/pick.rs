//! Quick pick at 100,000 replies (`cargo bench --bench pick`; `KEFU_BENCH_REPLIES=N`,
//! default 100,000; `KEFU_BENCH_ROUNDS=R`, default 5): real work on temporary files,
//! printed as a table, side by side with the tool a user would reach for, `fzf --filter`
//! over the same replies written as text lines (one per reply: code, group, text).
//!
//!  (a) `kefu replies search Q --limit 20` as a fresh process, with the reply index kept
//!      beside the database (the first call writes it, timed on its own), against
//!      `fzf --filter Q` over the lines, for 退款 运费险 七天无理由 tk yfx 顺丰: per
//!      query the median of R rounds (kefu first in odd rounds, fzf first in even),
//!      wall time and peak resident memory (`/usr/bin/time -f %M`);
//!  (b) `kefu pick` in-process: from nothing to the first frame drawn (the stored index
//!      read, the picker drawn on a 100×16 buffer), and every keystroke of typing each
//!      query (and queries that match nothing) → results searched and drawn: worst case.
//!
//! fzf missing: (a) says so loudly and measures kefu alone.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kefu::demo::{self, DemoOptions};
use kefu::domain::event::Actor;
use kefu::domain::placeholders::PlaceholderValues;
use kefu::store::Store;
use kefu::tui::pick::Picker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

const QUERIES: [&str; 6] = ["退款", "运费险", "七天无理由", "tk", "yfx", "顺丰"];
const NO_MATCH: [&str; 3] = ["zzzzzz", "qxqxqx", "退款zz"];

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Wall seconds and peak RSS (KiB) of `cmd args`, stdin from `input`, stdout dropped.
fn run(cmd: &str, args: &[&str], input: Option<&Path>) -> (f64, u64) {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-f").arg("%M").arg(cmd).args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    if let Some(f) = input {
        c.stdin(std::fs::File::open(f).unwrap());
    }
    let start = Instant::now();
    let out = c.output().unwrap();
    let wall = start.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let rss = err.lines().rev().find_map(|l| l.trim().parse::<u64>().ok()).unwrap_or(0);
    assert!(out.status.success() || cmd.ends_with("fzf"), "{cmd} {args:?}: {err}");
    (wall, rss)
}

fn main() {
    let n = env_num("KEFU_BENCH_REPLIES", 100_000);
    let rounds = env_num("KEFU_BENCH_ROUNDS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kefu.sqlite");
    let lines = dir.path().join("replies.txt");
    {
        let mut s = Store::open(&db, Actor::new("宾", "bench")).unwrap();
        let now = kefu::domain::timefmt::parse_datetime("2026-06-28 10:00:00").unwrap();
        demo::fill(&mut s, &DemoOptions { orders: 1000, replies: Some(n), seed: 7, now }).unwrap();
        let text: String = s
            .replies()
            .unwrap()
            .iter()
            .map(|r| format!("{}\t{}\t{}\n", r.code, r.group, r.text.replace('\n', " ")))
            .collect();
        std::fs::write(&lines, text).unwrap();
    }
    let kefu = env!("CARGO_BIN_EXE_kefu");
    let db_s = db.to_str().unwrap();
    let search = |q: &str| run(kefu, &["--db", db_s, "--agent", "宾", "replies", "search", q, "--limit", "20"], None);
    let fzf = Command::new("fzf").arg("--version").output().is_ok_and(|o| o.status.success());
    println!(
        "quick pick at {n} replies, {rounds} rounds; lines file {} MB",
        std::fs::metadata(&lines).unwrap().len() >> 20
    );
    let (first, first_rss) = search("yfx");
    println!(
        "first `kefu replies search` (builds and writes the index): {:.0} ms, {} MB",
        first * 1e3,
        first_rss >> 10
    );
    if !fzf {
        println!("!!! fzf is not installed: measuring kefu alone (apt-get install fzf for the side-by-side) !!!");
    }
    println!("{:<12} {:>10} {:>10} {:>8} {:>10} {:>10}", "query", "kefu ms", "fzf ms", "ratio", "kefu MB", "fzf MB");
    let mut ratios = Vec::new();
    let mut peak = 0;
    for q in QUERIES {
        let (mut k, mut f, mut krss, mut frss) = (Vec::new(), Vec::new(), 0, 0);
        for round in 0..rounds {
            let mut kefu_round = || {
                let (t, m) = search(q);
                k.push(t);
                krss = krss.max(m);
            };
            if round % 2 == 0 || !fzf {
                kefu_round();
            }
            if fzf {
                let (t, m) = run("fzf", &["--filter", q], Some(&lines));
                f.push(t);
                frss = frss.max(m);
                if round % 2 == 1 {
                    kefu_round();
                }
            }
        }
        peak = peak.max(krss);
        let km = median(k);
        if fzf {
            let fm = median(f);
            ratios.push(km / fm);
            println!(
                "{q:<12} {:>10.1} {:>10.1} {:>7.2}× {:>10} {:>10}",
                km * 1e3,
                fm * 1e3,
                km / fm,
                krss >> 10,
                frss >> 10
            );
        } else {
            println!("{q:<12} {:>10.1} {:>10} {:>8} {:>10} {:>10}", km * 1e3, "-", "-", krss >> 10, "-");
        }
    }
    if fzf {
        println!("median ratio kefu/fzf: {:.2}× (target ≤ 0.5×)", median(ratios));
    }
    println!("kefu peak RSS: {} MB (target ≤ 64 MB)", peak >> 10);

    // (b) the picker in-process.
    let mut firsts = Vec::new();
    let mut worst = Duration::ZERO;
    let mut worst_q = String::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let store = Store::open(&db, Actor::new("宾", "bench")).unwrap();
        let (index, mine, _) = kefu::search::stored::open(&store).unwrap();
        let values = PlaceholderValues::default();
        let mut picker = Picker::new(&index, &values, &mine, "");
        let mut term = Terminal::new(TestBackend::new(100, 16)).unwrap();
        term.draw(|f| picker.draw(f)).unwrap();
        firsts.push(start.elapsed().as_secs_f64());
        for q in QUERIES.iter().chain(&NO_MATCH) {
            picker.key(KeyEvent::new(KeyCode::Char('u'), ratatui::crossterm::event::KeyModifiers::CONTROL));
            for c in q.chars() {
                let t = Instant::now();
                picker.key(KeyEvent::from(KeyCode::Char(c)));
                term.draw(|f| picker.draw(f)).unwrap();
                let took = t.elapsed();
                if took > worst {
                    worst = took;
                    worst_q = format!("{q} (after typing {})", picker.query());
                }
            }
        }
        let _: &HashMap<_, _> = &mine;
    }
    println!(
        "kefu pick first frame (open, stored index read, drawn): median {:.1} ms (target ≤ 50 ms)",
        median(firsts) * 1e3
    );
    println!(
        "kefu pick keystroke → results drawn, worst: {:.2} ms at {worst_q} (target ≤ 16 ms)",
        worst.as_secs_f64() * 1e3
    );
}
