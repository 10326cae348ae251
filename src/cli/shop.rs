//! `kefu shop`: the shop's settings, shared by every seat (recorded as events and
//! synced); `kefu shop set KEY VALUE` changes one for everybody.

use anyhow::{Result, anyhow};

use super::out;
use super::table::Table;
use crate::domain::flag::Flag;
use crate::domain::setting::SettingKey;
use crate::domain::shop::ShopSettings;
use crate::report::shop_time_text;
use crate::store::Store;
use crate::store::shop::ShopSettingRow;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// Set a shop setting for every seat: name, type, origin, cutoff, auto_confirm_days, shifts, flags, courier.
    Set {
        /// name | type | origin | cutoff | auto_confirm_days | shifts | flags | courier
        key: String,
        value: String,
    },
}

/// Whether this command records events.
pub fn writes(a: &Args) -> bool {
    a.cmd.is_some()
}

pub fn run(store: &mut Store, a: Args) -> Result<()> {
    match a.cmd {
        None => {
            out::text(table(&store.shop_settings()?, &store.shop_setting_rows()?).render())?;
            Ok(())
        }
        Some(Cmd::Set { key, value }) => {
            let key = SettingKey::parse(&key)
                .ok_or_else(|| anyhow!("不认识的店铺设置 '{key}'。可用:{}", SettingKey::names()))?;
            let now = store.set_shop_setting(key, &value)?;
            let shown =
                if key == SettingKey::Flags { "已更新(kefu shop 看全部)".to_string() } else { now.display(key) };
            out::line(format!("已设置 {}({}):{shown}(同步后各席位一致)", key.label(), key.name()))?;
            if key == SettingKey::Cutoff {
                out::line(format!("待发货订单已按 {} 截止重新排队", now.value_text(key)))?;
            }
            Ok(())
        }
    }
}

/// Key, meaning, value and who set it.
pub fn table(settings: &ShopSettings, rows: &[ShopSettingRow]) -> Table {
    let mut t = Table::new(&["设置", "含义", "值", "来源"]).max_width(72);
    for r in rows {
        let value = match &r.unreadable {
            Some(why) => format!("{}(所存值无法识别:{why})", r.display),
            None => r.display.clone(),
        };
        if r.key == SettingKey::Flags {
            // one line per colour, so no meaning is cut
            for (i, f) in Flag::ALL.into_iter().enumerate() {
                let meaning = settings.flag_meaning(f).to_string();
                let src = if i == 0 { source(r) } else { String::new() };
                t.row(vec![format!("flags.{}", f.name()), f.label().into(), meaning, src]);
            }
            continue;
        }
        t.row(vec![r.key.name().into(), r.key.label().into(), value, source(r)]);
    }
    t
}

pub fn source(r: &ShopSettingRow) -> String {
    match &r.set_by {
        Some(b) => format!("{} @ {} {}", b.agent, b.seat, shop_time_text(&b.at)),
        None => "默认(assets/defaults.toml)".into(),
    }
}
