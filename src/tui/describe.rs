//! One readable line per event of the log, for timelines: who, when, what.

use crate::domain::clock::to_shop;
use crate::domain::event::EventBody;
use crate::domain::money::format_yuan;
use crate::store::EventRow;

/// `06-28 10:00 宾@seat-1 同意退款`.
pub fn event_line(e: &EventRow) -> String {
    let when = chrono::DateTime::parse_from_rfc3339(&e.at)
        .map(|d| to_shop(d.with_timezone(&chrono::Utc)).format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| e.at.clone());
    format!("{when} {}@{} {}", e.agent, e.seat, what(e))
}

fn what(e: &EventRow) -> String {
    let Ok(body) = serde_json::from_str::<EventBody>(&e.payload) else {
        return e.kind.clone();
    };
    match body {
        EventBody::OrdersUpserted { orders, source } => format!("导入 {} 个订单({source})", orders.len()),
        EventBody::MemoAdded { text, .. } => format!("备注:{text}"),
        EventBody::FlagSet { flag, .. } => format!("设为{}", flag.label()),
        EventBody::RefundOpened { refund } => {
            format!("登记退款 {} {} {}", refund.refund_no, format_yuan(refund.amount_fen), refund.reason)
        }
        EventBody::RefundSynced { refund } => format!("平台同步:{}", refund.state.label()),
        EventBody::RefundActed { action, input, .. } => {
            let mut s = action.label().to_string();
            if !input.note.is_empty() {
                s.push_str(&format!(":{}", input.note));
            }
            if let Some(d) = input.days {
                s.push_str(&format!(" {d} 天"));
            }
            if !input.tracking_no.is_empty() {
                s.push_str(&format!(" {} {}", input.courier, input.tracking_no));
            }
            s
        }
        EventBody::CaseOpened { detail, .. } => format!("开{}单", detail.kind().label()),
        EventBody::CaseActed { action, note, .. } => {
            if note.is_empty() {
                action.label().to_string()
            } else {
                format!("{}:{note}", action.label())
            }
        }
        EventBody::CaseRegistered { .. } => "更新售后登记".into(),
        EventBody::CaseDetailEdited { .. } => "修改售后单内容".into(),
        EventBody::CaseContacted { channel, progress, .. } => format!("{}联系:{progress}", channel.label()),
        EventBody::ReplySaved { code, .. } => format!("保存快捷回复 {code}"),
        EventBody::ReplyDeleted { .. } => "删除快捷回复".into(),
        EventBody::ReplyUsed { .. } => "使用快捷回复".into(),
        EventBody::ConflictResolved { note, .. } => format!("处理冲突:{note}"),
        EventBody::SettingSet { key, value } => format!("设置 {key}={value}"),
    }
}
