//! What a seat can do, as one call each. The CLI and every pane go through these: each
//! checks the rules, records its events in one transaction, and returns what changed.
//! Workflows that the seeds tie together (a bad review sets the flag purple and copies
//! the review into the memo) are recorded together here, never by a pane.

use crate::domain::case::{CaseAction, CaseDetail, CaseKind, Channel, Registration, allowed_case_actions};
use crate::domain::event::{EventBody, MemoKind, RefundRecord};
use crate::domain::flag::Flag;
use crate::domain::order::OrderStatus;
use crate::domain::refund::{ActionInput, RefundAction, RefundState};
use crate::domain::text_format::{MemoLine, check_memo_len};
use crate::domain::text_len::{is_blank, visible_len};

use super::Store;
use super::error::{Result, StoreError};
use super::rows::{CaseRow, RefundRow, ReplyRow};

impl Store {
    /// Adds a memo line as typed.
    pub fn add_memo(&mut self, order_no: &str, text: &str, kind: MemoKind) -> Result<()> {
        check_memo_len(text).map_err(StoreError::Rule)?;
        self.record(EventBody::MemoAdded { order_no: order_no.into(), text: text.trim().into(), memo_kind: kind })?;
        Ok(())
    }

    /// Writes the seed's memo line (`6-28联系工号851更改地址,已更改 宾`) with today's date
    /// and this agent, and returns it.
    pub fn add_memo_line(&mut self, order_no: &str, staff_no: &str, action: &str, result: &str) -> Result<String> {
        let line = MemoLine {
            date: Some(self.clock().shop_now().date()),
            staff_no: staff_no.into(),
            action: action.into(),
            result: result.into(),
            agent: self.actor().agent.clone(),
        }
        .render()
        .map_err(StoreError::Rule)?;
        let kind = if staff_no.trim().is_empty() { MemoKind::Note } else { MemoKind::Tracking };
        self.record(EventBody::MemoAdded { order_no: order_no.into(), text: line.clone(), memo_kind: kind })?;
        Ok(line)
    }

    pub fn set_flag(&mut self, order_no: &str, flag: Flag) -> Result<()> {
        self.record(EventBody::FlagSet { order_no: order_no.into(), flag })?;
        Ok(())
    }

    /// Records a refund the buyer applied for.
    pub fn refund_new(&mut self, mut refund: RefundRecord) -> Result<RefundRow> {
        if is_blank(&refund.refund_no) {
            return Err(StoreError::Rule("退款编号不能为空".into()));
        }
        if is_blank(&refund.reason) {
            return Err(StoreError::Rule("退款要写原因(买家退款原因)".into()));
        }
        if refund.amount_fen <= 0 {
            return Err(StoreError::Rule("退款金额必须大于 0".into()));
        }
        if self.refund(&refund.refund_no)?.is_some() {
            return Err(StoreError::Rule(format!("退款 {} 已经登记过", refund.refund_no)));
        }
        let Some(order) = self.queue_row(&refund.order_no)? else {
            return Err(StoreError::NotFound { what: "订单", key: refund.order_no });
        };
        if refund.amount_fen > order.amount_fen && order.amount_fen > 0 {
            return Err(StoreError::Rule(format!(
                "退款金额 {} 超过订单实付 {}",
                crate::domain::money::format_yuan(refund.amount_fen),
                crate::domain::money::format_yuan(order.amount_fen)
            )));
        }
        refund.state = RefundState::WaitSellerAgree;
        refund.shipped =
            !order.status.is_some_and(|s| s.awaits_shipment() || s == crate::domain::order::OrderStatus::WaitBuyerPay);
        if refund.applied_at.is_none() {
            refund.applied_at = Some(self.clock().shop_now());
        }
        let no = refund.refund_no.clone();
        self.record(EventBody::RefundOpened { refund })?;
        self.require_refund(&no)
    }

    /// Runs a refund action. An illegal one returns the state machine's message and
    /// changes nothing.
    /// Agreeing to a refund that needs the goods back also sets the order's flag purple
    /// (purple = return in progress, `DOMAIN.md`), in the same transaction.
    pub fn refund_act(&mut self, refund_no: &str, action: RefundAction, input: ActionInput) -> Result<RefundRow> {
        let row = self.require_refund(refund_no)?;
        row.case().apply(action, &input).map_err(|e| StoreError::Rule(e.to_string()))?;
        let purple = action == RefundAction::Agree && row.needs_return;
        self.write(|w| {
            w.record(EventBody::RefundActed { refund_no: refund_no.into(), action, input, from: row.state })?;
            if purple {
                w.record(EventBody::FlagSet { order_no: row.order_no.clone(), flag: Flag::Purple })?;
            }
            Ok(())
        })?;
        self.require_refund(refund_no)
    }

    /// Opens an exchange, bad-review or damage case. A bad review also sets the order's
    /// flag purple and copies the review into the memo with the agent's name (`000`);
    /// an exchange sets the flag blue (`004`).
    /// A bad review exists only on a finished trade (交易成功): elsewhere it is refused.
    pub fn open_case(&mut self, order_no: &str, detail: CaseDetail, registration: Registration) -> Result<CaseRow> {
        detail.validate().map_err(StoreError::Rule)?;
        if let CaseDetail::BadReview(_) = &detail {
            let status = self.queue_row(order_no)?.and_then(|o| o.status);
            if status != Some(OrderStatus::TradeFinished) {
                let now = status.map_or("未导入(状态不明)", OrderStatus::label);
                return Err(StoreError::Rule(format!(
                    "订单 {order_no} 当前「{now}」:中差评只在交易成功后才会出现,不能登记"
                )));
            }
        }
        let case_id = uuid::Uuid::now_v7().to_string();
        let agent = self.actor().agent.clone();
        let today = self.clock().shop_now().date();
        let date = format!("{}", today.format("%-m-%-d"));
        self.write(|w| {
            let follow_up: Vec<EventBody> = match &detail {
                CaseDetail::BadReview(b) => vec![
                    EventBody::FlagSet { order_no: order_no.into(), flag: Flag::Purple },
                    EventBody::MemoAdded {
                        order_no: order_no.into(),
                        text: format!("{date}{}:{} {agent}", b.level.label(), b.review_text.trim()),
                        memo_kind: MemoKind::Review,
                    },
                ],
                CaseDetail::Exchange(x) => vec![
                    EventBody::FlagSet { order_no: order_no.into(), flag: Flag::Blue },
                    EventBody::MemoAdded {
                        order_no: order_no.into(),
                        text: format!(
                            "{date}换货:{}{} {agent}",
                            x.reason.trim(),
                            if x.want.trim().is_empty() { String::new() } else { format!(",换{}", x.want.trim()) }
                        ),
                        memo_kind: MemoKind::Note,
                    },
                ],
                CaseDetail::Damage(d) => vec![EventBody::MemoAdded {
                    order_no: order_no.into(),
                    text: format!("{date}联系工号{}报{},已提交报告 {agent}", d.staff_no.trim(), d.loss.label()),
                    memo_kind: MemoKind::Tracking,
                }],
            };
            w.record(EventBody::CaseOpened {
                case_id: case_id.clone(),
                order_no: order_no.into(),
                detail: detail.clone(),
                registration,
            })?;
            for body in follow_up {
                w.record(body)?;
            }
            Ok(())
        })?;
        self.require_case(&case_id)
    }

    /// Closing a bad review (改评 or not) also writes the memo line saying how it ended
    /// and gives the order back the flag it had before the case — unless someone set
    /// another flag since the case made it purple.
    pub fn case_act(&mut self, case_id: &str, action: CaseAction, note: &str) -> Result<CaseRow> {
        let case = self.require_case(case_id)?;
        let to = crate::domain::case::case_transition(case.kind, case.state, action, &case.detail)
            .map_err(StoreError::Rule)?;
        let mut follow_up = Vec::new();
        if case.kind == CaseKind::BadReview
            && matches!(action, CaseAction::ReviewChanged | CaseAction::ReviewNotChanged)
        {
            let date = self.clock().shop_now().date().format("%-m-%-d");
            let agent = self.actor().agent.clone();
            let how = if note.trim().is_empty() { String::new() } else { format!(",{}", note.trim()) };
            follow_up.push(EventBody::MemoAdded {
                order_no: case.order_no.clone(),
                text: format!("{date}中差评结案:{}{how} {agent}", to.label()),
                memo_kind: MemoKind::Review,
            });
            if let Some(flag) = self.flag_before_case(&case.order_no, case_id)? {
                follow_up.push(EventBody::FlagSet { order_no: case.order_no.clone(), flag });
            }
        }
        self.write(|w| {
            w.record(EventBody::CaseActed { case_id: case_id.into(), action, note: note.trim().into() })?;
            for body in follow_up {
                w.record(body)?;
            }
            Ok(())
        })?;
        self.require_case(case_id)
    }

    /// The flag to give `order_no` back when the case `case_id` ends: the one it had
    /// before the case opened (its last flag event before, else the platform's flag,
    /// else grey). None when a flag was set after the case's own (someone changed it
    /// since) or the order is not purple now.
    fn flag_before_case(&self, order_no: &str, case_id: &str) -> Result<Option<Flag>> {
        let flag_of = |payload: &str| match serde_json::from_str::<EventBody>(payload) {
            Ok(EventBody::FlagSet { flag, .. }) => Some(flag),
            _ => None,
        };
        let mut before: Option<Flag> = None;
        let mut opened = false;
        let mut flags_since = 0;
        for e in self.order_timeline(order_no)? {
            if e.kind == "case_opened" && e.case_key.as_deref() == Some(case_id) {
                opened = true;
            } else if e.kind == "flag_set" {
                if opened {
                    flags_since += 1;
                } else {
                    before = flag_of(&e.payload).or(before);
                }
            }
        }
        let now = self.queue_row(order_no)?.map(|o| o.flag);
        // Only the case's own purple since it opened, and still purple.
        if !opened || flags_since > 1 || now != Some(Flag::Purple) {
            return Ok(None);
        }
        let before = match before {
            Some(f) => f,
            None => {
                use rusqlite::OptionalExtension;
                let platform: Option<Option<u8>> = self
                    .conn
                    .query_row("SELECT platform_flag FROM orders WHERE order_no = ?", [order_no], |r| r.get(0))
                    .optional()?;
                platform.flatten().and_then(Flag::from_number).unwrap_or(Flag::Grey)
            }
        };
        Ok((before != Flag::Purple).then_some(before))
    }

    pub fn case_actions(&self, case: &CaseRow) -> Vec<CaseAction> {
        allowed_case_actions(case.kind, case.state, &case.detail)
    }

    pub fn case_register(&mut self, case_id: &str, registration: Registration) -> Result<CaseRow> {
        self.require_case(case_id)?;
        self.record(EventBody::CaseRegistered { case_id: case_id.into(), registration })?;
        self.require_case(case_id)
    }

    pub fn case_edit_detail(&mut self, case_id: &str, detail: CaseDetail) -> Result<CaseRow> {
        let case = self.require_case(case_id)?;
        if case.kind != detail.kind() {
            return Err(StoreError::Rule("售后单类型不能更改".into()));
        }
        detail.validate().map_err(StoreError::Rule)?;
        self.record(EventBody::CaseDetailEdited { case_id: case_id.into(), detail })?;
        self.require_case(case_id)
    }

    /// Logs a contact with the buyer and notes it in the memo (date, progress, agent).
    pub fn case_contact(&mut self, case_id: &str, channel: Channel, progress: &str) -> Result<CaseRow> {
        let case = self.require_case(case_id)?;
        if is_blank(progress) {
            return Err(StoreError::Rule("请写联系进展".into()));
        }
        let date = self.clock().shop_now().date();
        let agent = self.actor().agent.clone();
        let memo = format!("{}{}联系,{} {agent}", date.format("%-m-%-d"), channel.label(), progress.trim());
        check_memo_len(&memo).map_err(StoreError::Rule)?;
        self.write(|w| {
            w.record(EventBody::CaseContacted {
                case_id: case_id.into(),
                channel,
                date,
                progress: progress.trim().into(),
            })?;
            w.record(EventBody::MemoAdded {
                order_no: case.order_no.clone(),
                text: memo,
                memo_kind: MemoKind::Contact,
            })?;
            Ok(())
        })?;
        self.require_case(case_id)
    }

    /// Adds (`reply_id` None) or edits a reply; returns its id.
    pub fn reply_save(&mut self, reply_id: Option<&str>, code: &str, text: &str, group: &str) -> Result<String> {
        if is_blank(text) {
            return Err(StoreError::Rule("快捷短语内容不能为空".into()));
        }
        if is_blank(code) {
            return Err(StoreError::Rule("快捷短语编码不能为空".into()));
        }
        let id = match reply_id {
            Some(id) => {
                if self.reply(id)?.is_none() {
                    return Err(StoreError::NotFound { what: "快捷回复", key: id.into() });
                }
                id.to_string()
            }
            None => uuid::Uuid::now_v7().to_string(),
        };
        self.record(EventBody::ReplySaved {
            reply_id: id.clone(),
            code: code.trim().into(),
            text: text.trim().into(),
            group: group.trim().into(),
        })?;
        Ok(id)
    }

    pub fn reply_delete(&mut self, reply_id: &str) -> Result<()> {
        self.record(EventBody::ReplyDeleted { reply_id: reply_id.into() })?;
        Ok(())
    }

    /// Counts a use (the reply went to the clipboard).
    pub fn reply_used(&mut self, reply_id: &str, order_no: Option<&str>) -> Result<ReplyRow> {
        let Some(_) = self.reply(reply_id)? else {
            return Err(StoreError::NotFound { what: "快捷回复", key: reply_id.into() });
        };
        self.record(EventBody::ReplyUsed { reply_id: reply_id.into(), order_no: order_no.unwrap_or_default().into() })?;
        self.reply(reply_id)?.ok_or_else(|| StoreError::NotFound { what: "快捷回复", key: reply_id.into() })
    }

    pub fn resolve_conflict(&mut self, event_id: &str, note: &str) -> Result<()> {
        if visible_len(note) < 2 {
            return Err(StoreError::Rule("请写明如何处理了这个冲突(至少 2 个字)".into()));
        }
        self.record(EventBody::ConflictResolved { event_id: event_id.into(), note: note.trim().into() })?;
        Ok(())
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.record(EventBody::SettingSet { key: key.into(), value: value.into() })?;
        Ok(())
    }
}
