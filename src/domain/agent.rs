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

#[cfg(test)]
mod tests {
    use super::*;

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
