//! 내 정보 수정 and 비밀번호 변경: the SQL.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use crate::error::{AppError, AppResult, FieldError};
use crate::features::accounts::types::UniqueField;
use crate::features::accounts::types::profile::ValidProfile;
use crate::server::db;

pub async fn password_hash(pool: &MySqlPool, member_id: u64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT password_hash FROM member WHERE id = ? AND withdrawn_at IS NULL",
        member_id
    )
    .fetch_optional(pool)
    .await?)
}

/// Writes the profile; a nickname someone else holds is a field error, also when they
/// took it a moment ago.
pub async fn update(
    pool: &MySqlPool,
    member_id: u64,
    profile: &ValidProfile,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let taken = sqlx::query_scalar!(
        "SELECT 1 AS `x: i32` FROM member WHERE nickname = ? AND id <> ?",
        profile.nickname.as_str(),
        member_id
    )
    .fetch_optional(pool)
    .await?;
    let nickname_taken = || {
        AppError::Validation(vec![FieldError {
            field: "nickname".into(),
            message: UniqueField::Nickname.taken_message().into(),
        }])
    };
    if taken.is_some() {
        return Err(nickname_taken());
    }
    let written = db::retry_conflicts(|| async {
        sqlx::query!(
            "UPDATE member SET name = ?, nickname = ?, birth_date = ?, phone = ?, gender = ?,
                               updated_at = ?
             WHERE id = ?",
            profile.name.as_str(),
            profile.nickname.as_str(),
            profile.birth_date.date(),
            profile.phone.as_ref().map(|p| p.as_str()),
            profile.gender.map(|g| g.as_db()),
            now.naive_utc(),
            member_id
        )
        .execute(pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => nickname_taken(),
            _ => e.into(),
        })
    })
    .await;
    written.map(|_| ())
}

pub async fn set_password(
    pool: &MySqlPool,
    member_id: u64,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member SET password_hash = ?, updated_at = ? WHERE id = ?",
        password_hash,
        now.naive_utc(),
        member_id
    )
    .execute(pool)
    .await?;
    Ok(())
}
