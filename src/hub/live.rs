//! Live sync with the hub, on a thread of its own: it pushes as soon as it is nudged
//! (after each local write), pulls as soon as the hub says something new arrived
//! (PostgreSQL `LISTEN`/`NOTIFY` on `kefu_events`) and, as a fallback, every
//! `poll`. Losing the connection never blocks anyone: the thread reports 离线 with
//! what is waiting to be pushed, and tries again every `retry`. What a pull brought
//! comes out as the store's `ChangeSet`, for the screen to refresh exactly that. Nothing
//! here knows a terminal: updates go to a callback.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use super::{Hub, HubUrl, Result};
use crate::store::{ChangeSet, Store};

/// How the hub looks from this seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveStatus {
    pub online: bool,
    /// This seat's events not on the hub yet.
    pub pending: i64,
    /// Why it is offline (or why the last sync failed).
    pub error: Option<String>,
}

impl LiveStatus {
    /// The status bar's words: 已同步, 离线 · n 条待推送, or the error.
    pub fn text(&self) -> String {
        match (&self.error, self.online) {
            (None, true) if self.pending == 0 => "已同步".into(),
            (None, true) => format!("同步中 · {} 条待推送", self.pending),
            (Some(e), true) => format!("同步失败:{e}"),
            (None, false) => format!("离线 · {} 条待推送", self.pending),
            (Some(e), false) if self.pending > 0 => format!("离线 · {} 条待推送 · {e}", self.pending),
            (Some(e), false) => format!("离线 · {e}"),
        }
    }

    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }
}

/// What the live thread reports.
#[derive(Debug)]
pub enum LiveUpdate {
    Status(LiveStatus),
    /// A pull brought events: what they changed.
    Arrived(ChangeSet),
    /// Who at other seats has which case open (after each change).
    Presence(Vec<super::Presence>),
}

/// Timings of the live thread.
#[derive(Debug, Clone, Copy)]
pub struct LiveOptions {
    /// Pull at least this often even without a notification.
    pub poll: Duration,
    /// Try to reconnect this often while offline.
    pub retry: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions { poll: Duration::from_secs(30), retry: Duration::from_secs(5) }
    }
}

/// The live thread: dropping this ends it.
pub struct Live {
    nudge: Sender<Ask>,
}

/// What the screen tells the live thread.
enum Ask {
    /// Something was written here.
    Push,
    /// The agent opened this case (None: closed it).
    Open(Option<String>),
}

impl Live {
    /// Starts syncing `store` (its own connection to the seat's database) with the hub
    /// at `url`; `updates` hears every change of status and every arrival.
    pub fn spawn(
        store: Store,
        url: HubUrl,
        options: LiveOptions,
        updates: impl Fn(LiveUpdate) + Send + 'static,
    ) -> std::io::Result<Live> {
        let (nudge, rx) = mpsc::channel();
        std::thread::Builder::new().name("kefu-hub".into()).spawn(move || run(store, url, options, rx, updates))?;
        Ok(Live { nudge })
    }

    /// Something was written here: push it now.
    pub fn nudge(&self) {
        let _ = self.nudge.send(Ask::Push);
    }

    /// The agent has this case open (its key in the log), or none: other seats see it.
    pub fn open_case(&self, case_key: Option<String>) {
        let _ = self.nudge.send(Ask::Open(case_key));
    }
}

/// A connection listening for arrivals, and its backend (to skip our own notices).
struct Listening {
    hub: Hub,
    pid: i32,
}

fn listen(url: &HubUrl) -> Result<Listening> {
    let mut hub = Hub::open(url)?;
    hub.check_version()?;
    hub.client.batch_execute("LISTEN kefu_events").map_err(|e| hub.err(e))?;
    let pid: i32 = hub.client.query_one("SELECT pg_backend_pid()", &[]).map_err(|e| hub.err(e))?.get(0);
    Ok(Listening { hub, pid })
}

/// Waits up to `wait` for another connection's notice. Err: the connection is gone.
fn arrived(l: &mut Listening, wait: Duration) -> std::result::Result<bool, String> {
    let pid = l.pid;
    let mut notices = l.hub.client.notifications();
    let mut any = false;
    use postgres::fallible_iterator::FallibleIterator;
    let first = notices.timeout_iter(wait).next();
    match first {
        Ok(Some(n)) => any |= n.process_id() != pid,
        Ok(None) => return Ok(false),
        Err(e) => return Err(super::describe(&e)),
    }
    // Whatever else is already there.
    let mut rest = notices.iter();
    while let Ok(Some(n)) = rest.next() {
        any |= n.process_id() != pid;
    }
    Ok(any)
}

fn pending(store: &Store) -> i64 {
    let seat = store.actor().seat.clone();
    let head: i64 = store.meta(super::META_HUB_HEAD).ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    store.seat_events_count_after(&seat, head).unwrap_or(0)
}

/// How often the heartbeat of an open case is renewed, and others' presence read.
const BEAT: Duration = Duration::from_secs(15);
const PRESENCE_EVERY: Duration = Duration::from_secs(3);

fn run(mut store: Store, url: HubUrl, o: LiveOptions, nudges: Receiver<Ask>, updates: impl Fn(LiveUpdate)) {
    const TICK: Duration = Duration::from_millis(200);
    let (seat, agent) = (store.actor().seat.clone(), store.actor().agent.clone());
    let mut open: Option<String> = None;
    let mut beat_due = true;
    let mut last_beat = Instant::now();
    let mut last_presence: Option<Vec<super::Presence>> = None;
    let mut last_look = Instant::now() - PRESENCE_EVERY;
    let mut conn: Option<Listening> = None;
    let mut want = true;
    let mut last_sync = Instant::now();
    let mut next_try = Instant::now();
    let mut last_status: Option<LiveStatus> = None;
    let mut say = |s: LiveStatus| {
        if last_status.as_ref() != Some(&s) {
            updates(LiveUpdate::Status(s.clone()));
            last_status = Some(s);
        }
    };
    let _ = store.take_changes();
    loop {
        loop {
            match nudges.try_recv() {
                Ok(Ask::Push) => want = true,
                Ok(Ask::Open(k)) => {
                    beat_due |= k != open;
                    open = k;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if conn.is_none() && Instant::now() >= next_try {
            match listen(&url) {
                Ok(l) => {
                    conn = Some(l);
                    want = true;
                }
                Err(e) => {
                    next_try = Instant::now() + o.retry;
                    say(LiveStatus { online: false, pending: pending(&store), error: Some(e.to_string()) });
                }
            }
        }
        if let Some(l) = conn.as_mut()
            && (want || last_sync.elapsed() >= o.poll)
        {
            want = false;
            last_sync = Instant::now();
            match l.hub.sync(&mut store) {
                Ok(_) => {
                    let changes = store.take_changes();
                    if !changes.is_empty() {
                        updates(LiveUpdate::Arrived(changes));
                    }
                    say(LiveStatus { online: true, pending: pending(&store), error: None });
                }
                Err(e) => {
                    let _ = store.take_changes();
                    let lost = l.hub.client.is_closed();
                    say(LiveStatus { online: !lost, pending: pending(&store), error: Some(e.to_string()) });
                    if lost {
                        conn = None;
                    }
                    next_try = Instant::now() + o.retry;
                }
            }
        }
        if let Some(l) = conn.as_mut() {
            if beat_due || (open.is_some() && last_beat.elapsed() >= BEAT) {
                // Presence is a courtesy: a failure here is seen by the next sync.
                if l.hub.heartbeat(&seat, &agent, open.as_deref()).is_ok() {
                    beat_due = false;
                    last_beat = Instant::now();
                }
            }
            if last_look.elapsed() >= PRESENCE_EVERY {
                last_look = Instant::now();
                if let Ok(now) = l.hub.presence(&seat)
                    && last_presence.as_ref() != Some(&now)
                {
                    updates(LiveUpdate::Presence(now.clone()));
                    last_presence = Some(now);
                }
            }
        }
        match conn.as_mut() {
            Some(l) => match arrived(l, TICK) {
                Ok(true) => want = true,
                Ok(false) => {}
                Err(e) => {
                    conn = None;
                    next_try = Instant::now() + o.retry.min(Duration::from_secs(1));
                    say(LiveStatus { online: false, pending: pending(&store), error: Some(e) });
                }
            },
            None => match nudges.recv_timeout(TICK) {
                Ok(Ask::Push) => want = true,
                Ok(Ask::Open(k)) => {
                    beat_due |= k != open;
                    open = k;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            },
        }
    }
}
