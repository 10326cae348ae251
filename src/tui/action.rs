//! What a key asks the App to do, and the names the panes and reads share (panes,
//! queue windows, cases, reports).

use crate::store::QueueCursor;
use crate::tui::panes::sync_dialog::SyncKind;
use crate::tui::sync_job::SyncJob;
use crate::tui::worker::{Query, WriteCmd};

/// The seat screen's panes and views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneId {
    Queue,
    AfterSales,
    Replies,
    /// ④ the after-sales log (a full-screen view).
    Log,
    /// ⑤ reports, charts and the DSR form (a full-screen view).
    Reports,
}

impl PaneId {
    pub(crate) const ALL: [PaneId; 5] =
        [PaneId::Queue, PaneId::AfterSales, PaneId::Replies, PaneId::Log, PaneId::Reports];

    /// ④ and ⑤ take the whole screen instead of sharing it with the seat panes.
    pub(crate) fn full_screen(self) -> bool {
        matches!(self, PaneId::Log | PaneId::Reports)
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            PaneId::Queue => "① 订单",
            PaneId::AfterSales => "② 售后",
            PaneId::Replies => "③ 快捷回复",
            PaneId::Log => "④ 日志",
            PaneId::Reports => "⑤ 报表",
        }
    }
}

/// Which window of the queue to fetch next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fetch {
    Top,
    Bottom,
    After(QueueCursor),
    Before(QueueCursor),
}

/// An after-sales case: a refund (by refund number) or another case (by id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CaseKey {
    Refund(String),
    Case(String),
}

impl CaseKey {
    /// The key of the event log's `case_key`.
    pub(crate) fn log_key(&self) -> &str {
        match self {
            CaseKey::Refund(k) | CaseKey::Case(k) => k,
        }
    }
}

/// What a key asks the App to do. Panes return these; the App turns them into commands.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a handful move per key; none is kept in bulk")]
pub(crate) enum Action {
    /// `q`: leave (asks first when a form holds unsaved input).
    Quit,
    FocusNext,
    FocusPrev,
    Focus(PaneId),
    ToggleHelp,
    /// A message for the message line.
    Notice(String),
    /// Read something (the pane says what and takes it in when it comes).
    Load(Query),
    /// ② switched between the selected order's cases and every open case.
    CasesScope,
    /// Text to the clipboard (a report sentence, a register line).
    Copy(String),
    /// ③'s search box changed.
    ReplySearch(String),
    /// A reply to the clipboard, and its use counted.
    UseReply {
        reply_id: String,
        text: String,
    },
    /// A change to the database (from the open form, if any).
    Write(WriteCmd),
    /// `E` `I` `S`: the export / import / folder-sync dialog (or the running job).
    SyncOpen(SyncKind),
    /// The dialog's job: run it on its own connection.
    SyncStart(SyncJob),
}

/// Which report the ⑤ view asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportKind {
    Daily,
    Refunds7,
    Refunds30,
    BadReviews,
    Damage,
    Agents30,
}

impl ReportKind {
    pub(crate) const ALL: [ReportKind; 6] = [
        ReportKind::Daily,
        ReportKind::Refunds7,
        ReportKind::Refunds30,
        ReportKind::BadReviews,
        ReportKind::Damage,
        ReportKind::Agents30,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            ReportKind::Daily => "日报",
            ReportKind::Refunds7 => "退款 7天",
            ReportKind::Refunds30 => "退款 30天",
            ReportKind::BadReviews => "中差评",
            ReportKind::Damage => "破损登记",
            ReportKind::Agents30 => "客服 30天",
        }
    }
}

/// A report for a day (the daily report's date; the end of the other periods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReportRequest {
    pub(crate) kind: ReportKind,
    pub(crate) date: chrono::NaiveDate,
}

impl ReportRequest {
    /// Builds the report (on whichever thread calls it).
    pub(crate) fn build(
        &self,
        store: &crate::store::Store,
        now: chrono::NaiveDateTime,
    ) -> crate::store::Result<crate::report::Report> {
        use crate::report::{Period, agents, bad_reviews, daily, damage, refunds};
        let days = |n: i64| Period { from: self.date - chrono::Duration::days(n - 1), to: self.date };
        match self.kind {
            ReportKind::Daily => daily::build(store, self.date, now),
            ReportKind::Refunds7 => refunds::build(store, days(7)),
            ReportKind::Refunds30 => refunds::build(store, days(30)),
            ReportKind::BadReviews => bad_reviews::build(store, None, false),
            ReportKind::Damage => damage::build(store, None),
            ReportKind::Agents30 => agents::build(store, days(30)),
        }
    }
}
