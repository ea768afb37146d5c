//! Order transitions: each is a conditional UPDATE that returns whether it happened.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::{Tx, naive};
use crate::error::AppResult;
use crate::features::orders::types::OrderStatus;

pub async fn mark_paid(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'paid', paid_at = ?, expires_at = NULL, updated_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at > ?",
        naive(now),
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_shipped(
    tx: &mut Tx<'_>,
    id: u64,
    carrier: &str,
    tracking_no: &str,
    auto_confirm_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'shipped', carrier = ?, tracking_no = ?, shipped_at = ?,
                auto_confirm_at = ?, updated_at = ?
         WHERE id = ? AND status = 'paid' AND delivery = 'parcel'",
        carrier,
        tracking_no,
        naive(now),
        naive(auto_confirm_at),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// The buyer has the book: from shipped, or from paid for a hand-over in person.
pub async fn mark_received(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, updated_at = ?
         WHERE id = ? AND (status = 'shipped' OR (status = 'paid' AND delivery <> 'parcel'))",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Auto-confirm: only when due and not paused by a dispute.
pub async fn mark_auto_received(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, auto_confirmed = TRUE,
                updated_at = ?
         WHERE id = ? AND status = 'shipped' AND disputed_at IS NULL AND auto_confirm_at <= ?",
        naive(now),
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// An admin ends a dispute in the seller's favour: the buyer is deemed to have the book.
pub async fn mark_released(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, updated_at = ?
         WHERE id = ? AND status IN ('paid', 'shipped') AND disputed_at IS NOT NULL",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_completed(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'completed', completed_at = ?, updated_at = ?
         WHERE id = ? AND status = 'agreed'",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Cancels from `from` (the state the caller saw), freeing the listing for others. Who
/// may cancel from which state is the service's rule (shipped: an admin resolving a dispute).
pub async fn mark_cancelled(
    tx: &mut Tx<'_>,
    id: u64,
    from: OrderStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'cancelled', live_listing_id = NULL, cancelled_at = ?,
                cancel_reason = ?, updated_at = ?
         WHERE id = ? AND status = ? AND status IN ('pending', 'agreed', 'paid', 'shipped')",
        naive(now),
        reason,
        naive(now),
        id,
        from.as_db()
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_expired(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'expired', live_listing_id = NULL, updated_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at <= ?",
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_disputed(
    tx: &mut Tx<'_>,
    id: u64,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET disputed_at = ?, dispute_reason = ?, updated_at = ?
         WHERE id = ? AND status IN ('paid', 'shipped') AND disputed_at IS NULL",
        naive(now),
        reason,
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// received → settled with the seller's payout; the payout's primary key makes a second
/// settlement of the same order impossible.
pub async fn mark_settled(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    let moved = sqlx::query!(
        "UPDATE trade_order SET status = 'settled', settled_at = ?, updated_at = ?
         WHERE id = ? AND status = 'received'",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if moved {
        sqlx::query!(
            "INSERT INTO payout (order_id, seller_id, amount, created_at)
             SELECT id, seller_id, amount, ? FROM trade_order WHERE id = ?",
            naive(now),
            id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(moved)
}

/// Orders the sweeper must act on now.
pub async fn due(pool: &MySqlPool, now: DateTime<Utc>, limit: u32) -> AppResult<Due> {
    let expired = sqlx::query_scalar!(
        "SELECT id FROM trade_order WHERE status = 'pending' AND expires_at <= ? LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    let auto_confirm = sqlx::query_scalar!(
        "SELECT id FROM trade_order
         WHERE status = 'shipped' AND auto_confirm_at <= ? AND disputed_at IS NULL LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    let reviews = sqlx::query_scalar!(
        "SELECT id FROM review WHERE counted = FALSE AND visible_at <= ? LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    // Cancelled after payment but the refund call failed: retried until it goes through.
    let refunds = sqlx::query_scalar!(
        "SELECT o.id FROM trade_order o JOIN payment p ON p.approved_order_id = o.id
         WHERE o.status = 'cancelled' AND p.status = 'approved' LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(Due {
        refunds,
        expired,
        auto_confirm,
        reviews,
    })
}

/// Confirmed orders waiting for settlement (asked after auto-confirm, so the ones it
/// just confirmed settle in the same sweep).
pub async fn to_settle(pool: &MySqlPool, limit: u32) -> AppResult<Vec<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM trade_order WHERE status = 'received' LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?)
}

pub struct Due {
    pub refunds: Vec<u64>,
    pub expired: Vec<u64>,
    pub auto_confirm: Vec<u64>,
    pub reviews: Vec<u64>,
}
