//! Server functions for listings. Each signs the caller in when it must, decodes its
//! arguments and calls a use case in `server/` (or one query, for plain reads).

use leptos::prelude::*;

use super::types::{
    ListingCard, ListingDetail, ListingInput, PriceGuide, ReportReason, SaleWays, SellerProfile,
    WishState,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::manage::{self, NewStatus},
    super::server::{repo, view},
    super::types::{HOME_FEED_SIZE, MAX_QUERY_CHARS, SIMILAR_SIZE, SOLD_WINDOW_DAYS},
    crate::features::catalog::types::Isbn13,
    crate::features::search::server::repo as search_repo,
    crate::server::db::retry_read,
    crate::server::request,
};

/// The home feed: newest listings on sale. Public.
#[server(endpoint = "listings/newest")]
pub async fn newest_listings() -> Result<Vec<ListingCard>, AppError> {
    let pool = &request::state()?.pool;
    retry_read(|| repo::newest_on_sale(pool, HOME_FEED_SIZE)).await
}

/// Header search box: the first page of the search (issue 4's engine). Public.
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
    let params = crate::features::search::types::SearchParams {
        q: query.to_owned(),
        ..Default::default()
    };
    let pool = &request::state()?.pool;
    Ok(retry_read(|| search_repo::search(pool, &params))
        .await?
        .items)
}

/// Lists a book for sale. Members only. Returns the new listing's id.
#[server(endpoint = "listings/create")]
pub async fn create_listing(#[server(default)] input: ListingInput) -> Result<u64, AppError> {
    let caller = request::require_verified().await?;
    manage::create(&request::state()?, caller, input).await
}

/// Edits everything but the book and the status. The owner or an admin only.
#[server(endpoint = "listings/update")]
pub async fn update_listing(
    id: u64,
    #[server(default)] input: ListingInput,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    manage::update(&request::state()?, caller, id, input).await
}

/// 판매중 / 예약중 / 판매완료, or delete. The owner or an admin only.
#[server(endpoint = "listings/status")]
pub async fn set_listing_status(id: u64, status: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let status = NewStatus::parse(&status)
        .ok_or_else(|| AppError::field("status", "알 수 없는 판매 상태입니다."))?;
    manage::set_status(&request::state()?, caller, id, status).await
}

/// One listing for its detail page. Public; deleted listings are gone (404).
#[server(endpoint = "listings/get")]
pub async fn get_listing(id: u64) -> Result<ListingDetail, AppError> {
    let caller = request::caller().await?;
    let state = request::state()?;
    retry_read(|| view::detail(&state, caller, id)).await
}

/// Other copies of the same book, then the same category (the detail page). Public.
/// Listings wished by the people who wished this one. Public.
#[server(endpoint = "listings/also_wished")]
pub async fn also_wished(listing_id: u64) -> Result<Vec<ListingCard>, AppError> {
    repo::also_wished(&request::state()?.pool, listing_id, SIMILAR_SIZE).await
}

#[server(endpoint = "listings/similar")]
pub async fn similar_listings(listing_id: u64) -> Result<Vec<ListingCard>, AppError> {
    repo::similar(&request::state()?.pool, listing_id, SIMILAR_SIZE).await
}

/// The caller's own listings (USER-POST-01), newest first, 30 a page; pass the last
/// card's id to get the next page.
#[server(endpoint = "listings/mine")]
pub async fn my_listings(after: Option<u64>) -> Result<Vec<ListingCard>, AppError> {
    let caller = request::require_caller().await?;
    view::mine(&request::state()?, caller, after).await
}

/// What this book sells for now and sold for lately, leaving out `other_than` (the
/// listing being edited) from those on sale. Public (prices are public).
#[server(endpoint = "listings/price-guide")]
pub async fn get_price_guide(
    isbn: String,
    #[server(default)] other_than: Option<u64>,
) -> Result<PriceGuide, AppError> {
    let isbn = Isbn13::parse(&isbn).map_err(|m| AppError::field("isbn", m))?;
    let state = request::state()?;
    let since = state.clock.now() - chrono::Duration::days(SOLD_WINDOW_DAYS);
    repo::price_guide(&state.pool, isbn.as_str(), other_than, since).await
}

/// How the caller delivered and took payment on their latest listing (None before
/// their first): a new sale form starts from it. Members only, their own only.
#[server(endpoint = "listings/last-ways")]
pub async fn last_sale_ways() -> Result<Option<SaleWays>, AppError> {
    let member = request::require_member_id().await?;
    repo::last_sale_ways(&request::state()?.pool, member).await
}

/// Adds a listing to (or removes it from) the caller's wish list. Members only; not
/// one's own listing. Repeating a call changes nothing.
#[server(endpoint = "listings/wish")]
pub async fn set_wish(listing_id: u64, wished: bool) -> Result<WishState, AppError> {
    let caller = request::require_caller().await?;
    view::wish(&request::state()?, caller, listing_id, wished).await
}

/// The caller's wish list, most recent first. Members only.
#[server(endpoint = "listings/wishes")]
pub async fn my_wishes() -> Result<Vec<ListingCard>, AppError> {
    let caller = request::require_caller().await?;
    repo::wished_by(&request::state()?.pool, caller.id, 100).await
}

/// Reports a listing to the moderators (PRODUCT_10). Members only, once per listing,
/// never one's own.
#[server(endpoint = "listings/report")]
pub async fn report_listing(
    listing_id: u64,
    reason: ReportReason,
    #[server(default)] detail: String,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    view::report(&request::state()?, caller, listing_id, reason, &detail).await
}

/// A seller's public page: profile, counts and listings (sold ones stay). Public.
#[server(endpoint = "listings/seller")]
pub async fn get_seller_profile(seller_id: u64) -> Result<SellerProfile, AppError> {
    view::seller_profile(&request::state()?, seller_id).await
}
