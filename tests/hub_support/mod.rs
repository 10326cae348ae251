//! What the hub tests share: a throwaway PostgreSQL database of their own, with roles
//! prefixed by its name, dropped afterwards (so tests run in parallel on one server).
//!
//! The server is `KEFU_TEST_PG` (default postgres://postgres@127.0.0.1:5432/postgres).
//! Without one, a test says so loudly and passes as skipped — unless `KEFU_REQUIRE_PG=1`
//! (as `.ci/run` sets), where that is a failure.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use kefu::hub::HubUrl;
use postgres::{Client, NoTls};

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn server_url() -> String {
    std::env::var("KEFU_TEST_PG").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_PG.to_string())
}

/// A connection as the URL says (trust auth or its password), within 3 s.
pub fn client(url: &str) -> Result<Client, postgres::Error> {
    let mut cfg: postgres::Config = url.parse()?;
    cfg.connect_timeout(std::time::Duration::from_secs(3));
    cfg.connect(NoTls)
}

/// A database of this test's own on the test server.
pub struct TestPg {
    /// Its name; every role the test makes starts with it.
    pub name: String,
    /// The admin URL of this database.
    pub admin: String,
    server: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A new throwaway database, or None (the test is skipped) when no server answers.
pub fn pg(test: &str) -> Option<TestPg> {
    let server = server_url();
    let mut c = match client(&server) {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("KEFU_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("KEFU_REQUIRE_PG=1 but no PostgreSQL at {server}: {e}");
            }
            eprintln!(
                "\n!!! SKIPPED {test}: no PostgreSQL at {server} ({e}).\n!!! Start one (see README, 'The shop hub') or set KEFU_TEST_PG.\n"
            );
            return None;
        }
    };
    let name = format!(
        "kefu_t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    );
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let mut url = HubUrl::parse(&server).unwrap();
    url.dbname = name.clone();
    Some(TestPg { name, admin: url.with_password(), server })
}

impl TestPg {
    pub fn admin_url(&self) -> HubUrl {
        HubUrl::parse(&self.admin).unwrap()
    }

    /// A connection as the admin to this database.
    pub fn admin_client(&self) -> Client {
        client(&self.admin).unwrap()
    }

    /// Another throwaway database name on the same server (made, dropped with this one).
    pub fn extra_db(&self, suffix: &str) -> String {
        let name = format!("{}_{suffix}", self.name);
        client(&self.server).unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let mut url = HubUrl::parse(&self.server).unwrap();
        url.dbname = name;
        url.with_password()
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        let Ok(mut c) = client(&self.server) else { return };
        let prefix = format!("{}%", self.name.replace('_', "\\_"));
        let _ = c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
            &[&prefix],
        );
        let dbs: Vec<String> = c
            .query("SELECT datname::text FROM pg_database WHERE datname LIKE $1", &[&prefix])
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default();
        for db in dbs {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"));
        }
        let roles: Vec<String> = c
            .query("SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1", &[&prefix])
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default();
        for role in roles {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", role.replace('"', "\"\"")));
        }
    }
}

/// Skips the test (returns) when no server is there.
#[macro_export]
macro_rules! pg_or_skip {
    ($name:expr) => {
        match hub_support::pg($name) {
            Some(pg) => pg,
            None => return,
        }
    };
}

/// A TCP proxy to the test server that the test controls: it can cut every connection
/// after a number of bytes have gone one way, or right now — a connection lost in the
/// middle of a push or a pull, without touching the shared server.
pub struct Proxy {
    pub port: u16,
    /// Bytes server → client after which connections are cut (u64::MAX: never).
    pub down_budget: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Bytes client → server after which connections are cut.
    pub up_budget: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Proxy {
    pub fn start() -> Proxy {
        use std::sync::Arc;
        use std::sync::atomic::AtomicU64;
        let target = HubUrl::parse(&server_url()).unwrap();
        let target = format!("{}:{}", target.host, target.port);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down_budget = Arc::new(AtomicU64::new(u64::MAX));
        let up_budget = Arc::new(AtomicU64::new(u64::MAX));
        let (down, up) = (down_budget.clone(), up_budget.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = std::net::TcpStream::connect(&target) else { continue };
                let pipe = |from: std::net::TcpStream, to: std::net::TcpStream, budget: Arc<AtomicU64>| {
                    std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        let (mut from, mut to) = (from, to);
                        let mut buf = [0u8; 16384];
                        loop {
                            let n = match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            let left = budget.load(Ordering::SeqCst);
                            if left != u64::MAX {
                                if (n as u64) >= left {
                                    budget.store(0, Ordering::SeqCst);
                                    let _ = to.write_all(&buf[..left as usize]);
                                    break;
                                }
                                budget.fetch_sub(n as u64, Ordering::SeqCst);
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = from.shutdown(std::net::Shutdown::Both);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                };
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(client, server, up.clone());
                pipe(s2, c2, down.clone());
            }
        });
        Proxy { port, down_budget, up_budget }
    }

    /// `url` through this proxy.
    pub fn route(&self, url: &HubUrl) -> HubUrl {
        let mut u = url.clone();
        u.host = "127.0.0.1".into();
        u.port = self.port;
        u
    }

    /// Cuts connections once `bytes` more have gone from the server to the client.
    pub fn cut_down_after(&self, bytes: u64) {
        self.down_budget.store(bytes, Ordering::SeqCst);
    }

    /// Cuts connections once `bytes` more have gone from the client to the server.
    pub fn cut_up_after(&self, bytes: u64) {
        self.up_budget.store(bytes, Ordering::SeqCst);
    }

    /// Lets everything through again.
    pub fn heal(&self) {
        self.down_budget.store(u64::MAX, Ordering::SeqCst);
        self.up_budget.store(u64::MAX, Ordering::SeqCst);
    }
}
