//! The runtime around the App: it feeds `App::update` one message at a time and carries
//! out the commands that come back — writes and reads to the store worker (slow reads
//! to its reader), sync jobs to a connection of their own, searches to the search
//! thread, copies to the clipboard queue — and brings every answer back as a message.
//! The terminal loop (`tui::run`), the tests and the benchmark all drive the seat
//! screen through it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;

use super::action::PaneId;
use super::app::App;
use super::keymap::Keymaps;
use super::msg::{Cmd, Msg, Origin, SearchCmd, trace};
use super::search_worker::SearchWorker;
use super::sync_job::{self, SyncJob};
use super::theme::Theme;
use super::worker::{Answer, Outcome, Query, Request, Worker};
use crate::domain::clock::Clock;
use crate::domain::event::Actor;
use crate::store::Store;

/// The seat screen, running: the App and the threads that serve it.
pub struct Runtime {
    app: App,
    store: Worker,
    /// Slow reads on their own connection (a database file only).
    reader: Option<Worker>,
    /// The database file (none: in memory).
    db: Option<PathBuf>,
    actor: Actor,
    clock: Clock,
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    search: Option<SearchWorker>,
    /// A query asked before the index was built.
    search_waiting: Option<String>,
    /// Requests sent whose answer has not come back (sync jobs aside).
    in_flight: usize,
    /// Sync jobs running.
    syncs: usize,
    /// Texts waiting for the clipboard (the terminal loop sends them).
    clipboard: Vec<String>,
    /// A signal that arrived (the terminal loop ends on it).
    signal: Option<i32>,
    /// Live sync with the shop hub, when this database is connected to one.
    hub: Option<crate::hub::live::Live>,
    /// The case the hub was last told is open.
    told_open: Option<String>,
}

impl Runtime {
    /// The seat screen on `store` with the default keys.
    pub fn new(store: Store) -> std::io::Result<Runtime> {
        Runtime::with_config(store, Keymaps::default(), Theme::default(), &[])
    }

    /// The seat screen on `store` with `keys` and `theme`; `problems` (with the config
    /// file's key bindings and theme) go to the message line.
    pub(crate) fn with_config(
        store: Store,
        keys: Keymaps,
        theme: Theme,
        problems: &[String],
    ) -> std::io::Result<Runtime> {
        let (tx, rx) = mpsc::channel();
        let actor = store.actor().clone();
        let clock = store.clock().clone();
        let db = (store.path() != ":memory:").then(|| PathBuf::from(store.path()));
        // The reader: its own connection, for reports and counts.
        let reader = match &db {
            Some(path) => match Store::open(path, Actor::new("reader", "reader")) {
                Ok(mut s) => {
                    s.set_clock(clock.clone());
                    Some(Worker::spawn("kefu-reader", s, tx.clone())?)
                }
                Err(e) => {
                    tracing::warn!("no reader connection, reports run on the store worker: {e}");
                    None
                }
            },
            None => None,
        };
        let hub = match &db {
            Some(path) => live_hub(&store, path, &tx),
            None => None,
        };
        let worker = Worker::spawn("kefu-store", store, tx.clone())?;
        let (mut app, cmds) = App::new(actor.clone(), clock.shop_now(), keys);
        app.set_theme(theme);
        app.report_problems(problems);
        let mut rt = Runtime {
            app,
            store: worker,
            reader,
            db,
            actor,
            clock,
            tx,
            rx,
            search: None,
            search_waiting: None,
            in_flight: 0,
            syncs: 0,
            clipboard: Vec::new(),
            signal: None,
            hub,
            told_open: None,
        };
        rt.exec(cmds);
        Ok(rt)
    }

    /// A channel into the runtime (the terminal's keys, signals).
    pub(crate) fn sender(&self) -> Sender<Answer> {
        self.tx.clone()
    }

    pub(crate) fn send(&mut self, msg: Msg) {
        let name = tracing::enabled!(tracing::Level::DEBUG).then(|| trace::msg(&msg));
        let cmds = self.app.update(msg);
        if let Some(name) = name
            && !cmds.is_empty()
        {
            tracing::debug!("{name} → {}", trace::cmds(&cmds));
        }
        self.exec(cmds);
        if let Some(hub) = &self.hub {
            let open = self.app.open_case();
            if open != self.told_open {
                hub.open_case(open.clone());
                self.told_open = open;
            }
        }
    }

    /// A key, as typed.
    pub fn key(&mut self, key: KeyEvent) {
        self.send(Msg::Key(key));
    }

    /// A bracketed paste.
    pub fn paste(&mut self, text: &str) {
        self.send(Msg::Paste(text.to_string()));
    }

    /// The clock moved on (the terminal loop calls this about once a second).
    pub fn tick(&mut self) {
        let now = self.clock.shop_now();
        self.send(Msg::Tick(now));
    }

    fn exec(&mut self, cmds: Vec<Cmd>) {
        for c in cmds {
            match c {
                Cmd::Write { cmd, origin } => self.request(false, Request::Write { cmd, origin }),
                Cmd::Load(q) => self.request(q.is_slow(), Request::Load(q)),
                Cmd::Sync { job, origin } => self.sync(job, origin),
                Cmd::Search(s) => self.search(s),
                Cmd::Copy(text) => self.clipboard.push(text),
                Cmd::Quit => {}
            }
        }
    }

    fn request(&mut self, slow: bool, r: Request) {
        let worker = match &self.reader {
            Some(reader) if slow => reader,
            _ => &self.store,
        };
        if worker.send(r) {
            self.in_flight += 1;
        } else {
            tracing::error!("the store worker is gone");
            self.send(Msg::Loaded {
                query: Query::Settings, data: Err("数据库线程意外中止(详情见 kefu.log)".into())
            });
        }
    }

    fn search(&mut self, cmd: SearchCmd) {
        match cmd {
            SearchCmd::Reset(docs) => {
                let mut s = SearchWorker::spawn(docs);
                if let Some(q) = self.search_waiting.take() {
                    s.request(&q);
                }
                self.search = Some(s);
            }
            SearchCmd::Query(q) => match self.search.as_mut() {
                Some(s) => s.request(&q),
                None => self.search_waiting = Some(q),
            },
            SearchCmd::Upsert(doc) => {
                if let Some(s) = &self.search {
                    s.upsert(doc);
                }
            }
            SearchCmd::Remove(id) => {
                if let Some(s) = &self.search {
                    s.remove(&id);
                }
            }
        }
    }

    /// A sync job: on a connection of its own (reads go on meanwhile), or on the store
    /// worker for a database in memory. A folder given for an import lists its files
    /// instead (on the store worker); a folder given for an export gets this seat's
    /// file name.
    fn sync(&mut self, job: SyncJob, origin: Origin) {
        let job = match job {
            SyncJob::Import { path } if path.is_dir() => {
                self.request(false, Request::Load(Query::SyncFolder(path)));
                return;
            }
            SyncJob::Export { path, scope } if path.is_dir() => {
                SyncJob::Export { path: path.join(crate::sync::seat_file_name(&self.actor.seat)), scope }
            }
            job => job,
        };
        self.send(Msg::SyncStarted(job.clone()));
        let updates = self.tx.clone();
        match self.db.clone() {
            Some(db) => {
                let (actor, clock, out) = (self.actor.clone(), self.clock.clone(), self.tx.clone());
                let spawned = std::thread::Builder::new().name("kefu-sync".into()).spawn(move || {
                    let msg = match Store::open(&db, actor) {
                        Ok(mut store) => {
                            store.set_clock(clock);
                            run_sync(&mut store, job, origin, &updates)
                        }
                        Err(e) => Msg::Failed { origin, error: e.to_string() },
                    };
                    let _ = out.send(Answer::SyncDone(msg));
                });
                match spawned {
                    Ok(_) => self.syncs += 1,
                    Err(e) => self.send(Msg::Failed { origin, error: format!("无法启动同步线程:{e}") }),
                }
            }
            None => {
                let run = move |store: &mut Store| run_sync(store, job, origin, &updates);
                self.request(false, Request::Run(Box::new(run)));
            }
        }
    }

    fn answer(&mut self, a: Answer) {
        match a {
            Answer::Done(msg) => {
                self.in_flight = self.in_flight.saturating_sub(1);
                // A local write: the hub gets it now.
                if let (Some(hub), Some(Msg::Written { .. })) = (&self.hub, &msg) {
                    hub.nudge();
                }
                if let Some(m) = msg {
                    self.send(m);
                }
            }
            Answer::SyncDone(m) => {
                self.syncs = self.syncs.saturating_sub(1);
                self.send(m);
            }
            Answer::Update(m) => self.send(m),
            Answer::Signal(s) => self.signal = Some(s),
        }
    }

    /// Waits up to `timeout` for something to happen (an answer, a search result, a
    /// key from the terminal) and takes everything that is ready. False if nothing came.
    pub fn pump(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let mut got = false;
            if let Some(r) = self.search.as_mut().and_then(SearchWorker::poll) {
                self.send(Msg::Searched(r));
                got = true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            // A search on its way is polled often: its result lands as soon as it is ready.
            let wait = if self.search_pending() { left.min(Duration::from_millis(2)) } else { left };
            match self.rx.recv_timeout(wait) {
                Ok(a) => {
                    self.answer(a);
                    while let Ok(a) = self.rx.try_recv() {
                        self.answer(a);
                    }
                    got = true;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return got,
            }
            if got || Instant::now() >= deadline {
                return got;
            }
        }
    }

    fn search_pending(&self) -> bool {
        self.search.as_ref().is_some_and(SearchWorker::pending) || self.search_waiting.is_some()
    }

    /// Whether an answer or a search is still on its way (a sync job aside).
    pub fn busy(&self) -> bool {
        self.in_flight > 0 || self.search_pending()
    }

    /// Waits until no sync job runs (and what it brought is read), at most `timeout`.
    pub fn wait_sync(&mut self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.syncs > 0 {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.pump(left.min(Duration::from_millis(200)));
        }
        self.settle_within(end.saturating_duration_since(Instant::now()))
    }

    /// Takes answers until nothing is on its way (tests, start-up), at most `limit`.
    pub fn settle_within(&mut self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while self.busy() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.pump(left.min(Duration::from_millis(200)));
        }
        true
    }

    /// Takes answers until nothing is on its way (at most 10 s).
    pub fn settle(&mut self) {
        self.settle_within(Duration::from_secs(10));
    }

    /// Draws the screen.
    pub fn draw(&self, f: &mut Frame) {
        self.app.draw(f);
    }

    /// Whether the screen changed since the last call.
    pub(crate) fn take_dirty(&mut self) -> bool {
        self.app.take_dirty()
    }

    /// Texts to send to the clipboard, oldest first.
    pub fn take_clipboard(&mut self) -> Vec<String> {
        std::mem::take(&mut self.clipboard)
    }

    pub fn should_quit(&self) -> bool {
        self.app.should_quit()
    }

    pub(crate) fn signal(&self) -> Option<i32> {
        self.signal
    }

    // What tests look at (read-only).

    /// The focused pane.
    pub fn focus(&self) -> PaneId {
        self.app.focus()
    }

    /// "小美 正在处理" when agents at other seats have the open case open too.
    pub fn others_on_open_case(&self) -> Option<String> {
        self.app.others_on_open_case()
    }

    /// The hub's state in the status bar (text, whether an error), if a hub is connected.
    pub fn hub_status(&self) -> Option<(String, bool)> {
        self.app.hub_status().cloned()
    }

    /// The message line: text and whether it is an error.
    pub fn message(&self) -> Option<(String, bool)> {
        self.app.message().cloned()
    }

    pub fn quit_asked(&self) -> bool {
        self.app.quit_asked()
    }

    pub fn help_open(&self) -> bool {
        self.app.help_open()
    }

    /// ① the order numbers in the window, in queue order.
    pub fn queue_orders(&self) -> Vec<String> {
        self.app.queue().rows().iter().map(|r| r.order_no.clone()).collect()
    }

    /// ① the selected order and its place in the window.
    pub fn selected_order(&self) -> Option<(String, usize)> {
        let q = self.app.queue();
        q.selected().map(|r| (r.order_no.clone(), q.selected_index()))
    }

    /// ① whether the window reaches the start and the end of the view.
    pub fn queue_edges(&self) -> (bool, bool) {
        self.app.queue().window_edges()
    }

    /// ② the cases listed: kind label and refund number or case id.
    pub fn cases(&self) -> Vec<(String, String)> {
        self.app
            .aftersales()
            .items()
            .iter()
            .map(|i| (i.kind.label().to_string(), i.key.log_key().to_string()))
            .collect()
    }

    /// ② the open case view's menu (its labels), if a case is open.
    pub fn case_actions(&self) -> Option<Vec<String>> {
        self.app.aftersales().view().map(|v| v.data.actions.iter().map(|a| a.label()).collect())
    }

    /// ③ the search box, and the selected result's code and text (placeholders filled).
    pub fn reply(&self) -> (String, Option<(String, String)>) {
        let r = self.app.replies();
        (r.query().to_string(), r.selected().map(|h| h.code.clone()).zip(r.filled()))
    }

    /// ③ the results' codes, best first.
    pub fn reply_codes(&self) -> Vec<String> {
        self.app.replies().results().iter().map(|h| h.code.clone()).collect()
    }

    /// ⑤ whether a report is being built.
    pub fn report_pending(&self) -> bool {
        self.app.reports().is_pending()
    }

    /// ⑤ the report shown: the choice's label, its day, and the report.
    pub fn report(&self) -> Option<(&'static str, chrono::NaiveDate, crate::report::Report)> {
        self.app.reports().shown().map(|(req, r)| (req.kind.label(), req.date, r.clone()))
    }

    /// ⑤ the DSR form, if open: its result lines and its error.
    pub fn dsr(&self) -> Option<(Vec<String>, Option<String>)> {
        self.app.reports().dsr().map(|d| (d.results().to_vec(), d.error().map(str::to_string)))
    }

    /// ④ the rows the filter shows, newest first.
    pub fn log_rows(&self) -> Vec<crate::report::log::LogEntry> {
        self.app.log().rows().into_iter().cloned().collect()
    }

    /// ④ how many rows are read, whether that is the whole log, and the filter.
    pub fn log_state(&self) -> (usize, bool, String) {
        let l = self.app.log();
        (l.loaded(), l.at_end(), l.filter().to_string())
    }

    /// The open sync dialog's path field and the files it lists (none open: None).
    pub fn sync_dialog(&self) -> Option<(String, Vec<String>)> {
        self.app.sync_dialog()
    }

    /// Whether the sync popup (dialog, gauge or summary) is in front.
    pub fn sync_open(&self) -> bool {
        self.app.sync_open()
    }

    /// Shows the gauge of a folder sync of `dir` at `progress` on `file`, as a running
    /// job would (screenshots of a moment a real job passes too quickly to catch).
    #[doc(hidden)]
    pub fn show_sync_progress(&mut self, dir: &Path, file: &Path, progress: crate::sync::Progress) {
        self.send(Msg::SyncStarted(SyncJob::Dir { dir: dir.to_path_buf() }));
        self.send(Msg::SyncProgress { file: Some(file.to_path_buf()), progress });
    }

    /// Whether a sync job holds the database.
    pub fn sync_running(&self) -> bool {
        self.app.sync_running()
    }

    /// Whether any form or box holds typed input that quitting would lose.
    pub fn has_unsaved_input(&self) -> bool {
        self.app.has_unsaved_input()
    }
}

/// Live sync with the hub this database is connected to (`kefu hub connect`), on its
/// own connection to the file; its news come back as messages.
fn live_hub(store: &Store, path: &Path, tx: &Sender<Answer>) -> Option<crate::hub::live::Live> {
    let url = match crate::hub::connected_url(store) {
        Ok(Some(url)) => url,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("hub: {e}");
            return None;
        }
    };
    let mut own = match Store::open(path, store.actor().clone()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("hub: no connection of its own to the database: {e}");
            return None;
        }
    };
    own.set_clock(store.clock().clone());
    let tx = tx.clone();
    let live = crate::hub::live::Live::spawn(own, url, crate::hub::live::LiveOptions::default(), move |u| {
        let msg = match u {
            crate::hub::live::LiveUpdate::Status(s) => Msg::Hub { text: s.text(), error: s.is_error() },
            crate::hub::live::LiveUpdate::Arrived(changes) => Msg::HubArrived(changes),
            crate::hub::live::LiveUpdate::Presence(p) => Msg::Presence(p),
        };
        let _ = tx.send(Answer::Update(msg));
    });
    match live {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!("hub: no live sync thread: {e}");
            None
        }
    }
}

/// Runs a sync job on `store`, its progress to `updates`; the last message is the answer.
/// After a job that went through, its folder is remembered.
fn run_sync(store: &mut Store, job: SyncJob, origin: Origin, updates: &Sender<Answer>) -> Msg {
    let _ = store.take_changes();
    let result = sync_job::run(store, &job, &mut |file: Option<&Path>, progress| {
        let _ = updates.send(Answer::Update(Msg::SyncProgress { file: file.map(Path::to_path_buf), progress }));
    });
    match result {
        Ok(outcome) => {
            if let Err(e) = super::sync_files::remember(store, &job) {
                tracing::warn!("the sync folder could not be remembered: {e}");
            }
            let changes = store.take_changes();
            Msg::Written { origin, changes, outcome: Outcome::Synced(outcome) }
        }
        Err(e) => Msg::Failed { origin, error: e.to_string() },
    }
}
