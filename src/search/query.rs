//! Query parsing and the per-term transition table of the matching automaton.
//!
//! A term is matched by a bit-parallel NFA whose state is the set of query
//! positions already consumed (bit `j` = the first `j` query chars). Reading one
//! field character moves `j` to `j + l` when the query's `l` chars from `j` are a
//! prefix of one of that character's keys.

use super::pinyin_keys::{ClassId, Classes, MAX_KEY, fold};

/// Longest term the 64-bit state can hold; longer words are split into terms.
pub(crate) const MAX_TERM: usize = 63;
/// Words beyond this many are ignored.
pub(crate) const MAX_WORDS: usize = 64;

/// Transition table of one term: for each class and each length `l`, the query
/// positions from which the class can consume `l` query chars.
pub(crate) struct StepTable {
    /// `masks[class][l - 1]` has bit `j` when `query[j..j + l]` prefixes a key.
    masks: Vec<[u64; MAX_KEY]>,
    /// `whole[class][l - 1]` has bit `j` when `query[j..j + l]` is a whole key of a
    /// word class (the character itself, or one full pinyin reading).
    whole: Vec<[u64; MAX_KEY]>,
    /// Per class: it ends a clause.
    breaks: Vec<bool>,
    accept: u64,
    /// Some run of word keys spells the whole term, so a whole match is possible.
    whole_possible: bool,
}

impl StepTable {
    pub(crate) fn new(term: &[char], classes: &Classes) -> StepTable {
        debug_assert!(!term.is_empty() && term.len() <= MAX_TERM);
        let mut masks = vec![[0u64; MAX_KEY]; classes.len()];
        let mut whole = vec![[0u64; MAX_KEY]; classes.len()];
        // Bit j of `spans[l - 1]`: some word key is exactly `term[j..j + l]`.
        let mut spans = [0u64; MAX_KEY];
        for (j, &qc) in term.iter().enumerate() {
            for (class, key) in classes.keys_starting_with(qc) {
                let key = key.as_slice();
                let common = key.iter().zip(&term[j..]).take_while(|(a, b)| a == b).count();
                for mask in &mut masks[*class as usize][..common] {
                    *mask |= 1 << j;
                }
                if common == key.len() && classes.class(*class).words {
                    whole[*class as usize][common - 1] |= 1 << j;
                    spans[common - 1] |= 1 << j;
                }
            }
        }
        let mut reach = 1u64;
        for j in 0..term.len() {
            if reach >> j & 1 == 1 {
                for (l, span) in spans.iter().enumerate() {
                    if span >> j & 1 == 1 {
                        reach |= 1 << (j + l + 1);
                    }
                }
            }
        }
        let accept = 1 << term.len();
        let breaks = (0..classes.len()).map(|c| classes.class(c as ClassId).breaks).collect();
        StepTable { masks, whole, breaks, accept, whole_possible: reach & accept != 0 }
    }

    /// Whether some whole match of the term can exist at all.
    pub(crate) fn whole_possible(&self) -> bool {
        self.whole_possible
    }

    /// Whether a character of `class` ends a clause.
    #[inline]
    pub(crate) fn breaks(&self, class: ClassId) -> bool {
        self.breaks.get(class as usize).copied().unwrap_or(false)
    }

    /// Like [`StepTable::step`], but each character must consume one whole word key.
    #[inline]
    pub(crate) fn step_whole(&self, state: u64, class: ClassId) -> u64 {
        let masks = &self.whole[class as usize];
        let mut next = 0;
        for (l, mask) in masks.iter().enumerate() {
            next |= (state & mask) << (l + 1);
        }
        next
    }

    /// The state bit meaning "the whole term was consumed".
    pub(crate) fn accept(&self) -> u64 {
        self.accept
    }

    /// States reachable from `state` by reading one character of `class`.
    /// Branch-free: this is the innermost loop of every scan.
    #[inline]
    pub(crate) fn step(&self, state: u64, class: ClassId) -> u64 {
        let masks = &self.masks[class as usize];
        let mut from = state & masks[0];
        let mut next = from << 1;
        for (l, mask) in masks.iter().enumerate().skip(1) {
            from &= mask;
            if from == 0 {
                break;
            }
            next |= from << (l + 1);
        }
        next
    }

    /// Whether one character of `class` can take the state from `from` to `to`.
    pub(crate) fn consumes(&self, class: ClassId, from: usize, to: usize) -> bool {
        let l = to - from;
        (1..=MAX_KEY).contains(&l) && self.masks[class as usize][l - 1] >> from & 1 == 1
    }
}

/// One query term: folded chars plus its table.
pub(crate) struct Term {
    pub(crate) chars: Vec<char>,
    pub(crate) table: StepTable,
}

/// A parsed query: the folded words and the terms (every term must match).
pub(crate) struct Query {
    pub(crate) words: Vec<Vec<char>>,
    pub(crate) terms: Vec<Term>,
    /// [`code_key`] of the words.
    pub(crate) code_key: u64,
    /// When the words spell pinyin syllables (two or more): the initials of every
    /// way to read them, with their [`code_key`] (`yunfeixian` → `yfx`).
    pub(crate) initials: Vec<(u64, Vec<char>)>,
}

/// At most this many readings of a query's syllables are kept.
const MAX_READINGS: usize = 8;

/// The initials of every way (up to [`MAX_READINGS`]) to cut `words` into whole pinyin
/// readings of characters in `classes`, when that takes two syllables or more.
fn initials(words: &[Vec<char>], classes: &Classes) -> Vec<Vec<char>> {
    let letters: Vec<char> = words.concat();
    if letters.len() < 2 || !letters.iter().all(char::is_ascii_lowercase) {
        return Vec::new();
    }
    // ways[j]: initials of the readings that cut letters[..j].
    let mut ways: Vec<Vec<Vec<char>>> = vec![Vec::new(); letters.len() + 1];
    ways[0].push(Vec::new());
    for j in 0..letters.len() {
        if ways[j].is_empty() {
            continue;
        }
        let mut lens = [false; MAX_KEY + 1];
        for (class, key) in classes.keys_starting_with(letters[j]) {
            let key = key.as_slice();
            if classes.class(*class).words && letters[j..].starts_with(key) {
                lens[key.len()] = true;
            }
        }
        for (len, _) in lens.iter().enumerate().filter(|(_, ok)| **ok) {
            let extended: Vec<Vec<char>> = ways[j]
                .iter()
                .map(|w| {
                    let mut w = w.clone();
                    w.push(letters[j]);
                    w
                })
                .collect();
            let slot = &mut ways[j + len];
            for w in extended {
                if slot.len() < MAX_READINGS && !slot.contains(&w) {
                    slot.push(w);
                }
            }
        }
    }
    ways.pop().unwrap_or_default().into_iter().filter(|w| w.len() >= 2).collect()
}

/// FNV-1a over folded words joined by single spaces: equal for a code and a
/// query whenever [`Query::is_code`] holds, so most codes are ruled out
/// without reading them.
pub(crate) fn code_key<W, C>(words: W) -> u64
where
    W: IntoIterator<Item = C>,
    C: IntoIterator<Item = char>,
{
    let mix = |h: u64, c: char| (h ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3);
    let mut h = 0xcbf2_9ce4_8422_2325;
    for (i, word) in words.into_iter().enumerate() {
        if i > 0 {
            h = mix(h, ' ');
        }
        for c in word {
            h = mix(h, c);
        }
    }
    h
}

/// [`code_key`] of a document's code.
pub(crate) fn code_key_of(code: &str) -> u64 {
    code_key(code.split_whitespace().map(|w| w.chars().map(fold)))
}

/// Folded whitespace-separated words of `query`, at most `MAX_WORDS`.
pub(crate) fn words(query: &str) -> Vec<Vec<char>> {
    query.split_whitespace().take(MAX_WORDS).map(|w| w.chars().map(fold).collect()).collect()
}

impl Query {
    pub(crate) fn new(words: Vec<Vec<char>>, classes: &Classes) -> Query {
        let terms = words
            .iter()
            .flat_map(|w| w.chunks(MAX_TERM))
            .map(|chars| Term { chars: chars.to_vec(), table: StepTable::new(chars, classes) })
            .collect();
        let initials = initials(&words, classes).into_iter().map(|w| (code_key([w.iter().copied()]), w)).collect();
        let code_key = code_key(words.iter().map(|w| w.iter().copied()));
        Query { words, terms, code_key, initials }
    }

    /// Whether `code`, folded and whitespace-normalised, equals the whole query.
    pub(crate) fn is_code(&self, code: &str) -> bool {
        let mut code_words = code.split_whitespace();
        self.words.iter().all(|w| code_words.next().is_some_and(|cw| cw.chars().map(fold).eq(w.iter().copied())))
            && code_words.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(term: &str, text: &str) -> (StepTable, Vec<ClassId>) {
        let mut classes = Classes::new();
        let ids = text.chars().map(|c| classes.intern(c)).collect();
        let term: Vec<char> = term.chars().collect();
        (StepTable::new(&term, &classes), ids)
    }

    fn consumes_all(term: &str, text: &str) -> bool {
        let (t, ids) = table(term, text);
        let state = ids.iter().fold(1, |s, &c| t.step(s, c));
        state & t.accept() != 0
    }

    #[test]
    fn each_char_consumes_a_prefix_of_one_key() {
        assert!(consumes_all("tuikuan", "退款"));
        assert!(consumes_all("tk", "退款"));
        assert!(consumes_all("tuik", "退款"));
        assert!(consumes_all("tku", "退款"));
        assert!(consumes_all("退k", "退款"));
        assert!(consumes_all("退款", "退款"));
        assert!(!consumes_all("tkx", "退款"));
        assert!(!consumes_all("t", "退款"));
    }

    #[test]
    fn step_from_the_empty_state_set_stays_empty() {
        let (t, ids) = table("yfx", "运费险");
        assert_eq!(t.step(0, ids[0]), 0);
        assert_eq!(t.step(1, ids[0]), 0b10);
    }

    #[test]
    fn consumes_reports_single_transitions() {
        let (t, ids) = table("yunfx", "运费险");
        assert!(t.consumes(ids[0], 0, 3));
        assert!(t.consumes(ids[0], 0, 1));
        assert!(t.consumes(ids[1], 3, 4));
        assert!(!t.consumes(ids[1], 0, 3));
        assert!(!t.consumes(ids[0], 0, 0));
    }

    #[test]
    fn words_fold_and_split() {
        assert_eq!(words("  TuiKuan\t运费 "), vec!["tuikuan".chars().collect::<Vec<_>>(), "运费".chars().collect()]);
        assert!(words(" \t ").is_empty());
    }

    #[test]
    fn long_words_are_split_into_terms() {
        let long = "a".repeat(MAX_TERM + 5);
        let q = Query::new(words(&long), &Classes::new());
        assert_eq!(q.terms.len(), 2);
        assert_eq!(q.terms[0].chars.len(), MAX_TERM);
        assert_eq!(q.terms[1].chars.len(), 5);
    }

    #[test]
    fn is_code_compares_whole_normalised_query() {
        let q = Query::new(words(" TK  1 "), &Classes::new());
        assert!(q.is_code("tk 1"));
        assert!(q.is_code("Tk   1"));
        assert_eq!(q.code_key, code_key_of("Tk   1"));
        assert_eq!(q.code_key, code_key_of(" tk 1\t"));
        assert_ne!(q.code_key, code_key_of("tk1"));
        assert_ne!(q.code_key, code_key_of("tk 12"));
        assert!(!q.is_code("tk"));
        assert!(!q.is_code("tk 12"));
        assert!(!q.is_code("tk 1 2"));
    }
}
