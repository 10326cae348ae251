//! `kefu hub init|add-seat|remove-seat|connect|sync|status`: the shop hub on PostgreSQL.
//! Passwords are never printed, except the new seat's URL that `add-seat` exists to hand out.

use anyhow::Result;
use serde_json::json;

use super::out;
use super::table::Table;
use crate::hub::{self, HubUrl};
use crate::store::Store;

#[derive(clap::Subcommand, Clone)]
pub enum Cmd {
    /// Create (or upgrade) kefu's schema on a PostgreSQL database; harmless to run again.
    Init {
        /// A PostgreSQL URL with rights to create roles and tables (postgres://admin@host:5432/db).
        admin_url: String,
        #[arg(long)]
        json: bool,
    },
    /// Create a seat's role with a generated password and print the seat's URL.
    AddSeat {
        /// The seat's readable name (小美, front-desk …).
        name: String,
        /// The admin URL (as for init).
        #[arg(long)]
        url: String,
        /// The seat may read everything even before it is bound (a supervisor's seat).
        #[arg(long)]
        supervisor: bool,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a seat's role (its events stay on the hub).
    RemoveSeat {
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long)]
        json: bool,
    },
    /// Connect this database to the hub with a seat's URL (the password goes to the password file).
    Connect { seat_url: String },
    /// Push this seat's new events, pull everyone else's, once.
    Sync {
        /// A seat URL to use instead of the connected one.
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Pending pushes, the last pull, and each seat's last activity.
    Status {
        #[arg(long)]
        json: bool,
    },
}

impl Cmd {
    /// Commands an administrator runs against the server alone (no local database).
    pub fn is_admin(&self) -> bool {
        matches!(self, Cmd::Init { .. } | Cmd::AddSeat { .. } | Cmd::RemoveSeat { .. })
    }
}

fn parse(url: &str) -> Result<HubUrl> {
    HubUrl::parse(url).map_err(|e| anyhow::anyhow!("hub 地址不对:{e}"))
}

/// The administrator's commands: they touch no local database.
pub fn run_admin(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Init { admin_url, json } => {
            let r = hub::init(&parse(&admin_url)?)?;
            if json {
                return out::json(&r);
            }
            let what = match (r.from, r.to) {
                (0, to) => format!("已建立 kefu hub(结构版本 {to})"),
                (a, b) if a == b => format!("已是 kefu hub,结构版本 {b},无需改动"),
                (a, b) => format!("已升级 kefu hub:结构版本 {a} → {b}"),
            };
            out::line(format!("{}:{what}", r.hub))?;
            out::line("下一步:kefu hub add-seat 席位名 --url 管理员地址")?;
            Ok(())
        }
        Cmd::AddSeat { name, url, supervisor, json } => {
            let s = hub::add_seat(&parse(&url)?, &name, supervisor)?;
            if json {
                return out::json(&json!({"seat": s.seat, "role": s.role, "url": s.url}));
            }
            let kind = if supervisor { "主管席位" } else { "席位" };
            out::line(format!("已建立{kind} {}(角色 {})。这个地址含密码,只显示这一次,交给该席位:", s.seat, s.role))?;
            out::line(&s.url)?;
            out::line("在该席位上运行:kefu hub connect '上面的地址'")?;
            Ok(())
        }
        Cmd::RemoveSeat { name, url, json } => {
            let r = hub::remove_seat(&parse(&url)?, &name)?;
            if json {
                return out::json(&r);
            }
            out::line(format!(
                "已移除席位 {}(角色 {} 不能再登录、读或写);它的 {} 条事件留在 hub 上",
                r.seat, r.role, r.events
            ))?;
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn run(store: &mut Store, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Connect { seat_url } => {
            let c = hub::connect(store, &parse(&seat_url)?)?;
            out::line(format!("已连接 hub {}:本库席位 {} 绑定到角色 {}", c.hub, c.seat, c.role))?;
            if let Some(p) = &c.passfile {
                out::line(format!("密码存在 {}(仅本人可读)", p.display()))?;
            }
            if let Some(old) = &c.replaced {
                out::line(format!("(取代了原来的 hub {old})"))?;
            }
            out::line("同步:kefu hub sync")?;
            Ok(())
        }
        Cmd::Sync { url, json } => {
            let url = url.as_deref().map(parse).transpose()?;
            let s = hub::sync(store, url.as_ref())?;
            if json {
                return out::json(&s);
            }
            out::line(format!("hub {}:推送 {} · 拉取 {} · 冲突 {}", s.hub, s.pushed, s.pulled, s.conflicts))?;
            for seat in &s.seats {
                out::line(format!(
                    "  席位 {}:推送 {} · 拉取 {} · 冲突 {}",
                    seat.seat, seat.pushed, seat.pulled, seat.conflicts
                ))?;
            }
            if s.conflicts > 0 {
                out::line("有冲突 — 用 kefu conflicts 查看")?;
            }
            for f in &s.far_future {
                out::line(format!("  {}", crate::sync::far_future_line(f)))?;
            }
            for (seat, secs) in &s.clocks_ahead {
                out::line(format!("  {}", crate::sync::clock_ahead_warning(seat, *secs)))?;
            }
            Ok(())
        }
        Cmd::Status { json } => {
            let st = hub::status(store)?;
            if json {
                return out::json(&st);
            }
            let Some(hub) = &st.hub else {
                out::line("本库没有连接 hub(kefu hub connect 席位地址)")?;
                return Ok(());
            };
            let state =
                if st.online { "在线".to_string() } else { format!("离线:{}", st.error.as_deref().unwrap_or("")) };
            out::line(format!("hub {hub}({state})"))?;
            out::line(format!(
                "本席位 {} · 待推送 {} 条 · 上次推送 {} · 上次拉取 {}",
                st.seat,
                st.pending,
                st.last_push.as_deref().unwrap_or("从未"),
                st.last_pull.as_deref().unwrap_or("从未")
            ))?;
            if !st.seats.is_empty() {
                let mut t = Table::new(&["名称", "绑定席位", "角色", "事件", "最近活动", "状态"]);
                for s in &st.seats {
                    let state = match (s.removed, s.supervisor) {
                        (true, _) => "已移除",
                        (false, true) => "主管",
                        (false, false) => "",
                    };
                    t.row(vec![
                        s.name.clone(),
                        s.seat.clone().unwrap_or_else(|| "(未绑定)".into()),
                        s.role.clone(),
                        s.events.to_string(),
                        s.last_activity.clone().unwrap_or_default(),
                        state.into(),
                    ]);
                }
                out::table(&t)?;
            }
            Ok(())
        }
        admin => run_admin(admin),
    }
}
