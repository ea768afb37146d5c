use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::audit;
use crate::error::{AppError, AppResult};
use crate::features::chat::server::repo::{erase_message, is_duplicate_key};
use crate::features::chat::types::ReportReason;
use crate::features::moderation::types::{
    AUTO_RESTRICT_REPORTERS, AUTO_RESTRICT_WINDOW_DAYS, AuditAction, ChatRestriction,
    FIRST_RESTRICTION_HOURS, REPEAT_RESTRICTION_HOURS, REPEAT_WINDOW_DAYS, ReportOutcome,
    ReportQueue, ReportedMessage, RestrictionKind, SENDER_REPORT_WINDOW_DAYS, SanctionSource,
    UNTRUSTED_REPORTER_DISMISSALS, restricted_message,
};

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
                r.sender_id, s.nickname AS sender_nickname, r.body,
                m.deleted_at IS NOT NULL AS `deleted?: bool`, m.id IS NULL AS `room_gone!: bool`,
                r.sent_at,
                p.nickname AS reporter_nickname,
                (SELECT COUNT(*) FROM chat_report x
                  WHERE x.sender_id = r.sender_id AND x.created_at >= ?) AS `sender_recent!: i64`,
                (SELECT COUNT(*) FROM chat_report d
                  WHERE d.reporter_id = r.reporter_id AND d.outcome = 'dismissed') AS `reporter_dismissed!: i64`
         FROM chat_report r
         LEFT JOIN chat_message m ON m.room_id = r.room_id AND m.id = r.message_id
         JOIN member s ON s.id = r.sender_id
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
            deleted: r.deleted.unwrap_or(false),
            room_gone: r.room_gone,
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

/// The message's room and sender, whether this call erased it, and whether dismissing
/// it lifted the sender's automatic restriction.
pub struct Closed {
    pub room_id: u64,
    pub sender_id: u64,
    pub erased: bool,
    pub lifted: bool,
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
    // From the report, not the message: the room may be gone.
    let reported = sqlx::query!(
        "SELECT room_id, sender_id FROM chat_report WHERE message_id = ? LIMIT 1",
        message_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(message) = reported else {
        let exists = sqlx::query_scalar!("SELECT id FROM chat_message WHERE id = ?", message_id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            Some(_) => AppError::Rejected("이미 처리했거나 신고가 없는 메시지예요.".into()),
            None => AppError::NotFound,
        });
    };
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
    let lifted = outcome == ReportOutcome::Dismissed
        && lift_if_unfounded(&mut tx, message.sender_id, admin, now).await?;
    let action = match outcome {
        ReportOutcome::Deleted => AuditAction::ChatMessageDeleted,
        ReportOutcome::Dismissed => AuditAction::ChatReportDismissed,
    };
    audit::record(&mut tx, admin, action, message_id, "", now).await?;
    tx.commit().await?;
    Ok(Closed {
        room_id: message.room_id,
        sender_id: message.sender_id,
        erased,
        lifted,
    })
}

/// Members whose chat reports count towards the report rule: distinct reporters of
/// `sender`'s messages in `(since, until]`, leaving out dismissed reports and reporters
/// with `UNTRUSTED_REPORTER_DISMISSALS` dismissed reports (`ix_chat_report_sender`,
/// then `ix_chat_report_reporter` per reporter).
async fn counted_reporters(
    conn: &mut MySqlConnection,
    sender: u64,
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<u32> {
    let n = sqlx::query_scalar!(
        "SELECT COUNT(DISTINCT r.reporter_id) AS `n!: i64`
         FROM chat_report r
         WHERE r.sender_id = ? AND r.created_at > ? AND r.created_at <= ?
           AND (r.outcome IS NULL OR r.outcome = 'deleted')
           AND (SELECT COUNT(*) FROM chat_report d
                 WHERE d.reporter_id = r.reporter_id AND d.outcome = 'dismissed') < ?",
        sender,
        since,
        until,
        UNTRUSTED_REPORTER_DISMISSALS
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The report rule (`AUTO_RESTRICT_REPORTERS`), run in the transaction that stored a
/// report against `sender`: the end of the restriction this report tipped, if it did.
/// The transaction reads committed data (see `chat::server::repo::report`), so a report made a
/// moment earlier by someone else is counted.
pub async fn restrict_if_reported(
    conn: &mut MySqlConnection,
    sender: u64,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    // Reports against one member are judged one after another on a node: a second report
    // waits here, then (reading committed data) counts the first one's reporter.
    sqlx::query!("SELECT id FROM member WHERE id = ? FOR UPDATE", sender)
        .fetch_one(&mut *conn)
        .await?;
    let at = now.naive_utc();
    let past = sqlx::query!(
        "SELECT MAX(IF(source = 'reports', starts_at, NULL)) AS last_rule,
                MAX(IF(source = 'reports' AND lifted_at IS NULL, starts_at, NULL)) AS last_upheld,
                CAST(COALESCE(MAX(ends_at > ? AND lifted_at IS NULL), 0) AS SIGNED) AS `active!: i64`,
                CAST(COALESCE(MAX(rule_seq), 0) AS UNSIGNED) AS `rules!: u64`
         FROM sanction WHERE member_id = ? AND kind = 'chat'",
        at,
        sender
    )
    .fetch_one(&mut *conn)
    .await?;
    if past.active != 0 {
        return Ok(None);
    }
    // Reports that already led to a restriction do not count again.
    let window_start = (now - Duration::days(AUTO_RESTRICT_WINDOW_DAYS)).naive_utc();
    let since = past
        .last_rule
        .map_or(window_start, |last| last.max(window_start));
    let reporters = counted_reporters(conn, sender, since, at).await?;
    if reporters < AUTO_RESTRICT_REPORTERS {
        return Ok(None);
    }
    let repeat_since = (now - Duration::days(REPEAT_WINDOW_DAYS)).naive_utc();
    let hours = if past.last_upheld.is_some_and(|last| last >= repeat_since) {
        REPEAT_RESTRICTION_HOURS
    } else {
        FIRST_RESTRICTION_HOURS
    };
    let ends = now + Duration::hours(hours);
    let inserted = sqlx::query!(
        "INSERT INTO sanction (member_id, kind, source, reporters, rule_seq, starts_at, ends_at)
         VALUES (?, 'chat', 'reports', ?, ?, ?, ?)",
        sender,
        reporters,
        past.rules + 1,
        at,
        ends.naive_utc()
    )
    .execute(&mut *conn)
    .await;
    let id = match inserted {
        Ok(done) => done.last_insert_id(),
        // Another report imposed this very restriction a moment ago.
        Err(e) if is_duplicate_key(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    sqlx::query!(
        "INSERT INTO notification (member_id, kind, subject_id, body, link, created_at)
         VALUES (?, 'sanction', ?, ?, '/chat', ?)",
        sender,
        id,
        restricted_message(ends),
        at
    )
    .execute(&mut *conn)
    .await?;
    tracing::info!(
        member = sender,
        reporters,
        hours,
        "chat restricted by the report rule"
    );
    Ok(Some(ends))
}

/// After an admin dismissed a report against `sender`: lifts their running automatic
/// restriction if the reports behind it no longer reach the rule; whether it did.
async fn lift_if_unfounded(
    conn: &mut MySqlConnection,
    sender: u64,
    admin: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = now.naive_utc();
    let Some(running) = sqlx::query!(
        "SELECT id, starts_at,
                (SELECT MAX(p.starts_at) FROM sanction p
                  WHERE p.member_id = s.member_id AND p.source = 'reports' AND p.id < s.id) AS previous
         FROM sanction s
         WHERE s.member_id = ? AND s.source = 'reports' AND s.lifted_at IS NULL AND s.ends_at > ?
         ORDER BY s.id DESC LIMIT 1 FOR UPDATE",
        sender,
        at
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    let window_start = running.starts_at - Duration::days(AUTO_RESTRICT_WINDOW_DAYS);
    let since = running
        .previous
        .map_or(window_start, |p| p.max(window_start));
    if counted_reporters(conn, sender, since, running.starts_at).await? >= AUTO_RESTRICT_REPORTERS {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE sanction SET lifted_at = ?, lifted_by = ? WHERE id = ?",
        at,
        admin,
        running.id
    )
    .execute(&mut *conn)
    .await?;
    tracing::info!(
        member = sender,
        "automatic chat restriction lifted: reports dismissed"
    );
    Ok(true)
}

/// Everyone restricted from chat now, soonest to end first (`ix_sanction_ends`).
pub async fn active_restrictions(
    pool: &MySqlPool,
    now: DateTime<Utc>,
    limit: u32,
) -> AppResult<Vec<ChatRestriction>> {
    let rows = sqlx::query!(
        "SELECT s.id, s.member_id, m.nickname, s.source AS `source: String`, s.reporters,
                s.starts_at, s.ends_at, s.kind AS `kind: String`, s.reason
         FROM sanction s JOIN member m ON m.id = s.member_id
         WHERE s.ends_at > ? AND s.lifted_at IS NULL AND s.kind IN ('chat', 'suspend', 'ban')
         ORDER BY s.ends_at, s.id
         LIMIT ?",
        now.naive_utc(),
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ChatRestriction {
            id: r.id,
            member_id: r.member_id,
            nickname: r.nickname,
            // The column is an ENUM of exactly these values.
            source: SanctionSource::parse(&r.source).unwrap_or(SanctionSource::Admin),
            reporters: r.reporters,
            starts_at: r.starts_at.and_utc(),
            ends_at: r.ends_at.and_utc(),
            kind: RestrictionKind::parse(&r.kind).unwrap_or(RestrictionKind::Chat),
            reason: r.reason,
        })
        .collect())
}

/// Restricted members and when their restriction ends, for the chat hub's cache (a
/// short list: only running restrictions).
pub async fn restricted_members(
    pool: &MySqlPool,
    now: DateTime<Utc>,
) -> AppResult<HashMap<u64, DateTime<Utc>>> {
    let rows = sqlx::query!(
        "SELECT member_id, MAX(ends_at) AS `ends_at!: NaiveDateTime` FROM sanction
         WHERE ends_at > ? AND lifted_at IS NULL AND kind IN ('chat', 'suspend', 'ban')
         GROUP BY member_id",
        now.naive_utc()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.member_id, r.ends_at.and_utc()))
        .collect())
}

/// When `member`'s chat restriction ends, if they have one now (`ix_sanction_member`).
pub async fn restricted_until(
    pool: &MySqlPool,
    member: u64,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let until = sqlx::query_scalar!(
        "SELECT MAX(ends_at) FROM sanction
         WHERE member_id = ? AND ends_at > ? AND lifted_at IS NULL
           AND kind IN ('chat', 'suspend', 'ban')",
        member,
        now.naive_utc()
    )
    .fetch_one(pool)
    .await?;
    Ok(until.map(|at| at.and_utc()))
}

/// An admin ends a running restriction early; the member it was on.
pub async fn lift_restriction(
    pool: &MySqlPool,
    id: u64,
    admin: u64,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut tx = pool.begin().await?;
    let member = sqlx::query_scalar!(
        "SELECT member_id FROM sanction
         WHERE id = ? AND lifted_at IS NULL AND ends_at > ? FOR UPDATE",
        id,
        now.naive_utc()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::Rejected("이미 끝났거나 해제된 제한이에요.".into()))?;
    sqlx::query!(
        "UPDATE sanction SET lifted_at = ?, lifted_by = ? WHERE id = ?",
        now.naive_utc(),
        admin,
        id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, admin, AuditAction::RestrictionLifted, id, "", now).await?;
    tx.commit().await?;
    Ok(member)
}
