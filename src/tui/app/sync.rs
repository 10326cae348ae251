//! The App's side of sync by files: opening the dialogs with their defaults (read on
//! the store worker), starting a job (on its own connection), its progress and outcome,
//! and what the screen does while one runs: reads go on, writes are refused, quitting asks.

use super::App;
use crate::tui::msg::{Cmd, FormId, Origin, Place};
use crate::tui::panes::sync_dialog::{SyncDialog, SyncKind};
use crate::tui::sync_job::{SyncJob, SyncOutcome};
use crate::tui::sync_summary;
use crate::tui::worker::{Data, Query};

impl App {
    /// What the quit question says.
    pub(crate) fn quit_question(&self) -> Vec<String> {
        if self.sync_running {
            vec![
                "同步还在进行。现在退出会中止它:".into(),
                "导入是一个事务,中止后什么都不会写入,之后可以重做。确定退出?".into(),
            ]
        } else {
            vec!["有未保存的输入,确定退出吗?".into()]
        }
    }

    pub(crate) fn sync_dialog(&self) -> Option<(String, Vec<String>)> {
        self.sync_ui.ask_state()
    }

    pub(crate) fn sync_open(&self) -> bool {
        self.sync_ui.is_open()
    }

    pub(super) fn open_sync(&mut self, kind: SyncKind, out: &mut Vec<Cmd>) {
        if self.sync_running {
            self.sync_ui.show();
            return;
        }
        self.sync_opening = Some(kind);
        out.push(Cmd::Load(Query::SyncDefaults(kind)));
    }

    pub(super) fn start_sync(&mut self, job: SyncJob, out: &mut Vec<Cmd>) {
        if self.sync_running {
            self.sync_ui.show();
            self.error(super::BUSY);
            return;
        }
        self.sync_ui.sending();
        self.sync_running = true;
        let origin = Origin { place: Place::Sync, form: FormId::SyncAsk, serial: self.next_serial() };
        out.push(Cmd::Sync { job, origin });
    }

    /// The dialog's defaults, or a folder's files, came in.
    pub(super) fn sync_loaded(&mut self, query: Query, data: Data) {
        match (query, data) {
            (Query::SyncDefaults(kind), Data::SyncDefaults(d)) if self.sync_opening == Some(kind) => {
                self.sync_opening = None;
                self.sync_ui = match kind {
                    SyncKind::Export => SyncDialog::export(&d.export_file),
                    SyncKind::Import => SyncDialog::import(d.dir, d.files, &d.own_file),
                    SyncKind::Dir => SyncDialog::dir(&d.dir),
                };
            }
            // A folder typed into the import form: no job ran, its files are listed.
            (Query::SyncFolder(dir), Data::SyncFolder(files)) => {
                self.sync_running = false;
                self.sync_ui.set_files(dir, files);
            }
            _ => {}
        }
    }

    /// The job ended: its summary or its error (the folder it used is remembered by
    /// the job itself, in this database's `meta`).
    pub(super) fn sync_done(&mut self, result: Result<SyncOutcome, String>) {
        self.sync_running = false;
        let job = self.sync_ui.running().map(|r| r.job.clone());
        match result {
            Ok(outcome) => {
                let (title, lines) = sync_summary::outcome(&outcome);
                self.note(title);
                self.sync_ui.finish(title, lines, false);
            }
            Err(message) => match job {
                Some(job) => {
                    let (title, lines) = sync_summary::failure(&job, &message);
                    self.error(title);
                    self.sync_ui.finish(title, lines, true);
                }
                // It never started (the form is still open): the form says why.
                None => {
                    if !self.sync_ui.form_error(&message) {
                        self.error(message);
                    }
                }
            },
        }
    }
}
