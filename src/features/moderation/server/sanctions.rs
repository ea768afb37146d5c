//! Admins' sanctions on members: a warning, a suspension for some days, or a ban. Each is
//! one transaction with the member's notice (the reason, and until when) and the audit
//! entry; a ban also ends every session. Sanctions end by time alone: "running" is
//! always `ends_at > now AND lifted_at IS NULL`, read where it matters (the session
//! lookup, the chat hub), so nothing has to run when one ends.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::MySqlPool;

use super::audit;
use crate::error::{AppError, AppResult};
use crate::features::moderation::types::{AuditAction, SanctionKind, banned_message};
use crate::features::notifications::server::repo::{NewNotice, raise};
use crate::features::notifications::types::NoticeKind;
use crate::ui::format::korean_datetime;

/// A ban's end: never, in practice.
fn forever() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date")
        .and_utc()
}

/// Imposes `kind` on `member` for `days` (suspensions only); when it ends.
pub async fn impose(
    pool: &MySqlPool,
    admin: u64,
    member: u64,
    kind: SanctionKind,
    days: u32,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<DateTime<Utc>> {
    let mut tx = pool.begin().await?;
    let target = sqlx::query!(
        "SELECT is_admin AS `is_admin: bool`, withdrawn_at IS NOT NULL AS `gone: bool`
         FROM member WHERE id = ? FOR UPDATE",
        member
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if target.is_admin {
        return Err(AppError::Rejected("관리자는 제재할 수 없어요.".into()));
    }
    if target.gone {
        return Err(AppError::Rejected("탈퇴한 회원이에요.".into()));
    }
    let ends_at = match kind {
        SanctionKind::Warn => now,
        SanctionKind::Suspend => now + Duration::days(i64::from(days)),
        SanctionKind::Ban => forever(),
    };
    let id = sqlx::query!(
        "INSERT INTO sanction (member_id, kind, reason, source, starts_at, ends_at, created_by)
         VALUES (?, ?, ?, 'admin', ?, ?, ?)",
        member,
        kind.as_db(),
        reason,
        now.naive_utc(),
        ends_at.naive_utc(),
        admin
    )
    .execute(&mut *tx)
    .await?
    .last_insert_id();
    let (body, action, detail) = match kind {
        SanctionKind::Warn => (
            format!("운영 정책 위반으로 경고를 받았어요. 사유: {reason}"),
            AuditAction::MemberWarned,
            reason.to_owned(),
        ),
        SanctionKind::Suspend => (
            format!(
                "운영 정책 위반으로 {}까지 판매·구매·채팅이 정지됐어요. 사유: {reason}",
                korean_datetime(ends_at)
            ),
            AuditAction::MemberSuspended,
            format!("{days}일 · {reason}"),
        ),
        SanctionKind::Ban => (
            banned_message(reason),
            AuditAction::MemberBanned,
            reason.to_owned(),
        ),
    };
    let event = format!("s{id}");
    let notice = NewNotice {
        member_id: member,
        kind: NoticeKind::Sanction,
        event: &event,
        subject_id: member,
        body: &body,
        link: "/notifications",
    };
    raise(&mut tx, &notice, now).await?;
    if kind == SanctionKind::Ban {
        sqlx::query!("DELETE FROM session WHERE member_id = ?", member)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(&mut tx, admin, action, member, &detail, now).await?;
    tx.commit().await?;
    Ok(ends_at)
}

/// Why `member` is banned, if they are now (`ix_sanction_member`).
pub async fn ban_reason(
    pool: &MySqlPool,
    member: u64,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT reason FROM sanction
         WHERE member_id = ? AND ends_at > ? AND lifted_at IS NULL AND kind = 'ban'
         LIMIT 1",
        member,
        now.naive_utc()
    )
    .fetch_optional(pool)
    .await?)
}
