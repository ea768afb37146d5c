//! 내 정보 수정 and 비밀번호 변경 server functions (`/api/accounts/profile`,
//! `/api/accounts/password`): members only, each after the current password (limited per
//! address like login, since each checks a password hash).

use leptos::prelude::*;

use super::types::AccountInfo;
use super::types::profile::{ChangeEmailInput, ChangePasswordInput, ProfileInput};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::recovery::{notify, redeem, send_code},
    super::server::{profile, recovery as rec, repo},
    super::types::recovery::CodePurpose,
    crate::server::{password, request, session},
};

/// Name, nickname, birth date, phone and gender (USER-UPDATE-01..03).
#[server(endpoint = "accounts/profile")]
pub async fn update_profile(
    #[server(default)] input: ProfileInput,
) -> Result<AccountInfo, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    let valid = input.validate(state.clock.today_kst())?;
    check_password(caller.id, input.current_password).await?;
    profile::update(&state.pool, caller.id, &valid, state.clock.now()).await?;
    tracing::info!(member_id = caller.id, "profile updated");
    repo::account_info(&state.pool, caller.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A new password (USER-UPDATE-04): every other session ends, this one stays, and the
/// mailbox hears of it.
#[server(endpoint = "accounts/password")]
pub async fn change_password(
    #[server(default)] input: ChangePasswordInput,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let new_password = input.validate()?;
    check_password(caller.id, input.current_password).await?;
    let state = request::state()?;
    let now = state.clock.now();
    let hash = password::hash(new_password.expose().to_owned()).await?;
    profile::set_password(&state.pool, caller.id, &hash, now).await?;
    if let Some(token) = request::session_token() {
        session::delete_others(&state.pool, caller.id, &token).await?;
    }
    tracing::info!(member_id = caller.id, "password changed");
    if let Some(holder) = rec::by_id(&state.pool, caller.id).await? {
        notify(rec::password_changed_mail(&holder, now)).await;
    }
    Ok(())
}

/// 이메일 변경, step one: after the current password, a code goes to the new address
/// (the email is re-verified before it counts).
#[server(endpoint = "accounts/email/send")]
pub async fn send_email_change_code(
    #[server(default)] input: ChangeEmailInput,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    let email = input.validate_request()?;
    let state = request::state()?;
    let holder = rec::by_id(&state.pool, caller.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if holder.email == email.as_str() {
        return Err(AppError::field("email", "지금 쓰는 이메일이에요."));
    }
    if profile::email_taken(&state.pool, email.as_str(), caller.id).await? {
        return Err(profile::email_taken_error());
    }
    check_password(caller.id, input.current_password).await?;
    send_code(&holder, CodePurpose::ChangeEmail, Some(email.as_str())).await
}

/// 이메일 변경, step two: the code from the new address makes it the member's; the old
/// address is told.
#[server(endpoint = "accounts/email/confirm")]
pub async fn confirm_email_change(
    #[server(default)] input: ChangeEmailInput,
) -> Result<AccountInfo, AppError> {
    let caller = request::require_caller().await?;
    let code = input.validate_code()?;
    let state = request::state()?;
    let holder = rec::by_id(&state.pool, caller.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let new_email = redeem(&holder, CodePurpose::ChangeEmail, &code)
        .await?
        .ok_or(AppError::Internal)?;
    let now = state.clock.now();
    profile::set_email(&state.pool, caller.id, &new_email, now).await?;
    tracing::info!(member_id = caller.id, "email changed");
    notify(profile::email_changed_mail(
        &holder.email,
        &holder.nickname,
        &new_email,
        now,
    ))
    .await;
    repo::account_info(&state.pool, caller.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The member's current password, or a field error under it.
#[cfg(feature = "ssr")]
pub(crate) async fn check_password(member_id: u64, typed: String) -> Result<(), AppError> {
    let pool = &request::state()?.pool;
    let hash = profile::password_hash(pool, member_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if password::verify(typed, hash).await? {
        Ok(())
    } else {
        Err(AppError::field(
            "current_password",
            "비밀번호가 맞지 않아요.",
        ))
    }
}
