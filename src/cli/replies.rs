//! `kefu replies search QUERY [--limit N] [--order ORDER_NO] [--json]`: the reply pane's
//! search from the shell, best first, filled from an order when given.

use anyhow::{Result, anyhow};
use serde_json::json;

use super::out;
use crate::domain::placeholders::fill;
use crate::search::{Field, ReplyDoc, ReplyIndex};
use crate::store::{ReplyAffinity, Store};
use std::collections::HashMap;

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
    let (index, affinity) = index_for(store)?;
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
                    "mine_week": affinity.get(&d.id).map_or(0, |m| m.week),
                    "why": why(d, &affinity),
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
        let head = format!("[{}] {} · {}", d.code, d.group, why(d, &affinity));
        out::text(format!("{}\n  {}\n", crate::domain::sanitize::clean_line(&head), text.replace('\n', "\n  ")))?;
    }
    Ok(())
}

/// The reply index (kept in a file beside the database, rebuilt when it is missing or
/// out of date) with the agent's own use of each reply.
pub(crate) fn index_for(store: &Store) -> Result<(ReplyIndex, HashMap<String, ReplyAffinity>)> {
    let (index, mine, _) = crate::search::stored::open(store)?;
    Ok((index, mine))
}

/// Why a reply ranks where it does, beyond what matched: 你本周用过 12 次 · 全店 340 次.
pub(crate) fn why(d: &ReplyDoc, affinity: &HashMap<String, ReplyAffinity>) -> String {
    match affinity.get(&d.id) {
        Some(m) if m.week > 0 => format!("你本周用过 {} 次 · 全店 {} 次", m.week, d.uses),
        Some(_) => format!("你用过 · 全店 {} 次", d.uses),
        None => format!("全店用过 {} 次", d.uses),
    }
}
