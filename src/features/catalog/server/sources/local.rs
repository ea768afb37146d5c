//! Our own catalog (the `book` table's shared rows): asked first, and where external
//! answers are kept. Rows a seller typed (`typed_by`) are that seller's and not offered.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::{BookSource, SourceError};
use crate::features::catalog::types::{BookInfo, Isbn13};

pub struct LocalCatalog {
    pool: MySqlPool,
}

impl LocalCatalog {
    pub fn new(pool: MySqlPool) -> Self {
        Self { pool }
    }

    /// Stores a book found elsewhere; an ISBN already present is left as it is.
    pub async fn remember(&self, book: &BookInfo, now: DateTime<Utc>) -> Result<(), SourceError> {
        sqlx::query!(
            "INSERT INTO book (isbn13, title, author, publisher, published_on, cover_url, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON DUPLICATE KEY UPDATE id = id",
            book.isbn13,
            book.title.chars().take(255).collect::<String>(),
            book.author.chars().take(255).collect::<String>(),
            book.publisher.chars().take(120).collect::<String>(),
            book.published_on,
            book.cover_url.as_deref().filter(|u| u.len() <= 500),
            now.naive_utc(),
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl BookSource for LocalCatalog {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn by_isbn(&self, isbn: &Isbn13) -> Result<Option<BookInfo>, SourceError> {
        Ok(sqlx::query_as!(
            BookInfo,
            "SELECT isbn13, title, author, publisher, published_on, cover_url FROM book
             WHERE isbn13 = ? AND typed_by IS NULL",
            isbn.as_str()
        )
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn by_title(&self, query: &str, limit: u32) -> Result<Vec<BookInfo>, SourceError> {
        // Small table next to listings; the search issue brings a real index.
        let escaped = query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        Ok(sqlx::query_as!(
            BookInfo,
            "SELECT isbn13, title, author, publisher, published_on, cover_url FROM book
             WHERE title LIKE ? AND typed_by IS NULL ORDER BY title LIMIT ?",
            format!("%{escaped}%"),
            limit
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
