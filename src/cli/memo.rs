//! `kefu memo ORDER_NO TEXT [--flag F] [--staff N --result R]`.

use anyhow::{Result, bail};

use super::out;
use crate::domain::flag::Flag;
use crate::store::Store;

#[derive(clap::Args)]
pub struct Args {
    order_no: String,
    /// What was done (written in the seed's memo format with today's date and your name).
    text: Option<String>,
    /// Set the flag: 0–5 or grey/red/yellow/green/blue/purple (红/黄/绿/蓝/紫).
    #[arg(long)]
    flag: Option<String>,
    /// The courier staff number (工号) you spoke to.
    #[arg(long, value_name = "工号")]
    staff: Option<String>,
    /// The result (已更改, 派件中 …).
    #[arg(long)]
    result: Option<String>,
}

pub fn run(store: &mut Store, a: Args) -> Result<()> {
    let flag = a.flag.as_deref().map(Flag::parse).transpose().map_err(anyhow::Error::msg)?;
    if a.text.is_none() && flag.is_none() {
        bail!("要写备注内容,或用 --flag 设置旗帜");
    }
    if a.text.is_none() && (a.staff.is_some() || a.result.is_some()) {
        bail!("--staff/--result 要和备注内容一起写");
    }
    if let Some(text) = &a.text {
        let line = store.add_memo_line(
            &a.order_no,
            a.staff.as_deref().unwrap_or(""),
            text,
            a.result.as_deref().unwrap_or(""),
        )?;
        out::line(format!("已备注 {}:{line}", a.order_no))?;
    }
    if let Some(f) = flag {
        store.set_flag(&a.order_no, f)?;
        let meaning = store.shop_settings()?.flag_meaning(f).to_string();
        out::line(format!("已设旗 {}:{}({meaning})", a.order_no, f.label()))?;
    }
    Ok(())
}
