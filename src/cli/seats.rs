//! `kefu seats [--json]`: every seat this database knows — who worked there and when,
//! how many of its events are here, and its clock against this computer's as last
//! observed on an import (so a supervisor can have a wrong clock set right).

use anyhow::Result;
use serde_json::json;

use super::out;
use super::table::Table;
use crate::domain::clock;
use crate::domain::timefmt::format_datetime;
use crate::store::Store;
use crate::store::seats::SeatInfo;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    json: bool,
}

pub fn run(store: &Store, a: Args) -> Result<()> {
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
                })
            })
            .collect();
        return out::json(&rows);
    }
    if seats.is_empty() {
        out::line("还没有任何席位的事件")?;
        return Ok(());
    }
    let mut t = Table::new(&["席位", "客服", "事件>", "最早", "最近", "时钟偏差(上次观察)"]);
    for s in &seats {
        let name = if s.own { format!("{}(本机)", s.seat) } else { s.seat.clone() };
        t.row(vec![
            name,
            s.agents.join("、"),
            s.events.to_string(),
            s.first_at.as_deref().map(shop_time).unwrap_or_default(),
            s.last_at.as_deref().map(shop_time).unwrap_or_default(),
            skew_text(s),
        ]);
    }
    out::table(&t.max_width(40))?;
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
