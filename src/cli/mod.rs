//! The `kefu` command line. Each subcommand lives in its own file; this one parses,
//! opens the database and dispatches. Errors print one clear line and exit non-zero.
//! Everything printed goes through `out`, which cleans it; a reader that goes away
//! (`kefu log | head`) ends the command quietly.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod case;
mod demo;
mod dsr;
mod import;
mod log;
mod memo;
mod orders;
pub mod out;
mod refund;
mod replies;
mod replies_io;
mod report;
mod seats;
mod sync;
pub mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::domain::event::Actor;
use crate::store::{Store, StoreError, default_db_path};

#[derive(Parser)]
#[command(name = "kefu", version, about = "客服工作台 — 淘宝/天猫客服的终端工作台", long_about = None)]
pub struct Cli {
    /// Database file (default: $KEFU_DB, else the platform data dir). Created empty if missing.
    #[arg(long, global = true, env = "KEFU_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is working (recorded with every change).
    #[arg(long, global = true, env = "KEFU_AGENT", value_name = "NAME")]
    pub agent: Option<String>,
    /// Which seat (workstation) this is.
    #[arg(long, global = true, env = "KEFU_SEAT", value_name = "NAME")]
    pub seat: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `--agent` / `--seat` were typed on the command line (not taken from the
    /// environment): `kefu log` uses them as filters.
    #[arg(skip)]
    pub typed: (bool, bool),
}

#[derive(Subcommand)]
pub enum Command {
    /// List the order queue, most urgent first.
    Orders(orders::Args),
    /// Add a memo line to an order and/or set its flag.
    Memo(memo::Args),
    /// Refund cases: record, act, list, show.
    #[command(subcommand)]
    Refund(refund::Cmd),
    /// Fill the database with generated demo data (refuses a database that already holds orders).
    Demo(demo::Args),
    /// Import a seller-centre order export, .csv or .xlsx (ExportOrderList… [ExportOrderDetailList…]).
    ///
    /// Each file may be a CSV (GBK/GB18030 or UTF-8, detected) or an .xlsx workbook (detected
    /// by content, whatever its name; the first sheet with an order header is read, dates
    /// and numbers as Excel shows them). Columns are found by header name; bad rows are
    /// reported by line (an xlsx's row number) while the good rows import, all in one
    /// transaction; importing the same file again changes nothing.
    ImportOrders(import::OrdersArgs),
    /// Import a seller-centre refund export (.csv or .xlsx), keyed by 退款编号.
    ImportRefunds(import::RefundsArgs),
    /// Exchanges, bad reviews and damage/loss reports.
    #[command(subcommand)]
    Case(case::Cmd),
    /// Who pays the postage, for an order and a case.
    Postage(case::PostageArgs),
    /// Standard replies (快捷短语).
    #[command(subcommand)]
    Replies(RepliesCmd),
    /// The after-sales log, newest first (`--agent`/`--seat` filter it); `log verify` checks the hash chains.
    Log(log::Args),
    /// Supervisors' reports: daily, refunds, bad-reviews, damage, agents (table, --csv [--gbk], --json).
    #[command(subcommand)]
    Report(report::Cmd),
    /// DSR score and the five-star ratings needed to reach a target.
    Dsr(dsr::Args),
    /// Write this database's events to a sync file for other seats.
    Export(sync::ExportArgs),
    /// Bring in other seats' sync files (each verified as a whole first).
    Import(sync::ImportArgs),
    /// Exchange files with the other seats through a shared folder.
    Sync(sync::SyncArgs),
    /// List sync conflicts, or record how one was resolved.
    Conflicts(sync::ConflictsArgs),
    /// Every seat this database knows: its agents, events, and clock as last observed.
    Seats(seats::Args),
}

#[derive(Subcommand)]
pub enum RepliesCmd {
    /// Search replies as the reply pane does, best first.
    Search(replies::SearchArgs),
    /// Import a Qianniu quick-phrase CSV (快捷短语编码,快捷短语,快捷短语分组), matched by code.
    Import(replies_io::ImportArgs),
    /// Export every reply as a Qianniu quick-phrase CSV (UTF-8 with BOM; --gbk for GB18030).
    Export(replies_io::ExportArgs),
}

pub fn main() -> ExitCode {
    let parsed = Cli::command().try_get_matches().and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (mut cli, matches) = match parsed {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let typed = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    cli.typed = (typed("agent"), typed("seat"));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if out::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            out::note(format!("错误:{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Help and version as clap prints them; a usage error cleaned first, since clap
/// quotes what was typed (`kefu orders --limit $'\e]0;…'`).
fn usage_error(e: clap::Error) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    if code == 0 {
        // A closed pipe (`kefu --help | head -1`) leaves nothing to say.
        let _ = e.print();
    } else {
        out::note(e.render().to_string().trim_end());
    }
    ExitCode::from(code)
}

fn run(cli: Cli) -> Result<()> {
    if let Some(Command::Dsr(a)) = cli.command {
        return dsr::run(a);
    }
    let explicit_db = cli.db.is_some();
    let path = cli.db.clone().unwrap_or_else(default_db_path);
    // The one clock: `KEFU_NOW` is read here, once; everything below is handed it.
    let clock = crate::domain::clock::Clock::from_env().map_err(anyhow::Error::msg)?;
    let mut store = open(&path, &cli)?;
    store.set_clock(clock);
    // First run: the default database (neither --db nor KEFU_DB) holding no events is
    // filled with the demo; any other file stays as it is.
    if cli.command.is_none() && !explicit_db && store.is_empty()? {
        out::note(format!("首次运行:在 {} 填入演示数据({} 个订单)", path.display(), crate::demo::DEFAULT_ORDERS));
        let opts = crate::demo::DemoOptions::at(store.clock().shop_now());
        crate::demo::fill(&mut store, &opts)?;
    }
    match cli.command {
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            crate::tui::run(store, &path, &crate::config::Config::load())
        }
        None => summary(&mut store, explicit_db),
        Some(Command::Orders(a)) => orders::run(&store, a),
        Some(Command::Memo(a)) => memo::run(&mut store, a),
        Some(Command::Refund(c)) => refund::run(&mut store, c),
        Some(Command::ImportOrders(a)) => import::run_orders(&mut store, a),
        Some(Command::ImportRefunds(a)) => import::run_refunds(&mut store, a),
        Some(Command::Case(c)) => case::run(&mut store, c),
        Some(Command::Postage(a)) => case::postage(&store, a),
        Some(Command::Replies(RepliesCmd::Search(a))) => replies::search(&store, a),
        Some(Command::Replies(RepliesCmd::Import(a))) => replies_io::import(&mut store, a),
        Some(Command::Replies(RepliesCmd::Export(a))) => replies_io::export(&store, a),
        Some(Command::Demo(a)) => demo::run(&mut store, a),
        Some(Command::Log(a)) => {
            let agent = cli.typed.0.then(|| cli.agent.clone()).flatten();
            let seat = cli.typed.1.then(|| cli.seat.clone()).flatten();
            log::run(&store, a, agent, seat)
        }
        Some(Command::Report(c)) => report::run(&store, c),
        Some(Command::Dsr(a)) => dsr::run(a),
        Some(Command::Export(a)) => sync::export(&mut store, a),
        Some(Command::Import(a)) => sync::import(&mut store, a),
        Some(Command::Sync(a)) => sync::sync_dir(&mut store, a),
        Some(Command::Conflicts(a)) => sync::conflicts(&mut store, a),
        Some(Command::Seats(a)) => seats::run(&store, a),
    }
}

/// Opens the database and works out who is at the keyboard.
pub fn open(path: &std::path::Path, cli: &Cli) -> Result<Store> {
    let agent = cli
        .agent
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .map(|a| crate::domain::sanitize::clean_line(&a))
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "客服".to_string());
    let mut store = Store::open(path, Actor::new(agent.clone(), "pending")).map_err(|e| match e {
        // SQLite's or the system's words alone would not say which file.
        StoreError::Sqlite(_) | StoreError::Io(_) => {
            anyhow::Error::new(e).context(format!("打不开数据库 {}", path.display()))
        }
        named => named.into(),
    })?;
    let seat = match cli.seat.clone().map(|s| crate::domain::sanitize::clean_line(&s)).filter(|s| !s.is_empty()) {
        Some(s) => s,
        None => match store.meta("seat")? {
            Some(s) => s,
            None => {
                let s = default_seat_name();
                // A read-only database is only read: its seat name is not kept.
                if !store.is_read_only() {
                    store.set_meta("seat", &s)?;
                }
                s
            }
        },
    };
    store.set_actor(Actor::new(agent, seat));
    Ok(store)
}

fn default_seat_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| crate::domain::sanitize::clean_line(&h))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "local".to_string());
    format!("seat-{host}")
}

fn summary(store: &mut Store, _explicit_db: bool) -> Result<()> {
    let now = store.clock().shop_now();
    out::line(format!("kefu 客服工作台 — 数据库 {}", store.path()))?;
    out::line(format!(
        "  订单 {} · 待发货 {} · 已超时 {} · 待处理退款 {} · 中差评处理中 {} · 事件 {}",
        store.order_count()?,
        store.to_ship_count()?,
        store.overdue_count(now)?,
        store.refunds_waiting_count()?,
        store.open_bad_review_count()?,
        store.event_count()?
    ))?;
    out::line(format!("  席位 {} · 客服 {}", store.actor().seat, store.actor().agent))?;
    out::line("命令:kefu --help")?;
    Ok(())
}
