//! A document's fields as class ids, laid out for the checks run on every
//! candidate: the short code and the text's first char sit inline in one
//! contiguous array (no pointer chase per document), groups are interned once
//! (replies share a handful of groups, so a query checks each group once), and
//! `uses` is copied here so ranking never touches the documents. Texts live in
//! one arena in document order, so scanning many of them reads memory in order.

use super::bytes::{In, Out};
use super::pinyin_keys::ClassId;
use std::collections::HashMap;

/// Codes up to this many chars are stored inline.
const SHORT: usize = 12;

/// Where a field's class ids sit in the [`Arena`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// Class ids of texts (and of codes too long to inline), back to back.
#[derive(Default)]
pub(crate) struct Arena {
    ids: Vec<ClassId>,
    /// Ids still referenced; the rest is garbage left by updates and removals.
    live: usize,
}

impl Arena {
    fn push(&mut self, ids: &[ClassId]) -> Span {
        let span = Span { start: self.ids.len() as u32, len: ids.len() as u32 };
        self.ids.extend_from_slice(ids);
        self.live += ids.len();
        span
    }

    fn get(&self, span: Span) -> &[ClassId] {
        &self.ids[span.start as usize..(span.start + span.len) as usize]
    }

    /// Rewrites the arena in document order once garbage outweighs live ids.
    pub(crate) fn compact(&mut self, keyed: &mut [Keyed]) {
        if self.ids.len() <= 2 * self.live + 4096 {
            return;
        }
        let mut fresh = Arena::default();
        for k in keyed {
            if k.code.len as usize > SHORT {
                k.code = fresh.push(self.get(k.code));
            }
            k.text = fresh.push(self.get(k.text));
        }
        *self = fresh;
    }
}

pub(crate) struct Keyed {
    /// The code, when it fits.
    short: [ClassId; SHORT],
    /// The code's length; its place in the arena when it doesn't fit inline.
    code: Span,
    text: Span,
    text_first: Option<ClassId>,
    /// Interned group, see [`Groups`].
    pub(crate) group: u32,
    /// Copy of the document's `uses`.
    pub(crate) uses: u32,
    /// Copy of the document's `mine`.
    pub(crate) mine: u32,
    /// `query::code_key_of` the code.
    pub(crate) code_key: u64,
}

impl Keyed {
    pub(crate) fn new(
        code: &[ClassId],
        text: &[ClassId],
        group: u32,
        uses: u32,
        code_key: u64,
        arena: &mut Arena,
    ) -> Keyed {
        let mut short = [0; SHORT];
        let code = if code.len() <= SHORT {
            short[..code.len()].copy_from_slice(code);
            Span { start: 0, len: code.len() as u32 }
        } else {
            arena.push(code)
        };
        Keyed { short, code, text: arena.push(text), text_first: text.first().copied(), group, uses, mine: 0, code_key }
    }

    /// Gives the doc's arena ids back as garbage.
    pub(crate) fn release(&self, arena: &mut Arena) {
        let code = if self.code.len as usize > SHORT { self.code.len as usize } else { 0 };
        arena.live -= code + self.text.len as usize;
    }

    pub(crate) fn code<'a>(&'a self, arena: &'a Arena) -> &'a [ClassId] {
        let len = self.code.len as usize;
        if len <= SHORT { &self.short[..len] } else { arena.get(self.code) }
    }

    pub(crate) fn text<'a>(&self, arena: &'a Arena) -> &'a [ClassId] {
        arena.get(self.text)
    }

    /// Length of the text in chars.
    pub(crate) fn text_len(&self) -> u32 {
        self.text.len
    }

    /// Class of the text's first char, without touching the text.
    pub(crate) fn text_first(&self) -> Option<ClassId> {
        self.text_first
    }
}

/// Distinct groups as class ids.
#[derive(Default)]
pub(crate) struct Groups {
    ids: HashMap<String, u32>,
    classes: Vec<Box<[ClassId]>>,
}

impl Groups {
    /// The id of `group`, storing `classes` (its class ids) on first sight.
    pub(crate) fn intern(&mut self, group: &str, classes: impl FnOnce() -> Vec<ClassId>) -> u32 {
        if let Some(&id) = self.ids.get(group) {
            return id;
        }
        let id = self.classes.len() as u32;
        self.classes.push(classes().into_boxed_slice());
        self.ids.insert(group.to_string(), id);
        id
    }

    pub(crate) fn classes(&self, id: u32) -> &[ClassId] {
        &self.classes[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.classes.len()
    }
}

impl Arena {
    pub(crate) fn write(&self, o: &mut Out) {
        o.u16s(&self.ids);
        o.len(self.live);
    }

    pub(crate) fn read<R: std::io::Read>(i: &mut In<R>) -> Option<Arena> {
        let ids = i.u16s()?;
        let live = i.len(0)?;
        Some(Arena { ids, live })
    }

    pub(crate) fn ids(&self) -> &[ClassId] {
        &self.ids
    }
}

impl Keyed {
    pub(crate) fn write(&self, o: &mut Out) {
        for c in self.short {
            o.u32(u32::from(c));
        }
        for v in [self.code.start, self.code.len, self.text.start, self.text.len, self.group, self.uses] {
            o.u32(v);
        }
        o.u32(self.text_first.map_or(u32::MAX, u32::from));
        o.u64(self.code_key);
    }

    /// A stored doc's keys; `None` when they point outside the arena or the groups.
    pub(crate) fn read<R: std::io::Read>(i: &mut In<R>, arena: &Arena, groups: usize) -> Option<Keyed> {
        let mut short = [0; SHORT];
        for c in &mut short {
            *c = ClassId::try_from(i.u32()?).ok()?;
        }
        let mut v = [0u32; 6];
        for x in &mut v {
            *x = i.u32()?;
        }
        let [code_start, code_len, text_start, text_len, group, uses] = v;
        let first = i.u32()?;
        let text_first = if first == u32::MAX { None } else { Some(ClassId::try_from(first).ok()?) };
        let code_key = i.u64()?;
        let (code, text) = (Span { start: code_start, len: code_len }, Span { start: text_start, len: text_len });
        let fits = |s: Span| (s.start as usize).checked_add(s.len as usize).is_some_and(|end| end <= arena.ids.len());
        let ok = (code.len as usize <= SHORT || fits(code)) && fits(text) && (group as usize) < groups;
        ok.then_some(Keyed { short, code, text, text_first, group, uses, mine: 0, code_key })
    }
}

impl Groups {
    pub(crate) fn write(&self, o: &mut Out) {
        let mut names: Vec<(&u32, &String)> = self.ids.iter().map(|(name, id)| (id, name)).collect();
        names.sort_unstable();
        o.len(names.len());
        for ((_, name), classes) in names.into_iter().zip(&self.classes) {
            o.str(name);
            o.u16s(classes);
        }
    }

    pub(crate) fn read<R: std::io::Read>(i: &mut In<R>) -> Option<Groups> {
        let n = i.len(16)?;
        let mut groups = Groups::default();
        for id in 0..n {
            let name = i.string()?;
            let classes = i.u16s()?;
            if groups.ids.insert(name, id as u32).is_some() {
                return None;
            }
            groups.classes.push(classes.into_boxed_slice());
        }
        Some(groups)
    }

    /// Every class id the groups hold.
    pub(crate) fn all_classes(&self) -> impl Iterator<Item = ClassId> + '_ {
        self.classes.iter().flat_map(|c| c.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_spilled_codes_read_back() {
        let mut arena = Arena::default();
        let (code, text) = (vec![1, 2], vec![3, 4, 5]);
        let k = Keyed::new(&code, &text, 7, 9, 0, &mut arena);
        assert_eq!((k.code(&arena), k.text(&arena)), (&code[..], &text[..]));
        assert_eq!((k.text_len(), k.text_first()), (3, Some(3)));
        assert_eq!((k.group, k.uses), (7, 9));

        let long: Vec<ClassId> = (10..30).collect();
        let k = Keyed::new(&long, &text, 0, 0, 0, &mut arena);
        assert_eq!((k.code(&arena), k.text(&arena)), (&long[..], &text[..]));
        assert_eq!(k.text_len(), 3);

        let k = Keyed::new(&[], &[], 0, 0, 0, &mut arena);
        assert_eq!(k.code(&arena), &[] as &[ClassId]);
        assert_eq!(k.text(&arena), &[] as &[ClassId]);
        assert_eq!((k.text_len(), k.text_first()), (0, None));
    }

    #[test]
    fn compaction_drops_garbage_and_keeps_fields() {
        let mut arena = Arena::default();
        let long: Vec<ClassId> = (0..20).collect();
        let text: Vec<ClassId> = (0..3000).collect();
        let mut keyed = vec![Keyed::new(&long, &text, 0, 0, 0, &mut arena)];
        for _ in 0..5 {
            keyed[0].release(&mut arena);
            keyed[0] = Keyed::new(&long, &text, 0, 0, 0, &mut arena);
        }
        keyed.push(Keyed::new(&[1], &[2, 3], 0, 0, 0, &mut arena));
        assert_eq!(arena.ids.len(), 6 * 3020 + 2);
        arena.compact(&mut keyed);
        assert_eq!(arena.ids.len(), 3020 + 2);
        assert_eq!(arena.live, 3022);
        assert_eq!(keyed[0].code(&arena), &long[..]);
        assert_eq!(keyed[0].text(&arena), &text[..]);
        assert_eq!(keyed[1].text(&arena), [2, 3]);
    }

    #[test]
    fn groups_are_interned_once() {
        let mut groups = Groups::default();
        let a = groups.intern("物流", || vec![1, 2]);
        let b = groups.intern("售后", || vec![3, 4]);
        assert_eq!(groups.intern("物流", || unreachable!()), a);
        assert_ne!(a, b);
        assert_eq!(groups.classes(b), [3, 4]);
        assert_eq!(groups.len(), 2);
    }
}
