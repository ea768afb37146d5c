//! The search index and the search query.
//!
//! Queries here are built with `QueryBuilder` rather than `query!`: the number of terms
//! and which filters apply vary per request. Every value is bound, never formatted in.

use sqlx::{MySql, MySqlPool, QueryBuilder};

use super::tokens::{document_terms, query_terms};
use super::types::{Cursor, MAX_QUERY_TERMS, PAGE_SIZE, SearchPage, SearchParams, Sort};
use crate::error::AppResult;
use crate::features::catalog::types::Isbn13;
use crate::features::listings::repo::CardRow;
use crate::features::listings::types::ListingCard;

/// Bump when `tokens.rs` changes what a document is indexed by; start-up reindexes.
pub const TERMS_VERSION: u8 = 1;
/// A driving term is chosen by counting at most this many of its rows.
const RARITY_PROBE: i64 = 20_000;

/// The terms of one listing's book.
pub fn listing_terms(title: &str, author: &str, publisher: &str) -> Vec<String> {
    let mut terms = document_terms(title);
    for t in document_terms(author)
        .into_iter()
        .chain(document_terms(publisher))
    {
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    terms
}

/// Adds one listing to both posting lists, in the caller's transaction.
pub async fn index_listing(
    tx: &mut sqlx::Transaction<'_, MySql>,
    listing_id: u64,
    price: i64,
    terms: &[String],
) -> Result<(), sqlx::Error> {
    if !terms.is_empty() {
        let mut insert =
            QueryBuilder::<MySql>::new("INSERT IGNORE INTO listing_term (term, listing_id) ");
        insert.push_values(terms, |mut row, term| {
            row.push_bind(term).push_bind(listing_id);
        });
        insert.build().execute(&mut **tx).await?;
        let mut insert = QueryBuilder::<MySql>::new(
            "INSERT IGNORE INTO listing_term_price (term, price, listing_id) ",
        );
        insert.push_values(terms, |mut row, term| {
            row.push_bind(term).push_bind(price).push_bind(listing_id);
        });
        insert.build().execute(&mut **tx).await?;
    }
    sqlx::query!(
        "UPDATE listing SET terms_version = ? WHERE id = ?",
        TERMS_VERSION,
        listing_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a listing's price postings after its price changed (same transaction).
pub async fn reprice(
    tx: &mut sqlx::Transaction<'_, MySql>,
    listing_id: u64,
    old_price: i64,
    new_price: i64,
) -> Result<(), sqlx::Error> {
    if old_price == new_price {
        return Ok(());
    }
    let book = sqlx::query!(
        "SELECT b.title, b.author, b.publisher FROM listing l JOIN book b ON b.id = l.book_id
         WHERE l.id = ?",
        listing_id
    )
    .fetch_one(&mut **tx)
    .await?;
    for term in listing_terms(&book.title, &book.author, &book.publisher) {
        sqlx::query!(
            "UPDATE listing_term_price SET price = ? WHERE term = ? AND price = ? AND listing_id = ?",
            new_price,
            term,
            old_price,
            listing_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Indexes every listing an older tokenizer (or none) indexed, 500 at a time.
pub async fn index_pending(pool: &MySqlPool) -> AppResult<u64> {
    let mut done = 0u64;
    loop {
        let rows = sqlx::query!(
            "SELECT l.id, l.price, b.title, b.author, b.publisher
             FROM listing l JOIN book b ON b.id = l.book_id
             WHERE l.terms_version < ?
             ORDER BY l.terms_version, l.id
             LIMIT 500",
            TERMS_VERSION
        )
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let mut tx = pool.begin().await?;
        for r in &rows {
            let terms = listing_terms(&r.title, &r.author, &r.publisher);
            index_listing(&mut tx, r.id, i64::from(r.price), &terms).await?;
        }
        tx.commit().await?;
        done += rows.len() as u64;
    }
}

const CARD_COLUMNS: &str = "l.id, b.title, b.author, b.publisher, l.price,
    CAST(l.`condition` AS CHAR) AS `condition`, CAST(l.status AS CHAR) AS status,
    CAST(l.delivery AS CHAR) AS delivery, l.meet_label,
    m.nickname AS seller_nickname, l.created_at, l.cover_photo";

/// The ids of a category and everything under it (its path is a prefix of theirs).
async fn subtree(pool: &MySqlPool, category: u32) -> AppResult<Vec<u32>> {
    let Some(path) = sqlx::query_scalar!("SELECT path FROM category WHERE id = ?", category)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_scalar!(
        "SELECT id FROM category WHERE path LIKE CONCAT(?, '%')",
        path
    )
    .fetch_all(pool)
    .await?)
}

/// Postings per term a suggestion looks at (newest first), so it stays cheap for
/// common terms.
const SUGGEST_SCAN: u32 = 2_000;

/// The book that shares most of the query's terms, if it shares at least half of them
/// (and two): "자바스트립트" suggests "자바스크립트 완벽 가이드", "채식주으자" 채식주의자.
/// One wrong syllable breaks two bigrams, so a stricter bar misses short words.
async fn suggest(pool: &MySqlPool, terms: &[String]) -> AppResult<Option<String>> {
    if terms.len() < 2 {
        return Ok(None);
    }
    let needed = terms.len().div_ceil(2).max(2) as i64;
    let mut sql = QueryBuilder::<MySql>::new("SELECT hits.listing_id, COUNT(*) AS shared FROM (");
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("(SELECT listing_id FROM listing_term WHERE term = ")
            .push_bind(term.clone())
            .push(" ORDER BY listing_id DESC LIMIT ")
            .push_bind(SUGGEST_SCAN)
            .push(")");
    }
    sql.push(
        ") hits JOIN listing l ON l.id = hits.listing_id AND l.status = 'on_sale'
         GROUP BY hits.listing_id HAVING shared >= ",
    )
    .push_bind(needed)
    .push(" ORDER BY shared DESC, hits.listing_id DESC LIMIT 1");
    let best: Option<(u64, i64)> = sql.build_query_as().fetch_optional(pool).await?;
    let Some((listing, _)) = best else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar!(
        "SELECT b.title FROM listing l JOIN book b ON b.id = l.book_id WHERE l.id = ?",
        listing
    )
    .fetch_optional(pool)
    .await?)
}

/// Orders terms rarest first by counting a bounded number of index rows each.
async fn rarest_first(pool: &MySqlPool, terms: Vec<String>) -> AppResult<Vec<String>> {
    let mut counted = Vec::with_capacity(terms.len());
    for term in terms {
        let n = sqlx::query_scalar!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM listing_term WHERE term = ? LIMIT ?) probe",
            term,
            RARITY_PROBE
        )
        .fetch_one(pool)
        .await?;
        counted.push((n, term));
    }
    counted.sort();
    Ok(counted.into_iter().map(|(_, t)| t).collect())
}

pub async fn search(pool: &MySqlPool, p: &SearchParams) -> AppResult<SearchPage> {
    let isbn = Isbn13::parse(&p.q).ok();
    let mut terms = if isbn.is_some() {
        Vec::new()
    } else {
        query_terms(&p.q)
    };
    terms.truncate(MAX_QUERY_TERMS);
    if !p.q.trim().is_empty() && isbn.is_none() && terms.is_empty() {
        return Ok(SearchPage::default());
    }
    let terms = rarest_first(pool, terms).await?;
    let categories = match p.category {
        Some(c) => {
            let ids = subtree(pool, c).await?;
            if ids.is_empty() {
                return Ok(SearchPage::default());
            }
            Some(ids)
        }
        None => None,
    };

    // The driving rows: the rarest term's postings in the order asked for (by id for
    // newest, by price for the price sorts), so a page comes off an index range and the
    // scan stops at PAGE_SIZE + 1 matches; or the listing table when there are no words.
    let by_price = p.sort != Sort::Newest;
    let (id_col, price_col) = match (terms.is_empty(), by_price) {
        (true, _) => ("l.id", "l.price"),
        (false, false) => ("t0.listing_id", "l.price"),
        (false, true) => ("t0.listing_id", "t0.price"),
    };
    let mut sql = QueryBuilder::<MySql>::new("SELECT STRAIGHT_JOIN ");
    sql.push(CARD_COLUMNS);
    if let Some(first) = terms.first() {
        sql.push(if by_price {
            " FROM listing_term_price t0"
        } else {
            " FROM listing_term t0"
        });
        sql.push(" JOIN listing l ON l.id = t0.listing_id");
        sql.push(" JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id");
        sql.push(" WHERE t0.term = ").push_bind(first.clone());
        for term in &terms[1..] {
            sql.push(" AND EXISTS (SELECT 1 FROM listing_term tk WHERE tk.term = ")
                .push_bind(term.clone())
                .push(" AND tk.listing_id = t0.listing_id)");
        }
    } else {
        sql.push(
            " FROM listing l JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id",
        );
        sql.push(" WHERE TRUE");
    }
    if let Some(isbn) = &isbn {
        sql.push(" AND l.book_id = (SELECT id FROM book WHERE isbn13 = ")
            .push_bind(isbn.as_str().to_owned())
            .push(")");
    }
    sql.push(" AND l.status = 'on_sale'");
    if let Some(ids) = &categories {
        sql.push(" AND l.category_id IN (");
        let mut list = sql.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        sql.push(")");
    }
    if let Some(min) = p.min_price {
        sql.push(format!(" AND {price_col} >= ")).push_bind(min);
    }
    if let Some(max) = p.max_price {
        sql.push(format!(" AND {price_col} <= ")).push_bind(max);
    }
    if let Some(from) = p
        .year_from
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1))
    {
        sql.push(" AND b.published_on >= ").push_bind(from);
    }
    if let Some(to) = p
        .year_to
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31))
    {
        sql.push(" AND b.published_on <= ").push_bind(to);
    }
    if let Some(c) = p.condition {
        sql.push(" AND l.`condition` = ").push_bind(c.as_db());
    }
    if p.parcel {
        sql.push(" AND FIND_IN_SET('parcel', l.delivery)");
    }
    if p.meet {
        sql.push(" AND FIND_IN_SET('meet', l.delivery)");
    }
    // Keyset conditions as expanded ORs (MariaDB scans on row-tuple comparisons).
    match (p.sort, p.after) {
        (Sort::Newest, Some(c)) => {
            sql.push(format!(" AND {id_col} < ")).push_bind(c.id);
        }
        (Sort::PriceAsc | Sort::PriceDesc, Some(c)) => {
            let cmp = if p.sort == Sort::PriceAsc { ">" } else { "<" };
            sql.push(format!(" AND ({price_col} {cmp} "))
                .push_bind(c.price)
                .push(format!(" OR ({price_col} = "))
                .push_bind(c.price)
                .push(format!(" AND {id_col} {cmp} "))
                .push_bind(c.id)
                .push("))");
        }
        (_, None) => {}
    }
    // Newest is id order: ids are handed out in creation order.
    sql.push(match p.sort {
        Sort::Newest => format!(" ORDER BY {id_col} DESC"),
        Sort::PriceAsc => format!(" ORDER BY {price_col} ASC, {id_col} ASC"),
        Sort::PriceDesc => format!(" ORDER BY {price_col} DESC, {id_col} DESC"),
    });
    sql.push(" LIMIT ").push_bind(PAGE_SIZE + 1);

    let rows: Vec<CardRow> = sql.build_query_as().fetch_all(pool).await?;
    let more = rows.len() > PAGE_SIZE as usize;
    let items: Vec<ListingCard> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(ListingCard::try_from)
        .collect::<Result<_, _>>()?;
    let next = more
        .then(|| {
            items.last().map(|l| Cursor {
                id: l.id,
                price: l.price,
            })
        })
        .flatten();
    // Only for words that found nothing on their own: with filters, the filters did it.
    let unfiltered = *p
        == SearchParams {
            q: p.q.clone(),
            sort: p.sort,
            ..Default::default()
        };
    let suggestion = if items.is_empty() && unfiltered {
        suggest(pool, &terms).await?
    } else {
        None
    };
    Ok(SearchPage {
        items,
        next,
        suggestion,
    })
}
