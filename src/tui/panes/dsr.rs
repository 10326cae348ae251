//! The DSR form (in ⑤, key `d`): star counts for the three DSR scores (描述相符,
//! 服务态度, 物流服务; empty ones are skipped) and a target. Each keystroke recomputes
//! the score and how many more five-star ratings reach the target
//! (`domain::dsr`); bad input gets a clear message. Nothing is written anywhere.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use crate::domain::dsr::{Needed, StarCounts, five_stars_needed, parse_target};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{Field, Form, FormEvent};

pub(crate) const DIMENSIONS: [&str; 3] = ["描述相符", "服务态度", "物流服务"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DsrField {
    Described,
    Service,
    Logistics,
    Target,
}

pub(crate) struct DsrForm {
    form: Form<DsrField>,
}

/// The result lines for counts and a target, and the first error if any.
pub(crate) fn compute(counts: [&str; 3], target: &str) -> (Vec<String>, Option<String>) {
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
    pub(crate) fn new() -> DsrForm {
        let fields = vec![
            Field::text(DsrField::Described, DIMENSIONS[0], ""),
            Field::text(DsrField::Service, DIMENSIONS[1], ""),
            Field::text(DsrField::Logistics, DIMENSIONS[2], ""),
            Field::text(DsrField::Target, "目标分", "4.8"),
        ];
        let mut f = DsrForm { form: Form::new("DSR 计算(5:人数,4:人数,… 与目标分)", fields) };
        f.recompute();
        f
    }

    fn recompute(&mut self) {
        let t = |id| self.form.text(id);
        let (lines, error) =
            compute([t(DsrField::Described), t(DsrField::Service), t(DsrField::Logistics)], t(DsrField::Target));
        self.form.preview = lines;
        match error {
            Some(e) => self.form.set_error(e),
            None => self.form.clear_error(),
        }
    }

    /// The result lines shown.
    pub(crate) fn results(&self) -> &[String] {
        &self.form.preview
    }

    pub(crate) fn error(&self) -> Option<&str> {
        self.form.error()
    }

    pub(crate) fn paste(&mut self, text: &str) {
        if self.form.paste(text) == FormEvent::Changed {
            self.recompute();
        }
    }

    /// False when the form should close.
    pub(crate) fn handle_key(&mut self, key: KeyEvent) -> bool {
        match self.form.handle_key(key) {
            FormEvent::Cancel => return false,
            FormEvent::Changed | FormEvent::Submit => self.recompute(),
            FormEvent::None => {}
        }
        true
    }

    pub(crate) fn draw(&self, f: &mut Frame, screen: Rect, theme: &Theme) {
        self.form.draw(f, screen, theme);
    }
}
