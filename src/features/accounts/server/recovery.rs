//! Finding a forgotten ID and resetting a forgotten password: the SQL and the mails.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::repo::throttle_key;
use crate::error::{AppError, AppResult};
use crate::features::accounts::types::recovery::{CODE_ATTEMPTS, CODE_MINUTES, CodePurpose};
use crate::server::db;
use crate::server::mail::Mail;
use crate::ui::format::korean_datetime;

/// A live member as recovery sees them.
pub struct Holder {
    pub id: u64,
    pub login_id: String,
    pub nickname: String,
    pub email: String,
}

/// The live member with this name and email (both as given at sign-up): the one who
/// proved the address, else the newest who gave it (the code goes to that mailbox).
pub async fn by_name_and_email(
    pool: &MySqlPool,
    name: &str,
    email: &str,
) -> AppResult<Option<Holder>> {
    Ok(sqlx::query_as!(
        Holder,
        "SELECT id, login_id, nickname, email FROM member
         WHERE email = ? AND name = ? AND withdrawn_at IS NULL
         ORDER BY email_verified_at IS NULL, id DESC LIMIT 1",
        email,
        name
    )
    .fetch_optional(pool)
    .await?)
}

/// The live member with this login ID (and, when given, this email).
pub async fn by_login_id(
    pool: &MySqlPool,
    login_id: &str,
    email: Option<&str>,
) -> AppResult<Option<Holder>> {
    let found = sqlx::query_as!(
        Holder,
        "SELECT id, login_id, nickname, email FROM member
         WHERE login_id = ? AND withdrawn_at IS NULL",
        login_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(found.filter(|h| email.is_none_or(|e| h.email == e)))
}

/// The live member with this id.
pub async fn by_id(pool: &MySqlPool, id: u64) -> AppResult<Option<Holder>> {
    Ok(sqlx::query_as!(
        Holder,
        "SELECT id, login_id, nickname, email FROM member WHERE id = ? AND withdrawn_at IS NULL",
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// The new password, every session ended (the caller starts a fresh one for this
/// browser) and any login lock-out lifted: whoever could read the mailbox is the owner.
pub async fn set_password(
    pool: &MySqlPool,
    holder: &Holder,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db::retry_conflicts(|| async {
        let mut tx = pool.begin().await?;
        sqlx::query!(
            "UPDATE member SET password_hash = ?, updated_at = ? WHERE id = ?",
            password_hash,
            now.naive_utc(),
            holder.id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!("DELETE FROM session WHERE member_id = ?", holder.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "DELETE FROM login_throttle WHERE login_id = ?",
            throttle_key(&holder.login_id)
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The code, and for a reset or a sign-up a link that fills it in.
pub fn code_mail(holder: &Holder, purpose: CodePurpose, code: &str, public_url: &str) -> Mail {
    let link = match purpose {
        CodePurpose::ResetPassword => Some((
            "비밀번호 재설정하기".to_owned(),
            format!(
                "{public_url}/find/password?id={}&code={code}",
                crate::ui::format::percent_encode(&holder.login_id)
            ),
        )),
        CodePurpose::VerifyEmail => Some((
            "이메일 인증하기".to_owned(),
            format!("{public_url}/verify?code={code}"),
        )),
        CodePurpose::FindId | CodePurpose::ChangeEmail => None,
    };
    let not_me = match purpose {
        CodePurpose::VerifyEmail => {
            "책빵에 가입한 적이 없다면 누군가 주소를 잘못 적은 거예요. 이 메일은 무시해 주세요. 인증하지 않은 계정으로는 아무것도 팔거나 살 수 없어요."
        }
        _ => "요청하지 않았다면 이 메일은 무시해 주세요. 계정은 그대로예요.",
    };
    Mail {
        to: holder.email.clone(),
        subject: format!("[책빵] {} 인증 코드 {code}", purpose.label()),
        paragraphs: vec![
            format!(
                "{}님, {} 인증 코드는 {code} 입니다.",
                holder.nickname,
                purpose.label()
            ),
            format!("{CODE_MINUTES}분 동안, 한 번만 쓸 수 있어요."),
            not_me.to_owned(),
        ],
        link,
    }
}

/// To the mailbox owner when a code was guessed wrong until it died.
pub fn exhausted_mail(holder: &Holder, purpose: CodePurpose, now: DateTime<Utc>) -> Mail {
    Mail {
        to: holder.email.clone(),
        subject: format!("[책빵] {} 인증 코드가 {CODE_ATTEMPTS}번 틀렸어요", purpose.label()),
        paragraphs: vec![
            format!(
                "{}님 계정의 {} 인증 코드가 {} 까지 {CODE_ATTEMPTS}번 틀리게 입력되어, 그 코드는 더 이상 쓸 수 없어요.",
                holder.nickname,
                purpose.label(),
                korean_datetime(now)
            ),
            "본인이 아니라면 누군가 계정에 들어가려 한 것일 수 있어요. 비밀번호를 바꾸고, 같은 비밀번호를 쓰는 다른 곳도 바꿔 주세요.".to_owned(),
        ],
        link: None,
    }
}

/// After a reset or a change: what changed, and that every other device was signed out.
pub fn password_changed_mail(holder: &Holder, now: DateTime<Utc>) -> Mail {
    Mail {
        to: holder.email.clone(),
        subject: "[책빵] 비밀번호가 바뀌었어요".to_owned(),
        paragraphs: vec![
            format!(
                "{}님의 비밀번호가 {} 에 바뀌었고, 다른 기기의 로그인은 모두 끝났어요.",
                holder.nickname,
                korean_datetime(now)
            ),
            "본인이 바꾼 것이 아니라면 바로 로그인 화면의 '비밀번호 재설정'으로 되찾아 주세요."
                .to_owned(),
        ],
        link: None,
    }
}

/// The live member holding this address, whatever their name.
pub async fn by_email(pool: &MySqlPool, email: &str) -> AppResult<Option<Holder>> {
    Ok(sqlx::query_as!(
        Holder,
        "SELECT id, login_id, nickname, email FROM member WHERE live_email = ?",
        email
    )
    .fetch_optional(pool)
    .await?)
}

/// The mailbox is proved: the account is active and the address its own. Another
/// account that proved the same address first keeps it (the unique key says so).
pub async fn mark_verified(pool: &MySqlPool, member_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member SET email_verified_at = ?, updated_at = ?
         WHERE id = ? AND email_verified_at IS NULL",
        now.naive_utc(),
        now.naive_utc(),
        member_id
    )
    .execute(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => email_proved_elsewhere(),
        _ => e.into(),
    })?;
    Ok(())
}

/// Verifying an address another account has already proved.
pub fn email_proved_elsewhere() -> AppError {
    AppError::Rejected(
        "이 이메일은 다른 계정에서 먼저 인증했어요. 내 정보에서 이메일을 바꿔 인증해 주세요."
            .into(),
    )
}

/// To the owner of an address someone else just tried to sign up with.
pub fn foreign_signup_mail(holder: &Holder, now: DateTime<Utc>) -> Mail {
    Mail {
        to: holder.email.clone(),
        subject: "[책빵] 누군가 이 이메일로 가입하려고 했어요".to_owned(),
        paragraphs: vec![
            format!(
                "{} 에 누군가 {}님의 이메일 주소로 책빵에 새로 가입하려고 했어요. 이 주소는 이미 {}님 계정에 쓰이고 있어 가입되지 않았어요.",
                korean_datetime(now),
                holder.nickname,
                holder.nickname
            ),
            "본인이 시도했다면 아이디 찾기로 기존 계정을 찾을 수 있어요. 본인이 아니라면 이 메일은 무시해도 되고, 계정은 그대로예요.".to_owned(),
        ],
        link: None,
    }
}
