//! Naver book search: GET /v1/search/book.json with X-Naver-Client-Id / -Secret.
//! An ISBN is searched as the query and the exact match kept.

use serde::Deserialize;

use super::{BookSource, SourceError, date_prefix, non_empty, pick_isbn13, plain_text};
use crate::features::catalog::types::{BookInfo, Isbn13};

pub const DEFAULT_BASE: &str = "https://openapi.naver.com";

pub struct Naver {
    http: reqwest::Client,
    base: String,
    client_id: String,
    client_secret: String,
}

#[derive(Deserialize)]
struct Response {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    title: String,
    /// Several authors are joined with '^'.
    #[serde(default)]
    author: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    isbn: String,
    /// "20141117".
    #[serde(default)]
    pubdate: String,
    #[serde(default)]
    image: String,
}

impl Naver {
    pub fn new(
        http: reqwest::Client,
        base: String,
        client_id: String,
        client_secret: String,
    ) -> Self {
        Self {
            http,
            base,
            client_id,
            client_secret,
        }
    }

    async fn search(&self, query: &str, display: u32) -> Result<Vec<BookInfo>, SourceError> {
        let res = self
            .http
            .get(format!(
                "{}/v1/search/book.json",
                self.base.trim_end_matches('/')
            ))
            .header("X-Naver-Client-Id", &self.client_id)
            .header("X-Naver-Client-Secret", &self.client_secret)
            .query(&[
                ("query", query),
                ("display", &display.clamp(1, 100).to_string()),
            ])
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(SourceError::Unexpected(format!(
                "naver status {}",
                res.status()
            )));
        }
        let body: Response = res.json().await?;
        Ok(body.items.into_iter().filter_map(to_info).collect())
    }
}

fn to_info(i: Item) -> Option<BookInfo> {
    Some(BookInfo {
        isbn13: pick_isbn13(&i.isbn)?.as_str().to_owned(),
        title: plain_text(&i.title),
        author: plain_text(&i.author)
            .split('^')
            .collect::<Vec<_>>()
            .join(", "),
        publisher: plain_text(&i.publisher),
        published_on: date_prefix(&i.pubdate, "%Y%m%d", 8),
        cover_url: non_empty(i.image),
    })
}

#[async_trait::async_trait]
impl BookSource for Naver {
    fn name(&self) -> &'static str {
        "naver"
    }

    async fn by_isbn(&self, isbn: &Isbn13) -> Result<Option<BookInfo>, SourceError> {
        let found = self.search(isbn.as_str(), 10).await?;
        Ok(found.into_iter().find(|b| b.isbn13 == isbn.as_str()))
    }

    async fn by_title(&self, query: &str, limit: u32) -> Result<Vec<BookInfo>, SourceError> {
        self.search(query, limit).await
    }
}
