//! The reply index kept beside the database answers exactly as one built fresh from the
//! database, whatever happened to the replies in between: adds, edits, deletes, group
//! renames, `replies import --replace`, uses, and a sync bringing another seat's edits.
//! A stale, damaged or truncated file is noticed and rebuilt; where no file can be kept
//! the index is built in memory.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::path::Path;

use kefu::domain::event::{Actor, EventBody};
use kefu::search::stored::{self, Source};
use kefu::search::{ReplyIndex, reply_docs};
use kefu::store::Store;
use kefu::sync::{self, Scope};
use proptest::prelude::*;

const CODES: [&str; 6] = ["yfx", "tk", "th", "sf", "hi", "qt"];
const TEXTS: [&str; 6] = [
    "亲,您的订单有运费险哦,退货时选择上门取件",
    "亲,退款已经提交了呢,请耐心等待",
    "亲,退货请用普通快递寄回,运费险最多赔付首重",
    "亲,可以发顺丰的,需要补差价{邮费}元",
    "亲,您好!欢迎光临小店",
    "亲,支持七天无理由退换哦",
];
const GROUPS: [&str; 4] = ["售后", "物流", "通用", "议价"];
const QUERIES: [&str; 12] =
    ["yfx", "yunfeixian", "tk", "退款", "sf", "shunfeng", "qtwly", "售后", "wl", "", "zzz", "th 运费"];

#[derive(Debug, Clone)]
enum Op {
    Add {
        seat: usize,
        code: usize,
        text: usize,
        group: usize,
    },
    Edit {
        seat: usize,
        which: usize,
        text: usize,
    },
    Delete {
        seat: usize,
        which: usize,
    },
    RenameGroup {
        seat: usize,
        from: usize,
        to: usize,
    },
    Use {
        seat: usize,
        which: usize,
    },
    ImportReplace {
        seat: usize,
        rows: Vec<(usize, usize, usize)>,
    },
    /// Seat `from`'s events reach seat `to` through a sync file.
    Sync {
        from: usize,
        to: usize,
    },
    /// Searches seat `seat` through its file (which writes the file when it was stale).
    Check {
        seat: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let seat = 0..2usize;
    prop_oneof![
        3 => (seat.clone(), 0..6usize, 0..6usize, 0..4usize)
            .prop_map(|(seat, code, text, group)| Op::Add { seat, code, text, group }),
        2 => (seat.clone(), 0..20usize, 0..6usize).prop_map(|(seat, which, text)| Op::Edit { seat, which, text }),
        1 => (seat.clone(), 0..20usize).prop_map(|(seat, which)| Op::Delete { seat, which }),
        1 => (seat.clone(), 0..4usize, 0..4usize).prop_map(|(seat, from, to)| Op::RenameGroup { seat, from, to }),
        2 => (seat.clone(), 0..20usize).prop_map(|(seat, which)| Op::Use { seat, which }),
        1 => (seat.clone(), prop::collection::vec((0..6usize, 0..6usize, 0..4usize), 0..4))
            .prop_map(|(seat, rows)| Op::ImportReplace { seat, rows }),
        1 => (seat.clone(), seat.clone()).prop_map(|(from, to)| Op::Sync { from, to }),
        3 => seat.prop_map(|seat| Op::Check { seat }),
    ]
}

fn open(dir: &Path, seat: usize) -> Store {
    let name = ["seat-a", "seat-b"][seat];
    Store::open(&dir.join(format!("{name}.sqlite")), Actor::new(["宾", "小王"][seat], name)).unwrap()
}

/// One result: id, score, field, highlights, uses, the agent's own use.
type Answer = (String, i64, String, Vec<usize>, u32, u32);

/// Every query's results.
fn answers(index: &ReplyIndex) -> Vec<Vec<Answer>> {
    QUERIES
        .iter()
        .map(|q| {
            index
                .search(q, 30)
                .into_iter()
                .map(|h| {
                    let d = index.doc(h.doc);
                    (d.id.clone(), h.score, format!("{:?}", h.field), h.highlights, d.uses, d.mine)
                })
                .collect()
        })
        .collect()
}

/// The stored index answers as a fresh one does; returns how it was had.
fn check(store: &Store) -> Source {
    let (stored, _, source) = stored::open(store).unwrap();
    let fresh = ReplyIndex::build(reply_docs(store).unwrap().0);
    assert_eq!(stored.docs(), fresh.docs(), "docs ({source:?})");
    assert_eq!(answers(&stored), answers(&fresh), "answers ({source:?})");
    source
}

fn apply(dir: &Path, stores: &mut [Store], op: &Op) {
    let live = |s: &Store| s.replies().unwrap();
    match op {
        Op::Add { seat, code, text, group } => {
            stores[*seat].reply_save(None, CODES[*code], TEXTS[*text], GROUPS[*group]).unwrap();
        }
        Op::Edit { seat, which, text } => {
            let rows = live(&stores[*seat]);
            if let Some(r) = rows.get(which % rows.len().max(1)) {
                let s = &mut stores[*seat];
                s.reply_save(Some(&r.reply_id), &r.code, &format!("{}~{}", TEXTS[*text], which), &r.group).unwrap();
            }
        }
        Op::Delete { seat, which } => {
            let rows = live(&stores[*seat]);
            if let Some(r) = rows.get(which % rows.len().max(1)) {
                stores[*seat].reply_delete(&r.reply_id).unwrap();
            }
        }
        Op::RenameGroup { seat, from, to } => {
            let members: Vec<_> = live(&stores[*seat]).into_iter().filter(|r| r.group == GROUPS[*from]).collect();
            stores[*seat]
                .write(|w| {
                    for r in &members {
                        w.record(EventBody::ReplySaved {
                            reply_id: r.reply_id.clone(),
                            code: r.code.clone(),
                            text: r.text.clone(),
                            group: GROUPS[*to].into(),
                        })?;
                    }
                    Ok(())
                })
                .unwrap();
        }
        Op::Use { seat, which } => {
            let rows = live(&stores[*seat]);
            if let Some(r) = rows.get(which % rows.len().max(1)) {
                stores[*seat].reply_used(&r.reply_id, None).unwrap();
            }
        }
        Op::ImportReplace { seat, rows } => {
            let rows: Vec<(&str, &str, &str)> = rows.iter().map(|&(c, t, g)| (CODES[c], TEXTS[t], GROUPS[g])).collect();
            let csv = kefu::import::replies::write_phrases(rows, false);
            // An empty file is refused; that is an import that changed nothing.
            let _ = kefu::import::apply::import_replies(&mut stores[*seat], std::io::Cursor::new(csv), true);
        }
        Op::Sync { from, to } => {
            if from != to {
                let file = dir.join(format!("sync-{from}-{to}.kefu"));
                sync::export(&mut stores[*from], &file, Scope::All).unwrap();
                sync::import(&mut stores[*to], &file).unwrap();
            }
        }
        Op::Check { seat } => {
            check(&stores[*seat]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_stored_index_answers_like_a_fresh_one(ops in prop::collection::vec(op(), 1..14)) {
        let dir = tempfile::tempdir().unwrap();
        let mut stores = vec![open(dir.path(), 0), open(dir.path(), 1)];
        for s in &mut stores {
            s.reply_save(None, "yfx", TEXTS[0], "售后").unwrap();
        }
        check(&stores[0]);
        for op in &ops {
            apply(dir.path(), &mut stores, op);
        }
        for s in &stores {
            check(s);
            // Nothing changed since: the file is read, not rebuilt.
            prop_assert_eq!(check(s), Source::File);
        }
    }
}

#[test]
fn a_stale_damaged_or_truncated_file_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(dir.path(), 0);
    for (i, text) in TEXTS.iter().enumerate() {
        s.reply_save(None, CODES[i], text, GROUPS[i % 4]).unwrap();
    }
    let file = stored::path_for(s.file_path().unwrap());
    assert_eq!(check(&s), Source::Rebuilt, "no file yet");
    assert!(file.is_file());
    assert_eq!(check(&s), Source::File);
    // A use is not in the file: still read, with the new count.
    let yfx = s.replies().unwrap().into_iter().find(|r| r.code == "yfx").unwrap();
    s.reply_used(&yfx.reply_id, None).unwrap();
    assert_eq!(check(&s), Source::File);
    // An edit makes it stale.
    s.reply_save(Some(&yfx.reply_id), "yfx", "亲,本店不支持运费险哦", "售后").unwrap();
    assert_eq!(check(&s), Source::Rebuilt);
    assert_eq!(check(&s), Source::File);
    // One flipped bit in the middle, a cut-off file, garbage, an empty file.
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    for bad in [flipped, good[..good.len() - 9].to_vec(), b"not an index".to_vec(), Vec::new()] {
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(check(&s), Source::Rebuilt);
        assert_eq!(std::fs::read(&file).unwrap(), good);
    }
    // A file from another database (same replies, other history) is not trusted either.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = open(other_dir.path(), 0);
    other.reply_save(None, "zz", "亲,别的店哦", "通用").unwrap();
    check(&other);
    std::fs::copy(stored::path_for(other.file_path().unwrap()), &file).unwrap();
    assert_eq!(check(&s), Source::Rebuilt);
}

#[test]
fn a_read_only_folder_builds_in_memory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ro").join("kefu.sqlite");
    {
        let mut s = Store::open(&db, Actor::new("宾", "seat-a")).unwrap();
        s.reply_save(None, "yfx", TEXTS[0], "售后").unwrap();
    }
    let folder = db.parent().unwrap();
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let writable = std::fs::write(folder.join("probe"), b"x").is_ok();
    let s = Store::open(&db, Actor::new("宾", "seat-a")).unwrap();
    let source = check(&s);
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    if writable {
        println!("SKIPPED the read-only check: this user writes anywhere (root)");
        return;
    }
    assert_eq!(source, Source::Memory);
    assert!(!stored::path_for(&db).exists());
}
