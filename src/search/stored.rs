//! The reply index kept in a file beside the database, so no command rebuilds it.
//!
//! The file holds everything a search reads — the replies, their keys, the groups,
//! the characters' classes and the gram bitmaps — in one compact binary layout read
//! with one read. It is keyed by the reply events the database holds (how many reply
//! versions, the last one's row and event id, how many replies): any save, delete,
//! group rename, import or synced edit adds a version and so changes the key, and a
//! file whose key differs is rebuilt from the database, as is one that fails its
//! checksum or does not parse. Uses are not in the file: they are read from the
//! database each time (they change with every copy), the agent's own with them.
//! Where the file cannot be written (a read-only folder), the index is built in memory.

use std::collections::HashMap;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::bytes::{In, Out, checksum};
use super::grams::GramIndex;
use super::keyed::{Arena, Groups, Keyed};
use super::pinyin_keys::Classes;
use super::{ReplyDoc, ReplyIndex};
use crate::store::{ReplyAffinity, Store};

const MAGIC: &[u8; 8] = b"KEFURIX\0";
/// Bumped whenever the layout or what is indexed changes.
const FORMAT: u32 = 1;

/// Where the index of the database at `db` is kept.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".replies-index");
    PathBuf::from(name)
}

/// How the index was had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Read from the file, which matched the database.
    File,
    /// Built from the database and written to the file.
    Rebuilt,
    /// Built from the database; no file could be kept.
    Memory,
}

/// The reply index of `store` with the shop's uses and the agent's own use of every
/// reply, read from the file beside the database when it matches, else built (and
/// the file written when it can be).
pub fn open(store: &Store) -> crate::store::Result<(ReplyIndex, HashMap<String, ReplyAffinity>, Source)> {
    let key = store.reply_index_key()?;
    let file = store.file_path().map(path_for);
    let loaded = file.as_deref().and_then(|f| std::fs::File::open(f).ok()).and_then(|f| read(f, &key));
    let mine = super::mine(store)?;
    if let Some(mut index) = loaded {
        let uses = store.reply_use_counts()?;
        index.set_usage(&uses, &mine);
        return Ok((index, mine, Source::File));
    }
    let (docs, mine) = super::reply_docs(store)?;
    let index = ReplyIndex::build(docs);
    let written = match (&file, store.is_read_only()) {
        (Some(f), false) => encode(&index, &key).is_some_and(|bytes| write_atomically(f, &bytes).is_ok()),
        _ => false,
    };
    Ok((index, mine, if written { Source::Rebuilt } else { Source::Memory }))
}

/// Writes beside `path` first and renames, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The file's bytes: header (magic, format, key, payload length and checksum), then
/// the payload. `None` when the index cannot be stored (past the character-class cap).
pub(crate) fn encode(index: &ReplyIndex, key: &str) -> Option<Vec<u8>> {
    let chars = index.classes.chars()?;
    let mut p = Out::default();
    p.len(index.docs.len());
    for d in &index.docs {
        p.str(&d.id);
        p.str(&d.code);
        p.str(&d.text);
        p.str(&d.group);
        p.u32(d.uses);
    }
    p.len(chars.len());
    for &c in chars {
        p.u32(u32::from(c));
    }
    index.arena.write(&mut p);
    index.groups.write(&mut p);
    for k in &index.keyed {
        k.write(&mut p);
    }
    index.grams.write(&mut p);
    let mut o = Out::default();
    o.0.extend_from_slice(MAGIC);
    o.u32(FORMAT);
    o.str(key);
    o.len(p.0.len());
    o.u64(checksum(&p.0));
    o.0.extend_from_slice(&p.0);
    Some(o.0)
}

/// The index in the stream `r` if it is a whole, undamaged file of this format for
/// `key`: parsed as it is read (a few 64 KiB buffers), the checksum checked at the end.
pub(crate) fn read(r: impl Read, key: &str) -> Option<ReplyIndex> {
    let mut r = BufReader::with_capacity(64 * 1024, r);
    let mut head = In::new(&mut r, usize::MAX);
    if head.take(MAGIC.len())? != MAGIC || head.u32()? != FORMAT {
        return None;
    }
    let key_len = usize::try_from(head.u64()?).ok().filter(|&n| n <= 4096)?;
    if head.take(key_len)? != key.as_bytes() {
        return None;
    }
    let len = usize::try_from(head.u64()?).ok()?;
    let sum = head.u64()?;
    let mut i = In::new(&mut r, len);
    let index = parse(&mut i)?;
    (i.at_end() && i.checksum() == sum).then_some(index)
}

fn parse<R: Read>(i: &mut In<R>) -> Option<ReplyIndex> {
    let n = i.len(4 * 8)?;
    let mut docs = Vec::with_capacity(n);
    let mut by_id = HashMap::with_capacity(n);
    for at in 0..n {
        let doc = ReplyDoc {
            id: i.string()?,
            code: i.string()?,
            text: i.string()?,
            group: i.string()?,
            uses: i.u32()?,
            mine: 0,
        };
        if by_id.insert(doc.id.clone(), at).is_some() {
            return None;
        }
        docs.push(doc);
    }
    let n_chars = i.len(4)?;
    let mut chars = Vec::with_capacity(n_chars);
    for _ in 0..n_chars {
        chars.push(char::from_u32(i.u32()?)?);
    }
    let classes = Classes::of_chars(chars)?;
    let arena = Arena::read(i)?;
    let groups = Groups::read(i)?;
    let known = |c: u16| usize::from(c) < classes.len();
    if !arena.ids().iter().all(|&c| known(c)) || !groups.all_classes().all(known) {
        return None;
    }
    let mut keyed = Vec::with_capacity(n);
    for _ in 0..n {
        let k = Keyed::read(i, &arena, groups.len())?;
        if !k.code(&arena).iter().all(|&c| known(c)) || k.text_first().is_some_and(|c| !known(c)) {
            return None;
        }
        keyed.push(k);
    }
    let grams = GramIndex::read(i, n)?;
    Some(ReplyIndex {
        docs,
        keyed,
        arena,
        by_id,
        classes,
        groups,
        grams,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    })
}
