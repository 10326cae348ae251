//! `kefu export FILE [--since-last|--all]`, `kefu import FILE…`, `kefu sync DIR`,
//! `kefu conflicts [--json]` and `kefu conflicts resolve EVENT_ID --note TEXT`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde_json::json;

use super::out;
use super::table::Table;
use crate::domain::clock;
use crate::domain::timefmt::format_datetime;
use crate::store::Store;
use crate::sync::{self, DirFile, ExportReport, ImportReport, Progress, Scope};

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The file to write (replaced atomically if it exists).
    file: PathBuf,
    /// Only events not in this seat's previous export.
    #[arg(long, conflicts_with = "all")]
    since_last: bool,
    /// Every event this database has (the default).
    #[arg(long)]
    all: bool,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Sync files to import; each is verified as a whole first.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub struct SyncArgs {
    /// The shared folder (USB stick, network drive) the seats exchange files in.
    dir: PathBuf,
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ConflictsArgs {
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    cmd: Option<ConflictsCmd>,
}

#[derive(clap::Subcommand)]
pub enum ConflictsCmd {
    /// Record how a conflict was handled (the conflicting event stays in the log).
    Resolve {
        /// The conflicting event's id (or a unique beginning of it).
        event_id: String,
        /// What was done about it.
        #[arg(long)]
        note: String,
    },
}

impl ConflictsArgs {
    /// `conflicts resolve` records an event.
    pub fn writes(&self) -> bool {
        self.cmd.is_some()
    }
}

/// Files with at least this many events get a line on stderr while they are imported.
const ANNOUNCE_ABOVE: u64 = 10_000;

pub fn export(store: &mut Store, a: ExportArgs) -> Result<()> {
    let scope = if a.since_last { Scope::SinceLast } else { Scope::All };
    let r = sync::export(store, &a.file, scope)?;
    if r.count == 0 {
        out::line(format!("导出 0 条事件 → {}(自上次导出以来没有新事件;文件仍可导入)", r.path.display()))?;
    } else {
        let note = if scope == Scope::SinceLast && !r.continued { "(之前没有导出过,导出全部)" } else { "" };
        out::line(format!("{}{note}", export_line(&r)))?;
    }
    Ok(())
}

fn export_line(r: &ExportReport) -> String {
    format!("导出 {} 条事件({})→ {}", r.count, per_seat(&r.per_seat), r.path.display())
}

fn per_seat(m: &BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "无".into();
    }
    m.iter().map(|(s, n)| format!("席位 {s}: {n}")).collect::<Vec<_>>().join(", ")
}

fn import_line(r: &ImportReport) -> String {
    let mut line = format!(
        "{}(席位 {} 导出,{} 条):新事件 {} · 已有 {} · 冲突 {}",
        r.path.display(),
        r.from_seat,
        r.events,
        r.new,
        r.already_present,
        r.new_conflicts
    );
    if r.new_conflicts > 0 {
        line.push_str(" — 用 kefu conflicts 查看");
    }
    if r.seen_before {
        line.push_str("(这个文件之前已导入过)");
    }
    for f in &r.far_future {
        line.push_str("\n  ");
        line.push_str(&sync::far_future_line(f));
    }
    for (seat, secs) in &r.clocks_ahead {
        line.push_str("\n  ");
        line.push_str(&sync::clock_ahead_warning(seat, *secs));
    }
    for seat in &r.pinned {
        line.push_str(&format!("\n  首次见到席位 {seat} 的密钥:已登记(以后只收它签名的事件)"));
    }
    for (seat, n) in &r.unsigned {
        line.push_str(&format!("\n  席位 {seat} 的 {n} 条事件没有签名(签名之前的旧席位,或它的密钥还没登记)— 已导入"));
    }
    line
}

fn announce(path: &Path) -> impl FnMut(Progress) + '_ {
    move |p| {
        if let Progress::Importing { done: 0, total } = p
            && total >= ANNOUNCE_ABOVE
        {
            out::note(format!("{}:校验通过,正在导入 {total} 条事件…", path.display()));
        }
    }
}

pub fn import(store: &mut Store, a: ImportArgs) -> Result<()> {
    let mut failed = 0;
    for path in &a.files {
        match sync::import_with_progress(store, path, &mut announce(path)) {
            Ok(r) => out::text(import_line(&r) + "\n")?,
            Err(e) => {
                failed += 1;
                out::note(format!("错误:{e}"));
            }
        }
    }
    if failed > 0 {
        bail!("{failed} 个文件未能导入(见上),其余已导入");
    }
    Ok(())
}

pub fn sync_dir(store: &mut Store, a: SyncArgs) -> Result<()> {
    let mut announced = std::collections::HashSet::new();
    let report = sync::sync_dir(store, &a.dir, &mut |path, p| {
        if let Progress::Importing { done: 0, total } = p
            && total >= ANNOUNCE_ABOVE
            && announced.insert(path.to_path_buf())
        {
            out::note(format!("{}:校验通过,正在导入 {total} 条事件…", path.display()));
        }
    })?;
    if report.rewrote {
        out::line(export_line(&report.export))?;
    } else {
        out::line(format!("{}:没有新事件,不用重写({} 条事件)", report.export.path.display(), report.export.count))?;
    }
    let mut failed = 0;
    for f in &report.files {
        match f {
            DirFile::Imported(r) => out::text(format!("导入 {}\n", import_line(r)))?,
            DirFile::Unchanged(p) => out::line(format!("{}:与上次导入的相同,跳过", p.display()))?,
            DirFile::Failed(_, e) => {
                failed += 1;
                out::note(format!("错误:{e}"));
            }
        }
    }
    if report.files.is_empty() {
        out::line("文件夹里还没有别的席位的文件")?;
    }
    if failed > 0 {
        bail!("{failed} 个文件未能导入(见上),其余已同步");
    }
    Ok(())
}

/// An event time (UTC, RFC 3339) on the shop's clock.
fn shop_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| format_datetime(clock::to_shop(d.with_timezone(&chrono::Utc))))
        .unwrap_or_else(|_| at.to_string())
}

pub fn conflicts(store: &mut Store, a: ConflictsArgs) -> Result<()> {
    if let Some(ConflictsCmd::Resolve { event_id, note }) = a.cmd {
        let all = store.conflicts(None)?;
        let matches: Vec<_> = all.iter().filter(|c| c.event_id.starts_with(event_id.trim())).collect();
        let c = match matches.as_slice() {
            [] => bail!("没有编号为 {event_id} 的冲突(kefu conflicts 列出全部)"),
            [one] => *one,
            _ if event_id.trim().is_empty() => bail!("要写冲突事件的编号"),
            many => bail!("编号 {event_id} 对应 {} 个冲突,请写完整编号", many.len()),
        };
        store.resolve_conflict(&c.event_id, &note)?;
        out::line(format!("已记录:冲突 {}(售后单 {})已处理 — {}", c.event_id, c.case_key, note.trim()))?;
        return Ok(());
    }
    let rows = store.conflicts(None)?;
    if a.json {
        let mut out = Vec::with_capacity(rows.len());
        for c in &rows {
            let resolutions = store.conflict_resolutions(&c.event_id)?;
            out.push(json!({
                "event_id": c.event_id,
                "case": c.case_key,
                "seat": c.seat,
                "agent": c.agent,
                "at": c.at,
                "kind": c.kind,
                "reason": c.reason,
                "resolved": c.resolved,
                "resolutions": resolutions,
            }));
        }
        out::json(&out)?;
        return Ok(());
    }
    if rows.is_empty() {
        out::line("没有冲突")?;
        return Ok(());
    }
    let mut t = Table::new(&["事件", "售后单", "席位", "客服", "时间", "原因", "状态"]);
    for c in &rows {
        let state = if c.resolved {
            let r = store.conflict_resolutions(&c.event_id)?;
            match r.last() {
                Some(r) => format!("已处理({}:{})", r.agent, r.note),
                None => "已处理".into(),
            }
        } else {
            "未处理".into()
        };
        t.row(vec![
            c.event_id.clone(),
            c.case_key.clone(),
            c.seat.clone(),
            c.agent.clone(),
            shop_time(&c.at),
            c.reason.clone(),
            state,
        ]);
    }
    out::table(&t.max_width(60))?;
    let open = rows.iter().filter(|c| !c.resolved).count();
    if open > 0 {
        out::line(format!("{open} 个未处理 — 处理后用 kefu conflicts resolve 事件编号 --note \"怎么处理的\" 记录"))?;
    }
    Ok(())
}
