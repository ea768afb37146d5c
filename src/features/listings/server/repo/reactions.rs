//! What members do with others' listings: wishes (and what else their wishers wished) and reports.

use super::CardRow;
use crate::error::AppResult;
use crate::features::listings::types::{ListingCard, ReportReason, WishState};
use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

/// Adds or removes a wish; the count on the listing changes only when a row did, in the
/// same transaction, so repeats and races never drift it.
pub async fn set_wish(
    pool: &MySqlPool,
    member_id: u64,
    listing_id: u64,
    wished: bool,
    now: DateTime<Utc>,
) -> AppResult<WishState> {
    let mut tx = pool.begin().await?;
    let changed = if wished {
        sqlx::query!(
            "INSERT IGNORE INTO wish (member_id, listing_id, created_at) VALUES (?, ?, ?)",
            member_id,
            listing_id,
            now.naive_utc()
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query!(
            "DELETE FROM wish WHERE member_id = ? AND listing_id = ?",
            member_id,
            listing_id
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    if changed == 1 {
        if wished {
            sqlx::query!(
                "UPDATE listing SET wish_count = wish_count + 1 WHERE id = ?",
                listing_id
            )
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query!(
                "UPDATE listing SET wish_count = wish_count - 1 WHERE id = ? AND wish_count > 0",
                listing_id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let count = sqlx::query_scalar!("SELECT wish_count FROM listing WHERE id = ?", listing_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(WishState { wished, count })
}

pub async fn is_wished(pool: &MySqlPool, member_id: u64, listing_id: u64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "SELECT 1 AS `x: i32` FROM wish WHERE member_id = ? AND listing_id = ?",
        member_id,
        listing_id
    )
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// The member's wishes, most recently wished first (deleted listings drop out).
pub async fn wished_by(
    pool: &MySqlPool,
    member_id: u64,
    limit: u32,
) -> AppResult<Vec<ListingCard>> {
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM wish w
         JOIN listing l ON l.id = w.listing_id AND l.status <> 'deleted'
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE w.member_id = ?
         ORDER BY w.created_at DESC, w.listing_id DESC
         LIMIT ?",
        member_id,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}

/// Records a report; false when this member had already reported the listing.
pub async fn report(
    pool: &MySqlPool,
    listing_id: u64,
    reporter_id: u64,
    reason: ReportReason,
    detail: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let inserted = sqlx::query!(
        "INSERT IGNORE INTO listing_report (listing_id, reporter_id, reason, detail, created_at)
         VALUES (?, ?, ?, ?, ?)",
        listing_id,
        reporter_id,
        reason.as_db(),
        detail,
        now.naive_utc()
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Other copies of the same book on sale (cheapest first), then the newest of its
/// category; each part walks its own index ((book_id, status, price) and
/// (category_id, status, created_at)).
/// "People who wished this also wished": other listings on sale that this listing's
/// most recent 200 wishers also wished, most shared first.
pub async fn also_wished(pool: &MySqlPool, id: u64, limit: u32) -> AppResult<Vec<ListingCard>> {
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM (SELECT w2.listing_id, COUNT(*) AS shared
               FROM (SELECT member_id FROM wish WHERE listing_id = ?
                     ORDER BY created_at DESC LIMIT 200) AS fans
               JOIN wish w2 ON w2.member_id = fans.member_id AND w2.listing_id <> ?
               GROUP BY w2.listing_id) AS t
         JOIN listing l ON l.id = t.listing_id
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.status = 'on_sale'
         ORDER BY t.shared DESC, l.id DESC
         LIMIT ?",
        id,
        id,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}
