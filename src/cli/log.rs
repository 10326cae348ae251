//! `kefu log [filters]`: the after-sales log, newest first, one readable line per event;
//! `kefu log verify`: check every seat's hash chain.
//!
//! For this command `--agent` and `--seat`, when typed on the command line, are filters
//! (who did it, from which seat); from `KEFU_AGENT`/`KEFU_SEAT` they are ignored, as the
//! log only reads.

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, Utc};

use super::out;
use crate::domain::clock;
use crate::domain::event::EventBody;
use crate::domain::timefmt::parse_datetime;
use crate::report::log::{self as rlog, LogEntry};
use crate::report::{parse_date, render};
use crate::store::Store;
use crate::store::audit::{LogCursor, LogFilter};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Print JSON (an array of events with their payloads).
    #[arg(long)]
    json: bool,
    /// From this day (2026-06-28) or moment (2026-06-28 10:00), shop time.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Up to this day (included) or moment, shop time.
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Only this kind of event (memo_added, refund_acted, case_contacted …).
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Only events about this order (its memos, flags, refunds, cases).
    #[arg(long, value_name = "ORDER_NO")]
    order: Option<String>,
    /// Only events of this refund (refund number) or case (case id, or its last characters).
    #[arg(long = "case", value_name = "KEY")]
    case_key: Option<String>,
    /// At most this many events (0: all).
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Check signatures, hash chains and heads: exit 0 intact, 1 tampering (edited, reordered, removed), 3 events not arrived yet.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

/// `agent`/`seat`: the global flags, when typed on the command line.
pub fn run(store: &Store, a: Args, agent: Option<String>, seat: Option<String>) -> Result<()> {
    if let Some(Cmd::Verify { json }) = a.cmd {
        return verify(store, json);
    }
    let mut filter = LogFilter {
        since: a.since.as_deref().map(|s| parse_bound(s, false)).transpose()?,
        until: a.until.as_deref().map(|s| parse_bound(s, true)).transpose()?,
        agent,
        seat,
        kind: None,
        order_no: a.order,
        case_key: None,
    };
    if let (Some(s), Some(u)) = (filter.since, filter.until)
        && s >= u
    {
        bail!("--since 要早于 --until");
    }
    if let Some(k) = a.kind {
        let k = k.trim().to_string();
        if !EventBody::KINDS.contains(&k.as_str()) {
            bail!("不认识的事件类型 '{k}'。可用:{}", EventBody::KINDS.join(", "));
        }
        filter.kind = Some(k);
    }
    if let Some(c) = a.case_key {
        filter.case_key = Some(resolve_case_key(store, c.trim())?);
    }
    let limit = if a.limit == 0 { usize::MAX } else { a.limit };
    let mut cursor: Option<LogCursor> = None;
    let mut entries: Vec<LogEntry> = Vec::new();
    let mut count = 0usize;
    // JSON streams a page at a time: a million events never sit in memory at once.
    let mut json = String::from(if a.json { "[" } else { "" });
    while count < limit {
        let page = rlog::page(store, &filter, cursor.as_ref(), (limit - count).min(1000))?;
        let Some(last) = page.last() else { break };
        cursor = Some(last.cursor());
        let n = page.len();
        if a.json {
            for e in &page {
                json.push_str(if count == 0 { "\n  " } else { ",\n  " });
                json.push_str(&out::json_line(&e.to_json())?);
                count += 1;
            }
            out::text(std::mem::take(&mut json))?;
        } else {
            count += n;
            entries.extend(page);
        }
        if n < 1000.min(limit) {
            break;
        }
    }
    if a.json {
        json.push_str(if count == 0 { "]\n" } else { "\n]\n" });
        out::text(json)?;
        return Ok(());
    }
    let table = rlog::table(&entries);
    out::text(render::table_text(&table, 100))?;
    if count == limit && !store.log_page(&filter, cursor.as_ref(), 1)?.is_empty() {
        out::note(format!("(只显示最新的 {count} 条;更早的用 --until 或 --limit 0)"));
    }
    Ok(())
}

/// Exit 0 when intact; 1 (an error) when anything was edited, reordered or removed;
/// 3 when all is intact but some seats' events have not arrived yet.
fn verify(store: &Store, json: bool) -> Result<()> {
    let check = store.verify_chains()?;
    let gaps = check.waiting().count();
    if json {
        let mut v = serde_json::to_value(&check)?;
        v["ok"] = serde_json::Value::Bool(check.is_ok());
        v["tampered"] = serde_json::Value::Bool(!check.is_ok());
        v["waiting"] = serde_json::Value::Bool(gaps > 0);
        out::json(&v)?;
    } else {
        let seats: Vec<String> = check.seats.iter().map(|s| format!("{}: {}", s.seat, s.events)).collect();
        let summary = format!("{} events, {} seats ({})", check.events, check.seats.len(), seats.join(", "));
        if check.is_ok() {
            out::line(format!("ok: {summary}"))?;
        } else {
            out::line(format!("broken: {summary}"))?;
            for s in check.broken() {
                if let Some(p) = &s.problem {
                    out::line(format!("席位 {}:{p} — 被改动、调换或删除过", s.seat))?;
                }
            }
        }
        for s in check.waiting() {
            let runs: Vec<String> =
                s.gaps.iter().map(|[a, b]| if a == b { format!("{a}") } else { format!("{a}–{b}") }).collect();
            out::line(format!(
                "席位 {} 的第 {} 号事件还没到(不是被删除:本库从没收到过);请导入 {} 更早的文件",
                s.seat,
                runs.join("、"),
                crate::domain::seat_id::name_of(&s.seat)
            ))?;
        }
        let unsigned: Vec<&str> =
            check.seats.iter().filter(|s| s.signed_head.is_none() && s.events > 0).map(|s| s.seat.as_str()).collect();
        if !unsigned.is_empty() {
            out::note(format!("未签名的席位(签名之前的旧席位,只能靠哈希链):{}", unsigned.join("、")));
        }
    }
    if !check.is_ok() {
        bail!("哈希链校验失败:{} 个席位的日志被改动、调换或删除过", check.broken().count());
    }
    if gaps > 0 {
        return Err(super::ExitWith {
            code: 3, message: format!("日志完好,但 {gaps} 个席位还有事件没到(见上)")
        }
        .into());
    }
    Ok(())
}

/// A day (its start, or for `--until` the start of the next day) or a moment (for
/// `--until`, the end of that second), shop time, as a UTC instant.
fn parse_bound(text: &str, until: bool) -> Result<DateTime<Utc>> {
    if let Ok(d) = parse_date(text) {
        let day = if until { d + Duration::days(1) } else { d };
        return Ok(clock::shop_to_utc(day.and_time(chrono::NaiveTime::MIN)));
    }
    let t = text.trim();
    let looks_like_time = t.len() > 10 && t.contains(':');
    match parse_datetime(t).filter(|_| looks_like_time) {
        Some(dt) => Ok(clock::shop_to_utc(dt) + if until { Duration::seconds(1) } else { Duration::zero() }),
        None => bail!("时间 '{t}' 看不懂:请写成 2026-06-28 或 2026-06-28 10:00"),
    }
}

/// A refund number or case id as typed; a case id may be given by its last characters
/// (as the table shows it).
fn resolve_case_key(store: &Store, key: &str) -> Result<String> {
    if key.is_empty() {
        bail!("--case 要写退款编号或售后单号");
    }
    if store.refund(key)?.is_some() || store.case(key)?.is_some() || !store.case_timeline(key)?.is_empty() {
        return Ok(key.to_string());
    }
    match store.case_ids_ending_with(key, 2)?.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("找不到退款或售后单 {key}"),
        _ => bail!("{key} 对应多个售后单,请写完整的售后单号"),
    }
}
