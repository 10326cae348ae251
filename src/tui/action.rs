//! What a key asks the app to do. Panes return these; only the App acts on them (store
//! calls, then new data pushed back into the panes).

use crate::domain::case::{CaseAction, CaseDetail, Channel, Registration};
use crate::domain::event::RefundRecord;
use crate::domain::flag::Flag;
use crate::domain::postage::ShopType;
use crate::domain::refund::{ActionInput, RefundAction};
use crate::store::QueueCursor;
use crate::store::orders::QueueView;
use crate::tui::panes::sync_dialog::SyncKind;
use crate::tui::sync_job::SyncJob;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    pub const ALL: [PaneId; 5] = [PaneId::Queue, PaneId::AfterSales, PaneId::Replies, PaneId::Log, PaneId::Reports];

    /// ④ and ⑤ take the whole screen instead of sharing it with the seat panes.
    pub fn full_screen(self) -> bool {
        matches!(self, PaneId::Log | PaneId::Reports)
    }

    pub fn title(self) -> &'static str {
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
pub enum Fetch {
    Top,
    Bottom,
    After(QueueCursor),
    Before(QueueCursor),
}

/// An after-sales case: a refund (by refund number) or another case (by id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CaseKey {
    Refund(String),
    Case(String),
}

impl CaseKey {
    /// The key of the event log's `case_key`.
    pub fn log_key(&self) -> &str {
        match self {
            CaseKey::Refund(k) | CaseKey::Case(k) => k,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `q`: leave (asks first when a form holds unsaved input).
    Quit,
    FocusNext,
    FocusPrev,
    Focus(PaneId),
    ToggleHelp,
    /// A message for the message line.
    Notice(String),

    // ① queue
    QueueView(QueueView),
    QueueFetch(Fetch),
    /// Search orders; empty goes back to the view.
    QueueSearch(String),
    OpenOrder(String),
    SetFlag {
        order_no: String,
        flag: Flag,
    },
    AddMemo {
        order_no: String,
        staff_no: String,
        what: String,
        result: String,
    },
    OpenRefund(RefundRecord),
    OpenCase {
        order_no: String,
        detail: CaseDetail,
        registration: Registration,
    },

    // ② after-sales
    /// true: every open case; false: the selected order's.
    CasesScope(bool),
    OpenCaseView(CaseKey),
    RefundAct {
        refund_no: String,
        action: RefundAction,
        input: ActionInput,
    },
    CaseAct {
        case_id: String,
        action: CaseAction,
        note: String,
    },
    CaseRegister {
        case_id: String,
        registration: Registration,
    },
    CaseContact {
        case_id: String,
        channel: Channel,
        progress: String,
    },
    SetShopType(ShopType),
    /// `R` in a case view: a person settles a conflict with a note.
    ResolveConflict {
        event_id: String,
        note: String,
    },
    /// Text to the clipboard (a report sentence, a register line).
    Copy(String),

    // ③ replies
    ReplySearch(String),
    UseReply {
        reply_id: String,
        text: String,
    },
    SaveReply {
        id: Option<String>,
        code: String,
        text: String,
        group: String,
    },
    DeleteReply(String),
    RenameGroup {
        from: String,
        to: String,
    },
    DeleteGroup(String),

    // ④ log
    /// Read the log again from the newest event.
    LogReload,
    /// Read further pages until `want` rows match the filter (or the log ends).
    LogMore {
        want: usize,
    },

    // ⑤ reports
    BuildReport(ReportRequest),

    // sync by files (global keys)
    /// `E` `I` `S`: the export / import / folder-sync dialog (or the running job).
    SyncOpen(SyncKind),
    /// The dialog's job: run it on its own thread.
    SyncStart(SyncJob),
}

impl Action {
    /// Whether acting on it writes to the database (refused while a sync job holds
    /// the write lock: it would wait, and the screen with it).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::SetFlag { .. }
                | Action::AddMemo { .. }
                | Action::OpenRefund(_)
                | Action::OpenCase { .. }
                | Action::RefundAct { .. }
                | Action::CaseAct { .. }
                | Action::CaseRegister { .. }
                | Action::CaseContact { .. }
                | Action::SetShopType(_)
                | Action::ResolveConflict { .. }
                | Action::UseReply { .. }
                | Action::SaveReply { .. }
                | Action::DeleteReply(_)
                | Action::RenameGroup { .. }
                | Action::DeleteGroup(_)
                | Action::SyncStart(_)
        )
    }
}

/// Which report the ⑤ view asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Daily,
    Refunds7,
    Refunds30,
    BadReviews,
    Damage,
    Agents30,
}

impl ReportKind {
    pub const ALL: [ReportKind; 6] = [
        ReportKind::Daily,
        ReportKind::Refunds7,
        ReportKind::Refunds30,
        ReportKind::BadReviews,
        ReportKind::Damage,
        ReportKind::Agents30,
    ];

    pub fn label(self) -> &'static str {
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
pub struct ReportRequest {
    pub kind: ReportKind,
    pub date: chrono::NaiveDate,
}

impl ReportRequest {
    /// Builds the report (on whichever thread calls it).
    pub fn build(
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
