//! Where book facts come from: our own catalog first, then external book-search APIs
//! (Kakao, Naver), whose answers are cached into the catalog.

pub mod kakao;
pub mod local;
pub mod naver;
mod settings;

pub use settings::SourceSettings;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use crate::features::catalog::types::{BookInfo, Isbn13};

/// A failure of an external source. Logged, never shown: the next source is tried.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

#[async_trait::async_trait]
pub trait BookSource: Send + Sync {
    fn name(&self) -> &'static str;
    async fn by_isbn(&self, isbn: &Isbn13) -> Result<Option<BookInfo>, SourceError>;
    async fn by_title(&self, query: &str, limit: u32) -> Result<Vec<BookInfo>, SourceError>;
}

/// The external sources that have keys configured, in the order they are asked.
pub fn external_sources(config: &crate::server::config::Config) -> Vec<Arc<dyn BookSource>> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .expect("reqwest client with rustls");
    let mut sources: Vec<Arc<dyn BookSource>> = Vec::new();
    if let Some(key) = &config.book_sources.kakao_rest_api_key {
        sources.push(Arc::new(kakao::Kakao::new(
            http.clone(),
            config.book_sources.kakao_api_base.clone(),
            key.clone(),
        )));
    }
    if let Some((id, secret)) = &config.book_sources.naver_client {
        sources.push(Arc::new(naver::Naver::new(
            http,
            config.book_sources.naver_api_base.clone(),
            id.clone(),
            secret.clone(),
        )));
    }
    sources
}

/// "8996991341 9788996991342" (either part may be missing) → the ISBN-13.
pub(crate) fn pick_isbn13(field: &str) -> Option<Isbn13> {
    let parts: Vec<&str> = field.split_whitespace().collect();
    parts
        .iter()
        .find(|p| p.len() == 13)
        .or_else(|| parts.first())
        .and_then(|p| Isbn13::parse(p).ok())
}

/// Search APIs wrap matches in <b>…</b> and escape entities; keep plain text.
pub(crate) fn plain_text(s: &str) -> String {
    s.replace("<b>", "")
        .replace("</b>", "")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .trim()
        .to_owned()
}

pub(crate) fn date_prefix(s: &str, format: &str, len: usize) -> Option<NaiveDate> {
    s.get(..len)
        .and_then(|d| NaiveDate::parse_from_str(d, format).ok())
}

pub(crate) fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Local catalog first, then each configured external source; what they find is kept.
pub struct Catalog {
    local: local::LocalCatalog,
    external: Vec<Arc<dyn BookSource>>,
}

impl Catalog {
    pub fn new(pool: sqlx::MySqlPool, external: Vec<Arc<dyn BookSource>>) -> Self {
        Self {
            local: local::LocalCatalog::new(pool),
            external,
        }
    }

    pub async fn by_isbn(
        &self,
        isbn: &Isbn13,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<BookInfo>, sqlx::Error> {
        match self.local.by_isbn(isbn).await {
            Ok(Some(book)) => return Ok(Some(book)),
            Ok(None) => {}
            Err(SourceError::Db(e)) => return Err(e),
            Err(e) => tracing::warn!(error = %e, "local catalog"),
        }
        for source in &self.external {
            match source.by_isbn(isbn).await {
                Ok(Some(book)) => {
                    self.keep(&book, now).await;
                    return Ok(Some(book));
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(source = source.name(), error = %e, "book source failed; trying the next")
                }
            }
        }
        Ok(None)
    }

    /// Local matches first; when they are fewer than `limit`, the first external source
    /// that answers fills up the list (no duplicate ISBNs).
    pub async fn by_title(
        &self,
        query: &str,
        limit: u32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<BookInfo>, sqlx::Error> {
        let mut books = match self.local.by_title(query, limit).await {
            Ok(b) => b,
            Err(SourceError::Db(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "local catalog");
                Vec::new()
            }
        };
        if books.len() >= limit as usize {
            return Ok(books);
        }
        for source in &self.external {
            match source.by_title(query, limit).await {
                Ok(found) => {
                    for book in found {
                        if books.len() >= limit as usize {
                            break;
                        }
                        if books.iter().all(|b| b.isbn13 != book.isbn13) {
                            self.keep(&book, now).await;
                            books.push(book);
                        }
                    }
                    break;
                }
                Err(e) => {
                    tracing::warn!(source = source.name(), error = %e, "book source failed; trying the next")
                }
            }
        }
        Ok(books)
    }

    async fn keep(&self, book: &BookInfo, now: chrono::DateTime<chrono::Utc>) {
        if let Err(e) = self.local.remember(book, now).await {
            tracing::warn!(isbn = %book.isbn13, error = %e, "could not cache a book");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_13_digit_isbn() {
        assert_eq!(
            pick_isbn13("8996991341 9788996991342").unwrap().as_str(),
            "9788996991342"
        );
        assert_eq!(
            pick_isbn13(" 9788996991342").unwrap().as_str(),
            "9788996991342"
        );
        assert_eq!(pick_isbn13("8996991341").unwrap().as_str(), "9788996991342");
        assert_eq!(pick_isbn13(""), None);
        assert_eq!(pick_isbn13("garbage"), None);
    }

    #[test]
    fn strips_highlighting_and_entities() {
        assert_eq!(
            plain_text(" <b>자바</b>의 정석 &amp; 연습 "),
            "자바의 정석 & 연습"
        );
    }
}
