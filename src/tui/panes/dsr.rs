//! The DSR form (in ⑤, key `d`): star counts for the three DSR scores (描述相符,
//! 服务态度, 物流服务; empty ones are skipped) and a target. Each keystroke recomputes
//! the score and how many more five-star ratings reach the target
//! (`domain::dsr`); bad input gets a clear message. Nothing is written anywhere.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::domain::dsr::{Needed, StarCounts, five_stars_needed, parse_target};
use crate::tui::widgets::form::{Field, Form, FormEvent};

pub const DIMENSIONS: [&str; 3] = ["描述相符", "服务态度", "物流服务"];

pub struct DsrForm {
    pub form: Form,
}

impl Default for DsrForm {
    fn default() -> Self {
        Self::new()
    }
}

/// The result lines for counts and a target, and the first error if any.
pub fn compute(counts: [&str; 3], target: &str) -> (Vec<String>, Option<String>) {
    let mut lines = Vec::new();
    let mut error = None;
    let target = if target.trim().is_empty() {
        None
    } else {
        match parse_target(target) {
            Ok(t) => Some(t),
            Err(e) => {
                error = Some(e.to_string());
                None
            }
        }
    };
    for (name, text) in DIMENSIONS.iter().zip(counts) {
        if text.trim().is_empty() {
            continue;
        }
        let c = match StarCounts::parse(text) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("{name}:{e}");
                lines.push(format!("✗ {msg}"));
                error.get_or_insert(msg);
                continue;
            }
        };
        let Some(score) = c.score() else {
            lines.push(format!("{name}:还没有评分"));
            continue;
        };
        let mut line = format!("{name}:{score:.4}({} 人)", c.raters());
        if let Some(t) = target {
            match five_stars_needed(&c, t) {
                Ok(Needed::AlreadyReached) => line.push_str(&format!(" · 已达到 {:.3}", t as f64 / 1000.0)),
                Ok(Needed::More(n)) => line.push_str(&format!(" · 还需 {n} 个五星达到 {:.3}", t as f64 / 1000.0)),
                Err(e) => {
                    error.get_or_insert(e.to_string());
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() && error.is_none() {
        lines.push("填写评分人数,例如 5:80,4:10,3:10,2:0,1:0".into());
    }
    (lines, error)
}

impl DsrForm {
    pub fn new() -> DsrForm {
        let mut fields: Vec<Field> = DIMENSIONS.iter().map(|d| Field::text(d, "")).collect();
        fields.push(Field::text("目标分", "4.8"));
        let mut f = DsrForm { form: Form::new("DSR 计算(5:人数,4:人数,… 与目标分)", fields) };
        f.recompute();
        f
    }

    pub fn recompute(&mut self) {
        let (lines, error) = compute([self.form.value(0), self.form.value(1), self.form.value(2)], self.form.value(3));
        self.form.preview = lines;
        self.form.error = error;
    }

    /// The result lines shown.
    pub fn results(&self) -> &[String] {
        &self.form.preview
    }

    /// False when the form should close.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        match self.form.handle_key(key) {
            FormEvent::Cancel => return false,
            FormEvent::Changed | FormEvent::Submit => self.recompute(),
            FormEvent::None => {}
        }
        true
    }

    pub fn draw(&self, f: &mut Frame, screen: Rect) {
        self.form.draw(f, screen);
    }
}
