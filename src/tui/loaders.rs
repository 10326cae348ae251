//! App-side: store queries shaped into what the panes draw. Only the App calls these.

use crate::domain::case::{CaseDetail, CaseKind};
use crate::domain::clock::to_shop;
use crate::domain::money::format_yuan;
use crate::domain::order::OrderStatus;
use crate::domain::postage::{PostageCase, Remedy, ShopType};
use crate::store::{CaseRow, RefundRow, Result, Store};
use crate::tui::action::CaseKey;
use crate::tui::panes::aftersales::CaseItem;
use crate::tui::panes::case_view::{CaseViewState, MenuAction};
use crate::tui::panes::order_detail::DetailState;
use crate::tui::panes::postage::PostageState;

/// How many open cases the "all" list shows.
const ALL_LIMIT: usize = 500;

fn utc_text_to_shop(at: &str) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(at).ok().map(|d| to_shop(d.with_timezone(&chrono::Utc)))
}

fn refund_item(r: &RefundRow) -> CaseItem {
    CaseItem {
        key: CaseKey::Refund(r.refund_no.clone()),
        order_no: r.order_no.clone(),
        kind: "退款".into(),
        state: r.state.short_label().into(),
        opened: r.applied_at.or_else(|| utc_text_to_shop(&r.opened_at)),
        deadline: if r.state.is_terminal() { None } else { r.deadline },
        summary: format!("{} {} {}", r.refund_no, format_yuan(r.amount_fen), r.reason),
        waits_for_seller: r.state.waits_for_seller(),
        open: !r.state.is_terminal(),
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
        kind: c.kind.label().into(),
        state: c.state.label().into(),
        opened: utc_text_to_shop(&c.opened_at),
        deadline: None,
        summary: format!("{} {summary}", c.order_no),
        waits_for_seller: !c.state.is_terminal(),
        open: !c.state.is_terminal(),
    }
}

pub fn order_cases(store: &Store, order_no: &str) -> Result<Vec<CaseItem>> {
    let mut items: Vec<CaseItem> = store.refunds_for_order(order_no)?.iter().map(refund_item).collect();
    items.extend(store.cases_for_order(order_no)?.iter().map(case_item));
    // Open ones first, then closed, each in opening order.
    items.sort_by_key(|i| !i.open);
    mark_conflicts(store, &mut items)?;
    Ok(items)
}

/// Cases with an unresolved conflict get `⚠冲突` before their summary.
fn mark_conflicts(store: &Store, items: &mut [CaseItem]) -> Result<()> {
    let open: std::collections::HashSet<String> =
        store.conflicts(None)?.into_iter().filter(|c| !c.resolved).map(|c| c.case_key).collect();
    if open.is_empty() {
        return Ok(());
    }
    for i in items.iter_mut().filter(|i| open.contains(i.key.log_key())) {
        i.summary = format!("⚠冲突 {}", i.summary);
    }
    Ok(())
}

pub fn all_open_cases(store: &Store) -> Result<Vec<CaseItem>> {
    let mut items: Vec<CaseItem> = store.open_refunds(ALL_LIMIT)?.iter().map(refund_item).collect();
    items.extend(store.cases(None, false, ALL_LIMIT)?.iter().map(case_item));
    mark_conflicts(store, &mut items)?;
    Ok(items)
}

pub fn detail(store: &Store, order_no: &str) -> Result<Option<DetailState>> {
    let Some(d) = store.order_detail(order_no)? else { return Ok(None) };
    Ok(Some(DetailState::new(d, store.refunds_for_order(order_no)?, store.cases_for_order(order_no)?)))
}

pub fn case_view(store: &Store, key: &CaseKey) -> Result<Option<CaseViewState>> {
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
    let order_line = match store.queue_row(&order_no)? {
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
    Ok(Some(CaseViewState {
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
        action_sel: 0,
        scroll: 0,
        order_line,
        agent,
    }))
}

/// The "who pays" panel, preset from the selected order and the open case.
pub fn postage_seed(
    store: &Store,
    shop: ShopType,
    order_no: Option<&str>,
    view: Option<&CaseViewState>,
) -> Option<PostageState> {
    let order = match view {
        Some(v) => {
            let no = v.refund.as_ref().map(|r| r.order_no.clone()).or(v.case.as_ref().map(|c| c.order_no.clone()));
            no.and_then(|n| store.queue_row(&n).ok().flatten())
        }
        None => order_no.and_then(|n| store.queue_row(n).ok().flatten()),
    }?;
    let finished = order.status == Some(OrderStatus::TradeFinished);
    let (case, remedy, amount, subject) = match view {
        Some(v) if v.refund.is_some() => {
            let r = v.refund.as_ref()?;
            let c = if r.no_reason_7d {
                PostageCase::NoReason7Days
            } else if finished {
                PostageCase::AfterTradeSuccess
            } else {
                PostageCase::Quality
            };
            (c, Remedy::Refund, r.amount_fen, format!("退款 {}", r.refund_no))
        }
        Some(v) => {
            let c = v.case.as_ref()?;
            let pc = match &c.detail {
                CaseDetail::Exchange(x) if x.quality_problem => PostageCase::Quality,
                _ if finished => PostageCase::AfterTradeSuccess,
                _ => PostageCase::NoReason7Days,
            };
            (pc, Remedy::Exchange, order.amount_fen, format!("{} · 订单 {}", c.kind.label(), c.order_no))
        }
        None => (
            if finished { PostageCase::AfterTradeSuccess } else { PostageCase::NoReason7Days },
            Remedy::Refund,
            order.amount_fen,
            format!("订单 {}", order.order_no),
        ),
    };
    Some(PostageState {
        shop,
        case: PostageCase::ALL.iter().position(|c| *c == case).unwrap_or(0),
        remedy,
        invoice_kept: false,
        amount_fen: amount,
        subject,
    })
}
