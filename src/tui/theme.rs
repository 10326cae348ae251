//! Colours by meaning. Panes and widgets ask for a `Role` ("a column header", "overdue",
//! "the selected row"); this is the one place that says which colour each role is, so
//! a pane never names a colour and a palette change is one table.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::flag::Flag;

/// What a piece of text is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Plain,
    /// Secondary text: hints, labels, empty-list notes.
    Dim,
    /// Quieter than plain, louder than dim (the log's detail line).
    Muted,
    /// Column headers and section heads.
    Head,
    /// A reply's code.
    Code,
    /// The selected row.
    Selected,
    /// The selected row of a list that does not have the focus.
    SelectedIdle,
    /// What has the keys: a focused label, an active search box's label.
    Active,
    /// A value to notice: a state, a setting.
    Accent,
    Good,
    /// The answer a panel gives (who pays).
    Answer,
    Warn,
    Bad,
    /// Bad and loud: overdue.
    Urgent,
    /// A block that must be seen: a conflict heading, a missing placeholder.
    Alert,
    /// The characters a search matched.
    Match,
    /// A placeholder filled from the order.
    Filled,
    /// A text box's value.
    Input,
    /// A choice's selected option, unfocused / focused.
    Choice,
    ChoiceActive,
    /// What a form will write (memo line, report sentence).
    Preview,
    Border,
    BorderFocused,
    PopupBorder,
    Title,
    StatusBarStrong,
    /// A status-bar count that is zero / that needs attention.
    CountCalm,
    CountHot,
    /// A job running in the background (status bar).
    Background,
    Tab,
    TabActive,
    /// The report chosen among ⑤'s reports.
    ReportActive,
    BarDays,
    BarReasons,
    Gauge,
    /// A memo flag's colour.
    Flag(Flag),
}

/// The palette: a style for every role.
#[derive(Debug, Clone, Default)]
pub(crate) struct Theme;

impl Theme {
    pub(crate) fn style(&self, role: Role) -> Style {
        let s = Style::default();
        let bold = Modifier::BOLD;
        match role {
            Role::Plain => s,
            Role::Dim => s.fg(Color::DarkGray),
            Role::Muted => s.fg(Color::Gray),
            Role::Head => s.fg(Color::Cyan).add_modifier(bold),
            Role::Code => s.fg(Color::Cyan),
            Role::Selected => s.add_modifier(Modifier::REVERSED),
            Role::SelectedIdle => s.add_modifier(bold),
            Role::Active => s.fg(Color::Yellow).add_modifier(bold),
            Role::Accent | Role::Warn => s.fg(Color::Yellow),
            Role::Good | Role::Filled => s.fg(Color::Green),
            Role::Answer => s.fg(Color::Green).add_modifier(bold),
            Role::Bad => s.fg(Color::Red),
            Role::Urgent => s.fg(Color::Red).add_modifier(bold),
            Role::Alert => s.fg(Color::White).bg(Color::Red).add_modifier(bold),
            Role::Match => s.fg(Color::Black).bg(Color::Yellow).add_modifier(bold),
            Role::Input => s.add_modifier(Modifier::UNDERLINED),
            Role::Choice => s.fg(Color::Black).bg(Color::Gray),
            Role::ChoiceActive => s.fg(Color::Black).bg(Color::Yellow),
            Role::Preview => s.fg(Color::Cyan),
            Role::Border => s.fg(Color::DarkGray),
            Role::BorderFocused => s.fg(Color::Yellow).add_modifier(bold),
            Role::PopupBorder => s.fg(Color::Yellow),
            Role::Title => s.add_modifier(bold),
            Role::StatusBarStrong => s.bg(Color::Blue).fg(Color::White).add_modifier(bold),
            Role::CountCalm => s.bg(Color::DarkGray).fg(Color::White),
            Role::CountHot => s.bg(Color::Red).fg(Color::White),
            Role::Background => s.bg(Color::Yellow).fg(Color::Black),
            Role::Tab => s.fg(Color::Gray),
            Role::TabActive => s.fg(Color::Black).bg(Color::Yellow).add_modifier(bold),
            Role::ReportActive => s.fg(Color::Black).bg(Color::Cyan).add_modifier(bold),
            Role::BarDays => s.fg(Color::Yellow),
            Role::BarReasons => s.fg(Color::Magenta),
            Role::Gauge => s.fg(Color::Green).bg(Color::DarkGray),
            Role::Flag(f) => s.fg(flag_color(f)),
        }
    }
}

fn flag_color(f: Flag) -> Color {
    match f {
        Flag::Grey => Color::DarkGray,
        Flag::Red => Color::Red,
        Flag::Yellow => Color::Yellow,
        Flag::Green => Color::Green,
        Flag::Blue => Color::Blue,
        Flag::Purple => Color::Magenta,
    }
}
