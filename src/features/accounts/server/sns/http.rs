//! The two browser-facing SNS routes: `GET /auth/{provider}` (start, `?link=1` from 내
//! 정보, `?next=` to come back to) and `GET /auth/{provider}/callback`. Both are plain
//! page loads, not server functions: the browser leaves for the provider in between.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{CallbackQuery, FLOW_COOKIE, FLOW_MINUTES, Finished, PENDING_COOKIE, PENDING_MINUTES};
use crate::error::AppError;
use crate::features::accounts::types::sns::{SnsFailure, SnsProvider};
use crate::server::AppState;
use crate::server::session;

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    link: Option<String>,
}

/// A short-lived HttpOnly cookie of the flow (`minutes` long; 0 clears it).
fn short_cookie(name: &str, value: String, path: &str, minutes: i64, secure: bool) -> String {
    session::http_only_cookie(name, &value, path, minutes * 60, secure)
}

/// The pending sign-up's cookie, also cleared by the server function that completes it.
pub fn pending_cookie(token: String, secure: bool) -> String {
    short_cookie(PENDING_COOKIE, token, "/", PENDING_MINUTES, secure)
}

pub fn clear_pending_cookie(secure: bool) -> String {
    short_cookie(PENDING_COOKIE, String::new(), "/", 0, secure)
}

async fn caller(state: &AppState, headers: &HeaderMap) -> Option<session::Caller> {
    let token = session::token_from_headers(headers)?;
    session::caller_for_token(&state.pool, &token, state.clock.now())
        .await
        .ok()
        .flatten()
}

pub async fn start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(provider) = SnsProvider::from_slug(&provider) else {
        return AppError::NotFound.into_response();
    };
    let link_member = match q.link {
        Some(_) => match caller(&state, &headers).await {
            Some(c) => Some(c.id),
            None => return Redirect::to("/login?next=/me").into_response(),
        },
        None => None,
    };
    match super::start(&state, provider, link_member, q.next.as_deref()).await {
        Ok((url, flow_state)) => (
            [(
                header::SET_COOKIE,
                short_cookie(
                    FLOW_COOKIE,
                    flow_state,
                    "/auth",
                    FLOW_MINUTES,
                    state.config.secure_cookies(),
                ),
            )],
            Redirect::to(&url),
        )
            .into_response(),
        Err(AppError::NotFound) => AppError::NotFound.into_response(),
        Err(_) => failed(link_member.is_some(), SnsFailure::Provider),
    }
}

fn failed(signed_in: bool, why: SnsFailure) -> Response {
    let page = if signed_in { "/me" } else { "/login" };
    Redirect::to(&format!("{page}?sns_error={}", why.code())).into_response()
}

pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(provider) = SnsProvider::from_slug(&provider) else {
        return AppError::NotFound.into_response();
    };
    let secure = state.config.secure_cookies();
    // The flow's cookie is done with whatever happens.
    let clear_flow = short_cookie(FLOW_COOKIE, String::new(), "/auth", 0, secure);
    let cookie_state = session::cookie_from_headers(&headers, FLOW_COOKIE);
    let outcome = super::finish(&state, provider, cookie_state.as_deref(), q).await;
    let mut cookies = vec![clear_flow];
    let to = match outcome {
        Ok(Finished::SignedIn { member_id, next }) => {
            let user_agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok());
            match session::create(
                &state.pool,
                member_id,
                state.clock.now(),
                state.config.session_ttl,
                user_agent,
            )
            .await
            {
                Ok(new) => {
                    tracing::info!(member_id, provider = provider.slug(), "SNS sign-in");
                    cookies.push(session::set_cookie(
                        &new.token,
                        state.config.session_ttl,
                        secure,
                    ));
                    next.unwrap_or_else(|| "/".into())
                }
                Err(e) => {
                    tracing::error!(error = ?e, "session for SNS sign-in");
                    format!("/login?sns_error={}", SnsFailure::Provider.code())
                }
            }
        }
        Ok(Finished::NeedsSignup { token }) => {
            cookies.push(pending_cookie(token, secure));
            "/signup/sns".into()
        }
        Ok(Finished::Linked) => "/me?sns=linked".into(),
        Err(why) => {
            let signed_in = caller(&state, &headers).await.is_some();
            return with_cookies(cookies, failed(signed_in, why));
        }
    };
    with_cookies(cookies, Redirect::to(&to).into_response())
}

fn with_cookies(cookies: Vec<String>, mut response: Response) -> Response {
    for c in cookies {
        if let Ok(v) = header::HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
