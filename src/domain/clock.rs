//! The shop's clock. Shops are in China: times of day (the 16:00 cut-off, shifts) are
//! shop-local, UTC+8 unless `KEFU_TZ_OFFSET` says otherwise.
//!
//! There is one clock, and it is handed to whoever needs "now": the store stamps its
//! events with it, the seat screen's status bar and queue read it. `main` makes it once
//! (`Clock::from_env`: `KEFU_NOW` pins "now", `2026-06-28 10:00:00` shop time, for demos,
//! tests and screenshots); nothing else reads the environment for the time, so a test
//! pins a clock with `Clock::fixed` and never touches a process-wide variable.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// UTC+8, the shop's offset unless told otherwise.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// 15:00, where the early shift ends.
const LATE_SHIFT_STARTS: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(t) => t,
    None => panic!("15:00 is a valid time"),
};

/// The shop's offset from UTC: `KEFU_TZ_OFFSET` hours (read once), else UTC+8.
pub fn shop_offset() -> FixedOffset {
    static OFFSET: OnceLock<FixedOffset> = OnceLock::new();
    *OFFSET.get_or_init(|| {
        let hours = std::env::var("KEFU_TZ_OFFSET").ok().and_then(|v| v.trim().parse::<i32>().ok()).unwrap_or(8);
        FixedOffset::east_opt(hours.clamp(-12, 14) * 3600).unwrap_or(CHINA)
    })
}

/// Where "now" comes from: the system's clock, or a pinned moment.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now_utc())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The computer's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Utc::now))
    }

    /// Always `shop_time` (the shop's wall clock): tests, demos, screenshots.
    pub fn fixed(shop_time: NaiveDateTime) -> Clock {
        let at = shop_to_utc(shop_time);
        Clock(Arc::new(move || at))
    }

    /// Any source of UTC time (a test that moves time along).
    pub fn from_fn(now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// `KEFU_NOW` (shop time) when set and readable, else the system's clock. Read
    /// once, by `main`; an unreadable value is an error, not silently the real time.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var("KEFU_NOW") {
            Ok(v) if !v.trim().is_empty() => crate::domain::timefmt::parse_datetime(&v)
                .map(Clock::fixed)
                .ok_or_else(|| format!("KEFU_NOW '{v}' 看不懂,写成 2026-06-28 10:00:00(店铺时间)")),
            _ => Ok(Clock::system()),
        }
    }

    /// This clock, running `by` ahead (or behind, when negative): a seat whose clock is
    /// wrong (tests of sync between such seats).
    pub fn skewed(&self, by: Duration) -> Clock {
        let inner = self.clone();
        Clock::from_fn(move || inner.now_utc() + by)
    }

    /// Now, in UTC.
    pub fn now_utc(&self) -> DateTime<Utc> {
        (self.0)()
    }

    /// Now, on the shop's wall clock.
    pub fn shop_now(&self) -> NaiveDateTime {
        to_shop(self.now_utc())
    }
}

pub fn to_shop(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&shop_offset()).naive_local()
}

/// An event time as stored (UTC, RFC 3339) on the shop's clock, `2026-06-28 10:05:00`;
/// text that is not such a time is returned as it is.
pub fn shop_text(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|d| super::timefmt::format_datetime(to_shop(d.with_timezone(&Utc))))
        .unwrap_or_else(|_| at.to_string())
}

pub fn shop_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    shop_offset()
        .from_local_datetime(&t)
        .single()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| (t - Duration::seconds(shop_offset().local_minus_utc() as i64)).and_utc())
}

/// 早班 until 15:00, 晚班 after (the late shift makes the daily refund report).
pub fn shift_label(t: NaiveDateTime) -> &'static str {
    if t.time() < LATE_SHIFT_STARTS { "早班" } else { "晚班" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_reads_back_its_shop_time() {
        let t = crate::domain::timefmt::parse_datetime("2026-06-28 10:00:00").unwrap();
        let c = Clock::fixed(t);
        assert_eq!(c.shop_now(), t);
        assert_eq!(c.now_utc(), shop_to_utc(t));
        assert_eq!(shift_label(c.shop_now()), "早班");
    }
}
