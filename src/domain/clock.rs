//! The shop's clock. Shops are in China: times of day (the 16:00 cut-off, shifts) are
//! shop-local, UTC+8 unless `KEFU_TZ_OFFSET` says otherwise. `KEFU_NOW` pins "now"
//! (`2026-06-28 10:00:00`, shop time) for demos, tests and screenshots.

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

pub fn shop_offset() -> FixedOffset {
    let hours = std::env::var("KEFU_TZ_OFFSET").ok().and_then(|v| v.trim().parse::<i32>().ok()).unwrap_or(8);
    FixedOffset::east_opt(hours.clamp(-12, 14) * 3600).unwrap_or(CHINA)
}

/// A wall clock a store writes its events' times with: the environment's (the system
/// clock, or `KEFU_NOW` when set), or fixed at one instant; and possibly off by an offset
/// (a seat whose clock is wrong — tests of sync between such seats use this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
    offset_ms: i64,
}

impl Clock {
    /// The environment's clock: `KEFU_NOW` when set, else the system clock.
    pub fn from_env() -> Clock {
        Clock::default()
    }

    /// Always `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock { fixed: Some(at), offset_ms: 0 }
    }

    /// This clock, running `by` ahead (or behind, when negative).
    pub fn skewed(self, by: Duration) -> Clock {
        Clock { offset_ms: self.offset_ms + by.num_milliseconds(), ..self }
    }

    pub fn now_utc(&self) -> DateTime<Utc> {
        let now = self.fixed.unwrap_or_else(now_utc);
        now + Duration::milliseconds(self.offset_ms)
    }

    /// Now on the shop's wall clock, by this clock.
    pub fn shop_now(&self) -> NaiveDateTime {
        to_shop(self.now_utc())
    }
}

/// Now, in UTC.
pub fn now_utc() -> DateTime<Utc> {
    if let Some(pinned) = pinned_now() {
        return shop_offset()
            .from_local_datetime(&pinned)
            .single()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
    }
    Utc::now()
}

/// Now, on the shop's wall clock.
pub fn shop_now() -> NaiveDateTime {
    pinned_now().unwrap_or_else(|| to_shop(Utc::now()))
}

pub fn to_shop(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&shop_offset()).naive_local()
}

pub fn shop_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    (t - Duration::seconds(shop_offset().local_minus_utc() as i64)).and_utc()
}

fn pinned_now() -> Option<NaiveDateTime> {
    let v = std::env::var("KEFU_NOW").ok()?;
    crate::domain::timefmt::parse_datetime(&v)
}

/// 早班 until 15:00, 晚班 after (the late shift makes the daily refund report).
pub fn shift_label(t: NaiveDateTime) -> &'static str {
    if t.time() < LATE_SHIFT_STARTS { "早班" } else { "晚班" }
}
