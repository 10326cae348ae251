//! The personal config file: one per person at the keyboard, not per database (the
//! shop's settings are events in the database; this file is not synced) — who they are
//! (`agent`), the database they open (`db`), the screen's `theme` (and `[colors]`) and their own key
//! bindings (`[keys]`). It lives at `$KEFU_CONFIG`, else `$XDG_CONFIG_HOME/kefu/config.toml`,
//! else the platform's config folder (`~/.config/kefu/config.toml`). A missing file is
//! an empty config; defaults come from `assets/defaults.toml`.
//!
//! ```toml
//! agent = "宾"
//! db = "~/店铺/kefu.sqlite"
//! theme = "default"
//! [keys]                 # rebind the seat screen's keys: pane.action = key or [keys]
//! queue.memo = "M"
//! global.quit = ["q", "C-q"]
//! ```
//!
//! Nothing in it is fatal: a file that cannot be read or parsed (then none of it is
//! used), a value of the wrong type, a key kefu does not know — each is a problem that
//! names the file, the line and the key, and the rest still applies. Read with the
//! `toml` crate (`domain::toml_tree` keeps each value's line). `kefu config set` changes
//! one value's text in place and leaves comments and order alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::agent::check_agent_name;
use crate::domain::toml_tree::{self, Leaf, LeafValue};

/// `[keys]`: pane → action → the keys bound to it.
pub type KeyBindings = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// A personal setting with a value of its own (the `[keys]` table aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalKey {
    Agent,
    Db,
    Theme,
}

impl PersonalKey {
    pub const ALL: [PersonalKey; 3] = [PersonalKey::Agent, PersonalKey::Db, PersonalKey::Theme];

    pub fn name(self) -> &'static str {
        match self {
            PersonalKey::Agent => "agent",
            PersonalKey::Db => "db",
            PersonalKey::Theme => "theme",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PersonalKey::Agent => "客服名",
            PersonalKey::Db => "数据库",
            PersonalKey::Theme => "配色",
        }
    }

    pub fn parse(text: &str) -> Option<PersonalKey> {
        PersonalKey::ALL.into_iter().find(|k| k.name() == text.trim() || k.label() == text.trim())
    }
}

/// A value read from the file, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub line: usize,
}

/// What the config file says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// The file read (or that would be read: it need not exist).
    pub file: PathBuf,
    pub exists: bool,
    pub agent: Option<Setting>,
    /// As written; see [`Config::db_path`].
    pub db: Option<Setting>,
    /// `theme = "name"`.
    pub theme: Option<Setting>,
    /// Every entry of the `[colors]` table (`colors.accent = "cyan"`: one role of the
    /// theme restyled), with its line.
    pub colors: Vec<Leaf>,
    /// `[keys]`.
    pub keys: KeyBindings,
    /// The line of each binding (`queue.memo` → 2), so a bad key can be named by line.
    pub key_lines: BTreeMap<String, usize>,
    /// What could not be used, each naming the file and, where known, the line and key.
    pub problems: Vec<ConfigError>,
}

/// What is wrong in the file: which file, which line, which key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    fn describe(&self) -> String {
        let mut s = format!("配置文件 {}", self.file.display());
        if let Some(l) = self.line {
            s.push_str(&format!(" 第 {l} 行"));
        }
        if let Some(k) = &self.key {
            s.push_str(&format!(" {k}"));
        }
        s.push(':');
        s.push_str(&self.message);
        crate::domain::sanitize::clean_line(&s)
    }
}

/// Where the config file is looked for: `KEFU_CONFIG`, else `$XDG_CONFIG_HOME/kefu/
/// config.toml` (an absolute path, as the spec says), else the platform's config dir.
pub fn config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("KEFU_CONFIG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
        return x.join("kefu").join("config.toml");
    }
    directories::ProjectDirs::from("", "", "kefu")
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("kefu-config.toml"))
}

impl Config {
    /// Reads the config file where `config_path` says (none there: an empty config).
    pub fn load() -> Config {
        Config::load_from(&config_path())
    }

    /// Reads `path` (missing: an empty config).
    pub fn load_from(path: &Path) -> Config {
        match read(path) {
            Ok(None) => Config { file: path.to_path_buf(), ..Default::default() },
            Ok(Some(text)) => Config { exists: true, ..Config::parse(&text, path) },
            Err(e) => Config { file: path.to_path_buf(), exists: true, problems: vec![e], ..Default::default() },
        }
    }

    /// Parses the text of the file at `path`.
    pub fn parse(text: &str, path: &Path) -> Config {
        let mut c = Config { file: path.to_path_buf(), ..Default::default() };
        let problem = |line: usize, key: String, message: String| ConfigError {
            file: path.to_path_buf(),
            line: Some(line),
            key: Some(key),
            message,
        };
        let leaves = match toml_tree::parse(text) {
            Ok(l) => l,
            Err(e) => {
                c.problems.push(ConfigError {
                    file: path.to_path_buf(),
                    line: Some(e.line),
                    key: e.key,
                    message: format!("不是正确的 TOML:{}(整个文件未使用)", e.message),
                });
                return c;
            }
        };
        for leaf in leaves {
            let key = leaf.dotted();
            let text_value = |leaf: &Leaf| match &leaf.value {
                LeafValue::Text(s) => Ok(Setting { value: s.clone(), line: leaf.line }),
                other => Err(problem(
                    leaf.line,
                    key.clone(),
                    format!("要写成文字(加引号,如 {} = \"…\"),这里是{}", leaf.path[0], other.kind()),
                )),
            };
            let outcome = match leaf.path.as_slice() {
                [k] if k == "agent" => text_value(&leaf).and_then(|s| {
                    let name = check_agent_name(&s.value).map_err(|m| problem(leaf.line, key.clone(), m))?;
                    c.agent = Some(Setting { value: name, line: s.line });
                    Ok(())
                }),
                [k] if k == "db" => text_value(&leaf).and_then(|s| {
                    if s.value.trim().is_empty() {
                        return Err(problem(leaf.line, key.clone(), "数据库路径不能为空(不设就删掉这一行)".into()));
                    }
                    c.db = Some(s);
                    Ok(())
                }),
                [k] if k == "theme" => text_value(&leaf).map(|s| c.theme = Some(s)),
                [k, _, ..] if k == "colors" => {
                    c.colors.push(leaf.clone());
                    Ok(())
                }
                [k, ..] if k == "theme" => Err(problem(
                    leaf.line,
                    key.clone(),
                    "配色写成 theme = \"light\";单个角色的颜色写在 [colors] 下(如 urgent = \"white on red\")".into(),
                )),
                [k, pane, action] if k == "keys" => {
                    let list = match &leaf.value {
                        LeafValue::Text(s) => Some(vec![s.clone()]),
                        LeafValue::Texts(v) => Some(v.clone()),
                        _ => None,
                    };
                    match list {
                        Some(l) => {
                            c.keys.entry(pane.clone()).or_default().insert(action.clone(), l);
                            c.key_lines.insert(format!("{pane}.{action}"), leaf.line);
                            Ok(())
                        }
                        None => Err(problem(
                            leaf.line,
                            key.clone(),
                            format!("应是一个键 \"M\" 或几个键 [\"M\", \"C-m\"],这里是{}", leaf.value.kind()),
                        )),
                    }
                }
                [k, ..] if k == "keys" => Err(problem(
                    leaf.line,
                    key.clone(),
                    "应写成 [keys] 下的 窗格.操作 = \"键\"(如 queue.memo = \"M\")".into(),
                )),
                _ => Err(problem(
                    leaf.line,
                    key.clone(),
                    "kefu 不认识这个设置,已忽略(可用:agent、db、theme、[colors]、[keys])".into(),
                )),
            };
            if let Err(e) = outcome {
                c.problems.push(e);
            }
        }
        c
    }

    /// The database the file names: `~/` is the home dir, a relative path is relative
    /// to the file's folder.
    pub fn db_path(&self) -> Option<PathBuf> {
        let raw = self.db.as_ref()?.value.trim();
        let p = match raw.strip_prefix("~/") {
            Some(rest) => directories::BaseDirs::new().map(|b| b.home_dir().join(rest)).unwrap_or_else(|| raw.into()),
            None => PathBuf::from(raw),
        };
        Some(if p.is_relative() { self.file.parent().map(|d| d.join(&p)).unwrap_or(p) } else { p })
    }

    /// The theme's name: the file's, else the shipped default.
    pub fn theme_name(&self) -> String {
        self.theme.as_ref().map(|t| t.value.clone()).unwrap_or_else(default_theme)
    }

    /// A problem with this key (`agent`), if the file has one.
    pub fn problem_with(&self, key: &str) -> Option<&ConfigError> {
        self.problems.iter().find(|p| p.key.as_deref() == Some(key))
    }
}

fn read(path: &Path) -> Result<Option<String>, ConfigError> {
    let err = |line: Option<usize>, message: String| ConfigError { file: path.to_path_buf(), line, key: None, message };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(None, format!("读不了:{e}"))),
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes).to_vec();
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        err(Some(line), "不是 UTF-8 文本(请用 UTF-8 保存;整个文件未使用)".into())
    })
}

/// `theme` in `assets/defaults.toml`.
pub fn default_theme() -> String {
    toml_tree::parse(crate::domain::shop::DEFAULTS_TOML)
        .ok()
        .and_then(|leaves| leaves.into_iter().find(|l| l.path == ["theme"]))
        .and_then(|l| l.value.as_setting_text())
        .unwrap_or_else(|| "default".into())
}

/// Sets a personal setting in the file at `path` (created if missing), changing only
/// that value's text: comments, order and every other line stay as they were. A file
/// that is not TOML is left alone (the person fixes it first).
pub fn set(path: &Path, key: PersonalKey, value: &str) -> Result<String, ConfigError> {
    let err = |line: Option<usize>, message: String| ConfigError {
        file: path.to_path_buf(),
        line,
        key: Some(key.name().into()),
        message,
    };
    let value = match key {
        PersonalKey::Agent => check_agent_name(value).map_err(|m| err(None, m))?,
        PersonalKey::Db | PersonalKey::Theme => {
            let v = crate::domain::sanitize::clean_line(value);
            if v.is_empty() {
                return Err(err(None, "不能为空".into()));
            }
            v
        }
    };
    let text = read(path)?.unwrap_or_default();
    let leaves = toml_tree::parse(&text).map_err(|e| ConfigError {
        key: e.key,
        ..err(Some(e.line), format!("不是正确的 TOML,先改好它:{}", e.message))
    })?;
    let quoted = toml_tree::quote(&value);
    let new_text = match leaves.iter().find(|l| l.path == [key.name()]) {
        Some(leaf) => format!("{}{}{}", &text[..leaf.value_span.start], quoted, &text[leaf.value_span.end..]),
        None => format!("{} = {}\n{}", key.name(), quoted, text),
    };
    write_atomically(path, &new_text).map_err(|e| err(None, format!("写不进去:{e}")))?;
    Ok(value)
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> PathBuf {
        PathBuf::from("/home/宾/.config/kefu/config.toml")
    }

    #[test]
    fn reads_agent_db_theme_and_keys() {
        let text = "# mine\nagent = \"宾\"\ndb = \"shop.sqlite\"\n[keys]\nqueue.memo = \"M\"\nglobal.quit = [\"q\", \"C-q\"]\n";
        let c = Config::parse(text, &p());
        assert_eq!(c.agent, Some(Setting { value: "宾".into(), line: 2 }));
        assert_eq!(c.db_path(), Some(PathBuf::from("/home/宾/.config/kefu/shop.sqlite")));
        assert_eq!(c.theme_name(), "default");
        assert_eq!(c.keys["queue"]["memo"], ["M"]);
        assert_eq!(c.keys["global"]["quit"], ["q", "C-q"]);
        assert_eq!(c.key_lines["global.quit"], 6);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
    }

    #[test]
    fn keys_are_read_and_bad_values_reported() {
        let text = "[keys]\nqueue.memo = \"M\"\nglobal.quit = [\"q\", \"C-q\"]\nreplies.add = 3\nlog = \"x\"\n\n[other]\nx = 1\n";
        let c = Config::parse(text, Path::new("/tmp/k.toml"));
        assert_eq!(c.keys["queue"]["memo"], ["M"]);
        assert_eq!(c.keys["global"]["quit"], ["q", "C-q"]);
        let named: Vec<(Option<usize>, Option<&str>)> = c.problems.iter().map(|p| (p.line, p.key.as_deref())).collect();
        assert_eq!(
            named,
            vec![(Some(4), Some("keys.replies.add")), (Some(5), Some("keys.log")), (Some(8), Some("other.x"))]
        );
    }

    #[test]
    fn every_problem_names_file_line_and_key_and_the_rest_applies() {
        let cases = [
            ("theme = \"dark\"\nagent = 5\n", 2, "agent", "文字"),
            ("theme = \"dark\"\n\nagent = \"客服\"\n", 3, "agent", "名字"),
            ("theme = \"dark\"\ndb = \"\"\n", 2, "db", "不能为空"),
            ("theme = \"dark\"\nagnet = \"宾\"\n", 2, "agnet", "不认识"),
        ];
        for (text, line, key, what) in cases {
            let c = Config::parse(text, &p());
            assert_eq!(c.theme_name(), "dark", "the rest applies: {text:?}");
            let e = c.problem_with(key).unwrap_or_else(|| panic!("{text:?}: {:?}", c.problems));
            assert_eq!(e.line, Some(line), "{e}");
            let msg = e.to_string();
            assert!(
                msg.contains("config.toml") && msg.contains(&format!("第 {line} 行")) && msg.contains(what),
                "{msg}"
            );
            assert!(c.agent.is_none());
        }
    }

    #[test]
    fn a_broken_file_names_its_line_and_is_not_used() {
        let c = Config::parse("theme = \"dark\"\n[keys]\nqueue.memo = \n", Path::new("/tmp/k.toml"));
        assert!(c.keys.is_empty() && c.theme.is_none());
        assert_eq!(c.problems.len(), 1);
        let msg = c.problems[0].to_string();
        assert!(msg.contains("/tmp/k.toml") && msg.contains("第 3 行") && msg.contains("queue.memo"), "{msg}");
    }

    #[test]
    fn set_changes_only_that_value_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu").join("config.toml");
        assert_eq!(set(&path, PersonalKey::Agent, " 宾 ").unwrap(), "宾");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "agent = \"宾\"\n");
        std::fs::write(&path, "# 我的设置\nagent = \"宾\"  # 早班\n\n[keys]\nquit = \"q\"\n").unwrap();
        set(&path, PersonalKey::Agent, "小美").unwrap();
        set(&path, PersonalKey::Theme, "dark").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "theme = \"dark\"\n# 我的设置\nagent = \"小美\"  # 早班\n\n[keys]\nquit = \"q\"\n");
        let c = Config::load_from(&path);
        assert_eq!((c.agent.unwrap().value, c.theme.unwrap().value), ("小美".into(), "dark".into()));
        assert!(c.exists);
        assert!(set(&path, PersonalKey::Agent, "客服").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "a refused value changes nothing");
        // a bad value in the file is replaced
        std::fs::write(&path, "agent = 5\n").unwrap();
        set(&path, PersonalKey::Agent, "宾").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "agent = \"宾\"\n");
    }

    #[test]
    fn set_refuses_a_file_that_is_not_toml_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "agent = \n").unwrap();
        let e = set(&path, PersonalKey::Agent, "宾").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "agent = \n");
    }

    #[test]
    fn a_missing_file_is_an_empty_config_and_bad_bytes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        let c = Config::load_from(&missing);
        assert_eq!(c, Config { file: missing, ..Default::default() });
        let path = dir.path().join("gbk.toml");
        std::fs::write(&path, b"theme = \"x\"\nagent = \"\xb1\xf6\"\n").unwrap();
        let c = Config::load_from(&path);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].line, Some(2));
        assert!(c.problems[0].to_string().contains("UTF-8"), "{}", c.problems[0]);
    }

    #[test]
    fn the_default_theme_comes_from_the_shipped_defaults() {
        assert_eq!(default_theme(), "default");
    }
}
