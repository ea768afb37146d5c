use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use super::types::{ReportOutcome, ReportQueue, ReportedMessage, SENDER_REPORT_WINDOW_DAYS};
use crate::error::{AppError, AppResult};
use crate::features::chat::repo::erase_message;
use crate::features::chat::types::ReportReason;

/// Open reports, newest message first, keyset-paged on the message id (one report per
/// message, see `ReportedMessage`): `ix_chat_report_open` gives the range
/// (handled_at IS NULL, message_id < before) in order, so a page reads `limit + 1`
/// reports and their two small per-member counts.
pub async fn open_reports(
    pool: &MySqlPool,
    before: Option<u64>,
    limit: u32,
    now: DateTime<Utc>,
) -> AppResult<ReportQueue> {
    let since = (now - Duration::days(SENDER_REPORT_WINDOW_DAYS)).naive_utc();
    let rows = sqlx::query!(
        "SELECT r.message_id, r.reason AS `reason: String`, r.created_at AS reported_at,
                m.sender_id, s.nickname AS sender_nickname, m.body,
                m.deleted_at IS NOT NULL AS `deleted!: bool`, m.created_at AS sent_at,
                p.nickname AS reporter_nickname,
                (SELECT COUNT(*) FROM chat_report x
                  WHERE x.sender_id = r.sender_id AND x.created_at >= ?) AS `sender_recent!: i64`,
                (SELECT COUNT(*) FROM chat_report d
                  WHERE d.reporter_id = r.reporter_id AND d.outcome = 'dismissed') AS `reporter_dismissed!: i64`
         FROM chat_report r
         JOIN chat_message m ON m.room_id = r.room_id AND m.id = r.message_id
         JOIN member s ON s.id = m.sender_id
         JOIN member p ON p.id = r.reporter_id
         WHERE r.handled_at IS NULL AND r.message_id < ?
         ORDER BY r.message_id DESC
         LIMIT ?",
        since,
        before.unwrap_or(u64::MAX),
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut items = rows
        .into_iter()
        .map(|r| ReportedMessage {
            message_id: r.message_id,
            sender_id: r.sender_id,
            sender_nickname: r.sender_nickname,
            body: r.body,
            deleted: r.deleted,
            sent_at: r.sent_at.and_utc(),
            // The column is an ENUM of exactly these values.
            reason: ReportReason::parse(&r.reason).unwrap_or(ReportReason::Other),
            reported_at: r.reported_at.and_utc(),
            reporter_nickname: r.reporter_nickname,
            sender_recent_reports: count(r.sender_recent),
            reporter_dismissed: count(r.reporter_dismissed),
        })
        .collect::<Vec<_>>();
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|m| m.message_id)
    } else {
        None
    };
    Ok(ReportQueue { items, next })
}

/// The message's room, and whether this call erased it.
pub struct Closed {
    pub room_id: u64,
    pub erased: bool,
}

/// Closes the open report(s) on `message_id` with `outcome`, erasing the message when
/// the outcome is `Deleted`, in one transaction. A second admin acting on the same
/// message is told it was handled already (the report rows are locked by the update).
pub async fn close_reports(
    pool: &MySqlPool,
    message_id: u64,
    admin: u64,
    outcome: ReportOutcome,
    now: DateTime<Utc>,
) -> AppResult<Closed> {
    let mut tx = pool.begin().await?;
    let message = sqlx::query!(
        "SELECT room_id, sender_id FROM chat_message WHERE id = ?",
        message_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let closed = sqlx::query!(
        "UPDATE chat_report SET handled_at = ?, handled_by = ?, outcome = ?
         WHERE message_id = ? AND handled_at IS NULL",
        now.naive_utc(),
        admin,
        outcome.as_str(),
        message_id
    )
    .execute(&mut *tx)
    .await?;
    if closed.rows_affected() == 0 {
        return Err(AppError::Rejected(
            "이미 처리했거나 신고가 없는 메시지예요.".into(),
        ));
    }
    let erased = outcome == ReportOutcome::Deleted
        && erase_message(&mut tx, message.room_id, message_id, message.sender_id, now).await?;
    tx.commit().await?;
    Ok(Closed {
        room_id: message.room_id,
        erased,
    })
}
