//! Trade history (USER-PAYMENT-01).

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::MySqlPool;

use super::{naive, order_status};
use crate::error::AppResult;
use crate::features::orders::types::{OrderStatus, TradeCursor, TradeRole, TradeRow};

pub struct HistoryQuery {
    pub member_id: u64,
    pub role: TradeRole,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub status: Option<OrderStatus>,
    pub after: Option<TradeCursor>,
    pub limit: u32,
}

/// One side's trades, newest first, keyset on (created_at, id) over
/// ix_order_buyer / ix_order_seller.
pub async fn history(pool: &MySqlPool, q: &HistoryQuery) -> AppResult<Vec<TradeRow>> {
    let from = q.from.map(naive);
    let until = q.until.map(naive);
    let status_filter = q.status.map(|s| s.as_db());
    let (after_at, after_id) = match q.after {
        Some(c) => (Some(naive(c.created_at)), c.id),
        None => (None, u64::MAX),
    };
    // One query per side, so each walks its own (side_id, created_at, id) index; the
    // keyset is spelled out (MariaDB scans on row-tuple comparisons).
    let rows = match q.role {
        TradeRole::Buyer => {
            sqlx::query_as!(
                HistoryRow,
                "SELECT o.id, o.order_no, o.book_title, o.amount, o.status AS `status: String`,
                    o.created_at, m.nickname AS counterpart
             FROM trade_order o JOIN member m ON m.id = o.seller_id
             WHERE o.buyer_id = ?
               AND (? IS NULL OR o.created_at >= ?) AND (? IS NULL OR o.created_at < ?)
               AND (? IS NULL OR o.status = ?)
               AND (? IS NULL OR o.created_at < ? OR (o.created_at = ? AND o.id < ?))
             ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
                q.member_id,
                from,
                from,
                until,
                until,
                status_filter,
                status_filter,
                after_at,
                after_at,
                after_at,
                after_id,
                q.limit
            )
            .fetch_all(pool)
            .await?
        }
        TradeRole::Seller => {
            sqlx::query_as!(
                HistoryRow,
                "SELECT o.id, o.order_no, o.book_title, o.amount, o.status AS `status: String`,
                    o.created_at, m.nickname AS counterpart
             FROM trade_order o JOIN member m ON m.id = o.buyer_id
             WHERE o.seller_id = ?
               AND (? IS NULL OR o.created_at >= ?) AND (? IS NULL OR o.created_at < ?)
               AND (? IS NULL OR o.status = ?)
               AND (? IS NULL OR o.created_at < ? OR (o.created_at = ? AND o.id < ?))
             ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
                q.member_id,
                from,
                from,
                until,
                until,
                status_filter,
                status_filter,
                after_at,
                after_at,
                after_at,
                after_id,
                q.limit
            )
            .fetch_all(pool)
            .await?
        }
    };
    rows.into_iter()
        .map(|r| {
            Ok(TradeRow {
                id: r.id,
                order_no: r.order_no,
                title: r.book_title,
                amount: i64::from(r.amount),
                status: order_status(&r.status)?,
                counterpart: r.counterpart,
                created_at: r.created_at.and_utc(),
            })
        })
        .collect()
}

/// A trade-history row as selected (either side).
struct HistoryRow {
    id: u64,
    order_no: String,
    book_title: String,
    amount: u32,
    status: String,
    created_at: NaiveDateTime,
    counterpart: String,
}
