//! Dates and times as exports write them: `2016/5/23 22:02`, `2016-05-23 22:02:11`,
//! `2016-05-23`, with or without seconds.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub const DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// Parses either export style; None for empty or unparsable text.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim().trim_matches('"');
    if t.is_empty() {
        return None;
    }
    let t = t.replace('/', "-").replace('T', " ");
    let (date, time) = match t.split_once(' ') {
        Some((d, tm)) => (d.trim(), tm.trim()),
        None => (t.as_str(), ""),
    };
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let time = if time.is_empty() {
        NaiveTime::MIN
    } else {
        let time = time.split('.').next().unwrap_or(time);
        NaiveTime::parse_from_str(time, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(time, "%H:%M")).ok()?
    };
    Some(date.and_time(time))
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_datetime(text).map(|d| d.date())
}

pub fn format_datetime(t: NaiveDateTime) -> String {
    t.format(DATETIME).to_string()
}

/// `06-28 10:05`: the compact form for narrow columns.
pub fn format_short(t: NaiveDateTime) -> String {
    t.format("%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_export_styles() {
        let want = NaiveDate::from_ymd_opt(2016, 5, 23).unwrap().and_hms_opt(22, 2, 0).unwrap();
        assert_eq!(parse_datetime("2016/5/23 22:02"), Some(want));
        assert_eq!(parse_datetime("2016-05-23 22:02:00"), Some(want));
        assert_eq!(parse_datetime(" 2016-05-23 22:02:00.000 "), Some(want));
        assert_eq!(parse_datetime("2016-05-23T22:02:00"), Some(want));
        assert_eq!(parse_datetime("2016/5/23").unwrap().to_string(), "2016-05-23 00:00:00");
        assert_eq!(parse_datetime(""), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2016-13-40 10:00"), None);
    }
}
