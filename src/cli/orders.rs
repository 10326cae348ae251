//! `kefu orders`: the queue, most urgent first.

use anyhow::{Result, bail};
use serde_json::json;

use super::out;
use super::table::Table;
use crate::domain::money::format_yuan;
use crate::domain::order::OrderStatus;
use crate::domain::promise::format_time_left;
use crate::domain::timefmt::{format_datetime, format_short};
use crate::store::orders::QueueView;
use crate::store::{QueueRow, Store};

#[derive(clap::Args)]
pub struct Args {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    json: bool,
    /// Only orders in this state (platform code such as WAIT_SELLER_SEND_GOODS, or the Chinese label).
    #[arg(long, value_name = "CODE")]
    status: Option<String>,
    /// Only paid orders past their ship-by time.
    #[arg(long)]
    overdue: bool,
    /// At most this many orders.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

pub fn run(store: &Store, a: Args) -> Result<()> {
    let now = store.clock().shop_now();
    let view = match (&a.status, a.overdue) {
        (Some(_), true) => bail!("--status 和 --overdue 只能选一个"),
        (Some(s), false) => match OrderStatus::parse(s) {
            Some(st) => QueueView::Status(st),
            None => bail!(
                "不认识的订单状态 '{s}'。可用:{}",
                OrderStatus::ALL.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ")
            ),
        },
        (None, true) => QueueView::Overdue,
        (None, false) => QueueView::All,
    };
    // Keyset pages, so a large --limit never builds one huge OFFSET query.
    let mut rows: Vec<QueueRow> = Vec::new();
    while rows.len() < a.limit {
        let page = store.queue_page(view, now, rows.last().map(|r| &r.cursor), (a.limit - rows.len()).min(1000))?;
        if page.is_empty() {
            break;
        }
        rows.extend(page);
    }
    if a.json {
        let arr: Vec<_> = rows.iter().map(|r| row_json(r, now)).collect();
        out::json(&arr)?;
        return Ok(());
    }
    let mut t = Table::new(&["旗", "订单号", "买家", "宝贝", "付款时间", "剩余>", "状态", "备注"]);
    for r in &rows {
        t.row(vec![
            if r.flag.number() > 0 { r.flag.label().to_string() } else { String::new() },
            r.order_no.clone(),
            r.buyer.clone(),
            r.title.clone(),
            r.paid_at.map(format_short).unwrap_or_default(),
            r.ship_by.map(|s| format_time_left(s, now)).unwrap_or_default(),
            status_cell(r),
            r.memo_last.clone(),
        ]);
    }
    out::table(&t.max_width(24))?;
    Ok(())
}

/// The status column: an unknown status shows the export's own text.
fn status_cell(r: &QueueRow) -> String {
    match r.status {
        None => "未导入".to_string(),
        Some(OrderStatus::Unknown) if !r.status_text.is_empty() => format!("未知:{}", r.status_text),
        Some(s) => s.short_label_with_refund(r.amount_fen, r.refunded_fen).to_string(),
    }
}

fn row_json(r: &QueueRow, now: chrono::NaiveDateTime) -> serde_json::Value {
    json!({
        "order_no": r.order_no,
        "buyer": r.buyer,
        "receiver": r.receiver_name,
        "status": r.status.map(|s| s.code()),
        "status_label": r.status.map(|s| s.label_with_refund(r.amount_fen, r.refunded_fen)),
        "refunded": format_yuan(r.refunded_fen),
        // The export's own words: what an UNKNOWN status said.
        "status_text": r.status.map(|s| if r.status_text.is_empty() { s.label() } else { r.status_text.as_str() }),
        "title": r.title,
        "paid_at": r.paid_at.map(format_datetime),
        "ship_by": r.ship_by.map(format_datetime),
        "overdue": r.ship_by.is_some_and(|s| s < now),
        "time_left": r.ship_by.map(|s| format_time_left(s, now)),
        "flag": r.flag.number(),
        "flag_name": r.flag.name(),
        "tracking_no": r.tracking_no,
        "courier": r.courier,
        "amount": format_yuan(r.amount_fen).parse::<f64>().unwrap_or(0.0),
        "amount_fen": r.amount_fen,
        "open_refunds": r.open_refunds,
        "memo": r.memo_last,
    })
}
