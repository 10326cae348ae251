//! The status bar's live counts, computed off the key path: a background thread with
//! its own connection to the same file (WAL lets it read while the seat writes),
//! refreshing every few seconds and when poked after a write.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use chrono::NaiveDateTime;

use crate::domain::event::Actor;
use crate::store::Store;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub overdue: i64,
    pub to_ship: i64,
    pub refunds_waiting: i64,
    pub bad_reviews: i64,
}

impl Counts {
    pub fn compute(store: &Store, now: NaiveDateTime) -> crate::store::Result<Counts> {
        Ok(Counts {
            overdue: store.overdue_count(now)?,
            to_ship: store.to_ship_count()?,
            refunds_waiting: store.refunds_waiting_count()?,
            bad_reviews: store.open_bad_review_count()?,
        })
    }
}

/// Where counts come from.
pub enum CountsSource {
    /// Computed on the App's own connection after each write (tests, in-memory stores).
    Inline,
    /// A background thread reading the database file.
    Thread { rx: Receiver<Counts>, poke: Sender<()> },
}

/// How often the thread refreshes without being poked.
const REFRESH: Duration = Duration::from_secs(3);

impl CountsSource {
    pub fn spawn(path: PathBuf, clock: crate::domain::clock::Clock) -> std::io::Result<CountsSource> {
        let (tx, rx) = mpsc::channel();
        let (poke, poked) = mpsc::channel::<()>();
        std::thread::Builder::new().name("kefu-counts".into()).spawn(move || {
            let Ok(store) = Store::open(&path, Actor::new("counts", "counts")) else { return };
            loop {
                if let Ok(c) = Counts::compute(&store, clock.shop_now())
                    && tx.send(c).is_err()
                {
                    return;
                }
                match poked.recv_timeout(REFRESH) {
                    Ok(()) => while poked.try_recv().is_ok() {},
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        })?;
        Ok(CountsSource::Thread { rx, poke })
    }
}
