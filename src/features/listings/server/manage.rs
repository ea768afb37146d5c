//! Selling: creating and editing a listing, and its status. Each use case checks the
//! book, the sale terms, the category, the course and the photos together, then writes
//! the listing, its photos, course filing, search terms and wanted-alert hits in one
//! transaction.

use super::repo::{self, StatusSet};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::alerts::server::repo as alerts_repo;
use crate::features::catalog::server::repo as catalog_repo;
use crate::features::catalog::types::{BookInfo, Isbn13};
use crate::features::courses::server::repo as course_repo;
use crate::features::listings::types::{ListingInput, ListingStatus, ValidListing};
use crate::features::moderation::server::audit;
use crate::features::moderation::types::AuditAction;
use crate::features::notifications::server::live as notice_live;
use crate::features::notifications::server::repo::{self as notice_repo, WishChange};
use crate::features::orders::types::check_idempotency_key;
use crate::features::photos::server::repo as photo_repo;
use crate::features::search::server::repo as search_repo;
use crate::server::AppState;
use crate::server::db::{retry_conflicts, retry_keyed};
use crate::server::session::Caller;

/// What a seller may set a listing's status to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewStatus {
    Set(ListingStatus),
    Delete,
}

impl NewStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "deleted" => Some(NewStatus::Delete),
            other => ListingStatus::from_db(other).map(NewStatus::Set),
        }
    }
}

/// Lists a book for sale; the new listing's id.
pub async fn create(state: &AppState, caller: Caller, input: ListingInput) -> AppResult<u64> {
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

    let create_key = if input.create_key.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        check_idempotency_key(&input.create_key)?;
        input.create_key.clone()
    };
    // Keyed, so also retried when the connection dropped during COMMIT: a repeat of a
    // create that had committed finds that listing.
    let (id, alerted) =
        retry_keyed(|| store_listing(state, caller, &book, typed_by, &valid, &create_key, now))
            .await?;
    let words = search_repo::listing_words(&book.title, &book.author, &book.publisher);
    if let Err(e) = search_repo::add_words(&state.pool, &words).await {
        tracing::warn!(listing = id, error = %e, "search vocabulary not updated");
    }
    if alerted > 0 {
        tracing::info!(listing = id, alerted, "wanted alerts matched");
        notice_live::nudge_wanted(state, id);
    }
    tracing::info!(listing = id, seller = caller.id, "listing created");
    Ok(id)
}

/// The listing, its book, photos, course filing, search terms and wanted-alert hits in
/// one transaction; the new id and the alerts it matched.
async fn store_listing(
    state: &AppState,
    caller: Caller,
    book: &BookInfo,
    typed_by: Option<u64>,
    valid: &ValidListing,
    create_key: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(u64, u64)> {
    let mut tx = state.pool.begin().await?;
    let book_id = repo::book_id_for(&mut tx, book, typed_by, now).await?;
    let id = match repo::insert_listing(&mut tx, caller.id, book_id, valid, create_key, now).await {
        Ok(id) => id,
        Err(sqlx::Error::Database(e))
            if e.is_unique_violation() && e.message().contains("uq_listing_create_key") =>
        {
            drop(tx);
            let first = repo::listing_by_create_key(&state.pool, caller.id, create_key).await?;
            tracing::info!(listing = ?first, "listing create repeated under its key");
            return first.map(|id| (id, 0)).ok_or(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    };
    photo_repo::set_listing_photos(&mut tx, id, &valid.photos).await?;
    if let Some(course) = &valid.course {
        course_repo::file_listing_book(&mut tx, course, id, caller.id, now).await?;
    }
    let terms = search_repo::listing_terms(&book.title, &book.author, &book.publisher);
    search_repo::index_listing(&mut tx, id, valid.price, &terms).await?;
    // Wanted alerts: stored with the listing, so a match is never lost or doubled.
    let alerted =
        alerts_repo::record_hits(&mut tx, id, caller.id, &book.isbn13, &terms, now).await?;
    if alerted > 0 {
        notice_repo::tell_wanted(&mut tx, id, &book.title, valid.price, now).await?;
    }
    tx.commit().await?;
    Ok((id, alerted))
}

/// Edits everything but the book and the status. The owner or an admin only.
pub async fn update(
    state: &AppState,
    caller: Caller,
    id: u64,
    input: ListingInput,
) -> AppResult<()> {
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
    let now = state.clock.now();
    let by_admin = (caller.id != seller).then_some(caller.id);
    let updated =
        retry_conflicts(|| store_update(state, caller, id, input.version, &valid, by_admin, now))
            .await?;
    if !updated {
        return Err(AppError::Rejected(
            "다른 곳에서 먼저 수정되었어요. 새로고침한 뒤 다시 수정해 주세요.".into(),
        ));
    }
    notice_live::nudge_wishers(state, id);
    Ok(())
}

/// The edit in one transaction, if the listing is still at `version`.
async fn store_update(
    state: &AppState,
    caller: Caller,
    id: u64,
    version: u32,
    valid: &ValidListing,
    by_admin: Option<u64>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let mut tx = state.pool.begin().await?;
    let old_price = repo::price_for_update(&mut tx, id).await?;
    if !repo::update_listing(&mut tx, id, version, valid, now).await? {
        return Ok(false);
    }
    photo_repo::set_listing_photos(&mut tx, id, &valid.photos).await?;
    if let Some(old) = old_price {
        search_repo::reprice(&mut tx, id, old, valid.price).await?;
        if old != valid.price {
            let change = WishChange::Price {
                from: old,
                to: valid.price,
            };
            notice_repo::tell_wishers(&mut tx, id, change, now).await?;
        }
    }
    if let Some(course) = &valid.course {
        course_repo::file_listing_book(&mut tx, course, id, caller.id, now).await?;
    }
    if let Some(admin) = by_admin {
        audit::record(&mut tx, admin, AuditAction::ListingEdited, id, "", now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// 판매중 / 예약중 / 판매완료, or delete. The owner or an admin only.
pub async fn set_status(
    state: &AppState,
    caller: Caller,
    id: u64,
    status: NewStatus,
) -> AppResult<()> {
    let seller = managed_seller(&state.pool, caller, id).await?;
    let by_admin = (caller.id != seller).then_some(caller.id);
    let now = state.clock.now();
    let changed = retry_conflicts(|| store_status(state, id, status, by_admin, now)).await?;
    // While an order holds the listing, its status follows the order.
    if !changed {
        return Err(AppError::Rejected(
            "주문이 진행 중이거나 주문으로 팔린 책은 상태를 직접 바꿀 수 없어요.".into(),
        ));
    }
    notice_live::nudge_wishers(state, id);
    Ok(())
}

/// The status change, its wishers' notices and (for an admin acting on someone else's
/// listing) the audit entry in one transaction; false when an order holds the listing.
async fn store_status(
    state: &AppState,
    id: u64,
    status: NewStatus,
    by_admin: Option<u64>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let mut tx = state.pool.begin().await?;
    match repo::set_status_in(&mut tx, id, status, now).await? {
        StatusSet::Held => return Ok(false),
        StatusSet::Unchanged => return Ok(true),
        StatusSet::Changed => {}
    }
    if let Some(admin) = by_admin {
        let to = match status {
            NewStatus::Set(s) => s.label(),
            NewStatus::Delete => "삭제",
        };
        audit::record(&mut tx, admin, AuditAction::ListingStatusSet, id, to, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The course's school must exist (the form offers only real ones; this is for
/// hand-made requests).
async fn unknown_school(
    pool: &sqlx::MySqlPool,
    valid: &ValidListing,
) -> AppResult<Option<FieldError>> {
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
pub(super) async fn live_seller(pool: &sqlx::MySqlPool, id: u64) -> AppResult<u64> {
    repo::seller_of(pool, id).await?.ok_or(AppError::NotFound)
}

/// The seller of a live listing the caller may change (its owner or an admin).
async fn managed_seller(
    pool: &sqlx::MySqlPool,
    caller: crate::server::session::Caller,
    id: u64,
) -> AppResult<u64> {
    let seller = live_seller(pool, id).await?;
    if caller.may_manage(seller) {
        Ok(seller)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A listing shows only photos its seller (or the admin editing it) uploaded: keys are
/// not secrets, since every photo URL carries one.
async fn check_photos_owned(
    pool: &sqlx::MySqlPool,
    seller_id: u64,
    editor_id: u64,
    keys: &[String],
) -> AppResult<()> {
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
