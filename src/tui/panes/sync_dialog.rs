//! The sync popup (global keys `E` export, `I` import, `S` sync a folder): first a form
//! for the path (import lists the folder's `*.kefusync` files to pick from), then a
//! progress gauge while the job runs on its own thread, then a summary or the error.
//! Like a pane it owns its state, turns keys into actions and draws itself; the App
//! fills in the defaults, starts the job and feeds progress and the outcome back.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use crate::sync::{Progress, Scope};
use crate::tui::action::Action;
use crate::tui::keymap::{Keymap, SummaryKey};
use crate::tui::panes::Ui;
use crate::tui::sync_files::{LIST_MAX, SyncFileEntry, human_bytes, typed_path};
use crate::tui::sync_job::SyncJob;
use crate::tui::sync_summary::{SummaryLine, Tone};
use crate::tui::text::{cell, clip, wrap};
use crate::tui::theme::Role;
use crate::tui::widgets::form::{Choice, Field, Form, FormEvent};
use crate::tui::widgets::popup;

/// Which dialog a key opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncKind {
    Export,
    Import,
    Dir,
}

impl Choice for Scope {
    fn all() -> &'static [Self] {
        &[Scope::All, Scope::SinceLast]
    }
    fn label(self) -> &'static str {
        match self {
            Scope::All => "全部事件",
            Scope::SinceLast => "自上次导出以来",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncField {
    /// The file (export, import) or the folder (folder sync).
    Path,
    Scope,
}

/// Asking for the path.
pub(crate) struct Ask {
    kind: SyncKind,
    form: Form<SyncField>,
    /// Import: the folder listed, its sync files and the one picked.
    dir: PathBuf,
    files: Vec<SyncFileEntry>,
    sel: Option<usize>,
    /// This seat's own file name in a shared folder (marked in the list).
    own_file: String,
}

/// A job on its way.
pub(crate) struct Running {
    pub(crate) job: SyncJob,
    /// The latest progress, with the folder file it is about (folder sync).
    step: Option<(Option<PathBuf>, Progress)>,
    /// Esc put it in the background: the status bar shows it instead.
    hidden: bool,
    /// When it started (a long step shows the seconds, so it is seen to be alive).
    started: Instant,
}

/// The summary or the error.
pub(crate) struct Finished {
    title: String,
    lines: Vec<SummaryLine>,
    failed: bool,
    scroll: usize,
}

#[derive(Default)]
pub(crate) enum SyncDialog {
    #[default]
    Closed,
    Ask(Ask),
    Running(Running),
    Finished(Finished),
}

impl Ask {
    fn new(
        kind: SyncKind,
        title: &str,
        fields: Vec<Field<SyncField>>,
        hint: &str,
        dir: PathBuf,
        own_file: &str,
    ) -> Ask {
        let mut form = Form::new(title, fields);
        form.hint = Some(hint.into());
        Ask { kind, form, dir, files: Vec::new(), sel: None, own_file: own_file.into() }
    }

    /// Import: the sync files of `dir`; the newest is picked.
    pub(crate) fn set_files(&mut self, dir: PathBuf, files: Vec<SyncFileEntry>) {
        self.dir = dir;
        self.files = files;
        self.sel = None;
        match self.files.first().map(|f| f.path.display().to_string()) {
            Some(p) => {
                self.sel = Some(0);
                self.form.set_text(SyncField::Path, &p);
            }
            None => {
                self.form.set_text(SyncField::Path, &format!("{}{}", self.dir.display(), std::path::MAIN_SEPARATOR))
            }
        }
        self.list_preview();
    }

    fn pick(&mut self, delta: isize) {
        if self.files.is_empty() {
            return;
        }
        let last = self.files.len() as isize - 1;
        let i = self.sel.map_or(0, |s| (s as isize + delta).clamp(0, last)) as usize;
        self.sel = Some(i);
        let p = self.files[i].path.display().to_string();
        self.form.set_text(SyncField::Path, &p);
        self.list_preview();
    }

    fn list_preview(&mut self) {
        let dir = self.dir.display().to_string();
        let mut lines = Vec::new();
        if self.files.is_empty() {
            lines.push(format!("{dir} 里没有 .kefusync 文件"));
            lines.push("输入文件的路径;输入文件夹再按 Enter 列出它的同步文件".into());
        } else {
            lines.push(format!("{dir} 里的同步文件(↑/↓ 选择):"));
            let sel = self.sel.unwrap_or(0);
            let start = sel.saturating_sub(LIST_MAX - 1).min(self.files.len().saturating_sub(LIST_MAX));
            for (i, f) in self.files.iter().enumerate().skip(start).take(LIST_MAX) {
                let mark = if Some(i) == self.sel { "▶" } else { " " };
                let own = if f.name == self.own_file { "(本席位)" } else { "" };
                let when = f.modified.map(|t| t.format("%m-%d %H:%M").to_string()).unwrap_or_default();
                lines.push(format!(
                    "{mark} {} {} {when}",
                    cell(&format!("{}{own}", f.name), 40),
                    crate::tui::text::cell_right(&human_bytes(f.bytes), 9)
                ));
            }
            if self.files.len() > LIST_MAX {
                lines.push(format!("  共 {} 个", self.files.len()));
            }
        }
        self.form.preview = lines;
    }

    /// The job the form asks for, or why it cannot be run. A file picked from the list
    /// is its own path, even when the box shows it cleaned of what a terminal obeys.
    fn job(&self) -> Result<SyncJob, &'static str> {
        let picked = self
            .sel
            .and_then(|i| self.files.get(i))
            .filter(|f| crate::tui::text::safe(&f.path.display().to_string()) == self.form.text(SyncField::Path));
        let path = picked.map_or_else(|| typed_path(self.form.text(SyncField::Path)), |f| f.path.clone());
        if path.as_os_str().is_empty() {
            return Err(match self.kind {
                SyncKind::Dir => "请填写文件夹",
                _ => "请填写文件路径",
            });
        }
        Ok(match self.kind {
            SyncKind::Export => SyncJob::Export { path, scope: self.form.choice(SyncField::Scope) },
            SyncKind::Import => SyncJob::Import { path },
            SyncKind::Dir => SyncJob::Dir { dir: path },
        })
    }
}

impl SyncDialog {
    /// The export form: the file (prefilled) and the scope.
    pub(crate) fn export(path: &Path) -> SyncDialog {
        let fields = vec![
            Field::text(SyncField::Path, "文件", &path.display().to_string()),
            Field::choice(SyncField::Scope, "范围", Scope::All),
        ];
        let mut ask = Ask::new(
            SyncKind::Export,
            "导出同步文件 (E)",
            fields,
            "Tab 下一项 · ←/→ 范围 · Enter 导出 · Esc 取消",
            PathBuf::new(),
            "",
        );
        ask.form.preview = vec![
            "写出本库的事件(本席位的和收到的);先写临时文件,写完才改名".into(),
            "「自上次导出以来」只写出上次导出之后的新事件".into(),
        ];
        SyncDialog::Ask(ask)
    }

    /// The import form: a path, and the sync files of `dir` to pick from.
    pub(crate) fn import(dir: PathBuf, files: Vec<SyncFileEntry>, own_file: &str) -> SyncDialog {
        let fields = vec![Field::text(SyncField::Path, "文件", "")];
        let hint = "↑/↓ 选文件 · Enter 导入(文件夹:列出) · Esc 取消";
        let mut ask = Ask::new(SyncKind::Import, "导入同步文件 (I)", fields, hint, dir.clone(), own_file);
        ask.set_files(dir, files);
        SyncDialog::Ask(ask)
    }

    /// The folder-sync form: the shared folder (prefilled).
    pub(crate) fn dir(dir: &Path) -> SyncDialog {
        let fields = vec![Field::text(SyncField::Path, "文件夹", &dir.display().to_string())];
        let mut ask = Ask::new(SyncKind::Dir, "同步文件夹 (S)", fields, "Enter 同步 · Esc 取消", dir.to_path_buf(), "");
        ask.form.preview = vec![
            "先把本席位的文件写进这个文件夹,".into(),
            "再导入其中其他席位的 *.kefusync 文件(每个文件单独校验)".into(),
        ];
        SyncDialog::Ask(ask)
    }

    /// The job started: the gauge.
    pub(crate) fn start(&mut self, job: SyncJob) {
        *self = SyncDialog::Running(Running { job, step: None, hidden: false, started: Instant::now() });
    }

    pub(crate) fn progress(&mut self, file: Option<PathBuf>, p: Progress) {
        if let SyncDialog::Running(r) = self {
            r.step = Some((file, p));
        }
    }

    /// The job ended: its summary (or error) pops up, even if it ran in the background.
    pub(crate) fn finish(&mut self, title: &str, lines: Vec<SummaryLine>, failed: bool) {
        *self = SyncDialog::Finished(Finished { title: title.into(), lines, failed, scroll: 0 });
    }

    pub(crate) fn is_open(&self) -> bool {
        match self {
            SyncDialog::Closed => false,
            SyncDialog::Running(r) => !r.hidden,
            _ => true,
        }
    }

    pub(crate) fn running(&self) -> Option<&Running> {
        match self {
            SyncDialog::Running(r) => Some(r),
            _ => None,
        }
    }

    /// Brings a job running in the background back to the front.
    pub(crate) fn show(&mut self) {
        if let SyncDialog::Running(r) = self {
            r.hidden = false;
        }
    }

    /// Something typed that would be lost.
    pub(crate) fn has_unsaved_input(&self) -> bool {
        matches!(self, SyncDialog::Ask(a) if a.form.is_dirty())
    }

    /// The path field and the files listed, when the form is open.
    pub(crate) fn ask_state(&self) -> Option<(String, Vec<String>)> {
        match self {
            SyncDialog::Ask(a) => {
                Some((a.form.text(SyncField::Path).to_string(), a.files.iter().map(|f| f.name.clone()).collect()))
            }
            _ => None,
        }
    }

    /// The job was sent: the form waits for it to start.
    pub(crate) fn sending(&mut self) {
        if let SyncDialog::Ask(a) = self {
            a.form.set_busy();
        }
    }

    /// The job could not start: say why in the form (false: no form is open).
    pub(crate) fn form_error(&mut self, msg: &str) -> bool {
        if let SyncDialog::Ask(a) = self {
            a.form.set_error(msg);
            return true;
        }
        false
    }

    /// A folder typed into the import form: its files to pick from.
    pub(crate) fn set_files(&mut self, dir: PathBuf, files: Vec<SyncFileEntry>) {
        if let SyncDialog::Ask(a) = self {
            a.set_files(dir, files);
        }
    }

    /// Pasted text goes into the path.
    pub(crate) fn paste(&mut self, text: &str) {
        if let SyncDialog::Ask(a) = self
            && a.form.paste(text) == FormEvent::Changed
            && a.kind == SyncKind::Import
        {
            a.sel = None;
            a.list_preview();
        }
    }

    pub(crate) fn handle_key(&mut self, key: KeyEvent, keys: &Keymap<SummaryKey>) -> Option<Action> {
        match self {
            SyncDialog::Closed => None,
            SyncDialog::Ask(a) => {
                if a.kind == SyncKind::Import && matches!(key.code, KeyCode::Up | KeyCode::Down) {
                    a.pick(if key.code == KeyCode::Up { -1 } else { 1 });
                    return None;
                }
                match a.form.handle_key(key) {
                    FormEvent::Cancel => *self = SyncDialog::Closed,
                    FormEvent::Submit => match a.job() {
                        Ok(job) => return Some(Action::SyncStart(job)),
                        Err(e) => a.form.set_error(e),
                    },
                    FormEvent::Changed if a.kind == SyncKind::Import => {
                        a.sel = None;
                        a.list_preview();
                    }
                    FormEvent::Changed | FormEvent::None => {}
                }
                None
            }
            SyncDialog::Running(r) => match key.code {
                KeyCode::Esc => {
                    r.hidden = true;
                    Some(Action::Notice("同步在后台继续,完成后显示结果;这期间不能修改数据".into()))
                }
                KeyCode::Char('q') => Some(Action::Quit),
                _ => Some(Action::Notice(RUNNING_HINT.into())),
            },
            SyncDialog::Finished(d) => {
                match keys.lookup(&key) {
                    Some(SummaryKey::Down) => d.scroll = d.scroll.saturating_add(1),
                    Some(SummaryKey::Up) => d.scroll = d.scroll.saturating_sub(1),
                    Some(SummaryKey::PageDown) => d.scroll = d.scroll.saturating_add(10),
                    Some(SummaryKey::PageUp) => d.scroll = d.scroll.saturating_sub(10),
                    Some(SummaryKey::Ok | SummaryKey::Close) => *self = SyncDialog::Closed,
                    None => {}
                }
                None
            }
        }
    }

    /// The status bar's note while a job runs in the background.
    /// Short, so the counts and the message still fit at 80 columns.
    pub(crate) fn status(&self) -> Option<String> {
        let r = self.running().filter(|r| r.hidden)?;
        let (_, ratio) = step(r);
        let verb = match (&r.step, &r.job) {
            (Some((_, Progress::Verifying { .. })), _) => "校验中",
            (Some((_, Progress::Importing { .. })), _) => "导入中",
            (None, SyncJob::Import { .. }) => "读取中",
            (None, _) => "导出中",
        };
        Some(format!("⟳ 同步 {verb} {:.0}%", ratio * 100.0))
    }

    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, ui: &Ui) {
        match self {
            SyncDialog::Closed => {}
            SyncDialog::Ask(a) => a.form.draw(f, screen, ui.theme),
            SyncDialog::Running(r) if !r.hidden => draw_running(f, screen, r, ui),
            SyncDialog::Running(_) => {}
            SyncDialog::Finished(d) => draw_finished(f, screen, d, ui),
        }
    }
}

const RUNNING_HINT: &str = "不能中途取消:导入是一个事务,要么全部写入,要么什么都不写 · Esc 转到后台";

/// What the job is doing and how far (0–1); after a few seconds, for how long.
fn step_text(r: &Running) -> (String, f64) {
    let (what, ratio) = step(r);
    let secs = r.started.elapsed().as_secs();
    if secs >= 3 { (format!("{what} · {secs} 秒"), ratio) } else { (what, ratio) }
}

fn step(r: &Running) -> (String, f64) {
    let ratio = |done: u64, total: u64| if total == 0 { 0.0 } else { (done as f64 / total as f64).clamp(0.0, 1.0) };
    match &r.step {
        None => {
            let what = match r.job {
                SyncJob::Export { .. } => "正在写出文件…",
                SyncJob::Import { .. } => "正在读取文件…",
                SyncJob::Dir { .. } => "正在写出本席位的文件…",
            };
            (what.into(), 0.0)
        }
        Some((_, Progress::Verifying { done, total })) => {
            (format!("校验中… {} / {}", human_bytes(*done), human_bytes(*total)), ratio(*done, *total))
        }
        Some((_, Progress::Importing { done, total })) => {
            (format!("导入中… {done} / {total} 条事件"), ratio(*done, *total))
        }
    }
}

fn draw_running(f: &mut Frame, screen: Rect, r: &Running, ui: &Ui) {
    let area = popup::centered(screen, 76, 8);
    let inner = popup::frame(f, area, &format!("{} · 进行中", r.job.title()), ui.theme);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    let (what, ratio) = step_text(r);
    let mut lines = vec![Line::raw(clip(&r.job.path().display().to_string(), w))];
    match r.step.as_ref().and_then(|(file, _)| file.as_ref()) {
        Some(file) => {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            lines.push(Line::raw(clip(&format!("文件 {name}"), w)));
        }
        None => lines.push(Line::raw("")),
    }
    lines.push(Line::styled(clip(&what, w), ui.style(Role::Preview)));
    f.render_widget(Paragraph::new(lines), Rect::new(inner.x, inner.y, inner.width, 3.min(inner.height)));
    if inner.height > 3 {
        let gauge =
            Gauge::default().gauge_style(ui.style(Role::Gauge)).ratio(ratio).label(format!("{:.0}%", ratio * 100.0));
        f.render_widget(gauge, Rect::new(inner.x, inner.y + 3, inner.width, 1));
    }
    let dim = ui.style(Role::Dim);
    let hint: Vec<Line> = wrap(RUNNING_HINT, w).into_iter().map(|l| Line::styled(l, dim)).collect();
    let n = (hint.len() as u16).min(inner.height.saturating_sub(4));
    let y = inner.y + inner.height - n;
    f.render_widget(Paragraph::new(hint), Rect::new(inner.x, y, inner.width, n));
}

fn tone_role(t: Tone) -> Role {
    match t {
        Tone::Plain => Role::Plain,
        Tone::Head => Role::Title,
        Tone::Good => Role::Answer,
        Tone::Warn => Role::Warn,
        Tone::Bad => Role::Urgent,
    }
}

fn draw_finished(f: &mut Frame, screen: Rect, d: &Finished, ui: &Ui) {
    let w = 76u16.min(screen.width);
    let inner_w = w.saturating_sub(2) as usize;
    let lines: Vec<Line> = d
        .lines
        .iter()
        .flat_map(|(text, tone)| {
            wrap(text, inner_w).into_iter().map(move |l| Line::styled(l, ui.style(tone_role(*tone))))
        })
        .collect();
    let area = popup::centered(screen, w, lines.len() as u16 + 4);
    let title = if d.failed { format!("✗ {}", d.title) } else { format!("✓ {}", d.title) };
    let inner = popup::frame(f, area, &title, ui.theme);
    if inner.height < 2 {
        return;
    }
    let body_h = (inner.height - 2) as usize;
    let scroll = d.scroll.min(lines.len().saturating_sub(body_h));
    let more = lines.len() > body_h;
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(body_h).collect();
    f.render_widget(Paragraph::new(shown), Rect::new(inner.x, inner.y, inner.width, body_h as u16));
    let hint = ui.keys.summary.hints_where(|a| match a {
        SummaryKey::Ok | SummaryKey::Close => true,
        SummaryKey::Down | SummaryKey::Up | SummaryKey::PageDown | SummaryKey::PageUp => more,
    });
    f.render_widget(
        Paragraph::new(Line::styled(clip(&hint, inner_w), ui.style(Role::Dim))),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}
