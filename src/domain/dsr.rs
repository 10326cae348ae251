//! DSR (店铺动态评分): the score from star counts, and how many more five-star ratings
//! reach a target (`001`: n = N·(P − S)/(5 − P)), computed exactly in integers.

use std::fmt;

/// Counts of 5, 4, 3, 2 and 1-star ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StarCounts {
    pub counts: [u64; 5],
}

impl StarCounts {
    /// `counts[0]` is five stars … `counts[4]` one star.
    pub fn new(five: u64, four: u64, three: u64, two: u64, one: u64) -> StarCounts {
        StarCounts { counts: [five, four, three, two, one] }
    }

    /// Parses `5:120,4:8,3:2,2:0,1:1` (any order; missing stars count 0).
    pub fn parse(text: &str) -> Result<StarCounts, DsrError> {
        let mut c = StarCounts::default();
        for part in text.split([',', ',']).map(str::trim).filter(|p| !p.is_empty()) {
            let (star, n) = part.split_once([':', ':']).ok_or_else(|| DsrError::Parse(part.to_string()))?;
            let star: usize = star.trim().parse().map_err(|_| DsrError::Parse(part.to_string()))?;
            if !(1..=5).contains(&star) {
                return Err(DsrError::Parse(part.to_string()));
            }
            let n = n.trim();
            if n.starts_with('-') {
                return Err(DsrError::Negative(part.to_string()));
            }
            c.counts[5 - star] = n.parse().map_err(|_| DsrError::Parse(part.to_string()))?;
        }
        Ok(c)
    }

    pub fn raters(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn star_total(&self) -> u128 {
        self.counts.iter().enumerate().map(|(i, n)| (5 - i) as u128 * *n as u128).sum()
    }

    /// The weighted mean, or None with no ratings.
    pub fn score(&self) -> Option<f64> {
        let n = self.raters();
        (n > 0).then(|| self.star_total() as f64 / n as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsrError {
    Parse(String),
    Negative(String),
    TargetTooHigh(String),
    TargetTooLow(String),
}

impl fmt::Display for DsrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DsrError::Parse(p) => {
                write!(f, "看不懂 '{p}':请写成 5:数量,4:数量,3:数量,2:数量,1:数量")
            }
            DsrError::Negative(p) => write!(f, "评分人数不能是负数:'{p}'"),
            DsrError::TargetTooHigh(p) => {
                write!(f, "目标分 {p} 达不到:目标必须低于 5.0(满分只能无限接近)")
            }
            DsrError::TargetTooLow(p) => write!(f, "目标分 {p} 无效:必须在 1.0 到 5.0 之间"),
        }
    }
}

impl std::error::Error for DsrError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// The current score is already at or above the target.
    AlreadyReached,
    More(u64),
}

/// Parses a target like `4.85` into thousandths, exactly.
pub fn parse_target(text: &str) -> Result<u32, DsrError> {
    let t = text.trim();
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    if i.is_empty() || !i.chars().all(|c| c.is_ascii_digit()) || !f.chars().all(|c| c.is_ascii_digit()) || f.len() > 3 {
        return Err(DsrError::TargetTooLow(t.to_string()));
    }
    let whole: u32 = i.parse().map_err(|_| DsrError::TargetTooLow(t.to_string()))?;
    let frac: u32 = format!("{f:0<3}").parse().map_err(|_| DsrError::TargetTooLow(t.to_string()))?;
    let p = whole.saturating_mul(1000).saturating_add(frac);
    if p >= 5000 {
        return Err(DsrError::TargetTooHigh(t.to_string()));
    }
    if p < 1000 {
        return Err(DsrError::TargetTooLow(t.to_string()));
    }
    Ok(p)
}

/// Five-star ratings needed to lift the mean to `target_milli`/1000: the least n with
/// (T + 5n)/(N + n) ≥ P, i.e. n = ⌈(N·P − T)/(5 − P)⌉.
pub fn five_stars_needed(counts: &StarCounts, target_milli: u32) -> Result<Needed, DsrError> {
    if target_milli >= 5000 {
        return Err(DsrError::TargetTooHigh(format!("{}", target_milli as f64 / 1000.0)));
    }
    let n = counts.raters() as u128;
    let total_milli = counts.star_total() * 1000;
    let want = n * target_milli as u128;
    if n > 0 && total_milli >= want {
        return Ok(Needed::AlreadyReached);
    }
    if n == 0 {
        return Ok(Needed::More(1));
    }
    let num = want - total_milli;
    let den = 5000 - target_milli as u128;
    Ok(Needed::More(num.div_ceil(den) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_the_weighted_mean() {
        let c = StarCounts::new(90, 5, 3, 1, 1);
        assert!((c.score().unwrap() - 4.82).abs() < 1e-9);
        assert_eq!(StarCounts::default().score(), None);
    }

    #[test]
    fn needed_follows_the_sheet_formula_rounded_up() {
        // N = 100, S = 4.7, P = 4.8 → n = 100·0.1/0.2 = 50.
        let c = StarCounts::new(80, 10, 10, 0, 0);
        assert_eq!(c.score(), Some(4.7));
        assert_eq!(five_stars_needed(&c, 4800), Ok(Needed::More(50)));
        // One more than exact stays rounded up: N = 3, S = 4, P = 4.5 → 3·0.5/0.5 = 3.
        let c = StarCounts::new(0, 3, 0, 0, 0);
        assert_eq!(five_stars_needed(&c, 4500), Ok(Needed::More(3)));
        // Fractional → ceil: N = 10, S = 4.6, P = 4.75 → 10·0.15/0.25 = 6.
        let c = StarCounts::new(6, 4, 0, 0, 0);
        assert_eq!(five_stars_needed(&c, 4750), Ok(Needed::More(6)));
        let c = StarCounts::new(6, 4, 0, 0, 0);
        assert_eq!(five_stars_needed(&c, 4710), Ok(Needed::More(4))); // 10·0.11/0.29 = 3.79
    }

    #[test]
    fn verified_by_adding_the_ratings() {
        let c = StarCounts::new(37, 9, 4, 2, 3);
        for p in [4100u32, 4500, 4800, 4900, 4990] {
            if let Needed::More(n) = five_stars_needed(&c, p).unwrap() {
                let after = StarCounts::new(37 + n, 9, 4, 2, 3);
                let before = StarCounts::new(37 + n - 1, 9, 4, 2, 3);
                assert!(after.score().unwrap() * 1000.0 >= p as f64 - 1e-6, "{p}");
                assert!(before.score().unwrap() * 1000.0 < p as f64, "{p}");
            }
        }
    }

    #[test]
    fn already_there_needs_nothing() {
        let c = StarCounts::new(10, 0, 0, 0, 0);
        assert_eq!(five_stars_needed(&c, 4900), Ok(Needed::AlreadyReached));
        assert_eq!(five_stars_needed(&StarCounts::default(), 4800), Ok(Needed::More(1)));
    }

    #[test]
    fn bad_targets_and_counts_are_refused() {
        assert!(matches!(parse_target("5"), Err(DsrError::TargetTooHigh(_))));
        assert!(matches!(parse_target("5.2"), Err(DsrError::TargetTooHigh(_))));
        assert!(matches!(parse_target("0.5"), Err(DsrError::TargetTooLow(_))));
        assert!(parse_target("abc").is_err());
        assert_eq!(parse_target("4.85"), Ok(4850));
        assert_eq!(parse_target("4.8"), Ok(4800));
        assert!(matches!(StarCounts::parse("5:-3"), Err(DsrError::Negative(_))));
        assert!(matches!(StarCounts::parse("6:3"), Err(DsrError::Parse(_))));
        assert!(StarCounts::parse("5=3").is_err());
        assert_eq!(StarCounts::parse("5:10, 1:2").unwrap(), StarCounts::new(10, 0, 0, 0, 2));
        assert!(five_stars_needed(&StarCounts::default(), 5000).is_err());
    }
}
