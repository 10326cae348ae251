//! A tmux server of the test's own (its own socket), to run the real binary in a real
//! terminal: type keys, paste, read the screen, signal the program.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    pub session: String,
}

impl Tmux {
    /// None when tmux is not installed (the caller skips, saying so).
    pub fn start(session: &str, cmd: &str) -> Option<Tmux> {
        Command::new("tmux").arg("-V").output().ok()?;
        let t = Tmux { socket: format!("kefu-test-{}-{session}", std::process::id()), session: session.into() };
        t.run(&["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd]);
        Some(t)
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", &self.session, k]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn literal(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Pastes `text` as a terminal does (bracketed when the program asked for it).
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "-b", "kefu-test", "--", text]);
        self.run(&["paste-buffer", "-p", "-b", "kefu-test", "-t", &self.session]);
        std::thread::sleep(Duration::from_millis(300));
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.session])
    }

    /// A pane format variable (`#{alternate_on}`, `#{cursor_flag}`, `#{pane_pid}`).
    pub fn show(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", &self.session, format]).trim().to_string()
    }

    /// Waits until the screen shows `text`; the screen if it did.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("screen never showed {text:?}:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}
