//! Matching one term against one field (a slice of class ids) and finding the
//! characters to highlight.

use super::pinyin_keys::ClassId;
use super::query::StepTable;

/// How a term matched a field, worst to best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A subsequence with gaps: the last resort.
    Scattered,
    /// Consecutive characters somewhere in the field.
    Contiguous,
    /// Consecutive characters from the start of the field.
    Prefix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldMatch {
    pub(crate) kind: Kind,
    /// Every matched character consumed one whole word key: the query's words were
    /// found whole (`yunfeixian` in 运费险), not abbreviated (`yfx`).
    pub(crate) whole: bool,
    /// Which of a term's tables matched: 0 the term itself, `i + 1` its i-th
    /// expansion (see `Eval`).
    pub(crate) alt: u8,
    /// Index of the character where the match ends.
    pub(crate) end: usize,
}

/// Where a contiguous run from the first character accepts, stepping with `step`.
fn prefix_end(t: &StepTable, field: &[ClassId], step: impl Fn(u64, ClassId) -> u64) -> Option<usize> {
    let mut state = 1u64;
    for (i, &c) in field.iter().enumerate() {
        state = step(state, c);
        if state & t.accept() != 0 {
            return Some(i);
        }
        if state == 0 {
            return None;
        }
    }
    None
}

/// Where the first contiguous run anywhere accepts, stepping with `step`.
fn first_end(t: &StepTable, field: &[ClassId], step: impl Fn(u64, ClassId) -> u64) -> Option<usize> {
    let mut state = 0u64;
    for (i, &c) in field.iter().enumerate() {
        state = step(state | 1, c);
        if state & t.accept() != 0 {
            return Some(i);
        }
    }
    None
}

/// A contiguous match that starts at the first character, whole if it can be.
pub(crate) fn prefix(t: &StepTable, field: &[ClassId]) -> Option<FieldMatch> {
    if t.whole_possible()
        && let Some(end) = prefix_end(t, field, |s, c| t.step_whole(s, c))
    {
        return Some(FieldMatch { kind: Kind::Prefix, whole: true, alt: 0, end });
    }
    prefix_end(t, field, |s, c| t.step(s, c)).map(|end| FieldMatch { kind: Kind::Prefix, whole: false, alt: 0, end })
}

/// The best contiguous match: whole before abbreviated, then from the start before
/// anywhere, then the one ending first.
pub(crate) fn contiguous(t: &StepTable, field: &[ClassId]) -> Option<FieldMatch> {
    let first = prefix(t, field);
    if first.is_some_and(|m| m.whole) {
        return first;
    }
    if t.whole_possible()
        && let Some(end) = first_end(t, field, |s, c| t.step_whole(s, c))
    {
        return Some(FieldMatch { kind: Kind::Contiguous, whole: true, alt: 0, end });
    }
    if first.is_some() {
        return first;
    }
    first_end(t, field, |s, c| t.step(s, c)).map(|end| FieldMatch { kind: Kind::Contiguous, whole: false, alt: 0, end })
}

/// A subsequence match within one clause (characters may be skipped, sentence
/// punctuation may not), ending as early as possible.
pub(crate) fn scattered(t: &StepTable, field: &[ClassId]) -> Option<FieldMatch> {
    let mut state = 1u64;
    for (i, &c) in field.iter().enumerate() {
        state = if t.breaks(c) { 1 } else { state | t.step(state, c) };
        if state & t.accept() != 0 {
            return Some(FieldMatch { kind: Kind::Scattered, whole: false, alt: 0, end: i });
        }
    }
    None
}

/// Character indices of `field` that the match `m` consumed, ascending.
pub(crate) fn highlights(t: &StepTable, field: &[ClassId], m: FieldMatch) -> Vec<usize> {
    match m.kind {
        Kind::Prefix => (0..=m.end).collect(),
        Kind::Contiguous => {
            // Every character consumes at least one query char.
            let term_len = t.accept().trailing_zeros() as usize;
            let start = (m.end.saturating_sub(term_len - 1)..=m.end)
                .find(|&p| {
                    let run = field[p..=m.end].iter();
                    let state = if m.whole {
                        run.fold(1, |s, &c| t.step_whole(s, c))
                    } else {
                        run.fold(1, |s, &c| t.step(s, c))
                    };
                    state & t.accept() != 0
                })
                .unwrap_or(m.end);
            (start..=m.end).collect()
        }
        Kind::Scattered => {
            let clause = field[..m.end].iter().rposition(|&c| t.breaks(c)).map_or(0, |b| b + 1);
            scattered_highlights(t, &field[clause..], m.end - clause).into_iter().map(|i| i + clause).collect()
        }
    }
}

/// Walks the subsequence automaton back from `end`: each step picks a state the
/// current character could have been read from, then the character that first
/// reached that state.
fn scattered_highlights(t: &StepTable, field: &[ClassId], end: usize) -> Vec<usize> {
    // before[i] = states reachable before reading character i.
    let mut before = Vec::with_capacity(end + 2);
    let mut state = 1u64;
    before.push(state);
    for &c in &field[..=end] {
        state |= t.step(state, c);
        before.push(state);
    }
    let mut consumed = t.accept().trailing_zeros() as usize;
    let mut i = end;
    let mut out = Vec::new();
    loop {
        out.push(i);
        let Some(from) = (0..consumed).find(|&j| before[i] >> j & 1 == 1 && t.consumes(field[i], j, consumed)) else {
            break;
        };
        consumed = from;
        if consumed == 0 {
            break;
        }
        let Some(k) = (0..i).find(|&k| before[k + 1] >> consumed & 1 == 1) else {
            break;
        };
        i = k;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::pinyin_keys::Classes;

    fn run(
        f: fn(&StepTable, &[ClassId]) -> Option<FieldMatch>,
        term: &str,
        text: &str,
    ) -> Option<(FieldMatch, Vec<usize>)> {
        let mut classes = Classes::new();
        let ids: Vec<ClassId> = text.chars().map(|c| classes.intern(c)).collect();
        let term: Vec<char> = term.chars().collect();
        let t = StepTable::new(&term, &classes);
        f(&t, &ids).map(|m| (m, highlights(&t, &ids, m)))
    }

    #[test]
    fn prefix_only_from_the_first_char() {
        let (m, hl) = run(prefix, "qtwly", "七天无理由退换").unwrap();
        assert_eq!(m.kind, Kind::Prefix);
        assert_eq!(hl, [0, 1, 2, 3, 4]);
        assert!(run(prefix, "twly", "七天无理由").is_none());
    }

    #[test]
    fn contiguous_prefers_prefix_then_first_end() {
        let (m, hl) = run(contiguous, "yfx", "包运费险和运费险").unwrap();
        assert_eq!(m, FieldMatch { kind: Kind::Contiguous, whole: false, alt: 0, end: 3 });
        assert_eq!(hl, [1, 2, 3]);
        let (m, _) = run(contiguous, "tk", "退款后退款").unwrap();
        assert_eq!(m.kind, Kind::Prefix);
        assert!(run(contiguous, "tk", "退了款").is_none());
    }

    #[test]
    fn contiguous_highlights_chinese_and_pinyin_and_ascii() {
        assert_eq!(run(contiguous, "运费险", "亲,运费险哦").unwrap().1, [2, 3, 4]);
        assert_eq!(run(contiguous, "yunfeixian", "亲,运费险哦").unwrap().1, [2, 3, 4]);
        assert_eq!(run(contiguous, "ems", "亲,发EMS哦").unwrap().1, [3, 4, 5]);
    }

    #[test]
    fn scattered_finds_subsequences_and_their_chars() {
        assert!(run(contiguous, "tkyf", "退款和运费").is_none());
        let (m, hl) = run(scattered, "tkyf", "退款和运费").unwrap();
        assert_eq!(m.kind, Kind::Scattered);
        assert_eq!(hl, [0, 1, 3, 4]);
        let (_, hl) = run(scattered, "ab", "xaxxbx").unwrap();
        assert_eq!(hl, [1, 4]);
        assert!(run(scattered, "ba", "xaxxbx").is_none());
    }
}
