//! Qianniu phrase files are checked like exports: a file cut short is refused whole with
//! its line, and nothing changes (with `--replace` too). The cut files are built here from
//! a good one by cutting bytes, in GB18030 and in UTF-8 with a BOM.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly on a broken setup")]

use std::io::Cursor;

use kefu::import::replies::NO_GROUP;
use kefu::import::{ImportError, Options, apply};
use kefu::store::Store;

mod import_support;
use import_support::store;

const GOOD: &str = "快捷短语编码,快捷短语,快捷短语分组\r\n\
                    hi,\"亲,您好!欢迎光临\r\n有什么可以帮您?\",售前\r\n\
                    tk,\"选\"\"已收到货\"\"哦\",售后\r\n\
                    bye,亲,再见~,\r\n";

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

fn bom(s: &str) -> Vec<u8> {
    let mut b = b"\xEF\xBB\xBF".to_vec();
    b.extend_from_slice(s.as_bytes());
    b
}

/// A store with replies of its own: what a bad file must leave alone.
fn shop() -> Store {
    let mut s = store();
    s.reply_save(None, "hi", "亲,旧的问候", "通用").unwrap();
    s.reply_save(None, "old", "亲,不在文件里的一条", "通用").unwrap();
    s
}

fn replies(s: &Store) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = s.replies().unwrap().into_iter().map(|r| (r.code, r.text, r.group)).collect();
    v.sort();
    v
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

fn import(s: &mut Store, bytes: &[u8], replace: bool) -> Result<kefu::import::Summary, ImportError> {
    apply::import_replies_with(s, Cursor::new(bytes.to_vec()), replace, false, Options::default())
}

/// Imports `bytes` with --replace into a shop and expects it refused with nothing changed;
/// returns the message.
fn refused(bytes: &[u8]) -> String {
    let mut s = shop();
    let before = (replies(&s), s.event_count().unwrap());
    let m = match import(&mut s, bytes, true) {
        Err(ImportError::Refused(m)) => m,
        other => panic!("a cut file was not refused: {other:?}"),
    };
    assert_eq!((replies(&s), s.event_count().unwrap()), before, "{m}");
    m
}

#[test]
fn the_good_file_imports_whole_with_its_empty_group_as_未分组() {
    for bytes in [gbk(GOOD), bom(GOOD)] {
        let mut s = store();
        let sum = import(&mut s, &bytes, false).unwrap();
        assert_eq!((sum.new, sum.rejected.count), (3, 0));
        assert_eq!(
            replies(&s),
            owned(&[
                ("bye", "亲", "再见~"),
                ("hi", "亲,您好!欢迎光临\n有什么可以帮您?", "售前"),
                ("tk", "选\"已收到货\"哦", "售后"),
            ])
        );
    }
    // the header variant 快捷编码, and a group left empty
    let mut s = store();
    let sum =
        import(&mut s, "快捷编码,快捷短语,快捷短语分组\nyf,\"亲,运费险请看详情页呢\",\n".as_bytes(), false).unwrap();
    assert_eq!(sum.new, 1);
    assert_eq!(replies(&s), owned(&[("yf", "亲,运费险请看详情页呢", NO_GROUP)]));
}

#[test]
fn an_unclosed_quote_at_the_end_is_refused() {
    let cut_at = GOOD.find("有什么").unwrap();
    for bytes in [bom(&GOOD[..cut_at]), gbk(&GOOD[..cut_at])] {
        let m = refused(&bytes);
        assert!(m.starts_with("第 2 行开始的引号没有闭合"), "{m}");
    }
}

#[test]
fn a_last_row_missing_a_column_is_refused() {
    let cut_at = GOOD.rfind(",\r\n").unwrap() - "再见~".len() - 1;
    assert!(GOOD[..cut_at].ends_with("bye,亲"));
    for bytes in [bom(&GOOD[..cut_at]), gbk(&GOOD[..cut_at])] {
        let m = refused(&bytes);
        assert!(m.starts_with("第 5 行只有 2 列,表头有 3 列"), "{m}");
    }
}

#[test]
fn a_character_cut_in_half_is_refused() {
    // GB18030: the last character of the text ("见", two bytes) cut after its first byte
    let g = gbk(GOOD);
    let at = g.len() - "~,\r\n".len() - 1;
    let m = refused(&g[..at]);
    assert!(m.starts_with("第 5 行末尾的字符被截断了一半"), "{m}");
    // UTF-8 with a BOM: "见" (three bytes) cut after one or two
    let u = bom(GOOD);
    for less in [1, 2] {
        let at = u.len() - "~,\r\n".len() - less;
        let m = refused(&u[..at]);
        assert!(m.starts_with("第 5 行末尾的字符被截断了一半"), "{m}");
    }
    // a byte that is neither UTF-8 nor GB18030 in the middle
    let mut bad = g.clone();
    bad.insert(g.len() / 2, 0xFF);
    assert!(refused(&bad).contains("无法识别的字节"));
}

/// Every cut of the good file, at every byte: refused, or every phrase that came in is
/// whole (a cut may land between rows, or in the group, which is the last column and
/// cannot tell; never in a text).
#[test]
fn no_cut_of_the_file_brings_in_a_truncated_phrase() {
    let whole: Vec<(String, String)> = {
        let mut s = store();
        import(&mut s, &bom(GOOD), false).unwrap();
        replies(&s).into_iter().map(|(c, t, _)| (c, t)).collect()
    };
    for bytes in [gbk(GOOD), bom(GOOD)] {
        let mut refusals = 0;
        for at in 1..bytes.len() {
            let mut s = store();
            match import(&mut s, &bytes[..at], false) {
                Err(_) => refusals += 1,
                Ok(_) => {
                    for (code, text, _) in replies(&s) {
                        assert!(whole.contains(&(code.clone(), text.clone())), "cut at {at}: {code} {text:?}");
                    }
                }
            }
        }
        assert!(refusals > bytes.len() / 2, "{refusals}");
    }
}

#[test]
fn replace_with_no_phrase_rows_is_refused_unless_allowed() {
    for file in ["快捷短语编码,快捷短语,快捷短语分组\r\n", "快捷短语编码,快捷短语,快捷短语分组\r\n,没有编码,通用\r\n"]
    {
        let m = refused(&bom(file));
        assert!(m.contains("--allow-empty"), "{m}");
        let mut s = shop();
        let sum = apply::import_replies_with(&mut s, Cursor::new(bom(file)), true, true, Options::default()).unwrap();
        assert_eq!(sum.deleted, 2);
        assert!(replies(&s).is_empty());
    }
    // without --replace an empty file deletes nothing and is not refused
    let mut s = shop();
    assert_eq!(import(&mut s, &bom("快捷短语编码,快捷短语,快捷短语分组\r\n"), false).unwrap().accepted(), 0);
    assert_eq!(replies(&s).len(), 2);
}
