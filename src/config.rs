//! The personal config file: one per person at the keyboard, not per database (the
//! shop's settings are events in the database; this file is not synced). It lives at
//! `$KEFU_CONFIG`, else `$XDG_CONFIG_HOME/kefu/config.toml`, else the platform's config
//! folder (`~/.config/kefu/config.toml`). A missing file is an empty config.
//!
//! Nothing in it is fatal: a file that cannot be read or parsed, or a value of the
//! wrong type, is reported (file, line, what was expected) and the rest still applies.
//! Sections this kefu does not know are left alone.
//!
//! ```toml
//! [keys]                 # rebind the seat screen's keys: pane.action = key or [keys]
//! queue.memo = "M"
//! global.quit = ["q", "C-q"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `[keys]`: pane → action → the keys bound to it.
pub type KeyBindings = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// What the config file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from (None: no file).
    pub path: Option<PathBuf>,
    /// `[keys]`.
    pub keys: KeyBindings,
    /// What could not be used, each naming the file and, where known, the line.
    pub problems: Vec<String>,
}

/// Where the config file is looked for.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KEFU_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(x).join("kefu").join("config.toml"));
    }
    directories::ProjectDirs::from("", "", "kefu").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Reads the config file where `config_path` says (none there: an empty config).
    pub fn load() -> Config {
        match config_path() {
            Some(p) => Config::load_from(&p),
            None => Config::default(),
        }
    }

    /// Reads `path` (missing: an empty config).
    pub fn load_from(path: &Path) -> Config {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => Config {
                path: Some(path.to_path_buf()),
                problems: vec![format!("配置文件 {} 读不了:{e}", path.display())],
                ..Default::default()
            },
        }
    }

    /// Parses the text of the file at `path`.
    pub fn parse(text: &str, path: &Path) -> Config {
        let mut c = Config { path: Some(path.to_path_buf()), ..Default::default() };
        let file = path.display();
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                let at = line.map(|l| format!(" 第 {l} 行")).unwrap_or_default();
                let msg = crate::domain::sanitize::clean_line(e.message());
                c.problems.push(format!("配置文件 {file}{at}:{msg}(整个文件未使用)"));
                return c;
            }
        };
        match table.get("keys") {
            None => {}
            Some(toml::Value::Table(panes)) => {
                for (pane, actions) in panes {
                    let Some(actions) = actions.as_table() else {
                        c.problems.push(format!("配置文件 {file} [keys] {pane}:应写成 {pane}.操作 = \"键\""));
                        continue;
                    };
                    for (action, keys) in actions {
                        let list: Option<Vec<String>> = match keys {
                            toml::Value::String(s) => Some(vec![s.clone()]),
                            toml::Value::Array(a) => a.iter().map(|v| v.as_str().map(str::to_string)).collect(),
                            _ => None,
                        };
                        match list {
                            Some(l) => {
                                c.keys.entry(pane.clone()).or_default().insert(action.clone(), l);
                            }
                            None => c.problems.push(format!(
                                "配置文件 {file} [keys] {pane}.{action}:应是一个键 \"M\" 或几个键 [\"M\", \"C-m\"]"
                            )),
                        }
                    }
                }
            }
            Some(_) => c.problems.push(format!("配置文件 {file}:keys 应是一个表 [keys]")),
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_and_bad_values_reported() {
        let text = "[keys]\nqueue.memo = \"M\"\nglobal.quit = [\"q\", \"C-q\"]\nreplies.add = 3\nlog = \"x\"\n\n[other]\nx = 1\n";
        let c = Config::parse(text, Path::new("/tmp/k.toml"));
        assert_eq!(c.keys["queue"]["memo"], ["M"]);
        assert_eq!(c.keys["global"]["quit"], ["q", "C-q"]);
        assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
        assert!(c.problems.iter().any(|p| p.contains("replies.add")));
        assert!(c.problems.iter().any(|p| p.contains("[keys] log")));
    }

    #[test]
    fn a_broken_file_names_its_line_and_is_not_fatal() {
        let c = Config::parse("[keys]\nqueue.memo = \n", Path::new("/tmp/k.toml"));
        assert!(c.keys.is_empty());
        assert_eq!(c.problems.len(), 1);
        assert!(c.problems[0].contains("/tmp/k.toml") && c.problems[0].contains("第 2 行"), "{:?}", c.problems);
    }

    #[test]
    fn a_missing_file_is_an_empty_config() {
        let c = Config::load_from(Path::new("/nonexistent/kefu/config.toml"));
        assert_eq!(c, Config::default());
    }
}
