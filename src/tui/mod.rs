//! The seat screen: a ratatui TUI with three panes — ① 订单 the order queue, ② 售后
//! after-sales, ③ 快捷回复 standard replies — two full-screen views (④ 日志, ⑤ 报表)
//! and a status bar.
//!
//! Elm-style: `App::update(msg) -> Vec<Cmd>` is the whole of the screen's logic and
//! touches neither the store nor the terminal. A store worker thread owns the `Store`
//! (`worker`), the reply index has its own thread (`search_worker`), and the `Runtime`
//! carries commands out and answers back. What to read again after a write is a lookup:
//! each pane says what it shows (`refresh`), the store says what changed (`ChangeSet`).
//! Keys are data (`keymap`), colours are roles (`theme`).

pub(crate) mod action;
pub(crate) mod app;
pub mod clipboard;
pub(crate) mod counts;
pub(crate) mod keymap;
pub(crate) mod msg;
pub(crate) mod panes;
pub mod pick;
pub(crate) mod refresh;
pub mod runtime;
pub(crate) mod search_worker;
pub mod sync_files;
pub(crate) mod sync_job;
pub(crate) mod sync_summary;
mod terminal;
pub(crate) mod text;
pub(crate) mod theme;
pub(crate) mod widgets;
pub(crate) mod worker;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use action::PaneId;
pub use runtime::Runtime;

use crate::store::Store;

/// `kefu.log` beside the database.
pub fn log_path(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.join("kefu.log"))
        .unwrap_or_else(|| PathBuf::from("kefu.log"))
}

/// The key bindings, with the personal config file's `[keys]` applied; what could not
/// be applied is returned to be shown (and logged), never fatal.
fn keymaps(keys: &crate::config::KeyBindings) -> (keymap::Keymaps, Vec<String>) {
    let mut k = keymap::Keymaps::default();
    let problems = k.apply(keys);
    (k, problems)
}

/// Runs the seat screen until the agent quits (or a signal ends it: the terminal is
/// restored and kefu exits with 128 + the signal's number).
/// The theme the personal config asks for (`NO_COLOR` honoured), and what it could not use.
pub(crate) fn theme_of(config: &crate::config::Config) -> (theme::Theme, Vec<String>) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let name = config.theme.as_ref().map(|t| (t.value.as_str(), t.line));
    theme::Theme::from_config(name, &config.colors, no_color)
}

pub fn run(store: Store, db_path: &Path, config: &crate::config::Config) -> anyhow::Result<()> {
    // KEFU_LOG=debug traces every key, write, read and frame, with times, into kefu.log.
    let level = std::env::var("KEFU_LOG").ok().and_then(|l| l.parse().ok()).unwrap_or(tracing::Level::INFO);
    terminal::init_logging(&log_path(db_path), level);
    // The file's own problems were said on the way in (cli); these are the bindings'.
    let (keys, mut problems) = keymaps(&config.keys);
    let (theme, theme_problems) = theme_of(config);
    problems.extend(theme_problems);
    for p in &problems {
        tracing::warn!("config: {p}");
    }
    let mut rt = Runtime::with_config(store, keys, theme, &problems)?;
    let mut term = terminal::Term::init()?;
    terminal::watch_signals(rt.sender())?;
    terminal::read_input(rt.sender())?;
    let result = event_loop(&mut rt, &mut term);
    if let Some(sig) = rt.signal() {
        term.restore();
        tracing::warn!("ended by signal {sig}; the terminal is restored, nothing half-written is kept");
        std::process::exit(128 + sig);
    }
    term.restore();
    if let Err(e) = &result {
        tracing::error!("kefu error: {e:#}");
    }
    result
}

fn event_loop(rt: &mut Runtime, term: &mut terminal::Term) -> anyhow::Result<()> {
    let mut last_tick = Instant::now();
    loop {
        if rt.signal().is_some() {
            return Ok(());
        }
        if rt.take_dirty() {
            term.draw(rt)?;
        }
        for text in rt.take_clipboard() {
            term.copy(&text)?;
        }
        if rt.should_quit() {
            return Ok(());
        }
        let tick = Duration::from_secs(1);
        rt.pump(tick.saturating_sub(last_tick.elapsed()));
        if last_tick.elapsed() >= tick {
            rt.tick();
            last_tick = Instant::now();
        }
    }
}
