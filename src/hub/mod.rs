//! The shop hub: many seats share one PostgreSQL database, each still working offline
//! on its own SQLite file. The hub is an append-only copy of the event log (see
//! `schema`); a seat pushes its own events the hub lacks and pulls, seat by seat, what
//! follows this database's contiguous head of that seat — the `(seat, seq)` series are
//! the cursors, so concurrent pushers committing out of order can never make a pull
//! skip an event. Pulled events go through exactly the verification and import of a
//! sync file (`sync::format::read_from`, then `sync::import_verified`): the pull is
//! written as a sync file in memory, verified as a whole, and imported in one
//! transaction — or refused, with nothing applied.
//!
//! The hub enforces who writes what (roles, row-level security); the URL a database
//! remembers never holds the password, which lives in a libpq-style password file.

pub mod live;
pub mod schema;
pub mod url;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, NoTls};
use serde::Serialize;

use crate::store::{Store, StoreError};
use crate::sync::format::{self, FORMAT_VERSION, Header, KEFU_VERSION};
use crate::sync::{FarFuture, Problem, Refusal, SyncError};

pub use url::HubUrl;

/// Where a database keeps its hub's URL (without the password).
pub const META_URL: &str = "hub.url";
const META_LAST_PULL: &str = "hub.last_pull";
const META_LAST_PUSH: &str = "hub.last_push";
/// This seat's head on the hub as last seen (for the pending count while offline).
const META_HUB_HEAD: &str = "hub.own_head";

/// Seconds to wait for the server when the URL does not say (`connect_timeout`).
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
/// Events per INSERT when pushing; each batch commits on its own, so an interrupted
/// push resumes from the hub's head without doubles.
const PUSH_BATCH: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("hub 地址不对:{0}")]
    Url(String),
    #[error("连接 hub {server}(数据库 {db})失败:{what}")]
    Connect { server: String, db: String, what: String },
    #[error("hub {server} 上的数据库 {db} 不是 kefu hub(没有 kefu 模式)— 管理员先运行 kefu hub init")]
    NotAHub { server: String, db: String },
    #[error("hub {server}/{db} 是更新的 kefu 建的(结构版本 {found},本 kefu 只认到 {ours}),未做任何改动 — 请升级 kefu")]
    Newer { server: String, db: String, found: i32, ours: i32 },
    #[error(
        "hub {server}/{db} 的结构版本 {found} 比本 kefu 的 {ours} 旧 — 请管理员用本版 kefu 运行 kefu hub init 升级"
    )]
    Older { server: String, db: String, found: i32, ours: i32 },
    #[error("hub {server}:{what}")]
    Server { server: String, what: String },
    #[error("本库还没有连接 hub — 先运行 kefu hub connect 席位地址(管理员用 kefu hub add-seat 生成)")]
    NotConnected,
    #[error("从 hub {server} 拉取的事件被拒收,本库未做任何改动:{refusal}")]
    Refused { server: String, refusal: Refusal },
    #[error("{0}")]
    Rule(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

impl HubError {
    /// The refusal, when pulled events failed verification.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            HubError::Refused { refusal, .. } => Some(refusal),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, HubError>;

/// `"name"`, with quotes doubled.
fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `'text'`, with quotes doubled.
fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The role every seat's role is a member of, for this hub database.
pub fn group_role(db: &str) -> String {
    format!("{db}_kefu_seat")
}

/// The role of the seat named `name` on this hub database (roles are server-wide, so
/// they carry the database's name).
pub fn seat_role(db: &str, name: &str) -> String {
    format!("{db}_{name}")
}

/// A connection to a hub.
pub struct Hub {
    client: Client,
    url: HubUrl,
}

fn connect_timeout(url: &HubUrl) -> Result<Duration> {
    match url.param("connect_timeout") {
        None => Ok(Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS)),
        Some(v) => v
            .parse::<u64>()
            .map(|s| Duration::from_secs(s.max(1)))
            .map_err(|_| HubError::Url(format!("connect_timeout={v} 不是秒数"))),
    }
}

fn tls_connector(url: &HubUrl, verify: bool) -> Result<postgres_openssl::MakeTlsConnector> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let tls_err = |e: openssl::error::ErrorStack| HubError::Connect {
        server: url.server(),
        db: url.dbname.clone(),
        what: format!("TLS 设置失败:{e}"),
    };
    let mut builder = SslConnector::builder(SslMethod::tls()).map_err(tls_err)?;
    if verify {
        if let Some(ca) = url.param("sslrootcert") {
            builder.set_ca_file(ca).map_err(tls_err)?;
        }
    } else {
        builder.set_verify(SslVerifyMode::NONE);
    }
    let mut connector = postgres_openssl::MakeTlsConnector::new(builder.build());
    if url.param("sslmode") != Some("verify-full") {
        connector.set_callback(|c, _| {
            c.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(connector)
}

/// What went wrong connecting, in words, naming the role or database when they are
/// the problem.
fn describe_connect_error(url: &HubUrl, e: &postgres::Error, had_password: bool, timeout: Duration) -> String {
    let user = url.user.clone().unwrap_or_default();
    if let Some(db) = e.as_db_error() {
        return match db.code().code() {
            "28P01" if had_password => format!("角色 {user} 的密码不对"),
            "28P01" => format!("服务器要角色 {user} 的密码,但地址和密码文件里都没有"),
            "28000" => format!("角色 {user} 不能登录(不存在、已被移除,或服务器不允许):{}", db.message()),
            "3D000" => format!("数据库 {} 不存在", url.dbname),
            "57P03" => "服务器正在启动或关闭,稍后再试".into(),
            "53300" => "服务器连接数已满".into(),
            code => format!("{}({code})", db.message()),
        };
    }
    let text = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "服务器没有运行,或不接受这个端口的连接".into(),
                std::io::ErrorKind::TimedOut => format!("{} 秒内没有回应(服务器不可达?)", timeout.as_secs()),
                _ => format!("{io}"),
            };
        }
        source = s.source();
    }
    if text.contains("timeout") || text.contains("timed out") {
        return format!("{} 秒内没有回应(服务器不可达?)", timeout.as_secs());
    }
    if text.contains("password missing") {
        return format!("服务器要角色 {user} 的密码,但地址和密码文件里都没有");
    }
    text
}

/// A failed query, in words.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.code().code() {
            "42501" => format!("服务器拒绝:权限不足({})", db.message()),
            code => format!("{}({code})", db.message()),
        },
        None if e.is_closed() => "连接已断开".into(),
        None => e.to_string(),
    }
}

/// The hub's head of each seat (its highest number; the trigger keeps every series
/// contiguous), found with one index probe per seat (a recursive skip scan).
const HEADS_SQL: &str = "WITH RECURSIVE s(seat) AS ( \
       (SELECT seat FROM kefu.events ORDER BY seat LIMIT 1) \
       UNION ALL \
       SELECT (SELECT e.seat FROM kefu.events e WHERE e.seat > s.seat ORDER BY e.seat LIMIT 1) \
       FROM s WHERE s.seat IS NOT NULL) \
     SELECT seat, (SELECT max(seq) FROM kefu.events e WHERE e.seat = s.seat) FROM s WHERE seat IS NOT NULL";

impl Hub {
    /// Connects within the URL's `connect_timeout` (5 s by default). The password is the
    /// URL's, else the password file's (`PGPASSFILE`, else `~/.pgpass`). TLS is used as
    /// the URL's `sslmode` asks (none when it does not say).
    pub fn open(url: &HubUrl) -> Result<Hub> {
        let timeout = connect_timeout(url)?;
        let mut cfg = postgres::Config::new();
        let user = url
            .user
            .clone()
            .or_else(|| std::env::var("PGUSER").ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "postgres".into());
        cfg.host(&url.host)
            .port(url.port)
            .dbname(&url.dbname)
            .user(&user)
            .application_name("kefu")
            .connect_timeout(timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let password =
            url.password.clone().or_else(|| url::passfile_path().and_then(|p| url::lookup_password(&p, url)));
        if let Some(p) = &password {
            cfg.password(p);
        }
        let sslmode = url.param("sslmode").unwrap_or("disable");
        let tls = match sslmode {
            "disable" | "allow" => None,
            "prefer" | "require" | "verify-ca" | "verify-full" => {
                cfg.ssl_mode(if sslmode == "prefer" {
                    postgres::config::SslMode::Prefer
                } else {
                    postgres::config::SslMode::Require
                });
                Some(tls_connector(url, sslmode.starts_with("verify"))?)
            }
            other => {
                return Err(HubError::Url(format!(
                    "sslmode={other} 不认识(disable、prefer、require、verify-ca、verify-full)"
                )));
            }
        };
        // The client's own timeout covers reaching the server, not a server that accepts
        // and then says nothing: the whole connect gets a deadline here. A connect that
        // misses it finishes (or fails) on its own thread, holding nothing.
        let no_answer = || HubError::Connect {
            server: url.server(),
            db: url.dbname.clone(),
            what: format!("{} 秒内没有回应(服务器不可达,或不是 PostgreSQL?)", timeout.as_secs()),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("kefu-hub-connect".into())
            .spawn(move || {
                let _ = tx.send(match tls {
                    None => cfg.connect(NoTls),
                    Some(tls) => cfg.connect(tls),
                });
            })
            .map_err(|e| HubError::Io(format!("无法启动连接线程:{e}")))?;
        let connected = rx.recv_timeout(timeout + Duration::from_millis(500)).map_err(|_| no_answer())?;
        let client = connected.map_err(|e| HubError::Connect {
            server: url.server(),
            db: url.dbname.clone(),
            what: describe_connect_error(url, &e, password.is_some(), timeout),
        })?;
        let mut url = url.clone();
        url.user = Some(user);
        Ok(Hub { client, url })
    }

    pub fn url(&self) -> &HubUrl {
        &self.url
    }

    /// The connection itself (tests, the live worker's LISTEN).
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    fn err(&self, e: postgres::Error) -> HubError {
        HubError::Server { server: format!("{}/{}", self.url.server(), self.url.dbname), what: describe(&e) }
    }

    fn label(&self) -> String {
        format!("{}/{}", self.url.server(), self.url.dbname)
    }

    /// The hub's schema version, or None when this database has no kefu schema.
    fn version(&mut self) -> Result<Option<i32>> {
        let row = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'kefu'), \
                        has_schema_privilege(current_user, (SELECT oid FROM pg_namespace WHERE nspname = 'kefu'), 'USAGE')",
                &[],
            )
            .map_err(|e| self.err(e))?;
        let (exists, usage): (bool, Option<bool>) = (row.get(0), row.get(1));
        if !exists {
            return Ok(None);
        }
        if usage != Some(true) {
            return Err(HubError::Rule(format!(
                "hub {}:角色 {} 没有使用 hub 的权限(已被移除,或不是这个 hub 的席位角色)",
                self.label(),
                self.url.user.as_deref().unwrap_or("")
            )));
        }
        let exists: bool = self
            .client
            .query_one("SELECT to_regclass('kefu.migrations') IS NOT NULL", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let v: i32 = self
            .client
            .query_one("SELECT COALESCE(max(version), 0) FROM kefu.migrations", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        Ok(Some(v))
    }

    /// Refuses a database that is not a hub, or a hub of another schema version.
    pub fn check_version(&mut self) -> Result<()> {
        let (server, db, ours) = (self.url.server(), self.url.dbname.clone(), schema::latest());
        match self.version()? {
            None => Err(HubError::NotAHub { server, db }),
            Some(found) if found > ours => Err(HubError::Newer { server, db, found, ours }),
            Some(found) if found < ours => Err(HubError::Older { server, db, found, ours }),
            Some(_) => Ok(()),
        }
    }

    /// Binds this connection's role to `seat` if it is not bound yet; refuses when it is
    /// bound to another seat.
    pub fn bind(&mut self, seat: &str) -> Result<()> {
        let role = self.url.user.clone().unwrap_or_default();
        let bound: String = match self.client.query_one("SELECT kefu.bind($1)", &[&seat]) {
            Ok(row) => row.get(0),
            Err(e) => {
                let code = e.as_db_error().map(|d| d.code().code().to_string());
                return Err(match code.as_deref() {
                    Some("KF001") => HubError::Rule(format!(
                        "hub {}:角色 {role} 不是席位角色(管理员用 kefu hub add-seat 生成)",
                        self.label()
                    )),
                    Some("KF002") => {
                        HubError::Rule(format!("hub {}:角色 {role} 已被移出 hub(kefu hub remove-seat)", self.label()))
                    }
                    Some("23505") => HubError::Rule(format!(
                        "hub {}:席位 {seat} 已绑定到另一个角色 — 每个席位用自己的地址",
                        self.label()
                    )),
                    _ => self.err(e),
                });
            }
        };
        if bound != seat {
            return Err(HubError::Rule(format!(
                "hub {}:角色 {role} 已绑定到席位 {bound},本库是席位 {seat} — 每个席位用自己的地址",
                self.label()
            )));
        }
        Ok(())
    }

    /// The hub's head of each seat (see `HEADS_SQL`).
    fn hub_heads(&mut self) -> Result<BTreeMap<String, i64>> {
        let rows = self.client.query(HEADS_SQL, &[]).map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1))).collect())
    }

    /// Pushes `seat`'s events the hub lacks, in batches that each commit (an interrupted
    /// push resumes from the hub's head). Returns how many were inserted and the hub's
    /// head of the seat afterwards.
    pub fn push(&mut self, store: &Store, seat: &str) -> Result<(u64, i64)> {
        let head: i64 = self
            .client
            .query_one("SELECT COALESCE(max(seq), 0) FROM kefu.events WHERE seat = $1", &[&seat])
            .map_err(|e| self.err(e))?
            .get(0);
        if head > 0 {
            let hub_hash: Option<String> = self
                .client
                .query_opt("SELECT hash FROM kefu.events WHERE seat = $1 AND seq = $2", &[&seat, &head])
                .map_err(|e| self.err(e))?
                .map(|r| r.get(0));
            if let (Some(local), Some(hub)) = (store.event_hash_at(seat, head)?, hub_hash)
                && local != hub
            {
                return Err(HubError::Rule(format!(
                    "hub {} 上席位 {seat} 的第 {head} 号事件与本库的不同 — 另一个数据库也用了席位名 {seat}?没有推送",
                    self.label()
                )));
            }
        }
        let mut after = head;
        let mut pushed = 0u64;
        let stmt = self
            .client
            .prepare(
                "INSERT INTO kefu.events (id, seat, seq, agent, at, wall, kind, payload, prev_hash, hash) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], \
                                      $7::text[], $8::text[], $9::text[], $10::text[]) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .map_err(|e| self.err(e))?;
        loop {
            let mut cols = Columns::default();
            let n = store.seat_events_after(seat, after, PUSH_BATCH, |e| cols.push(e))?;
            if n == 0 {
                break;
            }
            let params: [&(dyn ToSql + Sync); 10] = [
                &cols.id,
                &cols.seat,
                &cols.seq,
                &cols.agent,
                &cols.at,
                &cols.wall,
                &cols.kind,
                &cols.payload,
                &cols.prev_hash,
                &cols.hash,
            ];
            pushed += self.client.execute(&stmt, &params).map_err(|e| self.err(e))?;
            after = cols.seq.last().copied().unwrap_or(after);
            if n < PUSH_BATCH {
                break;
            }
        }
        Ok((pushed, after))
    }

    /// Pulls, seat by seat, every event that follows this database's contiguous head,
    /// verifies them as one sync file and imports them in one transaction.
    pub fn pull(&mut self, store: &mut Store) -> Result<Pulled> {
        let local = store.seat_heads()?;
        let label = self.label();
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| HubError::Server { server: label.clone(), what: describe(&e) })?;
        let err = |e: postgres::Error| HubError::Server { server: label.clone(), what: describe(&e) };
        // The hub's heads, in this snapshot.
        let heads: BTreeMap<String, i64> = {
            let rows = tx.query(HEADS_SQL, &[]).map_err(err)?;
            rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1))).collect()
        };
        // seat → (first number to pull, last)
        let wanted: BTreeMap<String, (i64, i64)> = heads
            .iter()
            .filter_map(|(seat, &max)| {
                let from = local.get(seat).map_or(0, |h| h.contiguous) + 1;
                (max >= from).then(|| (seat.clone(), (from, max)))
            })
            .collect();
        if wanted.is_empty() {
            tx.commit().map_err(err)?;
            return Ok(Pulled::default());
        }
        let count: u64 = wanted.values().map(|(a, b)| (b - a + 1) as u64).sum();
        let id_at = |tx: &mut postgres::Transaction<'_>, seat: &str, seq: i64| -> Result<Option<String>> {
            Ok(tx
                .query_opt("SELECT id FROM kefu.events WHERE seat = $1 AND seq = $2", &[&seat, &seq])
                .map_err(err)?
                .map(|r| r.get(0)))
        };
        let first = wanted.iter().next().map(|(s, (a, _))| (s.clone(), *a));
        let last = wanted.iter().next_back().map(|(s, (_, b))| (s.clone(), *b));
        let first_id = match &first {
            Some((s, a)) => id_at(&mut tx, s, *a)?,
            None => None,
        };
        let last_id = match &last {
            Some((s, b)) => id_at(&mut tx, s, *b)?,
            None => None,
        };
        let header = Header {
            kefu_sync: FORMAT_VERSION,
            kefu_version: KEFU_VERSION.to_string(),
            seat: store.actor().seat.clone(),
            created_at: format::created_now(store.clock()),
            event_count: count,
            seats: wanted.iter().map(|(s, (a, b))| (s.clone(), [*a, *b])).collect(),
            first_id,
            last_id,
            // The hub keeps no signed heads yet: pulled events count as unsigned (refused
            // for a seat this database has pinned; see `sync::import`).
            heads: Vec::new(),
        };
        let io = |e: std::io::Error| HubError::Io(format!("写出拉取的事件失败:{e}"));
        let mut writer =
            format::FileWriter::new(Vec::with_capacity((count as usize).min(1 << 22) * 400), &header, false)
                .map_err(io)?;
        let stmt = tx
            .prepare(
                "SELECT id, seat, seq, agent, at, wall, kind, payload, prev_hash, hash FROM kefu.events \
                 WHERE seat = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
            )
            .map_err(err)?;
        for (seat, (from, to)) in &wanted {
            let params: [&(dyn ToSql + Sync); 3] = [seat, from, to];
            let mut rows = tx.query_raw(&stmt, params).map_err(err)?;
            while let Some(r) = rows.next().map_err(err)? {
                writer
                    .stored_event(&format::StoredEvent {
                        id: r.get(0),
                        seat: r.get(1),
                        seq: r.get(2),
                        agent: r.get(3),
                        at: r.get(4),
                        wall: r.get(5),
                        kind: r.get(6),
                        payload: r.get(7),
                        prev_hash: r.get(8),
                        hash: r.get(9),
                    })
                    .map_err(io)?;
            }
        }
        tx.commit().map_err(err)?;
        // A count that disagrees with the header (an event missing on the hub) refuses
        // the pull in `finish`, or in verification below.
        let (bytes, _) = writer.finish().map_err(|e| HubError::Refused {
            server: label.clone(),
            refusal: Refusal { problem: Problem::Count, message: format!("hub 上的事件不连续:{e}") },
        })?;
        let total = bytes.len() as u64;
        let refused = |refusal: Refusal| HubError::Refused { server: label.clone(), refusal };
        let file = format::read_from(&bytes[..], total, &mut |_, _| {}).map_err(|e| match e {
            format::ReadError::Refused(r) => refused(r),
            format::ReadError::Io(e) => HubError::Io(e.to_string()),
        })?;
        drop(bytes);
        // Each seat's first pulled event must follow this database's head of that seat.
        for i in 0..file.len() {
            let Some(head) = local.get(file.seat(i)) else { continue };
            if head.contiguous > 0 && file.seq(i) == head.contiguous + 1 {
                let e = file.event(i).map_err(refused)?;
                if e.prev_hash != head.hash {
                    return Err(refused(Refusal {
                        problem: Problem::Chain,
                        message: format!(
                            "席位 {} 的第 {} 号事件接不上本库的第 {} 号 — hub 上的事件被改动过",
                            e.seat, e.seq, head.contiguous
                        ),
                    }));
                }
            }
        }
        let conflicts_before: std::collections::HashSet<String> =
            store.conflicts(None)?.into_iter().map(|c| c.event_id).collect();
        let report = crate::sync::import_verified(store, Path::new(&format!("hub {label}")), &file, &mut |_| {})
            .map_err(|e| match e {
                SyncError::Refused { refusal, .. } => refused(refusal),
                SyncError::Store(s) => HubError::Store(s),
                SyncError::Io { source, .. } => HubError::Io(source.to_string()),
            })?;
        let after = store.seat_heads()?;
        let mut per_seat: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for seat in wanted.keys() {
            let before = local.get(seat).map_or(0, |h| h.count);
            let now = after.get(seat).map_or(0, |h| h.count);
            per_seat.entry(seat.clone()).or_default().0 = (now - before).max(0) as u64;
        }
        if report.new_conflicts > 0 {
            for c in store.conflicts(None)? {
                if !conflicts_before.contains(&c.event_id) {
                    per_seat.entry(c.seat).or_default().1 += 1;
                }
            }
        }
        Ok(Pulled {
            pulled: report.new,
            conflicts: report.new_conflicts,
            per_seat,
            clocks_ahead: report.clocks_ahead,
            far_future: report.far_future,
        })
    }

    /// Push this seat's events, then pull everyone's.
    pub fn sync(&mut self, store: &mut Store) -> Result<SyncSummary> {
        let seat = store.actor().seat.clone();
        self.bind(&seat)?;
        let (pushed, head) = self.push(store, &seat)?;
        let now = crate::domain::event::format_at(store.clock().now_utc());
        store.set_meta(META_HUB_HEAD, &head.to_string())?;
        store.set_meta(META_LAST_PUSH, &now)?;
        let pulled = self.pull(store)?;
        store.set_meta(META_LAST_PULL, &now)?;
        let mut seats: BTreeMap<String, SeatSync> = BTreeMap::new();
        if pushed > 0 {
            seats.entry(seat.clone()).or_insert_with(|| SeatSync::new(&seat)).pushed = pushed;
        }
        for (s, (n, c)) in &pulled.per_seat {
            let e = seats.entry(s.clone()).or_insert_with(|| SeatSync::new(s));
            e.pulled = *n;
            e.conflicts = *c;
        }
        Ok(SyncSummary {
            hub: self.url.display(),
            seat,
            pushed,
            pulled: pulled.pulled,
            conflicts: pulled.conflicts,
            seats: seats.into_values().collect(),
            clocks_ahead: pulled.clocks_ahead,
            far_future: pulled.far_future,
        })
    }

    /// Every seat on the hub, for `kefu hub status`.
    pub fn seats(&mut self) -> Result<Vec<HubSeat>> {
        let heads = self.hub_heads()?;
        let rows = self
            .client
            .query(
                "SELECT s.name, s.seat, s.role::text, s.supervisor, s.revoked_at IS NOT NULL, \
                        to_char(GREATEST(s.last_seen, (SELECT max(received_at) FROM kefu.events e \
                                WHERE e.seat = s.seat)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') \
                 FROM kefu.seats s ORDER BY s.name",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let seat: Option<String> = r.get(1);
                HubSeat {
                    name: r.get(0),
                    events: seat.as_ref().and_then(|s| heads.get(s)).copied().unwrap_or(0),
                    seat,
                    role: r.get(2),
                    supervisor: r.get(3),
                    removed: r.get(4),
                    last_activity: r.get(5),
                }
            })
            .collect())
    }
}

/// Another seat's agent with a case open (a heartbeat younger than `PRESENCE_TTL_SECS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub seat: String,
    pub agent: String,
    /// The case's key in the log (a refund number or a case id).
    pub case_key: String,
}

/// How long a heartbeat says someone is on a case.
pub const PRESENCE_TTL_SECS: f64 = 45.0;

impl Hub {
    /// This seat's agent has `case_key` open (None: no case open). One row per seat.
    pub fn heartbeat(&mut self, seat: &str, agent: &str, case_key: Option<&str>) -> Result<()> {
        let done = match case_key {
            Some(k) => self
                .client
                .execute("DELETE FROM kefu.presence WHERE seat = $1 AND case_key <> $2", &[&seat, &k])
                .and_then(|_| {
                    self.client.execute(
                        "INSERT INTO kefu.presence (seat, agent, case_key) VALUES ($1, $2, $3) \
                         ON CONFLICT (seat, case_key) DO UPDATE SET agent = excluded.agent, seen_at = now()",
                        &[&seat, &agent, &k],
                    )
                }),
            None => self.client.execute("DELETE FROM kefu.presence WHERE seat = $1", &[&seat]),
        };
        done.map(|_| ()).map_err(|e| self.err(e))
    }

    /// Who at other seats has a case open now.
    pub fn presence(&mut self, seat: &str) -> Result<Vec<Presence>> {
        let rows = self
            .client
            .query(
                "SELECT seat, agent, case_key FROM kefu.presence \
                 WHERE seat <> $1 AND seen_at > now() - make_interval(secs => $2) ORDER BY case_key, seat",
                &[&seat, &PRESENCE_TTL_SECS],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| Presence { seat: r.get(0), agent: r.get(1), case_key: r.get(2) }).collect())
    }
}

/// A batch of events as columns, for one INSERT … SELECT FROM unnest(…).
#[derive(Default)]
struct Columns {
    id: Vec<String>,
    seat: Vec<String>,
    seq: Vec<i64>,
    agent: Vec<String>,
    at: Vec<String>,
    wall: Vec<Option<String>>,
    kind: Vec<String>,
    payload: Vec<String>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
}

impl Columns {
    fn push(&mut self, e: &format::StoredEvent<'_>) {
        self.id.push(e.id.to_string());
        self.seat.push(e.seat.to_string());
        self.seq.push(e.seq);
        self.agent.push(e.agent.to_string());
        self.at.push(e.at.to_string());
        self.wall.push(e.wall.map(str::to_string));
        self.kind.push(e.kind.to_string());
        self.payload.push(e.payload.to_string());
        self.prev_hash.push(e.prev_hash.to_string());
        self.hash.push(e.hash.to_string());
    }
}

/// What a pull brought.
#[derive(Debug, Default)]
pub struct Pulled {
    pub pulled: u64,
    pub conflicts: u64,
    /// seat → (new events, new conflicts)
    pub per_seat: BTreeMap<String, (u64, u64)>,
    pub clocks_ahead: Vec<(String, i64)>,
    pub far_future: Vec<FarFuture>,
}

/// One seat's share of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatSync {
    pub seat: String,
    pub pushed: u64,
    pub pulled: u64,
    pub conflicts: u64,
}

impl SeatSync {
    fn new(seat: &str) -> SeatSync {
        SeatSync { seat: seat.to_string(), pushed: 0, pulled: 0, conflicts: 0 }
    }
}

/// What `kefu hub sync` did.
#[derive(Debug, Serialize)]
pub struct SyncSummary {
    /// The hub's URL, without password.
    pub hub: String,
    /// This database's seat.
    pub seat: String,
    pub pushed: u64,
    pub pulled: u64,
    pub conflicts: u64,
    pub seats: Vec<SeatSync>,
    #[serde(skip)]
    pub clocks_ahead: Vec<(String, i64)>,
    #[serde(skip)]
    pub far_future: Vec<FarFuture>,
}

/// A seat on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubSeat {
    /// The name `add-seat` was given.
    pub name: String,
    /// The seat its role is bound to (None until it first connects).
    pub seat: Option<String>,
    pub role: String,
    pub supervisor: bool,
    pub removed: bool,
    /// Its events on the hub.
    pub events: i64,
    /// Its last push or connect (UTC).
    pub last_activity: Option<String>,
}

/// What `kefu hub init` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitReport {
    pub hub: String,
    /// The schema version before (0: a new hub) and after.
    pub from: i32,
    pub to: i32,
}

/// Creates or upgrades the hub schema, in one transaction under a lock; a hub made by
/// a newer kefu is refused untouched.
pub fn init(admin: &HubUrl) -> Result<InitReport> {
    let mut hub = Hub::open(admin)?;
    let label = hub.label();
    let err = |e: postgres::Error| HubError::Server { server: label.clone(), what: describe(&e) };
    let db: String = hub.client.query_one("SELECT current_database()", &[]).map_err(err)?.get(0);
    let group = group_role(&db);
    let mut tx = hub.client.transaction().map_err(err)?;
    tx.batch_execute("SELECT pg_advisory_xact_lock(hashtext('kefu.hub.init'))").map_err(err)?;
    let exists: bool = tx.query_one("SELECT to_regclass('kefu.migrations') IS NOT NULL", &[]).map_err(err)?.get(0);
    let from: i32 = if exists {
        tx.query_one("SELECT COALESCE(max(version), 0) FROM kefu.migrations", &[]).map_err(err)?.get(0)
    } else {
        0
    };
    let ours = schema::latest();
    if from > ours {
        return Err(HubError::Newer { server: admin.server(), db, found: from, ours });
    }
    tx.batch_execute(schema::BOOTSTRAP).map_err(err)?;
    tx.batch_execute(&format!(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {} NOLOGIN; END IF; END $$",
        quote_literal(&group),
        quote_ident(&group)
    ))
    .map_err(err)?;
    for (version, sql) in schema::MIGRATIONS.iter().filter(|(v, _)| *v > from) {
        tx.batch_execute(&sql.replace("{group}", &quote_ident(&group))).map_err(|e| HubError::Server {
            server: label.clone(),
            what: format!("结构版本 {version} 失败,hub 未做任何改动:{}", describe(&e)),
        })?;
        tx.execute("INSERT INTO kefu.migrations (version, kefu_version) VALUES ($1, $2)", &[version, &KEFU_VERSION])
            .map_err(err)?;
    }
    tx.commit().map_err(err)?;
    Ok(InitReport { hub: admin.display(), from, to: ours })
}

/// A seat made by `add_seat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSeat {
    pub seat: String,
    pub role: String,
    /// The seat's URL, with its password: shown once, to hand to the seat.
    pub url: String,
}

/// Creates a seat's role with a generated password.
pub fn add_seat(admin: &HubUrl, name: &str, supervisor: bool) -> Result<NewSeat> {
    let name = crate::domain::sanitize::clean_line(name).trim().to_string();
    if name.is_empty() {
        return Err(HubError::Rule("席位名不能是空的".into()));
    }
    let mut hub = Hub::open(admin)?;
    hub.check_version()?;
    let label = hub.label();
    let err = |e: postgres::Error| HubError::Server { server: label.clone(), what: describe(&e) };
    let db: String = hub.client.query_one("SELECT current_database()", &[]).map_err(err)?.get(0);
    let role = seat_role(&db, &name);
    if role.len() > 63 {
        return Err(HubError::Rule(format!(
            "席位名 {name} 太长:角色名 {role} 超过 PostgreSQL 的 63 字节 — 换个短一点的名字"
        )));
    }
    let password = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let mut tx = hub.client.transaction().map_err(err)?;
    let taken: Option<String> = tx
        .query_opt("SELECT role::text FROM kefu.seats WHERE name = $1 OR role = $2::text::name", &[&name, &role])
        .map_err(err)?
        .map(|r| r.get(0));
    if let Some(r) = taken {
        return Err(HubError::Rule(format!("hub {label} 上已有席位 {name}(角色 {r})— 换个名字,或先 remove-seat")));
    }
    let exists: bool =
        tx.query_one("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", &[&role]).map_err(err)?.get(0);
    if exists {
        return Err(HubError::Rule(format!("服务器上已有角色 {role} — 换个席位名")));
    }
    tx.batch_execute(&format!(
        "CREATE ROLE {r} LOGIN PASSWORD {p} IN ROLE {g}; GRANT CONNECT ON DATABASE {d} TO {r}",
        r = quote_ident(&role),
        p = quote_literal(&password),
        g = quote_ident(&group_role(&db)),
        d = quote_ident(&db),
    ))
    .map_err(err)?;
    tx.execute(
        "INSERT INTO kefu.seats (role, name, supervisor) VALUES ($1::text::name, $2, $3)",
        &[&role, &name, &supervisor],
    )
    .map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(NewSeat { seat: name, url: admin.as_role(&role, Some(&password)).with_password(), role })
}

/// What `remove_seat` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedSeat {
    pub seat: String,
    pub role: String,
    /// Its events, which stay on the hub.
    pub events: i64,
}

/// Revokes a seat's role: it can no longer log in, read or write; its events stay.
pub fn remove_seat(admin: &HubUrl, name: &str) -> Result<RemovedSeat> {
    let mut hub = Hub::open(admin)?;
    hub.check_version()?;
    let label = hub.label();
    let err = |e: postgres::Error| HubError::Server { server: label.clone(), what: describe(&e) };
    let db: String = hub.client.query_one("SELECT current_database()", &[]).map_err(err)?.get(0);
    let mut tx = hub.client.transaction().map_err(err)?;
    let row = tx
        .query_opt(
            "SELECT role::text, seat, revoked_at IS NOT NULL FROM kefu.seats \
             WHERE name = $1 OR seat = $1 OR role = $1::text::name ORDER BY (name = $1) DESC LIMIT 1",
            &[&name],
        )
        .map_err(err)?;
    let Some(row) = row else {
        return Err(HubError::Rule(format!("hub {label} 上没有席位 {name}")));
    };
    let (role, seat): (String, Option<String>) = (row.get(0), row.get(1));
    tx.execute("UPDATE kefu.seats SET revoked_at = COALESCE(revoked_at, now()) WHERE role = $1::text::name", &[&role])
        .map_err(err)?;
    tx.batch_execute(&format!(
        "REVOKE {g} FROM {r}; REVOKE CONNECT ON DATABASE {d} FROM {r}; ALTER ROLE {r} NOLOGIN",
        g = quote_ident(&group_role(&db)),
        r = quote_ident(&role),
        d = quote_ident(&db),
    ))
    .map_err(err)?;
    let events: i64 = match &seat {
        Some(s) => {
            tx.query_one("SELECT COALESCE(max(seq), 0) FROM kefu.events WHERE seat = $1", &[s]).map_err(err)?.get(0)
        }
        None => 0,
    };
    tx.commit().map_err(err)?;
    Ok(RemovedSeat { seat: name.to_string(), role, events })
}

/// What `connect` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connected {
    /// The URL stored, without password.
    pub hub: String,
    pub seat: String,
    pub role: String,
    /// Where the password was stored (None when the URL had none).
    pub passfile: Option<PathBuf>,
    /// The hub this database was connected to before, when it was another.
    pub replaced: Option<String>,
}

/// Connects this database to the hub at `url` (a seat's URL from `add-seat`): checks
/// the hub, binds the role to this seat, then remembers the URL without its password
/// and puts the password in the password file. Nothing local changes on failure.
pub fn connect(store: &mut Store, url: &HubUrl) -> Result<Connected> {
    let mut hub = Hub::open(url)?;
    hub.check_version()?;
    let seat = store.actor().seat.clone();
    hub.bind(&seat)?;
    let passfile = match &url.password {
        Some(pw) => {
            let path = url::passfile_path()
                .ok_or_else(|| HubError::Io("找不到密码文件的位置:设置 PGPASSFILE 或 HOME".into()))?;
            url::store_password(&path, url, pw)
                .map_err(|e| HubError::Io(format!("写密码文件 {} 失败:{e}", path.display())))?;
            Some(path)
        }
        None => None,
    };
    let shown = url.display();
    let replaced = store.meta(META_URL)?.filter(|old| *old != shown);
    store.set_meta(META_URL, &shown)?;
    Ok(Connected { hub: shown, seat, role: url.user.clone().unwrap_or_default(), passfile, replaced })
}

/// The hub this database is connected to (`kefu hub connect`), if any.
pub fn connected_url(store: &Store) -> Result<Option<HubUrl>> {
    match store.meta(META_URL)? {
        None => Ok(None),
        Some(text) => HubUrl::parse(&text).map(Some).map_err(HubError::Url),
    }
}

/// `kefu hub sync`: the given URL, else the connected hub.
pub fn sync(store: &mut Store, url: Option<&HubUrl>) -> Result<SyncSummary> {
    let url = match url {
        Some(u) => u.clone(),
        None => connected_url(store)?.ok_or(HubError::NotConnected)?,
    };
    let mut hub = Hub::open(&url)?;
    hub.check_version()?;
    hub.sync(store)
}

/// What `kefu hub status` shows.
#[derive(Debug, Serialize)]
pub struct Status {
    /// The hub's URL, without password (None: not connected).
    pub hub: Option<String>,
    pub seat: String,
    /// This seat's events not yet on the hub (as of the last sync).
    pub pending: i64,
    pub last_pull: Option<String>,
    pub last_push: Option<String>,
    /// Whether the hub answered now.
    pub online: bool,
    /// Why it did not.
    pub error: Option<String>,
    pub seats: Vec<HubSeat>,
}

/// Reads the local state, then asks the hub (within its connect timeout) for the seats.
pub fn status(store: &Store) -> Result<Status> {
    let seat = store.actor().seat.clone();
    let head: i64 = store.meta(META_HUB_HEAD)?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut st = Status {
        hub: None,
        pending: store.seat_events_count_after(&seat, head)?,
        seat,
        last_pull: store.meta(META_LAST_PULL)?,
        last_push: store.meta(META_LAST_PUSH)?,
        online: false,
        error: None,
        seats: Vec::new(),
    };
    let Some(url) = connected_url(store)? else { return Ok(st) };
    st.hub = Some(url.display());
    let asked = Hub::open(&url).and_then(|mut hub| {
        hub.check_version()?;
        let seats = hub.seats()?;
        let own: i64 = hub
            .client
            .query_one("SELECT COALESCE(max(seq), 0) FROM kefu.events WHERE seat = $1", &[&st.seat])
            .map_err(|e| hub.err(e))?
            .get(0);
        Ok((seats, own))
    });
    match asked {
        Ok((seats, own)) => {
            st.online = true;
            st.seats = seats;
            st.pending = store.seat_events_count_after(&st.seat, own)?;
        }
        Err(e) => st.error = Some(e.to_string()),
    }
    Ok(st)
}
