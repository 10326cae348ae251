//! Order queries: the urgency queue (keyset pages on `orders_queue`), the detail view,
//! search, and the counts of the status bar.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Row, ToSql};

use super::Store;
use super::error::Result;
use super::rows::{MemoRow, OrderDetail, QueueCursor, QueueRow};
use crate::domain::flag::Flag;
use crate::domain::order::{OrderItem, OrderRecord, OrderStatus, OrderStatusField};
use crate::domain::promise::QueueRank;
use crate::domain::timefmt::{format_datetime, parse_datetime};

/// Which orders the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueView {
    #[default]
    All,
    /// 待发货: paid, not shipped.
    ToShip,
    /// Past their ship-by time.
    Overdue,
    /// 已发货.
    Shipped,
    /// 退款中: an open refund.
    Refunding,
    /// 有旗帜: any flag, or one colour.
    Flagged(Option<Flag>),
    Status(OrderStatus),
}

impl QueueView {
    pub fn label(&self) -> String {
        match self {
            QueueView::All => "全部".into(),
            QueueView::ToShip => "待发货".into(),
            QueueView::Overdue => "已超时".into(),
            QueueView::Shipped => "已发货".into(),
            QueueView::Refunding => "退款中".into(),
            QueueView::Flagged(None) => "有旗帜".into(),
            QueueView::Flagged(Some(f)) => f.label().into(),
            QueueView::Status(s) => s.short_label().into(),
        }
    }
}

const QUEUE_COLS: &str = "order_no, buyer, receiver_name, status, title, paid_at, ship_by, flag, memo_last, courier, \
                          tracking_no, amount_fen, open_refunds, qrank, qkey, status_text, \
                          max(refund_fen, (SELECT coalesce(sum(r.amount_fen), 0) FROM refunds r \
                                           WHERE r.order_no = orders.order_no AND r.state = 'SUCCESS'))";

/// The status column: '' for an order known only from local work (None); a code this
/// kefu does not know is `Unknown`.
pub(super) fn stored_status(code: &str) -> Option<OrderStatus> {
    if code.is_empty() { None } else { Some(OrderStatus::from_stored(code)) }
}

fn queue_row(r: &Row<'_>) -> rusqlite::Result<QueueRow> {
    let order_no: String = r.get(0)?;
    let qrank: i64 = r.get(13)?;
    let qkey: String = r.get(14)?;
    Ok(QueueRow {
        buyer: r.get(1)?,
        receiver_name: r.get(2)?,
        status: stored_status(&r.get::<_, String>(3)?),
        title: r.get(4)?,
        paid_at: r.get::<_, Option<String>>(5)?.and_then(|t| parse_datetime(&t)),
        ship_by: r.get::<_, Option<String>>(6)?.and_then(|t| parse_datetime(&t)),
        flag: Flag::from_number(r.get::<_, u8>(7)?).unwrap_or_default(),
        memo_last: r.get(8)?,
        courier: r.get(9)?,
        tracking_no: r.get(10)?,
        amount_fen: r.get(11)?,
        open_refunds: r.get(12)?,
        refunded_fen: r.get(16)?,
        status_text: r.get(15)?,
        cursor: QueueCursor { qrank, qkey, order_no: order_no.clone() },
        order_no,
    })
}

impl Store {
    /// A page of the queue after `after` (or from the top), most urgent first.
    pub fn queue_page(
        &self,
        view: QueueView,
        now: NaiveDateTime,
        after: Option<&QueueCursor>,
        limit: usize,
    ) -> Result<Vec<QueueRow>> {
        self.queue_query(view, now, after, limit, true)
    }

    /// The page just before `before`, returned in queue order (for scrolling up).
    pub fn queue_page_before(
        &self,
        view: QueueView,
        now: NaiveDateTime,
        before: &QueueCursor,
        limit: usize,
    ) -> Result<Vec<QueueRow>> {
        let mut rows = self.queue_query(view, now, Some(before), limit, false)?;
        rows.reverse();
        Ok(rows)
    }

    fn queue_query(
        &self,
        view: QueueView,
        now: NaiveDateTime,
        cursor: Option<&QueueCursor>,
        limit: usize,
        forward: bool,
    ) -> Result<Vec<QueueRow>> {
        let now_text = format_datetime(now);
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        let index = match view {
            QueueView::All => "orders_queue",
            QueueView::ToShip => {
                conds.push(format!("qrank = {}", QueueRank::AwaitingShipment as i64));
                "orders_queue"
            }
            QueueView::Overdue => {
                conds.push(format!("qrank = {}", QueueRank::AwaitingShipment as i64));
                conds.push("qkey < ?".into());
                args.push(Box::new(now_text));
                "orders_queue"
            }
            // An unknown status ranks by its order's facts: any rank, a code kefu does not know.
            QueueView::Status(OrderStatus::Unknown) => {
                let known: Vec<String> = OrderStatus::ALL.iter().map(|s| format!("'{}'", s.code())).collect();
                conds.push(format!("status <> '' AND status NOT IN ({})", known.join(", ")));
                "orders_queue"
            }
            // A status lies within one rank: range over the rank, filter the status.
            QueueView::Shipped | QueueView::Status(_) => {
                let status = match view {
                    QueueView::Status(s) => s,
                    _ => OrderStatus::WaitBuyerConfirmGoods,
                };
                conds.push(format!("qrank = {}", QueueRank::of(status) as i64));
                conds.push("status = ?".into());
                args.push(Box::new(status.code()));
                "orders_queue"
            }
            QueueView::Refunding => {
                conds.push("open_refunds > 0".into());
                "orders_refund_queue"
            }
            QueueView::Flagged(None) => {
                conds.push("flag > 0".into());
                "orders_queue"
            }
            QueueView::Flagged(Some(f)) => {
                conds.push("flag = ?".into());
                conds.push("flag > 0".into());
                args.push(Box::new(f.number()));
                "orders_flag_queue"
            }
        };
        if let Some(c) = cursor {
            conds.push(
                if forward { "(qrank, qkey, order_no) > (?, ?, ?)" } else { "(qrank, qkey, order_no) < (?, ?, ?)" }
                    .into(),
            );
            args.push(Box::new(c.qrank));
            args.push(Box::new(c.qkey.clone()));
            args.push(Box::new(c.order_no.clone()));
        }
        let dir = if forward { "ASC" } else { "DESC" };
        let where_clause = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
        let sql = format!(
            "SELECT {QUEUE_COLS} FROM orders INDEXED BY {index} {where_clause} \
             ORDER BY qrank {dir}, qkey {dir}, order_no {dir} LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = stmt.query_map(params.as_slice(), queue_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The row at a cursor (to keep the selection after a change).
    pub fn queue_row(&self, order_no: &str) -> Result<Option<QueueRow>> {
        let sql = format!("SELECT {QUEUE_COLS} FROM orders WHERE order_no = ?");
        Ok(self.conn.prepare_cached(&sql)?.query_row([order_no], queue_row).optional()?)
    }

    /// Orders by number (prefix, or tail as agents quote it), tracking number, phone
    /// tail (4 digits), buyer or receiver (prefix). Each is a range on its own index,
    /// so it stays instant at a million orders; results come back in queue order.
    pub fn search_orders(&self, query: &str, limit: usize) -> Result<Vec<QueueRow>> {
        let q = query.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let rev: String = q.chars().rev().collect();
        let digits = q.chars().all(|c| c.is_ascii_digit());
        let mut lookups: Vec<(&str, &str, &str)> = vec![("orders_tracking", "tracking_no", q)];
        if digits {
            lookups.insert(0, ("sqlite_autoindex_orders_1", "order_no", q));
            lookups.push(("orders_rev", "order_rev", &rev));
            if q.len() == 4 {
                lookups.push(("orders_phone_tail", "phone_tail", q));
            }
        } else {
            lookups.push(("orders_buyer", "buyer", q));
            lookups.push(("orders_receiver", "receiver_name", q));
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (index, column, value) in lookups {
            let upper = format!("{value}\u{10FFFF}");
            let extra = if column == "tracking_no" { " AND tracking_no <> ''" } else { "" };
            let sql = format!(
                "SELECT {QUEUE_COLS} FROM orders INDEXED BY {index} WHERE {column} >= ?1 AND {column} < ?2{extra} LIMIT {limit}"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            for row in stmt.query_map(rusqlite::params![value, upper], queue_row)? {
                let row = row?;
                if seen.insert(row.order_no.clone()) {
                    out.push(row);
                }
            }
        }
        out.sort_by(|a, b| {
            (a.cursor.qrank, &a.cursor.qkey, &a.order_no).cmp(&(b.cursor.qrank, &b.cursor.qkey, &b.order_no))
        });
        out.truncate(limit);
        Ok(out)
    }

    pub fn order_detail(&self, order_no: &str) -> Result<Option<OrderDetail>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT order_no, buyer, buyer_alipay, receiver_name, receiver_phone, receiver_address, status, amount_fen, \
                   postage_fen, refund_fen, created_at, paid_at, shipped_at, ship_by, buyer_message, platform_memo, courier, \
                   tracking_no, shop_name, title, close_reason, flag, status_text \
                 FROM orders WHERE order_no = ?",
            )?
            .query_row([order_no], |r| {
                let t = |i: usize| -> rusqlite::Result<Option<NaiveDateTime>> {
                    Ok(r.get::<_, Option<String>>(i)?.and_then(|s| parse_datetime(&s)))
                };
                Ok(OrderDetail {
                    order_no: r.get(0)?,
                    buyer: r.get(1)?,
                    buyer_alipay: r.get(2)?,
                    receiver_name: r.get(3)?,
                    receiver_phone: r.get(4)?,
                    receiver_address: r.get(5)?,
                    status: stored_status(&r.get::<_, String>(6)?),
                    amount_fen: r.get(7)?,
                    postage_fen: r.get(8)?,
                    refund_fen: r.get(9)?,
                    created_at: t(10)?,
                    paid_at: t(11)?,
                    shipped_at: t(12)?,
                    ship_by: t(13)?,
                    buyer_message: r.get(14)?,
                    platform_memo: r.get(15)?,
                    courier: r.get(16)?,
                    tracking_no: r.get(17)?,
                    shop_name: r.get(18)?,
                    title: r.get(19)?,
                    close_reason: r.get(20)?,
                    flag: Flag::from_number(r.get::<_, u8>(21)?).unwrap_or_default(),
                    status_text: r.get(22)?,
                    items: Vec::new(),
                    memos: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut d) = row else { return Ok(None) };
        d.items = self.order_items(order_no)?;
        d.memos = self.memo_lines(order_no)?;
        Ok(Some(d))
    }

    pub fn order_items(&self, order_no: &str) -> Result<Vec<OrderItem>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT title, sku, color, size, qty, price_fen FROM order_items WHERE order_no = ? ORDER BY line",
        )?;
        let rows = stmt
            .query_map([order_no], |r| {
                Ok(OrderItem {
                    title: r.get(0)?,
                    sku: r.get(1)?,
                    color: r.get(2)?,
                    size: r.get(3)?,
                    qty: r.get(4)?,
                    price_fen: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Memo lines of an order, oldest first (all seats, in log order).
    pub fn memo_lines(&self, order_no: &str) -> Result<Vec<MemoRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT event_id, at, seat, agent, kind, text FROM memo_lines WHERE order_no = ? ORDER BY event_key",
        )?;
        let rows = stmt
            .query_map([order_no], |r| {
                Ok(MemoRow {
                    event_id: r.get(0)?,
                    at: r.get(1)?,
                    seat: r.get(2)?,
                    agent: r.get(3)?,
                    kind: r.get(4)?,
                    text: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The platform's facts as last recorded (import compares against these).
    pub fn platform_record(&self, order_no: &str) -> Result<Option<OrderRecord>> {
        let Some(d) = self.order_detail(order_no)? else {
            return Ok(None);
        };
        if d.status.is_none() {
            return Ok(None);
        }
        let (platform_flag, code, parent_no): (Option<u8>, String, String) = self.conn.query_row(
            "SELECT platform_flag, status, parent_no FROM orders WHERE order_no = ?",
            [order_no],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(Some(OrderRecord {
            order_no: d.order_no,
            buyer: d.buyer,
            buyer_alipay: d.buyer_alipay,
            receiver_name: d.receiver_name,
            receiver_phone: d.receiver_phone,
            receiver_address: d.receiver_address,
            status: OrderStatusField::from_code(&code),
            status_text: d.status_text,
            parent_no,
            amount_fen: d.amount_fen,
            postage_fen: d.postage_fen,
            created_at: d.created_at,
            paid_at: d.paid_at,
            shipped_at: d.shipped_at,
            buyer_message: d.buyer_message,
            platform_memo: d.platform_memo,
            platform_flag: platform_flag.and_then(Flag::from_number),
            courier: d.courier,
            tracking_no: d.tracking_no,
            shop_name: d.shop_name,
            title: d.title,
            items: d.items,
            refund_fen: d.refund_fen,
            close_reason: d.close_reason,
        }))
    }

    pub fn order_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?)
    }

    /// Paid, unshipped and past their ship-by time.
    pub fn overdue_count(&self, now: NaiveDateTime) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM orders INDEXED BY orders_queue WHERE qrank = ?1 AND qkey < ?2",
            rusqlite::params![QueueRank::AwaitingShipment as i64, format_datetime(now)],
            |r| r.get(0),
        )?)
    }

    pub fn to_ship_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM orders INDEXED BY orders_queue WHERE qrank = ?1",
            [QueueRank::AwaitingShipment as i64],
            |r| r.get(0),
        )?)
    }
}
