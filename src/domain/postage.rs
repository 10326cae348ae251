//! "Who pays the postage?" — the table of `000` §(三)1, by shop type and case.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ShopType {
    /// 淘宝C店 / MT.
    #[default]
    CShop,
    /// 天猫 (商城).
    Tmall,
}

impl ShopType {
    pub fn label(self) -> &'static str {
        match self {
            ShopType::CShop => "C店/MT",
            ShopType::Tmall => "天猫(商城)",
        }
    }

    pub fn parse(text: &str) -> Option<ShopType> {
        match text.trim().to_lowercase().as_str() {
            "c" | "cshop" | "c_shop" | "c-shop" | "c店" | "c店/mt" | "mt" | "taobao" | "淘宝" => {
                Some(ShopType::CShop)
            }
            "tmall" | "天猫" | "商城" | "天猫(商城)" => Some(ShopType::Tmall),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostageCase {
    /// 不喜欢, 七天内, 不影响二次销售, 配件齐全.
    NoReason7Days,
    /// 包邮活动商品退换.
    FreeShippingPromo,
    /// 质量问题不明显.
    QualityMinor,
    /// 质量问题.
    Quality,
    /// 交易成功后退换.
    AfterTradeSuccess,
}

impl PostageCase {
    pub const ALL: [PostageCase; 5] = [
        PostageCase::NoReason7Days,
        PostageCase::FreeShippingPromo,
        PostageCase::QualityMinor,
        PostageCase::Quality,
        PostageCase::AfterTradeSuccess,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PostageCase::NoReason7Days => "七天无理由(不喜欢)",
            PostageCase::FreeShippingPromo => "包邮活动商品",
            PostageCase::QualityMinor => "质量问题不明显",
            PostageCase::Quality => "质量问题",
            PostageCase::AfterTradeSuccess => "交易成功后",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    Exchange,
    Refund,
}

impl Remedy {
    pub fn label(self) -> &'static str {
        match self {
            Remedy::Exchange => "换货",
            Remedy::Refund => "退款",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    Buyer,
    Seller,
    /// Paid out by 运费险 (shipping insurance).
    ShippingInsurance,
}

impl Payer {
    pub fn label(self) -> &'static str {
        match self {
            Payer::Buyer => "买家",
            Payer::Seller => "卖家",
            Payer::ShippingInsurance => "运费险",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostageAnswer {
    pub payer: Payer,
    /// One line for the agent, as the seed says it.
    pub rule: &'static str,
    /// Percentage deducted from the refund (Tmall after the trade succeeded), if any.
    pub fee_percent: Option<u32>,
}

/// Who pays, for a shop type, a case and what the buyer wants.
/// `invoice_kept`: a Tmall invoice was issued and not returned (17% instead of 5%).
pub fn who_pays(shop: ShopType, case: PostageCase, remedy: Remedy, invoice_kept: bool) -> PostageAnswer {
    use PostageCase as C;
    use Remedy as R;
    use ShopType as T;
    let a = |payer, rule| PostageAnswer { payer, rule, fee_percent: None };
    match (shop, case, remedy) {
        (_, C::NoReason7Days, _) => a(Payer::Buyer, "七天无理由退换,来回邮费买家自理"),
        (_, C::FreeShippingPromo, R::Exchange) => a(Payer::Buyer, "包邮商品换货,邮费买家自理"),
        (T::CShop, C::FreeShippingPromo, R::Refund) => {
            a(Payer::ShippingInsurance, "包邮商品退款,扣除发货邮费,由运费险赔付")
        }
        (T::Tmall, C::FreeShippingPromo, R::Refund) => a(Payer::Seller, "商城包邮商品退款,卖家承担运费"),
        (T::CShop, C::QualityMinor, _) => {
            a(Payer::Buyer, "质量问题不明显:建议买家自行处理,可向店长申请下次购买优惠;坚持退换按质量问题处理")
        }
        (T::CShop, C::Quality, _) => a(Payer::ShippingInsurance, "质量问题换货卖家承担运费(由运费险赔付)"),
        (T::Tmall, C::QualityMinor | C::Quality, _) => a(Payer::Seller, "商城质量问题来回邮费卖家承担(做收款链接退款)"),
        (T::CShop, C::AfterTradeSuccess, _) => a(Payer::Buyer, "交易成功后退换,邮费买家自理"),
        (T::Tmall, C::AfterTradeSuccess, R::Exchange) => a(Payer::Buyer, "商城交易成功后换货,邮费自理"),
        (T::Tmall, C::AfterTradeSuccess, R::Refund) => PostageAnswer {
            payer: Payer::Buyer,
            rule: if invoice_kept {
                "商城交易成功后退款,扣除手续费17%(开了发票未退回);最好请买家退回发票"
            } else {
                "商城交易成功后退款,扣除手续费5%(商城收取,做为商城积分返还买家)"
            },
            fee_percent: Some(if invoice_kept { 17 } else { 5 }),
        },
    }
}

/// The fee deducted from a refund of `amount_fen`, rounded to the fen.
pub fn fee_fen(answer: &PostageAnswer, amount_fen: i64) -> i64 {
    answer.fee_percent.map(|p| (amount_fen * p as i64 + 50) / 100).unwrap_or(0)
}

/// What the open case says about why the goods go back, for `infer_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseFacts<'a> {
    /// No open case: only the order is known.
    Order,
    Refund {
        no_reason_7d: bool,
        reason: &'a str,
    },
    Exchange {
        quality: bool,
        reason: &'a str,
    },
    /// The courier damaged or lost the parcel.
    Damage,
}

/// Words of a refund or exchange reason that mean the goods are at fault.
const FAULT_WORDS: [&str; 9] = ["质量", "破损", "损坏", "瑕疵", "少件", "漏发", "错发", "发错", "描述不符"];

/// Which case of the table applies, from the order (finished or not) and its open case,
/// and the sentence saying why — the agent sees what was assumed and can change it.
/// Damage and faulty goods are the seller's (the courier answers for damage to the
/// seller); 七天无理由 is the buyer's; after the trade succeeded its own rule applies.
pub fn infer_case(finished: bool, facts: CaseFacts<'_>) -> (PostageCase, String) {
    let reason = match facts {
        CaseFacts::Refund { reason, .. } | CaseFacts::Exchange { reason, .. } => reason,
        _ => "",
    };
    if let Some(w) = FAULT_WORDS.iter().find(|w| reason.contains(**w)) {
        return (PostageCase::Quality, format!("原因含「{w}」:按质量问题"));
    }
    match facts {
        CaseFacts::Damage => (PostageCase::Quality, "破损/遗失单:快递造成的损失由卖家承担(向快递索赔)".into()),
        CaseFacts::Exchange { quality: true, .. } => (PostageCase::Quality, "换货单标明质量问题".into()),
        CaseFacts::Refund { no_reason_7d: true, .. } => (PostageCase::NoReason7Days, "退款申请为七天无理由".into()),
        _ if finished => (PostageCase::AfterTradeSuccess, "订单已交易成功".into()),
        CaseFacts::Order => (PostageCase::NoReason7Days, "没有打开的售后单:按七天无理由".into()),
        CaseFacts::Refund { .. } | CaseFacts::Exchange { .. } => {
            (PostageCase::NoReason7Days, "原因不是质量问题:按七天无理由(不喜欢)".into())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_case_is_inferred_from_the_open_case_and_said() {
        let r = |no_reason_7d, reason| CaseFacts::Refund { no_reason_7d, reason };
        let (c, why) = infer_case(false, CaseFacts::Damage);
        assert_eq!(c, PostageCase::Quality);
        assert!(why.contains("破损"), "{why}");
        assert_ne!(who_pays(ShopType::CShop, c, Remedy::Refund, false).payer, Payer::Buyer, "never the buyer");
        assert_eq!(infer_case(false, r(false, "商品破损")).0, PostageCase::Quality);
        assert_eq!(infer_case(true, r(true, "质量问题")).0, PostageCase::Quality, "fault beats 7 days");
        assert_eq!(infer_case(false, r(true, "不喜欢")).0, PostageCase::NoReason7Days);
        assert_eq!(infer_case(true, r(false, "尺码不合适")).0, PostageCase::AfterTradeSuccess);
        assert_eq!(infer_case(false, CaseFacts::Exchange { quality: true, reason: "换码" }).0, PostageCase::Quality);
        assert_eq!(infer_case(false, CaseFacts::Order).0, PostageCase::NoReason7Days);
        assert_eq!(infer_case(true, CaseFacts::Order).0, PostageCase::AfterTradeSuccess);
    }

    use super::*;

    #[test]
    fn the_seed_table_cell_by_cell() {
        use Payer::*;
        use PostageCase::*;
        use Remedy::*;
        use ShopType::*;
        let rows = [
            (CShop, NoReason7Days, Exchange, Buyer),
            (CShop, NoReason7Days, Refund, Buyer),
            (Tmall, NoReason7Days, Refund, Buyer),
            (CShop, FreeShippingPromo, Exchange, Buyer),
            (CShop, FreeShippingPromo, Refund, ShippingInsurance),
            (Tmall, FreeShippingPromo, Exchange, Buyer),
            (Tmall, FreeShippingPromo, Refund, Seller),
            (CShop, QualityMinor, Exchange, Buyer),
            (CShop, Quality, Exchange, ShippingInsurance),
            (Tmall, Quality, Exchange, Seller),
            (Tmall, Quality, Refund, Seller),
            (CShop, AfterTradeSuccess, Refund, Buyer),
            (Tmall, AfterTradeSuccess, Exchange, Buyer),
            (Tmall, AfterTradeSuccess, Refund, Buyer),
        ];
        for (shop, case, remedy, payer) in rows {
            assert_eq!(who_pays(shop, case, remedy, false).payer, payer, "{shop:?} {case:?} {remedy:?}");
        }
    }

    #[test]
    fn tmall_after_success_refund_deducts_a_fee() {
        let a = who_pays(ShopType::Tmall, PostageCase::AfterTradeSuccess, Remedy::Refund, false);
        assert_eq!(a.fee_percent, Some(5));
        assert_eq!(fee_fen(&a, 8800), 440);
        let b = who_pays(ShopType::Tmall, PostageCase::AfterTradeSuccess, Remedy::Refund, true);
        assert_eq!(fee_fen(&b, 10000), 1700);
        assert!(b.rule.contains("17%"));
        let c = who_pays(ShopType::CShop, PostageCase::AfterTradeSuccess, Remedy::Refund, true);
        assert_eq!(fee_fen(&c, 10000), 0);
    }

    #[test]
    fn shop_types_parse() {
        assert_eq!(ShopType::parse("天猫"), Some(ShopType::Tmall));
        assert_eq!(ShopType::parse("C店"), Some(ShopType::CShop));
        assert_eq!(ShopType::parse("jd"), None);
    }
}
