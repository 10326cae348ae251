//! The panes. Each owns its state (private), turns keys into `Action`s through its
//! keymap, takes data in through `load`, says what it shows (`shown`) and draws itself;
//! none touches the store or another pane.

pub(crate) mod aftersales;
pub(crate) mod case_view;
pub(crate) mod dsr;
pub(crate) mod log;
pub(crate) mod order_detail;
pub(crate) mod order_forms;
pub(crate) mod postage;
pub(crate) mod queue;
pub(crate) mod replies;
pub(crate) mod reports;
pub(crate) mod sync_dialog;

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::action::Action;
use super::keymap::Keymaps;
use super::msg::FormId;
use super::refresh::Shown;
use super::theme::{Role, Theme};
use super::widgets::form::FormEvent;
use super::worker::WriteCmd;

/// How a pane takes keys right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Global keys (Tab, 1-5, ?, q) work.
    Normal,
    /// A search box has the keys: every printable key is text.
    Typing,
    /// A form, picker or question is open over the screen and has every key.
    Modal,
}

/// What drawing needs besides the pane: the palette, the keys (for hints in titles),
/// the time, and whether the pane has the focus.
pub(crate) struct Ui<'a> {
    pub(crate) theme: &'a Theme,
    pub(crate) keys: &'a Keymaps,
    pub(crate) now: NaiveDateTime,
    pub(crate) focused: bool,
}

impl Ui<'_> {
    pub(crate) fn style(&self, role: Role) -> ratatui::style::Style {
        self.theme.style(role)
    }
}

pub(crate) trait Pane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action>;
    /// Pasted text: into the box or form field that has the keys (never keys).
    fn paste(&mut self, _text: &str) -> Option<Action> {
        None
    }
    /// Draws the pane in its area.
    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui);
    /// Draws an open form/picker/question over the whole screen.
    fn draw_modal(&self, _f: &mut Frame, _screen: Rect, _ui: &Ui) {}
    fn mode(&self) -> Mode;
    /// Key hints for the status bar.
    fn hints(&self, keys: &Keymaps) -> String;
    fn has_unsaved_input(&self) -> bool {
        false
    }
    /// A write is leaving from the open form (if any): it waits (busy) for the answer
    /// numbered `serial`. Returns which form it is.
    fn sending(&mut self, _serial: u64) -> FormId {
        FormId::Key
    }
    /// The write numbered `serial` went through: close its form if still open.
    fn written(&mut self, _serial: u64) {}
    /// It failed: show why in its form, if still open (false: it is not).
    fn failed(&mut self, _serial: u64, _error: &str) -> bool {
        false
    }
    /// What it shows, each with the read that brings it up to date.
    fn shown(&self) -> Vec<Shown> {
        Vec::new()
    }
}

/// The border of a pane: bright when focused.
pub(crate) fn pane_block(title: &str, ui: &Ui) -> ratatui::widgets::Block<'static> {
    let style = if ui.focused { ui.style(Role::BorderFocused) } else { ui.style(Role::Border) };
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(style)
        .title(ratatui::text::Span::styled(super::text::safe(title).into_owned(), style))
}

/// The serial of the write the open form waits for, kept beside a pane's modal.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending(Option<u64>);

impl Pending {
    pub(crate) fn set(&mut self, serial: u64) {
        self.0 = Some(serial);
    }

    pub(crate) fn clear(&mut self) {
        self.0 = None;
    }

    /// True (and cleared) when `serial` is the one waited for.
    pub(crate) fn take(&mut self, serial: u64) -> bool {
        if self.0 == Some(serial) {
            self.0 = None;
            true
        } else {
            false
        }
    }

    /// The write `serial` went through: `modal` closes if it is the form that sent it.
    pub(crate) fn close<M>(&mut self, serial: u64, modal: &mut Option<M>) {
        if self.take(serial) {
            *modal = None;
        }
    }

    /// What a form's key means: Esc closes it (forgetting the write it waited for),
    /// Enter sends `cmd`.
    pub(crate) fn form_key<M>(&mut self, event: FormEvent, cmd: WriteCmd, modal: &mut Option<M>) -> Option<Action> {
        match event {
            FormEvent::Cancel => {
                *modal = None;
                self.clear();
                None
            }
            FormEvent::Submit => Some(Action::Write(cmd)),
            FormEvent::Changed | FormEvent::None => None,
        }
    }
}
