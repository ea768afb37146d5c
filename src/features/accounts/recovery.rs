//! 아이디 찾기 and 비밀번호 재설정 server functions (`/api/accounts/find-id…`,
//! `/api/accounts/reset…`). Anyone may call them; each is limited per client address
//! (server::security) and per member in the database (codes).

use leptos::prelude::*;

use super::types::Me;
use super::types::recovery::{FindIdInput, FoundId, ResetPasswordInput, ResetRequestInput};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::codes::{self, Refused},
    super::server::recovery::{self as rec, Holder},
    super::server::repo,
    super::types::recovery::{CodePurpose, mask_login_id},
    crate::server::{password, request},
};

#[cfg(feature = "ssr")]
const NO_SUCH_MEMBER: &str = "입력한 이름과 이메일로 가입한 회원이 없어요.";

/// Name + email → the login ID with its middle hidden (USER-READ-01).
#[server(endpoint = "accounts/find-id")]
pub async fn find_id(#[server(default)] input: FindIdInput) -> Result<FoundId, AppError> {
    let (name, email) = input.validate()?;
    let pool = &request::state()?.pool;
    let holder = rec::by_name_and_email(pool, name.as_str(), email.as_str())
        .await?
        .ok_or_else(|| AppError::Rejected(NO_SUCH_MEMBER.into()))?;
    Ok(FoundId {
        login_id: mask_login_id(&holder.login_id),
        whole: false,
    })
}

/// Mails a code that shows the whole ID (to the address the member signed up with).
#[server(endpoint = "accounts/find-id/send")]
pub async fn send_find_id_code(#[server(default)] input: FindIdInput) -> Result<(), AppError> {
    let (name, email) = input.validate()?;
    let state = request::state()?;
    let holder = rec::by_name_and_email(&state.pool, name.as_str(), email.as_str())
        .await?
        .ok_or_else(|| AppError::Rejected(NO_SUCH_MEMBER.into()))?;
    send_code(&holder, CodePurpose::FindId, None).await
}

/// The mailed code → the whole login ID.
#[server(endpoint = "accounts/find-id/confirm")]
pub async fn confirm_find_id(#[server(default)] input: FindIdInput) -> Result<FoundId, AppError> {
    let (name, email, code) = input.validate_with_code()?;
    let pool = &request::state()?.pool;
    let Some(holder) = rec::by_name_and_email(pool, name.as_str(), email.as_str()).await? else {
        return Err(Refused::NoCode.into_error());
    };
    redeem(&holder, CodePurpose::FindId, &code).await?;
    Ok(FoundId {
        login_id: holder.login_id,
        whole: true,
    })
}

/// Mails a reset code (and link) when the login ID and email belong together. The answer
/// is the same when they do not, so it tells nobody which IDs exist.
#[server(endpoint = "accounts/reset/send")]
pub async fn send_reset_code(#[server(default)] input: ResetRequestInput) -> Result<(), AppError> {
    let (login_id, email) = input.validate()?;
    let pool = &request::state()?.pool;
    match rec::by_login_id(pool, login_id.as_str(), Some(email.as_str())).await? {
        Some(holder) => send_code(&holder, CodePurpose::ResetPassword, None).await,
        None => {
            tracing::info!("password reset asked for an ID and email that do not match");
            Ok(())
        }
    }
}

/// The mailed code and a new password: the password is replaced, every session ends,
/// and this browser is signed in afresh (USER-UPDATE-05).
#[server(endpoint = "accounts/reset/confirm")]
pub async fn reset_password(#[server(default)] input: ResetPasswordInput) -> Result<Me, AppError> {
    let (login_id, code, new_password) = input.validate()?;
    let state = request::state()?;
    let Some(holder) = rec::by_login_id(&state.pool, login_id.as_str(), None).await? else {
        return Err(Refused::NoCode.into_error());
    };
    redeem(&holder, CodePurpose::ResetPassword, &code).await?;
    let hash = password::hash(new_password.expose().to_owned()).await?;
    let now = state.clock.now();
    rec::set_password(&state.pool, &holder, &hash, now).await?;
    tracing::info!(member_id = holder.id, "password reset by mailed code");
    notify(rec::password_changed_mail(&holder, now)).await;
    super::api::start_session(holder.id).await?;
    repo::me(&state.pool, holder.id)
        .await?
        .ok_or(AppError::Internal)
}

/// Mails a new code for `purpose`: to the member's address, or to `new_email` when it is
/// that address the code proves.
#[cfg(feature = "ssr")]
pub(crate) async fn send_code(
    holder: &Holder,
    purpose: CodePurpose,
    new_email: Option<&str>,
) -> Result<(), AppError> {
    let state = request::state()?;
    let code = codes::issue(
        &state.pool,
        holder.id,
        purpose,
        new_email,
        state.clock.now(),
    )
    .await?;
    let mut mail = rec::code_mail(holder, purpose, &code, &state.config.public_url);
    if let Some(to) = new_email {
        mail.to = to.to_owned();
    }
    state.mailer.send(mail).await.map_err(|e| {
        tracing::error!(error = %e, member_id = holder.id, "code mail not sent");
        AppError::MailNotSent
    })
}

/// Spends the code (giving back the address it was issued for, if any), or says why not;
/// the owner hears of a code guessed to death.
#[cfg(feature = "ssr")]
pub(crate) async fn redeem(
    holder: &Holder,
    purpose: CodePurpose,
    code: &str,
) -> Result<Option<String>, AppError> {
    let state = request::state()?;
    let now = state.clock.now();
    match codes::redeem(&state.pool, holder.id, purpose, code, now).await? {
        Ok(new_email) => Ok(new_email),
        Err(refused) => {
            if matches!(refused, Refused::Exhausted) {
                tracing::warn!(
                    member_id = holder.id,
                    ?purpose,
                    "code guessed wrong until dead"
                );
                notify(rec::exhausted_mail(holder, purpose, now)).await;
            }
            Err(refused.into_error())
        }
    }
}

/// A notice the member should get; its failure must not undo what already happened.
#[cfg(feature = "ssr")]
pub(crate) async fn notify(mail: crate::server::mail::Mail) {
    if let Ok(state) = request::state()
        && let Err(e) = state.mailer.send(mail).await
    {
        tracing::error!(error = %e, "notice mail not sent");
    }
}
