//! `kefu seats [--json]`: every seat this database knows — its key (this database's
//! own, pinned on first use, or from a supervisor's list), who worked there and when,
//! how many of its events are here, and its clock against this computer's as last
//! observed on an import (so a supervisor can have a wrong clock set right).
//! `kefu seats export FILE` writes the seats and their public keys; `kefu seats trust
//! FILE` takes such a list, after which seats on no list are refused.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use super::out;
use super::table::Table;
use crate::domain::clock;
use crate::domain::timefmt::format_datetime;
use crate::store::Store;
use crate::store::identity::SeatList;
use crate::store::seats::SeatInfo;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Write every seat whose key this database knows, with its public key, for `kefu seats trust`.
    Export { file: PathBuf },
    /// Trust the seats listed in FILE (a supervisor's `kefu seats export`); afterwards seats on no list are refused.
    Trust { file: PathBuf },
    /// After a fork (two databases wrote as one old seat name): FILE is the other side's refused sync file; this seat's forked events are recorded again under its own key.
    Recover { file: PathBuf },
}

pub fn run(store: &mut Store, a: Args) -> Result<()> {
    match a.cmd {
        Some(Cmd::Export { file }) => return export(store, &file),
        Some(Cmd::Trust { file }) => return trust(store, &file),
        Some(Cmd::Recover { file }) => {
            let r = crate::sync::recover_fork(store, &file)?;
            out::line(format!(
                "旧席位 {} 的第 {}–{} 号事件(对方拒收的)已作为本席位 {} 的第 {}–{} 号事件重新记录;现在两边可以互相导入了",
                r.old_seat, r.from_seq, r.to_seq, r.new_seat, r.new_seqs.0, r.new_seqs.1
            ))?;
            return Ok(());
        }
        None => {}
    }
    let seats = store.seats()?;
    if a.json {
        let rows: Vec<_> = seats
            .iter()
            .map(|s| {
                json!({
                    "seat": s.seat,
                    "own": s.own,
                    "agents": s.agents,
                    "events": s.events,
                    "first_at": s.first_at,
                    "last_at": s.last_at,
                    "clock_skew_ms": s.skew_ms,
                    "clock_observed_at": s.skew_observed_at,
                    "public_key": s.public_key,
                    "key_source": s.key_source,
                    "key_first_seen": s.key_first_seen,
                    "key_last_seen": s.key_last_seen,
                })
            })
            .collect();
        return out::json(&rows);
    }
    if seats.is_empty() {
        out::line("还没有任何席位的事件")?;
        return Ok(());
    }
    let mut t = Table::new(&["席位", "客服", "事件>", "最早", "最近", "密钥", "时钟偏差(上次观察)"]);
    for s in &seats {
        let name = if s.own { format!("{}(本机)", s.seat) } else { s.seat.clone() };
        t.row(vec![
            name,
            s.agents.join("、"),
            s.events.to_string(),
            s.first_at.as_deref().map(shop_time).unwrap_or_default(),
            s.last_at.as_deref().map(shop_time).unwrap_or_default(),
            key_text(s),
            skew_text(s),
        ]);
    }
    out::table(&t.max_width(40))?;
    Ok(())
}

/// `3fa2c1d09b7e6a55…(首次见到 6-28 10:05)`, or `未签名` for a seat from before keys.
fn key_text(s: &SeatInfo) -> String {
    let Some(key) = &s.public_key else { return "未签名".into() };
    let how = match s.key_source.as_deref() {
        Some("own") => "本机".to_string(),
        Some("trusted") => "主管名单".to_string(),
        _ => {
            let when = s.key_first_seen.as_deref().map(shop_time).unwrap_or_default();
            format!("首次见到 {}", when.get(5..16).unwrap_or(&when))
        }
    };
    format!("{}…({how})", key.get(..16).unwrap_or(key))
}

fn export(store: &Store, file: &Path) -> Result<()> {
    let list = store.seat_list()?;
    let mut text = serde_json::to_string_pretty(&list)?;
    text.push('\n');
    std::fs::write(file, text).with_context(|| format!("写入 {} 失败", file.display()))?;
    out::line(format!(
        "已把 {} 个席位的公钥写入 {}(不含任何私钥);在其他席位上运行 kefu seats trust {}",
        list.seats.len(),
        file.display(),
        file.display()
    ))?;
    Ok(())
}

fn trust(store: &mut Store, file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("读取 {} 失败", file.display()))?;
    let list: SeatList = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{} 不是 kefu seats export 写出的席位名单:第 {} 行:{e}", file.display(), e.line())
    })?;
    let done = store.trust_seats(&list)?;
    out::line(format!(
        "信任名单已更新:新登记 {} 个席位,确认 {} 个;从现在起,名单外的席位的文件会被拒收",
        done.added.len(),
        done.confirmed.len()
    ))?;
    for s in &done.added {
        out::line(format!("  + {s}"))?;
    }
    Ok(())
}

/// An event time (UTC text) on the shop's clock.
fn shop_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| format_datetime(clock::to_shop(d.with_timezone(&chrono::Utc))))
        .unwrap_or_else(|_| at.to_string())
}

/// `快 3 小时(6-28 10:05 导入时)`, `正常`, or nothing when never observed.
fn skew_text(s: &SeatInfo) -> String {
    let Some(ms) = s.skew_ms else { return String::new() };
    let when = s.skew_observed_at.as_deref().map(shop_time).unwrap_or_default();
    let when = when.get(5..16).unwrap_or(&when).to_string();
    let secs = ms / 1000;
    if secs.abs() <= crate::sync::CLOCK_AHEAD_WARN_SECS {
        return format!("正常({when} 导入时)");
    }
    let dir = if secs > 0 { "快" } else { "慢" };
    format!("{dir} {}({when} 导入时)", crate::sync::span_text(secs))
}
