//! Who is working: the agent's name, signed on every change and written at the end of
//! every memo line (`6-28联系工号851更改地址,已更改 宾`). It must be a person's name:
//! the machine's login (`$USER`) is never taken for one, and 客服 is the role, not a name.

/// The longest name accepted (memo lines end with it).
pub const MAX_CHARS: usize = 20;

/// Names that say nothing about who worked.
const NOT_NAMES: [&str; 4] = ["客服", "kefu", "pending", "root"];

/// The name as it will be recorded, or why it cannot be one.
pub fn check_agent_name(text: &str) -> Result<String, String> {
    let name = super::sanitize::clean_line(text);
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err("客服名不能为空".into());
    }
    if n > MAX_CHARS {
        return Err(format!("客服名最多 {MAX_CHARS} 个字,这里 {n} 个"));
    }
    if NOT_NAMES.iter().any(|w| name.eq_ignore_ascii_case(w)) {
        return Err(format!("「{name}」不是一个人的名字:请写你自己的名字(备注末尾写的那个,如 宾)"));
    }
    Ok(name.to_string())
}

/// A seat name made of a readable part (the host name, at most 16 characters) and the
/// last 6 characters of `random` (hex of a fresh id, whose tail is random): two
/// databases on one computer get two names. `seat-WORKPC-3f9a1c`.
pub fn seat_name(host: &str, random: &str) -> String {
    let host: String =
        super::sanitize::clean_line(host).trim().chars().filter(|c| !c.is_whitespace()).take(16).collect();
    let host = if host.is_empty() { "local".to_string() } else { host };
    let tail: String = random.chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
    format!("seat-{host}-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seat_name_is_readable_and_its_own() {
        assert_eq!(seat_name("WORKPC", "0192a6b0c1d27c3f9a1c"), "seat-WORKPC-3f9a1c");
        assert_eq!(seat_name("", "abcdef"), "seat-local-abcdef");
        assert_eq!(seat_name("a very long host name indeed", "123456"), "seat-averylonghostnam-123456");
        let a = seat_name("pc", &uuid::Uuid::now_v7().simple().to_string());
        let b = seat_name("pc", &uuid::Uuid::now_v7().simple().to_string());
        assert_ne!(a, b, "two databases on one computer");
    }

    #[test]
    fn a_name_is_a_persons() {
        assert_eq!(check_agent_name(" 宾 ").unwrap(), "宾");
        assert_eq!(check_agent_name("小美").unwrap(), "小美");
        for bad in ["", "  ", "客服", "KEFU", "root", &"名".repeat(21)] {
            assert!(check_agent_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_agent_name("宾\x1b[31m").unwrap(), "宾", "escapes are dropped");
    }
}
