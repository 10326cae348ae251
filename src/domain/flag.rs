//! Memo flags (旗帜): the platform's numbers 0–5 and the shop's colour code.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(try_from = "u8", into = "u8")]
pub enum Flag {
    #[default]
    Grey = 0,
    Red = 1,
    Yellow = 2,
    Green = 3,
    Blue = 4,
    Purple = 5,
}

impl Flag {
    pub const ALL: [Flag; 6] = [Flag::Grey, Flag::Red, Flag::Yellow, Flag::Green, Flag::Blue, Flag::Purple];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: u8) -> Option<Flag> {
        Flag::ALL.get(n as usize).copied()
    }

    /// Accepts `0`–`5`, English colour names and the Chinese ones (红, 红旗, 紫色 …).
    pub fn parse(text: &str) -> Result<Flag, String> {
        let t = text.trim().to_lowercase();
        if let Ok(n) = t.parse::<u8>() {
            return Flag::from_number(n).ok_or_else(|| format!("旗帜编号必须是 0–5,收到 {n}"));
        }
        let t = t.trim_end_matches('旗').trim_end_matches('色');
        let f = match t {
            "grey" | "gray" | "none" | "灰" | "无" => Flag::Grey,
            "red" | "红" => Flag::Red,
            "yellow" | "黄" => Flag::Yellow,
            "green" | "绿" => Flag::Green,
            "blue" | "蓝" => Flag::Blue,
            "purple" | "pink" | "紫" | "粉" => Flag::Purple,
            _ => {
                return Err(format!("不认识的旗帜 '{text}':用 0–5 或 grey/red/yellow/green/blue/purple"));
            }
        };
        Ok(f)
    }

    pub fn name(self) -> &'static str {
        match self {
            Flag::Grey => "grey",
            Flag::Red => "red",
            Flag::Yellow => "yellow",
            Flag::Green => "green",
            Flag::Blue => "blue",
            Flag::Purple => "purple",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flag::Grey => "灰旗",
            Flag::Red => "红旗",
            Flag::Yellow => "黄旗",
            Flag::Green => "绿旗",
            Flag::Blue => "蓝旗",
            Flag::Purple => "紫旗",
        }
    }

    /// The shop convention from the seeds (`004` §10, §18, §20, §21; `000`).
    pub fn meaning(self) -> &'static str {
        match self {
            Flag::Grey => "无备注",
            Flag::Red => "客服备注:颜色尺码、其他要求(如发顺丰)、同一买家多单",
            Flag::Yellow => "不能发货/暂不发货(缺货、等待)",
            Flag::Green => "银行转账付款,款已到",
            Flag::Blue => "换货处理中",
            Flag::Purple => "退货处理中;中差评处理中",
        }
    }
}

impl From<Flag> for u8 {
    fn from(f: Flag) -> u8 {
        f as u8
    }
}

impl TryFrom<u8> for Flag {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Flag::from_number(n).ok_or_else(|| format!("flag must be 0–5, got {n}"))
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for f in Flag::ALL {
            assert_eq!(Flag::from_number(f.number()), Some(f));
            assert_eq!(Flag::parse(&f.number().to_string()), Ok(f));
            assert_eq!(Flag::parse(f.name()), Ok(f));
            assert_eq!(Flag::parse(f.label()), Ok(f));
        }
        assert_eq!(Flag::from_number(6), None);
    }

    #[test]
    fn names_in_both_languages_parse() {
        assert_eq!(Flag::parse("RED"), Ok(Flag::Red));
        assert_eq!(Flag::parse("紫"), Ok(Flag::Purple));
        assert_eq!(Flag::parse("pink"), Ok(Flag::Purple));
        assert_eq!(Flag::parse("黄色"), Ok(Flag::Yellow));
        assert!(Flag::parse("7").unwrap_err().contains("0–5"));
        assert!(Flag::parse("orange").is_err());
    }

    #[test]
    fn serde_uses_the_platform_number() {
        assert_eq!(serde_json::to_string(&Flag::Purple).unwrap(), "5");
        assert_eq!(serde_json::from_str::<Flag>("2").unwrap(), Flag::Yellow);
        assert!(serde_json::from_str::<Flag>("9").is_err());
    }
}
