//! A small modal form whose fields are named by an enum of the form's own (`F`), so a
//! read can only ask for a field that form has: `form.text(MemoField::StaffNo)`,
//! `form.choice::<YesNo>(RefundField::NoReason7d)`. A choice holds a value of a
//! `Choice` type, never a position in a list of labels. Errors from the store come back
//! through `set_error` and the form stays open; while a write it asked for is on its
//! way the form is `busy` (Enter does not send it twice).

use std::any::TypeId;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::input::TextInput;
use super::popup;
use crate::domain::width::width;
use crate::tui::text::{cell, clip, wrap};
use crate::tui::theme::{Role, Theme};

/// The fields of one form.
pub(crate) trait FieldId: Copy + Eq + std::fmt::Debug + 'static {}
impl<T: Copy + Eq + std::fmt::Debug + 'static> FieldId for T {}

/// A value a choice field holds: every value, in the order shown, with its label.
pub(crate) trait Choice: Copy + Eq + 'static {
    fn all() -> &'static [Self];
    fn label(self) -> &'static str;
}

/// 否 / 是, always in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YesNo {
    No,
    Yes,
}

impl YesNo {
    pub(crate) fn yes(self) -> bool {
        self == YesNo::Yes
    }
}

impl Choice for YesNo {
    fn all() -> &'static [Self] {
        &[YesNo::No, YesNo::Yes]
    }

    fn label(self) -> &'static str {
        match self {
            YesNo::No => "否",
            YesNo::Yes => "是",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Text(TextInput),
    Choice { labels: Vec<&'static str>, selected: usize, ty: TypeId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<F> {
    id: F,
    label: String,
    kind: Kind,
    initial: String,
}

impl<F: FieldId> Field<F> {
    pub(crate) fn text(id: F, label: &str, value: &str) -> Field<F> {
        let input = TextInput::new(value);
        let initial = input.value().to_string();
        Field { id, label: label.into(), kind: Kind::Text(input), initial }
    }

    pub(crate) fn choice<C: Choice>(id: F, label: &str, value: C) -> Field<F> {
        let all = C::all();
        let selected = all.iter().position(|v| *v == value).unwrap_or(0);
        let labels = all.iter().map(|v| v.label()).collect();
        Field {
            id,
            label: label.into(),
            kind: Kind::Choice { labels, selected, ty: TypeId::of::<C>() },
            initial: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormEvent {
    None,
    Changed,
    Submit,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form<F> {
    title: String,
    fields: Vec<Field<F>>,
    focus: usize,
    error: Option<String>,
    /// Lines shown under the fields (e.g. the report sentence being built).
    pub(crate) preview: Vec<String>,
    /// The key hint on the last line, when the form's keys differ from the usual ones.
    pub(crate) hint: Option<String>,
    /// A write it asked for is on its way.
    busy: bool,
}

impl<F: FieldId> Form<F> {
    pub(crate) fn new(title: &str, fields: Vec<Field<F>>) -> Form<F> {
        Form { title: title.into(), fields, focus: 0, error: None, preview: Vec::new(), hint: None, busy: false }
    }

    fn field(&self, id: F) -> Option<&Field<F>> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The text of field `id` as typed.
    pub(crate) fn text(&self, id: F) -> &str {
        match self.field(id).map(|f| &f.kind) {
            Some(Kind::Text(t)) => t.value(),
            _ => "",
        }
    }

    /// The text of field `id`, trimmed, owned.
    pub(crate) fn trimmed(&self, id: F) -> String {
        self.text(id).trim().to_string()
    }

    /// The value of choice field `id` (its first value if `id` holds another type).
    pub(crate) fn choice<C: Choice>(&self, id: F) -> C {
        let all = C::all();
        match self.field(id).map(|f| &f.kind) {
            Some(Kind::Choice { selected, ty, .. }) if *ty == TypeId::of::<C>() => all[(*selected).min(all.len() - 1)],
            _ => all[0],
        }
    }

    /// Replaces text field `id`'s value (a pick from a list, not typing: nothing unsaved),
    /// cursor at the end.
    pub(crate) fn set_text(&mut self, id: F, value: &str) {
        if let Some(field) = self.fields.iter_mut().find(|f| f.id == id)
            && let Kind::Text(t) = &mut field.kind
        {
            *t = TextInput::new(value);
            field.initial = t.value().to_string();
            self.error = None;
        }
    }

    pub(crate) fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub(crate) fn set_error(&mut self, e: impl Into<String>) {
        self.error = Some(e.into());
        self.busy = false;
    }

    pub(crate) fn clear_error(&mut self) {
        self.error = None;
    }

    pub(crate) fn set_busy(&mut self) {
        self.busy = true;
        self.error = None;
    }

    #[cfg(test)]
    pub(crate) fn is_busy(&self) -> bool {
        self.busy
    }

    /// Which field has the cursor.
    #[cfg(test)]
    pub(crate) fn focused(&self) -> Option<F> {
        self.fields.get(self.focus).map(|f| f.id)
    }

    /// Something typed that would be lost.
    pub(crate) fn is_dirty(&self) -> bool {
        self.fields.iter().any(|f| matches!(&f.kind, Kind::Text(t) if t.value() != f.initial))
    }

    /// Pasted text into the focused text field (one line: newlines become spaces).
    pub(crate) fn paste(&mut self, text: &str) -> FormEvent {
        if self.busy {
            return FormEvent::None;
        }
        match self.fields.get_mut(self.focus).map(|f| &mut f.kind) {
            Some(Kind::Text(t)) => {
                t.insert_str(text);
                self.error = None;
                FormEvent::Changed
            }
            _ => FormEvent::None,
        }
    }

    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> FormEvent {
        let n = self.fields.len().max(1);
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Enter if self.busy => return FormEvent::None,
            KeyCode::Enter => return FormEvent::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % n;
                return FormEvent::None;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + n - 1) % n;
                return FormEvent::None;
            }
            _ => {}
        }
        if self.busy {
            return FormEvent::None;
        }
        let Some(field) = self.fields.get_mut(self.focus) else { return FormEvent::None };
        match &mut field.kind {
            Kind::Text(t) => {
                if t.handle_key(key) {
                    self.error = None;
                    return FormEvent::Changed;
                }
            }
            Kind::Choice { labels, selected, .. } => {
                let n = labels.len().max(1);
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

    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, theme: &Theme) {
        let label_w = self.fields.iter().map(|f| width(&f.label)).max().unwrap_or(4) + 1;
        let w = 72u16.min(screen.width);
        let inner_w = w.saturating_sub(2) as usize;
        let preview: Vec<String> = self.preview.iter().flat_map(|p| wrap(p, inner_w)).collect();
        let notes = u16::from(self.error.is_some() || self.busy);
        let h = self.fields.len() as u16 + preview.len() as u16 + 5 + notes;
        let area = popup::centered(screen, w, h);
        let inner = popup::frame(f, area, &self.title, theme);
        let value_w = (inner.width as usize).saturating_sub(label_w + 1);
        for (i, field) in self.fields.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.y + inner.height {
                break;
            }
            let focused = i == self.focus;
            let label_style = if focused { theme.style(Role::Active) } else { theme.style(Role::Plain) };
            f.render_widget(
                Paragraph::new(Span::styled(cell(&field.label, label_w), label_style)),
                Rect::new(inner.x, y, label_w as u16, 1),
            );
            let vx = inner.x + label_w as u16 + 1;
            let varea = Rect::new(vx, y, value_w as u16, 1);
            match &field.kind {
                Kind::Text(t) => t.draw(f, varea, theme.style(Role::Input), focused),
                Kind::Choice { labels, selected, .. } => {
                    let mut spans = Vec::new();
                    for (k, o) in labels.iter().enumerate() {
                        let st = match (k == *selected, focused) {
                            (true, true) => theme.style(Role::ChoiceActive),
                            (true, false) => theme.style(Role::Choice),
                            (false, _) => theme.style(Role::Dim),
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
                Paragraph::new(Span::styled(p.clone(), theme.style(Role::Preview))),
                Rect::new(inner.x, y, inner.width, 1),
            );
            y += 1;
        }
        let note = match (&self.error, self.busy) {
            (Some(e), _) => Some((e.as_str(), Role::Bad)),
            (None, true) => Some(("保存中…", Role::Dim)),
            (None, false) => None,
        };
        if let Some((text, role)) = note
            && y < inner.y + inner.height
        {
            f.render_widget(
                Paragraph::new(Span::styled(clip(text, inner_w), theme.style(role))),
                Rect::new(inner.x, y, inner.width, 1),
            );
        }
        let hint = self.hint.as_deref().unwrap_or(FORM_HINT);
        if inner.height > 0 {
            f.render_widget(
                Paragraph::new(Span::styled(clip(hint, inner_w), theme.style(Role::Dim))),
                Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
            );
        }
    }
}

/// What a pane does with any of its forms, whatever their fields.
pub(crate) trait AnyForm {
    #[cfg(test)]
    fn error(&self) -> Option<&str>;
    fn set_error(&mut self, e: String);
    fn set_busy(&mut self);
    fn is_dirty(&self) -> bool;
    fn paste(&mut self, text: &str) -> FormEvent;
    fn draw(&self, f: &mut Frame, screen: Rect, theme: &Theme);
}

impl<F: FieldId> AnyForm for Form<F> {
    #[cfg(test)]
    fn error(&self) -> Option<&str> {
        Form::error(self)
    }
    fn set_error(&mut self, e: String) {
        Form::set_error(self, e);
    }
    fn set_busy(&mut self) {
        Form::set_busy(self);
    }
    fn is_dirty(&self) -> bool {
        Form::is_dirty(self)
    }
    fn paste(&mut self, text: &str) -> FormEvent {
        Form::paste(self, text)
    }
    fn draw(&self, f: &mut Frame, screen: Rect, theme: &Theme) {
        Form::draw(self, f, screen, theme);
    }
}

/// The keys every form takes (not rebindable: a form's keys are text).
pub(crate) const FORM_HINT: &str = "Tab/↓ 下一项 · ←/→ 选择 · Enter 提交 · Esc 取消";

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum F {
        Name,
        Ok,
    }

    #[test]
    fn fields_are_read_by_name_and_choices_by_type() {
        let mut form = Form::new("t", vec![Field::choice(F::Ok, "好", YesNo::Yes), Field::text(F::Name, "名", "a")]);
        assert_eq!(form.text(F::Name), "a");
        assert!(form.choice::<YesNo>(F::Ok).yes());
        form.handle_key(KeyEvent::from(KeyCode::Right));
        assert!(!form.choice::<YesNo>(F::Ok).yes(), "the choice moved");
        assert_eq!(form.text(F::Ok), "", "a choice has no text");
        form.handle_key(KeyEvent::from(KeyCode::Tab));
        assert_eq!(form.focused(), Some(F::Name));
        assert_eq!(form.paste("b\nc"), FormEvent::Changed);
        assert_eq!(form.text(F::Name), "ab c", "a paste into a one-line field: newlines become spaces");
        assert!(form.is_dirty());
    }

    #[test]
    fn a_busy_form_does_not_submit_twice() {
        let mut form = Form::new("t", vec![Field::text(F::Name, "名", "")]);
        assert_eq!(form.handle_key(KeyEvent::from(KeyCode::Enter)), FormEvent::Submit);
        form.set_busy();
        assert_eq!(form.handle_key(KeyEvent::from(KeyCode::Enter)), FormEvent::None);
        assert_eq!(form.handle_key(KeyEvent::from(KeyCode::Char('x'))), FormEvent::None);
        form.set_error("不行");
        assert!(!form.is_busy());
        assert_eq!(form.handle_key(KeyEvent::from(KeyCode::Enter)), FormEvent::Submit);
    }
}
