//! Account server functions. Each authorizes its caller itself: these are public
//! HTTP endpoints (`/api/accounts/...`), not private calls.

use leptos::prelude::*;

use super::types::{AccountInfo, LoginInput, Me, SignupInput, UniqueField};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::repo::{self, FailedLogin},
    super::types::{Email, LOCK_MINUTES, LoginId, MAX_FAILED_LOGINS, Nickname},
    crate::error::FieldError,
    crate::server::{password, request, session},
    chrono::{DateTime, FixedOffset, Utc},
};

#[cfg(feature = "ssr")]
const BAD_CREDENTIALS: &str = "아이디 또는 비밀번호가 올바르지 않습니다.";

/// The signed-in member, or None for a visitor.
#[server(endpoint = "accounts/me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let Some(id) = request::current_member_id().await? else {
        return Ok(None);
    };
    let pool = &request::state()?.pool;
    crate::server::db::retry_read(|| repo::me(pool, id)).await
}

/// While-typing availability check of a unique field. Returns the message to show when
/// the value is not usable (badly formed or taken), None when it is free.
#[server(endpoint = "accounts/check")]
pub async fn check_available(
    field: UniqueField,
    value: String,
) -> Result<Option<String>, AppError> {
    let normalized = match field {
        UniqueField::LoginId => LoginId::parse(&value).map(|v| v.as_str().to_owned()),
        UniqueField::Email => Email::parse(&value).map(|v| v.as_str().to_owned()),
        UniqueField::Nickname => Nickname::parse(&value).map(|v| v.as_str().to_owned()),
    };
    let normalized = match normalized {
        Ok(v) => v,
        Err(message) => return Ok(Some(message)),
    };
    let taken = repo::is_taken(&request::state()?.pool, field, &normalized).await?;
    Ok(taken.then(|| field.taken_message().to_owned()))
}

#[server(endpoint = "accounts/signup")]
pub async fn signup(#[server(default)] input: SignupInput) -> Result<Me, AppError> {
    let state = request::state()?;
    let valid = input.validate(state.clock.today_kst())?;

    let mut taken = Vec::new();
    for (field, value) in [
        (UniqueField::LoginId, valid.login_id.as_str()),
        (UniqueField::Email, valid.email.as_str()),
        (UniqueField::Nickname, valid.nickname.as_str()),
    ] {
        if repo::is_taken(&state.pool, field, value).await? {
            taken.push(taken_error(field));
        }
    }
    if !taken.is_empty() {
        // Someone signing up with an address that is already a member's: its owner
        // hears of it (the form only says the address is taken).
        if taken
            .iter()
            .any(|e| e.field == UniqueField::Email.form_field())
            && let Some(holder) =
                super::server::recovery::by_email(&state.pool, valid.email.as_str()).await?
        {
            super::recovery::notify(super::server::recovery::foreign_signup_mail(
                &holder,
                state.clock.now(),
            ))
            .await;
        }
        return Err(AppError::Validation(taken));
    }

    let hash = password::hash(valid.password.expose().to_owned()).await?;
    let now = state.clock.now();
    // On Galera a concurrent sign-up of the same ID on another node arrives as a
    // certification conflict; run again, it is the duplicate below.
    let id = crate::server::db::retry_conflicts(|| async {
        let mut tx = state.pool.begin().await?;
        let id = match repo::insert_member(&mut tx, &valid, &hash, now).await {
            Ok(id) => id,
            // Lost a race with a concurrent sign-up of the same ID/email/nickname.
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                return Err(AppError::Validation(vec![taken_error(taken_field(
                    db.message(),
                ))]));
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(id)
    })
    .await?;
    tracing::info!(member_id = id, "member signed up");

    start_session(id).await?;
    super::verification::send_first_code(id).await;
    repo::me(&state.pool, id).await?.ok_or(AppError::Internal)
}

#[server(endpoint = "accounts/login")]
pub async fn login(#[server(default)] input: LoginInput) -> Result<Me, AppError> {
    let state = request::state()?;
    let now = state.clock.now();
    let login_id = input.login_id.trim().to_owned();
    let mut missing = Vec::new();
    if login_id.is_empty() {
        missing.push(field_error("login_id", "아이디를 입력해 주세요."));
    }
    if input.password.is_empty() {
        missing.push(field_error("password", "비밀번호를 입력해 주세요."));
    }
    if !missing.is_empty() {
        return Err(AppError::Validation(missing));
    }
    let ip = request::client_ip().unwrap_or_else(|| "unknown".to_owned());
    let ip = ip.as_str();

    // Known and unknown IDs go the same way (lock check, one hash, the same count and
    // message), so no answer tells whether an ID exists.
    if let Some(until) = repo::locked_until(&state.pool, &login_id, ip, now).await? {
        repo::log_attempt(&state.pool, &login_id, None, "locked", Some(ip), now).await?;
        return Err(AppError::Locked(lock_message(until, now)));
    }
    // An ID that could never have been signed up is unknown without asking the
    // database (whose ASCII column would refuse to compare it).
    let member = match LoginId::parse(&login_id) {
        Ok(id) => repo::login_record(&state.pool, id.as_str()).await?,
        Err(_) => None,
    };
    let (member_id, password_ok) = match member {
        Some(m) => (
            Some(m.id),
            password::verify(input.password, m.password_hash).await?,
        ),
        None => {
            password::burn_equal_time(input.password).await?;
            (None, false)
        }
    };
    let Some(member_id) = member_id.filter(|_| password_ok) else {
        let outcome = if member_id.is_some() {
            "bad_password"
        } else {
            "unknown_id"
        };
        repo::log_attempt(&state.pool, &login_id, member_id, outcome, Some(ip), now).await?;
        let until = now + chrono::Duration::minutes(LOCK_MINUTES);
        return Err(
            match crate::server::db::retry_conflicts(|| {
                repo::record_failed_login(&state.pool, &login_id, ip, MAX_FAILED_LOGINS, now, until)
            })
            .await?
            {
                FailedLogin::Remaining(left) => {
                    AppError::BadCredentials(format!("{BAD_CREDENTIALS} (남은 시도 {left}회)"))
                }
                FailedLogin::Locked => AppError::Locked(lock_message(until, now)),
            },
        );
    };
    repo::record_successful_login(&state.pool, &login_id, ip).await?;
    repo::log_attempt(
        &state.pool,
        &login_id,
        Some(member_id),
        "success",
        Some(ip),
        now,
    )
    .await?;
    start_session(member_id).await?;
    repo::me(&state.pool, member_id)
        .await?
        .ok_or(AppError::Internal)
}

#[server(endpoint = "accounts/logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = request::state()?;
    if let Some(token) = request::session_token() {
        session::delete(&state.pool, &token).await?;
    }
    request::append_set_cookie(&session::clear_cookie(state.config.secure_cookies()));
    Ok(())
}

/// The signed-in member's own account details (내 정보). Members only.
#[server(endpoint = "accounts/account")]
pub async fn my_account() -> Result<AccountInfo, AppError> {
    let id = request::require_member_id().await?;
    repo::account_info(&request::state()?.pool, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[cfg(feature = "ssr")]
pub(crate) fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn taken_error(field: UniqueField) -> FieldError {
    field_error(field.form_field(), field.taken_message())
}

/// Which unique field a duplicate-key error on `member` is about (a sign-up that lost a
/// race with another).
#[cfg(feature = "ssr")]
pub(crate) fn taken_field(db_message: &str) -> UniqueField {
    if db_message.contains("uq_member_login_id") {
        UniqueField::LoginId
    } else if db_message.contains("uq_member_email") {
        UniqueField::Email
    } else {
        UniqueField::Nickname
    }
}

#[cfg(feature = "ssr")]
fn lock_message(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let kst = FixedOffset::east_opt(9 * 3600).expect("valid offset");
    let minutes_left = ((until - now).num_seconds() + 59) / 60;
    format!(
        "비밀번호를 {MAX_FAILED_LOGINS}회 잘못 입력하여 로그인이 잠겼습니다. {} 이후에 다시 시도해 주세요. (약 {minutes_left}분 남음)",
        until.with_timezone(&kst).format("%H:%M")
    )
}

#[cfg(feature = "ssr")]
pub(crate) async fn start_session(member_id: u64) -> Result<(), AppError> {
    let state = request::state()?;
    let user_agent = request::header(axum::http::header::USER_AGENT);
    let new = session::create(
        &state.pool,
        member_id,
        state.clock.now(),
        state.config.session_ttl,
        user_agent.as_deref(),
    )
    .await?;
    request::append_set_cookie(&session::set_cookie(
        &new.token,
        state.config.session_ttl,
        state.config.secure_cookies(),
    ));
    Ok(())
}
