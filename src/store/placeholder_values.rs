//! What a standard reply's placeholders are filled with: the facts of the order the
//! agent works on — the open case's order when a case is open, else the order selected
//! in the queue — and of its refund.

use chrono::Datelike;

use super::Store;
use super::error::Result;
use super::rows::{OrderDetail, RefundRow};
use crate::domain::money::format_yuan;
use crate::domain::placeholders::PlaceholderValues;

impl Store {
    /// For an order (or none: only the agent and today are known). `{退款金额}` is the
    /// order's open refund (the newest, if several).
    pub fn placeholder_values(&self, order_no: Option<&str>) -> Result<PlaceholderValues> {
        let Some(order) = order_no.map(|n| self.order_detail(n)).transpose()?.flatten() else {
            return Ok(self.values_of(None, None));
        };
        let refund = self.refunds_for_order(&order.order_no)?.into_iter().rev().find(|r| !r.state.is_terminal());
        Ok(self.values_of(Some(order), refund))
    }

    /// For the order of a refund (its number) or of a case (its id): `{退款金额}` is that
    /// refund's amount. None when no such refund or case is known.
    pub fn placeholder_values_for_case(&self, case_key: &str) -> Result<Option<PlaceholderValues>> {
        if let Some(refund) = self.refund(case_key)? {
            let order = self.order_detail(&refund.order_no)?;
            return Ok(Some(self.values_of(order, Some(refund))));
        }
        match self.case(case_key)? {
            Some(case) => Ok(Some(self.placeholder_values(Some(&case.order_no))?)),
            None => Ok(None),
        }
    }

    fn values_of(&self, order: Option<OrderDetail>, refund: Option<RefundRow>) -> PlaceholderValues {
        let today = self.clock().shop_now().date();
        let mut v = PlaceholderValues {
            agent: self.actor().agent.clone(),
            today: format!("{}月{}日", today.month(), today.day()),
            refund_amount: refund.map(|r| format_yuan(r.amount_fen)).unwrap_or_default(),
            ..Default::default()
        };
        let Some(d) = order else { return v };
        v.item = if d.title.trim().is_empty() {
            join_distinct(d.items.iter().map(|i| i.title.trim().to_string()))
        } else {
            d.title.trim().to_string()
        };
        v.color_size = join_distinct(d.items.iter().map(|i| {
            [i.color.trim(), i.size.trim()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
        }));
        v.shipped_at = d.shipped_at.map(|t| t.format("%-m月%-d日 %H:%M").to_string()).unwrap_or_default();
        v.paid = if d.amount_fen > 0 { format_yuan(d.amount_fen) } else { String::new() };
        // A known order states its postage, free shipping included (0.00).
        v.postage = if d.status.is_some() { format_yuan(d.postage_fen) } else { String::new() };
        v.buyer = d.buyer;
        v.order_no = d.order_no;
        v.courier = d.courier;
        v.tracking_no = d.tracking_no;
        v.receiver = d.receiver_name;
        v.address = d.receiver_address;
        v
    }
}

/// The non-empty texts, each once, joined by 、.
fn join_distinct(texts: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for t in texts.filter(|t| !t.is_empty()) {
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    seen.join("、")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Actor, EventBody, RefundRecord};
    use crate::domain::order::{OrderItem, OrderRecord, OrderStatus};
    use crate::domain::placeholders::fill;
    use crate::domain::timefmt::parse_datetime;

    fn store() -> Store {
        let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
        let item = |color: &str, size: &str| OrderItem {
            title: "连帽卫衣".into(),
            sku: "109".into(),
            color: color.into(),
            size: size.into(),
            qty: 1,
            price_fen: 7900,
        };
        let order = |no: &str, buyer: &str, postage: i64| OrderRecord {
            order_no: no.into(),
            buyer: buyer.into(),
            receiver_name: "王芳".into(),
            receiver_address: "浙江省 杭州市 西湖区 文三路1号".into(),
            status: OrderStatus::WaitBuyerConfirmGoods.into(),
            amount_fen: 15800 + postage,
            postage_fen: postage,
            shipped_at: parse_datetime("2026-06-27 15:20:00"),
            courier: "申通快递".into(),
            tracking_no: "773000111".into(),
            title: "连帽卫衣".into(),
            items: vec![item("黑色", "L"), item("白色", "M"), item("黑色", "L")],
            ..Default::default()
        };
        s.record(EventBody::OrdersUpserted {
            source: "t".into(),
            orders: vec![order("A1", "买家甲", 0), order("B2", "买家乙", 1000)],
        })
        .unwrap();
        for (no, order, amount) in [("R1", "B2", 7900), ("R2", "B2", 4550)] {
            s.refund_new(RefundRecord {
                refund_no: no.into(),
                order_no: order.into(),
                amount_fen: amount,
                reason: "尺码不合适".into(),
                ..Default::default()
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn an_order_fills_postage_paid_item_and_variant_apart() {
        let s = store();
        let v = s.placeholder_values(Some("A1")).unwrap();
        let f = fill("{买家}{订单号}:实付{实付} 邮费{邮费} {商品} {颜色尺码} {发货时间}发出 退款{退款金额}", &v);
        assert_eq!(
            f.text,
            "买家甲A1:实付158.00 邮费0.00 连帽卫衣 黑色 L、白色 M 6月27日 15:20发出 退款【缺:退款金额】"
        );
        assert_eq!(f.missing, ["退款金额"], "A1 has no refund");
        assert_eq!(v.agent, "宾");
    }

    #[test]
    fn a_case_fills_from_its_own_order_and_refund() {
        let s = store();
        let v = s.placeholder_values_for_case("R1").unwrap().unwrap();
        assert_eq!((v.buyer.as_str(), v.order_no.as_str(), v.refund_amount.as_str()), ("买家乙", "B2", "79.00"));
        assert_eq!(v.postage, "10.00");
        // the order alone: its open refund, the newest
        assert_eq!(s.placeholder_values(Some("B2")).unwrap().refund_amount, "45.50");
        assert_eq!(s.placeholder_values_for_case("nope").unwrap(), None);
    }

    #[test]
    fn no_order_knows_only_the_agent_and_today() {
        let v = store().placeholder_values(None).unwrap();
        assert_eq!(v.agent, "宾");
        assert!(v.today.ends_with('日'));
        assert!(v.buyer.is_empty() && v.postage.is_empty());
    }
}
