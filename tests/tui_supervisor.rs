//! The supervisors' views: ④ log (filter as you type, paging), ⑤ reports (switch
//! report and day), the DSR form, and render-without-panic at every size.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use kefu::tui::action::{PaneId, ReportKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::*;

#[test]
fn log_filter_narrows_rows_and_q_in_the_filter_is_text() {
    let mut app = app();
    keys(&mut app, "4");
    assert_eq!(app.focus, PaneId::Log);
    let all = app.log.rows().len();
    assert!(all >= 5, "the fixture's events: {all}");
    // Newest first.
    let times: Vec<String> = app.log.rows().iter().map(|e| e.at.clone()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    keys(&mut app, "/2606260004");
    let rows = app.log.rows();
    assert!(!rows.is_empty() && rows.len() < all, "{} of {all}", rows.len());
    assert!(rows.iter().all(|e| e.order_no.as_deref() == Some("2606260004")));
    // `q` is text in the filter box: no quit, and nothing matches "…q".
    keys(&mut app, "q");
    assert!(!app.should_quit && !app.quit_ask);
    assert_eq!(app.log.input.value(), "2606260004q");
    assert!(app.log.rows().is_empty());
    keys(&mut app, "<Backspace> 退款");
    assert!(app.log.rows().iter().all(|e| e.line.contains("退款") || e.kind.contains("退款")));
    assert!(!app.log.rows().is_empty());
    // Esc clears the filter and the box; then `q` quits.
    keys(&mut app, "<Esc>");
    assert_eq!(app.log.rows().len(), app.log.loaded());
    assert!(app.log.rows().len() >= all);
    keys(&mut app, "q");
    assert!(app.should_quit);
}

#[test]
fn log_reads_pages_as_you_scroll() {
    let mut s = store();
    for i in 0..250 {
        s.add_memo_line("2606280001", "", &format!("第{i}次联系"), "已处理").unwrap();
    }
    let mut app = app_with(s);
    keys(&mut app, "4");
    let first = app.log.loaded();
    assert!(first <= 200, "never everything at once: {first}");
    assert!(!app.log.end);
    keys(&mut app, "GGGG");
    assert!(app.log.end, "scrolling reads on to the end");
    assert!(app.log.loaded() > 250);
    // A filter that matches only old rows reads on until it finds them.
    keys(&mut app, "r/第3次");
    assert!(app.log.rows().iter().any(|e| e.line.contains("第3次联系")));
}

#[test]
fn tab_cycles_through_all_five() {
    let mut app = app();
    let mut seen = vec![app.focus];
    for _ in 0..5 {
        keys(&mut app, "<Tab>");
        seen.push(app.focus);
    }
    assert_eq!(seen, [PaneId::Queue, PaneId::AfterSales, PaneId::Replies, PaneId::Log, PaneId::Reports, PaneId::Queue]);
}

#[test]
fn reports_view_switches_report_and_day() {
    let mut app = app();
    keys(&mut app, "5");
    assert_eq!(app.focus, PaneId::Reports);
    let (req, r) = app.reports.report.clone().expect("built inline in tests");
    assert_eq!(req.kind, ReportKind::Daily);
    assert_eq!(req.date.to_string(), "2026-06-28");
    assert_eq!(r.kind, "daily");
    keys(&mut app, "[");
    let (req, r) = app.reports.report.clone().unwrap();
    assert_eq!(req.date.to_string(), "2026-06-27");
    assert!(r.params.iter().any(|(_, v)| v.contains("2026-06-27")), "{:?}", r.params);
    keys(&mut app, "]");
    assert_eq!(app.reports.report.as_ref().unwrap().0.date.to_string(), "2026-06-28");
    keys(&mut app, "l");
    let (req, r) = app.reports.report.clone().unwrap();
    assert_eq!(req.kind, ReportKind::Refunds7);
    assert_eq!(r.kind, "refunds");
    assert!(r.section("按日").is_some() && r.section("按原因").is_some());
    keys(&mut app, "lllll");
    assert_eq!(app.reports.report.as_ref().unwrap().0.kind, ReportKind::Daily);
    keys(&mut app, "h");
    assert_eq!(app.reports.report.as_ref().unwrap().1.kind, "agents");
    assert!(app.reports.pending.is_none());
}

#[test]
fn dsr_form_computes_and_refuses_target_5() {
    let mut app = app();
    keys(&mut app, "5d");
    assert!(app.reports.dsr.is_some());
    keys(&mut app, "5:80,4:10,3:10");
    let res = app.reports.dsr.as_ref().unwrap().results().join("\n");
    assert!(res.contains("4.7000"), "{res}");
    assert!(res.contains("还需 50 个五星达到 4.800"), "{res}");
    // Target field: 5 is refused with a clear message.
    keys(&mut app, "<Tab><Tab><Tab><C-u>5");
    let form = &app.reports.dsr.as_ref().unwrap().form;
    assert!(form.error.as_deref().unwrap_or("").contains("必须低于 5.0"), "{:?}", form.error);
    // q is text here, not quit.
    keys(&mut app, "q");
    assert!(!app.should_quit);
    keys(&mut app, "<Backspace><Backspace>4.5<Tab>");
    let res = app.reports.dsr.as_ref().unwrap().results().join("\n");
    assert!(res.contains("已达到 4.500"), "{res}");
    keys(&mut app, "<C-u>5:-1");
    let form = &app.reports.dsr.as_ref().unwrap().form;
    assert!(form.error.as_deref().unwrap_or("").contains("负数"), "{:?}", form.error);
    keys(&mut app, "<Esc>");
    assert!(app.reports.dsr.is_none());
}

#[test]
fn supervisor_views_render_at_every_size() {
    let mut app = app();
    for s in ["4", "/退款", "<Enter>5", "l", "d5:80,4:10,3:10"] {
        keys(&mut app, s);
        for w in 1..=130 {
            for h in 1..=45 {
                let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
                term.draw(|f| kefu::tui::ui::draw(f, &app)).unwrap();
            }
        }
    }
}

#[test]
fn resolving_a_conflict_records_conflict_resolved() {
    use kefu::domain::event::{Actor, Event, RefundRecord};
    use kefu::store::Store;
    // Seat 1 (the fixture) holds R1; seat 3 records R1 again for another amount.
    let mut a = store();
    // Seat 3 has only the orders (the first event), not seat 1's R1.
    let base: Vec<Event> = a.events_after_rowid(0, 1).unwrap().into_iter().map(|(_, e)| e).collect();
    let mut c = Store::open_in_memory(Actor::new("阿杰", "seat-3")).unwrap();
    // Seat 3 acted a minute before the fixture's now (seat 1's clock).
    c.set_clock(kefu::domain::clock::Clock::fixed(t(NOW) - chrono::Duration::minutes(1)));
    c.write(|w| base.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    c.refund_new(RefundRecord {
        refund_no: "R1".into(),
        order_no: "2606260004".into(),
        amount_fen: 100,
        reason: "尺码不合适".into(),
        needs_return: true,
        ..Default::default()
    })
    .unwrap();
    let claim: Vec<Event> = c.events_after_rowid(1, 10).unwrap().into_iter().map(|(_, e)| e).collect();
    assert_eq!(claim.len(), 1);
    a.write(|w| claim.iter().try_for_each(|e| w.ingest(e).map(|_| ()))).unwrap();
    let conflicts = a.conflicts(Some("R1")).unwrap();
    assert_eq!(conflicts.len(), 1);
    let mut app = app_with(a);
    keys(&mut app, "2a");
    let listed = screen(&app, 120, 40);
    assert!(listed.contains('⚠'), "the case list marks the conflict:\n{listed}");
    // Open R1's case view, resolve: one char is refused, two are recorded.
    keys(&mut app, "<Enter>");
    assert!(screen(&app, 120, 40).contains("未处理"));
    keys(&mut app, "R");
    keys(&mut app, "好<Enter>");
    assert!(app.store.conflicts(Some("R1")).unwrap().iter().all(|c| !c.resolved), "1 char refused");
    keys(&mut app, "已电话确认按 88 元退款<Enter>");
    assert!(app.store.conflicts(Some("R1")).unwrap().iter().all(|c| c.resolved));
    let last = app.store.log_page(&Default::default(), None, 1).unwrap();
    assert_eq!(last[0].kind, "conflict_resolved");
    assert!(screen(&app, 120, 40).contains("已处理"));
}
