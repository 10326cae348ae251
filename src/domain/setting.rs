//! The shop's settings: shared by every seat (each change is a `setting_set` event),
//! named by `SettingKey`, never by a string typed in two places.

/// A setting kefu knows. A key it does not know (from a newer kefu's sync file) is
/// still stored and synced; it is just not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingKey {
    /// 淘宝C店 or 天猫: who pays the postage depends on it.
    ShopType,
    /// The shop's name in the damage report sentence.
    ShopName,
}

impl SettingKey {
    pub const ALL: [SettingKey; 2] = [SettingKey::ShopType, SettingKey::ShopName];

    /// The key as stored in `settings` and in the event.
    pub fn code(self) -> &'static str {
        match self {
            SettingKey::ShopType => "shop_type",
            SettingKey::ShopName => "shop_name",
        }
    }

    pub fn parse(code: &str) -> Option<SettingKey> {
        SettingKey::ALL.into_iter().find(|k| k.code() == code)
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
    fn codes_read_back() {
        for k in SettingKey::ALL {
            assert_eq!(SettingKey::parse(k.code()), Some(k));
        }
        for t in [ShopType::CShop, ShopType::Tmall] {
            assert_eq!(ShopType::parse(t.setting_value()), Some(t));
        }
    }
}
