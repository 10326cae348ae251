//! A reply's text with its placeholders filled, as styled lines: the one rendering the
//! replies pane's preview and `kefu pick` share.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::placeholders::{Piece, PlaceholderValues, fill_pieces};
use crate::tui::text::safe;

/// The styles of the three kinds of piece: plain text, a filled value, a missing one.
pub(crate) struct PieceStyles {
    pub text: Style,
    pub filled: Style,
    pub missing: Style,
}

/// `text` filled from `values`, split into lines at its newlines, every piece cleaned.
pub(crate) fn filled_lines(text: &str, values: &PlaceholderValues, styles: &PieceStyles) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    for p in fill_pieces(text, values) {
        let style = match &p {
            Piece::Text(_) => styles.text,
            Piece::Filled(_) => styles.filled,
            Piece::Missing(_) => styles.missing,
        };
        let mut parts = p.text().split('\n').peekable();
        while let Some(part) = parts.next() {
            cur.push(Span::styled(safe(part).into_owned(), style));
            if parts.peek().is_some() {
                lines.push(Line::from(std::mem::take(&mut cur)));
            }
        }
    }
    lines.push(Line::from(cur));
    lines
}
