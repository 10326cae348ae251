//! Where an export's rows come from: a CSV file (`table`) or an Excel workbook (`xlsx`),
//! told apart by the file's first bytes, never by its name — a renamed file reads the
//! same. Either way the rows reach the `Schema`s as the same `StringRecord`s with the
//! line (row number) they have in the file, so every rule after this is shared.

use std::io::{Read, Seek, SeekFrom};

use csv::StringRecord;

use super::encoding::TextEncoding;
use super::table::{Headers, Table};
use super::xlsx::Sheet;
use super::{ImportError, xlsx};

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A ZIP archive: `.xlsx` (or something else zipped).
    Zip,
    /// An OLE compound file: an encrypted `.xlsx`, or a legacy `.xls`.
    Ole,
    /// Anything else is read as CSV text.
    Text,
}

/// Looks at the first bytes of `r` and leaves it at its start.
pub fn sniff<R: Read + Seek>(r: &mut R) -> Result<Container, ImportError> {
    r.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(8);
    r.by_ref().take(8).read_to_end(&mut head)?;
    r.seek(SeekFrom::Start(0))?;
    Ok(if [&b"PK\x03\x04"[..], b"PK\x05\x06", b"PK\x07\x08"].iter().any(|m| head.starts_with(m)) {
        Container::Zip
    } else if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        Container::Ole
    } else {
        Container::Text
    })
}

/// The rows of one export, from either kind of file (one per file: its size is no matter).
#[allow(clippy::large_enum_variant)]
pub enum RowSource<R: Read> {
    Csv(Table<R>),
    Xlsx(Sheet),
}

impl<R: Read + Seek> RowSource<R> {
    /// Opens the file and finds its header; `columns` says whether a header is the
    /// export wanted (in a workbook, the first sheet whose header it takes is read).
    pub fn open<T>(
        mut r: R,
        columns: impl Fn(&Headers) -> Result<T, ImportError>,
    ) -> Result<(RowSource<R>, T), ImportError> {
        match sniff(&mut r)? {
            Container::Zip => {
                let (sheet, cols) = Sheet::open(r, columns)?;
                Ok((RowSource::Xlsx(sheet), cols))
            }
            Container::Ole => Err(xlsx::refuse_ole(r)),
            Container::Text => {
                let table = Table::open(r)?;
                let cols = columns(&table.headers)?;
                Ok((RowSource::Csv(table), cols))
            }
        }
    }
}

impl<R: Read> RowSource<R> {
    pub fn headers(&self) -> &Headers {
        match self {
            RowSource::Csv(t) => &t.headers,
            RowSource::Xlsx(s) => &s.headers,
        }
    }

    /// The text encoding of a CSV file (None for a workbook).
    pub fn encoding(&self) -> Option<TextEncoding> {
        match self {
            RowSource::Csv(t) => Some(t.encoding),
            RowSource::Xlsx(_) => None,
        }
    }

    /// The worksheet read (None for CSV).
    pub fn sheet(&self) -> Option<&str> {
        match self {
            RowSource::Csv(_) => None,
            RowSource::Xlsx(s) => Some(&s.name),
        }
    }

    /// Reads the next row into `rec` and returns its line; None at the end. Blank rows
    /// are skipped.
    pub fn next_row(&mut self, rec: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        match self {
            RowSource::Csv(t) => t.next_row(rec),
            RowSource::Xlsx(s) => Ok(s.next_row(rec)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn the_first_bytes_decide() {
        let kind = |b: &[u8]| sniff(&mut Cursor::new(b.to_vec())).unwrap();
        assert_eq!(kind(b"PK\x03\x04\x14\x00\x06\x00"), Container::Zip);
        assert_eq!(kind(b"PK\x05\x06"), Container::Zip);
        assert_eq!(kind(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"), Container::Ole);
        assert_eq!(kind("订单编号,买家会员名\n".as_bytes()), Container::Text);
        assert_eq!(kind(b"PK,name\n"), Container::Text);
        assert_eq!(kind(b""), Container::Text);
    }
}
