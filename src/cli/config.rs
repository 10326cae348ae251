//! `kefu config`: the settings in force and where each came from — personal ones (the
//! command line, the environment, the config file, the shipped defaults) and the shop's
//! (synced events, or the defaults). `kefu config set KEY VALUE` writes a personal
//! setting into the config file.

use anyhow::{Result, anyhow};

use super::out;
use super::table::Table;
use super::{Origin, Who};
use crate::config::{self, PersonalKey};
use crate::store::Store;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Write a personal setting into your config file: agent, db or theme.
    Set {
        /// agent | db | theme
        key: String,
        value: String,
    },
}

/// `kefu config set`: needs no database.
pub fn set(who: &Who, key: &str, value: &str) -> Result<()> {
    let k = PersonalKey::parse(key).ok_or_else(|| {
        anyhow!(
            "不认识的个人设置 '{key}'。可用:agent、db、theme(店铺的设置用 kefu shop set,键位在配置文件的 [keys] 里)"
        )
    })?;
    if k == PersonalKey::Theme {
        crate::tui::theme::Palette::named(value).map_err(|e| anyhow!("theme:{e}"))?;
    }
    let file = &who.config.file;
    let v = config::set(file, k, value)?;
    out::line(format!("已写入 {}:{} = {v}", file.display(), k.name()))?;
    Ok(())
}

pub fn show(store: &Store, who: &Who) -> Result<()> {
    let c = &who.config;
    out::line(format!(
        "个人设置 — 配置文件 {}{}",
        c.file.display(),
        if c.exists { "" } else { "(还没有;kefu config set agent 你的名字 会建立它)" }
    ))?;
    let mut t = Table::new(&["设置", "含义", "值", "来源"]).max_width(72);
    let agent = who.agent.clone().unwrap_or_else(|| "(未设置:kefu config set agent 你的名字)".into());
    t.row(vec!["agent".into(), PersonalKey::Agent.label().into(), agent, who.agent_from.describe()]);
    t.row(vec!["seat".into(), "席位".into(), store.actor().seat.clone(), who.seat_from.describe()]);
    t.row(vec!["db".into(), PersonalKey::Db.label().into(), who.db.display().to_string(), who.db_from.describe()]);
    let theme_from = match &c.theme {
        Some(s) => Origin::File { line: s.line }.describe(),
        None => Origin::Default.describe(),
    };
    t.row(vec!["theme".into(), PersonalKey::Theme.label().into(), c.theme_name(), theme_from]);
    let keys =
        if c.keys.is_empty() { "(默认键位)".to_string() } else { format!("{} 项自定义", c.key_lines.len()) };
    let keys_from = c
        .key_lines
        .values()
        .min()
        .map(|line| Origin::File { line: *line }.describe())
        .unwrap_or_else(|| Origin::Default.describe());
    t.row(vec!["keys".into(), "键位".into(), keys, keys_from]);
    out::table(&t)?;
    for p in &c.problems {
        out::line(format!("提示:{p}"))?;
    }
    let name = c.theme.as_ref().map(|t| (t.value.as_str(), t.line));
    for p in crate::tui::theme::Theme::from_config(name, &c.colors, false).1 {
        out::line(format!("提示:配置文件 {} {p}", c.file.display()))?;
    }
    out::line("")?;
    out::line("店铺设置 — 各席位共用,随同步传递(kefu shop set 键 值)")?;
    out::text(super::shop::table(&store.shop_settings()?, &store.shop_setting_rows()?).render())?;
    Ok(())
}
