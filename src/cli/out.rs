//! The one way the command line prints. Every line, table and JSON document goes
//! through the sanitizer on its way out, whatever the database or the arguments hold
//! (an escape planted in a memo, `kefu memo N "…ESC]0;…BEL…"`): text loses its control
//! characters and bidi overrides, JSON keeps them as `\uXXXX` escapes.
//!
//! Writes return `io::Result`; pass it on with `?`. When the reader goes away
//! (`kefu log | head`) the write fails with a broken pipe, the command stops there, and
//! `cli::main` exits quietly (status 0) instead of printing an error.
//!
//! `println!`/`eprintln!` are denied in `cli` (see `cli/mod.rs`): new commands print with
//! these helpers.

#![allow(clippy::print_stderr, reason = "this is the one place the command line writes to stderr")]

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::table::Table;
use crate::domain::sanitize::{safe_text, to_json_line, to_json_pretty};

/// Prints `text` as one line: anything unsafe removed, a newline inside it (a value
/// planted with one, say) a space, so it cannot pass for a line of its own.
pub fn line(text: impl AsRef<str>) -> io::Result<()> {
    let text = safe_text(text.as_ref());
    let mut out = io::stdout().lock();
    if text.contains('\n') {
        out.write_all(text.replace('\n', " ").as_bytes())?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Prints multi-line `text` as it ends (a rendered table ends in its own newline),
/// anything unsafe but newlines removed.
pub fn text(text: impl AsRef<str>) -> io::Result<()> {
    io::stdout().lock().write_all(safe_text(text.as_ref()).as_bytes())
}

/// Prints an aligned table (its cells are cleaned as they are added). Long cells are
/// cut to fit a terminal; piped into a file or another program, nothing is cut.
pub fn table(t: &Table) -> io::Result<()> {
    if io::stdout().is_terminal() { text(t.render()) } else { text(t.clone().max_width(usize::MAX).render()) }
}

/// The widest a table cell may be: `wanted` on a terminal, unlimited when piped.
pub fn cell_limit(wanted: usize) -> usize {
    if io::stdout().is_terminal() { wanted } else { usize::MAX }
}

/// Prints `value` as indented JSON and a newline; unsafe characters inside its strings
/// are written as `\uXXXX` escapes.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut json = to_json_pretty(value)?;
    json.push('\n');
    text(json)?;
    Ok(())
}

/// One JSON value on one line, for output that streams (`kefu log --json`): the text to
/// write, with unsafe characters escaped.
pub fn json_line<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(to_json_line(value)?)
}

/// Bytes rendered elsewhere by a renderer that cleans what it writes (a report's CSV,
/// possibly GB18030): written as they are.
pub fn bytes(b: &[u8]) -> io::Result<()> {
    io::stdout().lock().write_all(b)
}

/// A message for the person at the terminal (progress, hints, errors), on stderr,
/// cleaned. Never fails: a closed stderr leaves nothing to tell.
pub fn note(text: impl AsRef<str>) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(safe_text(text.as_ref()).as_bytes());
    let _ = err.write_all(b"\n");
}

/// Whether `e` is the reader of our output having gone away (`kefu … | head`), which
/// ends a command quietly rather than as an error.
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_told_apart_through_context() {
        let e = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe)).context("写入");
        assert!(is_closed_pipe(&e));
        assert!(!is_closed_pipe(&anyhow::anyhow!("Broken pipe")));
        assert!(!is_closed_pipe(&anyhow::Error::from(io::Error::from(io::ErrorKind::PermissionDenied))));
    }
}
