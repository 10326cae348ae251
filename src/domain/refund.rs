//! The platform's refund states and the actions a seat may take in each (`000` §(二)).
//! Pure: `RefundCase::apply` either gives the next case or says why not.

use super::text_len::{is_blank, visible_len};
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundState {
    #[default]
    WaitSellerAgree,
    WaitBuyerReturnGoods,
    WaitSellerConfirmGoods,
    SellerRefuseBuyer,
    Closed,
    Success,
    /// A state this kefu does not know: a 退款状态 text an export wrote that it cannot
    /// read (the raw text is kept on the record), or a code from a newer kefu in a
    /// sync file. No action is offered until a newer export says what it is; it counts
    /// as waiting for the seller, so it is looked at, not hidden.
    #[serde(other)]
    Unknown,
}

impl RefundState {
    pub const ALL: [RefundState; 6] = [
        RefundState::WaitSellerAgree,
        RefundState::WaitBuyerReturnGoods,
        RefundState::WaitSellerConfirmGoods,
        RefundState::SellerRefuseBuyer,
        RefundState::Closed,
        RefundState::Success,
    ];

    /// Every state a refund can be in: `ALL`, then `Unknown` (reports count by these).
    pub const WITH_UNKNOWN: [RefundState; 7] = {
        let mut all = [RefundState::Unknown; 7];
        let mut i = 0;
        while i < RefundState::ALL.len() {
            all[i] = RefundState::ALL[i];
            i += 1;
        }
        all
    };

    pub fn code(self) -> &'static str {
        match self {
            RefundState::WaitSellerAgree => "WAIT_SELLER_AGREE",
            RefundState::WaitBuyerReturnGoods => "WAIT_BUYER_RETURN_GOODS",
            RefundState::WaitSellerConfirmGoods => "WAIT_SELLER_CONFIRM_GOODS",
            RefundState::SellerRefuseBuyer => "SELLER_REFUSE_BUYER",
            RefundState::Closed => "CLOSED",
            RefundState::Success => "SUCCESS",
            RefundState::Unknown => "UNKNOWN",
        }
    }

    /// The platform's label.
    pub fn label(self) -> &'static str {
        match self {
            RefundState::WaitSellerAgree => "买家已经申请退款,等待卖家同意",
            RefundState::WaitBuyerReturnGoods => "卖家已经同意退款,等待买家退货",
            RefundState::WaitSellerConfirmGoods => "买家已经退货,等待卖家确认收货",
            RefundState::SellerRefuseBuyer => "卖家拒绝退款",
            RefundState::Closed => "退款关闭",
            RefundState::Success => "退款成功",
            RefundState::Unknown => "未知退款状态",
        }
    }

    /// The wording of the seed (`000`), as agents know it from the seller centre.
    pub fn seed_label(self) -> &'static str {
        match self {
            RefundState::WaitSellerAgree => "退款协议等待卖家确认中",
            RefundState::WaitBuyerReturnGoods => "退款协议达成,等待买家退货",
            RefundState::WaitSellerConfirmGoods => "买家已退货,等待卖家确认收货",
            RefundState::SellerRefuseBuyer => "卖家不同意协议,等待买家修改",
            RefundState::Closed => "退款关闭",
            RefundState::Success => "退款成功",
            RefundState::Unknown => "未知退款状态",
        }
    }

    pub fn short_label(self) -> &'static str {
        match self {
            RefundState::WaitSellerAgree => "待卖家同意",
            RefundState::WaitBuyerReturnGoods => "待买家退货",
            RefundState::WaitSellerConfirmGoods => "待确认收货",
            RefundState::SellerRefuseBuyer => "已拒绝待修改",
            RefundState::Closed => "退款关闭",
            RefundState::Success => "退款成功",
            RefundState::Unknown => "未知状态",
        }
    }

    /// A known code, or `UNKNOWN` (what the refunds table holds for an unknown state).
    pub fn from_code(code: &str) -> Option<RefundState> {
        RefundState::ALL.into_iter().chain([RefundState::Unknown]).find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }

    /// A known code, the platform label, or the seed's wording (either comma).
    pub fn parse(text: &str) -> Option<RefundState> {
        if let Some(s) = RefundState::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(text.trim())) {
            return Some(s);
        }
        let norm = |s: &str| -> String {
            s.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '\u{ff0c}' { ',' } else { c }).collect()
        };
        let t = norm(text);
        RefundState::ALL
            .into_iter()
            .find(|s| norm(s.label()) == t || norm(s.seed_label()) == t || norm(s.short_label()) == t)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, RefundState::Closed | RefundState::Success)
    }

    /// The seller has to act (the status bar counts these).
    pub fn waits_for_seller(self) -> bool {
        matches!(self, RefundState::WaitSellerAgree | RefundState::WaitSellerConfirmGoods | RefundState::Unknown)
    }
}

impl fmt::Display for RefundState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.label(), self.code())
    }
}

/// 货物状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GoodsStatus {
    #[default]
    BuyerNotReceived,
    BuyerReceived,
    BuyerReturnedGoods,
    /// A 货物状态 text this kefu does not know (kept raw on the record), or a code from
    /// a newer kefu.
    #[serde(other)]
    Unknown,
}

impl GoodsStatus {
    pub fn code(self) -> &'static str {
        match self {
            GoodsStatus::BuyerNotReceived => "BUYER_NOT_RECEIVED",
            GoodsStatus::BuyerReceived => "BUYER_RECEIVED",
            GoodsStatus::BuyerReturnedGoods => "BUYER_RETURNED_GOODS",
            GoodsStatus::Unknown => "UNKNOWN",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoodsStatus::BuyerNotReceived => "买家未收到货",
            GoodsStatus::BuyerReceived => "买家已收到货",
            GoodsStatus::BuyerReturnedGoods => "买家已退货",
            GoodsStatus::Unknown => "未知货物状态",
        }
    }

    /// A known code or text; `未发货` (not shipped yet) is the buyer not having it.
    pub fn parse(text: &str) -> Option<GoodsStatus> {
        let t = text.trim();
        [GoodsStatus::BuyerNotReceived, GoodsStatus::BuyerReceived, GoodsStatus::BuyerReturnedGoods]
            .into_iter()
            .find(|g| g.code().eq_ignore_ascii_case(t))
            .or(match t {
                "买家未收到货" | "未收到货" | "未发货" | "卖家未发货" => {
                    Some(GoodsStatus::BuyerNotReceived)
                }
                "买家已收到货" | "已收到货" => Some(GoodsStatus::BuyerReceived),
                "买家已退货" | "已退货" => Some(GoodsStatus::BuyerReturnedGoods),
                _ => None,
            })
    }
}

/// 售中 / 售后.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    #[default]
    Onsale,
    Aftersale,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Onsale => "售中",
            Phase::Aftersale => "售后",
        }
    }
}

/// The actions of the after-sales pane and `kefu refund ACTION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefundAction {
    Agree,
    Refuse,
    BuyerAmended,
    BuyerReturned,
    Received,
    RefundDone,
    Close,
    Extend,
}

impl RefundAction {
    pub const ALL: [RefundAction; 8] = [
        RefundAction::Agree,
        RefundAction::Refuse,
        RefundAction::BuyerAmended,
        RefundAction::BuyerReturned,
        RefundAction::Received,
        RefundAction::RefundDone,
        RefundAction::Close,
        RefundAction::Extend,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RefundAction::Agree => "agree",
            RefundAction::Refuse => "refuse",
            RefundAction::BuyerAmended => "buyer-amended",
            RefundAction::BuyerReturned => "buyer-returned",
            RefundAction::Received => "received",
            RefundAction::RefundDone => "refund-done",
            RefundAction::Close => "close",
            RefundAction::Extend => "extend",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundAction::Agree => "同意退款",
            RefundAction::Refuse => "拒绝退款",
            RefundAction::BuyerAmended => "买家已修改申请",
            RefundAction::BuyerReturned => "登记买家退货",
            RefundAction::Received => "确认收到退货,转财务",
            RefundAction::RefundDone => "退款完成",
            RefundAction::Close => "关闭退款",
            RefundAction::Extend => "延长收货",
        }
    }

    pub fn parse(text: &str) -> Option<RefundAction> {
        RefundAction::ALL.into_iter().find(|a| a.name() == text.trim())
    }

    /// Cannot be taken back: the screen asks for confirmation.
    pub fn is_irreversible(self) -> bool {
        matches!(self, RefundAction::Agree | RefundAction::RefundDone | RefundAction::Close)
    }
}

/// What goes with an action: the refusal note, the extension, the return parcel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActionInput {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tracking_no: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub courier: String,
}

/// Receipt may be extended by these numbers of days only.
pub const EXTEND_DAYS: [u32; 4] = [3, 5, 7, 10];

/// A refund case as the state machine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundCase {
    pub refund_no: String,
    pub state: RefundState,
    /// 七天无理由: cannot be refused while waiting for the seller.
    pub no_reason_7d: bool,
    /// 是否需要退货: agreeing leads to the return stage, not straight to the refund.
    pub needs_return: bool,
    /// The goods had shipped when the buyer applied (refusing before shipment is not allowed).
    pub shipped: bool,
    /// The return arrived and went to finance.
    pub goods_received: bool,
    pub deadline: Option<NaiveDateTime>,
    pub return_tracking_no: String,
    pub return_courier: String,
    pub extended_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundError {
    pub refund_no: String,
    pub state: RefundState,
    pub action: RefundAction,
    pub reason: String,
    pub allowed: Vec<RefundAction>,
}

impl fmt::Display for RefundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<String> = self.allowed.iter().map(|a| format!("{} {}", a.name(), a.label())).collect();
        write!(
            f,
            "退款 {} 当前状态 {}:不能「{}」— {}。当前可执行:{}",
            self.refund_no,
            self.state,
            self.action.label(),
            self.reason,
            if allowed.is_empty() { "无(已结束)".to_string() } else { allowed.join("、") }
        )
    }
}

impl std::error::Error for RefundError {}

impl RefundCase {
    /// Every action legal right now (with suitable input), in menu order.
    pub fn allowed_actions(&self) -> Vec<RefundAction> {
        RefundAction::ALL.into_iter().filter(|a| self.check(*a).is_ok()).collect()
    }

    /// Whether `action` is legal in this state, leaving input checks aside.
    fn check(&self, action: RefundAction) -> Result<(), String> {
        use RefundAction as A;
        use RefundState as S;
        let s = self.state;
        if s.is_terminal() {
            return Err("退款已结束".into());
        }
        if s == S::Unknown {
            return Err("kefu 不认识这笔退款的状态:请在卖家中心查看后处理,再导入新的退款导出".into());
        }
        match (action, s) {
            (A::Agree, S::WaitSellerAgree) => Ok(()),
            (A::Refuse, S::WaitSellerAgree) if self.no_reason_7d => {
                Err("七天无理由退货在等待卖家同意时不能拒绝:先同意,买家进入退货阶段后再拒绝协议并请买家修改".into())
            }
            (A::Refuse, S::WaitSellerAgree) if !self.shipped => Err("未发货的订单不能拒绝退款".into()),
            (A::Refuse, S::WaitSellerAgree | S::WaitBuyerReturnGoods | S::WaitSellerConfirmGoods) => Ok(()),
            (A::BuyerAmended, S::SellerRefuseBuyer) => Ok(()),
            (A::BuyerReturned, S::WaitBuyerReturnGoods) => Ok(()),
            (A::Received, S::WaitSellerConfirmGoods) if self.goods_received => Err("退货已确认收到,已转财务".into()),
            (A::Received, S::WaitSellerConfirmGoods) => Ok(()),
            (A::RefundDone, S::WaitSellerConfirmGoods) if !self.goods_received => Err("先确认收到退货再退款".into()),
            (A::RefundDone, S::WaitSellerConfirmGoods) => Ok(()),
            (A::Close, _) => Ok(()),
            (A::Extend, S::WaitSellerAgree | S::WaitBuyerReturnGoods | S::SellerRefuseBuyer) => Ok(()),
            (A::Agree, _) => Err("只有等待卖家同意时才能同意".into()),
            (A::Refuse, _) => Err("此状态下没有可拒绝的协议".into()),
            (A::BuyerAmended, _) => Err("只有卖家拒绝后买家才会修改申请".into()),
            (A::BuyerReturned, _) => Err("只有同意退货后买家才能退货".into()),
            (A::Received | A::RefundDone, _) => Err("买家还没有退货".into()),
            (A::Extend, _) => Err("买家已退货,无需延长收货".into()),
        }
    }

    fn error(&self, action: RefundAction, reason: String) -> RefundError {
        RefundError {
            refund_no: self.refund_no.clone(),
            state: self.state,
            action,
            reason,
            allowed: self.allowed_actions(),
        }
    }

    /// Applies `action`, or explains why it is not allowed. Never changes `self`.
    pub fn apply(&self, action: RefundAction, input: &ActionInput) -> Result<RefundCase, RefundError> {
        self.check(action).map_err(|r| self.error(action, r))?;
        let mut next = self.clone();
        match action {
            RefundAction::Agree => {
                next.state = if self.needs_return { RefundState::WaitBuyerReturnGoods } else { RefundState::Success };
            }
            RefundAction::Refuse => {
                let n = visible_len(&input.note);
                if !(2..=200).contains(&n) {
                    return Err(self.error(action, format!("拒绝理由须 2–200 个字,现在 {n} 个字")));
                }
                next.state = RefundState::SellerRefuseBuyer;
                next.goods_received = false;
            }
            RefundAction::BuyerAmended => next.state = RefundState::WaitSellerAgree,
            RefundAction::BuyerReturned => {
                if is_blank(&input.tracking_no) || is_blank(&input.courier) {
                    return Err(self.error(action, "须填写退货快递公司和单号".into()));
                }
                next.state = RefundState::WaitSellerConfirmGoods;
                next.return_tracking_no = input.tracking_no.trim().to_string();
                next.return_courier = input.courier.trim().to_string();
            }
            RefundAction::Received => next.goods_received = true,
            RefundAction::RefundDone => next.state = RefundState::Success,
            RefundAction::Close => next.state = RefundState::Closed,
            RefundAction::Extend => {
                let days = input.days.unwrap_or(0);
                if !EXTEND_DAYS.contains(&days) {
                    return Err(self.error(action, format!("延长收货只能 3、5、7 或 10 天,收到 {days}")));
                }
                next.extended_days += days;
                next.deadline = self.deadline.map(|d| d + Duration::days(days as i64));
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RefundAction as A;
    use RefundState as S;

    fn case(state: RefundState) -> RefundCase {
        RefundCase {
            refund_no: "R1".into(),
            state,
            no_reason_7d: false,
            needs_return: true,
            shipped: true,
            goods_received: false,
            deadline: None,
            return_tracking_no: String::new(),
            return_courier: String::new(),
            extended_days: 0,
        }
    }

    fn input() -> ActionInput {
        ActionInput {
            note: "金额不对,请修改".into(),
            days: Some(5),
            tracking_no: "YT123".into(),
            courier: "圆通".into(),
        }
    }

    /// The full table: for every state and action, where it leads (None = refused).
    #[test]
    fn transition_table_is_exactly_the_platforms() {
        let expect = |s: S, a: A| -> Option<S> {
            match (s, a) {
                (S::WaitSellerAgree, A::Agree) => Some(S::WaitBuyerReturnGoods),
                (S::WaitSellerAgree, A::Refuse) => Some(S::SellerRefuseBuyer),
                (S::WaitSellerAgree, A::Close) => Some(S::Closed),
                (S::WaitSellerAgree, A::Extend) => Some(S::WaitSellerAgree),
                (S::WaitBuyerReturnGoods, A::Refuse) => Some(S::SellerRefuseBuyer),
                (S::WaitBuyerReturnGoods, A::BuyerReturned) => Some(S::WaitSellerConfirmGoods),
                (S::WaitBuyerReturnGoods, A::Close) => Some(S::Closed),
                (S::WaitBuyerReturnGoods, A::Extend) => Some(S::WaitBuyerReturnGoods),
                (S::WaitSellerConfirmGoods, A::Refuse) => Some(S::SellerRefuseBuyer),
                (S::WaitSellerConfirmGoods, A::Received) => Some(S::WaitSellerConfirmGoods),
                (S::WaitSellerConfirmGoods, A::Close) => Some(S::Closed),
                (S::SellerRefuseBuyer, A::BuyerAmended) => Some(S::WaitSellerAgree),
                (S::SellerRefuseBuyer, A::Close) => Some(S::Closed),
                (S::SellerRefuseBuyer, A::Extend) => Some(S::SellerRefuseBuyer),
                _ => None,
            }
        };
        for s in S::ALL {
            for a in A::ALL {
                let got = case(s).apply(a, &input()).ok().map(|c| c.state);
                assert_eq!(got, expect(s, a), "{s:?} + {a:?}");
            }
        }
    }

    #[test]
    fn agree_without_return_refunds_at_once() {
        let mut c = case(S::WaitSellerAgree);
        c.needs_return = false;
        assert_eq!(c.apply(A::Agree, &input()).unwrap().state, S::Success);
    }

    #[test]
    fn refund_done_needs_the_goods_received_first() {
        let c = case(S::WaitSellerConfirmGoods);
        let err = c.apply(A::RefundDone, &input()).unwrap_err();
        assert!(err.to_string().contains("先确认收到退货"), "{err}");
        let received = c.apply(A::Received, &input()).unwrap();
        assert!(received.goods_received);
        assert_eq!(received.allowed_actions(), vec![A::Refuse, A::RefundDone, A::Close]);
        assert_eq!(received.apply(A::RefundDone, &input()).unwrap().state, S::Success);
        assert!(received.apply(A::Received, &input()).is_err());
    }

    #[test]
    fn seven_day_no_reason_is_agreed_first_then_refused() {
        let mut c = case(S::WaitSellerAgree);
        c.no_reason_7d = true;
        let err = c.apply(A::Refuse, &input()).unwrap_err();
        assert!(err.reason.contains("七天无理由"), "{err}");
        assert!(!c.allowed_actions().contains(&A::Refuse));
        let agreed = c.apply(A::Agree, &input()).unwrap();
        assert_eq!(agreed.state, S::WaitBuyerReturnGoods);
        let refused = agreed.apply(A::Refuse, &input()).unwrap();
        assert_eq!(refused.state, S::SellerRefuseBuyer);
        assert_eq!(refused.apply(A::BuyerAmended, &input()).unwrap().state, S::WaitSellerAgree);
    }

    #[test]
    fn refusing_before_shipment_is_not_allowed() {
        let mut c = case(S::WaitSellerAgree);
        c.shipped = false;
        let err = c.apply(A::Refuse, &input()).unwrap_err();
        assert!(err.reason.contains("未发货"), "{err}");
    }

    #[test]
    fn refusal_note_is_two_to_two_hundred_chars() {
        let c = case(S::WaitSellerAgree);
        for (note, ok) in [
            ("", false),
            ("不", false),
            ("不对", true),
            (&"字".repeat(200)[..], true),
            (&"字".repeat(201)[..], false),
            ("   x  ", false),
            // Characters as a person sees them: invisible ones count for nothing, a
            // combining mark joins the character before it.
            ("\u{200d}\u{200d}\u{200d}", false),
            ("\u{200b}不\u{3000}", false),
            ("好\u{301}", false),
            ("好\u{301}的", true),
            (&"好\u{301}".repeat(200)[..], true),
            (&"👨\u{200d}👩\u{200d}👧".repeat(200)[..], true),
            ("\x1b[31m不\x1b[0m", false),
        ] {
            let r = c.apply(A::Refuse, &ActionInput { note: note.into(), ..Default::default() });
            assert_eq!(r.is_ok(), ok, "note {note:?}");
        }
        let err = c.apply(A::Refuse, &ActionInput { note: "好\u{301}".into(), ..Default::default() }).unwrap_err();
        assert!(err.reason.contains("现在 1 个字"), "{err}");
    }

    #[test]
    fn a_return_needs_a_visible_courier_and_tracking_number() {
        let c = case(S::WaitBuyerReturnGoods);
        let input = |courier: &str, tracking: &str| ActionInput {
            courier: courier.into(),
            tracking_no: tracking.into(),
            ..Default::default()
        };
        assert!(c.apply(A::BuyerReturned, &input("圆通", "YT123")).is_ok());
        assert!(c.apply(A::BuyerReturned, &input("\u{200b}", "YT123")).is_err());
        assert!(c.apply(A::BuyerReturned, &input("圆通", "\u{3000}\u{feff}")).is_err());
    }

    #[test]
    fn extend_takes_only_three_five_seven_or_ten_days() {
        let mut c = case(S::WaitBuyerReturnGoods);
        c.deadline = Some(chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap().and_hms_opt(12, 0, 0).unwrap());
        for d in 0..=12 {
            let r = c.apply(A::Extend, &ActionInput { days: Some(d), ..Default::default() });
            assert_eq!(r.is_ok(), EXTEND_DAYS.contains(&d), "{d} days");
        }
        let e = c.apply(A::Extend, &ActionInput { days: Some(10), ..Default::default() }).unwrap();
        assert_eq!(e.extended_days, 10);
        assert_eq!(e.deadline.unwrap().to_string(), "2026-07-11 12:00:00");
        assert!(c.apply(A::Extend, &ActionInput::default()).is_err());
    }

    #[test]
    fn buyer_return_needs_courier_and_tracking() {
        let c = case(S::WaitBuyerReturnGoods);
        assert!(c.apply(A::BuyerReturned, &ActionInput::default()).is_err());
        let r = c.apply(A::BuyerReturned, &input()).unwrap();
        assert_eq!((r.return_courier.as_str(), r.return_tracking_no.as_str()), ("圆通", "YT123"));
    }

    #[test]
    fn errors_name_the_state_and_what_is_allowed() {
        let c = case(S::WaitBuyerReturnGoods);
        let msg = c.apply(A::Received, &input()).unwrap_err().to_string();
        assert!(msg.contains("WAIT_BUYER_RETURN_GOODS"), "{msg}");
        assert!(msg.contains("buyer-returned"), "{msg}");
        let done = case(S::Success).apply(A::Close, &input()).unwrap_err().to_string();
        assert!(done.contains("已结束"), "{done}");
    }

    #[test]
    fn terminal_states_allow_nothing() {
        assert!(case(S::Success).allowed_actions().is_empty());
        assert!(case(S::Closed).allowed_actions().is_empty());
    }

    #[test]
    fn states_parse_from_codes_and_labels() {
        for s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
            assert_eq!(S::parse(s.label()), Some(s));
            assert_eq!(S::parse(s.seed_label()), Some(s));
        }
        assert_eq!(S::parse("买家已经申请退款，等待卖家同意"), Some(S::WaitSellerAgree));
        assert_eq!(S::parse("whatever"), None);
    }

    #[test]
    fn action_names_round_trip() {
        for a in A::ALL {
            assert_eq!(A::parse(a.name()), Some(a));
        }
        assert_eq!(A::parse("approve"), None);
    }
}
