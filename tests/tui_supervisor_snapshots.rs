//! ④ log, ⑤ reports (with both charts) and the DSR form at 120×40 and 80×24.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

mod tui_support;

use tui_support::*;

fn snap(name: &str, app: &kefu::tui::app::App) {
    for (w, h) in [(120, 40), (80, 24)] {
        let text = screen(app, w, h);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control character on screen {name}");
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn supervisor_screens() {
    let mut app = app();
    keys(&mut app, "4");
    snap("log", &app);
    keys(&mut app, "/退款");
    snap("log_filtered", &app);
    keys(&mut app, "<Esc>5");
    snap("reports_daily", &app);
    keys(&mut app, "l");
    snap("reports_refunds", &app);
    keys(&mut app, "d5:80,4:10,3:10");
    snap("dsr_form", &app);
}
