//! Action scripts: keys in, state and events out.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

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
    // The date is the store's clock (pinned to the fixture's now).
    let today = t(NOW).date().format("%-m-%-d").to_string();
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

/// Opens the after-sales case of `kind` for the order `no` (focus ② first).
fn open_case(app: &mut kefu::tui::app::App, no: &str, kind: &str) {
    keys(app, &format!("1/{no}<Enter>2"));
    let pos = app.aftersales.items().iter().position(|i| i.kind == kind).expect(kind);
    for _ in 0..pos {
        keys(app, "j");
    }
    keys(app, "<Enter>");
    assert!(app.aftersales.view.is_some());
}

#[test]
fn extend_offers_only_the_allowed_days() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    let idx = app.aftersales.view.as_ref().unwrap().actions.iter().position(|a| a.label() == "延长收货").unwrap();
    for _ in 0..idx {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>jj<Enter>");
    let r = app.store.refund("R1").unwrap().unwrap();
    assert_eq!(r.extended_days, 7);
}

#[test]
fn contact_goes_through_case_contact_and_writes_the_memo() {
    let mut app = app();
    open_case(&mut app, "2606200005", "中差评");
    keys(&mut app, "c<Tab>买家同意改评<Enter>");
    let d = app.store.order_detail("2606200005").unwrap().unwrap();
    assert!(d.memos.last().unwrap().text.contains("电话联系,买家同意改评 宾"), "{:?}", d.memos);
    let v = app.aftersales.view.as_ref().unwrap();
    assert_eq!(v.contacts.len(), 1);
    assert_eq!(v.case.as_ref().unwrap().state.label(), "联系中");
}

#[test]
fn registration_form_saves_the_six_fields() {
    let mut app = app();
    open_case(&mut app, "2606260004", "换货");
    keys(&mut app, "e<Tab>4分<Tab><Tab>尺码<Tab>处理中<Tab>已换L码<Enter>");
    let c = app.aftersales.view.as_ref().unwrap().case.clone().unwrap();
    assert_eq!(c.registration.rating, "4分");
    assert_eq!(c.registration.handler, "宾");
    assert_eq!(c.registration.problem_type, "尺码");
    assert_eq!(c.registration.result, "已换L码");
}

#[test]
fn damage_report_is_opened_and_copyable() {
    let mut app = app();
    keys(&mut app, "/2606260004<Enter>d<Tab>杭州<Tab>北京<Tab><Tab><Tab><Tab>843<Tab>109<Enter>");
    let v = app.aftersales.view.as_ref().expect("damage case opened");
    assert_eq!(v.case.as_ref().unwrap().kind.label(), "破损/遗失");
    keys(&mut app, "yY");
    assert_eq!(app.clipboard_out.len(), 2);
    assert!(
        app.clipboard_out[0].contains("由杭州发往北京单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!")
    );
    assert_eq!(app.clipboard_out[1], "888090781867(破损)工号843价格88元(货号109)宾");
}

#[test]
fn who_pays_switches_shop_type_and_records_it() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    keys(&mut app, "w");
    assert!(matches!(app.aftersales.modal, Some(kefu::tui::panes::aftersales::CaseModal::Postage(_))));
    keys(&mut app, "t");
    assert_eq!(app.store.setting("shop_type").unwrap().as_deref(), Some("tmall"));
    keys(&mut app, "<Esc>");
    assert!(app.aftersales.modal.is_none());
}

#[test]
fn an_illegal_action_is_never_offered_and_errors_show_as_a_message() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    let labels: Vec<String> = app.aftersales.view.as_ref().unwrap().actions.iter().map(|a| a.label()).collect();
    for bad in ["退款完成", "确认收到退货,转财务", "登记买家退货", "买家已修改申请"] {
        assert!(!labels.contains(&bad.to_string()), "{bad} offered in WAIT_SELLER_AGREE: {labels:?}");
    }
    // A store error from a direct action lands on the message line, not a crash.
    app.dispatch(kefu::tui::action::Action::RefundAct {
        refund_no: "R1".into(),
        action: kefu::domain::refund::RefundAction::RefundDone,
        input: Default::default(),
    });
    let (msg, is_err) = app.message.clone().unwrap();
    assert!(is_err && msg.contains("R1"), "{msg}");
}

#[test]
fn replies_add_edit_delete_and_groups() {
    let mut app = app();
    keys(&mut app, "3a");
    // Code, text (prefilled 亲,), group.
    keys(&mut app, "zzq<Tab>{买家}您好,单号{单号}呢<Tab><C-u>测试组<Enter>");
    keys(&mut app, "/zzq");
    let hit = app.replies.selected().cloned().expect("the new reply is found");
    assert_eq!(hit.code, "zzq");
    assert_eq!(hit.group, "测试组");
    // The preview marks the missing tracking number of the selected order.
    let filled = app.replies.filled().unwrap();
    assert!(filled.contains("【缺:单号】") || filled.contains("888090781867"), "{filled}");
    keys(&mut app, "<Esc>e<Tab><Tab><C-u>新组<Enter>");
    assert_eq!(app.store.reply(&hit.id).unwrap().unwrap().group, "新组");
    keys(&mut app, "R<C-u>改名组<Enter>");
    assert_eq!(app.store.reply(&hit.id).unwrap().unwrap().group, "改名组");
    keys(&mut app, "Dy");
    assert!(app.store.reply(&hit.id).unwrap().is_none());
}
