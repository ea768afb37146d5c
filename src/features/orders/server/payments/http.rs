//! Where payment providers send the buyer back: `/pay/return/{provider}` after the
//! buyer authorised a payment, `/pay/fail/{provider}` when they gave up or it failed.
//! Both end on the order page. The attempt key (random, 122 bits, made by us) identifies
//! the attempt; the session is not needed, since in-app browsers often lose it on the
//! way, but a session of anyone other than the buyer is refused.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ReturnParams;
use crate::error::AppError;
use crate::features::orders::server::payment;
use crate::features::orders::types::ProviderKind;
use crate::server::AppState;
use crate::server::session::{self, Caller};

#[derive(Deserialize)]
pub struct ReturnQuery {
    attempt: Option<String>,
    /// Toss appends its own orderId, which is our attempt key.
    #[serde(rename = "orderId")]
    order_id: Option<String>,
    #[serde(rename = "paymentKey")]
    payment_key: Option<String>,
    amount: Option<i64>,
    pg_token: Option<String>,
    message: Option<String>,
    cancelled: Option<String>,
}

impl ReturnQuery {
    fn attempt(&self) -> Option<&str> {
        self.attempt.as_deref().or(self.order_id.as_deref())
    }
}

fn error_page(e: AppError) -> Response {
    let status = axum::http::StatusCode::from_u16(e.status_code())
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}

/// What both return URLs need: the provider named in the path, the attempt named in the
/// query, and who (if anyone) is signed in.
async fn came_back(
    state: &AppState,
    provider: &str,
    headers: &HeaderMap,
    q: &ReturnQuery,
) -> Result<(ProviderKind, String, Option<Caller>), AppError> {
    let (Some(kind), Some(attempt)) = (ProviderKind::from_db(provider), q.attempt()) else {
        return Err(AppError::BadRequest);
    };
    let caller = match session::token_from_headers(headers) {
        Some(token) => session::caller_for_token(&state.pool, &token, state.clock.now()).await?,
        None => None,
    };
    Ok((kind, attempt.to_owned(), caller))
}

pub async fn payment_return(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(q): Query<ReturnQuery>,
) -> Response {
    let (kind, attempt, caller) = match came_back(&state, &provider, &headers, &q).await {
        Ok(found) => found,
        Err(e) => return error_page(e),
    };
    let params = ReturnParams {
        payment_key: q.payment_key.clone(),
        pg_token: q.pg_token.clone(),
    };
    match payment::handle_return(&state, kind, &attempt, caller, params, q.amount).await {
        Ok((order, Ok(()))) => Redirect::to(&format!("/orders/{order}?pay=ok")).into_response(),
        Ok((order, Err(_))) => Redirect::to(&format!("/orders/{order}?pay=failed")).into_response(),
        Err(e) => error_page(e),
    }
}

pub async fn payment_fail(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(q): Query<ReturnQuery>,
) -> Response {
    let (kind, attempt, caller) = match came_back(&state, &provider, &headers, &q).await {
        Ok(found) => found,
        Err(e) => return error_page(e),
    };
    let cancelled = q.cancelled.is_some();
    match payment::handle_fail(&state, kind, &attempt, caller, q.message.clone(), cancelled).await {
        Ok(order) => Redirect::to(&format!("/orders/{order}?pay=failed")).into_response(),
        Err(e) => error_page(e),
    }
}
