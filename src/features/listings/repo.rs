use chrono::NaiveDateTime;
use sqlx::MySqlPool;

use super::types::{Condition, ListingCard, ListingStatus};
use crate::error::{AppError, AppResult};

/// A listing card as selected from listing ⋈ book ⋈ member (shared by every feed).
pub struct CardRow {
    pub id: u64,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub price: u32,
    pub condition: String,
    pub status: String,
    pub delivery: String,
    pub meet_label: Option<String>,
    pub seller_nickname: String,
    pub created_at: NaiveDateTime,
}

impl TryFrom<CardRow> for ListingCard {
    type Error = AppError;
    fn try_from(r: CardRow) -> Result<Self, AppError> {
        let bad = |what: &str, value: &str| {
            tracing::error!(
                listing = r.id,
                what,
                value,
                "unexpected enum value in listing row"
            );
            AppError::Internal
        };
        Ok(ListingCard {
            id: r.id,
            condition: Condition::from_db(&r.condition)
                .ok_or_else(|| bad("condition", &r.condition))?,
            status: ListingStatus::from_db(&r.status).ok_or_else(|| bad("status", &r.status))?,
            parcel: r.delivery.split(',').any(|d| d == "parcel"),
            meet: r.delivery.split(',').any(|d| d == "meet"),
            title: r.title,
            author: r.author,
            publisher: r.publisher,
            price: i64::from(r.price),
            meet_label: r.meet_label,
            seller_nickname: r.seller_nickname,
            created_at: r.created_at.and_utc(),
        })
    }
}

/// Newest listings on sale; walks the (status, created_at, id) index from its end.
pub async fn newest_on_sale(pool: &MySqlPool, limit: u32) -> AppResult<Vec<ListingCard>> {
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, l.created_at
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.status = 'on_sale'
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}

/// Interim title/author/publisher/ISBN match for the header search box. The search
/// issue replaces this with a tokenised index; LIKE '%…%' is fine at demo scale only.
pub async fn simple_search(
    pool: &MySqlPool,
    query: &str,
    limit: u32,
) -> AppResult<Vec<ListingCard>> {
    let escaped = query
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let isbn: String = query.chars().filter(char::is_ascii_digit).collect();
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, l.created_at
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.status = 'on_sale'
           AND (b.title LIKE ? OR b.author LIKE ? OR b.publisher LIKE ? OR b.isbn13 = ?)
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT ?",
        pattern,
        pattern,
        pattern,
        isbn,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}
