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

/// The headers without which a file is not an order list.
pub const REQUIRED: [&str; 3] = ["订单编号", "订单状态", "买家会员名"];

/// Where each field of the order list is.
#[derive(Debug, Clone)]
pub struct OrderColumns {
    order_no: usize,
    buyer: usize,
    status: usize,
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

/// What a file with the wrong headers probably is, to say which command it belongs to.
pub(crate) fn guess_kind(h: &Headers) -> Option<&'static str> {
    if h.has("退款编号") {
        Some("这像是退款导出文件,请用 kefu import-refunds 导入")
    } else if h.has("快捷短语编码") || h.has("快捷短语") {
        Some("这像是千牛快捷短语文件,请用 kefu replies import 导入")
    } else if h.has("订单编号") && (h.has("商品属性") || h.has("标题") || h.has("购买数量")) {
        Some("这像是订单明细文件(ExportOrderDetailList),请把它作为第二个文件:kefu import-orders 订单列表.csv 明细.csv")
    } else {
        None
    }
}

/// "this is not X: missing …; expected …; found …".
pub(crate) fn refuse_headers(what: &str, required: &[&str], h: &Headers) -> ImportError {
    let missing: Vec<&str> = required.iter().copied().filter(|r| !h.has(r)).collect();
    let mut msg = format!(
        "这不是{what}:缺少表头 {}。需要的表头:{}。文件里的表头:{}",
        missing.join("、"),
        required.join("、"),
        if h.names.iter().all(|n| n.is_empty()) { "(无)".to_string() } else { h.listing(12) }
    );
    if let Some(hint) = guess_kind(h) {
        msg.push_str(&format!("。{hint}"));
    }
    ImportError::Refused(msg)
}

impl OrderColumns {
    pub fn from_headers(h: &Headers) -> Result<OrderColumns, ImportError> {
        let (Some(order_no), Some(status), Some(buyer)) =
            (h.find(&["订单编号"]), h.find(&["订单状态"]), h.find(&["买家会员名"]))
        else {
            return Err(refuse_headers("订单导出文件(ExportOrderList….csv)", &REQUIRED, h));
        };
        let width = h.names.iter().rposition(|n| !n.is_empty()).map_or(0, |i| i + 1);
        Ok(OrderColumns {
            order_no,
            buyer,
            status,
            alipay: h.find(&["买家支付宝账号"]),
            receiver_name: h.find(&["收货人姓名"]),
            mobile: h.find(&["联系手机"]),
            phone: h.find(&["联系电话"]),
            address: h.find(&["收货地址"]),
            address_changed: h.find(&["修改后的收货地址"]),
            amount: h.find(&["买家实际支付金额", "实付金额", "总金额"]),
            postage: h.find(&["买家应付邮费", "邮费"]),
            refund: h.find(&["退款金额"]),
            created: h.find(&["订单创建时间", "创建时间"]),
            paid: h.find(&["订单付款时间", "付款时间"]),
            shipped: h.find(&["发货时间", "卖家发货时间", "订单发货时间"]),
            message: h.find(&["买家留言"]),
            memo: h.find(&["订单备注", "卖家备注"]),
            flag: h.find(&["旗帜", "订单旗帜", "备注旗帜", "卖家备注旗帜"]),
            courier: h.find(&["物流公司"]),
            tracking: h.find(&["物流单号", "运单号"]),
            shop: h.find(&["店铺名称"]),
            title: h.find(&["宝贝标题", "标题"]),
            close_reason: h.find(&["订单关闭原因"]),
            width,
        })
    }
}

fn money(row: &Row<'_>, col: Option<usize>, name: &str, errs: &mut Vec<String>) -> i64 {
    parse_yuan(cell(row.opt(col))).unwrap_or_else(|e| {
        errs.push(format!("{name}:{e}"));
        0
    })
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
    let status_text = line_field(row.get(cols.status));
    let status = OrderStatus::parse(&status_text).unwrap_or(OrderStatus::Unknown);
    let amount_fen = money(row, cols.amount, "买家实际支付金额", &mut errs);
    let postage_fen = money(row, cols.postage, "买家应付邮费", &mut errs);
    let refund_fen = money(row, cols.refund, "退款金额", &mut errs);
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
        buyer: line_field(row.get(cols.buyer)),
        buyer_alipay: line_field(row.opt(cols.alipay)),
        receiver_name: line_field(row.opt(cols.receiver_name)),
        receiver_phone,
        receiver_address,
        status: status.into(),
        status_text,
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

pub const DETAIL_REQUIRED: [&str; 2] = ["订单编号", "标题"];

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

/// Where each field of the detail export is.
#[derive(Debug, Clone)]
pub struct DetailColumns {
    order_no: usize,
    title: usize,
    price: Option<usize>,
    qty: Option<usize>,
    sku: Vec<usize>,
    props: Option<usize>,
    width: usize,
}

impl DetailColumns {
    /// A file that is not a detail export (an order list given second, say) is refused.
    pub fn from_headers(h: &Headers) -> Result<DetailColumns, ImportError> {
        let (Some(order_no), Some(title)) = (h.find(&["订单编号"]), h.find(&["标题", "宝贝标题", "商品标题"]))
        else {
            return Err(refuse_headers("订单明细文件(ExportOrderDetailList….csv)", &DETAIL_REQUIRED, h));
        };
        if h.has("买家会员名") && h.has("订单状态") && !h.has("商品属性") {
            return Err(ImportError::Refused(
                "第二个文件应当是订单明细文件(ExportOrderDetailList….csv),这个看起来是订单列表".into(),
            ));
        }
        Ok(DetailColumns {
            order_no,
            title,
            price: h.find(&["价格", "单价", "商品价格"]),
            qty: h.find(&["购买数量", "数量", "宝贝数量"]),
            sku: ["外部系统编号", "商家编码", "货号"].iter().filter_map(|n| h.find(&[n])).collect(),
            props: h.find(&["商品属性", "销售属性"]),
            width: h.names.iter().rposition(|n| !n.is_empty()).map_or(0, |i| i + 1),
        })
    }
}

/// One row of the detail export: the order it belongs to and the item.
fn parse_item(c: &DetailColumns, row: &Row<'_>) -> Result<(u64, String, OrderItem), String> {
    check_width(row, c.width)?;
    let mut errs = Vec::new();
    let no = order_no_field(row.get(c.order_no), "订单编号", &mut errs);
    let price_fen = parse_yuan(cell(row.opt(c.price))).unwrap_or_else(|e| {
        errs.push(format!("价格:{e}"));
        0
    });
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
        assert!(err.contains("缺少表头 订单编号、订单状态、买家会员名"), "{err}");
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
