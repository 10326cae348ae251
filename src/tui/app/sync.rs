//! The App's side of sync by files: opening the dialogs with their defaults, starting
//! a job on its own thread (or inline for an in-memory store, which no other
//! connection can open), taking its progress and outcome, and what the UI does while
//! one runs: reads go on, writes are refused, quitting asks.

use std::time::{Duration, Instant};

use super::App;
use crate::store::StoreError;
use crate::sync::seat_file_name;
use crate::tui::action::Action;
use crate::tui::panes::sync_dialog::{SyncDialog, SyncKind};
use crate::tui::sync_files;
use crate::tui::sync_job::{self, SyncJob, SyncMsg, SyncOutcome, SyncWorker};
use crate::tui::sync_summary;

/// Said when a write is refused because a job holds the database.
pub const BUSY: &str = "同步进行中…完成后再修改(这次没有保存)";

impl App {
    /// A sync job is running (in front or in the background).
    pub fn sync_running(&self) -> bool {
        self.sync_worker.is_some()
    }

    /// What the quit question says.
    pub fn quit_question(&self) -> Vec<String> {
        if self.sync_running() {
            vec![
                "同步还在进行。现在退出会中止它:".into(),
                "导入是一个事务,中止后什么都不会写入,之后可以重做。确定退出?".into(),
            ]
        } else {
            vec!["有未保存的输入,确定退出吗?".into()]
        }
    }

    /// A write asked for while a job runs: a reply is still copied (its use is not
    /// counted); anything else is refused and stays in its form.
    pub(super) fn refuse_while_syncing(&mut self, action: Action) -> crate::store::Result<()> {
        if let Action::UseReply { text, .. } = action {
            self.clipboard_out.push(text.clone());
            self.note(format!("已复制(同步进行中,这次不计使用次数):{}", crate::tui::text::clip(&text, 40)));
            return Ok(());
        }
        if let Action::SyncStart(_) = action {
            self.sync_ui.show();
        }
        Err(StoreError::Rule(BUSY.into()))
    }

    pub(super) fn open_sync(&mut self, kind: SyncKind) -> crate::store::Result<()> {
        if self.sync_running() {
            self.sync_ui.show();
            return Ok(());
        }
        self.sync_ui = match kind {
            SyncKind::Export => SyncDialog::export(&sync_files::export_default(&self.store)?),
            SyncKind::Import => {
                let dir = sync_files::start_dir(&self.store)?;
                let files = sync_files::list(&dir);
                SyncDialog::import(dir, files, &seat_file_name(&self.store.actor().seat))
            }
            SyncKind::Dir => SyncDialog::dir(&sync_files::start_dir(&self.store)?),
        };
        Ok(())
    }

    pub(super) fn start_sync(&mut self, job: SyncJob) -> crate::store::Result<()> {
        let job = match job {
            // A folder typed in the import dialog: list its files instead.
            SyncJob::Import { path } if path.is_dir() => {
                if let SyncDialog::Ask(a) = &mut self.sync_ui {
                    let files = sync_files::list(&path);
                    a.set_files(path, files);
                }
                return Ok(());
            }
            // A folder to export into: this seat's file there.
            SyncJob::Export { path, scope } if path.is_dir() => {
                SyncJob::Export { path: path.join(seat_file_name(&self.store.actor().seat)), scope }
            }
            job => job,
        };
        self.sync_ui.start(job.clone());
        if self.store.path() == ":memory:" {
            let result = sync_job::run(&mut self.store, &job, &mut |_, _| {}).map_err(|e| e.to_string());
            return self.finish_sync(job, result);
        }
        let db = std::path::PathBuf::from(self.store.path());
        match SyncWorker::spawn(db, self.store.actor().clone(), self.store.clock().clone(), job) {
            Ok(w) => self.sync_worker = Some(w),
            Err(e) => {
                self.sync_ui = SyncDialog::Closed;
                return Err(StoreError::Rule(format!("无法启动同步线程:{e}")));
            }
        }
        Ok(())
    }

    /// Takes the running job's progress and, at the end, its outcome.
    pub(super) fn poll_sync(&mut self) {
        let Some(w) = &self.sync_worker else { return };
        for msg in w.poll() {
            self.sync_msg(msg);
        }
    }

    fn sync_msg(&mut self, msg: SyncMsg) {
        match msg {
            SyncMsg::Progress { file, progress } => self.sync_ui.progress(file, progress),
            SyncMsg::Done(result) => {
                self.sync_worker = None;
                let Some(job) = self.sync_ui.running().map(|r| r.job.clone()) else { return };
                if let Err(e) = self.finish_sync(job, result) {
                    self.failed(e);
                }
            }
        }
    }

    /// Waits until the running job is done or `timeout` passes (tests); true if done.
    pub fn wait_sync(&mut self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while let Some(w) = &self.sync_worker {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if let Some(msg) = w.wait(left) {
                self.sync_msg(msg);
            }
        }
        true
    }

    /// The job ended: remember where (when it went through), read everything again if
    /// events came in, and show the summary or the error.
    fn finish_sync(&mut self, job: SyncJob, result: Result<SyncOutcome, String>) -> crate::store::Result<()> {
        match result {
            Ok(outcome) => {
                let (title, lines) = sync_summary::outcome(&outcome);
                self.note(title);
                self.sync_ui.finish(title, lines, false);
                sync_files::remember(&mut self.store, &job)?;
                if outcome.new_events() > 0 {
                    self.reload_all()?;
                }
            }
            Err(message) => {
                let (title, lines) = sync_summary::failure(&job, &message);
                self.error(title);
                self.sync_ui.finish(title, lines, true);
            }
        }
        Ok(())
    }
}
