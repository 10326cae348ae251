//! One renderer for every report: an aligned terminal table, CSV for Excel (UTF-8 with a
//! BOM, or GB18030 for older Excel that expects GBK), or JSON.
//!
//! Text is cleaned (no control characters or escapes) on the way out, whatever the
//! store holds. CSV guards spreadsheets too: a text cell starting with `=`, `+`, `-` or
//! `@` gets a leading `'` (so a buyer's review cannot become a formula), and a long
//! digit string in an identifier column (order, tracking number) is written `="…"` the
//! way the seller centre's own exports do, so Excel keeps every digit.

use serde_json::{Map, Value, json};

use super::{Cell, Report, ReportTable};
use crate::domain::sanitize::clean_line;
use crate::domain::width::{fit, fit_right, width};

/// How a report is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    /// CSV; `gbk` writes GB18030 (a superset of GBK) without a BOM instead of UTF-8 with one.
    Csv {
        gbk: bool,
    },
    Json,
}

/// The UTF-8 byte order mark Excel needs to read a CSV as UTF-8.
pub const BOM: &str = "\u{feff}";

/// The report as bytes in `format` (text and JSON end with a newline).
pub fn render(report: &Report, format: Format, max_cell: usize) -> Vec<u8> {
    match format {
        Format::Text => text(report, max_cell).into_bytes(),
        Format::Csv { gbk } => csv_bytes(report, gbk),
        Format::Json => {
            let mut s = crate::domain::sanitize::to_json_pretty(&json(report)).unwrap_or_default();
            s.push('\n');
            s.into_bytes()
        }
    }
}

/// Title, parameters, each table aligned in display cells (CJK counts two), notes.
/// Cells wider than `max_cell` end in `…`.
pub fn text(report: &Report, max_cell: usize) -> String {
    let mut out = clean_line(&report.title);
    let params: Vec<String> = report.params.iter().map(|(k, v)| format!("{k} {v}")).collect();
    if !params.is_empty() {
        out.push_str(" — ");
        out.push_str(&clean_line(&params.join(" · ")));
    }
    out.push('\n');
    for t in &report.sections {
        out.push('\n');
        if !t.title.is_empty() {
            out.push_str(&format!("■ {}\n", clean_line(&t.title)));
        }
        out.push_str(&table_text(t, max_cell));
    }
    if !report.notes.is_empty() {
        out.push_str("\n注:\n");
        for n in &report.notes {
            out.push_str(&format!("- {}\n", clean_line(n)));
        }
    }
    out
}

/// One table, aligned: numeric columns to the right, a rule under the header.
pub fn table_text(t: &ReportTable, max_cell: usize) -> String {
    if t.rows.is_empty() {
        return "(无)\n".to_string();
    }
    let max_cell = max_cell.max(4);
    let n = t.columns.len();
    let cells: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| clean_line(&c.display())).collect()).collect();
    let right: Vec<bool> = (0..n)
        .map(|i| {
            let mut any = false;
            for r in &t.rows {
                match r.get(i) {
                    Some(Cell::Empty) | None => {}
                    Some(c) if c.is_numeric() => any = true,
                    Some(_) => return false,
                }
            }
            any
        })
        .collect();
    let mut widths: Vec<usize> = t.columns.iter().map(|c| width(c.label)).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(width(c).min(max_cell));
        }
    }
    let line = |row: &[String]| -> String {
        let parts: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let c = row.get(i).map(String::as_str).unwrap_or("");
                if right[i] { fit_right(c, *w) } else { fit(c, *w) }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let headers: Vec<String> = t.columns.iter().map(|c| c.label.to_string()).collect();
    let mut out = line(&headers);
    out.push('\n');
    out.push_str(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for r in &cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// The CSV text (no BOM). A one-table report is that table: header row, then rows. A
/// report of several tables starts with its title and gives each table a title row,
/// separated by blank lines.
pub fn csv_string(report: &Report) -> String {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let several = report.sections.len() > 1;
    // Writing to a Vec cannot fail; a failed record would only drop that record.
    let mut put = |cells: Vec<String>| {
        let _ = w.write_record(&cells);
    };
    if several {
        let params: Vec<String> = report.params.iter().map(|(k, v)| format!("{k} {v}")).collect();
        put(vec![csv_text(&report.title), csv_text(&params.join(" · "))]);
    }
    for t in &report.sections {
        if several {
            put(vec![String::new()]);
            put(vec![csv_text(&t.title)]);
        }
        put(t.columns.iter().map(|c| c.label.to_string()).collect());
        for r in &t.rows {
            put(r.iter().map(csv_cell).collect());
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// CSV bytes: UTF-8 with a BOM, or GB18030 (`gbk`).
pub fn csv_bytes(report: &Report, gbk: bool) -> Vec<u8> {
    let s = csv_string(report);
    if gbk {
        let (bytes, _, _) = encoding_rs::GB18030.encode(&s);
        bytes.into_owned()
    } else {
        let mut out = BOM.as_bytes().to_vec();
        out.extend_from_slice(s.as_bytes());
        out
    }
}

fn csv_text(s: &str) -> String {
    let s = clean_line(s);
    if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s }
}

fn csv_cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => csv_text(s),
        Cell::Code(s) => {
            let s = clean_line(s);
            if s.len() >= 11 && s.bytes().all(|b| b.is_ascii_digit()) { format!("=\"{s}\"") } else { csv_text(&s) }
        }
        other => other.display(),
    }
}

/// `{report, title, params, sections: [{title, columns: [{key, label}], rows: [{key: value}]}], notes}`.
pub fn json(report: &Report) -> Value {
    let params: Map<String, Value> = report.params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    json!({
        "report": report.kind,
        "title": report.title,
        "params": params,
        "sections": report.sections.iter().map(table_json).collect::<Vec<_>>(),
        "notes": report.notes,
    })
}

pub fn table_json(t: &ReportTable) -> Value {
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            let obj: Map<String, Value> =
                t.columns.iter().zip(r).map(|(c, cell)| (c.key.to_string(), cell.to_json())).collect();
            Value::Object(obj)
        })
        .collect();
    json!({
        "title": t.title,
        "columns": t.columns.iter().map(|c| json!({"key": c.key, "label": c.label})).collect::<Vec<_>>(),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut t = ReportTable::new("退款", &[("refund_no", "退款编号"), ("amount", "金额"), ("reason", "原因")]);
        t.push(vec![Cell::code("R1"), Cell::Yuan(8800), Cell::text("尺码不合适")]);
        t.push(vec![Cell::code("260628000112345"), Cell::Yuan(150), Cell::text("=HYPERLINK(\"x\")")]);
        let mut r = Report::new("test", "测试报表").param("日期", "2026-06-28");
        r.sections.push(t);
        r.notes.push("金额单位:元".into());
        r
    }

    #[test]
    fn text_aligns_cjk_and_right_aligns_numbers() {
        let out = text(&sample(), 40);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "测试报表 — 日期 2026-06-28");
        assert_eq!(lines[2], "■ 退款");
        let header = lines[3];
        let row1 = lines[5];
        let row2 = lines[6];
        assert!(header.starts_with("退款编号"), "{out}");
        // the amount column ends at the same cell on every row
        let end = |l: &str, pat: &str| width(&l[..l.find(pat).unwrap() + pat.len()]);
        assert_eq!(end(row1, "88.00"), end(row2, "1.50"), "{out}");
        assert!(out.contains("注:\n- 金额单位:元"));
    }

    #[test]
    fn csv_has_a_bom_and_guards_spreadsheets() {
        let bytes = csv_bytes(&sample(), false);
        assert!(bytes.starts_with(BOM.as_bytes()));
        let s = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = s.trim_start_matches(BOM).lines().collect();
        assert_eq!(lines[0], "退款编号,金额,原因");
        assert_eq!(lines[1], "R1,88.00,尺码不合适");
        assert_eq!(lines[2], r#""=""260628000112345""",1.50,"'=HYPERLINK(""x"")""#);
    }

    #[test]
    fn gbk_csv_reads_back_to_the_same_text() {
        let gbk = csv_bytes(&sample(), true);
        assert!(!gbk.starts_with(BOM.as_bytes()));
        let (back, _, bad) = encoding_rs::GB18030.decode(&gbk);
        assert!(!bad);
        assert_eq!(back, csv_string(&sample()));
    }

    #[test]
    fn json_keeps_types() {
        let v = json(&sample());
        assert_eq!(v["report"], "test");
        assert_eq!(v["params"]["日期"], "2026-06-28");
        assert_eq!(v["sections"][0]["rows"][0]["amount"], json!(88.0));
        assert_eq!(v["sections"][0]["rows"][0]["refund_no"], "R1");
        assert_eq!(v["sections"][0]["columns"][2]["label"], "原因");
    }

    #[test]
    fn empty_tables_say_so() {
        let t = ReportTable::new("空", &[("a", "甲")]);
        assert_eq!(table_text(&t, 10), "(无)\n");
    }
}
