//! The shop's settings as the log leaves them: the shipped defaults overlaid with every
//! `setting_set` event of a shop key (last writer wins, like every setting), and who set
//! each one, when, from which seat.

use rusqlite::OptionalExtension;

use super::Store;
use super::error::{Result, StoreError};
use crate::domain::event::EventBody;
use crate::domain::setting::SettingKey;
use crate::domain::shop::ShopSettings;

/// One shop setting, where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettingRow {
    pub key: SettingKey,
    /// As `kefu shop` shows it.
    pub display: String,
    /// Who set it (None: the shipped default).
    pub set_by: Option<SetBy>,
    /// A stored value this kefu cannot read (a newer seat's?): kept, shown, not used.
    pub unreadable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetBy {
    pub agent: String,
    pub seat: String,
    /// UTC, as stored.
    pub at: String,
}

impl Store {
    /// The shop's settings in force.
    pub fn shop_settings(&self) -> Result<ShopSettings> {
        Ok(read_settings(&self.conn)?.0)
    }

    /// Every shop setting with its source, in `SettingKey::ALL` order.
    pub fn shop_setting_rows(&self) -> Result<Vec<ShopSettingRow>> {
        let (settings, stored) = read_settings(&self.conn)?;
        let mut out = Vec::new();
        for key in SettingKey::ALL {
            let found = stored.iter().find(|s| s.0 == key);
            let set_by = match found {
                Some((_, _, event_key, _)) => self.setter(event_key)?,
                None => None,
            };
            out.push(ShopSettingRow {
                key,
                display: settings.display(key),
                set_by,
                unreadable: found.and_then(|s| s.3.clone()),
            });
        }
        Ok(out)
    }

    /// The event behind a setting's `event_key` (`at \x01 seat \x01 seq`).
    fn setter(&self, event_key: &str) -> Result<Option<SetBy>> {
        let mut parts = event_key.split('\u{1}');
        let (Some(at), Some(seat), Some(seq)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let seq: i64 = seq.parse().unwrap_or(0);
        let agent: Option<String> = self
            .conn
            .query_row("SELECT agent FROM events WHERE seat = ?1 AND seq = ?2", rusqlite::params![seat, seq], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(agent.map(|agent| SetBy { agent, seat: seat.into(), at: at.into() }))
    }

    /// Sets a shop setting for every seat: checked, stored in its canonical form, as an
    /// event. Returns the settings now in force.
    pub fn set_shop_setting(&mut self, key: SettingKey, value: &str) -> Result<ShopSettings> {
        let current = self.shop_settings()?;
        let canonical = current.normalize(key, value).map_err(StoreError::Rule)?;
        self.record(EventBody::SettingSet { key: key.code().into(), value: canonical })?;
        self.shop_settings()
    }
}

/// (key, stored value, event key, why it could not be read).
type Stored = (SettingKey, String, String, Option<String>);

/// The settings in force, read inside or outside a transaction.
pub(super) fn read_settings(conn: &rusqlite::Connection) -> Result<(ShopSettings, Vec<Stored>)> {
    let mut settings = ShopSettings::default();
    let mut stored = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT key, value, event_key FROM settings WHERE key LIKE 'shop\\_%' ESCAPE '\\'")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (k, value, event_key) = row?;
        let Some(key) = SettingKey::parse(&k) else { continue };
        let unreadable = settings.set(key, &value).err();
        stored.push((key, value, event_key, unreadable));
    }
    Ok((settings, stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Actor;
    use crate::domain::postage::ShopType;

    #[test]
    fn settings_are_events_with_their_setter() {
        let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
        let rows = s.shop_setting_rows().unwrap();
        assert!(rows.iter().all(|r| r.set_by.is_none()));
        assert_eq!(rows[0].display, "(未设置)");
        s.set_shop_setting(SettingKey::ShopName, "19shop").unwrap();
        s.set_shop_setting(SettingKey::ShopType, "天猫").unwrap();
        let e = s.set_shop_setting(SettingKey::Cutoff, "晚上").unwrap_err();
        assert!(e.to_string().contains("16:00"), "{e}");
        let now = s.shop_settings().unwrap();
        assert_eq!((now.name.as_str(), now.shop_type), ("19shop", ShopType::Tmall));
        let rows = s.shop_setting_rows().unwrap();
        let name = rows.iter().find(|r| r.key == SettingKey::ShopName).unwrap();
        assert_eq!(name.set_by.as_ref().map(|b| (b.agent.as_str(), b.seat.as_str())), Some(("宾", "seat-1")));
        assert_eq!(s.setting("shop_type").unwrap().as_deref(), Some("tmall"));
        // a replay gives the same
        s.rebuild().unwrap();
        assert_eq!(s.shop_settings().unwrap(), now);
    }

    #[test]
    fn a_value_this_kefu_cannot_read_is_kept_and_named() {
        let mut s = Store::open_in_memory(Actor::new("宾", "seat-1")).unwrap();
        s.set_setting("shop_cutoff", "半夜").unwrap();
        let row = s.shop_setting_rows().unwrap().into_iter().find(|r| r.key == SettingKey::Cutoff).unwrap();
        assert!(row.unreadable.is_some());
        assert_eq!(row.display, "16:00");
        assert_eq!(s.shop_settings().unwrap().value_text(SettingKey::Cutoff), "16:00");
    }
}
