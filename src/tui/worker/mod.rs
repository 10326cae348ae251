//! The store worker: a thread that owns the seat's `Store`. Commands come in (a write
//! with its origin, a read), answers go out as messages (`Written` with the store's
//! change set, `Failed`, `Loaded`) on the runtime's channel. The UI thread never waits
//! on SQLite.
//!
//! Reads that are slow on a big database (whole-table counts, reports) go to a second
//! worker, a reader with its own connection to the same file (WAL), so a write never
//! queues behind them; sync jobs run on a connection of their own (see `runtime`).
//! An in-memory store (tests) has one worker for everything.

pub(crate) mod query;
mod write;

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender};

pub(crate) use query::{CaseItem, CaseScope, CaseViewData, Data, DetailData, LOG_PAGE, PAGE, Query, load};
pub(crate) use write::{Outcome, WriteCmd, write};

use super::msg::{Msg, Origin, trace};
use crate::store::Store;

/// What the runtime hands a worker.
#[allow(clippy::large_enum_variant, reason = "a handful move per key; none is kept in bulk")]
pub(crate) enum Request {
    Write {
        cmd: WriteCmd,
        origin: Origin,
    },
    Load(Query),
    /// Run `f` on the store; its message is the answer (a sync job on an in-memory
    /// store, which no other connection can open).
    Run(Box<dyn FnOnce(&mut Store) -> Msg + Send>),
}

/// What a worker hands back.
pub(crate) enum Answer {
    /// The answer to one request: a message for the App, or none (a read skipped
    /// because a newer one of its kind followed).
    Done(Option<Msg>),
    /// A sync job's answer (it runs outside the workers).
    SyncDone(Msg),
    /// Not an answer: a job's progress, a key from the terminal.
    Update(Msg),
    /// A signal arrived (SIGTERM, SIGINT, SIGHUP, SIGQUIT).
    Signal(i32),
}

/// A worker thread owning a store.
pub(crate) struct Worker {
    tx: Sender<Request>,
}

impl Worker {
    /// Starts a thread named `name` serving requests on `store`; answers go to `out`.
    pub(crate) fn spawn(name: &str, mut store: Store, out: Sender<Answer>) -> std::io::Result<Worker> {
        let (tx, rx) = std::sync::mpsc::channel::<Request>();
        std::thread::Builder::new().name(name.into()).spawn(move || serve(&mut store, &rx, &out))?;
        Ok(Worker { tx })
    }

    /// False when the thread is gone.
    pub(crate) fn send(&self, r: Request) -> bool {
        self.tx.send(r).is_ok()
    }
}

/// Serves until the runtime hangs up: everything queued is taken at once, and a read
/// that a newer read of the same slot follows is skipped (holding `j` asks for the
/// selected order's cases many times; only the last answer matters). Writes and the
/// order of everything else are kept.
fn serve(store: &mut Store, rx: &Receiver<Request>, out: &Sender<Answer>) {
    let mut queue: VecDeque<Request> = VecDeque::new();
    while let Ok(first) = rx.recv() {
        queue.push_back(first);
        queue.extend(rx.try_iter());
        while let Some(req) = queue.pop_front() {
            let superseded = match &req {
                Request::Load(q) => q.slot().is_some_and(|s| {
                    queue.iter().any(|later| matches!(later, Request::Load(l) if l.slot() == Some(s)))
                }),
                _ => false,
            };
            let answer = Answer::Done(if superseded { None } else { handle(store, req) });
            if out.send(answer).is_err() {
                return;
            }
        }
    }
}

fn ms(t: std::time::Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// One request on `store`.
pub(crate) fn handle(store: &mut Store, req: Request) -> Option<Msg> {
    Some(match req {
        Request::Write { cmd, origin } => {
            let _ = store.take_changes();
            let what = tracing::enabled!(tracing::Level::DEBUG).then(|| trace::variant(&cmd));
            let t = std::time::Instant::now();
            let result = write(store, cmd);
            let changes = store.take_changes();
            if let Some(what) = what {
                let ok = if result.is_ok() { "committed" } else { "rolled back" };
                tracing::debug!("write {what}: {ok} in {:.2} ms ({})", ms(t), trace::changed(&changes));
            }
            match result {
                Ok(outcome) => Msg::Written { origin, changes, outcome },
                Err(e) => Msg::Failed { origin, error: e.to_string() },
            }
        }
        Request::Load(query) => {
            let t = std::time::Instant::now();
            let data = load(store, &query).map_err(|e| e.to_string());
            tracing::debug!("read {}: {:.2} ms", trace::query(&query), ms(t));
            Msg::Loaded { query, data }
        }
        Request::Run(f) => f(store),
    })
}
