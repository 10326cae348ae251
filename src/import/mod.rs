//! Getting a shop's real data in: the seller centre's order and refund exports and
//! Qianniu's quick-phrase CSV.
//!
//! Parsing is pure (`encoding`, `table`, `orders`, `refunds`, `replies` turn bytes into
//! records and row errors, no SQL); `apply` compares the records with the store and
//! writes only what changed, through the store's events, in one transaction.

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
    /// Values kefu does not know, imported as they were (never a reason to drop a row):
    /// which column, the text, and how many rows carried it, in the order first seen.
    pub unknown: Vec<UnknownValue>,
}

/// A value of a column kefu has no meaning for (an 订单状态 text it cannot map, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub column: String,
    pub text: String,
    pub rows: u64,
}

impl Summary {
    /// Good rows, whether they changed anything or not.
    pub fn accepted(&self) -> u64 {
        self.new + self.updated + self.unchanged
    }

    /// Counts one row whose `column` held `text`, a value kefu does not know.
    pub fn note_unknown(&mut self, column: &str, text: &str) {
        match self.unknown.iter_mut().find(|u| u.column == column && u.text == text) {
            Some(u) => u.rows += 1,
            None => self.unknown.push(UnknownValue { column: column.into(), text: text.into(), rows: 1 }),
        }
    }

    /// The closing warning, one line per column: each unknown text with its row count.
    pub fn unknown_warnings(&self) -> Vec<String> {
        let mut columns: Vec<&str> = Vec::new();
        for u in &self.unknown {
            if !columns.contains(&u.column.as_str()) {
                columns.push(&u.column);
            }
        }
        columns
            .into_iter()
            .map(|c| {
                let of_column: Vec<&UnknownValue> = self.unknown.iter().filter(|u| u.column == c).collect();
                let rows: u64 = of_column.iter().map(|u| u.rows).sum();
                let texts: Vec<String> = of_column
                    .iter()
                    .map(|u| {
                        let t = if u.text.is_empty() {
                            "(空)".to_string()
                        } else {
                            format!("「{}」", clean_line(&u.text))
                        };
                        format!("{t} {} 行", u.rows)
                    })
                    .collect();
                format!(
                    "注意:{rows} 行的{c}是 kefu 不认识的值,已照原文导入(状态记为「未知」,没有丢掉任何一行):{}",
                    texts.join(";")
                )
            })
            .collect()
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
