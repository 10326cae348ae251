//! Drawing the whole screen from the App's state: three panes side by side at 120×30
//! and up, tabs below that, "terminal too small" under 40×10.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use super::App;
use crate::domain::clock::shift_label;
use crate::tui::action::PaneId;
use crate::tui::panes::{Mode, Pane, Ui};
use crate::tui::theme::Role;
use crate::tui::widgets::popup;
use crate::tui::widgets::status::StatusBar;

pub(crate) const MIN_W: u16 = 40;
pub(crate) const MIN_H: u16 = 10;
pub(crate) const WIDE_W: u16 = 120;
pub(crate) const WIDE_H: u16 = 30;

impl App {
    fn ui(&self, focused: bool) -> Ui<'_> {
        Ui { theme: &self.theme, keys: &self.keys, now: self.now, focused }
    }

    pub(crate) fn draw(&self, f: &mut Frame) {
        self.draw_screen(f);
        // The last line of defence: whatever a pane drew, nothing unsafe reaches the terminal.
        crate::tui::text::scrub(f.buffer_mut());
    }

    fn draw_screen(&self, f: &mut Frame) {
        let area = f.area();
        if area.width < MIN_W || area.height < MIN_H {
            let msg = format!("终端太小 terminal too small\n{}×{},至少 {MIN_W}×{MIN_H}", area.width, area.height);
            // Wrapped by display width here: a wide character never straddles the edge.
            let msg = if area.width < 2 { "terminal too small".to_string() } else { msg };
            let lines: Vec<Line> =
                crate::tui::text::wrap(&msg, area.width as usize).into_iter().map(Line::raw).collect();
            f.render_widget(Paragraph::new(lines), area);
            return;
        }
        let [main, bar] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let wide = area.width >= WIDE_W && area.height >= WIDE_H;
        if wide && !self.focus.full_screen() {
            let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(main);
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
            self.queue.draw(f, top, &self.ui(self.focus == PaneId::Queue));
            self.aftersales.draw(f, left, &self.ui(self.focus == PaneId::AfterSales));
            self.replies.draw(f, right, &self.ui(self.focus == PaneId::Replies));
        } else {
            // One pane at a time (④ and ⑤ are full-screen views; 1/2/3 go back).
            let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(main);
            self.draw_tabs(f, tabs);
            self.focused().draw(f, body, &self.ui(true));
        }
        let shift = shift_label(self.now);
        let hints = match self.focused().mode() {
            Mode::Normal => format!("{} · {}", self.focused().hints(&self.keys), self.keys.global.hints()),
            Mode::Typing | Mode::Modal => format!("{} · Ctrl-Q 退出", self.focused().hints(&self.keys)),
        };
        StatusBar {
            agent: &self.actor.agent,
            seat: crate::domain::seat_id::name_of(&self.actor.seat),
            shift,
            counts: self.counts,
            hints: &hints,
            message: self.message.as_ref().map(|(m, e)| (m.as_str(), *e)),
            background: self
                .sync_ui
                .status()
                .or_else(|| {
                    let hub = self.hub.as_ref().map(|(t, _)| format!("hub {t}"));
                    match (self.others_on_open_case(), hub) {
                        (Some(p), Some(h)) => Some(format!("{p} · {h}")),
                        (p, h) => p.or(h),
                    }
                })
                .as_deref(),
            alarm: self.alarm.as_deref(),
        }
        .draw(f, bar, &self.theme);
        let ui = self.ui(true);
        if let Some(p) = PaneId::ALL.iter().map(|p| self.pane(*p)).find(|p| p.mode() == Mode::Modal) {
            p.draw_modal(f, main, &ui);
        }
        self.sync_ui.draw(f, main, &ui);
        if let Some(h) = &self.help {
            h.draw(f, main, &self.keys, &self.theme);
        }
        if self.quit_ask {
            popup::confirm(f, main, "退出?", &self.quit_question(), &self.theme);
        }
    }

    fn draw_tabs(&self, f: &mut Frame, area: Rect) {
        let titles: Vec<String> = PaneId::ALL.iter().map(|p| format!(" {} ", p.title())).collect();
        let selected = PaneId::ALL.iter().position(|p| *p == self.focus);
        let tabs_w: usize = titles.iter().map(|t| crate::domain::width::width(t) + 1).sum();
        let tabs = Tabs::new(titles)
            .select(selected)
            .style(self.theme.style(Role::Tab))
            .highlight_style(self.theme.style(Role::TabActive))
            .divider(" ")
            .padding("", "");
        f.render_widget(tabs, area);
        if (tabs_w as u16) < area.width {
            let rest = Rect { x: area.x + tabs_w as u16, width: area.width - tabs_w as u16, ..area };
            let keys = self.keys.global.hints_where(|g| {
                matches!(
                    g,
                    crate::tui::keymap::GlobalKey::Queue
                        | crate::tui::keymap::GlobalKey::AfterSales
                        | crate::tui::keymap::GlobalKey::Replies
                        | crate::tui::keymap::GlobalKey::Log
                        | crate::tui::keymap::GlobalKey::Reports
                )
            });
            let label = keys.replace(" 窗格", " 切换");
            f.render_widget(Paragraph::new(Span::styled(label, self.theme.style(Role::Dim))), rest);
        }
    }
}
