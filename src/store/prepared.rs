//! Order facts turned into the JSON their `OrdersUpserted` event carries, by whoever
//! makes the record: an import's reading thread serializes while the writing thread
//! stores the batch before, and `Writer::record_orders` only joins the pieces.
//!
//! The payload so joined is byte for byte `serde_json::to_string` of the event body,
//! cleaned as `Writer::record` cleans one (tested below), so the log does not depend on
//! which path wrote it.

use super::clean_payload;
use super::error::Result;
use crate::domain::order::OrderRecord;
use crate::domain::sanitize::clean_text;

/// One order's platform facts with their JSON. Built only by `new`, so the JSON is
/// always that of the record.
#[derive(Debug)]
pub struct PreparedOrder {
    record: OrderRecord,
    json: String,
}

impl PreparedOrder {
    /// Serializes `record`. Text the sanitizer would change (a record built by hand, not
    /// by an import, which cleans every field) is cleaned first, as `Writer::record` does.
    pub fn new(record: OrderRecord) -> Result<PreparedOrder> {
        let json = serde_json::to_string(&record)?;
        match clean_payload(&json)? {
            None => Ok(PreparedOrder { record, json }),
            Some(cleaned) => {
                let record: OrderRecord = serde_json::from_str(&cleaned)?;
                let json = serde_json::to_string(&record)?;
                Ok(PreparedOrder { record, json })
            }
        }
    }

    pub fn record(&self) -> &OrderRecord {
        &self.record
    }

    pub fn into_record(self) -> OrderRecord {
        self.record
    }
}

/// `source` as the event will hold it, and the event's payload.
pub(super) fn orders_payload(source: &str, orders: &[PreparedOrder]) -> Result<(String, String)> {
    let source = clean_text(source);
    let quoted = serde_json::to_string(&source)?;
    let len = orders.iter().map(|o| o.json.len() + 1).sum::<usize>() + quoted.len() + 48;
    let mut payload = String::with_capacity(len);
    payload.push_str(r#"{"kind":"orders_upserted","source":"#);
    payload.push_str(&quoted);
    payload.push_str(r#","orders":["#);
    for (i, o) in orders.iter().enumerate() {
        if i > 0 {
            payload.push(',');
        }
        payload.push_str(&o.json);
    }
    payload.push_str("]}");
    Ok((source, payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::EventBody;
    use crate::domain::order::{OrderItem, OrderStatus};

    fn order(no: &str, buyer: &str) -> OrderRecord {
        OrderRecord {
            order_no: no.into(),
            buyer: buyer.into(),
            receiver_name: "王芳".into(),
            receiver_address: "浙江省 杭州市 西湖区 文三路 \"90\" 号".into(),
            status: OrderStatus::WaitSellerSendGoods.into(),
            amount_fen: 12900,
            title: "复古 PU 单肩包".into(),
            items: vec![OrderItem {
                title: "复古 PU 单肩包".into(),
                sku: "BG-01".into(),
                color: "黑色".into(),
                size: String::new(),
                qty: 1,
                price_fen: 12900,
            }],
            ..Default::default()
        }
    }

    /// What `Writer::record` stores for the same body.
    fn recorded(source: &str, orders: Vec<OrderRecord>) -> String {
        let raw = serde_json::to_string(&EventBody::OrdersUpserted { source: source.into(), orders }).unwrap();
        clean_payload(&raw).unwrap().unwrap_or(raw)
    }

    #[test]
    fn the_joined_payload_is_the_serialized_body() {
        let records = vec![order("1001", "小王"), order("1002", "li\\\"nan")];
        let prepared: Vec<PreparedOrder> = records.iter().cloned().map(|r| PreparedOrder::new(r).unwrap()).collect();
        let (source, payload) = orders_payload("ExportOrderList.csv", &prepared).unwrap();
        assert_eq!(source, "ExportOrderList.csv");
        assert_eq!(payload, recorded("ExportOrderList.csv", records));
        let (_, empty) = orders_payload("x", &[]).unwrap();
        assert_eq!(empty, recorded("x", vec![]));
    }

    #[test]
    fn dirty_text_is_cleaned_in_the_record_and_its_json() {
        let dirty = order("1003", "\u{1b}]0;pwned\u{7}小\u{202e}王\u{1b}[2J");
        let p = PreparedOrder::new(dirty).unwrap();
        assert_eq!(p.record().buyer, clean_text("\u{1b}]0;pwned\u{7}小\u{202e}王\u{1b}[2J"));
        assert!(!p.record().buyer.contains('\u{1b}'));
        assert_eq!(p.json, serde_json::to_string(p.record()).unwrap());
        let (source, payload) = orders_payload("a\u{1b}[31m.csv", std::slice::from_ref(&p)).unwrap();
        assert_eq!(source, "a.csv");
        let body: EventBody = serde_json::from_str(&payload).unwrap();
        assert_eq!(body, EventBody::OrdersUpserted { source, orders: vec![p.into_record()] });
    }
}
