//! The shop's settings: shared by every seat (each change is a `setting_set` event),
//! named by `SettingKey`, never by a string typed in two places. Their values and
//! rules are `domain::shop`.

/// A setting kefu knows. A key it does not know (from a newer kefu's sync file) is
/// still stored and synced; it is just not read. `name()` is what `kefu shop set`
/// takes; `code()` is the key its events carry and `settings` stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingKey {
    /// The shop's name in the damage report sentence.
    ShopName,
    /// 淘宝C店 or 天猫: who pays the postage depends on it.
    ShopType,
    Origin,
    Cutoff,
    AutoConfirmDays,
    Shifts,
    Flags,
    Courier,
}

impl SettingKey {
    pub const ALL: [SettingKey; 8] = [
        SettingKey::ShopName,
        SettingKey::ShopType,
        SettingKey::Origin,
        SettingKey::Cutoff,
        SettingKey::AutoConfirmDays,
        SettingKey::Shifts,
        SettingKey::Flags,
        SettingKey::Courier,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SettingKey::ShopName => "name",
            SettingKey::ShopType => "type",
            SettingKey::Origin => "origin",
            SettingKey::Cutoff => "cutoff",
            SettingKey::AutoConfirmDays => "auto_confirm_days",
            SettingKey::Shifts => "shifts",
            SettingKey::Flags => "flags",
            SettingKey::Courier => "courier",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SettingKey::ShopName => "shop_name",
            SettingKey::ShopType => "shop_type",
            SettingKey::Origin => "shop_origin",
            SettingKey::Cutoff => "shop_cutoff",
            SettingKey::AutoConfirmDays => "shop_auto_confirm_days",
            SettingKey::Shifts => "shop_shifts",
            SettingKey::Flags => "shop_flags",
            SettingKey::Courier => "shop_courier",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SettingKey::ShopName => "店铺名",
            SettingKey::ShopType => "店铺类型",
            SettingKey::Origin => "发货地",
            SettingKey::Cutoff => "当日发货截止",
            SettingKey::AutoConfirmDays => "自动确认收货天数",
            SettingKey::Shifts => "早班/晚班",
            SettingKey::Flags => "旗帜含义",
            SettingKey::Courier => "默认快递",
        }
    }

    /// What a value looks like, for help and errors.
    pub fn example(self) -> &'static str {
        match self {
            SettingKey::ShopName => "19shop",
            SettingKey::ShopType => "C店 或 天猫",
            SettingKey::Origin => "杭州",
            SettingKey::Cutoff => "16:00",
            SettingKey::AutoConfirmDays => "10",
            SettingKey::Shifts => "09:00-15:00,15:00-23:00",
            SettingKey::Flags => "\"yellow=缺货待发; red=客服备注\"",
            SettingKey::Courier => "申通",
        }
    }

    /// By `code()`, `name()` or the Chinese label.
    pub fn parse(text: &str) -> Option<SettingKey> {
        let t = text.trim();
        SettingKey::ALL.into_iter().find(|k| k.code() == t || k.name() == t || k.label() == t)
    }

    /// The names, for an error message.
    pub fn names() -> String {
        SettingKey::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join("、")
    }
}

impl crate::domain::postage::ShopType {
    /// The value the `shop_type` setting holds.
    pub fn setting_value(self) -> &'static str {
        match self {
            crate::domain::postage::ShopType::CShop => "c_shop",
            crate::domain::postage::ShopType::Tmall => "tmall",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::postage::ShopType;

    #[test]
    fn codes_names_and_labels_read_back() {
        for k in SettingKey::ALL {
            assert_eq!(SettingKey::parse(k.code()), Some(k));
            assert_eq!(SettingKey::parse(k.name()), Some(k));
            assert_eq!(SettingKey::parse(k.label()), Some(k));
        }
        assert_eq!(SettingKey::ShopType.code(), "shop_type", "the key older seats already wrote");
        assert_eq!(SettingKey::parse("colour"), None);
        for t in [ShopType::CShop, ShopType::Tmall] {
            assert_eq!(ShopType::parse(t.setting_value()), Some(t));
        }
    }
}
