//! `kefu replies search QUERY [--limit N] [--order ORDER_NO] [--json]`: the reply pane's
//! search from the shell, best first, filled from an order when given.

use anyhow::{Result, anyhow};
use serde_json::json;

use super::out;
use crate::domain::placeholders::fill;
use crate::search::{Field, ReplyDoc, ReplyIndex};
use crate::store::Store;

#[derive(clap::Args)]
pub struct SearchArgs {
    /// Chinese text, full pinyin or initials (tk → 退款, yfx → 运费险); several words all must match.
    query: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Fill placeholders from this order.
    #[arg(long, value_name = "ORDER_NO")]
    order: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn search(store: &Store, a: SearchArgs) -> Result<()> {
    if let Some(no) = &a.order {
        store.order_detail(no)?.ok_or_else(|| anyhow!("找不到订单 {no}"))?;
    }
    let index = ReplyIndex::build(store.replies()?.into_iter().map(ReplyDoc::from).collect());
    let values = store.placeholder_values(a.order.as_deref())?;
    let hits = index.search(&a.query, a.limit);
    if a.json {
        let arr: Vec<_> = hits
            .iter()
            .map(|h| {
                let d = index.doc(h.doc);
                let filled = fill(&d.text, &values);
                json!({
                    "id": d.id,
                    "code": d.code,
                    "group": d.group,
                    "text": d.text,
                    "filled": filled.text,
                    "missing": filled.missing,
                    "uses": d.uses,
                    "score": h.score,
                    "matched": match h.field { Field::Code => "code", Field::Text => "text", Field::Group => "group" },
                })
            })
            .collect();
        out::json(&arr)?;
        return Ok(());
    }
    if hits.is_empty() {
        out::line(format!("没有找到「{}」", crate::domain::sanitize::clean_line(&a.query)))?;
        return Ok(());
    }
    for h in &hits {
        let d = index.doc(h.doc);
        let text = crate::domain::sanitize::clean_text(&fill(&d.text, &values).text);
        out::text(format!("[{}] {} · 用过 {} 次\n  {}\n", d.code, d.group, d.uses, text.replace('\n', "\n  ")))?;
    }
    Ok(())
}
