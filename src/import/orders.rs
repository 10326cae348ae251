//! The seller centre's order export: `ExportOrderList….csv` (one row per order) and
//! `ExportOrderDetailList….csv` (one row per item), joined on 订单编号. Both header
//! generations (41 and 61 columns) are read by header name; unknown columns are ignored.

use foldhash::HashMap;
use std::io::{Read, Seek};
use std::sync::mpsc;
use std::thread;

use csv::StringRecord;

use super::rows::{RowReader, Schema};
use super::source::RowSource;
use super::table::{Headers, Row};
use super::{ImportError, Rejections, RowError, cell, line_field, order_no_field, text_field};
use crate::domain::flag::Flag;
use crate::domain::money::parse_yuan;
use crate::domain::order::{OrderItem, OrderRecord, OrderStatus};
use crate::domain::timefmt::parse_datetime;

use super::aliases::{self, detail as dc, list as lc};

/// Where each field of the order list is (spellings: `aliases::list`).
#[derive(Debug, Clone)]
pub struct OrderColumns {
    order_no: usize,
    /// 主订单编号 beside 订单编号: the parent of a split or combined order.
    parent_no: Option<usize>,
    buyer: Option<usize>,
    status: Option<usize>,
    alipay: Option<usize>,
    receiver_name: Option<usize>,
    mobile: Option<usize>,
    phone: Option<usize>,
    address: Option<usize>,
    address_changed: Option<usize>,
    amount: Option<usize>,
    postage: Option<usize>,
    refund: Option<usize>,
    created: Option<usize>,
    paid: Option<usize>,
    shipped: Option<usize>,
    message: Option<usize>,
    memo: Option<usize>,
    flag: Option<usize>,
    courier: Option<usize>,
    tracking: Option<usize>,
    shop: Option<usize>,
    title: Option<usize>,
    close_reason: Option<usize>,
    /// Fields a complete row has (up to the last named header).
    width: usize,
}

/// Columns only a detail file has, and columns only an order list has.
const DETAIL_ONLY: [&str; 6] = ["子订单编号", "购买数量", "商品属性", "规格名称", "商品标题", "外部系统编号"];
const LIST_ONLY: [&str; 7] = ["宝贝标题", "宝贝总数量", "收货地址", "收货人姓名", "收货人", "买家会员名", "买家留言"];

fn looks_like_detail(h: &Headers) -> bool {
    DETAIL_ONLY.iter().any(|n| h.has(n)) && !LIST_ONLY.iter().any(|n| h.has(n))
}

const DETAIL_HINT: &str =
    "这像是订单明细文件(ExportOrderDetailList),请把它作为第二个文件:kefu import-orders 订单列表.csv 明细.csv";

/// What a file with the wrong headers probably is, to say which command it belongs to.
pub(crate) fn guess_kind(h: &Headers) -> Option<&'static str> {
    if h.has("退款编号") {
        Some("这像是退款导出文件,请用 kefu import-refunds 导入")
    } else if h.has("快捷短语编码") || h.has("快捷编码") || h.has("快捷短语") {
        Some("这像是千牛快捷短语文件,请用 kefu replies import 导入")
    } else if looks_like_detail(h) || (h.has("订单编号") && (h.has("标题") || h.has("购买数量"))) {
        Some(DETAIL_HINT)
    } else {
        None
    }
}

/// "this is not X: missing …; expected …; found …", each required header named by one
/// name.
pub(crate) fn refuse_headers(what: &str, required: &[&str], h: &Headers) -> ImportError {
    let groups: Vec<&[&str]> = required.iter().map(std::slice::from_ref).collect();
    refuse_missing(what, &groups, h)
}

/// "this is not X: missing …; expected …; found …", where each required column is any
/// one of its spellings (all of them named, so a file using another spelling is told
/// which ones kefu knows).
pub(crate) fn refuse_missing(what: &str, required: &[&[&str]], h: &Headers) -> ImportError {
    let missing: Vec<String> = required.iter().filter(|g| h.find(g).is_none()).map(|g| aliases::describe(g)).collect();
    let all: Vec<String> = required.iter().map(|g| aliases::describe(g)).collect();
    let mut msg = format!(
        "这不是{what}:缺少表头 {}。需要的表头:{}。文件里的表头:{}",
        missing.join("、"),
        all.join("、"),
        if h.names.iter().all(|n| n.is_empty()) { "(无)".to_string() } else { h.listing(12) }
    );
    if let Some(hint) = guess_kind(h) {
        msg.push_str(&format!("。{hint}"));
    }
    ImportError::Refused(msg)
}

/// The order list's name in messages.
const LIST_WHAT: &str = "订单导出文件(ExportOrderList….csv)";

impl OrderColumns {
    /// Only 订单编号 (or 主订单编号) is required; every other column is optional. A refund
    /// export or a detail file given as the list is refused, saying what it is.
    pub fn from_headers(h: &Headers) -> Result<OrderColumns, ImportError> {
        let (no, parent) = (h.find(lc::ORDER_NO), h.find(lc::PARENT_NO));
        let Some(order_no) = no.or(parent) else {
            return Err(refuse_missing(LIST_WHAT, lc::REQUIRED, h));
        };
        if h.has("退款编号") || looks_like_detail(h) {
            let hint = guess_kind(h).unwrap_or(DETAIL_HINT);
            return Err(ImportError::Refused(format!("这不是{LIST_WHAT}。{hint}。文件里的表头:{}", h.listing(12))));
        }
        let width = h.names.iter().rposition(|n| !n.is_empty()).map_or(0, |i| i + 1);
        Ok(OrderColumns {
            order_no,
            parent_no: if no.is_some() { parent } else { None },
            buyer: h.find(lc::BUYER),
            status: h.find(lc::STATUS),
            alipay: h.find(lc::ALIPAY),
            receiver_name: h.find(lc::RECEIVER_NAME),
            mobile: h.find(lc::MOBILE),
            phone: h.find(lc::PHONE),
            address: h.find(lc::ADDRESS),
            address_changed: h.find(lc::ADDRESS_CHANGED),
            amount: h.find(lc::AMOUNT),
            postage: h.find(lc::POSTAGE),
            refund: h.find(lc::REFUND),
            created: h.find(lc::CREATED),
            paid: h.find(lc::PAID),
            shipped: h.find(lc::SHIPPED),
            message: h.find(lc::MESSAGE),
            memo: h.find(lc::MEMO),
            flag: h.find(lc::FLAG),
            courier: h.find(lc::COURIER),
            tracking: h.find(lc::TRACKING),
            shop: h.find(lc::SHOP),
            title: h.find(lc::TITLE),
            close_reason: h.find(lc::CLOSE_REASON),
            width,
        })
    }
}

/// An amount of the export: a negative one cannot be right, and rejects the row.
fn money(row: &Row<'_>, col: Option<usize>, name: &str, errs: &mut Vec<String>) -> i64 {
    match parse_yuan(cell(row.opt(col))) {
        Ok(fen) if fen < 0 => {
            errs.push(format!("{name}「{}」是负数", cell(row.opt(col))));
            0
        }
        Ok(fen) => fen,
        Err(e) => {
            errs.push(format!("{name}:{e}"));
            0
        }
    }
}

fn date(row: &Row<'_>, col: Option<usize>, name: &str, errs: &mut Vec<String>) -> Option<chrono::NaiveDateTime> {
    let t = cell(row.opt(col));
    if t.is_empty() {
        return None;
    }
    let d = parse_datetime(t);
    if d.is_none() {
        errs.push(format!("{name}「{t}」不是日期"));
    }
    d
}

/// Checks the row's width against the header's (a cut or split row shows up here).
pub(crate) fn check_width(row: &Row<'_>, width: usize) -> Result<(), String> {
    let n = row.record.len();
    if n < width {
        return Err(format!("只有 {n} 列,表头有 {width} 列(这一行可能被截断或拆开了)"));
    }
    if n > width && row.record.iter().skip(width).any(|f| !f.trim().is_empty()) {
        return Err(format!("有 {n} 列,表头只有 {width} 列(可能有没加引号的逗号)"));
    }
    Ok(())
}

/// One row of the order list as a record (items are the detail file's business).
pub fn parse_order(cols: &OrderColumns, row: &Row<'_>) -> Result<OrderRecord, String> {
    check_width(row, cols.width)?;
    let mut errs: Vec<String> = Vec::new();
    let order_no = order_no_field(row.get(cols.order_no), "订单编号", &mut errs);
    // A text kefu cannot map (or none) is not a reason to drop the order: it comes in
    // as `Unknown` with the text kept, and the import's summary lists it.
    let status_text = line_field(row.opt(cols.status));
    let status = OrderStatus::parse(&status_text).unwrap_or(OrderStatus::Unknown);
    let amount_fen = money(row, cols.amount, "买家实际支付金额", &mut errs);
    let postage_fen = money(row, cols.postage, "买家应付邮费", &mut errs);
    // The newer exports write 无退款申请 where there is no refund.
    let refund_fen = if cell(row.opt(cols.refund)) == "无退款申请" {
        0
    } else {
        money(row, cols.refund, "退款金额", &mut errs)
    };
    let created_at = date(row, cols.created, "订单创建时间", &mut errs);
    let paid_at = date(row, cols.paid, "订单付款时间", &mut errs);
    let shipped_at = date(row, cols.shipped, "发货时间", &mut errs);
    let platform_flag = match cell(row.opt(cols.flag)) {
        "" => None,
        t => match Flag::parse(t) {
            Ok(f) => Some(f),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    // An empty 主订单编号 is none; one equal to the order's own number says nothing.
    let parent_no = match cols.parent_no.map(|i| cell(row.get(i))) {
        Some(p) if !p.is_empty() => {
            let p = order_no_field(p, "主订单编号", &mut errs);
            if p == order_no { String::new() } else { p }
        }
        _ => String::new(),
    };
    if !errs.is_empty() {
        return Err(errs.join(";"));
    }
    let mut receiver_phone = line_field(row.opt(cols.mobile));
    if receiver_phone.is_empty() {
        receiver_phone = line_field(row.opt(cols.phone));
    }
    let mut receiver_address = line_field(row.opt(cols.address_changed));
    if receiver_address.is_empty() {
        receiver_address = line_field(row.opt(cols.address));
    }
    let mut tracking_no = line_field(row.opt(cols.tracking));
    if let Some(rest) = tracking_no.strip_prefix("No:").or_else(|| tracking_no.strip_prefix("No：")) {
        tracking_no = rest.trim().to_string();
    }
    Ok(OrderRecord {
        order_no,
        buyer: line_field(row.opt(cols.buyer)),
        buyer_alipay: line_field(row.opt(cols.alipay)),
        receiver_name: line_field(row.opt(cols.receiver_name)),
        receiver_phone,
        receiver_address,
        status: status.into(),
        status_text,
        parent_no,
        amount_fen,
        postage_fen,
        created_at,
        paid_at,
        shipped_at,
        buyer_message: text_field(row.opt(cols.message)),
        platform_memo: text_field(row.opt(cols.memo)),
        platform_flag,
        courier: line_field(row.opt(cols.courier)),
        tracking_no,
        shop_name: line_field(row.opt(cols.shop)),
        title: line_field(row.opt(cols.title)),
        items: Vec::new(),
        refund_fen,
        close_reason: line_field(row.opt(cols.close_reason)),
    })
}

/// The order list's schema: one row per order, keyed by 订单编号.
pub struct OrderRows;

impl Schema for OrderRows {
    type Columns = OrderColumns;
    type Record = OrderRecord;
    const KEY_LABEL: &'static str = "订单编号";

    fn columns(headers: &Headers) -> Result<OrderColumns, ImportError> {
        OrderColumns::from_headers(headers)
    }

    fn parse(cols: &OrderColumns, row: &Row<'_>) -> Result<OrderRecord, String> {
        parse_order(cols, row)
    }

    fn key(rec: &OrderRecord) -> &str {
        &rec.order_no
    }
}

/// The order list, row by row.
pub type OrderList<R> = RowReader<R, OrderRows>;

/// The detail file, read whole: items by order number, with the line of each order's
/// first item (to report items whose order was not imported).
#[derive(Debug, Default)]
pub struct Details {
    pub items: HashMap<String, (u64, Vec<OrderItem>)>,
    pub rejected: Rejections,
}

/// `颜色分类:黑色;尺码:M` → ("黑色", "M").
pub fn parse_properties(text: &str) -> (String, String) {
    let mut color = String::new();
    let mut size = String::new();
    for part in text.split([';', '；']) {
        let Some((k, v)) = part.split_once([':', '：']) else { continue };
        let (k, v) = (k.trim(), line_field(v));
        let slot = match k {
            "颜色分类" | "颜色" | "主要颜色" | "颜色名称" => &mut color,
            "尺码" | "尺寸" | "鞋码" | "大小" | "参考身高" => &mut size,
            _ => continue,
        };
        if slot.is_empty() {
            *slot = v;
        }
    }
    (color, size)
}

/// Where each field of the detail export is (spellings: `aliases::detail`).
#[derive(Debug, Clone)]
pub struct DetailColumns {
    /// The column items join their order on: 主订单编号 when the file has it, else 订单编号.
    order_no: usize,
    order_no_name: &'static str,
    title: usize,
    price: Option<usize>,
    qty: Option<usize>,
    sku: Vec<usize>,
    props: Option<usize>,
    width: usize,
}

/// The detail file's name in messages.
const DETAIL_WHAT: &str = "订单明细文件(ExportOrderDetailList….csv)";

impl DetailColumns {
    /// A file that is not a detail export (an order list given second, say) is refused.
    pub fn from_headers(h: &Headers) -> Result<DetailColumns, ImportError> {
        let key = match (h.find(dc::PARENT_NO), h.find(dc::ORDER_NO)) {
            (Some(i), _) => Some((i, "主订单编号")),
            (None, Some(i)) => Some((i, "订单编号")),
            (None, None) => None,
        };
        let (Some((order_no, order_no_name)), Some(title)) = (key, h.find(dc::TITLE)) else {
            return Err(refuse_missing(DETAIL_WHAT, dc::REQUIRED, h));
        };
        if !looks_like_detail(h) && LIST_ONLY.iter().any(|n| h.has(n)) {
            return Err(ImportError::Refused(format!(
                "第二个文件应当是{DETAIL_WHAT},这个看起来是订单列表。文件里的表头:{}",
                h.listing(12)
            )));
        }
        Ok(DetailColumns {
            order_no,
            order_no_name,
            title,
            price: h.find(dc::PRICE),
            qty: h.find(dc::QTY),
            sku: dc::SKU.iter().filter_map(|n| h.find(&[n])).collect(),
            props: h.find(dc::PROPERTIES),
            width: h.names.iter().rposition(|n| !n.is_empty()).map_or(0, |i| i + 1),
        })
    }
}

/// One row of the detail export: the order it belongs to and the item.
fn parse_item(c: &DetailColumns, row: &Row<'_>) -> Result<(u64, String, OrderItem), String> {
    check_width(row, c.width)?;
    let mut errs = Vec::new();
    let no = order_no_field(row.get(c.order_no), c.order_no_name, &mut errs);
    let price_fen = money(row, c.price, "价格", &mut errs);
    let q = cell(row.opt(c.qty));
    let qty = if q.is_empty() {
        1
    } else {
        q.parse::<u32>().unwrap_or_else(|_| {
            errs.push(format!("购买数量「{q}」不是整数"));
            0
        })
    };
    if !errs.is_empty() {
        return Err(errs.join(";"));
    }
    let sku = c.sku.iter().map(|&i| line_field(row.get(i))).find(|s| !s.is_empty()).unwrap_or_default();
    let (color, size) = parse_properties(row.opt(c.props));
    Ok((row.line, no, OrderItem { title: line_field(row.get(c.title)), sku, color, size, qty, price_fen }))
}

/// The detail export (CSV or xlsx) with its header read: a file that is not one is
/// refused by `open`, before anything is read or written; `read` takes its rows.
pub struct DetailFile<R: Read> {
    source: RowSource<R>,
    cols: DetailColumns,
}

impl<R: Read + Seek> DetailFile<R> {
    pub fn open(r: R) -> Result<DetailFile<R>, ImportError> {
        let (source, cols) = RowSource::open(r, DetailColumns::from_headers)?;
        Ok(DetailFile { source, cols })
    }

    /// Reads every row. The file is read before the first order can be stored, with
    /// nothing else to do meanwhile, so three threads share it: one splits the CSV
    /// into rows, one parses rows into items, and this one files them by order.
    pub fn read(self) -> Result<Details, ImportError>
    where
        R: Send,
    {
        let DetailFile { mut source, cols } = self;
        let mut d = Details::default();
        let (rows_tx, rows_rx) = mpsc::sync_channel::<Vec<(u64, StringRecord)>>(HAND_OVER_AHEAD);
        let (items_tx, items_rx) = mpsc::sync_channel::<Vec<ParsedItem>>(HAND_OVER_AHEAD);
        let cols = &cols;
        std::thread::scope(|scope| {
            // A send fails when the stage after has stopped: so does this one.
            let splitter = thread::Builder::new().name("kefu-import-rows".into()).spawn_scoped(scope, move || {
                let mut batch = Vec::with_capacity(ROWS_PER_BATCH);
                let mut rec = StringRecord::new();
                while let Some(line) = source.next_row(&mut rec)? {
                    batch.push((line, std::mem::replace(&mut rec, StringRecord::with_capacity(256, 16))));
                    if batch.len() == ROWS_PER_BATCH && rows_tx.send(std::mem::take(&mut batch)).is_err() {
                        break;
                    }
                }
                let _ = rows_tx.send(batch);
                Ok::<(), ImportError>(())
            })?;
            let parser = thread::Builder::new().name("kefu-import-items".into()).spawn_scoped(scope, move || {
                for rows in rows_rx {
                    let items = rows
                        .iter()
                        .map(|(line, record)| {
                            parse_item(cols, &Row { line: *line, record })
                                .map_err(|reason| RowError::new(*line, reason))
                        })
                        .collect();
                    if items_tx.send(items).is_err() {
                        break;
                    }
                }
            })?;
            for batch in items_rx {
                for parsed in batch {
                    match parsed {
                        Ok((line, no, item)) => d.items.entry(no).or_insert_with(|| (line, Vec::new())).1.push(item),
                        Err(e) => d.rejected.push(e),
                    }
                }
            }
            parser.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            splitter.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
        Ok(d)
    }
}

/// Detail rows per hand-over between the threads of `DetailFile::read`, and hand-overs
/// that may wait.
const ROWS_PER_BATCH: usize = 1024;
const HAND_OVER_AHEAD: usize = 8;

/// A detail row: its line, its order and the item, or why it was not taken.
type ParsedItem = Result<(u64, String, OrderItem), RowError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn list(s: &str) -> OrderList<Cursor<Vec<u8>>> {
        OrderList::open(Cursor::new(s.as_bytes().to_vec())).unwrap()
    }

    fn all(s: &str) -> Vec<Result<(u64, OrderRecord), RowError>> {
        let mut l = list(s);
        let mut out = Vec::new();
        while let Some(r) = l.next_row().unwrap() {
            out.push(r);
        }
        out
    }

    #[test]
    fn properties_give_colour_and_size() {
        assert_eq!(parse_properties("颜色分类:黑色;尺码:M"), ("黑色".into(), "M".into()));
        assert_eq!(
            parse_properties("尺码：XL（建议130-140斤）；颜色分类：杏色"),
            ("杏色".into(), "XL（建议130-140斤）".into())
        );
        assert_eq!(parse_properties(""), (String::new(), String::new()));
        assert_eq!(parse_properties("适用季节:秋季"), (String::new(), String::new()));
    }

    #[test]
    fn a_minimal_list_parses() {
        let rows = all("订单编号,买家会员名,订单状态,买家实际支付金额\n=\"123\",小王,交易成功,88元\n");
        let (line, r) = rows[0].clone().unwrap();
        assert_eq!(line, 2);
        assert_eq!(r.order_no, "123");
        assert_eq!(r.status.0, OrderStatus::TradeFinished);
        assert_eq!(r.amount_fen, 8800);
    }

    #[test]
    fn every_problem_of_a_row_is_named() {
        let rows =
            all("订单编号,买家会员名,订单状态,买家实际支付金额,订单创建时间\n,小王,发货中吧,八十八,2026-13-45 10:00\n");
        let e = rows[0].clone().unwrap_err();
        assert_eq!(e.line, 2);
        for part in ["订单编号为空", "买家实际支付金额", "订单创建时间「2026-13-45 10:00」不是日期"]
        {
            assert!(e.reason.contains(part), "{}", e.reason);
        }
    }

    #[test]
    fn an_unknown_status_text_keeps_the_row_and_the_text() {
        let rows = all("订单编号,买家会员名,订单状态\n1,a,发货中吧\n2,b,\n3,c,卖家已发货，等待买家确认\n");
        let (_, r) = rows[0].clone().unwrap();
        assert_eq!(
            (r.status.0, r.status.code(), r.status_text.as_str()),
            (OrderStatus::Unknown, "UNKNOWN", "发货中吧")
        );
        let (_, r) = rows[1].clone().unwrap();
        assert_eq!((r.status.0, r.status_text.as_str()), (OrderStatus::Unknown, ""));
        let (_, r) = rows[2].clone().unwrap();
        assert_eq!(
            (r.status.0, r.status_text.as_str()),
            (OrderStatus::WaitBuyerConfirmGoods, "卖家已发货，等待买家确认")
        );
    }

    #[test]
    fn only_the_order_number_is_required_and_spellings_are_read() {
        let rows = all("主订单编号,收货人,支付金额,总金额,规格名称\n\t77,王芳,80元,100元,x\n");
        let (_, r) = rows[0].clone().unwrap();
        assert_eq!((r.order_no.as_str(), r.buyer.as_str(), r.receiver_name.as_str()), ("77", "", "王芳"));
        assert_eq!((r.amount_fen, r.parent_no.as_str(), r.status.0), (8000, "", OrderStatus::Unknown));
        let rows = all("订单编号,主订单编号,买家实付金额,总金额\n1,1,5,9\n2,9,5,9\n3,,5,9\n4,X,5,9\n");
        let parents: Vec<String> = rows[..3].iter().map(|r| r.clone().unwrap().1.parent_no).collect();
        assert_eq!(parents, ["", "9", ""]);
        assert_eq!(rows[0].clone().unwrap().1.amount_fen, 500, "the amount actually paid, not 总金额");
        assert!(rows[3].clone().unwrap_err().reason.starts_with("主订单编号「X」"));
    }

    #[test]
    fn a_detail_or_refund_file_given_as_the_list_is_refused() {
        for header in
            ["子订单编号,主订单编号,标题,价格,购买数量", "订单编号,标题,价格,购买数量,商品属性", "订单编号,退款编号"]
        {
            let err = OrderList::open(Cursor::new(format!("{header}\n1,2,3,4,5\n").into_bytes())).err().unwrap();
            assert!(err.to_string().contains("明细") || err.to_string().contains("import-refunds"), "{err}");
        }
    }

    fn details(s: &str) -> Result<Details, ImportError> {
        DetailFile::open(Cursor::new(s.as_bytes().to_vec()))?.read()
    }

    #[test]
    fn item_level_details_join_on_the_parent_order() {
        let d = details(
            "子订单编号,主订单编号,商品标题,商品价格,购买数量,商品属性,订单状态,商家编码,退款状态,退款金额,商品ID,商家备注\n\
             11,1,卫衣,88.00,2,颜色分类:黑色;尺码:M,交易成功,WY109,,无退款申请,6001,\n\
             12,1,包,21,1,,交易成功,,,无退款申请,6002,\n",
        )
        .unwrap();
        assert_eq!(d.rejected.count, 0, "{:?}", d.rejected);
        let items = &d.items["1"].1;
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0].title.as_str(), items[0].sku.as_str(), items[0].color.as_str(), items[0].size.as_str()),
            ("卫衣", "WY109", "黑色", "M")
        );
        assert_eq!((items[0].qty, items[0].price_fen, items[1].price_fen), (2, 8800, 2100));
        let d = details("订单编号,标题,价格,购买数量,规格名称\n5,裙,10,1,颜色分类:红;尺码:S\n").unwrap();
        assert_eq!((d.items["5"].1[0].color.as_str(), d.items["5"].1[0].size.as_str()), ("红", "S"));
    }

    #[test]
    fn a_detail_file_without_its_columns_names_every_spelling() {
        let err = details("订单编号,价格\n1,2\n").err().unwrap().to_string();
        assert!(err.contains("缺少表头 标题(或 商品标题、宝贝标题)"), "{err}");
        assert!(err.contains("需要的表头:订单编号(或 主订单编号)、标题"), "{err}");
    }

    #[test]
    fn duplicates_name_the_first_line() {
        let rows = all("订单编号,买家会员名,订单状态\n1,a,交易成功\n2,b,交易成功\n1,c,交易成功\n");
        assert_eq!(rows[2].clone().unwrap_err(), RowError::new(4, "订单编号 1 与第 2 行重复"));
    }

    #[test]
    fn cut_and_split_rows_are_caught() {
        let rows =
            all("订单编号,买家会员名,订单状态,收货地址\n1,a,交易成功\n2,b,交易成功,杭州,西湖\n3,c,交易成功,杭州,\n");
        assert!(rows[0].clone().unwrap_err().reason.contains("只有 3 列"));
        assert!(rows[1].clone().unwrap_err().reason.contains("有 5 列"));
        assert!(rows[2].is_ok(), "a trailing empty field is fine");
    }

    #[test]
    fn wrong_headers_are_refused_with_names() {
        let err = OrderList::open(Cursor::new("name,age\nx,1\n".as_bytes().to_vec())).err().unwrap().to_string();
        assert!(err.contains("缺少表头 订单编号(或 主订单编号)"), "{err}");
        assert!(err.contains("name, age"), "{err}");
        let err = OrderList::open(Cursor::new("订单编号,退款编号,退款状态\n1,2,3\n".as_bytes().to_vec()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("import-refunds"), "{err}");
    }

    #[test]
    fn seen_keys_tell_numbers_and_text_apart() {
        let mut s = crate::import::rows::SeenKeys::default();
        assert_eq!(s.insert("2606280001", 2), None);
        assert_eq!(s.insert("02606280001", 3), None);
        assert_eq!(s.insert("2606280001", 4), Some(2));
        assert_eq!(s.insert("R-1", 5), None);
        assert_eq!(s.insert("R-1", 6), Some(5));
    }
}
