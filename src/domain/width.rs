//! Display width for CJK text: measured in terminal cells, never bytes or chars.
//! Truncation never splits a character.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Truncates and pads with spaces to exactly `cells` cells.
pub fn fit(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let pad = cells.saturating_sub(width(&t));
    format!("{t}{}", " ".repeat(pad))
}

/// Right-aligns in exactly `cells` cells.
pub fn fit_right(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let pad = cells.saturating_sub(width(&t));
    format!("{}{t}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_two_cells() {
        assert_eq!(width("退款abc"), 7);
        assert_eq!(width(""), 0);
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate("七天无理由退换", 6), "七天…");
        assert_eq!(truncate("七天无理由退换", 5), "七天…");
        assert_eq!(truncate("ab七天", 4), "ab…");
        assert_eq!(truncate("短", 5), "短");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("七天", 1), "…");
        for max in 0..12 {
            assert!(width(&truncate("混合mixed文字", max)) <= max);
        }
    }

    #[test]
    fn fit_pads_to_exact_width() {
        assert_eq!(fit("退款", 6), "退款  ");
        assert_eq!(width(&fit("七天无理由退换", 7)), 7);
        assert_eq!(fit_right("88", 5), "   88");
    }
}
