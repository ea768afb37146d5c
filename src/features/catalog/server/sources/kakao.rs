//! Kakao (Daum) book search: GET /v3/search/book, `Authorization: KakaoAK {key}`.

use serde::Deserialize;

use super::{BookSource, SourceError, date_prefix, non_empty, pick_isbn13, plain_text};
use crate::features::catalog::types::{BookInfo, Isbn13};

pub const DEFAULT_BASE: &str = "https://dapi.kakao.com";

pub struct Kakao {
    http: reqwest::Client,
    base: String,
    key: String,
}

#[derive(Deserialize)]
struct Response {
    documents: Vec<Document>,
}

#[derive(Deserialize)]
struct Document {
    title: String,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    isbn: String,
    /// ISO 8601 with the Korean offset, e.g. "2014-11-17T00:00:00.000+09:00".
    #[serde(default)]
    datetime: String,
    #[serde(default)]
    thumbnail: String,
}

impl Kakao {
    pub fn new(http: reqwest::Client, base: String, key: String) -> Self {
        Self { http, base, key }
    }

    async fn search(
        &self,
        query: &str,
        target: &str,
        size: u32,
    ) -> Result<Vec<BookInfo>, SourceError> {
        let res = self
            .http
            .get(format!(
                "{}/v3/search/book",
                self.base.trim_end_matches('/')
            ))
            .header("Authorization", format!("KakaoAK {}", self.key))
            .query(&[
                ("query", query),
                ("target", target),
                ("size", &size.clamp(1, 50).to_string()),
            ])
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(SourceError::Unexpected(format!(
                "kakao status {}",
                res.status()
            )));
        }
        let body: Response = res.json().await?;
        Ok(body.documents.into_iter().filter_map(to_info).collect())
    }
}

fn to_info(d: Document) -> Option<BookInfo> {
    Some(BookInfo {
        isbn13: pick_isbn13(&d.isbn)?.as_str().to_owned(),
        title: plain_text(&d.title),
        author: d.authors.join(", "),
        publisher: d.publisher,
        published_on: date_prefix(&d.datetime, "%Y-%m-%d", 10),
        cover_url: non_empty(d.thumbnail),
    })
}

#[async_trait::async_trait]
impl BookSource for Kakao {
    fn name(&self) -> &'static str {
        "kakao"
    }

    async fn by_isbn(&self, isbn: &Isbn13) -> Result<Option<BookInfo>, SourceError> {
        let found = self.search(isbn.as_str(), "isbn", 1).await?;
        Ok(found.into_iter().find(|b| b.isbn13 == isbn.as_str()))
    }

    async fn by_title(&self, query: &str, limit: u32) -> Result<Vec<BookInfo>, SourceError> {
        self.search(query, "title", limit).await
    }
}
