//! A CSV export as a header and rows, each row with the physical line it starts on.
//! Real CSV quoting (commas, quotes and newlines inside fields) is the csv crate's;
//! headers are matched by name, never by position.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::Read;

use csv::StringRecord;

use super::ImportError;
use super::encoding::{DecodingReader, TextEncoding, open_text};

/// `收货地址 ` → `收货地址`: BOM, surrounding spaces (ASCII and full-width) and quotes off.
pub fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\u{3000}')
        .to_string()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    pub names: Vec<String>,
    /// The line the header is on (blank lines before it are skipped).
    pub line: u64,
}

impl Headers {
    /// The first column whose name is one of `names` (in the order given).
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.names.iter().position(|h| h == n))
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|h| h == name)
    }

    /// For messages: `订单编号, 退款编号, …` (at most `max` names).
    pub fn listing(&self, max: usize) -> String {
        let shown: Vec<&str> = self.names.iter().filter(|h| !h.is_empty()).take(max).map(|h| h.as_str()).collect();
        let mut s = shown.join(", ");
        let total = self.names.iter().filter(|h| !h.is_empty()).count();
        if total > max {
            s.push_str(&format!(" …(共 {total} 列)"));
        }
        crate::domain::sanitize::clean_line(&s)
    }
}

/// The physical line a record just read starts on: the line of its last byte, less the
/// newlines inside its (quoted) fields. (The csv crate's own line count skips blank
/// lines, and its start offset includes them.)
fn start_line<R: Read>(reader: &csv::Reader<Lines<R>>, rec: &StringRecord) -> u64 {
    let end = reader.position().byte();
    let last = reader.get_ref().line_at(end.saturating_sub(1));
    let inside = rec.as_slice().bytes().filter(|b| *b == b'\n').count() as u64;
    last.saturating_sub(inside).max(1)
}

/// Rows of a CSV after its header.
pub struct Table<R: Read> {
    pub headers: Headers,
    pub encoding: TextEncoding,
    reader: csv::Reader<Lines<DecodingReader<R>>>,
}

/// Counts the newlines of the text as the CSV reader pulls it, so a record's byte
/// offset gives its physical line (blank lines and newlines inside quotes included).
/// Only the newlines the reader has read ahead are kept.
pub struct Lines<R> {
    inner: R,
    pos: u64,
    ahead: RefCell<VecDeque<u64>>,
    passed: Cell<u64>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let q = self.ahead.get_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' {
                q.push_back(self.pos + i as u64);
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R> Lines<R> {
    fn new(inner: R) -> Self {
        Lines { inner, pos: 0, ahead: RefCell::new(VecDeque::new()), passed: Cell::new(0) }
    }

    /// The 1-based line of the text at `byte`; calls must come in increasing order.
    fn line_at(&self, byte: u64) -> u64 {
        let mut q = self.ahead.borrow_mut();
        while q.front().is_some_and(|&nl| nl < byte) {
            q.pop_front();
            self.passed.set(self.passed.get() + 1);
        }
        self.passed.get() + 1
    }
}

/// One row: the fields and the physical line it starts on.
pub struct Row<'a> {
    pub line: u64,
    pub record: &'a StringRecord,
}

impl Row<'_> {
    /// The raw field at `i` ("" when the row is short).
    pub fn get(&self, i: usize) -> &str {
        self.record.get(i).unwrap_or("")
    }

    pub fn opt(&self, i: Option<usize>) -> &str {
        i.map(|i| self.get(i)).unwrap_or("")
    }
}

impl<R: Read + std::io::Seek> Table<R> {
    /// Detects the encoding and reads the header (the first non-blank row).
    pub fn open(r: R) -> Result<Table<R>, ImportError> {
        let (encoding, text) = open_text(r)?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Lines::new(text));
        let mut rec = StringRecord::new();
        loop {
            if !reader.read_record(&mut rec)? {
                return Err(ImportError::Refused("文件是空的(没有表头)".into()));
            }
            if rec.iter().any(|f| !f.trim().is_empty()) {
                break;
            }
        }
        let line = start_line(&reader, &rec);
        let names = rec.iter().map(normalize_header).collect();
        Ok(Table { headers: Headers { names, line }, encoding, reader })
    }
}

impl<R: Read> Table<R> {
    /// Reads the next row into `rec` and returns the line it starts on; None at the
    /// end. Blank lines are skipped.
    pub fn next_row(&mut self, rec: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        loop {
            if !self.reader.read_record(rec)? {
                return Ok(None);
            }
            if rec.len() > 1 || rec.get(0).is_some_and(|f| !f.trim().is_empty()) {
                return Ok(Some(start_line(&self.reader, rec)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn table(s: &str) -> Table<Cursor<Vec<u8>>> {
        Table::open(Cursor::new(s.as_bytes().to_vec())).unwrap()
    }

    #[test]
    fn headers_are_normalized() {
        let t = table("\u{feff}订单编号, 收货地址 ,\u{3000}联系手机\n1,2,3\n");
        assert_eq!(t.headers.names, ["订单编号", "收货地址", "联系手机"]);
        assert_eq!(t.headers.find(&["联系手机", "联系电话"]), Some(2));
        assert_eq!(t.headers.find(&["联系电话"]), None);
    }

    #[test]
    fn rows_carry_their_physical_line_across_quoted_newlines() {
        let mut t = table("a,b\n1,\"x\ny\nz\"\n\n2,\"he said \"\"hi\"\", ok\"\r\n3,c\n");
        let mut rec = StringRecord::new();
        let mut got = Vec::new();
        while let Some(line) = t.next_row(&mut rec).unwrap() {
            got.push((line, rec.get(1).unwrap().to_string()));
        }
        assert_eq!(got, [(2, "x\ny\nz".to_string()), (6, "he said \"hi\", ok".to_string()), (7, "c".to_string())]);
    }

    #[test]
    fn crlf_files_and_a_missing_last_newline_count_the_same() {
        let mut t = table("a,b\r\n1,\"x\r\ny\"\r\n\r\n2,c\r\n3,d");
        let mut rec = StringRecord::new();
        let mut lines = Vec::new();
        while let Some(line) = t.next_row(&mut rec).unwrap() {
            lines.push(line);
        }
        assert_eq!(lines, [2, 5, 6]);
    }

    #[test]
    fn leading_blank_lines_before_the_header_are_skipped() {
        let t = table("\n\n订单编号,买家会员名\n1,2\n");
        assert_eq!(t.headers.line, 3);
    }
}
