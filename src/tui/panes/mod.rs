//! The three panes. Each owns its state, turns keys into `Action`s and draws itself;
//! none touches the store or another pane.

pub mod aftersales;
pub mod case_view;
pub mod dsr;
pub mod log;
pub mod order_detail;
pub mod order_forms;
pub mod postage;
pub mod queue;
pub mod replies;
pub mod reports;
pub mod sync_dialog;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::action::Action;

/// How a pane takes keys right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Global keys (Tab, 1/2/3, ?, q) work.
    Normal,
    /// A search box has the keys: every printable key is text.
    Typing,
    /// A form, picker or question is open over the screen and has every key.
    Modal,
}

pub trait Component {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action>;
    /// Draws the pane in its area.
    fn draw(&self, f: &mut Frame, area: Rect, focused: bool);
    /// Draws an open form/picker/question over the whole screen.
    fn draw_modal(&self, f: &mut Frame, screen: Rect);
    fn mode(&self) -> Mode;
    /// Key hints for the status bar.
    fn hints(&self) -> String;
    fn has_unsaved_input(&self) -> bool;
    /// The action the open form asked for was done.
    fn close_modal(&mut self);
    /// The action the open form asked for failed: show why, keep the form.
    fn form_error(&mut self, msg: String);
}

/// The border of a pane: bright when focused.
pub fn pane_block(title: &str, focused: bool) -> ratatui::widgets::Block<'static> {
    use ratatui::style::{Color, Modifier, Style};
    let style = if focused {
        Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(style)
        .title(ratatui::text::Span::styled(super::text::safe(title).into_owned(), style))
}
