//! Reports for supervisors (客服主管) and the after-sales log, as plain data.
//!
//! Every report is a [`Report`]: a title, the parameters it was asked for, one or more
//! [`ReportTable`]s (title, columns, rows of typed [`Cell`]s) and notes that define what
//! was counted. Building a report reads the store and nothing else; turning it into
//! text, CSV or JSON is [`render`], the same for every report, so the TUI can show the
//! very same tables (and draw charts from the typed cells).
//!
//! - [`daily`]: the late shift's daily refund report (`001`).
//! - [`refunds`]: refunds over a period by reason and state, totals, response time.
//! - [`bad_reviews`]: the bad-review table (中差评登记).
//! - [`damage`]: the damage register (破损登记簿).
//! - [`agents`]: per-agent work and the KPIs kefu has data for.
//! - [`log`] and [`describe`]: the after-sales log with a readable line per event.
//! - before → after comes from the store's one fold of an entity's events (`store::fold`).
//!
//! Times: events are stored in UTC; days, periods and displayed times are shop time
//! (`domain::clock`, UTC+8 unless configured).

pub mod agents;
pub mod bad_reviews;
pub mod daily;
pub mod damage;
pub mod describe;
pub mod log;
pub mod refunds;
pub mod render;
pub mod stats;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde_json::Value;

use crate::domain::clock;
use crate::domain::event::format_at;
use crate::domain::money::format_yuan;
use crate::domain::timefmt::format_datetime;

/// A report: one or more tables plus what they mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Machine name (`daily`, `refunds`, `bad_reviews`, `damage`, `agents`).
    pub kind: &'static str,
    pub title: String,
    /// What the report was asked for, in order (`日期` → `2026-06-28`).
    pub params: Vec<(String, String)>,
    pub sections: Vec<ReportTable>,
    /// Definitions, limits and what could not be computed.
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(kind: &'static str, title: impl Into<String>) -> Report {
        Report { kind, title: title.into(), params: Vec::new(), sections: Vec::new(), notes: Vec::new() }
    }

    pub fn param(mut self, name: &str, value: impl Into<String>) -> Report {
        self.params.push((name.to_string(), value.into()));
        self
    }

    /// The section with this title.
    pub fn section(&self, title: &str) -> Option<&ReportTable> {
        self.sections.iter().find(|s| s.title == title)
    }
}

/// One table of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl ReportTable {
    pub fn new(title: impl Into<String>, columns: &[(&'static str, &'static str)]) -> ReportTable {
        ReportTable {
            title: title.into(),
            columns: columns.iter().map(|(key, label)| Column { key, label }).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}: row width", self.title);
        self.rows.push(row);
    }

    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The cell of row `row` in the column `key`.
    pub fn cell(&self, row: usize, key: &str) -> Option<&Cell> {
        self.rows.get(row)?.get(self.column(key)?)
    }

    /// Every row as display text (tests and quick comparisons).
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.iter().map(Cell::display).collect()).collect()
    }
}

/// A column: `key` names it in JSON (ASCII, stable), `label` is the Chinese header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
}

/// A typed value: text shows it, CSV writes its text, JSON keeps its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// An identifier (order, refund, tracking number): text, but kept intact by
    /// spreadsheets (long digit strings are written `="…"` in CSV).
    Code(String),
    Int(i64),
    /// Money in fen, shown as yuan (`88.00`).
    Yuan(i64),
    /// A ratio (0.25), shown as `25.0%`.
    Percent(f64),
    /// A duration in seconds, shown as `1小时5分`.
    Seconds(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn code(s: impl Into<String>) -> Cell {
        Cell::Code(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Cell {
        s.map(|s| Cell::Text(s.into())).unwrap_or(Cell::Empty)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Yuan(_) | Cell::Percent(_) | Cell::Seconds(_))
    }

    /// As shown in the terminal and written to CSV.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) | Cell::Code(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Yuan(f) => format_yuan(*f),
            Cell::Percent(p) => format!("{:.1}%", p * 100.0),
            Cell::Seconds(s) => stats::format_duration(*s),
        }
    }

    /// As written to JSON: numbers stay numbers (yuan as a decimal, a percent as a
    /// ratio, a duration in seconds), Empty is null.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Text(s) | Cell::Code(s) => Value::String(s.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Yuan(f) => serde_json::from_str(&format_yuan(*f)).unwrap_or(Value::Null),
            Cell::Percent(p) => {
                serde_json::Number::from_f64((p * 10000.0).round() / 10000.0).map(Value::Number).unwrap_or(Value::Null)
            }
            Cell::Seconds(s) => Value::from(*s),
        }
    }
}

/// A run of shop days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn day(d: NaiveDate) -> Period {
        Period { from: d, to: d }
    }

    /// `--since`/`--until` as typed: either may be missing (then the period is the
    /// `default_days` days up to `--until`, or up to today).
    pub fn parse(
        since: Option<&str>,
        until: Option<&str>,
        default_days: i64,
        today: NaiveDate,
    ) -> Result<Period, String> {
        let to = match until {
            Some(u) => parse_date(u)?,
            None => today,
        };
        let from = match since {
            Some(s) => parse_date(s)?,
            None => to - Duration::days(default_days.max(1) - 1),
        };
        if from > to {
            return Err(format!("开始日期 {from} 晚于结束日期 {to}"));
        }
        Ok(Period { from, to })
    }

    /// The first moment, shop time.
    pub fn shop_start(&self) -> NaiveDateTime {
        self.from.and_time(NaiveTime::MIN)
    }

    /// The moment after the last day ends (exclusive), shop time.
    pub fn shop_end(&self) -> NaiveDateTime {
        (self.to + Duration::days(1)).and_time(NaiveTime::MIN)
    }

    pub fn utc_start(&self) -> DateTime<Utc> {
        clock::shop_to_utc(self.shop_start())
    }

    pub fn utc_end(&self) -> DateTime<Utc> {
        clock::shop_to_utc(self.shop_end())
    }

    /// Bounds as the `events.at` column stores them (UTC, RFC 3339 ms).
    pub fn utc_text(&self) -> (String, String) {
        (format_at(self.utc_start()), format_at(self.utc_end()))
    }

    /// Bounds as the order/refund columns store platform times (shop time text).
    pub fn shop_text(&self) -> (String, String) {
        (format_datetime(self.shop_start()), format_datetime(self.shop_end()))
    }

    pub fn label(&self) -> String {
        if self.from == self.to { self.from.to_string() } else { format!("{} 至 {}", self.from, self.to) }
    }
}

/// A date as typed on the command line: `2026-06-28` or `2026/6/28`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim().replace('/', "-");
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| format!("日期 '{}' 看不懂:请写成 2026-06-28", text.trim()))
}

/// An event time (UTC, as stored) on the shop's clock.
pub fn shop_time(at: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(at).ok().map(|d| clock::to_shop(d.with_timezone(&Utc)))
}

/// An event time as the reports print it: `2026-06-28 10:05:03` (shop time).
pub fn shop_time_text(at: &str) -> String {
    shop_time(at).map(format_datetime).unwrap_or_else(|| at.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_and_serialize_by_type() {
        assert_eq!(Cell::Yuan(8850).display(), "88.50");
        assert_eq!(Cell::Yuan(8850).to_json(), serde_json::json!(88.5));
        assert_eq!(Cell::Percent(0.25).display(), "25.0%");
        assert_eq!(Cell::Percent(1.0 / 3.0).to_json(), serde_json::json!(0.3333));
        assert_eq!(Cell::Seconds(3900).display(), "1小时5分");
        assert_eq!(Cell::Seconds(3900).to_json(), serde_json::json!(3900));
        assert_eq!(Cell::Empty.to_json(), Value::Null);
        assert!(Cell::Int(1).is_numeric() && !Cell::code("1").is_numeric());
    }

    #[test]
    fn periods_are_shop_days() {
        let today = parse_date("2026-07-15").unwrap();
        let p = Period::parse(Some("2026-06-01"), Some("2026/6/30"), 30, today).unwrap();
        assert_eq!(p.label(), "2026-06-01 至 2026-06-30");
        assert_eq!(p.shop_text(), ("2026-06-01 00:00:00".to_string(), "2026-07-01 00:00:00".to_string()));
        // UTC+8: the shop's 1 June starts at 16:00 UTC on 31 May.
        assert_eq!(p.utc_text().0, "2026-05-31T16:00:00.000Z");
        assert!(Period::parse(Some("2026-07-01"), Some("2026-06-01"), 30, today).unwrap_err().contains("晚于"));
        assert!(Period::parse(Some("6月1日"), None, 30, today).unwrap_err().contains("看不懂"));
        let d = Period::parse(None, Some("2026-06-30"), 7, today).unwrap();
        assert_eq!(d.from.to_string(), "2026-06-24");
        let open_end = Period::parse(Some("2026-07-10"), None, 7, today).unwrap();
        assert_eq!(open_end.to, today, "no --until: up to the clock's today");
    }

    #[test]
    fn event_times_print_in_shop_time() {
        assert_eq!(shop_time_text("2026-06-28T02:05:03.123Z"), "2026-06-28 10:05:03");
        assert_eq!(shop_time_text("garbage"), "garbage");
    }
}
