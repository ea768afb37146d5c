//! A seller's listings and public profile.

use super::CardRow;
use crate::error::AppResult;
use crate::features::listings::types::{ListingCard, SellerProfile, SellerSummary};
use chrono::NaiveDateTime;
use sqlx::MySqlPool;

/// A seller's own listings, every status but deleted, newest first; keyset on
/// (created_at, id) written as an expanded OR (MariaDB scans on row comparisons).
pub async fn by_seller(
    pool: &MySqlPool,
    seller_id: u64,
    before: Option<(NaiveDateTime, u64)>,
    limit: u32,
) -> AppResult<Vec<ListingCard>> {
    // No cursor: start after the largest DATETIME MariaDB stores.
    let end_of_time = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .expect("valid date");
    let (at, id) = before.unwrap_or((end_of_time, u64::MAX));
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.seller_id = ? AND l.status <> 'deleted'
           AND (l.created_at < ? OR (l.created_at = ? AND l.id < ?))
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT ?",
        seller_id,
        at,
        at,
        id,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}

pub async fn seller_profile(pool: &MySqlPool, seller_id: u64) -> AppResult<Option<SellerProfile>> {
    let Some(seller) = seller_summary(pool, seller_id).await? else {
        return Ok(None);
    };
    Ok(Some(SellerProfile {
        seller,
        listings: by_seller(pool, seller_id, None, 60).await?,
        received_reviews: Vec::new(),
    }))
}

/// Nickname, join date and listing counts of a live member.
pub async fn seller_summary(pool: &MySqlPool, seller_id: u64) -> AppResult<Option<SellerSummary>> {
    let Some(m) = sqlx::query!(
        "SELECT id, nickname, created_at, trust_score, completed_trades, review_count
         FROM member WHERE id = ? AND withdrawn_at IS NULL",
        seller_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let counts = sqlx::query!(
        "SELECT CAST(COALESCE(SUM(status = 'on_sale'), 0) AS UNSIGNED) AS `on_sale: u64`,
                CAST(COALESCE(SUM(status = 'sold'), 0) AS UNSIGNED) AS `sold: u64`
         FROM listing WHERE seller_id = ?",
        seller_id
    )
    .fetch_one(pool)
    .await?;
    Ok(Some(SellerSummary {
        id: m.id,
        nickname: m.nickname,
        joined_at: m.created_at.and_utc(),
        on_sale: counts.on_sale as u32,
        sold: counts.sold as u32,
        trust_score: m.trust_score,
        trades: m.completed_trades,
        reviews: m.review_count,
    }))
}

/// Where the caller's own listing `id` sits in their newest-first list (a page cursor);
/// None if it is not theirs.
pub async fn own_listing_cursor(
    pool: &MySqlPool,
    seller_id: u64,
    id: u64,
) -> AppResult<Option<(NaiveDateTime, u64)>> {
    Ok(sqlx::query!(
        "SELECT created_at FROM listing WHERE id = ? AND seller_id = ?",
        id,
        seller_id
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.created_at, id)))
}
