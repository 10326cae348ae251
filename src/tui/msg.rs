//! What flows into the App (`Msg`) and out of it (`Cmd`). `App::update` turns one
//! message into commands and nothing else; the runtime carries the commands out (to the
//! store worker, the search thread, the clipboard) and brings the answers back as
//! messages. A write carries its `Origin`, so its answer finds exactly the form that
//! asked for it.

use std::path::PathBuf;

use chrono::NaiveDateTime;
use ratatui::crossterm::event::KeyEvent;

use super::action::PaneId;
use super::search_worker::SearchResult;
use super::sync_job::SyncJob;
use super::worker::{Data, Outcome, Query, WriteCmd};
use crate::search::ReplyDoc;
use crate::store::ChangeSet;
use crate::sync::Progress;

/// Where a write was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Place {
    Pane(PaneId),
    /// The sync dialog (`E` `I` `S`).
    Sync,
}

/// The form (or key) a write came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FormId {
    /// A key with no form (Enter on a reply, `t` in the postage panel).
    Key,
    Flag,
    Memo,
    Refund,
    Exchange,
    BadReview,
    Damage,
    Refuse,
    Returned,
    Extend,
    Confirm,
    Register,
    Contact,
    Resolve,
    Postage,
    Reply,
    RenameGroup,
    SyncAsk,
}

/// Which form sent a write: where, which form, and that form's serial number (a form
/// closed and opened again is another form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    pub(crate) place: Place,
    pub(crate) form: FormId,
    pub(crate) serial: u64,
}

/// Into the App.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "a handful move per key; none is kept in bulk")]
pub(crate) enum Msg {
    Key(KeyEvent),
    /// A bracketed paste: text, never keys.
    Paste(String),
    /// The clock moved (the shop's time now).
    Tick(NaiveDateTime),
    /// The terminal changed size (draw again).
    Resize,
    /// A write went through.
    Written {
        origin: Origin,
        changes: ChangeSet,
        outcome: Outcome,
    },
    /// A write was refused or failed; nothing of it was kept.
    Failed {
        origin: Origin,
        error: String,
    },
    /// A read came back (`Err`: why it could not be read).
    Loaded {
        query: Query,
        data: Result<Data, String>,
    },
    /// The reply search answered.
    Searched(SearchResult),
    /// A sync job started (its file: a folder given for an export gets this seat's name).
    SyncStarted(SyncJob),
    /// A sync job's progress (`file`: the folder file being imported).
    SyncProgress {
        file: Option<PathBuf>,
        progress: Progress,
    },
    /// The hub's state, as the live sync thread sees it (已同步, 离线 · n 条待推送, an error).
    Hub {
        text: String,
        error: bool,
    },
    /// Events arrived from the hub: what they changed.
    HubArrived(ChangeSet),
    /// Who at other seats has which case open.
    Presence(Vec<crate::hub::Presence>),
}

/// What the reply search thread should do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SearchCmd {
    Query(String),
    Upsert(ReplyDoc),
    Remove(String),
    /// Start again from these replies (after events came from elsewhere).
    Reset(Vec<ReplyDoc>),
}

/// Out of the App.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a handful move per key; none is kept in bulk")]
pub(crate) enum Cmd {
    /// Change the database (on the store worker).
    Write {
        cmd: WriteCmd,
        origin: Origin,
    },
    /// Read (on the store worker, or its reader for slow reports and counts).
    Load(Query),
    /// Export, import or folder sync, on its own connection.
    Sync {
        job: SyncJob,
        origin: Origin,
    },
    Search(SearchCmd),
    /// Text to the clipboard.
    Copy(String),
    Quit,
}

/// The debug log's words for messages and commands (`KEFU_LOG=debug`): what they are,
/// never the text they carry (a memo, a reply, a pasted line stay out of kefu.log).
pub(crate) mod trace {
    use super::{Cmd, Msg};
    use crate::store::ChangeSet;
    use crate::tui::keymap::Key;

    /// A value's variant name, from its `Debug`.
    pub(crate) fn variant(v: &impl std::fmt::Debug) -> String {
        let s = format!("{v:?}");
        s.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default().to_string()
    }

    /// A read, as its `Debug` says (keys and numbers only), cut short.
    pub(crate) fn query(q: &crate::tui::worker::Query) -> String {
        let s = format!("{q:?}");
        crate::tui::text::clip(&s, 100)
    }

    /// What a change set touched: `refunds 1, orders 1, 2 events`.
    pub(crate) fn changed(c: &ChangeSet) -> String {
        let mut out = Vec::new();
        for (name, keys) in [
            ("orders", &c.orders),
            ("refunds", &c.refunds),
            ("cases", &c.cases),
            ("replies", &c.replies),
            ("settings", &c.settings),
            ("conflicts", &c.conflicts),
        ] {
            if keys.is_all() {
                out.push(format!("{name} all"));
            } else if !keys.is_empty() {
                out.push(format!("{name} {}", keys.iter().count()));
            }
        }
        out.push(format!("{} events", c.events));
        out.join(", ")
    }

    pub(crate) fn msg(m: &Msg) -> String {
        match m {
            Msg::Key(k) => format!("key {}", Key::of(k).map(|k| k.label()).unwrap_or_else(|| "?".into())),
            Msg::Written { outcome, changes, .. } => format!("written {} ({})", variant(outcome), changed(changes)),
            Msg::Failed { .. } => "failed".into(),
            Msg::Loaded { query: q, .. } => format!("loaded {}", variant(q)),
            other => variant(other),
        }
    }

    pub(crate) fn cmds(cmds: &[Cmd]) -> String {
        let each: Vec<String> = cmds
            .iter()
            .map(|c| match c {
                Cmd::Write { cmd, origin } => {
                    format!("write {} from {:?}/{:?}", variant(cmd), origin.place, origin.form)
                }
                Cmd::Load(q) => format!("read {}", variant(q)),
                Cmd::Search(s) => format!("search {}", variant(s)),
                other => variant(other),
            })
            .collect();
        each.join(", ")
    }
}
