//! Book look-ups for sellers filling in a listing. Members only: every miss may call a
//! paid, rate-limited external API.

use leptos::prelude::*;

use super::types::{BookInfo, Category, CategoryNode};
use crate::error::AppError;
use crate::features::listings::types::ListingCard;

#[cfg(feature = "ssr")]
use {
    super::server::repo,
    super::types::{Isbn13, MAX_TITLE_QUERY_CHARS},
    crate::server::request,
};

/// The book with this ISBN (10 or 13 digits, hyphens allowed), or None if no source
/// knows it (the seller then types the facts in).
#[server(endpoint = "catalog/isbn")]
pub async fn lookup_isbn(isbn: String) -> Result<Option<BookInfo>, AppError> {
    request::require_member_id().await?;
    let isbn = Isbn13::parse(&isbn).map_err(|m| AppError::field("isbn", m))?;
    let state = request::state()?;
    Ok(state.catalog.by_isbn(&isbn, state.clock.now()).await?)
}

/// Books whose title matches, for picking the right edition.
#[server(endpoint = "catalog/title")]
pub async fn search_titles(query: String) -> Result<Vec<BookInfo>, AppError> {
    request::require_member_id().await?;
    let query = query.trim();
    if query.is_empty() {
        return Err(AppError::field("title", "책 제목을 입력해 주세요."));
    }
    if query.chars().count() > MAX_TITLE_QUERY_CHARS {
        return Err(AppError::field(
            "title",
            format!("책 제목은 {MAX_TITLE_QUERY_CHARS}자까지 검색할 수 있습니다."),
        ));
    }
    let state = request::state()?;
    Ok(state.catalog.by_title(query, 10, state.clock.now()).await?)
}

/// One level of the category tree (the roots when `parent` is None). Public.
#[server(endpoint = "catalog/categories")]
pub async fn category_children(parent: Option<u32>) -> Result<Vec<Category>, AppError> {
    repo::children(&request::state()?.pool, parent).await
}

/// A category with its ancestors, root first. Public.
#[server(endpoint = "catalog/category-trail")]
pub async fn category_trail(id: u32) -> Result<Vec<Category>, AppError> {
    let trail = repo::trail(&request::state()?.pool, id).await?;
    if trail.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(trail)
}

/// Newest listings on sale anywhere under a category (its whole subtree). Public.
#[server(endpoint = "catalog/category-listings")]
pub async fn category_listings(id: u32) -> Result<Vec<ListingCard>, AppError> {
    let pool = &request::state()?.pool;
    let path = repo::path_of(pool, id).await?.ok_or(AppError::NotFound)?;
    repo::newest_under(pool, &path, 60).await
}

/// The search filter's category choices (`types::filter_options`). Public.
#[server(endpoint = "catalog/filter-categories")]
pub async fn filter_categories() -> Result<Vec<(u32, String)>, AppError> {
    Ok(super::types::filter_options(
        &repo::all(&request::state()?.pool).await?,
    ))
}

/// The whole category tree, for the level-by-level picker on the sale form. Public.
#[server(endpoint = "catalog/category-tree")]
pub async fn category_tree() -> Result<Vec<CategoryNode>, AppError> {
    repo::all(&request::state()?.pool).await
}
