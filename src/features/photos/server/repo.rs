//! Photo rows: who uploaded what, and which photos a listing shows in which order.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::process::ProcessedPhoto;
use crate::error::AppResult;

/// The photo (once per content) and its uploader (once per member).
pub async fn record_upload(
    pool: &MySqlPool,
    member_id: u64,
    photo: &ProcessedPhoto,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    // A re-upload refreshes both times, so the orphan sweep never takes a photo that is
    // being put on a listing right now.
    sqlx::query!(
        "INSERT INTO photo (hash, width, height, bytes, created_at) VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE created_at = VALUES(created_at)",
        photo.key,
        photo.width,
        photo.height,
        photo.full.len() as u32,
        now.naive_utc(),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO photo_owner (member_id, hash, created_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE created_at = VALUES(created_at)",
        member_id,
        photo.key,
        now.naive_utc(),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many photos the member uploaded since `since` (the hourly cap).
pub async fn uploads_since(
    pool: &MySqlPool,
    member_id: u64,
    since: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "SELECT COUNT(*) FROM photo_owner WHERE member_id = ? AND created_at >= ?",
        member_id,
        since.naive_utc()
    )
    .fetch_one(pool)
    .await?)
}

/// Forgets uploads older than `cutoff` that no listing shows, then deletes the photos
/// nobody owns and no listing shows; returns the deleted keys so their files can go.
/// (Photos of deleted listings stay: the listing keeps its history.)
pub async fn drop_orphans(pool: &MySqlPool, cutoff: DateTime<Utc>) -> AppResult<Vec<String>> {
    sqlx::query!(
        "DELETE FROM photo_owner
         WHERE created_at < ?
           AND NOT EXISTS (SELECT 1 FROM listing_photo lp WHERE lp.hash = photo_owner.hash)",
        cutoff.naive_utc()
    )
    .execute(pool)
    .await?;
    let candidates = sqlx::query_scalar!(
        "SELECT p.hash FROM photo p
         WHERE p.created_at < ?
           AND NOT EXISTS (SELECT 1 FROM photo_owner po WHERE po.hash = p.hash)
           AND NOT EXISTS (SELECT 1 FROM listing_photo lp WHERE lp.hash = p.hash)
         LIMIT 1000",
        cutoff.naive_utc()
    )
    .fetch_all(pool)
    .await?;
    let mut deleted = Vec::with_capacity(candidates.len());
    for hash in candidates {
        // Checked again in the DELETE itself: an upload or a listing may have taken
        // the photo since the SELECT (an upload refreshes `created_at`).
        let gone = sqlx::query!(
            "DELETE FROM photo
             WHERE hash = ? AND created_at < ?
               AND NOT EXISTS (SELECT 1 FROM photo_owner po WHERE po.hash = photo.hash)
               AND NOT EXISTS (SELECT 1 FROM listing_photo lp WHERE lp.hash = photo.hash)",
            hash,
            cutoff.naive_utc()
        )
        .execute(pool)
        .await?
        .rows_affected();
        if gone == 1 {
            deleted.push(hash);
        }
    }
    Ok(deleted)
}

/// Keys among `keys` that neither member uploaded (a listing may only show its
/// seller's photos, or photos the admin editing it uploaded).
pub async fn not_owned(
    pool: &MySqlPool,
    seller_id: u64,
    editor_id: u64,
    keys: &[String],
) -> AppResult<Vec<String>> {
    let mut missing = Vec::new();
    for key in keys {
        let owned = sqlx::query_scalar!(
            "SELECT COUNT(*) FROM photo_owner WHERE hash = ? AND member_id IN (?, ?)",
            key,
            seller_id,
            editor_id,
        )
        .fetch_one(pool)
        .await?;
        if owned == 0 {
            missing.push(key.clone());
        }
    }
    Ok(missing)
}

/// Replaces a listing's photos with `keys`, in order, and its cover with the first.
pub async fn set_listing_photos(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    listing_id: u64,
    keys: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM listing_photo WHERE listing_id = ?", listing_id)
        .execute(&mut **tx)
        .await?;
    for (position, key) in keys.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO listing_photo (listing_id, position, hash) VALUES (?, ?, ?)",
            listing_id,
            position as u8,
            key,
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query!(
        "UPDATE listing SET cover_photo = ? WHERE id = ?",
        keys.first(),
        listing_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn listing_photos(pool: &MySqlPool, listing_id: u64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT hash FROM listing_photo WHERE listing_id = ? ORDER BY position",
        listing_id
    )
    .fetch_all(pool)
    .await?)
}
