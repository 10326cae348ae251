//! Colours by meaning. Panes and widgets ask for a `Role` ("a column header", "overdue",
//! "the selected row"); this is the one place that says which colour each role is, so
//! a pane never names a colour and a palette change is one table.
//!
//! The personal config file chooses the palette and may restyle single roles:
//!
//! ```toml
//! theme = "light"          # default (dark terminals), light, or mono (no colour at all)
//! [colors]
//! head = "blue bold"       # a colour, "on" a background colour, and bold/dim/italic/
//! urgent = "white on red"  # underlined/reversed; colours by name, 0–255 or #rrggbb
//! flag.yellow = "#b58900"
//! ```
//!
//! Without a `theme` in the file, `NO_COLOR` (set and not empty) chooses mono. A name or
//! a style that cannot be used is reported, never fatal: the rest still applies.

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

impl Role {
    /// Every role, for the config file's `[colors]` names.
    const ALL: [Role; 41] = [
        Role::Plain,
        Role::Dim,
        Role::Muted,
        Role::Head,
        Role::Code,
        Role::Selected,
        Role::SelectedIdle,
        Role::Active,
        Role::Accent,
        Role::Good,
        Role::Answer,
        Role::Warn,
        Role::Bad,
        Role::Urgent,
        Role::Alert,
        Role::Match,
        Role::Filled,
        Role::Input,
        Role::Choice,
        Role::ChoiceActive,
        Role::Preview,
        Role::Border,
        Role::BorderFocused,
        Role::PopupBorder,
        Role::Title,
        Role::StatusBarStrong,
        Role::CountCalm,
        Role::CountHot,
        Role::Background,
        Role::Tab,
        Role::TabActive,
        Role::ReportActive,
        Role::BarDays,
        Role::BarReasons,
        Role::Gauge,
        Role::Flag(Flag::Grey),
        Role::Flag(Flag::Red),
        Role::Flag(Flag::Yellow),
        Role::Flag(Flag::Green),
        Role::Flag(Flag::Blue),
        Role::Flag(Flag::Purple),
    ];

    /// Its name under `[colors]` (`head`, `flag.red`).
    fn name(self) -> String {
        let n = match self {
            Role::Plain => "plain",
            Role::Dim => "dim",
            Role::Muted => "muted",
            Role::Head => "head",
            Role::Code => "code",
            Role::Selected => "selected",
            Role::SelectedIdle => "selected_idle",
            Role::Active => "active",
            Role::Accent => "accent",
            Role::Good => "good",
            Role::Answer => "answer",
            Role::Warn => "warn",
            Role::Bad => "bad",
            Role::Urgent => "urgent",
            Role::Alert => "alert",
            Role::Match => "match",
            Role::Filled => "filled",
            Role::Input => "input",
            Role::Choice => "choice",
            Role::ChoiceActive => "choice_active",
            Role::Preview => "preview",
            Role::Border => "border",
            Role::BorderFocused => "border_focused",
            Role::PopupBorder => "popup_border",
            Role::Title => "title",
            Role::StatusBarStrong => "status_bar",
            Role::CountCalm => "count_calm",
            Role::CountHot => "count_hot",
            Role::Background => "background",
            Role::Tab => "tab",
            Role::TabActive => "tab_active",
            Role::ReportActive => "report_active",
            Role::BarDays => "bar_days",
            Role::BarReasons => "bar_reasons",
            Role::Gauge => "gauge",
            Role::Flag(f) => return format!("flag.{}", f.name()),
        };
        n.to_string()
    }
}

/// The built-in palettes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Palette {
    /// For dark terminals (what kefu always looked like).
    #[default]
    Default,
    /// For light terminals: no yellow or white text, dark accents.
    Light,
    /// No colour at all: bold, underline and reverse carry the meaning.
    Mono,
}

impl Palette {
    pub(crate) const ALL: [Palette; 3] = [Palette::Default, Palette::Light, Palette::Mono];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Palette::Default => "default",
            Palette::Light => "light",
            Palette::Mono => "mono",
        }
    }

    /// The palette `name` names, or why there is none.
    pub(crate) fn named(name: &str) -> Result<Palette, String> {
        Palette::parse(name).ok_or_else(|| {
            format!(
                "没有配色 '{}'(可用:{})",
                crate::tui::text::clip(name, 20),
                Palette::ALL.map(Palette::name).join("、")
            )
        })
    }

    fn parse(name: &str) -> Option<Palette> {
        let n = name.trim().to_ascii_lowercase();
        let n = match n.as_str() {
            "dark" => "default",
            "none" | "no-color" | "nocolor" | "monochrome" => "mono",
            other => other,
        };
        Palette::ALL.into_iter().find(|p| p.name() == n)
    }
}

/// The screen's styles: a palette, and the roles the config file restyled.
#[derive(Debug, Clone, Default)]
pub(crate) struct Theme {
    palette: Palette,
    overrides: Vec<(Role, Style)>,
}

impl Theme {
    /// The theme the personal config file asks for: `name` (none: `NO_COLOR` set and not
    /// empty chooses mono, else the default) and the `[colors]` entries. What cannot be
    /// used is left out and returned as a problem naming the file's line.
    pub(crate) fn from_config(
        name: Option<(&str, usize)>,
        roles: &[crate::domain::toml_tree::Leaf],
        no_color: bool,
    ) -> (Theme, Vec<String>) {
        let mut problems = Vec::new();
        let palette = match name {
            Some((n, line)) => Palette::named(n).unwrap_or_else(|e| {
                problems.push(format!("第 {line} 行 theme:{e},用 default"));
                Palette::Default
            }),
            None if no_color => Palette::Mono,
            None => Palette::Default,
        };
        let mut theme = Theme { palette, overrides: Vec::new() };
        for leaf in roles {
            let key = leaf.path.get(1..).unwrap_or_default().join(".");
            let Some(role) = Role::ALL.into_iter().find(|r| r.name() == key) else {
                problems.push(format!(
                    "第 {} 行 colors.{}:没有这个角色(可用:{})",
                    leaf.line,
                    crate::tui::text::clip(&key, 20),
                    Role::ALL.map(Role::name).join("、")
                ));
                continue;
            };
            let parsed = match &leaf.value {
                crate::domain::toml_tree::LeafValue::Text(t) => parse_style(t),
                other => Err(format!("要写成文字(如 \"cyan bold\"),这里是{}", other.kind())),
            };
            match parsed {
                Ok(style) => theme.overrides.push((role, style)),
                Err(e) => problems.push(format!("第 {} 行 colors.{key}:{e}", leaf.line)),
            }
        }
        (theme, problems)
    }

    #[cfg(test)]
    pub(crate) fn palette(&self) -> Palette {
        self.palette
    }

    pub(crate) fn style(&self, role: Role) -> Style {
        if let Some((_, s)) = self.overrides.iter().rev().find(|(r, _)| *r == role) {
            return *s;
        }
        match self.palette {
            Palette::Default => dark(role),
            Palette::Light => light(role),
            Palette::Mono => mono(role),
        }
    }

    /// The mark a flagged order shows in the queue: a coloured block, or — without
    /// colour — the flag's initial (R Y G B P).
    pub(crate) fn flag_mark(&self, flag: Flag) -> &'static str {
        match (flag, self.palette) {
            (Flag::Grey, _) => " ",
            (_, Palette::Default | Palette::Light) => "■",
            (Flag::Red, Palette::Mono) => "R",
            (Flag::Yellow, Palette::Mono) => "Y",
            (Flag::Green, Palette::Mono) => "G",
            (Flag::Blue, Palette::Mono) => "B",
            (Flag::Purple, Palette::Mono) => "P",
        }
    }
}

/// `cyan`, `white on red`, `bold #b58900`, `reversed`: colours by name, 0–255 or
/// `#rrggbb`; the first colour is the text's, the one after `on` the background's.
fn parse_style(text: &str) -> Result<Style, String> {
    let mut style = Style::default();
    let mut words = text.split_whitespace();
    let mut any = false;
    while let Some(w) = words.next() {
        any = true;
        let modifier = match w.to_ascii_lowercase().as_str() {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underlined" | "underline" => Some(Modifier::UNDERLINED),
            "reversed" | "reverse" => Some(Modifier::REVERSED),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
            continue;
        }
        let colour = |w: &str| {
            w.parse::<Color>().map_err(|_| {
                format!("看不懂的颜色 '{}'(写颜色名如 cyan、light-red,0–255,或 #rrggbb)", crate::tui::text::clip(w, 20))
            })
        };
        if w.eq_ignore_ascii_case("on") {
            let bg = words.next().ok_or("on 后面要写背景色(如 white on red)")?;
            style = style.bg(colour(bg)?);
        } else {
            style = style.fg(colour(w)?);
        }
    }
    if !any {
        return Err("是空的(写颜色或 bold 等,或删掉这一行)".into());
    }
    Ok(style)
}

/// For dark terminals.
fn dark(role: Role) -> Style {
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

/// For light terminals: the dark palette with every light text colour (yellow, white,
/// grey, cyan) replaced by a dark one; backgrounds stay.
fn light(role: Role) -> Style {
    let s = Style::default();
    let bold = Modifier::BOLD;
    match role {
        Role::Dim | Role::Border | Role::Tab => s.fg(Color::DarkGray),
        Role::Muted => s,
        Role::Head => s.fg(Color::Blue).add_modifier(bold),
        Role::Code | Role::Preview => s.fg(Color::Blue),
        Role::Active | Role::BorderFocused => s.fg(Color::Magenta).add_modifier(bold),
        Role::Accent | Role::Warn | Role::PopupBorder | Role::BarReasons => s.fg(Color::Magenta),
        Role::BarDays => s.fg(Color::Blue),
        Role::Flag(Flag::Yellow) => s.fg(Color::Indexed(136)),
        Role::Flag(Flag::Grey) => s.fg(Color::DarkGray),
        other => dark(other),
    }
}

/// Without colour: bold, underline, dim and reverse say it.
fn mono(role: Role) -> Style {
    let s = Style::default();
    let bold = Modifier::BOLD;
    match role {
        Role::Plain | Role::Muted | Role::Code | Role::Good | Role::Filled | Role::Preview | Role::Border => s,
        Role::Tab | Role::CountCalm | Role::BarDays | Role::BarReasons | Role::Flag(_) => s,
        Role::Dim => s.add_modifier(Modifier::DIM),
        Role::Head
        | Role::SelectedIdle
        | Role::Accent
        | Role::Warn
        | Role::Answer
        | Role::Bad
        | Role::BorderFocused
        | Role::PopupBorder
        | Role::Title
        | Role::Choice => s.add_modifier(bold),
        Role::Active | Role::Urgent | Role::Match => s.add_modifier(bold | Modifier::UNDERLINED),
        Role::Input => s.add_modifier(Modifier::UNDERLINED),
        Role::Selected | Role::ChoiceActive | Role::CountHot | Role::Background | Role::Gauge => {
            s.add_modifier(Modifier::REVERSED)
        }
        Role::Alert | Role::StatusBarStrong | Role::TabActive | Role::ReportActive => {
            s.add_modifier(bold | Modifier::REVERSED)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::toml_tree;

    fn theme(text: &str, no_color: bool) -> (Theme, Vec<String>) {
        let leaves = toml_tree::parse(text).unwrap();
        let name = leaves.iter().find(|l| l.path == ["theme"]).and_then(|l| match &l.value {
            toml_tree::LeafValue::Text(t) => Some((t.clone(), l.line)),
            _ => None,
        });
        let roles: Vec<_> = leaves.into_iter().filter(|l| l.path.len() > 1 && l.path[0] == "colors").collect();
        Theme::from_config(name.as_ref().map(|(n, l)| (n.as_str(), *l)), &roles, no_color)
    }

    #[test]
    fn every_role_has_a_distinct_name() {
        let mut names: Vec<String> = Role::ALL.iter().map(|r| r.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Role::ALL.len());
    }

    #[test]
    fn the_config_chooses_the_palette_and_no_color_chooses_mono() {
        assert_eq!(theme("", false).0.palette(), Palette::Default);
        assert_eq!(theme("", true).0.palette(), Palette::Mono);
        assert_eq!(theme("theme = \"light\"", true).0.palette(), Palette::Light);
        assert_eq!(theme("theme = \"default\"", true).0.palette(), Palette::Default);
        let (t, problems) = theme("agent = \"宾\"\ntheme = \"solarized\"", false);
        assert_eq!(t.palette(), Palette::Default);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("第 2 行") && problems[0].contains("solarized") && problems[0].contains("mono"));
    }

    #[test]
    fn mono_names_no_colour_and_keeps_every_meaning_visible() {
        let t = theme("theme = \"mono\"", false).0;
        for role in Role::ALL {
            let s = t.style(role);
            assert_eq!((s.fg, s.bg), (None, None), "{role:?} has a colour in mono");
        }
        for role in [Role::Selected, Role::Urgent, Role::Alert, Role::Match, Role::Active, Role::ChoiceActive] {
            assert_ne!(t.style(role), Style::default(), "{role:?} looks like plain text in mono");
        }
        assert_eq!(t.flag_mark(Flag::Red), "R");
        assert_eq!(t.flag_mark(Flag::Grey), " ");
    }

    #[test]
    fn light_has_no_light_text() {
        let t = theme("theme = \"light\"", false).0;
        for role in Role::ALL {
            let fg = t.style(role).fg;
            let bg = t.style(role).bg;
            if bg.is_none() {
                assert!(
                    !matches!(fg, Some(Color::Yellow | Color::White | Color::Gray | Color::Cyan)),
                    "{role:?} is {fg:?} on a light background"
                );
            }
        }
    }

    #[test]
    fn theme_entries_restyle_one_role_and_bad_ones_are_reported_by_line() {
        let (t, problems) = theme(
            "theme = \"default\"\n[colors]\nhead = \"blue bold\"\nurgent = \"white on red\"\nflag.yellow = \"#b58900\"\n\
             nosuch = \"red\"\nbad = 3\nwarn = \"purplish\"\ndim = \"red on\"\n",
            false,
        );
        assert_eq!(t.style(Role::Head), Style::default().fg(Color::Blue).add_modifier(Modifier::BOLD));
        assert_eq!(t.style(Role::Urgent), Style::default().fg(Color::White).bg(Color::Red));
        assert_eq!(t.style(Role::Flag(Flag::Yellow)), Style::default().fg(Color::Rgb(0xb5, 0x89, 0)));
        assert_eq!(t.style(Role::Warn), dark(Role::Warn), "a bad style leaves the role as it was");
        assert_eq!(t.style(Role::Dim), dark(Role::Dim));
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].contains("第 6 行") && problems[0].contains("nosuch"));
        assert!(problems[1].contains("第 7 行") && problems[1].contains("整数"));
        assert!(problems[2].contains("第 8 行") && problems[2].contains("purplish"));
        assert!(problems[3].contains("第 9 行") && problems[3].contains("背景"));
    }
}
