//! The seat screen's state and its one function, `update`: a message in, commands out.
//! No store, no I/O, no clock: keys, answers from the store worker and the search
//! thread, and the time all arrive as messages; writes, reads, searches and copies
//! leave as commands (`Cmd`) for the runtime to carry out. So every key can be tested
//! down to the command it makes, without SQLite.

mod draw;
mod sync;
#[cfg(test)]
mod tests;

use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, CaseKey, PaneId};
use super::counts::Counts;
use super::keymap::{GlobalKey, Keymaps};
use super::msg::{Cmd, FormId, Msg, Origin, Place, SearchCmd};
use super::panes::aftersales::AfterSalesPane;
use super::panes::log::LogPane;
use super::panes::queue::{Note, QueuePane};
use super::panes::replies::{RepliesPane, ValuesFor};
use super::panes::reports::ReportsPane;
use super::panes::sync_dialog::{SyncDialog, SyncKind};
use super::panes::{Mode, Pane};
use super::refresh::{Dep, Shown, reloads};
use super::theme::Theme;
use super::widgets::help::{Help, HelpEvent};
use super::worker::{Data, Outcome, Query, WriteCmd};
use crate::domain::event::Actor;
use crate::store::ChangeSet;

/// Said when a write is refused because a sync job holds the database.
pub(crate) const BUSY: &str = "同步进行中…完成后再修改(这次没有保存)";

/// Ticks (about one a second) between two readings of the status-bar counts.
const COUNTS_EVERY: u32 = 3;

pub(crate) struct App {
    focus: PaneId,
    queue: QueuePane,
    aftersales: AfterSalesPane,
    replies: RepliesPane,
    log: LogPane,
    reports: ReportsPane,
    /// Export / import / folder sync: the dialog, gauge or summary (keys `E` `I` `S`).
    sync_ui: SyncDialog,
    /// The dialog asked for, whose defaults are on their way.
    sync_opening: Option<SyncKind>,
    /// A sync job holds the database (writes are refused meanwhile).
    sync_running: bool,
    help: Option<Help>,
    /// Asking "quit with unsaved input?".
    quit_ask: bool,
    should_quit: bool,
    /// The message line: text and whether it is an error.
    message: Option<(String, bool)>,
    counts: Option<Counts>,
    /// The log failed verification (checked in the background at start): shown in red.
    alarm: Option<String>,
    /// The queue's selected order, as the other panes were last told.
    selected_order: Option<String>,
    actor: Actor,
    now: NaiveDateTime,
    ticks: u32,
    keys: Keymaps,
    theme: Theme,
    /// Something changed since the last frame.
    dirty: bool,
    /// The last write's number (each write's origin carries its own).
    serial: u64,
    /// The hub's state (a hub is connected): text and whether it is an error.
    hub: Option<(String, bool)>,
    /// Who at other seats has which case open (from the hub).
    presence: Vec<crate::hub::Presence>,
}

impl App {
    /// The screen before any data, and the reads that fill it.
    pub(crate) fn new(actor: Actor, now: NaiveDateTime, keys: Keymaps) -> (App, Vec<Cmd>) {
        let mut app = App {
            focus: PaneId::Queue,
            queue: QueuePane::new(now, &actor.agent),
            aftersales: AfterSalesPane::new(now),
            replies: RepliesPane::new(),
            log: LogPane::new(),
            reports: ReportsPane::new(now),
            sync_ui: SyncDialog::Closed,
            sync_opening: None,
            sync_running: false,
            help: None,
            quit_ask: false,
            should_quit: false,
            message: None,
            counts: None,
            alarm: None,
            selected_order: None,
            actor,
            now,
            ticks: 0,
            keys,
            theme: Theme::default(),
            dirty: true,
            serial: 0,
            hub: None,
            presence: Vec::new(),
        };
        let cmds = vec![
            Cmd::Load(Query::Settings),
            Cmd::Load(app.queue.start()),
            Cmd::Load(Query::ReplyDocs),
            Cmd::Load(Query::Counts { now }),
            Cmd::Load(Query::Integrity),
        ];
        app.dirty = true;
        (app, cmds)
    }

    /// A message in, commands out.
    pub(crate) fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let mut out = Vec::new();
        self.dirty = true;
        match msg {
            Msg::Key(k) => {
                self.message = None;
                self.key(k, &mut out);
                self.follow_selection(&mut out);
            }
            Msg::Paste(text) => self.paste(&text, &mut out),
            Msg::Tick(now) => self.tick(now, &mut out),
            Msg::Resize => {}
            Msg::Written { origin, changes, outcome } => self.written(origin, changes, outcome, &mut out),
            Msg::Failed { origin, error } => self.failed(origin, &error),
            Msg::Loaded { query, data } => match data {
                Ok(d) => self.loaded(query, d, &mut out),
                Err(e) => self.error(format!("读取失败:{}", crate::domain::sanitize::clean_line(&e))),
            },
            Msg::Searched(r) => self.replies.set_results(r.query, r.hits),
            Msg::SyncStarted(job) => self.sync_ui.start(job),
            Msg::SyncProgress { file, progress } => self.sync_ui.progress(file, progress),
            Msg::Hub { text, error } => self.hub = Some((text, error)),
            Msg::HubArrived(changes) => self.refresh(&changes, &mut out),
            Msg::Presence(p) => self.presence = p,
        }
        self.follow_values(&mut out);
        out
    }

    /// Whether the screen must be drawn again (and forgets it).
    pub(crate) fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub(crate) fn should_quit(&self) -> bool {
        self.should_quit
    }

    pub(crate) fn focus(&self) -> PaneId {
        self.focus
    }

    /// The open case's key in the log, if a case is open.
    pub(crate) fn open_case(&self) -> Option<String> {
        self.aftersales.view().map(|v| v.data.key.log_key().to_string())
    }

    /// "小美 正在处理" when agents at other seats have the open case open too.
    pub(crate) fn others_on_open_case(&self) -> Option<String> {
        let key = self.open_case()?;
        let names: Vec<&str> = self.presence.iter().filter(|p| p.case_key == key).map(|p| p.agent.as_str()).collect();
        (!names.is_empty()).then(|| format!("{} 正在处理", names.join("、")))
    }

    /// The hub's state shown in the status bar, if a hub is connected.
    pub(crate) fn hub_status(&self) -> Option<&(String, bool)> {
        self.hub.as_ref()
    }

    pub(crate) fn message(&self) -> Option<&(String, bool)> {
        self.message.as_ref()
    }

    pub(crate) fn quit_asked(&self) -> bool {
        self.quit_ask
    }

    pub(crate) fn help_open(&self) -> bool {
        self.help.is_some()
    }

    pub(crate) fn queue(&self) -> &QueuePane {
        &self.queue
    }

    pub(crate) fn aftersales(&self) -> &AfterSalesPane {
        &self.aftersales
    }

    pub(crate) fn replies(&self) -> &RepliesPane {
        &self.replies
    }

    pub(crate) fn log(&self) -> &LogPane {
        &self.log
    }

    pub(crate) fn reports(&self) -> &ReportsPane {
        &self.reports
    }

    pub(crate) fn sync_running(&self) -> bool {
        self.sync_running
    }

    /// The problems found in the key bindings of the config file, on the message line.
    /// The screen's colours (the personal config file's `theme`).
    pub(crate) fn set_theme(&mut self, theme: Theme) {
        self.theme = theme;
        self.dirty = true;
    }

    pub(crate) fn report_problems(&mut self, problems: &[String]) {
        if let Some(first) = problems.first() {
            let more = if problems.len() > 1 {
                format!("(另有 {} 条,见 kefu.log)", problems.len() - 1)
            } else {
                String::new()
            };
            self.error(format!("配置文件:{first}{more}"));
        }
    }

    fn pane(&self, id: PaneId) -> &dyn Pane {
        match id {
            PaneId::Queue => &self.queue,
            PaneId::AfterSales => &self.aftersales,
            PaneId::Replies => &self.replies,
            PaneId::Log => &self.log,
            PaneId::Reports => &self.reports,
        }
    }

    fn pane_mut(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Queue => &mut self.queue,
            PaneId::AfterSales => &mut self.aftersales,
            PaneId::Replies => &mut self.replies,
            PaneId::Log => &mut self.log,
            PaneId::Reports => &mut self.reports,
        }
    }

    fn focused(&self) -> &dyn Pane {
        self.pane(self.focus)
    }

    pub(crate) fn has_unsaved_input(&self) -> bool {
        PaneId::ALL.iter().any(|p| self.pane(*p).has_unsaved_input()) || self.sync_ui.has_unsaved_input()
    }

    fn note(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), false));
    }

    fn error(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), true));
    }

    fn show(&mut self, note: Option<Note>) {
        if let Some(n) = note {
            self.message = Some((n.text, n.error));
        }
    }

    fn key(&mut self, key: KeyEvent, out: &mut Vec<Cmd>) {
        if self.quit_ask {
            // Any key but yes keeps working.
            if crate::tui::widgets::popup::confirm_answer(&key) == Some(true) {
                self.quit(out);
            } else {
                self.quit_ask = false;
            }
            return;
        }
        if let Some(h) = self.help.as_mut() {
            if h.handle_key(key) == HelpEvent::Close {
                self.help = None;
            }
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            self.act(Action::Quit, Place::Pane(self.focus), out);
            return;
        }
        if self.sync_ui.is_open() {
            if let Some(a) = self.sync_ui.handle_key(key, &self.keys.summary) {
                self.act(a, Place::Sync, out);
            }
            return;
        }
        let global = if self.focused().mode() == Mode::Normal { self.keys.global.lookup(&key) } else { None };
        let action = match global {
            Some(g) => Some(match g {
                GlobalKey::FocusNext => Action::FocusNext,
                GlobalKey::FocusPrev => Action::FocusPrev,
                GlobalKey::Queue => Action::Focus(PaneId::Queue),
                GlobalKey::AfterSales => Action::Focus(PaneId::AfterSales),
                GlobalKey::Replies => Action::Focus(PaneId::Replies),
                GlobalKey::Log => Action::Focus(PaneId::Log),
                GlobalKey::Reports => Action::Focus(PaneId::Reports),
                GlobalKey::Export => Action::SyncOpen(SyncKind::Export),
                GlobalKey::Import => Action::SyncOpen(SyncKind::Import),
                GlobalKey::Sync => Action::SyncOpen(SyncKind::Dir),
                GlobalKey::Help => Action::ToggleHelp,
                GlobalKey::Quit => Action::Quit,
            }),
            None => {
                let keys = self.keys.clone();
                self.pane_mut(self.focus).handle_key(key, &keys)
            }
        };
        if let Some(a) = action {
            self.act(a, Place::Pane(self.focus), out);
        }
    }

    /// A bracketed paste: text for the box or form that has the keys, never keys.
    fn paste(&mut self, text: &str, out: &mut Vec<Cmd>) {
        if self.quit_ask {
            return;
        }
        if let Some(h) = self.help.as_mut() {
            h.paste(text);
            return;
        }
        if self.sync_ui.is_open() {
            self.sync_ui.paste(text);
            return;
        }
        if let Some(a) = self.pane_mut(self.focus).paste(text) {
            self.act(a, Place::Pane(self.focus), out);
        }
    }

    fn tick(&mut self, now: NaiveDateTime, out: &mut Vec<Cmd>) {
        let minute_changed = now.format("%Y%m%d%H%M").to_string() != self.now.format("%Y%m%d%H%M").to_string();
        self.now = now;
        self.queue.set_now(now);
        self.aftersales.set_now(now);
        self.reports.set_now(now);
        self.ticks += 1;
        if self.ticks.is_multiple_of(COUNTS_EVERY) {
            out.push(Cmd::Load(Query::Counts { now }));
        }
        self.dirty = minute_changed || self.sync_ui.running().is_some();
    }

    fn quit(&mut self, out: &mut Vec<Cmd>) {
        self.should_quit = true;
        out.push(Cmd::Quit);
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// Acts on what a key asked for (`place`: where the key went).
    fn act(&mut self, action: Action, place: Place, out: &mut Vec<Cmd>) {
        match action {
            Action::Quit => {
                if self.has_unsaved_input() || self.sync_running {
                    self.quit_ask = true;
                } else {
                    self.quit(out);
                }
            }
            Action::FocusNext | Action::FocusPrev => {
                let i = PaneId::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = PaneId::ALL.len();
                let step = if action == Action::FocusNext { 1 } else { n - 1 };
                self.enter(PaneId::ALL[(i + step) % n], out);
            }
            Action::Focus(p) => self.enter(p, out),
            Action::ToggleHelp => self.help = if self.help.is_some() { None } else { Some(Help::default()) },
            Action::Notice(m) => self.note(m),
            Action::Load(q) => out.push(Cmd::Load(q)),
            Action::CasesScope => {
                if let Some(scope) = self.aftersales.scope(self.selected_order.as_deref()) {
                    out.push(Cmd::Load(Query::Cases(scope)));
                }
            }
            Action::Copy(text) => {
                self.note(format!("已复制:{}", crate::tui::text::clip(&text, 60)));
                out.push(Cmd::Copy(text));
            }
            Action::ReplySearch(q) => out.push(Cmd::Search(SearchCmd::Query(q))),
            Action::UseReply { reply_id, text } => {
                if self.sync_running {
                    self.note(format!("已复制(同步进行中,这次不计使用次数):{}", crate::tui::text::clip(&text, 40)));
                    out.push(Cmd::Copy(text));
                    return;
                }
                self.note(format!("已复制:{}", crate::tui::text::clip(&text, 60)));
                out.push(Cmd::Copy(text));
                let origin = Origin { place, form: FormId::Key, serial: self.next_serial() };
                let order_no = self.replies.values_order().map(str::to_string).or(self.selected_order.clone());
                let cmd = WriteCmd::UseReply { reply_id, order_no };
                out.push(Cmd::Write { cmd, origin });
            }
            Action::Write(cmd) => self.write(cmd, place, out),
            Action::SyncOpen(kind) => self.open_sync(kind, out),
            Action::SyncStart(job) => self.start_sync(job, out),
        }
    }

    /// Sends a write from `place`'s open form (which waits, busy, for the answer).
    fn write(&mut self, cmd: WriteCmd, place: Place, out: &mut Vec<Cmd>) {
        let serial = self.next_serial();
        let form = match place {
            Place::Pane(p) => self.pane_mut(p).sending(serial),
            Place::Sync => FormId::SyncAsk,
        };
        let origin = Origin { place, form, serial };
        if self.sync_running {
            self.failed(origin, BUSY);
            return;
        }
        out.push(Cmd::Write { cmd, origin });
    }

    /// Focus moved to `p`: ④ reads the log afresh, ⑤ builds its report.
    fn enter(&mut self, p: PaneId, out: &mut Vec<Cmd>) {
        self.focus = p;
        match p {
            PaneId::Log => out.push(Cmd::Load(self.log.reload())),
            PaneId::Reports => out.push(Cmd::Load(self.reports.build())),
            _ => {}
        }
    }

    /// When the queue's selection moved: the after-sales list and the reply values follow.
    fn follow_selection(&mut self, out: &mut Vec<Cmd>) {
        let sel = self.queue.selected().map(|r| r.order_no.clone());
        if sel == self.selected_order {
            return;
        }
        self.selected_order = sel;
        self.follow_values(out);
        let order = self.selected_order.as_deref();
        if !self.aftersales.shows_all() {
            self.aftersales.follow(order);
            if let Some(scope) = self.aftersales.scope(order) {
                out.push(Cmd::Load(Query::Cases(scope)));
            }
        }
    }

    /// The replies' placeholders come from the order the agent is working on: the open
    /// case's order while a case is open in ②, else ①'s selection.
    fn follow_values(&mut self, out: &mut Vec<Cmd>) {
        let source = match self.aftersales.view() {
            Some(v) => Some(ValuesFor::Case(v.data.key.clone())),
            None => self.selected_order.clone().map(ValuesFor::Order),
        };
        if let Some(q) = self.replies.follow(source) {
            out.push(Cmd::Load(q));
        }
    }

    fn written(&mut self, origin: Origin, changes: ChangeSet, outcome: Outcome, out: &mut Vec<Cmd>) {
        if let Place::Pane(p) = origin.place {
            self.pane_mut(p).written(origin.serial);
        }
        match outcome {
            Outcome::Flag { order_no, flag } => self.note(format!("订单 {order_no} 已设为{}", flag.label())),
            Outcome::Memo(line) => self.note(format!("已写备注:{line}")),
            Outcome::Refund(row) => {
                self.note(format!("已登记退款 {} · {}", row.refund_no, row.state.label()));
                self.focus = PaneId::AfterSales;
                out.push(Cmd::Load(self.aftersales.open(CaseKey::Refund(row.refund_no))));
            }
            Outcome::Case(row) => {
                self.note(format!("已开{}单", row.kind.label()));
                self.focus = PaneId::AfterSales;
                out.push(Cmd::Load(self.aftersales.open(CaseKey::Case(row.case_id))));
            }
            Outcome::RefundActed { refund_no, action, row } => {
                self.note(format!("退款 {refund_no}:{} → {}", action.label(), row.state.label()))
            }
            Outcome::CaseActed { action, row } => {
                self.note(format!("{}单:{} → {}", row.kind.label(), action.label(), row.state.label()))
            }
            Outcome::Registered => self.note("售后登记已保存"),
            Outcome::Contacted(channel) => self.note(format!("已记录{}联系,并写入备注", channel.label())),
            Outcome::Resolved => self.note("冲突已处理,已记录说明"),
            Outcome::ShopType(t) => self.note(format!("店铺类型:{}", t.label())),
            Outcome::ReplyUsed => {}
            Outcome::ReplySaved { code } => self.note(format!("快捷回复 {code} 已保存")),
            Outcome::ReplyDeleted => self.note("快捷回复已删除"),
            Outcome::GroupRenamed { from, to, count } => self.note(format!("分组「{from}」改名为「{to}」({count} 条)")),
            Outcome::GroupDeleted { group, count } => self.note(format!("已删除分组「{group}」({count} 条)")),
            Outcome::Synced(outcome) => self.sync_done(Ok(outcome)),
        }
        self.refresh(&changes, out);
    }

    /// A write failed: exactly the form that sent it says why (if it is still open),
    /// and the message line.
    fn failed(&mut self, origin: Origin, error: &str) {
        let error = crate::domain::sanitize::clean_line(error);
        match origin.place {
            Place::Sync => {
                self.sync_done(Err(error));
                return;
            }
            Place::Pane(p) => {
                self.pane_mut(p).failed(origin.serial, &error);
            }
        }
        self.error(error);
    }

    /// What to read again after `changes`: a lookup over what each pane shows.
    fn refresh(&mut self, changes: &ChangeSet, out: &mut Vec<Cmd>) {
        if changes.is_empty() {
            return;
        }
        let mut shown: Vec<Shown> = Vec::new();
        for p in PaneId::ALL {
            // ④ and ⑤ read the whole log: only while in front.
            if p.full_screen() && p != self.focus {
                continue;
            }
            shown.extend(self.pane(p).shown());
        }
        // The status bar's counts.
        let counts = Query::Counts { now: self.now };
        shown.push(Shown::new(Dep::AnyOrder, counts.clone()));
        shown.push(Shown::new(Dep::AnyCase, counts));
        for q in reloads(shown, changes) {
            out.push(Cmd::Load(q));
        }
        // The reply index: the replies that changed (all of them after a bulk change).
        if changes.replies.is_all() {
            out.push(Cmd::Load(Query::ReplyDocs));
        } else if !changes.replies.is_empty() {
            out.push(Cmd::Load(Query::Replies(changes.replies.iter().map(str::to_string).collect())));
        }
    }

    fn loaded(&mut self, query: Query, data: Data, out: &mut Vec<Cmd>) {
        match &query {
            Query::QueuePage { .. }
            | Query::QueueSearch { .. }
            | Query::QueueRows(_)
            | Query::Detail(_)
            | Query::DamageFacts(_) => {
                let note = self.queue.load(&query, &data);
                self.show(note);
                self.follow_selection(out);
            }
            Query::Cases(_) | Query::CaseView(_) | Query::Order(_) => {
                let note = self.aftersales.load(&query, &data);
                self.show(note);
            }
            Query::Values(_) | Query::CaseValues(_) => self.replies.load(&query, &data),
            Query::Settings => {
                self.queue.load(&query, &data);
                self.aftersales.load(&query, &data);
            }
            Query::ReplyDocs => {
                if let Data::ReplyDocs(docs) = data {
                    self.replies.set_groups(docs.iter().map(|d| (d.id.as_str(), d.group.as_str())));
                    out.push(Cmd::Search(SearchCmd::Reset(docs)));
                    out.push(Cmd::Search(SearchCmd::Query(self.replies.query().to_string())));
                }
            }
            Query::Replies(_) => {
                if let Data::Replies(rows) = data {
                    for (id, row) in rows {
                        self.replies.group_changed(&id, row.as_ref().map(|r| r.group.as_str()));
                        out.push(Cmd::Search(match row {
                            Some(doc) => SearchCmd::Upsert(doc),
                            None => SearchCmd::Remove(id),
                        }));
                    }
                    out.push(Cmd::Search(SearchCmd::Query(self.replies.query().to_string())));
                }
            }
            Query::LogPage { .. } => {
                if let Some(next) = self.log.load(&query, &data) {
                    out.push(Cmd::Load(next));
                }
            }
            Query::Report { .. } => self.reports.load(&query, &data),
            Query::Counts { .. } => {
                if let Data::Counts(c) = data {
                    self.counts = Some(c);
                }
            }
            Query::Integrity => {
                if let Data::Integrity(alarm) = data {
                    self.alarm = alarm;
                }
            }
            Query::SyncDefaults(_) | Query::SyncFolder(_) => self.sync_loaded(query, data),
        }
    }
}
