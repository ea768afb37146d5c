//! Photo rows: who uploaded what, and which photos a listing shows in which order.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use crate::error::AppResult;
use crate::server::photos::process::ProcessedPhoto;

/// The photo (once per content) and its uploader (once per member).
pub async fn record_upload(
    pool: &MySqlPool,
    member_id: u64,
    photo: &ProcessedPhoto,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT IGNORE INTO photo (hash, width, height, bytes, created_at) VALUES (?, ?, ?, ?, ?)",
        photo.key,
        photo.width,
        photo.height,
        photo.full.len() as u32,
        now.naive_utc(),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT IGNORE INTO photo_owner (member_id, hash, created_at) VALUES (?, ?, ?)",
        member_id,
        photo.key,
        now.naive_utc(),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
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
