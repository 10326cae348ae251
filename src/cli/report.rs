//! `kefu report daily|refunds|bad-reviews|damage|agents`: the supervisors' reports as an
//! aligned table (default), `--csv` (UTF-8 with BOM, opens in Excel), `--csv --gbk`
//! (GB18030 for older Excel) or `--json`, to stdout or `--out FILE`.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::out;
use crate::report::render::{Format, render};
use crate::report::{Period, Report, agents, bad_reviews, daily, damage, parse_date, refunds};
use crate::store::Store;
use chrono::NaiveDate;

#[derive(clap::Subcommand)]
pub enum Cmd {
    /// The day's refunds (applied or acted on that day) with reason, state and handler;
    /// orders shipped and overdue; bad reviews and damage reports of the day.
    Daily {
        /// The day (default: today), shop time.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Refunds applied in a period by reason, state and day; totals; median time to the first action.
    Refunds {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        out: Output,
    },
    /// The bad-review table: order, buyer, review, handler, contacts, remedy, outcome.
    BadReviews {
        /// Only reviews registered from this day.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// … up to this day (included).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Only reviews still being handled.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        out: Output,
    },
    /// The damage register (破损登记簿).
    Damage {
        /// Only reports filed from this day.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// … up to this day (included).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Per agent: cases handled, time to first action on refunds, bad reviews, memo lines, replies used.
    Agents {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(clap::Args)]
pub struct PeriodArgs {
    /// From this day (default: 30 days up to --until), shop time.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Up to this day, included (default: today).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
}

#[derive(clap::Args)]
pub struct Output {
    /// CSV for Excel (UTF-8 with BOM).
    #[arg(long)]
    csv: bool,
    /// With --csv: GBK (GB18030) for older Excel.
    #[arg(long, requires = "csv")]
    gbk: bool,
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Write to this file instead of the screen.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(store: &Store, cmd: Cmd) -> Result<()> {
    let now = store.clock().shop_now();
    let today = now.date();
    let (report, out) = match cmd {
        Cmd::Daily { date, out } => {
            let date = match date {
                Some(d) => parse_date(&d).map_err(anyhow::Error::msg)?,
                None => now.date(),
            };
            (daily::build(store, date, now)?, out)
        }
        Cmd::Refunds { period, out } => (refunds::build(store, period.parse(today)?)?, out),
        Cmd::BadReviews { since, until, open, out } => {
            (bad_reviews::build(store, optional_period(since, until, today)?, open)?, out)
        }
        Cmd::Damage { since, until, out } => (damage::build(store, optional_period(since, until, today)?)?, out),
        Cmd::Agents { period, out } => (agents::build(store, period.parse(today)?)?, out),
    };
    write(&report, &out)
}

impl PeriodArgs {
    fn parse(&self, today: NaiveDate) -> Result<Period> {
        Period::parse(self.since.as_deref(), self.until.as_deref(), 30, today).map_err(anyhow::Error::msg)
    }
}

/// No dates: everything. One or both: that period (an open end is the first day
/// recorded / today).
fn optional_period(since: Option<String>, until: Option<String>, today: NaiveDate) -> Result<Option<Period>> {
    if since.is_none() && until.is_none() {
        return Ok(None);
    }
    let since = since.unwrap_or_else(|| "2000-01-01".into());
    Ok(Some(Period::parse(Some(&since), until.as_deref(), 1, today).map_err(anyhow::Error::msg)?))
}

fn write(report: &Report, out: &Output) -> Result<()> {
    let format = if out.json {
        Format::Json
    } else if out.csv {
        Format::Csv { gbk: out.gbk }
    } else {
        Format::Text
    };
    let bytes = render(report, format, 60);
    match &out.out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("写不了 {}", path.display()))?;
            out::note(format!("已写入 {}", path.display()));
        }
        None => out::bytes(&bytes)?,
    }
    Ok(())
}
