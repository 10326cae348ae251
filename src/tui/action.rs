//! What a key asks the app to do. Panes return these; only the App acts on them (store
//! calls, then new data pushed back into the panes).

use crate::domain::case::{CaseAction, CaseDetail, Channel, Registration};
use crate::domain::event::RefundRecord;
use crate::domain::flag::Flag;
use crate::domain::postage::ShopType;
use crate::domain::refund::{ActionInput, RefundAction};
use crate::store::QueueCursor;
use crate::store::orders::QueueView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Queue,
    AfterSales,
    Replies,
}

impl PaneId {
    pub const ALL: [PaneId; 3] = [PaneId::Queue, PaneId::AfterSales, PaneId::Replies];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Queue => "① 订单",
            PaneId::AfterSales => "② 售后",
            PaneId::Replies => "③ 快捷回复",
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
}
