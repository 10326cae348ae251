//! A small modal form: text fields and choices. The owner reads the values on submit;
//! errors from the store come back through `set_error` and the form stays open.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::input::TextInput;
use super::popup;
use crate::domain::width::width;
use crate::tui::text::{cell, clip, wrap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text(TextInput),
    Choice { options: Vec<String>, selected: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub kind: FieldKind,
    initial: String,
}

impl Field {
    pub fn text(label: &str, value: &str) -> Field {
        Field { label: label.into(), kind: FieldKind::Text(TextInput::new(value)), initial: value.into() }
    }

    pub fn choice(label: &str, options: &[&str], selected: usize) -> Field {
        Field {
            label: label.into(),
            kind: FieldKind::Choice {
                options: options.iter().map(|o| o.to_string()).collect(),
                selected: selected.min(options.len().saturating_sub(1)),
            },
            initial: String::new(),
        }
    }

    pub fn value(&self) -> &str {
        match &self.kind {
            FieldKind::Text(t) => t.value(),
            FieldKind::Choice { options, selected } => options.get(*selected).map(String::as_str).unwrap_or(""),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent {
    None,
    Changed,
    Submit,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// Lines shown under the fields (e.g. the report sentence being built).
    pub preview: Vec<String>,
    /// The key hint on the last line, when the form's keys differ from the usual ones.
    pub hint: Option<String>,
}

impl Form {
    pub fn new(title: &str, fields: Vec<Field>) -> Form {
        Form { title: title.into(), fields, focus: 0, error: None, preview: Vec::new(), hint: None }
    }

    /// Replaces text field `i`'s value (a pick from a list, not typing: nothing unsaved),
    /// cursor at the end.
    pub fn set_text(&mut self, i: usize, value: &str) {
        if let Some(field) = self.fields.get_mut(i)
            && let FieldKind::Text(t) = &mut field.kind
        {
            *t = TextInput::new(value);
            field.initial = t.value().to_string();
            self.error = None;
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(Field::value).unwrap_or("")
    }

    pub fn choice(&self, i: usize) -> usize {
        match self.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    pub fn set_error(&mut self, e: impl Into<String>) {
        self.error = Some(e.into());
    }

    /// Something typed that would be lost.
    pub fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| matches!(&f.kind, FieldKind::Text(t) if t.value() != f.initial))
    }

    /// True when the focused field takes typed characters.
    pub fn is_typing(&self) -> bool {
        matches!(self.fields.get(self.focus).map(|f| &f.kind), Some(FieldKind::Text(_)))
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> FormEvent {
        let n = self.fields.len();
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Enter => return FormEvent::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % n.max(1);
                return FormEvent::None;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + n.max(1) - 1) % n.max(1);
                return FormEvent::None;
            }
            _ => {}
        }
        let Some(field) = self.fields.get_mut(self.focus) else { return FormEvent::None };
        match &mut field.kind {
            FieldKind::Text(t) => {
                if t.handle_key(key) {
                    self.error = None;
                    return FormEvent::Changed;
                }
            }
            FieldKind::Choice { options, selected } => {
                let n = options.len().max(1);
                match key.code {
                    KeyCode::Left | KeyCode::Char('h') => *selected = (*selected + n - 1) % n,
                    KeyCode::Right | KeyCode::Char('l') | KeyCode::Char(' ') => *selected = (*selected + 1) % n,
                    _ => return FormEvent::None,
                }
                return FormEvent::Changed;
            }
        }
        FormEvent::None
    }

    pub fn draw(&self, f: &mut Frame, screen: Rect) {
        let label_w = self.fields.iter().map(|f| width(&f.label)).max().unwrap_or(4) + 1;
        let w = 72u16.min(screen.width);
        let inner_w = w.saturating_sub(2) as usize;
        let preview: Vec<String> = self.preview.iter().flat_map(|p| wrap(p, inner_w)).collect();
        let h = self.fields.len() as u16 + preview.len() as u16 + 5 + u16::from(self.error.is_some());
        let area = popup::centered(screen, w, h);
        let inner = popup::frame(f, area, &self.title);
        let value_w = (inner.width as usize).saturating_sub(label_w + 1);
        for (i, field) in self.fields.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.y + inner.height {
                break;
            }
            let focused = i == self.focus;
            let label_style = if focused {
                Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            f.render_widget(
                Paragraph::new(Span::styled(cell(&field.label, label_w), label_style)),
                Rect::new(inner.x, y, label_w as u16, 1),
            );
            let vx = inner.x + label_w as u16 + 1;
            let varea = Rect::new(vx, y, value_w as u16, 1);
            match &field.kind {
                FieldKind::Text(t) => {
                    let style = Style::default().add_modifier(Modifier::UNDERLINED);
                    t.draw(f, varea, style, focused);
                }
                FieldKind::Choice { options, selected } => {
                    let mut spans = Vec::new();
                    for (k, o) in options.iter().enumerate() {
                        let st = if k == *selected {
                            Style::default().fg(Color::Black).bg(if focused { Color::Yellow } else { Color::Gray })
                        } else {
                            Style::default().fg(Color::DarkGray)
                        };
                        spans.push(Span::styled(format!(" {o} "), st));
                        spans.push(Span::raw(" "));
                    }
                    f.render_widget(Paragraph::new(Line::from(spans)), varea);
                }
            }
        }
        let mut y = inner.y + self.fields.len() as u16 + 1;
        for p in &preview {
            if y >= inner.y + inner.height {
                break;
            }
            f.render_widget(
                Paragraph::new(Span::styled(p.clone(), Style::default().fg(Color::Cyan))),
                Rect::new(inner.x, y, inner.width, 1),
            );
            y += 1;
        }
        if let Some(e) = &self.error
            && y < inner.y + inner.height
        {
            {
                f.render_widget(
                    Paragraph::new(Span::styled(clip(e, inner_w), Style::default().fg(Color::Red))),
                    Rect::new(inner.x, y, inner.width, 1),
                );
            }
        }
        let hint = self.hint.as_deref().unwrap_or("Tab/↓ 下一项 · ←/→ 选择 · Enter 提交 · Esc 取消");
        if inner.height > 0 {
            f.render_widget(
                Paragraph::new(Span::styled(clip(hint, inner_w), Style::default().fg(Color::DarkGray))),
                Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
            );
        }
    }
}
