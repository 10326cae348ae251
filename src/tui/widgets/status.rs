//! The one-line status bar: who and where, the shift, live counts, and the focused
//! pane's key hints (or the last message).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::width::width;
use crate::tui::counts::Counts;
use crate::tui::text::{clip, safe};
use crate::tui::theme::{Role, Theme};

pub(crate) struct StatusBar<'a> {
    pub(crate) agent: &'a str,
    pub(crate) seat: &'a str,
    pub(crate) shift: &'a str,
    pub(crate) counts: Option<Counts>,
    pub(crate) hints: &'a str,
    /// A message and whether it is an error.
    pub(crate) message: Option<(&'a str, bool)>,
    /// A job running in the background (sync), shown after the counts.
    pub(crate) background: Option<&'a str>,
    /// The log failed verification: shown in red after who and where.
    pub(crate) alarm: Option<&'a str>,
}

impl StatusBar<'_> {
    pub(crate) fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let mut spans = vec![Span::styled(
            format!(" {}@{} {} ", safe(self.agent), safe(self.seat), self.shift),
            theme.style(Role::StatusBarStrong),
        )];
        if let Some(a) = self.alarm {
            spans.push(Span::styled(format!(" ⚠ {} ", safe(a)), theme.style(Role::Alert)));
        }
        match self.counts {
            Some(c) => {
                let hot = |n: i64| if n > 0 { theme.style(Role::CountHot) } else { theme.style(Role::CountCalm) };
                spans.push(Span::styled(format!(" 超时 {} ", c.overdue), hot(c.overdue)));
                spans.push(Span::styled(format!(" 待处理退款 {} ", c.refunds_waiting), hot(c.refunds_waiting)));
                spans.push(Span::styled(format!(" 中差评 {} ", c.bad_reviews), hot(c.bad_reviews)));
            }
            None => spans.push(Span::styled(" 统计中… ", theme.style(Role::CountCalm))),
        }
        if let Some(b) = self.background {
            spans.push(Span::styled(format!(" {} ", safe(b)), theme.style(Role::Background)));
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let left = (area.width as usize).saturating_sub(used + 1);
        let (text, style) = match self.message {
            Some((m, true)) => (m, theme.style(Role::Urgent)),
            Some((m, false)) => (m, theme.style(Role::Good)),
            None => (self.hints, theme.style(Role::Muted)),
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(clip(text, left), style));
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }
}
