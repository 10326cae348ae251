//! Scores and the result order.
//!
//! A score is what the reply means to the query. It packs, most significant
//! first: the short code is the query (or its pinyin initials), number of terms
//! found as whole words (`yunfeixian` in 运费险, not the abbreviation `yfx`),
//! number matched contiguously, number matched at the start of a field, and
//! field points (code 2, group 1, text 0). Use never beats meaning: only among
//! equal scores do the agent's own recent and frequent uses come first, then
//! the whole shop's, then the shorter text, then document order.

use super::Field;
use super::matcher::Kind;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;

/// The whole query equals the short code.
pub(crate) const EXACT_CODE: i64 = 1 << 56;
/// Per term: found as whole words.
pub(crate) const WHOLE: i64 = 1 << 44;
const CONTIGUOUS: i64 = 1 << 32;
const FIELD_START: i64 = 1 << 16;

/// What one term adds to the score when it matched `field` this way.
pub(crate) fn term_points(kind: Kind, whole: bool, field: Field) -> i64 {
    let whole_points = if whole && kind != Kind::Scattered { WHOLE } else { 0 };
    let kind_points = whole_points
        + match kind {
            Kind::Prefix => CONTIGUOUS + FIELD_START,
            Kind::Contiguous => CONTIGUOUS,
            Kind::Scattered => 0,
        };
    let field_points = match field {
        Field::Code => 2,
        Field::Group => 1,
        Field::Text => 0,
    };
    kind_points + field_points
}

/// A matching document with what its order depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ranked {
    /// The exact score, or an upper bound of it while `pending`.
    pub(crate) score: i64,
    /// The agent's own recent and frequent use of the reply.
    pub(crate) mine: u32,
    /// The whole shop's uses.
    pub(crate) uses: u32,
    pub(crate) text_len: u32,
    pub(crate) doc: u32,
    /// Not yet known to match; `refine` tells.
    pub(crate) pending: bool,
}

impl Ranked {
    fn key(&self) -> (Reverse<i64>, Reverse<u32>, Reverse<u32>, u32, u32) {
        (Reverse(self.score), Reverse(self.mine), Reverse(self.uses), self.text_len, self.doc)
    }
}

/// Candidates of a search: exact entries and pending upper bounds.
#[derive(Default)]
pub(crate) struct Bounds {
    pub(crate) exact: Vec<Ranked>,
    pub(crate) pending: Vec<Ranked>,
}

impl Bounds {
    pub(crate) fn push(&mut self, r: Ranked) {
        if r.pending {
            self.pending.push(r);
        } else {
            self.exact.push(r);
        }
    }

    pub(crate) fn append(&mut self, mut other: Bounds) {
        self.exact.append(&mut other.exact);
        self.pending.append(&mut other.pending);
    }

    /// With `limit` exact entries in hand, keeps only the best `limit` of them
    /// and the pending entries that could still beat the worst of those.
    pub(crate) fn prune(&mut self, limit: usize) {
        if limit == 0 || self.exact.len() < limit {
            return;
        }
        self.exact.select_nth_unstable_by_key(limit - 1, Ranked::key);
        self.exact.truncate(limit);
        let worst = self.exact[limit - 1].key();
        self.pending.retain(|p| p.key() < worst);
    }
}

/// Heap entry: the better `Ranked` is the greater.
struct Better(Ranked);

impl PartialEq for Better {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl Eq for Better {}

impl PartialOrd for Better {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Better {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.key().cmp(&self.0.key())
    }
}

/// The best `limit` of `ranked`, best first, where pending entries are upper
/// bounds. Pending entries are refined only when they reach the top, in batches
/// (`refine` gets docs, returns the exact entries of those that match), each
/// batch eight times the last so a query matching little still takes few rounds.
pub(crate) fn best_first(bounds: Bounds, limit: usize, mut refine: impl FnMut(&[u32]) -> Vec<Ranked>) -> Vec<Ranked> {
    if limit == 0 {
        return Vec::new();
    }
    let mut bounds = bounds;
    bounds.prune(limit);
    let Bounds { exact, mut pending } = bounds;
    let mut heap: BinaryHeap<Better> = exact.into_iter().map(Better).collect();
    let mut out = Vec::new();
    let mut batch_cap = limit.max(16);
    loop {
        // Exact entries better than every pending bound are final.
        let lead = pending.iter().map(Ranked::key).min();
        while out.len() < limit {
            match heap.peek_mut() {
                Some(top) if lead.is_none_or(|lead| top.0.key() < lead) => out.push(PeekMut::pop(top).0),
                _ => break,
            }
        }
        if out.len() == limit || pending.is_empty() {
            return out;
        }
        // Refine the best pending entries.
        if pending.len() > batch_cap {
            pending.select_nth_unstable_by_key(batch_cap - 1, Ranked::key);
        }
        let rest = pending.split_off(batch_cap.min(pending.len()));
        let batch: Vec<u32> = pending.iter().map(|r| r.doc).collect();
        pending = rest;
        heap.extend(refine(&batch).into_iter().map(Better));
        batch_cap *= 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(score: i64, uses: u32, text_len: u32, doc: u32) -> Ranked {
        Ranked { score, mine: 0, uses, text_len, doc, pending: false }
    }

    /// Reference order: the best `limit` of `ranked` (none pending), best first.
    fn top(mut ranked: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
        if limit == 0 {
            return Vec::new();
        }
        if ranked.len() > limit {
            ranked.select_nth_unstable_by_key(limit - 1, Ranked::key);
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by_key(Ranked::key);
        ranked
    }

    fn bounds(ranked: Vec<Ranked>) -> Bounds {
        let mut b = Bounds::default();
        ranked.into_iter().for_each(|r| b.push(r));
        b
    }

    fn pending(score: i64, doc: u32) -> Ranked {
        Ranked { pending: true, ..r(score, 0, 0, doc) }
    }

    #[test]
    fn points_are_tiered() {
        let scattered_code = term_points(Kind::Scattered, false, Field::Code);
        let middle_text = term_points(Kind::Contiguous, false, Field::Text);
        let middle_code = term_points(Kind::Contiguous, false, Field::Code);
        let start_text = term_points(Kind::Prefix, false, Field::Text);
        let whole_middle_text = term_points(Kind::Contiguous, true, Field::Text);
        assert!(scattered_code < middle_text);
        assert!(middle_text < middle_code);
        assert!(middle_code < start_text);
        assert!(64 * term_points(Kind::Prefix, false, Field::Code) < whole_middle_text);
        assert_eq!(term_points(Kind::Scattered, true, Field::Text), term_points(Kind::Scattered, false, Field::Text));
        assert!(EXACT_CODE > 64 * term_points(Kind::Prefix, true, Field::Code));
    }

    #[test]
    fn order_is_score_uses_length_doc() {
        let ranked = vec![r(1, 0, 5, 0), r(2, 0, 5, 1), r(1, 9, 5, 2), r(1, 0, 3, 3), r(1, 0, 3, 4)];
        let order = |limit| -> Vec<u32> {
            best_first(bounds(ranked.clone()), limit, |_| Vec::new()).iter().map(|r| r.doc).collect()
        };
        assert_eq!(order(10), [1, 2, 3, 4, 0]);
        assert_eq!(order(2), [1, 2]);
        assert!(order(0).is_empty());
    }

    #[test]
    fn best_first_refines_only_what_reaches_the_top() {
        // Doc d's exact score is d % 10 when d is even; odd docs don't match.
        let exact = |d: u32| d.is_multiple_of(2).then(|| r(i64::from(d % 10), 0, 0, d));
        let mut all: Vec<Ranked> = (0..1000).map(|d| pending(9, d)).collect();
        all.push(r(100, 0, 0, 5000));
        let mut refined = 0;
        let out = best_first(bounds(all.clone()), 5, |docs| {
            refined += docs.len();
            docs.iter().filter_map(|&d| exact(d)).collect()
        });
        let mut expected: Vec<Ranked> = (0..1000).filter_map(exact).collect();
        expected.push(r(100, 0, 0, 5000));
        assert_eq!(out, top(expected, 5));
        // Every doc had the same bound, so all were refined, in few batches.
        assert_eq!(refined, 1000);

        let mut calls = 0;
        let out = best_first(bounds(all), 3, |docs| {
            calls += 1;
            docs.iter().map(|&d| r(9, 0, 0, d)).collect()
        });
        assert_eq!(out.iter().map(|r| r.doc).collect::<Vec<_>>(), [5000, 0, 1]);
        assert_eq!(calls, 1);
    }

    #[test]
    fn best_first_never_refines_bounds_below_enough_exact_entries() {
        let mut ranked: Vec<Ranked> = (0..100).map(|d| pending(5, d)).collect();
        ranked.extend((100..105).map(|d| r(10, 0, 0, d)));
        ranked.push(pending(20, 200));
        let mut refined = Vec::new();
        let out = best_first(bounds(ranked), 3, |docs| {
            refined.extend_from_slice(docs);
            docs.iter().map(|&d| r(7, 0, 0, d)).collect()
        });
        assert_eq!(refined, [200]);
        assert_eq!(out.iter().map(|r| r.doc).collect::<Vec<_>>(), [100, 101, 102]);
    }

    #[test]
    fn best_first_stops_when_nothing_is_left() {
        let out = best_first(bounds(vec![pending(5, 1), r(3, 0, 0, 2)]), 10, |_| Vec::new());
        assert_eq!(out, [r(3, 0, 0, 2)]);
    }
}
