//! This database's seat: its key file beside the database, its id and readable name
//! (see `domain::seat_id`), and the keys and signed chain heads of the seats it knows.
//!
//! * A new database gets a key pair at once; the key file `<database>.key` is created
//!   with owner-only permissions (0600) and is never written into a sync file.
//! * `--seat NAME` / `KEFU_SEAT` only name the seat when the database is created; on an
//!   existing database they may name its own seat (name or id), nothing else.
//! * A database from before keys keeps its seat name and gets a key on first run: its
//!   new events are written under the new id; the old ones stay valid, unsigned.
//! * A lost (or replaced) key file means a new seat: a new key, a new id, the same name.
//!   The old seat's events stay valid; the database continues under the new id.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::error::{Result, StoreError};
use crate::domain::event::format_at;
use crate::domain::seat_id::{self, SeatKey, SignedHead};

const KEY_FILE_TAG: &str = "kefu seat key v1";
const META_NAME: &str = "seat";
const META_ID: &str = "seat.id";
/// Set by `kefu seats trust`: from then on only seats with a known key are let in.
pub const META_TRUST_CLOSED: &str = "seats.trust_closed";

/// The key file of the database at `db`.
pub fn key_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

/// This database's seat as `Store::take_seat` settled it.
#[derive(Debug)]
pub struct Identity {
    pub seat: String,
    pub name: String,
    /// What the person should be told (a key created for an old database, a lost key).
    pub notes: Vec<String>,
}

/// A known seat's key, as `seat_keys` holds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KnownKey {
    pub seat: String,
    pub public_key: String,
    /// `own`, `seen` (pinned on first use) or `trusted` (from a supervisor's list).
    pub source: String,
    pub first_seen: String,
    pub last_seen: String,
}

fn key_error(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::Rule(format!("席位密钥文件 {} 无法使用:{why}", path.display()))
}

/// Reads the key file, or None when there is none.
fn read_key(path: &Path) -> Result<Option<SeatKey>> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(key_error(path, e)),
    };
    let mut lines = text.lines();
    if lines.next() != Some(KEY_FILE_TAG) {
        return Err(key_error(path, "第 1 行不是 kefu 席位密钥"));
    }
    let mut seed = [0u8; 32];
    match lines.next().map(|l| hex::decode_to_slice(l.trim(), &mut seed)) {
        Some(Ok(())) => Ok(Some(SeatKey::from_seed(&seed))),
        _ => Err(key_error(path, "第 2 行应是 64 位十六进制密钥")),
    }
}

/// Creates a new key file (owner-only, never over an existing one).
fn create_key(path: &Path) -> Result<SeatKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| key_error(path, format!("系统没有给出随机数({e})")))?;
    let key = SeatKey::from_seed(&seed);
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|e| key_error(path, e))?;
    writeln!(f, "{KEY_FILE_TAG}\n{}", hex::encode(key.seed())).map_err(|e| key_error(path, e))?;
    f.sync_all().map_err(|e| key_error(path, e))?;
    Ok(key)
}

/// Whether others than the owner may read the key file (then it is made owner-only).
#[cfg(unix)]
fn tighten(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path).ok()?.permissions().mode();
    if mode & 0o077 == 0 {
        return None;
    }
    let fixed = fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700)).is_ok();
    Some(if fixed {
        format!("席位密钥文件 {} 别人也能读,已改为只有你能读写(0600)", path.display())
    } else {
        format!("注意:席位密钥文件 {} 别人也能读,且无法更改 — 请改为只有你能读写(chmod 600)", path.display())
    })
}

#[cfg(not(unix))]
fn tighten(_: &Path) -> Option<String> {
    None
}

impl Store {
    /// Settles this database's seat (see the module doc) and signs with its key from now
    /// on. `wanted` is what `--seat`/`KEFU_SEAT` said; `default_name` names a new seat
    /// when nothing did. A database opened read-only is only read: nothing is created.
    pub fn take_seat(
        &mut self,
        db: &Path,
        wanted: Option<&str>,
        default_name: impl FnOnce() -> String,
    ) -> Result<Identity> {
        let key_file = key_path(db);
        let name_meta = self.meta(META_NAME)?;
        let id_meta = self.meta(META_ID)?;
        if let (Some(w), true) = (wanted, name_meta.is_some() || id_meta.is_some()) {
            let own = id_meta.as_deref().is_some_and(|id| seat_id::names(id, w)) || name_meta.as_deref() == Some(w);
            if !own {
                let shown = id_meta.clone().or(name_meta.clone()).unwrap_or_default();
                return Err(StoreError::Rule(format!(
                    "这个数据库是席位 {shown} 的;--seat / KEFU_SEAT 只在新建数据库时取名,不能换成席位 {w}(一个数据库只有一个席位;看别的席位的记录:kefu log --seat {w})"
                )));
            }
        }
        let name = seat_id::clean_name(&name_meta.clone().or(wanted.map(str::to_string)).unwrap_or_else(default_name));
        if self.is_read_only() {
            let key = read_key(&key_file).ok().flatten();
            let seat = match (&id_meta, &key) {
                (Some(id), Some(k)) if k.owns(id) => id.clone(),
                (Some(id), _) => id.clone(),
                (None, _) => name.clone(),
            };
            self.key = key.filter(|k| k.owns(&seat)).map(Arc::new);
            self.actor.seat = seat.clone();
            return Ok(Identity { seat, name, notes: Vec::new() });
        }
        let mut notes = Vec::new();
        let key = match read_key(&key_file)? {
            Some(k) => {
                notes.extend(tighten(&key_file));
                k
            }
            None => create_key(&key_file)?,
        };
        let seat = key.seat_id(&name);
        if id_meta.as_deref() != Some(seat.as_str()) {
            match (&id_meta, &name_meta) {
                (Some(old), _) => notes.push(format!(
                    "本库的席位密钥文件 {} 不见了或换过:从此以新席位 {seat} 记录。旧席位 {old} 的事件照旧有效;请把新席位告诉主管(kefu seats export)。",
                    key_file.display()
                )),
                (None, Some(_)) if !self.is_empty()? => notes.push(format!(
                    "本库有了席位密钥({}):从此以席位 {seat} 签名记录;之前的事件照旧有效(未签名)。",
                    key_file.display()
                )),
                _ => {}
            }
            self.set_meta(META_NAME, &name)?;
            self.set_meta(META_ID, &seat)?;
        }
        self.use_key(key, &name)?;
        Ok(Identity { seat, name, notes })
    }

    /// Makes `key` this store's seat key, its seat `name#fingerprint`, without a key file
    /// (`take_seat` does this with the file's key; tests and tools hand one in). Returns
    /// the seat id.
    pub fn use_key(&mut self, key: SeatKey, name: &str) -> Result<String> {
        let seat = key.seat_id(&seat_id::clean_name(name));
        if !self.is_read_only() {
            let now = format_at(self.clock.now_utc());
            self.conn.execute(
                "INSERT INTO seat_keys (seat, public_key, source, first_seen, last_seen) VALUES (?1, ?2, 'own', ?3, ?3) \
                 ON CONFLICT(seat) DO NOTHING",
                params![seat, key.public_hex(), now],
            )?;
        }
        self.actor.seat = seat.clone();
        self.key = Some(Arc::new(key));
        Ok(seat)
    }

    /// This database's key, when it has one (a store opened by `take_seat`).
    pub fn seat_key(&self) -> Option<&SeatKey> {
        self.key.as_deref()
    }

    /// Every seat whose key this database knows.
    pub fn known_keys(&self) -> Result<Vec<KnownKey>> {
        let mut stmt =
            self.conn.prepare("SELECT seat, public_key, source, first_seen, last_seen FROM seat_keys ORDER BY seat")?;
        let rows = stmt.query_map([], |r| {
            Ok(KnownKey {
                seat: r.get(0)?,
                public_key: r.get(1)?,
                source: r.get(2)?,
                first_seen: r.get(3)?,
                last_seen: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The key pinned for `seat`, if any.
    pub fn pinned_key(&self, seat: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT public_key FROM seat_keys WHERE seat = ?")?
            .query_row([seat], |r| r.get(0))
            .optional()?)
    }

    /// Whether only seats with a known key are let in (after `kefu seats trust`).
    pub fn trust_closed(&self) -> Result<bool> {
        Ok(self.meta(META_TRUST_CLOSED)?.as_deref() == Some("1"))
    }

    /// The highest signed head held for each seat (the witnesses).
    pub fn witnesses(&self) -> Result<Vec<SignedHead>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seat, max(seq), hash, public_key, sig FROM signed_heads GROUP BY seat ORDER BY seat")?;
        let rows = stmt.query_map([], |r| {
            Ok(SignedHead { seat: r.get(0)?, seq: r.get(1)?, hash: r.get(2)?, key: r.get(3)?, sig: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The signed heads of `seat` a file carrying its events `min..=max` should hold:
    /// the one at `max`, and when the range has holes, every one inside it.
    pub fn heads_for_export(&self, seat: &str, min: i64, max: i64, contiguous: bool) -> Result<Vec<SignedHead>> {
        let sql = if contiguous {
            "SELECT seat, seq, hash, public_key, sig FROM signed_heads WHERE seat = ?1 AND seq = ?3 AND ?2 <= ?3"
        } else {
            "SELECT seat, seq, hash, public_key, sig FROM signed_heads WHERE seat = ?1 AND seq BETWEEN ?2 AND ?3"
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![seat, min, max], |r| {
            Ok(SignedHead { seat: r.get(0)?, seq: r.get(1)?, hash: r.get(2)?, key: r.get(3)?, sig: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Keeps `head` (verified by the caller) and pins its key when the seat has none yet.
pub(super) fn keep_head(tx: &rusqlite::Transaction<'_>, head: &SignedHead, now: &str, own: bool) -> Result<()> {
    if own {
        // Only this seat's newest: it is re-signed on every write.
        tx.prepare_cached("DELETE FROM signed_heads WHERE seat = ?1 AND seq < ?2")?
            .execute(params![head.seat, head.seq])?;
    }
    tx.prepare_cached(
        "INSERT INTO signed_heads (seat, seq, hash, public_key, sig, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(seat, seq) DO NOTHING",
    )?
    .execute(params![head.seat, head.seq, head.hash, head.key, head.sig, now])?;
    tx.prepare_cached(
        "INSERT INTO seat_keys (seat, public_key, source, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT(seat) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
    )?
    .execute(params![head.seat, head.key, if own { "own" } else { "seen" }, now])?;
    Ok(())
}

impl super::Writer<'_> {
    /// Keeps the signed heads of a verified import (other seats' only: this seat signs
    /// its own) and pins the key of each seat seen for the first time.
    pub fn keep_heads(&mut self, heads: &[SignedHead]) -> Result<()> {
        for h in heads.iter().filter(|h| h.seat != self.actor.seat) {
            keep_head(&self.tx, h, &self.received_at, false)?;
        }
        Ok(())
    }
}

/// A seat list as `kefu seats export` writes it and `kefu seats trust` reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatList {
    pub kefu_seats: u32,
    pub seats: Vec<ListedSeat>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedSeat {
    pub seat: String,
    pub public_key: String,
}

/// What `Store::trust_seats` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trusted {
    /// Seats whose key was not known here before.
    pub added: Vec<String>,
    /// Seats already known with that very key.
    pub confirmed: Vec<String>,
}

impl Store {
    /// Every seat whose key this database knows (its own included), for a supervisor to
    /// hand out.
    pub fn seat_list(&self) -> Result<SeatList> {
        let seats =
            self.known_keys()?.into_iter().map(|k| ListedSeat { seat: k.seat, public_key: k.public_key }).collect();
        Ok(SeatList { kefu_seats: 1, seats })
    }

    /// Takes a supervisor's seat list: each key is checked against its seat id and
    /// against the key already pinned for the seat (a clash refuses the whole list,
    /// naming the seat); then all are recorded as trusted in one transaction, and from
    /// then on seats not on a list (nor pinned) are refused.
    pub fn trust_seats(&mut self, list: &SeatList) -> Result<Trusted> {
        self.writable()?;
        for s in &list.seats {
            let mut public = [0u8; 32];
            let fp = seat_id::split(&s.seat).1;
            if hex::decode_to_slice(&s.public_key, &mut public).is_err()
                || fp != Some(seat_id::fingerprint(&public).as_str())
            {
                return Err(StoreError::Rule(format!(
                    "名单里席位 {} 的公钥与席位编号里的指纹不符 — 名单被改动过,未作任何改动",
                    s.seat
                )));
            }
            if let Some(k) = self.pinned_key(&s.seat)?
                && k != s.public_key
            {
                return Err(StoreError::Rule(format!(
                    "名单里席位 {} 的公钥与本库登记的不同 — 名单或本库有一个被冒名,未作任何改动",
                    s.seat
                )));
            }
        }
        let now = format_at(self.clock.now_utc());
        let mut done = Trusted::default();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for s in &list.seats {
            let known: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM seat_keys WHERE seat = ?)", [&s.seat], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO seat_keys (seat, public_key, source, first_seen, last_seen) VALUES (?1, ?2, 'trusted', ?3, ?3) \
                 ON CONFLICT(seat) DO UPDATE SET source = CASE source WHEN 'own' THEN 'own' ELSE 'trusted' END",
                params![s.seat, s.public_key, now],
            )?;
            if known { done.confirmed.push(s.seat.clone()) } else { done.added.push(s.seat.clone()) }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, '1') ON CONFLICT(key) DO UPDATE SET value = '1'",
            [META_TRUST_CLOSED],
        )?;
        tx.commit()?;
        Ok(done)
    }
}

/// Moves `seat`'s witnessed prefix up as far as its events now run without a hole.
pub(super) fn advance_witness(tx: &rusqlite::Transaction<'_>, seat: &str) -> Result<()> {
    let (mut seq, mut hash): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM witnesses WHERE seat = ?")?
        .query_row([seat], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default();
    let start = seq;
    {
        let mut stmt = tx.prepare_cached("SELECT seq, hash FROM events WHERE seat = ?1 AND seq > ?2 ORDER BY seq")?;
        let mut rows = stmt.query(params![seat, seq])?;
        while let Some(r) = rows.next()? {
            let next: i64 = r.get(0)?;
            if next != seq + 1 {
                break;
            }
            seq = next;
            hash = r.get(1)?;
        }
    }
    if seq > start {
        tx.prepare_cached(
            "INSERT INTO witnesses (seat, seq, hash) VALUES (?1, ?2, ?3) \
             ON CONFLICT(seat) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > witnesses.seq",
        )?
        .execute(params![seat, seq, hash])?;
    }
    Ok(())
}

impl Store {
    /// Each seat's witnessed prefix (seq, hash).
    pub fn witnessed(&self) -> Result<std::collections::BTreeMap<String, (i64, String)>> {
        let mut stmt = self.conn.prepare("SELECT seat, seq, hash FROM witnesses")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
