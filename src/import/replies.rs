//! Qianniu's quick-phrase CSV: `快捷短语编码,快捷短语,快捷短语分组` (code, text, group).

use std::io::{Read, Seek};

use csv::StringRecord;

use super::orders::refuse_headers;
use super::rows::SeenKeys;
use super::table::{Row, Table};
use super::{ImportError, Rejections, RowError, line_field, text_field};

pub const HEADER: [&str; 3] = ["快捷短语编码", "快捷短语", "快捷短语分组"];

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

/// Reads the whole file (a shop has hundreds of phrases, not millions).
pub fn read_phrases<R: Read + Seek>(r: R) -> Result<Phrases, ImportError> {
    let mut table = Table::open(r)?;
    let h = &table.headers;
    let (Some(code), Some(text)) = (h.find(&["快捷短语编码", "编码", "快捷编码"]), h.find(&["快捷短语", "短语内容"]))
    else {
        return Err(refuse_headers("千牛快捷短语文件", &HEADER[..2], h));
    };
    let group = h.find(&["快捷短语分组", "分组"]);
    let mut out = Phrases { encoding: Some(table.encoding), ..Default::default() };
    let mut seen = SeenKeys::default();
    let mut rec = StringRecord::new();
    while let Some(line) = table.next_row(&mut rec)? {
        let row = Row { line, record: &rec };
        let p = Phrase {
            line,
            code: line_field(row.get(code)),
            text: text_field(row.get(text)),
            group: line_field(row.opt(group)),
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
            assert_eq!(got, rows);
        }
    }
}
