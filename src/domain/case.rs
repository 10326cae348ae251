//! After-sales cases other than refunds: exchanges (换货), bad reviews (中差评) and
//! damage/loss reports (破损/遗失). Each has a small state machine and the seed's
//! registration fields (售后登记).

use super::text_len::{is_blank, visible_len};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_format::DamageReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Exchange,
    BadReview,
    Damage,
}

impl CaseKind {
    pub const ALL: [CaseKind; 3] = [CaseKind::Exchange, CaseKind::BadReview, CaseKind::Damage];

    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Exchange => "exchange",
            CaseKind::BadReview => "bad_review",
            CaseKind::Damage => "damage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Exchange => "换货",
            CaseKind::BadReview => "中差评",
            CaseKind::Damage => "破损/遗失",
        }
    }

    pub fn parse(text: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.code() == text.trim() || k.label() == text.trim())
    }

    pub fn initial_state(self) -> CaseState {
        match self {
            CaseKind::Exchange => CaseState::AwaitingReturn,
            CaseKind::BadReview => CaseState::Open,
            CaseKind::Damage => CaseState::Reported,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    // exchange
    AwaitingReturn,
    AwaitingPostage,
    ReadyToShip,
    Shipped,
    // bad review
    Open,
    Contacting,
    Changed,
    NotChanged,
    // damage
    Reported,
    Claimed,
    Rejected,
    // any
    Cancelled,
}

impl CaseState {
    pub const ALL: [CaseState; 12] = [
        CaseState::AwaitingReturn,
        CaseState::AwaitingPostage,
        CaseState::ReadyToShip,
        CaseState::Shipped,
        CaseState::Open,
        CaseState::Contacting,
        CaseState::Changed,
        CaseState::NotChanged,
        CaseState::Reported,
        CaseState::Claimed,
        CaseState::Rejected,
        CaseState::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseState::AwaitingReturn => "awaiting_return",
            CaseState::AwaitingPostage => "awaiting_postage",
            CaseState::ReadyToShip => "ready_to_ship",
            CaseState::Shipped => "shipped",
            CaseState::Open => "open",
            CaseState::Contacting => "contacting",
            CaseState::Changed => "changed",
            CaseState::NotChanged => "not_changed",
            CaseState::Reported => "reported",
            CaseState::Claimed => "claimed",
            CaseState::Rejected => "rejected",
            CaseState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseState::AwaitingReturn => "待买家寄回",
            CaseState::AwaitingPostage => "待补邮费",
            CaseState::ReadyToShip => "待换出",
            CaseState::Shipped => "已换出",
            CaseState::Open => "待联系",
            CaseState::Contacting => "联系中",
            CaseState::Changed => "已改评",
            CaseState::NotChanged => "未改评",
            CaseState::Reported => "已报告快递",
            CaseState::Claimed => "已索赔",
            CaseState::Rejected => "快递拒赔",
            CaseState::Cancelled => "已取消",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseState::Shipped
                | CaseState::Changed
                | CaseState::NotChanged
                | CaseState::Claimed
                | CaseState::Rejected
                | CaseState::Cancelled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseAction {
    /// Exchange: the returned item arrived at the warehouse.
    Received,
    /// Exchange: the buyer paid the postage.
    PostagePaid,
    /// Exchange: the replacement went out.
    Ship,
    /// Bad review: the buyer changed the review.
    ReviewChanged,
    /// Bad review: closed without a change.
    ReviewNotChanged,
    /// Damage: the courier paid the claim.
    Claimed,
    /// Damage: the courier refused the claim.
    Rejected,
    Cancel,
}

impl CaseAction {
    pub const ALL: [CaseAction; 8] = [
        CaseAction::Received,
        CaseAction::PostagePaid,
        CaseAction::Ship,
        CaseAction::ReviewChanged,
        CaseAction::ReviewNotChanged,
        CaseAction::Claimed,
        CaseAction::Rejected,
        CaseAction::Cancel,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CaseAction::Received => "received",
            CaseAction::PostagePaid => "postage-paid",
            CaseAction::Ship => "ship",
            CaseAction::ReviewChanged => "review-changed",
            CaseAction::ReviewNotChanged => "review-not-changed",
            CaseAction::Claimed => "claimed",
            CaseAction::Rejected => "rejected",
            CaseAction::Cancel => "cancel",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseAction::Received => "收到退回件",
            CaseAction::PostagePaid => "买家已补邮费",
            CaseAction::Ship => "换出新货",
            CaseAction::ReviewChanged => "买家已改评",
            CaseAction::ReviewNotChanged => "结案:未改评",
            CaseAction::Claimed => "快递已赔付",
            CaseAction::Rejected => "快递拒赔",
            CaseAction::Cancel => "取消",
        }
    }

    pub fn parse(text: &str) -> Option<CaseAction> {
        CaseAction::ALL.into_iter().find(|a| a.name() == text.trim())
    }
}

/// What the buyer and the shop agreed for an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExchangeDetail {
    pub reason: String,
    /// What goes out instead (SKU / colour / size).
    pub want: String,
    /// Quality problem: exchanged free (`000`).
    pub quality_problem: bool,
    /// The buyer included the return postage.
    pub postage_paid: bool,
    #[serde(default)]
    pub return_tracking_no: String,
    #[serde(default)]
    pub out_tracking_no: String,
}

/// 中评 or 差评.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReviewLevel {
    #[default]
    Neutral,
    Negative,
}

impl ReviewLevel {
    pub fn label(self) -> &'static str {
        match self {
            ReviewLevel::Neutral => "中评",
            ReviewLevel::Negative => "差评",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewLevel> {
        match text.trim() {
            "中评" | "neutral" => Some(ReviewLevel::Neutral),
            "差评" | "negative" | "bad" => Some(ReviewLevel::Negative),
            _ => None,
        }
    }
}

/// Review text and explanation are each at most 500 characters on the platform.
pub const REVIEW_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BadReviewDetail {
    pub level: ReviewLevel,
    pub review_text: String,
    pub review_date: Option<NaiveDate>,
    /// What the buyer wants, and their attitude (step 2 of the seed).
    #[serde(default)]
    pub buyer_wants: String,
    /// The remedy offered (return/exchange, free exchange, VIP, gift, free shipping …).
    #[serde(default)]
    pub remedy: String,
}

impl BadReviewDetail {
    pub fn validate(&self) -> Result<(), String> {
        let n = visible_len(&self.review_text);
        if n == 0 {
            return Err("请粘贴评价内容".into());
        }
        if n > REVIEW_MAX_CHARS {
            return Err(format!("评价内容最多 {REVIEW_MAX_CHARS} 字,这条 {n} 字"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseDetail {
    Exchange(ExchangeDetail),
    BadReview(BadReviewDetail),
    Damage(DamageReport),
}

impl CaseDetail {
    pub fn kind(&self) -> CaseKind {
        match self {
            CaseDetail::Exchange(_) => CaseKind::Exchange,
            CaseDetail::BadReview(_) => CaseKind::BadReview,
            CaseDetail::Damage(_) => CaseKind::Damage,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        match self {
            CaseDetail::Exchange(e) if is_blank(&e.reason) => Err("换货要写原因".into()),
            CaseDetail::Exchange(_) => Ok(()),
            CaseDetail::BadReview(b) => b.validate(),
            CaseDetail::Damage(d) => d.validate(),
        }
    }
}

/// 售后登记: the six fields of the seed's registration form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Registration {
    /// 问题来源 (旺旺, 电话, 评价, 仓库 …).
    #[serde(default)]
    pub source: String,
    /// 客户评分.
    #[serde(default)]
    pub rating: String,
    /// 处理人.
    #[serde(default)]
    pub handler: String,
    /// 问题类型.
    #[serde(default)]
    pub problem_type: String,
    /// 处理状态.
    #[serde(default)]
    pub status: String,
    /// 处理结果.
    #[serde(default)]
    pub result: String,
}

impl Registration {
    /// Fields set in `patch` replace ours; empty ones leave ours alone.
    pub fn merge(&mut self, patch: &Registration) {
        for (mine, theirs) in [
            (&mut self.source, &patch.source),
            (&mut self.rating, &patch.rating),
            (&mut self.handler, &patch.handler),
            (&mut self.problem_type, &patch.problem_type),
            (&mut self.status, &patch.status),
            (&mut self.result, &patch.result),
        ] {
            if !theirs.trim().is_empty() {
                *mine = theirs.clone();
            }
        }
    }
}

/// Contact channels, best first (`000` §(四): the phone is best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Wangwang,
    Sms,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Phone, Channel::Wangwang, Channel::Sms, Channel::Email];

    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Wangwang => "旺旺",
            Channel::Sms => "短信",
            Channel::Email => "邮件",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        let t = text.trim().to_lowercase();
        Channel::ALL.into_iter().find(|c| {
            c.label() == t || format!("{c:?}").to_lowercase() == t || (t == "chat" && *c == Channel::Wangwang)
        })
    }
}

/// The one transition table: where `action` leads, or None when it is not allowed.
fn next_state(kind: CaseKind, state: CaseState, action: CaseAction, detail: &CaseDetail) -> Option<CaseState> {
    use CaseAction as A;
    use CaseState as S;
    if state.is_terminal() {
        return None;
    }
    let (postage_paid, quality) = match detail {
        CaseDetail::Exchange(e) => (e.postage_paid, e.quality_problem),
        _ => (false, false),
    };
    match (kind, state, action) {
        (_, _, A::Cancel) => Some(S::Cancelled),
        (CaseKind::Exchange, S::AwaitingReturn, A::Received) => {
            Some(if postage_paid || quality { S::ReadyToShip } else { S::AwaitingPostage })
        }
        (CaseKind::Exchange, S::AwaitingReturn, A::PostagePaid) if !postage_paid && !quality => Some(S::AwaitingReturn),
        (CaseKind::Exchange, S::AwaitingPostage, A::PostagePaid) => Some(S::ReadyToShip),
        (CaseKind::Exchange, S::ReadyToShip, A::Ship) => Some(S::Shipped),
        (CaseKind::BadReview, S::Open | S::Contacting, A::ReviewChanged) => Some(S::Changed),
        (CaseKind::BadReview, S::Contacting, A::ReviewNotChanged) => Some(S::NotChanged),
        (CaseKind::Damage, S::Reported, A::Claimed) => Some(S::Claimed),
        (CaseKind::Damage, S::Reported, A::Rejected) => Some(S::Rejected),
        _ => None,
    }
}

/// The next state for `action` on a case of `kind` in `state`, or why not.
pub fn case_transition(
    kind: CaseKind,
    state: CaseState,
    action: CaseAction,
    detail: &CaseDetail,
) -> Result<CaseState, String> {
    if state.is_terminal() {
        return Err(format!("{}单已结束({}),不能再「{}」", kind.label(), state.label(), action.label()));
    }
    next_state(kind, state, action, detail).ok_or_else(|| {
        let allowed: Vec<&str> = allowed_case_actions(kind, state, detail).iter().map(|a| a.name()).collect();
        format!("{}单当前「{}」,不能「{}」。可执行:{}", kind.label(), state.label(), action.label(), allowed.join("、"))
    })
}

pub fn allowed_case_actions(kind: CaseKind, state: CaseState, detail: &CaseDetail) -> Vec<CaseAction> {
    CaseAction::ALL.into_iter().filter(|a| next_state(kind, state, *a, detail).is_some()).collect()
}

/// Applies the side effect of an action on the detail (the buyer paid the postage).
pub fn apply_to_detail(action: CaseAction, detail: &mut CaseDetail) {
    if let (CaseAction::PostagePaid, CaseDetail::Exchange(e)) = (action, detail) {
        e.postage_paid = true;
    }
}

/// A contact moves a bad review from "to contact" to "contacting".
pub fn after_contact(kind: CaseKind, state: CaseState) -> CaseState {
    if kind == CaseKind::BadReview && state == CaseState::Open { CaseState::Contacting } else { state }
}

/// The bad-review opening line (`000` §(四)).
pub fn review_opening_line(receiver_name: &str, gender_hint: Option<bool>) -> String {
    let surname: String = receiver_name.trim().chars().take(1).collect();
    let title = match gender_hint {
        Some(true) => "先生",
        Some(false) => "小姐",
        None => "小姐(先生)",
    };
    if surname.is_empty() {
        format!("您好,请问是XX{title}吗?")
    } else {
        format!("您好,请问是{surname}{title}吗?")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exch(paid: bool, quality: bool) -> CaseDetail {
        CaseDetail::Exchange(ExchangeDetail {
            reason: "尺码偏小".into(),
            want: "L".into(),
            quality_problem: quality,
            postage_paid: paid,
            ..Default::default()
        })
    }

    #[test]
    fn exchange_waits_for_postage_unless_paid_or_quality() {
        let k = CaseKind::Exchange;
        assert_eq!(
            case_transition(k, CaseState::AwaitingReturn, CaseAction::Received, &exch(false, false)),
            Ok(CaseState::AwaitingPostage)
        );
        assert_eq!(
            case_transition(k, CaseState::AwaitingReturn, CaseAction::Received, &exch(true, false)),
            Ok(CaseState::ReadyToShip)
        );
        assert_eq!(
            case_transition(k, CaseState::AwaitingReturn, CaseAction::Received, &exch(false, true)),
            Ok(CaseState::ReadyToShip)
        );
        assert_eq!(
            case_transition(k, CaseState::AwaitingPostage, CaseAction::PostagePaid, &exch(false, false)),
            Ok(CaseState::ReadyToShip)
        );
        assert_eq!(
            case_transition(k, CaseState::ReadyToShip, CaseAction::Ship, &exch(true, false)),
            Ok(CaseState::Shipped)
        );
        assert!(case_transition(k, CaseState::AwaitingReturn, CaseAction::Ship, &exch(true, false)).is_err());
    }

    #[test]
    fn every_allowed_action_is_accepted_and_no_other() {
        let details = [exch(false, false), exch(true, false)];
        for kind in CaseKind::ALL {
            for state in CaseState::ALL {
                for detail in &details {
                    let allowed = allowed_case_actions(kind, state, detail);
                    for a in CaseAction::ALL {
                        let ok = case_transition(kind, state, a, detail).is_ok();
                        assert_eq!(ok, allowed.contains(&a), "{kind:?} {state:?} {a:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn bad_review_flow() {
        let d = CaseDetail::BadReview(BadReviewDetail { review_text: "质量差".into(), ..Default::default() });
        let k = CaseKind::BadReview;
        assert!(case_transition(k, CaseState::Open, CaseAction::ReviewNotChanged, &d).is_err());
        assert_eq!(after_contact(k, CaseState::Open), CaseState::Contacting);
        assert_eq!(
            case_transition(k, CaseState::Contacting, CaseAction::ReviewNotChanged, &d),
            Ok(CaseState::NotChanged)
        );
        let err = case_transition(k, CaseState::Changed, CaseAction::Cancel, &d).unwrap_err();
        assert!(err.contains("已结束"), "{err}");
    }

    #[test]
    fn review_text_is_limited() {
        let long = BadReviewDetail { review_text: "差".repeat(501), ..Default::default() };
        assert!(long.validate().unwrap_err().contains("500"));
        assert!(BadReviewDetail::default().validate().is_err());
    }

    #[test]
    fn review_length_counts_what_a_person_sees() {
        let review = |text: &str| BadReviewDetail { review_text: text.into(), ..Default::default() };
        // 500 accented characters are 1,000 code points: still 500 characters.
        assert!(review(&"好\u{301}".repeat(REVIEW_MAX_CHARS)).validate().is_ok());
        assert!(review(&"好\u{301}".repeat(REVIEW_MAX_CHARS + 1)).validate().is_err());
        assert!(review("\u{200d}\u{200d}\u{200d}").validate().unwrap_err().contains("请粘贴评价内容"));
        assert!(review(" \u{3000}").validate().is_err());
        let exchange = CaseDetail::Exchange(ExchangeDetail { reason: "\u{200b}".into(), ..Default::default() });
        assert!(exchange.validate().is_err());
    }

    #[test]
    fn registration_merge_keeps_unset_fields() {
        let mut r = Registration { source: "旺旺".into(), handler: "宾".into(), ..Default::default() };
        r.merge(&Registration { status: "处理中".into(), handler: "".into(), ..Default::default() });
        assert_eq!((r.source.as_str(), r.handler.as_str(), r.status.as_str()), ("旺旺", "宾", "处理中"));
    }

    #[test]
    fn opening_line() {
        assert_eq!(review_opening_line("王芳", Some(false)), "您好,请问是王小姐吗?");
        assert_eq!(review_opening_line("", None), "您好,请问是XX小姐(先生)吗?");
    }
}
