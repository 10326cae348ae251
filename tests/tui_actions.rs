//! Action scripts: keys in, state and events out.

mod tui_support;

use kefu::domain::flag::Flag;
use kefu::domain::refund::RefundState;
use kefu::tui::action::PaneId;
use tui_support::*;

#[test]
fn queue_is_in_urgency_order_and_moves() {
    let mut app = app();
    let order: Vec<String> = app.queue.rows().iter().map(|r| r.order_no.clone()).collect();
    assert_eq!(order[0], "2606260003", "the overdue order comes first");
    keys(&mut app, "jj");
    assert_eq!(app.queue.selected().unwrap().order_no, order[2]);
    keys(&mut app, "k");
    assert_eq!(app.queue.selected().unwrap().order_no, order[1]);
    keys(&mut app, "G");
    assert_eq!(app.queue.selected_index(), order.len() - 1);
    keys(&mut app, "g");
    assert_eq!(app.queue.selected_index(), 0);
}

#[test]
fn agree_to_a_refund_with_confirmation_records_an_event() {
    let mut app = app();
    // Select the order with the refund and look at its cases.
    keys(&mut app, "/2606260004<Enter>");
    assert_eq!(app.queue.selected().unwrap().order_no, "2606260004");
    keys(&mut app, "2");
    assert_eq!(app.focus, PaneId::AfterSales);
    let items = app.aftersales.items().to_vec();
    assert!(items.iter().any(|i| i.kind == "退款"), "{items:?}");
    let pos = items.iter().position(|i| i.kind == "退款").unwrap();
    for _ in 0..pos {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>");
    let view = app.aftersales.view.as_ref().expect("case view open");
    let labels: Vec<String> = view.actions.iter().map(|a| a.label()).collect();
    assert!(labels.contains(&"同意退款".to_string()), "{labels:?}");
    assert!(!labels.contains(&"确认收到退货,转财务".to_string()), "illegal action offered: {labels:?}");
    // Agree is the first action and irreversible: it asks.
    keys(&mut app, "<Enter>");
    assert_eq!(
        app.store.refund("R1").unwrap().unwrap().state,
        RefundState::WaitSellerAgree,
        "nothing before confirming"
    );
    keys(&mut app, "y");
    let r = app.store.refund("R1").unwrap().unwrap();
    assert_eq!(r.state, RefundState::WaitBuyerReturnGoods);
    let tl = app.store.case_timeline("R1").unwrap();
    let last = tl.last().unwrap();
    assert_eq!(last.kind, "refund_acted");
    assert_eq!(last.agent, "宾");
    assert_eq!(last.seat, "seat-1");
    let labels: Vec<String> = app.aftersales.view.as_ref().unwrap().actions.iter().map(|a| a.label()).collect();
    assert!(labels.contains(&"登记买家退货".to_string()), "{labels:?}");
    assert!(!labels.contains(&"同意退款".to_string()));
}

#[test]
fn refuse_asks_for_a_note_and_the_store_checks_it() {
    let mut app = app();
    keys(&mut app, "/2606260004<Enter>2");
    let pos = app.aftersales.items().iter().position(|i| i.kind == "退款").unwrap();
    for _ in 0..pos {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>");
    let idx = app.aftersales.view.as_ref().unwrap().actions.iter().position(|a| a.label() == "拒绝退款").unwrap();
    for _ in 0..idx {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>x<Enter>");
    assert_eq!(app.store.refund("R1").unwrap().unwrap().state, RefundState::WaitSellerAgree);
    assert!(app.aftersales.modal.is_some(), "the form stays open with the error");
    keys(&mut app, "<Backspace>金额不对,请修改后再申请<Enter>");
    let r = app.store.refund("R1").unwrap().unwrap();
    assert_eq!(r.state, RefundState::SellerRefuseBuyer);
    assert!(app.aftersales.modal.is_none());
}

#[test]
fn memo_form_writes_the_seed_line() {
    let mut app = app();
    keys(&mut app, "/2606280001<Enter>m851<Tab>更改地址<Tab>已更改<Enter>");
    let d = app.store.order_detail("2606280001").unwrap().unwrap();
    // The date is the store's (shop clock, `KEFU_NOW` when pinned).
    let today = kefu::domain::clock::shop_now().date().format("%-m-%-d").to_string();
    let line = format!("{today}联系工号851更改地址,已更改 宾");
    assert_eq!(d.memos.last().unwrap().text, line);
    assert!(app.message.as_ref().unwrap().0.contains(&line));
}

#[test]
fn flag_picker_sets_the_flag() {
    let mut app = app();
    keys(&mut app, "/2606280001<Enter>s1<Enter>");
    // `1` in the picker picks red directly.
    assert_eq!(app.store.queue_row("2606280001").unwrap().unwrap().flag, Flag::Red);
}

#[test]
fn bad_review_form_goes_through_open_case() {
    let mut app = app();
    keys(&mut app, "/2606260004<Enter>b<Tab>质量太差了<Enter>");
    let row = app.store.queue_row("2606260004").unwrap().unwrap();
    assert_eq!(row.flag, Flag::Purple);
    let d = app.store.order_detail("2606260004").unwrap().unwrap();
    assert!(d.memos.last().unwrap().text.contains("差评:质量太差了 宾"), "{:?}", d.memos);
    assert_eq!(app.focus, PaneId::AfterSales, "the new case opens");
    assert!(app.aftersales.view.is_some());
}

#[test]
fn typing_in_a_search_box_never_triggers_commands() {
    let mut app = app();
    keys(&mut app, "3/q?12");
    assert!(!app.should_quit);
    assert!(!app.help);
    assert_eq!(app.focus, PaneId::Replies);
    assert_eq!(app.replies.input.value(), "q?12");
}

#[test]
fn reply_search_and_copy_counts_a_use() {
    let mut app = app();
    keys(&mut app, "3/yfx");
    let first = app.replies.selected().expect("a result").clone();
    assert!(first.code.starts_with("yfx") || first.text.contains("运费险"), "{first:?}");
    keys(&mut app, "<Enter>");
    assert_eq!(app.clipboard_out.len(), 1);
    assert!(!app.clipboard_out[0].contains('{'), "placeholders are filled or marked: {}", app.clipboard_out[0]);
    assert_eq!(app.store.reply(&first.id).unwrap().unwrap().uses, first.uses + 1);
}

#[test]
fn q_quits_and_asks_when_a_form_has_input() {
    let mut app = app();
    keys(&mut app, "m工号<C-q>");
    assert!(app.quit_ask && !app.should_quit);
    keys(&mut app, "n");
    assert!(!app.quit_ask && !app.should_quit);
    keys(&mut app, "<Esc>q");
    assert!(app.should_quit);
}

#[test]
fn tab_and_numbers_move_focus() {
    let mut app = app();
    keys(&mut app, "<Tab>");
    assert_eq!(app.focus, PaneId::AfterSales);
    keys(&mut app, "<Tab>");
    assert_eq!(app.focus, PaneId::Replies);
    keys(&mut app, "<BackTab>");
    assert_eq!(app.focus, PaneId::AfterSales);
    keys(&mut app, "1");
    assert_eq!(app.focus, PaneId::Queue);
    keys(&mut app, "?");
    assert!(app.help);
    keys(&mut app, "<Esc>");
    assert!(!app.help);
}
