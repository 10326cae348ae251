//! Scores and the result order.
//!
//! A score packs, most significant first: exact short-code match, number of
//! terms matched contiguously, number matched at the start of a field, and field
//! points (code 2, group 1, text 0). Ties break by uses (more first), shorter
//! text, then document order.

use super::Field;
use super::matcher::Kind;
use std::cmp::Reverse;

/// The whole query equals the short code.
pub(crate) const EXACT_CODE: i64 = 1 << 48;
const CONTIGUOUS: i64 = 1 << 32;
const FIELD_START: i64 = 1 << 16;

/// What one term adds to the score when it matched `field` this way.
pub(crate) fn term_points(kind: Kind, field: Field) -> i64 {
    let kind_points = match kind {
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
    pub(crate) score: i64,
    pub(crate) uses: u32,
    pub(crate) text_len: u32,
    pub(crate) doc: u32,
}

impl Ranked {
    fn key(&self) -> (Reverse<i64>, Reverse<u32>, u32, u32) {
        (Reverse(self.score), Reverse(self.uses), self.text_len, self.doc)
    }
}

/// The best `limit` of `ranked`, best first.
pub(crate) fn top(mut ranked: Vec<Ranked>, limit: usize) -> Vec<Ranked> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn r(score: i64, uses: u32, text_len: u32, doc: u32) -> Ranked {
        Ranked { score, uses, text_len, doc }
    }

    #[test]
    fn points_are_tiered() {
        let scattered_code = term_points(Kind::Scattered, Field::Code);
        let middle_text = term_points(Kind::Contiguous, Field::Text);
        let middle_code = term_points(Kind::Contiguous, Field::Code);
        let start_text = term_points(Kind::Prefix, Field::Text);
        assert!(scattered_code < middle_text);
        assert!(middle_text < middle_code);
        assert!(middle_code < start_text);
        assert!(EXACT_CODE > 64 * term_points(Kind::Prefix, Field::Code));
    }

    #[test]
    fn order_is_score_uses_length_doc() {
        let ranked = vec![r(1, 0, 5, 0), r(2, 0, 5, 1), r(1, 9, 5, 2), r(1, 0, 3, 3), r(1, 0, 3, 4)];
        let docs: Vec<u32> = top(ranked.clone(), 10).iter().map(|r| r.doc).collect();
        assert_eq!(docs, [1, 2, 3, 4, 0]);
        let docs: Vec<u32> = top(ranked.clone(), 2).iter().map(|r| r.doc).collect();
        assert_eq!(docs, [1, 2]);
        assert!(top(ranked, 0).is_empty());
    }
}
