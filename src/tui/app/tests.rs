//! `update` from keys to commands, without SQLite: data is handed in as the store
//! worker would, and what comes out is compared command by command.

use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use crate::domain::event::Actor;
use crate::domain::flag::Flag;
use crate::domain::order::OrderStatus;
use crate::domain::refund::{ActionInput, RefundAction};
use crate::store::orders::QueueView;
use crate::store::{ChangeSet, QueueCursor, QueueRow};
use crate::tui::action::{CaseKey, Fetch, PaneId, ReportKind, ReportRequest};
use crate::tui::keymap::Keymaps;
use crate::tui::msg::{Cmd, FormId, Msg, Origin, Place, SearchCmd};
use crate::tui::panes::Pane;
use crate::tui::panes::case_view::MenuAction;
use crate::tui::worker::query::ItemKind;
use crate::tui::worker::{CaseItem, CaseScope, CaseViewData, Data, Outcome, Query, WriteCmd};

fn now() -> NaiveDateTime {
    crate::domain::timefmt::parse_datetime("2026-06-28 10:00:00").unwrap_or_default()
}

fn row(no: &str) -> QueueRow {
    QueueRow {
        order_no: no.into(),
        buyer: "小王".into(),
        receiver_name: "王芳".into(),
        status: Some(OrderStatus::WaitSellerSendGoods),
        title: "卫衣".into(),
        paid_at: Some(now()),
        ship_by: Some(now() + chrono::Duration::hours(5)),
        flag: Flag::Grey,
        memo_last: String::new(),
        courier: String::new(),
        tracking_no: "888090781867".into(),
        amount_fen: 8800,
        open_refunds: 0,
        refunded_fen: 0,
        status_text: String::new(),
        cursor: QueueCursor { qrank: 0, qkey: String::new(), order_no: no.into() },
    }
}

/// An App that has its first queue page (orders 1, 2, 3) and nothing else.
fn app_with(keys: Keymaps) -> App {
    let (mut app, cmds) = App::new(Actor::new("宾", "seat-1"), now(), keys);
    let page = cmds.iter().find_map(|c| match c {
        Cmd::Load(q @ Query::QueuePage { .. }) => Some(q.clone()),
        _ => None,
    });
    let Some(page) = page else { panic!("the first page is asked for: {cmds:?}") };
    let rows = vec![row("1"), row("2"), row("3")];
    app.update(Msg::Loaded { query: page, data: Ok(Data::QueuePage(rows)) });
    app
}

fn app() -> App {
    app_with(Keymaps::default())
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::from(c))
}

/// Types `script` (`<Enter>` `<Esc>` `<Tab>` `<Down>` `<Up>` spelled out); all commands.
fn keys(app: &mut App, script: &str) -> Vec<Cmd> {
    let mut out = Vec::new();
    let mut rest = script;
    while let Some(c) = rest.chars().next() {
        let named = [
            ("<Enter>", KeyCode::Enter),
            ("<Esc>", KeyCode::Esc),
            ("<Tab>", KeyCode::Tab),
            ("<Down>", KeyCode::Down),
            ("<Up>", KeyCode::Up),
            ("<Right>", KeyCode::Right),
        ]
        .into_iter()
        .find(|(n, _)| rest.starts_with(n));
        match named {
            Some((n, code)) => {
                out.extend(app.update(key(code)));
                rest = &rest[n.len()..];
            }
            None => {
                out.extend(app.update(key(KeyCode::Char(c))));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn writes(cmds: &[Cmd]) -> Vec<(WriteCmd, Origin)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Write { cmd, origin } => Some((cmd.clone(), *origin)),
            _ => None,
        })
        .collect()
}

fn loads(cmds: &[Cmd]) -> Vec<Query> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Load(q) => Some(q.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn start_up_reads_settings_the_queue_replies_and_counts() {
    let (_, cmds) = App::new(Actor::new("宾", "seat-1"), now(), Keymaps::default());
    assert_eq!(
        loads(&cmds),
        vec![
            Query::Settings,
            Query::QueuePage { view: QueueView::All, fetch: Fetch::Top, now: now(), epoch: 1 },
            Query::ReplyDocs,
            Query::Counts { now: now() },
            Query::Integrity,
        ]
    );
}

#[test]
fn the_first_page_selects_its_first_order_and_the_panes_follow() {
    let (mut app, cmds) = App::new(Actor::new("宾", "seat-1"), now(), Keymaps::default());
    let page = loads(&cmds).into_iter().find(|q| matches!(q, Query::QueuePage { .. })).unwrap();
    let out = app.update(Msg::Loaded { query: page, data: Ok(Data::QueuePage(vec![row("1"), row("2")])) });
    assert_eq!(loads(&out), vec![Query::Values(Some("1".into())), Query::Cases(CaseScope::Order("1".into()))]);
}

#[test]
fn queue_keys_move_and_the_other_panes_follow_the_selection() {
    let mut app = app();
    let out = keys(&mut app, "j");
    assert_eq!(app.queue.selected().map(|r| r.order_no.as_str()), Some("2"));
    assert_eq!(loads(&out), vec![Query::Values(Some("2".into())), Query::Cases(CaseScope::Order("2".into()))]);
    assert!(keys(&mut app, "k").iter().all(|c| matches!(c, Cmd::Load(_))));
    assert_eq!(loads(&keys(&mut app, "<Enter>")), vec![Query::Detail("1".into())]);
}

#[test]
fn f_asks_for_the_next_view_and_a_search_for_its_orders() {
    let mut app = app();
    let out = keys(&mut app, "f");
    assert_eq!(
        loads(&out),
        vec![Query::QueuePage { view: QueueView::ToShip, fetch: Fetch::Top, now: now(), epoch: 2 }]
    );
    let out = keys(&mut app, "/0004<Enter>");
    assert_eq!(loads(&out), vec![Query::QueueSearch { text: "0004".into(), epoch: 3 }]);
    // A page for an older window is dropped.
    let stale = Query::QueuePage { view: QueueView::ToShip, fetch: Fetch::Top, now: now(), epoch: 2 };
    app.update(Msg::Loaded { query: stale, data: Ok(Data::QueuePage(vec![row("9")])) });
    assert_eq!(app.queue.rows().len(), 3);
}

#[test]
fn typing_in_a_search_box_never_triggers_commands() {
    let mut app = app();
    let out = keys(&mut app, "3/q?12");
    assert!(!app.should_quit && !app.help_open());
    assert_eq!(app.focus, PaneId::Replies);
    assert_eq!(app.replies.query(), "q?12");
    let searched: Vec<&Cmd> = out.iter().filter(|c| matches!(c, Cmd::Search(_))).collect();
    assert_eq!(searched.last(), Some(&&Cmd::Search(SearchCmd::Query("q?12".into()))));
}

#[test]
fn the_memo_form_sends_one_write_with_its_origin_and_closes_on_its_answer() {
    let mut app = app();
    let out = keys(&mut app, "m851<Tab>更改地址<Tab>已更改<Enter>");
    let w = writes(&out);
    assert_eq!(w.len(), 1);
    let (cmd, origin) = w[0].clone();
    assert_eq!(
        cmd,
        WriteCmd::AddMemo {
            order_no: "1".into(),
            staff_no: "851".into(),
            what: "更改地址".into(),
            result: "已更改".into()
        }
    );
    assert_eq!((origin.place, origin.form), (Place::Pane(PaneId::Queue), FormId::Memo));
    assert!(writes(&keys(&mut app, "<Enter>")).is_empty(), "a busy form does not send twice");
    let mut changes = ChangeSet::default();
    changes.orders.insert("1");
    changes.events = 1;
    let out = app.update(Msg::Written {
        origin,
        changes,
        outcome: Outcome::Memo("6-28联系工号851更改地址,已更改 宾".into()),
    });
    assert_eq!(app.queue.mode(), crate::tui::panes::Mode::Normal, "the form closed");
    assert!(app.message.as_ref().is_some_and(|(m, e)| !e && m.contains("6-28联系工号851")));
    // What to read again comes from the change set: the row, the reply values, the cases, the counts.
    let l = loads(&out);
    assert!(l.contains(&Query::QueueRows(vec!["1".into()])), "{l:?}");
    assert!(l.contains(&Query::Values(Some("1".into()))), "{l:?}");
    assert!(l.contains(&Query::Cases(CaseScope::Order("1".into()))), "{l:?}");
    assert!(l.contains(&Query::Counts { now: now() }), "{l:?}");
    assert!(!l.iter().any(|q| matches!(q, Query::Detail(_) | Query::ReplyDocs | Query::Replies(_))), "{l:?}");
}

#[test]
fn a_failure_annotates_only_the_form_that_sent_the_write() {
    let mut app = app();
    let first = writes(&keys(&mut app, "m851<Enter>"))[0].1;
    // The agent gave up on that form and opened another before the answer came.
    keys(&mut app, "<Esc>r");
    app.update(Msg::Failed { origin: first, error: "请填写做了什么".into() });
    assert_eq!(app.message.as_ref().map(|(m, e)| (m.as_str(), *e)), Some(("请填写做了什么", true)));
    let refund_form_error = app.queue_form_error();
    assert_eq!(refund_form_error, None, "the refund form is not the one that failed");
    // The refund form's own failure lands in it, and the form stays open.
    let second = writes(&keys(&mut app, "R9<Enter>"))[0].1;
    assert_ne!(first.serial, second.serial);
    app.update(Msg::Failed { origin: second, error: "退款 R9 已经登记过".into() });
    assert_eq!(app.queue_form_error().as_deref(), Some("退款 R9 已经登记过"));
    // An answer for a form long gone changes no form.
    app.update(Msg::Failed { origin: first, error: "迟到的错误".into() });
    assert_eq!(app.queue_form_error().as_deref(), Some("退款 R9 已经登记过"));
}

#[test]
fn the_refund_form_checks_its_amount_before_sending() {
    let mut app = app();
    let out = keys(&mut app, "rR9<Tab><Right>");
    assert!(writes(&out).is_empty());
    // Clear the amount and type a bad one.
    for _ in 0..6 {
        app.update(key(KeyCode::Backspace));
    }
    let out = keys(&mut app, "abc<Enter>");
    assert!(writes(&out).is_empty());
    assert!(app.queue_form_error().is_some());
}

#[test]
fn the_flag_picker_sends_set_flag() {
    let mut app = app();
    let out = keys(&mut app, "s1");
    let w = writes(&out);
    assert_eq!(w[0].0, WriteCmd::SetFlag { order_no: "1".into(), flag: Flag::Red });
    assert_eq!(w[0].1.form, FormId::Flag);
}

fn refund_view() -> CaseViewData {
    CaseViewData {
        key: CaseKey::Refund("R1".into()),
        refund: None,
        case: None,
        contacts: Vec::new(),
        timeline: Vec::new(),
        conflicts: Vec::new(),
        actions: vec![
            MenuAction::Refund(RefundAction::Agree),
            MenuAction::Refund(RefundAction::Refuse),
            MenuAction::Postage,
        ],
        order_line: "订单 1".into(),
        order: Some(row("1")),
        agent: "宾".into(),
    }
}

#[test]
fn agree_asks_first_and_y_sends_the_action() {
    let mut app = app();
    let item = CaseItem {
        key: CaseKey::Refund("R1".into()),
        order_no: "1".into(),
        kind: ItemKind::Refund,
        state: "待处理".into(),
        opened: None,
        deadline: None,
        summary: "R1".into(),
        waits_for_seller: true,
        open: true,
        conflict: false,
    };
    app.update(Msg::Loaded { query: Query::Cases(CaseScope::Order("1".into())), data: Ok(Data::Cases(vec![item])) });
    let out = keys(&mut app, "2<Enter>");
    assert_eq!(loads(&out), vec![Query::CaseView(CaseKey::Refund("R1".into()))]);
    app.update(Msg::Loaded {
        query: Query::CaseView(CaseKey::Refund("R1".into())),
        data: Ok(Data::CaseView(Some(refund_view()))),
    });
    assert!(writes(&keys(&mut app, "<Enter>")).is_empty(), "it asks first");
    assert!(writes(&keys(&mut app, "n")).is_empty(), "n: nothing");
    let w = writes(&keys(&mut app, "<Enter>y"));
    assert_eq!(
        w[0].0,
        WriteCmd::RefundAct { refund_no: "R1".into(), action: RefundAction::Agree, input: ActionInput::default() }
    );
    assert_eq!((w[0].1.place, w[0].1.form), (Place::Pane(PaneId::AfterSales), FormId::Confirm));
    // Refuse asks for a note.
    let w = writes(&keys(&mut app, "j<Enter>金额不对,请修改<Enter>"));
    assert_eq!(w[0].1.form, FormId::Refuse);
    assert!(
        matches!(&w[0].0, WriteCmd::RefundAct { action: RefundAction::Refuse, input, .. } if input.note == "金额不对,请修改")
    );
}

#[test]
fn a_reply_is_copied_and_its_use_counted() {
    let mut app = app();
    let hit = crate::tui::panes::replies::ReplyHit {
        id: "r1".into(),
        code: "yfx".into(),
        text: "亲,运费险{单号}".into(),
        group: "售后".into(),
        uses: 0,
        field: crate::search::Field::Code,
        highlights: vec![0],
    };
    app.update(Msg::Searched(crate::tui::search_worker::SearchResult {
        seq: 1,
        query: String::new(),
        hits: vec![hit],
    }));
    let out = keys(&mut app, "3<Enter>");
    assert!(out.iter().any(|c| matches!(c, Cmd::Copy(t) if t.starts_with("亲,运费险"))), "{out:?}");
    assert_eq!(writes(&out)[0].0, WriteCmd::UseReply { reply_id: "r1".into(), order_no: Some("1".into()) });
    // Its use shows once the store says the reply changed.
    let mut changes = ChangeSet::default();
    changes.replies.insert("r1");
    changes.events = 1;
    let out = app.update(Msg::Written { origin: writes(&out)[0].1, changes, outcome: Outcome::ReplyUsed });
    assert_eq!(loads(&out), vec![Query::Replies(vec!["r1".into()])]);
}

#[test]
fn the_views_read_when_entered() {
    let mut app = app();
    let out = keys(&mut app, "4");
    assert!(matches!(loads(&out)[..], [Query::LogPage { after: None, .. }]));
    let out = keys(&mut app, "5");
    let req = ReportRequest { kind: ReportKind::Daily, date: now().date() };
    assert_eq!(loads(&out), vec![Query::Report { req, now: now() }]);
    let out = keys(&mut app, "l");
    assert!(matches!(loads(&out)[..], [Query::Report { req: ReportRequest { kind: ReportKind::Refunds7, .. }, .. }]));
}

#[test]
fn quit_asks_when_a_form_holds_input() {
    let mut app = app();
    keys(&mut app, "m工号");
    let out = app.update(Msg::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)));
    assert!(app.quit_ask && !app.should_quit && out.is_empty());
    keys(&mut app, "n<Esc>");
    assert!(!app.quit_ask);
    assert_eq!(keys(&mut app, "q"), vec![Cmd::Quit]);
    assert!(app.should_quit);
}

#[test]
fn a_paste_is_text_in_the_form_and_nothing_else() {
    let mut app = app();
    keys(&mut app, "m");
    let out = app.update(Msg::Paste("851\t改地址\t已改\nxyz".into()));
    assert!(out.is_empty(), "no write, no form opened: {out:?}");
    assert_eq!(app.queue.mode(), crate::tui::panes::Mode::Modal);
    let w = writes(&keys(&mut app, "<Enter>"));
    assert!(
        matches!(&w[0].0, WriteCmd::AddMemo { staff_no, what, .. } if staff_no == "851 改地址 已改 xyz" && what.is_empty()),
        "{w:?}"
    );
}

#[test]
fn a_paste_outside_a_box_does_nothing() {
    let mut app = app();
    let out = app.update(Msg::Paste("xq".into()));
    assert!(out.is_empty() && !app.should_quit);
    assert_eq!(app.queue.mode(), crate::tui::panes::Mode::Normal);
}

#[test]
fn rebound_keys_drive_the_panes() {
    let mut keymaps = Keymaps::default();
    let mut wanted = std::collections::BTreeMap::new();
    wanted.insert("queue".to_string(), std::collections::BTreeMap::from([("memo".to_string(), vec!["M".to_string()])]));
    assert!(keymaps.apply(&wanted).is_empty());
    let mut app = app_with(keymaps);
    keys(&mut app, "m");
    assert_eq!(app.queue.mode(), crate::tui::panes::Mode::Normal, "m is no longer memo");
    keys(&mut app, "M");
    assert_eq!(app.queue.mode(), crate::tui::panes::Mode::Modal);
}

#[test]
fn changes_nobody_shows_read_nothing() {
    let mut app = app();
    let origin = Origin { place: Place::Pane(PaneId::Queue), form: FormId::Key, serial: 5 };
    let mut changes = ChangeSet::default();
    changes.settings.insert("a_setting_of_a_newer_kefu");
    changes.events = 1;
    let out = app.update(Msg::Written { origin, changes, outcome: Outcome::ReplyUsed });
    assert_eq!(loads(&out), vec![]);
    // An order outside the window (a sync brought it) may belong in it: the window is
    // read again, keeping the selection; not row by row.
    let mut changes = ChangeSet::default();
    changes.orders.insert("77");
    changes.orders.insert("1");
    changes.events = 2;
    let out = app.update(Msg::Written { origin, changes, outcome: Outcome::ReplyUsed });
    let l = loads(&out);
    assert!(l.contains(&Query::QueuePage { view: QueueView::All, fetch: Fetch::Top, now: now(), epoch: 2 }), "{l:?}");
    assert!(!l.iter().any(|q| matches!(q, Query::QueueRows(_))), "{l:?}");
    assert!(l.contains(&Query::Counts { now: now() }), "{l:?}");
    let keep = Query::QueuePage { view: QueueView::All, fetch: Fetch::Top, now: now(), epoch: 2 };
    keys(&mut app, "j");
    app.update(Msg::Loaded { query: keep, data: Ok(Data::QueuePage(vec![row("77"), row("1"), row("2"), row("3")])) });
    assert_eq!(app.queue.selected().map(|r| r.order_no.as_str()), Some("2"), "the selection stayed on its order");
}

#[test]
fn writes_are_refused_while_a_sync_job_runs() {
    let mut app = app();
    app.sync_running = true;
    let out = keys(&mut app, "m851<Enter>");
    assert!(writes(&out).is_empty());
    assert_eq!(app.queue_form_error().as_deref(), Some(super::BUSY), "the form says why");
}

#[test]
fn every_keymap_entry_is_in_the_help_and_the_hints() {
    use crate::tui::keymap::{KeyAction, Keymap};
    use crate::tui::panes::Pane;
    let mut app = app();
    let k = app.keys.clone();
    let mut hints = vec![k.global.hints(), app.queue.hints(&k)];
    keys(&mut app, "/x<Enter>");
    hints.push(app.queue.hints(&k));
    keys(&mut app, "<Esc><Esc><Enter>");
    let detail = crate::tui::worker::DetailData { detail: fake_detail(), refunds: Vec::new(), cases: Vec::new() };
    app.update(Msg::Loaded { query: Query::Detail("1".into()), data: Ok(Data::Detail(Some(detail))) });
    hints.push(app.queue.hints(&k));
    keys(&mut app, "<Esc>2");
    hints.push(app.aftersales.hints(&k));
    // Case views: a refund with a conflict, an exchange (registration, contact), a damage case (copies).
    for actions in
        [vec![MenuAction::Register, MenuAction::Contact], vec![MenuAction::CopySentence, MenuAction::CopyRegisterLine]]
    {
        let mut v = refund_view();
        v.actions = actions;
        v.conflicts = vec![crate::store::ConflictRow {
            event_id: "e".into(),
            case_key: "R1".into(),
            reason: "x".into(),
            seat: "s".into(),
            agent: "a".into(),
            at: String::new(),
            kind: "refund_acted".into(),
            resolved: false,
        }];
        app.aftersales.open(CaseKey::Refund("R1".into()));
        app.update(Msg::Loaded {
            query: Query::CaseView(CaseKey::Refund("R1".into())),
            data: Ok(Data::CaseView(Some(v))),
        });
        hints.push(app.aftersales.hints(&k));
        keys(&mut app, "<Esc>");
    }
    keys(&mut app, "3");
    hints.push(app.replies.hints(&k));
    keys(&mut app, "/x<Esc>");
    hints.push(app.replies.hints(&k));
    hints.push(app.log.hints(&k));
    hints.push(app.reports.hints(&k));
    // The panels draw their hints themselves: the postage panel all of them, the sync
    // summary all of them when it scrolls.
    hints.push(k.postage.hints());
    hints.push(k.summary.hints());
    let all_hints = hints.join(" · ");
    let help: Vec<String> =
        crate::tui::widgets::help::rows(&k).iter().map(|r| format!("{} {}", r.keys, r.what)).collect();
    fn check<A: KeyAction>(t: &Keymap<A>, hints: &str, help: &[String]) {
        for b in &t.bindings {
            let first = b.keys[0].label();
            // Each group is "keys hint", its keys joined by / (digits in a row as 1-5).
            let shown = hints.split(" · ").any(|group| {
                let Some((keys, hint)) = group.split_once(' ') else { return false };
                hint == b.hint
                    && (keys == first
                        || keys.split('/').any(|k| match k.split_once('-') {
                            Some((lo, hi)) if lo.len() == 1 && hi.len() == 1 => (lo..=hi).contains(&first.as_str()),
                            _ => k == first,
                        }))
            });
            assert!(shown, "{}.{} ({first} {}) missing from the hints: {hints}", t.name, b.action.name(), b.hint);
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            assert!(
                help.iter().any(|h| h.starts_with(&keys.join(" ")) && h.ends_with(b.help)),
                "{}.{} missing from the help",
                t.name,
                b.action.name()
            );
        }
    }
    check(&k.global, &all_hints, &help);
    check(&k.queue, &all_hints, &help);
    check(&k.detail, &all_hints, &help);
    check(&k.cases, &all_hints, &help);
    check(&k.case, &all_hints, &help);
    check(&k.replies, &all_hints, &help);
    check(&k.log, &all_hints, &help);
    check(&k.reports, &all_hints, &help);
    check(&k.postage, &all_hints, &help);
    check(&k.summary, &all_hints, &help);
}

fn fake_detail() -> crate::store::OrderDetail {
    crate::store::OrderDetail {
        order_no: "1".into(),
        buyer: "小王".into(),
        buyer_alipay: String::new(),
        receiver_name: "王芳".into(),
        receiver_phone: "13812341234".into(),
        receiver_address: "杭州".into(),
        status: Some(OrderStatus::WaitSellerSendGoods),
        status_text: String::new(),
        amount_fen: 8800,
        postage_fen: 0,
        refund_fen: 0,
        created_at: None,
        paid_at: None,
        shipped_at: None,
        ship_by: None,
        buyer_message: String::new(),
        platform_memo: String::new(),
        courier: String::new(),
        tracking_no: String::new(),
        shop_name: String::new(),
        title: "卫衣".into(),
        close_reason: String::new(),
        flag: Flag::Grey,
        items: Vec::new(),
        memos: Vec::new(),
    }
}

impl App {
    /// The open queue form's error (tests).
    fn queue_form_error(&self) -> Option<String> {
        self.queue.form_error()
    }
}

#[test]
fn a_log_that_fails_verification_turns_the_status_bar_red() {
    use ratatui::{Terminal, backend::TestBackend};
    let (mut app, cmds) = App::new(Actor::new("宾", "前台A#k3m7x2q7d4f6a6b2"), now(), Keymaps::default());
    assert!(loads(&cmds).contains(&Query::Integrity), "checked in the background at start");
    let bar = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        term.draw(|f| app.draw(f)).unwrap();
        let buf = term.backend().buffer().clone();
        let y = buf.area.height - 1;
        // (A wide character's second cell reads as a space: spaces are left out.)
        let text: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().replace(' ', "")).collect();
        let red = (0..buf.area.width).any(|x| buf[(x, y)].bg == ratatui::style::Color::Red);
        (text, red)
    };
    let (text, _) = bar(&app);
    assert!(text.contains("宾@前台A早班") && !text.contains("日志校验失败"), "the seat by its name: {text}");
    let alarm = "日志校验失败:席位 前台B 的记录被改动或删除过 — 请主管运行 kefu log verify".to_string();
    app.update(Msg::Loaded { query: Query::Integrity, data: Ok(Data::Integrity(Some(alarm))) });
    let (text, red) = bar(&app);
    assert!(text.contains("日志校验失败") && red, "{text}");
}

/// The replies pane with one search hit, reply `r1` of group 售后.
fn app_with_a_reply() -> App {
    let mut app = app();
    let hit = crate::tui::panes::replies::ReplyHit {
        id: "r1".into(),
        code: "yfx".into(),
        text: "亲,运费险{单号}".into(),
        group: "售后".into(),
        uses: 0,
        field: crate::search::Field::Code,
        highlights: vec![0],
    };
    app.update(Msg::Searched(crate::tui::search_worker::SearchResult {
        seq: 1,
        query: String::new(),
        hits: vec![hit],
    }));
    app
}

#[test]
fn replies_keys_delete_after_asking_and_open_their_forms() {
    let mut app = app_with_a_reply();
    let out = keys(&mut app, "3D");
    assert!(writes(&out).is_empty(), "D asks first");
    assert_eq!(app.replies.mode(), crate::tui::panes::Mode::Modal);
    let out = keys(&mut app, "n");
    assert!(writes(&out).is_empty(), "n keeps it");
    assert_eq!(app.replies.mode(), crate::tui::panes::Mode::Normal);
    let out = keys(&mut app, "Dy");
    assert_eq!(writes(&out)[0].0, WriteCmd::DeleteReply("r1".into()));
    let out = keys(&mut app, "Xy");
    assert_eq!(writes(&out)[0].0, WriteCmd::DeleteGroup("售后".into()));
    for k in ["a", "e", "R"] {
        let mut app = app_with_a_reply();
        keys(&mut app, "3");
        keys(&mut app, k);
        assert_eq!(app.replies.mode(), crate::tui::panes::Mode::Modal, "{k} opens a form");
        assert!(writes(&keys(&mut app, "<Esc>")).is_empty());
        assert_eq!(app.replies.mode(), crate::tui::panes::Mode::Normal, "Esc closes it");
    }
    // `/` starts a search: what is typed goes to the index, not to the keys.
    let mut app = app_with_a_reply();
    let out = keys(&mut app, "3/Dq");
    assert!(writes(&out).is_empty() && !app.should_quit);
    assert!(out.iter().any(|c| matches!(c, Cmd::Search(SearchCmd::Query(q)) if q == "Dq")), "{out:?}");
}

#[test]
fn the_postage_panel_keys() {
    let mut app = app();
    let out = keys(&mut app, "2w");
    assert_eq!(loads(&out), vec![Query::Order("1".into())], "w reads the selected order's row first");
    app.update(Msg::Loaded { query: Query::Order("1".into()), data: Ok(Data::Order(Some(row("1")))) });
    assert_eq!(app.aftersales.mode(), crate::tui::panes::Mode::Modal, "the panel is open");
    // j/k/←/→/i change the question, write nothing; global keys are the panel's.
    for k in ["j", "k", "<Right>", "i", "1", "q"] {
        let out = keys(&mut app, k);
        assert!(out.is_empty() && !app.should_quit, "{k}: {out:?}");
        assert_eq!(app.focus, PaneId::AfterSales, "{k}");
    }
    let out = keys(&mut app, "t");
    assert_eq!(writes(&out)[0].0, WriteCmd::SetShopType(crate::domain::postage::ShopType::Tmall));
    keys(&mut app, "<Esc>");
    assert_eq!(app.aftersales.mode(), crate::tui::panes::Mode::Normal, "Esc closes it");
}

#[test]
fn the_log_view_keys() {
    let mut app = app();
    let out = keys(&mut app, "4");
    let Some(Query::LogPage { epoch, .. }) = loads(&out).first().cloned() else { panic!("{out:?}") };
    // `/` filters: the keys typed are text (q does not quit), Esc clears it.
    let out = keys(&mut app, "/q");
    assert!(out.is_empty() && !app.should_quit, "{out:?}");
    assert_eq!(app.log.mode(), crate::tui::panes::Mode::Typing);
    keys(&mut app, "<Enter>");
    assert_eq!(app.log.mode(), crate::tui::panes::Mode::Normal);
    let out = keys(&mut app, "r");
    assert!(
        matches!(&loads(&out)[..], [Query::LogPage { after: None, epoch: e }] if *e > epoch),
        "r reads again from the newest: {out:?}"
    );
    // 1 goes back to the queue.
    keys(&mut app, "1");
    assert_eq!(app.focus, PaneId::Queue);
}

#[test]
fn the_reports_view_keys() {
    let mut app = app();
    keys(&mut app, "5");
    let day = |out: &[Cmd]| match &loads(out)[..] {
        [Query::Report { req, .. }] => Some((req.kind, req.date)),
        _ => None,
    };
    let today = now().date();
    assert_eq!(day(&keys(&mut app, "[")), Some((ReportKind::Daily, today - chrono::Duration::days(1))));
    assert_eq!(day(&keys(&mut app, "]")), Some((ReportKind::Daily, today)));
    assert_eq!(day(&keys(&mut app, "r")), Some((ReportKind::Daily, today)), "r computes again");
    assert_eq!(day(&keys(&mut app, "h")).map(|d| d.0), Some(*ReportKind::ALL.last().unwrap_or(&ReportKind::Daily)));
    // d opens the DSR calculator: it takes the keys (digits are text, not panes).
    keys(&mut app, "ld");
    let out = keys(&mut app, "4");
    assert!(out.is_empty());
    assert_eq!(app.focus, PaneId::Reports, "4 went into the calculator");
    keys(&mut app, "<Esc>");
    keys(&mut app, "1");
    assert_eq!(app.focus, PaneId::Queue);
}

#[test]
fn the_after_sales_list_keys() {
    let mut app = app();
    let out = keys(&mut app, "2a");
    assert!(loads(&out).iter().any(|q| matches!(q, Query::Cases(CaseScope::All))), "a shows every open case: {out:?}");
    let out = keys(&mut app, "/");
    assert!(out.is_empty() && app.message.as_ref().is_some_and(|(m, _)| m.contains("a 切换")), "{:?}", app.message);
}

#[test]
fn the_reply_forms_list_the_groups_that_fit_what_is_typed() {
    let mut app = app_with_a_reply();
    let doc = |id: &str, group: &str| crate::search::ReplyDoc {
        id: id.into(),
        code: id.into(),
        text: "亲".into(),
        group: group.into(),
        uses: 0,
        mine: 0,
    };
    let docs = vec![doc("r1", "售后处理"), doc("r2", "售后处理"), doc("r3", "售前"), doc("r4", "物流 SF")];
    app.update(Msg::Loaded { query: Query::ReplyDocs, data: Ok(Data::ReplyDocs(docs)) });
    keys(&mut app, "3a<Tab><Tab>");
    let group = |app: &App| app.replies.form_preview().last().cloned().unwrap_or_default();
    // The new reply starts in the selected reply's group (售后), which does not exist.
    assert_eq!(group(&app), "分组:「售后」是新分组;相近的已有分组:售后处理(2)");
    keys(&mut app, "处理");
    assert_eq!(group(&app), "分组:售后处理(已有 2 条)");
    // Fuzzy and ASCII case-blind: `sf` finds 物流 SF.
    let mut app = app_with_a_reply();
    app.update(Msg::Loaded {
        query: Query::ReplyDocs,
        data: Ok(Data::ReplyDocs(vec![doc("r3", "售前"), doc("r4", "物流 SF")])),
    });
    keys(&mut app, "3e<Tab><Tab>");
    for _ in 0..2 {
        app.update(Msg::Key(KeyEvent::from(KeyCode::Backspace)));
    }
    keys(&mut app, "sf");
    assert_eq!(group(&app), "分组:「sf」是新分组;相近的已有分组:物流 SF(1)");
    // A reply saved elsewhere moves its group's count.
    let row = doc("r5", "物流 SF");
    app.update(Msg::Loaded {
        query: Query::Replies(vec!["r5".into(), "r3".into()]),
        data: Ok(Data::Replies(vec![("r5".into(), Some(row)), ("r3".into(), None)])),
    });
    for _ in 0..2 {
        app.update(Msg::Key(KeyEvent::from(KeyCode::Backspace)));
    }
    assert_eq!(group(&app), "已有分组:物流 SF(2)", "售前 had one reply, now deleted");
}
