//! Every column kefu reads from the seller centre's order exports, with every spelling
//! the generations use (`/work/shared/EXPORTS.md`): one table per file kind, in one
//! place. Headers are matched after `table::normalize_header` (BOM, surrounding spaces
//! and quotes off), so `收货地址 ` is `收货地址`. Where a column has several spellings the
//! first one present wins, so the list order says which figure is preferred (the amount
//! actually paid before 总金额).

/// The order list (ExportOrderList…): one row per order.
pub mod list {
    /// The order's number: what `memo`, `refund` and sync use.
    pub const ORDER_NO: &[&str] = &["订单编号"];
    /// The parent of a split or combined order; the order's number when a list has no 订单编号.
    pub const PARENT_NO: &[&str] = &["主订单编号"];
    pub const STATUS: &[&str] = &["订单状态"];
    pub const BUYER: &[&str] = &["买家会员名", "买家会员名称", "买家昵称"];
    pub const ALIPAY: &[&str] = &["买家支付宝账号"];
    pub const RECEIVER_NAME: &[&str] = &["收货人姓名", "收货人"];
    pub const MOBILE: &[&str] = &["联系手机", "收货人手机"];
    pub const PHONE: &[&str] = &["联系电话", "收货人电话"];
    pub const ADDRESS: &[&str] = &["收货地址", "收货人地址"];
    pub const ADDRESS_CHANGED: &[&str] = &["修改后的收货地址"];
    /// What the buyer actually paid; 总金额 only when no such column exists.
    pub const AMOUNT: &[&str] = &["买家实际支付金额", "买家实付金额", "支付金额", "实付金额", "总金额"];
    pub const POSTAGE: &[&str] = &["买家应付邮费", "邮费"];
    pub const REFUND: &[&str] = &["退款金额"];
    pub const CREATED: &[&str] = &["订单创建时间", "创建时间"];
    pub const PAID: &[&str] = &["订单付款时间", "付款时间"];
    pub const SHIPPED: &[&str] = &["发货时间", "卖家发货时间", "订单发货时间"];
    pub const CONFIRMED: &[&str] = &["确认收货时间"];
    pub const MESSAGE: &[&str] = &["买家留言"];
    pub const MEMO: &[&str] = &["订单备注", "卖家备注", "商家备忘", "商家备注"];
    pub const FLAG: &[&str] = &["旗帜", "订单旗帜", "备注旗帜", "卖家备注旗帜"];
    pub const COURIER: &[&str] = &["物流公司"];
    pub const TRACKING: &[&str] = &["物流单号", "运单号"];
    pub const SHOP: &[&str] = &["店铺名称", "分销商店铺名称"];
    pub const TITLE: &[&str] = &["宝贝标题", "标题"];
    pub const CLOSE_REASON: &[&str] = &["订单关闭原因"];

    /// The columns without which a file is not an order list: one of these.
    pub const REQUIRED: &[&[&str]] = &[&["订单编号", "主订单编号"]];
}

/// The order detail file (ExportOrderDetailList…): one row per item. Classic (10
/// columns, keyed by 订单编号), item-level (子订单编号 + 主订单编号) and its other spelling.
pub mod detail {
    pub const ORDER_NO: &[&str] = &["订单编号"];
    /// Items join their order on this when the file has it, else on 订单编号.
    pub const PARENT_NO: &[&str] = &["主订单编号"];
    pub const SUB_ORDER_NO: &[&str] = &["子订单编号"];
    pub const TITLE: &[&str] = &["标题", "商品标题", "宝贝标题"];
    pub const PRICE: &[&str] = &["价格", "商品价格", "单价"];
    pub const QTY: &[&str] = &["购买数量", "数量", "宝贝数量"];
    /// The shop's own item codes, the first non-empty one is the SKU.
    pub const SKU: &[&str] = &["外部系统编号", "商家编码", "货号"];
    /// Colour and size.
    pub const PROPERTIES: &[&str] = &["商品属性", "销售属性", "规格名称", "宝贝规格"];

    /// An order number (either) and a title.
    pub const REQUIRED: &[&[&str]] = &[&["订单编号", "主订单编号"], TITLE];
}

/// `订单编号(或 主订单编号)` for messages.
pub fn describe(spellings: &[&str]) -> String {
    match spellings {
        [] => String::new(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first}(或 {})", rest.join("、")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_every_spelling() {
        assert_eq!(describe(list::REQUIRED[0]), "订单编号(或 主订单编号)");
        assert_eq!(describe(detail::TITLE), "标题(或 商品标题、宝贝标题)");
        assert_eq!(describe(&["订单编号"]), "订单编号");
    }

    #[test]
    fn the_amount_actually_paid_comes_before_the_total() {
        let last = list::AMOUNT.len() - 1;
        assert_eq!(list::AMOUNT[last], "总金额");
        assert!(list::AMOUNT[..last].contains(&"支付金额") && list::AMOUNT[..last].contains(&"买家实付金额"));
    }
}
