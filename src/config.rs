//! The personal configuration file: one person's settings on one computer — who they
//! are (`agent`), the database they open (`db`), the screen's `theme` and their own key
//! bindings (`[keys]`). `$XDG_CONFIG_HOME/kefu/config.toml` (else the platform config
//! dir, `~/.config/kefu/config.toml` on Linux), or the file `KEFU_CONFIG` names.
//!
//! ```toml
//! agent = "宾"
//! db = "~/店铺/kefu.sqlite"
//! theme = "default"
//! [keys]
//! ```
//!
//! Shop settings are not here: every seat must agree on them, so they are events
//! (`kefu shop set`). Defaults come from `assets/defaults.toml`. Read with the `toml`
//! crate; every error names the file, the line and the key. A key kefu does not know is
//! a warning, not an error (a newer kefu's file still opens). `[keys]` and a `[theme]`
//! table are handed on as they are, each entry with its line: their readers report a
//! bad entry without refusing the file.

use std::path::{Path, PathBuf};

use crate::domain::agent::check_agent_name;
use crate::domain::toml_tree::{self, Leaf, LeafValue};

/// A setting of this file.
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

/// What the file says.
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
    /// Every entry under `[theme]`, when it is a table (`theme.accent = "cyan"`).
    pub theme_roles: Vec<Leaf>,
    /// Every entry under `[keys]` (`keys.quit = "q"`, `keys.queue.flag = ["s"]`).
    pub keys: Vec<Leaf>,
    /// Keys kefu does not know.
    pub warnings: Vec<ConfigError>,
}

/// What is wrong with the file: which file, which line, which key.
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

/// The file to read: `KEFU_CONFIG`, else `$XDG_CONFIG_HOME/kefu/config.toml`, else the
/// platform's config dir.
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

/// Reads the personal config file (a missing one is an empty config).
pub fn load() -> Result<Config, ConfigError> {
    load_from(&config_path())
}

pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    let Some(text) = read(path)? else {
        return Ok(Config { file: path.to_path_buf(), ..Default::default() });
    };
    let mut c = parse(path, &text)?;
    c.exists = true;
    Ok(c)
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
        err(Some(line), "不是 UTF-8 文本(请用 UTF-8 保存)".into())
    })
}

/// Reads a config file's text (`file` names it in errors).
pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let err = |line: usize, key: String, message: String| ConfigError {
        file: file.to_path_buf(),
        line: Some(line),
        key: Some(key),
        message,
    };
    let leaves = toml_tree::parse(text).map_err(|e| ConfigError {
        file: file.to_path_buf(),
        line: Some(e.line),
        key: e.key,
        message: format!("不是正确的 TOML:{}", e.message),
    })?;
    let mut c = Config { file: file.to_path_buf(), ..Default::default() };
    for leaf in leaves {
        let key = leaf.dotted();
        let text_value = |leaf: &Leaf| match &leaf.value {
            LeafValue::Text(s) => Ok(Setting { value: s.clone(), line: leaf.line }),
            other => Err(err(
                leaf.line,
                key.clone(),
                format!("要写成文字(加引号,如 {} = \"…\"),这里是{}", leaf.path[0], other.kind()),
            )),
        };
        match leaf.path[0].as_str() {
            "agent" if leaf.path.len() == 1 => {
                let s = text_value(&leaf)?;
                let name = check_agent_name(&s.value).map_err(|m| err(leaf.line, key.clone(), m))?;
                c.agent = Some(Setting { value: name, line: s.line });
            }
            "db" if leaf.path.len() == 1 => {
                let s = text_value(&leaf)?;
                if s.value.trim().is_empty() {
                    return Err(err(leaf.line, key, "数据库路径不能为空(不设就删掉这一行)".into()));
                }
                c.db = Some(s);
            }
            "theme" if leaf.path.len() == 1 => c.theme = Some(text_value(&leaf)?),
            "theme" => c.theme_roles.push(leaf),
            "keys" => c.keys.push(leaf),
            _ => c.warnings.push(ConfigError {
                file: file.to_path_buf(),
                line: Some(leaf.line),
                key: Some(key),
                message: "kefu 不认识这个设置,已忽略(可用:agent、db、theme、[keys])".into(),
            }),
        }
    }
    Ok(c)
}

impl Config {
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
/// that value's text: comments, order and every other line stay as they were.
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
    // Refuse to touch a file that does not read: the person fixes it first.
    parse(path, &text)?;
    let leaves = toml_tree::parse(&text).map_err(|e| err(Some(e.line), e.message))?;
    let quoted = toml_tree::quote(&value);
    let new_text = match leaves.iter().find(|l| l.path == [key.name()]) {
        Some(leaf) => format!("{}{}{}", &text[..leaf.value_span.start], quoted, &text[leaf.value_span.end..]),
        None => format!("{} = {}\n{}", key.name(), quoted, text),
    };
    parse(path, &new_text)?;
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
    fn reads_agent_db_theme_and_hands_on_keys() {
        let c = parse(
            &p(),
            "# mine\nagent = \"宾\"\ndb = \"shop.sqlite\"\n[keys]\nquit = \"q\"\n[keys.queue]\nflag = [\"s\"]\n",
        )
        .unwrap();
        assert_eq!(c.agent, Some(Setting { value: "宾".into(), line: 2 }));
        assert_eq!(c.db_path(), Some(PathBuf::from("/home/宾/.config/kefu/shop.sqlite")));
        assert_eq!(c.theme_name(), "default");
        let keys: Vec<(String, usize)> = c.keys.iter().map(|k| (k.dotted(), k.line)).collect();
        assert_eq!(keys, vec![("keys.quit".into(), 5), ("keys.queue.flag".into(), 7)]);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn every_error_names_file_line_and_key() {
        let cases = [
            ("agent = 5\n", 1, "agent", "文字"),
            ("\n\nagent = \"客服\"\n", 3, "agent", "名字"),
            ("theme = \"x\"\nagent = 宾\n", 2, "agent", "TOML"),
            ("db = \"\"\n", 1, "db", "不能为空"),
            ("theme = [\"a\", 1]\n", 1, "theme", "数组"),
        ];
        for (text, line, key, what) in cases {
            let e = parse(&p(), text).unwrap_err();
            assert_eq!((e.line, e.key.as_deref()), (Some(line), Some(key)), "{text:?}: {e}");
            let msg = e.to_string();
            assert!(
                msg.contains("config.toml") && msg.contains(&format!("第 {line} 行")) && msg.contains(what),
                "{msg}"
            );
        }
    }

    #[test]
    fn an_unknown_key_is_a_warning_with_its_line() {
        let c = parse(&p(), "agnet = \"宾\"\n[shop]\nname = \"x\"\n").unwrap();
        let w: Vec<(Option<usize>, Option<String>)> = c.warnings.iter().map(|w| (w.line, w.key.clone())).collect();
        assert_eq!(w, vec![(Some(1), Some("agnet".into())), (Some(3), Some("shop.name".into()))]);
        assert_eq!(c.agent, None);
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
        let c = load_from(&path).unwrap();
        assert_eq!((c.agent.unwrap().value, c.theme.unwrap().value), ("小美".into(), "dark".into()));
        assert!(c.exists);
        assert!(set(&path, PersonalKey::Agent, "客服").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "a refused value changes nothing");
    }

    #[test]
    fn set_refuses_a_broken_file_and_leaves_it_alone() {
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
        let c = load_from(&dir.path().join("none.toml")).unwrap();
        assert!(!c.exists && c.agent.is_none());
        let path = dir.path().join("gbk.toml");
        std::fs::write(&path, b"theme = \"x\"\nagent = \"\xb1\xf6\"\n").unwrap();
        let e = load_from(&path).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.to_string().contains("UTF-8"), "{e}");
    }

    #[test]
    fn the_default_theme_comes_from_the_shipped_defaults() {
        assert_eq!(default_theme(), "default");
    }
}
