//! Every screen at 120×40 and 80×24, as text, against committed insta snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use tui_support::*;

fn snap(name: &str, app: &kefu::tui::Runtime) {
    for (w, h) in [(120, 40), (80, 24)] {
        let text = screen(app, w, h);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control character on screen {name}");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn every_screen() {
    let mut app = app();
    snap("queue", &app);
    keys(&mut app, "?");
    snap("help", &app);
    keys(&mut app, "<Esc>/2606260004<Enter>");
    snap("queue_search", &app);
    keys(&mut app, "<Enter>");
    snap("order_detail", &app);
    keys(&mut app, "s");
    snap("flag_picker", &app);
    keys(&mut app, "<Esc>m851<Tab>更改地址");
    snap("memo_form", &app);
    keys(&mut app, "<Esc>r");
    snap("refund_form", &app);
    keys(&mut app, "<Esc>x");
    snap("exchange_form", &app);
    keys(&mut app, "<Esc>b");
    snap("bad_review_form", &app);
    keys(&mut app, "<Esc>d2026-06-26<Tab>杭州<Tab><Tab><Tab><Tab><Tab>843");
    snap("damage_form", &app);
    keys(&mut app, "<Esc><Esc>2");
    snap("aftersales_order", &app);
    keys(&mut app, "a");
    snap("aftersales_all", &app);
    keys(&mut app, "a<Enter>");
    snap("case_view_refund", &app);
    keys(&mut app, "<Enter>");
    snap("confirm_agree", &app);
    keys(&mut app, "n<Esc>w");
    snap("postage", &app);
    keys(&mut app, "<Esc>j<Enter>");
    snap("case_view_exchange", &app);
    keys(&mut app, "e");
    snap("registration_form", &app);
    keys(&mut app, "<Esc>c");
    snap("contact_form", &app);
    keys(&mut app, "<Esc><Esc>3/yfx");
    snap("replies_search", &app);
    keys(&mut app, "<Esc>a");
    snap("reply_form", &app);
    let mut small = String::new();
    for (w, h) in [(39, 12), (60, 9)] {
        small.push_str(&screen(&app, w, h));
    }
    insta::assert_snapshot!("too_small", small);
}
