//! Reviews and the trust score behind the bread grade: written in the transaction of the
//! change that causes them, so a member's row lock orders concurrent updates.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::MySqlPool;

use crate::error::AppResult;
use crate::features::orders::types::TradeRole;
use crate::features::reviews::types::{ReviewView, trust_score};
use crate::server::db::{Tx, naive};

/// Recomputes a member's trust score from its stored inputs (same transaction as the
/// change of those inputs, so the row lock orders concurrent updates).
pub async fn refresh_trust(tx: &mut Tx<'_>, member_id: u64) -> AppResult<()> {
    let m = sqlx::query!(
        "SELECT review_count, review_star_sum, completed_trades FROM member WHERE id = ?",
        member_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let score = trust_score(m.review_count, m.review_star_sum, m.completed_trades);
    sqlx::query!(
        "UPDATE member SET trust_score = ? WHERE id = ?",
        score,
        member_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Both sides of a finished trade get a completed trade on their record.
pub async fn count_trade(tx: &mut Tx<'_>, buyer_id: u64, seller_id: u64) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member SET completed_trades = completed_trades + 1 WHERE id IN (?, ?)",
        buyer_id,
        seller_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_trust(tx, buyer_id).await?;
    refresh_trust(tx, seller_id).await
}

// ---- reviews ----

/// One side's review of a finished trade.
pub struct NewReview<'a> {
    pub order_id: u64,
    pub reviewer_id: u64,
    pub reviewee_id: u64,
    /// The reviewer's side of the trade.
    pub role: TradeRole,
    pub stars: u8,
    pub body: &'a str,
    /// Hidden until then, unless the other side writes first (`reveal_if_both`).
    pub visible_at: DateTime<Utc>,
}

/// Whether `reviewer` already left exactly this review of the order: a repeat of the
/// same submission (a double tap, or a retry after a lost COMMIT), not a second review.
pub async fn same_review(tx: &mut Tx<'_>, review: &NewReview<'_>) -> AppResult<bool> {
    let found = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM review
          WHERE order_id = ? AND reviewer_id = ? AND stars = ? AND body = ?",
        review.order_id,
        review.reviewer_id,
        review.stars,
        review.body
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(found > 0)
}

/// Stores a review; false if this reviewer already reviewed this order.
pub async fn insert_review(
    tx: &mut Tx<'_>,
    review: &NewReview<'_>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let NewReview {
        order_id,
        reviewer_id,
        reviewee_id,
        role,
        stars,
        body,
        visible_at,
    } = *review;
    let role = match role {
        TradeRole::Buyer => "buyer",
        TradeRole::Seller => "seller",
    };
    let r = sqlx::query!(
        "INSERT INTO review (order_id, reviewer_id, reviewee_id, reviewer_role, stars, body,
                             created_at, visible_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        order_id,
        reviewer_id,
        reviewee_id,
        role,
        stars,
        body,
        naive(now),
        naive(visible_at)
    )
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Once both sides have written, both reviews show at once.
pub async fn reveal_if_both(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    let written = sqlx::query_scalar!("SELECT COUNT(*) FROM review WHERE order_id = ?", order_id)
        .fetch_one(&mut **tx)
        .await?;
    if written == 2 {
        sqlx::query!(
            "UPDATE review SET visible_at = LEAST(visible_at, ?) WHERE order_id = ?",
            naive(now),
            order_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds a visible review to its reviewee's score, exactly once.
pub async fn count_review(tx: &mut Tx<'_>, review_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    let marked = sqlx::query!(
        "UPDATE review SET counted = TRUE WHERE id = ? AND counted = FALSE AND visible_at <= ?",
        review_id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !marked {
        return Ok(());
    }
    let r = sqlx::query!(
        "SELECT reviewee_id, stars FROM review WHERE id = ?",
        review_id
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE member SET review_count = review_count + 1, review_star_sum = review_star_sum + ?
         WHERE id = ?",
        r.stars,
        r.reviewee_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_trust(tx, r.reviewee_id).await
}

pub async fn order_review_ids(tx: &mut Tx<'_>, order_id: u64) -> AppResult<Vec<u64>> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM review WHERE order_id = ?", order_id)
            .fetch_all(&mut **tx)
            .await?,
    )
}

pub struct ReviewRow {
    pub reviewer_id: u64,
    pub stars: u8,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub visible_at: NaiveDateTime,
    pub reviewer_nickname: String,
}

impl ReviewRow {
    pub fn view(&self) -> ReviewView {
        ReviewView {
            stars: self.stars,
            body: self.body.clone(),
            reviewer_nickname: self.reviewer_nickname.clone(),
            created_at: self.created_at.and_utc(),
        }
    }
}

pub async fn order_reviews(pool: &MySqlPool, order_id: u64) -> AppResult<Vec<ReviewRow>> {
    Ok(sqlx::query_as!(
        ReviewRow,
        "SELECT r.reviewer_id, r.stars, r.body, r.created_at, r.visible_at,
                m.nickname AS reviewer_nickname
         FROM review r JOIN member m ON m.id = r.reviewer_id WHERE r.order_id = ?",
        order_id
    )
    .fetch_all(pool)
    .await?)
}

/// Visible reviews of a member, newest first.
pub async fn reviews_of(
    pool: &MySqlPool,
    member_id: u64,
    now: DateTime<Utc>,
    limit: u32,
) -> AppResult<Vec<ReviewView>> {
    Ok(sqlx::query!(
        "SELECT r.stars, r.body, r.created_at, m.nickname AS reviewer_nickname
         FROM review r JOIN member m ON m.id = r.reviewer_id
         WHERE r.reviewee_id = ? AND r.visible_at <= ?
         ORDER BY r.visible_at DESC, r.id DESC LIMIT ?",
        member_id,
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| ReviewView {
        stars: r.stars,
        body: r.body,
        reviewer_nickname: r.reviewer_nickname,
        created_at: r.created_at.and_utc(),
    })
    .collect())
}
