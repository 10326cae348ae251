//! The seats' local work on the demo orders, recorded through the store's operations
//! as real events by several agents at several seats: memo lines in the seed's format,
//! flags of every colour, refunds driven through the platform's states, exchanges,
//! bad reviews with their contacts, damage/loss reports, and reply use.
//!
//! While the orders stream past, a `Picker` keeps a small, uniform sample of
//! candidates per situation (overdue, shipped, finished …); the work then scales with
//! the square root of the order count, never with the count itself.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::data::DemoData;
use super::orders::{SHOP_NAME, destination_city};
use super::rng::Rng;
use crate::domain::case::{
    BadReviewDetail, CaseAction, CaseDetail, Channel, ExchangeDetail, Registration, ReviewLevel,
};
use crate::domain::event::{Actor, EventBody, MemoKind, RefundRecord};
use crate::domain::flag::Flag;
use crate::domain::order::{OrderItem, OrderRecord, OrderStatus};
use crate::domain::promise::ShippingPromise;
use crate::domain::refund::{ActionInput, GoodsStatus, Phase, RefundAction};
use crate::domain::text_format::{DamageReport, MemoLine, ParcelLoss};
use crate::store::{Result, Store};

/// Where the warehouse ships from (`000`: 由杭州发往…).
const ORIGIN: &str = "杭州";

/// What an order is, for the work that suits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pool {
    Unpaid = 0,
    Overdue,
    ToShip,
    /// To ship, and the buyer asked for a courier, size or colour.
    Request,
    Partial,
    Shipped,
    Finished,
    /// Closed after a refund, never shipped.
    Refunded,
}

const POOLS: usize = 8;

/// What the work needs to know about a candidate order.
#[derive(Debug, Clone)]
pub(super) struct Brief {
    pub order_no: String,
    pub status: OrderStatus,
    pub city: String,
    pub amount_fen: i64,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub courier: String,
    pub tracking_no: String,
    pub item: OrderItem,
    pub message: String,
}

/// How much local work: 1 for the default 400 orders, growing with √n, at most 12
/// (a few hundred cases at a million orders).
pub(super) fn scale(orders: u64) -> usize {
    (((orders as f64).sqrt() / 40.0).round() as usize).clamp(1, 12)
}

/// Plain memo lines (besides those the cases and flags bring): about one order in six
/// for small shops, 8·√n for big ones.
fn memo_budget(orders: u64) -> usize {
    ((orders / 6) as usize).min((8.0 * (orders as f64).sqrt()) as usize)
}

/// A uniform sample of candidates per pool (reservoir sampling, its own random stream).
pub(super) struct Picker {
    rng: Rng,
    now: NaiveDateTime,
    caps: [usize; POOLS],
    seen: [u64; POOLS],
    pools: [Vec<Brief>; POOLS],
}

impl Picker {
    pub fn new(seed: u64, orders: u64, now: NaiveDateTime) -> Picker {
        let k = scale(orders);
        let m = memo_budget(orders);
        let mut caps = [0usize; POOLS];
        caps[Pool::Unpaid as usize] = m / 10 + 4;
        caps[Pool::Overdue as usize] = 10 * k + 4;
        caps[Pool::ToShip as usize] = 6 * k + m / 4 + 8;
        caps[Pool::Request as usize] = 8 * k + 4;
        caps[Pool::Partial as usize] = 3 * k + 2;
        caps[Pool::Shipped as usize] = 30 * k + m / 2 + 8;
        caps[Pool::Finished as usize] = 30 * k + m / 4 + 8;
        caps[Pool::Refunded as usize] = 3 * k + 2;
        Picker { rng: Rng::stream(seed, "picker"), now, caps, seen: [0; POOLS], pools: Default::default() }
    }

    fn pool_of(&self, o: &OrderRecord) -> Option<Pool> {
        Some(match o.status.0 {
            OrderStatus::WaitBuyerPay => Pool::Unpaid,
            OrderStatus::WaitSellerSendGoods => {
                let ship_by = o.paid_at.map(|p| ShippingPromise::default().ship_by(p));
                if ship_by.is_some_and(|s| s < self.now) {
                    Pool::Overdue
                } else if request_memo(&o.buyer_message, "").is_some() {
                    Pool::Request
                } else {
                    Pool::ToShip
                }
            }
            OrderStatus::SellerConsignedPart => Pool::Partial,
            OrderStatus::WaitBuyerConfirmGoods | OrderStatus::TradeBuyerSigned => Pool::Shipped,
            OrderStatus::TradeFinished => Pool::Finished,
            OrderStatus::TradeClosed if o.shipped_at.is_none() => Pool::Refunded,
            OrderStatus::TradeClosed
            | OrderStatus::TradeClosedByTaobao
            | OrderStatus::TradeNoCreatePay
            | OrderStatus::Unknown => return None,
        })
    }

    pub fn see(&mut self, o: &OrderRecord) {
        let Some(pool) = self.pool_of(o) else { return };
        let p = pool as usize;
        let t = self.seen[p];
        self.seen[p] += 1;
        let slot = if self.pools[p].len() < self.caps[p] {
            None
        } else {
            let j = self.rng.below(t + 1) as usize;
            if j >= self.caps[p] {
                return;
            }
            Some(j)
        };
        let brief = Brief {
            order_no: o.order_no.clone(),
            status: o.status.0,
            city: destination_city(&o.receiver_address),
            amount_fen: o.amount_fen,
            paid_at: o.paid_at,
            shipped_at: o.shipped_at,
            created_at: o.created_at.unwrap_or(self.now),
            courier: o.courier.clone(),
            tracking_no: o.tracking_no.clone(),
            item: o.items.first().cloned().unwrap_or_default(),
            message: o.buyer_message.clone(),
        };
        match slot {
            None => self.pools[p].push(brief),
            Some(j) => self.pools[p][j] = brief,
        }
    }

    /// The sample, oldest order first, ready to hand out.
    fn into_pools(mut self) -> Pools {
        for p in &mut self.pools {
            p.sort_by(|a, b| a.order_no.cmp(&b.order_no));
            p.reverse(); // pop() hands out the oldest first
        }
        Pools { pools: self.pools }
    }
}

struct Pools {
    pools: [Vec<Brief>; POOLS],
}

impl Pools {
    fn take(&mut self, pool: Pool) -> Option<Brief> {
        self.pools[pool as usize].pop()
    }

    /// From the first pool that still has one.
    fn take_any(&mut self, pools: &[Pool]) -> Option<Brief> {
        pools.iter().find_map(|p| self.take(*p))
    }
}

/// The memo line for a buyer's request about courier, size or colour (red flag).
fn request_memo(message: &str, size: &str) -> Option<(String, String)> {
    let m = message;
    let pair = |a: &str, r: &str| Some((a.to_string(), r.to_string()));
    if m.contains("顺丰") {
        pair("改发顺丰", "已备注仓库")
    } else if m.contains("圆通") {
        pair("改发圆通", "已备注仓库")
    } else if m.contains("EMS") {
        pair("改发EMS", "已备注仓库")
    } else if m.contains('码') {
        let size = if size.is_empty() || size == "均码" { "M" } else { size };
        Some(("确认尺码".into(), format!("改发{size}码")))
    } else if m.contains('色') {
        pair("改颜色", "已备注仓库")
    } else if m.contains("一起发") || m.contains("合并") || m.contains("两单") {
        pair("合并发货", "已备注")
    } else {
        None
    }
}

/// Seats and who sits at them: the agents of agents.txt, dealt round-robin over
/// two or three seats.
pub(super) struct Seats {
    pub seats: Vec<(String, Vec<String>)>,
}

impl Seats {
    pub fn new(d: &DemoData) -> Seats {
        let n = (d.agents.len() / 2).clamp(2, 3).min(d.agents.len()).max(1);
        let mut seats: Vec<(String, Vec<String>)> = (0..n).map(|i| (format!("seat-{}", i + 1), Vec::new())).collect();
        for (i, a) in d.agents.iter().enumerate() {
            seats[i % n].1.push(a.clone());
        }
        Seats { seats }
    }

    /// Everything about one order is done at one seat (so the log's order of its
    /// events is the order they were done in, even with a pinned clock).
    fn seat_of(&self, order_no: &str) -> usize {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in order_no.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        (h % self.seats.len() as u64) as usize
    }

    pub fn actor(&self, seat: usize, agent: usize) -> Actor {
        let (name, agents) = &self.seats[seat];
        Actor::new(agents[agent % agents.len()].clone(), name.clone())
    }

    fn agents_at(&self, seat: usize) -> usize {
        self.seats[seat].1.len()
    }
}

/// What the local work did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkDone {
    pub refunds: usize,
    pub cases: usize,
    pub memo_lines: usize,
    pub flags: usize,
    pub reply_uses: usize,
}

struct Worker<'a> {
    store: &'a mut Store,
    d: &'static DemoData,
    rng: Rng,
    now: NaiveDateTime,
    seats: Seats,
    refund_seq: u64,
    done: WorkDone,
    /// Plain memo lines and flags, per (seat, agent), written in one transaction each.
    batch: Vec<((usize, usize), EventBody)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefundPlan {
    /// Stays waiting for the seller (optionally 7-day no-reason, optionally extended).
    Waiting {
        seven_day: bool,
    },
    /// Refund-only before shipment, waiting for the seller.
    WaitingUnshipped,
    AwaitReturn,
    ReturnedNotReceived,
    ReturnedReceived,
    Refused,
    /// 7-day no-reason: agree first, then refuse the agreement in the return stage.
    RefusedSevenDay,
    ClosedByBuyer,
    ClosedAfterRefuse,
    SuccessAfterReturn,
    /// The order was closed by this refund before shipment.
    SuccessNoReturn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExchangePlan {
    AwaitReturnPaid,
    AwaitReturnUnpaid,
    AwaitPostage,
    ReadyQuality,
    Shipped,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReviewPlan {
    Open,
    Contacting,
    Changed,
    NotChanged,
}

const REFUSE_NOTES: [&str; 4] = [
    "金额不对,请修改后再申请",
    "商品已影响二次销售,请修改申请",
    "退款金额含运费,请按实付修改",
    "未收到退货,请核对退货单号后修改",
];
const REFUSE_SEVEN_DAY: &str = "吊牌已剪、已洗涤,不符合七天无理由,请修改申请";
const UNSHIPPED_REASONS: [&str; 5] = ["不想要了", "拍错了", "多拍/重复下单", "地址填错了", "缺货"];
const RETURN_REASONS: [&str; 9] = [
    "尺码不合适",
    "颜色/款式与描述不符",
    "质量问题",
    "色差太大",
    "做工粗糙/有瑕疵",
    "面料与描述不符",
    "起球/掉色",
    "开线/破洞",
    "效果不好/不喜欢",
];
const BUYER_DESCS: [&str; 6] =
    ["穿着偏小,想退", "和图片颜色差别太大", "收到有线头,袖口开线", "家里人不喜欢", "面料比想象的薄", ""];

impl<'a> Worker<'a> {
    fn agent_for(&mut self, seat: usize) -> usize {
        self.rng.below(self.seats.agents_at(seat) as u64) as usize
    }

    /// Acts as an agent of the order's seat.
    fn act_on(&mut self, order_no: &str) -> (usize, usize) {
        let seat = self.seats.seat_of(order_no);
        let agent = self.agent_for(seat);
        self.store.set_actor(self.seats.actor(seat, agent));
        (seat, agent)
    }

    /// Another agent of the same seat takes over (shift change).
    fn hand_over(&mut self, seat: usize) {
        let agent = self.agent_for(seat);
        self.store.set_actor(self.seats.actor(seat, agent));
    }

    fn agent_name(&self) -> String {
        self.store.actor().agent.clone()
    }

    fn tracking(&mut self, courier: &str) -> (String, String) {
        let c = self.d.courier(courier);
        let mut s = c.prefix.clone();
        self.rng.digits(c.digits, &mut s);
        (c.name.clone(), s)
    }

    fn staff_no(&mut self) -> String {
        self.rng.range(101, 989).to_string()
    }

    /// A moment between `from` and now (now when `from` is later).
    fn between(&mut self, from: NaiveDateTime, min_after: Duration) -> NaiveDateTime {
        let start = from + min_after;
        if start >= self.now {
            return self.now;
        }
        let span = (self.now - start).num_minutes().max(1);
        start + Duration::minutes(self.rng.range(0, span))
    }

    fn memo_line(&mut self, order_no: &str, staff: &str, action: &str, result: &str) -> Result<()> {
        self.store.add_memo_line(order_no, staff, action, result)?;
        self.done.memo_lines += 1;
        Ok(())
    }

    fn flag(&mut self, order_no: &str, flag: Flag) -> Result<()> {
        self.store.set_flag(order_no, flag)?;
        self.done.flags += 1;
        Ok(())
    }

    // ---- refunds -------------------------------------------------------------

    fn refund(&mut self, b: &Brief, plan: RefundPlan) -> Result<()> {
        use RefundAction as A;
        let (seat, _) = self.act_on(&b.order_no);
        let unshipped = matches!(plan, RefundPlan::WaitingUnshipped | RefundPlan::SuccessNoReturn);
        let seven_day = matches!(plan, RefundPlan::Waiting { seven_day: true } | RefundPlan::RefusedSevenDay);
        let needs_return = !unshipped;
        // Open refunds are recent (the platform's deadline still runs); closed ones may
        // be from any day since the goods arrived.
        let recent = match plan {
            RefundPlan::Waiting { .. } | RefundPlan::WaitingUnshipped => Some(Duration::hours(44)),
            RefundPlan::AwaitReturn | RefundPlan::ReturnedNotReceived | RefundPlan::ReturnedReceived => {
                Some(Duration::days(5))
            }
            _ => None,
        };
        let earliest = match (unshipped, b.shipped_at) {
            (false, Some(s)) => s + Duration::hours(30),
            _ => b.paid_at.unwrap_or(b.created_at) + Duration::minutes(10),
        };
        let earliest = match recent {
            Some(window) => earliest.max(self.now - window),
            None => earliest,
        };
        let applied_at = self.between(earliest, Duration::zero());
        let amount_fen = match plan {
            RefundPlan::SuccessNoReturn => b.amount_fen,
            _ => (b.item.price_fen * b.item.qty.max(1) as i64).min(b.amount_fen),
        };
        let reason = if seven_day {
            "七天无理由退换货".to_string()
        } else if unshipped {
            self.rng.pick(&UNSHIPPED_REASONS).to_string()
        } else {
            self.rng.pick(&RETURN_REASONS).to_string()
        };
        let buyer_desc = if unshipped { String::new() } else { self.rng.pick(&BUYER_DESCS).to_string() };
        self.refund_seq += 1;
        let mut refund_no = applied_at.format("%y%m%d").to_string();
        refund_no.push_str(&format!("{:05}", self.refund_seq));
        self.rng.digits(6, &mut refund_no);
        let record = RefundRecord {
            refund_no: refund_no.clone(),
            order_no: b.order_no.clone(),
            amount_fen,
            reason,
            buyer_desc,
            no_reason_7d: seven_day,
            needs_return,
            goods_status: if unshipped { GoodsStatus::BuyerNotReceived } else { GoodsStatus::BuyerReceived },
            phase: if b.status == OrderStatus::TradeFinished { Phase::Aftersale } else { Phase::Onsale },
            applied_at: Some(applied_at),
            deadline: Some(applied_at + Duration::days(5)),
            ..Default::default()
        };
        self.store.refund_new(record)?;
        self.done.refunds += 1;
        let no = refund_no.as_str();
        let none = ActionInput::default;
        let returned = |w: &mut Worker<'_>| -> Result<()> {
            let courier = *w.rng.pick(&["申通", "圆通", "中通", "韵达"]);
            let (courier, tracking_no) = w.tracking(courier);
            w.store.refund_act(no, A::BuyerReturned, ActionInput { tracking_no, courier, ..none() })?;
            Ok(())
        };
        if needs_return && !matches!(plan, RefundPlan::Waiting { .. } | RefundPlan::ClosedByBuyer) {
            self.flag(&b.order_no, Flag::Purple)?;
        }
        match plan {
            RefundPlan::Waiting { .. } | RefundPlan::WaitingUnshipped => {
                if self.rng.chance(0.4) {
                    let days = *self.rng.pick(&[3u32, 5, 7, 10]);
                    self.store.refund_act(no, A::Extend, ActionInput { days: Some(days), ..none() })?;
                    if days == 3 || days == 7 {
                        self.memo_line(&b.order_no, "", "延长收货", &format!("已延长{days}天"))?;
                    }
                }
            }
            RefundPlan::AwaitReturn => {
                self.store.refund_act(no, A::Agree, none())?;
                if self.rng.chance(0.5) {
                    self.store.refund_act(no, A::Extend, ActionInput { days: Some(7), ..none() })?;
                    self.memo_line(&b.order_no, "", "延长收货", "已延长7天")?;
                }
            }
            RefundPlan::ReturnedNotReceived => {
                self.store.refund_act(no, A::Agree, none())?;
                returned(self)?;
            }
            RefundPlan::ReturnedReceived => {
                self.store.refund_act(no, A::Agree, none())?;
                returned(self)?;
                self.hand_over(seat);
                self.store.refund_act(no, A::Received, none())?;
                self.memo_line(&b.order_no, "", "退货", "已签收待退款")?;
            }
            RefundPlan::Refused => {
                let note = self.rng.pick(&REFUSE_NOTES).to_string();
                self.store.refund_act(no, A::Refuse, ActionInput { note, ..none() })?;
            }
            RefundPlan::RefusedSevenDay => {
                self.store.refund_act(no, A::Agree, none())?;
                self.hand_over(seat);
                self.store.refund_act(no, A::Refuse, ActionInput { note: REFUSE_SEVEN_DAY.into(), ..none() })?;
            }
            RefundPlan::ClosedByBuyer => {
                self.store.refund_act(no, A::Close, ActionInput { note: "买家撤销退款申请".into(), ..none() })?;
            }
            RefundPlan::ClosedAfterRefuse => {
                let note = self.rng.pick(&REFUSE_NOTES).to_string();
                self.store.refund_act(no, A::Refuse, ActionInput { note, ..none() })?;
                self.store.refund_act(no, A::Close, ActionInput { note: "买家未修改,退款关闭".into(), ..none() })?;
                self.flag(&b.order_no, Flag::Grey)?;
            }
            RefundPlan::SuccessAfterReturn => {
                self.store.refund_act(no, A::Agree, none())?;
                returned(self)?;
                self.hand_over(seat);
                self.store.refund_act(no, A::Received, none())?;
                self.memo_line(&b.order_no, "", "退货", "已签收待退款")?;
                self.store.refund_act(no, A::RefundDone, none())?;
                self.memo_line(&b.order_no, "", "退款", "已提交财务")?;
                self.flag(&b.order_no, Flag::Grey)?;
            }
            RefundPlan::SuccessNoReturn => {
                self.store.refund_act(no, A::Agree, none())?;
                self.memo_line(&b.order_no, "", "退款", "已提交财务")?;
            }
        }
        Ok(())
    }

    // ---- exchanges -----------------------------------------------------------

    fn exchange(&mut self, b: &Brief, plan: ExchangePlan) -> Result<()> {
        let (seat, _) = self.act_on(&b.order_no);
        let quality = plan == ExchangePlan::ReadyQuality;
        let postage_paid = matches!(plan, ExchangePlan::AwaitReturnPaid | ExchangePlan::Shipped);
        let product = self.d.products.iter().find(|p| p.sku == b.item.sku);
        let other_size = product.and_then(|p| p.sizes.iter().find(|s| **s != b.item.size && s.as_str() != "均码"));
        let other_color = product.and_then(|p| p.colors.iter().find(|c| **c != b.item.color));
        let (reason, problem, want) = if quality {
            ("质量问题:开线", "质量问题", format!("同款{}{}", b.item.color, b.item.size))
        } else if let Some(size) = other_size {
            ("尺码不合适", "尺码不合适", format!("{}{size}码", b.item.color))
        } else {
            let c = other_color.cloned().unwrap_or_else(|| b.item.color.clone());
            ("颜色不喜欢", "颜色/款式", format!("{c}{}", b.item.size))
        };
        let agent = self.agent_name();
        let detail = ExchangeDetail {
            reason: reason.into(),
            want: format!("{}({})", want, b.item.sku),
            quality_problem: quality,
            postage_paid,
            ..Default::default()
        };
        let status = match plan {
            ExchangePlan::Shipped | ExchangePlan::Cancelled => "已完成",
            _ => "处理中",
        };
        let result = match plan {
            ExchangePlan::AwaitReturnPaid | ExchangePlan::AwaitReturnUnpaid => "等待买家寄回",
            ExchangePlan::AwaitPostage => "待买家补邮费",
            ExchangePlan::ReadyQuality => "质量问题免费换,待换出",
            ExchangePlan::Shipped => "已换出",
            ExchangePlan::Cancelled => "买家改为退款",
        };
        let reg = Registration {
            source: (*self.rng.pick(&["旺旺", "旺旺", "电话"])).into(),
            rating: (*self.rng.pick(&["5分", "4分", "3分"])).into(),
            handler: agent,
            problem_type: problem.into(),
            status: "处理中".into(),
            result: String::new(),
        };
        let case = self.store.open_case(&b.order_no, CaseDetail::Exchange(detail.clone()), reg)?;
        self.done.cases += 1;
        self.done.flags += 1;
        self.done.memo_lines += 1;
        let id = case.case_id.as_str();
        let received = |w: &mut Worker<'_>, mut detail: ExchangeDetail| -> Result<ExchangeDetail> {
            let courier = *w.rng.pick(&["申通", "圆通", "中通"]);
            let (_, tracking) = w.tracking(courier);
            detail.return_tracking_no = tracking;
            w.store.case_edit_detail(id, CaseDetail::Exchange(detail.clone()))?;
            w.store.case_act(id, CaseAction::Received, "仓库已收到退回件")?;
            Ok(detail)
        };
        match plan {
            ExchangePlan::AwaitReturnPaid => {}
            ExchangePlan::AwaitReturnUnpaid => {
                self.memo_line(&b.order_no, "", "通知补邮费", "买家未回复")?;
            }
            ExchangePlan::AwaitPostage => {
                received(self, detail)?;
                self.memo_line(&b.order_no, "", "通知补邮费", "买家未回复")?;
            }
            ExchangePlan::ReadyQuality => {
                received(self, detail)?;
            }
            ExchangePlan::Shipped => {
                let mut detail = received(self, detail)?;
                self.hand_over(seat);
                let courier = if b.courier.is_empty() { "申通".to_string() } else { b.courier.clone() };
                let (_, out) = self.tracking(&courier);
                detail.out_tracking_no = out;
                self.store.case_edit_detail(id, CaseDetail::Exchange(detail))?;
                self.store.case_act(id, CaseAction::Ship, "新货已发出")?;
                self.memo_line(&b.order_no, "", "换货", "已换出")?;
                self.flag(&b.order_no, Flag::Grey)?;
            }
            ExchangePlan::Cancelled => {
                self.store.case_act(id, CaseAction::Cancel, "买家改为申请退款")?;
            }
        }
        let agent = self.agent_name();
        self.store.case_register(
            id,
            Registration { status: status.into(), result: result.into(), handler: agent, ..Default::default() },
        )?;
        Ok(())
    }

    // ---- bad reviews ---------------------------------------------------------

    fn bad_review(&mut self, b: &Brief, plan: ReviewPlan, nth: usize) -> Result<()> {
        let (seat, _) = self.act_on(&b.order_no);
        let (level, text) = self.d.bad_reviews[nth % self.d.bad_reviews.len()].clone();
        let shipped = b.shipped_at.unwrap_or(b.created_at);
        let review_date = (shipped + Duration::days(self.rng.range(3, 7))).date().min(self.now.date());
        let problem = review_problem(&text);
        let (wants, remedy) = match problem {
            "尺码" | "颜色/款式" | "色差" => ("想退换", "新品可退换,运费我们出"),
            "质量" | "做工" | "异味" => ("要说法,想退款", "主管批准免费退换"),
            "发货慢" | "物流" => ("抱怨慢,要补偿", "送优惠券,下次包邮"),
            "服务态度" => ("要道歉", "主管致歉,送VIP"),
            _ => ("说明情况", "送小礼物"),
        };
        let detail = BadReviewDetail {
            level,
            review_text: text.clone(),
            review_date: Some(review_date),
            buyer_wants: wants.into(),
            remedy: remedy.into(),
        };
        let agent = self.agent_name();
        let reg = Registration {
            source: "评价".into(),
            rating: match level {
                ReviewLevel::Neutral => "中评(3分)".into(),
                ReviewLevel::Negative => "差评(1分)".into(),
            },
            handler: agent,
            problem_type: problem.into(),
            status: "处理中".into(),
            result: String::new(),
        };
        let case = self.store.open_case(&b.order_no, CaseDetail::BadReview(detail), reg)?;
        self.done.cases += 1;
        self.done.flags += 1;
        self.done.memo_lines += 1;
        let id = case.case_id.as_str();
        let contacts: &[(Channel, &str)] = match plan {
            ReviewPlan::Open => &[],
            ReviewPlan::Contacting => {
                if self.rng.chance(0.5) {
                    &[(Channel::Phone, "电话未接通"), (Channel::Sms, "已发短信说明,等买家回复")]
                } else {
                    &[(Channel::Wangwang, "已道歉,买家说考虑一下")]
                }
            }
            ReviewPlan::Changed => &[(Channel::Phone, "已道歉并说明原因,买家同意修改")],
            ReviewPlan::NotChanged => &[(Channel::Phone, "电话未接通"), (Channel::Phone, "买家拒绝修改")],
        };
        for (i, (channel, progress)) in contacts.iter().enumerate() {
            if i > 0 {
                self.hand_over(seat);
            }
            self.store.case_contact(id, *channel, progress)?;
            self.done.memo_lines += 1;
        }
        let (status, result) = match plan {
            ReviewPlan::Open => return Ok(()),
            ReviewPlan::Contacting => ("处理中", "等待买家回复"),
            ReviewPlan::Changed => {
                self.store.case_act(id, CaseAction::ReviewChanged, "买家已追加好评")?;
                ("已完成", "已改好评")
            }
            ReviewPlan::NotChanged => {
                self.store.case_act(id, CaseAction::ReviewNotChanged, "买家不同意修改")?;
                ("已完成", "未改评,已解释")
            }
        };
        self.store
            .case_register(id, Registration { status: status.into(), result: result.into(), ..Default::default() })?;
        Ok(())
    }

    // ---- damage / loss -------------------------------------------------------

    fn damage(&mut self, b: &Brief, loss: ParcelLoss, action: Option<CaseAction>) -> Result<()> {
        self.act_on(&b.order_no);
        let staff = self.staff_no();
        let courier_short = super::data::courier_short(&b.courier);
        self.memo_line(&b.order_no, &staff, "查件", if loss == ParcelLoss::Lost { "中转滞留已催" } else { "派件中" })?;
        let report = DamageReport {
            shop: SHOP_NAME.into(),
            ship_date: b.shipped_at.map(|s| s.date()),
            origin: ORIGIN.into(),
            destination: b.city.clone(),
            tracking_no: b.tracking_no.clone(),
            loss,
            value_fen: b.item.price_fen * b.item.qty.max(1) as i64,
            staff_no: staff,
            sku: b.item.sku.clone(),
            courier: courier_short.to_string(),
        };
        let agent = self.agent_name();
        let reg = Registration {
            source: "快递".into(),
            rating: "4分".into(),
            handler: agent,
            problem_type: if loss == ParcelLoss::Lost { "快递遗失" } else { "快递破损" }.into(),
            status: "处理中".into(),
            result: "已提交报告,等待快递核实".into(),
        };
        let case = self.store.open_case(&b.order_no, CaseDetail::Damage(report), reg)?;
        self.done.cases += 1;
        self.done.memo_lines += 1;
        let id = case.case_id.as_str();
        match action {
            Some(CaseAction::Claimed) => {
                self.store.case_act(id, CaseAction::Claimed, "快递已赔付,从月结账单扣除")?;
                self.memo_line(&b.order_no, "", "补发", "已补发")?;
                self.store.case_register(
                    id,
                    Registration {
                        status: "已完成".into(), result: "已索赔,已补发".into(), ..Default::default()
                    },
                )?;
            }
            Some(CaseAction::Rejected) => {
                self.store.case_act(id, CaseAction::Rejected, "快递称外包装完好,拒赔")?;
                self.store.case_register(
                    id,
                    Registration {
                        status: "已完成".into(), result: "快递拒赔,店铺承担".into(), ..Default::default()
                    },
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    // ---- plain memo lines and flags (batched per seat and agent) ---------------

    fn queue_memo(&mut self, b: &Brief, date: NaiveDate, staff: &str, action: &str, result: &str) {
        let seat = self.seats.seat_of(&b.order_no);
        let agent = self.agent_for(seat);
        let name = self.seats.actor(seat, agent).agent;
        let line = MemoLine {
            date: Some(date),
            staff_no: staff.into(),
            action: action.into(),
            result: result.into(),
            agent: name,
        };
        if let Ok(text) = line.render() {
            let memo_kind = if staff.is_empty() { MemoKind::Note } else { MemoKind::Tracking };
            self.batch.push(((seat, agent), EventBody::MemoAdded { order_no: b.order_no.clone(), text, memo_kind }));
            self.done.memo_lines += 1;
        }
    }

    fn queue_flag(&mut self, b: &Brief, flag: Flag) {
        let seat = self.seats.seat_of(&b.order_no);
        // the flag goes with the memo line just queued for the order, by the same agent
        let agent = self
            .batch
            .iter()
            .rev()
            .find(|(_, e)| e.order_no() == Some(b.order_no.as_str()))
            .map(|((_, a), _)| *a)
            .unwrap_or(0);
        self.batch.push(((seat, agent), EventBody::FlagSet { order_no: b.order_no.clone(), flag }));
        self.done.flags += 1;
    }

    fn day_after(&mut self, t: Option<NaiveDateTime>, min: Duration) -> NaiveDate {
        let t = t.unwrap_or(self.now);
        self.between(t, min).date()
    }

    fn flush_batch(&mut self) -> Result<()> {
        let mut batch = std::mem::take(&mut self.batch);
        // stable: each order's lines stay in the order they were made
        batch.sort_by_key(|(k, _)| *k);
        let mut i = 0;
        while i < batch.len() {
            let key = batch[i].0;
            let j = batch[i..].iter().position(|(k, _)| *k != key).map_or(batch.len(), |p| i + p);
            self.store.set_actor(self.seats.actor(key.0, key.1));
            let chunk = &batch[i..j];
            self.store.write(|w| {
                for (_, body) in chunk {
                    w.record(body.clone())?;
                }
                Ok(())
            })?;
            i = j;
        }
        Ok(())
    }
}

/// 问题类型 of a review, from what it says.
fn review_problem(text: &str) -> &'static str {
    const KEYS: [(&str, &str); 12] = [
        ("尺码", "尺码"),
        ("偏小", "尺码"),
        ("偏大", "尺码"),
        ("色差", "色差"),
        ("颜色", "颜色/款式"),
        ("发货", "发货慢"),
        ("快递", "物流"),
        ("物流", "物流"),
        ("味", "异味"),
        ("客服", "服务态度"),
        ("线头", "做工"),
        ("起球", "质量"),
    ];
    KEYS.iter().find(|(k, _)| text.contains(k)).map(|(_, v)| *v).unwrap_or("质量")
}

/// Runs the local work on the sampled orders. `replies` are the ids of the saved
/// replies with their groups, for the use counts.
pub(super) fn run(
    store: &mut Store,
    d: &'static DemoData,
    picker: Picker,
    seed: u64,
    orders: u64,
    replies: &[(String, String)],
) -> Result<WorkDone> {
    let now = picker.now;
    let k = scale(orders);
    let mut pools = picker.into_pools();
    let mut w = Worker {
        store,
        d,
        rng: Rng::stream(seed, "work"),
        now,
        seats: Seats::new(d),
        refund_seq: 0,
        done: WorkDone::default(),
        batch: Vec::new(),
    };
    use Pool as P;
    let after_sale = [P::Shipped, P::Finished];

    // Refunds: every state, several each.
    let refund_plans: [(RefundPlan, usize, &[Pool]); 11] = [
        (RefundPlan::Waiting { seven_day: false }, k, &[P::Shipped]),
        (RefundPlan::Waiting { seven_day: true }, 2 * k, &[P::Finished, P::Shipped]),
        (RefundPlan::WaitingUnshipped, 2 * k, &[P::ToShip, P::Overdue]),
        (RefundPlan::AwaitReturn, 3 * k, &after_sale),
        (RefundPlan::ReturnedNotReceived, 2 * k, &after_sale),
        (RefundPlan::ReturnedReceived, 2 * k, &after_sale),
        (RefundPlan::Refused, 2 * k, &[P::Shipped, P::Finished]),
        (RefundPlan::RefusedSevenDay, k, &[P::Finished, P::Shipped]),
        (RefundPlan::ClosedByBuyer, 2 * k, &after_sale),
        (RefundPlan::ClosedAfterRefuse, k, &after_sale),
        (RefundPlan::SuccessAfterReturn, 3 * k, &[P::Finished, P::Shipped]),
    ];
    for (plan, count, from) in refund_plans {
        for _ in 0..count {
            let Some(b) = pools.take_any(from) else { break };
            w.refund(&b, plan)?;
        }
    }
    for _ in 0..2 * k {
        let Some(b) = pools.take(P::Refunded) else { break };
        w.refund(&b, RefundPlan::SuccessNoReturn)?;
    }

    // Exchanges (blue flag), bad reviews (purple), damage/loss reports.
    for plan in [
        ExchangePlan::AwaitReturnPaid,
        ExchangePlan::AwaitReturnUnpaid,
        ExchangePlan::AwaitPostage,
        ExchangePlan::ReadyQuality,
        ExchangePlan::Shipped,
        ExchangePlan::Cancelled,
    ] {
        for _ in 0..k {
            let Some(b) = pools.take_any(&[P::Finished, P::Shipped]) else { break };
            w.exchange(&b, plan)?;
        }
    }
    let mut nth = 0;
    for (plan, count) in [
        (ReviewPlan::Open, 2 * k),
        (ReviewPlan::Contacting, 3 * k),
        (ReviewPlan::Changed, 2 * k),
        (ReviewPlan::NotChanged, k),
    ] {
        for _ in 0..count {
            let Some(b) = pools.take(P::Finished) else { break };
            w.bad_review(&b, plan, nth)?;
            nth += 1;
        }
    }
    for (loss, action) in [
        (ParcelLoss::Damaged, Some(CaseAction::Claimed)),
        (ParcelLoss::Lost, None),
        (ParcelLoss::Damaged, Some(CaseAction::Rejected)),
    ] {
        for _ in 0..k {
            let Some(b) = pools.take(P::Shipped) else { break };
            w.damage(&b, loss, action)?;
        }
    }

    // Flags with their memo lines.
    let today = now.date();
    for _ in 0..6 * k {
        let Some(b) = pools.take(P::Overdue) else { break };
        let date = w.day_after(b.paid_at, Duration::hours(2));
        let result = *w.rng.pick(&["买家换款", "买家申请退款", "等待到货"]);
        w.queue_memo(&b, date, "", "缺货通知", result);
        w.queue_flag(&b, Flag::Yellow);
    }
    for _ in 0..2 * k {
        let Some(b) = pools.take(P::Partial) else { break };
        let date = w.day_after(b.shipped_at, Duration::zero());
        w.queue_memo(&b, date, "", "部分缺货先发", "余下到货再发");
        w.queue_flag(&b, Flag::Yellow);
    }
    for _ in 0..6 * k {
        let Some(b) = pools.take(P::Request) else { break };
        let Some((action, result)) = request_memo(&b.message, &b.item.size) else { continue };
        let date = w.day_after(b.paid_at, Duration::minutes(5));
        w.queue_memo(&b, date, "", &action, &result);
        w.queue_flag(&b, Flag::Red);
    }
    for _ in 0..k {
        // a red flag cleared once the request was met
        let Some(b) = pools.take(P::Shipped) else { break };
        let date = w.day_after(b.paid_at, Duration::minutes(5)).min(b.shipped_at.map_or(today, |s| s.date()));
        let size = if b.item.size == "均码" { "M".to_string() } else { b.item.size.clone() };
        w.queue_memo(&b, date, "", "确认尺码", &format!("改发{size}码"));
        w.queue_flag(&b, Flag::Red);
        w.queue_flag(&b, Flag::Grey);
    }
    for i in 0..3 * k {
        let Some(b) = pools.take(if i % 2 == 0 { P::ToShip } else { P::Shipped }) else { continue };
        let date = w.day_after(b.paid_at, Duration::zero());
        w.queue_memo(&b, date, "", "银行汇款", "已到账");
        w.queue_flag(&b, Flag::Green);
    }

    // Plain memo lines: courier calls on shipped orders, payment reminders, address
    // checks, follow-ups.
    let budget = memo_budget(orders);
    for _ in 0..budget * 45 / 100 {
        let Some(b) = pools.take(P::Shipped) else { break };
        let staff = w.staff_no();
        let action = *w.rng.pick(&["查件", "查件", "催件", "更改地址", "拦截退回"]);
        let results = d.memo_results(action);
        let result = if results.is_empty() { String::new() } else { w.rng.pick(&results).1.clone() };
        let date = w.day_after(b.shipped_at, Duration::hours(20));
        w.queue_memo(&b, date, &staff, action, &result);
    }
    for _ in 0..budget / 10 {
        let Some(b) = pools.take(P::Unpaid) else { break };
        let date = w.day_after(Some(b.created_at), Duration::minutes(30));
        w.queue_memo(&b, date, "", "催付", "买家说晚点付");
    }
    for _ in 0..budget / 4 {
        let Some(b) = pools.take(P::ToShip) else { break };
        let date = w.day_after(b.paid_at, Duration::minutes(2));
        let (action, result) = match w.rng.below(4) {
            0 | 1 => ("核对地址", "买家确认无误".to_string()),
            2 => ("更改地址", "已更改".to_string()),
            _ => ("催付", "已付款".to_string()),
        };
        w.queue_memo(&b, date, "", action, &result);
    }
    for _ in 0..budget / 5 {
        let Some(b) = pools.take(P::Finished) else { break };
        let date = w.day_after(b.shipped_at, Duration::days(3));
        let (action, result) = *w.rng.pick(&[("回访", "买家满意"), ("回访", "买家满意"), ("开发票", "已发邮箱")]);
        w.queue_memo(&b, date, "", action, result);
    }
    w.flush_batch()?;

    // Reply use: a few replies are used all the time, most now and then.
    if !replies.is_empty() {
        let mut order: Vec<usize> = (0..replies.len()).collect();
        w.rng.shuffle(&mut order);
        let weights: Vec<u32> = {
            let mut v = vec![0u32; replies.len()];
            for (rank, idx) in order.iter().enumerate() {
                let boost = match replies[*idx].1.as_str() {
                    "通用" | "物流" => 3,
                    "售前" | "售后" => 2,
                    _ => 1,
                };
                v[*idx] = boost * 2000 / (rank as u32 + 2);
            }
            v
        };
        let uses = ((orders as usize) * 2).clamp(150, 3000);
        let mut per_actor: Vec<((usize, usize), EventBody)> = Vec::with_capacity(uses);
        let seats = w.seats.seats.len();
        for _ in 0..uses {
            let seat = w.rng.below(seats as u64) as usize;
            let agent = w.agent_for(seat);
            let idx = w.rng.weighted(&weights);
            per_actor.push((
                (seat, agent),
                EventBody::ReplyUsed { reply_id: replies[idx].0.clone(), order_no: String::new() },
            ));
        }
        w.done.reply_uses = per_actor.len();
        w.batch = per_actor;
        w.flush_batch()?;
    }
    Ok(w.done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_grows_slower_than_orders() {
        assert_eq!(scale(400), 1);
        assert_eq!(scale(20_000), 4);
        assert_eq!(scale(1_000_000), 12);
        assert_eq!(memo_budget(400), 66);
        assert_eq!(memo_budget(1_000_000), 8000);
    }

    #[test]
    fn requests_become_memo_lines() {
        assert_eq!(request_memo("请发顺丰,到付也可以", "M"), Some(("改发顺丰".into(), "已备注仓库".into())));
        assert_eq!(request_memo("要M码,黑色,别发错了", "L"), Some(("确认尺码".into(), "改发L码".into())));
        assert_eq!(request_memo("颜色选杏色,不要白色", ""), Some(("改颜色".into(), "已备注仓库".into())));
        assert_eq!(request_memo("送货前请先打电话", ""), None);
        assert_eq!(request_memo("", ""), None);
    }

    #[test]
    fn reviews_get_a_problem_type() {
        assert_eq!(review_problem("尺码严重偏小"), "尺码");
        assert_eq!(review_problem("客服态度很差"), "服务态度");
        assert_eq!(review_problem("什么都不好"), "质量");
    }
}
