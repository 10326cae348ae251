//! `kefu pick [QUERY] [--order N] [--print]`: the quick picker, for a tmux popup or a
//! desktop-hotkey terminal. Enter copies the filled reply (OSC 52 and the system
//! clipboard, as the seat screen's ③ does) and counts the use under the agent's name;
//! `--print` prints it instead. Esc exits 130 with the terminal as it was.

use anyhow::{Result, anyhow, bail};

use super::out;
use crate::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// What to start with (Chinese, full pinyin or initials); keep typing to narrow.
    query: Option<String>,
    /// Fill placeholders from this order.
    #[arg(long, value_name = "ORDER_NO")]
    order: Option<String>,
    /// Print the chosen reply on stdout instead of copying it.
    #[arg(long)]
    print: bool,
}

/// The picker was cancelled: kefu exits 130 (as fzf does, and a shell on Ctrl-C), saying nothing.
#[derive(Debug)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("已取消")
    }
}

impl std::error::Error for Cancelled {}

/// Exit status when the picker is cancelled.
pub const CANCELLED: u8 = 130;

/// `kefu pick --print`: nothing is counted without a name, so nobody is asked for one.
pub(super) fn prints(cli: &super::Cli) -> bool {
    matches!(&cli.command, Some(super::Command::Pick(a)) if a.print)
}

/// Runs the picker; [`Cancelled`] when Esc ended it.
pub fn run(store: &mut Store, a: Args, config: &crate::config::Config) -> Result<()> {
    if let Some(no) = &a.order {
        store.order_detail(no)?.ok_or_else(|| anyhow!("找不到订单 {no}"))?;
    }
    let (index, mine) = super::replies::index_for(store)?;
    let values = store.placeholder_values(a.order.as_deref())?;
    let choice = crate::tui::pick::run(&index, &values, &mine, a.query.as_deref().unwrap_or(""), !a.print, config)
        .map_err(|e| anyhow!("选择快捷回复时终端出错:{e}"))?;
    let Some(choice) = choice else {
        return Err(Cancelled.into());
    };
    let doc = index.doc(choice.doc);
    if a.print {
        out::text(crate::domain::sanitize::clean_text(&choice.text))?;
        out::text("\n")?;
    } else {
        out::note(format!("已复制「{}」", crate::domain::sanitize::clean_line(&doc.code)));
    }
    if store.actor().agent.is_empty() {
        if !a.print {
            bail!("{}", crate::store::NO_AGENT);
        }
    } else {
        store.reply_used(&doc.id, a.order.as_deref())?;
    }
    Ok(())
}
