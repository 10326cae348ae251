//! `kefu demo [--orders N] [--replies N] [--seed S] [--export-csv DIR]`.

use std::path::PathBuf;

use anyhow::Result;

use super::out;
use crate::demo::{self, DemoOptions, Summary};
use crate::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// How many orders (at most 9,999,999).
    #[arg(long, default_value_t = demo::DEFAULT_ORDERS, value_name = "N")]
    orders: u64,
    /// How many standard replies (default: every phrase of the built-in quick-phrase
    /// file; more adds variants with new codes).
    #[arg(long, value_name = "N")]
    replies: Option<usize>,
    /// The same seed (and the same KEFU_NOW) gives the same demo.
    #[arg(long, default_value_t = demo::DEFAULT_SEED, value_name = "S")]
    seed: u64,
    /// Also write the same orders as a seller-centre export pair
    /// (ExportOrderList….csv, ExportOrderDetailList….csv) into DIR.
    #[arg(long, value_name = "DIR")]
    export_csv: Option<PathBuf>,
}

pub fn run(store: &mut Store, a: Args) -> Result<()> {
    let opts = DemoOptions { orders: a.orders, replies: a.replies, seed: a.seed, now: store.clock().shop_now() };
    let filled = demo::fill(store, &opts)?;
    out::line(format!(
        "演示数据已写入 {}:{} 个订单({} 件宝贝,用时 {:.1} 秒),共 {:.1} 秒",
        store.path(),
        filled.orders,
        filled.items,
        filled.orders_secs,
        filled.total_secs
    ))?;
    print_summary(&demo::summary(store, opts.now)?)?;
    if let Some(dir) = a.export_csv {
        let f = demo::export_csv(&dir, &opts)?;
        out::line(format!("导出:{}({} 行)", f.orders.display(), f.order_rows))?;
        out::line(format!("      {}({} 行)", f.details.display(), f.item_rows))?;
    }
    Ok(())
}

/// Prints what a demo database holds (also used after the first-run fill).
pub fn print_summary(s: &Summary) -> std::io::Result<()> {
    let list = |items: Vec<String>| items.join(" · ");
    out::line(format!("  订单:{}", list(s.orders.iter().map(|(st, n)| format!("{} {n}", st.code())).collect())))?;
    out::line(format!("  已超时待发货 {}", s.overdue))?;
    out::line(format!("  旗帜:{}", list(s.flags.iter().map(|(f, n)| format!("{} {n}", f.label())).collect())))?;
    out::line(format!("  退款:{}", list(s.refunds.iter().map(|(st, n)| format!("{} {n}", st.code())).collect())))?;
    out::line(format!(
        "  售后单:{}",
        list(s.cases.iter().map(|(k, st, n)| format!("{}/{} {n}", k.label(), st.label())).collect())
    ))?;
    out::line(format!(
        "  快捷回复 {} 条({} 组),使用 {} 次 · 备注 {} 条 · 事件 {}",
        s.replies, s.reply_groups, s.reply_uses, s.memo_lines, s.events
    ))?;
    let mut seats: Vec<String> = Vec::new();
    for (seat, agent) in &s.seats {
        seats.push(format!("{seat}/{agent}"));
    }
    out::line(format!("  席位/客服:{}", seats.join(" ")))
}
