use leptos::prelude::*;

use super::types::{
    ListingCard, ListingDetail, ListingInput, PriceGuide, ReportReason, SellerProfile, WishState,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::repo,
    super::types::{
        HOME_FEED_SIZE, ListingStatus, MAX_QUERY_CHARS, MAX_REPORT_DETAIL_CHARS, SIMILAR_SIZE,
        SOLD_WINDOW_DAYS, SellerSummary,
    },
    crate::error::FieldError,
    crate::features::catalog::server::repo as catalog_repo,
    crate::features::catalog::types::{BookInfo, Isbn13},
    crate::features::courses::repo as course_repo,
    crate::features::photos::server::repo as photo_repo,
    crate::features::search::repo as search_repo,
    crate::server::request,
};

/// The home feed: newest listings on sale. Public.
#[server(endpoint = "listings/newest")]
pub async fn newest_listings() -> Result<Vec<ListingCard>, AppError> {
    repo::newest_on_sale(&request::state()?.pool, HOME_FEED_SIZE).await
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
    Ok(search_repo::search(&request::state()?.pool, &params)
        .await?
        .items)
}

/// Lists a book for sale. Members only. Returns the new listing's id.
#[server(endpoint = "listings/create")]
pub async fn create_listing(#[server(default)] input: ListingInput) -> Result<u64, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let now = state.clock.now();

    // Check the book and the sale terms together, so every mistake shows at once.
    let isbn = Isbn13::parse(&input.isbn);
    let valid = input.validate();
    let mut errors = match &valid {
        Err(AppError::Validation(e)) => e.clone(),
        Err(other) => return Err(other.clone()),
        Ok(_) => Vec::new(),
    };
    // Facts a seller typed stay theirs (`typed_by`); only a catalog source or an admin
    // writes the shared row every later listing and lookup shows.
    let mut typed_by = None;
    let book = match &isbn {
        Err(m) => {
            errors.push(FieldError {
                field: "isbn".into(),
                message: m.clone(),
            });
            None
        }
        Ok(isbn) => match state.catalog.by_isbn(isbn, now).await? {
            Some(book) => Some(book),
            None => match manual_book(&input, isbn) {
                Ok(book) => {
                    typed_by = (!caller.is_admin).then_some(caller.id);
                    Some(book)
                }
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
        },
    };
    if let Ok(v) = &valid
        && catalog_repo::path_of(&state.pool, v.category_id)
            .await?
            .is_none()
    {
        errors.push(FieldError {
            field: "category_id".into(),
            message: "분야를 다시 선택해 주세요.".into(),
        });
    }
    if let Ok(v) = &valid {
        errors.extend(unknown_school(&state.pool, v).await?);
    }
    let (Ok(valid), Some(book), true) = (valid, book, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    check_photos_owned(&state.pool, caller.id, caller.id, &valid.photos).await?;

    let mut tx = state.pool.begin().await?;
    let book_id = repo::book_id_for(&mut tx, &book, typed_by, now).await?;
    let id = repo::insert_listing(&mut tx, caller.id, book_id, &valid, now).await?;
    photo_repo::set_listing_photos(&mut tx, id, &valid.photos).await?;
    if let Some(course) = &valid.course {
        course_repo::file_listing_book(&mut tx, course, id, caller.id, now).await?;
    }
    let terms = search_repo::listing_terms(&book.title, &book.author, &book.publisher);
    search_repo::index_listing(&mut tx, id, valid.price, &terms).await?;
    // Wanted alerts: stored with the listing, so a match is never lost or doubled.
    let alerted = crate::features::alerts::repo::record_hits(
        &mut tx,
        id,
        caller.id,
        &book.isbn13,
        &terms,
        now,
    )
    .await?;
    tx.commit().await?;
    if alerted > 0 {
        tracing::info!(listing = id, alerted, "wanted alerts matched");
    }
    tracing::info!(listing = id, seller = caller.id, "listing created");
    Ok(id)
}

/// The course's school must exist (the form offers only real ones; this is for
/// hand-made requests).
#[cfg(feature = "ssr")]
async fn unknown_school(
    pool: &sqlx::MySqlPool,
    valid: &super::types::ValidListing,
) -> Result<Option<FieldError>, AppError> {
    let Some(course) = &valid.course else {
        return Ok(None);
    };
    Ok(course_repo::school(pool, course.school_id)
        .await?
        .is_none()
        .then(|| FieldError {
            field: "course_school".into(),
            message: "학교를 다시 골라 주세요.".into(),
        }))
}

/// The seller of a live listing; NotFound for a missing or deleted one.
#[cfg(feature = "ssr")]
async fn live_seller(pool: &sqlx::MySqlPool, id: u64) -> Result<u64, AppError> {
    repo::seller_of(pool, id).await?.ok_or(AppError::NotFound)
}

/// The seller of a live listing the caller may change (its owner or an admin).
#[cfg(feature = "ssr")]
async fn managed_seller(
    pool: &sqlx::MySqlPool,
    caller: crate::server::session::Caller,
    id: u64,
) -> Result<u64, AppError> {
    let seller = live_seller(pool, id).await?;
    if caller.may_manage(seller) {
        Ok(seller)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A listing shows only photos its seller (or the admin editing it) uploaded: keys are
/// not secrets, since every photo URL carries one.
#[cfg(feature = "ssr")]
async fn check_photos_owned(
    pool: &sqlx::MySqlPool,
    seller_id: u64,
    editor_id: u64,
    keys: &[String],
) -> Result<(), AppError> {
    if photo_repo::not_owned(pool, seller_id, editor_id, keys)
        .await?
        .is_empty()
    {
        Ok(())
    } else {
        Err(AppError::field(
            "photos",
            "올리지 않은 사진이 들어 있어요. 사진을 다시 올려 주세요.",
        ))
    }
}

/// A book no source knows: the seller types its facts.
#[cfg(feature = "ssr")]
fn manual_book(input: &ListingInput, isbn: &Isbn13) -> Result<BookInfo, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut need = |field: &str, value: &str, max: usize, what: &str| {
        let v = crate::text::one_line(value);
        if v.is_empty() {
            errors.push(FieldError {
                field: field.into(),
                message: format!("책 정보를 찾지 못했어요. {what}을(를) 직접 입력해 주세요."),
            });
        } else if v.chars().count() > max {
            errors.push(FieldError {
                field: field.into(),
                message: format!("{what}은(는) {max}자까지 입력할 수 있어요."),
            });
        }
        v
    };
    let title = need("book_title", &input.book_title, 255, "제목");
    let author = need("book_author", &input.book_author, 255, "저자");
    let publisher = need("book_publisher", &input.book_publisher, 120, "출판사");
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(BookInfo {
        isbn13: isbn.as_str().to_owned(),
        title,
        author,
        publisher,
        published_on: None,
        cover_url: None,
    })
}

/// Edits everything but the book and the status. The owner or an admin only.
#[server(endpoint = "listings/update")]
pub async fn update_listing(
    id: u64,
    #[server(default)] input: ListingInput,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let seller = managed_seller(&state.pool, caller, id).await?;
    let valid = input.validate()?;
    if catalog_repo::path_of(&state.pool, valid.category_id)
        .await?
        .is_none()
    {
        return Err(AppError::field("category_id", "분야를 다시 선택해 주세요."));
    }
    if let Some(e) = unknown_school(&state.pool, &valid).await? {
        return Err(AppError::Validation(vec![e]));
    }
    check_photos_owned(&state.pool, seller, caller.id, &valid.photos).await?;
    let mut tx = state.pool.begin().await?;
    let old_price = repo::price_for_update(&mut tx, id).await?;
    if !repo::update_listing(&mut tx, id, input.version, &valid, state.clock.now()).await? {
        return Err(AppError::Rejected(
            "다른 곳에서 먼저 수정되었어요. 새로고침한 뒤 다시 수정해 주세요.".into(),
        ));
    }
    photo_repo::set_listing_photos(&mut tx, id, &valid.photos).await?;
    if let Some(old) = old_price {
        search_repo::reprice(&mut tx, id, old, valid.price).await?;
    }
    if let Some(course) = &valid.course {
        let now = state.clock.now();
        course_repo::file_listing_book(&mut tx, course, id, caller.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// 판매중 / 예약중 / 판매완료, or delete. The owner or an admin only.
#[server(endpoint = "listings/status")]
pub async fn set_listing_status(id: u64, status: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    managed_seller(&state.pool, caller, id).await?;
    let status = match status.as_str() {
        "deleted" => "deleted",
        other => ListingStatus::from_db(other)
            .map(|s| s.as_db())
            .ok_or_else(|| AppError::field("status", "알 수 없는 판매 상태입니다."))?,
    };
    let now = state.clock.now();
    let changed = crate::server::db::retry_conflicts(|| {
        repo::set_status_unless_held(&state.pool, id, status, now)
    })
    .await?;
    // While an order holds the listing, its status follows the order.
    if !changed {
        return Err(AppError::Rejected(
            "주문이 진행 중이거나 주문으로 팔린 책은 상태를 직접 바꿀 수 없어요.".into(),
        ));
    }
    Ok(())
}

/// One listing for its detail page. Public; deleted listings are gone (404).
#[server(endpoint = "listings/get")]
pub async fn get_listing(id: u64) -> Result<ListingDetail, AppError> {
    let state = request::state()?;
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
    if let Some(caller) = request::caller().await? {
        detail.can_edit = caller.may_manage(detail.seller_id);
        detail.wished = repo::is_wished(&state.pool, caller.id, id).await?;
    }
    Ok(detail)
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
    let pool = &request::state()?.pool;
    let cursor = match after {
        Some(id) => Some(
            sqlx::query!(
                "SELECT created_at FROM listing WHERE id = ? AND seller_id = ?",
                id,
                caller.id
            )
            .fetch_optional(pool)
            .await?
            .map(|r| (r.created_at, id))
            .ok_or(AppError::BadRequest)?,
        ),
        None => None,
    };
    repo::by_seller(pool, caller.id, cursor, 30).await
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

/// Adds a listing to (or removes it from) the caller's wish list. Members only; not
/// one's own listing. Repeating a call changes nothing.
#[server(endpoint = "listings/wish")]
pub async fn set_wish(listing_id: u64, wished: bool) -> Result<WishState, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let seller = live_seller(&state.pool, listing_id).await?;
    if seller == caller.id {
        return Err(AppError::Rejected("내 판매글은 찜할 수 없어요.".into()));
    }
    repo::set_wish(
        &state.pool,
        caller.id,
        listing_id,
        wished,
        state.clock.now(),
    )
    .await
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
    let state = request::state()?;
    state
        .limiters
        .check_member(crate::server::limits::Limit::Report, caller.id)?;
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
    if !repo::report(
        &state.pool,
        listing_id,
        caller.id,
        reason,
        detail,
        state.clock.now(),
    )
    .await?
    {
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

/// A seller's public page: profile, counts and listings (sold ones stay). Public.
#[server(endpoint = "listings/seller")]
pub async fn get_seller_profile(seller_id: u64) -> Result<SellerProfile, AppError> {
    let state = request::state()?;
    let mut profile = repo::seller_profile(&state.pool, seller_id)
        .await?
        .ok_or(AppError::NotFound)?;
    profile.reviews =
        crate::features::orders::repo::reviews_of(&state.pool, seller_id, state.clock.now(), 20)
            .await?;
    Ok(profile)
}
