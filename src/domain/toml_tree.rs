//! A TOML document as its leaves, each with the line it stands on, so a settings file's
//! every error can name the line and the key. Pure: the caller reads the file.
//! Parsing is the `toml` crate's; this only flattens its spanned tree.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One value of the document, with its dotted path (`keys.queue.flag`).
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub path: Vec<String>,
    pub value: LeafValue,
    /// 1-based line of the key.
    pub line: usize,
    /// Where the value's text is (to replace it in place).
    pub value_span: Range<usize>,
}

impl Leaf {
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LeafValue {
    Text(String),
    Integer(i64),
    Bool(bool),
    /// An array of strings (an array holding anything else is `Other`).
    Texts(Vec<String>),
    /// Floats, dates, mixed arrays: named by kind, for the error message.
    Other(&'static str),
}

impl LeafValue {
    /// What kind of value this is, in the words an error uses.
    pub fn kind(&self) -> &'static str {
        match self {
            LeafValue::Text(_) => "文字",
            LeafValue::Integer(_) => "整数",
            LeafValue::Bool(_) => "true/false",
            LeafValue::Texts(_) => "文字列表",
            LeafValue::Other(k) => k,
        }
    }

    /// The value as a setting's text: a string as is, a number or boolean written out.
    pub fn as_setting_text(&self) -> Option<String> {
        match self {
            LeafValue::Text(s) => Some(s.clone()),
            LeafValue::Integer(n) => Some(n.to_string()),
            LeafValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// A document that is not TOML: where, and what the parser said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    pub line: usize,
    /// The key on that line, when the line has one.
    pub key: Option<String>,
    pub message: String,
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// The key a line sets (`agent = "宾"` → `agent`), if it sets one.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.saturating_sub(1))?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"').trim();
    (!key.is_empty() && !key.starts_with('#')).then(|| key.to_string())
}

/// Parses `text` into its leaves, in document order of their tables' keys.
pub fn parse(text: &str) -> Result<Vec<Leaf>, TomlError> {
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        TomlError { line, key: key_on_line(text, line), message: e.message().trim().to_string() }
    })?;
    let mut out = Vec::new();
    walk(text, doc.get_ref(), &mut Vec::new(), &mut out);
    out.sort_by_key(|l| l.value_span.start);
    Ok(out)
}

fn walk(text: &str, table: &DeTable<'_>, path: &mut Vec<String>, out: &mut Vec<Leaf>) {
    for (key, value) in table.iter() {
        path.push(key.get_ref().to_string());
        let line = line_of(text, key.span().start);
        match value.get_ref() {
            DeValue::Table(t) => walk(text, t, path, out),
            other => out.push(Leaf { path: path.clone(), value: leaf_value(other), line, value_span: value.span() }),
        }
        path.pop();
    }
}

fn leaf_value(v: &DeValue<'_>) -> LeafValue {
    match v {
        DeValue::String(s) => LeafValue::Text(s.to_string()),
        DeValue::Integer(i) => {
            i64::from_str_radix(i.as_str(), i.radix()).map(LeafValue::Integer).unwrap_or(LeafValue::Other("整数(太大)"))
        }
        DeValue::Boolean(b) => LeafValue::Bool(*b),
        DeValue::Float(_) => LeafValue::Other("小数"),
        DeValue::Datetime(_) => LeafValue::Other("日期时间"),
        DeValue::Array(a) => {
            let texts: Option<Vec<String>> = a
                .iter()
                .map(|v: &Spanned<DeValue<'_>>| match v.get_ref() {
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect();
            texts.map(LeafValue::Texts).unwrap_or(LeafValue::Other("数组"))
        }
        DeValue::Table(_) => LeafValue::Other("表"),
    }
}

/// `value` as a TOML basic string, quotes included.
pub fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => s.push_str(&format!("\\u{:04X}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_carry_their_lines_and_paths() {
        let text = "agent = \"宾\"\n\n[keys]\nquit = \"q\"\n[keys.queue]\nflag = [\"s\", \"S\"]\nn = 3\n";
        let leaves = parse(text).unwrap();
        let got: Vec<(String, usize, LeafValue)> =
            leaves.iter().map(|l| (l.dotted(), l.line, l.value.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("agent".into(), 1, LeafValue::Text("宾".into())),
                ("keys.quit".into(), 4, LeafValue::Text("q".into())),
                ("keys.queue.flag".into(), 6, LeafValue::Texts(vec!["s".into(), "S".into()])),
                ("keys.queue.n".into(), 7, LeafValue::Integer(3)),
            ]
        );
        assert_eq!(&text[leaves[0].value_span.clone()], "\"宾\"");
    }

    #[test]
    fn a_syntax_error_names_its_line_and_key() {
        let e = parse("theme = \"dark\"\nagent = 宾\n").unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (2, Some("agent")), "{e:?}");
        let dup = parse("agent = \"a\"\nagent = \"b\"\n").unwrap_err();
        assert_eq!(dup.line, 2, "{dup:?}");
    }

    #[test]
    fn quoting_round_trips_through_the_parser() {
        for s in ["宾", "a\"b", "back\\slash", "tab\there", "line\nbreak", "\u{1}"] {
            let text = format!("v = {}\n", quote(s));
            assert_eq!(parse(&text).unwrap()[0].value, LeafValue::Text(s.into()), "{text}");
        }
    }
}
