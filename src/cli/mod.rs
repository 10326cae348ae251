//! The `kefu` command line. Each subcommand lives in its own file; this one parses,
//! opens the database and dispatches. Errors print one clear line and exit non-zero.
//! Everything printed goes through `out`, which cleans it; a reader that goes away
//! (`kefu log | head`) ends the command quietly.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod case;
mod config;
mod demo;
mod dsr;
mod hub;
mod import;
mod log;
mod memo;
mod orders;
pub mod out;
mod pick;
mod progress;
mod refund;
mod replies;
mod replies_io;
mod report;
mod seats;
mod shop;
mod sync;
pub mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::domain::event::Actor;
use crate::store::{Store, StoreError, default_db_path};

#[derive(Parser)]
#[command(name = "kefu", version, about = "客服工作台 — 淘宝/天猫客服的终端工作台", long_about = None)]
pub struct Cli {
    /// Database file (default: $KEFU_DB, else `db` in the config file, else the platform data dir). Created empty if missing.
    #[arg(long, global = true, env = "KEFU_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is working (recorded with every change; else KEFU_AGENT, else `agent` in the config file).
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
    /// Where `--agent`, `--db` and `--seat` came from (flag or environment).
    #[arg(skip)]
    pub sources: (Option<ValueSource>, Option<ValueSource>, Option<ValueSource>),
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
    /// Pick a reply in a small picker under the prompt (for a tmux popup or a hotkey
    /// terminal): type Chinese, pinyin or initials, Enter copies it and counts the use,
    /// Esc exits 130.
    Pick(pick::Args),
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
    /// Every seat this database knows: its key, agents, events, and clock as last observed; `seats export` / `seats trust` hand keys out.
    Seats(seats::Args),
    /// The settings in force and where each came from; `config set agent 宾` writes your config file.
    Config(config::Args),
    /// The shop's settings, shared by every seat; `shop set KEY VALUE` changes one for everybody.
    Shop(shop::Args),
    /// The shop hub on PostgreSQL: init, add-seat, remove-seat, connect, sync, status.
    #[command(subcommand)]
    Hub(hub::Cmd),
}

impl Command {
    /// Whether the command records this seat's own events (and so needs to know who is working).
    fn writes(&self) -> bool {
        if self.dry_run() {
            return false;
        }
        match self {
            Command::Memo(_)
            | Command::ImportOrders(_)
            | Command::ImportRefunds(_)
            | Command::Replies(RepliesCmd::Import(_)) => true,
            Command::Refund(c) => c.writes(),
            Command::Case(c) => c.writes(),
            Command::Conflicts(a) => a.writes(),
            Command::Shop(a) => shop::writes(a),
            // the demo signs with its own agents; a sync import brings other seats' events
            _ => false,
        }
    }
}

impl Command {
    /// An import asked only to say what it would do (`--dry-run`): it writes nothing,
    /// creates no database, and needs nobody's name.
    fn dry_run(&self) -> bool {
        match self {
            Command::ImportOrders(a) => a.dry.dry_run,
            Command::ImportRefunds(a) => a.dry.dry_run,
            Command::Replies(RepliesCmd::Import(a)) => a.dry.dry_run,
            _ => false,
        }
    }
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
    let source = |id: &str| matches.value_source(id);
    cli.typed = (source("agent") == Some(ValueSource::CommandLine), source("seat") == Some(ValueSource::CommandLine));
    cli.sources = (source("agent"), source("db"), source("seat"));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if out::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<ExitWith>().is_some() => {
            let code = e.downcast_ref::<ExitWith>().map_or(1, |x| x.code);
            out::note(format!("{e:#}"));
            ExitCode::from(code)
        }
        Err(e) if e.downcast_ref::<pick::Cancelled>().is_some() => ExitCode::from(pick::CANCELLED),
        Err(e) => {
            out::note(format!("错误:{e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// A command that did its work but ends with an exit code of its own (`log verify`'s 3).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitWith {
    pub code: u8,
    pub message: String,
}

/// Where a personal setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag(&'static str),
    Env(&'static str),
    /// The personal config file, at this line.
    File {
        line: usize,
    },
    /// This database remembers it (the seat name).
    Database,
    /// assets/defaults.toml, or the platform's data dir for the database.
    Default,
    Unset,
}

impl Origin {
    pub fn describe(&self) -> String {
        match self {
            Origin::Flag(f) => format!("命令行 {f}"),
            Origin::Env(v) => format!("环境变量 {v}"),
            Origin::File { line } => format!("配置文件第 {line} 行"),
            Origin::Database => "数据库(首次打开时取的名字)".into(),
            Origin::Default => "默认(assets/defaults.toml)".into(),
            Origin::Unset => "未设置".into(),
        }
    }

    fn of(source: Option<ValueSource>, flag: &'static str, env: &'static str) -> Origin {
        match source {
            Some(ValueSource::EnvVariable) => Origin::Env(env),
            _ => Origin::Flag(flag),
        }
    }
}

/// Who is at the keyboard, which database, and where each came from.
pub struct Who {
    pub agent: Option<String>,
    pub agent_from: Origin,
    pub db: PathBuf,
    pub db_from: Origin,
    pub seat_from: Origin,
    pub config: crate::config::Config,
}

impl Who {
    /// `--agent`/`KEFU_AGENT`, else the config file; `--db`/`KEFU_DB`, else the config
    /// file, else the platform data dir. `$USER` is never taken for an agent's name.
    fn resolve(cli: &Cli, config: crate::config::Config) -> Result<Who> {
        let (agent, agent_from) = match &cli.agent {
            Some(a) => {
                let name = crate::domain::agent::check_agent_name(a).map_err(anyhow::Error::msg)?;
                (Some(name), Origin::of(cli.sources.0, "--agent", "KEFU_AGENT"))
            }
            None => match &config.agent {
                Some(s) => (Some(s.value.clone()), Origin::File { line: s.line }),
                None => (None, Origin::Unset),
            },
        };
        let (db, db_from) = match (&cli.db, config.db_path()) {
            (Some(p), _) => (p.clone(), Origin::of(cli.sources.1, "--db", "KEFU_DB")),
            (None, Some(p)) => (p, Origin::File { line: config.db.as_ref().map_or(0, |s| s.line) }),
            (None, None) => (default_db_path(), Origin::Default),
        };
        let seat_from = match cli.seat {
            Some(_) => Origin::of(cli.sources.2, "--seat", "KEFU_SEAT"),
            None => Origin::Database,
        };
        Ok(Who { agent, agent_from, db, db_from, seat_from, config })
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
    // The hub's administration talks to the server only: no local database is opened.
    if let Some(Command::Hub(c)) = &cli.command
        && c.is_admin()
    {
        return hub::run_admin(c.clone());
    }
    let config = crate::config::Config::load();
    for p in &config.problems {
        out::note(format!("提示:{p}"));
    }
    let who = Who::resolve(&cli, config)?;
    if let Some(Command::Config(config::Args { cmd: Some(config::Cmd::Set { key, value }) })) = &cli.command {
        return config::set(&who, key, value);
    }
    if cli.command.as_ref().is_some_and(Command::writes) && who.agent.is_none() {
        match who.config.problem_with("agent") {
            Some(p) => bail!("{}\n(配置文件里的名字没法用:{p})", crate::store::NO_AGENT),
            None => bail!("{}", crate::store::NO_AGENT),
        }
    }
    let path = who.db.clone();
    // The one clock: `KEFU_NOW` is read here, once; everything below is handed it.
    let clock = crate::domain::clock::Clock::from_env().map_err(anyhow::Error::msg)?;
    let dry_run = cli.command.as_ref().is_some_and(Command::dry_run);
    let mut store = if dry_run { open_dry_run(&path, &cli, &who)? } else { open(&path, &cli, &who)? };
    store.set_clock(clock);
    // First run: the default database (neither --db, KEFU_DB nor the config file) holding
    // no events is filled with the demo; any other file stays as it is.
    if cli.command.is_none() && who.db_from == Origin::Default && store.is_empty()? {
        out::note(format!("首次运行:在 {} 填入演示数据({} 个订单)", path.display(), crate::demo::DEFAULT_ORDERS));
        let opts = crate::demo::DemoOptions::at(store.clock().shop_now());
        crate::demo::fill(&mut store, &opts)?;
    }
    let explicit_db = who.db_from != Origin::Default;
    if matches!(cli.command, Some(Command::Pick(_))) && who.agent.is_none() && !pick::prints(&cli) {
        let name = ask_agent_name(&who)?;
        let seat = store.actor().seat.clone();
        store.set_actor(Actor::new(name, seat));
    }
    match cli.command {
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            if who.agent.is_none() {
                let name = ask_agent_name(&who)?;
                let seat = store.actor().seat.clone();
                store.set_actor(Actor::new(name, seat));
            }
            crate::tui::run(store, &path, &who.config)
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
        Some(Command::Pick(a)) => pick::run(&mut store, a, &who.config),
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
        Some(Command::Seats(a)) => seats::run(&mut store, a),
        Some(Command::Config(_)) => config::show(&store, &who),
        Some(Command::Shop(a)) => shop::run(&mut store, a),
        Some(Command::Hub(c)) => hub::run(&mut store, c),
    }
}

/// The seat screen's first start on this computer: who is working? The answer goes into
/// the config file, so it is asked once.
fn ask_agent_name(who: &Who) -> Result<String> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    if !std::io::IsTerminal::is_terminal(&stdin) {
        bail!("{}", crate::store::NO_AGENT);
    }
    out::line(
        "欢迎使用 kefu。每条改动(备注、退款、售后)都会记下是谁做的,备注末尾也写你的名字(如 6-28联系工号851更改地址,已更改 宾)。",
    )?;
    loop {
        out::text("你的名字:")?;
        std::io::stdout().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            bail!("没有输入名字,已退出。也可以先运行:kefu config set agent 你的名字");
        }
        match crate::config::set(&who.config.file, crate::config::PersonalKey::Agent, &line) {
            Ok(name) => {
                out::line(format!(
                    "已记下:{name}(写在 {};改名:kefu config set agent 新名字)",
                    who.config.file.display()
                ))?;
                return Ok(name);
            }
            Err(e) if e.line.is_some() => return Err(e.into()),
            Err(e) => out::line(&e.message)?,
        }
    }
}

/// Opens the database and works out who is at the keyboard (an agent not known yet is
/// empty: the store refuses to record for nobody).
fn open(path: &std::path::Path, cli: &Cli, who: &Who) -> Result<Store> {
    let agent = who.agent.clone().unwrap_or_default();
    let mut store = Store::open(path, Actor::new(agent.clone(), "pending")).map_err(|e| match e {
        // SQLite's or the system's words alone would not say which file.
        StoreError::Sqlite(_) | StoreError::Io(_) => {
            anyhow::Error::new(e).context(format!("打不开数据库 {}", path.display()))
        }
        named => named.into(),
    })?;
    // In `kefu log`, `--seat` is a filter; elsewhere it may only name this database's seat.
    let wanted = match cli.command {
        Some(Command::Log(_)) => None,
        _ => cli.seat.as_deref().map(crate::domain::sanitize::clean_line).filter(|s| !s.is_empty()),
    };
    let identity = store.take_seat(path, wanted.as_deref(), default_seat_name)?;
    for n in &identity.notes {
        out::note(n);
    }
    store.set_actor(Actor::new(agent, identity.seat));
    Ok(store)
}

/// The database for a dry run, which must not change it: an existing file is opened
/// as it is (nothing is written to it: the import's transaction is rolled back, and no
/// seat name is kept), a missing one is not created (an empty one in memory stands in).
/// Nobody's name is needed: an unnamed agent is a placeholder no event outlives.
fn open_dry_run(path: &std::path::Path, cli: &Cli, who: &Who) -> Result<Store> {
    let agent = who.agent.clone().unwrap_or_else(|| "试运行".to_string());
    let seat = cli.seat.clone().map(|s| crate::domain::sanitize::clean_line(&s)).filter(|s| !s.is_empty());
    if !path.exists() {
        let store = Store::open_in_memory(Actor::new(agent, seat.unwrap_or_else(default_seat_name)))?;
        return Ok(store);
    }
    let mut store = Store::open_unchanged(path, Actor::new(agent.clone(), "pending"))
        .map_err(|e| anyhow::Error::new(e).context(format!("打不开数据库 {}", path.display())))?;
    let seat = match seat {
        Some(s) => s,
        None => store.meta("seat")?.unwrap_or_else(default_seat_name),
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
    let agent = if store.actor().agent.is_empty() { "(未设置)" } else { &store.actor().agent };
    out::line(format!("  席位 {} · 客服 {agent}", store.actor().seat))?;
    out::line("命令:kefu --help")?;
    Ok(())
}
