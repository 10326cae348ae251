//! `kefu replies import|export`: Qianniu's quick-phrase CSV
//! (`快捷短语编码,快捷短语,快捷短语分组`) in and out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::import::{finish, open_file, print_summary, refused};
use crate::domain::sanitize::clean_line;
use crate::import::{self, apply, replies::write_phrases};
use crate::store::Store;

/// `kefu replies …`: one variant per subcommand.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Import a Qianniu quick-phrase CSV, matched by code (编码).
    Import {
        file: PathBuf,
        /// Also delete replies whose code is not in the file.
        #[arg(long)]
        replace: bool,
    },
    /// Export every reply as a Qianniu quick-phrase CSV (UTF-8 with BOM, opens in Excel).
    Export {
        file: PathBuf,
        /// Write GBK/GB18030 instead (older Qianniu and Excel versions).
        #[arg(long)]
        gbk: bool,
    },
}

pub fn run(store: &mut Store, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Import { file, replace } => {
            let source = import::source_name(&file);
            let f = open_file(&file)?;
            let sum = apply::import_replies(store, f, replace).map_err(|e| refused(&source, e))?;
            print_summary(&source, &sum, "快捷短语");
            finish(&sum)
        }
        Cmd::Export { file, gbk } => {
            let replies = store.replies()?;
            let bytes =
                write_phrases(replies.iter().map(|r| (r.code.as_str(), r.text.as_str(), r.group.as_str())), gbk);
            let shown = clean_line(&file.display().to_string());
            std::fs::write(&file, bytes).with_context(|| format!("写不了文件 {shown}"))?;
            println!(
                "已导出 {} 条快捷短语到 {shown}({})",
                replies.len(),
                if gbk { "GBK/GB18030" } else { "UTF-8 带 BOM" }
            );
            Ok(())
        }
    }
}
