//! Aligned terminal tables: columns measured in display cells, so Chinese and ASCII
//! line up; every cell is cleaned of control characters before it is printed.

use crate::domain::sanitize::clean_line;
use crate::domain::width::{fit, fit_right, width};

#[derive(Clone)]
pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
    max_width: usize,
}

impl Table {
    /// Headers ending in `>` are right-aligned (the `>` is not shown).
    pub fn new(headers: &[&str]) -> Table {
        Table {
            right: headers.iter().map(|h| h.ends_with('>')).collect(),
            headers: headers.iter().map(|h| h.trim_end_matches('>').to_string()).collect(),
            rows: Vec::new(),
            max_width: 40,
        }
    }

    /// The widest any column may grow (longer cells end in `…`).
    pub fn max_width(mut self, cells: usize) -> Table {
        self.max_width = cells.max(4);
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| clean_line(&c)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(width(c).min(self.max_width));
            }
        }
        let line = |cells: &[String]| -> String {
            let mut parts = Vec::with_capacity(n);
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).map(String::as_str).unwrap_or("");
                parts.push(if self.right[i] { fit_right(c, *w) } else { fit(c, *w) });
            }
            parts.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.headers);
        out.push('\n');
        out.push_str(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_ascii_columns_line_up() {
        let mut t = Table::new(&["买家", "金额>"]);
        t.row(vec!["王小明".into(), "88.00".into()]);
        t.row(vec!["lily_88".into(), "1288.00".into()]);
        t.row(vec!["\x1b[2J坏人".into(), "1.00".into()]);
        let out = t.render();
        let widths: Vec<usize> = out.lines().map(width).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{out}\n{widths:?}");
        assert!(!out.contains('\x1b'));
    }
}
