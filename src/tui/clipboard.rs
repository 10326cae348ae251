//! Copying to the clipboard: OSC 52 (crossterm's `CopyToClipboard`; works over SSH and
//! in tmux with `set-clipboard on`) and the system clipboard tool when one is on PATH.
//! Tools are spawned and waited for on their own thread, never blocking the screen.

use std::borrow::Cow;
use std::io::Write;
use std::process::{Command, Stdio};

#[cfg(test)]
use ratatui::crossterm::Command as _;
use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::execute;

use crate::domain::sanitize::safe_text;

/// What goes on the clipboard for `text`: cleaned like everything else that leaves
/// kefu (a reply or a value planted with an escape would be pasted into a terminal or a
/// chat window as it is). Newlines stay.
pub fn clipboard_text(text: &str) -> Cow<'_, str> {
    safe_text(text)
}

/// The OSC 52 sequence that puts `text` (cleaned) on the clipboard.
#[cfg(test)]
fn osc52(text: &str) -> String {
    let mut s = String::new();
    let _ = CopyToClipboard::to_clipboard_from(clipboard_text(text).as_bytes()).write_ansi(&mut s);
    s
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false)
}

/// The system clipboard command for this session, if there is one.
fn system_tool() -> Option<(&'static str, Vec<&'static str>)> {
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
    execute!(out, CopyToClipboard::to_clipboard_from(text.as_bytes()))?;
    if let Some(tool) = system_tool() {
        let text = text.into_owned();
        std::thread::spawn(move || to_tool(tool, &text));
    }
    Ok(())
}

/// [`copy`], waiting for the system tool: for a process about to exit (`kefu pick`).
pub fn copy_and_wait(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let text = clipboard_text(text);
    execute!(out, CopyToClipboard::to_clipboard_from(text.as_bytes()))?;
    if let Some(tool) = system_tool() {
        to_tool(tool, &text);
    }
    Ok(())
}

fn to_tool((tool, args): (&str, Vec<&str>), text: &str) {
    let child = Command::new(tool).args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    if let Ok(mut child) = child {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(text.as_bytes());
        }
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_base64_of_utf8() {
        assert_eq!(osc52("亲"), "\x1b]52;c;5Lqy\x1b\\");
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x1b\\");
    }

    #[test]
    fn what_is_copied_is_cleaned() {
        let mut buf = Vec::new();
        copy(&mut buf, "亲\x1b]52;c;ZXZpbA==\x07,\u{9b}2J您好\u{202e}\n收货人").unwrap();
        assert_eq!(buf, osc52("亲,您好\n收货人").as_bytes());
        assert_eq!(osc52("a\x1b[31mb"), osc52("ab"));
    }
}
