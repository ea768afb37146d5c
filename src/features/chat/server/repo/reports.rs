//! Reports of messages, and the banned-word list.

use crate::features::moderation::server::audit;
use crate::features::moderation::types::AuditAction;
use chrono::{DateTime, Utc};

use sqlx::{Connection, MySqlPool};

use super::{Participants, is_duplicate_key};
use crate::error::{AppError, AppResult};
use crate::features::chat::types::ReportReason;
use crate::features::moderation;

/// CHAT_004: the other participant's message, once per reporter. In the same
/// transaction the report rule may restrict the sender: the restriction's end if this
/// report tipped it.
pub async fn report(
    pool: &MySqlPool,
    room: Participants,
    reporter: u64,
    message_id: u64,
    reason: ReportReason,
    now: DateTime<Utc>,
) -> AppResult<Reported> {
    let mut conn = pool.acquire().await?;
    // Each statement sees what others committed, so two reports at once do not each
    // count the other's reporter out (REPEATABLE READ would keep the first snapshot).
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *conn)
        .await?;
    let mut tx = conn.begin().await?;
    let message = sqlx::query!(
        "SELECT sender_id, body, created_at FROM chat_message WHERE room_id = ? AND id = ?",
        room.room_id,
        message_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let sender = message.sender_id;
    if sender == reporter {
        return Err(AppError::Rejected("내 메시지는 신고할 수 없어요.".into()));
    }
    let inserted = sqlx::query!(
        // The message as reported: the report outlives the room (both members leaving
        // deletes it) and any later erasure.
        "INSERT INTO chat_report
             (room_id, message_id, reporter_id, sender_id, body, sent_at, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        room.room_id,
        message_id,
        reporter,
        sender,
        message.body,
        message.created_at,
        reason.as_str(),
        now.naive_utc()
    )
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_duplicate_key(&e) => {
            return Err(AppError::Rejected("이미 신고한 메시지예요.".into()));
        }
        Err(e) => return Err(e.into()),
    }
    let restricted_until =
        moderation::server::repo::restrict_if_reported(&mut tx, sender, now).await?;
    tx.commit().await?;
    Ok(Reported {
        sender,
        restricted_until,
    })
}

/// What a report did: whom it was against, and the restriction it tipped, if any.
pub struct Reported {
    pub sender: u64,
    pub restricted_until: Option<DateTime<Utc>>,
}

/// The banned-word list, normalized for matching.
pub async fn banned_words(pool: &MySqlPool) -> AppResult<Vec<String>> {
    let words = sqlx::query_scalar!("SELECT word FROM banned_word ORDER BY word")
        .fetch_all(pool)
        .await?;
    Ok(words
        .iter()
        .map(|w| crate::features::chat::types::fold_for_filter(w))
        .collect())
}

/// False if the word was on the list already.
pub async fn add_banned_word(
    pool: &MySqlPool,
    word: &str,
    admin: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query!(
        "INSERT IGNORE INTO banned_word (word, created_at, created_by) VALUES (?, ?, ?)",
        word,
        now.naive_utc(),
        admin
    )
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(&mut tx, admin, AuditAction::BannedWordAdded, 0, word, now).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn remove_banned_word(
    pool: &MySqlPool,
    word: &str,
    admin: u64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query!("DELETE FROM banned_word WHERE word = ?", word)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() > 0 {
        audit::record(&mut tx, admin, AuditAction::BannedWordRemoved, 0, word, now).await?;
        tx.commit().await?;
    }
    Ok(())
}
