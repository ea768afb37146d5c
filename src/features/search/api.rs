//! Search server functions. Public: anyone may search.

use leptos::prelude::*;

use super::types::{SearchPage, SearchParams};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use {
    super::server::repo, crate::features::listings::types::MAX_QUERY_CHARS, crate::server::request,
};

/// One page of listings on sale matching the query and filters, in the chosen order;
/// pass the previous page's `next` as `after` for the following page.
#[server(endpoint = "search/listings")]
pub async fn search(#[server(default)] params: SearchParams) -> Result<SearchPage, AppError> {
    if params.q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field(
            "q",
            format!("검색어는 {MAX_QUERY_CHARS}자까지 입력할 수 있습니다."),
        ));
    }
    if let (Some(min), Some(max)) = (params.min_price, params.max_price)
        && min > max
    {
        return Err(AppError::field(
            "price",
            "최저 가격이 최고 가격보다 높아요.",
        ));
    }
    if let (Some(from), Some(to)) = (params.year_from, params.year_to)
        && from > to
    {
        return Err(AppError::field("year", "시작 연도가 끝 연도보다 늦어요."));
    }
    let pool = &request::state()?.pool;
    crate::server::db::retry_read(|| repo::search(pool, &params)).await
}
