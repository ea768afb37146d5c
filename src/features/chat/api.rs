//! Chat server functions: everything but sending, which goes over the socket. Each
//! one authorizes inside: only a room's two participants see or change it, and a
//! stranger is told the room does not exist.

use leptos::prelude::*;

use super::types::{HistoryPage, RoomView, RoomsPage};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::repo::{self, Participants},
    super::types::{HISTORY_PAGE, ROOMS_PAGE, ReportReason, ServerFrame},
    crate::server::db::retry_read,
    crate::server::request,
    crate::server::session::Caller,
};

/// The room `caller` is in, or not found.
#[cfg(feature = "ssr")]
async fn my_room(caller: &Caller, room: u64) -> Result<Participants, AppError> {
    let pool = &request::state()?.pool;
    retry_read(|| repo::participants(pool, room))
        .await?
        .require(caller.id)
}

/// "채팅하기": the one room for (listing, caller), made on first use. Members; not the
/// listing's seller.
#[server(endpoint = "chat/open")]
pub async fn open_chat(listing: u64) -> Result<u64, AppError> {
    let caller = request::require_verified().await?;
    let state = request::state()?;
    let now = state.clock.now();
    // One room per listing and buyer (a unique key): opening it again finds it.
    crate::server::db::retry_keyed(|| repo::open_room(&state.pool, listing, caller.id, now)).await
}

/// The caller's rooms, latest activity first; `cursor` from the previous page.
#[server(endpoint = "chat/rooms")]
pub async fn chat_rooms(#[server(default)] cursor: String) -> Result<RoomsPage, AppError> {
    let caller = request::require_caller().await?;
    let cursor = if cursor.is_empty() {
        None
    } else {
        Some(parse_cursor(&cursor).ok_or(AppError::BadRequest)?)
    };
    let pool = &request::state()?.pool;
    let (rooms, next) = retry_read(|| repo::rooms(pool, caller.id, cursor, ROOMS_PAGE)).await?;
    Ok(RoomsPage {
        rooms,
        next: next.map(|(at, id)| format!("{}.{id}", at.and_utc().timestamp_micros())),
    })
}

#[cfg(feature = "ssr")]
fn parse_cursor(cursor: &str) -> Option<repo::RoomCursor> {
    let (micros, id) = cursor.split_once('.')?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at.naive_utc(), id.parse().ok()?))
}

/// One room as its participant opens it.
#[server(endpoint = "chat/room")]
pub async fn chat_room(room: u64) -> Result<RoomView, AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let state = request::state()?;
    repo::room_view(&state.pool, participants, caller.id, state.clock.now()).await
}

/// History: the newest page (`before` = 0), the page before message `before`, or — with
/// `after` — everything since message `after` (catch-up after a reconnect, 200 at most).
#[server(endpoint = "chat/history")]
pub async fn chat_history(
    room: u64,
    #[server(default)] before: u64,
    #[server(default)] after: u64,
) -> Result<HistoryPage, AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let pool = &request::state()?.pool;
    if after > 0 {
        let messages =
            retry_read(|| repo::history_after(pool, participants.room_id, after, 200)).await?;
        return Ok(HistoryPage {
            messages,
            has_older: true,
        });
    }
    let before = if before == 0 { u64::MAX } else { before };
    let (messages, has_older) =
        retry_read(|| repo::history_before(pool, participants.room_id, before, HISTORY_PAGE))
            .await?;
    Ok(HistoryPage {
        messages,
        has_older,
    })
}

/// Unread messages over all the caller's rooms (header badge); 0 for visitors.
#[server(endpoint = "chat/unread")]
pub async fn chat_unread() -> Result<u32, AppError> {
    match request::caller().await? {
        Some(caller) => repo::unread_total(&request::state()?.pool, caller.id).await,
        None => Ok(0),
    }
}

/// Deletes the caller's own message for good; both sides see "삭제됨".
#[server(endpoint = "chat/delete")]
pub async fn delete_chat_message(room: u64, message: u64) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let state = request::state()?;
    let now = state.clock.now();
    let deleted = crate::server::db::retry_conflicts(|| {
        repo::delete_message(&state.pool, participants, caller.id, message, now)
    })
    .await?;
    if !deleted {
        return Err(AppError::Rejected(
            "내가 보낸 메시지만 지울 수 있어요.".into(),
        ));
    }
    state.chat.publish(
        &[participants.buyer_id, participants.seller_id],
        &ServerFrame::Deleted { room, id: message },
        None,
    );
    Ok(())
}

/// Reports the other participant's message (CHAT_004), once per message.
#[server(endpoint = "chat/report")]
pub async fn report_chat_message(room: u64, message: u64, reason: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let reason = ReportReason::parse(&reason)
        .ok_or_else(|| AppError::field("reason", "신고 사유를 골라 주세요."))?;
    let state = request::state()?;
    state
        .limiters
        .check_member(crate::server::limits::Limit::Report, caller.id)?;
    let now = state.clock.now();
    let reported = crate::server::db::retry_conflicts(|| {
        repo::report(&state.pool, participants, caller.id, message, reason, now)
    })
    .await?;
    if let Some(until) = reported.restricted_until {
        state.chat.forget_restrictions();
        // Their open rooms swap the composer for the notice at once.
        state.chat.publish(
            &[reported.sender],
            &ServerFrame::Restricted { until: Some(until) },
            None,
        );
    }
    Ok(())
}

/// Blocks (or unblocks) the other participant of `room`: no messages either way.
#[server(endpoint = "chat/block")]
pub async fn block_chat_member(room: u64, on: bool) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let state = request::state()?;
    repo::set_blocked(
        &state.pool,
        caller.id,
        participants.other(caller.id),
        on,
        state.clock.now(),
    )
    .await
}

/// Turns the room's new-message notifications off (or on) for the caller.
#[server(endpoint = "chat/mute")]
pub async fn mute_chat(room: u64, on: bool) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let state = request::state()?;
    repo::set_muted(&state.pool, participants, caller.id, on, state.clock.now()).await
}

/// Leaves the room (ROOM_002); the last one out deletes it with its messages.
#[server(endpoint = "chat/leave")]
pub async fn leave_chat(room: u64) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let participants = my_room(&caller, room).await?;
    let state = request::state()?;
    let now = state.clock.now();
    crate::server::db::retry_conflicts(|| repo::leave(&state.pool, participants, caller.id, now))
        .await
}

/// The banned-word list. Admins.
#[server(endpoint = "chat/banned-words")]
pub async fn banned_words() -> Result<Vec<String>, AppError> {
    request::require_admin().await?;
    repo::banned_words(&request::state()?.pool).await
}

/// Adds (`on`) or removes a banned word. Admins; takes effect on this instance at once
/// and on the others within 30 seconds.
#[server(endpoint = "chat/banned-words/set")]
pub async fn set_banned_word(word: String, on: bool) -> Result<(), AppError> {
    let caller = request::require_admin().await?;
    let word = super::types::validate_banned_word(&word).map_err(|m| AppError::field("word", m))?;
    let state = request::state()?;
    if on {
        if !repo::add_banned_word(&state.pool, &word, caller.id, state.clock.now()).await? {
            return Err(AppError::field(
                "word",
                format!("‘{word}’은(는) 이미 금지어예요."),
            ));
        }
    } else {
        repo::remove_banned_word(&state.pool, &word, caller.id, state.clock.now()).await?;
    }
    state.chat.forget_banned_words();
    Ok(())
}
