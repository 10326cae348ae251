//! Standard-reply search: short code, text and group, by Chinese substring, full
//! pinyin, pinyin initials or any mix (every heteronym reading counts), with a
//! scattered-subsequence fallback.
//!
//! Every character of a document is interned into a class ([`pinyin_keys`]); a
//! query term runs as a bit-parallel automaton over the class ids ([`query`],
//! [`matcher`]). A bigram bitmap index ([`grams`]) rejects most documents before
//! any scan; the rest get a cheap upper bound, and only those reaching the top
//! have their text scanned ([`eval`], [`score`]), split over the cores ([`scan`]).
//!
//! Search runs in two passes: contiguous matches only, and, when those are
//! fewer than the limit, again with scattered matches allowed.

mod bytes;
mod eval;
mod grams;
mod keyed;
mod matcher;
mod pinyin_keys;
mod query;
mod scan;
mod score;
pub mod stored;
#[cfg(test)]
mod tests;

use eval::Eval;
use grams::{DocGrams, GramIndex};
use keyed::{Arena, Groups, Keyed};
use pinyin_keys::{ClassId, Classes};
use query::Query;
use std::cmp::Reverse;
use std::collections::HashMap;

/// One standard reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyDoc {
    pub id: String,
    pub code: String,
    pub text: String,
    pub group: String,
    /// The whole shop's uses.
    pub uses: u32,
    /// The agent's own use, recent uses weighing most ([`crate::store::ReplyAffinity`]):
    /// among equally good matches the agent's own replies come first.
    pub mine: u32,
}

impl From<crate::store::ReplyRow> for ReplyDoc {
    fn from(r: crate::store::ReplyRow) -> ReplyDoc {
        ReplyDoc { id: r.reply_id, code: r.code, text: r.text, group: r.group, uses: r.uses, mine: 0 }
    }
}

/// The agent's own use of every reply they used (none when nobody is named).
pub fn mine(store: &crate::store::Store) -> crate::store::Result<HashMap<String, crate::store::ReplyAffinity>> {
    let agent = &store.actor().agent;
    if agent.is_empty() { Ok(HashMap::new()) } else { store.reply_affinity(agent) }
}

/// The doc of a reply row, with the agent's own use of it.
pub fn with_mine(r: crate::store::ReplyRow, mine: &HashMap<String, crate::store::ReplyAffinity>) -> ReplyDoc {
    let score = mine.get(&r.reply_id).map_or(0, |m| m.score);
    ReplyDoc { mine: score, ..ReplyDoc::from(r) }
}

/// Every live reply as a doc with the agent's own use, and that use by reply id.
pub fn reply_docs(
    store: &crate::store::Store,
) -> crate::store::Result<(Vec<ReplyDoc>, HashMap<String, crate::store::ReplyAffinity>)> {
    let mine = mine(store)?;
    let docs = store.replies()?.into_iter().map(|r| with_mine(r, &mine)).collect();
    Ok((docs, mine))
}

/// What one more use today adds to [`ReplyDoc::mine`].
pub const MINE_TODAY: u32 = 8;

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

/// A searchable, updatable set of replies.
pub struct ReplyIndex {
    docs: Vec<ReplyDoc>,
    keyed: Vec<Keyed>,
    arena: Arena,
    by_id: HashMap<String, usize>,
    classes: Classes,
    groups: Groups,
    grams: GramIndex,
    threads: usize,
}

impl ReplyIndex {
    pub fn build(docs: Vec<ReplyDoc>) -> ReplyIndex {
        let mut index = ReplyIndex {
            docs: Vec::with_capacity(docs.len()),
            keyed: Vec::with_capacity(docs.len()),
            arena: Arena::default(),
            by_id: HashMap::with_capacity(docs.len()),
            classes: Classes::new(),
            groups: Groups::default(),
            grams: GramIndex::new(),
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        };
        // Gram bitmaps are filled a 64-doc word at a time.
        let mut block = Vec::with_capacity(64);
        for doc in docs {
            if index.by_id.contains_key(&doc.id) {
                index.grams.extend(&block);
                block.clear();
                index.upsert(doc);
            } else {
                block.push(index.append(doc));
                if block.len() == 64 {
                    index.grams.extend(&block);
                    block.clear();
                }
            }
        }
        index.grams.extend(&block);
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
        let mut eval = Eval::new(self, &query);
        let (mut ranked, misses) = self.pass(&eval, &eval.contiguous_candidates(), false, limit);
        if ranked.len() < limit {
            eval.rule_out(&misses);
            let terms = &query.terms;
            let mut candidates = self.grams.scattered(&terms[0].chars);
            for term in &terms[1..] {
                grams::intersect(&mut candidates, &self.grams.scattered(&term.chars));
            }
            ranked = self.pass(&eval, &candidates, true, limit).0;
        }
        ranked.into_iter().map(|r| eval.hit(r)).collect()
    }

    /// The best `limit` of `candidates`, and the (doc, term) pairs whose text
    /// scan found no match.
    fn pass(
        &self,
        eval: &Eval,
        candidates: &[u64],
        scattered: bool,
        limit: usize,
    ) -> (Vec<score::Ranked>, Vec<(u32, usize)>) {
        let bounds = scan::collect(candidates, self.threads, limit, |d| eval.bound(d, scattered));
        let mut misses = Vec::new();
        let best = score::best_first(bounds, limit, |docs| {
            // In document order, texts are read roughly sequentially.
            let mut docs = docs.to_vec();
            docs.sort_unstable();
            let results = scan::map(&docs, self.threads, |d| eval.warm(d), |d| eval.full(d, scattered));
            let mut found = Vec::with_capacity(docs.len());
            for (doc, result) in docs.into_iter().zip(results) {
                match result {
                    Ok(r) => found.push(r),
                    Err(term) => misses.push((doc, term)),
                }
            }
            found
        });
        (best, misses)
    }

    fn field(&self, doc: usize, field: Field) -> &[ClassId] {
        let keyed = &self.keyed[doc];
        match field {
            Field::Code => keyed.code(&self.arena),
            Field::Text => keyed.text(&self.arena),
            Field::Group => self.groups.classes(keyed.group),
        }
    }

    /// Replaces the doc with the same id, or adds it at the end.
    pub fn upsert(&mut self, doc: ReplyDoc) {
        match self.by_id.get(&doc.id) {
            Some(&i) => {
                self.keyed[i].release(&mut self.arena);
                let (keyed, grams) = self.key(&doc);
                self.grams.replace(i, &grams);
                self.keyed[i] = keyed;
                self.docs[i] = doc;
                self.arena.compact(&mut self.keyed);
            }
            None => {
                let grams = self.append(doc);
                self.grams.extend(std::slice::from_ref(&grams));
            }
        }
    }

    /// Adds a doc with a new id, except to the gram index: its grams are returned.
    fn append(&mut self, doc: ReplyDoc) -> DocGrams {
        let (keyed, grams) = self.key(&doc);
        self.by_id.insert(doc.id.clone(), self.docs.len());
        self.keyed.push(keyed);
        self.docs.push(doc);
        grams
    }

    fn key(&mut self, doc: &ReplyDoc) -> (Keyed, DocGrams) {
        let classes = &mut self.classes;
        let mut ids = |s: &str| -> Vec<ClassId> { s.chars().map(|c| classes.intern(c)).collect() };
        let (code, text) = (ids(&doc.code), ids(&doc.text));
        let group = self.groups.intern(&doc.group, || ids(&doc.group));
        let code_key = query::code_key_of(&doc.code);
        let mut keyed = Keyed::new(&code, &text, group, doc.uses, code_key, &mut self.arena);
        keyed.mine = doc.mine;
        let fields = [&code[..], &text[..], self.groups.classes(group)];
        (keyed, DocGrams::of(fields, &self.classes))
    }

    /// Removes the doc with this id; later docs move down by one. False if absent.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.by_id.remove(id) else {
            return false;
        };
        self.docs.remove(i);
        self.keyed.remove(i).release(&mut self.arena);
        self.arena.compact(&mut self.keyed);
        self.grams.remove(i);
        for index in self.by_id.values_mut() {
            if *index > i {
                *index -= 1;
            }
        }
        true
    }

    /// Counts one more use of the doc with this id, by this agent, now (ignored if absent).
    pub fn bump_use(&mut self, id: &str) {
        if let Some(&i) = self.by_id.get(id) {
            let doc = &mut self.docs[i];
            doc.uses = doc.uses.saturating_add(1);
            doc.mine = doc.mine.saturating_add(MINE_TODAY);
            self.keyed[i].uses = doc.uses;
            self.keyed[i].mine = doc.mine;
        }
    }

    /// Sets every doc's uses and the agent's own use (0 for ids absent).
    pub fn set_usage(&mut self, uses: &HashMap<String, u32>, mine: &HashMap<String, crate::store::ReplyAffinity>) {
        for (doc, keyed) in self.docs.iter_mut().zip(&mut self.keyed) {
            doc.uses = uses.get(&doc.id).copied().unwrap_or(0);
            doc.mine = mine.get(&doc.id).map_or(0, |m| m.score);
            keyed.uses = doc.uses;
            keyed.mine = doc.mine;
        }
    }

    /// Sets every doc's [`ReplyDoc::mine`] (0 for ids not in `mine`).
    pub fn set_mine(&mut self, mine: &HashMap<String, u32>) {
        for (doc, keyed) in self.docs.iter_mut().zip(&mut self.keyed) {
            doc.mine = mine.get(&doc.id).copied().unwrap_or(0);
            keyed.mine = doc.mine;
        }
    }

    fn most_used(&self, limit: usize) -> Vec<Hit> {
        let key = |&i: &usize| (Reverse(self.docs[i].mine), Reverse(self.docs[i].uses), self.docs[i].code.as_str(), i);
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
}
