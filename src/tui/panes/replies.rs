//! ③ 快捷回复: the search box (filters as you type, by Chinese, pinyin or initials),
//! the results with matched characters highlighted, and a preview filled from the
//! selected order. Enter copies. Add, edit and delete replies and groups.

use std::collections::{BTreeMap, HashMap};

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{Mode, Pane, Pending, Ui};
use crate::domain::placeholders::{PlaceholderValues, fill};
use crate::search::Field as HitField;
use crate::tui::action::{Action, CaseKey};
use crate::tui::keymap::{Keymaps, RepliesKey};
use crate::tui::msg::FormId;
use crate::tui::refresh::{Dep, Shown};
use crate::tui::text::{cell, clip, safe};
use crate::tui::theme::Role;
use crate::tui::widgets::form::{Field, Form, FormEvent};
use crate::tui::widgets::highlight::highlighted;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::popup;
use crate::tui::widgets::preview::{PieceStyles, filled_lines};
use crate::tui::widgets::scroll::scrollbar;
use crate::tui::worker::{Data, Query, WriteCmd};

/// One search result, as the search thread hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplyHit {
    pub(crate) id: String,
    pub(crate) code: String,
    pub(crate) text: String,
    pub(crate) group: String,
    pub(crate) uses: u32,
    pub(crate) field: HitField,
    pub(crate) highlights: Vec<usize>,
}

/// Where the placeholder values come from: the order the agent is working on — the
/// open case's order while a case is open in ②, else ①'s selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValuesFor {
    Order(String),
    Case(CaseKey),
}

impl ValuesFor {
    fn query(&self) -> Query {
        match self {
            ValuesFor::Order(no) => Query::Values(Some(no.clone())),
            ValuesFor::Case(key) => Query::CaseValues(key.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyField {
    Code,
    Text,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupField {
    Name,
}

#[allow(clippy::large_enum_variant)]
enum ReplyModal {
    Edit { id: Option<String>, form: Form<ReplyField> },
    RenameGroup { from: String, form: Form<GroupField> },
    Confirm { question: Vec<String>, cmd: WriteCmd },
}

pub(crate) struct RepliesPane {
    input: TextInput,
    typing: bool,
    results: Vec<ReplyHit>,
    sel: usize,
    /// The query the results are for (the box may be ahead while a search runs).
    results_for: String,
    /// What the values are for, and the values.
    values_for: Option<ValuesFor>,
    values: PlaceholderValues,
    modal: Option<ReplyModal>,
    pending: Pending,
    /// Which group each reply is in, and how many replies each group has: the group
    /// field of the reply forms lists the groups that match what is typed.
    group_of: HashMap<String, String>,
    groups: BTreeMap<String, usize>,
}

impl RepliesPane {
    pub(crate) fn new() -> RepliesPane {
        RepliesPane {
            input: TextInput::default(),
            typing: false,
            results: Vec::new(),
            sel: 0,
            results_for: String::new(),
            values_for: None,
            values: PlaceholderValues::default(),
            modal: None,
            pending: Pending::default(),
            group_of: HashMap::new(),
            groups: BTreeMap::new(),
        }
    }

    /// Every reply (the index starts again from them): their groups.
    pub(crate) fn set_groups<'a>(&mut self, replies: impl Iterator<Item = (&'a str, &'a str)>) {
        self.group_of.clear();
        self.groups.clear();
        for (id, group) in replies {
            self.group_of.insert(id.to_string(), group.to_string());
            *self.groups.entry(group.to_string()).or_default() += 1;
        }
    }

    /// The open reply form's lines under its fields (tests).
    #[cfg(test)]
    pub(crate) fn form_preview(&self) -> Vec<String> {
        match &self.modal {
            Some(ReplyModal::Edit { form, .. }) => form.preview.clone(),
            Some(ReplyModal::RenameGroup { form, .. }) => form.preview.clone(),
            _ => Vec::new(),
        }
    }

    /// One reply changed (`None`: deleted).
    pub(crate) fn group_changed(&mut self, id: &str, group: Option<&str>) {
        if let Some(old) = self.group_of.remove(id)
            && let Some(n) = self.groups.get_mut(&old)
        {
            *n -= 1;
            if *n == 0 {
                self.groups.remove(&old);
            }
        }
        if let Some(g) = group {
            self.group_of.insert(id.to_string(), g.to_string());
            *self.groups.entry(g.to_string()).or_default() += 1;
        }
    }

    /// The search box's text.
    pub(crate) fn query(&self) -> &str {
        self.input.value()
    }

    pub(crate) fn results(&self) -> &[ReplyHit] {
        &self.results
    }

    pub(crate) fn selected(&self) -> Option<&ReplyHit> {
        self.results.get(self.sel)
    }

    /// The selected reply with placeholders filled.
    pub(crate) fn filled(&self) -> Option<String> {
        self.selected().map(|h| fill(&h.text, &self.values).text)
    }

    /// Search results came in.
    pub(crate) fn set_results(&mut self, query: String, results: Vec<ReplyHit>) {
        let keep = self.selected().map(|h| h.id.clone());
        self.results = results;
        self.sel = if query == self.results_for {
            keep.and_then(|k| self.results.iter().position(|h| h.id == k)).unwrap_or(0)
        } else {
            0
        };
        self.results_for = query;
    }

    /// The order the agent works on changed (①'s selection, or a case opened or closed
    /// in ②): its values are asked for.
    pub(crate) fn follow(&mut self, source: Option<ValuesFor>) -> Option<Query> {
        if self.values_for == source {
            return None;
        }
        self.values_for = source;
        Some(self.values_for.as_ref().map_or(Query::Values(None), ValuesFor::query))
    }

    /// The order the values were filled from (none: no order known).
    pub(crate) fn values_order(&self) -> Option<&str> {
        Some(self.values.order_no.as_str()).filter(|n| !n.is_empty())
    }

    /// Takes data in.
    pub(crate) fn load(&mut self, q: &Query, d: &Data) {
        let current = match q {
            Query::Values(no) => match &self.values_for {
                None => no.is_none(),
                Some(ValuesFor::Order(o)) => no.as_deref() == Some(o.as_str()),
                Some(ValuesFor::Case(_)) => false,
            },
            Query::CaseValues(key) => self.values_for == Some(ValuesFor::Case(key.clone())),
            _ => false,
        };
        if let Data::Values(v) = d
            && current
        {
            self.values = v.clone();
        }
    }

    /// The preview's line naming the order the values came from, and why that one.
    fn source_line(&self) -> String {
        let Some(no) = self.values_order() else {
            return "未选订单:订单的占位符标为【缺:…】".into();
        };
        let from = match self.values_for {
            Some(ValuesFor::Case(_)) => "② 打开的售后单",
            _ => "① 选中",
        };
        let buyer = safe(&self.values.buyer).into_owned();
        if buyer.is_empty() { format!("按订单 {no}({from})") } else { format!("按订单 {no} · {buyer}({from})") }
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
        let mut form = Form::new(
            title,
            vec![
                Field::text(ReplyField::Code, "编码", &code),
                Field::text(ReplyField::Text, "内容", &text),
                Field::text(ReplyField::Group, "分组", &group),
            ],
        );
        form.preview = reply_preview(&self.groups, &group);
        self.pending.clear();
        self.modal = Some(ReplyModal::Edit { id, form });
    }

    fn move_sel(&mut self, delta: isize) {
        let n = self.results.len();
        if n > 0 {
            self.sel = (self.sel as isize + delta).clamp(0, n as isize - 1) as usize;
        }
    }

    fn modal_key(&mut self, key: KeyEvent) -> Option<Action> {
        let (event, cmd) = match self.modal.as_mut()? {
            ReplyModal::Confirm { cmd, .. } => {
                let answer = popup::confirm_action(&key, cmd)?;
                self.modal = None;
                return answer.map(Action::Write);
            }
            ReplyModal::Edit { id, form } => {
                let e = form.handle_key(key);
                if e == FormEvent::Changed {
                    form.preview = reply_preview(&self.groups, form.text(ReplyField::Group));
                }
                let cmd = WriteCmd::SaveReply {
                    id: id.clone(),
                    code: form.trimmed(ReplyField::Code),
                    text: form.trimmed(ReplyField::Text),
                    group: form.trimmed(ReplyField::Group),
                };
                (e, cmd)
            }
            ReplyModal::RenameGroup { from, form } => {
                let e = form.handle_key(key);
                if e == FormEvent::Changed {
                    form.preview = vec![group_line(&self.groups, form.text(GroupField::Name))];
                }
                (e, WriteCmd::RenameGroup { from: from.clone(), to: form.trimmed(GroupField::Name) })
            }
        };
        self.pending.form_key(event, cmd, &mut self.modal)
    }

    fn draw_results(&self, f: &mut Frame, area: Rect, frame: Rect, ui: &Ui) {
        let w = area.width as usize;
        let text_w = w.saturating_sub(8 + 8 + 2);
        let hl = ui.style(Role::Match);
        if self.results.is_empty() {
            let add = ui.keys.replies.key_of(RepliesKey::Add);
            f.render_widget(
                Paragraph::new(Line::styled(clip(&format!("没有匹配的快捷回复 ({add} 新增)"), w), ui.style(Role::Dim))),
                area,
            );
            return;
        }
        let body_h = area.height as usize;
        let off = (self.sel + 1).saturating_sub(body_h.max(1));
        let items: Vec<ListItem> = self
            .results
            .iter()
            .skip(off)
            .take(body_h)
            .map(|h| {
                let base = ui.style(Role::Plain);
                let marks = |field: HitField| if h.field == field { h.highlights.as_slice() } else { &[] };
                let mut spans = highlighted(&h.code, marks(HitField::Code), 8, ui.style(Role::Code), hl);
                spans.push(Span::styled(" ", base));
                spans.extend(highlighted(&h.group, marks(HitField::Group), 8, ui.style(Role::Dim), hl));
                spans.push(Span::styled(" ", base));
                spans.extend(highlighted(&h.text.replace('\n', " "), marks(HitField::Text), text_w, base, hl));
                ListItem::new(Line::from(spans))
            })
            .collect();
        let list = List::new(items).highlight_style(ui.style(Role::Selected));
        f.render_stateful_widget(list, area, &mut ListState::default().with_selected(Some(self.sel - off)));
        scrollbar(f, frame, area, self.results.len(), off, ui);
    }

    fn draw_preview(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let Some(h) = self.selected() else { return };
        let dim = ui.style(Role::Dim);
        let mut lines =
            vec![Line::from(Span::styled(format!("预览 {} · 用过 {} 次  ", clip(&h.code, 12), h.uses), dim))];
        lines.push(Line::from(Span::styled(self.source_line(), dim)));
        let styles =
            PieceStyles { text: ui.style(Role::Plain), filled: ui.style(Role::Filled), missing: ui.style(Role::Alert) };
        lines.extend(filled_lines(&h.text, &self.values, &styles));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

impl Default for RepliesPane {
    fn default() -> Self {
        RepliesPane::new()
    }
}

impl Pane for RepliesPane {
    fn handle_key(&mut self, key: KeyEvent, keys: &Keymaps) -> Option<Action> {
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
        match keys.replies.lookup(&key)? {
            RepliesKey::Search => self.typing = true,
            RepliesKey::Down => self.move_sel(1),
            RepliesKey::Up => self.move_sel(-1),
            RepliesKey::PageDown => self.move_sel(10),
            RepliesKey::PageUp => self.move_sel(-10),
            RepliesKey::Top => self.sel = 0,
            RepliesKey::Bottom => self.sel = self.results.len().saturating_sub(1),
            RepliesKey::Use => return self.use_selected(),
            RepliesKey::Clear if !self.input.is_empty() => {
                self.input.clear();
                return Some(Action::ReplySearch(String::new()));
            }
            RepliesKey::Clear => {}
            RepliesKey::Add => self.edit_form(false),
            RepliesKey::Edit => self.edit_form(true),
            RepliesKey::Delete => {
                let h = self.selected()?;
                let q = vec![format!("删除快捷回复「{}」?", h.code), clip(&h.text, 56)];
                let cmd = WriteCmd::DeleteReply(h.id.clone());
                self.modal = Some(ReplyModal::Confirm { question: q, cmd });
            }
            RepliesKey::RenameGroup => {
                let g = self.selected()?.group.clone();
                self.pending.clear();
                let mut form = Form::new(&format!("分组改名 · {g}"), vec![Field::text(GroupField::Name, "新名称", &g)]);
                form.preview = vec![group_line(&self.groups, &g)];
                self.modal = Some(ReplyModal::RenameGroup { form, from: g });
            }
            RepliesKey::DeleteGroup => {
                let g = self.selected()?.group.clone();
                self.modal = Some(ReplyModal::Confirm {
                    question: vec![format!("删除分组「{g}」和组里的全部快捷回复?")],
                    cmd: WriteCmd::DeleteGroup(g),
                });
            }
        }
        None
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        match self.modal.as_mut() {
            Some(ReplyModal::Edit { form, .. }) => {
                form.paste(text);
                None
            }
            Some(ReplyModal::RenameGroup { form, .. }) => {
                form.paste(text);
                None
            }
            Some(ReplyModal::Confirm { .. }) => None,
            None => {
                // Pasting into the pane searches for the text.
                self.typing = true;
                self.input.insert_str(text);
                Some(Action::ReplySearch(self.input.value().to_string()))
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ui: &Ui) {
        let title = format!(" ③ 快捷回复 · {} 条 ", self.results.len());
        let block = super::pane_block(&title, ui);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.width < 4 || inner.height == 0 {
            return;
        }
        let search = ui.keys.replies.key_of(RepliesKey::Search);
        let label = format!("搜索 {search} ");
        let lw = crate::domain::width::width(&label) as u16;
        f.render_widget(
            Paragraph::new(Span::styled(label, if self.typing { ui.style(Role::Accent) } else { ui.style(Role::Dim) })),
            Rect::new(inner.x, inner.y, inner.width, 1),
        );
        let box_area = Rect::new(inner.x + lw.min(inner.width), inner.y, inner.width.saturating_sub(lw), 1);
        if self.input.is_empty() && !self.typing {
            f.render_widget(
                Paragraph::new(Span::styled(
                    cell("拼音、首字母或中文 (常用的在前)", box_area.width as usize),
                    ui.style(Role::Dim),
                )),
                box_area,
            );
        } else {
            self.input.draw(f, box_area, ui.style(Role::Title), self.typing && ui.focused);
        }
        let rest = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
        let preview_h = if rest.height >= 8 { rest.height / 3 + 1 } else { 0 };
        let [list, preview] = Layout::vertical([Constraint::Min(1), Constraint::Length(preview_h)]).areas(rest);
        self.draw_results(f, list, area, ui);
        if preview_h > 0 {
            self.draw_preview(f, preview, ui);
        }
    }

    fn draw_modal(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        match &self.modal {
            Some(ReplyModal::Edit { form, .. }) => form.draw(f, screen, ui.theme),
            Some(ReplyModal::RenameGroup { form, .. }) => form.draw(f, screen, ui.theme),
            Some(ReplyModal::Confirm { question, .. }) => popup::confirm(f, screen, "请确认", question, ui.theme),
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

    fn hints(&self, keys: &Keymaps) -> String {
        if self.modal.is_some() {
            "Enter 保存/确定 · Esc 取消".into()
        } else if self.typing {
            "输入拼音/首字母/中文 · ↑/↓ 选择 · Enter 复制 · Esc 结束输入".into()
        } else {
            let typed = !self.input.is_empty();
            keys.replies.hints_where(|a| a != RepliesKey::Clear || typed)
        }
    }

    fn has_unsaved_input(&self) -> bool {
        match &self.modal {
            Some(ReplyModal::Edit { form, .. }) => form.is_dirty(),
            Some(ReplyModal::RenameGroup { form, .. }) => form.is_dirty(),
            _ => false,
        }
    }

    fn sending(&mut self, serial: u64) -> FormId {
        let id = match self.modal.as_mut() {
            Some(ReplyModal::Edit { form, .. }) => {
                form.set_busy();
                FormId::Reply
            }
            Some(ReplyModal::RenameGroup { form, .. }) => {
                form.set_busy();
                FormId::RenameGroup
            }
            Some(ReplyModal::Confirm { .. }) => return FormId::Confirm,
            None => return FormId::Key,
        };
        self.pending.set(serial);
        id
    }

    fn written(&mut self, serial: u64) {
        self.pending.close(serial, &mut self.modal);
    }

    fn failed(&mut self, serial: u64, error: &str) -> bool {
        if !self.pending.take(serial) {
            return false;
        }
        match self.modal.as_mut() {
            Some(ReplyModal::Edit { form, .. }) => form.set_error(error),
            Some(ReplyModal::RenameGroup { form, .. }) => form.set_error(error),
            _ => return false,
        }
        true
    }

    fn shown(&self) -> Vec<Shown> {
        let mut out = Vec::new();
        if let Some(src) = &self.values_for {
            match src {
                ValuesFor::Order(no) => out.push(Shown::new(Dep::Order(no.clone()), src.query())),
                ValuesFor::Case(key) => {
                    let dep = match key {
                        CaseKey::Refund(no) => Dep::Refund(no.clone()),
                        CaseKey::Case(id) => Dep::Case(id.clone()),
                    };
                    out.push(Shown::new(dep, src.query()));
                    if let Some(no) = self.values_order() {
                        out.push(Shown::new(Dep::Order(no.to_string()), src.query()));
                    }
                }
            }
        }
        out
    }
}

/// The reply form's lines under its fields: the placeholders, the groups.
fn reply_preview(groups: &BTreeMap<String, usize>, group: &str) -> Vec<String> {
    let names: Vec<String> =
        crate::domain::placeholders::all_names().iter().map(|(_, zh)| format!("{{{zh}}}")).collect();
    vec![format!("占位符:{}", names.join(" ")), group_line(groups, group)]
}

/// The groups that fit what is typed into a group field, best first, with their sizes
/// (fuzzy, by `fuzzy-matcher`: a short list, where it is fast), or that the name is a
/// new group — so a slip (售后 for 售后处理) does not quietly start a second group.
fn group_line(groups: &BTreeMap<String, usize>, typed: &str) -> String {
    let typed = typed.trim();
    if let Some(n) = groups.get(typed) {
        return format!("分组:{typed}(已有 {n} 条)");
    }
    let m = SkimMatcherV2::default().ignore_case();
    let mut hits: Vec<(i64, &str, usize)> = groups
        .iter()
        .filter_map(|(g, n)| {
            let score = if typed.is_empty() { 0 } else { m.fuzzy_match(g, typed)? };
            Some((score, g.as_str(), *n))
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)).then(a.1.cmp(b.1)));
    let list: Vec<String> = hits.iter().take(8).map(|(_, g, n)| format!("{g}({n})")).collect();
    match (typed.is_empty(), list.is_empty()) {
        (true, true) => "分组:还没有分组".into(),
        (true, false) => format!("已有分组:{}", list.join(" ")),
        (false, true) => format!("分组:「{typed}」是新分组"),
        (false, false) => format!("分组:「{typed}」是新分组;相近的已有分组:{}", list.join(" ")),
    }
}
