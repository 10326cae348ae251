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
use super::pinyin_keys::{ClassId, fold};
use super::query::{Query, StepTable};
use super::score::{EXACT_CODE, Ranked, term_points};
use super::{Field, Hit, ReplyIndex};

type Best = Option<(Field, FieldMatch)>;

/// Whether `code` is the one word `word` (folded).
fn is_word(code: &str, word: &[char]) -> bool {
    let mut words = code.split_whitespace();
    words.next().is_some_and(|w| w.chars().map(fold).eq(word.iter().copied())) && words.next().is_none()
}

fn better(best: Best, field: Field, m: Option<FieldMatch>) -> Best {
    match (best, m) {
        (Some((bf, bm)), Some(m)) if term_points(m.kind, m.whole, field) <= term_points(bm.kind, bm.whole, bf) => best,
        (_, Some(m)) => Some((field, m)),
        (best, None) => best,
    }
}

fn points(best: Best) -> i64 {
    best.map_or(0, |(f, m)| term_points(m.kind, m.whole, f))
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
    /// Per term, what the shop's own library says it stands for: when the whole query
    /// is a short code (`yfx`), the words its replies abbreviate with it (运费险). Found
    /// in a text, they count as the term found whole.
    alts: Vec<Vec<StepTable>>,
    /// Per term, the documents that may hold one of its expansions.
    alt_docs: Vec<Vec<u64>>,
}

/// Expansions kept per term.
const MAX_ALTS: usize = 4;

/// The words that the replies whose code is the whole query abbreviate with it: every
/// contiguous match of the (single) term in their texts, two or more non-ASCII chars.
fn expansions(index: &ReplyIndex, query: &Query) -> Vec<Vec<char>> {
    let [term] = query.terms.as_slice() else {
        return Vec::new();
    };
    let mut found: Vec<Vec<char>> = Vec::new();
    for (d, keyed) in index.keyed.iter().enumerate() {
        if keyed.code_key != query.code_key || !query.is_code(&index.docs[d].code) {
            continue;
        }
        let text = keyed.text(&index.arena);
        let chars: Vec<char> = index.docs[d].text.chars().collect();
        let mut state = 0u64;
        for (end, &c) in text.iter().enumerate() {
            state = term.table.step(state | 1, c);
            if state & term.table.accept() == 0 {
                continue;
            }
            let m = FieldMatch { kind: Kind::Contiguous, whole: false, alt: 0, end };
            let word: Vec<char> = matcher::highlights(&term.table, text, m)
                .iter()
                .filter_map(|&i| chars.get(i))
                .map(|&c| fold(c))
                .collect();
            if word.len() >= 2 && word.iter().all(|c| !c.is_ascii()) && !found.contains(&word) {
                found.push(word);
            }
        }
        if found.len() >= MAX_ALTS {
            break;
        }
    }
    found.truncate(MAX_ALTS);
    found
}

impl<'a> Eval<'a> {
    pub(crate) fn new(index: &'a ReplyIndex, query: &'a Query) -> Eval<'a> {
        let contiguous = query.terms.iter().map(|t| index.grams.contiguous(&t.chars)).collect();
        let words = expansions(index, query);
        let mut alts: Vec<Vec<StepTable>> = query.terms.iter().map(|_| Vec::new()).collect();
        let mut alt_docs: Vec<Vec<u64>> = query.terms.iter().map(|_| Vec::new()).collect();
        if let (Some(tables), Some(docs)) = (alts.first_mut(), alt_docs.first_mut()) {
            for word in &words {
                tables.push(StepTable::new(word, &index.classes));
                let candidates = index.grams.contiguous(word);
                docs.resize(candidates.len(), 0);
                for (acc, w) in docs.iter_mut().zip(candidates) {
                    *acc |= w;
                }
            }
        }
        let mut eval = Eval { index, query, contiguous, groups: Vec::new(), alts, alt_docs };
        eval.groups = (0..query.terms.len())
            .map(|term| {
                (0..index.groups.len() as u32)
                    .map(|g| {
                        let classes = index.groups.classes(g);
                        GroupMatch {
                            contiguous: eval.best_contiguous(term, classes),
                            scattered: matcher::scattered(eval.table(term), classes),
                        }
                    })
                    .collect()
            })
            .collect();
        eval
    }

    /// Whether doc `doc` may hold term `term` whole (itself or an expansion).
    fn whole_possible(&self, term: usize, doc: usize) -> bool {
        self.table(term).whole_possible() || grams::contains(&self.alt_docs[term], doc)
    }

    /// The best of the term's and its expansions' matches by `find`.
    fn best_of(
        &self,
        term: usize,
        field: &[ClassId],
        find: fn(&StepTable, &[ClassId]) -> Option<FieldMatch>,
    ) -> Option<FieldMatch> {
        let main = find(self.table(term), field);
        if main.is_some_and(|m| m.whole) {
            return main;
        }
        let mut best = main;
        for (i, alt) in self.alts[term].iter().enumerate() {
            if let Some(m) = find(alt, field) {
                let m = FieldMatch { whole: true, alt: i as u8 + 1, ..m };
                if best.is_none_or(|b| {
                    term_points(m.kind, m.whole, Field::Text) > term_points(b.kind, b.whole, Field::Text)
                }) {
                    best = Some(m);
                }
            }
        }
        best
    }

    fn best_contiguous(&self, term: usize, field: &[ClassId]) -> Option<FieldMatch> {
        self.best_of(term, field, matcher::contiguous)
    }

    /// The table that found `m` for term `term`.
    fn table_of(&self, term: usize, m: FieldMatch) -> &StepTable {
        match m.alt {
            0 => self.table(term),
            i => &self.alts[term][usize::from(i) - 1],
        }
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
    fn contiguous_cheap(&self, term: usize, doc: usize, keyed: &Keyed) -> Best {
        let t = self.table(term);
        let code = matcher::contiguous(t, keyed.code(&self.index.arena));
        let group = self.groups[term][keyed.group as usize].contiguous;
        let best = better(better(None, Field::Code, code), Field::Group, group);
        match (best, keyed.text_first()) {
            // Nothing at the start of the text can beat it.
            (Some((_, m)), _) if m.kind == Kind::Prefix && (m.whole || !self.whole_possible(term, doc)) => best,
            // Only touch the text when its first char can start the term (an
            // expansion is a match of the term, so it starts the same way).
            (_, Some(first)) if t.step(1, first) != 0 => {
                better(best, Field::Text, self.best_of(term, keyed.text(&self.index.arena), matcher::prefix))
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
                cheap = self.contiguous_cheap(term, doc, keyed);
            }
            if cheap.is_none() && scattered {
                cheap = self.scattered_cheap(term, keyed);
            }
            let whole_possible = self.whole_possible(term, doc);
            // The text's middle can still hold the words whole.
            let whole_open = contiguous && whole_possible && !cheap.is_some_and(|(_, m)| m.whole);
            score += match cheap {
                Some(_) if is_contiguous(cheap) && !whole_open => points(cheap),
                Some(_) if is_contiguous(cheap) => {
                    pending = true;
                    points(cheap).max(term_points(Kind::Contiguous, true, Field::Text))
                }
                // The text scan can still find a contiguous match.
                _ if contiguous => {
                    pending = true;
                    term_points(Kind::Contiguous, whole_possible, Field::Text)
                }
                // Scattered in code or group beats scattered in text.
                Some(_) => points(cheap),
                None if scattered => {
                    pending = true;
                    term_points(Kind::Scattered, false, Field::Text)
                }
                None => return None,
            };
            if term == 0 {
                score += self.exact_code(doc);
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
            score += term_points(m.kind, m.whole, field);
            if term == 0 {
                score += self.exact_code(doc);
            }
        }
        Ok(self.ranked(doc, score, false))
    }

    /// The short code is the whole query, or the initials of the query's pinyin
    /// (`yunfeixian` for the code `yfx`).
    fn exact_code(&self, doc: usize) -> i64 {
        let keyed = &self.index.keyed[doc];
        let code = || self.index.docs[doc].code.as_str();
        let literal = keyed.code_key == self.query.code_key && self.query.is_code(code());
        let initials =
            || self.query.initials.iter().any(|(key, initials)| *key == keyed.code_key && is_word(code(), initials));
        if literal || initials() { EXACT_CODE } else { 0 }
    }

    fn ranked(&self, doc: usize, score: i64, pending: bool) -> Ranked {
        let keyed = &self.index.keyed[doc];
        Ranked { score, mine: keyed.mine, uses: keyed.uses, text_len: keyed.text_len(), doc: doc as u32, pending }
    }

    /// The best match of a term: contiguous if any, else (when allowed) scattered.
    fn term_match(&self, doc: usize, term: usize, scattered: bool) -> Best {
        let keyed = &self.index.keyed[doc];
        let t = self.table(term);
        let mut best = None;
        if grams::contains(&self.contiguous[term], doc) {
            best = self.contiguous_cheap(term, doc, keyed);
            if best.is_none() || (self.whole_possible(term, doc) && !best.is_some_and(|(_, m)| m.whole)) {
                best = better(best, Field::Text, self.best_contiguous(term, keyed.text(&self.index.arena)));
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
        // The code is the query: that is why it ranks, so that is what is shown.
        let keyed = &self.index.keyed[doc];
        if keyed.code_key == self.query.code_key && self.query.is_code(&self.index.docs[doc].code) {
            let highlights = (0..keyed.code(&self.index.arena).len()).collect();
            return Hit { doc, score: r.score, field: Field::Code, highlights };
        }
        let matches: Vec<(&StepTable, Field, FieldMatch)> = (0..self.query.terms.len())
            .filter_map(|term| {
                let (field, m) = self.term_match(doc, term, true)?;
                Some((self.table_of(term, m), field, m))
            })
            .collect();
        let field = matches
            .iter()
            .rev()
            .max_by_key(|(_, f, m)| term_points(m.kind, m.whole, *f))
            .map_or(Field::Code, |(_, f, _)| *f);
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
