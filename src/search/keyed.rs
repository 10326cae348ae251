//! A document's fields as class ids, laid out for the checks run on every
//! candidate: the short code and the text's first char sit inline in one
//! contiguous array (no pointer chase per document), groups are interned once
//! (replies share a handful of groups, so a query checks each group once), and
//! `uses` is copied here so ranking never touches the documents.

use std::collections::HashMap;

/// Codes up to this many chars are stored inline.
const SHORT: usize = 8;
const NO_CLASS: u32 = u32::MAX;

pub(crate) struct Keyed {
    /// The text; code then text when the code doesn't fit inline.
    long: Box<[u32]>,
    /// The code, when it fits.
    short: [u32; SHORT],
    code_len: u32,
    text_first: u32,
    /// Interned group, see [`Groups`].
    pub(crate) group: u32,
    /// Copy of the document's `uses`.
    pub(crate) uses: u32,
}

impl Keyed {
    pub(crate) fn new(code: &[u32], text: &[u32], group: u32, uses: u32) -> Keyed {
        let mut short = [NO_CLASS; SHORT];
        let long = if code.len() <= SHORT {
            short[..code.len()].copy_from_slice(code);
            text.into()
        } else {
            [code, text].concat().into_boxed_slice()
        };
        Keyed {
            long,
            short,
            code_len: code.len() as u32,
            text_first: text.first().copied().unwrap_or(NO_CLASS),
            group,
            uses,
        }
    }

    pub(crate) fn code(&self) -> &[u32] {
        let len = self.code_len as usize;
        if len <= SHORT {
            &self.short[..len]
        } else {
            &self.long[..len]
        }
    }

    pub(crate) fn text(&self) -> &[u32] {
        let len = self.code_len as usize;
        if len <= SHORT {
            &self.long
        } else {
            &self.long[len..]
        }
    }

    /// Length of the text in chars.
    pub(crate) fn text_len(&self) -> u32 {
        self.text().len() as u32
    }

    /// Class of the text's first char, without touching the text.
    pub(crate) fn text_first(&self) -> Option<u32> {
        (self.text_first != NO_CLASS).then_some(self.text_first)
    }
}

/// Distinct groups as class ids.
#[derive(Default)]
pub(crate) struct Groups {
    ids: HashMap<String, u32>,
    classes: Vec<Box<[u32]>>,
}

impl Groups {
    /// The id of `group`, storing `classes` (its class ids) on first sight.
    pub(crate) fn intern(&mut self, group: &str, classes: impl FnOnce() -> Vec<u32>) -> u32 {
        if let Some(&id) = self.ids.get(group) {
            return id;
        }
        let id = self.classes.len() as u32;
        self.classes.push(classes().into_boxed_slice());
        self.ids.insert(group.to_string(), id);
        id
    }

    pub(crate) fn classes(&self, id: u32) -> &[u32] {
        &self.classes[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.classes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_spilled_codes_read_back() {
        let (code, text) = (vec![1, 2], vec![3, 4, 5]);
        let k = Keyed::new(&code, &text, 7, 9);
        assert_eq!((k.code(), k.text()), (&code[..], &text[..]));
        assert_eq!((k.text_len(), k.text_first()), (3, Some(3)));
        assert_eq!((k.group, k.uses), (7, 9));

        let code: Vec<u32> = (10..30).collect();
        let k = Keyed::new(&code, &text, 0, 0);
        assert_eq!((k.code(), k.text()), (&code[..], &text[..]));
        assert_eq!(k.text_len(), 3);

        let k = Keyed::new(&[], &[], 0, 0);
        assert_eq!((k.code(), k.text()), (&[] as &[u32], &[] as &[u32]));
        assert_eq!((k.text_len(), k.text_first()), (0, None));
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
