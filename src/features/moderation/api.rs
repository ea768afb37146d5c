//! Moderation server functions. Admins only: anonymous callers get 401, members 403.

use leptos::prelude::*;

use super::types::{
    AuditPage, ChatRestriction, DayStats, ListingQueueCursor, ListingReportOutcome,
    ListingReportQueue, ReportQueue, SanctionKind,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::{audit, listing_reports, repo, sanctions, stats},
    super::types::{
        AUDIT_PAGE, LISTING_QUEUE_PAGE, REPORT_QUEUE_PAGE, RESTRICTIONS_SHOWN, ReportOutcome,
    },
    super::types::{MAX_SANCTION_REASON_CHARS, SUSPEND_DAYS},
    crate::features::chat::{server::repo as chat_repo, types::ServerFrame},
    crate::features::notifications::server::live as notice_live,
    crate::server::request,
};

/// Open chat reports, newest message first; `before` (a message id from
/// the previous page's `next`) pages back, 0 for the first page.
#[server(endpoint = "admin/chat-reports")]
pub async fn chat_reports(#[server(default)] before: u64) -> Result<ReportQueue, AppError> {
    request::require_admin().await?;
    let state = request::state()?;
    repo::open_reports(
        &state.pool,
        (before > 0).then_some(before),
        REPORT_QUEUE_PAGE,
        state.clock.now(),
    )
    .await
}

/// Closes the open report on `message`: `deleted` erases it for both participants
/// (they see "삭제됨" at once), `dismissed` leaves it as it is.
#[server(endpoint = "admin/chat-reports/close")]
pub async fn close_chat_reports(message: u64, outcome: String) -> Result<(), AppError> {
    let admin = request::require_admin().await?;
    let outcome = ReportOutcome::parse(&outcome)
        .ok_or_else(|| AppError::field("outcome", "처리 방법을 골라 주세요."))?;
    let state = request::state()?;
    let now = state.clock.now();
    let closed = crate::server::db::retry_conflicts(|| {
        repo::close_reports(&state.pool, message, admin.id, outcome, now)
    })
    .await?;
    if closed.erased {
        let room = chat_repo::participants(&state.pool, closed.room_id).await?;
        state.chat.publish(
            &[room.buyer_id, room.seller_id],
            &ServerFrame::Deleted {
                room: closed.room_id,
                id: message,
            },
            None,
        );
    }
    if closed.lifted {
        restriction_lifted(&state, closed.sender_id);
    }
    Ok(())
}

/// Tells this instance's cache and the member's open rooms that they may write again.
#[cfg(feature = "ssr")]
fn restriction_lifted(state: &crate::server::AppState, member: u64) {
    state.chat.forget_restrictions();
    state
        .chat
        .publish(&[member], &ServerFrame::Restricted { until: None }, None);
}

/// Members who may not send chat messages now, soonest to end first.
#[server(endpoint = "admin/chat-restrictions")]
pub async fn chat_restrictions() -> Result<Vec<ChatRestriction>, AppError> {
    request::require_admin().await?;
    let state = request::state()?;
    repo::active_restrictions(&state.pool, state.clock.now(), RESTRICTIONS_SHOWN).await
}

/// Ends a running chat restriction now (a false alarm, or served long enough).
#[server(endpoint = "admin/chat-restrictions/lift")]
pub async fn lift_chat_restriction(id: u64) -> Result<(), AppError> {
    let admin = request::require_admin().await?;
    let state = request::state()?;
    let now = state.clock.now();
    let member = crate::server::db::retry_conflicts(|| {
        repo::lift_restriction(&state.pool, id, admin.id, now)
    })
    .await?;
    restriction_lifted(&state, member);
    Ok(())
}

/// Reported listings, the longest-waiting first; `after` (the previous page's `next`)
/// pages on.
#[server(endpoint = "admin/listing-reports")]
pub async fn listing_reports(
    #[server(default)] after: Option<ListingQueueCursor>,
) -> Result<ListingReportQueue, AppError> {
    request::require_admin().await?;
    let state = request::state()?;
    listing_reports::queue(&state.pool, after, LISTING_QUEUE_PAGE).await
}

/// Closes the open reports on `listing`: `removed` takes it down (the seller is told why,
/// with `note` when given), `dismissed` leaves it; the reporters hear either way.
#[server(endpoint = "admin/listing-reports/close")]
pub async fn close_listing_reports(
    listing: u64,
    outcome: ListingReportOutcome,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    let admin = request::require_admin().await?;
    if note.chars().count() > 200 {
        return Err(AppError::field("note", "사유는 200자까지 쓸 수 있어요."));
    }
    let state = request::state()?;
    let now = state.clock.now();
    let closed = crate::server::db::retry_conflicts(|| {
        listing_reports::close(&state.pool, listing, admin.id, outcome, &note, now)
    })
    .await?;
    notice_live::nudge(&state, &closed.told);
    if outcome == ListingReportOutcome::Removed {
        notice_live::nudge_wishers(&state, listing);
    }
    Ok(())
}

/// The audit log, newest first; `before` (an entry id from `next`) pages back.
#[server(endpoint = "admin/audit")]
pub async fn audit_log(#[server(default)] before: u64) -> Result<AuditPage, AppError> {
    request::require_admin().await?;
    let state = request::state()?;
    audit::page(&state.pool, (before > 0).then_some(before), AUDIT_PAGE).await
}

/// Sign-ups, listings, orders and 거래액 per day (KST), the last 30 days, oldest first.
#[server(endpoint = "admin/stats")]
pub async fn daily_stats() -> Result<Vec<DayStats>, AppError> {
    request::require_admin().await?;
    let state = request::state()?;
    stats::daily(&state.pool, state.clock.now()).await
}

/// Warns, suspends (for one of `SUSPEND_DAYS` days) or bans `member`, with the reason
/// they are told. A suspension or ban stops their chat at once on every instance.
#[server(endpoint = "admin/sanctions/impose")]
pub async fn impose_sanction(
    member: u64,
    kind: SanctionKind,
    #[server(default)] days: u32,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let admin = request::require_admin().await?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "회원에게 알릴 사유를 적어 주세요.",
        ));
    }
    if reason.chars().count() > MAX_SANCTION_REASON_CHARS {
        return Err(AppError::field(
            "reason",
            format!("사유는 {MAX_SANCTION_REASON_CHARS}자까지 쓸 수 있어요."),
        ));
    }
    if kind == SanctionKind::Suspend && !SUSPEND_DAYS.contains(&days) {
        return Err(AppError::field("days", "정지 기간을 골라 주세요."));
    }
    let state = request::state()?;
    let now = state.clock.now();
    let until = crate::server::db::retry_conflicts(|| {
        sanctions::impose(&state.pool, admin.id, member, kind, days, &reason, now)
    })
    .await?;
    if kind != SanctionKind::Warn {
        state.chat.forget_restrictions();
        state.chat.publish(
            &[member],
            &ServerFrame::Restricted { until: Some(until) },
            None,
        );
    }
    notice_live::nudge(&state, &[member]);
    Ok(())
}
