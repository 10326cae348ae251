//! The seller centre's `.xlsx` exports: read into the same rows as the CSV exports, by
//! content whatever the file is called, and refused whole when the workbook is broken.
//! Fixtures in tests/fixtures are made by make_xlsx.py from make_fixtures.py's rows.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::fs::File;
use std::io::Cursor;
use std::process::Command;

use kefu::domain::order::{OrderRecord, OrderStatus};
use kefu::import::{ImportError, Summary, apply};
use kefu::store::Store;
use kefu::store::orders::QueueView;

mod import_support;
use import_support::{fixture, open, store};

fn orders(s: &mut Store, list: &str, detail: Option<&str>) -> Result<Summary, ImportError> {
    apply::import_orders(s, open(list), list, detail.map(open))
}

fn tally(sum: &Summary) -> [u64; 5] {
    [sum.new, sum.updated, sum.unchanged, sum.rejected.count, sum.events]
}

/// Every order the queue shows, with its platform facts and items, by order number.
fn all_orders(s: &Store) -> Vec<OrderRecord> {
    let now = kefu::domain::timefmt::parse_datetime("2026-07-01 09:00").unwrap();
    let mut nos: Vec<String> =
        s.queue_page(QueueView::All, now, None, 1000).unwrap().into_iter().map(|r| r.order_no).collect();
    nos.sort();
    nos.iter().map(|no| s.platform_record(no).unwrap().unwrap()).collect()
}

fn record(s: &Store, no: &str) -> OrderRecord {
    s.platform_record(no).unwrap().unwrap_or_else(|| panic!("order {no} not imported"))
}

fn at(s: &str) -> Option<chrono::NaiveDateTime> {
    kefu::domain::timefmt::parse_datetime(s)
}

#[test]
fn an_xlsx_pair_gives_the_orders_its_csv_pair_gives() {
    let mut csv = store();
    let from_csv = orders(&mut csv, "ExportOrderList_bom61.csv", Some("ExportOrderDetailList_bom61.csv")).unwrap();
    let mut xlsx = store();
    let sum = orders(&mut xlsx, "ExportOrderList_bom61.xlsx", Some("ExportOrderDetailList_bom61.xlsx")).unwrap();
    assert_eq!(tally(&sum), [3, 0, 0, 0, 1]);
    assert_eq!((sum.encoding, sum.sheet.as_deref(), sum.columns), (None, Some("订单列表"), 61));
    assert_eq!(sum.detail_rejected.lines(), from_csv.detail_rejected.lines(), "the detail row of no listed order");

    let got = all_orders(&xlsx);
    assert_eq!(got.len(), 3);
    assert_eq!(got, all_orders(&csv));
    // dates from date cells, money and quantities from number cells, SKU 109 from a number
    let a = record(&xlsx, "4021865531002747001");
    assert_eq!((a.paid_at, a.shipped_at), (at("2026-06-30 09:13:10"), at("2026-06-30 16:20:11")));
    assert_eq!((a.amount_fen, a.receiver_phone.as_str()), (19700, "13511112222"));
    assert_eq!(
        a.items.iter().map(|i| (i.sku.as_str(), i.qty, i.price_fen)).collect::<Vec<_>>(),
        [("WY109", 2, 8800), ("BAG-2201", 1, 2100)]
    );

    // The same orders, so the CSV pair into the xlsx store changes nothing, and back.
    let again = orders(&mut xlsx, "ExportOrderList_bom61.csv", Some("ExportOrderDetailList_bom61.csv")).unwrap();
    assert_eq!(tally(&again), [0, 0, 3, 0, 0]);
    let again = orders(&mut csv, "ExportOrderList_bom61.xlsx", Some("ExportOrderDetailList_bom61.xlsx")).unwrap();
    assert_eq!(tally(&again), [0, 0, 3, 0, 0]);
}

#[test]
fn number_cells_serial_dates_blank_rows_and_bad_rows() {
    let mut s = store();
    let sum = orders(&mut s, "ExportOrderList_numbers.xlsx", None).unwrap();
    // the first sheet is a note: the one with the order header is read
    assert_eq!((sum.sheet.as_deref(), sum.columns), (Some("订单列表"), 41));
    assert_eq!(tally(&sum), [4, 0, 0, 2, 1]);
    // the sheet's own row numbers (row 4 and the formatted row 7 are blank)
    assert_eq!(sum.rejected.lines(), [3, 8]);
    let reasons: Vec<String> = sum.rejected.kept.iter().map(|e| e.to_string()).collect();
    assert!(
        reasons[0].starts_with("第 3 行:订单编号「4.02186553100275E+18」是科学计数法")
            && reasons[0].contains("15 位有效数字"),
        "{}",
        reasons[0]
    );
    assert_eq!(reasons[1], "第 8 行:买家实际支付金额:金额 '#N/A' 不是数字");
    assert_eq!(sum.unknown.count("订单状态", "发货中吧"), 1, "an unknown status keeps its row");
    assert_eq!(s.order_count().unwrap(), 4, "no order under a number with lost digits");

    // a 15-digit number cell is exact; dates with a slash format
    let a = record(&s, "260628000100001");
    assert_eq!((a.created_at, a.paid_at), (at("2026-06-28 09:58:00"), at("2026-06-28 10:02:00")));
    assert_eq!(
        (a.amount_fen, a.receiver_phone.as_str(), a.status.0),
        (8800, "13800000001", OrderStatus::WaitSellerSendGoods)
    );
    // a raw serial with a Chinese date format, a date as text, ¥ money, float noise
    let b = record(&s, "4021865531002748003");
    assert_eq!((b.created_at, b.paid_at), (at("2026-06-27 21:15:33"), at("2026-06-27 21:16:00")));
    assert_eq!((b.amount_fen, b.postage_fen, b.tracking_no.as_str()), (19900, 30, "YT7788990011"));
    // a cell right of the last header is an unnamed column: ignored, not a split row
    assert_eq!(record(&s, "4021865531002748006").amount_fen, 550);
}

#[test]
fn a_refund_export_as_xlsx_gives_the_refunds_its_csv_gives() {
    let imported = |file: &str| {
        let mut s = store();
        orders(&mut s, "ExportOrderList_gbk41.csv", None).unwrap();
        let sum = apply::import_refunds(&mut s, open(file)).unwrap();
        (s, sum)
    };
    let (mut xs, sum) = imported("ExportRefundList.xlsx");
    assert_eq!(tally(&sum), [6, 0, 0, 0, 6]);
    assert_eq!((sum.sheet.as_deref(), sum.columns), (Some("退款列表"), 42));
    // an unknown state text is kept, not refused
    assert_eq!(sum.unknown.count("退款状态", "退款中吧"), 1);
    let (cs, _) = imported("ExportRefundList_gbk.csv");
    let facts = |s: &Store| -> Vec<String> {
        let mut v: Vec<String> = s
            .refunds(None, 100)
            .unwrap()
            .into_iter()
            .map(|r| {
                format!(
                    "{} {} {} {:?} {:?} {:?}",
                    r.refund_no, r.order_no, r.amount_fen, r.state, r.applied_at, r.deadline
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(facts(&xs), facts(&cs));
    let r1 = xs.refund("20260629100001").unwrap().unwrap();
    assert_eq!((r1.buyer_desc.as_str(), r1.no_reason_7d), ("尺码偏大,\"不想要了\"\n吊牌还在", true));
    let again = apply::import_refunds(&mut xs, open("ExportRefundList_gbk.csv")).unwrap();
    assert_eq!(tally(&again), [0, 0, 6, 0, 0], "the CSV holds the same refunds");
}

#[test]
fn files_are_told_apart_by_content_not_by_name() {
    let mut s = store();
    let xlsx = std::fs::read(fixture("ExportOrderList_bom61.xlsx")).unwrap();
    let sum = apply::import_orders(&mut s, Cursor::new(xlsx), "orders.csv", None::<File>).unwrap();
    assert_eq!((tally(&sum), sum.sheet.as_deref()), ([3, 0, 0, 0, 1], Some("订单列表")));
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("ExportOrderList.xlsx");
    std::fs::copy(fixture("ExportOrderList_gbk41.csv"), &renamed).unwrap();
    let sum = apply::import_orders(&mut s, File::open(&renamed).unwrap(), "x", None::<File>).unwrap();
    assert_eq!((sum.new, sum.encoding.map(|e| e.label())), (6, Some("GBK/GB18030")));
}

#[test]
fn broken_or_foreign_workbooks_are_refused_and_write_nothing() {
    let mut s = store();
    orders(&mut s, "ExportOrderList_gbk41.csv", None).unwrap();
    let before = (s.event_count().unwrap(), s.projection_digest().unwrap());
    let refused = |s: &mut Store, file: &str, refunds: bool| -> String {
        let got = if refunds { apply::import_refunds(s, open(file)) } else { orders(s, file, None) };
        match got {
            Err(ImportError::Refused(m)) => m,
            other => panic!("{file}: expected a refusal, got {other:?}"),
        }
    };
    for (file, words) in [
        ("ExportOrderList_truncated.xlsx", &["xlsx 文件已损坏或不完整", "没有下载完"][..]),
        ("ExportOrderList_cut_sheet.xlsx", &["xlsx 文件已损坏:工作表「订单列表」", "读不下去"]),
        ("no_sheet.xlsx", &["xlsx 文件里没有工作表"]),
        ("empty.xlsx", &["xlsx 文件是空的"]),
        ("encrypted.xlsx", &["设置了打开密码", "去掉密码"]),
        ("csv_in_zip.xlsx", &["ZIP 压缩包不是 xlsx", "先解压"]),
        ("random.xlsx", &["这不是订单导出文件", "文件里的表头:姓名, 年龄, 城市", "读的是 xlsx 工作表「Sheet1」"]),
        ("ExportRefundList.xlsx", &["这不是订单导出文件", "import-refunds"]),
    ] {
        let m = refused(&mut s, file, false);
        assert!(words.iter().all(|w| m.contains(w)), "{file}: {m}");
    }
    // a detail workbook that is broken refuses the pair
    let err = orders(&mut s, "ExportOrderList_bom61.xlsx", Some("ExportOrderList_truncated.xlsx")).unwrap_err();
    assert!(err.to_string().contains("已损坏"), "{err}");
    // no sheet of two has the refund header: both are named
    let m = refused(&mut s, "ExportOrderList_numbers.xlsx", true);
    assert!(
        m.contains("这不是退款导出文件") && m.contains("2 个工作表「导出说明」「订单列表」都没有这样的表头"),
        "{m}"
    );
    assert_eq!((s.event_count().unwrap(), s.projection_digest().unwrap()), before);
}

#[test]
fn cli_imports_xlsx_and_says_which_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    let kefu = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg("--db")
            .arg(&db)
            .args(["--agent", "宾", "--seat", "seat-1"])
            .args(args)
            .output()
            .unwrap()
    };
    let f = |n: &str| fixture(n).display().to_string();
    let o = kefu(&["import-orders", &f("ExportOrderList_numbers.xlsx")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("导入订单 ExportOrderList_numbers.xlsx(xlsx 工作表「订单列表」,41 列)"), "{out}");
    assert!(out.contains("新增 4 · 更新 0 · 未变 0 · 拒绝 2") && out.contains("第 3 行:订单编号「4.0218"), "{out}");

    let o = kefu(&["import-refunds", &f("encrypted.xlsx")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("encrypted.xlsx 未导入,数据库没有改动") && err.contains("密码"),
        "{err}"
    );

    let o = kefu(&["import-orders", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(".xlsx"));
}

/// Damage anywhere in a workbook (flipped bytes, a cut) is a refusal or an import, never
/// a panic, and a refusal writes nothing.
#[test]
fn damaged_workbooks_never_panic() {
    let good = std::fs::read(fixture("ExportOrderList_bom61.xlsx")).unwrap();
    let mut seed: u64 = 0x5EED;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut s = store();
    for round in 0..300 {
        let mut bytes = good.clone();
        if round % 3 == 0 {
            bytes.truncate(4 + next(bytes.len() - 4));
        } else {
            for _ in 0..1 + next(8) {
                let i = 4 + next(bytes.len() - 4);
                bytes[i] = next(256) as u8;
            }
        }
        let before = s.event_count().unwrap();
        match apply::import_orders(&mut s, Cursor::new(bytes), "damaged.xlsx", None::<File>) {
            Ok(_) => {}
            Err(ImportError::Refused(_)) => assert_eq!(s.event_count().unwrap(), before),
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
}
