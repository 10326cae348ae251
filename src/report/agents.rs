//! Per-agent work and the KPIs (`002`) kefu has the data for, over a period.
//!
//! Definitions (all counted by event time in the period, conflicts excluded):
//! - **经手售后单** (cases handled): distinct refunds and cases the agent worked on;
//!   **退款处理** = refund actions (agree, refuse, confirm receipt, close, extend …);
//!   **售后单处理** = case events (open, act, contact, register, edit).
//! - **首次处理退款** / **首次处理中位时长**: refunds whose first seller action was this
//!   agent's, in the period; the median time from the buyer's application to it.
//! - **经手订单中评/差评** (satisfaction proxy, bad reviews per agent): for each bad
//!   review registered in the period, every agent who had recorded anything about that
//!   order *before* it was registered — memo lines, flags, replies used on it, events of
//!   its refunds and other cases — is charged with it. **扣奖金估算** applies `002`'s
//!   weights: 100 yuan per neutral, 300 per negative review.
//! - **负责结案 / 其中改评 / 改评率**: bad reviews closed in the period (changed or not
//!   changed) whose handler (registration, else the agent who opened it) is the agent.
//! - **备注行**, **快捷短语**: memo lines written, standard replies used.

use std::collections::{BTreeMap, HashMap};

use super::refunds::first_action_seconds;
use super::stats::{median_seconds, ratio};
use super::{Cell, Period, Report, ReportTable};
use crate::domain::case::{CaseDetail, CaseKind, CaseState, ReviewLevel};
use crate::store::{Result, Store};

/// One agent's numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentStats {
    pub agent: String,
    pub cases_handled: i64,
    pub refund_actions: i64,
    pub case_actions: i64,
    pub memo_lines: i64,
    pub replies_used: i64,
    pub refunds_first_acted: i64,
    pub median_first_action: Option<i64>,
    pub reviews_neutral: i64,
    pub reviews_negative: i64,
    pub reviews_closed: i64,
    pub reviews_changed: i64,
}

impl AgentStats {
    fn is_empty(&self) -> bool {
        self.cases_handled == 0
            && self.memo_lines == 0
            && self.replies_used == 0
            && self.refunds_first_acted == 0
            && self.reviews_neutral == 0
            && self.reviews_negative == 0
            && self.reviews_closed == 0
    }

    /// `002`: a neutral review costs 100 yuan of bonus, a negative one 300.
    pub fn bonus_cost_fen(&self) -> i64 {
        (self.reviews_neutral * 100 + self.reviews_negative * 300) * 100
    }
}

pub fn build(store: &Store, period: Period) -> Result<Report> {
    Ok(report(period, &collect(store, period)?))
}

/// Every agent with something in the period, by name.
pub fn collect(store: &Store, period: Period) -> Result<Vec<AgentStats>> {
    let (from, to) = period.utc_text();
    let mut by: BTreeMap<String, AgentStats> = BTreeMap::new();
    fn get<'a>(by: &'a mut BTreeMap<String, AgentStats>, agent: &str) -> &'a mut AgentStats {
        by.entry(agent.to_string()).or_insert_with(|| AgentStats { agent: agent.to_string(), ..Default::default() })
    }

    for w in store.case_work_between(&from, &to)? {
        let a = get(&mut by, &w.agent);
        a.refund_actions = w.refund_actions;
        a.case_actions = w.case_actions;
        a.cases_handled = w.cases;
    }

    let mut times: HashMap<String, Vec<i64>> = HashMap::new();
    for f in store.refunds_first_acted_between(&from, &to)? {
        let (Some(agent), Some(secs)) = (f.first_action_by.as_deref(), first_action_seconds(&f)) else { continue };
        get(&mut by, agent).refunds_first_acted += 1;
        times.entry(agent.to_string()).or_default().push(secs);
    }
    for (agent, mut t) in times {
        get(&mut by, &agent).median_first_action = median_seconds(&mut t);
    }

    for review in store.case_facts(CaseKind::BadReview, Some((&from, &to)), false)? {
        let CaseDetail::BadReview(b) = &review.detail else { continue };
        for agent in store.agents_on_order_before(&review.order_no, &review.case_id, &review.opened_at)? {
            let a = get(&mut by, &agent);
            match b.level {
                ReviewLevel::Neutral => a.reviews_neutral += 1,
                ReviewLevel::Negative => a.reviews_negative += 1,
            }
        }
    }
    for review in store.cases_closed_between(CaseKind::BadReview, &from, &to)? {
        if !matches!(review.state, CaseState::Changed | CaseState::NotChanged) {
            continue;
        }
        let a = get(&mut by, review.handler());
        a.reviews_closed += 1;
        if review.state == CaseState::Changed {
            a.reviews_changed += 1;
        }
    }

    for agent in store.agents()? {
        let memo = store.memo_lines_by(&agent, &from, &to)?;
        let replies = store.reply_uses_by(&agent, &from, &to)?;
        if memo > 0 || replies > 0 {
            let a = get(&mut by, &agent);
            a.memo_lines = memo;
            a.replies_used = replies;
        }
    }
    Ok(by.into_values().filter(|a| !a.is_empty()).collect())
}

/// The two tables (work, bad reviews) and the KPIs that cannot be computed (pure).
pub fn report(period: Period, stats: &[AgentStats]) -> Report {
    let mut r = Report::new("agents", "客服绩效").param("期间", period.label());
    let mut work = ReportTable::new(
        "工作量",
        &[
            ("agent", "客服"),
            ("cases_handled", "经手售后单"),
            ("refund_actions", "退款处理"),
            ("case_actions", "售后单处理"),
            ("refunds_first_acted", "首次处理退款"),
            ("median_first_action", "首次处理中位时长"),
            ("memo_lines", "备注行"),
            ("replies_used", "快捷短语"),
        ],
    );
    let mut reviews = ReportTable::new(
        "中差评",
        &[
            ("agent", "客服"),
            ("reviews_neutral", "经手订单中评"),
            ("reviews_negative", "经手订单差评"),
            ("bonus_cost", "扣奖金估算"),
            ("reviews_closed", "负责结案"),
            ("reviews_changed", "其中改评"),
            ("changed_rate", "改评率"),
        ],
    );
    for a in stats {
        work.push(vec![
            Cell::text(&a.agent),
            Cell::Int(a.cases_handled),
            Cell::Int(a.refund_actions),
            Cell::Int(a.case_actions),
            Cell::Int(a.refunds_first_acted),
            a.median_first_action.map(Cell::Seconds).unwrap_or(Cell::Empty),
            Cell::Int(a.memo_lines),
            Cell::Int(a.replies_used),
        ]);
        reviews.push(vec![
            Cell::text(&a.agent),
            Cell::Int(a.reviews_neutral),
            Cell::Int(a.reviews_negative),
            Cell::Yuan(a.bonus_cost_fen()),
            Cell::Int(a.reviews_closed),
            Cell::Int(a.reviews_changed),
            ratio(a.reviews_changed, a.reviews_closed).map(Cell::Percent).unwrap_or(Cell::Empty),
        ]);
    }
    r.sections.push(work);
    r.sections.push(reviews);
    r.notes = vec![
        "经手售后单:期间内处理过的不同退款和售后单;退款处理:同意、拒绝、确认收货、关闭、延长收货等;售后单处理:登记、处理、联系买家、售后登记、修改。冲突不算。".into(),
        "首次处理:期间内由该客服第一个处理的退款;时长从买家申请到第一次处理,取中位数。".into(),
        "经手订单中评/差评(满意度参考):期间内登记的中差评,算在登记之前处理过该订单(备注、旗帜、快捷短语、它的退款和售后单)的每位客服头上;扣奖金按中评 100 元、差评 300 元估算(`002`)。".into(),
        "负责结案 / 改评率:期间内结案(已改评或未改评)且由该客服负责(售后登记的处理人,没有时为登记人)的中差评。".into(),
        "无法计算:回复率(回复人数/接待人数)、询单转化率(付款人数/询单人数)、平均首次响应时间、平均回复字数 —— 需要旺旺/千牛的聊天记录,kefu 不记录聊天。满意度(好评/买家数)需要全部评价,kefu 只登记中差评,上面的中差评数是它的参考。DSR 是店铺的分数、不分客服,用 `kefu dsr` 计算。".into(),
    ];
    r
}
