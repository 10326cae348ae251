//! Export, import and folder sync off the key path: the runtime runs a job on a
//! connection of its own to the same database file, acting as the App's seat, sending
//! progress as it goes and one outcome at the end; the screen keeps drawing meanwhile.
//!
//! A job cannot be stopped half way, and need not be: an import is one transaction
//! (all or nothing) and an export writes a temporary file that is renamed only when
//! complete. Quitting kefu while a job runs leaves the database as it was before it.

use std::path::{Path, PathBuf};

use crate::store::Store;
use crate::sync::{self, ExportReport, ImportReport, Progress, Scope, SyncError, SyncReport};

/// What the agent asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyncJob {
    Export { path: PathBuf, scope: Scope },
    Import { path: PathBuf },
    Dir { dir: PathBuf },
}

impl SyncJob {
    /// The popup's title while it runs and when it is done.
    pub(crate) fn title(&self) -> &'static str {
        match self {
            SyncJob::Export { .. } => "导出同步文件",
            SyncJob::Import { .. } => "导入同步文件",
            SyncJob::Dir { .. } => "同步文件夹",
        }
    }

    /// The file or folder the job works on.
    pub(crate) fn path(&self) -> &Path {
        match self {
            SyncJob::Export { path, .. } | SyncJob::Import { path } => path,
            SyncJob::Dir { dir } => dir,
        }
    }
}

/// What a finished job did.
#[derive(Debug)]
pub(crate) enum SyncOutcome {
    Exported(ExportReport),
    Imported(ImportReport),
    Synced(SyncReport),
}

/// Runs `job` on `store`, reporting progress.
pub(crate) fn run(
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
