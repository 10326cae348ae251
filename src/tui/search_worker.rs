//! Reply search on its own thread, so typing never waits for it. The thread owns the
//! `ReplyIndex`; the App sends queries and edits, and takes the newest results when
//! they are ready (older queries still queued are skipped).

use std::sync::mpsc::{self, Receiver, Sender};

use crate::search::{ReplyDoc, ReplyIndex};
use crate::tui::panes::replies::ReplyHit;

/// At most this many results are shown.
pub(crate) const LIMIT: usize = 200;

enum Msg {
    Query { seq: u64, query: String },
    Upsert(ReplyDoc),
    Remove(String),
}

#[derive(Debug)]
pub(crate) struct SearchResult {
    pub(crate) seq: u64,
    pub(crate) query: String,
    pub(crate) hits: Vec<ReplyHit>,
}

pub(crate) struct SearchWorker {
    tx: Sender<Msg>,
    rx: Receiver<SearchResult>,
    seq: u64,
    /// The newest result taken so far.
    done: u64,
}

fn run_query(index: &ReplyIndex, seq: u64, query: String) -> SearchResult {
    let hits = index
        .search(&query, LIMIT)
        .into_iter()
        .map(|h| {
            let d = index.doc(h.doc);
            ReplyHit {
                id: d.id.clone(),
                code: d.code.clone(),
                text: d.text.clone(),
                group: d.group.clone(),
                uses: d.uses,
                field: h.field,
                highlights: h.highlights,
            }
        })
        .collect();
    SearchResult { seq, query, hits }
}

impl SearchWorker {
    #[allow(clippy::expect_used, reason = "a thread the OS refuses to start leaves no search to offer")]
    pub(crate) fn spawn(docs: Vec<ReplyDoc>) -> SearchWorker {
        let (tx, inbox) = mpsc::channel::<Msg>();
        let (out, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("kefu-search".into())
            .spawn(move || {
                let mut index = ReplyIndex::build(docs);
                let mut last: (u64, String) = (0, String::new());
                while let Ok(first) = inbox.recv() {
                    let mut batch = vec![first];
                    batch.extend(inbox.try_iter());
                    let mut query = None;
                    let mut changed = false;
                    for m in batch {
                        match m {
                            Msg::Query { seq, query: q } => query = Some((seq, q)),
                            Msg::Upsert(d) => {
                                index.upsert(d);
                                changed = true;
                            }
                            Msg::Remove(id) => changed |= index.remove(&id),
                        }
                    }
                    let job = match query {
                        Some(q) => Some(q),
                        None if changed => Some(last.clone()),
                        None => None,
                    };
                    if let Some((seq, q)) = job {
                        last = (seq, q.clone());
                        if out.send(run_query(&index, seq, q)).is_err() {
                            return;
                        }
                    }
                }
            })
            .expect("spawn search thread");
        SearchWorker { tx, rx, seq: 0, done: 0 }
    }

    pub(crate) fn request(&mut self, query: &str) {
        self.seq += 1;
        let _ = self.tx.send(Msg::Query { seq: self.seq, query: query.to_string() });
    }

    pub(crate) fn upsert(&self, doc: ReplyDoc) {
        let _ = self.tx.send(Msg::Upsert(doc));
    }

    pub(crate) fn remove(&self, id: &str) {
        let _ = self.tx.send(Msg::Remove(id.to_string()));
    }

    /// The newest result ready now, if any newer than the last one taken.
    pub(crate) fn poll(&mut self) -> Option<SearchResult> {
        let newest = self.rx.try_iter().last()?;
        if newest.seq < self.done {
            return None;
        }
        self.done = newest.seq;
        Some(newest)
    }

    pub(crate) fn pending(&self) -> bool {
        self.done < self.seq
    }
}
