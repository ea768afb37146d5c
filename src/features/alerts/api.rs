use leptos::prelude::*;

use super::types::AlertsPage;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::repo,
    super::types::{Alert, MAX_ALERTS},
    crate::features::catalog::types::Isbn13,
    crate::features::listings::types::MAX_QUERY_CHARS,
    crate::features::search::tokens::query_terms,
    crate::server::request,
};

/// Saves "tell me when this is listed": a search (`query`) or a book (`isbn`). Members.
#[server(endpoint = "alerts/save")]
pub async fn save_alert(
    #[server(default)] query: String,
    #[server(default)] isbn: String,
) -> Result<u64, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let (query, isbn) = (query.trim(), isbn.trim());
    let (isbn13, query, terms) = match (query.is_empty(), isbn.is_empty()) {
        (true, false) => {
            let isbn = Isbn13::parse(isbn).map_err(|m| AppError::field("isbn", m))?;
            (Some(isbn.as_str().to_owned()), None, Vec::new())
        }
        (false, true) => {
            if query.chars().count() > MAX_QUERY_CHARS {
                return Err(AppError::field(
                    "query",
                    format!("검색어는 {MAX_QUERY_CHARS}자까지 입력할 수 있습니다."),
                ));
            }
            // An ISBN typed into the search box is an ISBN alert.
            if let Ok(isbn) = Isbn13::parse(query) {
                (Some(isbn.as_str().to_owned()), None, Vec::new())
            } else {
                let mut terms = query_terms(query);
                terms.sort();
                terms.dedup();
                if terms.is_empty() {
                    return Err(AppError::field(
                        "query",
                        "알림을 받을 검색어를 글자나 숫자로 입력해 주세요.",
                    ));
                }
                if terms.len() > 8 {
                    return Err(AppError::field(
                        "query",
                        "검색어가 너무 길어요. 핵심 단어만 남겨 주세요.",
                    ));
                }
                (None, Some(query.to_owned()), terms)
            }
        }
        _ => return Err(AppError::BadRequest),
    };
    if repo::count(&state.pool, caller.id).await? >= MAX_ALERTS {
        return Err(AppError::Rejected(format!(
            "알림은 {MAX_ALERTS}개까지 만들 수 있어요. 쓰지 않는 알림을 지워 주세요."
        )));
    }
    let now = state.clock.now();
    crate::server::db::retry_conflicts(|| {
        repo::save(
            &state.pool,
            caller.id,
            isbn13.as_deref(),
            query.as_deref(),
            &terms,
            now,
        )
    })
    .await
}

/// The member's alerts and the listings that matched them. Members.
#[server(endpoint = "alerts/list")]
pub async fn my_alerts() -> Result<AlertsPage, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let alerts: Vec<Alert> = repo::alerts(&state.pool, caller.id).await?;
    let hits = repo::hits(&state.pool, caller.id, 60)
        .await?
        .into_iter()
        .map(|(alert_id, mut hit)| {
            hit.alert_label = alerts
                .iter()
                .find(|a| a.id == alert_id)
                .map(|a| a.label.clone())
                .unwrap_or_default();
            hit
        })
        .collect();
    Ok(AlertsPage { alerts, hits })
}

/// Marks every hit seen (the alerts page was looked at). Members.
#[server(endpoint = "alerts/seen")]
pub async fn mark_alerts_seen() -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    repo::mark_seen(&state.pool, caller.id, state.clock.now()).await
}

/// How many matches are new (for the "내 정보" link). Members; 0 for visitors.
#[server(endpoint = "alerts/unseen")]
pub async fn unseen_alerts() -> Result<u32, AppError> {
    match request::caller().await? {
        Some(caller) => repo::unseen(&request::state()?.pool, caller.id).await,
        None => Ok(0),
    }
}

/// Deletes one of the caller's alerts (someone else's is not found).
#[server(endpoint = "alerts/delete")]
pub async fn delete_alert(id: u64) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    if repo::delete(&request::state()?.pool, caller.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
