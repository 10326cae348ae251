//! Filling a standard reply's placeholders from the selected order. Pure: the caller
//! gathers the values. A placeholder with no value is marked `【缺:单号】`, never left
//! blank, so the agent sees what is missing before pasting.

use crate::domain::sanitize::{safe_line, safe_text};

/// The values a reply can use. Empty means unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceholderValues {
    pub buyer: String,
    pub order_no: String,
    pub courier: String,
    pub tracking_no: String,
    pub receiver: String,
    pub address: String,
    /// 实付: what the buyer paid, formatted (`88.00`).
    pub paid: String,
    /// 邮费: the order's postage (`0.00` for free shipping).
    pub postage: String,
    /// 退款金额: the open refund's amount.
    pub refund_amount: String,
    /// 发货时间: `6月28日 15:20`.
    pub shipped_at: String,
    /// 今天: `6月28日`.
    pub today: String,
    /// 商品: the item title(s).
    pub item: String,
    /// 颜色尺码: each item's colour and size.
    pub color_size: String,
    pub agent: String,
}

/// A placeholder: the names it answers to (English, then Chinese; the first Chinese
/// name is the one a missing value is marked with) and its value.
struct Name {
    names: &'static [&'static str],
    value: fn(&PlaceholderValues) -> &str,
    /// An older name kept for replies written with it (not offered in help).
    older: bool,
}

/// Every placeholder. `{金额}`/`{amount}` are the older names of `{实付}`: replies
/// written before the others existed still fill.
const NAMES: [Name; 15] = [
    Name { names: &["buyer", "买家"], value: |v| &v.buyer, older: false },
    Name { names: &["order", "订单号"], value: |v| &v.order_no, older: false },
    Name { names: &["courier", "快递"], value: |v| &v.courier, older: false },
    Name { names: &["tracking", "单号"], value: |v| &v.tracking_no, older: false },
    Name { names: &["receiver", "收货人"], value: |v| &v.receiver, older: false },
    Name { names: &["address", "地址"], value: |v| &v.address, older: false },
    Name { names: &["paid", "实付"], value: |v| &v.paid, older: false },
    Name { names: &["amount", "金额"], value: |v| &v.paid, older: true },
    Name { names: &["postage", "邮费"], value: |v| &v.postage, older: false },
    Name { names: &["refund", "退款金额"], value: |v| &v.refund_amount, older: false },
    Name { names: &["shipped", "发货时间"], value: |v| &v.shipped_at, older: false },
    Name { names: &["today", "今天"], value: |v| &v.today, older: false },
    Name { names: &["item", "商品"], value: |v| &v.item, older: false },
    Name { names: &["color_size", "颜色尺码"], value: |v| &v.color_size, older: false },
    Name { names: &["agent", "客服"], value: |v| &v.agent, older: false },
];

impl Name {
    fn chinese(&self) -> &'static str {
        self.names.iter().copied().find(|n| !n.is_ascii()).unwrap_or(self.names[0])
    }
}

/// Every placeholder as `({english}, {中文})`, for help texts.
pub fn all_names() -> Vec<(&'static str, &'static str)> {
    NAMES.iter().filter(|n| !n.older).map(|n| (n.names[0], n.chinese())).collect()
}

/// One piece of a filled reply: plain text, a filled value, or a missing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Filled(String),
    Missing(String),
}

impl Piece {
    pub fn text(&self) -> &str {
        match self {
            Piece::Text(s) | Piece::Filled(s) | Piece::Missing(s) => s,
        }
    }
}

fn lookup(name: &str) -> Option<&'static Name> {
    NAMES.iter().find(|n| n.names.contains(&name))
}

/// The reply cut into pieces, so a screen can colour filled and missing values. The
/// reply and the values are cleaned (they end up on the clipboard): a value is one line.
pub fn fill_pieces(template: &str, values: &PlaceholderValues) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let template = safe_text(template);
    let mut rest: &str = &template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let known = after.find('}').and_then(|close| lookup(after[..close].trim()).map(|n| (n, close)));
        match known {
            Some((name, close)) => {
                text.push_str(&rest[..open]);
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                let v = safe_line((name.value)(values));
                let v = v.trim();
                out.push(if v.is_empty() {
                    Piece::Missing(format!("【缺:{}】", name.chinese()))
                } else {
                    Piece::Filled(v.to_string())
                });
                rest = &after[close + 1..];
            }
            None => {
                text.push_str(&rest[..open + 1]);
                rest = after;
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// A filled reply: the text for the clipboard, and the placeholders it could not fill
/// (each stays in the text as `【缺:单号】`), so a copy can say what is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    /// Chinese names, in the order they appear, each once.
    pub missing: Vec<String>,
}

impl Filled {
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// The filled text, ready for the clipboard, and what is missing from it.
pub fn fill(template: &str, values: &PlaceholderValues) -> Filled {
    let pieces = fill_pieces(template, values);
    let mut missing: Vec<String> = Vec::new();
    for p in &pieces {
        if let Piece::Missing(m) = p {
            let name = m.trim_start_matches("【缺:").trim_end_matches('】').to_string();
            if !missing.contains(&name) {
                missing.push(name);
            }
        }
    }
    Filled { text: pieces.iter().map(Piece::text).collect(), missing }
}

/// The Chinese names of the placeholders in the reply that have no value (`单号` …).
pub fn missing(template: &str, values: &PlaceholderValues) -> Vec<String> {
    fill(template, values).missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> PlaceholderValues {
        PlaceholderValues {
            buyer: "小王2026".into(),
            order_no: "2606280001".into(),
            courier: "申通".into(),
            tracking_no: String::new(),
            receiver: "王芳".into(),
            address: "浙江省杭州市".into(),
            paid: "88.00".into(),
            postage: "0.00".into(),
            refund_amount: "45.50".into(),
            shipped_at: "6月27日 15:20".into(),
            today: "6月28日".into(),
            item: "连帽卫衣".into(),
            color_size: "黑色 L".into(),
            agent: "宾".into(),
        }
    }

    #[test]
    fn english_and_chinese_names_fill_the_same_values() {
        let v = values();
        assert_eq!(
            fill("亲,{buyer}您好,订单{order}由{courier}发出", &v).text,
            "亲,小王2026您好,订单2606280001由申通发出"
        );
        assert_eq!(fill("亲,{买家}您好,订单{订单号}由{快递}发出", &v).text, "亲,小王2026您好,订单2606280001由申通发出");
        assert_eq!(
            fill("{收货人}/{receiver} {地址} {金额}元 客服{客服}/{agent}", &v).text,
            "王芳/王芳 浙江省杭州市 88.00元 客服宾/宾"
        );
        for (en, zh) in all_names() {
            assert_eq!(fill(&format!("{{{en}}}"), &v), fill(&format!("{{{zh}}}"), &v), "{en} / {zh}");
        }
    }

    #[test]
    fn postage_refund_and_paid_are_three_different_sums() {
        let v = values();
        let t = "实付{实付}元,邮费{邮费}元,退款{退款金额}元;paid {paid}, postage {postage}, refund {refund}";
        assert_eq!(fill(t, &v).text, "实付88.00元,邮费0.00元,退款45.50元;paid 88.00, postage 0.00, refund 45.50");
        assert_eq!(fill("{金额}", &v).text, fill("{实付}", &v).text, "金额 is the older name of 实付");
    }

    #[test]
    fn dates_items_and_variants_fill() {
        let v = values();
        assert_eq!(
            fill("{今天}查到:{商品}({颜色尺码})已于{发货时间}发出", &v).text,
            "6月28日查到:连帽卫衣(黑色 L)已于6月27日 15:20发出"
        );
        assert_eq!(fill("{today}{item}{color_size}{shipped}", &v).text, "6月28日连帽卫衣黑色 L6月27日 15:20");
    }

    #[test]
    fn a_missing_value_is_marked_never_blank_and_reported() {
        let v = values();
        let f = fill("单号{tracking}呢,{单号}", &v);
        assert_eq!(f.text, "单号【缺:单号】呢,【缺:单号】");
        assert_eq!(f.missing, ["单号"]);
        assert!(!f.is_complete());
        assert!(fill("亲{买家}", &v).is_complete());
        assert_eq!(
            missing("{单号}{快递}{金额}{refund}{发货时间}", &PlaceholderValues::default()),
            ["单号", "快递", "金额", "退款金额", "发货时间"]
        );
    }

    #[test]
    fn unknown_braces_and_odd_text_pass_through() {
        let v = values();
        assert_eq!(fill("{unknown} {  } { 单号 } {", &v).text, "{unknown} {  } 【缺:单号】 {");
        assert_eq!(fill("", &v).text, "");
        assert_eq!(fill("{{buyer}}", &v).text, "{小王2026}");
        assert_eq!(fill("没有占位符呢", &v).text, "没有占位符呢");
    }

    /// A value planted behind kefu's back (edited in the database) never reaches the
    /// clipboard raw, nor a reply's own text.
    #[test]
    fn values_and_text_are_cleaned() {
        let v = PlaceholderValues {
            buyer: "小王\x1b]52;c;ZXZpbA==\x07".into(),
            receiver: "王芳\u{202e}\u{9b}31m".into(),
            address: "浙江\n杭州\x1b[2J".into(),
            ..values()
        };
        let filled = fill("亲\u{1b}]0;t\u{7},{买家} {收货人} {地址}\n{单号}", &v);
        assert_eq!(filled.text, "亲,小王 王芳 浙江 杭州\n【缺:单号】");
        assert_eq!(fill("{收货人}", &PlaceholderValues { receiver: "\u{202e}".into(), ..v }).text, "【缺:收货人】");
    }

    #[test]
    fn pieces_tell_filled_from_missing() {
        let p = fill_pieces("亲{buyer}{单号}", &values());
        assert_eq!(
            p,
            vec![Piece::Text("亲".into()), Piece::Filled("小王2026".into()), Piece::Missing("【缺:单号】".into())]
        );
    }
}
