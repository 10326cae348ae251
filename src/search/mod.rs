//! Standard-reply search: short code, text and group, by Chinese substring, full
//! pinyin, pinyin initials or any mix (every heteronym reading counts), with a
//! scattered-subsequence fallback.
//!
//! Every character of a document is interned into a class ([`pinyin_keys`]); a
//! query term runs as a bit-parallel automaton over the class ids ([`query`],
//! [`matcher`]). A bigram bitmap index ([`grams`]) rejects most documents before
//! any scan, and the scan is split over the cores ([`scan`]).

mod grams;
mod matcher;
mod pinyin_keys;
mod query;
mod scan;
mod score;
#[cfg(test)]
mod tests;

use grams::{DocGrams, GramIndex};
use matcher::{FieldMatch, Kind};
use pinyin_keys::Classes;
use query::{Query, StepTable};
use score::{EXACT_CODE, Ranked, term_points};
use std::cmp::Reverse;
use std::collections::HashMap;

/// One standard reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyDoc {
    pub id: String,
    pub code: String,
    pub text: String,
    pub group: String,
    pub uses: u32,
}

impl From<crate::store::ReplyRow> for ReplyDoc {
    fn from(r: crate::store::ReplyRow) -> ReplyDoc {
        ReplyDoc { id: r.reply_id, code: r.code, text: r.text, group: r.group, uses: r.uses }
    }
}

/// The searchable fields of a reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    Code,
    Text,
    Group,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`ReplyIndex::docs`].
    pub doc: usize,
    pub score: i64,
    /// The field shown highlighted: where the best-matching term matched.
    pub field: Field,
    /// char indices (not bytes) into that field's text to highlight
    pub highlights: Vec<usize>,
}

/// Class ids of one document's fields, concatenated: code, text, group.
struct Keyed {
    classes: Box<[u32]>,
    code_end: u32,
    text_end: u32,
}

impl Keyed {
    fn field(&self, field: Field) -> &[u32] {
        let (code, text) = (self.code_end as usize, self.text_end as usize);
        match field {
            Field::Code => &self.classes[..code],
            Field::Text => &self.classes[code..text],
            Field::Group => &self.classes[text..],
        }
    }

    fn fields(&self) -> [&[u32]; 3] {
        [self.field(Field::Code), self.field(Field::Text), self.field(Field::Group)]
    }
}

/// A searchable, updatable set of replies.
pub struct ReplyIndex {
    docs: Vec<ReplyDoc>,
    keyed: Vec<Keyed>,
    by_id: HashMap<String, usize>,
    classes: Classes,
    grams: GramIndex,
    threads: usize,
}

impl ReplyIndex {
    pub fn build(docs: Vec<ReplyDoc>) -> ReplyIndex {
        let mut index = ReplyIndex {
            docs: Vec::with_capacity(docs.len()),
            keyed: Vec::with_capacity(docs.len()),
            by_id: HashMap::with_capacity(docs.len()),
            classes: Classes::new(),
            grams: GramIndex::new(),
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        };
        for doc in docs {
            index.upsert(doc);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn doc(&self, i: usize) -> &ReplyDoc {
        &self.docs[i]
    }

    pub fn docs(&self) -> &[ReplyDoc] {
        &self.docs
    }

    /// Best first. Empty/blank query: every doc, most used first (ties: code order), up to limit.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let words = query::words(query);
        if words.is_empty() {
            return self.most_used(limit);
        }
        if limit == 0 {
            return Vec::new();
        }
        let query = Query::new(words, &self.classes);
        let terms = || query.terms.iter().map(|t| t.chars.as_slice());
        let candidates = self.grams.contiguous_candidates(terms());
        let mut ranked = scan::collect(&candidates, self.threads, |d| self.rank(d, &query, false));
        if ranked.len() < limit {
            let candidates = self.grams.scattered_candidates(terms());
            ranked = scan::collect(&candidates, self.threads, |d| self.rank(d, &query, true));
        }
        score::top(ranked, limit).into_iter().map(|r| self.hit(r, &query)).collect()
    }

    /// Replaces the doc with the same id, or adds it at the end.
    pub fn upsert(&mut self, doc: ReplyDoc) {
        let mut classes = Vec::with_capacity(doc.code.len() + doc.text.len() + doc.group.len());
        for field in [&doc.code, &doc.text, &doc.group] {
            classes.extend(field.chars().map(|c| self.classes.intern(c)));
        }
        let code_end = doc.code.chars().count() as u32;
        let keyed = Keyed {
            classes: classes.into_boxed_slice(),
            code_end,
            text_end: code_end + doc.text.chars().count() as u32,
        };
        let grams = DocGrams::of(keyed.fields(), &self.classes);
        match self.by_id.get(&doc.id) {
            Some(&i) => {
                self.grams.replace(i, &grams);
                self.keyed[i] = keyed;
                self.docs[i] = doc;
            }
            None => {
                self.grams.push(&grams);
                self.by_id.insert(doc.id.clone(), self.docs.len());
                self.keyed.push(keyed);
                self.docs.push(doc);
            }
        }
    }

    /// Removes the doc with this id; later docs move down by one. False if absent.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.by_id.remove(id) else {
            return false;
        };
        self.docs.remove(i);
        self.keyed.remove(i);
        self.grams.remove(i);
        for index in self.by_id.values_mut() {
            if *index > i {
                *index -= 1;
            }
        }
        true
    }

    /// Counts one more use of the doc with this id (ignored if absent).
    pub fn bump_use(&mut self, id: &str) {
        if let Some(&i) = self.by_id.get(id) {
            self.docs[i].uses = self.docs[i].uses.saturating_add(1);
        }
    }

    fn most_used(&self, limit: usize) -> Vec<Hit> {
        let key = |&i: &usize| (Reverse(self.docs[i].uses), self.docs[i].code.as_str(), i);
        let mut order: Vec<usize> = (0..self.docs.len()).collect();
        if limit == 0 {
            return Vec::new();
        }
        if order.len() > limit {
            order.select_nth_unstable_by_key(limit - 1, key);
            order.truncate(limit);
        }
        order.sort_unstable_by_key(key);
        order.into_iter().map(|doc| Hit { doc, score: 0, field: Field::Code, highlights: Vec::new() }).collect()
    }

    /// The doc's place in the order if every term matches it.
    fn rank(&self, doc: usize, query: &Query, scattered: bool) -> Option<Ranked> {
        let mut score = 0;
        for (i, term) in query.terms.iter().enumerate() {
            let (field, m) = self.term_match(doc, &term.table, scattered)?;
            score += term_points(m.kind, field);
            if i == 0 && field == Field::Code && m.kind == Kind::Prefix && query.is_code(&self.docs[doc].code) {
                score += EXACT_CODE;
            }
        }
        let keyed = &self.keyed[doc];
        Some(Ranked { score, uses: self.docs[doc].uses, text_len: keyed.text_end - keyed.code_end, doc: doc as u32 })
    }

    /// The best field match of one term: contiguous if any, else (when allowed)
    /// scattered. Short fields first, so the long text is often only
    /// prefix-checked or skipped.
    fn term_match(&self, doc: usize, t: &StepTable, scattered: bool) -> Option<(Field, FieldMatch)> {
        let keyed = &self.keyed[doc];
        let better = |best: Option<(Field, FieldMatch)>, field: Field, m: Option<FieldMatch>| match (best, m) {
            (Some((bf, bm)), Some(m)) if term_points(m.kind, field) <= term_points(bm.kind, bf) => best,
            (_, Some(m)) => Some((field, m)),
            (best, None) => best,
        };
        let mut best = None;
        for field in [Field::Code, Field::Group] {
            best = better(best, field, matcher::contiguous(t, keyed.field(field)));
        }
        let text = keyed.field(Field::Text);
        best = match best.map(|(_, m)| m.kind) {
            Some(Kind::Prefix) => best,
            Some(_) => better(best, Field::Text, matcher::prefix(t, text)),
            None => better(best, Field::Text, matcher::contiguous(t, text)),
        };
        if best.is_none() && scattered {
            for field in [Field::Code, Field::Group, Field::Text] {
                best = better(best, field, matcher::scattered(t, keyed.field(field)));
            }
        }
        best
    }

    fn hit(&self, r: Ranked, query: &Query) -> Hit {
        let doc = r.doc as usize;
        let matches: Vec<(&StepTable, Field, FieldMatch)> = query
            .terms
            .iter()
            .filter_map(|t| {
                let (field, m) = self.term_match(doc, &t.table, true)?;
                Some((&t.table, field, m))
            })
            .collect();
        let field =
            matches.iter().rev().max_by_key(|(_, f, m)| term_points(m.kind, *f)).map_or(Field::Code, |(_, f, _)| *f);
        let text = self.keyed[doc].field(field);
        let mut highlights: Vec<usize> = matches
            .iter()
            .filter(|(_, f, _)| *f == field)
            .flat_map(|(t, _, m)| matcher::highlights(t, text, *m))
            .collect();
        highlights.sort_unstable();
        highlights.dedup();
        Hit { doc, score: r.score, field, highlights }
    }
}
