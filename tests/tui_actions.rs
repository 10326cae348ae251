//! Action scripts through the whole seat screen (store worker, reader, search thread):
//! keys in, state and events out, the database read back on a second connection.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use kefu::domain::event::EventBody;
use kefu::domain::flag::Flag;
use kefu::domain::order::OrderStatus;
use kefu::domain::refund::RefundState;
use kefu::domain::setting::SettingKey;
use kefu::tui::PaneId;
use tui_support::*;

#[test]
fn queue_is_in_urgency_order_and_moves() {
    let mut app = app();
    let order = app.queue_orders();
    assert_eq!(order[0], "2606260003", "the overdue order comes first");
    keys(&mut app, "jj");
    assert_eq!(app.selected_order().unwrap().0, order[2]);
    keys(&mut app, "k");
    assert_eq!(app.selected_order().unwrap().0, order[1]);
    keys(&mut app, "G");
    assert_eq!(app.selected_order().unwrap().1, order.len() - 1);
    keys(&mut app, "g");
    assert_eq!(app.selected_order().unwrap().1, 0);
}

/// Opens the after-sales case of `kind` for the order `no` (focus ② first).
fn open_case(app: &mut Seat, no: &str, kind: &str) {
    keys(app, &format!("1/{no}<Enter>2"));
    let pos = app.cases().iter().position(|(k, _)| k == kind).expect(kind);
    for _ in 0..pos {
        keys(app, "j");
    }
    keys(app, "<Enter>");
    assert!(app.case_actions().is_some(), "the case view is open");
}

#[test]
fn agree_to_a_refund_with_confirmation_records_an_event() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    assert_eq!(app.selected_order().unwrap().0, "2606260004");
    assert_eq!(app.focus(), PaneId::AfterSales);
    let labels = app.case_actions().unwrap();
    assert!(labels.contains(&"同意退款".to_string()), "{labels:?}");
    assert!(!labels.contains(&"确认收到退货,转财务".to_string()), "illegal action offered: {labels:?}");
    // Agree is the first action and irreversible: it asks.
    keys(&mut app, "<Enter>");
    assert_eq!(
        app.store().refund("R1").unwrap().unwrap().state,
        RefundState::WaitSellerAgree,
        "nothing before confirming"
    );
    keys(&mut app, "y");
    let s = app.store();
    assert_eq!(s.refund("R1").unwrap().unwrap().state, RefundState::WaitBuyerReturnGoods);
    let tl = s.case_timeline("R1").unwrap();
    let last = tl.last().unwrap();
    assert_eq!((last.kind.as_str(), last.agent.as_str(), last.seat.as_str()), ("refund_acted", "宾", "seat-1"));
    // The case view read itself again: the next step is offered, agree no more.
    let labels = app.case_actions().unwrap();
    assert!(labels.contains(&"登记买家退货".to_string()), "{labels:?}");
    assert!(!labels.contains(&"同意退款".to_string()));
    assert!(app.message().unwrap().0.contains("同意退款 →"), "{:?}", app.message());
}

#[test]
fn refuse_asks_for_a_note_and_the_store_checks_it() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    let idx = app.case_actions().unwrap().iter().position(|a| a == "拒绝退款").unwrap();
    for _ in 0..idx {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>x<Enter>");
    assert_eq!(app.store().refund("R1").unwrap().unwrap().state, RefundState::WaitSellerAgree);
    assert!(app.has_unsaved_input(), "the form stays open with the error");
    let screen = screen(&app, 120, 40);
    assert!(screen.contains("拒绝退款 · 说明"), "{screen}");
    keys(&mut app, "<Backspace>金额不对,请修改后再申请<Enter>");
    assert_eq!(app.store().refund("R1").unwrap().unwrap().state, RefundState::SellerRefuseBuyer);
    assert!(!app.has_unsaved_input(), "the form closed");
}

#[test]
fn memo_form_writes_the_seed_line() {
    let mut app = app();
    keys(&mut app, "/2606280001<Enter>m851<Tab>更改地址<Tab>已更改<Enter>");
    let d = app.store().order_detail("2606280001").unwrap().unwrap();
    // The date is the store's clock (pinned to the fixture's now).
    let today = t(NOW).date().format("%-m-%-d").to_string();
    let line = format!("{today}联系工号851更改地址,已更改 宾");
    assert_eq!(d.memos.last().unwrap().text, line);
    assert!(app.message().unwrap().0.contains(&line));
    // The queue row shows the new memo (read again because the order changed).
    assert!(screen(&app, 120, 40).contains("6-28联系工号851"), "{}", screen(&app, 120, 40));
}

#[test]
fn flag_picker_sets_the_flag() {
    let mut app = app();
    keys(&mut app, "/2606280001<Enter>s1<Enter>");
    // `1` in the picker picks red directly.
    assert_eq!(app.store().queue_row("2606280001").unwrap().unwrap().flag, Flag::Red);
}

#[test]
fn bad_review_form_goes_through_open_case() {
    let mut app = app();
    // Not finished yet (已发货): no review can exist, the form says why and keeps the text.
    keys(&mut app, "/2606260004<Enter>b<Tab>质量太差了<Enter>");
    assert!(app.has_unsaved_input(), "the form stays open");
    assert!(screen(&app, 120, 40).contains("交易成功"), "{}", screen(&app, 120, 40));
    keys(&mut app, "<Esc>y<Esc><Esc>/2606200005<Enter>b<Tab>质量太差了<Enter>");
    let s = app.store();
    assert_eq!(s.queue_row("2606200005").unwrap().unwrap().flag, Flag::Purple);
    let d = s.order_detail("2606200005").unwrap().unwrap();
    assert!(d.memos.last().unwrap().text.contains("差评:质量太差了 宾"), "{:?}", d.memos);
    assert_eq!(app.focus(), PaneId::AfterSales, "the new case opens");
    assert!(app.case_actions().is_some());
}

#[test]
fn typing_in_a_search_box_never_triggers_commands() {
    let mut app = app();
    keys(&mut app, "3/q?12");
    assert!(!app.should_quit());
    assert!(!app.help_open());
    assert_eq!(app.focus(), PaneId::Replies);
    assert_eq!(app.reply().0, "q?12");
}

#[test]
fn reply_search_and_copy_counts_a_use() {
    let mut app = app();
    keys(&mut app, "3/yfx");
    let (_, sel) = app.reply();
    let (code, _) = sel.expect("a result");
    let before = app.store().reply_by_code(&code).unwrap().unwrap().uses;
    keys(&mut app, "<Enter>");
    let copied = app.take_clipboard();
    assert_eq!(copied.len(), 1);
    assert!(!copied[0].contains('{'), "placeholders are filled or marked: {}", copied[0]);
    assert_eq!(app.store().reply_by_code(&code).unwrap().unwrap().uses, before + 1);
    // The index took the new count: the preview says so.
    assert!(screen(&app, 120, 40).contains(&format!("用过 {} 次", before + 1)), "{}", screen(&app, 120, 40));
}

#[test]
fn q_quits_and_asks_when_a_form_has_input() {
    let mut app = app();
    keys(&mut app, "m工号<C-q>");
    assert!(app.quit_asked() && !app.should_quit());
    keys(&mut app, "n");
    assert!(!app.quit_asked() && !app.should_quit());
    keys(&mut app, "<Esc>q");
    assert!(app.should_quit());
}

#[test]
fn tab_and_numbers_move_focus() {
    let mut app = app();
    keys(&mut app, "<Tab>");
    assert_eq!(app.focus(), PaneId::AfterSales);
    keys(&mut app, "<Tab>");
    assert_eq!(app.focus(), PaneId::Replies);
    keys(&mut app, "<BackTab>");
    assert_eq!(app.focus(), PaneId::AfterSales);
    keys(&mut app, "1");
    assert_eq!(app.focus(), PaneId::Queue);
    keys(&mut app, "?");
    assert!(app.help_open());
    keys(&mut app, "<Esc>");
    assert!(!app.help_open());
}

#[test]
fn extend_offers_only_the_allowed_days() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    let idx = app.case_actions().unwrap().iter().position(|a| a == "延长收货").unwrap();
    for _ in 0..idx {
        keys(&mut app, "j");
    }
    keys(&mut app, "<Enter>jj<Enter>");
    assert_eq!(app.store().refund("R1").unwrap().unwrap().extended_days, 7);
}

#[test]
fn contact_goes_through_case_contact_and_writes_the_memo() {
    let mut app = app();
    open_case(&mut app, "2606200005", "中差评");
    keys(&mut app, "c<Tab>买家同意改评<Enter>");
    let d = app.store().order_detail("2606200005").unwrap().unwrap();
    assert!(d.memos.last().unwrap().text.contains("电话联系,买家同意改评 宾"), "{:?}", d.memos);
    let s = screen(&app, 120, 40);
    assert!(s.contains("买家同意改评") && s.contains("联系中"), "the case view read itself again:\n{s}");
}

#[test]
fn registration_form_saves_the_six_fields() {
    let mut app = app();
    open_case(&mut app, "2606260004", "换货");
    keys(&mut app, "e<Tab>4分<Tab><Tab>尺码<Tab>处理中<Tab>已换L码<Enter>");
    let s = app.store();
    let id = app.cases().into_iter().find(|(k, _)| k == "换货").unwrap().1;
    let g = s.case(&id).unwrap().unwrap().registration;
    assert_eq!((g.rating.as_str(), g.handler.as_str(), g.problem_type.as_str()), ("4分", "宾", "尺码"));
    assert_eq!(g.result, "已换L码");
}

#[test]
fn damage_report_states_the_orders_facts_and_is_copyable() {
    let (_dir, mut s) = store();
    s.set_shop_setting(SettingKey::ShopName, "19shop").unwrap();
    s.set_shop_setting(SettingKey::Origin, "杭州").unwrap();
    let mut o = order("2606260004", "李雷", OrderStatus::WaitBuyerConfirmGoods, "2026-06-26 10:00:00", "针织开衫");
    o.shipped_at = Some(t("2026-06-26 16:30:00"));
    s.record(EventBody::OrdersUpserted { source: "test".into(), orders: vec![o] }).unwrap();
    let mut app = seat_on(s);
    // Only the courier's staff number is typed: the date shipped (not today), the
    // receiver's region, the 货号 and the shop's name come from the order and the shop.
    keys(&mut app, "/2606260004<Enter>d<Tab><Tab><Tab><Tab><Tab><Tab>843<Enter>");
    assert!(app.case_actions().is_some(), "damage case opened");
    keys(&mut app, "yY");
    let copied = app.take_clipboard();
    assert_eq!(copied.len(), 2);
    assert_eq!(
        copied[0],
        "19shop于6月26日由杭州发往浙江杭州单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!"
    );
    assert_eq!(copied[1], "888090781867(破损)工号843价格88元(货号109)宾");
}

#[test]
fn who_pays_switches_shop_type_and_records_it() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    keys(&mut app, "w");
    assert!(screen(&app, 120, 40).contains("谁付邮费? · 退款 R1"));
    keys(&mut app, "t");
    assert_eq!(app.store().setting("shop_type").unwrap().as_deref(), Some("tmall"));
    assert!(screen(&app, 120, 40).contains("天猫"), "the panel stays open on the new shop type");
    keys(&mut app, "<Esc>");
    assert!(!screen(&app, 120, 40).contains("谁付邮费? · 退款 R1"));
}

#[test]
fn an_illegal_action_is_never_offered_and_errors_show_as_a_message() {
    let mut app = app();
    open_case(&mut app, "2606260004", "退款");
    let labels = app.case_actions().unwrap();
    for bad in ["退款完成", "确认收到退货,转财务", "登记买家退货", "买家已修改申请"] {
        assert!(!labels.contains(&bad.to_string()), "{bad} offered in WAIT_SELLER_AGREE: {labels:?}");
    }
    // The store refuses what the form could not know (a refund number already
    // registered): the form says why and stays open, and so does the message line.
    keys(&mut app, "<Esc><Esc>1r");
    keys(&mut app, "R1<Tab><Tab>尺码不合适<Enter>");
    assert!(app.has_unsaved_input(), "the refund form stays open");
    assert!(screen(&app, 120, 40).contains("退款 R1 已经登记过"), "{}", screen(&app, 120, 40));
    let (msg, is_err) = app.message().unwrap();
    assert!(is_err && msg.contains("R1"), "{msg}");
}

#[test]
fn replies_add_edit_delete_and_groups() {
    let mut app = app();
    keys(&mut app, "3a");
    // Code, text (prefilled 亲,), group.
    keys(&mut app, "zzq<Tab>{买家}您好,单号{单号}呢<Tab><C-u>测试组<Enter>");
    keys(&mut app, "/zzq");
    assert_eq!(app.reply_codes().first().map(String::as_str), Some("zzq"));
    let id = app.store().reply_by_code("zzq").unwrap().unwrap().reply_id;
    assert_eq!(app.store().reply(&id).unwrap().unwrap().group, "测试组");
    // The preview marks the missing tracking number of the selected order.
    let filled = app.reply().1.unwrap().1;
    assert!(filled.contains("【缺:单号】") || filled.contains("888090781867"), "{filled}");
    keys(&mut app, "<Esc>e<Tab><Tab><C-u>新组<Enter>");
    assert_eq!(app.store().reply(&id).unwrap().unwrap().group, "新组");
    keys(&mut app, "R<C-u>改名组<Enter>");
    assert_eq!(app.store().reply(&id).unwrap().unwrap().group, "改名组");
    keys(&mut app, "Dy");
    assert!(app.store().reply(&id).unwrap().is_none());
    assert!(!app.reply_codes().contains(&"zzq".to_string()), "gone from the index too");
}

#[test]
fn a_paste_into_the_memo_form_is_text_and_nothing_else() {
    let mut app = app();
    keys(&mut app, "/2606280001<Enter>m");
    // What a terminal without bracketed paste would have typed: 851⇥改地址⇥已改⏎xyz.
    app.paste("851\t改地址\t已改\nxyz");
    app.settle();
    let d = app.store().order_detail("2606280001").unwrap().unwrap();
    assert!(d.memos.is_empty(), "nothing saved by the newline: {:?}", d.memos);
    assert!(app.has_unsaved_input(), "the memo form is still open");
    let s = screen(&app, 120, 40);
    assert!(s.contains("写备注") && !s.contains("换货 ·"), "no other form opened:\n{s}");
    assert!(s.contains("851 改地址 已改 xyz"), "{s}");
}
