//! The terminal: raw mode, the alternate screen and bracketed paste on the way in, all
//! of it undone on the way out — after quitting, on a panic (the hook restores first,
//! then hands the panic to the hook that was there before, as `ratatui::init` does)
//! and on SIGTERM, SIGINT, SIGHUP or SIGQUIT (the loop restores and exits with 128 +
//! the signal; if the loop does not answer within two seconds, the signal thread
//! restores and exits itself). Keys and pastes are read on their own thread; kefu.log
//! beside the database gets what goes wrong (`tracing`).

use std::io::{Stdout, stdout};
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event, KeyEventKind};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};

use super::msg::Msg;
use super::runtime::Runtime;
use super::worker::Answer;

/// Puts the terminal back: paste mode off, raw mode off, main screen, cursor shown.
/// Safe to call more than once, from any thread.
pub(crate) fn restore_terminal() {
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
}

/// Logs to `path` (kefu.log beside the database), appending, at `level` and above.
/// Once per process.
pub(crate) fn init_logging(path: &Path, level: tracing::Level) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_owned()).unwrap_or_else(|| "kefu.log".into());
    let appender = tracing_appender::rolling::never(dir, name);
    let _ = tracing_subscriber::fmt().with_writer(appender).with_ansi(false).with_max_level(level).try_init();
}

/// The terminal in use.
pub(crate) struct Term {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    restored: bool,
}

impl Term {
    /// Raw mode, the alternate screen, bracketed paste; and a panic hook that restores
    /// the terminal first and then calls the hook that was there before.
    pub(crate) fn init() -> std::io::Result<Term> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            tracing::error!("kefu panic: {info}\n{}", std::backtrace::Backtrace::force_capture());
            previous(info);
        }));
        enable_raw_mode()?;
        if let Err(e) = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste) {
            restore_terminal();
            return Err(e);
        }
        let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
        terminal.clear()?;
        Ok(Term { terminal, restored: false })
    }

    pub(crate) fn draw(&mut self, rt: &Runtime) -> std::io::Result<()> {
        let t = std::time::Instant::now();
        self.terminal.draw(|f| rt.draw(f))?;
        tracing::debug!("frame: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
        Ok(())
    }

    /// Puts `text` on the clipboard: OSC 52 (crossterm's), and the system tool if any.
    pub(crate) fn copy(&mut self, text: &str) -> std::io::Result<()> {
        super::clipboard::copy(self.terminal.backend_mut(), text)
    }

    pub(crate) fn restore(&mut self) {
        if !self.restored {
            self.restored = true;
            restore_terminal();
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Reads keys and pastes on a thread of their own, into the runtime's channel.
pub(crate) fn read_input(tx: Sender<Answer>) -> std::io::Result<()> {
    std::thread::Builder::new().name("kefu-input".into()).spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Ok(Event::Paste(text)) => Msg::Paste(text),
                Ok(Event::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!("reading the terminal: {e}");
                    return;
                }
            };
            if tx.send(Answer::Update(msg)).is_err() {
                return;
            }
        }
    })?;
    Ok(())
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT end kefu the way quitting does, minus what is
/// unsaved: the loop restores the terminal and exits with 128 + the signal. A form's
/// input is dropped; a write or a sync import in progress is one transaction, so it is
/// there whole or not at all. Should the loop not answer in two seconds, this thread
/// restores the terminal and exits itself.
pub(crate) fn watch_signals(tx: Sender<Answer>) -> std::io::Result<()> {
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])?;
    std::thread::Builder::new().name("kefu-signals".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            tracing::warn!("signal {sig}");
            let _ = tx.send(Answer::Signal(sig));
            std::thread::sleep(Duration::from_secs(2));
            restore_terminal();
            std::process::exit(128 + sig);
        }
    })?;
    Ok(())
}
