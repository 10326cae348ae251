//! The one app loop's state: receives actions from the panes, calls the store, and
//! pushes the new data back into the panes. Data flows one way:
//! key → action → store → new state → render.

mod sync;

use std::time::Duration;

use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, CaseKey, Fetch, PaneId};
use super::counts::{Counts, CountsSource};
use super::loaders;
use super::panes::aftersales::AfterSalesPane;
use super::panes::log::{LOG_PAGE, LogPane};
use super::panes::queue::{PAGE, QueuePane};
use super::panes::replies::RepliesPane;
use super::panes::reports::ReportsPane;
use super::panes::sync_dialog::{SyncDialog, SyncKind};
use super::panes::{Component, Mode};
use super::report_worker::ReportWorker;
use super::search_worker::SearchWorker;
use super::sync_job::SyncWorker;
use crate::domain::postage::ShopType;
use crate::search::ReplyDoc;
use crate::store::orders::QueueView;
use crate::store::{QueueCursor, Store, StoreError};

pub type Clock = Box<dyn Fn() -> NaiveDateTime>;

pub struct App {
    pub store: Store,
    clock: Clock,
    pub queue: QueuePane,
    pub aftersales: AfterSalesPane,
    pub replies: RepliesPane,
    pub log: LogPane,
    pub reports: ReportsPane,
    /// Builds reports off the key path; without it (tests) they are built inline.
    report_worker: Option<ReportWorker>,
    pub focus: PaneId,
    pub help: bool,
    /// Asking "quit with unsaved input?".
    pub quit_ask: bool,
    pub should_quit: bool,
    /// The message line: text and whether it is an error.
    pub message: Option<(String, bool)>,
    pub counts: Option<Counts>,
    counts_src: CountsSource,
    search: SearchWorker,
    /// Texts waiting to go to the clipboard (the terminal loop sends them).
    pub clipboard_out: Vec<String>,
    selected_order: Option<String>,
    pub shop_type: ShopType,
    /// Export / import / folder sync: the dialog, gauge or summary (keys `E` `I` `S`).
    pub sync_ui: SyncDialog,
    /// The sync job running on its own thread.
    sync_worker: Option<SyncWorker>,
}

fn docs(store: &Store) -> crate::store::Result<Vec<ReplyDoc>> {
    Ok(store.replies()?.into_iter().map(ReplyDoc::from).collect())
}

impl App {
    pub fn new(store: Store, clock: Clock, counts_src: CountsSource) -> crate::store::Result<App> {
        let now = clock();
        let agent = store.actor().agent.clone();
        let shop_type = store.setting("shop_type")?.and_then(|s| ShopType::parse(&s)).unwrap_or_default();
        let search = SearchWorker::spawn(docs(&store)?);
        let mut app = App {
            queue: QueuePane::new(now, &agent),
            aftersales: AfterSalesPane::new(now),
            replies: RepliesPane::new(),
            log: LogPane::new(),
            reports: ReportsPane::new(now.date()),
            report_worker: None,
            store,
            clock,
            focus: PaneId::Queue,
            help: false,
            quit_ask: false,
            should_quit: false,
            message: None,
            counts: None,
            counts_src,
            search,
            clipboard_out: Vec::new(),
            selected_order: None,
            shop_type,
            sync_ui: SyncDialog::Closed,
            sync_worker: None,
        };
        if let Some(name) = app.store.setting("shop_name")? {
            app.queue.set_shop_name(&name);
        }
        app.dispatch(Action::QueueView(QueueView::All));
        app.dispatch(Action::ReplySearch(String::new()));
        app.refresh_counts();
        app.sync_selection(true);
        Ok(app)
    }

    pub fn now(&self) -> NaiveDateTime {
        (self.clock)()
    }

    fn pane(&self, id: PaneId) -> &dyn Component {
        match id {
            PaneId::Queue => &self.queue,
            PaneId::AfterSales => &self.aftersales,
            PaneId::Replies => &self.replies,
            PaneId::Log => &self.log,
            PaneId::Reports => &self.reports,
        }
    }

    fn pane_mut(&mut self, id: PaneId) -> &mut dyn Component {
        match id {
            PaneId::Queue => &mut self.queue,
            PaneId::AfterSales => &mut self.aftersales,
            PaneId::Replies => &mut self.replies,
            PaneId::Log => &mut self.log,
            PaneId::Reports => &mut self.reports,
        }
    }

    pub fn focused(&self) -> &dyn Component {
        self.pane(self.focus)
    }

    pub fn has_unsaved_input(&self) -> bool {
        PaneId::ALL.iter().any(|p| self.pane(*p).has_unsaved_input()) || self.sync_ui.has_unsaved_input()
    }

    /// Where the panes' modals are drawn from.
    pub fn modal_pane(&self) -> Option<&dyn Component> {
        PaneId::ALL.iter().map(|p| self.pane(*p)).find(|p| p.mode() == Mode::Modal)
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        self.message = None;
        if self.quit_ask {
            // Any key but yes keeps working.
            if crate::tui::widgets::popup::confirm_answer(&key) == Some(true) {
                self.should_quit = true;
            } else {
                self.quit_ask = false;
            }
            return;
        }
        if self.help {
            if matches!(key.code, KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter) {
                self.help = false;
            }
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            self.dispatch(Action::Quit);
            return;
        }
        if self.sync_ui.is_open() {
            if let Some(a) = self.sync_ui.handle_key(key) {
                self.dispatch(a);
            }
            return;
        }
        let action = if self.focused().mode() == Mode::Normal {
            match key.code {
                KeyCode::Tab => Some(Action::FocusNext),
                KeyCode::BackTab => Some(Action::FocusPrev),
                KeyCode::Char('1') => Some(Action::Focus(PaneId::Queue)),
                KeyCode::Char('2') => Some(Action::Focus(PaneId::AfterSales)),
                KeyCode::Char('3') => Some(Action::Focus(PaneId::Replies)),
                KeyCode::Char('4') => Some(Action::Focus(PaneId::Log)),
                KeyCode::Char('5') => Some(Action::Focus(PaneId::Reports)),
                KeyCode::Char('?') => Some(Action::ToggleHelp),
                KeyCode::Char('q') => Some(Action::Quit),
                KeyCode::Char('E') => Some(Action::SyncOpen(SyncKind::Export)),
                KeyCode::Char('I') => Some(Action::SyncOpen(SyncKind::Import)),
                KeyCode::Char('S') => Some(Action::SyncOpen(SyncKind::Dir)),
                _ => self.pane_mut(self.focus).handle_key(key),
            }
        } else {
            self.pane_mut(self.focus).handle_key(key)
        };
        if let Some(a) = action {
            self.dispatch(a);
        }
        self.sync_selection(false);
        if self.focus == PaneId::AfterSales && self.aftersales.modal.is_none() {
            self.refresh_postage();
        }
    }

    /// Takes whatever the background threads have ready (search results, counts).
    pub fn poll(&mut self) {
        if let Some(r) = self.search.poll() {
            self.replies.set_results(r.query, r.hits);
        }
        if let CountsSource::Thread { rx, .. } = &self.counts_src
            && let Some(c) = rx.try_iter().last()
        {
            self.counts = Some(c);
        }
        if let Some((req, result)) = self.report_worker.as_ref().and_then(ReportWorker::poll) {
            self.reports.set_report(req, result);
        }
        self.poll_sync();
    }

    /// Reports from now on are built on this worker thread.
    pub fn set_report_worker(&mut self, w: ReportWorker) {
        self.report_worker = Some(w);
    }

    /// Waits for the search thread to catch up (tests and start-up).
    pub fn settle(&mut self) {
        if let Some(r) = self.search.wait(Duration::from_secs(5)) {
            self.replies.set_results(r.query, r.hits);
        }
        self.poll();
    }

    pub fn search_pending(&self) -> bool {
        self.search.pending()
    }

    fn refresh_counts(&mut self) {
        match &self.counts_src {
            CountsSource::Inline => self.counts = Counts::compute(&self.store, self.now()).ok(),
            CountsSource::Thread { poke, .. } => {
                let _ = poke.send(());
            }
        }
    }

    fn note(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), false));
    }

    fn error(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), true));
    }

    /// A store error from a form: shown in the form; otherwise on the message line.
    fn failed(&mut self, e: StoreError) {
        let msg = crate::domain::sanitize::clean_line(&e.to_string());
        let pane = PaneId::ALL.into_iter().find(|p| self.pane(*p).mode() == Mode::Modal);
        if let Some(p) = pane {
            self.pane_mut(p).form_error(msg.clone());
        }
        self.sync_ui.form_error(msg.clone());
        self.error(msg);
    }

    fn done(&mut self, msg: impl Into<String>) {
        for p in PaneId::ALL {
            self.pane_mut(p).close_modal();
        }
        self.note(msg);
    }

    pub fn dispatch(&mut self, action: Action) {
        if let Err(e) = self.try_dispatch(action) {
            self.failed(e);
        }
    }

    fn try_dispatch(&mut self, action: Action) -> crate::store::Result<()> {
        let now = self.now();
        self.queue.set_now(now);
        self.aftersales.set_now(now);
        if action.writes() && self.sync_running() {
            return self.refuse_while_syncing(action);
        }
        match action {
            Action::Quit => {
                if self.has_unsaved_input() || self.sync_running() {
                    self.quit_ask = true;
                } else {
                    self.should_quit = true;
                }
            }
            Action::FocusNext | Action::FocusPrev => {
                let i = PaneId::ALL.iter().position(|p| *p == self.focus).unwrap_or(0);
                let n = PaneId::ALL.len();
                let step = if action == Action::FocusNext { 1 } else { n - 1 };
                self.focus = PaneId::ALL[(i + step) % n];
                self.entered(self.focus)?;
            }
            Action::Focus(p) => {
                self.focus = p;
                self.entered(p)?;
            }
            Action::ToggleHelp => self.help = !self.help,
            Action::Notice(m) => self.note(m),
            Action::QueueView(view) => {
                let rows = self.store.queue_page(view, now, None, PAGE)?;
                let end = rows.len() < PAGE;
                self.queue.set_rows(view, rows, true, end, false);
            }
            Action::QueueFetch(fetch) => self.fetch(fetch, now)?,
            Action::QueueSearch(q) => {
                if q.trim().is_empty() {
                    self.try_dispatch(Action::QueueView(self.queue.view))?;
                } else {
                    let rows = self.store.search_orders(&q, 200)?;
                    let n = rows.len();
                    self.queue.set_rows(self.queue.view, rows, true, true, false);
                    self.note(format!("找到 {n} 个订单"));
                }
            }
            Action::OpenOrder(no) => self.load_detail(&no)?,
            Action::SetFlag { order_no, flag } => {
                self.store.set_flag(&order_no, flag)?;
                self.after_order_write(&order_no)?;
                self.done(format!("订单 {order_no} 已设为{}", flag.label()));
            }
            Action::AddMemo { order_no, staff_no, what, result } => {
                let line = self.store.add_memo_line(&order_no, &staff_no, &what, &result)?;
                self.after_order_write(&order_no)?;
                self.done(format!("已写备注:{line}"));
            }
            Action::OpenRefund(record) => {
                let order_no = record.order_no.clone();
                let row = self.store.refund_new(record)?;
                self.after_order_write(&order_no)?;
                self.done(format!("已登记退款 {} · {}", row.refund_no, row.state.label()));
                self.open_case_view(CaseKey::Refund(row.refund_no))?;
            }
            Action::OpenCase { order_no, detail, registration } => {
                let row = self.store.open_case(&order_no, detail, registration)?;
                self.after_order_write(&order_no)?;
                self.done(format!("已开{}单", row.kind.label()));
                self.open_case_view(CaseKey::Case(row.case_id))?;
            }
            Action::CasesScope(all) => {
                self.aftersales.all = all;
                self.aftersales.view = None;
                self.reload_cases()?;
            }
            Action::OpenCaseView(key) => self.open_case_view(key)?,
            Action::RefundAct { refund_no, action, input } => {
                let row = self.store.refund_act(&refund_no, action, input)?;
                self.after_order_write(&row.order_no)?;
                self.done(format!("退款 {refund_no}:{} → {}", action.label(), row.state.label()));
                self.reload_case_view()?;
            }
            Action::CaseAct { case_id, action, note } => {
                let row = self.store.case_act(&case_id, action, &note)?;
                self.after_order_write(&row.order_no)?;
                self.done(format!("{}单:{} → {}", row.kind.label(), action.label(), row.state.label()));
                self.reload_case_view()?;
            }
            Action::CaseRegister { case_id, registration } => {
                let row = self.store.case_register(&case_id, registration)?;
                self.after_order_write(&row.order_no)?;
                self.done("售后登记已保存");
                self.reload_case_view()?;
            }
            Action::CaseContact { case_id, channel, progress } => {
                let row = self.store.case_contact(&case_id, channel, &progress)?;
                self.after_order_write(&row.order_no)?;
                self.done(format!("已记录{}联系,并写入备注", channel.label()));
                self.reload_case_view()?;
            }
            Action::ResolveConflict { event_id, note } => {
                self.store.resolve_conflict(&event_id, &note)?;
                self.done("冲突已处理,已记录说明");
                self.reload_case_view()?;
            }
            Action::SetShopType(t) => {
                self.store.set_setting(
                    "shop_type",
                    match t {
                        ShopType::CShop => "c_shop",
                        ShopType::Tmall => "tmall",
                    },
                )?;
                self.shop_type = t;
                self.note(format!("店铺类型:{}", t.label()));
                self.refresh_postage();
            }
            Action::Copy(text) => {
                self.clipboard_out.push(text.clone());
                self.note(format!("已复制:{}", crate::tui::text::clip(&text, 60)));
            }
            Action::ReplySearch(q) => self.search.request(&q),
            Action::UseReply { reply_id, text } => {
                self.clipboard_out.push(text.clone());
                self.store.reply_used(&reply_id, self.selected_order.as_deref())?;
                self.search.bump(&reply_id);
                self.research();
                self.note(format!("已复制:{}", crate::tui::text::clip(&text, 60)));
            }
            Action::SaveReply { id, code, text, group } => {
                let id = self.store.reply_save(id.as_deref(), &code, &text, &group)?;
                self.push_reply(&id)?;
                self.research();
                self.done(format!("快捷回复 {code} 已保存"));
            }
            Action::DeleteReply(id) => {
                self.store.reply_delete(&id)?;
                self.search.remove(&id);
                self.research();
                self.done("快捷回复已删除");
            }
            Action::RenameGroup { from, to } => {
                if to.trim().is_empty() {
                    return Err(StoreError::Rule("分组名不能为空".into()));
                }
                let mut n = 0;
                for r in self.store.replies()?.into_iter().filter(|r| r.group == from) {
                    self.store.reply_save(Some(&r.reply_id), &r.code, &r.text, &to)?;
                    self.push_reply(&r.reply_id)?;
                    n += 1;
                }
                self.research();
                self.done(format!("分组「{from}」改名为「{to}」({n} 条)"));
            }
            Action::DeleteGroup(group) => {
                let mut n = 0;
                for r in self.store.replies()?.into_iter().filter(|r| r.group == group) {
                    self.store.reply_delete(&r.reply_id)?;
                    self.search.remove(&r.reply_id);
                    n += 1;
                }
                self.research();
                self.done(format!("已删除分组「{group}」({n} 条)"));
            }
            Action::LogReload => {
                let rows = crate::report::log::page(&self.store, &Default::default(), None, LOG_PAGE)?;
                let end = rows.len() < LOG_PAGE;
                self.log.set_first_page(rows, end);
                self.log_more(0)?;
            }
            Action::LogMore { want } => self.log_more(want)?,
            Action::BuildReport(req) => {
                self.reports.set_pending(req);
                match &self.report_worker {
                    Some(w) => w.request(req, now),
                    None => {
                        let result = req.build(&self.store, now).map_err(|e| e.to_string());
                        self.reports.set_report(req, result);
                    }
                }
            }
            Action::SyncOpen(kind) => self.open_sync(kind)?,
            Action::SyncStart(job) => self.start_sync(job)?,
        }
        Ok(())
    }

    /// A view was focused: ④ reads the log afresh, ⑤ builds its report.
    fn entered(&mut self, p: PaneId) -> crate::store::Result<()> {
        match p {
            PaneId::Log => self.try_dispatch(Action::LogReload),
            PaneId::Reports => self.try_dispatch(Action::BuildReport(self.reports.request())),
            _ => Ok(()),
        }
    }

    /// Reads further log pages until `want` rows pass the filter, the log ends, or
    /// ten pages were read for this key (the next scroll reads on).
    fn log_more(&mut self, want: usize) -> crate::store::Result<()> {
        for _ in 0..10 {
            if self.log.end || self.log.rows().len() >= want {
                break;
            }
            let cursor = self.log.cursor();
            let rows = crate::report::log::page(&self.store, &Default::default(), cursor.as_ref(), LOG_PAGE)?;
            let end = rows.len() < LOG_PAGE;
            self.log.append(rows, end);
        }
        Ok(())
    }

    /// Runs the current reply query again (after an edit the results change).
    fn research(&mut self) {
        let q = self.replies.input.value().to_string();
        self.search.request(&q);
    }

    fn push_reply(&mut self, id: &str) -> crate::store::Result<()> {
        if let Some(r) = self.store.reply(id)? {
            self.search.upsert(ReplyDoc::from(r));
        }
        Ok(())
    }

    fn fetch(&mut self, fetch: Fetch, now: NaiveDateTime) -> crate::store::Result<()> {
        let view = self.queue.view;
        match fetch {
            Fetch::Top => {
                let rows = self.store.queue_page(view, now, None, PAGE)?;
                let end = rows.len() < PAGE;
                self.queue.set_rows(view, rows, true, end, false);
            }
            Fetch::Bottom => {
                let last = QueueCursor { qrank: i64::MAX, qkey: String::new(), order_no: String::new() };
                let rows = self.store.queue_page_before(view, now, &last, PAGE)?;
                let start = rows.len() < PAGE;
                self.queue.set_rows(view, rows, start, true, true);
            }
            Fetch::After(c) => {
                let rows = self.store.queue_page(view, now, Some(&c), PAGE)?;
                let full = rows.len() == PAGE;
                self.queue.append(rows, full);
            }
            Fetch::Before(c) => {
                let rows = self.store.queue_page_before(view, now, &c, PAGE)?;
                let full = rows.len() == PAGE;
                self.queue.prepend(rows, full);
            }
        }
        Ok(())
    }

    fn load_detail(&mut self, order_no: &str) -> crate::store::Result<()> {
        match loaders::detail(&self.store, order_no)? {
            Some(d) => self.queue.detail = Some(d),
            None => self.error(format!("没有订单 {order_no}")),
        }
        Ok(())
    }

    /// After a write about an order: its queue row, the detail, the cases and counts.
    fn after_order_write(&mut self, order_no: &str) -> crate::store::Result<()> {
        if let Some(row) = self.store.queue_row(order_no)? {
            self.queue.replace_row(row);
        }
        if self.queue.detail.as_ref().is_some_and(|d| d.detail.order_no == order_no) {
            let keep = self.queue.detail.as_ref().map(|d| (d.reveal_phone, d.scroll));
            self.load_detail(order_no)?;
            if let (Some(d), Some((r, s))) = (self.queue.detail.as_mut(), keep) {
                d.reveal_phone = r;
                d.scroll = s;
            }
        }
        self.reload_cases()?;
        self.refresh_counts();
        Ok(())
    }

    /// After events came from elsewhere (an import): every pane reads its data again —
    /// settings, the queue (keeping the selected order when it is still in the first
    /// page), the detail, cases and case view, the reply index, the view in front, counts.
    fn reload_all(&mut self) -> crate::store::Result<()> {
        self.shop_type = self.store.setting("shop_type")?.and_then(|s| ShopType::parse(&s)).unwrap_or_default();
        if let Some(name) = self.store.setting("shop_name")? {
            self.queue.set_shop_name(&name);
        }
        let keep = self.queue.selected().map(|r| r.order_no.clone());
        match self.queue.searching.clone() {
            Some(q) => self.try_dispatch(Action::QueueSearch(q))?,
            None => self.try_dispatch(Action::QueueView(self.queue.view))?,
        }
        if let Some(no) = keep {
            self.queue.select_order(&no);
        }
        match self.queue.detail.as_ref().map(|d| d.detail.order_no.clone()) {
            Some(no) => self.after_order_write(&no)?,
            None => self.refresh_counts(),
        }
        self.search = SearchWorker::spawn(docs(&self.store)?);
        self.research();
        self.reload_case_view()?;
        self.sync_selection(true);
        if self.aftersales.all {
            self.reload_cases()?;
        }
        self.entered(self.focus)
    }

    fn reload_cases(&mut self) -> crate::store::Result<()> {
        let items = if self.aftersales.all {
            loaders::all_open_cases(&self.store)?
        } else {
            match &self.selected_order {
                Some(no) => loaders::order_cases(&self.store, no)?,
                None => Vec::new(),
            }
        };
        let order = if self.aftersales.all { None } else { self.selected_order.clone() };
        self.aftersales.set_items(order, items);
        self.refresh_postage();
        Ok(())
    }

    fn open_case_view(&mut self, key: CaseKey) -> crate::store::Result<()> {
        let view = loaders::case_view(&self.store, &key)?;
        if view.is_none() {
            self.error("找不到这个售后单");
        }
        self.aftersales.view = None;
        self.aftersales.set_view(view);
        self.focus = PaneId::AfterSales;
        self.refresh_postage();
        Ok(())
    }

    fn reload_case_view(&mut self) -> crate::store::Result<()> {
        if let Some(key) = self.aftersales.view.as_ref().map(|v| v.key.clone()) {
            let view = loaders::case_view(&self.store, &key)?;
            self.aftersales.set_view(view);
        }
        self.refresh_postage();
        Ok(())
    }

    fn refresh_postage(&mut self) {
        let order = self.aftersales.selected().map(|i| i.order_no.clone()).or(self.selected_order.clone());
        let seed = loaders::postage_seed(&self.store, self.shop_type, order.as_deref(), self.aftersales.view.as_ref());
        self.aftersales.postage_seed = seed;
    }

    /// When the queue's selection moved: the after-sales list and the reply values follow.
    fn sync_selection(&mut self, force: bool) {
        let sel = self.queue.selected().map(|r| r.order_no.clone());
        if !force && sel == self.selected_order {
            return;
        }
        self.selected_order = sel;
        let values = self.store.placeholder_values(self.selected_order.as_deref()).unwrap_or_default();
        self.replies.set_values(values);
        if !self.aftersales.all {
            if let Err(e) = self.reload_cases() {
                self.failed(e);
            }
        } else {
            self.refresh_postage();
        }
    }
}
