//! Drawing the whole screen from the App's state: three panes side by side at 120×30
//! and up, tabs below that, "terminal too small" under 40×10.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action::PaneId;
use super::app::App;
use super::panes::Component;
use super::widgets::{help, popup, status::StatusBar};
use crate::domain::clock::shift_label;

pub const MIN_W: u16 = 40;
pub const MIN_H: u16 = 10;
pub const WIDE_W: u16 = 120;
pub const WIDE_H: u16 = 30;

pub fn draw(f: &mut Frame, app: &App) {
    draw_screen(f, app);
    // The last line of defence: whatever a pane drew, nothing unsafe reaches the terminal.
    super::text::scrub(f.buffer_mut());
}

fn draw_screen(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_W || area.height < MIN_H {
        let msg = format!("终端太小 terminal too small\n{}×{},至少 {MIN_W}×{MIN_H}", area.width, area.height);
        // Wrapped by display width here: a wide character never straddles the edge.
        let msg = if area.width < 2 { "terminal too small".to_string() } else { msg };
        let lines: Vec<Line> = super::text::wrap(&msg, area.width as usize).into_iter().map(Line::raw).collect();
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let [main, bar] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if app.focus.full_screen() && area.width >= WIDE_W && area.height >= WIDE_H {
        // ④ and ⑤ are full-screen views over the three seat panes; 1/2/3 go back.
        let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(main);
        draw_tabs(f, tabs, app.focus);
        app.focused().draw(f, body, true);
    } else if area.width >= WIDE_W && area.height >= WIDE_H {
        let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
        app.queue.draw(f, top, app.focus == PaneId::Queue);
        app.aftersales.draw(f, left, app.focus == PaneId::AfterSales);
        app.replies.draw(f, right, app.focus == PaneId::Replies);
    } else {
        let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(main);
        draw_tabs(f, tabs, app.focus);
        app.focused().draw(f, body, true);
    }
    let now = app.now();
    let actor = app.store.actor();
    let hints = app.focused().hints();
    StatusBar {
        agent: &actor.agent,
        seat: &actor.seat,
        shift: shift_label(now),
        counts: app.counts,
        hints: &format!("{hints} · ? 帮助 · q 退出"),
        message: app.message.as_ref().map(|(m, e)| (m.as_str(), *e)),
        background: app.sync_ui.status().as_deref(),
    }
    .draw(f, bar);
    if let Some(p) = app.modal_pane() {
        p.draw_modal(f, main);
    }
    app.sync_ui.draw(f, main);
    if app.help {
        help::draw(f, main);
    }
    if app.quit_ask {
        popup::confirm(f, main, "退出?", &app.quit_question());
    }
}

fn draw_tabs(f: &mut Frame, area: Rect, focus: PaneId) {
    let mut spans = Vec::new();
    for p in PaneId::ALL {
        let st = if p == focus {
            Style::default().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        spans.push(Span::styled(format!(" {} ", p.title()), st));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled("1-5 切换", Style::default().fg(Color::DarkGray)));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
