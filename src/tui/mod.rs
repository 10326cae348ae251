//! The seat screen: a ratatui TUI with three panes — ① 订单 the order queue, ② 售后
//! after-sales, ③ 快捷回复 standard replies — and a status bar. gitui-style: one app
//! loop (`app`), one `Action` enum, each pane a component that owns its state and turns
//! keys into actions; only the App talks to the store.

pub mod action;
pub mod app;
pub mod clipboard;
pub mod counts;
pub mod loaders;
pub mod panes;
pub mod report_worker;
pub mod search_worker;
pub mod sync_files;
pub mod sync_job;
pub mod sync_summary;
pub mod text;
pub mod ui;
pub mod widgets;

use std::io::{Write, stdout};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};

use crate::store::Store;
use app::App;
use counts::CountsSource;

/// Puts the terminal back: raw mode off, main screen, cursor shown.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, cursor::Show);
}

/// On a panic: restore the terminal first, then log the panic next to the database,
/// never on the screen.
fn install_panic_hook(log: PathBuf) {
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        let bt = std::backtrace::Backtrace::force_capture();
        let line = format!("[{}] kefu panic: {info}\n{bt}\n", chrono::Utc::now().to_rfc3339());
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&log) {
            let _ = f.write_all(line.as_bytes());
        }
    }));
}

/// `kefu.log` beside the database.
pub fn log_path(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.join("kefu.log"))
        .unwrap_or_else(|| PathBuf::from("kefu.log"))
}

/// Runs the seat screen until the agent quits.
pub fn run(store: Store, db_path: &Path) -> anyhow::Result<()> {
    let log = log_path(db_path);
    install_panic_hook(log.clone());
    let clock = store.clock().clone();
    let counts = CountsSource::spawn(db_path.to_path_buf(), clock.clone())?;
    let mut app = App::new(store, Box::new(move || clock.shop_now()), counts)?;
    app.set_report_worker(report_worker::ReportWorker::spawn(db_path.to_path_buf())?);
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen)?;
    let result = event_loop(&mut app);
    restore_terminal();
    if let Err(e) = &result {
        let line = format!("[{}] kefu error: {e:#}\n", chrono::Utc::now().to_rfc3339());
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&log) {
            let _ = f.write_all(line.as_bytes());
        }
    }
    result
}

fn event_loop(app: &mut App) -> anyhow::Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    loop {
        app.poll();
        terminal.draw(|f| ui::draw(f, app))?;
        for text in app.clipboard_out.drain(..) {
            clipboard::copy(terminal.backend_mut(), &text)?;
        }
        if app.should_quit {
            return Ok(());
        }
        // Short polls while a search runs, so results show as soon as they are ready;
        // a sync job's gauge moves ten times a second.
        let wait = if app.search_pending() || app.reports.pending.is_some() {
            Duration::from_millis(10)
        } else if app.sync_running() {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(250)
        };
        if event::poll(wait)? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => app.handle_key(k),
                Event::Paste(text) => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        app.handle_key(event::KeyEvent::from(event::KeyCode::Char(c)));
                    }
                }
                _ => {}
            }
            // Take every key already typed before drawing again.
            while event::poll(Duration::ZERO)? {
                if let Event::Key(k) = event::read()?
                    && k.kind != KeyEventKind::Release
                {
                    app.handle_key(k);
                }
                if app.should_quit {
                    return Ok(());
                }
            }
        }
    }
}
