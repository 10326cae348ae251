//! The demo content lists in `data/demo/` (and the standard replies in
//! `data/replies.csv`), embedded in the binary and parsed once with a real CSV reader.

use std::sync::OnceLock;

use crate::domain::case::ReviewLevel;

const PRODUCTS: &str = include_str!("../../data/demo/products.csv");
const ADDRESSES: &str = include_str!("../../data/demo/addresses.csv");
const BAD_REVIEWS: &str = include_str!("../../data/demo/bad_reviews.csv");
const MEMO_ACTIONS: &str = include_str!("../../data/demo/memo_actions.csv");
const COURIERS: &str = include_str!("../../data/demo/couriers.txt");
const AGENTS: &str = include_str!("../../data/demo/agents.txt");
const BUYER_MESSAGES: &str = include_str!("../../data/demo/buyer_messages.txt");
const GIVEN_NAMES: &str = include_str!("../../data/demo/given_names.txt");
const SURNAMES: &str = include_str!("../../data/demo/surnames.txt");
const NICK_PARTS: &str = include_str!("../../data/demo/nick_parts.txt");
const REFUND_REASONS: &str = include_str!("../../data/demo/refund_reasons.txt");
/// Qianniu quick-phrase export: `快捷短语编码,快捷短语,快捷短语分组` (fields may span lines).
pub const REPLIES_CSV: &str = include_str!("../../data/replies.csv");

#[derive(Debug, Clone)]
pub struct Product {
    pub title: String,
    pub sku: String,
    pub colors: Vec<String>,
    pub sizes: Vec<String>,
    pub price_fen: i64,
}

#[derive(Debug, Clone)]
pub struct Address {
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
}

impl Address {
    /// As Taobao exports it: `广东省 广州市 越秀区 环市东路339号…`.
    pub fn full(&self) -> String {
        format!("{} {} {} {}", self.province, self.city, self.district, self.street)
    }

    /// Where couriers do not (all) go: EMS is the default there (`004` 销售管理 §9).
    pub fn is_remote(&self) -> bool {
        ["新疆", "西藏", "青海", "宁夏", "甘肃", "内蒙古", "海南"].iter().any(|p| self.province.starts_with(p))
    }
}

#[derive(Debug, Clone)]
pub struct Courier {
    pub name: String,
    pub prefix: String,
    /// Random digits after the prefix.
    pub digits: usize,
}

impl Courier {
    /// 申通快递 → 申通, 顺丰速运 → 顺丰: the short name buyers and replies use.
    pub fn short(&self) -> &str {
        courier_short(&self.name)
    }
}

/// 申通快递 → 申通, 顺丰速运 → 顺丰, EMS → EMS.
pub fn courier_short(name: &str) -> &str {
    for suffix in ["快递", "速递", "速运"] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s;
        }
    }
    name
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: String,
    pub text: String,
    pub group: String,
}

#[derive(Debug)]
pub struct DemoData {
    pub products: Vec<Product>,
    pub addresses: Vec<Address>,
    pub bad_reviews: Vec<(ReviewLevel, String)>,
    /// `(action, result)` in the memo-line vocabulary.
    pub memo_actions: Vec<(String, String)>,
    pub couriers: Vec<Courier>,
    pub agents: Vec<String>,
    pub buyer_messages: Vec<String>,
    pub given_names: Vec<String>,
    pub surnames: Vec<String>,
    pub nick_parts: Vec<String>,
    pub refund_reasons: Vec<String>,
    pub replies: Vec<Reply>,
}

impl DemoData {
    pub fn courier(&self, short: &str) -> &Courier {
        self.couriers.iter().find(|c| c.short() == short || c.name == short).unwrap_or(&self.couriers[0])
    }

    /// The memo-line vocabulary rows for one action (`查件` → 派件中, 已签收 …).
    pub fn memo_results(&self, action: &str) -> Vec<&(String, String)> {
        self.memo_actions.iter().filter(|(a, _)| a == action).collect()
    }
}

/// The parsed lists; an error names the file and line that is wrong.
pub fn data() -> Result<&'static DemoData, String> {
    static DATA: OnceLock<Result<DemoData, String>> = OnceLock::new();
    DATA.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
}

fn csv_rows(name: &str, text: &str, min_fields: usize) -> Result<Vec<Vec<String>>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| format!("{name}: {e}"))?;
        if rec.len() < min_fields {
            return Err(format!("{name} 第 {} 行:需要 {min_fields} 列,只有 {}", i + 2, rec.len()));
        }
        out.push(rec.iter().map(|f| f.trim().to_string()).collect());
    }
    if out.is_empty() {
        return Err(format!("{name} 是空的"));
    }
    Ok(out)
}

fn load() -> Result<DemoData, String> {
    let products = csv_rows("products.csv", PRODUCTS, 5)?
        .into_iter()
        .map(|r| {
            let split = |s: &str| s.split('|').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
            let price_fen =
                crate::domain::money::parse_yuan(&r[4]).map_err(|e| format!("products.csv {}: {e}", r[1]))?;
            Ok(Product { title: r[0].clone(), sku: r[1].clone(), colors: split(&r[2]), sizes: split(&r[3]), price_fen })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if let Some(p) = products.iter().find(|p| p.colors.is_empty() || p.sizes.is_empty() || p.price_fen <= 0) {
        return Err(format!("products.csv {}: 颜色、尺码、价格都要有", p.sku));
    }
    let addresses = csv_rows("addresses.csv", ADDRESSES, 4)?
        .into_iter()
        .map(|r| Address { province: r[0].clone(), city: r[1].clone(), district: r[2].clone(), street: r[3].clone() })
        .collect();
    let bad_reviews = csv_rows("bad_reviews.csv", BAD_REVIEWS, 2)?
        .into_iter()
        .map(|r| {
            let level = ReviewLevel::parse(&r[0]).ok_or_else(|| format!("bad_reviews.csv: 不认识的评价 {}", r[0]))?;
            Ok((level, r[1].clone()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let memo_actions =
        csv_rows("memo_actions.csv", MEMO_ACTIONS, 2)?.into_iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let couriers = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(COURIERS.as_bytes())
        .records()
        .map(|rec| {
            let rec = rec.map_err(|e| format!("couriers.txt: {e}"))?;
            let digits = rec.get(2).and_then(|d| d.trim().parse().ok()).ok_or("couriers.txt: 第三列是位数")?;
            Ok(Courier { name: rec[0].trim().into(), prefix: rec[1].trim().into(), digits })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let replies = csv_rows("replies.csv", REPLIES_CSV, 3)?
        .into_iter()
        .map(|r| Reply { code: r[0].clone(), text: r[1].clone(), group: r[2].clone() })
        .collect();
    let d = DemoData {
        products,
        addresses,
        bad_reviews,
        memo_actions,
        couriers,
        agents: lines(AGENTS),
        buyer_messages: lines(BUYER_MESSAGES),
        given_names: lines(GIVEN_NAMES),
        surnames: lines(SURNAMES),
        nick_parts: lines(NICK_PARTS),
        refund_reasons: lines(REFUND_REASONS),
        replies,
    };
    for (name, n, min) in [
        ("couriers.txt", d.couriers.len(), 1),
        ("agents.txt", d.agents.len(), 2),
        ("buyer_messages.txt", d.buyer_messages.len(), 1),
        ("given_names.txt", d.given_names.len(), 1),
        ("surnames.txt", d.surnames.len(), 1),
        ("nick_parts.txt", d.nick_parts.len(), 1),
        ("refund_reasons.txt", d.refund_reasons.len(), 1),
    ] {
        if n < min {
            return Err(format!("{name} 至少要 {min} 行"));
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_parses() {
        let d = data().unwrap();
        assert!(d.products.len() >= 50);
        assert!(d.addresses.len() >= 100);
        assert_eq!(d.couriers[0].short(), "申通");
        assert_eq!(d.courier("顺丰").prefix, "SF");
        assert!(d.replies.len() >= 150);
        // quoted fields with commas and doubled quotes survive
        assert!(d.products.iter().any(|p| p.title.contains(',')));
        assert!(d.products.iter().any(|p| p.title.contains('"')));
        assert!(d.addresses.iter().any(|a| a.street.contains(',')));
        // a multi-line quick phrase stays one reply
        assert!(d.replies.iter().any(|r| r.text.contains('\n')));
        assert!(!d.memo_results("查件").is_empty());
    }
}
