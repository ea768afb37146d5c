//! 이메일 인증 server functions (USER_SIGNUP_002, `/api/accounts/verify…`): the six-digit
//! code mailed at sign-up activates the account. Until then the member may browse but
//! not sell, chat or buy (`Caller::verified`).

use leptos::prelude::*;

use super::types::Me;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::recovery::{redeem, send_code},
    super::server::profile::email_taken,
    super::server::{recovery as rec, repo},
    super::types::recovery::{CodePurpose, parse_code},
    crate::server::request,
};

/// Mails a new code to the member's address (the first went out at sign-up).
#[server(endpoint = "accounts/verify/send")]
pub async fn send_verification_code() -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    if caller.email_verified {
        return Err(AppError::Rejected(ALREADY_VERIFIED.into()));
    }
    mail_code(caller.id).await
}

/// The mailed code: the account is active from now on.
#[server(endpoint = "accounts/verify")]
pub async fn verify_email(#[server(default)] code: String) -> Result<Me, AppError> {
    let caller = request::require_caller().await?;
    if caller.email_verified {
        return Err(AppError::Rejected(ALREADY_VERIFIED.into()));
    }
    let code = parse_code(&code).map_err(|m| AppError::field("code", m))?;
    let state = request::state()?;
    let holder = rec::by_id(&state.pool, caller.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    // Before the code is spent: someone else proved this address first.
    if email_taken(&state.pool, &holder.email, caller.id).await? {
        return Err(rec::email_proved_elsewhere());
    }
    redeem(&holder, CodePurpose::VerifyEmail, &code).await?;
    rec::mark_verified(&state.pool, caller.id, state.clock.now()).await?;
    tracing::info!(member_id = caller.id, "email verified");
    repo::me(&state.pool, caller.id)
        .await?
        .ok_or(AppError::Internal)
}

#[cfg(feature = "ssr")]
const ALREADY_VERIFIED: &str = "이미 이메일 인증을 마쳤어요.";

/// Right after sign-up: the first code. A mail that does not go out leaves the account
/// made; the verification page offers to send again.
#[cfg(feature = "ssr")]
pub(crate) async fn send_first_code(member_id: u64) {
    if let Err(e) = mail_code(member_id).await {
        tracing::warn!(member_id, error = %e, "first verification code not sent");
    }
}

/// A new sign-up code to the live member's address.
#[cfg(feature = "ssr")]
async fn mail_code(member_id: u64) -> Result<(), AppError> {
    let holder = rec::by_id(&request::state()?.pool, member_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    send_code(&holder, CodePurpose::VerifyEmail, None).await
}
