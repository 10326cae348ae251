//! Rendering: every size without a panic, CJK columns line up, hostile nicks are
//! harmless, the search cursor sits after Chinese text.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use kefu::domain::width::width;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::{Position, Rect};
use tui_support::*;

fn draw(app: &kefu::tui::Runtime, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    term
}

#[test]
fn every_size_from_1x1_to_130x45_renders() {
    let mut app = app();
    // A few states: list, detail with a form open, case view, help.
    let scripts = ["", "/2606260004<Enter><Enter>d", "<Esc><Esc>2<Enter>", "w", "<Esc><Enter>", "<Esc><Esc>3/yfx", "?"];
    for s in scripts {
        keys(&mut app, s);
        for w in 1..=130 {
            for h in 1..=45 {
                let term = draw(&app, w, h);
                if w < 40 || h < 10 {
                    assert!(buffer_text(term.backend().buffer()).contains('终') || w < 8 || h < 1, "{w}×{h}");
                }
            }
        }
    }
}

#[test]
fn queue_columns_line_up_with_mixed_text() {
    let app = app();
    let term = draw(&app, 120, 40);
    let text = buffer_text(term.backend().buffer());
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("06-2")).take(6).collect();
    assert!(rows.len() >= 5, "{text}");
    // The paid-time column starts at the same display column on every row.
    let col = |l: &str| {
        let i = l.find("06-2").unwrap();
        width(&l[..i])
    };
    let first = col(rows[0]);
    for r in &rows {
        assert_eq!(col(r), first, "misaligned row: {r}\n{text}");
    }
    // Every line is exactly the screen width in cells (nothing spills).
    for l in text.lines().take(39) {
        assert!(width(l) <= 120, "{l}");
    }
}

#[test]
fn an_escape_code_nick_renders_harmlessly() {
    let app = app();
    let term = draw(&app, 120, 40);
    let buf = term.backend().buffer();
    for cell in buf.content() {
        assert!(!cell.symbol().chars().any(|c| c.is_control()), "control character in {:?}", cell.symbol());
    }
    let text = buffer_text(buf);
    assert!(text.contains("坏人"), "{text}");
    assert!(!text.contains("]0;x"), "{text}");
}

#[test]
fn search_cursor_sits_after_chinese_text() {
    let mut app = app();
    keys(&mut app, "3/运费");
    let mut term = draw(&app, 120, 40);
    let text = buffer_text(term.backend().buffer());
    let (y, line) = text.lines().enumerate().find(|(_, l)| l.contains("搜索 / 运费")).expect(&text);
    let x = width(&line[..line.find("运费").unwrap()]) + 4;
    term.backend_mut().assert_cursor_position(Position::new(x as u16, y as u16));
}

#[test]
fn truncation_never_splits_a_character_in_panes() {
    let app = app();
    for w in [40u16, 61, 79, 80, 99, 121] {
        let term = draw(&app, w, 24);
        let buf = term.backend().buffer();
        // A wide character never starts in the last column of a pane's row.
        for y in 0..buf.area.height {
            let last = &buf[(w - 1, y)];
            assert!(width(last.symbol()) <= 1, "wide char cut at the edge: {w} row {y}");
        }
        let _ = Rect::new(0, 0, w, 24);
    }
}

#[test]
fn replies_highlight_matches() {
    let mut app = app();
    keys(&mut app, "3/yfx");
    let term = draw(&app, 120, 40);
    let buf = term.backend().buffer();
    let highlighted: String = buf
        .content()
        .iter()
        .filter(|c| c.bg == ratatui::style::Color::Yellow && c.fg == ratatui::style::Color::Black)
        .map(|c| c.symbol().to_string())
        .collect();
    assert!(highlighted.contains("yfx"), "highlighted: {highlighted:?}");
}
