//! 客服介入状态: whether the platform stepped into a refund, and how far it got. The
//! refund exports carry it as text or as the platform's digit (1–6); a text kefu does not
//! know is kept as it is (`Other`), never refused — a newer platform wording must not
//! drop a refund.
//!
//! In events it is a string: the code of a known state (`NEEDED`, …) or the raw text of
//! an unknown one, so a seat that learns a new wording later reads older events alike.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Intervention {
    /// 1 不需客服介入
    NotNeeded,
    /// 2 需要客服介入: the buyer asked the platform to step in.
    Needed,
    /// 3 客服已经介入
    Intervened,
    /// 4 客服初审完成
    FirstReviewDone,
    /// 5 客服主管复审失败
    SupervisorReviewFailed,
    /// 6 客服处理完成
    Done,
    /// A text this kefu does not know, kept as the export wrote it.
    Other(String),
}

impl Intervention {
    pub const KNOWN: [Intervention; 6] = [
        Intervention::NotNeeded,
        Intervention::Needed,
        Intervention::Intervened,
        Intervention::FirstReviewDone,
        Intervention::SupervisorReviewFailed,
        Intervention::Done,
    ];

    /// The platform's number for a known state.
    pub fn number(&self) -> Option<u8> {
        Some(match self {
            Intervention::NotNeeded => 1,
            Intervention::Needed => 2,
            Intervention::Intervened => 3,
            Intervention::FirstReviewDone => 4,
            Intervention::SupervisorReviewFailed => 5,
            Intervention::Done => 6,
            Intervention::Other(_) => return None,
        })
    }

    /// The code kept in events; an unknown state's raw text.
    pub fn code(&self) -> &str {
        match self {
            Intervention::NotNeeded => "NOT_NEEDED",
            Intervention::Needed => "NEEDED",
            Intervention::Intervened => "INTERVENED",
            Intervention::FirstReviewDone => "FIRST_REVIEW_DONE",
            Intervention::SupervisorReviewFailed => "SUPERVISOR_REVIEW_FAILED",
            Intervention::Done => "DONE",
            Intervention::Other(t) => t,
        }
    }

    /// The platform's wording; an unknown state's raw text.
    pub fn label(&self) -> &str {
        match self {
            Intervention::NotNeeded => "不需客服介入",
            Intervention::Needed => "需要客服介入",
            Intervention::Intervened => "客服已经介入",
            Intervention::FirstReviewDone => "客服初审完成",
            Intervention::SupervisorReviewFailed => "客服主管复审失败",
            Intervention::Done => "客服处理完成",
            Intervention::Other(t) => t,
        }
    }

    pub fn is_known(&self) -> bool {
        !matches!(self, Intervention::Other(_))
    }

    /// The platform is (or may be) deciding the refund: evidence may be due. An
    /// unknown wording counts, so a dispute is never hidden.
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            Intervention::Needed
                | Intervention::Intervened
                | Intervention::FirstReviewDone
                | Intervention::SupervisorReviewFailed
                | Intervention::Other(_)
        )
    }

    /// A cell of 客服介入状态: a digit 1–6, the platform's text (spaces ignored), or a
    /// code; `None` for an empty cell; anything else is kept as `Other`.
    pub fn parse(text: &str) -> Option<Intervention> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return None;
        }
        let known = Intervention::KNOWN.into_iter().find(|s| {
            s.label() == t
                || s.code().eq_ignore_ascii_case(&t)
                || s.number().is_some_and(|n| t.parse::<u8>().is_ok_and(|d| d == n))
        });
        Some(known.unwrap_or_else(|| Intervention::Other(text.trim().to_string())))
    }
}

impl From<String> for Intervention {
    fn from(s: String) -> Intervention {
        Intervention::KNOWN.into_iter().find(|k| k.code() == s).unwrap_or(Intervention::Other(s))
    }
}

impl From<Intervention> for String {
    fn from(i: Intervention) -> String {
        match i {
            Intervention::Other(t) => t,
            known => known.code().to_string(),
        }
    }
}

impl fmt::Display for Intervention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_texts_and_codes_all_read() {
        for (i, s) in Intervention::KNOWN.iter().enumerate() {
            let n = (i + 1).to_string();
            assert_eq!(Intervention::parse(&n).as_ref(), Some(s), "{n}");
            assert_eq!(Intervention::parse(s.label()).as_ref(), Some(s));
            assert_eq!(Intervention::parse(&format!(" {} ", s.code().to_lowercase())).as_ref(), Some(s));
            assert_eq!(s.number(), Some(i as u8 + 1));
        }
        assert_eq!(Intervention::parse("客服 已经介入"), Some(Intervention::Intervened));
        assert_eq!(Intervention::parse(""), None);
        assert_eq!(Intervention::parse("  "), None);
    }

    #[test]
    fn unknown_texts_are_kept_not_refused() {
        let o = Intervention::parse(" 小二仲裁中 ").unwrap();
        assert_eq!(o, Intervention::Other("小二仲裁中".into()));
        assert!(!o.is_known() && o.is_open());
        assert_eq!(o.label(), "小二仲裁中");
        assert_eq!(Intervention::parse("7"), Some(Intervention::Other("7".into())));
    }

    #[test]
    fn events_carry_codes_and_read_back_unknown_codes() {
        for s in Intervention::KNOWN.into_iter().chain([Intervention::Other("小二仲裁中".into())]) {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<Intervention>(&json).unwrap(), s);
        }
        assert_eq!(serde_json::to_string(&Intervention::Needed).unwrap(), "\"NEEDED\"");
        // A code from a newer kefu is kept as it is.
        let newer: Intervention = serde_json::from_str("\"APPEALED\"").unwrap();
        assert_eq!(newer, Intervention::Other("APPEALED".into()));
    }

    #[test]
    fn only_open_disputes_are_open() {
        assert!(!Intervention::NotNeeded.is_open());
        assert!(!Intervention::Done.is_open());
        assert!(Intervention::Needed.is_open() && Intervention::Intervened.is_open());
    }
}
