//! `kefu pick`: a small reply picker drawn inline under the prompt (ratatui's inline
//! viewport, like `fzf --height`), for a tmux popup or a desktop-hotkey terminal. Type
//! Chinese, full pinyin or initials; results follow every keystroke with the matches
//! highlighted and the selected reply filled below. Enter chooses, Esc (or Ctrl-C)
//! cancels; either way the picker's lines are cleared and the terminal is put back.
//!
//! The picker is drawn on stderr (stdout stays free for `--print`), keys come from the
//! terminal even when stdin is not one (crossterm reads /dev/tty).

use std::collections::HashMap;
use std::io::{Stderr, Write, stderr};
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::crossterm::terminal::{disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::{Frame, Terminal, TerminalOptions, Viewport};

use crate::domain::placeholders::{PlaceholderValues, fill};
use crate::search::{Field, Hit, ReplyIndex};
use crate::store::ReplyAffinity;
use crate::tui::text::clip;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::highlight::highlighted;
use crate::tui::widgets::preview::{PieceStyles, filled_lines};

/// Results kept per query (the list shows what fits).
const LIMIT: usize = 50;
/// Lines the picker takes at most; fewer on a smaller terminal.
const HEIGHT: u16 = 16;
/// Lines of the filled preview.
const PREVIEW: u16 = 4;

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    /// The reply at this index of the [`ReplyIndex`] was chosen.
    Chosen(usize),
    Cancelled,
}

/// The picker's state: the query, its results, the selection. No terminal here.
pub struct Picker<'a> {
    index: &'a ReplyIndex,
    values: &'a PlaceholderValues,
    mine: &'a HashMap<String, ReplyAffinity>,
    query: String,
    hits: Vec<Hit>,
    sel: usize,
    theme: Theme,
}

impl<'a> Picker<'a> {
    pub fn new(
        index: &'a ReplyIndex,
        values: &'a PlaceholderValues,
        mine: &'a HashMap<String, ReplyAffinity>,
        query: &str,
    ) -> Picker<'a> {
        let mut p =
            Picker { index, values, mine, query: query.to_string(), hits: Vec::new(), sel: 0, theme: Theme::default() };
        p.search();
        p
    }

    /// Draws with the personal config's theme (`NO_COLOR` honoured).
    pub fn with_config(mut self, config: &crate::config::Config) -> Picker<'a> {
        self.theme = crate::tui::theme_of(config).0;
        self
    }

    fn search(&mut self) {
        self.hits = self.index.search(&self.query, LIMIT);
        self.sel = 0;
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// The selected reply's index in the [`ReplyIndex`].
    pub fn selected(&self) -> Option<usize> {
        self.hits.get(self.sel).map(|h| h.doc)
    }

    /// The selected reply, filled from the order.
    pub fn filled(&self) -> Option<String> {
        self.selected().map(|d| fill(&self.index.doc(d).text, self.values).text)
    }

    /// Applies one key; the query is searched again when it changed. Several keys can
    /// be applied before one search with [`Picker::keys`].
    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let (outcome, changed) = self.apply(key);
        if changed {
            self.search();
        }
        outcome
    }

    /// Applies keys typed in one go (a paste, fast typing), searching once.
    pub fn keys(&mut self, keys: impl IntoIterator<Item = KeyEvent>) -> Outcome {
        let mut changed = false;
        for key in keys {
            let (outcome, c) = self.apply(key);
            changed |= c;
            if outcome != Outcome::Continue {
                if changed {
                    self.search();
                }
                return match outcome {
                    // Enter after typing chooses among the new results.
                    Outcome::Chosen(_) => self.selected().map_or(Outcome::Continue, Outcome::Chosen),
                    other => other,
                };
            }
        }
        if changed {
            self.search();
        }
        Outcome::Continue
    }

    fn apply(&mut self, key: KeyEvent) -> (Outcome, bool) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => (Outcome::Cancelled, false),
            KeyCode::Char('c' | 'd' | 'g') if ctrl => (Outcome::Cancelled, false),
            KeyCode::Enter => (self.selected().map_or(Outcome::Continue, Outcome::Chosen), false),
            KeyCode::Up => self.moved(-1),
            KeyCode::Char('p' | 'k') if ctrl => self.moved(-1),
            KeyCode::Down | KeyCode::Tab => self.moved(1),
            KeyCode::Char('n' | 'j') if ctrl => self.moved(1),
            KeyCode::PageUp => self.moved(-10),
            KeyCode::PageDown => self.moved(10),
            KeyCode::Char('u') if ctrl => (Outcome::Continue, !std::mem::take(&mut self.query).is_empty()),
            KeyCode::Char('w') if ctrl => {
                let trimmed = self.query.trim_end();
                let cut = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                let changed = cut < self.query.len();
                self.query.truncate(cut);
                (Outcome::Continue, changed)
            }
            KeyCode::Backspace => (Outcome::Continue, self.query.pop().is_some()),
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                self.query.push(c);
                (Outcome::Continue, true)
            }
            _ => (Outcome::Continue, false),
        }
    }

    fn moved(&mut self, delta: isize) -> (Outcome, bool) {
        let n = self.hits.len();
        if n > 0 {
            self.sel = (self.sel as isize + delta).clamp(0, n as isize - 1) as usize;
        }
        (Outcome::Continue, false)
    }

    /// Draws the prompt, the results, the filled preview and the keys.
    pub fn draw(&self, f: &mut Frame) {
        let theme = &self.theme;
        let area = f.area();
        let w = area.width as usize;
        if area.height == 0 || w == 0 {
            return;
        }
        let dim = theme.style(Role::Dim);
        // Prompt.
        let count =
            format!(" {}{} / {}", self.hits.len(), if self.hits.len() == LIMIT { "+" } else { "" }, self.index.len());
        let prompt = Line::from(vec![
            Span::styled("› ", theme.style(Role::Active)),
            Span::styled(clip(&self.query, w.saturating_sub(4 + count.len())), theme.style(Role::Input)),
            Span::styled("▏", theme.style(Role::Active)),
            Span::styled(count, dim),
        ]);
        f.render_widget(Paragraph::new(prompt), Rect { height: 1, ..area });
        let rest = area.height.saturating_sub(1);
        let preview_h = if rest >= PREVIEW + 4 { PREVIEW } else { 0 };
        let help_h = u16::from(rest >= 3);
        let list_h = rest.saturating_sub(preview_h + help_h);
        let list = Rect { y: area.y + 1, height: list_h, ..area };
        self.draw_list(f, list, theme);
        if preview_h > 0 {
            let preview = Rect { y: list.y + list_h, height: preview_h, ..area };
            self.draw_preview(f, preview, theme);
        }
        if help_h > 0 {
            let help = Line::styled(clip("Enter 复制并计一次使用 · ↑↓ 选择 · Ctrl-U 清空 · Esc 退出", w), dim);
            f.render_widget(Paragraph::new(help), Rect { y: area.y + area.height - 1, height: 1, ..area });
        }
        crate::tui::text::scrub(f.buffer_mut());
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width as usize;
        let h = area.height as usize;
        if h == 0 {
            return;
        }
        if self.hits.is_empty() {
            let note =
                if self.query.trim().is_empty() { "还没有快捷回复" } else { "没有匹配的快捷回复" };
            f.render_widget(Paragraph::new(Line::styled(clip(note, w), theme.style(Role::Dim))), area);
            return;
        }
        let off = (self.sel + 1).saturating_sub(h);
        let hl = theme.style(Role::Match);
        let shown = self.hits.iter().skip(off).take(h);
        let why_w = shown.map(|hit| crate::domain::width::width(&self.why(hit.doc))).max().unwrap_or(0).min(w / 3);
        let lines: Vec<Line> = self
            .hits
            .iter()
            .enumerate()
            .skip(off)
            .take(h)
            .map(|(i, hit)| {
                let d = self.index.doc(hit.doc);
                let selected = i == self.sel;
                let pick = |role: Role| if selected { theme.style(Role::Selected) } else { theme.style(role) };
                let marks = |field: Field| if hit.field == field { hit.highlights.as_slice() } else { &[] };
                let why = self.why(hit.doc);
                let text_w = w.saturating_sub(8 + 1 + 1 + why_w + 1);
                let mut spans = highlighted(&d.code, marks(Field::Code), 8, pick(Role::Code), hl);
                spans.push(Span::styled(" ", pick(Role::Plain)));
                let body = if hit.field == Field::Group {
                    highlighted(&d.group, marks(Field::Group), text_w, pick(Role::Muted), hl)
                } else {
                    highlighted(&d.text.replace('\n', " "), marks(Field::Text), text_w, pick(Role::Plain), hl)
                };
                spans.extend(body);
                spans.push(Span::styled(" ", pick(Role::Plain)));
                spans.extend(highlighted(&why, &[], why_w + 1, pick(Role::Dim), hl));
                Line::from(spans)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), area);
    }

    /// Why the reply ranks where it does, beyond what matched.
    fn why(&self, doc: usize) -> String {
        let d = self.index.doc(doc);
        match self.mine.get(&d.id) {
            Some(m) if m.week > 0 => format!("你本周 {}× · 全店 {}×", m.week, d.uses),
            _ if d.uses > 0 => format!("全店 {}×", d.uses),
            _ => String::new(),
        }
    }

    fn draw_preview(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let Some(doc) = self.selected() else { return };
        let d = self.index.doc(doc);
        let mut lines = vec![Line::styled(
            clip(&format!("─ [{}] {} ", d.code, d.group), area.width as usize),
            theme.style(Role::Dim),
        )];
        let styles = PieceStyles {
            text: theme.style(Role::Preview),
            filled: theme.style(Role::Filled),
            missing: theme.style(Role::Alert),
        };
        lines.extend(filled_lines(&d.text, self.values, &styles));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

/// The terminal while the picker is up: raw mode and an inline viewport on stderr.
struct InlineTerm {
    terminal: Terminal<CrosstermBackend<Stderr>>,
    done: bool,
}

/// Raw mode off and the cursor shown; safe to call more than once.
fn restore_terminal() {
    let _ = execute!(stderr(), cursor::Show);
    let _ = disable_raw_mode();
}

impl InlineTerm {
    fn init(height: u16) -> std::io::Result<InlineTerm> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        enable_raw_mode()?;
        let terminal = Terminal::with_options(
            CrosstermBackend::new(stderr()),
            TerminalOptions { viewport: Viewport::Inline(height) },
        );
        match terminal {
            Ok(terminal) => Ok(InlineTerm { terminal, done: false }),
            Err(e) => {
                restore_terminal();
                Err(e)
            }
        }
    }

    /// Clears the picker's lines, leaves the cursor where they began, restores.
    fn finish(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        let _ = self.terminal.clear();
        let top = self.terminal.get_frame().area().y;
        let _ = self.terminal.set_cursor_position((0, top));
        let _ = self.terminal.backend_mut().flush();
        restore_terminal();
    }
}

impl Drop for InlineTerm {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What the user chose.
pub struct Choice {
    /// Index into the [`ReplyIndex`].
    pub doc: usize,
    /// The reply filled from the order.
    pub text: String,
}

/// Runs the picker until a reply is chosen (`Some`) or it is cancelled (`None`). With
/// `copy`, the chosen reply goes to the clipboard (OSC 52 on the terminal, and the
/// system tool, waited for) before the picker's lines are cleared.
pub fn run(
    index: &ReplyIndex,
    values: &PlaceholderValues,
    mine: &HashMap<String, ReplyAffinity>,
    query: &str,
    copy: bool,
    config: &crate::config::Config,
) -> std::io::Result<Option<Choice>> {
    let rows = ratatui::crossterm::terminal::size().map_or(HEIGHT, |(_, h)| h);
    let height = rows.clamp(3, HEIGHT);
    let mut picker = Picker::new(index, values, mine, query).with_config(config);
    let mut term = InlineTerm::init(height)?;
    let outcome = loop {
        term.terminal.draw(|f| picker.draw(f))?;
        let mut keys = Vec::new();
        // Wait for one event, then take every one already queued (typing, a paste).
        let mut wait = None;
        loop {
            let ready = match wait {
                None => true,
                Some(d) => event::poll(d)?,
            };
            if !ready {
                break;
            }
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => keys.push(k),
                Event::Paste(text) => keys.extend(text.chars().map(|c| KeyEvent::from(KeyCode::Char(c)))),
                Event::Resize(..) => {
                    term.terminal.autoresize()?;
                }
                _ => {}
            }
            wait = Some(Duration::ZERO);
        }
        match picker.keys(keys) {
            Outcome::Continue => {}
            done => break done,
        }
    };
    let choice = match outcome {
        Outcome::Chosen(doc) => {
            let text = fill(&index.doc(doc).text, values).text;
            if copy {
                crate::tui::clipboard::copy_and_wait(term.terminal.backend_mut(), &text)?;
            }
            Some(Choice { doc, text })
        }
        _ => None,
    };
    term.finish();
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::ReplyDoc;
    use ratatui::backend::TestBackend;

    fn doc(code: &str, text: &str, uses: u32) -> ReplyDoc {
        ReplyDoc { id: code.into(), code: code.into(), text: text.into(), group: "售后".into(), uses, mine: 0 }
    }

    fn index() -> ReplyIndex {
        ReplyIndex::build(vec![
            doc("th2", "亲,退货请用普通快递寄回,运费险最多赔付首重运费哦", 90),
            doc("yfx", "亲,您的订单有运费险哦,退款{退款金额}元", 1),
            doc("hi", "亲,您好!", 500),
        ])
    }

    fn typed(p: &mut Picker, s: &str) -> Outcome {
        p.keys(s.chars().map(|c| KeyEvent::from(KeyCode::Char(c))))
    }

    fn screen(p: &Picker, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| p.draw(f)).unwrap();
        let buf = t.backend().buffer();
        (0..h)
            .map(|y| {
                let mut line = String::new();
                let mut x = 0;
                while x < w {
                    let sym = buf[(x, y)].symbol();
                    line.push_str(sym);
                    x += crate::domain::width::width(sym).max(1) as u16;
                }
                line.trim_end().to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn typing_searches_and_enter_chooses_the_best() {
        let index = index();
        let values = PlaceholderValues::default();
        let mine = HashMap::new();
        let mut p = Picker::new(&index, &values, &mine, "");
        assert_eq!(p.hits().len(), 3);
        assert_eq!(typed(&mut p, "yfx"), Outcome::Continue);
        assert_eq!(p.query(), "yfx");
        assert_eq!(index.doc(p.selected().unwrap()).code, "yfx");
        assert_eq!(p.key(KeyEvent::from(KeyCode::Down)), Outcome::Continue);
        assert_eq!(index.doc(p.selected().unwrap()).code, "th2");
        assert_eq!(p.key(KeyEvent::from(KeyCode::Enter)), Outcome::Chosen(0));
        assert!(p.filled().unwrap().contains("首重"));
        // Typing and Enter in one go choose among the new results.
        let mut p = Picker::new(&index, &values, &mine, "");
        let keys = "yfx".chars().map(|c| KeyEvent::from(KeyCode::Char(c))).chain([KeyEvent::from(KeyCode::Enter)]);
        assert_eq!(p.keys(keys), Outcome::Chosen(1));
    }

    #[test]
    fn editing_keys_and_cancel() {
        let index = index();
        let values = PlaceholderValues::default();
        let mine = HashMap::new();
        let mut p = Picker::new(&index, &values, &mine, "tui huo");
        p.key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(p.query(), "tui ");
        p.key(KeyEvent::from(KeyCode::Backspace));
        assert_eq!(p.query(), "tui");
        p.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(p.query(), "");
        typed(&mut p, "zzzz");
        assert_eq!(p.selected(), None);
        assert_eq!(p.key(KeyEvent::from(KeyCode::Enter)), Outcome::Continue);
        assert_eq!(p.key(KeyEvent::from(KeyCode::Esc)), Outcome::Cancelled);
        assert_eq!(p.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Outcome::Cancelled);
    }

    #[test]
    fn draws_results_why_and_the_filled_preview() {
        let index = index();
        let values = PlaceholderValues { refund_amount: "88.00".into(), ..Default::default() };
        let mine: HashMap<String, ReplyAffinity> =
            [("yfx".to_string(), ReplyAffinity { score: 8, week: 12 })].into_iter().collect();
        let mut p = Picker::new(&index, &values, &mine, "");
        typed(&mut p, "yfx");
        let s = screen(&p, 80, 12);
        assert!(s.starts_with("› yfx▏ 2 / 3"), "{s}");
        assert!(s.contains("你本周 12× · 全店 1×"), "{s}");
        assert!(s.contains("退款88.00元"), "{s}");
        assert!(s.contains("Esc 退出"), "{s}");
        let s = screen(&p, 30, 3);
        assert!(s.lines().count() == 3, "{s}");
    }
}
