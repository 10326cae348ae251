//! Copying to the clipboard: OSC 52 (crossterm's `CopyToClipboard`; works over SSH and
//! in tmux with `set-clipboard on`) and the system clipboard tool when one is on PATH.
//! Tools are spawned and waited for on their own thread, never blocking the screen.

use std::io::Write;
use std::process::{Command, Stdio};

#[cfg(test)]
use ratatui::crossterm::Command as _;
use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::execute;

/// The OSC 52 sequence that puts `text` on the clipboard.
#[cfg(test)]
fn osc52(text: &str) -> String {
    let mut s = String::new();
    let _ = CopyToClipboard::to_clipboard_from(text.as_bytes()).write_ansi(&mut s);
    s
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false)
}

/// The system clipboard command for this session, if there is one.
pub(crate) fn system_tool() -> Option<(&'static str, Vec<&'static str>)> {
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
pub(crate) fn copy(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    execute!(out, CopyToClipboard::to_clipboard_from(text.as_bytes()))?;
    if let Some((tool, args)) = system_tool() {
        let text = text.to_string();
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
        assert_eq!(osc52("亲"), "\x1b]52;c;5Lqy\x1b\\");
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x1b\\");
    }
}
