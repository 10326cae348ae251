//! What a finished export, import or folder sync did, in the lines the summary popup
//! shows: the numbers `kefu export/import/sync` print, one fact a line, with a tone for
//! the colour. Paths and seat names come from files: the popup draws every line through
//! the render boundary (`tui::text`), which strips what a terminal would obey.

use std::path::Path;

use super::sync_files::human_bytes;
use super::sync_job::{SyncJob, SyncOutcome};
use crate::sync::{DirFile, ExportReport, ImportReport, Scope, SyncReport, clock_ahead_warning, far_future_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// A heading (a file's name).
    Head,
    /// Done, numbers.
    Good,
    /// Done, but look at this.
    Warn,
    /// Failed.
    Bad,
}

pub type SummaryLine = (String, Tone);

/// The popup's title and lines for a finished job.
pub fn outcome(o: &SyncOutcome) -> (&'static str, Vec<SummaryLine>) {
    let mut out = Vec::new();
    let title = match o {
        SyncOutcome::Exported(r) => {
            export_lines(r, &mut out);
            "导出完成"
        }
        SyncOutcome::Imported(r) => {
            out.push((r.path.display().to_string(), Tone::Head));
            import_lines(r, &mut out);
            "导入完成"
        }
        SyncOutcome::Synced(r) => {
            sync_lines(r, &mut out);
            "同步完成"
        }
    };
    (title, out)
}

/// The popup's title and lines when a job failed as a whole: the error as `SyncError`
/// says it, and what that left behind.
pub fn failure(job: &SyncJob, message: &str) -> (&'static str, Vec<SummaryLine>) {
    let (title, after) = match job {
        SyncJob::Export { .. } => ("导出失败", "没有写出文件(同名的旧文件保持原样)。"),
        SyncJob::Import { .. } => ("导入失败", "数据库没有任何改动。"),
        SyncJob::Dir { .. } => ("同步失败", "没有导入任何文件。"),
    };
    (title, vec![(message.to_string(), Tone::Bad), (String::new(), Tone::Plain), (after.to_string(), Tone::Plain)])
}

fn export_lines(r: &ExportReport, out: &mut Vec<SummaryLine>) {
    if r.count == 0 {
        out.push(("导出 0 条事件:自上次导出以来没有新事件(文件仍可导入)".into(), Tone::Good));
    } else {
        out.push((format!("导出 {} 条事件", r.count), Tone::Good));
    }
    out.push((format!("文件:{}", r.path.display()), Tone::Plain));
    let gz = if r.compressed { "(gzip 压缩)" } else { "" };
    out.push((format!("大小:{}{gz}", human_bytes(r.bytes)), Tone::Plain));
    let scope = match r.scope {
        Scope::All => "全部事件",
        Scope::SinceLast => "自上次导出以来",
    };
    out.push((format!("范围:{scope}"), Tone::Plain));
    if r.scope == Scope::SinceLast && !r.continued {
        out.push(("之前没有导出过,导出了全部事件".into(), Tone::Warn));
    }
    per_seat(r, out);
}

fn per_seat(r: &ExportReport, out: &mut Vec<SummaryLine>) {
    if r.per_seat.is_empty() {
        return;
    }
    out.push(("各席位的事件:".into(), Tone::Plain));
    for (seat, n) in &r.per_seat {
        out.push((format!("  席位 {seat}:{n} 条"), Tone::Plain));
    }
}

fn import_lines(r: &ImportReport, out: &mut Vec<SummaryLine>) {
    out.push((format!("席位 {} 导出,共 {} 条事件", r.from_seat, r.events), Tone::Plain));
    out.push((format!("新事件 {} · 已有 {} · 冲突 {}", r.new, r.already_present, r.new_conflicts), Tone::Good));
    if r.new_conflicts > 0 {
        out.push((format!("{} 个新冲突:在 ② 售后打开售后单,冲突标红,按 R 写明如何处理", r.new_conflicts), Tone::Warn));
    }
    if r.seen_before {
        out.push(("这个文件之前已导入过,没有再读".into(), Tone::Plain));
    } else if r.new == 0 {
        out.push(("没有新事件,数据库未改动".into(), Tone::Plain));
    }
    for f in &r.far_future {
        out.push((far_future_line(f), Tone::Warn));
    }
    for (seat, secs) in &r.clocks_ahead {
        out.push((clock_ahead_warning(seat, *secs), Tone::Warn));
    }
}

fn sync_lines(r: &SyncReport, out: &mut Vec<SummaryLine>) {
    out.push((format!("本席位的文件:{}", r.export.path.display()), Tone::Head));
    if r.rewrote {
        out.push((format!("写出 {} 条事件({})", r.export.count, human_bytes(r.export.bytes)), Tone::Good));
    } else {
        out.push((format!("没有新事件,不用重写({} 条事件)", r.export.count), Tone::Good));
    }
    if r.files.is_empty() {
        out.push(("文件夹里还没有别的席位的文件".into(), Tone::Plain));
    }
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for f in &r.files {
        out.push((String::new(), Tone::Plain));
        match f {
            DirFile::Imported(r) => {
                out.push((format!("导入 {}", name(&r.path)), Tone::Head));
                import_lines(r, out);
            }
            DirFile::Unchanged(p) => out.push((format!("{}:与上次导入的相同,跳过", name(p)), Tone::Plain)),
            DirFile::Failed(p, e) => {
                out.push((format!("{}:未导入", name(p)), Tone::Head));
                out.push((e.to_string(), Tone::Bad));
            }
        }
    }
    let failed = r.files.iter().filter(|f| matches!(f, DirFile::Failed(..))).count();
    if failed > 0 {
        out.push((String::new(), Tone::Plain));
        out.push((format!("{failed} 个文件未能导入(见上),其余已同步"), Tone::Bad));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn import(new: u64, conflicts: u64, ahead: Vec<(String, i64)>) -> ImportReport {
        ImportReport {
            path: PathBuf::from("/x/kefu-b.kefusync"),
            from_seat: "b".into(),
            events: 10,
            new,
            already_present: 10 - new,
            new_conflicts: conflicts,
            seen_before: false,
            clocks_ahead: ahead,
            far_future: Vec::new(),
            unsigned: Vec::new(),
            pinned: Vec::new(),
        }
    }

    fn texts(lines: &[SummaryLine]) -> Vec<&str> {
        lines.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn an_import_gives_its_numbers_conflicts_and_clock_warning() {
        let (title, lines) = outcome(&SyncOutcome::Imported(import(7, 1, vec![("b".into(), 185)])));
        assert_eq!(title, "导入完成");
        let t = texts(&lines);
        assert!(t.contains(&"新事件 7 · 已有 3 · 冲突 1"), "{t:?}");
        assert!(t.iter().any(|l| l.contains("1 个新冲突")), "{t:?}");
        assert!(t.iter().any(|l| l.contains("席位 b 的事件时间比本机时钟晚 3 分钟")), "{t:?}");
        assert!(lines.iter().any(|(_, tone)| *tone == Tone::Warn));
    }

    #[test]
    fn nothing_new_says_nothing_changed() {
        let (_, lines) = outcome(&SyncOutcome::Imported(import(0, 0, Vec::new())));
        assert!(texts(&lines).contains(&"没有新事件,数据库未改动"));
    }

    #[test]
    fn a_failed_import_says_the_database_is_unchanged() {
        let job = SyncJob::Import { path: PathBuf::from("/x/y.kefusync") };
        let (title, lines) = failure(&job, "文件 /x/y.kefusync 被拒收,未导入任何内容:校验和不对");
        assert_eq!(title, "导入失败");
        assert_eq!(lines[0].1, Tone::Bad);
        assert!(texts(&lines).contains(&"数据库没有任何改动。"));
    }
}
