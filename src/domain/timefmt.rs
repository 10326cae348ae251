//! Dates and times as exports write them: `2016/5/23 22:02`, `2016-05-23 22:02:11`,
//! `2016-05-23`, with or without seconds.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

pub const DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// Parses either export style; None for empty or unparsable text.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim().trim_matches('"');
    if t.is_empty() {
        return None;
    }
    if let Some(d) = parse_canonical(t.as_bytes()) {
        return Some(d);
    }
    let t = t.replace('/', "-").replace('T', " ");
    let (date, time) = match t.split_once(' ') {
        Some((d, tm)) => (d.trim(), tm.trim()),
        None => (t.as_str(), ""),
    };
    // Every part digits, of its width: no sign (`-2026-11-21`), no second 60 (which a
    // looser reading takes as a leap second and shows as :59).
    let part = |s: &str, widths: std::ops::RangeInclusive<usize>| -> Option<u32> {
        (widths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(part(y, 4..=4)? as i32, part(m, 1..=2)?, part(day, 1..=2)?)?;
    let time = if time.is_empty() {
        NaiveTime::MIN
    } else {
        let time = time.split('.').next().unwrap_or(time);
        let mut p = time.split(':');
        let (h, min, sec) = (p.next()?, p.next()?, p.next());
        if p.next().is_some() {
            return None;
        }
        let sec = match sec {
            Some(s) => part(s, 1..=2)?,
            None => 0,
        };
        NaiveTime::from_hms_opt(part(h, 1..=2)?, part(min, 1..=2)?, sec)?
    };
    Some(date.and_time(time))
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_datetime(text).map(|d| d.date())
}

/// `2016-05-23 22:02:11` exactly, the form kefu writes and most exports use: read
/// without allocating (an import of a million orders reads several million of these).
/// Anything else is left to the general path.
fn parse_canonical(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)
}

#[cfg(test)]
mod impossible_times {
    use super::*;

    #[test]
    fn signs_and_a_sixtieth_second_are_not_dates() {
        for bad in [
            "-2026-11-21 10:00:00",
            "+2026-11-21",
            "2026-11-21 10:00:60",
            "2026/6/28 9:00:60",
            "26-6-28",
            "2026-6-28 25:00",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert!(parse_datetime("2026/6/28 9:58").is_some());
        assert!(parse_datetime("2026-06-28T09:58:00.123").is_some());
        assert!(parse_datetime("2026-06-28").is_some());
    }
}

pub fn format_datetime(t: NaiveDateTime) -> String {
    let mut s = String::with_capacity(19);
    push_datetime(&mut s, t, ' ');
    s
}

/// Appends `YYYY-MM-DD{sep}HH:MM:SS` — what `format(DATETIME)` gives, without parsing a
/// format string each time (kefu writes millions of these in a bulk load). Years
/// outside 0–9999 go through chrono, which writes them with a sign.
pub fn push_datetime(s: &mut String, t: NaiveDateTime, sep: char) {
    if !(0..=9999).contains(&t.year()) {
        s.push_str(&t.format(&format!("%Y-%m-%d{sep}%H:%M:%S")).to_string());
        return;
    }
    let two = |s: &mut String, v: u32| {
        s.push(char::from(b'0' + (v / 10) as u8));
        s.push(char::from(b'0' + (v % 10) as u8));
    };
    let y = t.year() as u32;
    two(s, y / 100);
    two(s, y % 100);
    s.push('-');
    two(s, t.month());
    s.push('-');
    two(s, t.day());
    s.push(sep);
    two(s, t.hour());
    s.push(':');
    two(s, t.minute());
    s.push(':');
    two(s, t.second());
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
        assert_eq!(parse_datetime("2016-02-30 10:00:00"), None);
        assert_eq!(parse_datetime("2016-05-23 24:00:00"), None);
        assert_eq!(parse_datetime("2016-05-2x 22:02:11"), None);
    }

    proptest::proptest! {
        /// The hand-written formatter and reader agree with chrono's, for every time of
        /// a four-digit year (a sign or a fifth digit is no export's date).
        #[test]
        fn fast_paths_agree_with_chrono(secs in -30_610_224_000i64..253_402_300_800i64) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            let text = t.format(DATETIME).to_string();
            proptest::prop_assert_eq!(format_datetime(t), text.clone());
            proptest::prop_assert_eq!(parse_datetime(&text), Some(t));
        }
    }
}
