//! Reports built off the key path: a thread with its own read-only connection to the
//! same database file (like the status-bar counts), answering one request at a time.
//! Requests that piled up while it worked are skipped to the newest.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use chrono::NaiveDateTime;

use super::action::ReportRequest;
use crate::domain::event::Actor;
use crate::report::Report;
use crate::store::Store;

pub type ReportAnswer = (ReportRequest, Result<Report, String>);

pub struct ReportWorker {
    tx: Sender<(ReportRequest, NaiveDateTime)>,
    rx: Receiver<ReportAnswer>,
}

impl ReportWorker {
    pub fn spawn(path: PathBuf) -> std::io::Result<ReportWorker> {
        let (tx, requests) = mpsc::channel::<(ReportRequest, NaiveDateTime)>();
        let (answers, rx) = mpsc::channel();
        std::thread::Builder::new().name("kefu-reports".into()).spawn(move || {
            let store = Store::open(&path, Actor::new("reports", "reports"));
            while let Ok(mut req) = requests.recv() {
                while let Ok(newer) = requests.try_recv() {
                    req = newer;
                }
                let result = match &store {
                    Ok(s) => req.0.build(s, req.1).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                if answers.send((req.0, result)).is_err() {
                    return;
                }
            }
        })?;
        Ok(ReportWorker { tx, rx })
    }

    pub fn request(&self, req: ReportRequest, now: NaiveDateTime) {
        let _ = self.tx.send((req, now));
    }

    pub fn poll(&self) -> Option<ReportAnswer> {
        self.rx.try_iter().last()
    }
}
