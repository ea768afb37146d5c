//! What a server function knows about the request it serves: state, caller, headers.

use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::security::ClientIp;
use super::session::Caller;
use super::{AppState, session};
use crate::error::{AppError, AppResult};

/// The app's state, from the reactive owner the server function runs under.
///
/// Fails instead of panicking when that owner is gone. During SSR a `<Suspense>` re-runs
/// its children while it looks for resources, and a resource created in a run it then
/// drops keeps running with no owner above it. Its answer is never used, but a panic
/// there would leave its task pending and the page's stream waiting forever. Pages make
/// their resources outside their `<Transition>`s so this does not happen; the warning
/// means some page does not.
pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::warn!(
            "server function outlived the view that asked for it (a resource made inside a Suspense?)"
        );
        AppError::Internal
    })
}

fn parts() -> AppResult<Parts> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::Internal
    })
}

pub fn header(name: header::HeaderName) -> Option<String> {
    parts()
        .ok()?
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The client's address: the peer, or what our trusted proxy says it saw
/// (`security::client_ip`, from `TRUSTED_PROXIES`).
pub fn client_ip() -> Option<String> {
    parts()
        .ok()?
        .extensions
        .get::<ClientIp>()
        .map(|ip| ip.0.to_string())
}

pub fn session_token() -> Option<String> {
    session::token_from_headers(&parts().ok()?.headers)
}

pub fn cookie(name: &str) -> Option<String> {
    session::cookie_from_headers(&parts().ok()?.headers, name)
}

/// The signed-in member, if the request carries a live session.
pub async fn caller() -> AppResult<Option<Caller>> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let state = state()?;
    session::caller_for_token(&state.pool, &token, state.clock.now()).await
}

/// For server functions only a signed-in member may call.
pub async fn require_caller() -> AppResult<Caller> {
    caller().await?.ok_or(AppError::Unauthorized)
}

/// For selling, chatting and buying: a signed-in member who has proved their email.
pub async fn require_verified() -> AppResult<Caller> {
    require_caller().await?.verified()
}

/// For server functions only an admin may call: anonymous callers get 401, members 403.
pub async fn require_admin() -> AppResult<Caller> {
    let caller = require_caller().await?;
    if caller.is_admin {
        Ok(caller)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn current_member_id() -> AppResult<Option<u64>> {
    Ok(caller().await?.map(|c| c.id))
}

pub async fn require_member_id() -> AppResult<u64> {
    Ok(require_caller().await?.id)
}

pub fn append_set_cookie(cookie: &str) {
    let Some(options) = use_context::<ResponseOptions>() else {
        tracing::error!("response options missing; cookie not set");
        return;
    };
    match HeaderValue::from_str(cookie) {
        Ok(v) => options.append_header(header::SET_COOKIE, v),
        Err(e) => tracing::error!(error = %e, "invalid Set-Cookie value"),
    }
}
