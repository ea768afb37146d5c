//! The two photo endpoints that are plain HTTP rather than server functions: the
//! multipart upload (the browser needs upload progress events, which only an
//! XMLHttpRequest gives) and serving stored photos with long-lived caching.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::process::process;
use super::repo;
use crate::error::AppError;
use crate::features::photos::types::{
    MAX_FILE_BYTES, MAX_UPLOADS_PER_HOUR, ORPHAN_HOURS, UPLOAD_FIELD, UploadedPhoto, is_photo_key,
};
use crate::server::limits::Limit;
use crate::server::{AppState, session};

fn too_large() -> AppError {
    AppError::TooLarge(format!(
        "사진 한 장은 {}MB까지 올릴 수 있어요.",
        MAX_FILE_BYTES / (1024 * 1024)
    ))
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::BadRequest
    }
}

/// Reads one file field, refusing it as soon as it passes the cap (never buffers more).
async fn read_capped(mut field: Field<'_>) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// POST /api/photos — multipart with exactly one `photo` field. Members only.
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    match upload_inner(&state, &headers, multipart).await {
        Ok(photo) => (StatusCode::CREATED, Json(photo)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn upload_inner(
    state: &AppState,
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<UploadedPhoto, AppError> {
    let now = state.clock.now();
    let token = session::token_from_headers(headers).ok_or(AppError::Unauthorized)?;
    let caller = session::caller_for_token(&state.pool, &token, now)
        .await?
        .ok_or(AppError::Unauthorized)?
        .verified()?;
    // Every attempt counts, stored or refused, so failed uploads cannot be repeated
    // without end.
    state.limiters.check_member(Limit::Upload, caller.id)?;

    // Before reading the body: a member over the hourly cap costs no decoding.
    let hour_ago = now - chrono::Duration::hours(1);
    if repo::uploads_since(&state.pool, caller.id, hour_ago).await? >= MAX_UPLOADS_PER_HOUR {
        return Err(AppError::RateLimited {
            message: format!(
                "사진은 한 시간에 {MAX_UPLOADS_PER_HOUR}장까지 올릴 수 있어요. 잠시 후 다시 올려 주세요."
            ),
            retry_after_secs: 3600,
        });
    }

    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some(UPLOAD_FIELD) || file.is_some() {
            return Err(AppError::BadRequest);
        }
        file = Some(read_capped(field).await?);
    }
    let bytes = file.ok_or_else(|| AppError::field(UPLOAD_FIELD, "사진을 골라 주세요."))?;
    if bytes.is_empty() {
        return Err(AppError::field(
            UPLOAD_FIELD,
            "빈 파일이에요. 다른 사진을 골라 주세요.",
        ));
    }

    let started = std::time::Instant::now();
    let photo = tokio::task::spawn_blocking(move || process(&bytes)).await??;
    state
        .photos
        .put(&format!("{}.jpg", photo.key), photo.full.clone())
        .await?;
    state
        .photos
        .put(&format!("{}_t.jpg", photo.key), photo.thumb.clone())
        .await?;
    crate::server::db::retry_conflicts(|| repo::record_upload(&state.pool, caller.id, &photo, now))
        .await?;
    tracing::info!(
        member = caller.id,
        key = %photo.key,
        bytes = photo.full.len(),
        ms = started.elapsed().as_millis() as u64,
        "photo stored"
    );
    Ok(UploadedPhoto {
        key: photo.key,
        width: photo.width,
        height: photo.height,
    })
}

/// GET /photos/{key}.jpg and /photos/{key}_t.jpg — immutable, so cached for a year.
pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(stem) = file.strip_suffix(".jpg") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let key = stem.strip_suffix("_t").unwrap_or(stem);
    if !is_photo_key(key) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{stem}\"");
    let cache = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a valid header value"),
        ),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    match state.photos.get(&file).await {
        Ok(Some(bytes)) => (
            cache,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Removes photos uploaded more than `ORPHAN_HOURS` ago that never reached a listing
/// (a seller who gave up on the form). Returns how many photos were deleted.
pub async fn sweep_orphans(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, AppError> {
    let deleted =
        repo::drop_orphans(&state.pool, now - chrono::Duration::hours(ORPHAN_HOURS)).await?;
    // Rows first, then files: a file left behind by a failed delete is only disk space,
    // while a row without its file would be a broken picture.
    for key in &deleted {
        for name in [format!("{key}.jpg"), format!("{key}_t.jpg")] {
            state.photos.delete(&name).await?;
        }
    }
    Ok(deleted.len())
}

pub async fn sweep_orphans_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match sweep_orphans(&state, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "orphan photos removed"),
            Err(e) => tracing::warn!(error = %e, "orphan photo sweep failed"),
        }
    }
}
