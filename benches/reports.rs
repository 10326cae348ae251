//! Report speed on a shop-sized database: 1,000,000 orders and ~200,000 events by
//! default (`KEFU_BENCH_ORDERS`, `KEFU_BENCH_EVENTS` for smaller runs).
//!
//! `cargo bench --bench reports` builds the database once through the store's own API
//! — orders imported each morning in batches of 1,000 (`OrdersUpserted`), then 60 days
//! of seat work through the ops (memo lines, flags, replies used, refunds through their
//! states, bad reviews with contacts, damage reports and claims) by four agents on four
//! seats, each at its simulated moment (the store's clock) — caches it in /tmp keyed by size,
//! then times every report (built and rendered as text), `log verify` and log pages.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test or benchmark fails loudly on a broken setup")]

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate, NaiveDateTime};
use kefu::domain::case::{BadReviewDetail, CaseAction, CaseDetail, Channel, Registration, ReviewLevel};
use kefu::domain::clock::Clock;
use kefu::domain::event::{Actor, EventBody, RefundRecord};
use kefu::domain::flag::Flag;
use kefu::domain::order::{OrderItem, OrderRecord, OrderStatus};
use kefu::domain::refund::{ActionInput, RefundAction};
use kefu::domain::text_format::{DamageReport, ParcelLoss};
use kefu::report::{Period, agents, bad_reviews, daily, damage, log as rlog, refunds, render};
use kefu::store::Store;
use kefu::store::audit::LogFilter;

const DAYS: u32 = 60;
const BATCH: usize = 1000;
const AGENTS: [(&str, &str); 4] = [("宾", "seat-1"), ("琳", "seat-2"), ("小美", "seat-3"), ("阿杰", "seat-4")];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 29).unwrap() - Span::days(DAYS as i64 - 1)
}

fn order_no(day: u32, idx: u32) -> String {
    format!("26{day:03}{idx:09}")
}

/// Order `idx` of those paid on simulated day `day`; deterministic.
fn gen_order(day: u32, idx: u32) -> OrderRecord {
    let mut r = Rng::new(((day as u64) << 32) | idx as u64);
    let paid = start().and_hms_opt(0, 0, 0).unwrap() + Span::days(day as i64) + Span::seconds(r.below(86_400) as i64);
    let age = DAYS - 1 - day;
    let ship_after = Span::minutes(60 + r.below(36 * 60) as i64);
    let (status, shipped) = if age >= 10 {
        match r.below(100) {
            0..3 => (OrderStatus::TradeClosed, None),
            3..10 => (OrderStatus::WaitBuyerConfirmGoods, Some(paid + ship_after)),
            _ => (OrderStatus::TradeFinished, Some(paid + ship_after)),
        }
    } else if age >= 2 {
        if r.chance(1) {
            (OrderStatus::WaitSellerSendGoods, None)
        } else {
            (OrderStatus::WaitBuyerConfirmGoods, Some(paid + ship_after))
        }
    } else if r.chance(35) {
        (OrderStatus::WaitSellerSendGoods, None)
    } else {
        (OrderStatus::WaitBuyerConfirmGoods, Some(paid + ship_after))
    };
    let price = 2900 + r.below(300) as i64 * 100;
    let titles = ["2026秋冬新款连帽卫衣", "纯棉短袖T恤女宽松", "高腰阔腿牛仔裤", "针织开衫外套", "加绒保暖打底衫"];
    let names = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨敏", "赵磊", "黄丽"];
    let cities =
        ["浙江省 杭州市 西湖区", "北京市 朝阳区", "广东省 深圳市 南山区", "上海市 浦东新区", "四川省 成都市 武侯区"];
    OrderRecord {
        order_no: order_no(day, idx),
        buyer: format!("tb_{:08}", r.below(400_000)),
        receiver_name: r.pick(&names).to_string(),
        receiver_phone: format!("138{:08}", r.below(100_000_000)),
        receiver_address: format!("{} 文三路 {} 号", r.pick(&cities), r.below(500)),
        status: status.into(),
        amount_fen: price,
        postage_fen: 0,
        created_at: Some(paid - Span::minutes(3)),
        paid_at: Some(paid),
        shipped_at: shipped,
        courier: if shipped.is_some() { "申通快递".into() } else { String::new() },
        tracking_no: if shipped.is_some() { format!("77{:010}", r.below(10_000_000_000)) } else { String::new() },
        title: r.pick(&titles).to_string(),
        items: vec![OrderItem {
            title: r.pick(&titles).to_string(),
            sku: format!("{}", 100 + r.below(80)),
            color: "黑色".into(),
            size: ["S", "M", "L", "XL"][r.below(4) as usize].into(),
            qty: 1,
            price_fen: price,
        }],
        ..Default::default()
    }
}

#[derive(Debug, Clone)]
enum Task {
    Import(u32),
    Unit,
    Refund { no: String, step: u8 },
    Review { case_id: String, step: u8 },
    Damage { case_id: String },
}

struct Sim {
    store: Store,
    rng: Rng,
    queue: BinaryHeap<Reverse<(NaiveDateTime, u64)>>,
    tasks: Vec<Option<Task>>,
    per_day: u32,
    replies: Vec<String>,
    refunds: u64,
    imported_days: u32,
}

impl Sim {
    fn at(&mut self, when: NaiveDateTime, task: Task) {
        self.queue.push(Reverse((when, self.tasks.len() as u64)));
        self.tasks.push(Some(task));
    }

    fn as_agent(&mut self) {
        let (a, s) = *self.rng.pick(&AGENTS);
        self.store.set_actor(Actor::new(a, s));
    }

    /// An imported order of the last ten days that shipped (refunds, reviews, damage).
    fn some_shipped_order(&mut self) -> Option<OrderRecord> {
        for _ in 0..20 {
            let back = 1 + self.rng.below(10) as u32;
            let day = self.imported_days.checked_sub(back)?;
            let o = gen_order(day, self.rng.below(self.per_day as u64) as u32);
            if o.shipped_at.is_some() {
                return Some(o);
            }
        }
        None
    }

    fn run(&mut self, now: NaiveDateTime, task: Task) {
        self.store.set_clock(Clock::fixed(now));
        let mins = |r: &mut Rng, lo: i64, hi: i64| Span::minutes(lo + r.below((hi - lo) as u64) as i64);
        match task {
            Task::Import(day) => {
                self.store.set_actor(Actor::new("宾", "seat-1"));
                let mut idx = 0;
                while idx < self.per_day {
                    let n = (self.per_day - idx).min(BATCH as u32);
                    let orders = (idx..idx + n).map(|i| gen_order(day, i)).collect();
                    self.store
                        .record(EventBody::OrdersUpserted { source: format!("ExportOrderList{day}"), orders })
                        .unwrap();
                    idx += n;
                }
                self.imported_days = day + 1;
            }
            Task::Unit => {
                self.as_agent();
                let roll = self.rng.below(100);
                if roll < 45 || self.imported_days == 0 {
                    let Some(day) = self.imported_days.checked_sub(1 + self.rng.below(3) as u32) else { return };
                    let no = order_no(day, self.rng.below(self.per_day as u64) as u32);
                    match roll % 3 {
                        0 => {
                            let staff = format!("{}", 800 + self.rng.below(100));
                            self.store.add_memo_line(&no, &staff, "查件,派件中", "已告知买家").unwrap();
                        }
                        1 => self.store.set_flag(&no, *self.rng.pick(&[Flag::Red, Flag::Yellow, Flag::Green])).unwrap(),
                        _ => {
                            let id = self.rng.pick(&self.replies).clone();
                            self.store.reply_used(&id, Some(&no)).unwrap();
                        }
                    }
                    return;
                }
                let Some(o) = self.some_shipped_order() else { return };
                if roll < 88 {
                    self.refunds += 1;
                    let no = format!("R{:08}", self.refunds);
                    let reasons =
                        ["尺码不合适", "质量问题", "七天无理由", "发错货", "颜色与描述不符", "不想要了", "物流太慢"];
                    let reason = *self.rng.pick(&reasons);
                    let whole = self.rng.chance(80);
                    let rec = RefundRecord {
                        refund_no: no.clone(),
                        order_no: o.order_no.clone(),
                        amount_fen: if whole { o.amount_fen } else { o.amount_fen / 2 },
                        reason: reason.into(),
                        no_reason_7d: reason == "七天无理由",
                        needs_return: whole,
                        applied_at: Some(now - mins(&mut self.rng, 1, 90)),
                        ..Default::default()
                    };
                    if self.store.refund_new(rec).is_ok() {
                        let next = now + mins(&mut self.rng, 5, 20 * 60);
                        self.at(next, Task::Refund { no, step: 0 });
                    }
                } else if roll < 96 {
                    let level = if self.rng.chance(60) { ReviewLevel::Negative } else { ReviewLevel::Neutral };
                    let texts =
                        ["衣服有线头,做工一般", "发货太慢了", "颜色和图片差很多", "客服态度不好", "尺码偏小,不合身"];
                    let detail = CaseDetail::BadReview(BadReviewDetail {
                        level,
                        review_text: self.rng.pick(&texts).to_string(),
                        review_date: Some(now.date()),
                        buyer_wants: String::new(),
                        remedy: if self.rng.chance(50) { "退货退款".into() } else { "下次包邮".into() },
                    });
                    let case = self.store.open_case(&o.order_no, detail, Registration::default()).unwrap();
                    let next = now + mins(&mut self.rng, 30, 24 * 60);
                    self.at(next, Task::Review { case_id: case.case_id, step: 0 });
                } else {
                    let report = DamageReport {
                        shop: "19shop".into(),
                        ship_date: o.shipped_at.map(|s| s.date()),
                        origin: "杭州".into(),
                        destination: "北京".into(),
                        tracking_no: o.tracking_no.clone(),
                        loss: if self.rng.chance(80) { ParcelLoss::Damaged } else { ParcelLoss::Lost },
                        value_fen: o.amount_fen,
                        staff_no: format!("{}", 800 + self.rng.below(100)),
                        sku: o.items[0].sku.clone(),
                        courier: "申通".into(),
                    };
                    let case =
                        self.store.open_case(&o.order_no, CaseDetail::Damage(report), Registration::default()).unwrap();
                    let next = now + mins(&mut self.rng, 2 * 24 * 60, 7 * 24 * 60);
                    self.at(next, Task::Damage { case_id: case.case_id });
                }
            }
            Task::Refund { no, step } => {
                self.as_agent();
                let row = self.store.require_refund(&no).unwrap();
                let none = ActionInput::default();
                let (action, input, then) = match (step, row.needs_return) {
                    (0, _) if self.rng.chance(8) => (RefundAction::Close, none, None),
                    (0, _) if row.shipped && !row.no_reason_7d && self.rng.chance(12) => {
                        let note =
                            ActionInput { note: "金额不对,请修改后再申请".into(), ..Default::default() };
                        (RefundAction::Refuse, note, Some((10, 1)))
                    }
                    (0, true) => (RefundAction::Agree, none, Some((24 * 60, 2))),
                    (0, false) => (RefundAction::Agree, none, None),
                    (1, _) => (RefundAction::BuyerAmended, none, Some((60, 0))),
                    (2, _) => {
                        let ret = ActionInput {
                            tracking_no: format!("YT{}", self.rng.below(1 << 40)),
                            courier: "圆通".into(),
                            ..Default::default()
                        };
                        (RefundAction::BuyerReturned, ret, Some((24 * 60, 3)))
                    }
                    (3, _) => (RefundAction::Received, none, Some((5, 4))),
                    _ => (RefundAction::RefundDone, none, None),
                };
                self.store.refund_act(&no, action, input).unwrap();
                if let Some((minutes, step)) = then {
                    let next = now + mins(&mut self.rng, minutes, minutes * 3);
                    self.at(next, Task::Refund { no, step });
                }
            }
            Task::Review { case_id, step } => {
                self.as_agent();
                if step < 2 {
                    let channel = *self.rng.pick(&Channel::ALL);
                    self.store.case_contact(&case_id, channel, "已联系买家,说明补救方案").unwrap();
                    let next_step = if step == 0 && self.rng.chance(50) { 1 } else { 2 };
                    let next = now + mins(&mut self.rng, 60, 36 * 60);
                    self.at(next, Task::Review { case_id, step: next_step });
                } else {
                    let a = if self.rng.chance(60) { CaseAction::ReviewChanged } else { CaseAction::ReviewNotChanged };
                    self.store.case_act(&case_id, a, "").unwrap();
                }
            }
            Task::Damage { case_id } => {
                self.as_agent();
                let a = if self.rng.chance(70) { CaseAction::Claimed } else { CaseAction::Rejected };
                self.store.case_act(&case_id, a, "").unwrap();
            }
        }
    }
}

fn build(path: &Path, orders: usize, events: usize) {
    let t0 = Instant::now();
    let tmp = path.with_extension("building");
    for p in [tmp.clone(), tmp.with_extension("building-wal"), tmp.with_extension("building-shm")] {
        let _ = std::fs::remove_file(p);
    }
    let store = Store::open(&tmp, Actor::new("宾", "seat-1")).unwrap();
    store.conn().execute_batch("PRAGMA synchronous = OFF").unwrap();
    let per_day = (orders as u32).div_ceil(DAYS);
    let mut sim = Sim {
        store,
        rng: Rng::new(42),
        queue: BinaryHeap::new(),
        tasks: Vec::new(),
        per_day,
        replies: Vec::new(),
        refunds: 0,
        imported_days: 0,
    };
    let begin = start().and_hms_opt(7, 0, 0).unwrap();
    sim.store.set_clock(Clock::fixed(begin - Span::hours(1)));
    for i in 0..50 {
        let id = sim.store.reply_save(None, &format!("q{i}"), &format!("亲,这是第 {i} 条标准回复哦"), "售后").unwrap();
        sim.replies.push(id);
    }
    // ~2.8 events per unit of work; spread evenly over the days.
    let units_per_day = (events as f64 / 2.8 / DAYS as f64).ceil() as u64;
    for day in 0..DAYS {
        let morning = begin + Span::days(day as i64);
        sim.at(morning, Task::Import(day));
        for _ in 0..units_per_day {
            let when = morning + Span::minutes(60 + sim.rng.below(15 * 60) as i64);
            sim.at(when, Task::Unit);
        }
    }
    let end = start().and_hms_opt(0, 0, 0).unwrap() + Span::days(DAYS as i64);
    let mut last_report = Instant::now();
    while let Some(Reverse((when, idx))) = sim.queue.pop() {
        if when >= end {
            break;
        }
        let task = sim.tasks[idx as usize].take().unwrap();
        sim.run(when, task);
        if last_report.elapsed() > Duration::from_secs(20) {
            eprintln!("  … {when}  {} events, {:.0?}", sim.store.event_count().unwrap(), t0.elapsed());
            last_report = Instant::now();
        }
    }
    let n = sim.store.event_count().unwrap();
    drop(sim);
    std::fs::rename(&tmp, path).unwrap();
    eprintln!("built {} in {:.1?}: {n} events", path.display(), t0.elapsed());
}

/// CPU time of this process so far (user + system, all threads), from /proc; zero
/// where there is none. The machine may be shared: CPU time is the steadier measure.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return Duration::ZERO };
    // Fields after the command name in parentheses; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// (first wall time, best wall time, best CPU time, rows).
fn time(runs: usize, f: &mut dyn FnMut() -> usize) -> (Duration, Duration, Duration, usize) {
    let mut first = Duration::ZERO;
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    let mut out = 0;
    for i in 0..runs {
        let (t, c) = (Instant::now(), cpu_time());
        out = f();
        let (e, ce) = (t.elapsed(), cpu_time().saturating_sub(c));
        if i == 0 {
            first = e;
        }
        best = best.min(e);
        best_cpu = best_cpu.min(ce);
    }
    (first, best, best_cpu, out)
}

fn main() {
    // `cargo bench --bench reports [FILTER]`: only the rows whose name contains FILTER.
    let filter: String = std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_default();
    let orders = env_usize("KEFU_BENCH_ORDERS", 1_000_000);
    let events = env_usize("KEFU_BENCH_EVENTS", 200_000);
    let path = PathBuf::from(format!("/tmp/kefu-bench-{orders}-orders-{events}-events-v2.sqlite"));
    if !path.exists() {
        eprintln!("building {} (cached for later runs) …", path.display());
        build(&path, orders, events);
    }
    let store = Store::open(&path, Actor::new("主管", "seat-boss")).unwrap();
    let now = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let last = now.date() - Span::days(1);
    let month = Period { from: last - Span::days(29), to: last };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "kefu reports — {} orders, {} events, {} refunds, {} cases, {:.0} MB ({})",
        store.order_count().unwrap(),
        store.event_count().unwrap(),
        store.conn().query_row("SELECT count(*) FROM refunds", [], |r| r.get::<_, i64>(0)).unwrap(),
        store.conn().query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0)).unwrap(),
        size as f64 / 1e6,
        path.display()
    );
    println!("{:<46} {:>12} {:>12} {:>10} {:>8}", "", "first", "best of 3", "cpu (best)", "rows");
    let bench = |name: &str, runs: usize, f: &mut dyn FnMut() -> usize| {
        if !name.contains(filter.as_str()) {
            return;
        }
        let (first, best, cpu, rows) = time(runs, f);
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let (first, best, cpu) = (ms(first), ms(best), format!("{} ms", cpu.as_millis()));
        println!("{} {first:>12} {best:>12} {cpu:>10} {rows:>8}", kefu::domain::width::fit(name, 46));
    };
    let rendered = |r: kefu::report::Report| -> usize {
        let _ = render::text(&r, 60);
        r.sections.iter().map(|s| s.rows.len()).sum()
    };
    let st = &store;
    bench("report daily (yesterday)", 3, &mut || rendered(daily::build(st, last, now).unwrap()));
    let old = last - Span::days(30);
    bench("report daily (30 days ago)", 3, &mut || rendered(daily::build(st, old, now).unwrap()));
    bench("report refunds (30 days)", 3, &mut || rendered(refunds::build(st, month).unwrap()));
    let all = Period { from: start(), to: last };
    bench("report refunds (all 60 days)", 3, &mut || rendered(refunds::build(st, all).unwrap()));
    bench("report bad-reviews (all)", 3, &mut || rendered(bad_reviews::build(st, None, false).unwrap()));
    bench("report damage (all)", 3, &mut || rendered(damage::build(st, None).unwrap()));
    bench("report agents (30 days)", 3, &mut || rendered(agents::build(st, month).unwrap()));
    bench("report agents (all 60 days)", 3, &mut || rendered(agents::build(st, all).unwrap()));
    bench("log verify (every chain)", 3, &mut || {
        let c = st.verify_chains().unwrap();
        assert!(c.is_ok(), "{:?}", c.broken().next());
        c.events as usize
    });
    let page = |f: LogFilter| move || rlog::page(st, &f, None, 100).unwrap().len();
    bench("log, first page (100)", 3, &mut page(LogFilter::default()));
    let by = LogFilter { agent: Some("琳".into()), kind: Some("refund_acted".into()), ..Default::default() };
    bench("log --agent 琳 --kind refund_acted (100)", 3, &mut page(by));
    bench("log --seat seat-3 (100)", 3, &mut page(LogFilter { seat: Some("seat-3".into()), ..Default::default() }));
    let busy: String = store
        .conn()
        .query_row("SELECT order_no FROM refunds GROUP BY order_no ORDER BY count(*) DESC, order_no LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap_or_default();
    bench(
        "log --order <an order with refunds>",
        3,
        &mut page(LogFilter { order_no: Some(busy), ..Default::default() }),
    );
    let day = Period::day(last);
    let memos = LogFilter {
        since: Some(day.utc_start()),
        until: Some(day.utc_end()),
        kind: Some("memo_added".into()),
        ..Default::default()
    };
    bench("log --since/--until one day --kind memo_added", 3, &mut page(memos));
    // Deep pagination costs the same as the first page (keyset, never OFFSET).
    bench("log, 50 pages of 100 in a row", 1, &mut || {
        let mut cursor = None;
        let mut n = 0;
        for _ in 0..50 {
            let p = rlog::page(st, &LogFilter::default(), cursor.as_ref(), 100).unwrap();
            n += p.len();
            cursor = p.last().map(|e| e.cursor());
        }
        n
    });
}
