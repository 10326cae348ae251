//! The progress bar of a large import, on stderr and only when stderr is a terminal:
//! MB read of the file(s), rows, rate and time left. The import tells how far it has
//! read through `import::Progress`; drawing is this file's alone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::import::Progress;

/// Files smaller than this import in a blink: no bar.
const MIN_BYTES: u64 = 4 << 20;

pub struct Bar {
    bar: ProgressBar,
    /// How far each file has been read (list, detail).
    read: [AtomicU64; 2],
}

impl Bar {
    /// A bar for an import of `total` bytes, when stderr is a terminal and the files are
    /// large enough to wait for.
    pub fn for_import(total: u64) -> Option<Bar> {
        if total < MIN_BYTES || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
        let style = ProgressStyle::with_template(
            "{spinner} [{bar:30}] {binary_bytes}/{binary_total_bytes} · {msg} · {binary_bytes_per_sec} · 剩余 {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("0 行");
        bar.enable_steady_tick(Duration::from_millis(250));
        Some(Bar { bar, read: [AtomicU64::new(0), AtomicU64::new(0)] })
    }

    /// Takes the bar off the screen (before the summary is printed).
    pub fn finish(bar: Option<Bar>) {
        if let Some(b) = bar {
            b.bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn read_to(&self, file: usize, pos: u64) {
        let Some(slot) = self.read.get(file) else { return };
        let before = slot.swap(pos, Ordering::Relaxed);
        let total: u64 = self.read.iter().map(|r| r.load(Ordering::Relaxed)).sum();
        self.bar.set_position(total);
        // Telling a file's encoding reads it once from the start; the real read starts
        // again from 0, and the rate is measured from there.
        if pos < before {
            self.bar.reset_eta();
        }
    }

    fn rows(&self, rows: u64) {
        self.bar.set_message(format!("{rows} 行"));
    }
}
