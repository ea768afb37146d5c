use leptos::prelude::*;

use super::types::ListingCard;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::repo,
    super::types::{HOME_FEED_SIZE, MAX_QUERY_CHARS},
    crate::server::request,
};

/// The home feed: newest listings on sale. Public.
#[server(endpoint = "listings/newest")]
pub async fn newest_listings() -> Result<Vec<ListingCard>, AppError> {
    repo::newest_on_sale(&request::state().pool, HOME_FEED_SIZE).await
}

/// Header search box. Public.
#[server(endpoint = "listings/search")]
pub async fn search_listings(query: String) -> Result<Vec<ListingCard>, AppError> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field(
            "q",
            format!("검색어는 {MAX_QUERY_CHARS}자까지 입력할 수 있습니다."),
        ));
    }
    repo::simple_search(&request::state().pool, query, 60).await
}
