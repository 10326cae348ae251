//! The one-line status bar: who and where, the shift, live counts, and the focused
//! pane's key hints (or the last message).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::width::width;
use crate::tui::counts::Counts;
use crate::tui::text::{clip, safe};

pub struct StatusBar<'a> {
    pub agent: &'a str,
    pub seat: &'a str,
    pub shift: &'a str,
    pub counts: Option<Counts>,
    pub hints: &'a str,
    /// A message and whether it is an error.
    pub message: Option<(&'a str, bool)>,
    /// A job running in the background (sync), shown after the counts.
    pub background: Option<&'a str>,
}

impl StatusBar<'_> {
    pub fn draw(&self, f: &mut Frame, area: Rect) {
        let bar = Style::default().bg(Color::Blue).fg(Color::White);
        let mut spans = vec![Span::styled(
            format!(" {}@{} {} ", safe(self.agent), safe(self.seat), self.shift),
            bar.add_modifier(Modifier::BOLD),
        )];
        match self.counts {
            Some(c) => {
                let red = |n: i64| {
                    if n > 0 {
                        Style::default().bg(Color::Red).fg(Color::White)
                    } else {
                        Style::default().bg(Color::DarkGray).fg(Color::White)
                    }
                };
                spans.push(Span::styled(format!(" 超时 {} ", c.overdue), red(c.overdue)));
                spans.push(Span::styled(format!(" 待处理退款 {} ", c.refunds_waiting), red(c.refunds_waiting)));
                spans.push(Span::styled(format!(" 中差评 {} ", c.bad_reviews), red(c.bad_reviews)));
            }
            None => spans.push(Span::styled(" 统计中… ", Style::default().bg(Color::DarkGray).fg(Color::White))),
        }
        if let Some(b) = self.background {
            spans.push(Span::styled(format!(" {} ", safe(b)), Style::default().bg(Color::Yellow).fg(Color::Black)));
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let left = (area.width as usize).saturating_sub(used + 1);
        let (text, style) = match self.message {
            Some((m, true)) => (m, Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)),
            Some((m, false)) => (m, Style::default().fg(Color::Green)),
            None => (self.hints, Style::default().fg(Color::Gray)),
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(clip(text, left), style));
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }
}
