//! The shop's settings: what every seat must agree on (the shop's name and type, where
//! parcels ship from, the same-day cutoff, auto-confirm days, the shifts, the flag
//! colours' meanings, the default courier). Recorded as synced `setting_set` events;
//! their defaults are `assets/defaults.toml`'s `[shop]`. Pure: values in, checked
//! values out.

use std::sync::LazyLock;

use chrono::{NaiveDateTime, NaiveTime};

use super::flag::Flag;
use super::postage::ShopType;
use super::promise::ShippingPromise;
use super::setting::SettingKey;
use super::toml_tree;

/// The shipped defaults, compiled in (a test checks that they parse).
pub const DEFAULTS_TOML: &str = include_str!("../../assets/defaults.toml");

/// The early and the late shift, each from–to (shop time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shifts {
    pub early: (NaiveTime, NaiveTime),
    pub late: (NaiveTime, NaiveTime),
}

impl Shifts {
    /// 早班 before the late shift starts, 晚班 from then on.
    pub fn label(&self, t: NaiveDateTime) -> &'static str {
        if t.time() < self.late.0 { "早班" } else { "晚班" }
    }

    pub fn text(&self) -> String {
        let f = |t: NaiveTime| t.format("%H:%M").to_string();
        format!("{}-{},{}-{}", f(self.early.0), f(self.early.1), f(self.late.0), f(self.late.1))
    }

    pub fn parse(text: &str) -> Result<Shifts, String> {
        let parts: Vec<&str> =
            text.split([',', '\u{ff0c}', ';', '\u{ff1b}']).map(str::trim).filter(|p| !p.is_empty()).collect();
        let range = |p: &str| -> Result<(NaiveTime, NaiveTime), String> {
            let p = p.trim_start_matches("早班").trim_start_matches("晚班").trim();
            let (a, b) = p
                .split_once(['-', '\u{2013}', '~', '\u{ff5e}'])
                .ok_or_else(|| format!("班次 '{p}' 要写成 09:00-15:00"))?;
            Ok((parse_time(a)?, parse_time(b)?))
        };
        let [early, late] = parts.as_slice() else {
            return Err(format!("要写早班和晚班两段,如 09:00-15:00,15:00-23:00,收到 '{}'", text.trim()));
        };
        let s = Shifts { early: range(early)?, late: range(late)? };
        if s.early.0 >= s.early.1 || s.late.0 >= s.late.1 {
            return Err("每个班次的开始要早于结束".into());
        }
        if s.late.0 < s.early.0 {
            return Err("晚班要在早班之后开始".into());
        }
        Ok(s)
    }
}

/// `16:00`, `9:30`, `16:00:00`.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let t = text.trim().replace('\u{ff1a}', ":");
    NaiveTime::parse_from_str(&t, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&t, "%H:%M:%S"))
        .map_err(|_| format!("时间 '{}' 要写成 16:00", text.trim()))
}

/// Every shop setting's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    /// Empty: not set (the damage report asks for it).
    pub name: String,
    pub shop_type: ShopType,
    pub origin: String,
    pub cutoff: NaiveTime,
    pub auto_confirm_days: u32,
    pub shifts: Shifts,
    /// By flag number (0 grey … 5 purple).
    pub flag_meanings: [String; 6],
    pub courier: String,
}

static DEFAULTS: LazyLock<ShopSettings> = LazyLock::new(|| {
    #[allow(clippy::expect_used, reason = "assets/defaults.toml is compiled in; shipped_defaults_parse checks it")]
    parse_defaults(DEFAULTS_TOML).expect("assets/defaults.toml is valid")
});

/// The `[shop]` section of a defaults document.
fn parse_defaults(text: &str) -> Result<ShopSettings, String> {
    let leaves = toml_tree::parse(text).map_err(|e| format!("第 {} 行:{}", e.line, e.message))?;
    let mut s = ShopSettings {
        name: String::new(),
        shop_type: ShopType::default(),
        origin: String::new(),
        cutoff: NaiveTime::MIN,
        auto_confirm_days: 0,
        shifts: Shifts { early: (NaiveTime::MIN, NaiveTime::MIN), late: (NaiveTime::MIN, NaiveTime::MIN) },
        flag_meanings: Default::default(),
        courier: String::new(),
    };
    let mut seen = Vec::new();
    for leaf in leaves.iter().filter(|l| l.path.first().is_some_and(|p| p == "shop")) {
        let err = |m: String| format!("第 {} 行 {}:{m}", leaf.line, leaf.dotted());
        let text = leaf.value.as_setting_text().ok_or_else(|| err(format!("不能是{}", leaf.value.kind())))?;
        match leaf.path.as_slice() {
            [_, flags, colour] if flags == "flags" => {
                let flag = Flag::parse(colour).map_err(err)?;
                s.flag_meanings[flag.number() as usize] = text;
                seen.push(SettingKey::Flags);
            }
            [_, key] => {
                let key = SettingKey::parse(key).ok_or_else(|| err("不是店铺设置".into()))?;
                if key == SettingKey::ShopName || key == SettingKey::Origin {
                    // allowed to be empty: "not set"
                    s.set_raw(key, text.trim());
                } else {
                    s.set(key, &text).map_err(err)?;
                }
                seen.push(key);
            }
            _ => return Err(err("不是店铺设置".into())),
        }
    }
    if let Some(k) = SettingKey::ALL.into_iter().find(|k| !seen.contains(k)) {
        return Err(format!("[shop] 缺少 {}", k.name()));
    }
    if let Some(f) = Flag::ALL.into_iter().find(|f| s.flag_meanings[f.number() as usize].is_empty()) {
        return Err(format!("[shop.flags] 缺少 {}", f.name()));
    }
    Ok(s)
}

impl Default for ShopSettings {
    /// The shipped defaults (`assets/defaults.toml`).
    fn default() -> Self {
        DEFAULTS.clone()
    }
}

impl ShopSettings {
    pub fn promise(&self) -> ShippingPromise {
        ShippingPromise { cutoff: self.cutoff, ..ShippingPromise::default() }
    }

    pub fn flag_meaning(&self, flag: Flag) -> &str {
        &self.flag_meanings[flag.number() as usize]
    }

    /// The value as `kefu shop` shows it and as its event stores it.
    pub fn value_text(&self, key: SettingKey) -> String {
        match key {
            SettingKey::ShopName => self.name.clone(),
            SettingKey::ShopType => self.shop_type.setting_value().to_string(),
            SettingKey::Origin => self.origin.clone(),
            SettingKey::Cutoff => self.cutoff.format("%H:%M").to_string(),
            SettingKey::AutoConfirmDays => self.auto_confirm_days.to_string(),
            SettingKey::Shifts => self.shifts.text(),
            SettingKey::Flags => Flag::ALL
                .iter()
                .map(|f| format!("{}={}", f.name(), self.flag_meaning(*f)))
                .collect::<Vec<_>>()
                .join("; "),
            SettingKey::Courier => self.courier.clone(),
        }
    }

    /// The value for people (`C店/MT` rather than `c`).
    pub fn display(&self, key: SettingKey) -> String {
        match key {
            SettingKey::ShopType => self.shop_type.label().to_string(),
            SettingKey::ShopName | SettingKey::Origin if self.value_text(key).is_empty() => "(未设置)".into(),
            _ => self.value_text(key),
        }
    }

    fn set_raw(&mut self, key: SettingKey, text: &str) {
        match key {
            SettingKey::ShopName => self.name = text.to_string(),
            SettingKey::Origin => self.origin = text.to_string(),
            SettingKey::Courier => self.courier = text.to_string(),
            _ => {}
        }
    }

    /// Checks `value` for `key` and sets it; the error says what a value looks like.
    /// `flags` changes only the colours it names (`yellow=缺货待发; red=…`).
    pub fn set(&mut self, key: SettingKey, value: &str) -> Result<(), String> {
        let v = super::sanitize::clean_line(value);
        let v = v.trim();
        let bad = |why: String| {
            format!("{}({}):{why};例如 kefu shop set {} {}", key.label(), key.name(), key.name(), key.example())
        };
        match key {
            SettingKey::ShopName | SettingKey::Origin | SettingKey::Courier => {
                let n = v.chars().count();
                if n == 0 {
                    return Err(bad("不能为空".into()));
                }
                if n > 40 {
                    return Err(bad(format!("最多 40 个字,这里 {n} 个")));
                }
                self.set_raw(key, v);
            }
            SettingKey::ShopType => {
                self.shop_type = ShopType::parse(v).ok_or_else(|| bad(format!("不认识的店铺类型 '{v}'")))?;
            }
            SettingKey::Cutoff => self.cutoff = parse_time(v).map_err(bad)?,
            SettingKey::AutoConfirmDays => {
                let d: u32 = v.parse().map_err(|_| bad(format!("要写天数,收到 '{v}'")))?;
                if !(1..=30).contains(&d) {
                    return Err(bad(format!("1–30 天,收到 {d}")));
                }
                self.auto_confirm_days = d;
            }
            SettingKey::Shifts => self.shifts = Shifts::parse(v).map_err(bad)?,
            SettingKey::Flags => {
                // `colour=meaning` parts apart by `;`; a part with no `=` goes on the
                // meaning before it (a meaning may hold a `;`: 退货处理中;中差评处理中).
                let mut given: Vec<(Flag, String)> = Vec::new();
                for part in v.split([';', '\u{ff1b}']).map(str::trim).filter(|p| !p.is_empty()) {
                    match (part.split_once(['=', '\u{ff1d}']), given.last_mut()) {
                        (Some((colour, meaning)), _) => {
                            let flag = Flag::parse(colour).map_err(bad)?;
                            given.push((flag, meaning.trim().to_string()));
                        }
                        (None, Some((_, meaning))) => {
                            meaning.push(';');
                            meaning.push_str(part);
                        }
                        (None, None) => return Err(bad(format!("'{part}' 要写成 颜色=含义"))),
                    }
                }
                if given.is_empty() {
                    return Err(bad("要写至少一种颜色的含义".into()));
                }
                if let Some((flag, _)) = given.iter().find(|(_, m)| m.is_empty()) {
                    return Err(bad(format!("{} 的含义不能为空", flag.label())));
                }
                for (flag, meaning) in given {
                    self.flag_meanings[flag.number() as usize] = meaning;
                }
            }
        }
        Ok(())
    }

    /// What a `setting_set` event for `key` should store when someone types `value`:
    /// checked, in its one canonical form (every seat ranks and reads alike).
    pub fn normalize(&self, key: SettingKey, value: &str) -> Result<String, String> {
        let mut next = self.clone();
        next.set(key, value)?;
        Ok(next.value_text(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 28).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn shipped_defaults_parse_and_name_every_setting() {
        let d = parse_defaults(DEFAULTS_TOML).unwrap();
        assert_eq!(d, ShopSettings::default());
        assert_eq!(d.value_text(SettingKey::Cutoff), "16:00");
        assert_eq!(d.auto_confirm_days, 10);
        assert_eq!(d.shop_type, ShopType::CShop);
        assert_eq!(d.courier, "申通");
        assert_eq!(d.name, "", "the shop's name has no default");
        assert_eq!(d.shifts.label(at(14, 59)), "早班");
        assert_eq!(d.shifts.label(at(15, 0)), "晚班");
        for f in Flag::ALL {
            assert!(!d.flag_meaning(f).is_empty(), "{f:?}");
        }
        assert_eq!(d.promise(), ShippingPromise::default());
    }

    #[test]
    fn defaults_missing_a_setting_are_refused() {
        let without_cutoff = DEFAULTS_TOML.replace("cutoff = \"16:00\"\n", "");
        assert!(parse_defaults(&without_cutoff).unwrap_err().contains("cutoff"));
        let bad = DEFAULTS_TOML.replace("auto_confirm_days = 10", "auto_confirm_days = 99");
        let e = parse_defaults(&bad).unwrap_err();
        assert!(e.contains("auto_confirm_days") && e.contains("行"), "{e}");
    }

    #[test]
    fn values_are_checked_and_stored_in_one_form() {
        let s = ShopSettings::default();
        assert_eq!(s.normalize(SettingKey::Cutoff, " 15:30 ").unwrap(), "15:30");
        assert_eq!(s.normalize(SettingKey::Cutoff, "9:05").unwrap(), "09:05");
        assert_eq!(s.normalize(SettingKey::Cutoff, "15\u{ff1a}30").unwrap(), "15:30", "a full-width colon");
        assert_eq!(
            s.normalize(SettingKey::Shifts, "9:00-15:00\u{ff0c}15:00-23:00").unwrap(),
            "09:00-15:00,15:00-23:00"
        );
        assert!(s.normalize(SettingKey::Cutoff, "25:00").unwrap_err().contains("16:00"));
        assert_eq!(s.normalize(SettingKey::ShopType, "天猫").unwrap(), "tmall");
        assert_eq!(s.normalize(SettingKey::ShopType, "C店").unwrap(), "c_shop");
        assert!(s.normalize(SettingKey::ShopType, "京东").is_err());
        assert_eq!(s.normalize(SettingKey::AutoConfirmDays, "15").unwrap(), "15");
        for bad in ["0", "31", "十", "-3"] {
            assert!(s.normalize(SettingKey::AutoConfirmDays, bad).is_err(), "{bad}");
        }
        assert_eq!(
            s.normalize(SettingKey::Shifts, "早班 8:30-14:30, 晚班 14:30-22:00").unwrap(),
            "08:30-14:30,14:30-22:00"
        );
        assert!(s.normalize(SettingKey::Shifts, "09:00-15:00").is_err());
        assert!(s.normalize(SettingKey::Shifts, "15:00-23:00,09:00-15:00").is_err());
        assert!(s.normalize(SettingKey::ShopName, "  ").is_err());
        assert_eq!(s.normalize(SettingKey::ShopName, "19shop").unwrap(), "19shop");
        assert!(s.normalize(SettingKey::ShopName, &"店".repeat(41)).is_err());
    }

    #[test]
    fn flags_change_only_the_colours_named() {
        let mut s = ShopSettings::default();
        s.set(SettingKey::Flags, "yellow=缺货待发; 红=要发顺丰").unwrap();
        assert_eq!(s.flag_meaning(Flag::Yellow), "缺货待发");
        assert_eq!(s.flag_meaning(Flag::Red), "要发顺丰");
        assert_eq!(s.flag_meaning(Flag::Blue), ShopSettings::default().flag_meaning(Flag::Blue));
        // the stored form names every colour, so a later partial change keeps the rest
        let stored = s.value_text(SettingKey::Flags);
        let mut other = ShopSettings::default();
        other.set(SettingKey::Flags, &stored).unwrap();
        assert_eq!(other, s);
        assert!(s.clone().set(SettingKey::Flags, "orange=x").is_err());
        assert!(s.clone().set(SettingKey::Flags, "red=").is_err());
        assert!(s.clone().set(SettingKey::Flags, "只有含义").is_err());
        s.set(SettingKey::Flags, "purple\u{ff1d}退货中;中差评中").unwrap();
        assert_eq!(s.flag_meaning(Flag::Purple), "退货中;中差评中");
    }

    #[test]
    fn the_cutoff_moves_the_promise() {
        let mut s = ShopSettings::default();
        s.set(SettingKey::Cutoff, "15:00").unwrap();
        let p = s.promise();
        assert_eq!(p.ship_by(at(15, 30)), at(15, 30) + chrono::Duration::hours(24));
        assert_eq!(p.ship_by(at(14, 59)).time(), NaiveTime::from_hms_opt(23, 59, 59).unwrap());
    }
}
