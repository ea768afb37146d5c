//! Payment attempts: one row per trip to a provider's checkout.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::{Tx, naive};
use crate::error::{AppError, AppResult};
use crate::features::orders::types::ProviderKind;
use crate::server::db::known;

/// Where one trip to a provider's checkout stands (`payment.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptStatus {
    /// Checkout opened (or opening); the buyer may still come back with a result.
    Ready,
    Approved,
    Failed,
    /// Approved, then refunded.
    Cancelled,
}

impl AttemptStatus {
    fn from_db(s: &str) -> Option<Self> {
        match s {
            "ready" => Some(AttemptStatus::Ready),
            "approved" => Some(AttemptStatus::Approved),
            "failed" => Some(AttemptStatus::Failed),
            "cancelled" => Some(AttemptStatus::Cancelled),
            _ => None,
        }
    }
}

pub struct AttemptRow {
    pub id: u64,
    pub order_id: u64,
    pub attempt_key: String,
    pub provider: ProviderKind,
    pub amount: u32,
    pub provider_ref: Option<String>,
    pub checkout_url: Option<String>,
    pub status: AttemptStatus,
}

fn attempt_status(raw: &str) -> AppResult<AttemptStatus> {
    known(AttemptStatus::from_db(raw), "payment.status", raw)
}

fn provider(raw: &str) -> AppResult<ProviderKind> {
    known(ProviderKind::from_db(raw), "payment.provider", raw)
}

pub async fn insert_attempt(
    pool: &MySqlPool,
    order_id: u64,
    key: &str,
    provider: ProviderKind,
    amount: u32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    // Not INSERT IGNORE: IGNORE turns every failure into a warning, and a failed-open
    // attempt then reached the buyer as a checkout link to nothing (failover run, 2 of
    // 575 orders). Only "this attempt is already there" is not an error.
    let r = sqlx::query!(
        "INSERT INTO payment (order_id, attempt_key, provider, amount, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'ready', ?, ?)",
        order_id,
        key,
        provider.as_db(),
        amount,
        naive(now),
        naive(now)
    )
    .execute(pool)
    .await;
    match r {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub async fn attempt(pool: &MySqlPool, key: &str) -> AppResult<Option<AttemptRow>> {
    // Keys come back in URLs anyone can edit; ours are UUIDs, and the ASCII column
    // would refuse to compare anything else rather than find nothing.
    if uuid::Uuid::parse_str(key).is_err() {
        return Ok(None);
    }
    let Some(r) = sqlx::query!(
        "SELECT id, order_id, attempt_key, provider AS `provider: String`, amount, provider_ref,
                checkout_url, status AS `status: String`
         FROM payment WHERE attempt_key = ?",
        key
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(AttemptRow {
        id: r.id,
        order_id: r.order_id,
        attempt_key: r.attempt_key,
        provider: provider(&r.provider)?,
        amount: r.amount,
        provider_ref: r.provider_ref,
        checkout_url: r.checkout_url,
        status: attempt_status(&r.status)?,
    }))
}

/// The status and checkout URL of an order's latest attempt, if it has one.
pub async fn latest_checkout(
    pool: &MySqlPool,
    order_id: u64,
) -> AppResult<Option<(AttemptStatus, Option<String>)>> {
    let Some(r) = sqlx::query!(
        "SELECT checkout_url, status AS `status: String` FROM payment WHERE order_id = ?
         ORDER BY created_at DESC, id DESC LIMIT 1",
        order_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let status = attempt_status(&r.status)?;
    Ok(Some((status, r.checkout_url)))
}

pub async fn set_checkout(
    pool: &MySqlPool,
    key: &str,
    provider_ref: Option<&str>,
    url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let r = sqlx::query!(
        "UPDATE payment SET provider_ref = ?, checkout_url = ?, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        provider_ref,
        url,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    // No row: the attempt is gone or no longer ready — or an earlier try of this same
    // call already wrote these values (a row left unchanged may count as none). Look.
    if r.rows_affected() == 0
        && attempt(pool, key)
            .await?
            .and_then(|a| a.checkout_url)
            .as_deref()
            != Some(url)
    {
        tracing::error!(
            attempt = key,
            "checkout opened for an attempt that is not ready"
        );
        return Err(AppError::Internal);
    }
    Ok(())
}

/// Records why an attempt did not go through (the buyer may try again).
pub async fn fail_attempt(
    pool: &MySqlPool,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let message: String = message.chars().take(300).collect();
    sqlx::query!(
        "UPDATE payment SET status = 'failed', failure = ?, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        message,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Notes a problem without ending the attempt (outcome unknown: it may be retried).
pub async fn note_attempt(
    pool: &MySqlPool,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET failure = ?, updated_at = ? WHERE attempt_key = ? AND status = 'ready'",
        message,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The attempt is approved; the unique `approved_order_id` refuses a second approval
/// for the same order (returns false, and the caller refunds this one).
pub async fn approve_attempt(
    tx: &mut Tx<'_>,
    key: &str,
    order_id: u64,
    provider_ref: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let r = sqlx::query!(
        "UPDATE payment SET status = 'approved', approved_order_id = ?, provider_ref = ?,
                failure = NULL, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        order_id,
        provider_ref,
        naive(now),
        key
    )
    .execute(&mut **tx)
    .await;
    match r {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The approved payment of an order, if any: (attempt key, provider, provider ref).
pub async fn approved_payment(
    pool: &MySqlPool,
    order_id: u64,
) -> AppResult<Option<(String, ProviderKind, String)>> {
    let Some(r) = sqlx::query!(
        "SELECT attempt_key, provider AS `provider: String`, provider_ref FROM payment
         WHERE approved_order_id = ?",
        order_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some((
        r.attempt_key,
        provider(&r.provider)?,
        r.provider_ref.unwrap_or_default(),
    )))
}

pub async fn mark_refunded(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET status = 'cancelled', updated_at = ? WHERE approved_order_id = ?",
        naive(now),
        order_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Why the latest attempt of a still-pending order failed.
pub async fn last_failure(pool: &MySqlPool, order_id: u64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT failure FROM payment WHERE order_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        order_id
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

/// The payment window passed: no open attempt may still be approved.
pub async fn expire_attempts(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET status = 'failed', failure = '결제 시간이 지났습니다.', updated_at = ?
         WHERE order_id = ? AND status = 'ready'",
        naive(now),
        order_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
