//! Shared fixture for the TUI tests: a small shop in an in-memory store, an App on it
//! with a pinned clock, and helpers to type keys and read the screen.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use kefu::domain::case::{BadReviewDetail, CaseDetail, ExchangeDetail, Registration, ReviewLevel};
use kefu::domain::clock::Clock;
use kefu::domain::event::{Actor, EventBody, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::store::Store;
use kefu::tui::app::App;
use kefu::tui::counts::CountsSource;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub const NOW: &str = "2026-06-28 10:00:00";

pub fn t(s: &str) -> NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

pub fn order(no: &str, buyer: &str, status: OrderStatus, paid: &str, title: &str) -> OrderRecord {
    OrderRecord {
        order_no: no.into(),
        buyer: buyer.into(),
        receiver_name: "王芳".into(),
        receiver_phone: "13812341234".into(),
        receiver_address: "浙江省 杭州市 西湖区 文三路 90 号".into(),
        status: status.into(),
        amount_fen: 8800,
        postage_fen: 0,
        paid_at: Some(t(paid)),
        created_at: Some(t(paid)),
        title: title.into(),
        courier: if status == OrderStatus::WaitBuyerConfirmGoods { "申通".into() } else { String::new() },
        tracking_no: if status == OrderStatus::WaitBuyerConfirmGoods { "888090781867".into() } else { String::new() },
        buyer_message: if no.ends_with('1') { "请发顺丰,谢谢".into() } else { String::new() },
        items: vec![OrderItem {
            title: title.into(),
            sku: "109".into(),
            color: "黑色".into(),
            size: "M".into(),
            qty: 1,
            price_fen: 8800,
        }],
        ..Default::default()
    }
}

/// A small shop: orders in every urgency, a hostile nick, a refund, an exchange, a bad
/// review and the built-in replies.
pub fn store() -> Store {
    let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
    fill(&mut s);
    s
}

/// Fills a store (in memory or a file) with the fixture shop.
pub fn fill(s: &mut Store) {
    s.set_clock(Clock::fixed(t(NOW)));
    s.record(EventBody::OrdersUpserted {
        source: "test".into(),
        orders: vec![
            order(
                "2606280001",
                "小王2026",
                OrderStatus::WaitSellerSendGoods,
                "2026-06-28 09:00:00",
                "2026秋冬新款连帽卫衣 加绒加厚",
            ),
            order("2606270002", "tb_abc123", OrderStatus::WaitSellerSendGoods, "2026-06-27 17:00:00", "纯棉T恤 white"),
            order(
                "2606260003",
                "\x1b]0;x\x07\x1b[2J坏人",
                OrderStatus::WaitSellerSendGoods,
                "2026-06-26 18:00:00",
                "牛仔裤 直筒",
            ),
            order(
                "2606260004",
                "李雷",
                OrderStatus::WaitBuyerConfirmGoods,
                "2026-06-26 10:00:00",
                "针织开衫 米白色 宽松",
            ),
            order("2606200005", "韩梅梅", OrderStatus::TradeFinished, "2026-06-20 10:00:00", "羽绒服 长款"),
            order("2606280006", "buyer_6", OrderStatus::WaitBuyerPay, "2026-06-28 09:30:00", "袜子 五双装"),
        ],
    })
    .unwrap();
    s.add_memo_line("2606270002", "", "缺货,等待补货", "已告知买家").unwrap();
    s.set_flag("2606270002", Flag::Yellow).unwrap();
    s.refund_new(RefundRecord {
        refund_no: "R1".into(),
        order_no: "2606260004".into(),
        amount_fen: 8800,
        reason: "尺码不合适".into(),
        needs_return: true,
        deadline: Some(t("2026-07-01 10:00:00")),
        ..Default::default()
    })
    .unwrap();
    s.open_case(
        "2606200005",
        CaseDetail::BadReview(BadReviewDetail {
            level: ReviewLevel::Negative,
            review_text: "衣服有线头,客服回复慢".into(),
            review_date: Some(t("2026-06-27 00:00:00").date()),
            buyer_wants: "想要补偿".into(),
            remedy: String::new(),
        }),
        Registration { source: "评价".into(), ..Default::default() },
    )
    .unwrap();
    s.open_case(
        "2606260004",
        CaseDetail::Exchange(ExchangeDetail {
            reason: "尺码偏小".into(), want: "L 码".into(), ..Default::default()
        }),
        Registration::default(),
    )
    .unwrap();
    let csv = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/replies.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        s.reply_save(None, &rec[0], &rec[1], &rec[2]).unwrap();
    }
}

pub fn app() -> App {
    app_with(store())
}

pub fn app_with(store: Store) -> App {
    let now = t(NOW);
    let mut app = App::new(store, Box::new(move || now), CountsSource::Inline).unwrap();
    app.settle();
    app
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Types keys: plain text, with `<Enter>`, `<Esc>`, `<Tab>`, `<BackTab>`, `<Down>`, `<Up>`,
/// `<PgDn>`, `<PgUp>`, `<Right>`, `<Left>`, `<Backspace>`, `<C-q>`, `<C-u>` spelled out.
pub fn keys(app: &mut App, script: &str) {
    let mut rest = script;
    while !rest.is_empty() {
        if rest.starts_with('<')
            && let Some(end) = rest.find('>')
        {
            {
                let name = &rest[1..end];
                let k = match name {
                    "Enter" => Some(key(KeyCode::Enter)),
                    "Esc" => Some(key(KeyCode::Esc)),
                    "Tab" => Some(key(KeyCode::Tab)),
                    "BackTab" => Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
                    "Down" => Some(key(KeyCode::Down)),
                    "Up" => Some(key(KeyCode::Up)),
                    "PgDn" => Some(key(KeyCode::PageDown)),
                    "PgUp" => Some(key(KeyCode::PageUp)),
                    "Right" => Some(key(KeyCode::Right)),
                    "Left" => Some(key(KeyCode::Left)),
                    "Backspace" => Some(key(KeyCode::Backspace)),
                    "C-q" => Some(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)),
                    "C-u" => Some(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
                    _ => None,
                };
                if let Some(k) = k {
                    app.handle_key(k);
                    if app.search_pending() {
                        app.settle();
                    }
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap();
        app.handle_key(key(KeyCode::Char(c)));
        if app.search_pending() {
            app.settle();
        }
        rest = &rest[c.len_utf8()..];
    }
}

/// The screen as text (wide characters' trailing cells skipped), one line per row.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| kefu::tui::ui::draw(f, app)).unwrap();
    buffer_text(term.backend().buffer())
}

pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = kefu::domain::width::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
