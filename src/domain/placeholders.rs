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
    /// Already formatted (`88.00`).
    pub amount: String,
    pub agent: String,
}

/// Every placeholder: its English and Chinese names, and the label shown when missing.
const NAMES: [(&str, &str); 8] = [
    ("buyer", "买家"),
    ("order", "订单号"),
    ("courier", "快递"),
    ("tracking", "单号"),
    ("receiver", "收货人"),
    ("address", "地址"),
    ("amount", "金额"),
    ("agent", "客服"),
];

impl PlaceholderValues {
    fn get(&self, i: usize) -> &str {
        match i {
            0 => &self.buyer,
            1 => &self.order_no,
            2 => &self.courier,
            3 => &self.tracking_no,
            4 => &self.receiver,
            5 => &self.address,
            6 => &self.amount,
            _ => &self.agent,
        }
    }
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

fn lookup(name: &str) -> Option<usize> {
    NAMES.iter().position(|(en, zh)| *en == name || *zh == name)
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
        let known = after.find('}').and_then(|close| lookup(after[..close].trim()).map(|i| (i, close)));
        match known {
            Some((i, close)) => {
                text.push_str(&rest[..open]);
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                let v = safe_line(values.get(i));
                let v = v.trim();
                out.push(if v.is_empty() {
                    Piece::Missing(format!("【缺:{}】", NAMES[i].1))
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

/// The filled text, ready for the clipboard.
pub fn fill(template: &str, values: &PlaceholderValues) -> String {
    fill_pieces(template, values).iter().map(Piece::text).collect()
}

/// The Chinese names of the placeholders in the reply that have no value (`单号` …).
pub fn missing(template: &str, values: &PlaceholderValues) -> Vec<String> {
    fill_pieces(template, values)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Missing(m) => Some(m.trim_start_matches("【缺:").trim_end_matches('】').to_string()),
            _ => None,
        })
        .collect()
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
            amount: "88.00".into(),
            agent: "宾".into(),
        }
    }

    #[test]
    fn english_and_chinese_names_fill_the_same_values() {
        let v = values();
        assert_eq!(fill("亲,{buyer}您好,订单{order}由{courier}发出", &v), "亲,小王2026您好,订单2606280001由申通发出");
        assert_eq!(fill("亲,{买家}您好,订单{订单号}由{快递}发出", &v), "亲,小王2026您好,订单2606280001由申通发出");
        assert_eq!(
            fill("{收货人}/{receiver} {地址} {金额}元 客服{客服}/{agent}", &v),
            "王芳/王芳 浙江省杭州市 88.00元 客服宾/宾"
        );
    }

    #[test]
    fn a_missing_value_is_marked_never_blank() {
        let v = values();
        assert_eq!(fill("单号{tracking}呢", &v), "单号【缺:单号】呢");
        assert_eq!(fill("单号{单号}呢", &v), "单号【缺:单号】呢");
        assert_eq!(missing("{单号}{快递}{金额}", &PlaceholderValues::default()), ["单号", "快递", "金额"]);
    }

    #[test]
    fn unknown_braces_and_odd_text_pass_through() {
        let v = values();
        assert_eq!(fill("{unknown} {  } { 单号 } {", &v), "{unknown} {  } 【缺:单号】 {");
        assert_eq!(fill("", &v), "");
        assert_eq!(fill("{{buyer}}", &v), "{小王2026}");
        assert_eq!(fill("没有占位符呢", &v), "没有占位符呢");
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
        assert_eq!(filled, "亲,小王 王芳 浙江 杭州\n【缺:单号】");
        assert_eq!(fill("{收货人}", &PlaceholderValues { receiver: "\u{202e}".into(), ..v }), "【缺:收货人】");
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
