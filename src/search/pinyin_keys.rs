//! Match keys per character, interned into classes shared by every document.
//!
//! A character's keys are the character itself (folded) plus every plain pinyin
//! reading of every heteronym (`ToPinyinMulti`). A query consumes, per character,
//! a non-empty prefix of one of its keys, so `t`, `tu` and `tui` all match 退, and
//! 退 matches itself.

use pinyin::ToPinyinMulti;
use std::collections::HashMap;

/// Longest key in chars: the longest plain readings are six letters ("zhuang").
pub(crate) const MAX_KEY: usize = 6;
/// Size of the symbol alphabet that the prefilter bitmaps are indexed by.
pub(crate) const SYMBOLS: usize = 64;

/// A class id. Two bytes keep the stored texts small and fast to scan.
pub(crate) type ClassId = u16;
/// Every distinct char past the first 65,535 gets this class, which has no
/// keys and so never matches (replies use a few thousand distinct chars).
const OVERFLOW: ClassId = ClassId::MAX;

/// Case folding shared by documents and queries: ASCII lowercase, other
/// characters lowercased when that yields exactly one character.
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Prefilter symbol of a key character: letters and digits exactly, everything
/// else hashed into the remaining 28 buckets.
pub(crate) fn symbol(c: char) -> usize {
    match c {
        'a'..='z' => c as usize - 'a' as usize,
        '0'..='9' => 26 + (c as usize - '0' as usize),
        _ => 36 + ((c as u32).wrapping_mul(0x9E37_79B1) >> 16) as usize % 28,
    }
}

/// One key: at most `MAX_KEY` chars, stored inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    chars: [char; MAX_KEY],
    len: u8,
}

impl Key {
    fn new(s: impl IntoIterator<Item = char>) -> Key {
        let mut key = Key { chars: ['\0'; MAX_KEY], len: 0 };
        for c in s.into_iter().take(MAX_KEY) {
            key.chars[usize::from(key.len)] = c;
            key.len += 1;
        }
        key
    }

    pub(crate) fn as_slice(&self) -> &[char] {
        &self.chars[..usize::from(self.len)]
    }
}

/// Everything the index needs to know about one distinct character.
pub(crate) struct CharClass {
    pub(crate) keys: Vec<Key>,
    /// Symbols occurring anywhere in any key.
    pub(crate) any_syms: u64,
    /// Symbols that start a key.
    pub(crate) first_syms: u64,
    /// Bigrams inside keys, as (first symbol, bitmask of following symbols).
    pub(crate) inner_bigrams: Vec<(u8, u64)>,
    /// (symbol, most times it occurs in one key), for every symbol of `any_syms`.
    pub(crate) symbol_counts: Vec<(u8, u8)>,
    /// Its keys are words: a Chinese character itself or a whole pinyin reading of it
    /// (not an ASCII letter, which only stands for itself).
    pub(crate) words: bool,
    /// Ends a clause (，。!? …): scattered matches never reach across it.
    pub(crate) breaks: bool,
}

/// Sentence punctuation that ends a clause.
pub(crate) fn is_break(c: char) -> bool {
    matches!(c, ',' | '，' | '.' | '。' | '!' | '！' | '?' | '？' | '~' | '～' | ';' | '；' | '\n')
}

fn keys_for(c: char) -> Vec<Key> {
    let mut keys = vec![Key::new([fold(c)])];
    if let Some(multi) = c.to_pinyin_multi() {
        for reading in multi {
            let plain = reading.plain();
            // Keyboards type ü as v and ê as e.
            for variant in [plain.to_string(), plain.replace('ü', "v"), plain.replace('ê', "e")] {
                let key = Key::new(variant.chars());
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

impl CharClass {
    fn new(c: char) -> CharClass {
        let mut class = CharClass::from_keys(keys_for(c));
        class.words = !c.is_ascii() && c.is_alphabetic();
        class.breaks = is_break(c);
        class
    }

    fn from_keys(keys: Vec<Key>) -> CharClass {
        let mut any_syms = 0u64;
        let mut first_syms = 0u64;
        let mut rows = [0u64; SYMBOLS];
        let mut most = [0u8; SYMBOLS];
        for key in &keys {
            let k = key.as_slice();
            first_syms |= 1 << symbol(k[0]);
            let mut counts = [0u8; SYMBOLS];
            for &ch in k {
                any_syms |= 1 << symbol(ch);
                counts[symbol(ch)] += 1;
            }
            for (m, c) in most.iter_mut().zip(counts) {
                *m = (*m).max(c);
            }
            for pair in k.windows(2) {
                rows[symbol(pair[0])] |= 1 << symbol(pair[1]);
            }
        }
        let inner_bigrams = (0..SYMBOLS).filter(|&a| rows[a] != 0).map(|a| (a as u8, rows[a])).collect();
        let symbol_counts = (0..SYMBOLS).filter(|&s| most[s] != 0).map(|s| (s as u8, most[s])).collect();
        CharClass { keys, any_syms, first_syms, inner_bigrams, symbol_counts, words: false, breaks: false }
    }
}

/// Interned character classes, plus a lookup from a key's first char to the keys.
pub(crate) struct Classes {
    /// Basic-plane characters: class id + 1, 0 when not interned.
    bmp: Vec<u32>,
    astral: HashMap<char, ClassId>,
    classes: Vec<CharClass>,
    by_first: HashMap<char, Vec<(ClassId, Key)>>,
    /// The character of each class, in id order (not the overflow class).
    chars: Vec<char>,
}

impl Classes {
    pub(crate) fn new() -> Classes {
        Classes {
            bmp: vec![0; 0x1_0000],
            astral: HashMap::new(),
            classes: Vec::new(),
            by_first: HashMap::new(),
            chars: Vec::new(),
        }
    }

    /// The class id of `c`, creating the class on first sight.
    pub(crate) fn intern(&mut self, c: char) -> ClassId {
        let code = c as usize;
        let known = if code < self.bmp.len() {
            self.bmp[code].checked_sub(1).map(|id| id as ClassId)
        } else {
            self.astral.get(&c).copied()
        };
        if let Some(id) = known {
            return id;
        }
        if self.classes.len() >= usize::from(OVERFLOW) {
            if self.classes.len() == usize::from(OVERFLOW) {
                self.classes.push(CharClass::from_keys(Vec::new()));
            }
            return OVERFLOW;
        }
        let id = self.classes.len() as ClassId;
        let class = CharClass::new(c);
        for key in &class.keys {
            self.by_first.entry(key.as_slice()[0]).or_default().push((id, *key));
        }
        self.classes.push(class);
        self.chars.push(c);
        if code < self.bmp.len() {
            self.bmp[code] = u32::from(id) + 1;
        } else {
            self.astral.insert(c, id);
        }
        id
    }

    pub(crate) fn class(&self, id: ClassId) -> &CharClass {
        &self.classes[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.classes.len()
    }

    /// The characters interned, in id order; `None` once past the class cap (then the
    /// ids cannot be had again by interning them).
    pub(crate) fn chars(&self) -> Option<&[char]> {
        (self.chars.len() == self.classes.len()).then_some(&self.chars)
    }

    /// The classes of `chars`, interned in that order (as [`Classes::chars`] gave them).
    pub(crate) fn of_chars(chars: impl IntoIterator<Item = char>) -> Option<Classes> {
        let mut classes = Classes::new();
        for (i, c) in chars.into_iter().enumerate() {
            if usize::from(classes.intern(c)) != i {
                return None;
            }
        }
        Some(classes)
    }

    /// Every (class, key) whose key starts with `c`.
    pub(crate) fn keys_starting_with(&self, c: char) -> &[(ClassId, Key)] {
        self.by_first.get(&c).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_strings(c: char) -> Vec<String> {
        keys_for(c).iter().map(|k| k.as_slice().iter().collect()).collect()
    }

    #[test]
    fn chinese_char_has_itself_and_every_reading() {
        let keys = key_strings('行');
        assert_eq!(keys[0], "行");
        assert!(keys.contains(&"hang".to_string()));
        assert!(keys.contains(&"xing".to_string()));
        let keys = key_strings('差');
        for reading in ["cha", "chai", "ci"] {
            assert!(keys.contains(&reading.to_string()), "{keys:?}");
        }
        assert!(key_strings('便').contains(&"pian".to_string()));
    }

    #[test]
    fn non_chinese_chars_are_their_own_folded_key() {
        assert_eq!(key_strings('A'), ["a"]);
        assert_eq!(key_strings('7'), ["7"]);
        assert_eq!(key_strings('，'), ["，"]);
        assert_eq!(key_strings('😀'), ["😀"]);
        assert_eq!(key_strings('É'), ["é"]);
    }

    #[test]
    fn umlaut_readings_also_typed_with_v() {
        let keys = key_strings('女');
        assert!(keys.contains(&"nü".to_string()));
        assert!(keys.contains(&"nv".to_string()));
    }

    #[test]
    fn no_reading_is_longer_than_max_key() {
        // Key::new truncates; make sure it never has to for real readings.
        for c in ['装', '双', '窗', '庄'] {
            for reading in c.to_pinyin_multi().unwrap() {
                assert!(reading.plain().chars().count() <= MAX_KEY);
            }
        }
    }

    #[test]
    fn chars_past_the_class_cap_share_a_class_that_never_matches() {
        let mut classes = Classes::new();
        let mut chars = (0x4E00u32..0xA000).chain(0x2_0000..0x3_0000).filter_map(char::from_u32);
        for c in chars.by_ref().take(usize::from(OVERFLOW)) {
            assert_ne!(classes.intern(c), OVERFLOW);
        }
        let late = chars.next().unwrap();
        assert_eq!(classes.intern(late), OVERFLOW);
        assert_eq!(classes.intern(chars.next().unwrap()), OVERFLOW);
        assert_eq!(classes.len(), usize::from(OVERFLOW) + 1);
        assert!(classes.class(OVERFLOW).keys.is_empty());
        assert!(classes.keys_starting_with(late).is_empty());
        assert_eq!(classes.intern('\u{4E00}'), 0);
    }

    #[test]
    fn interning_is_stable_and_indexes_first_chars() {
        let mut classes = Classes::new();
        let a = classes.intern('退');
        let b = classes.intern('😀');
        assert_eq!(classes.intern('退'), a);
        assert_eq!(classes.intern('😀'), b);
        assert_ne!(a, b);
        assert_eq!(classes.len(), 2);
        assert!(classes.keys_starting_with('t').iter().any(|(id, _)| *id == a));
        assert!(classes.keys_starting_with('😀').iter().any(|(id, _)| *id == b));
        let class = classes.class(a);
        assert_ne!(class.first_syms & 1 << symbol('t'), 0);
        assert_ne!(class.any_syms & 1 << symbol('u'), 0);
        let n = classes.intern('年');
        let counts = &classes.class(n).symbol_counts;
        assert!(counts.contains(&(symbol('n') as u8, 2)), "{counts:?}");
        assert!(counts.contains(&(symbol('i') as u8, 1)), "{counts:?}");
    }
}
