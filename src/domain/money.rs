//! Money in fen (分): parsed from export cells (`88`, `88.5`, `88.50元`, `¥1,288.00`)
//! and printed as yuan.

/// Parses a yuan amount into fen. Empty means zero.
pub fn parse_yuan(text: &str) -> Result<i64, String> {
    let t: String = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if t.is_empty() {
        return Ok(0);
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let bad = || format!("金额 '{}' 不是数字", text.trim());
    if int.is_empty() && frac.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return Err(bad());
    }
    let yuan: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
    let fen: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    let total = yuan.checked_mul(100).and_then(|y| y.checked_add(fen)).ok_or_else(bad)?;
    Ok(if neg { -total } else { total })
}

/// `8800` → `88.00`.
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

/// `8800` → `88`, `8850` → `88.50`: the short form the seed's texts use (`价值人民币88元`).
pub fn format_yuan_short(fen: i64) -> String {
    if fen % 100 == 0 { format!("{}", fen / 100) } else { format_yuan(fen) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_export_amounts() {
        assert_eq!(parse_yuan("88"), Ok(8800));
        assert_eq!(parse_yuan("88.5"), Ok(8850));
        assert_eq!(parse_yuan("88.50元"), Ok(8850));
        assert_eq!(parse_yuan("¥1,288.00"), Ok(128800));
        assert_eq!(parse_yuan(" 0.01 "), Ok(1));
        assert_eq!(parse_yuan(""), Ok(0));
        assert_eq!(parse_yuan("-5"), Ok(-500));
        assert_eq!(parse_yuan(".5"), Ok(50));
    }

    #[test]
    fn rejects_what_is_not_money() {
        assert!(parse_yuan("abc").is_err());
        assert!(parse_yuan("1.234").is_err());
        assert!(parse_yuan("1.2.3").is_err());
        assert!(parse_yuan("99999999999999999999").is_err());
        assert!(parse_yuan(".").is_err());
    }

    #[test]
    fn formats_yuan() {
        assert_eq!(format_yuan(8800), "88.00");
        assert_eq!(format_yuan(1), "0.01");
        assert_eq!(format_yuan(-250), "-2.50");
        assert_eq!(format_yuan_short(8800), "88");
        assert_eq!(format_yuan_short(8850), "88.50");
    }
}
