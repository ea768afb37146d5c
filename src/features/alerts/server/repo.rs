use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{MySql, MySqlPool, QueryBuilder, Transaction};

use crate::error::AppResult;
use crate::features::alerts::types::{Alert, AlertHit};
use crate::features::listings::server::repo::CardRow;
use crate::features::listings::types::ListingCard;
use crate::features::search::server::repo::CARD_COLUMNS;

/// Saves an alert (the same one again is the same alert); its id.
pub async fn save(
    pool: &MySqlPool,
    member_id: u64,
    isbn13: Option<&str>,
    query: Option<&str>,
    terms: &[String],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let match_key = match isbn13 {
        Some(isbn) => format!("isbn:{isbn}"),
        None => {
            let mut sorted = terms.to_vec();
            sorted.sort();
            format!("q:{}", sorted.join(" "))
        }
    };
    let mut tx = pool.begin().await?;
    // LAST_INSERT_ID(id) makes the duplicate case report the existing alert.
    let id = sqlx::query!(
        "INSERT INTO wanted (member_id, isbn13, query, match_key, term_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
        member_id,
        isbn13,
        query,
        match_key,
        terms.len() as u8,
        now.naive_utc()
    )
    .execute(&mut *tx)
    .await?
    .last_insert_id();
    for term in terms {
        sqlx::query!(
            "INSERT IGNORE INTO wanted_term (term, wanted_id) VALUES (?, ?)",
            term,
            id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn count(pool: &MySqlPool, member_id: u64) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar!("SELECT COUNT(*) FROM wanted WHERE member_id = ?", member_id)
            .fetch_one(pool)
            .await?,
    )
}

/// Deletes one of the member's alerts; false if it is not theirs (or gone).
pub async fn delete(pool: &MySqlPool, member_id: u64, id: u64) -> AppResult<bool> {
    Ok(sqlx::query!(
        "DELETE FROM wanted WHERE id = ? AND member_id = ?",
        id,
        member_id
    )
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

/// Stores a hit for every alert the new listing matches: its ISBN, or all the words of a
/// saved search among the listing's terms. Never for the seller's own alerts.
pub async fn record_hits(
    tx: &mut Transaction<'_, MySql>,
    listing_id: u64,
    seller_id: u64,
    isbn13: &str,
    terms: &[String],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut hits = sqlx::query!(
        "INSERT IGNORE INTO wanted_hit (wanted_id, listing_id, member_id, created_at)
         SELECT id, ?, member_id, ? FROM wanted WHERE isbn13 = ? AND member_id <> ?",
        listing_id,
        now.naive_utc(),
        isbn13,
        seller_id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if !terms.is_empty() {
        let mut sql = QueryBuilder::<MySql>::new(
            "INSERT IGNORE INTO wanted_hit (wanted_id, listing_id, member_id, created_at)
             SELECT w.id, ",
        );
        sql.push_bind(listing_id)
            .push(", w.member_id, ")
            .push_bind(now.naive_utc())
            .push(
                " FROM wanted_term wt JOIN wanted w ON w.id = wt.wanted_id
                  WHERE w.member_id <> ",
            )
            .push_bind(seller_id)
            .push(" AND wt.term IN (");
        let mut list = sql.separated(", ");
        for term in terms {
            list.push_bind(term.clone());
        }
        sql.push(") GROUP BY w.id, w.member_id, w.term_count HAVING COUNT(*) = w.term_count");
        hits += sql.build().execute(&mut **tx).await?.rows_affected();
    }
    Ok(hits)
}

pub async fn alerts(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<Alert>> {
    let rows = sqlx::query!(
        "SELECT w.id, w.isbn13, w.query, w.created_at,
                CAST((SELECT COUNT(*) FROM wanted_hit h WHERE h.wanted_id = w.id AND h.seen_at IS NULL)
                     AS UNSIGNED) AS `unseen!: u64`,
                (SELECT b.title FROM book b WHERE b.isbn13 = w.isbn13 AND b.typed_by IS NULL)
                    AS `title?: String`
         FROM wanted w WHERE w.member_id = ? ORDER BY w.created_at DESC, w.id DESC",
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Alert {
            id: r.id,
            label: match (&r.query, &r.isbn13, &r.title) {
                (Some(q), _, _) => q.clone(),
                (None, Some(isbn), Some(title)) => format!("{title} ({isbn})"),
                (None, Some(isbn), None) => format!("ISBN {isbn}"),
                (None, None, _) => String::new(),
            },
            isbn13: r.isbn13,
            query: r.query,
            created_at: r.created_at.and_utc(),
            unseen: r.unseen as u32,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    card: CardRow,
    wanted_id: u64,
    hit_at: NaiveDateTime,
    seen: bool,
}

/// The newest hits of the member's alerts (listings still on sale or reserved).
pub async fn hits(pool: &MySqlPool, member_id: u64, limit: u32) -> AppResult<Vec<(u64, AlertHit)>> {
    // Run-time checked: `query_as!` cannot fill a flattened `CardRow`; the card columns
    // are the search's, decoded by name.
    let sql = format!(
        "SELECT {CARD_COLUMNS}, h.wanted_id, h.created_at AS hit_at, (h.seen_at IS NOT NULL) AS seen
         FROM wanted_hit h
         JOIN listing l ON l.id = h.listing_id
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE h.member_id = ? AND l.status IN ('on_sale', 'reserved')
         ORDER BY h.created_at DESC, h.listing_id DESC LIMIT ?"
    );
    let rows: Vec<HitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(member_id)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.wanted_id,
                AlertHit {
                    alert_id: r.wanted_id,
                    alert_label: String::new(),
                    seen: r.seen,
                    matched_at: r.hit_at.and_utc(),
                    card: ListingCard::try_from(r.card)?,
                },
            ))
        })
        .collect()
}

pub async fn mark_seen(pool: &MySqlPool, member_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE wanted_hit SET seen_at = ? WHERE member_id = ? AND seen_at IS NULL",
        now.naive_utc(),
        member_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn unseen(pool: &MySqlPool, member_id: u64) -> AppResult<u32> {
    Ok(sqlx::query_scalar!(
        "SELECT COUNT(*) FROM wanted_hit WHERE member_id = ? AND seen_at IS NULL",
        member_id
    )
    .fetch_one(pool)
    .await? as u32)
}
