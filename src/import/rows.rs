//! Reading an export row by row: the header checked once, each row parsed into a record
//! or a reason with its line number, and duplicate keys within the file caught. One
//! reader serves every export, CSV or xlsx (`source`); a `Schema` says what its rows are.

use foldhash::HashMap;
use std::io::{Read, Seek};

use csv::StringRecord;

use super::encoding::TextEncoding;
use super::source::RowSource;
use super::table::{Headers, Row};
use super::{ImportError, RowError, Summary};

/// What one kind of export holds.
pub trait Schema {
    type Columns;
    type Record;
    /// What the key column is called in messages (订单编号, 退款编号).
    const KEY_LABEL: &'static str;
    /// Finds the columns by header name; a file that is not this export is refused here.
    fn columns(headers: &Headers) -> Result<Self::Columns, ImportError>;
    fn parse(cols: &Self::Columns, row: &Row<'_>) -> Result<Self::Record, String>;
    fn key(rec: &Self::Record) -> &str;
}

/// One row: the record with its line, or why the row was not taken.
pub type RowResult<T> = Result<(u64, T), RowError>;

pub struct RowReader<R: Read, S: Schema> {
    source: RowSource<R>,
    cols: S::Columns,
    rec: StringRecord,
    seen: SeenKeys,
}

impl<R: Read + Seek, S: Schema> RowReader<R, S> {
    /// Reads the header (of a CSV file, or of the first worksheet of an xlsx that has
    /// this export's); a file that is not this export is refused here.
    pub fn open(r: R) -> Result<RowReader<R, S>, ImportError> {
        let (source, cols) = RowSource::open(r, S::columns)?;
        Ok(RowReader { source, cols, rec: StringRecord::new(), seen: SeenKeys::default() })
    }
}

impl<R: Read, S: Schema> RowReader<R, S> {
    pub fn headers(&self) -> &Headers {
        self.source.headers()
    }

    /// The text encoding of a CSV file (None for xlsx).
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.source.encoding()
    }

    /// The worksheet of an xlsx (None for CSV).
    pub fn sheet(&self) -> Option<&str> {
        self.source.sheet()
    }

    /// An empty summary naming what the file is (encoding or worksheet, columns).
    pub fn summary(&self) -> Summary {
        Summary {
            encoding: self.encoding(),
            sheet: self.sheet().map(str::to_string),
            columns: self.headers().names.len(),
            ..Default::default()
        }
    }

    /// The next row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<RowResult<S::Record>>, ImportError> {
        let Some(line) = self.source.next_row(&mut self.rec)? else {
            return Ok(None);
        };
        let row = Row { line, record: &self.rec };
        let rec = match S::parse(&self.cols, &row) {
            Ok(r) => r,
            Err(reason) => return Ok(Some(Err(RowError::new(line, reason)))),
        };
        if let Some(first) = self.seen.insert(S::key(&rec), line) {
            let msg = format!("{} {} 与第 {first} 行重复", S::KEY_LABEL, S::key(&rec));
            return Ok(Some(Err(RowError::new(line, msg))));
        }
        Ok(Some(Ok((line, rec))))
    }
}

/// Keys seen so far in a file, compactly: a million 19-digit numbers fit in a
/// few dozen megabytes.
#[derive(Default)]
pub struct SeenKeys {
    numeric: HashMap<u128, u64>,
    other: HashMap<String, u64>,
}

impl SeenKeys {
    /// Records `key` at `line`; if it was seen before, returns that line.
    pub fn insert(&mut self, key: &str, line: u64) -> Option<u64> {
        let numeric =
            !key.is_empty() && key.len() <= 38 && !key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit());
        if numeric && let Ok(n) = key.parse::<u128>() {
            return match self.numeric.entry(n) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(line);
                    None
                }
            };
        }
        match self.other.get(key) {
            Some(l) => Some(*l),
            None => {
                self.other.insert(key.to_string(), line);
                None
            }
        }
    }
}
