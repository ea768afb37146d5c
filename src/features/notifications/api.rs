//! Notice server functions. Each is the signed-in member's own; anonymous callers get
//! 401 (the unread count: 0).

use leptos::prelude::*;

use super::types::{NoticeCursor, NoticeKind, NoticePage, NoticeSetting};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::server::repo, crate::server::request};

/// A page of the member's notices, newest first; `before` continues from a page's end.
#[server(endpoint = "notifications/list")]
pub async fn notices(
    #[server(default)] before: Option<NoticeCursor>,
) -> Result<NoticePage, AppError> {
    let id = request::require_member_id().await?;
    repo::page(&request::state()?.pool, id, before).await
}

/// How many notices the member has not read (0 for a visitor), for the bell.
#[server(endpoint = "notifications/unread")]
pub async fn unread_notices() -> Result<u32, AppError> {
    match request::current_member_id().await? {
        Some(id) => repo::unread(&request::state()?.pool, id).await,
        None => Ok(0),
    }
}

/// Marks one of the member's notices read (opening it does).
#[server(endpoint = "notifications/read")]
pub async fn read_notice(id: u64) -> Result<(), AppError> {
    let member = request::require_member_id().await?;
    let state = request::state()?;
    if repo::mark_read(&state.pool, member, id, state.clock.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[server(endpoint = "notifications/read_all")]
pub async fn read_all_notices() -> Result<(), AppError> {
    let member = request::require_member_id().await?;
    let state = request::state()?;
    repo::mark_all_read(&state.pool, member, state.clock.now()).await
}

#[server(endpoint = "notifications/settings")]
pub async fn notice_settings() -> Result<Vec<NoticeSetting>, AppError> {
    let member = request::require_member_id().await?;
    repo::settings(&request::state()?.pool, member).await
}

/// Turns one kind on or off. Sanctions cannot be turned off.
#[server(endpoint = "notifications/set")]
pub async fn set_notice_setting(
    kind: NoticeKind,
    enabled: bool,
) -> Result<Vec<NoticeSetting>, AppError> {
    let member = request::require_member_id().await?;
    if !kind.switchable() {
        return Err(AppError::BadRequest);
    }
    let state = request::state()?;
    repo::set(&state.pool, member, kind, enabled, state.clock.now()).await?;
    repo::settings(&state.pool, member).await
}
