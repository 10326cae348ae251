//! Export, import and folder sync off the key path: a thread with its own connection to
//! the same database file (like the report worker), acting as the App's seat. It sends
//! progress as it goes and one outcome at the end; the screen keeps drawing meanwhile.
//!
//! A job cannot be stopped half way, and need not be: an import is one transaction
//! (all or nothing) and an export writes a temporary file that is renamed only when
//! complete. Quitting kefu while a job runs leaves the database as it was before it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use crate::domain::event::Actor;
use crate::store::Store;
use crate::sync::{self, ExportReport, ImportReport, Progress, Scope, SyncError, SyncReport};

/// The message when the job's thread ended without an outcome.
const LOST: &str = "同步线程意外中止(详情见 kefu.log);导入是一个事务,没有写入一半的内容";

/// What the agent asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncJob {
    Export { path: PathBuf, scope: Scope },
    Import { path: PathBuf },
    Dir { dir: PathBuf },
}

impl SyncJob {
    /// The popup's title while it runs and when it is done.
    pub fn title(&self) -> &'static str {
        match self {
            SyncJob::Export { .. } => "导出同步文件",
            SyncJob::Import { .. } => "导入同步文件",
            SyncJob::Dir { .. } => "同步文件夹",
        }
    }

    /// The file or folder the job works on.
    pub fn path(&self) -> &Path {
        match self {
            SyncJob::Export { path, .. } | SyncJob::Import { path } => path,
            SyncJob::Dir { dir } => dir,
        }
    }
}

/// What a finished job did.
#[derive(Debug)]
pub enum SyncOutcome {
    Exported(ExportReport),
    Imported(ImportReport),
    Synced(SyncReport),
}

impl SyncOutcome {
    /// Events that came into this database (the panes then read everything again).
    pub fn new_events(&self) -> u64 {
        match self {
            SyncOutcome::Exported(_) => 0,
            SyncOutcome::Imported(r) => r.new,
            SyncOutcome::Synced(r) => r
                .files
                .iter()
                .map(|f| match f {
                    sync::DirFile::Imported(r) => r.new,
                    _ => 0,
                })
                .sum(),
        }
    }
}

/// A message from the job's thread.
#[derive(Debug)]
pub enum SyncMsg {
    /// How far it got; `file` is the folder file being imported (folder sync only).
    Progress { file: Option<PathBuf>, progress: Progress },
    /// The outcome, or the error's message (`SyncError`'s Display: what and where).
    Done(Result<SyncOutcome, String>),
}

/// Runs `job` on `store`, reporting progress.
pub fn run(
    store: &mut Store,
    job: &SyncJob,
    progress: &mut dyn FnMut(Option<&Path>, Progress),
) -> Result<SyncOutcome, SyncError> {
    match job {
        SyncJob::Export { path, scope } => sync::export(store, path, *scope).map(SyncOutcome::Exported),
        SyncJob::Import { path } => {
            sync::import_with_progress(store, path, &mut |p| progress(None, p)).map(SyncOutcome::Imported)
        }
        SyncJob::Dir { dir } => sync::sync_dir(store, dir, &mut |f, p| progress(Some(f), p)).map(SyncOutcome::Synced),
    }
}

/// A job running on its own thread.
pub struct SyncWorker {
    rx: Receiver<SyncMsg>,
}

impl SyncWorker {
    /// Starts `job` on a new connection to the database at `db`, as `actor`.
    pub fn spawn(
        db: PathBuf,
        actor: Actor,
        clock: crate::domain::clock::Clock,
        job: SyncJob,
    ) -> std::io::Result<SyncWorker> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new().name("kefu-sync".into()).spawn(move || {
            let result = match Store::open(&db, actor) {
                Ok(mut store) => {
                    store.set_clock(clock);
                    let progress = tx.clone();
                    run(&mut store, &job, &mut |file, p| {
                        let _ = progress.send(SyncMsg::Progress { file: file.map(Path::to_path_buf), progress: p });
                    })
                }
                Err(e) => Err(SyncError::from(e)),
            };
            let _ = tx.send(SyncMsg::Done(result.map_err(|e| e.to_string())));
        })?;
        Ok(SyncWorker { rx })
    }

    /// Everything the thread sent since the last call (never blocks). A thread that
    /// ended without an outcome (it panicked) ends the list with an error.
    pub fn poll(&self) -> Vec<SyncMsg> {
        let mut out = Vec::new();
        loop {
            match self.rx.try_recv() {
                Ok(m) => out.push(m),
                Err(TryRecvError::Empty) => return out,
                Err(TryRecvError::Disconnected) => {
                    if !out.iter().any(|m| matches!(m, SyncMsg::Done(_))) {
                        out.push(SyncMsg::Done(Err(LOST.into())));
                    }
                    return out;
                }
            }
        }
    }

    /// Waits up to `timeout` for the next message (tests).
    pub fn wait(&self, timeout: Duration) -> Option<SyncMsg> {
        match self.rx.recv_timeout(timeout) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(SyncMsg::Done(Err(LOST.into()))),
        }
    }
}
