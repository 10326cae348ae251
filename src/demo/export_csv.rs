//! Writes orders as the seller centre exports them: `ExportOrderList<stamp>.csv` (one
//! row per order, the 41-column generation) and `ExportOrderDetailList<stamp>.csv`
//! (one row per item), UTF-8 with a BOM, joined on 订单编号. Order numbers are written
//! `="…"` and phones with a leading `'`, as the seller centre does to keep spreadsheets
//! from mangling them. A real CSV writer quotes what needs quoting (commas in
//! addresses and titles, the quotes of `="…"`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::domain::money::format_yuan;
use crate::domain::order::{OrderRecord, OrderStatus};
use crate::domain::timefmt::format_datetime;

/// The 41-column order export, in the seller centre's order.
pub const ORDER_HEADERS: [&str; 41] = [
    "订单编号",
    "买家会员名",
    "买家支付宝账号",
    "买家应付货款",
    "买家应付邮费",
    "买家支付积分",
    "总金额",
    "返点积分",
    "买家实际支付金额",
    "买家实际支付积分",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址",
    "运送方式",
    "联系电话",
    "联系手机",
    "订单创建时间",
    "订单付款时间",
    "宝贝标题",
    "宝贝种类",
    "物流单号",
    "物流公司",
    "订单备注",
    "宝贝总数量",
    "店铺Id",
    "店铺名称",
    "订单关闭原因",
    "卖家服务费",
    "买家服务费",
    "发票抬头",
    "是否手机订单",
    "分阶段订单信息",
    "特权订金订单id",
    "是否上传合同照片",
    "是否上传小票",
    "是否代付",
    "定金排名",
    "修改后的sku",
    "修改后的收货地址",
    "异常信息",
];

/// The item export.
pub const DETAIL_HEADERS: [&str; 10] =
    ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"];

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFiles {
    pub orders: PathBuf,
    pub details: PathBuf,
    pub order_rows: u64,
    pub item_rows: u64,
}

/// The status text as the export writes it (full-width comma: `买家已付款，等待卖家发货`).
pub fn export_status(s: OrderStatus) -> String {
    s.label().replace(',', "，")
}

/// `颜色分类:黑色;尺码:M`.
pub fn item_properties(color: &str, size: &str) -> String {
    let mut parts = Vec::new();
    if !color.is_empty() {
        parts.push(format!("颜色分类:{color}"));
    }
    if !size.is_empty() {
        parts.push(format!("尺码:{size}"));
    }
    parts.join(";")
}

fn writer(path: &Path) -> io::Result<csv::Writer<BufWriter<File>>> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::WriterBuilder::new().from_writer(out))
}

/// Writes the pair into `dir` (created if missing) with `stamp` in the names
/// (`ExportOrderList202606281000.csv`).
pub fn write_pair(dir: &Path, stamp: &str, orders: impl IntoIterator<Item = OrderRecord>) -> io::Result<ExportFiles> {
    std::fs::create_dir_all(dir)?;
    let orders_path = dir.join(format!("ExportOrderList{stamp}.csv"));
    let details_path = dir.join(format!("ExportOrderDetailList{stamp}.csv"));
    let mut ow = writer(&orders_path)?;
    let mut dw = writer(&details_path)?;
    ow.write_record(ORDER_HEADERS)?;
    dw.write_record(DETAIL_HEADERS)?;
    let (mut order_rows, mut item_rows) = (0u64, 0u64);
    for o in orders {
        let no = format!("=\"{}\"", o.order_no);
        let status = export_status(o.status.0);
        let qty: u32 = o.items.iter().map(|i| i.qty).sum();
        let amount = format_yuan(o.amount_fen);
        let row: [&str; 41] = [
            &no,
            &o.buyer,
            &o.buyer_alipay,
            &format_yuan(o.amount_fen - o.postage_fen),
            &format_yuan(o.postage_fen),
            "0",
            &amount,
            "0",
            &amount,
            "0",
            &status,
            &o.buyer_message,
            &o.receiver_name,
            &o.receiver_address,
            "快递",
            "",
            &format!("'{}", o.receiver_phone),
            &o.created_at.map(format_datetime).unwrap_or_default(),
            &o.paid_at.map(format_datetime).unwrap_or_default(),
            &o.title,
            &o.items.len().to_string(),
            &o.tracking_no,
            &o.courier,
            &o.platform_memo,
            &qty.to_string(),
            "",
            &o.shop_name,
            &o.close_reason,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        ow.write_record(row)?;
        order_rows += 1;
        for it in &o.items {
            dw.write_record([
                no.as_str(),
                &it.title,
                &format_yuan(it.price_fen),
                &it.qty.to_string(),
                "",
                &item_properties(&it.color, &it.size),
                "",
                "",
                &status,
                &it.sku,
            ])?;
            item_rows += 1;
        }
    }
    ow.flush()?;
    dw.flush()?;
    Ok(ExportFiles { orders: orders_path, details: details_path, order_rows, item_rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::order::OrderItem;

    #[test]
    fn writes_a_pair_a_csv_reader_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let o = OrderRecord {
            order_no: "260628000000112345".into(),
            buyer: "小猪,爱吃鱼".into(),
            receiver_name: "王芳".into(),
            receiver_phone: "13812341234".into(),
            receiver_address: "广东省 广州市 越秀区 环市东路339号,广东国际大厦B座1206".into(),
            status: OrderStatus::WaitSellerSendGoods.into(),
            amount_fen: 26800,
            postage_fen: 1000,
            title: "\"小众设计\"斜挎包".into(),
            items: vec![OrderItem {
                title: "\"小众设计\"斜挎包".into(),
                sku: "B3380".into(),
                color: "黑色".into(),
                size: "均码".into(),
                qty: 2,
                price_fen: 12900,
            }],
            ..Default::default()
        };
        let f = write_pair(dir.path(), "202606281000", [o]).unwrap();
        assert_eq!((f.order_rows, f.item_rows), (1, 1));
        let bytes = std::fs::read(&f.orders).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(r.headers().unwrap().len(), 41);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[0], "=\"260628000000112345\"");
        assert_eq!(&rec[1], "小猪,爱吃鱼");
        assert_eq!(&rec[3], "258.00");
        assert_eq!(&rec[8], "268.00");
        assert_eq!(&rec[10], "买家已付款，等待卖家发货");
        assert_eq!(OrderStatus::parse(&rec[10]), Some(OrderStatus::WaitSellerSendGoods));
        assert_eq!(&rec[13], "广东省 广州市 越秀区 环市东路339号,广东国际大厦B座1206");
        assert_eq!(&rec[16], "'13812341234");
        assert_eq!(&rec[19], "\"小众设计\"斜挎包");
        assert_eq!(&rec[24], "2");
        let bytes = std::fs::read(&f.details).unwrap();
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), DETAIL_HEADERS);
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[5], "颜色分类:黑色;尺码:均码");
        assert_eq!(&rec[2], "129.00");
        assert_eq!(&rec[9], "B3380");
    }
}
