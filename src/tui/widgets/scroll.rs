//! A scrollbar on a pane's right border, shown only when the content does not fit:
//! the border line is its track, so only the thumb stands out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::tui::panes::Ui;
use crate::tui::theme::Role;

/// `total` lines, `top` the first shown in `content`; drawn on `frame`'s right edge
/// beside `content`'s rows.
pub(crate) fn scrollbar(f: &mut Frame, frame: Rect, content: Rect, total: usize, top: usize, ui: &Ui) {
    let shown = content.height as usize;
    if total <= shown || frame.width == 0 || content.height == 0 {
        return;
    }
    let track = Rect::new(frame.x + frame.width - 1, content.y, 1, content.height);
    let mut state = ScrollbarState::new(total.saturating_sub(shown)).position(top).viewport_content_length(shown);
    let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
        .begin_symbol(None)
        .end_symbol(None)
        .track_symbol(Some("│"))
        .track_style(if ui.focused { ui.style(Role::BorderFocused) } else { ui.style(Role::Border) })
        .thumb_symbol("█")
        .thumb_style(ui.style(Role::Accent));
    f.render_stateful_widget(bar, track, &mut state);
}
