//! HTTP middleware: error statuses for server functions, metrics, request ids, logs.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::AppError;

/// Our error as an HTTP answer: its status, the JSON body the browser decodes, and
/// `Retry-After` when it is a rate limit.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = retry_after(&self);
        let mut res = (status, axum::Json(self)).into_response();
        if let Some(v) = retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

fn retry_after(e: &AppError) -> Option<HeaderValue> {
    match e {
        AppError::RateLimited {
            retry_after_secs, ..
        } => Some(HeaderValue::from(*retry_after_secs)),
        _ => None,
    }
}

/// Largest body a server function takes: forms are a few KiB (a listing with its
/// description is the biggest). Photo uploads have their own route and limit.
pub const MAX_SERVER_FN_BODY: u64 = 256 * 1024;

/// Refuses a server-function body that says it is too big before reading it, with a
/// clear 413 instead of the framework's failure to read it.
pub async fn limit_request_size(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let server_fn = req.uri().path().starts_with("/api/")
        && req.uri().path() != crate::features::photos::types::UPLOAD_PATH;
    if server_fn && declared.is_some_and(|n| n > MAX_SERVER_FN_BODY) {
        return AppError::TooLarge(format!(
            "요청이 너무 커요. ({}KB까지)",
            MAX_SERVER_FN_BODY / 1024
        ))
        .into_response();
    }
    next.run(req).await
}

/// server_fn answers every error with 500. The error body is our `AppError`, so give the
/// response the status that error deserves: bad input is a 4xx, never a 500.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(parts.status);
        if let Some(v) = retry_after(&err) {
            parts.headers.insert(axum::http::header::RETRY_AFTER, v);
        }
    }
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(bytes))
}

/// Counts and times every request by its route pattern (not the raw path, which would
/// make one time series per listing id).
pub async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/pkg/") {
                "/pkg/*".to_owned()
            } else {
                "fallback".to_owned()
            }
        });
    let res = next.run(req).await;
    state
        .metrics
        .observe_request(&method, &route, res.status().as_u16(), start.elapsed());
    res
}
