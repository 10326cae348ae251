//! Writes: every change the seat screen can make, as one command each, run on the store
//! worker through the store's operations (`store/ops.rs`, the CLI's path too; renaming
//! or deleting a group is one transaction for all its replies). What it
//! returns is only what the message line says; what to read again comes from the
//! store's change set, never from here.

use crate::domain::case::{CaseAction, CaseDetail, Channel, Registration};
use crate::domain::event::{EventBody, RefundRecord};
use crate::domain::flag::Flag;
use crate::domain::postage::ShopType;
use crate::domain::refund::{ActionInput, RefundAction};
use crate::domain::setting::SettingKey;
use crate::store::{CaseRow, RefundRow, ReplyRow, Result, Store, StoreError};

/// A change the seat asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WriteCmd {
    SetFlag {
        order_no: String,
        flag: Flag,
    },
    AddMemo {
        order_no: String,
        staff_no: String,
        what: String,
        result: String,
    },
    OpenRefund(RefundRecord),
    OpenCase {
        order_no: String,
        detail: CaseDetail,
        registration: Registration,
    },
    RefundAct {
        refund_no: String,
        action: RefundAction,
        input: ActionInput,
    },
    CaseAct {
        case_id: String,
        action: CaseAction,
        note: String,
    },
    CaseRegister {
        case_id: String,
        registration: Registration,
    },
    CaseContact {
        case_id: String,
        channel: Channel,
        progress: String,
    },
    ResolveConflict {
        event_id: String,
        note: String,
    },
    SetShopType(ShopType),
    /// A reply went to the clipboard: count its use (for the selected order).
    UseReply {
        reply_id: String,
        order_no: Option<String>,
    },
    SaveReply {
        id: Option<String>,
        code: String,
        text: String,
        group: String,
    },
    DeleteReply(String),
    RenameGroup {
        from: String,
        to: String,
    },
    DeleteGroup(String),
}

/// What a write did, for the message line (and the case view a new case opens).
#[derive(Debug)]
pub(crate) enum Outcome {
    Flag {
        order_no: String,
        flag: Flag,
    },
    Memo(String),
    Refund(RefundRow),
    Case(CaseRow),
    RefundActed {
        refund_no: String,
        action: RefundAction,
        row: RefundRow,
    },
    CaseActed {
        action: CaseAction,
        row: CaseRow,
    },
    Registered,
    Contacted(Channel),
    Resolved,
    ShopType(ShopType),
    ReplyUsed,
    ReplySaved {
        code: String,
    },
    ReplyDeleted,
    GroupRenamed {
        from: String,
        to: String,
        count: usize,
    },
    GroupDeleted {
        group: String,
        count: usize,
    },
    /// A sync job ended (its summary is in the dialog).
    Synced(crate::tui::sync_job::SyncOutcome),
}

/// Runs `cmd` on `store`: one transaction per store operation, as the CLI runs it.
pub(crate) fn write(store: &mut Store, cmd: WriteCmd) -> Result<Outcome> {
    Ok(match cmd {
        WriteCmd::SetFlag { order_no, flag } => {
            store.set_flag(&order_no, flag)?;
            Outcome::Flag { order_no, flag }
        }
        WriteCmd::AddMemo { order_no, staff_no, what, result } => {
            Outcome::Memo(store.add_memo_line(&order_no, &staff_no, &what, &result)?)
        }
        WriteCmd::OpenRefund(record) => Outcome::Refund(store.refund_new(record)?),
        WriteCmd::OpenCase { order_no, detail, registration } => {
            Outcome::Case(store.open_case(&order_no, detail, registration)?)
        }
        WriteCmd::RefundAct { refund_no, action, input } => {
            let row = store.refund_act(&refund_no, action, input)?;
            Outcome::RefundActed { refund_no, action, row }
        }
        WriteCmd::CaseAct { case_id, action, note } => {
            Outcome::CaseActed { action, row: store.case_act(&case_id, action, &note)? }
        }
        WriteCmd::CaseRegister { case_id, registration } => {
            store.case_register(&case_id, registration)?;
            Outcome::Registered
        }
        WriteCmd::CaseContact { case_id, channel, progress } => {
            store.case_contact(&case_id, channel, &progress)?;
            Outcome::Contacted(channel)
        }
        WriteCmd::ResolveConflict { event_id, note } => {
            store.resolve_conflict(&event_id, &note)?;
            Outcome::Resolved
        }
        WriteCmd::SetShopType(t) => {
            store.set_setting(SettingKey::ShopType.code(), t.setting_value())?;
            Outcome::ShopType(t)
        }
        WriteCmd::UseReply { reply_id, order_no } => {
            store.reply_used(&reply_id, order_no.as_deref())?;
            Outcome::ReplyUsed
        }
        WriteCmd::SaveReply { id, code, text, group } => {
            store.reply_save(id.as_deref(), &code, &text, &group)?;
            Outcome::ReplySaved { code }
        }
        WriteCmd::DeleteReply(id) => {
            store.reply_delete(&id)?;
            Outcome::ReplyDeleted
        }
        WriteCmd::RenameGroup { from, to } => {
            if to.trim().is_empty() {
                return Err(StoreError::Rule("分组名不能为空".into()));
            }
            let to = to.trim().to_string();
            let members: Vec<ReplyRow> = store.replies()?.into_iter().filter(|r| r.group == from).collect();
            store.write(|w| {
                for r in &members {
                    w.record(EventBody::ReplySaved {
                        reply_id: r.reply_id.clone(),
                        code: r.code.clone(),
                        text: r.text.clone(),
                        group: to.clone(),
                    })?;
                }
                Ok(())
            })?;
            Outcome::GroupRenamed { from, to, count: members.len() }
        }
        WriteCmd::DeleteGroup(group) => {
            let members: Vec<String> =
                store.replies()?.into_iter().filter(|r| r.group == group).map(|r| r.reply_id).collect();
            store.write(|w| {
                for reply_id in &members {
                    w.record(EventBody::ReplyDeleted { reply_id: reply_id.clone() })?;
                }
                Ok(())
            })?;
            Outcome::GroupDeleted { group, count: members.len() }
        }
    })
}
