//! Reads: what a pane asks for (`Query`) and what comes back (`Data`), shaped on the
//! store worker's thread so the panes only copy it in. Nothing here runs on the UI thread.

use std::path::PathBuf;

use chrono::NaiveDateTime;

use crate::domain::case::{CaseDetail, CaseKind};
use crate::domain::clock::to_shop;
use crate::domain::money::format_yuan;
use crate::domain::placeholders::PlaceholderValues;
use crate::domain::postage::ShopType;
use crate::domain::setting::SettingKey;
use crate::domain::text_format::DamageReport;
use crate::report::Report;
use crate::report::log::LogEntry;
use crate::search::ReplyDoc;
use crate::store::audit::LogCursor;
use crate::store::orders::QueueView;
use crate::store::{CaseRow, ConflictRow, ContactRow, OrderDetail, QueueCursor, QueueRow, RefundRow, Result, Store};
use crate::tui::action::{CaseKey, Fetch, ReportRequest};
use crate::tui::counts::Counts;
use crate::tui::panes::case_view::MenuAction;
use crate::tui::panes::sync_dialog::SyncKind;
use crate::tui::sync_files::{self, SyncFileEntry};

/// Rows fetched per queue page.
pub(crate) const PAGE: usize = 100;
/// How many open cases the "all" list shows.
const ALL_LIMIT: usize = 500;
/// How many orders a search shows.
const SEARCH_LIMIT: usize = 200;
/// Log rows per page.
pub(crate) const LOG_PAGE: usize = 100;

/// Which cases ② lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CaseScope {
    Order(String),
    /// Every open case.
    All,
}

/// A read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Query {
    /// A page of the queue (`epoch`: the window it is for; a newer window drops it).
    QueuePage {
        view: QueueView,
        fetch: Fetch,
        now: NaiveDateTime,
        epoch: u64,
    },
    QueueSearch {
        text: String,
        epoch: u64,
    },
    /// These orders' rows again (after a write).
    QueueRows(Vec<String>),
    Detail(String),
    Cases(CaseScope),
    CaseView(CaseKey),
    /// The placeholder values of the selected order (or none).
    Values(Option<String>),
    /// The placeholder values of an open case's order (`{退款金额}`: that refund's amount).
    CaseValues(CaseKey),
    /// One order's row (the postage panel's amount and status).
    Order(String),
    /// The facts a damage report starts from (the form opens with them).
    DamageFacts(String),
    Settings,
    /// Every live reply (for the search index).
    ReplyDocs,
    /// These replies again (absent: deleted).
    Replies(Vec<String>),
    LogPage {
        after: Option<LogCursor>,
        epoch: u64,
    },
    Report {
        req: ReportRequest,
        now: NaiveDateTime,
    },
    Counts {
        now: NaiveDateTime,
    },
    /// Whether the log passes `kefu log verify` (checked once, at start, in the background).
    Integrity,
    /// The sync dialog's defaults.
    SyncDefaults(SyncKind),
    /// The sync files of a folder typed into the import dialog.
    SyncFolder(PathBuf),
}

impl Query {
    /// Reads that may take long on a big database (whole-table counts, reports): run on
    /// a reader of their own, when the database is a file, so writes never queue behind them.
    pub(crate) fn is_slow(&self) -> bool {
        matches!(self, Query::Report { .. } | Query::Counts { .. } | Query::Integrity)
    }

    /// A read that a newer one of the same slot makes pointless (the worker skips it).
    pub(crate) fn slot(&self) -> Option<u8> {
        match self {
            Query::Cases(_) => Some(1),
            Query::Values(_) | Query::CaseValues(_) => Some(2),
            Query::Order(_) => Some(3),
            Query::Detail(_) => Some(4),
            Query::Report { .. } => Some(5),
            Query::Counts { .. } => Some(6),
            _ => None,
        }
    }
}

/// What a query found.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant, reason = "a handful move per key; none is kept in bulk")]
pub(crate) enum Data {
    QueuePage(Vec<QueueRow>),
    QueueRows(Vec<QueueRow>),
    Detail(Option<DetailData>),
    Cases(Vec<CaseItem>),
    CaseView(Option<CaseViewData>),
    Values(PlaceholderValues),
    Order(Option<QueueRow>),
    DamageFacts(Option<DamageReport>),
    Settings {
        shop_type: ShopType,
        shop_name: Option<String>,
    },
    ReplyDocs(Vec<ReplyDoc>),
    Replies(Vec<(String, Option<ReplyDoc>)>),
    LogPage(Vec<LogEntry>),
    Report(std::result::Result<Report, String>),
    Counts(Counts),
    /// What is wrong with the log (None: intact, or only waiting for events).
    Integrity(Option<String>),
    SyncDefaults(SyncDefaults),
    SyncFolder(Vec<SyncFileEntry>),
}

/// Where the sync dialogs start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncDefaults {
    /// Export: the file to write.
    pub(crate) export_file: PathBuf,
    /// Import and folder sync: the folder, and its sync files.
    pub(crate) dir: PathBuf,
    pub(crate) files: Vec<SyncFileEntry>,
    /// This seat's own file name in a folder.
    pub(crate) own_file: String,
}

/// What a kind of after-sales case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Refund,
    Case(CaseKind),
}

impl ItemKind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            ItemKind::Refund => "退款",
            ItemKind::Case(k) => k.label(),
        }
    }
}

/// One line of ②'s case list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaseItem {
    pub(crate) key: CaseKey,
    pub(crate) order_no: String,
    pub(crate) kind: ItemKind,
    pub(crate) state: String,
    pub(crate) opened: Option<NaiveDateTime>,
    pub(crate) deadline: Option<NaiveDateTime>,
    pub(crate) summary: String,
    pub(crate) waits_for_seller: bool,
    /// Not closed or finished.
    pub(crate) open: bool,
    /// An unresolved conflict.
    pub(crate) conflict: bool,
}

/// An order's detail with its refunds and cases.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DetailData {
    pub(crate) detail: OrderDetail,
    pub(crate) refunds: Vec<RefundRow>,
    pub(crate) cases: Vec<CaseRow>,
}

/// One refund or case, as its view shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaseViewData {
    pub(crate) key: CaseKey,
    pub(crate) refund: Option<RefundRow>,
    pub(crate) case: Option<CaseRow>,
    pub(crate) contacts: Vec<ContactRow>,
    pub(crate) timeline: Vec<String>,
    pub(crate) conflicts: Vec<ConflictRow>,
    /// Only the actions legal now.
    pub(crate) actions: Vec<MenuAction>,
    /// Order facts for the header (buyer, receiver, amount).
    pub(crate) order_line: String,
    /// The order (the postage panel's amount and status).
    pub(crate) order: Option<QueueRow>,
    pub(crate) agent: String,
}

impl CaseViewData {
    pub(crate) fn order_no(&self) -> Option<&str> {
        self.refund.as_ref().map(|r| r.order_no.as_str()).or(self.case.as_ref().map(|c| c.order_no.as_str()))
    }
}

/// Runs `q` on `store`.
pub(crate) fn load(store: &Store, q: &Query) -> Result<Data> {
    Ok(match q {
        Query::QueuePage { view, fetch, now, .. } => Data::QueuePage(match fetch {
            Fetch::Top => store.queue_page(*view, *now, None, PAGE)?,
            Fetch::After(c) => store.queue_page(*view, *now, Some(c), PAGE)?,
            Fetch::Before(c) => store.queue_page_before(*view, *now, c, PAGE)?,
            Fetch::Bottom => {
                let last = QueueCursor { qrank: i64::MAX, qkey: String::new(), order_no: String::new() };
                store.queue_page_before(*view, *now, &last, PAGE)?
            }
        }),
        Query::QueueSearch { text, .. } => Data::QueuePage(store.search_orders(text, SEARCH_LIMIT)?),
        Query::QueueRows(nos) => {
            let mut rows = Vec::new();
            for no in nos {
                rows.extend(store.queue_row(no)?);
            }
            Data::QueueRows(rows)
        }
        Query::Detail(no) => Data::Detail(detail(store, no)?),
        Query::Cases(CaseScope::Order(no)) => Data::Cases(order_cases(store, no)?),
        Query::Cases(CaseScope::All) => Data::Cases(all_open_cases(store)?),
        Query::CaseView(key) => Data::CaseView(case_view(store, key)?),
        Query::Values(no) => Data::Values(store.placeholder_values(no.as_deref())?),
        Query::CaseValues(key) => {
            Data::Values(store.placeholder_values_for_case(key.log_key())?.unwrap_or(store.placeholder_values(None)?))
        }
        Query::Order(no) => Data::Order(store.queue_row(no)?),
        Query::DamageFacts(no) => Data::DamageFacts(store.damage_prefill(no)?),
        Query::Settings => Data::Settings {
            shop_type: store
                .setting(SettingKey::ShopType.code())?
                .and_then(|s| ShopType::parse(&s))
                .unwrap_or_default(),
            shop_name: store.setting(SettingKey::ShopName.code())?,
        },
        Query::ReplyDocs => Data::ReplyDocs(crate::search::reply_docs(store)?.0),
        Query::Replies(ids) => {
            let mine = crate::search::mine(store)?;
            let mut out = Vec::new();
            for id in ids {
                out.push((id.clone(), store.reply(id)?.map(|r| crate::search::with_mine(r, &mine))));
            }
            Data::Replies(out)
        }
        Query::LogPage { after, .. } => {
            Data::LogPage(crate::report::log::page(store, &Default::default(), after.as_ref(), LOG_PAGE)?)
        }
        Query::Report { req, now } => Data::Report(req.build(store, *now).map_err(|e| e.to_string())),
        Query::Counts { now } => Data::Counts(Counts::compute(store, *now)?),
        Query::Integrity => {
            let check = store.verify_chains()?;
            let broken: Vec<&str> = check.broken().map(|s| crate::domain::seat_id::name_of(&s.seat)).collect();
            Data::Integrity((!broken.is_empty()).then(|| {
                format!("日志校验失败:席位 {} 的记录被改动或删除过 — 请主管运行 kefu log verify", broken.join("、"))
            }))
        }
        Query::SyncDefaults(kind) => {
            let dir = sync_files::start_dir(store)?;
            let files = if *kind == SyncKind::Import { sync_files::list(&dir) } else { Vec::new() };
            Data::SyncDefaults(SyncDefaults {
                export_file: sync_files::export_default(store)?,
                dir,
                files,
                own_file: crate::sync::seat_file_name(&store.actor().seat),
            })
        }
        Query::SyncFolder(dir) => Data::SyncFolder(sync_files::list(dir)),
    })
}

fn utc_text_to_shop(at: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(at).ok().map(|d| to_shop(d.with_timezone(&chrono::Utc)))
}

fn refund_item(r: &RefundRow) -> CaseItem {
    CaseItem {
        key: CaseKey::Refund(r.refund_no.clone()),
        order_no: r.order_no.clone(),
        kind: ItemKind::Refund,
        state: r.state.short_label().into(),
        opened: r.applied_at.or_else(|| utc_text_to_shop(&r.opened_at)),
        deadline: if r.state.is_terminal() { None } else { r.deadline },
        summary: format!("{} {} {}", r.refund_no, format_yuan(r.amount_fen), r.reason),
        waits_for_seller: r.state.waits_for_seller(),
        open: !r.state.is_terminal(),
        conflict: false,
    }
}

fn case_item(c: &CaseRow) -> CaseItem {
    let summary = match &c.detail {
        CaseDetail::Exchange(x) => format!("{} {}", x.reason, x.want),
        CaseDetail::BadReview(b) => format!("{} {}", b.level.label(), b.review_text),
        CaseDetail::Damage(d) => format!("{} {}", d.tracking_no, d.loss.label()),
    };
    CaseItem {
        key: CaseKey::Case(c.case_id.clone()),
        order_no: c.order_no.clone(),
        kind: ItemKind::Case(c.kind),
        state: c.state.label().into(),
        opened: utc_text_to_shop(&c.opened_at),
        deadline: None,
        summary: format!("{} {summary}", c.order_no),
        waits_for_seller: !c.state.is_terminal(),
        open: !c.state.is_terminal(),
        conflict: false,
    }
}

fn order_cases(store: &Store, order_no: &str) -> Result<Vec<CaseItem>> {
    let mut items: Vec<CaseItem> = store.refunds_for_order(order_no)?.iter().map(refund_item).collect();
    items.extend(store.cases_for_order(order_no)?.iter().map(case_item));
    // Open ones first, then closed, each in opening order.
    items.sort_by_key(|i| !i.open);
    mark_conflicts(store, &mut items)?;
    Ok(items)
}

/// Cases with an unresolved conflict are marked.
fn mark_conflicts(store: &Store, items: &mut [CaseItem]) -> Result<()> {
    let open: std::collections::HashSet<String> =
        store.conflicts(None)?.into_iter().filter(|c| !c.resolved).map(|c| c.case_key).collect();
    for i in items.iter_mut() {
        i.conflict = open.contains(i.key.log_key());
    }
    Ok(())
}

fn all_open_cases(store: &Store) -> Result<Vec<CaseItem>> {
    let mut items: Vec<CaseItem> = store.open_refunds(ALL_LIMIT)?.iter().map(refund_item).collect();
    items.extend(store.cases(None, false, ALL_LIMIT)?.iter().map(case_item));
    mark_conflicts(store, &mut items)?;
    Ok(items)
}

fn detail(store: &Store, order_no: &str) -> Result<Option<DetailData>> {
    let Some(detail) = store.order_detail(order_no)? else { return Ok(None) };
    Ok(Some(DetailData {
        detail,
        refunds: store.refunds_for_order(order_no)?,
        cases: store.cases_for_order(order_no)?,
    }))
}

fn case_view(store: &Store, key: &CaseKey) -> Result<Option<CaseViewData>> {
    let agent = store.actor().agent.clone();
    let (refund, case, order_no) = match key {
        CaseKey::Refund(no) => match store.refund(no)? {
            Some(r) => {
                let o = r.order_no.clone();
                (Some(r), None, o)
            }
            None => return Ok(None),
        },
        CaseKey::Case(id) => match store.case(id)? {
            Some(c) => {
                let o = c.order_no.clone();
                (None, Some(c), o)
            }
            None => return Ok(None),
        },
    };
    let mut actions: Vec<MenuAction> = Vec::new();
    if let Some(r) = &refund {
        actions.extend(r.case().allowed_actions().into_iter().map(MenuAction::Refund));
    }
    let mut contacts = Vec::new();
    if let Some(c) = &case {
        actions.extend(store.case_actions(c).into_iter().map(MenuAction::Case));
        match c.kind {
            CaseKind::Exchange | CaseKind::BadReview => {
                actions.push(MenuAction::Register);
                actions.push(MenuAction::Contact);
                contacts = store.case_contacts(&c.case_id)?;
            }
            CaseKind::Damage => {
                actions.push(MenuAction::CopySentence);
                actions.push(MenuAction::CopyRegisterLine);
            }
        }
    }
    actions.push(MenuAction::Postage);
    let order = store.queue_row(&order_no)?;
    let order_line = match &order {
        Some(o) => format!(
            "订单 {} · {} · 收货人 {} · 实付 {} · {}",
            o.order_no,
            o.buyer,
            o.receiver_name,
            format_yuan(o.amount_fen),
            o.status.map(|s| s.short_label()).unwrap_or("本地")
        ),
        None => format!("订单 {order_no}"),
    };
    Ok(Some(CaseViewData {
        key: key.clone(),
        // The log's own lines: before → after, and conflicts marked, as supervisors read them.
        timeline: crate::report::log::case_entries(store, key.log_key())?
            .into_iter()
            .map(|e| format!("{} {}@{} {}", e.shop_time.get(5..16).unwrap_or(&e.shop_time), e.agent, e.seat, e.line))
            .collect(),
        conflicts: store.conflicts(Some(key.log_key()))?,
        refund,
        case,
        contacts,
        actions,
        order_line,
        order,
        agent,
    }))
}
