//! The order stream: `n` orders created over the ten days before "now", oldest first,
//! each with the platform facts an export row carries. A pure function of (seed, n,
//! now), produced one at a time, so a million orders never sit in memory together and
//! the database fill and the CSV export see the very same orders.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::data::{DemoData, Product};
use super::rng::Rng;
use crate::domain::order::{OrderItem, OrderRecord, OrderStatus};

/// The shop of the seed documents (`19shop于6月28日由杭州发往北京…`).
pub const SHOP_NAME: &str = "19shop";
/// How far back the demo's orders go.
pub const HISTORY_DAYS: i64 = 10;
/// Order numbers carry a 7-digit running number.
pub const MAX_ORDERS: u64 = 9_999_999;

/// Relative order volume by hour of day (peaks 14–17 and 19–22, `003`).
const HOUR_WEIGHTS: [u32; 24] =
    [30, 15, 8, 5, 4, 5, 10, 20, 35, 50, 60, 60, 60, 65, 75, 80, 75, 60, 55, 70, 85, 90, 80, 55];

const PHONE_PREFIXES: [&str; 35] = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "198", "199",
];

/// 订单关闭原因 of orders closed before payment.
const CLOSE_BY_BUYER: [&str; 5] = ["我不想买了", "信息填写错误,重新拍", "拍错了/多拍了", "卖家缺货", "其他原因"];
const CLOSE_TIMEOUT: &str = "超时未付款,交易自动关闭";
const CLOSE_REFUND: &str = "退款";

/// Seller-centre memos written on the platform before kefu saw the order.
const PLATFORM_MEMOS: [&str; 8] = [
    "已核对地址",
    "赠品:防尘袋",
    "老顾客,送小礼物",
    "顺丰到付,买家同意",
    "同一买家两单,合并发货",
    "预售款,7天内发",
    "已改尺码",
    "发票随货",
];

struct Slot {
    start: NaiveDateTime,
    secs: i64,
    weight: f64,
    cum_end: f64,
}

/// Orders created between `now - 10 days` and a minute before `now`, oldest first.
pub struct OrderGen<'d> {
    d: &'d DemoData,
    rng: Rng,
    n: u64,
    i: u64,
    now: NaiveDateTime,
    slots: Vec<Slot>,
    total: f64,
    slot: usize,
    nick_words: Vec<&'d str>,
}

impl<'d> OrderGen<'d> {
    pub fn new(d: &'d DemoData, seed: u64, n: u64, now: NaiveDateTime) -> OrderGen<'d> {
        let start = now - Duration::days(HISTORY_DAYS);
        let end = now - Duration::minutes(1);
        let mut slots = Vec::new();
        let mut t = start;
        let mut cum = 0.0;
        while t < end {
            let next_hour = t.date().and_hms_opt(t.hour(), 0, 0).unwrap_or(t) + Duration::hours(1);
            let stop = next_hour.min(end);
            let secs = (stop - t).num_seconds().max(1);
            let weight = HOUR_WEIGHTS[t.hour() as usize] as f64 * secs as f64 / 3600.0;
            cum += weight;
            slots.push(Slot { start: t, secs, weight, cum_end: cum });
            t = stop;
        }
        let nick_words = d.nick_parts.iter().map(String::as_str).filter(|p| !p.starts_with("tb")).collect();
        OrderGen { d, rng: Rng::stream(seed, "orders"), n, i: 0, now, slots, total: cum, slot: 0, nick_words }
    }

    /// The creation time of order `i`: the inverse of the hourly volume curve at
    /// `(i + u) / n`, so times only ever increase.
    fn created_at(&mut self) -> NaiveDateTime {
        let f = (self.i as f64 + self.rng.unit()) / self.n as f64;
        let target = f * self.total;
        while self.slot + 1 < self.slots.len() && self.slots[self.slot].cum_end <= target {
            self.slot += 1;
        }
        let s = &self.slots[self.slot];
        let before = s.cum_end - s.weight;
        let frac = ((target - before) / s.weight).clamp(0.0, 0.999_999);
        s.start + Duration::seconds((frac * s.secs as f64) as i64)
    }

    fn nick(&mut self) -> String {
        let r = &mut self.rng;
        let w = &self.nick_words;
        let mut s = String::new();
        match r.below(20) {
            0..=3 => {
                s.push_str("tb");
                let n = r.range(8, 10) as usize;
                r.digits(n, &mut s);
            }
            4 => {
                s.push_str("tb_");
                r.digits(8, &mut s);
            }
            5..=10 => {
                s.push_str(r.pick::<&str>(w));
                s.push_str(r.pick::<&str>(w));
            }
            11..=15 => {
                s.push_str(r.pick::<&str>(w));
                if r.chance(0.5) {
                    s.push_str(&r.range(1975, 2008).to_string());
                } else {
                    let n = r.range(2, 4) as usize;
                    r.digits(n, &mut s);
                }
            }
            16..=17 => {
                s.push_str(r.pick::<&str>(w));
                s.push('_');
                s.push_str(r.pick::<&str>(w));
            }
            _ => {
                s.push_str(r.pick::<&str>(w));
                s.push_str(r.pick::<&str>(w));
                r.digits(3, &mut s);
            }
        }
        s
    }

    fn person_name(&mut self) -> String {
        let mut s = self.rng.pick(&self.d.surnames).clone();
        s.push_str(self.rng.pick(&self.d.given_names).as_str());
        s
    }

    fn phone(&mut self) -> String {
        let mut s = self.rng.pick(&PHONE_PREFIXES).to_string();
        self.rng.digits(8, &mut s);
        s
    }

    fn item(&mut self, p: &Product) -> OrderItem {
        OrderItem {
            title: p.title.clone(),
            sku: p.sku.clone(),
            color: self.rng.pick(&p.colors).clone(),
            size: self.rng.pick(&p.sizes).clone(),
            qty: if self.rng.chance(0.1) { 2 } else { 1 },
            price_fen: p.price_fen,
        }
    }

    fn tracking(&mut self, courier: &str) -> String {
        let c = self.d.courier(courier);
        let mut s = c.prefix.clone();
        self.rng.digits(c.digits, &mut s);
        s
    }

    /// When the warehouse ships an order paid at `paid`: same day before 18:30 when
    /// paid before 16:00, otherwise the next day between 9:30 and 15:50 (`004`).
    fn ship_time(&mut self, paid: NaiveDateTime) -> NaiveDateTime {
        let at = |d: NaiveDate, h: u32, m: u32| d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN));
        let day = paid.date();
        let mut t = if paid.time() < NaiveTime::from_hms_opt(16, 0, 0).unwrap_or(NaiveTime::MIN) {
            let mut t = paid + Duration::minutes(self.rng.range(30, 240));
            if t < at(day, 10, 0) {
                t = at(day, 10, 0) + Duration::minutes(self.rng.range(0, 120));
            }
            if t > at(day, 18, 30) {
                t = at(day, 18, 30) - Duration::minutes(self.rng.range(0, 30));
            }
            t
        } else {
            at(day + Duration::days(1), 9, 30) + Duration::minutes(self.rng.range(0, 380))
        };
        // Now and then the warehouse is late and breaks the promise.
        if self.rng.chance(0.03) {
            t += Duration::hours(self.rng.range(20, 40));
        }
        t + Duration::seconds(self.rng.range(0, 59))
    }

    fn next_order(&mut self) -> OrderRecord {
        let d = self.d;
        let now = self.now;
        let created = self.created_at();
        let seq = self.i;
        self.i += 1;

        let day = created.date();
        let mut order_no = String::with_capacity(18);
        let _ = write!(order_no, "{:02}{:02}{:02}{seq:07}", day.year() % 100, day.month(), day.day());
        self.rng.digits(5, &mut order_no);

        let buyer = self.nick();
        let receiver_name = self.person_name();
        let receiver_phone = self.phone();
        let addr = self.rng.pick(&d.addresses);
        let remote = addr.is_remote();
        let receiver_address = addr.full();

        let n_items = [1, 2, 3][self.rng.weighted(&[70, 22, 8])];
        let mut items = Vec::with_capacity(n_items);
        for _ in 0..n_items {
            let p = self.rng.pick(&d.products);
            items.push(self.item(p));
        }
        let goods: i64 = items.iter().map(|it| it.price_fen * it.qty as i64).sum();
        let postage_fen = if remote {
            1500
        } else if self.rng.chance(0.1) {
            *self.rng.pick(&[600, 800, 1000])
        } else {
            0
        };
        let title = items.iter().map(|it| it.title.as_str()).collect::<Vec<_>>().join(",");

        let buyer_message =
            if self.rng.chance(0.15) { self.rng.pick(&d.buyer_messages).clone() } else { String::new() };
        let courier_name = if buyer_message.contains("顺丰") {
            "顺丰"
        } else if buyer_message.contains("圆通") {
            "圆通"
        } else if buyer_message.contains("EMS") || remote {
            "EMS"
        } else {
            ["申通", "圆通", "中通", "韵达", "顺丰", "百世"][self.rng.weighted(&[45, 15, 15, 10, 8, 4])]
        };
        let (platform_memo, platform_flag) = if self.rng.chance(0.03) {
            (self.rng.pick(&PLATFORM_MEMOS).to_string(), Some(crate::domain::flag::Flag::Red))
        } else {
            (String::new(), None)
        };

        let mut o = OrderRecord {
            order_no,
            buyer,
            receiver_name,
            receiver_phone,
            receiver_address,
            status: OrderStatus::WaitBuyerPay.into(),
            amount_fen: goods + postage_fen,
            postage_fen,
            created_at: Some(created),
            buyer_message,
            platform_memo,
            platform_flag,
            shop_name: SHOP_NAME.into(),
            title,
            items,
            ..Default::default()
        };
        self.settle(&mut o, created, now, courier_name);
        o
    }

    /// Where the order stands at `now`: payment, shipment, receipt, closing.
    fn settle(&mut self, o: &mut OrderRecord, created: NaiveDateTime, now: NaiveDateTime, courier: &str) {
        let set = |o: &mut OrderRecord, s: OrderStatus| o.status = s.into();
        if self.rng.chance(0.12) {
            // never paid: the buyer closes it, or the platform after 48 hours
            let by_buyer = self.rng.chance(0.3);
            let close_at = if by_buyer {
                created + Duration::minutes(self.rng.range(10, 600))
            } else {
                created + Duration::hours(48)
            };
            if close_at <= now {
                set(o, OrderStatus::TradeClosedByTaobao);
                o.close_reason =
                    if by_buyer { self.rng.pick(&CLOSE_BY_BUYER).to_string() } else { CLOSE_TIMEOUT.into() };
            }
            return;
        }
        let delay = match self.rng.weighted(&[70, 20, 10]) {
            0 => self.rng.range(10, 180),
            1 => self.rng.range(180, 1800),
            _ => self.rng.range(1800, 8 * 3600),
        };
        let paid = created + Duration::seconds(delay);
        if paid > now {
            return; // still waiting for payment
        }
        o.paid_at = Some(paid);
        let planned = self.ship_time(paid);
        let refund_early = self.rng.chance(0.05);
        let stuck = self.rng.chance(0.05) && now - paid < Duration::days(5);
        if refund_early {
            let refunded = paid + Duration::minutes(self.rng.range(10, 600));
            if refunded <= now && refunded < planned {
                set(o, OrderStatus::TradeClosed);
                o.refund_fen = o.amount_fen;
                o.close_reason = CLOSE_REFUND.into();
                return;
            }
        }
        if stuck || planned > now {
            set(o, OrderStatus::WaitSellerSendGoods);
            return;
        }
        o.shipped_at = Some(planned);
        o.courier = self.d.courier(courier).name.clone();
        o.tracking_no = self.tracking(courier);
        if o.items.len() >= 2 && now - planned < Duration::days(2) && self.rng.chance(0.25) {
            set(o, OrderStatus::SellerConsignedPart);
            return;
        }
        let delivered = planned + Duration::hours(self.rng.range(40, 120));
        let confirmed = if self.rng.chance(0.7) {
            delivered + Duration::hours(self.rng.range(2, 72))
        } else {
            planned + Duration::days(10)
        };
        if confirmed <= now {
            set(o, OrderStatus::TradeFinished);
        } else if delivered <= now && self.rng.chance(0.02) {
            set(o, OrderStatus::TradeClosed);
            o.refund_fen = o.amount_fen;
            o.close_reason = CLOSE_REFUND.into();
        } else {
            set(o, OrderStatus::WaitBuyerConfirmGoods);
        }
    }
}

impl Iterator for OrderGen<'_> {
    type Item = OrderRecord;

    fn next(&mut self) -> Option<OrderRecord> {
        if self.i >= self.n || self.slots.is_empty() {
            return None;
        }
        Some(self.next_order())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.n - self.i) as usize;
        (left, Some(left))
    }
}

/// The city an address ships to, as the damage report names it (`北京`, `广州`).
pub fn destination_city(address: &str) -> String {
    let mut parts = address.split_whitespace();
    let province = parts.next().unwrap_or_default();
    let city = parts.next().unwrap_or(province);
    let city = city.strip_suffix('市').unwrap_or(city);
    city.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::data::data;
    use crate::domain::promise::ShippingPromise;

    fn now() -> NaiveDateTime {
        crate::domain::timefmt::parse_datetime("2026-06-28 10:00:00").unwrap()
    }

    #[test]
    fn same_seed_same_orders_and_sorted_numbers() {
        let d = data().unwrap();
        let a: Vec<_> = OrderGen::new(d, 5, 300, now()).collect();
        let b: Vec<_> = OrderGen::new(d, 5, 300, now()).collect();
        assert_eq!(a, b);
        let c: Vec<_> = OrderGen::new(d, 6, 300, now()).collect();
        assert_ne!(a, c);
        assert_eq!(a.len(), 300);
        assert!(a.windows(2).all(|w| w[0].order_no < w[1].order_no && w[0].created_at <= w[1].created_at));
        assert!(a.iter().all(|o| o.order_no.len() == 18));
    }

    #[test]
    fn facts_are_consistent() {
        let d = data().unwrap();
        let n = now();
        let promise = ShippingPromise::default();
        let mut overdue = 0;
        for o in OrderGen::new(d, 1, 2000, n) {
            let s = o.status.0;
            let created = o.created_at.unwrap();
            assert!(created < n && created >= n - Duration::days(HISTORY_DAYS));
            let goods: i64 = o.items.iter().map(|i| i.price_fen * i.qty as i64).sum();
            assert_eq!(o.amount_fen, goods + o.postage_fen);
            assert!((1..=3).contains(&o.items.len()));
            assert!(o.receiver_phone.len() == 11 && o.receiver_phone.starts_with('1'));
            match s {
                OrderStatus::WaitBuyerPay | OrderStatus::TradeClosedByTaobao => assert!(o.paid_at.is_none()),
                _ => assert!(o.paid_at.unwrap() >= created && o.paid_at.unwrap() <= n),
            }
            let shipped = matches!(
                s,
                OrderStatus::SellerConsignedPart | OrderStatus::WaitBuyerConfirmGoods | OrderStatus::TradeFinished
            );
            if shipped {
                assert!(o.shipped_at.unwrap() <= n && !o.tracking_no.is_empty() && !o.courier.is_empty());
            }
            if s == OrderStatus::WaitSellerSendGoods {
                assert!(o.shipped_at.is_none());
                if promise.ship_by(o.paid_at.unwrap()) < n {
                    overdue += 1;
                }
            }
            if s == OrderStatus::TradeClosed {
                assert_eq!(o.refund_fen, o.amount_fen);
            }
        }
        assert!(overdue > 0);
    }

    #[test]
    fn cities_for_the_damage_report() {
        assert_eq!(destination_city("北京 北京市 朝阳区 建国路88号"), "北京");
        assert_eq!(destination_city("广东省 广州市 越秀区 环市东路339号"), "广州");
        assert_eq!(destination_city(""), "");
    }
}
