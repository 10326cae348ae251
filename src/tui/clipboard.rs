//! Copying to the clipboard: OSC 52 (works over SSH and in tmux with `set-clipboard
//! on`) and the system clipboard tool when one is on PATH. Tools are spawned and
//! waited for on their own thread, never blocking the screen.

use std::borrow::Cow;
use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;

use crate::domain::sanitize::safe_text;

/// What goes on the clipboard for `text`: cleaned like everything else that leaves
/// kefu (a reply or a value planted with an escape would be pasted into a terminal or a
/// chat window as it is). Newlines stay.
pub fn clipboard_text(text: &str) -> Cow<'_, str> {
    safe_text(text)
}

/// The OSC 52 sequence that puts `text` (cleaned) on the clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(clipboard_text(text).as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false)
}

/// The system clipboard command for this session, if there is one.
pub fn system_tool() -> Option<(&'static str, Vec<&'static str>)> {
    if cfg!(target_os = "macos") && on_path("pbcopy") {
        return Some(("pbcopy", vec![]));
    }
    if std::env::var_os("WAYLAND_DISPLAY").is_some() && on_path("wl-copy") {
        return Some(("wl-copy", vec![]));
    }
    if std::env::var_os("DISPLAY").is_some() {
        if on_path("xclip") {
            return Some(("xclip", vec!["-selection", "clipboard"]));
        }
        if on_path("xsel") {
            return Some(("xsel", vec!["-b", "-i"]));
        }
    }
    None
}

/// Writes OSC 52 to `out` and hands the text to the system tool in the background.
pub fn copy(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let text = clipboard_text(text);
    out.write_all(osc52(&text).as_bytes())?;
    out.flush()?;
    if let Some((tool, args)) = system_tool() {
        let text = text.into_owned();
        std::thread::spawn(move || {
            let child =
                Command::new(tool).args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
            if let Ok(mut child) = child {
                if let Some(mut stdin) = child.stdin.take() {
                    let _ = stdin.write_all(text.as_bytes());
                }
                let _ = child.wait();
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_base64_of_utf8() {
        assert_eq!(osc52("亲"), "\x1b]52;c;5Lqy\x07");
        let mut buf = Vec::new();
        // No system tool is spawned for the assertion; the sequence is what matters.
        buf.write_all(osc52("hi").as_bytes()).unwrap();
        assert_eq!(buf, b"\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn what_is_copied_is_cleaned() {
        let mut buf = Vec::new();
        copy(&mut buf, "亲\x1b]52;c;ZXZpbA==\x07,\u{9b}2J您好\u{202e}\n收货人").unwrap();
        assert_eq!(buf, osc52("亲,您好\n收货人").as_bytes());
        assert_eq!(osc52("a\x1b[31mb"), osc52("ab"));
    }
}
