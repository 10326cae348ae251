//! The facts a damage/loss report to the courier starts from, read from the order and
//! the shop's settings — never today's date or a shop name made up on the spot.

use super::Store;
use super::error::Result;
use crate::domain::address::region;
use crate::domain::text_format::DamageReport;

impl Store {
    /// A damage report prefilled for `order_no` (None: no such order): 发货日期 from the
    /// order's shipped time, 发货地 from the shop's origin, 派件地区 from the receiver's
    /// province and city, the tracking number, courier and amount from the order, 货号
    /// from its items, and the shop's name. What is unknown stays empty for the agent.
    pub fn damage_prefill(&self, order_no: &str) -> Result<Option<DamageReport>> {
        let Some(order) = self.order_detail(order_no)? else { return Ok(None) };
        let shop = self.shop_settings()?;
        let mut skus: Vec<&str> = Vec::new();
        for item in &order.items {
            let sku = item.sku.trim();
            if !sku.is_empty() && !skus.contains(&sku) {
                skus.push(sku);
            }
        }
        Ok(Some(DamageReport {
            shop: shop.name.trim().to_string(),
            ship_date: order.shipped_at.map(|t| t.date()),
            origin: shop.origin.trim().to_string(),
            destination: region(&order.receiver_address),
            tracking_no: order.tracking_no.trim().to_string(),
            value_fen: order.amount_fen,
            sku: skus.join("/"),
            courier: order.courier.trim().to_string(),
            ..DamageReport::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::event::{Actor, EventBody};
    use crate::domain::order::{OrderItem, OrderRecord, OrderStatus};
    use crate::domain::setting::SettingKey;
    use crate::domain::timefmt::parse_datetime;
    use crate::store::Store;

    fn store() -> Store {
        let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
        let item =
            |sku: &str| OrderItem { title: "连帽卫衣".into(), sku: sku.into(), qty: 1, ..Default::default() };
        let order = OrderRecord {
            order_no: "A1".into(),
            buyer: "买家甲".into(),
            receiver_address: "北京 北京市 朝阳区 建国路88号".into(),
            status: OrderStatus::WaitBuyerConfirmGoods.into(),
            amount_fen: 8800,
            shipped_at: parse_datetime("2026-06-27 15:20:00"),
            courier: "申通快递".into(),
            tracking_no: "888090781867".into(),
            items: vec![item("109"), item("110"), item("109")],
            ..Default::default()
        };
        s.record(EventBody::OrdersUpserted { source: "t".into(), orders: vec![order] }).unwrap();
        s
    }

    #[test]
    fn the_report_states_the_orders_facts_and_the_shops_name() {
        let mut s = store();
        s.set_shop_setting(SettingKey::ShopName, "19shop").unwrap();
        s.set_shop_setting(SettingKey::Origin, "杭州").unwrap();
        let mut r = s.damage_prefill("A1").unwrap().unwrap();
        assert_eq!(r.ship_date.map(|d| d.to_string()).as_deref(), Some("2026-06-27"), "shipped, not today");
        assert_eq!((r.shop.as_str(), r.origin.as_str(), r.destination.as_str()), ("19shop", "杭州", "北京"));
        assert_eq!((r.sku.as_str(), r.tracking_no.as_str(), r.value_fen), ("109/110", "888090781867", 8800));
        r.staff_no = "843".into();
        assert_eq!(
            r.sentence(),
            "19shop于6月27日由杭州发往北京单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!"
        );
    }

    #[test]
    fn an_unset_shop_name_stays_empty_and_an_unknown_order_is_none() {
        let s = store();
        let r = s.damage_prefill("A1").unwrap().unwrap();
        assert_eq!(r.shop, "", "no made-up name (本店, 19shop)");
        assert!(r.validate().unwrap_err().contains("店铺名"), "{:?}", r.validate());
        assert!(s.damage_prefill("nope").unwrap().is_none());
    }
}
