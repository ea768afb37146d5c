//! Accounts whose sign-up code was never entered: after `UNVERIFIED_DAYS` they go, and
//! with them the login ID and nickname they held. Such an account could not sell, chat
//! or buy, so nothing of anyone else's refers to it but what is deleted here.

use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use super::repo::forget_activity;
use crate::error::AppResult;
use crate::server::db;

/// How long a new account may wait for its code before it is removed.
pub const UNVERIFIED_DAYS: i64 = 7;

/// Removes never-verified accounts older than `UNVERIFIED_DAYS`; how many went. Each
/// is one transaction that checks again under a lock, so a member verifying at that
/// moment keeps their account, and several instances remove each account once.
pub async fn remove_unverified(pool: &MySqlPool, now: DateTime<Utc>) -> AppResult<u32> {
    let cutoff = (now - Duration::days(UNVERIFIED_DAYS)).naive_utc();
    let due = sqlx::query_scalar!(
        "SELECT id FROM member
         WHERE email_verified_at IS NULL AND created_at < ? AND withdrawn_at IS NULL
         ORDER BY created_at LIMIT 500",
        cutoff
    )
    .fetch_all(pool)
    .await?;
    let mut removed = 0;
    for id in due {
        let gone = db::retry_conflicts(|| async {
            let mut tx = pool.begin().await?;
            let still = sqlx::query_scalar!(
                "SELECT id FROM member
                 WHERE id = ? AND email_verified_at IS NULL AND withdrawn_at IS NULL FOR UPDATE",
                id
            )
            .fetch_optional(&mut *tx)
            .await?;
            if still.is_none() {
                return Ok(false);
            }
            // Everything an unverified member can have made: sessions, codes, wishes,
            // saved searches and notices, the consents of sign-up, listing reports.
            forget_activity(&mut tx, id).await?;
            sqlx::query!("DELETE FROM member_consent WHERE member_id = ?", id)
                .execute(&mut *tx)
                .await?;
            sqlx::query!("DELETE FROM listing_report WHERE reporter_id = ?", id)
                .execute(&mut *tx)
                .await?;
            sqlx::query!("DELETE FROM member WHERE id = ?", id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
        .await;
        match gone {
            Ok(g) => removed += u32::from(g),
            // A reference this module does not know of (the foreign key says so): the
            // account stays, and the log says which.
            Err(e) => tracing::warn!(member_id = id, error = %e, "unverified account kept"),
        }
    }
    Ok(removed)
}
