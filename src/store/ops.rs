//! What a seat can do, as one call each. The CLI and every pane go through these: each
//! checks the rules, records its events in one transaction, and returns what changed.
//! Workflows that the seeds tie together (a bad review sets the flag purple and copies
//! the review into the memo) are recorded together here, never by a pane.

use crate::domain::case::{CaseAction, CaseDetail, Channel, Registration, allowed_case_actions};
use crate::domain::event::{EventBody, MemoKind, RefundRecord};
use crate::domain::flag::Flag;
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
    pub fn refund_act(&mut self, refund_no: &str, action: RefundAction, input: ActionInput) -> Result<RefundRow> {
        let row = self.require_refund(refund_no)?;
        row.case().apply(action, &input).map_err(|e| StoreError::Rule(e.to_string()))?;
        self.record(EventBody::RefundActed { refund_no: refund_no.into(), action, input, from: row.state })?;
        self.require_refund(refund_no)
    }

    /// Opens an exchange, bad-review or damage case. A bad review also sets the order's
    /// flag purple and copies the review into the memo with the agent's name (`000`);
    /// an exchange sets the flag blue (`004`).
    pub fn open_case(&mut self, order_no: &str, detail: CaseDetail, registration: Registration) -> Result<CaseRow> {
        detail.validate().map_err(StoreError::Rule)?;
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

    pub fn case_act(&mut self, case_id: &str, action: CaseAction, note: &str) -> Result<CaseRow> {
        let case = self.require_case(case_id)?;
        crate::domain::case::case_transition(case.kind, case.state, action, &case.detail).map_err(StoreError::Rule)?;
        self.record(EventBody::CaseActed { case_id: case_id.into(), action, note: note.trim().into() })?;
        self.require_case(case_id)
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
