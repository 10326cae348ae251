//! ③ 快捷回复: the search box (filters as you type, by Chinese, pinyin or initials),
//! the results with matched characters highlighted, and a preview filled from the
//! selected order. Enter copies. Add, edit and delete replies and groups.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Component, Mode};
use crate::domain::placeholders::{Piece, PlaceholderValues, fill, fill_pieces};
use crate::search::Field as HitField;
use crate::tui::action::Action;
use crate::tui::text::{cell, clip, safe};
use crate::tui::widgets::form::{Field, Form, FormEvent};
use crate::tui::widgets::highlight::highlighted;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::popup;

/// One search result, as the App hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyHit {
    pub id: String,
    pub code: String,
    pub text: String,
    pub group: String,
    pub uses: u32,
    pub field: HitField,
    pub highlights: Vec<usize>,
}

#[allow(clippy::large_enum_variant)]
pub enum ReplyModal {
    Edit { id: Option<String>, form: Form },
    RenameGroup { from: String, form: Form },
    Confirm { question: Vec<String>, action: Action },
}

pub struct RepliesPane {
    pub input: TextInput,
    pub typing: bool,
    results: Vec<ReplyHit>,
    sel: usize,
    /// The query the results are for (the box may be ahead while a search runs).
    pub results_for: String,
    pub values: PlaceholderValues,
    pub modal: Option<ReplyModal>,
}

impl Default for RepliesPane {
    fn default() -> Self {
        Self::new()
    }
}

impl RepliesPane {
    pub fn new() -> RepliesPane {
        RepliesPane {
            input: TextInput::default(),
            typing: false,
            results: Vec::new(),
            sel: 0,
            results_for: String::new(),
            values: PlaceholderValues::default(),
            modal: None,
        }
    }

    pub fn set_results(&mut self, query: String, results: Vec<ReplyHit>) {
        let keep = self.selected().map(|h| h.id.clone());
        self.results = results;
        self.sel = if query == self.results_for {
            keep.and_then(|k| self.results.iter().position(|h| h.id == k)).unwrap_or(0)
        } else {
            0
        };
        self.results_for = query;
    }

    pub fn results(&self) -> &[ReplyHit] {
        &self.results
    }

    pub fn selected(&self) -> Option<&ReplyHit> {
        self.results.get(self.sel)
    }

    pub fn set_values(&mut self, values: PlaceholderValues) {
        self.values = values;
    }

    /// The selected reply with placeholders filled.
    pub fn filled(&self) -> Option<String> {
        self.selected().map(|h| fill(&h.text, &self.values).text)
    }

    fn use_selected(&self) -> Option<Action> {
        let h = self.selected()?;
        Some(Action::UseReply { reply_id: h.id.clone(), text: fill(&h.text, &self.values).text })
    }

    fn edit_form(&mut self, existing: bool) {
        let (id, code, text, group) = match (existing, self.selected()) {
            (true, Some(h)) => (Some(h.id.clone()), h.code.clone(), h.text.clone(), h.group.clone()),
            (true, None) => return,
            (false, h) => (None, String::new(), "亲,".to_string(), h.map(|h| h.group.clone()).unwrap_or_default()),
        };
        let title = if id.is_some() { "修改快捷回复" } else { "新增快捷回复" };
        let mut form =
            Form::new(title, vec![Field::text("编码", &code), Field::text("内容", &text), Field::text("分组", &group)]);
        let names: Vec<String> =
            crate::domain::placeholders::all_names().iter().map(|(_, zh)| format!("{{{zh}}}")).collect();
        form.preview = vec![format!("占位符:{}", names.join(" "))];
        self.modal = Some(ReplyModal::Edit { id, form });
    }

    fn move_sel(&mut self, delta: isize) {
        let n = self.results.len();
        if n > 0 {
            self.sel = (self.sel as isize + delta).clamp(0, n as isize - 1) as usize;
        }
    }

    fn modal_key(&mut self, key: KeyEvent) -> Option<Action> {
        match self.modal.as_mut()? {
            ReplyModal::Confirm { action, .. } => {
                let answer = crate::tui::widgets::popup::confirm_action(&key, action)?;
                self.modal = None;
                answer
            }
            ReplyModal::Edit { id, form } => match form.handle_key(key) {
                FormEvent::Cancel => {
                    self.modal = None;
                    None
                }
                FormEvent::Submit => Some(Action::SaveReply {
                    id: id.clone(),
                    code: form.value(0).trim().into(),
                    text: form.value(1).trim().into(),
                    group: form.value(2).trim().into(),
                }),
                _ => None,
            },
            ReplyModal::RenameGroup { from, form } => match form.handle_key(key) {
                FormEvent::Cancel => {
                    self.modal = None;
                    None
                }
                FormEvent::Submit => Some(Action::RenameGroup { from: from.clone(), to: form.value(0).trim().into() }),
                _ => None,
            },
        }
    }

    fn draw_results(&self, f: &mut Frame, area: Rect) {
        let w = area.width as usize;
        let text_w = w.saturating_sub(8 + 8 + 2);
        let hl = Style::default().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD);
        let body_h = area.height as usize;
        let off = (self.sel + 1).saturating_sub(body_h.max(1));
        let mut lines = Vec::new();
        if self.results.is_empty() {
            lines.push(Line::styled("没有匹配的快捷回复 (a 新增)", Style::default().fg(Color::DarkGray)));
        }
        for (i, h) in self.results.iter().enumerate().skip(off).take(body_h) {
            let base = if i == self.sel { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
            let marks = |field: HitField| if h.field == field { h.highlights.as_slice() } else { &[] };
            let mut spans = highlighted(&h.code, marks(HitField::Code), 8, base.fg(Color::Cyan), hl);
            spans.push(Span::styled(" ", base));
            spans.extend(highlighted(&h.group, marks(HitField::Group), 8, base.fg(Color::DarkGray), hl));
            spans.push(Span::styled(" ", base));
            spans.extend(highlighted(&h.text.replace('\n', " "), marks(HitField::Text), text_w, base, hl));
            lines.push(Line::from(spans));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn draw_preview(&self, f: &mut Frame, area: Rect) {
        let Some(h) = self.selected() else { return };
        let dim = Style::default().fg(Color::DarkGray);
        let mut spans = vec![Span::styled(format!("预览 {} · 用过 {} 次  ", clip(&h.code, 12), h.uses), dim)];
        let mut lines = vec![Line::from(std::mem::take(&mut spans))];
        let mut cur: Vec<Span> = Vec::new();
        for p in fill_pieces(&h.text, &self.values) {
            let style = match &p {
                Piece::Text(_) => Style::default(),
                Piece::Filled(_) => Style::default().fg(Color::Green),
                Piece::Missing(_) => Style::default().fg(Color::White).bg(Color::Red),
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
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

impl Component for RepliesPane {
    fn handle_key(&mut self, key: KeyEvent) -> Option<Action> {
        if self.modal.is_some() {
            return self.modal_key(key);
        }
        if self.typing {
            return match key.code {
                KeyCode::Esc => {
                    self.typing = false;
                    None
                }
                KeyCode::Enter => {
                    self.typing = false;
                    self.use_selected()
                }
                KeyCode::Down => {
                    self.move_sel(1);
                    None
                }
                KeyCode::Up => {
                    self.move_sel(-1);
                    None
                }
                _ => {
                    let before = self.input.value().to_string();
                    self.input.handle_key(key);
                    (self.input.value() != before).then(|| Action::ReplySearch(self.input.value().to_string()))
                }
            };
        }
        match key.code {
            KeyCode::Char('/') => self.typing = true,
            KeyCode::Char('j') | KeyCode::Down => self.move_sel(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_sel(-1),
            KeyCode::PageDown => self.move_sel(10),
            KeyCode::PageUp => self.move_sel(-10),
            KeyCode::Char('g') => self.sel = 0,
            KeyCode::Char('G') => self.sel = self.results.len().saturating_sub(1),
            KeyCode::Enter => return self.use_selected(),
            KeyCode::Esc if !self.input.is_empty() => {
                self.input.clear();
                return Some(Action::ReplySearch(String::new()));
            }
            KeyCode::Char('a') => self.edit_form(false),
            KeyCode::Char('e') => self.edit_form(true),
            KeyCode::Char('D') => {
                let h = self.selected()?;
                self.modal = Some(ReplyModal::Confirm {
                    question: vec![format!("删除快捷回复「{}」?", h.code), clip(&h.text, 56)],
                    action: Action::DeleteReply(h.id.clone()),
                });
            }
            KeyCode::Char('R') => {
                let g = self.selected()?.group.clone();
                self.modal = Some(ReplyModal::RenameGroup {
                    form: Form::new(&format!("分组改名 · {g}"), vec![Field::text("新名称", &g)]),
                    from: g,
                });
            }
            KeyCode::Char('X') => {
                let g = self.selected()?.group.clone();
                self.modal = Some(ReplyModal::Confirm {
                    question: vec![format!("删除分组「{g}」和组里的全部快捷回复?")],
                    action: Action::DeleteGroup(g),
                });
            }
            _ => {}
        }
        None
    }

    fn draw(&self, f: &mut Frame, area: Rect, focused: bool) {
        let title = format!(" ③ 快捷回复 · {} 条 ", self.results.len());
        let block = super::pane_block(&title, focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width < 4 || inner.height == 0 {
            return;
        }
        let label = "搜索 / ";
        let lw = crate::domain::width::width(label) as u16;
        f.render_widget(
            Paragraph::new(Span::styled(
                label,
                if self.typing { Style::default().fg(Color::Yellow) } else { Style::default().fg(Color::DarkGray) },
            )),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
        let box_area = Rect::new(inner.x + lw.min(inner.width), inner.y, inner.width.saturating_sub(lw), 1);
        if self.input.is_empty() && !self.typing {
            f.render_widget(
                Paragraph::new(Span::styled(
                    cell("拼音、首字母或中文 (常用的在前)", box_area.width as usize),
                    Style::default().fg(Color::DarkGray),
                )),
                box_area,
            );
        } else {
            self.input.draw(f, box_area, Style::default().add_modifier(Modifier::BOLD), self.typing && focused);
        }
        let rest = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
        let preview_h = if rest.height >= 8 { rest.height / 3 + 1 } else { 0 };
        let [list, preview] = Layout::vertical([Constraint::Min(1), Constraint::Length(preview_h)]).areas(rest);
        self.draw_results(f, list);
        if preview_h > 0 {
            self.draw_preview(f, preview);
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect) {
        match &self.modal {
            Some(ReplyModal::Edit { form, .. }) | Some(ReplyModal::RenameGroup { form, .. }) => form.draw(f, screen),
            Some(ReplyModal::Confirm { question, .. }) => popup::confirm(f, screen, "请确认", question),
            None => {}
        }
    }

    fn mode(&self) -> Mode {
        if self.modal.is_some() {
            Mode::Modal
        } else if self.typing {
            Mode::Typing
        } else {
            Mode::Normal
        }
    }

    fn hints(&self) -> String {
        if self.modal.is_some() {
            "Enter 保存/确定 · Esc 取消".into()
        } else if self.typing {
            "输入拼音/首字母/中文 · ↑/↓ 选择 · Enter 复制 · Esc 结束输入".into()
        } else {
            "/ 搜索 · j/k 选择 · Enter 复制 · a 新增 · e 修改 · D 删除 · R 分组改名 · X 删分组".into()
        }
    }

    fn has_unsaved_input(&self) -> bool {
        match &self.modal {
            Some(ReplyModal::Edit { form, .. }) | Some(ReplyModal::RenameGroup { form, .. }) => form.is_dirty(),
            _ => false,
        }
    }

    fn close_modal(&mut self) {
        self.modal = None;
    }

    fn form_error(&mut self, msg: String) {
        match self.modal.as_mut() {
            Some(ReplyModal::Edit { form, .. }) | Some(ReplyModal::RenameGroup { form, .. }) => form.set_error(msg),
            _ => {}
        }
    }
}
