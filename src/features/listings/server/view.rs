//! Reading listings: a listing's detail page with everything around it, a seller's
//! public page, wishes and reports.

use super::manage::live_seller;
use super::repo;
use crate::error::{AppError, AppResult};
use crate::features::catalog::server::repo as catalog_repo;
use crate::features::courses::server::repo as course_repo;
use crate::features::listings::types::{
    ListingCard, ListingDetail, MAX_REPORT_DETAIL_CHARS, ReportReason, SellerProfile,
    SellerSummary, WishState,
};
use crate::features::moderation::server::listing_reports;
use crate::features::photos::server::repo as photo_repo;
use crate::features::reviews::server::repo as reviews_repo;
use crate::server::AppState;
use crate::server::db::retry_keyed;
use crate::server::limits::Limit;
use crate::server::session::Caller;

/// One listing for its detail page, with what the caller may do with it.
pub async fn detail(state: &AppState, caller: Option<Caller>, id: u64) -> AppResult<ListingDetail> {
    let (mut detail, path) = repo::detail(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(category) = detail.category_id
        && path.is_some()
    {
        detail.category_trail = catalog_repo::trail(&state.pool, category)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
    }
    detail.photos = photo_repo::listing_photos(&state.pool, id).await?;
    detail.courses = course_repo::courses_of_book(&state.pool, &detail.isbn13).await?;
    detail.seller = repo::seller_summary(&state.pool, detail.seller_id)
        .await?
        .unwrap_or_else(|| SellerSummary {
            id: detail.seller_id,
            nickname: detail.seller_nickname.clone(),
            ..Default::default()
        });
    if let Some(caller) = caller {
        detail.can_edit = caller.may_manage(detail.seller_id);
        detail.wished = repo::is_wished(&state.pool, caller.id, id).await?;
    }
    Ok(detail)
}

/// A seller's public page: profile, counts, listings (sold ones stay) and reviews.
pub async fn seller_profile(state: &AppState, seller_id: u64) -> AppResult<SellerProfile> {
    let mut profile = repo::seller_profile(&state.pool, seller_id)
        .await?
        .ok_or(AppError::NotFound)?;
    profile.received_reviews =
        reviews_repo::reviews_of(&state.pool, seller_id, state.clock.now(), 20).await?;
    Ok(profile)
}

/// The caller's own listings, newest first; `after` is the last card of the previous page.
pub async fn mine(
    state: &AppState,
    caller: Caller,
    after: Option<u64>,
) -> AppResult<Vec<ListingCard>> {
    let cursor = match after {
        Some(id) => Some(
            repo::own_listing_cursor(&state.pool, caller.id, id)
                .await?
                .ok_or(AppError::BadRequest)?,
        ),
        None => None,
    };
    repo::by_seller(&state.pool, caller.id, cursor, 30).await
}

/// Adds a listing to (or removes it from) the caller's wish list; not one's own.
pub async fn wish(
    state: &AppState,
    caller: Caller,
    listing_id: u64,
    wished: bool,
) -> AppResult<WishState> {
    let seller = live_seller(&state.pool, listing_id).await?;
    if seller == caller.id {
        return Err(AppError::Rejected("내 판매글은 찜할 수 없어요.".into()));
    }
    let now = state.clock.now();
    // Setting a wish to what it already is changes nothing: safe to repeat.
    retry_keyed(|| repo::set_wish(&state.pool, caller.id, listing_id, wished, now)).await
}

/// Reports a listing to the moderators (PRODUCT_10): once per listing, never one's own.
pub async fn report(
    state: &AppState,
    caller: Caller,
    listing_id: u64,
    reason: ReportReason,
    detail: &str,
) -> AppResult<()> {
    state.limiters.check_member(Limit::Report, caller.id)?;
    let seller = live_seller(&state.pool, listing_id).await?;
    if seller == caller.id {
        return Err(AppError::Rejected("내 판매글은 신고할 수 없어요.".into()));
    }
    let detail = detail.trim();
    if detail.chars().count() > MAX_REPORT_DETAIL_CHARS {
        return Err(AppError::field(
            "detail",
            format!("신고 내용은 {MAX_REPORT_DETAIL_CHARS}자까지 쓸 수 있어요."),
        ));
    }
    let now = state.clock.now();
    // The daily cap counts across instances (the limiter above is per instance). Read
    // then write: two reports racing past the cap make it one over, which is harmless.
    if listing_reports::reports_today(&state.pool, caller.id, now).await?
        >= listing_reports::REPORTS_PER_DAY
    {
        return Err(AppError::Rejected(format!(
            "신고는 하루 {}번까지 할 수 있어요. 내일 다시 신고해 주세요.",
            listing_reports::REPORTS_PER_DAY
        )));
    }
    if !repo::report(&state.pool, listing_id, caller.id, reason, detail, now).await? {
        return Err(AppError::Rejected(
            "이미 신고한 판매글이에요. 운영자가 확인하고 있어요.".into(),
        ));
    }
    tracing::info!(
        listing = listing_id,
        reporter = caller.id,
        reason = reason.as_db(),
        "listing reported"
    );
    Ok(())
}
