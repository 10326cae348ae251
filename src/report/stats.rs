//! Small statistics the reports share.

/// The median of `values` (sorted in place); the mean of the middle two for an even
/// count; None when empty.
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] as f64 } else { (values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0 })
}

/// The median rounded to whole seconds (for `Cell::Seconds`).
pub fn median_seconds(values: &mut [i64]) -> Option<i64> {
    median(values).map(|m| m.round() as i64)
}

/// `part / whole`, None when `whole` is 0.
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64)
}

/// `45秒`, `12分`, `1小时5分`, `3天2小时`.
pub fn format_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let body = if s < 60 {
        format!("{s}秒")
    } else if s < 3600 {
        format!("{}分", s / 60)
    } else if s < 86_400 {
        format!("{}小时{}分", s / 3600, s % 3600 / 60)
    } else {
        format!("{}天{}小时", s / 86_400, s % 86_400 / 3600)
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7.0));
        assert_eq!(median(&mut [9, 1, 5]), Some(5.0));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2.5));
        assert_eq!(median(&mut [10, 10, 1, 1000]), Some(10.0));
        assert_eq!(median_seconds(&mut [1, 2]), Some(2)); // 1.5 rounds half away from zero
        assert_eq!(median(&mut [-5, 5]), Some(0.0));
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(format_duration(0), "0秒");
        assert_eq!(format_duration(59), "59秒");
        assert_eq!(format_duration(60), "1分");
        assert_eq!(format_duration(3599), "59分");
        assert_eq!(format_duration(3600), "1小时0分");
        assert_eq!(format_duration(3900), "1小时5分");
        assert_eq!(format_duration(86_400 * 3 + 7200), "3天2小时");
        assert_eq!(format_duration(-90), "-1分");
    }

    #[test]
    fn ratio_guards_zero() {
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio(1, 0), None);
    }
}
