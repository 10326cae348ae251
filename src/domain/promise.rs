//! The shipping promise (`004`): paid before 16:00 ships the same day, otherwise
//! within 24 hours of payment. The queue ranks orders by it.

use chrono::{Duration, NaiveDateTime, NaiveTime};

use super::order::OrderStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippingPromise {
    /// Paid before this time of day → ship the same day.
    pub cutoff: NaiveTime,
    /// Otherwise ship within this long after payment.
    pub window: Duration,
}

/// 16:00: paid before it ships the same day (`004`).
const SAME_DAY_CUTOFF: NaiveTime = match NaiveTime::from_hms_opt(16, 0, 0) {
    Some(t) => t,
    None => panic!("16:00 is a valid time"),
};

/// 23:59:59, the last second of a day.
const DAY_END: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => panic!("23:59:59 is a valid time"),
};

impl Default for ShippingPromise {
    fn default() -> Self {
        ShippingPromise { cutoff: SAME_DAY_CUTOFF, window: Duration::hours(24) }
    }
}

impl ShippingPromise {
    /// The latest moment the order may ship without breaking the promise.
    pub fn ship_by(&self, paid_at: NaiveDateTime) -> NaiveDateTime {
        if paid_at.time() < self.cutoff { paid_at.date().and_time(DAY_END) } else { paid_at + self.window }
    }

    /// `ship_by` for an order whose promise is running (paid, not shipped).
    pub fn ship_by_for(&self, status: OrderStatus, paid_at: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
        if status.awaits_shipment() { paid_at.map(|p| self.ship_by(p)) } else { None }
    }
}

/// Where an order stands in the queue. Lower ranks come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum QueueRank {
    /// Paid, not shipped: the promise is running (overdue ones sort first by `ship_by`).
    AwaitingShipment = 0,
    /// Not paid yet.
    Unpaid = 1,
    /// Shipped, waiting for the buyer.
    Shipped = 2,
    /// Finished or closed.
    Done = 3,
}

impl QueueRank {
    /// The rank of a status. An order whose status is `Unknown` is ranked by
    /// `OrderRecord::queue_status` (its times and tracking) before it gets here; alone,
    /// `Unknown` ranks with the unpaid, ahead of everything shipped or done.
    pub fn of(status: OrderStatus) -> QueueRank {
        match status {
            OrderStatus::WaitSellerSendGoods | OrderStatus::SellerConsignedPart => QueueRank::AwaitingShipment,
            OrderStatus::WaitBuyerPay | OrderStatus::Unknown => QueueRank::Unpaid,
            OrderStatus::WaitBuyerConfirmGoods | OrderStatus::TradeBuyerSigned => QueueRank::Shipped,
            OrderStatus::TradeFinished
            | OrderStatus::TradeClosed
            | OrderStatus::TradeClosedByTaobao
            | OrderStatus::TradeNoCreatePay => QueueRank::Done,
        }
    }
}

/// Time left before `ship_by` (negative when overdue), shown as `5h`, `-3h`, `40m`, `2d`.
pub fn format_time_left(ship_by: NaiveDateTime, now: NaiveDateTime) -> String {
    let mins = (ship_by - now).num_minutes();
    let sign = if mins < 0 { "-" } else { "" };
    let m = mins.abs();
    if m < 60 {
        format!("{sign}{m}m")
    } else if m < 48 * 60 {
        format!("{sign}{}h", m / 60)
    } else {
        format!("{sign}{}d", m / (24 * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn paid_before_four_ships_the_same_day() {
        let p = ShippingPromise::default();
        assert_eq!(p.ship_by(t("2026-06-28 09:12:00")), t("2026-06-28 23:59:59"));
        assert_eq!(p.ship_by(t("2026-06-28 15:59:59")), t("2026-06-28 23:59:59"));
        assert_eq!(p.ship_by(t("2026-06-28 00:00:00")), t("2026-06-28 23:59:59"));
    }

    #[test]
    fn paid_at_or_after_four_ships_within_a_day() {
        let p = ShippingPromise::default();
        assert_eq!(p.ship_by(t("2026-06-28 16:00:00")), t("2026-06-29 16:00:00"));
        assert_eq!(p.ship_by(t("2026-06-28 22:02:00")), t("2026-06-29 22:02:00"));
        assert_eq!(p.ship_by(t("2026-12-31 23:30:00")), t("2027-01-01 23:30:00"));
    }

    #[test]
    fn only_running_promises_have_a_deadline() {
        let p = ShippingPromise::default();
        let paid = Some(t("2026-06-28 10:00:00"));
        for s in OrderStatus::ALL {
            assert_eq!(p.ship_by_for(s, paid).is_some(), s.awaits_shipment(), "{s:?}");
        }
        assert_eq!(p.ship_by_for(OrderStatus::WaitSellerSendGoods, None), None);
    }

    #[test]
    fn ranks_put_unshipped_first_and_finished_last() {
        assert!(QueueRank::of(OrderStatus::WaitSellerSendGoods) < QueueRank::of(OrderStatus::WaitBuyerPay));
        assert!(QueueRank::of(OrderStatus::WaitBuyerConfirmGoods) < QueueRank::of(OrderStatus::TradeFinished));
        assert_eq!(QueueRank::of(OrderStatus::SellerConsignedPart), QueueRank::AwaitingShipment);
        assert_eq!(QueueRank::of(OrderStatus::TradeClosedByTaobao), QueueRank::Done);
    }

    #[test]
    fn time_left_reads_like_a_clock() {
        let now = t("2026-06-28 12:00:00");
        assert_eq!(format_time_left(t("2026-06-28 09:00:00"), now), "-3h");
        assert_eq!(format_time_left(t("2026-06-28 12:40:00"), now), "40m");
        assert_eq!(format_time_left(t("2026-06-28 11:59:00"), now), "-1m");
        assert_eq!(format_time_left(t("2026-06-29 17:00:00"), now), "29h");
        assert_eq!(format_time_left(t("2026-07-02 12:00:00"), now), "4d");
    }
}
