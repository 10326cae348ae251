//! The newer seller centre's `.xlsx` exports, read with calamine: the first worksheet
//! whose header the command takes, its cells turned into the text a CSV export would
//! hold, each row with its spreadsheet row number.
//!
//! - text cells as they are;
//! - date cells (an Excel serial number with a date format) as `YYYY-MM-DD HH:MM:SS`;
//! - number cells as Excel shows them: at most 15 significant digits, so money reads
//!   `259.5` and a phone `13812341234`. A whole number of 16 digits or more (an order
//!   number a spreadsheet kept as a number) has lost its last digits; it reads
//!   `4.02186553100275E+18`, as Excel shows it, and the key check (`key_field`) rejects
//!   the row instead of importing a wrong number.
//!
//! The sheet is read whole when the file is opened (its rows as CSV records), so a
//! damaged workbook is refused before anything is written.

use std::io::{Read, Seek};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, Xlsx, XlsxCellReader, XlsxError};
use chrono::{Duration, NaiveDate};
use csv::StringRecord;

use super::ImportError;
use super::table::{Headers, normalize_header};
use crate::domain::sanitize::clean_line;
use crate::domain::timefmt::DATETIME;

/// The worksheet an import reads: its name, header and rows.
pub struct Sheet {
    pub name: String,
    pub headers: Headers,
    rows: std::vec::IntoIter<(u64, StringRecord)>,
}

impl Sheet {
    /// Opens the workbook and reads the first worksheet whose header `columns` takes.
    pub fn open<R: Read + Seek, T>(
        r: R,
        columns: impl Fn(&Headers) -> Result<T, ImportError>,
    ) -> Result<(Sheet, T), ImportError> {
        let mut book = Xlsx::new(r).map_err(refuse_book)?;
        let names: Vec<String> =
            book.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()).collect();
        if names.is_empty() {
            return Err(ImportError::Refused("xlsx 文件里没有工作表,读不到表格。请重新导出".into()));
        }
        let mut refused: Option<(String, ImportError)> = None;
        for name in &names {
            let mut rows = Rows::new(book.worksheet_cells_reader(name).map_err(|e| damaged(name, None, e))?, name);
            let Some((line, header)) = rows.next(usize::MAX)? else { continue };
            let headers = Headers { names: header.iter().map(|h| normalize_header(h)).collect(), line };
            match columns(&headers) {
                Ok(cols) => {
                    let width = headers.names.len();
                    let mut kept = Vec::new();
                    while let Some((line, fields)) = rows.next(width)? {
                        kept.push((line, StringRecord::from(fields)));
                    }
                    let sheet = Sheet { name: clean_line(name), headers, rows: kept.into_iter() };
                    return Ok((sheet, cols));
                }
                Err(e) => {
                    refused.get_or_insert((name.clone(), e));
                }
            }
        }
        Err(match refused {
            None => ImportError::Refused("xlsx 文件是空的(工作表里没有表头,也没有数据行)".into()),
            Some((first, ImportError::Refused(m))) => {
                ImportError::Refused(format!("{m}。{}", which_sheets(&names, &first)))
            }
            Some((_, other)) => other,
        })
    }

    /// The next row (its line is its row number in the sheet); None at the end.
    pub fn next_row(&mut self, rec: &mut StringRecord) -> Option<u64> {
        let (line, row) = self.rows.next()?;
        *rec = row;
        Some(line)
    }
}

/// "(read from sheet X)" or "(none of the N sheets has it; the header above is X's)".
fn which_sheets(names: &[String], first: &str) -> String {
    let first = clean_line(first);
    if names.len() == 1 {
        return format!("读的是 xlsx 工作表「{first}」");
    }
    let all: Vec<String> = names.iter().map(|n| format!("「{}」", clean_line(n))).collect();
    format!("xlsx 的 {} 个工作表{}都没有这样的表头(上面列的是「{first}」的表头)", names.len(), all.join(""))
}

/// Cells of one worksheet gathered into rows.
struct Rows<'a, R: Read + Seek> {
    cells: XlsxCellReader<'a, R>,
    sheet: &'a str,
    /// The first cell of the next row, read while finishing the last one.
    pending: Option<(u32, u32, String)>,
    last_line: u64,
    done: bool,
}

impl<'a, R: Read + Seek> Rows<'a, R> {
    fn new(cells: XlsxCellReader<'a, R>, sheet: &'a str) -> Self {
        Rows { cells, sheet, pending: None, last_line: 0, done: false }
    }

    /// The next cell that holds something: (row, column, text).
    fn next_cell(&mut self) -> Result<Option<(u32, u32, String)>, ImportError> {
        if let Some(c) = self.pending.take() {
            return Ok(Some(c));
        }
        while !self.done {
            let cell = self.cells.next_cell().map_err(|e| damaged(self.sheet, Some(self.last_line), e))?;
            let Some(cell) = cell else {
                self.done = true;
                break;
            };
            let (row, col) = cell.get_position();
            if let Some(text) = cell_text(cell.get_value()) {
                return Ok(Some((row, col, text)));
            }
        }
        Ok(None)
    }

    /// The next row with any text in it, as `width` fields (`usize::MAX`: as many as it
    /// has), and its 1-based row number. Blank rows are skipped.
    fn next(&mut self, width: usize) -> Result<Option<(u64, Vec<String>)>, ImportError> {
        loop {
            let Some((row, col, text)) = self.next_cell()? else { return Ok(None) };
            let mut cells = vec![(col, text)];
            while let Some((r, c, t)) = self.next_cell()? {
                if r != row {
                    self.pending = Some((r, c, t));
                    break;
                }
                cells.push((c, t));
            }
            self.last_line = u64::from(row) + 1;
            if cells.iter().all(|(_, t)| t.trim().is_empty()) {
                continue;
            }
            let width = if width == usize::MAX {
                cells.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(c, _)| *c as usize + 1).max().unwrap_or(0)
            } else {
                width
            };
            let mut fields = vec![String::new(); width];
            for (c, t) in cells {
                if let Some(f) = fields.get_mut(c as usize) {
                    *f = t;
                }
            }
            return Ok(Some((self.last_line, fields)));
        }
    }
}

/// A cell as the text a CSV export would hold; None for an empty cell.
fn cell_text(v: &DataRef<'_>) -> Option<String> {
    Some(match v {
        DataRef::Empty => return None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => date_text(d).unwrap_or_else(|| number_text(d.as_f64())),
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::Error(e) => e.to_string(),
    })
}

/// A number as Excel shows it in the formula bar: 15 significant digits at most; a
/// whole number too long for that in scientific notation (`4.02186553100275E+18`).
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let sci = format!("{f:.14e}");
    if f.abs() >= 1e15 {
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}E+{exp}");
    }
    // Rounded to 15 significant digits, then the shortest text for that value.
    sci.parse::<f64>().map_or_else(|_| f.to_string(), |r| r.to_string())
}

/// An Excel date cell as `YYYY-MM-DD HH:MM:SS`, to the nearest second.
fn date_text(d: &ExcelDateTime) -> Option<String> {
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let t = NaiveDate::from_ymd_opt(y.into(), mo.into(), day.into())?.and_hms_opt(h.into(), mi.into(), s.into())?;
    let t = if ms >= 500 { t + Duration::seconds(1) } else { t };
    Some(t.format(DATETIME).to_string())
}

const REDOWNLOAD: &str = "请重新从卖家中心下载导出文件";

/// Why the workbook could not be opened at all.
fn refuse_book(e: XlsxError) -> ImportError {
    let detail = clean_line(&e.to_string());
    ImportError::Refused(match e {
        XlsxError::Password => {
            "这个 xlsx 文件设置了打开密码(已加密),读不出来。请在 Excel 里打开它,去掉密码后另存为 .xlsx,再导入".into()
        }
        XlsxError::FileNotFound(part) => format!(
            "这个 ZIP 压缩包不是 xlsx 表格(里面没有 {})。如果是卖家中心下载的压缩包,请先解压,再导入里面的 .csv 或 .xlsx 文件",
            clean_line(&part)
        ),
        XlsxError::Zip(_) | XlsxError::Io(_) => {
            format!("xlsx 文件已损坏或不完整(ZIP 结构读不出来:{detail}),可能没有下载完。{REDOWNLOAD}")
        }
        _ => format!("xlsx 文件已损坏(工作簿读不出来:{detail})。{REDOWNLOAD}"),
    })
}

/// A worksheet that breaks off while it is read.
fn damaged(sheet: &str, after_line: Option<u64>, e: XlsxError) -> ImportError {
    let at = match after_line {
        Some(0) | None => String::new(),
        Some(l) => format!("第 {l} 行之后"),
    };
    ImportError::Refused(format!(
        "xlsx 文件已损坏:工作表「{}」{at}读不下去({})。{REDOWNLOAD}",
        clean_line(sheet),
        clean_line(&e.to_string())
    ))
}

/// An OLE compound file: an xlsx encrypted with a password, or an old `.xls`.
pub fn refuse_ole<R: Read + Seek>(r: R) -> ImportError {
    match Xlsx::new(r) {
        Err(XlsxError::Password) => refuse_book(XlsxError::Password),
        _ => ImportError::Refused(
            "这是旧版 Excel 文件(.xls),不能直接导入。请在 Excel 里另存为 .xlsx 或 CSV 后再导入".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(88.0), "88");
        assert_eq!(number_text(259.5), "259.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(88.00000000000001), "88");
        assert_eq!(number_text(-12.5), "-12.5");
        assert_eq!(number_text(13812341234.0), "13812341234");
        assert_eq!(number_text(999_999_999_999_999.0), "999999999999999");
        // 16 digits and more: the last ones are not there any more
        assert_eq!(number_text(4021865531002746618.0), "4.02186553100275E+18");
        assert_eq!(number_text(1e15), "1E+15");
        assert_eq!(number_text(2.5e27), "2.5E+27");
    }

    #[test]
    fn date_cells_read_as_export_text() {
        let d = |v: f64| date_text(&ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false)).unwrap();
        // 2026-06-28 10:02:00 is serial 46201 + 10:02/24h; a float a hair under it rounds up
        assert_eq!(d(46201.0 + (10.0 * 60.0 + 2.0) / 1440.0), "2026-06-28 10:02:00");
        assert_eq!(d(46201.0 + (10.0 * 60.0 + 2.0) / 1440.0 - 1e-9), "2026-06-28 10:02:00");
        assert_eq!(d(46201.0), "2026-06-28 00:00:00");
        assert_eq!(d(46201.999999999), "2026-06-29 00:00:00");
        let d1904 = date_text(&ExcelDateTime::new(46201.0 - 1462.0, ExcelDateTimeType::DateTime, true)).unwrap();
        assert_eq!(d1904, "2026-06-28 00:00:00");
        let text = cell_text(&DataRef::DateTime(ExcelDateTime::new(46201.5, ExcelDateTimeType::DateTime, false)));
        assert_eq!(crate::domain::timefmt::parse_datetime(&text.unwrap()).unwrap().to_string(), "2026-06-28 12:00:00");
    }

    #[test]
    fn an_old_xls_is_told_from_an_encrypted_xlsx() {
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.resize(4096, 0);
        let m = refuse_ole(std::io::Cursor::new(ole)).to_string();
        assert!(m.contains("旧版 Excel 文件(.xls)") && m.contains("另存为 .xlsx 或 CSV"), "{m}");
    }

    #[test]
    fn other_cells() {
        assert_eq!(cell_text(&DataRef::Empty), None);
        assert_eq!(cell_text(&DataRef::SharedString("=\"123\"")).as_deref(), Some("=\"123\""));
        assert_eq!(cell_text(&DataRef::Int(5001)).as_deref(), Some("5001"));
        assert_eq!(cell_text(&DataRef::Bool(true)).as_deref(), Some("TRUE"));
        assert_eq!(cell_text(&DataRef::Error(calamine::CellErrorType::NA)).as_deref(), Some("#N/A"));
    }
}
