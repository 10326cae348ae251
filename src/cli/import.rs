//! `kefu import-orders LIST [DETAIL]` and `kefu import-refunds FILE`: the seller
//! centre's exports in, with a summary and the rejected lines.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::{out, progress};
use crate::domain::sanitize::clean_line;
use crate::import::{self, ImportError, Options, Rejections, Summary, apply};
use crate::store::Store;

#[derive(clap::Args)]
pub struct OrdersArgs {
    /// The order list export: ExportOrderList….csv (GBK or UTF-8) or .xlsx.
    list: PathBuf,
    /// Its item detail export (ExportOrderDetailList….csv or .xlsx), for items, SKU, colour and size.
    detail: Option<PathBuf>,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(clap::Args)]
pub struct RefundsArgs {
    /// The refund export (退款管理 → 导出): .csv (GBK or UTF-8) or .xlsx.
    file: PathBuf,
    #[command(flatten)]
    pub dry: DryRun,
}

/// `--dry-run`, shared by the import commands.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct DryRun {
    /// Read and check everything and print what the import would do, without writing anything
    /// (the database file is left exactly as it is; a missing one is not created).
    #[arg(long)]
    pub dry_run: bool,
}

/// What a dry run says before its summary.
pub(crate) const DRY_RUN_NOTE: &str = "试运行(--dry-run):以下是导入会做的改动,数据库没有写入任何内容。";

pub(crate) fn open_file(path: &Path) -> Result<File> {
    File::open(path).with_context(|| format!("打不开文件 {}", clean_line(&path.display().to_string())))
}

pub fn run_orders(store: &mut Store, a: OrdersArgs) -> Result<()> {
    let list = open_file(&a.list)?;
    let detail = a.detail.as_deref().map(open_file).transpose()?;
    let source = import::source_name(&a.list);
    let total = size(&list) + detail.as_ref().map_or(0, size);
    let bar = progress::Bar::for_import(total);
    let opts = Options { dry_run: a.dry.dry_run, progress: bar.as_ref().map(|b| b as &dyn import::Progress) };
    let sum = apply::import_orders_with(store, list, &source, detail, opts);
    progress::Bar::finish(bar);
    let sum = sum.map_err(|e| match (e, &a.detail) {
        // A detail file's trouble names the detail file.
        (ImportError::Detail(inner), Some(d)) => refused(&format!("明细文件 {}", import::source_name(d)), *inner),
        (e, _) => refused(&source, e),
    })?;
    if a.dry.dry_run {
        out::line(DRY_RUN_NOTE)?;
    }
    print_counts(&source, &sum, "订单")?;
    if let Some(d) = &a.detail {
        print_rejections(&format!("明细文件 {}", import::source_name(d)), &sum.detail_rejected)?;
    }
    print_unknown(&sum)?;
    finish(&sum)
}

pub fn run_refunds(store: &mut Store, a: RefundsArgs) -> Result<()> {
    let file = open_file(&a.file)?;
    let source = import::source_name(&a.file);
    let bar = progress::Bar::for_import(size(&file));
    let opts = Options { dry_run: a.dry.dry_run, progress: bar.as_ref().map(|b| b as &dyn import::Progress) };
    let sum = apply::import_refunds_with(store, file, opts);
    progress::Bar::finish(bar);
    let sum = sum.map_err(|e| refused(&source, e))?;
    if a.dry.dry_run {
        out::line(DRY_RUN_NOTE)?;
    }
    print_summary(&source, &sum, "退款")?;
    finish(&sum)
}

fn size(f: &File) -> u64 {
    f.metadata().map_or(0, |m| m.len())
}

/// A whole-file refusal or failure, naming the file.
pub(crate) fn refused(source: &str, e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Refused(m) => anyhow::anyhow!("{source} 未导入,数据库没有改动。{m}"),
        other => anyhow::anyhow!("{source} 导入失败,数据库没有改动:{other}"),
    }
}

/// The summary, ending with the values kefu did not know.
pub(crate) fn print_summary(source: &str, sum: &Summary, what: &str) -> std::io::Result<()> {
    print_counts(source, sum, what)?;
    print_unknown(sum)
}

/// The warning that ends a summary.
fn print_unknown(sum: &Summary) -> std::io::Result<()> {
    for w in sum.unknown.warning() {
        out::line(w)?;
    }
    Ok(())
}

/// What was read and what it did, and the rejected rows.
fn print_counts(source: &str, sum: &Summary, what: &str) -> std::io::Result<()> {
    let format = match (&sum.sheet, sum.encoding) {
        (Some(sheet), _) => format!("xlsx 工作表「{sheet}」"),
        (None, Some(e)) => e.label().to_string(),
        (None, None) => "?".to_string(),
    };
    out::line(format!("导入{what} {source}({format},{} 列)", sum.columns))?;
    out::line(sum.line())?;
    print_rejections("", &sum.rejected)?;
    for n in &sum.notes {
        out::line(clean_line(n))?;
    }
    Ok(())
}

pub(crate) fn print_rejections(label: &str, r: &Rejections) -> std::io::Result<()> {
    if r.count == 0 {
        return Ok(());
    }
    if label.is_empty() {
        out::line("被拒绝的行:")?;
    } else {
        out::line(format!("{label}:拒绝 {} 行", r.count))?;
    }
    for e in &r.kept {
        out::line(format!("  {e}"))?;
    }
    if r.count > r.kept.len() as u64 {
        out::line(format!("  …另有 {} 行被拒绝,未逐一列出", r.count - r.kept.len() as u64))?;
    }
    Ok(())
}

/// Exit 0 when anything was imported or all was already there; an error when every
/// row was rejected.
pub(crate) fn finish(sum: &Summary) -> Result<()> {
    if sum.accepted() == 0 && sum.rejected.count > 0 {
        bail!("没有一行可以导入,数据库没有改动");
    }
    Ok(())
}
