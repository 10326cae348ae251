//! Importing real exports: the seller centre's order and refund exports and Qianniu's
//! quick phrases, from the fixture files in tests/fixtures (made by make_fixtures.py).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::fs::File;
use std::io::{BufWriter, Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use kefu::domain::event::Actor;
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, GoodsStatus, Phase, RefundAction, RefundState};
use kefu::import::encoding::TextEncoding;
use kefu::import::{ImportError, Summary, apply};
use kefu::store::Store;

mod import_support;
use import_support::{fixture, open, store};

fn t(s: &str) -> NaiveDateTime {
    kefu::domain::timefmt::parse_datetime(s).unwrap()
}

fn import_list(s: &mut Store, name: &str) -> Summary {
    apply::import_orders(s, open(name), name, None::<File>).unwrap()
}

fn import_bytes(s: &mut Store, bytes: &[u8]) -> Result<Summary, ImportError> {
    apply::import_orders(s, Cursor::new(bytes.to_vec()), "test.csv", None::<Cursor<Vec<u8>>>)
}

fn record(s: &Store, no: &str) -> OrderRecord {
    s.platform_record(no).unwrap().unwrap_or_else(|| panic!("order {no} not imported"))
}

/// Event count and projection digest: "the database as it was".
fn state(s: &Store) -> (i64, String) {
    (s.event_count().unwrap(), s.projection_digest().unwrap())
}

fn counts(sum: &Summary) -> (u64, u64, u64, u64) {
    (sum.new, sum.updated, sum.unchanged, sum.rejected.count)
}

// ---------------------------------------------------------------- order list

#[test]
fn gbk_41_column_export_gives_every_field() {
    let mut s = store();
    let sum = import_list(&mut s, "ExportOrderList_gbk41.csv");
    assert_eq!(counts(&sum), (6, 0, 0, 0), "{:?}", sum.rejected);
    assert_eq!(sum.encoding, Some(TextEncoding::Gb18030));
    assert_eq!(sum.columns, 41);
    assert_eq!(sum.events, 1);

    // ="…" number, ' phone, slash dates, full-width comma, 元, commas and quotes in quoted fields
    assert_eq!(
        record(&s, "4021865531002746618"),
        OrderRecord {
            order_no: "4021865531002746618".into(),
            buyer: "tb小王2016".into(),
            buyer_alipay: "wang***@163.com".into(),
            receiver_name: "王芳".into(),
            receiver_phone: "13812341234".into(),
            receiver_address: "浙江省 杭州市 西湖区 文三路90号,东部软件园3号楼\"创新中心\"(310012)".into(),
            status: OrderStatus::WaitSellerSendGoods.into(),
            status_text: "买家已付款，等待卖家发货".into(),
            parent_no: String::new(),
            amount_fen: 17600,
            postage_fen: 0,
            created_at: Some(t("2026-06-28 09:58:00")),
            paid_at: Some(t("2026-06-28 10:02:00")),
            shipped_at: None,
            buyer_message: "请发顺丰,谢谢!\n周末家里没人".into(),
            platform_memo: String::new(),
            platform_flag: None,
            courier: String::new(),
            tracking_no: String::new(),
            shop_name: "19shop潮流女装".into(),
            title: "2026秋冬新款,加绒\"连帽\"卫衣 男女同款".into(),
            items: vec![],
            refund_fen: 0,
            close_reason: String::new(),
        }
    );
    // a multi-line address, dash dates with seconds, ASCII comma, postage with 元
    assert_eq!(
        record(&s, "4021865531002746619"),
        OrderRecord {
            order_no: "4021865531002746619".into(),
            buyer: "快乐的小兔子".into(),
            buyer_alipay: "138****5678".into(),
            receiver_name: "李娜".into(),
            receiver_phone: "15900001111".into(),
            receiver_address: "北京 北京市 朝阳区 望京街道 阜通东大街6号 方恒国际中心A座1203(100102)".into(),
            status: OrderStatus::WaitBuyerConfirmGoods.into(),
            status_text: "卖家已发货,等待买家确认收货".into(),
            parent_no: String::new(),
            amount_fen: 25950,
            postage_fen: 1000,
            created_at: Some(t("2026-06-27 21:15:33")),
            paid_at: Some(t("2026-06-27 21:16:02")),
            shipped_at: None,
            buyer_message: String::new(),
            platform_memo: "6-28联系工号851更改地址,已更改 宾".into(),
            platform_flag: None,
            courier: "圆通速递".into(),
            tracking_no: "888090781867".into(),
            shop_name: "19shop潮流女装".into(),
            title: "真皮托特包 大容量通勤单肩包".into(),
            items: vec![],
            refund_fen: 0,
            close_reason: String::new(),
        }
    );
    // 联系手机 empty → 联系电话; "No:" before the tracking number
    let c = record(&s, "4021865531002746620");
    assert_eq!(c.receiver_phone, "0571-88886666");
    assert_eq!((c.tracking_no.as_str(), c.courier.as_str()), ("3101234567890", "申通快递"));
    assert_eq!(c.status.0, OrderStatus::TradeFinished);
    // closed before payment, with a reason
    let d = record(&s, "4021865531002746621");
    assert_eq!(
        (d.status.0, d.close_reason.as_str(), d.paid_at, d.amount_fen),
        (OrderStatus::TradeClosed, "买家不想买了", None, 0)
    );
    // a leading tab before the order number
    assert_eq!(record(&s, "4021865531002746622").status.0, OrderStatus::WaitBuyerPay);
    // 修改后的收货地址 wins over the original
    assert_eq!(record(&s, "4021865531002746623").receiver_address, "四川省 成都市 高新区 天府大道北段1700号(610041)");
    // the queue sees them: paid-unshipped orders have a ship-by time
    assert!(s.queue_row("4021865531002746618").unwrap().unwrap().ship_by.is_some());
}

#[test]
fn utf8_bom_61_columns_with_the_detail_file() {
    let mut s = store();
    let sum = apply::import_orders(
        &mut s,
        open("ExportOrderList_bom61.csv"),
        "ExportOrderList_bom61.csv",
        Some(open("ExportOrderDetailList_bom61.csv")),
    )
    .unwrap();
    assert_eq!(counts(&sum), (3, 0, 0, 0));
    assert_eq!((sum.encoding, sum.columns), (Some(TextEncoding::Utf8Bom), 61));
    // the detail row whose order is not in the list, by its line
    assert_eq!(sum.detail_rejected.lines(), [5]);
    assert!(sum.detail_rejected.kept[0].reason.contains("4021865531002747999"));

    let a = record(&s, "4021865531002747001");
    assert_eq!(
        a.items,
        vec![
            OrderItem {
                title: "加绒连帽卫衣 男女同款".into(),
                sku: "WY109".into(),
                color: "黑色".into(),
                size: "M".into(),
                qty: 2,
                price_fen: 8800,
            },
            OrderItem {
                title: "真皮斜挎包,\"小方包\"".into(),
                sku: "BAG-2201".into(), // 外部系统编号 empty → 商家编码
                color: "焦糖色".into(),
                size: "小号".into(),
                qty: 1,
                price_fen: 2100,
            },
        ]
    );
    assert_eq!(a.shipped_at, Some(t("2026-06-30 16:20:11")));
    assert_eq!(a.tracking_no, "YT7788990011");
    assert_eq!(a.status.0, OrderStatus::WaitBuyerConfirmGoods);
    assert_eq!(a.platform_memo, "红旗:同一买家两单,合并发");
    let b = record(&s, "4021865531002747002");
    assert_eq!((b.refund_fen, b.amount_fen, b.close_reason.as_str()), (12900, 12900, "退款"));
    assert_eq!(b.items.len(), 1);
    assert_eq!(b.items[0].sku, "KZ-330");
    let c = record(&s, "4021865531002747003");
    assert_eq!((c.postage_fen, c.amount_fen, c.items.len()), (800, 6700, 0));
}

#[test]
fn importing_the_same_file_again_writes_nothing() {
    let mut s = store();
    import_list(&mut s, "ExportOrderList_gbk41.csv");
    apply::import_orders(&mut s, open("ExportOrderList_bom61.csv"), "x", Some(open("ExportOrderDetailList_bom61.csv")))
        .unwrap();
    let before = state(&s);
    let again = import_list(&mut s, "ExportOrderList_gbk41.csv");
    assert_eq!(counts(&again), (0, 0, 6, 0));
    assert_eq!(again.events, 0);
    let again = apply::import_orders(
        &mut s,
        open("ExportOrderList_bom61.csv"),
        "x",
        Some(open("ExportOrderDetailList_bom61.csv")),
    )
    .unwrap();
    assert_eq!(counts(&again), (0, 0, 3, 0));
    // the list alone keeps the items the detail file gave
    let alone = apply::import_orders(&mut s, open("ExportOrderList_bom61.csv"), "x", None::<File>).unwrap();
    assert_eq!(counts(&alone), (0, 0, 3, 0));
    assert_eq!(state(&s), before);
    assert_eq!(record(&s, "4021865531002747001").items.len(), 2);
}

#[test]
fn a_newer_export_updates_platform_fields_and_keeps_local_work() {
    let mut s = store();
    import_list(&mut s, "ExportOrderList_gbk41.csv");
    let no = "4021865531002746618";
    s.add_memo(no, "6-28联系工号851更改地址,已更改 宾", kefu::domain::event::MemoKind::Tracking).unwrap();
    s.set_flag(no, Flag::Red).unwrap();

    // The next day's export: shipped, with a tracking number; the rest the same.
    let text =
        encoding_rs::GB18030.decode(&std::fs::read(fixture("ExportOrderList_gbk41.csv")).unwrap()).0.into_owned();
    let newer = text.replacen("买家已付款，等待卖家发货,\"请发顺丰", "卖家已发货，等待买家确认收货,\"请发顺丰", 1);
    let newer = newer.replacen("卫衣 男女同款\",2,,,,2,", "卫衣 男女同款\",2,=\"SF1000200030\",顺丰速运,,2,", 1);
    assert_ne!(newer, text);
    let sum = import_bytes(&mut s, &encoding_rs::GB18030.encode(&newer).0).unwrap();
    assert_eq!(counts(&sum), (0, 1, 5, 0));

    let r = record(&s, no);
    assert_eq!(r.status.0, OrderStatus::WaitBuyerConfirmGoods);
    assert_eq!((r.tracking_no.as_str(), r.courier.as_str()), ("SF1000200030", "顺丰速运"));
    let d = s.order_detail(no).unwrap().unwrap();
    assert_eq!(d.flag, Flag::Red, "the seat's flag survives");
    assert_eq!(d.memos.len(), 1, "the seat's memo survives");
    assert_eq!(d.memos[0].text, "6-28联系工号851更改地址,已更改 宾");
    // and the log can rebuild exactly this
    let digest = s.projection_digest().unwrap();
    s.rebuild().unwrap();
    assert_eq!(s.projection_digest().unwrap(), digest);
}

#[test]
fn bad_rows_are_reported_by_line_and_good_rows_import() {
    let mut s = store();
    let sum = import_list(&mut s, "ExportOrderList_malformed.csv");
    assert_eq!(counts(&sum), (4, 0, 0, 5));
    assert_eq!(sum.rejected.lines(), [6, 7, 8, 9, 12]);
    let reasons: Vec<&str> = sum.rejected.kept.iter().map(|e| e.reason.as_str()).collect();
    assert!(reasons[0].contains("买家实际支付金额") && reasons[0].contains("八十八"), "{}", reasons[0]);
    assert!(reasons[1].contains("订单创建时间「2026-13-45 10:00」不是日期"), "{}", reasons[1]);
    assert!(reasons[2].contains("订单编号为空"), "{}", reasons[2]);
    assert_eq!(reasons[3], "订单编号 5001 与第 2 行重复");
    assert!(reasons[4].contains("只有 9 列"), "{}", reasons[4]);
    // a status text kefu does not know keeps its row, and is listed
    let unknown = record(&s, "5002");
    assert_eq!((unknown.status.0, unknown.status_text.as_str()), (OrderStatus::Unknown, "发货中吧"));
    assert_eq!(sum.unknown.entries(), [("订单状态", "发货中吧", 1)]);
    for no in ["5001", "5002", "5003", "5006"] {
        assert!(s.platform_record(no).unwrap().is_some(), "{no}");
    }
    assert_eq!(record(&s, "5003").receiver_address, "上海市 浦东新区 张江路1号");
    assert_eq!(record(&s, "5006").amount_fen, 550);
    assert_eq!(record(&s, "5001").buyer, "好买家一", "the first of two rows with one number wins");
    assert_eq!(s.order_count().unwrap(), 4);
}

/// An unknown 订单状态 never drops its row, and never hides a paid, unshipped order: the
/// queue reads the pay time, ship time and tracking number when the status says nothing.
#[test]
fn unknown_status_texts_keep_their_rows_and_their_place_in_the_queue() {
    let mut s = store();
    let csv = "订单编号,买家会员名,订单状态,订单付款时间,物流单号,发货时间\n\
               801,a,买家已付款，等待卖家备货,2026-06-28 10:00:00,,\n\
               802,b,卖家已揽收,2026-06-28 10:00:00,SF123,\n\
               803,c,待审核,,,\n\
               804,d,买家已付款，等待卖家备货,2026-06-28 11:00:00,,2026-06-28 18:00:00\n\
               805,e,卖家已发货，等待买家确认,2026-06-28 11:00:00,SF124,\n";
    let sum = import_bytes(&mut s, csv.as_bytes()).unwrap();
    assert_eq!(counts(&sum), (5, 0, 0, 0));
    assert_eq!(
        sum.unknown.entries(),
        [("订单状态", "买家已付款，等待卖家备货", 2), ("订单状态", "卖家已揽收", 1), ("订单状态", "待审核", 1)]
    );
    let row = |no: &str| s.queue_row(no).unwrap().unwrap();
    assert_eq!(
        (row("801").status, row("801").status_text.as_str()),
        (Some(OrderStatus::Unknown), "买家已付款，等待卖家备货")
    );
    assert!(row("801").ship_by.is_some(), "paid, no tracking: awaits shipment");
    assert!(row("802").ship_by.is_none() && row("804").ship_by.is_none(), "tracking or a ship time: shipped");
    assert_eq!(row("805").status, Some(OrderStatus::WaitBuyerConfirmGoods));
    let now = t("2026-06-30 09:00:00");
    let to_ship: Vec<String> = s
        .queue_page(kefu::store::orders::QueueView::ToShip, now, None, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.order_no)
        .collect();
    assert_eq!(to_ship, ["801"]);
    let unknown: Vec<String> = s
        .queue_page(kefu::store::orders::QueueView::Status(OrderStatus::Unknown), now, None, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.order_no)
        .collect();
    assert_eq!(unknown, ["801", "803", "802", "804"], "most urgent first");
    // the same file again changes nothing
    let before = state(&s);
    let again = import_bytes(&mut s, csv.as_bytes()).unwrap();
    assert_eq!(counts(&again), (0, 0, 5, 0));
    assert_eq!(state(&s), before);
}

#[test]
fn files_that_are_not_order_exports_are_refused_and_write_nothing() {
    let mut s = store();
    import_list(&mut s, "ExportOrderList_gbk41.csv");
    let before = state(&s);
    let refuse = |s: &mut Store, name: &str| -> String {
        match apply::import_orders(s, open(name), name, None::<File>) {
            Err(ImportError::Refused(m)) => m,
            other => panic!("{name}: expected a refusal, got {other:?}"),
        }
    };
    let m = refuse(&mut s, "ExportRefundList_gbk.csv");
    assert!(m.starts_with("这不是订单导出文件"), "{m}");
    assert!(m.contains("退款编号") && m.contains("import-refunds"), "{m}");
    let m = refuse(&mut s, "random.csv");
    assert!(m.contains("缺少表头 订单编号(或 主订单编号)") && m.contains("姓名, 年龄, 城市"), "{m}");
    assert!(refuse(&mut s, "empty.csv").contains("空"));
    let m = refuse(&mut s, "binary.png");
    assert!(m.contains("不是文本文件"), "{m}");
    // the detail file given as the list, and a wrong second file
    let m = refuse(&mut s, "ExportOrderDetailList_bom61.csv");
    assert!(m.contains("明细"), "{m}");
    let err =
        apply::import_orders(&mut s, open("ExportOrderList_bom61.csv"), "x", Some(open("random.csv"))).unwrap_err();
    assert!(err.to_string().contains("订单明细文件"), "{err}");
    assert!(matches!(err, ImportError::Detail(_)), "the error is the detail file's: {err:?}");
    assert_eq!(state(&s), before);
}

#[test]
fn events_carry_at_most_2000_orders_all_in_one_transaction() {
    let mut s = store();
    let mut buf = Vec::new();
    write_export(&mut buf, 4500, 0).unwrap();
    let sum = import_bytes(&mut s, &buf).unwrap();
    assert_eq!(counts(&sum), (4500, 0, 0, 0));
    assert_eq!(sum.events, 3);
    let sizes: Vec<usize> = s
        .conn()
        .prepare("SELECT payload FROM events WHERE kind = 'orders_upserted' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| serde_json::from_str::<serde_json::Value>(&p.unwrap()).unwrap()["orders"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [2000, 2000, 500]);
    let src: String =
        s.conn().query_row("SELECT json_extract(payload, '$.source') FROM events LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(src, "test.csv");
    // a second run that changes 3 orders writes one event with those 3
    let mut buf2 = Vec::new();
    write_export(&mut buf2, 4500, 3).unwrap();
    let sum = import_bytes(&mut s, &buf2).unwrap();
    assert_eq!((counts(&sum), sum.events), ((0, 3, 4497, 0), 1));
}

/// A file that fails once more has been read from it than its length and `extra`
/// more: the encoding check reads it whole, so the failure comes while its rows are
/// read, as a disk or a network share may fail.
struct FailsWhileRead {
    inner: Cursor<Vec<u8>>,
    delivered: u64,
    fail_after: u64,
}

impl FailsWhileRead {
    fn new(bytes: Vec<u8>, extra: u64) -> FailsWhileRead {
        let fail_after = bytes.len() as u64 + extra;
        FailsWhileRead { inner: Cursor::new(bytes), delivered: 0, fail_after }
    }
}

impl std::io::Read for FailsWhileRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.delivered >= self.fail_after {
            return Err(std::io::Error::other("磁盘读取错误(测试)"));
        }
        let n = std::io::Read::read(&mut self.inner, buf)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for FailsWhileRead {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// The file is read on a thread of its own while the batches before are stored: a
/// read that fails after several batches went in leaves none of them, and says why.
#[test]
fn a_read_failing_after_stored_batches_leaves_nothing() {
    for populated in [false, true] {
        let mut s = store();
        if populated {
            import_list(&mut s, "ExportOrderList_gbk41.csv");
        }
        let before = state(&s);
        let mut buf = Vec::new();
        write_export(&mut buf, 20_000, 0).unwrap();
        let three_quarters = buf.len() as u64 * 3 / 4;
        let file = FailsWhileRead::new(buf, three_quarters);
        let err = apply::import_orders(&mut s, file, "test.csv", None::<Cursor<Vec<u8>>>).unwrap_err();
        assert!(err.to_string().contains("磁盘读取错误"), "{err}");
        assert_eq!(state(&s), before, "nothing of the 15,000 orders read before the failure stayed");
    }
}

/// The detail file is read on threads of its own before any order is stored: a read
/// of it that fails partway leaves nothing either.
#[test]
fn a_detail_file_failing_partway_leaves_nothing() {
    let mut s = store();
    let before = state(&s);
    let mut detail = std::fs::read(fixture("ExportOrderDetailList_bom61.csv")).unwrap();
    let (header_end, row) = {
        let text = String::from_utf8(detail.clone()).unwrap();
        let first_newline = text.find('\n').unwrap() + 1;
        let second = first_newline + text[first_newline..].find('\n').unwrap() + 1;
        (first_newline, text[first_newline..second].to_string())
    };
    // enough rows for several hand-overs between the reading threads
    let mut body = Vec::new();
    for _ in 0..20_000 {
        body.extend_from_slice(row.as_bytes());
    }
    detail.splice(header_end..header_end, body);
    // A BOM file is read once (its first 64 KiB looked at before): fail halfway through.
    let half = detail.len() as u64 / 2;
    let mut failing = FailsWhileRead::new(detail, 0);
    failing.fail_after = (1 << 16) + half;
    let err = apply::import_orders(&mut s, open("ExportOrderList_bom61.csv"), "x", Some(failing)).unwrap_err();
    assert!(err.to_string().contains("磁盘读取错误"), "{err}");
    assert_eq!(state(&s), before);
}

/// A file with a BOM is taken for UTF-8 when opened and checked as it is read: one
/// that turns to garbage after 20,000 good rows is refused, and nothing of it stays.
#[test]
fn a_bom_file_turning_to_garbage_is_refused_whole() {
    let mut s = store();
    import_list(&mut s, "ExportOrderList_gbk41.csv");
    let before = state(&s);
    let mut buf = b"\xEF\xBB\xBF".to_vec();
    write_export(&mut buf, 20_000, 0).unwrap();
    buf.extend((0..200_000u32).map(|i| [0x80u8, 0xFF, 0xA1, 0x2C, 0xFE, 0x0A][(i % 6) as usize]));
    let err = import_bytes(&mut s, &buf).unwrap_err();
    assert!(matches!(err, ImportError::Refused(_)), "{err:?}");
    let err = err.to_string();
    assert!(err.starts_with("这不是文本文件(有 BOM 但大量字节不是 UTF-8)"), "{err}");
    assert_eq!(state(&s), before);
}

// ---------------------------------------------------------------- untrusted text

#[test]
fn escape_sequences_in_a_csv_arrive_clean() {
    let mut s = store();
    let csv = "订单编号,买家会员名,订单状态,收货地址,买家留言\n\
               9001,\"\x1b]0;x\x07\x1b[2J坏人\",交易成功,\"杭州\u{202E}市\",\"第一行\x1b[31m\r\n第二行\"\n\
               9002,x,\"\x1b[2J发货中\",,\n\
               ABC,x,交易成功,,\n";
    let sum = import_bytes(&mut s, csv.as_bytes()).unwrap();
    assert_eq!(counts(&sum), (2, 0, 0, 1));
    let r = record(&s, "9001");
    assert_eq!(r.buyer, "坏人");
    assert_eq!(r.receiver_address, "杭州市");
    assert_eq!(r.buyer_message, "第一行\n第二行");
    assert_eq!(record(&s, "9002").status_text, "发货中", "an unknown status is kept, cleaned");
    let shown = sum.unknown.warning().join("\n");
    assert!(!shown.contains('\x1b') && shown.contains("订单状态「发货中」:1 行"), "{shown:?}");
    let shown = sum.rejected.kept[0].to_string();
    assert!(shown.starts_with("第 5 行:订单编号「ABC」"), "the message of line 2 spans two lines: {shown}");
}

// ---------------------------------------------------------------- refunds

#[test]
fn refund_export_opens_syncs_and_is_idempotent() {
    let mut s = store();
    import_list(&mut s, "ExportOrderList_gbk41.csv");
    let sum = apply::import_refunds(&mut s, open("ExportRefundList_gbk.csv")).unwrap();
    assert_eq!(counts(&sum), (6, 0, 0, 0));
    assert_eq!((sum.encoding, sum.columns), (Some(TextEncoding::Gb18030), 42));
    // an unknown state text is kept, not refused (the row is on line 8: the description
    // of the first refund spans two lines)
    assert_eq!(sum.unknown.count("退款状态", "退款中吧"), 1);
    assert_eq!(s.refund("20260629100006").unwrap().unwrap().state, RefundState::Unknown);

    let r1 = s.refund("20260629100001").unwrap().unwrap();
    assert_eq!(r1.order_no, "4021865531002746618");
    assert_eq!(r1.state, RefundState::WaitSellerAgree);
    assert_eq!(r1.amount_fen, 8800);
    assert!(r1.no_reason_7d && r1.needs_return && r1.shipped);
    assert_eq!(r1.reason, "七天无理由退换货");
    assert_eq!(r1.buyer_desc, "尺码偏大,\"不想要了\"\n吊牌还在");
    assert_eq!(r1.goods_status, GoodsStatus::BuyerReceived.code());
    assert_eq!(r1.phase, Phase::Aftersale.label());
    assert_eq!(r1.applied_at, Some(t("2026-06-29 10:05:00")));
    assert_eq!(r1.deadline, Some(t("2026-07-04 10:05:00")));
    assert_eq!(s.refund("20260629100002").unwrap().unwrap().state, RefundState::WaitBuyerReturnGoods);
    let r3 = s.refund("20260629100003").unwrap().unwrap();
    assert_eq!(r3.state, RefundState::WaitSellerConfirmGoods);
    assert_eq!((r3.return_tracking_no.as_str(), r3.return_courier.as_str()), ("YT1234567890", "圆通速递"));
    let r4 = s.refund("20260629100004").unwrap().unwrap();
    assert_eq!(r4.state, RefundState::Success);
    assert!(!r4.shipped && !r4.needs_return);
    let r5 = s.refund("20260629100005").unwrap().unwrap();
    assert_eq!((r5.state, r5.seller_note.as_str()), (RefundState::Closed, "买家撤销申请"));
    assert_eq!(s.queue_row("4021865531002746618").unwrap().unwrap().open_refunds, 1);

    // the same file again: nothing
    let before = state(&s);
    let again = apply::import_refunds(&mut s, open("ExportRefundList_gbk.csv")).unwrap();
    assert_eq!((counts(&again), again.events), ((0, 0, 6, 0), 0));
    assert_eq!(state(&s), before);

    // the seat acts; the same old file again must not undo it
    s.refund_act("20260629100001", RefundAction::Agree, ActionInput::default()).unwrap();
    let again = apply::import_refunds(&mut s, open("ExportRefundList_gbk.csv")).unwrap();
    assert_eq!(again.events, 0);
    assert_eq!(s.refund("20260629100001").unwrap().unwrap().state, RefundState::WaitBuyerReturnGoods);

    // a newer export with the platform's new state is synced
    let text = encoding_rs::GB18030.decode(&std::fs::read(fixture("ExportRefundList_gbk.csv")).unwrap()).0.into_owned();
    let newer = text.replacen("卖家已经同意退款,等待买家退货", "退款成功", 1);
    let sum = apply::import_refunds(&mut s, Cursor::new(newer.into_bytes())).unwrap();
    assert_eq!((counts(&sum), sum.events), ((0, 1, 5, 0), 1));
    assert_eq!(s.refund("20260629100002").unwrap().unwrap().state, RefundState::Success);
}

#[test]
fn an_order_export_given_as_refunds_is_refused() {
    let mut s = store();
    let before = state(&s);
    let err = apply::import_refunds(&mut s, open("ExportOrderList_gbk41.csv")).unwrap_err();
    let m = err.to_string();
    assert!(m.contains("这不是退款导出文件") && m.contains("退款编号"), "{m}");
    assert_eq!(state(&s), before);
}

// ---------------------------------------------------------------- quick phrases

fn phrases(s: &Store) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = s.replies().unwrap().into_iter().map(|r| (r.code, r.text, r.group)).collect();
    v.sort();
    v
}

#[test]
fn quick_phrases_import_update_and_replace() {
    let mut s = store();
    let id_old = s.reply_save(None, "old", "亲,这条不在文件里哦", "通用").unwrap();
    let id_hi = s.reply_save(None, "hi", "亲,旧的问候", "通用").unwrap();
    let sum = apply::import_replies(&mut s, open("quick_phrases.csv"), false).unwrap();
    assert_eq!(counts(&sum), (4, 1, 0, 0));
    let hi = s.reply_by_code("hi").unwrap().unwrap();
    assert_eq!(hi.reply_id, id_hi, "matched by code, edited in place");
    assert!(hi.text.starts_with("亲,您好!欢迎光临小店"));
    let yh = s.reply_by_code("yh").unwrap().unwrap();
    assert!(yh.text.contains("\n户名:XXX\n"));
    assert_eq!(
        s.reply_by_code("tk").unwrap().unwrap().text,
        "亲,申请时退款类型请选\"已收到货,需要退货\",选错了我们这边没办法同意,需要重新申请哦~"
    );
    assert!(s.reply(&id_old).unwrap().is_some(), "without --replace nothing is deleted");

    let before = state(&s);
    let again = apply::import_replies(&mut s, open("quick_phrases.csv"), false).unwrap();
    assert_eq!((counts(&again), again.events), ((0, 0, 5, 0), 0));
    assert_eq!(state(&s), before);

    let sum = apply::import_replies(&mut s, open("quick_phrases.csv"), true).unwrap();
    assert_eq!((counts(&sum), sum.deleted), ((0, 0, 5, 0), 1));
    assert!(s.reply(&id_old).unwrap().is_none());
    assert_eq!(s.replies().unwrap().len(), 5);
}

#[test]
fn duplicate_codes_are_rejected_by_line() {
    let mut s = store();
    let csv = "快捷短语编码,快捷短语,快捷短语分组\na,\"亲,第一条呢\",通用\nb,\"亲,第二条\n两行呢\",售后\na,\"亲,重复的呢\",通用\n";
    let sum = apply::import_replies(&mut s, Cursor::new(csv.as_bytes().to_vec()), false).unwrap();
    assert_eq!(sum.rejected.lines(), [5]);
    assert_eq!(sum.rejected.kept[0].reason, "快捷短语编码 a 与第 2 行重复");
    assert_eq!(sum.new, 2);
}

#[test]
fn replies_round_trip_through_export_and_import() {
    // the shop's own 236 phrases, with newlines and quotes in them
    let mut a = store();
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/replies.csv");
    let sum = apply::import_replies(&mut a, File::open(shop).unwrap(), false).unwrap();
    assert_eq!(counts(&sum), (236, 0, 0, 0));
    let original = phrases(&a);
    assert!(original.iter().any(|(_, t, _)| t.contains('\n')) && original.iter().any(|(_, t, _)| t.contains('"')));
    for gbk in [false, true] {
        let rows = a.replies().unwrap();
        let bytes = kefu::import::replies::write_phrases(
            rows.iter().map(|r| (r.code.as_str(), r.text.as_str(), r.group.as_str())),
            gbk,
        );
        assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), !gbk);
        // into the same database: all unchanged, nothing written
        let before = state(&a);
        let sum = apply::import_replies(&mut a, Cursor::new(bytes.clone()), true).unwrap();
        assert_eq!((counts(&sum), sum.deleted, sum.events), ((0, 0, 236, 0), 0, 0));
        assert_eq!(state(&a), before);
        // into a fresh one: the same phrases
        let mut b = store();
        apply::import_replies(&mut b, Cursor::new(bytes), false).unwrap();
        assert_eq!(phrases(&b), original);
    }
}

// ---------------------------------------------------------------- the command line

fn kefu(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(db)
        .args(["--agent", "宾", "--seat", "seat-1"])
        .args(args)
        .output()
        .unwrap()
}

fn out(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cli_import_orders_prints_a_summary_and_exits_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let f = |n: &str| fixture(n).display().to_string();

    let o = kefu(&db, &["import-orders", &f("ExportOrderList_bom61.csv"), &f("ExportOrderDetailList_bom61.csv")]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("新增 3 · 更新 0 · 未变 0 · 拒绝 0"), "{}", out(&o));
    assert!(out(&o).contains("明细文件 ExportOrderDetailList_bom61.csv:拒绝 1 行"), "{}", out(&o));
    assert!(out(&o).contains("第 5 行:订单 4021865531002747999 没有导入"), "{}", out(&o));

    let o = kefu(&db, &["import-orders", &f("ExportOrderList_bom61.csv")]);
    assert!(o.status.success());
    assert!(out(&o).contains("新增 0 · 更新 0 · 未变 3 · 拒绝 0"), "{}", out(&o));

    let o = kefu(&db, &["import-orders", &f("ExportOrderList_malformed.csv")]);
    assert!(o.status.success(), "good rows imported: exit 0");
    let text = out(&o);
    assert!(text.contains("新增 4 · 更新 0 · 未变 0 · 拒绝 5"), "{text}");
    assert!(text.trim_end().ends_with("订单状态「发货中吧」:1 行"), "the summary ends with it: {text}");
    assert!(text.contains("第 9 行:订单编号 5001 与第 2 行重复"), "{text}");

    let o = kefu(&db, &["import-orders", &f("random.csv")]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("random.csv 未导入,数据库没有改动") && err(&o).contains("缺少表头 订单编号(或 主订单编号)"),
        "{}",
        err(&o)
    );
    let o = kefu(&db, &["import-orders", &f("binary.png")]);
    assert!(!o.status.success());
    let o = kefu(&db, &["import-orders", &f("ExportRefundList_gbk.csv")]);
    assert!(!o.status.success() && err(&o).contains("import-refunds"), "{}", err(&o));

    // every row bad: nothing imported, non-zero
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "订单编号,买家会员名,订单状态\n,a,交易成功\n-1,b,交易成功\n").unwrap();
    let o = kefu(&db, &["import-orders", bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(out(&o).contains("拒绝 2"), "{}", out(&o));

    // the queue shows what came in
    let o = kefu(&db, &["orders", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 7);
    let unknown = rows.iter().find(|r| r["order_no"] == "5002").unwrap();
    assert_eq!((unknown["status"].as_str(), unknown["status_text"].as_str()), (Some("UNKNOWN"), Some("发货中吧")));
    let known = rows.iter().find(|r| r["order_no"] == "5001").unwrap();
    assert_eq!(
        (known["status"].as_str(), known["status_text"].as_str()),
        (Some("WAIT_SELLER_SEND_GOODS"), Some("买家已付款，等待卖家发货"))
    );

    let o = kefu(&db, &["import-refunds", &f("ExportRefundList_gbk.csv")]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("新增 6 · 更新 0 · 未变 0 · 拒绝 0 · 未知值 1"), "{}", out(&o));
    assert!(out(&o).contains("退款状态「退款中吧」:1 行"), "{}", out(&o));
}

#[test]
fn cli_output_stays_clean_of_escape_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let evil = dir.path().join("evil.csv");
    std::fs::write(
        &evil,
        "订单编号,买家会员名,订单状态\n1,\"\x1b]0;x\x07\x1b[2J坏人\",交易成功\n2,x,\"\x1b]0;pwn\x07\x1b[2J未知\u{202E}\"\n",
    )
    .unwrap();
    let o = kefu(&db, &["import-orders", evil.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(!text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{202E}'), "{text:?}");
    assert!(text.contains("订单状态「未知」:1 行"), "{text}");
    let o = kefu(&db, &["orders", "--json"]);
    assert!(out(&o).contains("\"buyer\":\"坏人\"") || out(&o).contains("\"buyer\": \"坏人\""), "{}", out(&o));
}

#[test]
fn cli_replies_export_then_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/replies.csv");
    let o = kefu(&db, &["replies", "import", shop.to_str().unwrap()]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("新增 236 · 更新 0 · 未变 0 · 拒绝 0"), "{}", out(&o));
    for (name, extra) in [("utf8.csv", None), ("gbk.csv", Some("--gbk"))] {
        let file = dir.path().join(name);
        let mut args = vec!["replies", "export", file.to_str().unwrap()];
        args.extend(extra);
        let o = kefu(&db, &args);
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).contains("已导出 236 条快捷短语"), "{}", out(&o));
        let o = kefu(&db, &["replies", "import", "--replace", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", err(&o));
        assert!(out(&o).contains("新增 0 · 更新 0 · 未变 236 · 拒绝 0"), "{}", out(&o));
    }
    let o = kefu(&db, &["replies", "import", fixture("ExportOrderList_gbk41.csv").to_str().unwrap()]);
    assert!(!o.status.success() && err(&o).contains("快捷短语编码"), "{}", err(&o));
}

// ---------------------------------------------------------------- a kill midway

/// A 41-column UTF-8 export of `n` orders; the first `changed` of them shipped (so a
/// second file differs from the first in exactly those).
fn write_export(w: &mut impl Write, n: usize, changed: usize) -> std::io::Result<()> {
    writeln!(
        w,
        "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,\
         买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,\
         宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,\
         发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,是否上传合同照片,是否上传小票,是否代付,定金排名,修改后的sku,\
         修改后的收货地址,异常信息\r"
    )?;
    let names = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊"];
    for i in 0..n {
        let (status, tracking, courier) = if i < changed {
            ("卖家已发货，等待买家确认收货", format!("=\"YT{:010}\"", i), "圆通速递")
        } else {
            ("买家已付款，等待卖家发货", String::new(), "")
        };
        let name = names[i % names.len()];
        writeln!(
            w,
            "=\"{no}\",buyer{i}_{name},{i}@example.com,{a}.{c:02},0.00,0,{a}.{c:02},0,{a}.{c:02},0,{status},,{name},\
             \"浙江省 杭州市 西湖区 文三路{r}号,{b}幢{c}室(310012)\",快递,,'138{i:08},2026/6/{d} {h}:{m:02},\
             2026/6/{d} {h}:{m:02},\"加绒连帽卫衣,男女同款\",1,{tracking},{courier},,1,57301234,19shop潮流女装,,,,,\
             手机订单,,,,,,,,,\r",
            no = 4021865531000000000u64 + i as u64,
            a = 29 + i % 570,
            c = i % 100,
            r = i % 999,
            b = i % 30,
            d = 1 + i % 28,
            h = i % 24,
            m = i % 60,
        )?;
    }
    Ok(())
}

fn index_sql(s: &Store) -> Vec<String> {
    let mut stmt = s
        .conn()
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<Vec<String>, _>>().unwrap()
}

#[test]
fn an_import_killed_midway_leaves_the_database_as_it_was() {
    kill_midway(true);
}

/// Into an empty database the import drops the order indexes and builds them at the
/// end: a kill in between must leave them all there.
#[test]
fn an_import_into_an_empty_database_killed_midway_leaves_it_empty_with_its_indexes() {
    kill_midway(false);
}

fn kill_midway(populated: bool) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    {
        let mut s = Store::open(&db, Actor::new("宾", "seat-1")).unwrap();
        if populated {
            import_list(&mut s, "ExportOrderList_gbk41.csv");
            s.set_flag("4021865531002746618", Flag::Yellow).unwrap();
        }
    }
    let (before, indexes) = {
        let s = Store::open(&db, Actor::new("宾", "seat-1")).unwrap();
        (state(&s), index_sql(&s))
    };
    let big = dir.path().join("ExportOrderList_big.csv");
    let mut w = BufWriter::new(File::create(&big).unwrap());
    write_export(&mut w, 200_000, 0).unwrap();
    w.flush().unwrap();
    drop(w);

    // Into an empty database the load runs with a rollback journal (pages go to the
    // file, the originals to `-journal`); otherwise into the WAL. Either way the files
    // grow while the transaction is open.
    let files = [
        db.clone(),
        PathBuf::from(format!("{}-wal", db.display())),
        PathBuf::from(format!("{}-journal", db.display())),
    ];
    let written = || files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum::<u64>();
    let start_size = written();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("--db")
        .arg(&db)
        .args(["--agent", "宾", "--seat", "seat-1", "import-orders"])
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import has written 8 MB of uncommitted pages, then SIGKILL it.
    let started = Instant::now();
    while written() < start_size + (8 << 20) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it could be killed; make the file bigger");
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the import never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().unwrap().is_none());
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(written() > start_size, "it had written");

    let s = Store::open(&db, Actor::new("宾", "seat-1")).unwrap();
    assert_eq!(state(&s), before, "the killed import left nothing behind");
    assert_eq!(s.order_count().unwrap(), if populated { 6 } else { 0 });
    assert_eq!(index_sql(&s), indexes, "every index is still there");
    let ok: String = s.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

// ---------------------------------------------------------------- every generation

/// The header lists of `/work/shared/EXPORTS.md` (`␠` there: a trailing space here).
const GEN_41: &str = "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,定金排名,修改后的sku,修改后的收货地址,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易";
const GEN_54: &str = "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,是否上传合同照片,是否上传小票,是否代付,定金排名,修改后的sku,修改后的收货地址,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易,新零售交易类型,新零售导购门店名称,新零售导购门店id,新零售发货门店名称,新零售发货门店id,退款金额,预约门店,确认收货时间,打款商家金额,含应开票给个人的个人红包";
const GEN_61: &str = "订单编号,买家会员名,买家支付宝账号,支付单号,支付详情,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,特权订金订单id,是否上传合同照片,是否上传小票,是否代付,定金排名,修改后的sku,修改后的收货地址,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易,新零售交易类型,新零售导购门店名称,新零售导购门店id,新零售发货门店名称,新零售发货门店id,退款金额,预约门店,确认收货时间,打款商家金额,含应开票给个人的个人红包,是否信用购,体验期结束时间,前N有礼,配送类型,主订单编号";
const GEN_DISTRIBUTOR_38: &str = "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址,运送方式,联系电话,联系手机,订单创建时间,订单付款时间,宝贝标题,宝贝种类,物流单号,物流公司,订单备注,宝贝总数量,分销商Id,分销商店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,定金排名,修改后的sku,修改后的收货地址,异常信息,卡券抵扣,积分抵扣,是否是O2O交易";
const GEN_REEXPORT_37: &str = "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,支付金额,买家实际支付积分,订单状态,买家留言,收货人,收货地址,运送方式,联系电话,联系手机,订单创建时间,订单付款时间,宝贝标题,宝贝种类,物流单号,物流公司,订单备注,宝贝总数量,店铺Id,店铺名称,订单关闭原因,卖家服务费,买家服务费,发票抬头,是否手机订单,分阶段订单信息,定金排名,修改后的sku,修改后的收货地址,异常信息";
const GEN_TMALL_42: &str = "订单编号,支付单号,支付详情,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,买家留言,订单创建时间,订单付款时间,宝贝种类,订单备注,宝贝总数量,店铺Id,店铺名称,卖家服务费,买家服务费,特权订金订单id,修改后的sku,异常信息,天猫卡券抵扣,集分宝抵扣,是否是O2O交易,新零售交易类型,新零售导购门店名称,新零售导购门店id,新零售发货门店名称,新零售发货门店id,退款金额,确认收货时间,打款商家金额,直播返现状态,返现金额,延迟发货自动赔付金额,预售订单,发货时间,商家备忘,主订单编号";
const DETAIL_CLASSIC_10: &str = "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码";
const DETAIL_REEXPORT_10: &str = "订单编号,标题,价格,购买数量,外部系统编号,规格名称,套餐信息,备注,订单状态,商家编码";
const DETAIL_ITEMS_18: &str = "子订单编号,主订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码,支付单号,买家应付货款,买家实际支付金额,退款状态,退款金额,订单创建时间,订单付款时间";
const DETAIL_ITEMS_17: &str = "子订单编号,主订单编号,商品标题,商品价格,购买数量,商品属性,套餐信息,订单状态,商家编码,买家应付货款,买家实付金额,退款状态,退款金额,订单创建时间,订单付款时间,商品ID,商家备注";

/// One order of a generated export, by column name (a column the header lacks is left out).
fn gen_order(no: &str, status: &str, paid: &str) -> Vec<(&'static str, String)> {
    vec![
        ("订单编号", format!("=\"{no}\"")),
        ("主订单编号", format!("=\"{no}\"")),
        ("买家会员名", format!("买家{no}")),
        ("订单状态", status.to_string()),
        ("收货人姓名", "王芳".into()),
        ("收货人", "王芳".into()),
        ("收货地址", "浙江省 杭州市 西湖区 文三路90号,3号楼".into()),
        ("联系手机", "'13812341234".into()),
        ("买家实际支付金额", "88.00元".into()),
        ("支付金额", "88.00".into()),
        ("总金额", "100.00".into()),
        ("买家应付邮费", "0.00".into()),
        ("订单创建时间", "2026/6/28 9:58".into()),
        ("订单付款时间", paid.to_string()),
        ("宝贝标题", "加绒连帽卫衣".into()),
        ("物流单号", if status.contains("已发货") { "No:888090781867".into() } else { String::new() }),
        ("物流公司", if status.contains("已发货") { "圆通速递".into() } else { String::new() }),
        ("退款金额", "0".into()),
        ("发货时间", String::new()),
    ]
}

fn gen_item(no: &str) -> Vec<(&'static str, String)> {
    vec![
        ("订单编号", format!("=\"{no}\"")),
        ("主订单编号", format!("=\"{no}\"")),
        ("子订单编号", format!("=\"{no}01\"")),
        ("标题", "加绒连帽卫衣".into()),
        ("商品标题", "加绒连帽卫衣".into()),
        ("价格", "88.00".into()),
        ("商品价格", "88.00".into()),
        ("购买数量", "1".into()),
        ("外部系统编号", "WY109".into()),
        ("商家编码", "WY109".into()),
        ("商品属性", "颜色分类:黑色;尺码:M".into()),
        ("规格名称", "颜色分类:黑色;尺码:M".into()),
        ("退款金额", "无退款申请".into()),
        ("买家实际支付金额", "88.00".into()),
        ("买家实付金额", "88.00".into()),
    ]
}

fn gen_csv(header: &str, rows: &[Vec<(&'static str, String)>]) -> String {
    let names: Vec<&str> = header.split(',').collect();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(&names).unwrap();
    for r in rows {
        let rec: Vec<String> = names
            .iter()
            .map(|n| r.iter().find(|(k, _)| *k == n.trim()).map(|(_, v)| v.clone()).unwrap_or_default())
            .collect();
        w.write_record(&rec).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn encode(text: &str, gbk: bool) -> Vec<u8> {
    if gbk {
        encoding_rs::GB18030.encode(text).0.into_owned()
    } else {
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
    }
}

/// Every order-list generation with every detail generation, GB18030 and UTF-8 with a
/// BOM: every row comes in, with the fields that matter, and again changes nothing.
#[test]
fn every_generation_of_the_exports_imports_whole() {
    let statuses = [
        ("买家已付款，等待卖家发货", OrderStatus::WaitSellerSendGoods),
        ("卖家已发货，等待买家确认", OrderStatus::WaitBuyerConfirmGoods),
        ("交易成功", OrderStatus::TradeFinished),
        ("买家已签收", OrderStatus::TradeBuyerSigned),
        ("没有创建支付宝交易", OrderStatus::TradeNoCreatePay),
    ];
    let lists = [GEN_41, GEN_54, GEN_61, GEN_DISTRIBUTOR_38, GEN_REEXPORT_37, GEN_TMALL_42];
    let details = [DETAIL_CLASSIC_10, DETAIL_REEXPORT_10, DETAIL_ITEMS_18, DETAIL_ITEMS_17];
    for (li, list) in lists.iter().enumerate() {
        for (di, detail) in details.iter().enumerate() {
            let gbk = (li + di) % 2 == 0;
            let nos: Vec<String> = (0..statuses.len()).map(|i| format!("40218655310027{li}{di}{i:02}")).collect();
            let orders: Vec<_> =
                nos.iter().zip(statuses).map(|(no, (text, _))| gen_order(no, text, "2026-06-28 10:02:00")).collect();
            let items: Vec<_> = nos.iter().map(|no| gen_item(no)).collect();
            let mut s = store();
            let list_bytes = encode(&gen_csv(list, &orders), gbk);
            let detail_bytes = encode(&gen_csv(detail, &items), gbk);
            let what = format!("list {li} detail {di} gbk {gbk}");
            let sum = apply::import_orders(
                &mut s,
                Cursor::new(list_bytes.clone()),
                "list.csv",
                Some(Cursor::new(detail_bytes.clone())),
            )
            .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(counts(&sum), (5, 0, 0, 0), "{what}: {:?}", sum.rejected);
            assert_eq!(sum.detail_rejected.count, 0, "{what}: {:?}", sum.detail_rejected);
            assert!(sum.unknown.is_empty(), "{what}: {:?}", sum.unknown);
            assert_eq!(sum.columns, list.split(',').count(), "{what}");
            for (no, (text, status)) in nos.iter().zip(statuses) {
                let r = record(&s, no);
                assert_eq!((r.status.0, r.status_text.as_str()), (status, text), "{what}");
                let has_buyer = list.contains("买家会员名");
                assert_eq!(r.buyer, if has_buyer { format!("买家{no}") } else { String::new() }, "{what}");
                if has_buyer {
                    assert_eq!(r.receiver_name, "王芳", "{what}");
                    assert_eq!(r.receiver_phone, "13812341234", "{what}");
                }
                assert_eq!(r.amount_fen, 8800, "{what}: the amount actually paid, not 总金额");
                assert_eq!(r.paid_at, Some(t("2026-06-28 10:02:00")), "{what}");
                assert_eq!(r.parent_no, "", "{what}: 主订单编号 equal to 订单编号 says nothing");
                if text.contains("已发货") && list.contains("物流单号") {
                    assert_eq!(r.tracking_no, "888090781867", "{what}");
                }
                assert_eq!(r.items.len(), 1, "{what}");
                let it = &r.items[0];
                assert_eq!(
                    (it.sku.as_str(), it.color.as_str(), it.size.as_str(), it.qty, it.price_fen),
                    ("WY109", "黑色", "M", 1, 8800),
                    "{what}"
                );
            }
            let before = state(&s);
            let again =
                apply::import_orders(&mut s, Cursor::new(list_bytes), "list.csv", Some(Cursor::new(detail_bytes)))
                    .unwrap();
            assert_eq!(counts(&again), (0, 0, 5, 0), "{what}");
            assert_eq!(state(&s), before, "{what}");
        }
    }
}

/// A detail file's trouble names the detail file, and the headers it looked for.
#[test]
fn cli_a_detail_file_error_names_the_detail_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let list = dir.path().join("ExportOrderList.csv");
    let detail = dir.path().join("ExportOrderDetailList.csv");
    std::fs::write(&list, gen_csv(GEN_TMALL_42, &[gen_order("123", "交易成功", "")])).unwrap();
    std::fs::write(&detail, "主订单编号,价格\n123,1\n").unwrap();
    let o = kefu(&db, &["import-orders", list.to_str().unwrap(), detail.to_str().unwrap()]);
    assert!(!o.status.success());
    let e = err(&o);
    assert!(e.contains("明细文件 ExportOrderDetailList.csv 未导入"), "{e}");
    assert!(e.contains("缺少表头 标题(或 商品标题、宝贝标题)"), "{e}");
    assert!(!e.contains("ExportOrderList.csv"), "{e}");
}

/// Values that cannot be right reject their row, named by line and reason; the rest import.
#[test]
fn values_that_cannot_be_right_reject_their_row() {
    let mut s = store();
    let forty = "9".repeat(40);
    let csv = format!(
        "订单编号,买家会员名,订单状态,买家实际支付金额,订单付款时间\n\
         1001,a,交易成功,88,2026-11-21 10:00:00\n\
         1002,b,交易成功,-88,\n\
         ABCDEF,c,交易成功,1,\n\
         -1,d,交易成功,1,\n\
         {forty},e,交易成功,1,\n\
         1006,f,交易成功,1,-2026-11-21 10:00:00\n\
         1007,g,交易成功,1,2026-11-21 10:00:60\n"
    );
    let sum = import_bytes(&mut s, csv.as_bytes()).unwrap();
    assert_eq!(counts(&sum), (1, 0, 0, 6));
    let shown: Vec<String> = sum.rejected.kept.iter().map(|e| e.to_string()).collect();
    assert_eq!(shown[0], "第 3 行:买家实际支付金额「-88」是负数");
    assert!(shown[1].starts_with("第 4 行:订单编号「ABCDEF」不是数字"), "{}", shown[1]);
    assert!(shown[2].starts_with("第 5 行:订单编号「-1」不是数字"), "{}", shown[2]);
    assert!(shown[3].starts_with(&format!("第 6 行:订单编号「{forty}」有 40 位")), "{}", shown[3]);
    assert_eq!(shown[4], "第 7 行:订单付款时间「-2026-11-21 10:00:00」不是日期");
    assert_eq!(shown[5], "第 8 行:订单付款时间「2026-11-21 10:00:60」不是日期");
    assert_eq!(s.order_count().unwrap(), 1);
}
