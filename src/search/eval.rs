//! One query against the documents: a cheap upper bound per document (code,
//! group and the start of the text only), the full match, and the hit.
//!
//! Scanning the middle of a long text is the only expensive check, and all it
//! can add is a middle-of-text contiguous match (the lowest contiguous tier) or
//! a scattered one. So after the cheap checks a term's points are either known
//! or at most that tier's; a document with such a term is marked `pending`,
//! bounded by it, and only scanned if it comes up among the best.

use super::grams;
use super::keyed::Keyed;
use super::matcher::{self, FieldMatch, Kind};
use super::pinyin_keys::ClassId;
use super::query::{Query, StepTable};
use super::score::{EXACT_CODE, Ranked, term_points};
use super::{Field, Hit, ReplyIndex};

type Best = Option<(Field, FieldMatch)>;

fn better(best: Best, field: Field, m: Option<FieldMatch>) -> Best {
    match (best, m) {
        (Some((bf, bm)), Some(m)) if term_points(m.kind, field) <= term_points(bm.kind, bf) => best,
        (_, Some(m)) => Some((field, m)),
        (best, None) => best,
    }
}

fn points(best: Best) -> i64 {
    best.map_or(0, |(f, m)| term_points(m.kind, f))
}

fn is_contiguous(best: Best) -> bool {
    best.is_some_and(|(_, m)| m.kind != Kind::Scattered)
}

/// How one term matches one group.
#[derive(Clone, Copy)]
struct GroupMatch {
    contiguous: Option<FieldMatch>,
    scattered: Option<FieldMatch>,
}

pub(crate) struct Eval<'a> {
    index: &'a ReplyIndex,
    query: &'a Query,
    /// Per term, the documents that may match it contiguously.
    contiguous: Vec<Vec<u64>>,
    /// Per term, per group id.
    groups: Vec<Vec<GroupMatch>>,
}

impl<'a> Eval<'a> {
    pub(crate) fn new(index: &'a ReplyIndex, query: &'a Query) -> Eval<'a> {
        let contiguous = query.terms.iter().map(|t| index.grams.contiguous(&t.chars)).collect();
        let groups = query
            .terms
            .iter()
            .map(|term| {
                (0..index.groups.len() as u32)
                    .map(|g| {
                        let classes = index.groups.classes(g);
                        GroupMatch {
                            contiguous: matcher::contiguous(&term.table, classes),
                            scattered: matcher::scattered(&term.table, classes),
                        }
                    })
                    .collect()
            })
            .collect();
        Eval { index, query, contiguous, groups }
    }

    /// Documents that may match every term contiguously.
    pub(crate) fn contiguous_candidates(&self) -> Vec<u64> {
        let mut all = self.contiguous[0].clone();
        for other in &self.contiguous[1..] {
            grams::intersect(&mut all, other);
        }
        all
    }

    /// Records that term `term` was found not to match doc `doc` contiguously.
    pub(crate) fn rule_out(&mut self, misses: &[(u32, usize)]) {
        for &(doc, term) in misses {
            let (w, b) = (doc as usize / 64, doc % 64);
            self.contiguous[term][w] &= !(1 << b);
        }
    }

    fn table(&self, term: usize) -> &StepTable {
        &self.query.terms[term].table
    }

    /// Contiguous matches in code and group, then at the start of the text.
    fn contiguous_cheap(&self, term: usize, keyed: &Keyed) -> Best {
        let t = self.table(term);
        let code = matcher::contiguous(t, keyed.code(&self.index.arena));
        let group = self.groups[term][keyed.group as usize].contiguous;
        let best = better(better(None, Field::Code, code), Field::Group, group);
        match (best, keyed.text_first()) {
            (Some((_, m)), _) if m.kind == Kind::Prefix => best,
            // Only touch the text when its first char can start the term.
            (_, Some(first)) if t.step(1, first) != 0 => {
                better(best, Field::Text, matcher::prefix(t, keyed.text(&self.index.arena)))
            }
            _ => best,
        }
    }

    fn scattered_cheap(&self, term: usize, keyed: &Keyed) -> Best {
        let code = matcher::scattered(self.table(term), keyed.code(&self.index.arena));
        let group = self.groups[term][keyed.group as usize].scattered;
        better(better(None, Field::Code, code), Field::Group, group)
    }

    /// Upper bound of the doc's place, `pending` when the text still needs scanning.
    pub(crate) fn bound(&self, doc: usize, scattered: bool) -> Option<Ranked> {
        let keyed = &self.index.keyed[doc];
        let mut score = 0;
        let mut pending = false;
        for term in 0..self.query.terms.len() {
            let contiguous = grams::contains(&self.contiguous[term], doc);
            let mut cheap = None;
            if contiguous {
                cheap = self.contiguous_cheap(term, keyed);
            }
            if cheap.is_none() && scattered {
                cheap = self.scattered_cheap(term, keyed);
            }
            score += match cheap {
                Some(_) if is_contiguous(cheap) => points(cheap),
                // The text scan can still find a contiguous match.
                _ if contiguous => {
                    pending = true;
                    term_points(Kind::Contiguous, Field::Text)
                }
                // Scattered in code or group beats scattered in text.
                Some(_) => points(cheap),
                None if scattered => {
                    pending = true;
                    term_points(Kind::Scattered, Field::Text)
                }
                None => return None,
            };
            if term == 0 {
                score += self.exact_code(doc, cheap);
            }
        }
        Some(self.ranked(doc, score, pending))
    }

    /// Touches every cache line of the doc's text (see [`super::scan::map`]).
    pub(crate) fn warm(&self, doc: usize) -> u32 {
        let text = self.index.keyed[doc].text(&self.index.arena);
        let per_line = 64 / std::mem::size_of::<ClassId>();
        text.iter().step_by(per_line).fold(0, |acc, &c| acc ^ u32::from(c))
    }

    /// The doc's exact place if every term matches it, else the first term
    /// that doesn't.
    pub(crate) fn full(&self, doc: usize, scattered: bool) -> Result<Ranked, usize> {
        let mut score = 0;
        for term in 0..self.query.terms.len() {
            let (field, m) = self.term_match(doc, term, scattered).ok_or(term)?;
            score += term_points(m.kind, field);
            if term == 0 {
                score += self.exact_code(doc, Some((field, m)));
            }
        }
        Ok(self.ranked(doc, score, false))
    }

    fn exact_code(&self, doc: usize, first_term: Best) -> i64 {
        match first_term {
            Some((Field::Code, m))
                if m.kind == Kind::Prefix
                    && self.index.keyed[doc].code_key == self.query.code_key
                    && self.query.is_code(&self.index.docs[doc].code) =>
            {
                EXACT_CODE
            }
            _ => 0,
        }
    }

    fn ranked(&self, doc: usize, score: i64, pending: bool) -> Ranked {
        let keyed = &self.index.keyed[doc];
        Ranked { score, uses: keyed.uses, text_len: keyed.text_len(), doc: doc as u32, pending }
    }

    /// The best match of a term: contiguous if any, else (when allowed) scattered.
    fn term_match(&self, doc: usize, term: usize, scattered: bool) -> Best {
        let keyed = &self.index.keyed[doc];
        let t = self.table(term);
        let mut best = None;
        if grams::contains(&self.contiguous[term], doc) {
            best = self.contiguous_cheap(term, keyed);
            if best.is_none() {
                best = matcher::contiguous(t, keyed.text(&self.index.arena)).map(|m| (Field::Text, m));
            }
        }
        if best.is_none() && scattered {
            best = self.scattered_cheap(term, keyed);
            if best.is_none() {
                best = matcher::scattered(t, keyed.text(&self.index.arena)).map(|m| (Field::Text, m));
            }
        }
        best
    }

    /// The hit for a ranked doc: the field of its best term, with every term's
    /// highlights in that field.
    pub(crate) fn hit(&self, r: Ranked) -> Hit {
        let doc = r.doc as usize;
        let matches: Vec<(&StepTable, Field, FieldMatch)> = (0..self.query.terms.len())
            .filter_map(|term| {
                let (field, m) = self.term_match(doc, term, true)?;
                Some((self.table(term), field, m))
            })
            .collect();
        let field =
            matches.iter().rev().max_by_key(|(_, f, m)| term_points(m.kind, *f)).map_or(Field::Code, |(_, f, _)| *f);
        let chars = self.index.field(doc, field);
        let mut highlights: Vec<usize> = matches
            .iter()
            .filter(|(_, f, _)| *f == field)
            .flat_map(|(t, _, m)| matcher::highlights(t, chars, *m))
            .collect();
        highlights.sort_unstable();
        highlights.dedup();
        Hit { doc, score: r.score, field, highlights }
    }
}
