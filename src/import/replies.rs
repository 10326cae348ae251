//! Qianniu's quick-phrase CSV: `快捷短语编码,快捷短语,快捷短语分组` (code, text, group), or
//! `快捷编码,…`. An empty group is Qianniu's 未分组.
//!
//! A phrase file is checked like an export, and more strictly: a file cut short (an
//! unclosed quote at its end, a row missing a column, a character undecodable or cut in
//! half) is refused whole, naming the line — importing it would overwrite replies with
//! truncated text, and `--replace` would delete the rest.

use std::io::{Cursor, Read};

use csv::StringRecord;
use encoding_rs::{DecoderResult, GB18030};

use super::encoding::TextEncoding;
use super::orders::refuse_headers;
use super::rows::SeenKeys;
use super::table::{Row, Table};
use super::{ImportError, Rejections, RowError, line_field, text_field};

pub const HEADER: [&str; 3] = ["快捷短语编码", "快捷短语", "快捷短语分组"];

/// What Qianniu calls a phrase with no group.
pub const NO_GROUP: &str = "未分组";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pub line: u64,
    pub code: String,
    pub text: String,
    pub group: String,
}

#[derive(Debug, Default)]
pub struct Phrases {
    pub phrases: Vec<Phrase>,
    pub rejected: Rejections,
    /// Codes of every row, taken or not (`--replace` keeps what the file names).
    pub codes: Vec<String>,
    pub encoding: Option<super::encoding::TextEncoding>,
}

/// The 1-based line of byte `at` in `bytes`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    bytes[..at.min(bytes.len())].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

fn cut(line: u64, what: &str) -> ImportError {
    ImportError::Refused(format!(
        "第 {line} 行{what}:文件可能不完整(被截断)或已损坏,整个文件没有导入。请从千牛重新导出快捷短语"
    ))
}

/// The whole file as text, decoded strictly: a byte that is not UTF-8 (nor, in a file
/// without a BOM, GB18030), or a character cut in half at the end, refuses the file.
fn strict_text(bytes: &[u8]) -> Result<(TextEncoding, String), ImportError> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let off = if bom { 3 } else { 0 };
    match std::str::from_utf8(body) {
        Ok(t) => return Ok((if bom { TextEncoding::Utf8Bom } else { TextEncoding::Utf8 }, t.to_string())),
        // UTF-8 to its last character, which is cut: a UTF-8 file cut short.
        Err(e) if e.error_len().is_none() && (bom || e.valid_up_to() > 0) => {
            return Err(cut(line_of(bytes, off + e.valid_up_to()), "末尾的字符被截断了一半"));
        }
        Err(e) if bom => {
            return Err(cut(line_of(bytes, off + e.valid_up_to()), "有不是 UTF-8 的字节"));
        }
        Err(_) => {}
    }
    let mut dec = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() * 3 / 2 + 16);
    let mut src = body;
    let mut done = 0usize;
    loop {
        out.reserve(src.len() * 3 / 2 + 16);
        let (res, read) = dec.decode_to_string_without_replacement(src, &mut out, true);
        done += read;
        src = &src[read..];
        match res {
            DecoderResult::InputEmpty => return Ok((TextEncoding::Gb18030, out)),
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, _) => {
                let at = done - usize::from(bad);
                let what = if src.is_empty() {
                    "末尾的字符被截断了一半"
                } else {
                    "有无法识别的字节(既不是 GBK/GB18030 也不是 UTF-8)"
                };
                return Err(cut(line_of(body, at), what));
            }
        }
    }
}

/// The line a quoted field left open at the end of `text` starts on, if one is.
fn unclosed_quote(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    let (mut line, mut i) = (1u64, 0usize);
    let mut field_start = true;
    while i < b.len() {
        match b[i] {
            b'"' if field_start => {
                let opened = line;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Some(opened),
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            if *c == b'\n' {
                                line += 1;
                            }
                            i += 1;
                        }
                    }
                }
                field_start = false;
                continue;
            }
            b',' => field_start = true,
            b'\n' => {
                line += 1;
                field_start = true;
            }
            b'\r' => {}
            _ => field_start = false,
        }
        i += 1;
    }
    None
}

/// Reads the whole file (a shop has hundreds of phrases, not millions).
pub fn read_phrases<R: Read>(mut r: R) -> Result<Phrases, ImportError> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    // Not text at all (binary, UTF-16, a workbook): refused as an export would be, saying
    // what it looks like; then text, decoded strictly.
    if bytes.contains(&0) || [&b"PK"[..], b"\xFF\xFE", b"\xFE\xFF"].iter().any(|m| bytes.starts_with(m)) {
        super::encoding::detect(&mut Cursor::new(&bytes))?;
    }
    let (encoding, text) = strict_text(&bytes)?;
    if let Some(line) = unclosed_quote(&text) {
        return Err(cut(line, "开始的引号没有闭合"));
    }
    let mut table = Table::open(Cursor::new(text.into_bytes()))?;
    let h = &table.headers;
    let (Some(code), Some(text)) = (h.find(&["快捷短语编码", "快捷编码", "编码"]), h.find(&["快捷短语", "短语内容"]))
    else {
        return Err(refuse_headers("千牛快捷短语文件(快捷短语编码 或 快捷编码)", &HEADER[..2], h));
    };
    let group = h.find(&["快捷短语分组", "分组"]);
    let width = [Some(code), Some(text), group].into_iter().flatten().max().map_or(0, |i| i + 1);
    let mut out = Phrases { encoding: Some(encoding), ..Default::default() };
    let mut seen = SeenKeys::default();
    let mut rec = StringRecord::new();
    while let Some(line) = table.next_row(&mut rec)? {
        if rec.len() < width {
            return Err(cut(line, &format!("只有 {} 列,表头有 {width} 列", rec.len())));
        }
        let row = Row { line, record: &rec };
        let group = line_field(row.opt(group));
        let p = Phrase {
            line,
            code: line_field(row.get(code)),
            text: text_field(row.get(text)),
            group: if group.is_empty() { NO_GROUP.to_string() } else { group },
        };
        if !p.code.is_empty() {
            out.codes.push(p.code.clone());
        }
        let mut errs = Vec::new();
        if p.code.is_empty() {
            errs.push("快捷短语编码为空".to_string());
        }
        if p.text.is_empty() {
            errs.push("快捷短语内容为空".to_string());
        }
        if !errs.is_empty() {
            out.rejected.push(RowError::new(line, errs.join(";")));
            continue;
        }
        if let Some(first) = seen.insert(&p.code, line) {
            out.rejected.push(RowError::new(line, format!("快捷短语编码 {} 与第 {first} 行重复", p.code)));
            continue;
        }
        out.phrases.push(p);
    }
    Ok(out)
}

/// The CSV Qianniu reads: UTF-8 with a BOM (so Excel opens it right) or GB18030.
#[allow(clippy::expect_used, reason = "the csv writer writes into a Vec, which cannot fail, and takes only str")]
pub fn write_phrases<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>, gbk: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    w.write_record(HEADER).expect("write to memory");
    // Cleaned on the way out like any text that leaves kefu: the file goes to Qianniu,
    // or to Excel.
    use crate::domain::sanitize::{safe_line, safe_text};
    for (code, text, group) in rows {
        w.write_record([&*safe_line(code), &*safe_text(text), &*safe_line(group)]).expect("write to memory");
    }
    let text = String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv of str is UTF-8");
    if gbk {
        encoding_rs::GB18030.encode(&text).0.into_owned()
    } else {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        out.extend_from_slice(text.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn phrases_with_newlines_quotes_and_duplicates() {
        let csv = "快捷短语编码,快捷短语,快捷短语分组\nhi,\"亲,您好\n欢迎\",通用\n\"tk\",\"选\"\"已收到货\"\"哦\",售后\nhi,重复,通用\n,没有编码,通用\nx,,通用\n";
        let p = read_phrases(Cursor::new(csv.as_bytes().to_vec())).unwrap();
        assert_eq!(p.phrases.len(), 2);
        assert_eq!(p.phrases[0].text, "亲,您好\n欢迎");
        assert_eq!(p.phrases[1].text, "选\"已收到货\"哦");
        assert_eq!(p.rejected.lines(), [5, 6, 7]);
        assert!(p.rejected.kept[0].reason.contains("与第 2 行重复"));
        assert_eq!(p.codes, ["hi", "tk", "hi", "x"]);
    }

    #[test]
    fn written_files_read_back() {
        let rows = [("a", "亲,\"好\"\n的呢", "售前"), ("b", "简单", "")];
        for gbk in [false, true] {
            let bytes = write_phrases(rows, gbk);
            assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), !gbk);
            let p = read_phrases(Cursor::new(bytes)).unwrap();
            let got: Vec<(&str, &str, &str)> =
                p.phrases.iter().map(|p| (p.code.as_str(), p.text.as_str(), p.group.as_str())).collect();
            assert_eq!(got, [rows[0], ("b", "简单", NO_GROUP)]);
        }
    }

    fn refused(bytes: &[u8]) -> String {
        match read_phrases(Cursor::new(bytes.to_vec())) {
            Err(ImportError::Refused(m)) => m,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn the_header_variant_and_empty_groups() {
        let p =
            read_phrases(Cursor::new("快捷编码,快捷短语,快捷短语分组\nhi,您好,\nbye,再见,售后\n".as_bytes().to_vec()))
                .unwrap();
        let got: Vec<(&str, &str)> = p.phrases.iter().map(|p| (p.code.as_str(), p.group.as_str())).collect();
        assert_eq!(got, [("hi", NO_GROUP), ("bye", "售后")]);
    }

    #[test]
    fn cut_files_are_refused_with_the_line() {
        let good = "快捷短语编码,快捷短语,快捷短语分组\r\nhi,\"亲,您好\r\n欢迎\",通用\r\nbye,再见,通用\r\n";
        let m = refused(&good.as_bytes()[..good.find("欢迎").unwrap() + 3]);
        assert!(m.starts_with("第 2 行开始的引号没有闭合"), "{m}");
        let m = refused("快捷短语编码,快捷短语,快捷短语分组\nhi,您好,通用\nbye,再见\n".as_bytes());
        assert!(m.starts_with("第 3 行只有 2 列,表头有 3 列"), "{m}");
        let gbk = GB18030.encode(good).0.into_owned();
        let m = refused(&gbk[..gbk.len() - 5]);
        assert!(m.starts_with("第 4 行末尾的字符被截断了一半"), "{m}");
        let m = refused(&good.as_bytes()[..good.len() - 4]);
        assert!(m.starts_with("第 4 行末尾的字符被截断了一半"), "{m}");
        let mut bad = gbk.clone();
        bad.splice(0..0, *b"\xEF\xBB\xBF");
        assert!(refused(&bad).contains("不是 UTF-8"));
        assert!(refused(b"PK\x03\x04\x14\x00\x06\x00").contains(".xlsx"));
        assert!(refused(b"").contains("空"));
    }

    #[test]
    fn quotes_inside_fields_are_not_unclosed() {
        assert_eq!(unclosed_quote("a,b\n1,\"x\"\"y\"\n2,ab\"c\n"), None);
        assert_eq!(unclosed_quote("a,b\n1,\"x\n\ny"), Some(2));
        assert_eq!(unclosed_quote("a,b\n1,\"x\"\""), Some(2));
    }
}
