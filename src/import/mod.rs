//! Getting a shop's real data in: the seller centre's order and refund exports and
//! Qianniu's quick-phrase CSV.
//!
//! Parsing is pure (`encoding`, `table`, `orders`, `refunds`, `replies` turn bytes into
//! records and row errors, no SQL); `apply` compares the records with the store and
//! writes only what changed, through the store's events, in one transaction.

pub mod aliases;
pub mod apply;
pub mod encoding;
pub mod orders;
mod read_ahead;
pub mod refunds;
pub mod replies;
pub mod rows;
pub mod source;
pub mod table;
pub mod xlsx;

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::sanitize::{clean_line, clean_text, is_clean_trimmed_line};
use crate::store::StoreError;

/// Why a whole file was not imported. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not what the command expects (wrong headers, binary, empty).
    #[error("{0}")]
    Refused(String),
    #[error("读取文件出错:{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The order detail file (the second file of `import-orders`) was the trouble, not
    /// the list: messages name that file.
    #[error("{0}")]
    Detail(Box<ImportError>),
}

impl ImportError {
    /// This error as one about the detail file.
    pub fn in_detail(self) -> ImportError {
        match self {
            ImportError::Detail(_) => self,
            other => ImportError::Detail(Box::new(other)),
        }
    }
}

impl From<csv::Error> for ImportError {
    /// The text decoder's `InvalidData` (a BOM file found to be binary as it was read,
    /// `encoding::DecodingReader`) is a refusal of the file, as it would have been had
    /// it been found when the file was opened; anything else is a read error.
    fn from(e: csv::Error) -> Self {
        let io = csv_to_io(e);
        if io.kind() == std::io::ErrorKind::InvalidData {
            return ImportError::Refused(io.to_string());
        }
        ImportError::Io(io)
    }
}

pub(crate) fn csv_to_io(e: csv::Error) -> std::io::Error {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => std::io::Error::other(format!("{other:?}")),
        }
    } else {
        std::io::Error::other(e.to_string())
    }
}

/// Told how far an import has read, for a progress display. The command line draws it
/// (on a terminal only); nothing under `import` knows a terminal.
pub trait Progress: Sync {
    /// File `file` (0: the list, or the only file; 1: an order detail file) has been
    /// read up to byte `pos` (telling its encoding reads it once before, from 0).
    fn read_to(&self, file: usize, pos: u64);
    /// `rows` rows have been read in all, taken or not.
    fn rows(&self, rows: u64);
}

/// How an import runs.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Read and check everything and count what would change, but write nothing (the
    /// transaction is rolled back; see `Store::write_rolled_back`).
    pub dry_run: bool,
    /// Told as the files are read.
    pub progress: Option<&'a dyn Progress>,
}

/// A reader that tells `Progress` how far it has got.
pub(crate) struct Tracked<'a, R> {
    inner: R,
    file: usize,
    pos: u64,
    progress: Option<&'a dyn Progress>,
}

impl<'a, R> Tracked<'a, R> {
    pub(crate) fn new(inner: R, file: usize, progress: Option<&'a dyn Progress>) -> Self {
        Tracked { inner, file, pos: 0, progress }
    }
}

impl<R: std::io::Read> std::io::Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        if let Some(p) = self.progress {
            p.read_to(self.file, self.pos);
        }
        Ok(n)
    }
}

impl<R: std::io::Seek> std::io::Seek for Tracked<'_, R> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        if let Some(p) = self.progress {
            p.read_to(self.file, self.pos);
        }
        Ok(self.pos)
    }
}

/// A row the import did not take, with the physical line it starts on (a quoted field
/// spanning lines counts every line) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl RowError {
    pub fn new(line: u64, reason: impl Into<String>) -> RowError {
        RowError { line, reason: reason.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行:{}", self.line, clean_line(&self.reason))
    }
}

/// At most this many row errors are kept for the report; the rest are only counted.
pub const MAX_KEPT_ERRORS: usize = 1000;

/// Row errors of one file: kept up to `MAX_KEPT_ERRORS`, all counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejections {
    pub count: u64,
    pub kept: Vec<RowError>,
}

impl Rejections {
    pub fn push(&mut self, e: RowError) {
        self.count += 1;
        if self.kept.len() < MAX_KEPT_ERRORS {
            self.kept.push(e);
        }
    }

    pub fn lines(&self) -> Vec<u64> {
        self.kept.iter().map(|e| e.line).collect()
    }
}

/// Values kefu did not know, kept as the file wrote them (the rows were imported, not
/// rejected): per column, each text with how many rows carried it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnknownValues {
    by_column: BTreeMap<&'static str, BTreeMap<String, u64>>,
}

impl UnknownValues {
    /// One row carried `text` in `column`.
    pub fn note(&mut self, column: &'static str, text: &str) {
        let texts = self.by_column.entry(column).or_default();
        match texts.get_mut(text) {
            Some(n) => *n += 1,
            None => {
                texts.insert(text.to_string(), 1);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_column.is_empty()
    }

    /// How many values were not known (a row with two counts twice).
    pub fn total(&self) -> u64 {
        self.by_column.values().flat_map(|t| t.values()).sum()
    }

    /// How many rows carried `text` in `column`.
    pub fn count(&self, column: &str, text: &str) -> u64 {
        self.by_column.get(column).and_then(|t| t.get(text)).copied().unwrap_or(0)
    }

    /// `(column, text, rows)`, by column, the most frequent text first.
    pub fn entries(&self) -> Vec<(&'static str, &str, u64)> {
        let mut out = Vec::new();
        for (col, texts) in &self.by_column {
            let mut t: Vec<(&str, u64)> = texts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            t.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            out.extend(t.into_iter().map(|(text, n)| (*col, text, n)));
        }
        out
    }

    /// The warning that ends an import summary (empty when every value was known).
    pub fn warning(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut lines =
            vec!["警告:以下值 kefu 不认识,已原样保留,这些行照常导入(状态记为「未知」,请在卖家中心核对):".to_string()];
        for (col, text, n) in self.entries() {
            lines.push(format!("  {col}「{}」:{n} 行", clean_line(text)));
        }
        lines
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Replies removed by `--replace`.
    pub deleted: u64,
    pub rejected: Rejections,
    /// Rows of a second file (the order detail export) that were not taken.
    pub detail_rejected: Rejections,
    /// Events written (0 when nothing changed).
    pub events: u64,
    pub encoding: Option<encoding::TextEncoding>,
    /// The worksheet read, when the file was an `.xlsx` workbook.
    pub sheet: Option<String>,
    pub columns: usize,
    pub notes: Vec<String>,
    /// Values kefu did not know, kept (see `UnknownValues`).
    pub unknown: UnknownValues,
}

impl Summary {
    /// Good rows, whether they changed anything or not.
    pub fn accepted(&self) -> u64 {
        self.new + self.updated + self.unchanged
    }

    /// `新增 N · 更新 N · 未变 N · 拒绝 N`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "新增 {} · 更新 {} · 未变 {} · 拒绝 {}",
            self.new, self.updated, self.unchanged, self.rejected.count
        );
        if self.deleted > 0 {
            s.push_str(&format!(" · 删除 {}", self.deleted));
        }
        if !self.unknown.is_empty() {
            s.push_str(&format!(" · 未知值 {}", self.unknown.total()));
        }
        s
    }
}

/// The value of an export cell: trimmed, with the spreadsheet guards the seller centre
/// adds around numbers removed (`="123"`, a leading `'` or tab).
pub fn cell(raw: &str) -> &str {
    let mut t = raw.trim();
    if let Some(inner) = t.strip_prefix("=\"") {
        t = inner.strip_suffix('"').unwrap_or(inner).trim();
    }
    if let Some(inner) = t.strip_prefix('\'') {
        t = inner.trim();
    }
    t
}

/// `clean_line` of a cell, with a fast path for the common already-clean text (the
/// result is the same; a million-row import does this fifteen million times).
pub fn line_field(raw: &str) -> String {
    let t = cell(raw);
    if is_clean_trimmed_line(t) { t.to_string() } else { clean_line(t) }
}

/// `4.02186553100275E+18`: a long number that a spreadsheet kept as a number and shows
/// in scientific notation, its last digits gone (Excel keeps 15 significant digits).
/// Read from a CSV that went through Excel, or from an `.xlsx` number cell (see `xlsx`).
pub fn rounded_number(text: &str) -> bool {
    let Some((mantissa, exp)) = text.split_once(['E', 'e']) else { return false };
    let mantissa = mantissa.strip_prefix('-').unwrap_or(mantissa);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    int.len() == 1 && digits(int) && (frac.is_empty() || digits(frac)) && exp.strip_prefix('+').is_some_and(digits)
}

/// A key cell (订单编号, 退款编号) as `line_field` reads it; an empty one, or one whose
/// digits a spreadsheet lost, adds its reason to `errs`.
pub fn key_field(raw: &str, name: &str, errs: &mut Vec<String>) -> String {
    let key = line_field(raw);
    if key.is_empty() {
        errs.push(format!("{name}为空"));
    } else if rounded_number(&key) {
        errs.push(format!(
            "{name}「{key}」是科学计数法:表格软件把它当成了数字,只留下 15 位有效数字,末尾几位已经丢了。\
             请用卖家中心的原始导出文件,或把这一列设为文本后重新导出"
        ));
    }
    key
}

/// The longest order number taken: the platform's run to 19–20 digits; more is not an
/// order number (a cell of some other column, or digits run together).
pub const MAX_ORDER_NO_DIGITS: usize = 24;

/// An order-number cell (订单编号, 主订单编号, 子订单编号) as `key_field` reads it, which must
/// be digits only and of a sane length: `ABCDEF`, `-1` or 40 digits add their reason.
pub fn order_no_field(raw: &str, name: &str, errs: &mut Vec<String>) -> String {
    let before = errs.len();
    let no = key_field(raw, name, errs);
    if errs.len() == before && !no.is_empty() {
        if !no.bytes().all(|b| b.is_ascii_digit()) {
            errs.push(format!("{name}「{no}」不是数字(订单编号只由数字组成)"));
        } else if no.len() > MAX_ORDER_NO_DIGITS {
            errs.push(format!("{name}「{no}」有 {} 位,不是订单编号(最多 {MAX_ORDER_NO_DIGITS} 位)", no.len()));
        }
    }
    no
}

/// `clean_text` (keeps newlines) of a message or memo cell, trimmed.
pub fn text_field(raw: &str) -> String {
    let t = raw.trim();
    if is_clean_trimmed_line(t) { t.to_string() } else { clean_text(t).trim().to_string() }
}

/// A file name for the event's `source` and the report.
pub fn source_name(path: &std::path::Path) -> String {
    clean_line(
        &path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lose_spreadsheet_guards() {
        assert_eq!(cell("=\"2606280001\""), "2606280001");
        assert_eq!(cell(" =\"2606280001\" "), "2606280001");
        assert_eq!(cell("'13812341234"), "13812341234");
        assert_eq!(cell("\t2606280001"), "2606280001");
        assert_eq!(cell("  小王 "), "小王");
        assert_eq!(cell("a=\"b\""), "a=\"b\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn fast_path_matches_clean_line() {
        let samples = [
            "小王",
            "  浙江省 杭州市 ",
            "a\nb",
            "\x1b]0;x\x07\x1b[2J坏人",
            "abc\u{202E}fed",
            "e\u{301}",
            "tab\there",
            "x\u{85}y",
            "亲,您好👍",
            "",
            "'13812341234",
            "\u{3000}全角空格\u{3000}",
        ];
        for s in samples {
            assert_eq!(line_field(s), clean_line(cell(s)), "{s:?}");
            assert_eq!(text_field(s), clean_text(s.trim()).trim(), "{s:?}");
        }
    }

    #[test]
    fn numbers_a_spreadsheet_rounded_are_caught() {
        for t in ["4.02186553100275E+18", "4.02187E+18", "4E+18", "4.02187e+18", "-1.5E+16"] {
            assert!(rounded_number(t), "{t}");
        }
        for t in ["4021865531002746618", "R1", "E+18", "12E+3", "4.0E-3", "4.02187E18", "SF1234567890", ""] {
            assert!(!rounded_number(t), "{t}");
        }
        let mut errs = Vec::new();
        assert_eq!(key_field("=\"4021865531002746618\"", "订单编号", &mut errs), "4021865531002746618");
        assert_eq!(key_field(" ", "订单编号", &mut errs), "");
        key_field("4.02186553100275E+18", "退款编号", &mut errs);
        assert_eq!(errs[0], "订单编号为空");
        assert!(errs[1].starts_with("退款编号「4.02186553100275E+18」是科学计数法"), "{}", errs[1]);
    }

    #[test]
    fn order_numbers_are_digits_of_a_sane_length() {
        let mut errs = Vec::new();
        assert_eq!(order_no_field("=\"4021865531002746618\"", "订单编号", &mut errs), "4021865531002746618");
        assert_eq!(order_no_field("\t123", "订单编号", &mut errs), "123");
        assert!(errs.is_empty(), "{errs:?}");
        for bad in ["ABCDEF", "-1", "12 34", "4021865531002746618-1", &"9".repeat(40)] {
            let mut errs = Vec::new();
            order_no_field(bad, "主订单编号", &mut errs);
            assert_eq!(errs.len(), 1, "{bad}");
            assert!(errs[0].starts_with("主订单编号「"), "{}", errs[0]);
        }
    }

    #[test]
    fn row_errors_print_clean() {
        let e = RowError::new(7, "订单状态 '\x1b[2J发货中' 无法识别");
        assert_eq!(e.to_string(), "第 7 行:订单状态 '发货中' 无法识别");
    }
}
