//! The seed's text formats (`000`): the memo line, the damage/loss report sentence and
//! the damage-register line. Built from what the agent did, never typed by hand.

use super::text_len::is_blank;
use chrono::Datelike;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::money::format_yuan_short;

/// The platform keeps at most this many bytes in a seller memo.
pub const MEMO_MAX_BYTES: usize = 1000;

/// `6-28联系工号851更改地址,已更改 宾`: date, courier staff number, what was done,
/// result, agent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoLine {
    pub date: Option<NaiveDate>,
    /// 快递客服工号, when a courier was contacted.
    pub staff_no: String,
    pub action: String,
    pub result: String,
    pub agent: String,
}

impl MemoLine {
    pub fn render(&self) -> Result<String, String> {
        let action = self.action.trim();
        if is_blank(action) {
            return Err("备注要写做了什么".into());
        }
        let mut s = String::new();
        if let Some(d) = self.date {
            s.push_str(&format!("{}-{}", d.month(), d.day()));
        }
        if !self.staff_no.trim().is_empty() {
            s.push_str(&format!("联系工号{}", self.staff_no.trim()));
        }
        s.push_str(action);
        if !self.result.trim().is_empty() {
            s.push(',');
            s.push_str(self.result.trim());
        }
        if !self.agent.trim().is_empty() {
            s.push(' ');
            s.push_str(self.agent.trim());
        }
        check_memo_len(&s)?;
        Ok(s)
    }
}

pub fn check_memo_len(text: &str) -> Result<(), String> {
    if is_blank(text) {
        return Err("备注不能为空".into());
    }
    // Counted as stored: what cleaning removes takes no room.
    let bytes = super::sanitize::safe_text(text).len();
    if bytes > MEMO_MAX_BYTES {
        return Err(format!("备注最多 {MEMO_MAX_BYTES} 字节,这条有 {bytes} 字节"));
    }
    Ok(())
}

/// 破损 or 遗失.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ParcelLoss {
    #[default]
    Damaged,
    Lost,
}

impl ParcelLoss {
    pub fn label(self) -> &'static str {
        match self {
            ParcelLoss::Damaged => "破损",
            ParcelLoss::Lost => "遗失",
        }
    }

    pub fn parse(text: &str) -> Option<ParcelLoss> {
        match text.trim() {
            "破损" | "damaged" | "damage" => Some(ParcelLoss::Damaged),
            "遗失" | "丢失" | "lost" | "loss" => Some(ParcelLoss::Lost),
            _ => None,
        }
    }

    /// 派件结果 as the report sentence words it.
    fn result_phrase(self) -> &'static str {
        match self {
            ParcelLoss::Damaged => "在派件途中破损",
            ParcelLoss::Lost => "在运输途中遗失",
        }
    }
}

/// The fields of a damage/loss report to the courier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DamageReport {
    pub shop: String,
    pub ship_date: Option<NaiveDate>,
    pub origin: String,
    pub destination: String,
    pub tracking_no: String,
    pub loss: ParcelLoss,
    pub value_fen: i64,
    pub staff_no: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub courier: String,
}

impl DamageReport {
    pub fn validate(&self) -> Result<(), String> {
        let mut missing = Vec::new();
        for (v, name) in [
            (&self.shop, "店铺名(kefu shop set name …)"),
            (&self.origin, "发货地"),
            (&self.destination, "派件地区"),
            (&self.tracking_no, "物流单号"),
            (&self.staff_no, "查件客服工号"),
        ] {
            if is_blank(v) {
                missing.push(name);
            }
        }
        if self.ship_date.is_none() {
            missing.push("发货日期");
        }
        if self.value_fen <= 0 {
            missing.push("宝贝金额");
        }
        if missing.is_empty() { Ok(()) } else { Err(format!("破损/遗失报告缺少:{}", missing.join("、"))) }
    }

    /// `19shop于6月28日由杭州发往北京单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!`
    pub fn sentence(&self) -> String {
        let date = self.ship_date.map(|d| format!("{}月{}日", d.month(), d.day())).unwrap_or_default();
        format!(
            "{}于{}由{}发往{}单号{}{}价值人民币{}元与工号{}联系请核实!",
            self.shop.trim(),
            date,
            self.origin.trim(),
            self.destination.trim(),
            self.tracking_no.trim(),
            self.loss.result_phrase(),
            format_yuan_short(self.value_fen),
            self.staff_no.trim()
        )
    }

    /// `888090781867(破损)工号843价格88元(货号109)宾`
    pub fn register_line(&self, agent: &str) -> String {
        let sku = if self.sku.trim().is_empty() { String::new() } else { format!("(货号{})", self.sku.trim()) };
        format!(
            "{}({})工号{}价格{}元{}{}",
            self.tracking_no.trim(),
            self.loss.label(),
            self.staff_no.trim(),
            format_yuan_short(self.value_fen),
            sku,
            agent.trim()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, m, day)
    }

    #[test]
    fn memo_line_matches_the_seed_example() {
        let m = MemoLine {
            date: d(6, 28),
            staff_no: "851".into(),
            action: "更改地址".into(),
            result: "已更改".into(),
            agent: "宾".into(),
        };
        assert_eq!(m.render().unwrap(), "6-28联系工号851更改地址,已更改 宾");
    }

    #[test]
    fn memo_line_without_courier_or_result() {
        let m =
            MemoLine {
                date: d(11, 2), action: "买家要求发顺丰".into(), agent: "小美".into(), ..Default::default()
            };
        assert_eq!(m.render().unwrap(), "11-2买家要求发顺丰 小美");
        assert!(MemoLine::default().render().is_err());
    }

    #[test]
    fn memo_is_limited_to_a_thousand_bytes() {
        let m = MemoLine { action: "字".repeat(334), ..Default::default() };
        assert!(m.render().unwrap_err().contains("1000"));
        let ok = MemoLine { action: "字".repeat(333), ..Default::default() };
        assert!(ok.render().is_ok());
    }

    #[test]
    fn a_blank_memo_is_refused_and_stripped_escapes_take_no_room() {
        assert!(check_memo_len("\u{200b}\u{200d}").is_err());
        assert!(check_memo_len("\u{3000}").is_err());
        assert!(MemoLine { action: "\u{200d}\u{200d}".into(), ..Default::default() }.render().is_err());
        // 998 bytes of memo and an escape sequence that cleaning removes.
        let memo = format!("{}\x1b]0;{}\x07", "字".repeat(332), "x".repeat(50));
        assert!(memo.len() > MEMO_MAX_BYTES);
        assert!(check_memo_len(&memo).is_ok());
    }

    fn seed_report() -> DamageReport {
        DamageReport {
            shop: "19shop".into(),
            ship_date: d(6, 28),
            origin: "杭州".into(),
            destination: "北京".into(),
            tracking_no: "888090781867".into(),
            loss: ParcelLoss::Damaged,
            value_fen: 8800,
            staff_no: "843".into(),
            sku: "109".into(),
            courier: "申通".into(),
        }
    }

    #[test]
    fn report_sentence_matches_the_seed() {
        assert_eq!(
            seed_report().sentence(),
            "19shop于6月28日由杭州发往北京单号888090781867在派件途中破损价值人民币88元与工号843联系请核实!"
        );
        let lost = DamageReport { loss: ParcelLoss::Lost, value_fen: 12950, ..seed_report() };
        assert!(lost.sentence().contains("在运输途中遗失价值人民币129.50元"));
    }

    #[test]
    fn register_line_matches_the_seed() {
        assert_eq!(seed_report().register_line("宾"), "888090781867(破损)工号843价格88元(货号109)宾");
    }

    #[test]
    fn report_names_missing_fields() {
        let r = DamageReport { origin: String::new(), value_fen: 0, ..seed_report() };
        let e = r.validate().unwrap_err();
        assert!(e.contains("发货地") && e.contains("宝贝金额"), "{e}");
        assert!(seed_report().validate().is_ok());
    }
}
