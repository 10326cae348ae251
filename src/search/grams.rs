//! Prefilter: per symbol and per symbol bigram, a bitmap of the documents that
//! contain it, so most documents are rejected without being scanned.
//!
//! A contiguous match consumes each pair of neighbouring query chars either
//! inside one key (an inner bigram of that key) or across two neighbouring field
//! characters (any symbol of the first character's keys, then the first symbol
//! of a key of the next). Every such pair is recorded, so the filter never drops
//! a real match; hashing non-alphanumerics into shared symbols only lets more
//! through. Capacity grams count how many times a document can supply a symbol
//! (each character gives at most the symbol's count in one of its keys), so a
//! term needing it more often than that is rejected too.

use super::bytes::{In, Out};
use super::pinyin_keys::{ClassId, Classes, SYMBOLS, symbol};

const BIGRAMS: usize = SYMBOLS * SYMBOLS;
const FIRST: usize = BIGRAMS;
const ANY: usize = FIRST + SYMBOLS;
/// Capacity levels 2..=MAX_CAPACITY per symbol (level 1 is `ANY`).
const CAPACITY: usize = ANY + SYMBOLS;
const MAX_CAPACITY: usize = 8;
const GRAMS: usize = CAPACITY + SYMBOLS * (MAX_CAPACITY - 1);

fn capacity_gram(sym: usize, times: usize) -> usize {
    CAPACITY + sym * (MAX_CAPACITY - 1) + times.min(MAX_CAPACITY) - 2
}

/// The grams of one document, over all its fields.
pub(crate) struct DocGrams {
    /// `bigrams[a]` has bit `b` when the bigram (a, b) occurs.
    bigrams: [u64; SYMBOLS],
    /// Symbols starting a key of some character.
    first: u64,
    /// Symbols anywhere in a key of some character.
    any: u64,
    /// Per symbol, how many times the characters can supply it (saturating).
    capacity: [u8; SYMBOLS],
}

impl DocGrams {
    pub(crate) fn of(fields: [&[ClassId]; 3], classes: &Classes) -> DocGrams {
        let mut g = DocGrams { bigrams: [0; SYMBOLS], first: 0, any: 0, capacity: [0; SYMBOLS] };
        for field in fields {
            for (i, &id) in field.iter().enumerate() {
                let class = classes.class(id);
                g.first |= class.first_syms;
                g.any |= class.any_syms;
                for &(sym, times) in &class.symbol_counts {
                    let cap = &mut g.capacity[usize::from(sym)];
                    *cap = cap.saturating_add(times);
                }
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
        let capacity = (0..SYMBOLS).flat_map(|s| {
            let top = usize::from(self.capacity[s]).min(MAX_CAPACITY);
            (2..=top).map(move |times| capacity_gram(s, times))
        });
        bigrams.chain(bits(self.first).map(|s| FIRST + s)).chain(bits(self.any).map(|s| ANY + s)).chain(capacity)
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

    pub(crate) fn write(&self, o: &mut Out) {
        o.len(self.docs);
        o.len(self.maps.len());
        for map in &self.maps {
            o.u64s(map);
        }
    }

    /// Stored bitmaps for `docs` documents; `None` when they do not fit.
    pub(crate) fn read<R: std::io::Read>(i: &mut In<R>, docs: usize) -> Option<GramIndex> {
        let stored = i.len(0)?;
        let n = i.len(8)?;
        if stored != docs || n != GRAMS {
            return None;
        }
        let mut maps = Vec::with_capacity(n);
        for _ in 0..n {
            let map = i.u64s()?;
            if map.len() > docs.div_ceil(64) {
                return None;
            }
            maps.push(map);
        }
        Some(GramIndex { maps, docs })
    }

    /// Appends documents.
    pub(crate) fn extend(&mut self, docs: &[DocGrams]) {
        // Bits of the current word per gram, flushed when the word is full.
        let mut word = vec![0u64; GRAMS];
        for grams in docs {
            for id in grams.ids() {
                word[id] |= 1 << (self.docs % 64);
            }
            self.docs += 1;
            if self.docs.is_multiple_of(64) {
                self.flush(self.docs / 64 - 1, &mut word);
            }
        }
        if !self.docs.is_multiple_of(64) {
            self.flush(self.docs / 64, &mut word);
        }
    }

    fn flush(&mut self, w: usize, word: &mut [u64]) {
        for (map, bits) in self.maps.iter_mut().zip(word) {
            if *bits != 0 {
                if map.len() <= w {
                    map.resize(w + 1, 0);
                }
                map[w] |= *bits;
                *bits = 0;
            }
        }
    }

    /// Replaces the grams of document `doc`.
    pub(crate) fn replace(&mut self, doc: usize, grams: &DocGrams) {
        let (w, bit) = (doc / 64, 1u64 << (doc % 64));
        for map in &mut self.maps {
            if let Some(word) = map.get_mut(w) {
                *word &= !bit;
            }
        }
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

    /// Documents that may hold a contiguous match of `term`.
    pub(crate) fn contiguous(&self, term: &[char]) -> Vec<u64> {
        let pairs = term.windows(2).map(|p| symbol(p[0]) * SYMBOLS + symbol(p[1]));
        self.candidates(pairs.chain(Self::needs(term)))
    }

    /// Documents that may hold a scattered (or contiguous) match of `term`.
    pub(crate) fn scattered(&self, term: &[char]) -> Vec<u64> {
        let any = term.iter().map(|&c| ANY + symbol(c));
        self.candidates(any.chain(Self::needs(term)))
    }

    /// Grams every match of `term` needs: its first symbol starts a key, and
    /// each symbol is supplied as often as the term uses it.
    fn needs(term: &[char]) -> impl Iterator<Item = usize> {
        let mut counts = [0usize; SYMBOLS];
        for &c in term {
            counts[symbol(c)] += 1;
        }
        let capacity = (0..SYMBOLS).filter(move |&s| counts[s] >= 2).map(move |s| capacity_gram(s, counts[s]));
        std::iter::once(FIRST + symbol(term[0])).chain(capacity)
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
            if !std::mem::replace(&mut seen[id], true) {
                intersect(&mut out, &self.maps[id]);
            }
        }
        out
    }
}

/// `acc &= other`, reading `other` as zeros past its end.
pub(crate) fn intersect(acc: &mut [u64], other: &[u64]) {
    for (k, word) in acc.iter_mut().enumerate() {
        *word &= other.get(k).copied().unwrap_or(0);
    }
}

/// Whether bit `doc` is set.
pub(crate) fn contains(bitmap: &[u64], doc: usize) -> bool {
    bitmap.get(doc / 64).is_some_and(|w| w >> (doc % 64) & 1 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> (GramIndex, Classes) {
        let mut classes = Classes::new();
        let mut index = GramIndex::new();
        for text in texts {
            let ids: Vec<ClassId> = text.chars().map(|c| classes.intern(c)).collect();
            index.extend(&[DocGrams::of([&[], &ids, &[]], &classes)]);
        }
        (index, classes)
    }

    fn docs(bitmap: &[u64]) -> Vec<usize> {
        bitmap.iter().enumerate().flat_map(|(w, &word)| bits(word).map(move |b| w * 64 + b)).collect()
    }

    fn contiguous(index: &GramIndex, term: &str) -> Vec<usize> {
        let t: Vec<char> = term.chars().collect();
        docs(&index.contiguous(&t))
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
        assert_eq!(docs(&index.scattered(&t)), [0]);
    }

    #[test]
    fn capacity_rejects_terms_needing_a_symbol_too_often() {
        let (index, _) = index(&["增值税", "在做", "年", "zz"]);
        let scattered = |term: &str| {
            let t: Vec<char> = term.chars().collect();
            docs(&index.scattered(&t))
        };
        assert_eq!(scattered("zz"), [0, 1, 3]);
        assert!(scattered("zzz").is_empty());
        // n occurs twice in nian.
        assert_eq!(scattered("nn"), [2]);
        assert!(scattered("nnn").is_empty());
    }

    #[test]
    fn bitmap_helpers() {
        let mut acc = vec![0b1111, u64::MAX];
        intersect(&mut acc, &[0b0101]);
        assert_eq!(acc, [0b0101, 0]);
        assert!(contains(&acc, 2));
        assert!(!contains(&acc, 1));
        assert!(!contains(&acc, 500));
    }

    #[test]
    fn replace_and_remove_keep_bitmaps_aligned() {
        let texts: Vec<String> = (0..130).map(|i| if i % 2 == 0 { "退款".into() } else { "运费".into() }).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (mut index, mut classes) = index(&refs);
        let ids: Vec<ClassId> = "运费".chars().map(|c| classes.intern(c)).collect();
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
