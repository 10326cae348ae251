//! PostgreSQL connection URLs (`postgres://user:password@host:port/db?sslmode=…`) and
//! libpq-style password files. The password is kept apart from everything else: the
//! URL a database remembers, every message and `kefu hub status` show the URL without
//! it (`HubUrl::display`), and it is stored only in the password file.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A parsed PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub struct HubUrl {
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: String,
    pub port: u16,
    pub dbname: String,
    /// Query parameters other than the password, in order (`sslmode`, `connect_timeout` …).
    pub params: Vec<(String, String)>,
}

/// Never prints the password.
impl fmt::Debug for HubUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl HubUrl {
    pub fn parse(text: &str) -> Result<HubUrl, String> {
        let text = text.trim();
        let rest = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
            .ok_or_else(|| "hub 地址要以 postgres:// 开头(如 postgres://席位@主机:5432/数据库)".to_string())?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match main.split_once('/') {
            Some((a, p)) => (a, p),
            None => (main, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((user, pw)) => (Some(decode(user)?), Some(decode(pw)?)),
                None => (Some(decode(u)?), None),
            },
        };
        let (host, port) = split_host_port(hostport)?;
        let mut url = HubUrl {
            user: user.filter(|u| !u.is_empty()),
            password: password.filter(|p| !p.is_empty()),
            host,
            port,
            dbname: decode(path)?,
            params: Vec::new(),
        };
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (decode(k)?, decode(v)?);
            match k.as_str() {
                "password" => url.password = Some(v).filter(|p| !p.is_empty()),
                "user" => url.user = Some(v).filter(|u| !u.is_empty()),
                "host" => url.host = v,
                "port" => url.port = v.parse().map_err(|_| format!("端口「{v}」不是数字"))?,
                "dbname" => url.dbname = v,
                _ => url.params.push((k, v)),
            }
        }
        if url.host.is_empty() {
            url.host = "localhost".into();
        }
        if url.dbname.is_empty() {
            url.dbname = url.user.clone().unwrap_or_else(|| "postgres".into());
        }
        Ok(url)
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `host:port` as messages name the server.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URL without its password: what is stored, logged and shown.
    pub fn display(&self) -> String {
        self.render(false)
    }

    /// The full URL, password included: only for `kefu hub add-seat` to hand to a seat.
    pub fn with_password(&self) -> String {
        self.render(true)
    }

    fn render(&self, password: bool) -> String {
        let mut s = String::from("postgres://");
        if let Some(u) = &self.user {
            s.push_str(&encode(u));
            if password && let Some(p) = &self.password {
                s.push(':');
                s.push_str(&encode(p));
            }
            s.push('@');
        }
        s.push_str(&self.server());
        s.push('/');
        s.push_str(&encode(&self.dbname));
        for (i, (k, v)) in self.params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&encode(k));
            s.push('=');
            s.push_str(&encode(v));
        }
        s
    }

    /// The same server and database as another role.
    pub fn as_role(&self, user: &str, password: Option<&str>) -> HubUrl {
        HubUrl { user: Some(user.to_string()), password: password.map(str::to_string), ..self.clone() }
    }
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    let bad_port = |p: &str| format!("端口「{p}」不是数字");
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| format!("主机「{hostport}」少了 ]"))?;
        let port = match after.strip_prefix(':') {
            Some(p) if !p.is_empty() => p.parse().map_err(|_| bad_port(p))?,
            _ => 5432,
        };
        return Ok((host.to_string(), port));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => Ok((decode(h)?, if p.is_empty() { 5432 } else { p.parse().map_err(|_| bad_port(p))? })),
        None => Ok((decode(hostport)?, 5432)),
    }
}

/// Percent-decoding (UTF-8).
fn decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 3;
                    continue;
                }
                None => return Err("地址里的 % 后面要跟两位十六进制数".into()),
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "地址解码后不是 UTF-8".to_string())
}

/// Percent-encoding of everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The password file: `PGPASSFILE`, else `~/.pgpass` — the file libpq (`psql`) reads.
pub fn passfile_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".pgpass"))
}

/// One field of a password-file line, escaped (`:` and `\`).
fn escape_field(s: &str) -> String {
    s.replace('\\', "\\\\").replace(':', "\\:")
}

/// Splits a password-file line into its fields (`\:` and `\\` unescaped).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(last) = out.last_mut()
                {
                    last.push(n);
                }
            }
            ':' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

fn key_of(url: &HubUrl) -> [String; 4] {
    [url.host.clone(), url.port.to_string(), url.dbname.clone(), url.user.clone().unwrap_or_default()]
}

/// The password for `url` in the password file at `path`, if a line matches (`*`
/// matches anything, as in libpq).
pub fn lookup_password(path: &Path, url: &HubUrl) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let key = key_of(url);
    text.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let f = fields(line);
        if f.len() < 5 {
            return None;
        }
        let matches = (0..4).all(|i| f[i] == "*" || f[i] == key[i]);
        matches.then(|| f[4..].join(":"))
    })
}

/// Stores `password` for `url` in the password file at `path`: the line for the same
/// host, port, database and user is replaced, every other line kept; the file is
/// written whole (a temporary file, then a rename) with owner-only permissions.
pub fn store_password(path: &Path, url: &HubUrl, password: &str) -> std::io::Result<()> {
    let old = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let key = key_of(url);
    let mut text = String::with_capacity(old.len() + 128);
    for line in old.lines() {
        let f = fields(line);
        if f.len() >= 5 && (0..4).all(|i| f[i] == key[i]) {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    let fields: Vec<String> = key.iter().map(|k| escape_field(k)).collect();
    text.push_str(&format!("{}:{}\n", fields.join(":"), escape_field(password)));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "pgpass".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_and_hides_the_password() {
        let u = HubUrl::parse("postgres://%E5%B0%8F%E7%BE%8E:s%3Acret@db.shop:6543/kefu?sslmode=require").unwrap();
        assert_eq!(u.user.as_deref(), Some("小美"));
        assert_eq!(u.password.as_deref(), Some("s:cret"));
        assert_eq!((u.host.as_str(), u.port, u.dbname.as_str()), ("db.shop", 6543, "kefu"));
        assert_eq!(u.param("sslmode"), Some("require"));
        assert!(!u.display().contains("cret"));
        assert!(!format!("{u:?}").contains("cret"));
        assert_eq!(HubUrl::parse(&u.with_password()).unwrap(), u);
        let v = HubUrl::parse("postgresql://[::1]/x").unwrap();
        assert_eq!((v.host.as_str(), v.port), ("::1", 5432));
        assert!(HubUrl::parse("mysql://x").is_err());
        assert!(HubUrl::parse("postgres://h:port/x").is_err());
    }

    #[test]
    fn password_file_round_trip_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "# mine\nother:5432:*:me:keep\n").unwrap();
        let u = HubUrl::parse("postgres://小美@h:5432/kefu").unwrap();
        store_password(&path, &u, "a:b\\c").unwrap();
        store_password(&path, &u, "new:pw").unwrap();
        assert_eq!(lookup_password(&path, &u).as_deref(), Some("new:pw"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("other:5432:*:me:keep"));
        assert_eq!(text.matches("小美").count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let other = HubUrl::parse("postgres://x@other:5432/any").unwrap();
        assert_eq!(lookup_password(&path, &other), None);
        let me = HubUrl::parse("postgres://me@other:5432/any").unwrap();
        assert_eq!(lookup_password(&path, &me).as_deref(), Some("keep"));
    }
}
