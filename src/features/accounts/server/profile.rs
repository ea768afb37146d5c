//! 내 정보 수정 and 비밀번호 변경: the SQL.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use crate::error::{AppError, AppResult};
use crate::features::accounts::types::UniqueField;
use crate::features::accounts::types::profile::ValidProfile;
use crate::server::db;
use crate::server::mail::Mail;
use crate::ui::format::korean_datetime;

pub async fn password_hash(pool: &MySqlPool, member_id: u64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT password_hash FROM member WHERE id = ? AND withdrawn_at IS NULL",
        member_id
    )
    .fetch_optional(pool)
    .await?)
}

/// Writes the profile; a nickname someone else holds is a field error.
pub async fn update(
    pool: &MySqlPool,
    member_id: u64,
    profile: &ValidProfile,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // The unique key says whether someone else holds the nickname, also one taken a
    // moment ago; keeping one's own is no conflict.
    db::retry_conflicts(|| async {
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
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AppError::field("nickname", UniqueField::Nickname.taken_message())
            }
            _ => e.into(),
        })
    })
    .await
    .map(drop)
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

/// Whether another live member has proved this address.
pub async fn email_taken(pool: &MySqlPool, email: &str, member_id: u64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "SELECT 1 AS `x: i32` FROM member WHERE live_email = ? AND id <> ?",
        email,
        member_id
    )
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// The refusal of an address another member signed up with.
pub fn email_taken_error() -> AppError {
    AppError::field("email", UniqueField::Email.taken_message())
}

/// The proved address replaces the old one, unless someone took it meanwhile.
pub async fn set_email(
    pool: &MySqlPool,
    member_id: u64,
    email: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // The unique key refuses an address someone took since the code was sent.
    sqlx::query!(
        "UPDATE member SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?",
        email,
        now.naive_utc(),
        now.naive_utc(),
        member_id
    )
    .execute(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => email_taken_error(),
        _ => e.into(),
    })?;
    Ok(())
}

/// To the old address after a change, so a taken-over account does not go unnoticed.
pub fn email_changed_mail(old: &str, nickname: &str, new: &str, now: DateTime<Utc>) -> Mail {
    Mail {
        to: old.to_owned(),
        subject: "[책빵] 이메일 주소가 바뀌었어요".to_owned(),
        paragraphs: vec![
            format!(
                "{nickname}님 계정의 이메일이 {} 에 {new}(으)로 바뀌었어요. 앞으로 책빵의 메일은 새 주소로 갑니다.",
                korean_datetime(now)
            ),
            "본인이 바꾼 것이 아니라면 바로 로그인 화면의 '비밀번호 재설정'으로 계정을 되찾고 알려 주세요.".to_owned(),
        ],
        link: None,
    }
}
