//! The search index: a listing's terms, written with the listing and kept in step with its price.

use crate::error::AppResult;
use crate::features::search::tokens::{document_terms, document_words};
use sqlx::{MySql, MySqlPool, QueryBuilder};

/// Bump when `tokens.rs` changes what a document is indexed by; start-up reindexes.
/// 2: bigrams across spaces, initial consonants, the word vocabulary.
pub const TERMS_VERSION: u8 = 2;

/// The terms of one listing's book.
pub fn listing_terms(title: &str, author: &str, publisher: &str) -> Vec<String> {
    of_book(document_terms, [title, author, publisher])
}

/// The whole words of one listing's book, for typo correction.
pub fn listing_words(title: &str, author: &str, publisher: &str) -> Vec<String> {
    of_book(document_words, [title, author, publisher])
}

/// What `of_text` gives for each of a book's texts, each once, in order.
fn of_book(of_text: fn(&str) -> Vec<String>, texts: [&str; 3]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in texts.into_iter().flat_map(of_text) {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Adds words to the vocabulary (those already there stay as they are). Outside a
/// listing's transaction: two new listings sharing a word must not wait on each other
/// for a hint, and a word missed here only costs a correction.
pub async fn add_words<'c>(
    conn: impl sqlx::MySqlExecutor<'c>,
    words: &[String],
) -> Result<(), sqlx::Error> {
    if words.is_empty() {
        return Ok(());
    }
    let mut insert =
        QueryBuilder::<MySql>::new("INSERT IGNORE INTO search_word (word, backwards) ");
    insert.push_values(words, |mut row, word| {
        row.push_bind(word)
            .push_bind(word.chars().rev().collect::<String>());
    });
    insert.build().execute(conn).await?;
    Ok(())
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
        let mut words = Vec::new();
        for r in &rows {
            let terms = listing_terms(&r.title, &r.author, &r.publisher);
            index_listing(&mut tx, r.id, i64::from(r.price), &terms).await?;
            words.extend(listing_words(&r.title, &r.author, &r.publisher));
        }
        tx.commit().await?;
        words.sort();
        words.dedup();
        add_words(pool, &words).await?;
        done += rows.len() as u64;
    }
}
