//! `kefu replies import|export`: Qianniu's quick-phrase CSV
//! (`快捷短语编码,快捷短语,快捷短语分组`) in and out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::import::{DRY_RUN_NOTE, DryRun, finish, open_file, print_summary, refused};
use super::out;
use crate::domain::sanitize::clean_line;
use crate::import::{self, apply, replies::write_phrases};
use crate::store::Store;

#[derive(clap::Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Also delete replies whose code is not in the file.
    #[arg(long)]
    replace: bool,
    /// With --replace: go on even when the file holds no phrase to import (every reply is deleted).
    #[arg(long, requires = "replace")]
    allow_empty: bool,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    file: PathBuf,
    /// Write GBK/GB18030 instead of UTF-8 (older Qianniu and Excel versions).
    #[arg(long)]
    gbk: bool,
}

pub fn import(store: &mut Store, a: ImportArgs) -> Result<()> {
    let source = import::source_name(&a.file);
    let f = open_file(&a.file)?;
    let opts = import::Options { dry_run: a.dry.dry_run, progress: None };
    let sum = apply::import_replies_with(store, f, a.replace, a.allow_empty, opts).map_err(|e| refused(&source, e))?;
    if a.dry.dry_run {
        out::line(DRY_RUN_NOTE)?;
    }
    print_summary(&source, &sum, "快捷短语")?;
    finish(&sum)
}

pub fn export(store: &Store, a: ExportArgs) -> Result<()> {
    let replies = store.replies()?;
    let bytes = write_phrases(replies.iter().map(|r| (r.code.as_str(), r.text.as_str(), r.group.as_str())), a.gbk);
    let shown = clean_line(&a.file.display().to_string());
    std::fs::write(&a.file, bytes).with_context(|| format!("写不了文件 {shown}"))?;
    out::line(format!(
        "已导出 {} 条快捷短语到 {shown}({})",
        replies.len(),
        if a.gbk { "GBK/GB18030" } else { "UTF-8 带 BOM" }
    ))?;
    Ok(())
}
