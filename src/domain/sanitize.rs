//! The one sanitizer. Everything that came from a buyer or a file passes through here
//! before it is stored (NFC, no terminal escape sequences, no control characters but
//! newline, no bidi overrides), and every way text leaves kefu passes through here again,
//! whatever the database holds: the command line's lines and tables (`cli::out`), error
//! messages, the seat screen, the clipboard, and JSON (which keeps the data but writes
//! each such character as a `\uXXXX` escape, never raw).
//!
//! One filter decides what is unsafe: [`is_unsafe`]. The rest are its fast paths.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Never written raw to a terminal, a clipboard or a JSON string: a C0 control (newline
/// and tab included), DEL, a C1 control, or a bidi control. Multi-line text keeps its
/// newlines; everything else so marked is removed (or, in JSON, escaped).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_stripped_control(c: char) -> bool {
    c != '\n' && is_unsafe(c)
}

/// The first character clean multi-line text never holds (anything unsafe but newline).
pub fn first_unclean(text: &str) -> Option<char> {
    text.chars().find(|&c| is_stripped_control(c))
}

/// Whether `text` can be printed as multi-line text as it is (nothing unsafe but newlines).
pub fn is_clean(text: &str) -> bool {
    if text.is_ascii() {
        return !text.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f);
    }
    first_unclean(text).is_none()
}

/// Whether `text` can be printed on one line as it is (nothing unsafe at all).
pub fn is_clean_line(text: &str) -> bool {
    if text.is_ascii() {
        return !text.bytes().any(|b| b < 0x20 || b == 0x7f);
    }
    !text.chars().any(is_unsafe)
}

/// Multi-line text safe to print: borrowed when it is (the common case), else cleaned.
pub fn safe_text(text: &str) -> Cow<'_, str> {
    if is_clean(text) { Cow::Borrowed(text) } else { Cow::Owned(clean_text(text)) }
}

/// One line safe to print: borrowed when it is (the common case), else cleaned (its
/// newlines become spaces).
pub fn safe_line(text: &str) -> Cow<'_, str> {
    if is_clean_line(text) { Cow::Borrowed(text) } else { Cow::Owned(clean_line(text)) }
}

/// Whether `clean_line` would leave `text` (already trimmed) as it is: nothing unsafe,
/// and NFC. The fast path of an import, which checks fifteen million cells for a
/// million orders: ASCII by bytes, shop text by `plainly_clean`.
pub fn is_clean_trimmed_line(text: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    if text.is_ascii() {
        return is_clean_line(text);
    }
    if plainly_clean(text) {
        return !text.contains('\n');
    }
    !text.chars().any(is_unsafe) && is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Multi-line text (memos, messages, replies): keeps newlines.
pub fn clean_text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => skip_escape(&mut chars),
            // C1 CSI / OSC introducers: swallow the sequence too.
            '\u{9b}' => skip_until_final(&mut chars),
            '\u{9d}' => skip_until_st(&mut chars),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\t' => out.push(' '),
            c if is_stripped_control(c) => {}
            c => out.push(c),
        }
    }
    if out.is_ascii() { out } else { out.nfc().collect() }
}

/// Whether `text` certainly needs no cleaning: every character is printable ASCII, a
/// newline, or one that is neither a control nor a bidi mark and that NFC leaves as it
/// is wherever it stands (Latin-1 and Latin Extended letters, CJK punctuation but the
/// combining tone marks, kana but the combining voicing marks, CJK ideographs,
/// full-width forms) — what shop text is made of. `false` means "look closer", not
/// "unclean".
///
/// Read byte by byte (an import checks every field and every event's JSON with it): a
/// `&str` is valid UTF-8, so a lead byte says how long its character is, and only
/// three-byte characters need their code point.
pub fn plainly_clean(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let lead = b[i];
        match lead {
            b'\n' | b' '..=b'~' => i += 1,
            // U+00A0..U+00BF, then U+00C0..U+02FF
            0xC2 if b[i + 1] >= 0xA0 => i += 2,
            0xC3..=0xCB => i += 2,
            0xE0..=0xEF => {
                let c = (u32::from(lead & 0x0F) << 12) | (u32::from(b[i + 1] & 0x3F) << 6) | u32::from(b[i + 2] & 0x3F);
                if !plain_three_byte(c) {
                    return false;
                }
                i += 3;
            }
            _ => return false,
        }
    }
    true
}

fn plain_three_byte(c: u32) -> bool {
    matches!(c, 0x3000..=0x3029 | 0x3030..=0x3098 | 0x309B..=0x30FF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// Single-line fields (names, numbers, addresses): newlines become spaces, trimmed.
pub fn clean_line(input: &str) -> String {
    let t = clean_text(input);
    let t = if t.contains('\n') { t.replace('\n', " ") } else { t };
    t.trim().to_string()
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_until_final(chars);
        }
        Some(']') | Some('P') | Some('_') | Some('^') | Some('X') => {
            chars.next();
            skip_until_st(chars);
        }
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// CSI: parameters and intermediates, then one final byte in `@`..`~`.
fn skip_until_final(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) || !c.is_ascii() {
            break;
        }
    }
}

/// OSC/DCS: up to BEL, ESC \\ or ST.
fn skip_until_st(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\x07' | '\u{9c}' => break,
            '\x1b' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            '\n' => break,
            _ => {}
        }
    }
}

/// Whether serde_json wrote an escape for a control character in `json`: `\u00XX`, or
/// `\b`, `\f`, `\r`, `\t` (`\n` is text a memo may hold). One pass from backslash to
/// backslash; an escaped backslash is stepped over whole.
pub fn has_control_escape(json: &str) -> bool {
    let b = json.as_bytes();
    let mut from = 0;
    while let Some(k) = b.get(from..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let at = from + k;
        match b.get(at + 1) {
            Some(b'u') if b.get(at + 2..at + 4) == Some(b"00") => return true,
            Some(b'b' | b'f' | b'r' | b't') => return true,
            _ => from = at + 2,
        }
    }
    false
}

/// Whether every string in `json` (as serde_json writes it: C0 controls escaped, the
/// rest raw) is clean text: no control escape, nothing unsafe raw, NFC. The common case
/// costs one scan of plain characters (a million orders' event is 575 MB); `false`
/// means "clean each string".
pub fn json_is_clean(json: &str) -> bool {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    !has_control_escape(json)
        && (plainly_clean(json) || !json.chars().any(is_unsafe) && is_nfc_quick(json.chars()) == IsNormalized::Yes)
}

/// JSON for people and scripts: the data kept whole, but every unsafe character written
/// as a `\uXXXX` escape, never raw (serde_json escapes C0 controls itself, but writes
/// DEL, C1 and bidi controls raw, and a terminal obeys them). Outside its strings JSON
/// holds only ASCII punctuation, spaces and (indented) newlines, so escaping every
/// unsafe character but newline is exact.
pub fn json_escaped(json: String) -> String {
    if is_clean(&json) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_stripped_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` as indented JSON, safe to print (see `json_escaped`).
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(json_escaped)
}

/// `value` as one line of JSON, safe to print (see `json_escaped`).
pub fn to_json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(value).map(json_escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character `plainly_clean` lets through is one cleaning keeps as it is, alone
    /// and after any other such character (checked exhaustively): starts no escape, is
    /// no control or bidi mark, is NFC-stable and combines with nothing before it.
    #[test]
    fn plainly_clean_characters_are_kept_as_they_are() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{IsNormalized, is_nfc_quick};
        let plain: Vec<char> =
            (0..=0xffffu32).filter_map(char::from_u32).filter(|c| plainly_clean(&c.to_string())).collect();
        assert!(plain.len() > 22_000, "{}", plain.len());
        for &c in &plain {
            let one = c.to_string();
            assert_eq!(is_nfc_quick(one.chars()), IsNormalized::Yes, "U+{:04X}", c as u32);
            assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", c as u32);
            if c != '\n' {
                assert_eq!(clean_text(&one), one, "U+{:04X}", c as u32);
            }
        }
        assert!(!plainly_clean("a\u{202e}b") && !plainly_clean("\u{1b}[2J") && !plainly_clean("\u{9b}"));
        assert!(!plainly_clean("か\u{3099}"), "a combining voicing mark is looked at closer");
        assert!(plainly_clean("6-28联系工号851更改地址,已更改 宾\n【缺:单号】"));
    }

    /// The byte-wise reading says what the character ranges say, for every character
    /// and for every character between two others.
    #[test]
    fn plainly_clean_reads_bytes_as_the_ranges_say() {
        let by_ranges = |c: char| {
            matches!(c,
                '\n' | ' '..='~' | '\u{a0}'..='\u{2ff}' | '\u{3000}'..='\u{3029}' | '\u{3030}'..='\u{3098}'
                | '\u{309b}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
        };
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let alone = c.to_string();
            assert_eq!(plainly_clean(&alone), by_ranges(c), "U+{:04X}", c as u32);
            let framed = format!("订{c}a");
            assert_eq!(plainly_clean(&framed), by_ranges(c), "U+{:04X} framed", c as u32);
        }
        assert!(plainly_clean(""));
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(clean_line("\x1b]0;x\x07\x1b[2J小王"), "小王");
        assert_eq!(clean_line("a\x1b[31mred\x1b[0mb"), "aredb");
        assert_eq!(clean_line("x\x1b]52;c;ZXZpbA==\x1b\\y"), "xy");
        assert_eq!(clean_line("\x1bc reset"), "reset");
        assert_eq!(clean_line("\u{9b}31mC1"), "C1");
        assert_eq!(clean_line("trailing\x1b"), "trailing");
    }

    #[test]
    fn controls_and_bidi_are_stripped() {
        assert_eq!(clean_line("abc\u{202E}fed"), "abcfed");
        assert_eq!(clean_line("a\u{7f}b\u{85}c\u{0}d\u{2066}e"), "abcde");
        assert_eq!(clean_text("line1\r\nline2\rline3"), "line1\nline2\nline3");
        assert_eq!(clean_line("a\nb\tc"), "a b c");
        assert!(is_clean(&clean_text("\x1b[2J\u{202E}\u{7}x\ny")));
    }

    #[test]
    fn control_escapes_are_told_from_escaped_backslashes() {
        for json in [r#""\u0007""#, r#""a\bb""#, r#""\f""#, r#""\r\n""#, r#""x\ty""#, r#""\\\t""#] {
            assert!(has_control_escape(json), "{json}");
            assert!(!json_is_clean(json), "{json}");
        }
        for json in [r#""a\nb""#, r#""C:\\temp""#, r#""\\t""#, r#""\\u0041""#, r#""\"""#, "\\", "a\\"] {
            assert!(!has_control_escape(json), "{json}");
        }
        assert!(json_is_clean(r#"{"a":"亲\n您好 é"}"#));
        assert!(!json_is_clean("{\"a\":\"x\u{9b}31m\"}") && !json_is_clean("{\"a\":\"x\u{202e}\"}"));
        assert!(!json_is_clean("{\"a\":\"e\u{301}\"}"), "not NFC");
    }

    /// JSON keeps the data but never carries an unsafe character raw; what it says
    /// reads back the same.
    #[test]
    fn json_escapes_c1_bidi_and_del() {
        let v = serde_json::json!({"memo": "a\u{9b}31m\u{202e}b\u{7f}\u{1b}]0;x\u{7}", "n\u{2066}": ["亲\n"]});
        let text = to_json_pretty(&v).unwrap();
        assert!(text.chars().all(|c| c == '\n' || !is_unsafe(c)), "{text:?}");
        assert!(
            text.contains("\\u009b")
                && text.contains("\\u202e")
                && text.contains("\\u007f")
                && text.contains("\\u2066")
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
        let line = to_json_line(&v).unwrap();
        assert!(!line.contains('\n') && is_clean_line(&line), "{line:?}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&line).unwrap(), v);
        assert_eq!(to_json_line("好").unwrap(), "\"好\"");
    }

    #[test]
    fn safe_borrows_clean_text() {
        assert!(matches!(safe_line("订单 2606280001"), Cow::Borrowed(_)));
        assert!(matches!(safe_text("一\n二"), Cow::Borrowed(_)));
        assert_eq!(safe_line("一\n二"), "一 二");
        assert_eq!(safe_line("\u{1b}]52;c;ZXZpbA==\u{7}x\u{202e}"), "x");
        assert_eq!(safe_text("a\u{9d}0;t\u{9c}\nb\t"), "a\nb ", "a tab is a space");
        assert!(
            is_clean_trimmed_line("王小明 é") && !is_clean_trimmed_line("e\u{301}") && !is_clean_trimmed_line("a\nb")
        );
    }

    #[test]
    fn text_is_nfc() {
        // e + combining acute → é
        assert_eq!(clean_line("e\u{301}"), "\u{e9}");
        assert_eq!(clean_line("退款 "), "退款");
    }

    #[test]
    fn chinese_and_emoji_survive() {
        let s = "亲,您好👍家人👨‍👩‍👧";
        assert_eq!(clean_line(s), s);
    }
}
