//! Prefilter: per symbol and per symbol bigram, a bitmap of the documents that
//! contain it, so most documents are rejected without being scanned.
//!
//! A contiguous match consumes each pair of neighbouring query chars either
//! inside one key (an inner bigram of that key) or across two neighbouring field
//! characters (any symbol of the first character's keys, then the first symbol
//! of a key of the next). Every such pair is recorded, so the filter never drops
//! a real match; hashing non-alphanumerics into shared symbols only lets more
//! through.

use super::pinyin_keys::{Classes, SYMBOLS, symbol};

const BIGRAMS: usize = SYMBOLS * SYMBOLS;
const FIRST: usize = BIGRAMS;
const ANY: usize = BIGRAMS + SYMBOLS;
const GRAMS: usize = BIGRAMS + 2 * SYMBOLS;

/// The grams of one document, over all its fields.
pub(crate) struct DocGrams {
    /// `bigrams[a]` has bit `b` when the bigram (a, b) occurs.
    bigrams: [u64; SYMBOLS],
    /// Symbols starting a key of some character.
    first: u64,
    /// Symbols anywhere in a key of some character.
    any: u64,
}

impl DocGrams {
    pub(crate) fn of(fields: [&[u32]; 3], classes: &Classes) -> DocGrams {
        let mut g = DocGrams { bigrams: [0; SYMBOLS], first: 0, any: 0 };
        for field in fields {
            for (i, &id) in field.iter().enumerate() {
                let class = classes.class(id);
                g.first |= class.first_syms;
                g.any |= class.any_syms;
                for &(a, following) in &class.inner_bigrams {
                    g.bigrams[usize::from(a)] |= following;
                }
                if let Some(&next) = field.get(i + 1) {
                    let next_first = classes.class(next).first_syms;
                    for a in bits(class.any_syms) {
                        g.bigrams[a] |= next_first;
                    }
                }
            }
        }
        g
    }

    fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        let bigrams = (0..SYMBOLS).flat_map(|a| bits(self.bigrams[a]).map(move |b| a * SYMBOLS + b));
        bigrams.chain(bits(self.first).map(|s| FIRST + s)).chain(bits(self.any).map(|s| ANY + s))
    }
}

/// Indices of the set bits of `word`, ascending.
pub(crate) fn bits(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let b = word.trailing_zeros() as usize;
            word &= word - 1;
            b
        })
    })
}

/// Document bitmaps per gram. A bitmap shorter than the document count reads
/// as zeros past its end, so grams that never occur cost nothing.
pub(crate) struct GramIndex {
    maps: Vec<Vec<u64>>,
    docs: usize,
}

impl GramIndex {
    pub(crate) fn new() -> GramIndex {
        GramIndex { maps: vec![Vec::new(); GRAMS], docs: 0 }
    }

    pub(crate) fn push(&mut self, grams: &DocGrams) {
        self.docs += 1;
        self.set(self.docs - 1, grams);
    }

    /// Replaces the grams of document `doc`.
    pub(crate) fn replace(&mut self, doc: usize, grams: &DocGrams) {
        let (w, bit) = (doc / 64, 1u64 << (doc % 64));
        for map in &mut self.maps {
            if let Some(word) = map.get_mut(w) {
                *word &= !bit;
            }
        }
        self.set(doc, grams);
    }

    fn set(&mut self, doc: usize, grams: &DocGrams) {
        let (w, bit) = (doc / 64, 1u64 << (doc % 64));
        for id in grams.ids() {
            let map = &mut self.maps[id];
            if map.len() <= w {
                map.resize(w + 1, 0);
            }
            map[w] |= bit;
        }
    }

    /// Removes document `doc`; later documents move down by one.
    pub(crate) fn remove(&mut self, doc: usize) {
        self.docs -= 1;
        let (w, b) = (doc / 64, doc % 64);
        let words = self.docs.div_ceil(64);
        for map in &mut self.maps {
            if map.len() > w {
                let keep = (1u64 << b) - 1;
                map[w] = (map[w] & keep) | ((map[w] >> 1) & !keep);
                for k in w..map.len() {
                    let carry = map.get(k + 1).map_or(0, |next| next & 1);
                    if k > w {
                        map[k] >>= 1;
                    }
                    map[k] |= carry << 63;
                }
                map.truncate(words);
            }
        }
    }

    /// Documents that may hold a contiguous match of every term.
    pub(crate) fn contiguous_candidates<'a>(&self, terms: impl Iterator<Item = &'a [char]>) -> Vec<u64> {
        self.candidates(terms.flat_map(|t| {
            let first = FIRST + symbol(t[0]);
            let pairs = t.windows(2).map(|p| symbol(p[0]) * SYMBOLS + symbol(p[1]));
            std::iter::once(first).chain(pairs)
        }))
    }

    /// Documents that may hold a scattered match of every term.
    pub(crate) fn scattered_candidates<'a>(&self, terms: impl Iterator<Item = &'a [char]>) -> Vec<u64> {
        self.candidates(terms.flat_map(|t| {
            let first = FIRST + symbol(t[0]);
            std::iter::once(first).chain(t.iter().map(|&c| ANY + symbol(c)))
        }))
    }

    fn candidates(&self, grams: impl Iterator<Item = usize>) -> Vec<u64> {
        let mut out = vec![u64::MAX; self.docs.div_ceil(64)];
        if !self.docs.is_multiple_of(64)
            && let Some(last) = out.last_mut()
        {
            *last = (1u64 << (self.docs % 64)) - 1;
        }
        let mut seen = vec![false; GRAMS];
        for id in grams {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            let map = &self.maps[id];
            for (k, word) in out.iter_mut().enumerate() {
                *word &= map.get(k).copied().unwrap_or(0);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> (GramIndex, Classes) {
        let mut classes = Classes::new();
        let mut index = GramIndex::new();
        for text in texts {
            let ids: Vec<u32> = text.chars().map(|c| classes.intern(c)).collect();
            index.push(&DocGrams::of([&[], &ids, &[]], &classes));
        }
        (index, classes)
    }

    fn docs(bitmap: &[u64]) -> Vec<usize> {
        bitmap.iter().enumerate().flat_map(|(w, &word)| bits(word).map(move |b| w * 64 + b)).collect()
    }

    fn contiguous(index: &GramIndex, term: &str) -> Vec<usize> {
        let t: Vec<char> = term.chars().collect();
        docs(&index.contiguous_candidates(std::iter::once(t.as_slice())))
    }

    #[test]
    fn bigrams_keep_real_matches_and_drop_others() {
        let (index, _) = index(&["退款", "运费险", "七天无理由", "tk"]);
        assert_eq!(contiguous(&index, "yfx"), [1]);
        assert_eq!(contiguous(&index, "tuik"), [0]);
        assert_eq!(contiguous(&index, "tk"), [0, 3]);
        assert_eq!(contiguous(&index, "qitianwly"), [2]);
        assert_eq!(contiguous(&index, "七天"), [2]);
        assert_eq!(contiguous(&index, "七tian"), [2]);
        assert!(contiguous(&index, "zzzz").is_empty());
    }

    #[test]
    fn scattered_needs_first_symbol_and_all_symbols() {
        let (index, _) = index(&["退款和运费", "运费"]);
        let t: Vec<char> = "tkyf".chars().collect();
        assert_eq!(docs(&index.scattered_candidates(std::iter::once(t.as_slice()))), [0]);
    }

    #[test]
    fn replace_and_remove_keep_bitmaps_aligned() {
        let texts: Vec<String> = (0..130).map(|i| if i % 2 == 0 { "退款".into() } else { "运费".into() }).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (mut index, mut classes) = index(&refs);
        let ids: Vec<u32> = "运费".chars().map(|c| classes.intern(c)).collect();
        index.replace(0, &DocGrams::of([&[], &ids, &[]], &classes));
        let expect: Vec<usize> = (2..130).step_by(2).collect();
        assert_eq!(contiguous(&index, "tk"), expect);
        index.remove(1);
        let expect: Vec<usize> = (1..129).step_by(2).collect();
        assert_eq!(contiguous(&index, "tk"), expect);
        index.remove(64);
        let shifted: Vec<usize> = expect.iter().map(|&d| if d > 64 { d - 1 } else { d }).collect();
        assert_eq!(contiguous(&index, "tk"), shifted);
        assert_eq!(contiguous(&index, "yf").len() + contiguous(&index, "tk").len(), 128);
    }
}
